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


MIXED = ("event,outcome,odds\n"
         "two,Yes,1.8\ntwo,No,2.1\n"
         "three,Home,2.0\nthree,Draw,3.6\nthree,Away,4.2\n"
         "four,A,3.0\nfour,B,3.8\nfour,C,4.1\nfour,D,4.5\n")


def test_calibration_counts_real_outcomes_only(write):
    market = write("m.csv", MIXED)
    belief = write("b.csv", "event,outcome,probability\ntwo,Yes,0.5\ntwo,No,0.5\nthree,Home,0.5\nthree,Draw,0.3\n"
                   "three,Away,0.2\nfour,A,0.4\nfour,B,0.3\nfour,C,0.2\nfour,D,0.1\n")
    results = write("r.csv", "event,outcome\ntwo,Yes\nthree,Draw\nfour,D\n")
    out = json.loads(run_cli("backtest", "--market", market, "--belief", belief, "--results", results).stdout)
    for side in ("belief", "market"):
        counts = out["calibration"][side]["count"]
        assert sum(counts) == 2 + 3 + 4                      # 9 forecasts, not 3 x 4 with the padding
    assert out["calibration"]["belief"]["count"][0] == 0     # no forecast below 0.1: the padded zeros are gone


@pytest.mark.parametrize("which", ["market", "results"])
def test_an_event_listed_twice_is_named_or_kept_as_asked(write, which):
    market_text = "event,outcome,odds\n" + "".join(f"{e},{o},{x}\n" for e in ("m1", "m2")
                                                   for o, x in (("Home", 2.0), ("Draw", 3.5), ("Away", 4.0)))
    results_text = "event,outcome\nm1,Home\nm2,Away\n"
    if which == "results":
        results_text += "m1,Away\n"
    wide = "Date,HomeTeam,AwayTeam,FTR,B365H,B365D,B365A,PSH,PSD,PSA\n" \
           "01/01/2024,A,B,H,2.0,3.5,4.0,2.1,3.4,3.9\n02/01/2024,C,D,A,2.0,3.5,4.0,2.2,3.4,3.6\n"
    if which == "market":
        wide += "01/01/2024,A,B,A,2.0,3.5,4.0,2.1,3.4,3.9\n"           # the same match again, another result
        args = ["--market", write("season.csv", wide), "--belief", write("belief.csv", wide),
                "--belief-bookmaker", "PS"]
    else:
        args = ["--market", write("m.csv", market_text), "--belief", write("b.csv", BELIEF_EVEN),
                "--results", write("r.csv", results_text)]
    done = run_cli("backtest", *args)
    assert done.returncode == 2 and "appear more than once" in done.stderr and "--keep" in done.stderr
    first = json.loads(run_cli("backtest", *args, "--keep", "first").stdout)
    last = json.loads(run_cli("backtest", *args, "--keep", "last").stdout)
    assert first["events"] == last["events"] == 2
    outcome_of = {r["event"]: r["outcome"] for r in first["per_event"]}
    later = {r["event"]: r["outcome"] for r in last["per_event"]}
    event = next(e for e in outcome_of if "A v B" in e or e == "m1")
    assert (outcome_of[event], later[event]) == ("Home", "Away")


BELIEF_EVEN = "outcome,probability\nHome,0.5\nDraw,0.25\nAway,0.25\n"


def test_a_zero_on_what_happened_is_minus_infinity_everywhere(write):
    market = write("m.csv", "event,outcome,odds\n" + "".join(f"{e},{o},{x}\n" for e in ("m1", "m2", "m3")
                                                             for o, x in (("Home", 2.0), ("Draw", 3.5), ("Away", 4.0))))
    belief = write("b.csv", "outcome,probability\nHome,0.7\nDraw,0.3\nAway,0\n")
    results = write("r.csv", "event,outcome\nm1,Home\nm2,Away\nm3,Draw\n")
    out = json.loads(run_cli("backtest", "--market", market, "--belief", belief, "--results", results).stdout)
    ruined = next(r for r in out["per_event"] if r["event"] == "m2")
    assert ruined["realised_fair_bits"] == "-inf" and ruined["realised_tradable_bits"] == "-inf"
    assert out["realised_growth_fair_bits_total"] == "-inf"
    assert out["realised_growth_tradable_bits_total"] == "-inf"
    low, high = out["realised_growth_fair_bits_ci95"]
    assert low == "-inf" and (high == "-inf" or isinstance(high, float))
    assert None not in (low, high)


def test_a_views_belief_scores_in_backtest_as_in_score(write):
    market_text = "event,outcome,odds\n" + "".join(f"{e},{o},{x}\n" for e in ("m1", "m2")
                                                   for o, x in (("Home", 2.0), ("Draw", 3.5), ("Away", 4.0)))
    market = write("m.csv", market_text)
    views = write("v.json", '{"kind":"views","views":[{"outcome":"Home","probability":0.6}]}')
    results = write("r.csv", "event,outcome\nm1,Home\nm2,Away\n")
    done = run_cli("backtest", "--market", market, "--belief", views, "--results", results, "--method",
                   "multiplicative")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    scored = json.loads(run_cli("score", "--market", market, "--belief", views, "--event", "m1", "--method",
                                "multiplicative").stdout)
    assert out["per_event"][0]["kl_bits"] == pytest.approx(scored["kl_bits"], abs=1e-12)
    q_home = (1 / 2.0) / (1 / 2.0 + 1 / 3.5 + 1 / 4.0)
    assert out["per_event"][0]["realised_fair_bits"] == pytest.approx(math.log2(0.6 / q_home), abs=1e-9)
