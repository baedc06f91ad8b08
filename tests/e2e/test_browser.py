"""Open each page in headless Chromium, upload a belief through the real file input, check the KL."""

import time

import numpy as np
import pytest

from analytics.beliefs.discrete import DiscreteBelief
from analytics.beliefs.spec import NamedBelief
from analytics.betting.odds_files import OddsRequest
from analytics.scoring.discrete import HEADLINE_LABEL, score_named_belief
from data.files import read_text_file
from data.market_files import markets_from_text
from tests.conftest import ROOT
from tests.dashboard.pages import WORKING
from tests.e2e.sessions import APP_IDLE

pytestmark = pytest.mark.browser


def settled(page, timeout_ms: int = 60_000) -> None:
    """Until the app says nothing is running: whatever a rerun draws after its first message is on the page."""
    page.wait_for_function(APP_IDLE, timeout=timeout_ms)


def metric_value(page, label_start):
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label_start).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def test_betting_page_upload_and_kl(page, server_url, artifacts, tmp_path):
    page.goto(server_url)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    page.get_by_text("Uploading a file").click()
    belief = tmp_path / "belief.csv"
    belief.write_text("outcome,probability\nHome,20%\nDraw,20%\nAway,60%\n")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(belief))
    page.get_by_text("Belief from belief").wait_for()
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    shown = metric_value(page, "Kelly (log-utility) edge")
    markets = markets_from_text(read_text_file(ROOT / "data/snapshots/odds/football-data_E0_2324.csv"), "x",
                                OddsRequest(), "shin")
    want = score_named_belief(NamedBelief("b", DiscreteBelief(markets[0].labels, np.array([0.2, 0.2, 0.6]))),
                              markets[0])
    assert shown == f"{want.kl_bits:.4f} bits"
    page.screenshot(path=str(artifacts / "betting.png"))


def test_learn_page(page, server_url, artifacts):
    page.goto(f"{server_url}/learn")
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    assert metric_value(page, "Kelly (log-utility) edge") == "6.6439 bits"
    page.screenshot(path=str(artifacts / "learn.png"))


def test_html_report_renders_offline(page, artifacts, tmp_path, write):
    from reporting.report import build_report, render
    from services.scoring import MarketRequest, score_files

    market = write("m.csv", "outcome,probability\nHome,0.4\nDraw,0.4\nAway,0.2\n")
    belief = write("b.csv", "outcome,probability\nHome,0.5\nDraw,0.3\nAway,0.2\n")
    report = build_report(score_files(market, belief, MarketRequest()), market_source=market, belief_source=belief,
                          method="shin")
    path = tmp_path / "report.html"
    path.write_bytes(render(report, ".html"))
    page.route("http*://**", lambda route: route.abort())   # no network at all
    page.goto(path.as_uri())
    page.locator(".main-svg").first.wait_for()
    assert page.locator(".js-plotly-plot").count() == 2
    assert "0.0364528" in page.inner_text("body")
    page.screenshot(path=str(artifacts / "report.png"))


def test_options_page_upload_and_kl(page, server_url, artifacts):
    from analytics.beliefs.reading import parse_beliefs
    from analytics.scoring.continuous import ContinuousMarket, score_continuous_belief
    from data.chains import asof_new_york, bundled_chains, densities_from_file

    page.goto(f"{server_url}/options")
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=60000)
    page.get_by_text("Upload a belief file", exact=True).click()
    belief = ROOT / "data/examples/buckets.csv"
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(belief))
    page.locator('[data-testid="stMetric"]').filter(has_text="Kelly (log-utility) edge").first.wait_for()
    page.locator('[data-testid="stPlotlyChart"] .main-svg').nth(2).wait_for()
    info = bundled_chains()[0]
    densities = densities_from_file(str(info.file), asof=asof_new_york(info.asof_utc), spot=info.spot, rate=None)
    chain = densities[min(2, len(densities) - 1)]
    market = ContinuousMarket(chain.expiry, chain.density, (), chain.diagnostics.quoted_strike_range)
    want = score_continuous_belief(parse_beliefs(belief.read_text(), "b")[0].spec, market)
    page.wait_for_function("want => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
                           ".some(e => e.innerText === want)", arg=f"{want.kl_nats / np.log(2):.4f} bits",
                           timeout=30000)
    page.screenshot(path=str(artifacts / "options.png"), full_page=True)


def test_hostile_labels_render_as_text_in_the_browser(page, server_url, tmp_path):
    """A label carrying a link, an image and HTML shows as characters: no anchor, no image, nothing fetched."""
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if "evil.example" in request.url else None)
    page.goto(server_url)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    page.get_by_text("Uploading a file").click()
    belief = tmp_path / "hostile.csv"
    belief.write_text('outcome,probability\n"[Re-login here](http://evil.example/login) '
                      '![x](http://evil.example/i.png) <img src=http://evil.example/j.png>",0.5\n'
                      'Draw,0.25\nAway,0.25\n')
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(belief))
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="Re-login here").first
    alert.wait_for()
    assert alert.locator("a").count() == 0 and alert.locator("img").count() == 0
    assert "[Re-login here](http://evil.example/login)" in alert.inner_text().replace("\u2060", "")
    assert not fetched


def test_track_record_page(page, server_url, artifacts):
    """The season's backtest in the browser: the shown totals, interval and p-value are the command line's."""
    from services.scoring import MarketRequest
    from services.track import track_record

    season = str(ROOT / "data/snapshots/odds/football-data_E0_2324.csv")
    want = track_record(season, season, MarketRequest(method="shin", bookmaker="B365", belief_bookmaker="PSC"),
                        closing_bookmaker="PSC", kelly_fraction=0.5).result.summary()
    page.goto(f"{server_url}/track")
    page.locator('[data-testid="stPlotlyChart"] .main-svg').nth(2).wait_for(timeout=60_000)
    assert metric_value(page, "Realised at fair prices") == f"{want['realised_growth_fair_bits_total']:.3f} bits"
    assert metric_value(page, "Is the edge real?") == f"{want['dm_p_value']:.4f}"
    page.screenshot(path=str(artifacts / "track-record.png"))


def test_best_prices_and_bookmaker_season_table(page, server_url, artifacts):
    """Betting at the best odds across bookmakers (the bookmaker of each stake shown, and what shopping adds),
    then the season table of bookmakers' margins and distance to the close."""
    page.goto(server_url)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    page.get_by_text("the best odds across bookmakers").click()
    page.locator('[data-testid="stMetric"]').filter(has_text="What shopping for prices adds").first.wait_for(
        timeout=60_000)
    assert metric_value(page, "What shopping for prices adds").endswith("bits per bet")
    page.screenshot(path=str(artifacts / "betting-best-prices.png"))
    page.get_by_text("Whole file (season view)").click()
    page.get_by_text("Bookmakers over the season").wait_for(timeout=60_000)
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    page.screenshot(path=str(artifacts / "betting-season-bookmakers.png"))


def test_a_journal_entry_survives_a_restart(browser, artifacts, tmp_path):
    """Save a belief to the journal in the browser, stop the server, start it again: the entry is there."""
    from data import journal as store
    from tests.e2e.conftest import start_server, stop_server

    url_env = {"MARKET_JOURNAL_URL": f"sqlite:///{tmp_path / 'journal.db'}"}
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    page.set_default_timeout(60_000)
    proc, url = start_server(url_env)
    try:
        page.goto(url)
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
        settled(page)                  # a click while the first run still draws can land on an element it replaces
        page.get_by_text("Save to journal").click()
        page.get_by_label("Note").fill("<b>kept</b> =1+1")
        page.get_by_label("Note").press("Enter")
        settled(page)                  # the note's rerun has finished: the Save below is the one on the page
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("Saved as journal entry 1.").wait_for()
    finally:
        stop_server(proc)
    proc, url = start_server(url_env)
    try:
        page.goto(f"{url}/journal")
        page.locator('[data-testid="stMetric"]').filter(has_text="Entries").first.wait_for()
        assert metric_value(page, "Entries") == "1"
        page.locator('[data-testid="stDataFrame"]').first.wait_for()
        page.get_by_role("button", name="Resolve", exact=True).first.wait_for()
        page.screenshot(path=str(artifacts / "journal.png"))
    finally:
        stop_server(proc)
        context.close()
    [entry] = store.list_entries(store.connect(url_env["MARKET_JOURNAL_URL"]))
    assert entry["note"] == "<b>kept</b> =1+1"


CUT_LABELS = """() => [...document.querySelectorAll('[data-testid=stMetricLabel]')].filter(label =>
    [label, ...label.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1
                                                  && getComputedStyle(e).overflow !== 'visible'))
    .map(label => label.innerText)"""
SIDEWAYS_TABLES = """() => [...document.querySelectorAll('[data-testid=stDataFrame] .dvn-scroller')]
    .map(e => [e.scrollWidth, e.clientWidth])"""


@pytest.mark.parametrize(("path", "tables_fit"), [("", True), ("options", True), ("track", False), ("learn", True)])
def test_nothing_is_cut_off_on_a_1280_pixel_screen(page, server_url, artifacts, path, tables_fit):
    """On a 1280 x 800 screen no figure's label is cut short, and the tables show all their columns without
    scrolling sideways (the stakes table hid its last two columns, the track record cut its first label short).
    The track record's per-match table has eleven columns: it scrolls, with the event pinned."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{server_url}/{path}")
    page.locator('[data-testid="stMetric"]:visible, [data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    settled(page)
    assert page.evaluate(CUT_LABELS) == []
    widths = page.evaluate(SIDEWAYS_TABLES)
    if tables_fit:
        assert all(scroll <= client for scroll, client in widths), widths
    page.screenshot(path=str(artifacts / f"page-{path or 'betting'}-1280.png"))


# the page has drawn a new view and its trades: the headline KL is no longer `old`, no run is going, the waiting
# note has left and the ticket is on the page (the ticket's heading alone is no sign: the last view's stays on the
# page, marked stale, while the new view's run goes)
HEADLINE_BOX = ("[...document.querySelectorAll('[data-testid=stMetric]')]"
                f".find(e => e.innerText.includes('{HEADLINE_LABEL}'))")
NOTE_SHOWN = f"document.body.innerText.includes('{WORKING}')"
TICKET_SHOWN = ("[...document.querySelectorAll('h1, h2, h3, h4')]"
                ".some(h => h.innerText.trim() === 'Order ticket')")
VIEW_AND_TRADES_SHOWN = (f"(old) => {{ const m = {HEADLINE_BOX};"
                         f" return m && m.innerText !== old && ({APP_IDLE})() && !{NOTE_SHOWN} && {TICKET_SHOWN}; }}")


def headline_text(page) -> str:
    return page.locator('[data-testid="stMetric"]').filter(has_text=HEADLINE_LABEL).first.inner_text()


def new_median(page, median: str) -> None:
    """Type `median` into the view and wait until the page shows its KL and its trades."""
    before = headline_text(page)
    box = page.get_by_label("Median", exact=True)
    box.fill(median)
    box.press("Enter")
    page.wait_for_function(VIEW_AND_TRADES_SHOWN, arg=before, timeout=60_000)


def a_view_with_its_ticket(page, server_url: str) -> None:
    """The Options page (bundled SPY, its default expiry) with a view whose median is 720, its order ticket drawn."""
    page.goto(f"{server_url}/options")
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=60_000)
    settled(page)
    page.get_by_text("A view (median and range)", exact=True).click()
    # the view's box exists only once the run the click started is going: idle after it means that run is over
    # (typed into while that run still goes, a number was lost and the page stayed on the market's own KL)
    page.get_by_label("Median", exact=True).wait_for(timeout=60_000)
    settled(page)
    new_median(page, "720")


def test_nothing_is_cut_off_with_a_view_its_trades_and_its_ticket(page, server_url, artifacts):
    """The Options page with a view (median 720) on a screen 1280 wide: the edge summary beside the payoff chart
    and the order ticket's table show all their columns (the first scrolled 426 pixels in 400, the second 859 in
    818: the ticket's structures are numbered in the table and named under it)."""
    page.set_viewport_size({"width": 1280, "height": 800})
    a_view_with_its_ticket(page, server_url)
    # a screen 1280 wide and tall enough for all of it: a table draws once it is on the screen
    page.set_viewport_size({"width": 1280, "height": 4000})
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stDataFrame] .dvn-scroller').length >= 4",
                           timeout=60_000)
    assert page.evaluate(CUT_LABELS) == []
    widths = page.evaluate(SIDEWAYS_TABLES)
    page.screenshot(path=str(artifacts / "options-view-1280.png"))
    assert all(scroll <= client for scroll, client in widths), widths


# every state the page passes through (headline, note shown, ticket shown), kept in the page
RECORD_STATES = (f"() => {{ window.__states = []; new MutationObserver(() => {{ const m = {HEADLINE_BOX};"
                 f" const state = [m ? m.innerText : null, {NOTE_SHOWN}, {TICKET_SHOWN}];"
                 " const last = window.__states[window.__states.length - 1];"
                 " if (!last || last.some((v, i) => v !== state[i])) window.__states.push(state); })"
                 ".observe(document.body, {subtree: true, childList: true, characterData: true}); }")


def test_a_new_view_shows_its_numbers_then_its_trades_and_the_page_then_rests(page, server_url):
    """The trades are worked out off the page's run and shown by a poll: after a new median the headline KL
    changes, the trades come (the waiting note leaves), and then the browser asks for nothing more: a poll that
    kept running would rerun part of the page ten times a second for as long as it is open."""
    frames: list[float] = []
    page.on("websocket", lambda socket: socket.on("framesent", lambda _payload: frames.append(time.monotonic())))
    a_view_with_its_ticket(page, server_url)
    # recorded in the page, not asked for after the fact: the note shows for a few tenths of a second
    page.evaluate(RECORD_STATES)
    new_median(page, "706.5")       # a view no other test asks for: its trades are worked out, not remembered
    states = page.evaluate("window.__states")
    new_headline = headline_text(page)
    # the new view's numbers with the note in the trades' place and no trades, before its trades came
    assert any(headline == new_headline and note and not ticket for headline, note, ticket in states), states
    settled(page)
    resting_since = time.monotonic()
    page.wait_for_timeout(2_000)
    assert [t for t in frames if t > resting_since] == []


def test_downloads_in_a_row_all_arrive_without_rerunning_the_page(page, server_url, tmp_path):
    """HTML, then JSON, then CSV straight after, on the Options page: each file arrives whole (the second of two
    downloads in a row never came: every click reran the page and dropped the file prepared before)."""
    import json

    page.goto(f"{server_url}/options")
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=60_000)
    settled(page)
    got = {}
    for label, suffix in (("Download HTML report", ".html"), ("Download JSON", ".json"), ("Download CSV", ".csv")):
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name=label).click()
        path = tmp_path / f"report{suffix}"
        download.value.save_as(path)
        got[suffix] = path.read_text(encoding="utf-8")
    assert got[".html"].rstrip().endswith("</html>")
    assert abs(json.loads(got[".json"])["results"][0]["kl_bits"]) < 1e-12      # the market itself
    assert got[".csv"].startswith("schema_version,event,belief,quantity,outcome,value")


def test_the_order_ticket_downloads_and_reads_back(page, server_url, tmp_path, artifacts):
    """Options, a view with its median at 720: the ticket's CSV and JSON arrive and hold the same whole-contract
    orders as the page's table; premiums + commissions + cash come back to the bankroll."""
    import csv
    import io
    import json

    a_view_with_its_ticket(page, server_url)
    got = {}
    for label, suffix in (("Download the ticket (CSV)", ".csv"), ("Download the ticket (JSON)", ".json")):
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name=label).click()
        path = tmp_path / f"ticket{suffix}"
        download.value.save_as(path)
        got[suffix] = path.read_text(encoding="utf-8")
    ticket = json.loads(got[".json"])
    rows = list(csv.DictReader(io.StringIO(got[".csv"])))
    assert ticket["orders"] and len(rows) == len(ticket["orders"])
    for row, order in zip(rows, ticket["orders"], strict=True):
        assert row["symbol"] == order["symbol"] and int(row["contracts"]) == order["contracts"]
        assert row["side"] == order["side"] and float(row["limit"]) == order["limit"]
        assert ticket["structures"][order["structure"]]["name"] == row["structure"]
    spent = sum(o["premium"] + o["commission"] for o in ticket["orders"]) + ticket["orders_cash"]
    assert abs(spent - ticket["orders_settings"]["bankroll"]) < 0.005
    page.get_by_role("heading", name="Order ticket").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "options-order-ticket.png"))


def test_the_bet_slip_downloads_and_reads_back(page, server_url, tmp_path):
    """Betting, a belief file of one's own: the slip's CSV holds stakes in whole units of 0.01 at the page's odds."""
    import csv
    import io

    page.goto(server_url)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    settled(page)
    page.get_by_text("Uploading a file").click()
    belief = tmp_path / "belief.csv"
    belief.write_text("outcome,probability\nHome,0.60\nDraw,0.25\nAway,0.15\n")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(belief))
    page.get_by_text("Belief from belief").wait_for(timeout=60_000)      # the page breaks links in file names
    settled(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download the bet slip (CSV)").click()
    path = tmp_path / "slip.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows and all(float(r["stake"]) > 0 and abs(float(r["stake"]) * 100 - round(float(r["stake"]) * 100))
                        < 1e-6 for r in rows)
    assert {r["outcome"] for r in rows} <= {"Home", "Draw", "Away"} and rows[0]["bookmaker"]
