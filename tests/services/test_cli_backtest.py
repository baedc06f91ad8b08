"""`backtest` on the bundled Premier League season and on small constructed files (bad results files included)."""

import csv
import json
import math

import pytest

from tests.conftest import ROOT, run_cli

SEASON = str(ROOT / "data/snapshots/odds/football-data_E0_2324.csv")


def independent_totals(belief: str, market: str) -> tuple[int, float, float]:
    """Realised fair growth and predicted KL over the season, from the CSV alone (multiplicative margin removal)."""
    n, realised, predicted = 0, 0.0, 0.0
    with open(SEASON, encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            q = [1 / float(row[f"{market}{o}"]) for o in "HDA"]
            p = [1 / float(row[f"{belief}{o}"]) for o in "HDA"]
            q, p = [v / sum(q) for v in q], [v / sum(p) for v in p]
            i = "HDA".index(row["FTR"])
            realised += math.log2(p[i] / q[i])
            predicted += sum(a * math.log2(a / b) for a, b in zip(p, q, strict=True))
            n += 1
    return n, realised, predicted


def test_pinnacle_closing_against_bet365_over_the_season():
    done = run_cli("backtest", "--market", SEASON, "--bookmaker", "B365", "--belief", SEASON, "--belief-bookmaker",
                   "PSC", "--closing-bookmaker", "PSC", "--method", "multiplicative", "--kelly-fraction", "0.5")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    n, realised, predicted = independent_totals("PSC", "B365")
    assert out["events"] == n == 380 and out["events_skipped"] == []
    assert out["realised_growth_fair_bits_total"] == pytest.approx(realised, abs=1e-9)
    assert out["predicted_kl_bits_total"] == pytest.approx(predicted, abs=1e-9)
    assert out["clv_bits_total"] == pytest.approx(predicted, abs=1e-9)     # the belief is the closing line itself
    low, high = out["realised_growth_fair_bits_ci95"]
    assert low < out["realised_growth_fair_bits_mean"] < high
    assert 0 <= out["dm_p_value"] <= 1
    assert sum(e["realised_fair_bits"] for e in out["per_event"]) == pytest.approx(realised, abs=1e-9)
    assert out["calibration"]["belief"]["count"] and sum(out["calibration"]["belief"]["count"]) == 3 * 380


def test_results_file_and_skipped_events(write):
    market = write("m.csv", "event,outcome,odds\nm1,Home,2.0\nm1,Draw,4.0\nm1,Away,4.0\n"
                            "m2,Home,3.0\nm2,Draw,3.0\nm2,Away,3.0\nm3,Home,2.5\nm3,Draw,3.5\nm3,Away,3.2\n")
    belief = write("b.csv", "event,outcome,probability\nm1,Home,0.6\nm1,Draw,0.2\nm1,Away,0.2\n"
                            "m2,Home,0.5\nm2,Draw,0.25\nm2,Away,0.25\n")
    results = write("r.csv", "event,outcome\nm1,H\nm2,Away\nm3,Draw\n")
    done = run_cli("backtest", "--market", market, "--belief", belief, "--results", results, "--method",
                   "multiplicative")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["events"] == 2
    assert out["events_skipped"] == [{"event": "m3", "reason": "no belief for this event"}]
    assert out["per_event"][0]["realised_fair_bits"] == pytest.approx(math.log2(0.6 / 0.5), abs=1e-12)
    assert out["per_event"][1]["realised_fair_bits"] == pytest.approx(math.log2(0.25 / (1 / 3)), abs=1e-12)


@pytest.mark.parametrize(("results", "message"), [
    ("event,outcome\nm1,Home\nm9,Draw\nm8,Away\n", "not in the market file: ['m9', 'm8']"),
    ("event,outcome\nm1,Win\n", "match no market outcome: ['m1: Win']"),
    ("match,result\nm1,Home\n", "event,outcome"),
])
def test_bad_results_files_get_one_clear_message(write, results, message):
    market = write("m.csv", "event,outcome,odds\nm1,Home,2.0\nm1,Draw,4.0\nm1,Away,4.0\n")
    belief = write("b.csv", "outcome,probability\nHome,0.5\nDraw,0.25\nAway,0.25\n")
    done = run_cli("backtest", "--market", market, "--belief", belief, "--results", write("r.csv", results))
    assert done.returncode == 2 and message in done.stderr and done.stderr.count("\n") == 1


def test_beliefs_that_name_no_event_are_listed(write):
    market = write("m.csv", "event,outcome,odds\nm1,Home,2.0\nm1,Draw,4.0\nm1,Away,4.0\n")
    belief = write("b.csv", "event,outcome,probability\nx1,Home,0.6\nx1,Draw,0.2\nx1,Away,0.2\n")
    results = write("r.csv", "event,outcome\nm1,Home\n")
    done = run_cli("backtest", "--market", market, "--belief", belief, "--results", results)
    assert done.returncode == 2 and "no belief names a market event" in done.stderr and "x1" in done.stderr
