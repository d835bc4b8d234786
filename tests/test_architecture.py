"""DESIGN.md: dependencies flow one way; the core imports no domain app."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_dependency_direction_contract_holds():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


# issue 6 §4: the page and API layer is shared through qsm.web / qsm.api, not borrowed from an
# earlier module. Orders converts an inquiry, so it may read presales' models, selectors and
# services; it imports none of presales' pages, forms or API (directly or through another module).
PRESALES_WEB = ["presales.views", "presales.forms", "presales.api", "presales.urls", "presales.filters"]


def test_orders_imports_no_presales_web_or_api_layer(tmp_path):
    config = tmp_path / "importlinter.ini"
    config.write_text(
        "[importlinter]\nroot_packages =\n    qsm\n    presales\n    orders\n\n"
        "[importlinter:contract:orders-web]\nname = orders does not borrow presales' web and API layer\n"
        "type = forbidden\nsource_modules =\n    orders\nforbidden_modules =\n"
        + "".join(f"    {m}\n" for m in PRESALES_WEB)
    )
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(config)], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_orders_sources_name_no_presales_web_module():
    """The same rule read from the source, function-level imports included (import-linter sees those
    too, but this names the file and line)."""
    import ast

    offenders = []
    paths = sorted((ROOT / "orders").rglob("*.py"))
    assert len(paths) > 10  # the rule read the real package
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if any(n == m or n.startswith(m + ".") for n in names for m in PRESALES_WEB):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
