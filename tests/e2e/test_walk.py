"""Both pages walked in a real browser as a user would, each shown figure checked against the analytics call for
the same inputs: state a belief, change the method, prepare a PDF, change the match, download the PDF of the match
on screen; change the underlying and the expiry and state a view. Screenshots land in test-artifacts/."""

import math
import subprocess

import numpy as np
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from analytics.beliefs.discrete import DiscreteBelief
from analytics.beliefs.spec import NamedBelief
from analytics.betting.odds_files import OddsRequest
from analytics.scoring.continuous import ContinuousMarket, score_continuous_belief
from analytics.scoring.discrete import score_named_belief
from analytics.views.spec import median_and_range
from dashboard.state import default_view_range
from data.chains import asof_new_york, bundled_chains, densities_from_file
from data.files import read_text_file
from data.market_files import markets_from_text
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
HEADLINE = "Kelly (log-utility) edge"


def wait_for_metric(page, label_start: str, value: str, timeout: int = 60_000) -> None:
    """Until the metric whose label starts with label_start shows exactly `value` (the rerun has finished)."""
    page.wait_for_function(
        "([label, value]) => [...document.querySelectorAll('[data-testid=stMetric]')].some(m => "
        "m.innerText.startsWith(label) && m.querySelector('[data-testid=stMetricValue]').innerText === value)",
        arg=[label_start, value], timeout=timeout)


def choose(page, label: str, option_text: str) -> None:
    """Open a selectbox and pick an option; a click that lands during a rerun closes the list, so try again."""
    option = page.get_by_role("option").filter(has_text=option_text).first
    for _attempt in range(3):
        page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first.click()
        try:
            option.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    option.click()


def football(event: str, method: str, belief: list[float]):
    markets = markets_from_text(read_text_file(ROOT / "data/snapshots/odds/football-data_E0_2324.csv"), "x",
                                OddsRequest(), method)
    market = next(m for m in markets if m.event == event)
    return score_named_belief(NamedBelief("b", DiscreteBelief(market.labels, np.asarray(belief))), market)


def bits(score_nats: float) -> str:
    return f"{score_nats / math.log(2):.4f} bits"


def test_betting_page_walk(page, server_url, artifacts, tmp_path):
    page.goto(server_url)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    first, second = "2023-08-11 Burnley v Man City", "2023-08-12 Arsenal v Nott'm Forest"
    wait_for_metric(page, HEADLINE, "0.0000 bits")            # nothing typed yet: the belief is the market
    page.screenshot(path=str(artifacts / "betting-first-load.png"))

    # the belief typed as statements: P(Home) = 0.5 and P(Draw) = 0.25 pin it to (0.5, 0.25, 0.25) whatever the
    # market (the canvas grid of the table is typed by AppTest through its state: in a loaded browser a cell edit
    # can land while the grid is redrawn and be lost)
    page.get_by_text("Stating views").click()
    box = page.get_by_role("textbox", name="Your views, one per line")
    box.fill("P(Home) = 0.5\nP(Draw) = 0.25")
    box.press("Control+Enter")
    wait_for_metric(page, HEADLINE, bits(football(first, "shin", [0.5, 0.25, 0.25]).kl_nats))
    page.screenshot(path=str(artifacts / "betting-typed.png"))
    choose(page, "Margin removal", "power:")
    want = football(first, "power", [0.5, 0.25, 0.25])        # the market moves, the typed belief does not
    wait_for_metric(page, HEADLINE, bits(want.kl_nats))
    assert want.tradable is not None
    wait_for_metric(page, "Kelly growth at tradable prices", bits(want.tradable.growth_nats))
    page.screenshot(path=str(artifacts / "betting-typed-power.png"))

    page.get_by_role("button", name="Prepare PDF").click()
    page.get_by_role("button", name="Download PDF").wait_for(timeout=90_000)
    choose(page, "Event (", second)
    wait_for_metric(page, HEADLINE, "0.0000 bits")            # a new match starts from its own market
    # never the last match's PDF (polled: elements of the previous run stay until this run reaches them)
    expect(page.get_by_role("button", name="Download PDF")).to_have_count(0, timeout=30_000)
    page.get_by_role("button", name="Prepare PDF").click()
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="Download PDF").click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Arsenal v Nott'm Forest" in text and "Burnley" not in text


def spy_like(ticker: str, expiry: str, with_quotes: bool = False) -> ContinuousMarket:
    info = next(i for i in bundled_chains() if i.ticker == ticker)
    chain = next(d for d in densities_from_file(str(info.file), asof=asof_new_york(info.asof_utc), spot=info.spot,
                                                rate=None) if d.expiry == expiry)
    if with_quotes:
        return ContinuousMarket.of_chain(chain)
    return ContinuousMarket(expiry, chain.density, (), chain.diagnostics.quoted_strike_range)


def moved_view_score(market: ContinuousMarket, median: float):
    """The page's median-and-range view with the market's own 5-95 % range and `median` typed in."""
    q05, q95 = market.density.quantile([0.05, 0.95])
    low, high = default_view_range(float(q05), float(q95))
    return score_continuous_belief(median_and_range(median, low, high, 0.9), market)


def wait_for_input(page, label: str, text: str, timeout: int = 60_000) -> None:
    """Until the one number box labelled `label` on the page shows `text` (a new widget has replaced the old)."""
    page.wait_for_function(
        "([label, text]) => { const boxes = [...document.querySelectorAll('[data-testid=stNumberInput]')]"
        ".filter(b => b.innerText.startsWith(label)); return boxes.length === 1 && "
        "boxes[0].querySelector('input').value === text; }", arg=[label, text], timeout=timeout)


def type_number(page, label: str, value: float) -> None:
    box = page.locator('[data-testid="stNumberInput"]').filter(has_text=label).locator("input").first
    box.fill(f"{value:.2f}")
    box.press("Enter")


def test_options_page_walk(page, server_url, artifacts):
    page.goto(f"{server_url}/options")
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=60_000)
    wait_for_metric(page, HEADLINE, "0.0000 bits")            # the market itself until a view is stated
    page.screenshot(path=str(artifacts / "options-first-load.png"))

    page.get_by_text("A view (median and range)").click()
    wait_for_metric(page, HEADLINE, "0.0000 bits")            # the market's own median and range: no edge
    choose(page, "Underlying", "AAPL")
    wait_for_metric(page, HEADLINE, "0.0000 bits")
    choose(page, "Expiry", "2026-06-18")
    wait_for_metric(page, HEADLINE, "0.0000 bits")
    aapl = spy_like("AAPL", "2026-06-18")
    # the new expiry's own inputs, drawn: a number typed while the last expiry's box is still on the page is lost
    # (the box belongs to another market; Streamlit drops its value, with or without the trades being worked out)
    market_median = float(aapl.density.quantile([0.5])[0])
    wait_for_input(page, "Median", f"{market_median:.2f}")
    median = round(market_median * 1.04, 2)        # a view: 4 % above the market's median
    type_number(page, "Median", median)
    wait_for_metric(page, HEADLINE, bits(moved_view_score(aapl, median).kl_nats))
    page.locator('[data-testid="stPlotlyChart"] .main-svg').nth(2).wait_for()
    page.screenshot(path=str(artifacts / "options-view-aapl.png"))
    # the edge at today's quotes, from the same analytics call with the chain's quotes
    edge = moved_view_score(spy_like("AAPL", "2026-06-18", with_quotes=True), median).edge
    assert edge is not None
    wait_for_metric(page, "At the quotes (full Kelly)", bits(edge.position.growth_nats))
    wait_for_metric(page, "Listed strikes, no spread", bits(edge.growth_mid_nats))
    page.get_by_text("The edge you can trade today").scroll_into_view_if_needed()
    page.locator('[data-testid="stPlotlyChart"] .main-svg').nth(3).wait_for()
    page.screenshot(path=str(artifacts / "options-edge-aapl.png"))
