"""Track record from files: a market file, a belief file (another bookmaker of the same file, per-event beliefs
or one belief for every event), outcomes from the market file or a results file, and optionally the closing
market; paired by event and handed to analytics.track.backtest as arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from analytics.beliefs.discrete import DiscreteBelief
from analytics.beliefs.spec import NamedBelief
from analytics.betting.market import DiscreteMarket
from analytics.core.distributions import matching_label, normalise_label
from analytics.core.errors import InputError
from analytics.core.text import read_csv_table
from analytics.scoring.discrete import belief_on_market
from analytics.track.backtest import Backtest, backtest
from data.files import read_text_file
from data.market_files import beliefs_from_text, markets_from_text
from services.scoring import MarketRequest


@dataclass(frozen=True, eq=False)
class TrackRecord:
    """The backtest, the events left out with the reason, and warnings about the files."""

    result: Backtest
    skipped: tuple[dict[str, str], ...]
    warnings: tuple[str, ...]

    def record(self) -> dict[str, Any]:
        return {**self.result.summary(), "events_skipped": list(self.skipped), "warnings": list(self.warnings),
                "per_event": self.result.per_event(), "calibration": self.result.calibration}


KEEP_CHOICES = ("first", "last")


def _one_per_key(keys: list[str], shown: list[str], what: str, source: str, keep: str | None) -> list[int]:
    """The positions kept of items with these keys: every one when no key repeats; with repeats, an InputError
    naming them unless `keep` says which of each to keep ('first' or 'last')."""
    seen: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        seen.setdefault(key, []).append(i)
    repeated = [positions for positions in seen.values() if len(positions) > 1]
    if repeated and keep is None:
        names = [shown[positions[0]] for positions in repeated]
        raise InputError(f"{len(repeated)} {what} appear more than once: {names[:5]}{' ...' if len(names) > 5 else ''};"
                         " remove the repeats, or choose which to keep with --keep first|last", source=source or None)
    pick = 0 if keep == "first" else -1
    return sorted(positions[pick] for positions in seen.values())


def results_from_text(text: str, source: str, markets: list[DiscreteMarket], keep: str | None = None) \
        -> dict[str, str]:
    """A results file `event,outcome` as {event key: outcome label of the market}; unknown events and outcomes
    that match no market outcome are errors that list them, and so is an event listed twice (unless `keep`)."""
    table = read_csv_table(text, source)
    if not {"event", "outcome"} <= set(table.columns):
        raise InputError("a results file needs the columns event,outcome", source=source)
    events, outcomes = table["event"].astype(str).tolist(), table["outcome"].astype(str).tolist()
    chosen = _one_per_key([normalise_label(e) for e in events], events, "events of the results file", source, keep)
    by_event = {normalise_label(m.event): m for m in markets}
    unknown, unmatched, out = [], [], {}
    for i in chosen:
        event, outcome = events[i], outcomes[i]
        market = by_event.get(normalise_label(event))
        if market is None:
            unknown.append(event)
            continue
        label = matching_label(outcome, market.labels)
        if label is None:
            unmatched.append(f"{event}: {outcome}")
            continue
        out[normalise_label(market.event)] = label
    if unknown:
        raise InputError(f"{len(unknown)} events of the results file are not in the market file: {unknown[:5]}",
                         source=source)
    if unmatched:
        raise InputError(f"{len(unmatched)} outcomes match no market outcome: {unmatched[:5]}", source=source)
    return out


def _beliefs_by_event(beliefs: list[NamedBelief], markets: list[DiscreteMarket]) -> tuple[dict[str, NamedBelief],
                                                                                         list[str]]:
    if len(beliefs) == 1 and not beliefs[0].name:
        return {normalise_label(m.event): beliefs[0] for m in markets}, []
    events = {normalise_label(m.event) for m in markets}
    by_event = {normalise_label(b.name): b for b in beliefs}
    unknown = [b.name for b in beliefs if normalise_label(b.name) not in events]
    if unknown and len(unknown) == len(beliefs):
        raise InputError(f"no belief names a market event: beliefs {unknown[:5]}, events e.g. "
                         f"{[m.event for m in markets[:3]]}")
    return by_event, unknown


def track_record(market_path: str, belief_path: str, request: MarketRequest, *, results_path: str | None = None,
                 closing_bookmaker: str | None = None, kelly_fraction: float = 1.0,
                 keep: str | None = None) -> TrackRecord:
    market_text = read_text_file(market_path)
    markets = markets_from_text(market_text, market_path, request.odds_request(), request.method)
    if belief_path.startswith("model:"):
        from services.match import MODELS, model_beliefs

        if belief_path not in MODELS:
            raise InputError(f"--belief {belief_path!r}: the models are {', '.join(MODELS)}")
        beliefs = model_beliefs(market_text, market_path)
    else:
        beliefs = beliefs_from_text(read_text_file(belief_path), belief_path,
                                    request.odds_request(request.belief_bookmaker or request.bookmaker),
                                    request.method)
    return track_record_of(markets, beliefs, request, market_text=market_text, market_path=market_path,
                           results=None if results_path is None else read_text_file(results_path),
                           results_source=results_path or "", closing_bookmaker=closing_bookmaker,
                           kelly_fraction=kelly_fraction, keep=keep)


def track_record_of(markets: list[DiscreteMarket], beliefs: list[NamedBelief], request: MarketRequest, *,
                    market_text: str, market_path: str, results: str | None = None, results_source: str = "",
                    closing_bookmaker: str | None = None, kelly_fraction: float = 1.0,
                    keep: str | None = None) -> TrackRecord:
    """The track record of parsed markets and beliefs (the page and the command line share it). An event the
    market file lists twice (or a results file) is an error naming it, unless `keep` is 'first' or 'last'."""
    if not 0 <= kelly_fraction <= 1:
        raise InputError(f"Kelly fraction {kelly_fraction!r} must lie in [0, 1]")
    if keep is not None and keep not in KEEP_CHOICES:
        raise InputError(f"--keep {keep!r}: expected first or last")
    names = [m.event for m in markets]
    markets = [markets[i] for i in _one_per_key([normalise_label(e) for e in names], names,
                                                "events of the market file", market_path, keep)]
    outcomes = results_from_text(results, results_source, markets, keep) if results is not None else {}
    by_event, unknown = _beliefs_by_event(beliefs, markets)
    closing = {}
    if closing_bookmaker:
        closing = {normalise_label(m.event): m for m in markets_from_text(
            market_text, market_path, request.odds_request(closing_bookmaker), request.method)}
    width = max(len(m.labels) for m in markets)
    kept, skipped = [], []
    for market in markets:
        key = normalise_label(market.event)
        result = outcomes.get(key) if results is not None else market.distribution.diagnostics.get("result")
        if key not in by_event:
            skipped.append({"event": market.event, "reason": "no belief for this event"})
        elif not result:
            skipped.append({"event": market.event, "reason": "no outcome (no result in the file)"})
        elif closing_bookmaker and key not in closing:
            skipped.append({"event": market.event, "reason": f"no closing prices ({closing_bookmaker})"})
        else:
            kept.append((market, by_event[key], str(result)))
    if not kept:
        raise InputError(f"no event has both a belief and an outcome ({len(skipped)} skipped, e.g. "
                         f"{skipped[:2]})")
    e = len(kept)
    p, q = np.zeros((e, width)), np.zeros((e, width))
    odds = np.full((e, width), np.inf)
    close = np.zeros((e, width))
    index = np.zeros(e, dtype=int)
    has_odds = all(m.odds is not None for m, _, _ in kept)
    for i, (market, belief, result) in enumerate(kept):
        labels = market.labels
        n = len(labels)
        spec = belief.spec
        p[i, :n] = spec.probabilities if isinstance(spec, DiscreteBelief) and spec.labels == labels else \
            belief_on_market(spec, market.distribution, belief.source)[0].probabilities
        q[i, :n] = market.distribution.probabilities
        if has_odds and market.odds is not None:
            odds[i, :n] = market.odds
        if closing_bookmaker:
            close[i, :n] = closing[normalise_label(market.event)].distribution.aligned_to(labels).probabilities
        label = result if result in labels else matching_label(result, labels)
        if label is None:
            raise InputError(f"event {market.event!r}: outcome {result!r} matches no market outcome "
                             f"{list(labels)}")
        index[i] = labels.index(label)
    events = tuple(m.event for m, _, _ in kept)
    dates = tuple(m.event[:10] if m.event[:4].isdigit() else "" for m, _, _ in kept)
    with np.errstate(invalid="ignore"):
        result = backtest(events, p, q, index, odds=odds if has_odds else None,
                          closing=close if closing_bookmaker else None, kelly_fraction=kelly_fraction, dates=dates,
                          labels=tuple(m.labels for m, _, _ in kept))
    warnings = [f"{len(unknown)} beliefs name events not in the market file: {unknown[:5]}"] if unknown else []
    return TrackRecord(result, tuple(skipped), tuple(warnings))
