"""Live markets (docs/formats.md, "Live markets"): one small adapter per source that fetches an event and writes it
in a readers' file form, so the same readers, margin removal and scoring serve it.

- Polymarket (public Gamma API, no key): an event by slug. A multi-outcome event (`negRisk`) is the group of its
  live markets' Yes sides, named by `groupItemTitle`; a binary event is its market's two outcomes; an event of
  several independent markets (a game's moneyline, spreads and totals) is its main market (the one whose slug is
  the event's, else the moneyline). Fair prices are `outcomePrices` (the mid), the prices paid `bestAsk` (the
  second outcome of a binary market costs 1 - `bestBid`).
- Kalshi (public market data, no key): an event by ticker with its markets. Prices are `yes_bid_dollars` /
  `yes_ask_dollars`, or `yes_bid` / `yes_ask` in cents, whichever the answer carries; the fair price is the mid of
  bid and ask, the price paid the ask (the No side of a one-market event costs `no_ask`, else 1 - the Yes bid).
- football-data.co.uk upcoming fixtures (`fixtures.csv`): the rows of one league (its code, such as E0) in the
  season files' columns, so every bookmaker, best price and consensus reads them.
- The Odds API (a key in MARKET_ODDS_API_KEY): the upcoming events of a sport key (soccer_epl, basketball_nba, ...)
  with every bookmaker's h2h odds, written in the season files' columns (one H/D/A set per bookmaker; a sport
  without draws has H/A only), so every bookmaker, best price and consensus reads them. The key is sent, never
  kept: the address recorded with the market has no key.

Range events (outcomes that are intervals of a number: "18°C or below", "77° to 78°", "250-275 bp") are written as
ordered buckets with their bounds (`low`, `high`; open ends empty). A ladder that leaves part of the line without a
market is refused: a market must price every outcome.

Nothing in an answer is trusted: at most MAX_ANSWER_BYTES are read, within the timeout (TIMEOUT_SECONDS in all, not
per read), prices must be numbers in (0, 1), labels are plain text cut to LABEL_LIMIT characters, nesting is
bounded by the JSON parser; anything else is one line naming the source. At most MAX_IN_FLIGHT fetches wait on one
server at once.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Callable, Sequence

from analytics.core.errors import InputError

POLYMARKET_URL = "https://gamma-api.polymarket.com"
KALSHI_URL = "https://api.elections.kalshi.com/trade-api/v2"
FOOTBALL_DATA_URL = "https://www.football-data.co.uk"
ODDS_API_URL = "https://api.the-odds-api.com"
ODDS_API_KEY_VARIABLE = "MARKET_ODDS_API_KEY"
ODDS_API_REGIONS = "uk,eu"
MAX_BOOKMAKERS = 60
TIMEOUT_SECONDS = 8.0
MAX_ANSWER_BYTES = 5 * 1024 * 1024
MAX_IN_FLIGHT = 2
MAX_MARKETS = 500
LABEL_LIMIT = 200
PRICE_SUM_RANGE = (0.8, 1.25)     # a mutually exclusive event's mid prices sum near 1; far off, outcomes are missing
_IN_FLIGHT: dict[str, threading.BoundedSemaphore] = {}
_IN_FLIGHT_LOCK = threading.Lock()


@dataclass(frozen=True)
class LiveMarket:
    """A fetched market in a readers' file form (an event,outcome,odds CSV, or football-data's columns), with where
    and when it came from."""

    source: str
    url: str
    fetched_utc: str
    text: str
    market_id: str = ""          # the event slug, ticker or league code as fetched

    @property
    def name(self) -> str:
        return f"{self.source} {self.url} fetched {self.fetched_utc}"


@dataclass(frozen=True)
class LiveOutcome:
    """One outcome: its fair price (the mid, per unit of payout), the price one pays for it, and for a range event
    its bounds (None: open)."""

    label: str
    mid: float
    paid: float
    low: float | None = None
    high: float | None = None


def _timeout() -> float:
    try:
        return max(0.1, float(os.environ.get("MARKET_LIVE_TIMEOUT", TIMEOUT_SECONDS)))
    except ValueError:
        return TIMEOUT_SECONDS


def _server_slots(url: str) -> threading.BoundedSemaphore:
    host = urllib.parse.urlsplit(url).netloc
    with _IN_FLIGHT_LOCK:
        return _IN_FLIGHT.setdefault(host, threading.BoundedSemaphore(MAX_IN_FLIGHT))


def base_url(variable: str, default: str) -> str:
    """The source's base address from the environment (mirrors, tests), else its public endpoint."""
    base = os.environ.get(variable, default).strip().rstrip("/")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise InputError(f"{variable} {base[:80]!r} is not an http(s) address")
    return base


def fetch_bytes(source: str, url: str, timeout: float | None = None, accept: str = "application/json") -> bytes:
    """GET `url` within `timeout` seconds in all, at most MAX_ANSWER_BYTES; InputError naming `source` otherwise."""
    timeout = _timeout() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    slots = _server_slots(url)
    if not slots.acquire(timeout=timeout):
        raise InputError(f"{source}: {MAX_IN_FLIGHT} fetches already wait on this server; try again shortly")
    try:
        request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "market-edge"})
        with urllib.request.urlopen(request, timeout=timeout) as answer:   # noqa: S310 - http(s) base URLs only
            chunks, size = [], 0
            while True:
                if time.monotonic() > deadline:       # a server that trickles bytes gets the same time in all
                    raise TimeoutError
                chunk = answer.read(min(65536, MAX_ANSWER_BYTES + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    raise InputError(f"{source}: the answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB; "
                                     "nothing was read from it")
    except InputError:
        raise
    except urllib.error.HTTPError as error:
        refused = " (a missing or refused key?)" if error.code in (401, 403) else ""
        raise InputError(f"{source}: the server answered HTTP {error.code}{refused}") from None
    except (TimeoutError, OSError) as error:
        if isinstance(error, urllib.error.URLError) and not isinstance(error.reason, TimeoutError):
            raise InputError(f"{source} could not be reached ({_reason(error.reason)})") from None
        raise InputError(f"{source} did not answer within {timeout:g} s") from None
    finally:
        slots.release()
    return b"".join(chunks)


def fetch_json(source: str, url: str, timeout: float | None = None) -> Any:
    """GET `url` and parse its JSON within `timeout` seconds in all; InputError naming `source` otherwise."""
    body = fetch_bytes(source, url, timeout)
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise InputError(f"{source}: the answer is not JSON") from None


def _reason(reason: object) -> str:
    text = str(getattr(reason, "strerror", None) or reason)
    return text[:120]


def _label(source: str, value: object, what: str) -> str:
    text = " ".join(str(value).split())[:LABEL_LIMIT] if value is not None else ""
    if not text:
        raise InputError(f"{source}: a market has no {what}")
    return text


def _price(source: str, value: object, what: str, *, closed: bool = False) -> float:
    """A price per unit of payout: a number in (0, 1) ([0, 1] with closed, for a bid or ask that may be empty)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{source}: {what} {str(value)[:40]!r} is not a number") from None
    inside = 0 <= number <= 1 if closed else 0 < number < 1
    if not (math.isfinite(number) and inside):
        raise InputError(f"{source}: {what} {number!r} is not a price between 0 and 1")
    return number


def _json_list(source: str, value: object, what: str) -> list[Any]:
    try:
        found = json.loads(value) if isinstance(value, str) else value
    except (ValueError, RecursionError):
        raise InputError(f"{source}: {what} cannot be read") from None
    if not isinstance(found, list):
        raise InputError(f"{source}: {what} is not a list")
    return found


def _check_sum(source: str, outcomes: Sequence[LiveOutcome]) -> None:
    total = sum(o.mid for o in outcomes)
    low, high = PRICE_SUM_RANGE
    if not low <= total <= high:
        raise InputError(f"{source}: the event's prices sum to {total:.1%}, far from 100 %: the answer does not list "
                         "every outcome (or lists some twice)")


# ------------------------------------------------------------------------------------------------ range events

_NUMBER = r"[-+]?\d[\d,]*(?:\.\d+)?"
_RANGE_PATTERNS = (
    (re.compile(rf"^(?:≤|<=?|under |below |less than )\s*({_NUMBER})"), "below"),
    (re.compile(rf"^(?:≥|>=?|over |above |more than )\s*({_NUMBER})"), "above"),
    (re.compile(rf"^({_NUMBER})\D*?\s*(?:or below|or lower|or less|or under|and below|and under)\b"), "below"),
    (re.compile(rf"^({_NUMBER})\D*?\s*(?:or above|or higher|or more|or over|and above|and over|\+)"), "above"),
    (re.compile(rf"^({_NUMBER})\D*?\s*(?:-|–|to)\s*({_NUMBER})"), "between"),
    (re.compile(rf"^({_NUMBER})\D*$"), "single"),
)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def range_of_label(label: str) -> tuple[float | None, float | None] | None:
    """The interval a range outcome's name states ('18°C or below' -> (None, 18), '19°C' -> (19, 19), '77° to 78°'
    -> (77, 78), '250-275 bp' -> (250, 275), '> 3.5%' -> (3.5, None)), or None when the name is not a range."""
    text = " ".join(label.lower().replace("$", "").split())
    for pattern, kind in _RANGE_PATTERNS:
        found = pattern.match(text)
        if found is None:
            continue
        first = _number(found.group(1))
        if kind == "below":
            return None, first
        if kind == "above":
            return first, None
        if kind == "between":
            second = _number(found.group(2))
            return (first, second) if first <= second else None
        return first, first
    return None


def ordered_buckets(source: str, outcomes: list[LiveOutcome]) -> list[LiveOutcome]:
    """A range event's outcomes in order of their intervals, checked to cover the line: open at both ends, and
    each interval starting where the one before ends (or one step of whole units on, '19°C' after '18°C or below').
    A gap is one line naming it."""
    ordered = sorted(outcomes, key=lambda o: (-math.inf if o.low is None else o.low,
                                              math.inf if o.high is None else o.high))
    if ordered[0].low is not None:
        raise InputError(f"{source}: no market covers values below {ordered[0].low:g} (the answer lists "
                         f"{len(ordered)} ranges): a market must price every outcome")
    if ordered[-1].high is not None:
        raise InputError(f"{source}: no market covers values above {ordered[-1].high:g} (the answer lists "
                         f"{len(ordered)} ranges): a market must price every outcome")
    for before, after in zip(ordered[:-1], ordered[1:], strict=True):
        end, start = before.high, after.low
        if end is None or start is None or start < end or start - end > 1:
            raise InputError(f"{source}: the ranges {before.label!r} and {after.label!r} overlap or leave a gap: a "
                             "market must price every outcome once")
    return ordered


# ------------------------------------------------------------------------------------------------ Polymarket

def _polymarket_live(market: dict[str, Any]) -> bool:
    """A market one can trade now: active, not closed, not archived (Polymarket keeps dead duplicates and
    placeholder names in an event, with active false)."""
    return market.get("active", True) is not False and not market.get("closed") and not market.get("archived")


def polymarket_outcomes(event: Any) -> tuple[str, list[LiveOutcome]]:
    """An event's title and outcomes (the answer of /events/slug/SLUG, or the one-event list of /events?slug=)."""
    source = "Polymarket"
    if isinstance(event, list) and len(event) == 1:
        event = event[0]
    if not isinstance(event, dict) or not isinstance(event.get("markets"), list):
        raise InputError(f"{source}: the answer is not an event with markets")
    markets = [m for m in event["markets"][:MAX_MARKETS + 1] if isinstance(m, dict)]
    if len(markets) > MAX_MARKETS:
        raise InputError(f"{source}: the event has more than {MAX_MARKETS} markets")
    live = [m for m in markets if _polymarket_live(m)]
    if not live:
        raise InputError(f"{source}: the event has no open market")
    title = _label(source, event.get("title") or event.get("slug") or "Polymarket event", "title")
    try:
        if event.get("negRisk") is not True and len(live) > 1:
            slug = event.get("slug")
            main = [m for m in live if slug and m.get("slug") == slug] or \
                [m for m in live if m.get("sportsMarketType") == "moneyline"]
            if len(main) != 1:
                raise InputError(f"{source}: the event has {len(live)} separate markets and none is its main one; "
                                 "give the slug of one market's own event")
            live = main
        if len(live) == 1:
            return title, _polymarket_binary(live[0])
        outcomes = []
        for market in live:
            name = _label(source, market.get("groupItemTitle") or market.get("question"), "outcome name")
            mid = _price(source, _json_list(source, market.get("outcomePrices"), "outcomePrices")[0],
                         f"{name}'s price")
            outcomes.append(LiveOutcome(name, mid, _price(source, market.get("bestAsk", mid), f"{name}'s bestAsk")))
        if len({o.label for o in outcomes}) != len(outcomes):
            raise InputError(f"{source}: two open markets of the event share an outcome name")
        outcomes = _ranged(source, outcomes)
        _check_sum(source, outcomes)
        return title, outcomes
    except (ValueError, IndexError, RecursionError, TypeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{source}: a market's outcomes or prices cannot be read") from None


def _polymarket_binary(market: dict[str, Any]) -> list[LiveOutcome]:
    source = "Polymarket"
    labels = [_label(source, o, "outcome") for o in _json_list(source, market.get("outcomes"), "outcomes")]
    mids = [_price(source, p, "price") for p in _json_list(source, market.get("outcomePrices"), "outcomePrices")]
    if len(labels) != 2 or len(mids) != 2 or labels[0] == labels[1]:
        raise InputError(f"{source}: a binary market needs two outcomes and two prices")
    ask = _price(source, market.get("bestAsk", mids[0]), "bestAsk")
    bid = _price(source, market.get("bestBid", mids[0]), "bestBid")
    return [LiveOutcome(labels[0], mids[0], ask), LiveOutcome(labels[1], mids[1], 1 - bid)]


def _ranged(source: str, outcomes: list[LiveOutcome]) -> list[LiveOutcome]:
    """Outcomes whose names are all ranges become ordered buckets with their bounds; others stay as they are."""
    ranges = [range_of_label(o.label) for o in outcomes]
    if len(outcomes) < 2 or any(r is None for r in ranges):
        return outcomes
    return ordered_buckets(source, [LiveOutcome(o.label, o.mid, o.paid, r[0], r[1])  # type: ignore[index]
                                    for o, r in zip(outcomes, ranges, strict=True)])


def _last_part(ident: str) -> str:
    """An event's id from what a person pastes: the id itself, or the address that ends with it."""
    return ident.strip().rstrip("/").rsplit("/", 1)[-1]


def _slug(ident: str, what: str) -> str:
    if not ident.strip() or len(ident.strip()) > 300:
        raise InputError(what)
    return _last_part(ident)


def fetch_polymarket(slug: str) -> LiveMarket:
    """The event `slug` (or its polymarket.com/event/ address) from MARKET_POLYMARKET_URL."""
    slug = _slug(slug, "Polymarket: give an event slug (the last part of its polymarket.com/event/ address)")
    url = f"{base_url('MARKET_POLYMARKET_URL', POLYMARKET_URL)}/events/slug/{urllib.parse.quote(slug, safe='')}"
    title, outcomes = polymarket_outcomes(fetch_json("Polymarket", url))
    return _written("Polymarket", url, title, outcomes, slug)


# ------------------------------------------------------------------------------------------------ Kalshi

def _kalshi_quote(market: dict[str, Any], side: str) -> float | None:
    """A market's `side` quote (yes_bid, yes_ask, no_ask) in dollars: the `_dollars` field, else cents; None when
    the answer carries neither."""
    source = "Kalshi"
    dollars, cents = market.get(f"{side}_dollars"), market.get(side)
    if dollars is not None:
        return _price(source, dollars, side, closed=True)
    if cents is not None:
        return _price(source, float(cents) / 100, side, closed=True)
    return None


def _kalshi_prices(market: dict[str, Any], name: str) -> tuple[float, float]:
    """(mid, ask) of a market's Yes side: both quotes needed, bid <= ask, a mid strictly inside (0, 1)."""
    bid, ask = _kalshi_quote(market, "yes_bid"), _kalshi_quote(market, "yes_ask")
    if bid is None or ask is None:
        raise InputError(f"Kalshi: {name} has no yes bid and ask")
    if bid > ask or ask <= 0:
        raise InputError(f"Kalshi: {name}'s bid {bid:g} is above its ask {ask:g}, or it has no ask")
    return _price("Kalshi", (bid + ask) / 2, f"{name}'s mid"), ask


def _kalshi_bounds(market: dict[str, Any]) -> tuple[float | None, float | None] | None:
    """A range market's interval from strike_type and floor/cap strikes ('less' than cap, 'between' floor and cap,
    'greater' than floor), or None when it is not one."""
    kind = market.get("strike_type")
    try:
        floor = None if market.get("floor_strike") is None else float(market["floor_strike"])
        cap = None if market.get("cap_strike") is None else float(market["cap_strike"])
    except (TypeError, ValueError):
        raise InputError("Kalshi: a market's floor or cap strike is not a number") from None
    if kind == "less" and cap is not None:
        return None, cap
    if kind == "greater" and floor is not None:
        return floor, None
    if kind == "between" and floor is not None and cap is not None:
        return floor, cap
    return None


def _whole_units(outcome: LiveOutcome) -> LiveOutcome:
    """A Kalshi strike bucket of a whole-unit ladder with inclusive bounds: 'less' than cap is cap - 1 or below,
    'greater' than floor is floor + 1 or above ('between' is inclusive already)."""
    if outcome.low is None and outcome.high is not None:
        return LiveOutcome(outcome.label, outcome.mid, outcome.paid, None, outcome.high - 1)
    if outcome.high is None and outcome.low is not None:
        return LiveOutcome(outcome.label, outcome.mid, outcome.paid, outcome.low + 1, None)
    return outcome


def kalshi_outcomes(answer: Any) -> tuple[str, list[LiveOutcome]]:
    """An event's title and outcomes from the answer of /events/TICKER (markets at the top level, or nested in the
    event)."""
    source = "Kalshi"
    if not isinstance(answer, dict) or not isinstance(answer.get("event"), dict):
        raise InputError(f"{source}: the answer is not an event")
    event = answer["event"]
    markets = answer.get("markets") or event.get("markets")
    if not isinstance(markets, list) or not markets:
        raise InputError(f"{source}: the event lists no markets")
    markets = [m for m in markets[:MAX_MARKETS + 1] if isinstance(m, dict)]
    if len(markets) > MAX_MARKETS:
        raise InputError(f"{source}: the event has more than {MAX_MARKETS} markets")
    live = [m for m in markets if m.get("status") in ("active", "open")]
    if not live:
        raise InputError(f"{source}: the event has no open market (it may be settled)")
    title = _label(source, event.get("title") or event.get("event_ticker") or "Kalshi event", "title")
    if len(live) == 1:
        market = live[0]
        mid, ask = _kalshi_prices(market, "the market")
        bid = _kalshi_quote(market, "yes_bid")
        no_ask = _kalshi_quote(market, "no_ask")
        paid_no = no_ask if no_ask is not None and 0 < no_ask < 1 else 1 - float(bid or 0)
        return title, [LiveOutcome("Yes", mid, ask), LiveOutcome("No", 1 - mid, _price(source, paid_no, "No's ask"))]
    if event.get("mutually_exclusive") is not True:
        raise InputError(f"{source}: the event's {len(live)} markets are not mutually exclusive (separate questions "
                         "or thresholds); it is not one market")
    outcomes = []
    for market in live:
        name = _label(source, market.get("yes_sub_title") or market.get("subtitle") or market.get("ticker"),
                      "outcome name")
        mid, ask = _kalshi_prices(market, name)
        bounds = _kalshi_bounds(market)
        outcomes.append(LiveOutcome(name, mid, ask, *(bounds or (None, None))))
    if len({o.label for o in outcomes}) != len(outcomes):
        raise InputError(f"{source}: two open markets of the event share an outcome name")
    if all(_kalshi_bounds(m) is not None for m in live):
        strikes = [v for o in outcomes for v in (o.low, o.high) if v is not None]
        if all(float(v).is_integer() for v in strikes):
            # a ladder of whole units (degrees): 'less' than 77 is 76 or below, 'greater' than 80 is 81 or above
            outcomes = [_whole_units(o) for o in outcomes]
        outcomes = ordered_buckets(source, outcomes)
    _check_sum(source, outcomes)
    return title, outcomes


def fetch_kalshi(ticker: str) -> LiveMarket:
    """The event `ticker` (or its kalshi.com address's last part) from MARKET_KALSHI_URL, with its markets."""
    ticker = _slug(ticker, "Kalshi: give an event ticker (such as KXHIGHNY-26MAY05)").upper()
    if not re.fullmatch(r"[A-Z0-9._-]{1,120}", ticker):
        raise InputError(f"Kalshi: {ticker[:60]!r} is not an event ticker")
    url = f"{base_url('MARKET_KALSHI_URL', KALSHI_URL)}/events/{ticker}?with_nested_markets=true"
    title, outcomes = kalshi_outcomes(fetch_json("Kalshi", url))
    return _written("Kalshi", url, title, outcomes, ticker)


# ------------------------------------------------------------------------------------------------ football-data

FIXTURE_COLUMNS_NEEDED = ("Div", "HomeTeam", "AwayTeam")


def football_fixtures(text: str, league: str) -> str:
    """The rows of `league` (a division code such as E0; ALL for every league) of a fixtures.csv, in its own
    columns."""
    source = "football-data"
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or not set(FIXTURE_COLUMNS_NEEDED) <= set(rows[0]):
        raise InputError(f"{source}: the answer is not a fixtures file (no {', '.join(FIXTURE_COLUMNS_NEEDED)} "
                         "columns)")
    header, body = rows[0], [r for r in rows[1:] if any(cell.strip() for cell in r)]
    division = header.index("Div")
    chosen = body if league == "ALL" else [r for r in body if len(r) > division and r[division] == league]
    if not chosen:
        leagues = sorted({r[division] for r in body if len(r) > division})
        raise InputError(f"{source}: no fixtures of league {league!r}; the file has {', '.join(leagues) or 'none'}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(chosen)
    return out.getvalue()


def fetch_football_data(league: str) -> LiveMarket:
    """Upcoming fixtures of `league` from MARKET_FOOTBALL_DATA_URL's fixtures.csv."""
    league = league.strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{1,6}", league):
        raise InputError(f"football-data: {league[:40]!r} is not a league code (E0, SP1, I1, ... or ALL)")
    url = f"{base_url('MARKET_FOOTBALL_DATA_URL', FOOTBALL_DATA_URL)}/fixtures.csv"
    body = fetch_bytes("football-data", url, accept="text/csv")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
    return LiveMarket("football-data", url, _now(), football_fixtures(text, league), league)


# ------------------------------------------------------------------------------------------------ The Odds API

def odds_api_key() -> str | None:
    """The Odds API key from MARKET_ODDS_API_KEY, or None (the source is then not offered)."""
    key = os.environ.get(ODDS_API_KEY_VARIABLE, "").strip()
    return key or None


def _odds_api_book(key: object) -> str:
    """A bookmaker's column prefix: its Odds API key in capitals, letters and digits only (williamhill_us ->
    WILLIAMHILLUS)."""
    from analytics.betting.odds_files import is_book_prefix

    prefix = re.sub(r"[^A-Z0-9]", "", str(key).upper())[:24]
    if not prefix:
        raise InputError("The Odds API: a bookmaker has no key")
    # a key the season files' reader would take for a result or handicap column is kept apart from those
    return prefix if is_book_prefix(prefix.lower()) else "BK" + prefix.replace("AH", "A_H")


def _odds_api_price(value: object, what: str, odds_format: str) -> float:
    """Decimal odds from an Odds API price: decimal odds above 1, or American odds (+150, -200) when asked so."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"The Odds API: {what} {str(value)[:40]!r} is not a number") from None
    if odds_format == "american" and math.isfinite(number) and abs(number) >= 100:
        number = 1 + (number / 100 if number > 0 else 100 / -number)
    if not (math.isfinite(number) and 1 < number < 1e6):
        raise InputError(f"The Odds API: {what} {number!r} is not decimal odds above 1")
    return number


def odds_api_fixtures(answer: Any, sport: str, odds_format: str = "decimal") -> str:
    """The answer of /v4/sports/SPORT/odds (a list of events with bookmakers' h2h odds) in the season files'
    columns: Div (the sport key), Date (dd/mm/yyyy, UTC), Time, HomeTeam, AwayTeam, then per bookmaker its H, D and
    A odds (H and A only when no event of the answer has a draw). Outcomes are matched to the teams by name, in
    whatever order the answer lists them; a bookmaker without an h2h price for an event, or whose h2h names an
    outcome that is neither team nor Draw, leaves its cells of that event empty."""
    source = "The Odds API"
    if not isinstance(answer, list):
        raise InputError(f"{source}: the answer is not a list of events")
    events = [e for e in answer[:MAX_MARKETS + 1] if isinstance(e, dict)]
    if len(events) > MAX_MARKETS:
        raise InputError(f"{source}: the answer has more than {MAX_MARKETS} events")
    rows: list[tuple[list[str], dict[str, dict[str, float]]]] = []
    books: dict[str, None] = {}
    draws = False
    for event in events:
        home = _label(source, event.get("home_team"), "home team")
        away = _label(source, event.get("away_team"), "away team")
        when = str(event.get("commence_time", ""))
        try:
            start = datetime.strptime(when[:19], "%Y-%m-%dT%H:%M:%S")
            date, clock = start.strftime("%d/%m/%Y"), start.strftime("%H:%M")
        except ValueError:
            date, clock = "", ""
        prices: dict[str, dict[str, float]] = {}
        bookmakers = event.get("bookmakers")
        for book in (bookmakers if isinstance(bookmakers, list) else [])[:MAX_BOOKMAKERS]:
            if not isinstance(book, dict) or not isinstance(book.get("markets"), list):
                continue
            prefix = _odds_api_book(book.get("key"))
            h2h = next((m for m in book["markets"] if isinstance(m, dict) and m.get("key") == "h2h"), None)
            outcomes = h2h.get("outcomes") if h2h is not None else None
            if not isinstance(outcomes, list) or not 2 <= len(outcomes) <= 3:
                continue
            named = {" ".join(str(o.get("name", "")).split()): o for o in outcomes if isinstance(o, dict)}
            side_of = {home: "H", away: "A", "Draw": "D"}
            if len(named) != len(outcomes) or not set(named) <= set(side_of):
                continue            # an outcome that is neither team nor Draw, or one listed twice: not this 1X2
            sides = {side_of[name]: _odds_api_price(o.get("price"), f"{prefix}'s {name[:60]} price", odds_format)
                     for name, o in named.items()}
            if {"H", "A"} <= set(sides):
                prices[prefix] = sides
                books[prefix] = None
                draws = draws or "D" in sides
        rows.append(([sport, date, clock, home, away], prices))
    if not books:
        raise InputError(f"{source}: no event of {sport!r} has bookmakers' h2h odds")
    sides_written = ("H", "D", "A") if draws else ("H", "A")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Div", "Date", "Time", "HomeTeam", "AwayTeam",
                     *(f"{book}{side}" for book in books for side in sides_written)])
    for fixed, prices in rows:
        writer.writerow([*fixed, *(repr(prices[book][side]) if book in prices and side in prices[book] else ""
                                   for book in books for side in sides_written)])
    return out.getvalue()


def fetch_odds_api(sport: str) -> LiveMarket:
    """Upcoming events of the sport key `sport` with the bookmakers' h2h odds (decimal), from MARKET_ODDS_API_URL
    with the key of MARKET_ODDS_API_KEY; the recorded address leaves the key out."""
    source = "The Odds API"
    sport = sport.strip().lower()
    if not re.fullmatch(r"[a-z0-9_]{2,60}", sport):
        raise InputError(f"{source}: {sport[:40]!r} is not a sport key (soccer_epl, basketball_nba, ...)")
    key = odds_api_key()
    if key is None:
        raise InputError(f"{source} needs a key: set {ODDS_API_KEY_VARIABLE} (the-odds-api.com gives free keys)")
    regions = os.environ.get("MARKET_ODDS_API_REGIONS", ODDS_API_REGIONS).strip() or ODDS_API_REGIONS
    shown = (f"{base_url('MARKET_ODDS_API_URL', ODDS_API_URL)}/v4/sports/{sport}/odds?"
             f"{urllib.parse.urlencode({'regions': regions, 'markets': 'h2h', 'oddsFormat': 'decimal'})}")
    answer = fetch_json(source, f"{shown}&{urllib.parse.urlencode({'apiKey': key})}")
    return LiveMarket(source, shown, _now(), odds_api_fixtures(answer, sport), sport)


# ------------------------------------------------------------------------------------------------ writing

def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bound(value: float | None) -> str:
    return "" if value is None else repr(value)


def _written(source: str, url: str, title: str, outcomes: list[LiveOutcome], market_id: str) -> LiveMarket:
    """The event as an event,outcome,odds CSV: `odds` the decimal odds of the mid (the fair probabilities),
    `taken_odds` those of the price one pays, `low,high` a range outcome's bounds."""
    fetched = _now()
    ranged = any(o.low is not None or o.high is not None for o in outcomes)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["event", "outcome", "odds", "taken_odds", *(("low", "high") if ranged else ()), "source", "url",
                     "fetched_utc"])
    for o in outcomes:
        writer.writerow([title, o.label, repr(1 / o.mid), repr(1 / o.paid),
                         *((_bound(o.low), _bound(o.high)) if ranged else ()), source, url, fetched])
    return LiveMarket(source, url, fetched, buffer.getvalue(), market_id)


LIVE_SOURCES: dict[str, Callable[[str], LiveMarket]] = {
    "polymarket": fetch_polymarket, "kalshi": fetch_kalshi, "football-data": fetch_football_data,
    "odds-api": fetch_odds_api}


def market_id_of(source: str, ident: str) -> str:
    """The id a source's adapter fetches `ident` as (a slug from an address, a ticker or league code in capitals):
    the key watched snapshots are stored under."""
    ident = _last_part(ident)
    return ident.upper() if source in ("kalshi", "football-data") else ident


def parse_live_spec(spec: str) -> tuple[str, str] | None:
    """(source, id) of a `live:SOURCE:ID` market source, None for any other."""
    parts = spec.split(":", 2)
    if len(parts) != 3 or parts[0] != "live" or parts[1].strip().lower() not in LIVE_SOURCES:
        return None
    source = parts[1].strip().lower()
    return source, market_id_of(source, parts[2])


def fetch_live(spec: str) -> LiveMarket:
    """`live:SOURCE:ID` to the fetched market; InputError naming what cannot be used."""
    parts = spec.split(":", 2)
    if len(parts) != 3 or parts[0] != "live":
        raise InputError(f"{spec[:80]!r}: a live market is live:SOURCE:ID, e.g. live:polymarket:EVENT-SLUG")
    source, ident = parts[1].strip().lower(), parts[2]
    if source not in LIVE_SOURCES:
        raise InputError(f"live source {source[:40]!r} is not one of {', '.join(sorted(LIVE_SOURCES))}")
    return LIVE_SOURCES[source](ident)


FETCH_DETAILS = ("source", "url", "fetched_utc")     # columns that say where and when, not what the market was


def prices_digest(text: str) -> str:
    """A digest of a fetched market's outcomes and prices, blind to when and from where it was fetched: two fetches
    with the same digest are the same market state."""
    import hashlib

    rows = list(csv.reader(io.StringIO(text)))
    keep = [i for i, name in enumerate(rows[0] if rows else []) if name not in FETCH_DETAILS]
    content = "\n".join(",".join(row[i] for i in keep if i < len(row)) for row in rows)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()
