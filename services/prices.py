"""Prices across the bookmakers of a football-data file: the market's fair probabilities from one book or a
consensus, the odds to bet at from one book or the best per outcome, and each book's quality over a season."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.betting.market import DiscreteMarket
from analytics.betting.odds_files import OddsRequest, detect_kind, football_bookmakers, parse_odds_table
from analytics.betting.prices import best_prices, consensus_probabilities
from analytics.core.distributions import DiscreteDistribution, normalise_label
from analytics.core.divergence import kl_divergence
from analytics.core.errors import InputError
from analytics.core.text import csv_columns
from analytics.core.units import to_bits
from data.market_files import markets_from_odds_file, odds_table_of_text

SUMMARIES = ("MAX", "AVG", "MAXC", "AVGC", "BB", "BBAV", "BBMX")   # columns that summarise books, not books


def bookmakers_of(columns: set[str]) -> list[str]:
    """The books of a football-data file one can bet with now: complete H/D/A prefixes that are neither summaries
    (Max, Avg) nor closing sets (a prefix ending in C whose opening set is also there)."""
    found = football_bookmakers(columns)
    upper = {b.upper() for b in found}
    return [b for b in found if b.upper() not in SUMMARIES
            and not (b.upper().endswith("C") and b.upper()[:-1] in upper)]


def _books_of_text(text: str, source: str, books: list[str] | None, what: str = "--books") -> list[str]:
    """The bookmakers to range over: every book of the file, or those named (each once, in the order given). A
    summary column (Max, Avg, Bb...) or a closing set (B365C, PSC) is not a book one can bet with: refused, with the
    file's books listed."""
    columns = csv_columns(text)
    if detect_kind(columns) != "football-data":
        raise InputError("prices across bookmakers need a football-data file (several bookmakers' columns)",
                         source=source)
    available = bookmakers_of(columns)
    if not books:
        return available
    bettable = {b.upper(): b for b in available}
    every = {b.upper() for b in football_bookmakers(columns)}
    chosen = list(dict.fromkeys(b.strip().upper() for b in books))
    unknown = [b for b in chosen if b not in every]
    if unknown:
        raise InputError(f"no bookmaker {unknown} in this file; it has {', '.join(available)}", source=source)
    not_books = [b for b in chosen if b not in bettable]
    if not_books:
        raise InputError(f"{what}: {', '.join(not_books)} summarise the books or are closing prices, not bookmakers "
                         f"one can bet with now; this file's bookmakers are {', '.join(available)}", source=source)
    return [bettable[b] for b in chosen]


def _markets_by_book(text: str, source: str, books: list[str], odds_format: str,
                     method: str) -> dict[str, dict[str, DiscreteMarket]]:
    """Each book's markets by event key, the file's table read once for all of them."""
    table = odds_table_of_text(text, source)
    if table is None:
        raise InputError("prices across bookmakers need a football-data file", source=source)
    return {book: {normalise_label(m.event): m for m in markets_from_odds_file(
        parse_odds_table(table, source, OddsRequest(odds_format=odds_format, bookmaker=book)), source, method)}
        for book in books}


@dataclass(frozen=True)
class PriceChoice:
    """Where the market's fair probabilities come from (a bookmaker or 'consensus') and where the stakes are
    placed ('best', or a bookmaker); `books` narrows the set (default: every book of the file)."""

    market_from: str
    prices: str
    books: tuple[str, ...] = ()


def priced_markets(text: str, source: str, choice: PriceChoice, odds_format: str, method: str) -> list[DiscreteMarket]:
    """One market per event with the chosen fair probabilities and odds, and the bookmaker of each outcome's odds."""
    books = _books_of_text(text, source, list(choice.books))
    if choice.prices != "best":
        _books_of_text(text, source, [choice.prices], "--prices")
    named = set(books) | ({choice.market_from} if choice.market_from != "consensus" else set()) | \
        ({choice.prices} if choice.prices != "best" else set())
    by_book = _markets_by_book(text, source, sorted(named), odds_format, method)
    anchor = by_book[choice.market_from] if choice.market_from != "consensus" else by_book[books[0]]
    events = list(anchor)
    if not events:
        raise InputError("no event has prices", source=source)
    labels = next(iter(anchor.values())).labels
    shape = (len(books), len(events), len(labels))
    odds, fair = np.full(shape, np.nan), np.full(shape, np.nan)
    for i, book in enumerate(books):
        for j, key in enumerate(events):
            market = by_book[book].get(key)
            if market is not None and market.odds is not None:
                odds[i, j], fair[i, j] = market.odds, market.distribution.probabilities
    if choice.market_from == "consensus":
        probabilities = consensus_probabilities(fair)
        method_name = f"consensus of {len(books)} books ({method}, mean log-odds)"
    else:
        probabilities = np.stack([by_book[choice.market_from][key].distribution.probabilities for key in events])
        method_name = f"{choice.market_from} ({method})"
    if choice.prices == "best":
        best, index = best_prices(odds)
        who = np.asarray(books, dtype=object)[np.maximum(index, 0)]
    else:
        source_book = by_book[choice.prices]
        best = np.stack([np.asarray(source_book[key].odds) if key in source_book else np.full(len(labels), np.nan)
                         for key in events])
        who = np.full(best.shape, choice.prices, dtype=object)
    out = []
    for j, key in enumerate(events):
        market = anchor[key]
        priced = bool(np.isfinite(best[j]).all())
        # a consensus is no one bookmaker's: it keeps the result, not the anchor book's margin and parameters
        diagnostics = dict(market.distribution.diagnostics) if choice.market_from != "consensus" else \
            {"result": market.distribution.diagnostics.get("result"), "books": len(books)}
        out.append(DiscreteMarket(
            market.event, DiscreteDistribution(labels, probabilities[j], source=source, method=method_name,
                                               diagnostics=diagnostics),
            best[j] if priced else None, market.warnings, tuple(who[j]) if priced else None))
    return out


def bookmaker_quality(text: str, source: str, odds_format: str, method: str, sharp_close: str = "PSC",
                      books: list[str] | None = None) -> list[dict[str, object]]:
    """Each book over a season: mean overround (%), and mean KL(sharp close || book's fair probabilities) in bits
    per match, over the matches both price."""
    chosen = _books_of_text(text, source, books)
    by_book = _markets_by_book(text, source, [sharp_close, *chosen], odds_format, method)
    close = by_book[sharp_close]
    rows = []
    for book in chosen:
        markets = list(by_book[book].values())
        shared = [m for m in markets if normalise_label(m.event) in close]
        if not shared:
            continue
        q = np.stack([m.distribution.probabilities for m in shared])
        c = np.stack([close[normalise_label(m.event)].distribution.aligned_to(m.labels).probabilities
                      for m in shared])
        overround = np.array([m.distribution.diagnostics.get("overround", np.nan) for m in markets], dtype=float)
        rows.append({"bookmaker": book, "matches": len(shared), "mean margin (%)": float(np.nanmean(overround) * 100),
                     f"KL({sharp_close} || book), bits per match": float(to_bits(kl_divergence(c, q)).mean())})
    return rows
