"""Odds formats: parsing, exact round trips through every format, and named errors."""

import math
import re

import pytest

from analytics.betting.odds_formats import FORMATS, from_decimal, to_decimal, to_decimal_one
from analytics.core.errors import InputError

CASES = [
    ("fractional", "5/2", 3.5), ("fractional", "11-10", 2.1), ("fractional", "evens", 2.0), ("fractional", "26", 27.0),
    ("fractional", "1/9", 1 + 1 / 9), ("american", "+150", 2.5), ("american", "-200", 1.5), ("american", "100", 2.0),
    ("hongkong", "0.8", 1.8), ("malay", "0.5", 1.5), ("malay", "-0.5", 3.0), ("indonesian", "1.5", 2.5),
    ("indonesian", "-2", 1.5), ("probability", "0.25", 4.0), ("cents", "40", 2.5), ("decimal", "2.50", 2.5),
]


EXPRESSIBLE = {
    "decimal": [1.01, 1.5, 1.909, 2.0, 2.5, 3.75, 11.0, 1001.0],
    "fractional": ["1/100", "1/2", "10/11", "evens", "5/2", "11/4", "10/1", "1000/1"],
    "american": [-10000.0, -200.0, -110.0, 100.0, 150.0, 275.0, 1000.0, 99900.0],
    "hongkong": [0.01, 0.5, 0.91, 1.0, 1.5, 2.75, 10.0, 1000.0],
    "malay": [0.01, 0.5, 0.91, 1.0, -0.8, -0.5, -0.1, -0.001],
    "indonesian": [-100.0, -2.0, -1.1, 1.0, 1.5, 2.75, 10.0, 1000.0],
    "probability": [0.999, 0.9, 0.5, 0.4, 0.25, 0.1, 0.01, 0.001],
    "cents": [99.0, 90.0, 50.0, 40.0, 25.0, 10.0, 1.0, 0.1],
}


@pytest.mark.parametrize("fmt, text, decimal", CASES)
def test_parse(fmt, text, decimal):
    assert to_decimal_one(text, fmt) == pytest.approx(decimal, abs=1e-15)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_is_exact(fmt):
    for value in EXPRESSIBLE[fmt]:
        back = from_decimal(to_decimal_one(value, fmt), fmt)
        expected = "1/1" if value == "evens" else value
        assert back == expected, (fmt, value, back)


@pytest.mark.parametrize("target", FORMATS)
def test_every_format_through_every_other(target):
    for decimal in (1.5, 2.0, 2.5, 4.0, 11.0):
        assert to_decimal_one(from_decimal(decimal, target), target) == pytest.approx(decimal, rel=1e-12)


@pytest.mark.parametrize(
    "fmt, text, message",
    [("decimal", "1.0", "greater than 1"), ("decimal", "0.9", "greater than 1"), ("decimal", "nan", "finite"),
     ("decimal", "abc", "not a number"), ("american", "+50", "+100 or more"), ("american", "-99", "-100 or less"),
     ("fractional", "5//2", "malformed"), ("fractional", "0/1", "non-zero"), ("fractional", "2/0", "non-zero"),
     ("probability", "1.2", "between 0 and 1"), ("cents", "0", "between 0 and 100"), ("malay", "1.5", "Malay"),
     ("indonesian", "0.5", "Indonesian"), ("hongkong", "-1", "greater than 0"), ("roman", "2", "unknown odds format")],
)
def test_invalid_values_are_named(fmt, text, message):
    with pytest.raises(InputError, match=re.escape(message)) as info:
        to_decimal_one(text, fmt)
    if fmt != "roman":
        assert text in str(info.value)


def test_infinite_decimal_rejected():
    with pytest.raises(InputError):
        to_decimal_one(math.inf, "decimal")


def test_odds_with_underscores_are_not_numbers():
    with pytest.raises(InputError, match="no '_' in numbers"):
        to_decimal(["1_5", "2"], "decimal")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_column_at_once_equals_value_by_value(fmt):
    """to_decimal reads a whole column at once; each value is exactly what to_decimal_one makes of it, and a column
    with one bad value raises that value's own message."""
    values = [str(v) for v in EXPRESSIBLE[fmt]] * 20 + [f" {EXPRESSIBLE[fmt][1]} "]
    assert to_decimal(values, fmt).tolist() == [to_decimal_one(v, fmt) for v in values]
    bad = {"decimal": "0.5", "fractional": "0/3", "american": "50", "hongkong": "0", "malay": "2",
           "indonesian": "0.5", "probability": "1", "cents": "100"}[fmt]
    with pytest.raises(InputError) as column:
        to_decimal(values + [bad], fmt)
    with pytest.raises(InputError) as alone:
        to_decimal_one(bad, fmt)
    assert str(column.value) == str(alone.value)
