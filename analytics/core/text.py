"""Parsing text a caller hands over (CSV or JSON) into validated tables. No file I/O here."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from typing import Any, Mapping

import numpy as np
import pandas as pd

from analytics.core.errors import InputError
from analytics.core.types import FloatArray

MAX_TEXT_BYTES = 20 * 1024 * 1024       # 20 MiB: the dashboard's upload limit (Streamlit's maxUploadSize = 20) too


def check_size(size: int, source: str, limit: int = MAX_TEXT_BYTES) -> None:
    """A file of `size` bytes beyond `limit` (MAX_TEXT_BYTES unless given) is an InputError stating both in MiB
    (2^20 bytes), the unit the limit is set in."""
    if size > limit:
        raise InputError(f"file is {size / 2**20:.1f} MiB ({size:,} bytes); the limit is {limit / 2**20:.0f} "
                         f"MiB ({limit:,} bytes)", source=source)


def check_text_head(head: bytes, source: str, expected: str = "CSV or JSON text") -> None:
    """A NUL byte in a file's first 64 KiB marks binary content: an InputError naming the file."""
    if b"\x00" in head[:65536]:
        raise InputError(f"is not a text file (binary content); expected {expected}", source=source)


def decode_text(raw: bytes, source: str, limit: int = MAX_TEXT_BYTES) -> str:
    """Decode uploaded bytes as UTF-8 text (BOM allowed); binary content is an InputError."""
    check_size(len(raw), source, limit)
    check_text_head(raw, source)
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
    depth = _nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise InputError(f"JSON nested {depth} levels deep; the limit is {MAX_JSON_DEPTH}", source=source)
    try:
        return json.loads(text, parse_constant=reject)
    except InputError:
        raise
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", source=source) from None
    except (ValueError, RecursionError):    # Python's limit on integer digits, and very deep nesting
        raise InputError("JSON holds a number of more than 4,300 digits; write numbers in ordinary notation "
                         "(1e400 is not finite either)", source=source) from None


MAX_JSON_DEPTH = 64


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _nesting_depth(text: str) -> int:
    """The deepest nesting of [ and { in JSON text (strings left out), found without parsing it: json.loads
    recurses once per level and a 10^5-deep file would exhaust Python's stack."""
    bare = np.frombuffer(_JSON_STRING.sub("", text).encode("utf-8"), dtype=np.uint8)
    steps = (np.isin(bare, (ord("["), ord("{"))).astype(np.int64) - np.isin(bare, (ord("]"), ord("}"))))
    return int(np.cumsum(steps).max(initial=0))


MAX_COLUMNS = 1_000       # a football-data season has about 110; a 200,000-column file took minutes to read
MAX_ROWS = 200_000        # a season of every league fits many times over; an option chain has a few thousand
MAX_CELL_CHARS = 1_000    # a label, an event name or a number; longer text is no label a page or report can show


def csv_header(text: str) -> list[str]:
    """The column names of CSV text from its first line alone, as written (empty if that line is not readable
    CSV: read_csv_table then says what is wrong with it)."""
    first_line = text.splitlines()[0] if text else ""
    try:
        return next(csv.reader([first_line]), [])
    except csv.Error:
        return []


def csv_columns(text: str) -> set[str]:
    """The column names of CSV text's first line, stripped and lower-cased, as the readers compare them."""
    return {name.strip().lower() for name in csv_header(text)}


def read_csv_table(text: str, source: str) -> pd.DataFrame:
    """CSV text to a DataFrame of strings with lower-case, stripped column names. Files beyond MAX_COLUMNS columns
    or MAX_ROWS rows are refused before they are parsed, so a hostile file answers at once."""
    header = csv_header(text)
    if len(header) > MAX_COLUMNS:
        raise InputError(f"has {len(header):,} columns; the limit is {MAX_COLUMNS:,}", source=source)
    rows = text.count("\n") + (not text.endswith("\n")) - 1
    if rows > MAX_ROWS:
        raise InputError(f"has {rows:,} rows; the limit is {MAX_ROWS:,}", source=source)
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
    frame = frame.apply(lambda col: col.str.strip())
    lengths = frame.apply(lambda col: col.str.len()).to_numpy()
    if lengths.max(initial=0) > MAX_CELL_CHARS:
        row, column = np.unravel_index(int(np.argmax(lengths > MAX_CELL_CHARS)), lengths.shape)
        raise InputError(f"{row_label(int(row))} column '{frame.columns[column]}' holds {int(lengths[row, column]):,} "
                         f"characters; the limit is {MAX_CELL_CHARS:,}", source=source)
    return frame


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
        converted = finite_float(value)
        if converted is None:
            raise InputError(f"{where}: {shown_value(value)} is not a finite number", source=source)
        number = converted
    else:
        text = str(value).strip()
        if text.lower() in ("inf", "+inf", "-inf") and allow_inf:
            return math.inf if not text.startswith("-") else -math.inf
        if "_" in text:       # Python reads 1_0 as 10; a file's numbers are plain decimals
            raise InputError(f"{where}: {text[:40]!r} is not a number (no '_' in numbers)", source=source)
        try:
            number = float(text)
        except ValueError:
            raise InputError(f"{where}: {text[:40]!r} is not a number", source=source) from None
    if math.isnan(number) or (math.isinf(number) and not allow_inf):
        raise InputError(f"{where}: {value!r} is not a finite number", source=source)
    return number


def parse_probability_cells(cells: list[Any], *, source: str, places: list[str]) -> tuple[list[float], bool]:
    """Probability cells that may carry a % suffix. Returns values and whether they were percent."""
    marked = [isinstance(c, str) and c.strip().endswith("%") for c in cells]
    percent = any(marked)
    if percent and not all(marked):
        where = places[marked.index(False)]
        raise InputError(f"{where}: mixed units: some probabilities carry '%' and this one does not; write all as "
                         "percentages or all as fractions", source=source)
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
        number = finite_float(v)
        if number is None:
            raise InputError(f"{name}[{i}] is {shown_value(v)}; expected a finite number", source=source)
        out[i] = number
    return out


def finite_float(value: Any) -> float | None:
    """A JSON value as a finite float, or None: not a number (text, a bool, null), not finite, or an integer too
    large for a float (10^400 written out)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def shown_value(value: Any, limit: int = 40) -> str:
    """A value as an error message shows it: its repr, cut to `limit` characters with the length of the rest."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def json_number(item: Mapping[str, Any], key: str, source: str, *, positive: bool = False) -> float:
    """One finite (or, with `positive`, strictly positive) number of a JSON object."""
    value = item.get(key)
    number = finite_float(value)
    if number is None or (positive and number <= 0):
        raise InputError(f"\"{key}\" must be a {'positive' if positive else 'finite'} number, got "
                         f"{shown_value(value)}", source=source)
    return number


NORMALISATION_TOLERANCE = 1e-6    # a complete statement whose total is off 1 by more is normalised with a warning


def normalisation_note(warnings: list[str], source: str, total: float, stated: str) -> None:
    """The one warning for a complete statement (probabilities, a density) rescaled to total 1: it says what the
    user stated (`stated`, e.g. "probabilities summed to 100.1 %") when the total was off 1 by more than 1e-6."""
    if abs(total - 1.0) > NORMALISATION_TOLERANCE:
        warnings.append(f"{source}: {stated}; normalised to 1")


_NUMPY_SCALAR = r"^np\.(?:float|int)\d*\((.*)\)$"


def numeric_column(column: pd.Series) -> pd.Series:
    """A table column of prices as floats, leniently: blanks and text become NaN for the caller to count or skip
    (a quote without a bid), and numpy scalar reprs (np.float64(60.0), written by scripts on numpy 2) are read."""
    return pd.to_numeric(column.astype(str).str.replace(_NUMPY_SCALAR, r"\1", regex=True), errors="coerce")
