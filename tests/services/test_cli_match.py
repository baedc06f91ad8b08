"""`score` with a score belief on a bundled football-data match: every market of the row (1X2, over/under 2.5, the
Asian handicap at AHh) de-margined by hand from the file's Pinnacle columns, the belief's probabilities from the
closed forms of Poisson goals, and the KLs of the command line against both."""

from __future__ import annotations

import csv
import json
import math

import pytest
from scipy.stats import poisson, skellam

from tests.conftest import ROOT, run_cli

SEASON = ROOT / "data/snapshots/odds/football-data_E0_2324.csv"
EVENT = "2023-08-11 Burnley v Man City"


def kl(p: list[float], q: list[float]) -> float:
    return sum(a * math.log(a / b) for a, b in zip(p, q, strict=True))


def fair(*odds: str) -> list[float]:
    inverse = [1 / float(o) for o in odds]
    return [v / sum(inverse) for v in inverse]


def test_a_score_belief_against_every_market_of_a_match(write):
    row = next(r for r in csv.DictReader(SEASON.open(encoding="utf-8-sig"))
               if r["HomeTeam"] == "Burnley" and r["AwayTeam"] == "Man City")
    belief = write("score.json", json.dumps({"kind": "score", "home_goals": 1.2, "away_goals": 1.9}))
    done = run_cli("score", "--market", str(SEASON), "--event", EVENT, "--belief", belief, "--bookmaker", "PS",
                   "--method", "multiplicative")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    markets = {m["market"]: m for m in out["markets"]}
    line = float(row["AHh"])
    assert set(markets) == {"1X2", "total 2.5", f"handicap {line:+g}"}
    home, draw = skellam.sf(0, 1.2, 1.9), skellam.pmf(0, 1.2, 1.9)
    want = {"1X2": ([home, draw, 1 - home - draw], fair(row["PSH"], row["PSD"], row["PSA"])),
            "total 2.5": ([poisson.sf(2, 3.1), poisson.cdf(2, 3.1)], fair(row["P>2.5"], row["P<2.5"])),
            # a half-goal line: the home side wins the bet when its goal difference plus the line is above 0
            f"handicap {line:+g}": ([skellam.sf(-line, 1.2, 1.9), skellam.cdf(-line, 1.2, 1.9)],
                                    fair(row["PAHH"], row["PAHA"]))}
    assert line % 1 == 0.5                              # this match's line, so the closed form above applies
    for name, (p, q) in want.items():
        assert list(markets[name]["belief_probabilities"].values()) == pytest.approx(p, abs=1e-12), name
        assert list(markets[name]["market_probabilities"].values()) == pytest.approx(q, abs=1e-12), name
        assert markets[name]["kl_nats"] == pytest.approx(kl(p, q), rel=1e-9), name
    assert out["kl_nats"] == pytest.approx(markets["1X2"]["kl_nats"], rel=1e-12)     # the headline is the 1X2
    table = out["market_score_table"]
    assert table["markets_met"] == ["1X2", "total 2.5", f"handicap {line:+g}"] and not table["markets_left_out"]
    assert out["match_kl_bits"] > max(m["kl_bits"] for m in markets.values())       # the table holds more


def test_a_score_belief_on_a_market_that_is_not_a_match_is_one_line(write):
    market = write("m.csv", "event,outcome,odds\nrace,A,2.0\nrace,B,3.0\nrace,C,6.0\n")
    belief = write("score.json", json.dumps({"kind": "score", "home_goals": 1.2, "away_goals": 1.9}))
    done = run_cli("score", "--market", market, "--belief", belief)
    assert done.returncode == 2 and "scores a football match (Home, Draw, Away)" in done.stderr
    assert done.stderr.count("\n") == 1


def test_the_goals_model_as_a_belief_over_a_season():
    done = run_cli("backtest", "--market", str(SEASON), "--bookmaker", "PS", "--belief", "model:dixon-coles")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["events"] == 380 and not out["events_skipped"]
    first = out["per_event"][0]
    assert first["event"] == EVENT and 0 < first["kl_bits"] < 1                 # the first match: the prior alone
    assert out["rps_belief_mean"] > out["rps_market_mean"] > 0                   # the market knows more
    bad = run_cli("backtest", "--market", str(SEASON), "--belief", "model:elo")
    assert bad.returncode == 2 and "the models are model:dixon-coles" in bad.stderr


def test_max_total_stake_caps_the_allocation_and_states_its_risk(write):
    belief = write("b.csv", "outcome,probability\nHome,40%\nDraw,30%\nAway,30%\n")
    args = ["score", "--market", str(SEASON), "--event", EVENT, "--belief", belief, "--bookmaker", "B365"]
    free = json.loads(run_cli(*args).stdout)
    capped = json.loads(run_cli(*args, "--max-total-stake", "0.05").stdout)
    assert sum(free["allocation"].values()) > 0.05
    assert sum(capped["allocation"].values()) == pytest.approx(0.05, abs=1e-12)
    assert capped["kelly_growth_tradable_nats"] < free["kelly_growth_tradable_nats"]
    risk = capped["stake_risk"]
    assert 0 < risk["loss_probability"] < 1 and risk["worst_loss"] == pytest.approx(0.05, abs=1e-12)
    bad = run_cli(*args, "--max-total-stake", "1.5")
    assert bad.returncode == 2 and "--max-total-stake 1.5 must be a fraction" in bad.stderr
