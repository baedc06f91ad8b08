"""Beliefs: every form a person states a view in (FORMATS.md), parsed from text and mapped onto
the market's outcomes or grid. Probabilities are fractions; percentages are converted on reading."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

import numpy as np

from ._types import FloatArray
from .distributions import FOOTBALL_ALIASES, DiscreteDistribution, normalise_label
from .errors import InputError
from .tables import looks_like_json, parse_json, parse_probability_cells, read_csv_table, row_label


@dataclass(frozen=True, eq=False)
class DiscreteBelief:
    """Probabilities on named outcomes (a complete statement, normalised)."""

    labels: tuple[str, ...]
    probabilities: FloatArray


BeliefSpec = Union[DiscreteBelief]


@dataclass(frozen=True)
class NamedBelief:
    """A belief as read from a file: its name (empty for a single belief), form and warnings."""

    name: str
    spec: Any
    warnings: tuple[str, ...] = field(default_factory=tuple)
    source: str = ""


def _normalised_discrete(labels: list[str], values: list[float], percent: bool, source: str,
                         warnings: list[str], normalise: bool = True) -> DiscreteBelief:
    keys = [normalise_label(lab) for lab in labels]
    if any(not k for k in keys):
        raise InputError("an outcome label is empty", source=source)
    seen: set[str] = set()
    for lab, k in zip(labels, keys):
        if k in seen:
            raise InputError(f"outcome {lab!r} appears twice", source=source)
        seen.add(k)
    probs = np.asarray(values, dtype=float)
    total = float(probs.sum())
    if not percent and abs(total - 100.0) <= 1.0 and total > 2.0:
        probs, total, percent = probs / 100.0, total / 100.0, True
    if total <= 0:
        raise InputError("probabilities sum to 0; at least one outcome must be possible", source=source)
    if not normalise:
        return DiscreteBelief(tuple(labels), probs)
    if abs(total - 1.0) > 1e-6:
        shown = f"{total * 100:.6g} %" if percent else f"{total:.6g}"
        warnings.append(f"{source}: probabilities summed to {shown}; normalised to 1")
    return DiscreteBelief(tuple(labels), probs / total)


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
    if "belief" in columns:
        groups = [(str(name), rows) for name, rows in table.groupby("belief", sort=False)]
    else:
        groups = [("", table)]
    out = []
    for name, rows in groups:
        warnings = []
        where = f"{source} [{name}]" if name else source
        spec = belief_from_table(rows, columns - {"belief"}, where, warnings, normalise)
        out.append(NamedBelief(name, spec, tuple(warnings), where))
    return out


def belief_from_table(rows: Any, columns: set[str], source: str, warnings: list[str],
                      normalise: bool = True) -> BeliefSpec:
    if {"outcome", "probability"} <= columns:
        return _discrete_from_csv_rows(rows, source, warnings, normalise)
    raise InputError(
        f"unrecognised header {sorted(columns)}; expected one of: outcome,probability",
        source=source,
    )


def belief_from_json(item: dict[str, Any], source: str, warnings: list[str], normalise: bool = True) -> BeliefSpec:
    kind = str(item.get("kind", "")).strip().lower()
    if kind == "discrete":
        outcomes, probs = item.get("outcomes"), item.get("probabilities")
        if not isinstance(outcomes, list) or not isinstance(probs, list) or len(outcomes) != len(probs):
            raise InputError("\"outcomes\" and \"probabilities\" must be lists of the same length", source=source)
        places = [f"probabilities[{i}]" for i in range(len(probs))]
        values, percent = parse_probability_cells(probs, source=source, places=places)
        return _normalised_discrete([str(o) for o in outcomes], values, percent, source, warnings, normalise)
    raise InputError(f"unknown belief kind {kind!r}; expected discrete", source=source)


def _with_aliases(labels: tuple[str, ...], market_labels: tuple[str, ...]) -> tuple[str, ...]:
    """Belief labels with football short forms (H/D/A) read as the market's Home/Draw/Away."""
    market_keys = {normalise_label(m): m for m in market_labels}
    out = []
    for lab in labels:
        key = normalise_label(lab)
        alias = normalise_label(FOOTBALL_ALIASES.get(key, ""))
        out.append(market_keys[alias] if key not in market_keys and alias in market_keys else lab)
    return tuple(out)


def belief_on_discrete_market(spec: Any, market: DiscreteDistribution, source: str) -> DiscreteDistribution:
    """The belief on the market's outcomes, matched by label (case- and space-insensitive)."""
    if isinstance(spec, DiscreteBelief):
        labels = _with_aliases(spec.labels, market.labels)
        return DiscreteDistribution(labels, spec.probabilities, source=source).aligned_to(market.labels)
    raise InputError(f"a {type(spec).__name__} cannot be scored against a market of named outcomes",
                     source=source)
