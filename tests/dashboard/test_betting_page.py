"""AppTest drives the Betting page's score belief: the goals start at the market's fit (no edge), a stated score
shows every market of the match, the score tables and the stakes across markets, all as the command line
computes them."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, run_cli
from tests.dashboard.pages import APP, margin_method

SEASON = ROOT / "data/snapshots/odds/football-data_E0_2324.csv"
EVENT = "2023-08-11 Burnley v Man City"


def metric(at: AppTest, start: str):
    return next(m for m in at.metric if m.label.startswith(start))


def test_a_score_belief_on_the_betting_page_is_the_command_lines(write):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert at.selectbox(key="event").value == EVENT and at.selectbox(key="bookmaker").value == "B365"
    at.radio(key="belief_mode").set_value("A score (goals per side)").run()
    assert not at.exception and not at.error
    key = f"score_home::{at.selectbox(key='bundle').value}::{EVENT}"
    home, away = at.number_input(key=key).value, at.number_input(key=key.replace("home", "away")).value
    assert away > home                                            # the fit to the prices: Man City the favourite
    at.number_input(key=key).set_value(1.6).run()
    at.number_input(key=key.replace("home", "away")).set_value(1.2).run()
    assert not at.exception and not at.error
    belief = write("score.json", json.dumps({"kind": "score", "home_goals": 1.6, "away_goals": 1.2}))
    done = run_cli("score", "--market", str(SEASON), "--event", EVENT, "--belief", belief, "--bookmaker", "B365",
                   "--method", margin_method(at).value)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert metric(at, "KL over the whole match").value == f"{out['match_kl_bits']:.4f} bits"
    assert metric(at, "Growth betting every market together").value == \
        f"{out['match_growth_bits']:.4f} bits"
    table = next(df.value for df in at.dataframe if "market KL (bits)" in df.value.columns)
    assert set(table["market"]) == {m["market"] for m in out["markets"]}
    one = out["markets"][0]
    assert table[table["market"] == "1X2"]["belief (%)"].tolist() == pytest.approx(
        [100 * v for v in one["belief_probabilities"].values()], rel=1e-9)
    charts = [c for c in at.get("plotly_chart")]
    assert len(charts) >= 4                                   # bars, contributions and the two score tables
