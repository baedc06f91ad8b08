"""`odds`, `list` and `score` with odds files, through the real command line."""

import csv
import json
import math

import numpy as np
import pytest

from tests.conftest import ROOT, run_cli

E0 = str(ROOT / "data/snapshots/odds/football-data_E0_2324.csv")


def test_odds_shin_reference():
    out = run_cli("odds", "--format", "decimal", "--method", "shin", "2.6", "2.4", "4.3")
    res = json.loads(out.stdout)
    np.testing.assert_allclose(res["probabilities"], [0.372994060332, 0.404779410920, 0.222226528747], atol=1e-12)
    assert res["params"]["z"] == pytest.approx(0.016942512764, abs=1e-12)
    assert res["overround"] == pytest.approx(1 / 2.6 + 1 / 2.4 + 1 / 4.3 - 1, abs=1e-15)


def test_odds_fractional_and_american_after_dashdash():
    res = json.loads(run_cli("odds", "--format", "fractional", "--method", "multiplicative", "evens", "evens").stdout)
    assert res["probabilities"] == [0.5, 0.5] and res["overround"] == 0
    res = json.loads(run_cli("odds", "--format", "american", "--method", "power", "--", "-150", "+130").stdout)
    assert sum(res["probabilities"]) == pytest.approx(1, abs=1e-12) and res["params"]["k"] > 1


@pytest.mark.parametrize(
    "args, message",
    [(["--format", "decimal", "0.9", "3"], "greater than 1"), (["--method", "shin", "2.0"], "at least 2"),
     (["--format", "american", "--", "-50", "+120"], "-100 or less"), (["--method", "wizard", "2", "2"], "unknown"),
     (["--method", "additive", "1.1", "5", "80"], "negative probability")],
)
def test_odds_errors(args, message):
    out = run_cli("odds", *args)
    assert out.returncode == 2 and message in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_list_football_data():
    res = json.loads(run_cli("list", E0).stdout)
    assert res["kind"] == "football-data" and len(res["events"]) == 380
    assert {"B365", "PS", "PSC", "B365C", "Avg", "Max"} <= set(res["bookmakers"])


def test_pinnacle_closing_against_bet365_season():
    """Issue 3: Pinnacle's closing probabilities scored against Bet365's, match by match, in bits."""
    out = run_cli("score", "--market", E0, "--bookmaker", "B365", "--belief", E0, "--belief-bookmaker", "PSC",
                  "--method", "multiplicative")
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)["results"]
    assert len(results) == 380
    kl = np.array([r["kl_bits"] for r in results])
    assert np.all(kl >= 0) and np.all(np.isfinite(kl))
    # independent check from the raw CSV with plain Python
    with open(E0, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    for r, row in zip(results[:20], rows[:20], strict=True):
        def fair(prefix, row=row):
            raw = [1 / float(row[f"{prefix}{s}"]) for s in "HDA"]
            return [x / sum(raw) for x in raw]

        p, q = fair("PSC"), fair("B365")
        want = sum(a * math.log2(a / b) for a, b in zip(p, q, strict=True))
        assert r["kl_bits"] == pytest.approx(want, abs=1e-12)
        assert r["event"].endswith(f"{row['HomeTeam']} v {row['AwayTeam']}")
        # the tradable growth at Bet365's odds never exceeds ... and is never negative
        assert r["kelly_growth_tradable_nats"] >= 0


def test_score_one_event_with_shin_and_hda_belief(write):
    belief = write("b.csv", "outcome,probability\nH,0.2\nD,0.2\nA,0.6\n")
    out = run_cli("score", "--market", E0, "--event", "2023-08-11 Burnley v Man City", "--belief", belief)
    res = json.loads(out.stdout)
    assert set(res["allocation"]) == {"Home", "Draw", "Away"}
    assert res["kl_bits"] > 0 and 0 <= res["cash_fraction"] <= 1
    out = run_cli("score", "--market", E0, "--event", "no such match", "--belief", belief)
    assert out.returncode == 2 and "no event 'no such match'" in out.stderr


def test_long_odds_file_with_fractional_odds_and_bad_row(write):
    good = write("m.csv", "event,outcome,odds\nX,Home,11/10\nX,Draw,9/4\nX,Away,3/1\n")
    belief = write("b.csv", "outcome,probability\nHome,50%\nDraw,25%\nAway,25%\n")
    res = json.loads(run_cli("score", "--market", good, "--belief", belief, "--format", "fractional").stdout)
    assert res["booksum"] == pytest.approx(1 / 2.1 + 1 / 3.25 + 1 / 4, abs=1e-15)
    bad = write("bad.csv", "event,outcome,odds\nX,Home,2.1\nX,Draw,0.5\nX,Away,4\n")
    out = run_cli("score", "--market", bad, "--belief", belief)
    assert out.returncode == 2 and "bad.csv" in out.stderr and "row 3" in out.stderr and "0.5" in out.stderr
