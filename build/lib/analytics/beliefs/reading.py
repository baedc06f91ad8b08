"""Reading beliefs: every form a person states a view in (docs/formats.md, "Beliefs"), from CSV (detected by its
header) or JSON (by its `kind`). Probabilities are fractions; percentages are converted on reading."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analytics.beliefs import price as c
from analytics.beliefs.discrete import DiscreteBelief
from analytics.beliefs.spec import BeliefSpec, NamedBelief
from analytics.core.distributions import normalise_label
from analytics.core.errors import InputError
from analytics.core.text import (
    json_number,
    json_numbers,
    looks_like_json,
    normalisation_note,
    parse_float,
    parse_json,
    parse_probability_cells,
    read_csv_table,
    row_label,
)
from analytics.match.scores import score_belief_from_json
from analytics.views.spec import MAX_VIEWS, view_from_cells, views_belief, views_from_json


def _normalised_discrete(labels: list[str], values: list[float], percent: bool, source: str,
                         warnings: list[str], normalise: bool = True) -> DiscreteBelief:
    keys = [normalise_label(lab) for lab in labels]
    if any(not k for k in keys):
        raise InputError("an outcome label is empty", source=source)
    seen: set[str] = set()
    for lab, k in zip(labels, keys, strict=True):
        if k in seen:
            raise InputError(f"outcome {lab!r} appears twice", source=source)
        seen.add(k)
    return DiscreteBelief(tuple(labels), _normalised_masses(values, percent, True, source, warnings, normalise))


def _probability_column(table: pd.DataFrame, codes: np.ndarray, groups: int,
                        where: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every `probability` cell at once as fractions or percent numbers, and per group whether it is in percent
    (cells with a '%' suffix); the first bad cell is named exactly as a single cell's check names it."""
    cells = table["probability"].astype(str)
    marked = cells.str.endswith("%").to_numpy()
    marked_count = np.bincount(codes, marked, groups)
    counts = np.bincount(codes, minlength=groups)
    mixed = (marked_count > 0) & (marked_count < counts)
    if mixed.any():
        row = int(np.flatnonzero(mixed[codes] & ~marked)[0])
        raise InputError(f"{row_label(row)} column 'probability': mixed units: some probabilities carry '%' and "
                         "this one does not; write all as percentages or all as fractions", source=where[codes[row]])
    texts = cells.str.rstrip("%").str.strip()
    values = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float)
    suspect = ~np.isfinite(values) | texts.str.contains("_", regex=False).to_numpy()
    for cell in np.flatnonzero(suspect):      # what the fast reading refused: read (or refused) cell by cell
        values[cell] = parse_float(texts.iloc[cell], source=where[codes[cell]],
                                   where=f"{row_label(int(cell))} column 'probability'")
    negative = np.flatnonzero(values < 0)
    if negative.size:
        row = int(negative[0])
        raise InputError(f"{row_label(row)} column 'probability': probability {values[row]!r} is negative; expected "
                         "a number >= 0", source=where[codes[row]])
    return values, marked_count > 0


def _discrete_groups(table: pd.DataFrame, key: str | None, source: str, normalise: bool) -> list[NamedBelief]:
    """Discrete beliefs from `outcome,probability` rows: one per value of the `key` column, in order of first
    appearance (or one belief without a key). Cells are parsed and labels checked for all rows at once: a season
    of 66,666 per-event beliefs reads in about a second."""
    names = table[key].astype(str).to_numpy() if key else np.full(len(table), "", dtype=object)
    codes, uniques = pd.factorize(names, sort=False)
    where = [f"{source} [{name}]" if name else source for name in uniques]
    values, percent = _probability_column(table, codes, len(uniques), where)
    labels = table["outcome"].astype(str).to_numpy()
    keys = np.array([normalise_label(lab) for lab in labels], dtype=object)
    if (keys == "").any():
        raise InputError("an outcome label is empty", source=where[codes[int(np.flatnonzero(keys == "")[0])]])
    repeated = np.flatnonzero(pd.DataFrame({"g": codes, "k": keys}).duplicated().to_numpy())
    if repeated.size:
        row = int(repeated[0])
        raise InputError(f"outcome {labels[row]!r} appears twice", source=where[codes[row]])
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(uniques)))[:-1]
    out = []
    for g, rows in enumerate(np.split(order, bounds)):
        warnings: list[str] = []
        masses = values[rows] / 100.0 if percent[g] else values[rows]
        spec = DiscreteBelief(tuple(labels[rows].tolist()),
                              _normalised_masses(masses, bool(percent[g]), True, where[g], warnings, normalise))
        out.append(NamedBelief(str(uniques[g]), spec, tuple(warnings), where[g]))
    return out


def parse_beliefs(text: str, source: str, *, normalise: bool = True) -> list[NamedBelief]:
    """Parse belief text (CSV detected by header, JSON by `kind`) into one or more named beliefs.
    `normalise=False` keeps discrete prices as given (a market's price list with its margin)."""
    if looks_like_json(text):
        data = parse_json(text, source)
        items = data if isinstance(data, list) else [data]
        if not items:
            raise InputError("JSON list holds no beliefs", source=source)
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise InputError(f"item {i + 1} is not a JSON object with a \"kind\"", source=source)
            name = str(item.get("name", "")) if len(items) > 1 or "name" in item else ""
            if len(items) > 1 and not name:
                raise InputError(f"item {i + 1} of a list of beliefs needs a \"name\"", source=source)
            warnings: list[str] = []
            spec = belief_from_json(item, f"{source} [{name or i + 1}]" if len(items) > 1 else source, warnings,
                                    normalise)
            out.append(NamedBelief(name, spec, tuple(warnings), f"{source} [{name}]" if name else source))
        names = [b.name for b in out]
        if len(set(names)) != len(names):
            raise InputError("two beliefs share a name", source=source)
        return out
    table = read_csv_table(text, source)
    columns = set(table.columns)
    groups: list[tuple[str, Any]]
    # a `belief` column names several beliefs; an `event` column gives one belief per market event (a season's
    # beliefs in long form, event,outcome,probability), matched to the market's events by name
    key = "belief" if "belief" in columns else "event" if "event" in columns else None
    if {"outcome", "probability"} <= columns:
        return _discrete_groups(table, key, source, normalise)
    if key is not None:
        groups = [(str(name), rows) for name, rows in table.groupby(key, sort=False)]
    else:
        groups = [("", table)]
    out = []
    for name, rows in groups:
        warnings = []
        where = f"{source} [{name}]" if name else source
        spec = belief_from_table(rows, columns - {"belief", "event"}, where, warnings)
        out.append(NamedBelief(name, spec, tuple(warnings), where))
    return out


HEADERS = "outcome,probability | low,high,probability | x,density | quantile,value | view,value,relation"


def _column_numbers(rows: Any, column: str, source: str, *, allow_empty: bool = False) -> np.ndarray:
    """A CSV column as floats (NaN for an empty cell where allowed); errors name the row and column."""
    numbers = [parse_float(cell, source=source, where=f"{row_label(i)} column '{column}'", allow_empty=allow_empty)
               for i, cell in zip(rows.index, rows[column], strict=True)]
    return np.array([np.nan if n is None else n for n in numbers], dtype=float)


def _normalised_masses(values: list[float] | np.ndarray, percent: bool, complete: bool, source: str,
                       warnings: list[str], normalise: bool = True) -> np.ndarray:
    """Probabilities as fractions: values summing to 100 within 1 are read as percentages; a complete
    statement is normalised to 1 (with a warning showing the original sum when it was off by more than
    1e-6); a partial one (buckets not covering the line) may hold at most 1."""
    probs = np.asarray(values, dtype=float)
    total = float(probs.sum())
    if not percent and abs(total - 100.0) <= 1.0 and total > 2.0:
        probs, total, percent = probs / 100.0, total / 100.0, True
    shown = f"{total * 100:.6g} %" if percent else f"{total:.6g}"
    if complete:
        if total <= 0:
            raise InputError("probabilities sum to 0; at least one outcome must be possible", source=source)
        if not normalise:
            return probs
        normalisation_note(warnings, source, total, f"probabilities summed to {shown}")
        return probs / total
    if total > 1 + 1e-9:
        raise InputError(f"the buckets hold {shown} but cover only part of the line; a partial statement "
                         "cannot exceed 1", source=source)
    return probs


def _buckets(lows: np.ndarray, highs: np.ndarray, values: list[float], percent: bool, source: str,
             warnings: list[str], places: list[str]) -> Any:
    shaped = c.check_buckets(lows, highs, np.asarray(values, dtype=float), source, places)
    complete = not c.uncovered_gaps(shaped.lows, shaped.highs)
    probs = _normalised_masses(list(shaped.probabilities), percent, complete, source, warnings)
    return type(shaped)(shaped.lows, shaped.highs, probs)


def belief_from_table(rows: pd.DataFrame, columns: set[str], source: str, warnings: list[str]) -> BeliefSpec:
    """A price belief (buckets, a density, quantiles) or views from one belief's CSV rows (named outcomes are read
    for all beliefs of a file at once by _discrete_groups)."""
    if {"low", "high", "probability"} <= columns:
        places = [f"{row_label(i)}" for i in rows.index]
        values, percent = parse_probability_cells(list(rows["probability"]), source=source,
                                                  places=[f"{p} column 'probability'" for p in places])
        return _buckets(_column_numbers(rows, "low", source, allow_empty=True),
                        _column_numbers(rows, "high", source, allow_empty=True), values, percent, source,
                        warnings, places)
    if {"x", "density"} <= columns:
        return c.check_grid(_column_numbers(rows, "x", source), _column_numbers(rows, "density", source), source,
                          warnings)
    if {"view", "value"} <= columns:
        relations = rows["relation"] if "relation" in columns else [""] * len(rows)
        if len(rows) > 10 * MAX_VIEWS:
            raise InputError(f"{len(rows):,} views; the limit is {MAX_VIEWS} per belief", source=source)
        return views_belief([view_from_cells(str(name), value, str(relation), row_label(i), source)
                             for i, name, value, relation in zip(rows.index, rows["view"], rows["value"], relations,
                                                                 strict=True)], source)
    if {"quantile", "value"} <= columns:
        return c.check_quantiles(_column_numbers(rows, "quantile", source), _column_numbers(rows, "value", source),
                               source)
    raise InputError(f"unrecognised header {sorted(columns)}; expected one of: {HEADERS}", source=source)


def belief_from_json(item: dict[str, Any], source: str, warnings: list[str], normalise: bool = True) -> BeliefSpec:
    kind = str(item.get("kind", "")).strip().lower()
    if kind == "discrete":
        outcomes, probs = item.get("outcomes"), item.get("probabilities")
        if not isinstance(outcomes, list) or not isinstance(probs, list) or len(outcomes) != len(probs):
            raise InputError("\"outcomes\" and \"probabilities\" must be lists of the same length", source=source)
        places = [f"probabilities[{i}]" for i in range(len(probs))]
        values, percent = parse_probability_cells(probs, source=source, places=places)
        return _normalised_discrete([str(o) for o in outcomes], values, percent, source, warnings, normalise)
    if kind == "buckets":
        edges = json_numbers(item.get("edges"), "edges", source, allow_null=True)
        probs = item.get("probabilities")
        if not isinstance(probs, list) or len(probs) != edges.size - 1:
            raise InputError("\"probabilities\" must be a list one shorter than \"edges\"", source=source)
        if np.isnan(edges[1:-1]).any():
            raise InputError("only the first and last edge may be null (open ends)", source=source)
        values, percent = parse_probability_cells(probs, source=source,
                                                  places=[f"probabilities[{i}]" for i in range(len(probs))])
        return _buckets(edges[:-1], edges[1:], values, percent, source, warnings,
                        [f"bucket {i + 1}" for i in range(len(probs))])
    if kind == "density":
        return c.check_grid(json_numbers(item.get("x"), "x", source),
                            json_numbers(item.get("density"), "density", source), source, warnings)
    if kind == "quantiles":
        return c.check_quantiles(json_numbers(item.get("quantiles"), "quantiles", source),
                                 json_numbers(item.get("values"), "values", source), source)
    if kind in ("normal", "lognormal", "student_t", "mixture"):
        return c.parametric_from_json(item, source)
    if kind == "views":
        return views_from_json(item, source)
    if kind == "score":
        return score_belief_from_json(item, source)
    return _builder_from_json(kind, item, source, warnings, normalise)


def _builder_from_json(kind: str, item: dict[str, Any], source: str, warnings: list[str],
                       normalise: bool) -> BeliefSpec:
    """The builders: a view (median and interval), the market shifted and scaled, a blend with the market."""
    if kind == "view":
        interval = json_numbers(item.get("interval"), "interval", source)
        if interval.size != 2:
            raise InputError("\"interval\" must be [low, high]", source=source)
        return c.view_belief(json_number(item, "median", source, positive=True), float(interval[0]), float(interval[1]),
                             json_number(item, "coverage", source), source)
    if kind == "shifted_market":
        shift = json_number(item, "shift", source) if "shift" in item else 0.0
        scale = json_number(item, "scale", source, positive=True) if "scale" in item else 1.0
        if shift <= -1:
            raise InputError("\"shift\" must be above -1 (a fraction: 0.05 is 5 % up)", source=source)
        return c.ShiftedMarket(shift, scale)
    if kind == "blend":
        weight = json_number(item, "market_weight", source)
        if not 0 <= weight <= 1:
            raise InputError(f"\"market_weight\" must be in [0, 1], got {weight:g}", source=source)
        view = item.get("view")
        if not isinstance(view, dict):
            raise InputError("a blend needs \"view\": a belief object", source=source)
        return c.Blend(weight, belief_from_json(view, f"{source} view", warnings, normalise))
    raise InputError(f"unknown belief kind {kind!r}; expected discrete, buckets, density, quantiles, normal, "
                     "lognormal, student_t, mixture, view, views, shifted_market, blend or score", source=source)
