"""Turning a market file's text into discrete markets (one per event): odds files of every kind
(de-margined with the chosen method), or probabilities in the belief formats."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from analytics.beliefs.discrete import DiscreteBelief
from analytics.beliefs.reading import parse_beliefs
from analytics.beliefs.spec import NamedBelief
from analytics.betting.margin import remove_margin
from analytics.betting.market import DiscreteMarket
from analytics.betting.odds_files import (
    OddsFile,
    OddsRequest,
    default_bookmaker,
    detect_kind,
    football_bookmakers,
    markets_from_books,
    parse_odds_table,
)
from analytics.core.distributions import DiscreteDistribution
from analytics.core.errors import InputError
from analytics.core.text import csv_columns, looks_like_json, read_csv_table


def default_odds_request(text: str) -> OddsRequest:
    """How a fetched or watched market is read when nobody chose a bookmaker: Bet365's columns (the default of every
    command), or, in a file of other bookmakers (The Odds API's), its first one."""
    return OddsRequest(bookmaker=default_bookmaker(football_bookmakers(csv_columns(text))))


def odds_table_of_text(text: str, source: str) -> pd.DataFrame | None:
    """The parsed table when the text is an odds file of a known kind, else None (read once)."""
    if looks_like_json(text):
        return None
    table = read_csv_table(text, source)
    return table if detect_kind(set(table.columns)) else None


def odds_file_of_text(text: str, source: str, request: OddsRequest) -> OddsFile | None:
    """The odds file's books (before any margin removal) when the text is an odds file, else None. Parsing is
    the slow part; a page caches this and de-margins the books for each method."""
    table = odds_table_of_text(text, source)
    return None if table is None else parse_odds_table(table, source, request)


def markets_from_odds_file(parsed: OddsFile, source: str, method: str) -> list[DiscreteMarket]:
    """An odds file's markets, de-margined with `method`; the file's own warnings go with the first market."""
    markets = markets_from_books(parsed.books, method, source)
    if parsed.warnings:
        first = markets[0]
        markets[0] = DiscreteMarket(first.event, first.distribution, first.odds,
                                    (*first.warnings, *parsed.warnings))
    return markets


def _markets_from_odds_table(table: pd.DataFrame, source: str, request: OddsRequest,
                             method: str) -> list[DiscreteMarket]:
    markets = markets_from_odds_file(parse_odds_table(table, source, request), source, method)
    if {"event", "outcome", "low", "high"} <= set(table.columns):
        markets = [_with_bounds(m, table, source) for m in markets]
    return markets


def _with_bounds(market: DiscreteMarket, table: pd.DataFrame, source: str) -> DiscreteMarket:
    """A range event's market with its buckets' bounds (the `low`, `high` columns; empty for an open end) in its
    diagnostics, in the order of its outcomes: a belief about the number is then scored on the buckets."""
    rows = table[table["event"].astype(str) == market.event]
    by_label = {str(o): (lo, hi) for o, lo, hi in zip(rows["outcome"], rows["low"], rows["high"], strict=True)}
    try:
        bounds = [by_label[label] for label in market.labels]
        lows = [float(lo) if str(lo).strip() not in ("", "nan") else float("nan") for lo, _hi in bounds]
        highs = [float(hi) if str(hi).strip() not in ("", "nan") else float("nan") for _lo, hi in bounds]
    except (KeyError, ValueError):
        raise InputError(f"event {market.event!r}: the low and high columns must be numbers (empty for an open end)",
                         source=source) from None
    diagnostics = {**market.distribution.diagnostics, "bucket_lows": lows, "bucket_highs": highs}
    return replace(market, distribution=replace(market.distribution, diagnostics=diagnostics))


def markets_from_text(text: str, source: str, request: OddsRequest, method: str = "shin") -> list[DiscreteMarket]:
    """Markets from an odds file, or from probabilities (a price list summing off 1 by more than
    1e-6 carries a margin and is de-margined with `method`, with a warning)."""
    table = odds_table_of_text(text, source)
    if table is not None:
        return _markets_from_odds_table(table, source, request, method)
    out = []
    for item in parse_beliefs(text, source, normalise=False):
        if not isinstance(item.spec, DiscreteBelief):
            raise InputError("a market file must give discrete probabilities, odds or an option chain", source=source)
        prices = item.spec.probabilities
        total = float(prices.sum())
        warnings = list(item.warnings)
        if abs(total - 1.0) > 1e-6:
            positive = prices > 0
            fair = np.zeros_like(prices)
            fair[positive] = remove_margin(prices[positive], method).probabilities
            warnings.append(f"{source}: market prices sum to {total:.6g}; margin removed with method {method}")
            dist = DiscreteDistribution(item.spec.labels, fair / fair.sum(), source=source, method=method,
                                        diagnostics={"overround": total - 1.0})
            odds = np.where(positive, 1.0 / np.where(positive, prices, 1.0), np.inf)
            out.append(DiscreteMarket(item.name, dist, odds if total > 1 and positive.all() else None,
                                      tuple(warnings)))
        else:
            dist = DiscreteDistribution(item.spec.labels, prices / total, source=source, method="as given")
            out.append(DiscreteMarket(item.name, dist, None, tuple(warnings)))
    return out


def beliefs_from_text(text: str, source: str, request: OddsRequest, method: str = "shin") -> list[NamedBelief]:
    """Beliefs in any belief form, or an odds file read as beliefs (de-margined, one per event)."""
    table = odds_table_of_text(text, source)
    if table is not None:
        markets = _markets_from_odds_table(table, source, request, method)
        return [NamedBelief(m.event, DiscreteBelief(m.labels, np.asarray(m.distribution.probabilities)),
                            m.warnings, f"{source} [{m.event}]") for m in markets]
    return parse_beliefs(text, source)
