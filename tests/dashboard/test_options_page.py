"""AppTest drives the Options page: bundled chain, a view, an uploaded belief, a bad upload, live fallback."""

import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from analytics.beliefs.price import ShiftedMarket
from analytics.beliefs.reading import parse_beliefs
from analytics.scoring.continuous import ContinuousMarket, score_continuous_belief
from analytics.views.spec import median_and_range
from data.chains import asof_new_york, bundled_chains, densities_from_file
from reporting.formatting import fmt
from tests.conftest import ROOT
from tests.dashboard.pages import WORKING, open_page, shown, with_trades


def options_page() -> AppTest:
    return open_page("options.py", timeout=120)


def headline(at) -> float:
    m = next(m for m in at.metric if m.label.startswith("Kelly (log-utility) edge"))
    return float(m.value.split()[0])


def chain_for(ticker: str, expiry: str):  # noqa: ANN201 - the chain's density (data.chains)
    info = next(i for i in bundled_chains() if i.ticker == ticker)
    return next(d for d in densities_from_file(str(info.file), asof=asof_new_york(info.asof_utc), spot=info.spot,
                                               rate=None) if d.expiry == expiry)


def market_for(ticker: str, expiry: str) -> ContinuousMarket:
    chain = chain_for(ticker, expiry)
    return ContinuousMarket(expiry, chain.density, (), chain.diagnostics.quoted_strike_range)


VIEW = "A view (median and range)"
SPY_SOURCE = "SPY_20260211_chain.csv"


def view_keys(source: str, expiry: str) -> dict[str, str]:
    return {name: f"{name}:{source}:{expiry}" for name in ("view_median", "view_low", "view_high", "view_coverage")}


def test_first_load_is_the_market_itself_with_zero_edge_and_a_prompt():
    """A new visitor has stated nothing: the belief is the market (0 bits), and the page asks for a view."""
    at = options_page()
    assert at.radio(key="belief_kind").value.startswith("The market itself")
    m = next(m for m in at.metric if m.label.startswith("Kelly (log-utility) edge"))
    assert m.value == "0.0000 bits"
    assert any("no edge yet" in i.value for i in at.info)
    assert not at.warning and not at.error
    beyond = next(m for m in at.metric if m.label.startswith("KL from beyond"))
    assert beyond.value == "0.0000 bits" and not beyond.delta          # no share of a zero edge, no "-0.0 %"
    import base64
    import json

    import numpy as np

    for marker in ("cumulative", "log2(p"):          # the cumulative KL and the growth-optimal payoff
        chart = next(c for c in at.get("plotly_chart") if marker in c.proto.spec.lower())
        spec = json.loads(chart.proto.spec)
        ys = spec["data"][0]["y"]                        # plotly writes arrays as typed binary data
        values = np.frombuffer(base64.b64decode(ys["bdata"]), dtype=ys["dtype"]) if isinstance(ys, dict) else \
            np.asarray(ys, dtype=float)
        assert values.size > 500 and np.all(values[np.isfinite(values)] == 0), marker    # not 1e-16 bits
        y_range = spec["layout"]["yaxis"].get("range")
        assert y_range is None or y_range[1] - y_range[0] >= 0.5, y_range                  # no femto-bit ticks


def spy_march(kind: str) -> AppTest:
    """The Options page on the bundled SPY chain, expiry 2026-03-20, with the belief form `kind` chosen."""
    at = options_page()
    at.selectbox(key="snapshot").set_value("SPY").run()
    at.selectbox(key="expiry").set_value("2026-03-20").run()
    at.radio(key="belief_kind").set_value(kind).run()
    return at


def test_view_belief_on_bundled_chain_matches_analytics():
    at = spy_march(VIEW)
    assert at.title[0].value == "Options"
    keys = view_keys(SPY_SOURCE, "2026-03-20")
    at.number_input(key=keys["view_median"]).set_value(700.0).run()
    at.number_input(key=keys["view_low"]).set_value(640.0).run()
    at.number_input(key=keys["view_high"]).set_value(750.0).run()
    at.slider(key=keys["view_coverage"]).set_value(80).run()
    assert not at.exception and not at.error
    assert any(WORKING in box.value for box in at.info)     # the view's numbers first
    expected = score_continuous_belief(median_and_range(700.0, 640.0, 750.0, 0.8), market_for("SPY", "2026-03-20"))
    assert headline(at) == pytest.approx(expected.kl_nats / math.log(2), abs=1e-4)
    assert len(at.get("plotly_chart")) == 3          # the trades' chart comes when they are worked out
    with_trades(at)
    assert headline(at) == pytest.approx(expected.kl_nats / math.log(2), abs=1e-4)
    assert len(at.get("plotly_chart")) == 4          # density, payoff log-ratio, cumulative KL, the position


def metric_bits(at, label_start: str) -> float:
    return float(next(m for m in at.metric if m.label.startswith(label_start)).value.split()[0])


def test_the_options_edge_panel_shows_the_analytics_position():
    """The view's edge at today's quotes: every figure and the legs table come from the one analytics call the
    command line makes (the market with the chain's quotes), for the bankroll and Kelly fraction on screen."""
    from analytics.options.edge import EdgeSettings

    at = spy_march(VIEW)
    keys = view_keys(SPY_SOURCE, "2026-03-20")
    at.number_input(key=keys["view_low"]).set_value(620.0).run()
    at.number_input(key=keys["view_high"]).set_value(760.0).run()
    at.slider(key="options_kelly_fraction").set_value(0.5).run()
    with_trades(at.number_input(key="options_bankroll").set_value(250_000.0).run())
    assert not at.exception and not at.error
    median = at.number_input(key=keys["view_median"]).value
    info = next(i for i in bundled_chains() if i.ticker == "SPY")
    chain = next(d for d in densities_from_file(str(info.file), asof=asof_new_york(info.asof_utc), spot=info.spot,
                                                rate=None) if d.expiry == "2026-03-20")
    want = score_continuous_belief(median_and_range(median, 620.0, 760.0, 0.9), ContinuousMarket.of_chain(chain),
                                   edge=EdgeSettings(kelly_fraction=0.5)).edge
    assert want is not None and want.position.legs
    assert metric_bits(at, "At the quotes (0.5 Kelly)") == pytest.approx(want.position.growth_nats / math.log(2),
                                                                         abs=1e-4)
    assert metric_bits(at, "Listed strikes, no spread") == pytest.approx(want.growth_mid_nats / math.log(2), abs=1e-4)
    assert metric_bits(at, "If the market is right") < 0
    legs = at.dataframe[0].value if "contracts" in at.dataframe[0].value else \
        next(d.value for d in at.dataframe if "contracts" in d.value)
    # every leg of at least a hundredth of a contract has its row, with no empty cell; the caption states the rest
    # (the small legs' count and cost, and the bond), so that everything adds up to the bankroll
    contracts = np.array([leg.quantity * 250_000 / 100 for leg in want.position.legs])
    assert legs["contracts"].to_numpy() == pytest.approx(contracts[contracts >= 0.01], rel=1e-9)
    assert not legs.isna().any().any()
    small_cost = 250_000 * sum(leg.cost for leg, n in zip(want.position.legs, contracts, strict=True) if n < 0.01)
    bond = 250_000 * want.position.cash_fraction
    caption = next(shown(c.value) for c in at.caption if "held in the bond" in shown(c.value))
    assert f"{fmt(bond, ',.2f')} USD held in the bond" in caption
    if np.any(contracts < 0.01):
        assert f"{np.sum(contracts < 0.01)} more legs under 0.01 contracts each" in caption
        assert f"cost {fmt(small_cost, ',.2f')} USD together" in caption
    assert legs["cost"].sum() + small_cost + bond == pytest.approx(250_000.0, rel=1e-9)   # the bankroll, spent


def test_views_typed_in_a_row_show_the_last_ones_trades_and_never_an_earlier_views():
    """The trades are worked out off the page's run: a view typed over before its trades came must not leave its
    trades beside the next view's KL. Three medians in a row, then the trades shown are the last median's, to the
    analytics' figures (and while they are worked out, the slot says so and shows no trades)."""
    from analytics.options.edge import EdgeSettings
    from analytics.options.orders import TicketSettings

    at = spy_march(VIEW)
    keys = view_keys(SPY_SOURCE, "2026-03-20")
    for median in (705.0, 712.0, 690.0):
        at.number_input(key=keys["view_median"]).set_value(median).run()
        if any(WORKING in box.value for box in at.info):
            assert not [m for m in at.metric if m.label.startswith("At the quotes")]
            assert "Order ticket" not in [h.value for h in at.subheader]
    with_trades(at)
    market = ContinuousMarket.of_chain(chain_for("SPY", "2026-03-20"))
    q05, _, q95 = market.density.quantile([0.05, 0.5, 0.95])
    low, high = at.number_input(key=keys["view_low"]).value, at.number_input(key=keys["view_high"]).value
    assert (low, high) == (pytest.approx(round(q05, 2)), pytest.approx(round(q95, 2)))
    want = score_continuous_belief(median_and_range(690.0, low, high, 0.9), market,
                                   edge=EdgeSettings(ticket=TicketSettings(100_000.0))).edge
    assert want is not None and want.ticket is not None
    assert metric_bits(at, "At the quotes") == pytest.approx(want.position.growth_nats / math.log(2), abs=1e-4)
    assert metric_bits(at, "Growth of the ticket") == pytest.approx(want.ticket.growth_nats / math.log(2),
                                                                    abs=1e-4)


def test_a_worker_that_dies_mid_job_is_named_once_and_the_next_change_works_the_trades_out():
    """The process working out the trades is killed while it holds the view's job: the slot says so in one line
    (no traceback), nothing loops, and the user's next change gets its trades from a new worker."""
    import os
    import signal
    import time

    from dashboard import background

    at = with_trades(spy_march(VIEW))
    keys = view_keys(SPY_SOURCE, "2026-03-20")
    at.number_input(key=keys["view_median"]).set_value(712.3).run()
    job = background._jobs[at.session_state["options_trades"]]        # this view's job
    deadline = time.monotonic() + 60
    while not job.running():
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.002)
    dead = background._worker.pid
    assert dead is not None
    os.kill(dead, signal.SIGKILL)
    with_trades(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "could not be worked out: the worker process ended before it answered" in errors[0]
    assert not at.exception and not [m for m in at.metric if m.label.startswith("At the quotes")]
    with_trades(at.number_input(key=keys["view_median"]).set_value(690.4).run())
    assert not at.error and metric_bits(at, "At the quotes") > 0
    assert background._worker.pid not in (None, dead)


def test_the_market_itself_trades_nothing():
    at = options_page()
    assert any("State a view to see the trades" in i.value for i in at.info)


def test_a_view_belongs_to_one_market_and_resets_on_a_new_underlying_or_expiry():
    """An SPY view read against AAPL (or another expiry) is a different statement: the inputs start again from the
    new market's own median and 5-95 % range, so the edge is that of the market's own quantiles, never 35 bits."""
    at = options_page()
    at.selectbox(key="snapshot").set_value("SPY").run()
    at.selectbox(key="expiry").set_value("2026-03-20").run()
    at.radio(key="belief_kind").set_value(VIEW).run()
    at.number_input(key=view_keys(SPY_SOURCE, "2026-03-20")["view_median"]).set_value(690.0).run()
    assert not at.error, [e.value for e in at.error]
    for ticker, source, expiry in (("AAPL", "AAPL_20260211_chain.csv", "2026-03-20"),
                                   ("SPY", SPY_SOURCE, "2026-02-13")):
        at.selectbox(key="snapshot").set_value(ticker).run()
        with_trades(at.selectbox(key="expiry").set_value(expiry).run())
        assert not at.exception and not at.error, [e.value for e in at.error]
        market = market_for(ticker, expiry)
        q05, q50, q95 = market.density.quantile([0.05, 0.5, 0.95])
        keys = view_keys(source, expiry)
        assert at.number_input(key=keys["view_median"]).value == pytest.approx(round(q50, 2))
        assert at.number_input(key=keys["view_low"]).value == pytest.approx(round(q05, 2))
        assert at.number_input(key=keys["view_high"]).value == pytest.approx(round(q95, 2))
        assert headline(at) == 0.0         # the market's own median and range: no edge (a stale SPY view showed 35.75)
        assert metric_bits(at, "At the quotes") == 0.0


def test_shifted_market_and_completion_choice():
    at = options_page()
    at.radio(key="belief_kind").set_value("The market, shifted and scaled").run()
    expiry = at.selectbox(key="expiry").value
    ticker = at.selectbox(key="snapshot").value
    source = next(i.file.name for i in bundled_chains() if i.ticker == ticker)
    assert headline(at) == 0.0                         # the sliders start at the market: no shift, width 1
    at.slider(key=f"shift:{source}:{expiry}").set_value(5.0).run()
    expected = score_continuous_belief(ShiftedMarket(0.05, 1.0), market_for(ticker, expiry))
    assert headline(at) == pytest.approx(expected.kl_nats / math.log(2), abs=1e-4)


def test_uploaded_bucket_belief_then_a_bad_upload_keeps_the_page():
    at = options_page()
    at.selectbox(key="snapshot").set_value("SPY").run()
    at.selectbox(key="expiry").set_value("2026-03-20").run()
    at.radio(key="belief_kind").set_value("Upload a belief file").run()
    good = (ROOT / "data/examples/buckets.csv").read_bytes()
    at.file_uploader(key="price_belief_upload").set_value(("buckets.csv", good, "text/csv")).run()
    assert not at.exception and not at.error
    spec = parse_beliefs(good.decode(), "buckets.csv")[0].spec
    market = market_for("SPY", "2026-03-20")
    for completion in ("market", "smooth"):
        at.radio(key="completion").set_value(completion).run()
        expected = score_continuous_belief(spec, market, completion=completion)
        assert headline(at) == pytest.approx(expected.kl_nats / math.log(2), abs=1e-4)
    before = headline(at)
    at.file_uploader(key="price_belief_upload").set_value(
        ("bad.csv", b"quantile,value\n0.5,700\n0.9,650\n", "text/csv")).run()
    assert not at.exception
    assert "must increase with the level" in shown(at.error[0].value)
    assert headline(at) == pytest.approx(before)          # the previous belief is still scored


def test_live_fetch_offline_falls_back_and_says_so(monkeypatch):
    """No network here (or in CI): the fetch gives up and the page shows the bundled snapshot with a warning."""
    monkeypatch.setattr("data.live.DEFAULT_TIMEOUT_SECONDS", 3.0)
    at = options_page()
    at.radio(key="chain_source").set_value("Fetch live (yfinance)").run()
    assert not at.exception
    assert any("Live data unavailable" in shown(w.value) for w in at.warning)
    assert headline(at) >= 0


def test_a_failed_chain_upload_keeps_the_last_good_chain_under_its_own_name():
    at = options_page()
    at.radio(key="chain_source").set_value("Upload a chain").run()
    at.text_input(key="upload_asof").set_value("2026-02-11T11:19").run()
    good = (ROOT / "data/snapshots/options/SPY_20260211_chain.csv").read_bytes()
    at.file_uploader(key="chain_upload").set_value(("spy.csv", good, "text/csv")).run()
    assert not at.exception and not at.error
    before = headline(at)
    at.file_uploader(key="chain_upload").set_value(("broken.csv", b"strike,bid,ask\n1,2\n", "text/csv")).run()
    assert not at.exception
    assert any("broken.csv" in shown(e.value) for e in at.error)
    assert any("Still showing spy.csv" in shown(i.value) for i in at.info)
    assert headline(at) == pytest.approx(before)


def test_views_on_the_options_page_match_the_analytics_and_feed_the_edge():
    from analytics.options.edge import EdgeSettings
    from analytics.views.spec import views_from_lines

    at = spy_march("A few statements (views)")
    assert next(m for m in at.metric if m.label.startswith("Kelly (log-utility) edge")).value == "0.0000 bits"
    lines = "P(>720) = 0.3\nq0.5 >= 700"
    with_trades(at.text_area(key=f"views:{SPY_SOURCE}:2026-03-20").set_value(lines).run())
    assert not at.exception and not at.error
    info = next(i for i in bundled_chains() if i.ticker == "SPY")
    chain = next(d for d in densities_from_file(str(info.file), asof=asof_new_york(info.asof_utc), spot=info.spot,
                                                rate=None) if d.expiry == "2026-03-20")
    want = score_continuous_belief(views_from_lines(lines, "v"), ContinuousMarket.of_chain(chain),
                                   edge=EdgeSettings())
    assert headline(at) == pytest.approx(want.kl_nats / math.log(2), abs=1e-4)
    assert want.views is not None and want.views.binding == (True, False)
    views = next(d.value for d in at.dataframe if "multiplier (nats per unit)" in d.value.columns)
    assert list(views["binds"]) == [True, False]
    assert want.edge is not None
    assert metric_bits(at, "At the quotes (full Kelly)") == pytest.approx(
        want.edge.position.growth_nats / math.log(2), abs=1e-4)


def test_a_belief_file_that_is_read_but_cannot_be_scored_keeps_the_last_good_one_and_says_so():
    at = options_page()
    at.selectbox(key="snapshot").set_value("SPY").run()
    at.radio(key="belief_kind").set_value("Upload a belief file").run()
    good = (ROOT / "data/examples/buckets.csv").read_bytes()
    at.file_uploader(key="price_belief_upload").set_value(("buckets.csv", good, "text/csv")).run()
    before = headline(at)
    outcomes = b"outcome,probability\nHome,0.5\nAway,0.5\n"      # read as a discrete belief: no price density
    at.file_uploader(key="price_belief_upload").set_value(("outcomes.csv", outcomes, "text/csv")).run()
    assert not at.exception
    plain = [shown(e.value) for e in at.error]
    assert len(plain) == 1 and "cannot be scored against a price density" in plain[0]
    assert any("Still showing the belief from buckets.csv" in shown(i.value)
               for i in at.info)
    assert headline(at) == pytest.approx(before)
    bad = b"quantile,value\n0.5,700\n0.9,650\n"                    # then one that cannot be read at all
    at.file_uploader(key="price_belief_upload").set_value(("bad.csv", bad, "text/csv")).run()
    assert len(at.error) == 1 and headline(at) == pytest.approx(before)


@pytest.mark.parametrize("typed, says", [("nan", "outside -0.05 to 0.25"), ("inf", "outside -0.05 to 0.25"),
                                         ("-50", "outside -0.05 to 0.25"), ("4%", "is not a number")])
def test_a_rate_typed_in_the_sidebar_that_cannot_be_used_gives_one_line_and_keeps_the_chain(typed, says):
    at = options_page()
    before = headline(at)
    at.text_input(key="rate").set_value(typed).run()
    assert not at.exception
    plain = [shown(e.value) for e in at.error]
    assert len(plain) == 1 and says in plain[0] and "\n" not in plain[0]
    assert headline(at) == pytest.approx(before)


def test_a_calls_only_chain_asks_for_the_spot_and_then_says_the_forward_came_from_it():
    """No silent spot of 100: without a spot the page asks for one; with it, the forward is S e^(rT) and a warning
    says so."""
    lines = (ROOT / "data/snapshots/options/SPY_20260211_chain.csv").read_text().splitlines()
    calls = "\n".join([lines[0]] + [line for line in lines[1:] if ",call" in line]) + "\n"
    at = options_page()
    at.radio(key="chain_source").set_value("Upload a chain").run()
    at.text_input(key="upload_asof").set_value("2026-02-11T11:19").run()
    at.file_uploader(key="chain_upload").set_value(("calls.csv", calls.encode(), "text/csv")).run()
    assert not at.exception
    plain = [shown(e.value) for e in at.error]
    assert len(plain) == 1 and "give the spot price" in plain[0]
    at.number_input(key="upload_spot").set_value(692.3).run()
    assert not at.exception and not at.error
    warned = [shown(w.value) for w in at.warning]
    assert any("comes from the spot price 692.30" in w for w in warned)


def test_a_density_that_misses_its_quotes_is_flagged_on_the_page():
    """QQQ 2026-06-18 holds quotes the smooth density misses by 8.3 half-spreads (RMS): the page says so once, beside
    the figures; SPY 2026-03-20 (1.2 half-spreads) carries no such warning."""
    at = options_page()
    at.selectbox(key="snapshot").set_value("QQQ").run()
    at.selectbox(key="expiry").set_value("2026-06-18").run()
    flagged = [w.value for w in at.warning if "misses the quotes" in shown(w.value)]
    assert len(flagged) == 1 and "2026-06-18" in shown(flagged[0]) and "half-spreads" in shown(flagged[0])
    at.selectbox(key="snapshot").set_value("SPY").run()
    at.selectbox(key="expiry").set_value("2026-03-20").run()
    assert not [w for w in at.warning if "misses the quotes" in shown(w.value)]


def test_trading_settings_are_kept_when_the_user_leaves_the_page_and_comes_back():
    at = options_page()
    at.number_input(key="options_gamma").set_value(3.0).run()
    at.slider(key="options_kelly_fraction").set_value(0.35).run()
    at.number_input(key="options_bankroll").set_value(25_000.0).run()
    at.switch_page("views/betting.py").run()
    assert not at.exception
    at.switch_page("views/options.py").run()
    assert not at.exception
    assert at.number_input(key="options_gamma").value == 3.0
    assert at.slider(key="options_kelly_fraction").value == 0.35
    assert at.number_input(key="options_bankroll").value == 25_000.0


def test_the_discount_says_where_it_came_from_and_why():
    """SPY 2026-03-20: parity implies -11.3 %/yr, so the discount comes from the bundled Treasury bill curve of the
    chain's date, and the page says so; a typed rate wins."""
    at = options_page()
    discount = next(m for m in at.metric if m.label == "Discount D")
    assert "(Treasury bills)" in str(discount.proto.delta) and "3.68 %/yr" in str(discount.proto.delta)
    assert any("US Treasury bill curve of 2026-02-11" in c.value and "implied -11.3 %/yr" in c.value
               for c in at.caption)
    at.sidebar.text_input(key="rate").set_value("0.02").run()
    discount = next(m for m in at.metric if m.label == "Discount D")
    assert "2.00 %/yr (given)" in str(discount.proto.delta)
