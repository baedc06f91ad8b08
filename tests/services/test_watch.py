"""`watch` (services.watch): a local server replays two recorded states of the Polymarket Fed-chair event (17 and
18 January 2026, tests/data/recorded/PROVENANCE.md); exactly the changed snapshots are stored, the surprise timeline
read back from the database equals KL(each || the one before) computed by hand from the recorded JSON, two watch
processes on one database lose nothing, and a watch that cannot run is one line before any fetch."""

from __future__ import annotations

import http.server
import json
import math
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from analytics.core.errors import InputError
from data.journal import connect, market_snapshots, watched_markets
from services.watch import watch, watched_timeline
from tests.conftest import ROOT, run_cli
from tests.data.test_live import closed_port
from tests.data.test_live_markets import FED_CHAIR, RECORDED, RecordedServer

STATES = [RECORDED / "polymarket" / f"{FED_CHAIR}.{day}.json" for day in ("2026-01-17", "2026-01-18")]


def fair(path: Path) -> dict[str, float]:
    """The event's fair probabilities by hand: the tradable markets' Yes mids, divided by their sum."""
    markets = json.loads(path.read_text())["markets"]
    mids = {m["groupItemTitle"]: float(json.loads(m["outcomePrices"])[0]) for m in markets
            if m["active"] and not m["closed"] and not m.get("archived")}
    total = sum(mids.values())
    return {k: v / total for k, v in mids.items()}


def kl_bits(p: dict[str, float], q: dict[str, float]) -> float:
    return sum(p[k] * math.log2(p[k] / q[k]) for k in p)


class Replay:
    """Answers with the recorded states in `order`, one per request, then the last one again."""

    def __init__(self, order: list[int]) -> None:
        self.order, self.served, self.lock = order, 0, threading.Lock()

    def body(self) -> bytes:
        with self.lock:
            index = self.order[min(self.served, len(self.order) - 1)]
            self.served += 1
        return STATES[index].read_bytes()


@pytest.fixture
def replay(monkeypatch):
    def start(order: list[int]) -> Replay:
        state = Replay(order)

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                body = state.body()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

        srv = RecordedServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        monkeypatch.setenv("MARKET_POLYMARKET_URL", f"http://127.0.0.1:{srv.server_address[1]}")
        monkeypatch.setenv("MARKET_LIVE_TIMEOUT", "5")
        return state

    servers: list[http.server.ThreadingHTTPServer] = []
    yield start
    for srv in servers:
        srv.shutdown()


def test_watch_stores_exactly_the_changed_snapshots_and_their_timeline_is_the_kl_between_them(replay, tmp_path):
    replay([0, 0, 1, 1, 0])
    engine = connect(f"sqlite:///{tmp_path / 'j.db'}")
    log = watch(engine, "polymarket", FED_CHAIR, every=0.1, count=5, sleep=lambda _seconds: None)
    assert (log.fetches, len(log.stored), log.unchanged, log.failed) == (5, 3, 2, [])
    assert watched_markets(engine) == [("polymarket", FED_CHAIR, 3)]
    stored = market_snapshots(engine, "polymarket", FED_CHAIR)
    assert [s.id for s in stored] == [entry["snapshot"] for entry in log.stored]
    timeline = watched_timeline(engine, "polymarket", FED_CHAIR)
    a, b = (fair(path) for path in STATES)
    assert set(timeline.labels) == set(a) == set(b)                     # the same 25 candidates on both days
    assert timeline.step_bits == pytest.approx([kl_bits(b, a), kl_bits(a, b)], rel=1e-9)
    assert kl_bits(b, a) > 0.01                                           # a real move: Rieder 8 % to 14 %
    _k, sentence = timeline.largest_step()
    assert "Rick Rieder" in sentence or "Kevin Warsh" in sentence


def test_two_watch_processes_on_one_database_lose_nothing(replay, tmp_path):
    replay([0, 1] * 20)                          # every request a change: every fetch of either process stores
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    connect(db)                                  # the schema made once, as a first user would
    command = [sys.executable, "-m", "analytics", "watch", "polymarket", FED_CHAIR, "--every", "0.1", "--count", "8",
               "--db", db]
    runs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    logs = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        logs.append(json.loads(out))
    assert all(log["fetches"] == 8 and not log["failed"] for log in logs)
    stored_ids = sorted(entry["snapshot"] for log in logs for entry in log["stored"])
    engine = connect(db)
    rows = market_snapshots(engine, "polymarket", FED_CHAIR)
    assert [r.id for r in rows] == stored_ids                              # every stored snapshot is there
    assert sum(len(log["stored"]) + log["unchanged"] for log in logs) == 16     # every fetch accounted for
    with engine.connect() as conn:
        digests = [d for (d,) in conn.execute(sa.text("SELECT digest FROM market_snapshots ORDER BY id"))]
    assert all(x != y for x, y in zip(digests[:-1], digests[1:], strict=True))   # never the same state twice in a row


def test_a_watch_that_cannot_run_is_one_line_before_any_fetch(tmp_path, monkeypatch):
    db = f"sqlite:///{tmp_path / 'j.db'}"
    for args, named in ((["--every", "0"], "--every 0 s is outside"), (["--count", "0"], "--count 0 is outside"),
                        (["--count", "1", "--db", "sqlite://"], "in-memory")):
        done = run_cli("watch", "polymarket", FED_CHAIR, *(["--db", db] if "--db" not in args else []), *args)
        assert done.returncode == 2 and named in done.stderr and done.stderr.count("\n") == 1, done.stderr
    monkeypatch.setenv("MARKET_POLYMARKET_URL", f"http://127.0.0.1:{closed_port()}")
    engine = connect(db)
    with pytest.raises(InputError, match="every fetch failed; the last: Polymarket could not be reached"):
        watch(engine, "polymarket", FED_CHAIR, every=0.1, count=2, sleep=lambda _seconds: None)
    assert watched_markets(engine) == []


def test_the_track_page_draws_a_watched_market_from_the_database(replay, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.dashboard.pages import APP

    replay([0, 1, 0])
    url = f"sqlite:///{tmp_path / 'watched.db'}"
    watch(connect(url), "polymarket", FED_CHAIR, every=0.1, count=3, sleep=lambda _seconds: None)
    monkeypatch.setenv("MARKET_JOURNAL_URL", url)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/track.py").run()
    at.radio(key="timeline_origin").set_value("Markets you watch").run()
    assert not at.exception and not at.error
    a, b = (fair(path) for path in STATES)
    news = next(m for m in at.metric if m.label.startswith("News over 2 steps"))
    assert news.value == f"{kl_bits(b, a) + kl_bits(a, b):.3f} bits"
    assert f"polymarket {FED_CHAIR} (3 snapshots)" == at.selectbox(key="watched_market").value


def test_a_journal_entry_on_a_live_market_is_rescored_against_its_latest_watched_snapshot(replay, tmp_path):
    from analytics.beliefs.reading import parse_beliefs
    from analytics.betting.odds_files import OddsRequest
    from data.market_files import markets_from_text
    from services.journal import rescore, save_pair
    from services.scoring import market_text, score_pairs
    from services.watch import latest_watched_market

    replay([0, 0, 1])
    engine = connect(f"sqlite:///{tmp_path / 'j.db'}")
    source = f"live:polymarket:https://polymarket.com/event/{FED_CHAIR}"
    text, name = market_text(source)                                   # the 17 January state
    market = markets_from_text(text, name, OddsRequest(), "multiplicative")[0]
    a, b = (fair(path) for path in STATES)
    belief_text = "outcome,probability\n" + "".join(f"{k},{v}\n" for k, v in {**a, "Kevin Warsh": 0}.items())
    pair = score_pairs([market], parse_beliefs(belief_text, "b.csv"))[0]
    entry = save_pair(engine, pair, belief_text=belief_text, market_source=source, method="multiplicative")
    assert latest_watched_market(engine, source, market.event, "multiplicative") is None     # not watched yet
    watch(engine, "polymarket", FED_CHAIR, every=0.1, count=2, sleep=lambda _seconds: None)   # 17th, then 18th
    latest, fetched = latest_watched_market(engine, source, market.event, "multiplicative")
    assert fetched == market_snapshots(engine, "polymarket", FED_CHAIR)[-1].fetched_at
    p = {k: v / (1 - a["Kevin Warsh"]) for k, v in a.items() if k != "Kevin Warsh"}
    assert rescore(engine, entry, latest).score.kl_nats == pytest.approx(
        sum(v * math.log(v / b[k]) for k, v in p.items()), rel=1e-9)
    assert rescore(engine, entry).score.kl_nats == pytest.approx(sum(v * math.log(v / a[k]) for k, v in p.items()),
                                                                 rel=1e-9)
