"""Parsing of untrusted text in one place: ids, counts, decimals, search terms, export cells (SEC-1).

``"²".isdigit()`` is true and ``int("²")`` fails; ``int("1e999")`` fails; an id past the bigint
range fails in the database. Every view, service, filter and serializer that turns user text into
a number calls these instead of ``int()`` / ``str.isdigit()`` / ``Decimal()``; a value they refuse
is ``None`` and the caller answers 400 or 404, never 500.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

BIGINT_MAX = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
_ASCII_DECIMAL = re.compile(r"-?[0-9]{1,20}(\.[0-9]{0,20})?")

# C0 control characters. Tab, line feed and carriage return are allowed in multi-line text only.
# openpyxl refuses the same set (its ILLEGAL_CHARACTERS_RE), PostgreSQL refuses NUL in text.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f]")
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def parse_id(value) -> int | None:
    """A primary key from user input: ASCII digits only, 1 .. bigint max; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= BIGINT_MAX else None
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value.strip()):
        return None
    number = int(value.strip())
    return number if 0 < number <= BIGINT_MAX else None


def parse_count(value, *, default: int | None = None, maximum: int | None = None) -> int | None:
    """A non-negative whole number (a form count, a row index, a limit); ``default`` if not one.

    ``maximum`` caps the result (``lines-TOTAL_FORMS=99999999`` must not build a million forms).
    """
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ASCII_DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return default
    if number < 0:
        return default
    return min(number, maximum) if maximum is not None else number


def parse_decimal(value, *, max_digits: int = 12, decimal_places: int = 2, exact: bool = True) -> Decimal | None:
    """A finite decimal that fits ``max_digits``/``decimal_places`` (a quantity, a price), or None.

    Text must be ASCII digits (``"²"``, ``"1e999"``, ``"NaN"`` are None). ``exact=False`` rounds
    more decimal places to ``decimal_places`` (half up) instead of refusing them.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value)) if value == value and abs(value) != float("inf") else Decimal("NaN")
    elif isinstance(value, str) and _ASCII_DECIMAL.fullmatch(value.strip()):
        number = Decimal(value.strip())
    else:
        return None
    if not number.is_finite():
        return None
    exponent = number.as_tuple().exponent
    if -exponent > decimal_places:
        if exact:
            return None
        number = number.quantize(Decimal(1).scaleb(-decimal_places), rounding=ROUND_HALF_UP)
    whole_digits = max(number.adjusted() + 1, 0) if number else 0
    if whole_digits > max_digits - decimal_places:
        return None
    return number


def has_control_chars(text: str, *, multiline: bool = True) -> bool:
    return bool((CONTROL_CHARS if multiline else CONTROL_OR_BREAK).search(text))


def has_lone_surrogate(text: str) -> bool:
    return bool(LONE_SURROGATE.search(text))


def clean_search_term(value, *, max_length: int = 200) -> str:
    """A search or type-ahead term: control characters and lone surrogates dropped, cut to size.

    A search is not stored, so cleaning is kinder than refusing; NUL would otherwise reach
    PostgreSQL, which refuses it in a text literal (a 500).
    """
    if not isinstance(value, str):
        return ""
    text = LONE_SURROGATE.sub("", CONTROL_OR_BREAK.sub(" ", value))
    return text.strip()[:max_length]


def printable(text: str) -> str:
    """A stored text made safe to write anywhere (a spreadsheet, a PDF): control characters
    other than tab and line breaks become U+FFFD, a lone surrogate too."""
    return LONE_SURROGATE.sub("\ufffd", CONTROL_CHARS.sub("\ufffd", text))
