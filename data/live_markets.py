"""Live prediction-market prices (docs/formats.md, "Live markets"): one small adapter per source that fetches an
event and writes it in a readers' file form, so the same readers, margin removal and scoring serve it.

Polymarket (public Gamma API, no key): an event by slug; a binary event is its market's two outcomes, a
multi-outcome event the group of its open markets' Yes sides (named by `groupItemTitle`). Probabilities come from
`outcomePrices` (the mid), the prices a bettor pays from `bestAsk` (a Yes share at ask a pays 1/a per unit staked;
the No side of a binary market costs 1 - bestBid).

Nothing in an answer is trusted: at most MAX_ANSWER_BYTES are read, within the timeout (the base URL's server is
given TIMEOUT_SECONDS in all, not per read), prices must be numbers in (0, 1), labels are plain text cut to 200
characters; anything else is one line naming the source. At most MAX_IN_FLIGHT fetches wait on one server at once.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from analytics.core.errors import InputError

POLYMARKET_URL = "https://gamma-api.polymarket.com"
TIMEOUT_SECONDS = 8.0
MAX_ANSWER_BYTES = 5 * 1024 * 1024
MAX_IN_FLIGHT = 2
MAX_MARKETS = 500
LABEL_LIMIT = 200
_IN_FLIGHT: dict[str, threading.BoundedSemaphore] = {}
_IN_FLIGHT_LOCK = threading.Lock()


@dataclass(frozen=True)
class LiveMarket:
    """A fetched market in a readers' file form (an event,outcome,odds CSV), with where and when it came from."""

    source: str
    url: str
    fetched_utc: str
    text: str

    @property
    def name(self) -> str:
        return f"{self.source} {self.url} fetched {self.fetched_utc}"


def _timeout() -> float:
    try:
        return max(0.1, float(os.environ.get("MARKET_LIVE_TIMEOUT", TIMEOUT_SECONDS)))
    except ValueError:
        return TIMEOUT_SECONDS


def _server_slots(url: str) -> threading.BoundedSemaphore:
    host = urllib.parse.urlsplit(url).netloc
    with _IN_FLIGHT_LOCK:
        return _IN_FLIGHT.setdefault(host, threading.BoundedSemaphore(MAX_IN_FLIGHT))


def fetch_json(source: str, url: str, timeout: float | None = None) -> Any:
    """GET `url` and parse its JSON within `timeout` seconds in all; InputError naming `source` otherwise."""
    timeout = _timeout() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    slots = _server_slots(url)
    if not slots.acquire(timeout=timeout):
        raise InputError(f"{source}: {MAX_IN_FLIGHT} fetches already wait on this server; try again shortly")
    try:
        request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "market-edge"})
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
        raise InputError(f"{source}: the server answered HTTP {error.code}") from None
    except (TimeoutError, OSError) as error:
        if isinstance(error, urllib.error.URLError) and not isinstance(error.reason, TimeoutError):
            raise InputError(f"{source} could not be reached ({_reason(error.reason)})") from None
        raise InputError(f"{source} did not answer within {timeout:g} s") from None
    finally:
        slots.release()
    try:
        return json.loads(b"".join(chunks))
    except (ValueError, RecursionError):
        raise InputError(f"{source}: the answer is not JSON") from None


def _reason(reason: object) -> str:
    text = str(getattr(reason, "strerror", None) or reason)
    return text[:120]


def _label(value: object, what: str) -> str:
    text = " ".join(str(value).split())[:LABEL_LIMIT]
    if not text:
        raise InputError(f"Polymarket: a market has no {what}")
    return text


def _price(value: object, what: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"Polymarket: {what} {str(value)[:40]!r} is not a number") from None
    if not (math.isfinite(number) and 0 < number < 1):
        raise InputError(f"Polymarket: {what} {number!r} is not a price between 0 and 1")
    return number


def _json_list(value: object, what: str) -> list[Any]:
    found = json.loads(value) if isinstance(value, str) else value
    if not isinstance(found, list):
        raise InputError(f"Polymarket: {what} is not a list")
    return found


def polymarket_rows(event: Any) -> tuple[str, list[tuple[str, float, float]]]:
    """An event's title and its outcomes as (label, mid probability, price paid per unit of payout)."""
    if not isinstance(event, dict) or not isinstance(event.get("markets"), list):
        raise InputError("Polymarket: the answer is not an event with markets")
    markets = [m for m in event["markets"][:MAX_MARKETS + 1] if isinstance(m, dict)]
    if len(markets) > MAX_MARKETS:
        raise InputError(f"Polymarket: the event has more than {MAX_MARKETS} markets")
    open_markets = [m for m in markets if not m.get("closed")] or markets
    title = _label(event.get("title") or event.get("slug") or "Polymarket event", "title")
    try:
        if len(open_markets) == 1:
            market = open_markets[0]
            labels = [_label(o, "outcome") for o in _json_list(market.get("outcomes"), "outcomes")]
            mids = [_price(p, "price") for p in _json_list(market.get("outcomePrices"), "outcomePrices")]
            if len(labels) != 2 or len(mids) != 2:
                raise InputError("Polymarket: a binary market needs two outcomes and two prices")
            ask = _price(market.get("bestAsk", mids[0]), "bestAsk")
            bid = _price(market.get("bestBid", mids[0]), "bestBid")
            return title, [(labels[0], mids[0], ask), (labels[1], mids[1], 1 - bid)]
        rows = []
        for market in open_markets:
            name = _label(market.get("groupItemTitle") or market.get("question"), "outcome name")
            mid = _price(_json_list(market.get("outcomePrices"), "outcomePrices")[0], f"{name}'s price")
            rows.append((name, mid, _price(market.get("bestAsk", mid), f"{name}'s bestAsk")))
        if len({label for label, _mid, _ask in rows}) != len(rows):
            raise InputError("Polymarket: two markets of the event share an outcome name")
        return title, rows
    except (ValueError, IndexError, RecursionError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError("Polymarket: a market's outcomes or prices cannot be read") from None


def fetch_polymarket(slug: str) -> LiveMarket:
    """The event `slug` from MARKET_POLYMARKET_URL (default the public Gamma API), as an event,outcome,odds CSV:
    `odds` the decimal odds of the mid price (the fair probabilities), `taken_odds` those of the price one pays."""
    slug = slug.strip()
    if not slug or len(slug) > 300:
        raise InputError("Polymarket: give an event slug (the last part of its polymarket.com/event/ address)")
    slug = slug.rstrip("/").rsplit("/", 1)[-1]
    base = os.environ.get("MARKET_POLYMARKET_URL", POLYMARKET_URL).rstrip("/")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise InputError(f"MARKET_POLYMARKET_URL {base[:80]!r} is not an http(s) address")
    url = f"{base}/events/slug/{urllib.parse.quote(slug, safe='')}"
    title, rows = polymarket_rows(fetch_json("Polymarket", url))
    fetched = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["event", "outcome", "odds", "taken_odds", "source", "url", "fetched_utc"])
    for label, mid, paid in rows:
        writer.writerow([title, label, repr(1 / mid), repr(1 / paid), "Polymarket", url, fetched])
    return LiveMarket("Polymarket", url, fetched, buffer.getvalue())


LIVE_SOURCES = {"polymarket": fetch_polymarket}


def fetch_live(spec: str) -> LiveMarket:
    """`live:SOURCE:ID` (or SOURCE and ID) to the fetched market; InputError naming what cannot be used."""
    parts = spec.split(":", 2)
    if len(parts) != 3 or parts[0] != "live":
        raise InputError(f"{spec[:80]!r}: a live market is live:SOURCE:ID, e.g. live:polymarket:EVENT-SLUG")
    source, ident = parts[1].strip().lower(), parts[2]
    if source not in LIVE_SOURCES:
        raise InputError(f"live source {source[:40]!r} is not one of {', '.join(sorted(LIVE_SOURCES))}")
    return LIVE_SOURCES[source](ident)
