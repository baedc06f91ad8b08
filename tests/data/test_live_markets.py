"""Live markets (data.live_markets) on recorded answers of the real APIs (tests/data/recorded, PROVENANCE.md there)
served by a local HTTP server through MARKET_POLYMARKET_URL, MARKET_KALSHI_URL and MARKET_FOOTBALL_DATA_URL: the
probabilities and prices read from them against values computed by hand from the recorded JSON and CSV, `score`
and `fetch` on them, and every way a server can fail giving one line naming the source within 10 s."""

from __future__ import annotations

import csv
import http.server
import io
import json
import math
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from analytics.core.errors import InputError
from data.live_markets import (
    LiveOutcome,
    fetch_football_data,
    fetch_kalshi,
    fetch_live,
    fetch_polymarket,
    ordered_buckets,
    range_of_label,
)
from tests.conftest import run_cli
from tests.data.test_live import black_hole, closed_port  # noqa: F401 - black_hole: a fixture, by name

RECORDED = Path(__file__).parent / "recorded"
FED_CHAIR = "who-will-trump-nominate-as-fed-chair"
POLYMARKET = {FED_CHAIR: RECORDED / "polymarket" / f"{FED_CHAIR}.2026-01-17.json",
              "cfb-mia-wake-2026-09-18": RECORDED / "polymarket" / "cfb-mia-wake-2026-09-18.excerpt.json",
              "highest-temperature-in-hong-kong-on-may-5-2026":
                  RECORDED / "polymarket" / "highest-temperature-in-hong-kong-on-may-5-2026.excerpt.json"}
KALSHI = {"KXELONMARS-99": RECORDED / "kalshi" / "KXELONMARS-99.golden.json",
          "KXHIGHNY-26MAY05": RECORDED / "kalshi" / "KXHIGHNY-26MAY05.excerpt.json"}
FIXTURES = RECORDED / "football-data" / "fixtures.csv"
FAILURES = ("server-error", "huge", "broken", "not-an-event")


def recorded_body(path: str) -> bytes | None:
    """What the recorded API answers at `path` (None: nothing recorded there)."""
    route = urllib.parse.urlsplit(path).path
    name = route.rsplit("/", 1)[-1]
    if route.startswith("/events/slug/") and name in POLYMARKET:
        return POLYMARKET[name].read_bytes()
    if route.startswith("/events/") and name in KALSHI:
        answer = json.loads(KALSHI[name].read_text())
        return json.dumps(answer.get("response", answer)).encode()     # the golden file wraps the raw answer
    if route == "/fixtures.csv":
        return FIXTURES.read_bytes()
    return None


class _Handler(http.server.BaseHTTPRequestHandler):
    """The recorded answers at their API paths; a failure where the path (or football-data's base URL) names one."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        case = next((c for c in FAILURES if f"/{c}" in self.path), None)
        if case == "server-error":
            self.send_response(500)
            self.end_headers()
            return
        if case == "huge":
            self.send_response(200)
            self.end_headers()
            chunk = b" " * 65536
            for _ in range(20 * 16):              # 20 MiB
                self.wfile.write(chunk)
            return
        body = recorded_body(self.path)
        if case == "broken":
            body = b"{not json"
        elif body is None:
            body = json.dumps({"title": "x", "markets": "not a list"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv" if self.path.endswith(".csv") else "application/json")
        self.end_headers()
        self.wfile.write(body)


class RecordedServer(http.server.ThreadingHTTPServer):
    """The recorded APIs; a client that hangs up on a 20 MiB answer is expected, not an error to print."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    srv = RecordedServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.fixture
def pointed(server, monkeypatch):
    for variable in ("MARKET_POLYMARKET_URL", "MARKET_KALSHI_URL", "MARKET_FOOTBALL_DATA_URL"):
        monkeypatch.setenv(variable, server)
    monkeypatch.setenv("MARKET_LIVE_TIMEOUT", "2")
    return server


def _rows(text: str) -> dict[str, tuple[float, float]]:
    """outcome -> (fair price, price paid), both per unit of payout, from the written CSV."""
    return {r["outcome"]: (1 / float(r["odds"]), 1 / float(r["taken_odds"])) for r in csv.DictReader(io.StringIO(text))}


@pytest.mark.usefixtures("pointed")
def test_a_polymarket_multi_outcome_event_is_its_live_markets_yes_sides():
    """The recorded Fed-chair event: 39 markets, of which 12 are placeholders with no prices and 2 archived duplicates
    of live names (Bullard at 0.038, Rieder at 0.075): only the 25 tradable ones are outcomes."""
    recorded = json.loads(POLYMARKET[FED_CHAIR].read_text())["markets"]
    live = [m for m in recorded if m["active"] and not m["closed"] and not m.get("archived")]
    assert len(recorded) == 39 and len(live) == 25
    rows = _rows(fetch_polymarket(FED_CHAIR).text)
    assert list(rows) == [m["groupItemTitle"] for m in live]
    for name, (mid, ask) in {"Kevin Warsh": (0.555, 0.56), "Kevin Hassett": (0.155, 0.16),
                             "Christopher Waller": (0.1635, 0.165), "Rick Rieder": (0.0835, 0.084),
                             "James Bullard": (0.0005, 0.001)}.items():
        assert rows[name] == (pytest.approx(mid), pytest.approx(ask)), name
    assert "Other" not in rows and "Individual T" not in rows
    assert sum(mid for mid, _ask in rows.values()) == pytest.approx(1.007)


@pytest.mark.usefixtures("pointed")
def test_a_polymarket_game_is_its_moneyline_and_a_binary_market_its_two_outcomes():
    """The recorded game lists its moneyline, a spread and a total as separate markets: the moneyline (the market
    whose slug is the event's) is the event; its second outcome costs 1 - bestBid."""
    rows = _rows(fetch_polymarket("https://polymarket.com/event/cfb-mia-wake-2026-09-18").text)
    assert rows == {"Miami (FL)": (pytest.approx(0.92), pytest.approx(0.93)),
                    "Wake Forest": (pytest.approx(0.08), pytest.approx(1 - 0.91))}


@pytest.mark.usefixtures("pointed")
def test_a_kalshi_one_market_event_is_yes_and_no_at_the_mid_of_bid_and_ask():
    answer = json.loads(KALSHI["KXELONMARS-99"].read_text())["response"]
    market = answer["markets"][0]
    bid, ask = float(market["yes_bid_dollars"]), float(market["yes_ask_dollars"])
    assert (bid, ask, market["yes_bid"], market["yes_ask"]) == (0.06, 0.07, 6, 7)     # cents and dollars agree
    live = fetch_kalshi("KXELONMARS-99")
    rows = _rows(live.text)
    assert rows == {"Yes": (pytest.approx((bid + ask) / 2), pytest.approx(ask)),
                    "No": (pytest.approx(1 - (bid + ask) / 2), pytest.approx(float(market["no_ask_dollars"])))}
    assert live.url.endswith("/events/KXELONMARS-99?with_nested_markets=true")


@pytest.mark.usefixtures("pointed")
@pytest.mark.parametrize(("fetch", "ident", "gap"), [
    (fetch_polymarket, "highest-temperature-in-hong-kong-on-may-5-2026", "above 19"),
    (fetch_kalshi, "KXHIGHNY-26MAY05", "above 78")])
def test_a_range_event_that_leaves_part_of_the_line_unpriced_is_refused_naming_the_gap(fetch, ident, gap):
    """Both recorded range events hold two buckets (the recorders cut them): nothing prices the values above."""
    with pytest.raises(InputError) as caught:
        fetch(ident)
    message = str(caught.value)
    assert f"no market covers values {gap}" in message and "\n" not in message


def test_range_outcome_names_from_the_recorded_answers_become_intervals():
    assert range_of_label("18°C or below") == (None, 18)
    assert range_of_label("19°C") == (19, 19)
    assert range_of_label("77° to 78°") == (77, 78)
    assert range_of_label("76° or below") == (None, 76)
    assert range_of_label("250-275 bp") == (250, 275)
    assert range_of_label("> 3.5%") == (3.5, None)
    assert range_of_label("$100,000 or above") == (100000, None)
    for not_a_range in ("Spread -19.5", "O/U 50.5", "Kevin Warsh", "No change"):
        assert range_of_label(not_a_range) is None, not_a_range


def test_ordered_buckets_sort_a_ladder_and_accept_whole_unit_steps():
    ladder = [LiveOutcome("21°C or higher", 0.2, 0.21, 21, None), LiveOutcome("19°C", 0.3, 0.31, 19, 19),
              LiveOutcome("18°C or below", 0.1, 0.11, None, 18), LiveOutcome("20°C", 0.4, 0.41, 20, 20)]
    assert [o.label for o in ordered_buckets("test", ladder)] == ["18°C or below", "19°C", "20°C", "21°C or higher"]
    with pytest.raises(InputError, match="'19°C' and '21°C or higher' overlap or leave a gap"):
        ordered_buckets("test", [o for o in ladder if o.label != "20°C"])


@pytest.mark.usefixtures("pointed")
def test_football_data_fixtures_of_one_league_read_as_a_season_file():
    """E1 in the recorded fixtures: two matches; Bet365's 1X2 de-margined multiplicatively by hand."""
    live = fetch_football_data("e1")
    table = list(csv.DictReader(io.StringIO(live.text)))
    assert [(r["HomeTeam"], r["AwayTeam"]) for r in table] == [("Bristol City", "Lincoln"),
                                                               ("Middlesbrough", "Millwall")]
    assert len(json.loads(json.dumps(table[0]))) == 94                        # every column of the season files
    done = run_cli("fetch", "football-data", "E1")
    assert done.returncode == 0, done.stderr
    events = json.loads(done.stdout)["events"]
    inverse = [1 / 1.79, 1 / 3.6, 1 / 4.1]
    expected = {k: v / sum(inverse) for k, v in zip(("Home", "Draw", "Away"), inverse, strict=True)}
    assert events[0]["event"] == "2026-09-15 Bristol City v Lincoln"
    assert events[0]["probabilities"] == pytest.approx(expected, rel=1e-12)
    assert len(json.loads(run_cli("fetch", "football-data", "ALL").stdout)["events"]) == 30
    with pytest.raises(InputError, match="no fixtures of league 'E0'; the file has E1, E2, EC, N1, SC0"):
        fetch_football_data("E0")


@pytest.mark.usefixtures("pointed")
def test_score_and_fetch_on_a_live_event(write, tmp_path):
    # the command line inherits the base URLs from this process (the fixture set them)
    belief = write("b.csv", "outcome,probability\nYes,0.2\nNo,0.8\n")
    done = run_cli("score", "--market", "live:kalshi:KXELONMARS-99", "--belief", belief, "--method",
                   "multiplicative")
    assert done.returncode == 0, done.stderr
    q = {"Yes": 0.065, "No": 0.935}                 # the mids sum to 1: nothing to de-margin
    p = {"Yes": 0.2, "No": 0.8}
    assert json.loads(done.stdout)["kl_nats"] == pytest.approx(sum(p[k] * math.log(p[k] / q[k]) for k in p),
                                                               rel=1e-9)
    out = tmp_path / "mars.csv"
    fetched = run_cli("fetch", "kalshi", "KXELONMARS-99", "--out", str(out))
    assert fetched.returncode == 0, fetched.stderr
    summary = json.loads(fetched.stdout)
    assert summary["out"] == str(out) and summary["events"][0]["probabilities"] == pytest.approx(q)
    again = run_cli("score", "--market", str(out), "--belief", belief, "--method", "multiplicative")
    assert json.loads(again.stdout)["kl_nats"] == pytest.approx(json.loads(done.stdout)["kl_nats"], rel=1e-12)
    saved = run_cli("journal", "add", "--market", "live:kalshi:KXELONMARS-99", "--belief", belief, "--method",
                    "multiplicative", "--db", f"sqlite:///{tmp_path / 'j.db'}")
    assert saved.returncode == 0, saved.stderr
    entry = json.loads(saved.stdout)
    assert entry["kl_nats"] == pytest.approx(json.loads(done.stdout)["kl_nats"], rel=1e-12)
    assert entry["market"]["source"] == "live:kalshi:KXELONMARS-99"


SOURCES = {"polymarket": ("MARKET_POLYMARKET_URL", "Polymarket", FED_CHAIR),
           "kalshi": ("MARKET_KALSHI_URL", "Kalshi", "KXELONMARS-99"),
           "football-data": ("MARKET_FOOTBALL_DATA_URL", "football-data", "E1")}


@pytest.mark.parametrize("source", list(SOURCES))
@pytest.mark.parametrize("case", ["silent", "refused", "server-error", "huge", "broken", "not-an-event"])
def test_every_failure_is_one_line_naming_the_source_within_10_s(source, case, server, monkeypatch, request):
    variable, name, ident = SOURCES[source]
    base = server
    if case == "silent":
        base = f"http://127.0.0.1:{request.getfixturevalue('black_hole')}"
    elif case == "refused":
        base = f"http://127.0.0.1:{closed_port()}"
    elif source == "football-data" or case != "not-an-event":
        base = f"{server}/{case}"                 # the handler fails where the path names a case
    else:
        ident = "not-an-event"
    monkeypatch.setenv(variable, base)
    monkeypatch.setenv("MARKET_LIVE_TIMEOUT", "2")
    start = time.monotonic()
    with pytest.raises(InputError) as caught:
        fetch_live(f"live:{source}:{ident}")
    assert time.monotonic() - start < 10
    message = str(caught.value)
    assert message.startswith(name) and "\n" not in message, message
    expected = {"silent": "did not answer within 2 s", "refused": "could not be reached", "server-error": "HTTP 500",
                "huge": "larger than 5 MiB", "broken": "not JSON", "not-an-event": "not an event"}[case]
    if source == "football-data" and case in ("broken", "not-an-event"):
        expected = "not a fixtures file"
    assert expected in message, message


def test_an_unknown_source_or_form_is_named():
    for spec, named in (("live:betfair:X", "is not one of"), ("live:polymarket", "live:SOURCE:ID"),
                        ("polymarket:x", "live:SOURCE:ID"), ("live:kalshi:a b", "is not an event ticker"),
                        ("live:football-data:E0;rm", "is not a league code")):
        with pytest.raises(InputError, match=named):
            fetch_live(spec)


def test_a_whole_degree_kalshi_ladder_reads_its_strikes_as_inclusive_whole_units():
    """The recorded NYC ladder (76° or below: 'less' than 77; 77° to 78°: 'between') completed by a third market
    written here, 'greater' than 78: the buckets read 76 or below, 77-78, 79 or above, contiguous in whole degrees."""
    from data.live_markets import kalshi_outcomes

    answer = json.loads(KALSHI["KXHIGHNY-26MAY05"].read_text())
    top = {**answer["markets"][1], "strike_type": "greater", "floor_strike": 78, "cap_strike": None,
           "yes_sub_title": "79° or above", "yes_bid_dollars": "0.9300", "yes_ask_dollars": "0.9500"}
    _title, outcomes = kalshi_outcomes({**answer, "markets": [*answer["markets"], top]})
    assert [(o.label, o.low, o.high) for o in outcomes] == [("76° or below", None, 76.0), ("77° to 78°", 77.0, 78.0),
                                                            ("79° or above", 79.0, None)]
    assert [o.mid for o in outcomes] == pytest.approx([0.015, 0.025, 0.94])
