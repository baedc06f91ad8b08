"""Strict JSON for every output: inf as the string "inf" / "-inf", NaN never written (None)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

INLINE_WIDTH = 100        # characters: a container this short, or a list of plain values, stays on one line


def _number(f: float) -> Any:
    if math.isnan(f):
        return None
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return f


def strict(value: Any) -> Any:
    """Recursively convert numpy types and non-finite floats for strict JSON."""
    kind = type(value)
    if kind is float:                                   # the common cases first: outputs hold millions of values
        return value if math.isfinite(value) else _number(value)
    if kind is str or kind is int or value is None or kind is bool:
        return value
    if kind is dict:
        return {str(k): strict(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [strict(v) for v in value]
    if isinstance(value, dict):
        return {str(k): strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    if isinstance(value, np.ndarray):
        return [strict(v) for v in value.tolist()]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _number(float(value))
    return value


def _pretty(value: Any, indent: int, level: int) -> str:
    """Indented JSON in which a container holding no containers (a row of a long table, a list of numbers) or a
    short one sits on one line, encoded by the json module's C encoder (its pure-Python indenting encoder took
    seconds for a season's 66,666 rows)."""
    if not isinstance(value, (dict, list)):
        return json.dumps(value, allow_nan=False)
    children = value.values() if isinstance(value, dict) else value
    if not any(isinstance(c, (dict, list)) for c in children):
        return json.dumps(value, allow_nan=False)
    if len(value) <= 8:
        compact = json.dumps(value, allow_nan=False)
        if len(compact) <= INLINE_WIDTH:
            return compact
    inner, outer = " " * (indent * (level + 1)), " " * (indent * level)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {_pretty(v, indent, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{outer}}}"
    return "[\n" + ",\n".join(f"{inner}{_pretty(v, indent, level + 1)}" for v in value) + f"\n{outer}]"


def dumps(value: Any, indent: int | None = None, **kwargs: Any) -> str:
    if indent is None or kwargs:
        return json.dumps(strict(value), allow_nan=False, indent=indent, **kwargs)
    return _pretty(strict(value), indent, 0)
