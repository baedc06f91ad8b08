"""AppTest drives the real Streamlit app: select data, upload a belief, change the method."""

import json
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from analytics.beliefs.discrete import DiscreteBelief
from analytics.beliefs.spec import NamedBelief
from analytics.betting.odds_files import OddsRequest
from analytics.scoring.discrete import score_named_belief
from dashboard import safe
from dashboard.state import apply_table_edits, typed_belief_key
from data.files import read_text_file
from data.market_files import markets_from_text
from tests.conftest import ROOT
from tests.dashboard.pages import margin_method, shown

APP = str(ROOT / "dashboard/app.py")
E0 = ROOT / "data/snapshots/odds/football-data_E0_2324.csv"


def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at, label_start):
    for m in at.metric:
        if m.label.startswith(label_start):
            return m
    raise AssertionError(f"no metric {label_start!r}: {[m.label for m in at.metric]}")


def bits(text):
    return float(text.split()[0])


def expected_score(event, method, belief_probs, bookmaker="B365"):
    markets = markets_from_text(read_text_file(E0), "x", OddsRequest(bookmaker=bookmaker), method)
    market = next(m for m in markets if m.event == event)
    belief = NamedBelief("b", DiscreteBelief(market.labels, np.asarray(belief_probs)))
    return score_named_belief(belief, market)


def test_opens_on_bundled_data_with_the_exact_market_as_the_belief_and_no_warning():
    """Nobody has typed anything: the belief is the market itself (0 bits) and nothing was normalised."""
    at = app()
    assert at.title[0].value == "Betting markets"
    kl = metric(at, "Kelly (log-utility) edge, KL(belief || market)")
    assert kl.value == "0.0000 bits"
    assert not [w.value for w in at.warning if "normalised" in w.value]


def test_typed_belief_is_kept_exactly_when_the_margin_method_changes():
    """The user typed 50/25/25: a new method moves the market, never the belief (the report agrees)."""
    at = app()
    event = at.selectbox(key="event").value
    source = at.selectbox(key="bundle").value
    at.session_state[typed_belief_key(source, event)] = [50.0, 25.0, 25.0]   # what the table's on_change keeps
    at.run()
    for method in ("shin", "power", "multiplicative", "odds_ratio"):
        margin_method(at).set_value(method).run()
        assert not at.exception
        assert not [w.value for w in at.warning if "normalised" in w.value]
        want = expected_score(event, method, [0.5, 0.25, 0.25])
        assert metric(at, "Kelly (log-utility) edge").value == f"{want.kl_bits:.4f} bits"
        table = next(d for d in at.dataframe if "belief p (%)" in d.value.columns)
        np.testing.assert_allclose(table.value["belief p (%)"], [50.0, 25.0, 25.0], atol=1e-12)


def test_each_odds_file_opens_at_its_own_margin_method_and_keeps_the_one_chosen_for_it():
    """Bookmakers' files open at Shin, exchanges and prediction markets at multiplicative (each bundle's stated
    default), whatever was chosen for the file before; a method chosen for a file is still there on coming back.
    The method box used to keep the last file's choice: the ANZ racing file opened at Shin after the Premier League."""
    from data.bundled import ODDS_FILES

    at = app()
    first = at.selectbox(key="bundle").value
    margin_method(at).set_value("power").run()
    for bundle in ODDS_FILES:
        if bundle.label == first:
            continue
        at.selectbox(key="bundle").set_value(bundle.label).run()
        assert not at.exception
        assert margin_method(at).value == bundle.default_method, bundle.label
    at.selectbox(key="bundle").set_value(first).run()
    assert margin_method(at).value == "power"


def test_table_edits_fill_the_typed_column():
    shown = np.array([47.1, 28.2, 24.7])
    edits = {"0": {"probability (%)": 50.0}, 2: {"probability (%)": 25}}
    np.testing.assert_array_equal(apply_table_edits(shown, edits), [50.0, 28.2, 25.0])
    assert np.isnan(apply_table_edits(shown, {1: {"probability (%)": None}})[1])


def test_a_prepared_pdf_is_never_offered_for_another_match():
    at = app()
    at.button(key="prepare_pdf").click().run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Download PDF" in labels
    events = at.selectbox(key="event").options
    at.selectbox(key="event").set_value(events[1]).run()
    assert "Download PDF" not in [b.label for b in at.get("download_button")]


def test_upload_belief_and_change_method_match_analytics():
    at = app()
    at.radio(key="belief_mode").set_value("Uploading a file").run()
    at.file_uploader(key="belief_upload").set_value(
        ("belief.csv", b"outcome,probability\nHome,20%\nDraw,20%\nAway,60%\n", "text/csv")).run()
    assert not at.exception and not at.error
    event = at.selectbox(key="event").value
    for method in ("shin", "power", "multiplicative"):
        margin_method(at).set_value(method).run()
        want = expected_score(event, method, [0.2, 0.2, 0.6])
        shown = metric(at, "Kelly (log-utility) edge")
        assert bits(shown.value) == pytest.approx(want.kl_bits, abs=5e-5)
        assert shown.value == f"{want.kl_bits:.4f} bits"
        tradable = metric(at, "Kelly growth at tradable prices")
        assert tradable.value == f"{want.tradable.growth_nats / math.log(2):.4f} bits"
    charts = at.get("plotly_chart")
    assert {json.loads(c.proto.spec)["layout"]["title"]["text"] for c in charts} >= {"Market vs belief",
                                                                                   "Where the disagreement lives"}


@pytest.mark.parametrize("name, body, says", [
    ("bad.csv", b"outcome,probability\nHome,0.5\nDraw,-0.3\nAway,0.2\n", "row 3"),          # cannot be read
    ("other.csv", b"outcome,probability\nYes,0.5\nNo,0.5\n", "Yes"),                        # read, cannot be scored
])
def test_a_bad_upload_shows_one_error_and_keeps_the_last_good_belief(name, body, says):
    at = app()
    at.radio(key="belief_mode").set_value("Uploading a file").run()
    at.file_uploader(key="belief_upload").set_value(
        ("good.csv", b"outcome,probability\nHome,0.5\nDraw,0.3\nAway,0.2\n", "text/csv")).run()
    good = metric(at, "Kelly (log-utility) edge").value
    at.file_uploader(key="belief_upload").set_value((name, body, "text/csv")).run()
    assert not at.exception
    assert any(name in shown(e.value) and says in shown(e.value) for e in at.error)
    assert metric(at, "Kelly (log-utility) edge").value == good


def test_unmatched_belief_label_is_named_on_another_snapshot():
    at = app()
    at.selectbox(key="bundle").set_value("Polymarket: next president of South Korea, 2025").run()
    assert not at.exception
    at.radio(key="belief_mode").set_value("Uploading a file").run()
    # the market has zero for no one, but an unmatched label is an error that names it
    at.file_uploader(key="belief_upload").set_value(
        ("b.csv", b"outcome,probability\nLee Jae-myung,0.9\nNobody,0.1\n", "text/csv")).run()
    assert any("Nobody" in e.value for e in at.error)


def test_season_view_and_learn_page():
    at = app()
    at.radio(key="betting_view").set_value("Whole file (season view)").run()
    season = metric(at, safe.plain("Mean KL(PSC || B365) per match"))
    assert bits(season.value) > 0
    at.switch_page("views/learn.py").run()
    assert not at.exception
    at.select_slider(key="swan_q").set_value(1.0).run()
    assert metric(at, "Kelly (log-utility) edge").value == "6.6439 bits"
    assert metric(at, "Reverse KL").value == "∞ (infinite)"


def test_a_belief_file_with_an_event_column_scores_every_event_it_covers():
    markets = markets_from_text(read_text_file(E0), "x", OddsRequest(), "shin")
    chosen = markets[:3]
    probabilities = ([0.5, 0.25, 0.25], [0.3, 0.3, 0.4], [0.6, 0.2, 0.2])
    body = "event,outcome,probability\n" + "".join(
        f"{m.event},{label},{p}\n" for m, probs in zip(chosen, probabilities, strict=True)
        for label, p in zip(("Home", "Draw", "Away"), probs, strict=True))
    at = app()
    at.radio(key="belief_mode").set_value("Uploading a file").run()
    at.file_uploader(key="belief_upload").set_value(("season.csv", body.encode(), "text/csv")).run()
    assert not at.exception and not at.error
    want = [expected_score(m.event, "shin", probs).kl_bits for m, probs in zip(chosen, probabilities, strict=True)]
    mean = metric(at, "Mean KL over the 3 events the file covers")
    assert mean.value == f"{np.mean(want):.4f} bits"
    assert metric(at, "Kelly (log-utility) edge").value == f"{want[0]:.4f} bits"     # the selected event, in detail
    at.selectbox(key="event").set_value(chosen[2].event).run()
    assert metric(at, "Kelly (log-utility) edge").value == f"{want[2]:.4f} bits"


def test_views_typed_on_the_betting_page_give_the_projection_the_analytics_give():
    """A few statements instead of a whole table: the belief is the market moved least to meet them; the headline,
    the outcome table and the views table are those of the one analytics call."""
    from analytics.views.spec import views_from_lines

    at = app()
    event, source = at.selectbox(key="event").value, at.selectbox(key="bundle").value
    at.radio(key="belief_mode").set_value("Stating views").run()
    assert metric(at, "Kelly (log-utility) edge").value == "0.0000 bits"     # starts at a view the market meets
    at.text_area(key=f"views::{source}::{event}").set_value("P(Home) = 0.3\nP(Away) <= 50%").run()
    assert not at.exception and not at.error
    markets = markets_from_text(read_text_file(E0), "x", OddsRequest(), "shin")
    market = next(m for m in markets if m.event == event)
    want = score_named_belief(NamedBelief("v", views_from_lines("P(Home) = 0.3\nP(Away) <= 50%", "v")), market)
    assert want.views is not None
    assert metric(at, "Kelly (log-utility) edge").value == f"{want.kl_bits:.4f} bits"
    views = next(d.value for d in at.dataframe if "multiplier (nats per unit)" in d.value.columns)
    assert list(views["view"]) == ["P(Home) = 0.3", "P(Away) <= 0.5"]
    np.testing.assert_allclose(views["multiplier (nats per unit)"], want.views.multipliers, rtol=1e-9, atol=1e-12)
    table = next(d for d in at.dataframe if "belief p (%)" in d.value.columns)
    assert table.value["belief p (%)"].iloc[0] == pytest.approx(30.0, abs=1e-8)


def test_views_that_contradict_each_other_get_one_message_and_no_score():
    at = app()
    event, source = at.selectbox(key="event").value, at.selectbox(key="bundle").value
    at.radio(key="belief_mode").set_value("Stating views").run()
    at.text_area(key=f"views::{source}::{event}").set_value("P(Home) = 0.7\nP(Home|Draw) = 0.5").run()
    assert not at.exception
    assert len(at.error) == 1 and "contradict" in shown(at.error[0].value)


def test_best_prices_on_the_betting_page_name_the_bookmaker_of_each_stake():
    from services.prices import PriceChoice, priced_markets

    at = app()
    event = at.selectbox(key="event").value
    source = at.selectbox(key="bundle").value
    at.session_state[typed_belief_key(source, event)] = [20.0, 20.0, 60.0]
    at.run()
    at.radio(key="bet_at").set_value("the best odds across bookmakers").run()
    assert not at.exception and not at.error
    markets = priced_markets(read_text_file(E0), str(E0), PriceChoice("B365", "best"), "decimal", "shin")
    market = next(m for m in markets if m.event == event)
    want = score_named_belief(NamedBelief("b", DiscreteBelief(market.labels, np.array([0.2, 0.2, 0.6]))), market)
    table = next(d.value for d in at.dataframe if "bookmaker" in d.value.columns)
    assert list(table["bookmaker"]) == list(market.bookmakers)
    np.testing.assert_allclose(table["odds (decimal)"], market.odds)
    assert want.tradable is not None
    assert metric(at, "Kelly growth at tradable prices").value == f"{want.tradable.growth_nats / math.log(2):.4f} bits"
    assert bits(metric(at, "What shopping for prices adds").value) >= 0


def test_the_season_view_rates_every_bookmaker():
    at = app()
    at.radio(key="betting_view").set_value("Whole file (season view)").run()
    assert not at.exception and not at.error
    quality = next(d.value for d in at.dataframe if "mean margin (%)" in d.value.columns)
    assert len(quality) >= 5 and quality["mean margin (%)"].between(0, 15).all()
