"""Live markets (data.live_markets) on recorded answers of the real APIs (tests/data/recorded, PROVENANCE.md there)
served by a local HTTP server through MARKET_POLYMARKET_URL, MARKET_KALSHI_URL, MARKET_FOOTBALL_DATA_URL and
MARKET_ODDS_API_URL: the
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
    fetch_odds_api,
    fetch_polymarket,
    odds_api_fixtures,
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
ODDS_API = {"soccer_epl": RECORDED / "odds-api" / "odds_api_soccer_epl_2024-08-19.json"}
MLB_AMERICAN = RECORDED / "odds-api" / "odds_api_baseball_mlb_2024-05-24_american.json"
ODDS_API_KEY = "test-key-0123456789abcdef"
ODDS_API_QUERIES: list[dict[str, list[str]]] = []         # what the recorded Odds API was asked
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
    if route.startswith("/v4/sports/") and route.endswith("/odds"):
        ODDS_API_QUERIES.append(urllib.parse.parse_qs(urllib.parse.urlsplit(path).query))
        sport = route.split("/")[3]
        return ODDS_API[sport].read_bytes() if sport in ODDS_API else None
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
    for variable in ("MARKET_POLYMARKET_URL", "MARKET_KALSHI_URL", "MARKET_FOOTBALL_DATA_URL", "MARKET_ODDS_API_URL"):
        monkeypatch.setenv(variable, server)
    monkeypatch.setenv("MARKET_ODDS_API_KEY", ODDS_API_KEY)
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
           "football-data": ("MARKET_FOOTBALL_DATA_URL", "football-data", "E1"),
           "odds-api": ("MARKET_ODDS_API_URL", "The Odds API", "soccer_epl")}


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
        ident = "not_an_event" if source == "odds-api" else "not-an-event"
    monkeypatch.setenv(variable, base)
    monkeypatch.setenv("MARKET_LIVE_TIMEOUT", "2")
    monkeypatch.setenv("MARKET_ODDS_API_KEY", ODDS_API_KEY)
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
    if source == "odds-api" and case == "not-an-event":
        expected = "not a list of events"
    assert expected in message, message
    assert ODDS_API_KEY not in message


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


def _epl_by_hand() -> list[dict[str, float]]:
    """Each recorded EPL match's Betway odds by side, matched to the teams by name from the JSON itself."""
    out = []
    for event in json.loads(ODDS_API["soccer_epl"].read_text()):
        sides = {event["home_team"]: "H", event["away_team"]: "A", "Draw": "D"}
        prices = event["bookmakers"][0]["markets"][0]["outcomes"]
        out.append({sides[o["name"]]: o["price"] for o in prices})
    return out


@pytest.mark.usefixtures("pointed")
def test_the_odds_api_events_read_as_a_season_file_and_the_key_stays_out_of_everything_kept(write, tmp_path):
    """The recorded EPL answer (Betway, outcomes in varying order): each match's H/D/A odds as the JSON gives them
    per team, the probabilities de-margined by hand; the key is sent to the server and found nowhere else."""
    ODDS_API_QUERIES.clear()
    live = fetch_odds_api("soccer_epl")
    rows = list(csv.DictReader(io.StringIO(live.text)))
    assert list(rows[0]) == ["Div", "Date", "Time", "HomeTeam", "AwayTeam", "BETWAYH", "BETWAYD", "BETWAYA"]
    by_hand = _epl_by_hand()
    assert [{k: float(r[f"BETWAY{k}"]) for k in "HDA"} for r in rows] == by_hand
    assert (rows[5]["HomeTeam"], rows[5]["BETWAYH"], rows[5]["BETWAYA"]) == ("Manchester City", "1.09", "21.0")
    assert ODDS_API_QUERIES[-1]["apiKey"] == [ODDS_API_KEY] and ODDS_API_QUERIES[-1]["oddsFormat"] == ["decimal"]
    assert ODDS_API_KEY not in live.url + live.text + live.name

    done = run_cli("fetch", "odds-api", "soccer_epl", "--out", str(tmp_path / "epl.csv"))
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout)["events"][0]
    inverse = {"Home": 1 / by_hand[0]["H"], "Draw": 1 / by_hand[0]["D"], "Away": 1 / by_hand[0]["A"]}
    assert first["event"] == "2024-08-19 Leicester City v Tottenham Hotspur"
    assert first["probabilities"] == pytest.approx({k: v / sum(inverse.values()) for k, v in inverse.items()},
                                                   rel=1e-12)
    belief = write("b.csv", "outcome,probability\nHome,0.3\nDraw,0.3\nAway,0.4\n")
    db = tmp_path / "j.db"
    saved = run_cli("journal", "add", "--market", "live:odds-api:soccer_epl", "--bookmaker", "BETWAY", "--belief",
                    belief, "--event", first["event"], "--method", "multiplicative", "--db", f"sqlite:///{db}")
    assert saved.returncode == 0, saved.stderr
    q = {k: v / sum(inverse.values()) for k, v in inverse.items()}
    p = {"Home": 0.3, "Draw": 0.3, "Away": 0.4}
    assert json.loads(saved.stdout)["kl_nats"] == pytest.approx(sum(p[k] * math.log(p[k] / q[k]) for k in p),
                                                                rel=1e-9)
    scored = run_cli("score", "--market", "live:odds-api:soccer_epl", "--belief", belief, "--event", first["event"],
                     "--method", "multiplicative")            # no --bookmaker: the file's first, Betway, as above
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout)["kl_nats"] == pytest.approx(json.loads(saved.stdout)["kl_nats"], rel=1e-12)
    watched = run_cli("watch", "odds-api", "soccer_epl", "--every", "0.1", "--count", "2", "--db", f"sqlite:///{db}")
    assert watched.returncode == 0, watched.stderr
    assert (len(json.loads(watched.stdout)["stored"]), json.loads(watched.stdout)["unchanged"]) == (1, 1)
    kept = done.stdout + done.stderr + saved.stdout + saved.stderr + scored.stdout + watched.stdout + watched.stderr + \
        (tmp_path / "epl.csv").read_text()
    assert ODDS_API_KEY not in kept and ODDS_API_KEY.encode() not in db.read_bytes()


def test_the_odds_api_american_odds_of_a_two_way_sport_feed_best_prices_and_consensus():
    """The recorded MLB answer (12 bookmakers, American odds, no draws): H/A columns per book, each price converted
    by hand (+138 -> 2.38, -164 -> 1 + 100/164), and best prices across the books are the highest by hand."""
    from analytics.betting.odds_files import football_bookmakers, two_way
    from services.prices import PriceChoice, priced_markets

    answer = json.loads(MLB_AMERICAN.read_text())
    text = odds_api_fixtures(answer, "baseball_mlb", "american")
    columns = {c.lower() for c in next(csv.reader(io.StringIO(text)))}
    assert two_way(columns) and "FANDUEL" in football_bookmakers(columns) and len(football_bookmakers(columns)) == 13

    def decimal(american: float) -> float:
        return 1 + (american / 100 if american > 0 else 100 / -american)

    markets = priced_markets(text, "mlb", PriceChoice("consensus", "best"), "decimal", "multiplicative")
    assert len(markets) == len(answer) == 9
    for event, market in zip(answer, markets, strict=True):
        assert market.labels == ("Home", "Away")
        best = {}
        for book in event["bookmakers"]:
            for o in book["markets"][0]["outcomes"]:
                side = "Home" if o["name"] == event["home_team"] else "Away"
                best[side] = max(best.get(side, 0.0), decimal(o["price"]))
        assert dict(zip(market.labels, market.odds, strict=True)) == pytest.approx(best, rel=1e-12)
        assert market.distribution.probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    fanduel = next(b for b in answer[0]["bookmakers"] if b["key"] == "fanduel")["markets"][0]["outcomes"]
    row = next(csv.DictReader(io.StringIO(text)))
    home, away = (fanduel[1], fanduel[0]) if fanduel[1]["name"] == answer[0]["home_team"] else fanduel
    assert (float(row["FANDUELH"]), float(row["FANDUELA"])) == (decimal(home["price"]), decimal(away["price"]))


def test_the_odds_api_needs_a_key_and_is_offered_only_with_one(monkeypatch):
    from dashboard.state import live_sources
    from data.live_markets import LIVE_SOURCES
    from services.cli import LIVE_SOURCE_NAMES

    assert LIVE_SOURCE_NAMES == tuple(LIVE_SOURCES)         # the command line offers every source the adapters have

    monkeypatch.delenv("MARKET_ODDS_API_KEY", raising=False)
    with pytest.raises(InputError, match="The Odds API needs a key: set MARKET_ODDS_API_KEY"):
        fetch_live("live:odds-api:soccer_epl")
    assert [s for s, *_ in live_sources().values()] == ["polymarket", "kalshi", "football-data"]
    monkeypatch.setenv("MARKET_ODDS_API_KEY", ODDS_API_KEY)
    assert [s for s, *_ in live_sources().values()] == ["polymarket", "kalshi", "football-data", "odds-api"]


def test_an_odds_api_outcome_that_is_neither_team_nor_draw_leaves_that_price_out():
    """The recorded EPL answer with one match's outcome renamed, and one listed twice: those matches' cells are
    empty (the reader then skips them, naming them), the others as recorded; a price that is not a number is named."""
    answer = json.loads(ODDS_API["soccer_epl"].read_text())
    answer[0]["bookmakers"][0]["markets"][0]["outcomes"][2]["name"] = "Tie"
    outcomes = answer[1]["bookmakers"][0]["markets"][0]["outcomes"]
    outcomes[1] = dict(outcomes[0])
    rows = list(csv.DictReader(io.StringIO(odds_api_fixtures(answer, "soccer_epl"))))
    assert [rows[0][f"BETWAY{k}"] for k in "HDA"] == ["", "", ""] == [rows[1][f"BETWAY{k}"] for k in "HDA"]
    assert [{k: float(r[f"BETWAY{k}"]) for k in "HDA"} for r in rows[2:]] == _epl_by_hand()[2:]
    answer[2]["bookmakers"][0]["markets"][0]["outcomes"][0]["price"] = "five"
    with pytest.raises(InputError, match="The Odds API: BETWAY's .* price 'five' is not a number"):
        odds_api_fixtures(answer, "soccer_epl")
