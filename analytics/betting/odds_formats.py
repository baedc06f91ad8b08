"""Odds formats to decimal odds (stake included) and back.

decimal 2.50; fractional "3/2", "11-10", "evens", "26" (= 26/1); American +150 / -200 (|a| >= 100);
Hong Kong o - 1; Malay m in (0, 1] -> 1 + m, m in [-1, 0) -> 1 - 1/m; Indonesian i >= 1 -> 1 + i,
i <= -1 -> 1 - 1/i; probability p in (0, 1) -> 1/p; cents c in (0, 100) -> 100/c.
Conversions to a format round to 12 significant digits, so values the format can express
survive a round trip exactly.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Literal, Sequence, get_args

import numpy as np

from analytics.core.errors import InputError
from analytics.core.types import FloatArray

OddsFormat = Literal["decimal", "fractional", "american", "hongkong", "malay", "indonesian", "probability", "cents"]
FORMATS: tuple[OddsFormat, ...] = get_args(OddsFormat)
_FRACTION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[/-]\s*(\d+(?:\.\d+)?)\s*$")
_EVENS = {"evens", "evs", "even", "evn", "ev"}


def odds_format(fmt: str) -> OddsFormat:
    """A format's name as a user writes it (any case; hk, us, moneyline, indo, prob, price as aliases) as one of
    FORMATS; InputError otherwise."""
    key = fmt.strip().lower().replace(" ", "").replace("_", "")
    aliases = {"hk": "hongkong", "us": "american", "moneyline": "american", "indo": "indonesian",
               "prob": "probability", "price": "probability"}
    key = aliases.get(key, key)
    for known in FORMATS:
        if key == known:
            return known
    raise InputError(f"unknown odds format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _number(value: str | float, fmt: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).strip()
        if "_" in text:       # Python reads 1_5 as 15; odds are plain decimals
            raise InputError(f"{fmt} odds {text[:30]!r} are not a number (no '_' in numbers)")
        try:
            number = float(text.replace("+", "", 1) if text.startswith("+") else text)
        except ValueError:
            raise InputError(f"{fmt} odds {str(value)[:30]!r} are not a number") from None
    if not math.isfinite(number):
        raise InputError(f"{fmt} odds {value!r} are not a finite number")
    return number


def _fractional_to_decimal(value: str | float, shown: str) -> float:
    """a/b, a-b, a whole number or 'evens' to decimal odds 1 + a/b."""
    text = str(value).strip().lower()
    if text in _EVENS:
        return 2.0
    match = _FRACTION.match(text)
    if match:
        num, den = float(match.group(1)), float(match.group(2))
        if den == 0 or num == 0:
            raise InputError(f"fractional odds {shown} must have a non-zero numerator and denominator")
        return 1.0 + num / den
    number = _number(value, "fractional") if re.match(r"^\s*\d+(\.\d+)?\s*$", text) else None
    if number is None or number <= 0:
        raise InputError(f"fractional odds {shown} are malformed; expected a/b, a-b, a whole number or 'evens'")
    return 1.0 + number


def to_decimal_one(value: str | float, fmt: str = "decimal") -> float:
    """One odds value in format `fmt` to decimal odds; invalid values raise InputError naming them."""
    fmt = odds_format(fmt)
    shown = repr(value) if not isinstance(value, str) else repr(value.strip())
    if fmt == "fractional":
        return _fractional_to_decimal(value, shown)
    number = _number(value, fmt)
    if fmt == "decimal":
        if number <= 1:
            raise InputError(f"decimal odds {shown} must be greater than 1")
        return number
    if fmt == "american":
        if -100 < number < 100:
            raise InputError(f"American odds {shown} must be +100 or more, or -100 or less")
        return 1.0 + number / 100.0 if number > 0 else 1.0 + 100.0 / -number
    if fmt == "hongkong":
        if number <= 0:
            raise InputError(f"Hong Kong odds {shown} must be greater than 0")
        return 1.0 + number
    if fmt == "malay":
        if number == 0 or not -1 <= number <= 1:
            raise InputError(f"Malay odds {shown} must be in [-1, 0) or (0, 1]")
        return 1.0 + number if number > 0 else 1.0 - 1.0 / number
    if fmt == "indonesian":
        if -1 < number < 1:
            raise InputError(f"Indonesian odds {shown} must be 1 or more, or -1 or less")
        return 1.0 + number if number > 0 else 1.0 - 1.0 / number
    if fmt == "probability":
        if not 0 < number < 1:
            raise InputError(f"probability price {shown} must be strictly between 0 and 1")
        return 1.0 / number
    if not 0 < number < 100:
        raise InputError(f"price in cents {shown} must be strictly between 0 and 100")
    return 100.0 / number


def to_decimal(values: Sequence[str | float], fmt: str = "decimal") -> FloatArray:
    """Odds in format `fmt` to decimal odds (array)."""
    return np.array([to_decimal_one(v, fmt) for v in values], dtype=float)


def _rounded(x: float) -> float:
    """12 significant digits: removes float noise, keeps every value a format can express."""
    return float(f"{x:.12g}")


def from_decimal(decimal_odds: float, fmt: str) -> float | str:
    """Decimal odds to format `fmt` (fractional as a reduced 'a/b' string)."""
    fmt = odds_format(fmt)
    o = float(decimal_odds)
    if not (math.isfinite(o) and o > 1):
        raise InputError(f"decimal odds {o!r} must be greater than 1")
    if fmt == "decimal":
        return o
    if fmt == "fractional":
        frac = Fraction(o - 1.0).limit_denominator(1000)
        return f"{frac.numerator}/{frac.denominator}"
    if fmt == "american":
        return _rounded(100.0 * (o - 1.0) if o >= 2 else -100.0 / (o - 1.0))
    if fmt == "hongkong":
        return _rounded(o - 1.0)
    if fmt == "malay":
        return _rounded(o - 1.0 if o <= 2 else -1.0 / (o - 1.0))
    if fmt == "indonesian":
        return _rounded(o - 1.0 if o >= 2 else -1.0 / (o - 1.0))
    if fmt == "probability":
        return _rounded(1.0 / o)
    return _rounded(100.0 / o)
