"""Odds and prediction-market files (text handed in) to per-event books of prices.

Kinds, detected from the header (case-insensitive):
- long: `event,outcome,odds` in any odds format;
- football-data.co.uk wide CSVs: `HomeTeam,AwayTeam,<P>H,<P>D,<P>A,...` with a bookmaker prefix P
  (B365, PS, Max, Avg, or closing sets B365C, PSC, AvgC, ...); outcomes Home/Draw/Away;
- Betfair exchange match odds (`EVENT_ID,RUNNER_NAME,BEST_BACK_KICK_OFF,BEST_LAY_KICK_OFF`) and
  racing (`WIN_MARKET_ID,SELECTION_NAME,BEST_AVAIL_BACK_AT_SCHEDULED_OFF,...`);
- PredictIt (`candidate,party,probNominee,whenPulled`: Yes asks) and Polymarket daily prices
  (`event_title,market_question,outcome,date,price`).
A book's `odds` are the decimal odds one can take; `fair_source` are the prices the market's
probabilities are read from (for an exchange, the back/lay mid by default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from analytics.betting.margin import remove_margin
from analytics.betting.market import DiscreteMarket
from analytics.betting.odds_formats import to_decimal
from analytics.core.distributions import FOOTBALL_ALIASES, DiscreteDistribution
from analytics.core.errors import InputError
from analytics.core.text import numeric_column, read_csv_table, row_label
from analytics.core.types import FloatArray

FOOTBALL_OUTCOMES = ("Home", "Draw", "Away")


@dataclass(frozen=True, eq=False)
class OddsBook:
    """Prices of one event: `odds` one can take (decimal), `fair_odds` to read probabilities from."""

    event: str
    labels: tuple[str, ...]
    odds: FloatArray
    fair_odds: FloatArray
    result: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()          # what the user must know before reading these prices as a market


@dataclass(frozen=True)
class OddsRequest:
    """How to read an odds file: format of the odds column, bookmaker prefix, exchange price."""

    odds_format: str = "decimal"
    bookmaker: str = "B365"
    exchange_price: str = "mid"      # mid | back | lay: prices the fair probabilities come from
    commission: float = 0.05         # exchange commission on net winnings (take-the-price odds)


def detect_kind(columns: set[str]) -> str | None:
    if {"event", "outcome", "odds"} <= columns:
        return "long"
    if {"hometeam", "awayteam"} <= columns:
        return "football-data"
    if {"event_id", "runner_name", "best_back_kick_off", "best_lay_kick_off"} <= columns:
        return "betfair-match"
    if {"win_market_id", "selection_name", "best_avail_back_at_scheduled_off"} <= columns:
        return "betfair-racing"
    if {"candidate", "party", "probnominee", "whenpulled"} <= columns:
        return "predictit"
    if {"event_title", "market_question", "outcome", "date", "price"} <= columns:
        return "polymarket"
    return None


def is_book_prefix(prefix: str) -> bool:
    """A column prefix (lower case) that can be a bookmaker's: not a result (FT..., HT...) nor an Asian handicap."""
    return not prefix.startswith(("ft", "ht")) and "ah" not in prefix


def two_way(columns: set[str]) -> bool:
    """A file of two-outcome events (a sport without draws, as The Odds API writes it): bookmakers' H and A columns,
    and no bookmaker with a D column."""
    prefixes = {c[:-1] for c in columns if c.endswith("h") and len(c) > 1 and is_book_prefix(c[:-1])}
    return any(f"{p}a" in columns for p in prefixes) and not any(f"{p}d" in columns for p in prefixes)


DEFAULT_BOOKMAKER = "B365"


def default_bookmaker(books: Sequence[str]) -> str:
    """The book a football-data file is read with when nobody chose one: Bet365, or the file's first when it has no
    Bet365 (The Odds API's files hold other books)."""
    return books[0] if books and DEFAULT_BOOKMAKER not in books else DEFAULT_BOOKMAKER


def football_bookmakers(columns: set[str]) -> list[str]:
    """Bookmaker prefixes with a full H/D/A set of 1X2 columns (H/A in a two-way file), as written in the file
    (upper-cased)."""
    prefixes = sorted({c[:-1] for c in columns if c.endswith("h") and len(c) > 1})
    draw = not two_way(columns)
    found = [p for p in prefixes if (f"{p}d" in columns or not draw) and f"{p}a" in columns and is_book_prefix(p)]
    return [p.upper() if p not in ("max", "avg", "maxc", "avgc") else p.capitalize().replace("c", "C") for p in found]


def _commissioned(odds: FloatArray, commission: float) -> FloatArray:
    """Effective decimal odds after commission c on net winnings: 1 + (o - 1)(1 - c)."""
    return 1.0 + (odds - 1.0) * (1.0 - commission)


def _decimal_rows(rows: list[list[Any]], row_index: Sequence[int], odds_format: str, source: str,
                  column: str = "") -> FloatArray:
    """Rows of odds (each the same length) as decimal odds, all converted at once; an invalid value raises the
    InputError of to_decimal naming its row of the file (and `column`, when given)."""
    try:
        width = len(rows[0]) if rows else 0
        return to_decimal([v for row in rows for v in row], odds_format).reshape(len(rows), width)
    except InputError:
        for i, row in zip(row_index, rows, strict=True):     # the one row to name: found again, only on this path
            try:
                to_decimal(row, odds_format)
            except InputError as exc:
                where = f" column '{column}'" if column else ""
                raise InputError(f"{row_label(int(i))}{where}: {exc}", source=source) from None
        raise


def football_events(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """A football-data table's match dates (YYYY-MM-DD, 'undated' where none) and event names, 'YYYY-MM-DD Home
    Team v Away Team', row by row."""
    if "date" in table:
        dates = pd.to_datetime(table["date"], format="%d/%m/%Y", errors="coerce").dt.strftime("%Y-%m-%d")
        date_text = dates.fillna("undated").tolist()
    else:
        date_text = ["undated"] * len(table)
    return date_text, [f"{d} {h} v {a}" for d, h, a in zip(date_text, table["hometeam"], table["awayteam"],
                                                          strict=True)]


def _football(table: pd.DataFrame, source: str, request: OddsRequest, warnings: list[str]) -> list[OddsBook]:
    prefix = request.bookmaker.strip().lower()
    labels = ("Home", "Away") if two_way(set(table.columns)) else FOOTBALL_OUTCOMES
    cols = [f"{prefix}{label[0].lower()}" for label in labels]
    if not set(cols) <= set(table.columns):
        raise InputError(f"no bookmaker {request.bookmaker!r} in this football-data file; it has "
                         f"{', '.join(football_bookmakers(set(table.columns)))}", source=source)
    date_text, events = football_events(table)
    cells = table[cols].to_numpy(dtype=object)
    results = table["ftr"].tolist() if "ftr" in table else [""] * len(table)
    missing = (cells == "").any(axis=1)
    for i in np.flatnonzero(missing):
        warnings.append(f"{source}: {row_label(int(table.index[i]))} ({events[i]}) has no {request.bookmaker} odds; "
                        "skipped")
    present = np.flatnonzero(~missing)
    odds = _decimal_rows(cells[present].tolist(), table.index[present], request.odds_format, source)
    return [OddsBook(events[i], labels, odds[j], odds[j],
                     FOOTBALL_ALIASES.get(str(results[i]).strip().lower()), {"date": date_text[i]})
            for j, i in enumerate(present)]


def _long(table: pd.DataFrame, source: str, request: OddsRequest) -> list[OddsBook]:
    """One book per event of an event,outcome,odds table, events in the order they first appear."""
    odds = _decimal_rows(table["odds"].to_numpy(dtype=object).reshape(-1, 1).tolist(), table.index,
                         request.odds_format, source, "odds")[:, 0]
    codes, events = pd.factorize(table["event"], sort=False)
    order = np.argsort(codes, kind="stable")
    starts = np.cumsum(np.bincount(codes, minlength=len(events)))[:-1]
    labels = table["outcome"].astype(str).to_numpy(dtype=object)
    # an optional taken_odds column holds the prices one pays where they differ from the fair ones (a prediction
    # market's ask beside its mid)
    taken = odds if "taken_odds" not in table else _decimal_rows(
        table["taken_odds"].to_numpy(dtype=object).reshape(-1, 1).tolist(), table.index, request.odds_format,
        source, "taken_odds")[:, 0]
    return [OddsBook(str(event), tuple(labels[rows]), taken[rows], odds[rows])
            for event, rows in zip(events, np.split(order, starts), strict=True)]


def _exchange_prices(back: FloatArray, lay: FloatArray, request: OddsRequest) -> tuple[FloatArray, FloatArray]:
    """(tradable odds after commission, odds the fair probabilities are read from)."""
    taken = _commissioned(back, request.commission)
    if request.exchange_price == "back":
        return taken, back
    if request.exchange_price == "lay":
        return taken, lay
    if request.exchange_price == "mid":
        return taken, 2.0 / (1.0 / back + 1.0 / lay)   # mid in probability space
    raise InputError(f"unknown exchange price {request.exchange_price!r}; expected mid, back or lay")


def _numbers(values: pd.Series) -> FloatArray:
    """Prices as floats; blanks and text become NaN (the callers skip such runners or events)."""
    return numeric_column(values).to_numpy(dtype=float)


def _betfair_match(table: pd.DataFrame, source: str, request: OddsRequest, warnings: list[str]) -> list[OddsBook]:
    books = []
    for _, rows in table.groupby("event_id", sort=False):
        home, away = rows["home_team"].iloc[0], rows["away_team"].iloc[0]
        date = str(rows["event_date"].iloc[0])[:10]
        event = f"{date} {home} v {away}"
        back = _numbers(rows["best_back_kick_off"])
        lay = _numbers(rows["best_lay_kick_off"])
        if np.any(~np.isfinite(back) | ~np.isfinite(lay) | (back <= 1) | (lay <= 1)):
            warnings.append(f"{source}: {event} lacks a back or lay price at kick-off; skipped")
            continue
        names = list(rows["runner_name"])
        labels = tuple("Home" if n == home else "Away" if n == away else "Draw" for n in names)
        taken, fair = _exchange_prices(back, lay, request)
        flags = rows["is_winner"] if "is_winner" in rows else [""] * len(labels)
        winners = [lab for lab, w in zip(labels, flags, strict=True) if str(w) == "1"]
        books.append(OddsBook(event, labels, taken, fair, winners[0] if winners else None, {"date": date}))
    return books


def _betfair_racing(table: pd.DataFrame, source: str, request: OddsRequest, warnings: list[str]) -> list[OddsBook]:
    books = []
    for _, rows in table.groupby("win_market_id", sort=False):
        event = f"{rows['local_meeting_date'].iloc[0]} {rows['track'].iloc[0]} R{rows['race_no'].iloc[0]}"
        back = _numbers(rows["best_avail_back_at_scheduled_off"])
        lay = _numbers(rows["best_avail_lay_at_scheduled_off"])
        running = np.isfinite(back) & np.isfinite(lay) & (back > 1) & (lay > 1)
        if "win_bsp" in rows:
            running &= np.isfinite(_numbers(rows["win_bsp"]))
        if running.sum() < 2:
            warnings.append(f"{source}: {event} has fewer than 2 priced runners; skipped")
            continue
        labels = tuple(str(n) for n in rows["selection_name"][running])
        taken, fair = _exchange_prices(back[running], lay[running], request)
        winner = [lab for lab, r in zip(labels, rows["win_result"][running], strict=True) if str(r).upper() == "WINNER"]
        books.append(OddsBook(event, labels, taken, fair, winner[0] if winner else None))
    return books


# Yes prices of one question summing above this are not one book with a margin: PredictIt's fee structure puts
# its books at 100-141 % (median 116 % in the bundled file); 169.5 % is two placeholder prices next to a real one
INCOHERENT_BOOKSUM = 1.5


def _prices_to_books(groups: list[tuple[str, list[str], FloatArray]], complete_with_other: bool) -> list[OddsBook]:
    """Prediction-market prices (0-1) of an event's contracts as one book each. Contracts of one question whose
    Yes prices sum far above 1 are not a book with a margin (a stale, placeholder or resolved price): the book is
    kept, with a note that says so, since de-margining it would move the other contracts' probabilities."""
    books = []
    for event, labels, prices in groups:
        keep = np.isfinite(prices) & (prices > 0) & (prices < 1)
        if keep.sum() < 1:
            continue
        labels = [lab for lab, k in zip(labels, keep, strict=True) if k]
        prices = prices[keep]
        if complete_with_other and prices.sum() < 1.0 - 1e-6:
            # the listing omits some outcomes: their price is what the listed ones leave
            labels.append("Other (not listed)")
            prices = np.append(prices, 1.0 - prices.sum())
        if len(labels) < 2:
            continue
        odds = 1.0 / prices
        notes: tuple[str, ...] = ()
        if prices.sum() > INCOHERENT_BOOKSUM:
            notes = (f"{event}: the {len(labels)} contracts' prices sum to {prices.sum():.1%}, far above 100 %: they "
                     "do not form one coherent book (a stale, placeholder or resolved price), so the fair "
                     "probabilities here are not a reliable market view",)
        books.append(OddsBook(event, tuple(labels), odds, odds, notes=notes))
    return books


def _predictit(table: pd.DataFrame) -> list[OddsBook]:
    groups = []
    for (party, when), rows in table.groupby(["party", "whenpulled"], sort=False):
        prices = _numbers(rows["probnominee"])
        groups.append((f"{party} nominee {str(when)[:16]}", list(rows["candidate"]), prices))
    return _prices_to_books(groups, complete_with_other=True)


def _polymarket(table: pd.DataFrame) -> list[OddsBook]:
    yes = table[table["outcome"].str.lower() == "yes"]
    groups = []
    for (title, date), rows in yes.groupby(["event_title", "date"], sort=False):
        names = [re.sub(r"^Will (.+?) (be|win).*$", r"\1", q) for q in rows["market_question"]]
        groups.append((f"{title} {date}", names, _numbers(rows["price"])))
    return _prices_to_books(groups, complete_with_other=True)


@dataclass(frozen=True, eq=False)
class OddsFile:
    kind: str
    books: list[OddsBook]
    bookmakers: list[str]
    warnings: list[str]


def parse_odds_table(table: pd.DataFrame, source: str, request: OddsRequest) -> OddsFile:
    kind = detect_kind(set(table.columns))
    warnings: list[str] = []
    if kind == "long":
        books = _long(table, source, request)
    elif kind == "football-data":
        books = _football(table, source, request, warnings)
    elif kind == "betfair-match":
        books = _betfair_match(table, source, request, warnings)
    elif kind == "betfair-racing":
        books = _betfair_racing(table, source, request, warnings)
    elif kind == "predictit":
        books = _predictit(table)
    elif kind == "polymarket":
        books = _polymarket(table)
    else:
        raise InputError(f"not an odds file (header {sorted(table.columns)[:8]})", source=source)
    if not books:
        raise InputError("holds no event with usable prices", source=source)
    bookmakers = football_bookmakers(set(table.columns)) if kind == "football-data" else []
    return OddsFile(kind or "", books, bookmakers, warnings)


def parse_odds_text(text: str, source: str, request: OddsRequest) -> OddsFile:
    return parse_odds_table(read_csv_table(text, source), source, request)


def markets_from_books(books: list[OddsBook], method: str, source: str = "") -> list[DiscreteMarket]:
    """De-margin every book (vectorised across books with the same number of outcomes).

    Shin's model needs a margin: a book summing to 1 or less is de-margined multiplicatively
    instead, with a warning naming the event."""
    out: dict[int, DiscreteMarket] = {}
    by_size: dict[int, list[int]] = {}
    for i, book in enumerate(books):
        by_size.setdefault(len(book.labels), []).append(i)
    for indices in by_size.values():
        implied = np.stack([1.0 / books[i].fair_odds for i in indices])
        booksum = implied.sum(axis=1)
        methods = np.where((method == "shin") & (booksum <= 1.0), "multiplicative", method)
        for chosen in np.unique(methods):
            positions = np.flatnonzero(methods == chosen)
            subset = [indices[p] for p in positions]
            rows = implied[positions]
            try:
                fair = remove_margin(rows, str(chosen))
            except InputError as exc:
                bad = _first_failing_book(rows, str(chosen), subset, books)
                raise InputError(f"event {bad!r}: {exc}", source=source or None) from None
            for j, i in enumerate(subset):
                book = books[i]
                warnings: tuple[str, ...] = ()
                if chosen != method:
                    warnings = (f"{book.event}: prices sum to {booksum[positions[j]]:.4f} (no margin), so Shin's "
                                "model does not apply; de-margined multiplicatively",)
                dist = DiscreteDistribution(
                    book.labels, fair.probabilities[j] / fair.probabilities[j].sum(), source=source,
                    method=str(chosen),
                    diagnostics={"overround": float(fair.overround[j]),
                                 "params": {k: float(v[j]) for k, v in fair.params.items()}, "result": book.result})
                out[i] = DiscreteMarket(book.event, dist, book.odds, (*book.notes, *warnings))
    return [out[i] for i in range(len(books))]


def _first_failing_book(rows: FloatArray, method: str, subset: list[int], books: list[OddsBook]) -> str:
    for row, i in zip(rows, subset, strict=True):
        try:
            remove_margin(row, method)
        except InputError:
            return books[i].event
    return books[subset[0]].event
