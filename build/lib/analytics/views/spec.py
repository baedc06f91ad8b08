"""Views: a few linear statements about a belief p (docs/formats.md, "Views"; docs/methods.md, "Views").

A view is the probability of an event (named outcomes; a price above, below or between levels), an expectation
(the mean, or the mean of log price) or a quantile, each with a relation `=`, `>=` or `<=`. Probabilities are
fractions (a `%` suffix or values above 1 read as percentages in CSV cells are converted on reading).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal, get_args

from analytics.core.errors import InputError
from analytics.core.text import finite_float, parse_float, shown_value

Relation = Literal["=", ">=", "<="]
RELATIONS: tuple[Relation, ...] = get_args(Relation)
MAX_VIEWS = 200         # distinct views in one belief: a person states a few; each binding one costs a projection
ViewKind = Literal["probability", "mean", "mean_log", "quantile", "sd", "var"]


@dataclass(frozen=True)
class View:
    """One statement about p. probability: P(event) relation `value`, the event being `outcomes` (discrete) or
    the price in (low, high] (None for an open end); mean / mean_log: E_p[x] or E_p[log x] relation `value`;
    quantile: the `level` quantile relation `value` (a price); sd / var: the spread of the price about the mean
    view's value when one is stated (as =), else about the market's mean, relation `value` (price units, squared
    for var)."""

    kind: ViewKind
    value: float
    relation: Relation = "="
    outcomes: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    level: float | None = None

    @property
    def label(self) -> str:
        """The view as a person writes it: 'P(Draw) = 0.3', 'P(>720) >= 0.3', 'mean = 705', 'q0.5 <= 700'."""
        if self.kind == "probability":
            if self.outcomes:
                event = " or ".join(self.outcomes)
            elif self.low is None:
                event = f"<{self.high:g}"
            elif self.high is None:
                event = f">{self.low:g}"
            else:
                event = f"{self.low:g}..{self.high:g}"
            return f"P({event}) {self.relation} {self.value:g}"
        if self.kind == "quantile":
            return f"q{self.level:g} {self.relation} {self.value:g}"
        return f"{self.kind} {self.relation} {self.value:g}"


@dataclass(frozen=True)
class ViewsBelief:
    """A belief stated as views: the I-projection of the market onto them (the belief closest to the market in
    KL(p||q) that satisfies every view)."""

    views: tuple[View, ...]

    @property
    def description(self) -> str:
        return f"{len(self.views)} view{'s' if len(self.views) != 1 else ''}: " + "; ".join(v.label for v in self.views)


def views_belief(views: list[View] | tuple[View, ...], source: str) -> ViewsBelief:
    """Views as a belief: identical views kept once (in their first place), at most MAX_VIEWS distinct ones."""
    distinct = tuple(dict.fromkeys(views))
    if len(distinct) > MAX_VIEWS:
        raise InputError(f"{len(distinct):,} distinct views; the limit is {MAX_VIEWS} per belief", source=source)
    return ViewsBelief(distinct)


def median_and_range(median: float, low: float, high: float, coverage: float, source: str = "view") -> ViewsBelief:
    """'The price ends near `median`, between `low` and `high` with probability `coverage`' as two views: the
    median (q0.5 = median) and P(low..high) = coverage. Projected onto the market it is the closest belief that
    says this, so the market's own median and range give exactly the market (no edge)."""
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise InputError(f"the range needs low < high, got {low:g} to {high:g}", source=source)
    if not low <= median <= high:
        raise InputError(f"the median {median:g} lies outside the range {low:g} to {high:g}", source=source)
    return ViewsBelief((View("quantile", float(median), "=", level=0.5),
                        View("probability", _probability(float(coverage), "coverage", source), "=",
                             low=float(low), high=float(high))))


def _relation(raw: Any, where: str, source: str) -> Relation:
    text = "=" if raw is None or (isinstance(raw, str) and not raw.strip()) else str(raw).strip()
    text = {"==": "=", "≥": ">=", "≤": "<=", "=>": ">=", "=<": "<="}.get(text, text)
    if text not in RELATIONS:
        raise InputError(f"{where}: relation {str(raw)[:20]!r} must be =, >= or <=", source=source)
    return text


def _probability(value: float, where: str, source: str) -> float:
    if not (math.isfinite(value) and 0 <= value <= 1):
        raise InputError(f"{where}: probability {value:g} must lie between 0 and 1 (a fraction; 30 % is 0.3)",
                         source=source)
    return value


def _finite(item: dict[str, Any], key: str, where: str, source: str) -> float:
    number = finite_float(item.get(key))
    if number is None:
        raise InputError(f"{where}: \"{key}\" must be a finite number, got {shown_value(item.get(key))}",
                         source=source)
    return number


def view_from_json(item: Any, where: str, source: str) -> View:
    """One view object of a `{"kind":"views","views":[...]}` file."""
    if not isinstance(item, dict):
        raise InputError(f"{where} must be an object such as {{\"above\": 720, \"probability\": 0.3}}", source=source)
    relation = _relation(item.get("relation"), where, source)
    if "outcome" in item:
        raw = item["outcome"]
        outcomes = tuple(str(o) for o in (raw if isinstance(raw, list) else [raw]))
        if not outcomes or any(not o.strip() for o in outcomes):
            raise InputError(f"{where}: \"outcome\" must name an outcome (or a list of them)", source=source)
        return View("probability", _probability(_finite(item, "probability", where, source), where, source), relation,
                    outcomes=outcomes)
    if "above" in item or "below" in item or "between" in item:
        probability = _probability(_finite(item, "probability", where, source), where, source)
        if "between" in item:
            if "above" in item or "below" in item:
                raise InputError(f"{where}: give \"between\" or \"above\"/\"below\", not both", source=source)
            pair = item["between"]
            numbers = [finite_float(v) for v in pair] if isinstance(pair, list) and len(pair) == 2 else [None]
            if any(v is None for v in numbers):
                raise InputError(f"{where}: \"between\" must be [low, high], two finite numbers", source=source)
            low, high = float(numbers[0]), float(numbers[1])    # type: ignore[arg-type]
        else:
            low = _finite(item, "above", where, source) if "above" in item else -math.inf
            high = _finite(item, "below", where, source) if "below" in item else math.inf
        if not (math.isfinite(low) or math.isfinite(high)) or math.isnan(low) or math.isnan(high) or \
                (math.isfinite(low) and math.isfinite(high) and not low < high):
            raise InputError(f"{where}: a range needs low < high, got above {low:g} and below {high:g}",
                             source=source)
        return View("probability", probability, relation, low=low if math.isfinite(low) else None,
                    high=high if math.isfinite(high) else None)
    for spread in ("sd", "var"):
        if spread in item:
            return View(spread, _positive_spread(_finite(item, spread, where, source), spread, where, source),
                        relation)
    if "mean" in item:
        return View("mean", _finite(item, "mean", where, source), relation)
    if "mean_log" in item:
        return View("mean_log", _finite(item, "mean_log", where, source), relation)
    if "quantile" in item:
        level = _finite(item, "quantile", where, source)
        if not 0 < level < 1:
            raise InputError(f"{where}: quantile level {level:g} must lie strictly between 0 and 1", source=source)
        return View("quantile", _finite(item, "value", where, source), relation, level=level)
    raise InputError(f"{where}: a view needs one of \"outcome\", \"above\", \"below\", \"between\", \"mean\", "
                     "\"mean_log\", \"sd\", \"var\" or \"quantile\"", source=source)


def views_from_json(item: dict[str, Any], source: str) -> ViewsBelief:
    raw = item.get("views")
    if not isinstance(raw, list) or not raw:
        raise InputError("a views belief needs \"views\": a non-empty list of views", source=source)
    if len(raw) > 10 * MAX_VIEWS:
        raise InputError(f"{len(raw):,} views; the limit is {MAX_VIEWS} per belief", source=source)
    return views_belief([view_from_json(v, f"views[{i}]", source) for i, v in enumerate(raw)], source)


_RANGE = re.compile(r"^(?P<low>[^.]+(?:\.\d+)?)\s*\.\.\s*(?P<high>.+)$")


def _positive_spread(value: float, kind: str, where: str, source: str) -> float:
    if not value > 0:
        raise InputError(f"{where}: {kind} {value:g} must be above 0 (a spread of the price)", source=source)
    return value


def view_from_cells(name: str, value: str, relation: str, where: str, source: str) -> View:
    """A CSV row `view,value,relation`: view is P(Draw), P(Home|Draw) (a set of outcomes), P(>720), P(<650),
    P(650..720), mean, mean_log or q0.5."""
    text = str(name).strip()
    rel = _relation(relation, where, source)
    cell = str(value).strip()
    percent = cell.endswith("%")
    number = parse_float(cell[:-1] if percent else cell, source=source, where=f"{where} column 'value'")
    assert number is not None
    lowered = text.lower()
    if lowered in ("mean", "mean_log"):
        return View(lowered, number, rel)  # type: ignore[arg-type]
    if lowered in ("sd", "var"):
        return View(lowered, _positive_spread(number, lowered, where, source), rel)  # type: ignore[arg-type]
    if lowered.startswith("q") and len(text) > 1:
        level = parse_float(text[1:], source=source, where=f"{where} column 'view'")
        assert level is not None
        if not 0 < level < 1:
            raise InputError(f"{where}: quantile level {level:g} must lie strictly between 0 and 1", source=source)
        return View("quantile", number, rel, level=level)
    if lowered.startswith("p(") and text.endswith(")"):
        event = text[2:-1].strip()
        if percent:
            number /= 100
        probability = _probability(number, where, source)
        if event.startswith(">") or event.startswith("<"):
            level = parse_float(event[1:].lstrip("="), source=source, where=f"{where} column 'view'")
            assert level is not None
            if event.startswith(">"):
                return View("probability", probability, rel, low=level)
            return View("probability", probability, rel, high=level)
        found = _RANGE.match(event)
        if found:
            low = parse_float(found["low"], source=source, where=f"{where} column 'view'")
            high = parse_float(found["high"], source=source, where=f"{where} column 'view'")
            assert low is not None and high is not None
            if not low < high:
                raise InputError(f"{where}: a range needs low < high, got {low:g}..{high:g}", source=source)
            return View("probability", probability, rel, low=low, high=high)
        outcomes = tuple(o.strip() for o in event.split("|") if o.strip())
        if not outcomes:
            raise InputError(f"{where}: P() names no outcome", source=source)
        return View("probability", probability, rel, outcomes=outcomes)
    raise InputError(f"{where}: view {text[:40]!r} must be P(outcome), P(>level), P(<level), P(low..high), mean, "
                     "mean_log, sd, var or q<level> such as q0.5", source=source)


def view_from_line(line: str, where: str, source: str) -> View:
    """One view written as a person says it: 'P(>720) = 0.3', 'P(Draw) >= 30%', 'mean = 705', 'q0.5 >= 700'
    (the view, a relation outside any parentheses, the value)."""
    text = line.strip()
    depth, found = 0, None
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and char in "=<>≥≤":
            found = i
            break
    if found is None:
        raise InputError(f"{where}: {text[:40]!r} needs a relation and a value, such as P(>720) = 0.3",
                         source=source)
    width = 2 if text[found:found + 2] in (">=", "<=", "=>", "=<") else 1
    return view_from_cells(text[:found], text[found + width:].strip(), text[found:found + width], where, source)


def views_from_lines(text: str, source: str) -> ViewsBelief:
    """Views one per line (blank lines and lines starting with # are skipped)."""
    lines = [(i, line) for i, line in enumerate(text.splitlines(), start=1)
             if line.strip() and not line.strip().startswith("#")]
    if not lines:
        raise InputError("no views: write one per line, such as P(>720) = 0.3", source=source)
    if len(lines) > 10 * MAX_VIEWS:
        raise InputError(f"{len(lines):,} views; the limit is {MAX_VIEWS} per belief", source=source)
    return views_belief([view_from_line(line, f"line {i}", source) for i, line in lines], source)


def view_to_json(view: View) -> dict[str, object]:
    """A view as the JSON object of a views file (the inverse of view_from_json)."""
    out: dict[str, object]
    if view.kind == "probability":
        if view.outcomes:
            out = {"outcome": list(view.outcomes) if len(view.outcomes) > 1 else view.outcomes[0]}
        elif view.low is None:
            out = {"below": view.high}
        elif view.high is None:
            out = {"above": view.low}
        else:
            out = {"between": [view.low, view.high]}
        out["probability"] = view.value
    elif view.kind == "quantile":
        out = {"quantile": view.level, "value": view.value}
    else:
        out = {view.kind: view.value}
    out["relation"] = view.relation
    return out
