"""Parsing text a caller hands over (CSV or JSON) into validated tables. No file I/O here."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

from analytics.core.errors import InputError
from analytics.core.types import FloatArray

MAX_TEXT_BYTES = 20 * 1024 * 1024


def decode_text(raw: bytes, source: str) -> str:
    """Decode uploaded bytes as UTF-8 text (BOM allowed); binary content is an InputError."""
    if len(raw) > MAX_TEXT_BYTES:
        raise InputError(f"file is {len(raw) / 1e6:.1f} MB; the limit is {MAX_TEXT_BYTES / 1e6:.0f} MB", source=source)
    if b"\x00" in raw[:65536]:
        raise InputError("is not a text file (binary content); expected CSV or JSON text", source=source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text (byte {exc.start}); expected CSV or JSON text", source=source) from None
    if not text.strip():
        raise InputError("file is empty; expected CSV or JSON text", source=source)
    return text


def looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def parse_json(text: str, source: str) -> Any:
    """Strict JSON (no NaN/Infinity constants); the strings "inf"/"-inf" are read by the callers."""
    def reject(constant: str) -> Any:
        raise InputError(f"JSON constant {constant} is not allowed; write the string \"inf\" or a number",
                         source=source)
    try:
        return json.loads(text, parse_constant=reject)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", source=source) from None


def read_csv_table(text: str, source: str) -> pd.DataFrame:
    """CSV text to a DataFrame of strings with lower-case, stripped column names."""
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True,
                            quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"not a readable CSV table ({first})", source=source) from None
    if not isinstance(frame.index, pd.RangeIndex):
        raise InputError(f"a row has more fields than the header ({len(frame.columns)} columns)", source=source)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if frame.columns.duplicated().any():
        dupes = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise InputError(f"duplicate columns {dupes}", source=source)
    if frame.empty:
        raise InputError(f"has a header ({', '.join(frame.columns)}) but no rows", source=source)
    return frame.apply(lambda col: col.str.strip())


def row_label(index: int) -> str:
    """Human row number in the file: header is line 1."""
    return f"row {index + 2}"


def parse_float(value: Any, *, source: str, where: str, allow_empty: bool = False,
                allow_inf: bool = False) -> float | None:
    """One number from a CSV cell or JSON value; the error names the place and the value."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if allow_empty:
            return None
        raise InputError(f"{where}: missing value; expected a number", source=source)
    if isinstance(value, bool):
        raise InputError(f"{where}: {value!r} is not a number", source=source)
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip()
        if text.lower() in ("inf", "+inf", "-inf") and allow_inf:
            return math.inf if not text.startswith("-") else -math.inf
        try:
            number = float(text)
        except ValueError:
            raise InputError(f"{where}: {text[:40]!r} is not a number", source=source) from None
    if math.isnan(number) or (math.isinf(number) and not allow_inf):
        raise InputError(f"{where}: {value!r} is not a finite number", source=source)
    return number


def parse_probability_cells(cells: list[Any], *, source: str, places: list[str]) -> tuple[list[float], bool]:
    """Probability cells that may carry a % suffix. Returns values and whether they were percent."""
    percent = any(isinstance(c, str) and c.strip().endswith("%") for c in cells)
    values: list[float] = []
    for cell, where in zip(cells, places, strict=True):
        text = cell.strip().rstrip("%").strip() if isinstance(cell, str) else cell
        number = parse_float(text, source=source, where=where)
        assert number is not None
        if number < 0:
            raise InputError(f"{where}: probability {number!r} is negative; expected a number >= 0", source=source)
        values.append(number / 100.0 if percent else number)
    return values, percent


def json_numbers(values: Any, name: str, source: str, *, allow_null: bool = False) -> FloatArray:
    """A JSON list of finite numbers (null read as NaN where allowed); the error names the item."""
    if not isinstance(values, list) or not values:
        raise InputError(f"\"{name}\" must be a non-empty list of numbers", source=source)
    out = np.empty(len(values))
    for i, v in enumerate(values):
        if v is None and allow_null:
            out[i] = np.nan
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise InputError(f"{name}[{i}] is {v!r}; expected a finite number", source=source)
        out[i] = float(v)
    return out


def json_number(item: Mapping[str, Any], key: str, source: str, *, positive: bool = False) -> float:
    """One finite (or, with `positive`, strictly positive) number of a JSON object."""
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or \
            (positive and value <= 0):
        raise InputError(f"\"{key}\" must be a {'positive' if positive else 'finite'} number, got {value!r}",
                         source=source)
    return float(value)


NORMALISATION_TOLERANCE = 1e-6    # a complete statement whose total is off 1 by more is normalised with a warning


def normalisation_note(warnings: list[str], source: str, total: float, stated: str) -> None:
    """The one warning for a complete statement (probabilities, a density) rescaled to total 1: it says what the
    user stated (`stated`, e.g. "probabilities summed to 100.1 %") when the total was off 1 by more than 1e-6."""
    if abs(total - 1.0) > NORMALISATION_TOLERANCE:
        warnings.append(f"{source}: {stated}; normalised to 1")
