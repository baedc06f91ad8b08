"""AppTest drives the Track record page: the bundled season's backtest as the command line computes it, an uploaded
belief file, and bad files with one message each."""

import pytest
from streamlit.testing.v1 import AppTest

from services.scoring import MarketRequest
from services.track import track_record
from tests.conftest import ROOT
from tests.dashboard.pages import open_page, shown

SEASON = str(ROOT / "data/snapshots/odds/football-data_E0_2324.csv")


def track_page() -> AppTest:
    return open_page("track.py", timeout=120)


def metric(at, start):
    return next(m for m in at.metric if m.label.startswith(start))


def test_the_season_backtest_is_the_command_lines():
    at = track_page()
    assert at.title[0].value == "Track record"
    want = track_record(SEASON, SEASON, MarketRequest(method="shin", bookmaker="B365", belief_bookmaker="PSC"),
                        closing_bookmaker="PSC", kelly_fraction=0.5).result.summary()
    assert metric(at, "Predicted edge over 380 matches").value == f"{want['predicted_kl_bits_total']:.3f} bits"
    realised = metric(at, "Realised at fair prices")
    assert realised.value == f"{want['realised_growth_fair_bits_total']:.3f} bits"
    low, high = want["realised_growth_fair_bits_ci95"]
    assert any(f"{low:.5f} to {high:.5f}" in c.value for c in at.caption)
    assert metric(at, "Is the edge real?").value == f"{want['dm_p_value']:.4f}"
    assert f"{want['clv_bits_total']:.3f}" in metric(at, "At the odds, 0.5 Kelly").delta
    assert len(at.get("plotly_chart")) == 4 and not at.error       # record, histogram, calibration, timeline


def test_another_method_and_fraction_rerun_the_backtest():
    at = track_page()
    at.selectbox(key="track_method").set_value("multiplicative").run()
    at.slider(key="track_kelly").set_value(1.0).run()
    want = track_record(SEASON, SEASON, MarketRequest(method="multiplicative", bookmaker="B365",
                                                      belief_bookmaker="PSC"), closing_bookmaker="PSC",
                        kelly_fraction=1.0).result.summary()
    assert metric(at, "Realised at fair prices").value == f"{want['realised_growth_fair_bits_total']:.3f} bits"
    assert metric(at, "At the odds, 1 Kelly").value == f"{want['realised_growth_tradable_bits_total']:.3f} bits"


@pytest.mark.parametrize(("text", "message"), [
    ("event,outcome,probability\nnot a match,Home,0.5\nnot a match,Draw,0.3\nnot a match,Away,0.2\n",
     "no belief names a market event"),
    ("event,outcome,probability\n2023-08-11 Burnley v Man City,Home,0.5\n2023-08-11 Burnley v Man City,Win,0.5\n",
     "Win"),
])
def test_bad_belief_files_get_one_message(text, message):
    at = track_page()
    at.radio(key="track_belief_kind").set_value("Upload per-match beliefs").run()
    at.file_uploader(key="track_belief_upload").set_value(("beliefs.csv", text.encode(), "text/csv")).run()
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value.replace("\\", "")


def test_uploaded_beliefs_cover_some_matches_and_the_rest_are_listed():
    at = track_page()
    at.radio(key="track_belief_kind").set_value("Upload per-match beliefs").run()
    text = ("event,outcome,probability\n2023-08-11 Burnley v Man City,Home,0.2\n2023-08-11 Burnley v Man City,Draw,"
            "0.2\n2023-08-11 Burnley v Man City,Away,0.6\n")
    at.file_uploader(key="track_belief_upload").set_value(("beliefs.csv", text.encode(), "text/csv")).run()
    assert not at.exception and not at.error
    assert metric(at, "Predicted edge over 1 match").label.startswith("Predicted edge over 1 match")
    assert metric(at, "Is the edge real?").value == "n/a"          # one match: no test
    assert any("379 matches left out" in e.label for e in at.expander)


def test_the_prediction_market_timeline_names_its_largest_step():
    from analytics.betting.odds_files import OddsRequest
    from analytics.betting.surprise import snapshot_series, surprise_timeline
    from data.bundled import ODDS_FILES
    from data.files import read_text_file
    from data.market_files import markets_from_text

    at = track_page()
    label = at.selectbox(key="timeline_file").value
    chosen = next(b for b in ODDS_FILES if b.label == label)
    markets = markets_from_text(read_text_file(chosen.path), label, OddsRequest(odds_format=chosen.odds_format),
                                "multiplicative")
    name = at.selectbox(key="timeline_market").value
    timeline = surprise_timeline(*snapshot_series(markets)[name])
    assert metric(at, "News over").value == f"{timeline.total_bits:.3f} bits"
    assert "inf" not in metric(at, "News over").value            # a newly listed candidate is not infinite news
    if timeline.entered.any():
        assert any("newly listed" in c.value.replace("\\", "") for c in at.caption)
    _, sentence = timeline.largest_step()
    assert any(sentence in c.value.replace("\\", "").replace("\u2060", "") for c in at.caption)


def test_the_timeline_shows_while_beliefs_are_awaited():
    at = track_page()
    at.radio(key="track_belief_kind").set_value("Upload per-match beliefs").run()
    assert not at.exception and any("Upload per-match beliefs" in i.value for i in at.info)
    assert metric(at, "News over").value.endswith("bits")


def test_a_closing_line_belief_against_opening_odds_is_flagged_as_look_ahead():
    at = track_page()                         # the default: Pinnacle's closing line against Bet365's opening odds
    assert at.selectbox(key="track_belief_book").value == "PSC"
    assert any("Look-ahead" in shown(w.value) for w in at.warning)
    at.selectbox(key="track_belief_book").set_value("PS").run()   # Pinnacle's opening odds: no look-ahead
    assert not any("Look-ahead" in shown(w.value) for w in at.warning)


def test_the_goals_model_is_a_belief_of_the_page_as_of_the_command_line():
    at = track_page()
    at.radio(key="track_belief_kind").set_value("The goals model (Dixon-Coles)").run()
    assert not at.exception and not at.error
    want = track_record(SEASON, "model:dixon-coles", MarketRequest(method="shin", bookmaker="B365"),
                        kelly_fraction=0.5).result.summary()
    at.selectbox(key="track_closing").set_value("none").run()
    assert metric(at, "Predicted edge over 380 matches").value == f"{want['predicted_kl_bits_total']:.3f} bits"
    assert metric(at, "Realised at fair prices").value == f"{want['realised_growth_fair_bits_total']:.3f} bits"


def test_the_page_shows_the_rps_and_the_drawdown_chance_of_the_command_line():
    at = track_page()
    want = track_record(SEASON, SEASON, MarketRequest(method="shin", bookmaker="B365", belief_bookmaker="PSC"),
                        closing_bookmaker="PSC", kelly_fraction=0.5).result.summary()
    assert metric(at, "Ranked probability score").value == f"{want['rps_belief_mean']:.4f}"
    assert metric(at, "Chance of a 50 % drawdown at 0.5 Kelly").value == f"{want['drawdown_50_probability']:.1%}"
