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
from typing import Callable, Literal, Sequence, get_args

import numpy as np

from analytics.core.errors import InputError
from analytics.core.types import BoolArray, FloatArray

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


# each format's rule on numbers (arrays or scalars): decimal odds, which numbers the format allows, and what it says
_RULES: dict[str, tuple[Callable[[FloatArray], FloatArray], Callable[[FloatArray], BoolArray], str]] = {
    "decimal": (lambda x: x, lambda x: x > 1, "decimal odds {} must be greater than 1"),
    "american": (lambda x: np.where(x > 0, 1.0 + x / 100.0, 1.0 + 100.0 / -x), lambda x: np.abs(x) >= 100,
                 "American odds {} must be +100 or more, or -100 or less"),
    "hongkong": (lambda x: 1.0 + x, lambda x: x > 0, "Hong Kong odds {} must be greater than 0"),
    "malay": (lambda x: np.where(x > 0, 1.0 + x, 1.0 - 1.0 / x), lambda x: (x != 0) & (np.abs(x) <= 1),
              "Malay odds {} must be in [-1, 0) or (0, 1]"),
    "indonesian": (lambda x: np.where(x > 0, 1.0 + x, 1.0 - 1.0 / x), lambda x: np.abs(x) >= 1,
                   "Indonesian odds {} must be 1 or more, or -1 or less"),
    "probability": (lambda x: 1.0 / x, lambda x: (x > 0) & (x < 1),
                    "probability price {} must be strictly between 0 and 1"),
    "cents": (lambda x: 100.0 / x, lambda x: (x > 0) & (x < 100),
              "price in cents {} must be strictly between 0 and 100"),
}


def to_decimal_one(value: str | float, fmt: str = "decimal") -> float:
    """One odds value in format `fmt` to decimal odds; invalid values raise InputError naming them."""
    fmt = odds_format(fmt)
    shown = repr(value) if not isinstance(value, str) else repr(value.strip())
    if fmt == "fractional":
        return _fractional_to_decimal(value, shown)
    number = np.array(_number(value, fmt))
    convert, allowed, rule = _RULES[fmt]
    if not allowed(number):
        raise InputError(rule.format(shown))
    with np.errstate(divide="ignore"):      # np.where evaluates the branch it does not pick
        return float(convert(number))


def _plain_numbers(values: Sequence[str | float]) -> FloatArray | None:
    """Every value read as a finite number at once (numpy reads text as Python's float() does), or None when one
    needs the careful reading of _number: an underscore, a bool, text that is no number, a non-finite value."""
    if any(isinstance(v, bool) or (isinstance(v, str) and "_" in v) for v in values):
        return None
    try:
        numbers = np.array(values, dtype=float)
    except (ValueError, TypeError, OverflowError):
        return None
    return numbers if numbers.ndim == 1 and np.all(np.isfinite(numbers)) else None


def to_decimal(values: Sequence[str | float], fmt: str = "decimal") -> FloatArray:
    """Odds in format `fmt` to decimal odds (array), all at once; the first invalid value raises the InputError
    to_decimal_one gives it."""
    fmt = odds_format(fmt)
    numbers = _plain_numbers(values) if fmt != "fractional" and len(values) > 0 else None
    if numbers is not None:
        convert, allowed, _ = _RULES[fmt]
        if np.all(allowed(numbers)):
            with np.errstate(divide="ignore"):
                return np.asarray(convert(numbers), dtype=float)
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
