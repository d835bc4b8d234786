"""How a person is named where they are picked: a name alone is ambiguous in a company of thousands."""
from __future__ import annotations


def person_label(user) -> str:
    """``王芳 · 销售部``: the person and their department (when they have one)."""
    return f"{user} · {user.department}" if user.department_id else str(user)
