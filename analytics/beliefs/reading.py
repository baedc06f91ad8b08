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
from analytics.views.spec import ViewsBelief, view_from_cells, views_from_json


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


def _discrete_from_csv_rows(rows: Any, source: str, warnings: list[str], normalise: bool) -> DiscreteBelief:
    labels = [str(v) for v in rows["outcome"]]
    places = [f"{row_label(i)} column 'probability'" for i in rows.index]
    values, percent = parse_probability_cells(list(rows["probability"]), source=source, places=places)
    return _normalised_discrete(labels, values, percent, source, warnings, normalise)


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
    if key is not None:
        groups = [(str(name), rows) for name, rows in table.groupby(key, sort=False)]
    else:
        groups = [("", table)]
    out = []
    for name, rows in groups:
        warnings = []
        where = f"{source} [{name}]" if name else source
        spec = belief_from_table(rows, columns - {"belief", "event"}, where, warnings, normalise)
        out.append(NamedBelief(name, spec, tuple(warnings), where))
    return out


HEADERS = "outcome,probability | low,high,probability | x,density | quantile,value | view,value,relation"


def _column_numbers(rows: Any, column: str, source: str, *, allow_empty: bool = False) -> np.ndarray:
    """A CSV column as floats (NaN for an empty cell where allowed); errors name the row and column."""
    numbers = [parse_float(cell, source=source, where=f"{row_label(i)} column '{column}'", allow_empty=allow_empty)
               for i, cell in zip(rows.index, rows[column], strict=True)]
    return np.array([np.nan if n is None else n for n in numbers], dtype=float)


def _normalised_masses(values: list[float], percent: bool, complete: bool, source: str, warnings: list[str],
                       normalise: bool = True) -> np.ndarray:
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


def belief_from_table(rows: pd.DataFrame, columns: set[str], source: str, warnings: list[str],
                      normalise: bool = True) -> BeliefSpec:
    if {"outcome", "probability"} <= columns:
        return _discrete_from_csv_rows(rows, source, warnings, normalise)
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
        return ViewsBelief(tuple(view_from_cells(str(name), value, str(relation), row_label(i), source)
                                 for i, name, value, relation in zip(rows.index, rows["view"], rows["value"],
                                                                     relations, strict=True)))
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
                     "lognormal, student_t, mixture, view, views, shifted_market or blend", source=source)
