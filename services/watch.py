"""Watching a live market over time (docs/formats.md, "Live markets"): fetch it every few seconds, keep each
changed snapshot in the journal's database, and read a watched market back as a surprise timeline (the bits of
news between consecutive snapshots, analytics.betting.surprise)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy.engine import Engine

from analytics.betting.market import DiscreteMarket
from analytics.betting.surprise import SurpriseTimeline, surprise_timeline
from analytics.core.errors import InputError
from data.journal import MAX_SNAPSHOTS_READ, market_snapshots, shown_url, store_snapshot
from data.live_markets import LIVE_SOURCES, fetch_live, parse_live_spec, prices_digest
from data.market_files import default_odds_request, markets_from_text

MIN_EVERY_SECONDS = 0.1
MAX_EVERY_SECONDS = 86_400.0
MAX_COUNT = 100_000


@dataclass
class WatchLog:
    """What a watch did: the snapshots stored (id, fetch time), fetches whose prices had not changed, failures."""

    source: str
    market_id: str
    db: str
    fetches: int = 0
    stored: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    interrupted: bool = False

    def record(self) -> dict[str, Any]:
        return {"source": self.source, "id": self.market_id, "db": self.db, "fetches": self.fetches,
                "stored": self.stored, "unchanged": self.unchanged, "failed": self.failed,
                "interrupted": self.interrupted}


def check_watch(source: str, every: float, count: int) -> None:
    """One line for a watch that cannot run, before any fetch."""
    if source not in LIVE_SOURCES:
        raise InputError(f"watch: source {source[:40]!r} is not one of {', '.join(sorted(LIVE_SOURCES))}")
    if not MIN_EVERY_SECONDS <= every <= MAX_EVERY_SECONDS:
        raise InputError(f"watch: --every {every:g} s is outside {MIN_EVERY_SECONDS:g} to {MAX_EVERY_SECONDS:g} s")
    if not 1 <= count <= MAX_COUNT:
        raise InputError(f"watch: --count {count} is outside 1 to {MAX_COUNT}")


def watch(engine: Engine, source: str, ident: str, *, every: float, count: int,
          sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> WatchLog:
    """Fetch `source`/`ident` `count` times, `every` seconds apart (from the start of one fetch to the next), storing
    each snapshot whose outcomes or prices differ from the latest stored. A failed fetch is logged and the watch
    goes on; Ctrl-C stops it with everything stored so far kept. Every snapshot is checked to read as a market
    before it is stored."""
    check_watch(source, every, count)
    log = WatchLog(source, ident, shown_url(engine.url))
    try:
        for step in range(count):
            started = clock()
            log.fetches += 1
            try:
                live = fetch_live(f"live:{source}:{ident}")
                markets_from_text(live.text, live.name, default_odds_request(live.text), "multiplicative")
            except InputError as exc:
                log.failed.append({"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "message": str(exc)})
            else:
                log.market_id = live.market_id or ident
                stored = store_snapshot(engine, source, log.market_id, live.fetched_utc, prices_digest(live.text),
                                        live.text)
                if stored is None:
                    log.unchanged += 1
                else:
                    log.stored.append({"snapshot": stored, "fetched_utc": live.fetched_utc})
            if step + 1 < count:
                sleep(max(0.0, started + every - clock()))
    except KeyboardInterrupt:
        log.interrupted = True
    if log.failed and len(log.failed) == log.fetches:
        raise InputError(f"watch: every fetch failed; the last: {log.failed[-1]['message']}")
    return log


def snapshot_markets(engine: Engine, source: str, market_id: str, limit: int = MAX_SNAPSHOTS_READ) \
        -> tuple[list[str], list[list[DiscreteMarket]]]:
    """A watched market's latest `limit` snapshots as (fetch times, markets of each snapshot), oldest first; prices
    margin-removed multiplicatively, as the bundled timelines are."""
    times, markets = [], []
    for snap in market_snapshots(engine, source, market_id, limit):
        times.append(snap.fetched_at)
        markets.append(markets_from_text(snap.text, f"{source} {market_id} at {snap.fetched_at}",
                                         default_odds_request(snap.text),
                                         "multiplicative"))
    return times, markets


def watched_timeline(engine: Engine, source: str, market_id: str, event: str | None = None) -> SurpriseTimeline:
    """The surprise timeline of one event of a watched market (its first event by default): KL(each snapshot ||
    the one before) in bits."""
    times, snapshots = snapshot_markets(engine, source, market_id)
    chosen = event or (snapshots[0][0].event if snapshots and snapshots[0] else None)
    kept_times, kept = [], []
    for when, markets in zip(times, snapshots, strict=True):
        found = next((m for m in markets if m.event == chosen), None)
        if found is not None:
            kept_times.append(when)
            kept.append(found)
    if len(kept) < 2:
        raise InputError(f"{source} {market_id}: fewer than two stored snapshots of {chosen!r}; watch it longer")
    return surprise_timeline(kept_times, kept)


def latest_watched_market(engine: Engine, market_source: str, event: str, method: str) \
        -> tuple[DiscreteMarket, str] | None:
    """The latest stored snapshot of a journal entry's live market (`market_source` live:SOURCE:ID) as the entry's
    event, margin removed by its `method`, with the snapshot's fetch time; None when the market is not live, not
    watched, or its latest snapshot no longer lists the event."""
    found = parse_live_spec(market_source)
    if found is None:
        return None
    latest = market_snapshots(engine, *found, limit=1)
    if not latest:
        return None
    snap = latest[0]
    try:
        markets = markets_from_text(snap.text, f"{found[0]} {found[1]} at {snap.fetched_at}",
                                    default_odds_request(snap.text), method)
    except InputError:                   # an entry's method this market's prices cannot take
        return None
    market = next((m for m in markets if m.event == event), None)
    return None if market is None else (market, snap.fetched_at)
