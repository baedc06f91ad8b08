"""`python -m analytics score` on discrete probability files, and its errors."""

import json

import pytest

from tests.conftest import run_cli

MARKET = "outcome,probability\nHome,0.4\nDraw,0.4\nAway,0.2\n"
BELIEF = "outcome,probability\nHome,0.5\nDraw,0.3\nAway,0.2\n"


def strict_json(text):
    return json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))


def test_case_a_from_files(write):
    out = run_cli("score", "--market", write("m.csv", MARKET), "--belief", write("b.csv", BELIEF))
    assert out.returncode == 0, out.stderr
    res = strict_json(out.stdout)
    assert res["kl_nats"] == pytest.approx(0.025267153921571, abs=1e-12)
    assert res["kl_bits"] == pytest.approx(0.036452797660028, abs=1e-12)
    assert res["reverse_kl_bits"] == pytest.approx(0.037243761756593, abs=1e-12)
    assert res["js_bits"] == pytest.approx(0.009185925460812, abs=1e-12)
    assert res["js_distance_bits"] == pytest.approx(0.095843233776892, abs=1e-12)
    assert res["kelly_growth_fair_nats"] == pytest.approx(0.025267153921571, abs=1e-12)
    assert res["allocation_fair"] == pytest.approx({"Home": 0.5, "Draw": 0.3, "Away": 0.2})
    assert res["kelly_growth_tradable_nats"] is None and res["allocation"] is None and res["cash_fraction"] is None
    assert res["infinite_outcomes"] == [] and res["warnings"] == []


def test_percentages_json_belief_and_case_insensitive_labels(write):
    belief = '{"kind":"discrete","outcomes":["home","DRAW"," away "],"probabilities":["50%","30%","20%"]}'
    out = run_cli("score", "--market", write("m.csv", MARKET), "--belief", write("b.json", belief))
    assert out.returncode == 0, out.stderr
    assert strict_json(out.stdout)["kl_nats"] == pytest.approx(0.025267153921571, abs=1e-12)


def test_weights_normalised_with_warning_showing_the_sum(write):
    out = run_cli("score", "--market", write("m.csv", MARKET),
                  "--belief", write("b.csv", "outcome,probability\nHome,5\nDraw,3\nAway,2\n"))
    res = strict_json(out.stdout)
    assert res["kl_nats"] == pytest.approx(0.025267153921571, abs=1e-12)
    assert any("summed to 10" in w for w in res["warnings"])


def test_infinite_surprise_and_explicit_smoothing(write):
    market = write("m.csv", "outcome,probability\nHome,0.6\nDraw,0.4\nAway,0\n")
    belief = write("b.csv", BELIEF)
    res = strict_json(run_cli("score", "--market", market, "--belief", belief).stdout)
    assert res["kl_bits"] == "inf" and res["infinite_outcomes"] == ["Away"]
    # blending the belief with the market cannot cure a market zero; an epsilon floor on both can,
    # and the result states what was done next to the raw value
    res = strict_json(run_cli("score", "--market", market, "--belief", belief, "--blend", "0.5").stdout)
    assert res["kl_bits"] == "inf" and "market weight 0.5" in res["smoothing"]
    res = strict_json(run_cli("score", "--market", market, "--belief", belief, "--epsilon", "0.01").stdout)
    p = [0.5, 0.3, 0.2]
    q = [0.6 / 1.01, 0.4 / 1.01, 0.01 / 1.01]
    import math
    want = sum(a * math.log(a / b) for a, b in zip(p, q, strict=True)) / math.log(2)
    assert res["kl_bits"] == pytest.approx(want, abs=1e-12) and res["kl_bits_unsmoothed"] == "inf"
    assert "epsilon = 0.01" in res["smoothing"]


def test_several_beliefs_in_one_file(write):
    beliefs = ("belief,outcome,probability\nme,Home,0.5\nme,Draw,0.3\nme,Away,0.2\n"
               "you,Home,0.4\nyou,Draw,0.4\nyou,Away,0.2\n")
    res = strict_json(run_cli("score", "--market", write("m.csv", MARKET), "--belief", write("b.csv", beliefs)).stdout)
    assert [r["belief"] for r in res["results"]] == ["me", "you"]
    assert res["results"][0]["kl_nats"] == pytest.approx(0.025267153921571, abs=1e-12)
    assert res["results"][1]["kl_nats"] == 0.0


BAD_BELIEFS = {
    "wrong_header.csv": ("label,prob\nHome,0.5\n", "unrecognised header"),
    "negative.csv": ("outcome,probability\nHome,0.7\nDraw,-0.1\nAway,0.4\n", "row 3"),
    "nan.csv": ("outcome,probability\nHome,NaN\nDraw,0.3\nAway,0.2\n", "row 2"),
    "text.csv": ("outcome,probability\nHome,lots\nDraw,0.3\nAway,0.2\n", "'lots' is not a number"),
    "duplicate.csv": ("outcome,probability\nHome,0.5\nhome,0.3\nAway,0.2\n", "appears twice"),
    "unmatched.csv": ("outcome,probability\nHome,0.5\nDraw,0.3\nAway,0.1\nRain,0.1\n", "'Rain'"),
    "missing.csv": ("outcome,probability\nHome,0.5\nDraw,0.5\n", "missing outcomes ['Away']"),
    "empty.csv": ("", "empty"),
    "header_only.csv": ("outcome,probability\n", "no rows"),
    "junk.csv": (bytes(range(256)) * 40, "binary"),
    "bad.json": ('{"kind":"discrete","outcomes":["Home"]', "invalid JSON"),
    "nan.json": ('{"kind":"discrete","outcomes":["Home","Draw","Away"],"probabilities":[NaN,0.5,0.5]}', "NaN"),
    "kind.json": ('{"kind":"hunch"}', "unknown belief kind"),
}


@pytest.mark.parametrize("name", sorted(BAD_BELIEFS))
def test_malformed_belief_gives_one_line_error(write, name):
    content, expected = BAD_BELIEFS[name]
    path = write(name, content)
    out = run_cli("score", "--market", write("m.csv", MARKET), "--belief", path)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr
    assert name in lines[0] and expected in lines[0], lines[0]


def test_fifty_megabyte_file_is_refused_quickly(write, tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "w") as f:
        f.write("outcome,probability\n")
        line = "x" * 1000 + ",0.1\n"
        for _ in range(50_000):
            f.write(line)
    out = run_cli("score", "--market", write("m.csv", MARKET), "--belief", str(path), timeout=20)
    assert out.returncode == 2
    assert "huge.csv" in out.stderr and "the limit is 20 MiB" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_missing_file_and_bad_market(write):
    out = run_cli("score", "--market", "/nonexistent/m.csv", "--belief", write("b.csv", BELIEF))
    assert out.returncode == 2 and "no such file" in out.stderr
    out = run_cli("score", "--market", write("m.csv", "outcome,probability\nHome,0.4\nHome,0.6\n"),
                  "--belief", write("b.csv", BELIEF))
    assert out.returncode == 2 and "m.csv" in out.stderr


def test_usage_error_exits_2_without_traceback():
    out = run_cli("score", "--market")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_a_belief_file_with_an_event_column_is_matched_to_the_market_events(write):
    season = "data/snapshots/odds/football-data_E0_2324.csv"
    belief = write("season.csv", "event,outcome,probability\n"
                   "2023-08-11 Burnley v Man City,Home,0.2\n2023-08-11 Burnley v Man City,Draw,0.2\n"
                   "2023-08-11 Burnley v Man City,Away,0.6\n2023-08-12 Arsenal v Nott'm Forest,H,0.7\n"
                   "2023-08-12 Arsenal v Nott'm Forest,D,0.2\n2023-08-12 Arsenal v Nott'm Forest,A,0.1\n")
    done = run_cli("score", "--market", season, "--belief", belief)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)["results"]
    assert [r["event"] for r in results] == ["2023-08-11 Burnley v Man City", "2023-08-12 Arsenal v Nott'm Forest"]
    assert results[1]["belief_probabilities"] == pytest.approx({"Home": 0.7, "Draw": 0.2, "Away": 0.1}, abs=1e-15)
