"""Reports: every format from the same inputs agrees with the analytics; injection stays text."""

import csv
import io
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from analytics.core.strict_json import dumps
from reporting.report import build_report, render, report_html
from services.scoring import MarketRequest, score_files
from tests.conftest import ROOT, run_cli

LABELS = ["<img src=x onerror=alert(1)>", '=HYPERLINK("http://evil")', "Draw"]


@pytest.fixture
def files(write):
    market = write("m.csv", "outcome,probability\n" + "".join(f'"{lab.replace(chr(34), chr(34) * 2)}",{p}\n'
                                                              for lab, p in zip(LABELS, [0.4, 0.4, 0.2], strict=True)))
    belief = write("b.csv", "outcome,probability\n" + "".join(f'"{lab.replace(chr(34), chr(34) * 2)}",{p}\n'
                                                              for lab, p in zip(LABELS, [0.5, 0.3, 0.2], strict=True)))
    return market, belief


def make_report(files):
    market, belief = files
    pairs = score_files(market, belief, MarketRequest())
    return pairs, build_report(pairs, market_source=market, belief_source=belief, method="shin")


def test_json_and_csv_carry_every_number(files):
    pairs, report = make_report(files)
    record = pairs[0].record()
    data = json.loads(render(report, ".json"))
    assert data["schema_version"] == 1
    result = data["results"][0]
    assert result["kl_nats"] == pytest.approx(0.025267153921571, abs=1e-12)
    assert result["kl_bits"] == record["kl_bits"] and result["js_bits"] == record["js_bits"]
    assert [o["outcome"] for o in result["outcomes"]] == LABELS
    rows = list(csv.DictReader(io.StringIO(render(report, ".csv").decode())))
    kl = [r for r in rows if r["quantity"] == "kl_bits"]
    assert float(kl[0]["value"]) == pytest.approx(record["kl_bits"], abs=1e-15)
    outcomes = {r["outcome"] for r in rows if r["quantity"] == "belief_probabilities"}
    assert "'=HYPERLINK(\"http://evil\")" in outcomes and "<img src=x onerror=alert(1)>" in outcomes
    assert not any(r["outcome"].startswith("=") for r in rows)


def test_html_escapes_labels_and_shows_kl(files):
    pairs, report = make_report(files)
    page = render(report, ".html").decode()
    assert "<img src=x onerror" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert f"{pairs[0].record()['kl_bits']:.6g}" in page
    assert page.count("Plotly.newPlot") >= 2 and page.count("plotly.js (basic - minified) v") == 1   # inlined once


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_pdf_text_contains_kl_and_labels(files, tmp_path):
    pairs, report = make_report(files)
    path = tmp_path / "r.pdf"
    path.write_bytes(render(report, ".pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert f"{pairs[0].record()['kl_bits']:.6g}" in text
    assert "<img src=x" in text and "HYPERLINK" in text


def test_cli_report_every_format(files, tmp_path):
    market, belief = files
    for suffix in (".json", ".csv", ".html"):
        out = run_cli("report", "--market", market, "--belief", belief, "--out", str(tmp_path / f"r{suffix}"))
        assert out.returncode == 0, out.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    score = json.loads(run_cli("score", "--market", market, "--belief", belief).stdout)
    assert data["results"][0]["kl_bits"] == score["kl_bits"]
    out = run_cli("report", "--market", market, "--belief", belief, "--out", str(tmp_path / "r.docx"))
    assert out.returncode == 2 and "suffix picks its format" in out.stderr and ".docx" in out.stderr


def test_strict_json_infinities():
    assert dumps({"a": float("inf"), "b": float("nan")}) == '{"a": "inf", "b": null}'


def spy_pairs():
    from tests.conftest import ROOT

    request = MarketRequest(spot=692.3, asof="2026-02-11T11:19", expiry="2026-03-20")
    chain = str(ROOT / "data/snapshots/options/SPY_20260211_chain.csv")
    return chain, score_files(chain, str(ROOT / "data/examples/view.json"), request)


def test_caveats_apply_to_the_market_at_hand(files):
    _, football = make_report(files)
    assert not [c for c in football.caveats if "risk-neutral" in c]
    assert [c for c in football.caveats if "margin-removal" in c]
    chain, pairs = spy_pairs()
    options = build_report(pairs, market_source=chain, belief_source="view.json", method="n/a")
    assert [c for c in options.caveats if "risk-neutral" in c]
    assert not [c for c in options.caveats if "margin-removal" in c]
    titles = [fig.layout.title.text for fig in options.sections[0].figures]
    assert titles == ["Market density vs belief", "Where the disagreement lives", "Growth-optimal payoff p/q",
                      "Payoff at expiry per unit of bankroll"]
    summary, legs = options.sections[0].extra_tables          # the options edge: its sandwich and its legs
    assert "bits" in summary.columns and legs["cost"].sum() == pytest.approx(1.0, abs=1e-9)
    html_text = report_html(options)
    assert "butterflies at every strike" in html_text and "bond (cash held to expiry)" in html_text


def test_the_report_records_the_screen_and_its_stakes(files):
    market, belief = files
    pairs = score_files(market, belief, MarketRequest())
    report = build_report(pairs, market_source=market, belief_source=belief, method="shin",
                          settings={"bookmaker": "PS: Pinnacle", "bankroll": "250.00 EUR", "kelly_fraction": 0.5},
                          bankroll=250.0, kelly_fraction=0.5)
    data = json.loads(render(report, ".json"))
    assert data["inputs"]["bookmaker"] == "PS: Pinnacle" and data["inputs"]["kelly_fraction"] == 0.5
    stakes = [row["fair-price stake"] for row in data["results"][0]["outcomes"]]
    assert stakes == pytest.approx([0.5 * 250 * p for p in (0.5, 0.3, 0.2)], abs=1e-9)


def test_html_report_inlines_one_small_plotly_and_a_readable_diagnostics_table():
    chain, pairs = spy_pairs()
    page = render(build_report(pairs, market_source=chain, belief_source="view.json", method="n/a"), ".html").decode()
    assert len(page.encode()) < 4_000_000
    assert page.count("plotly.js (basic - minified)") == 1 and "<script src" not in page     # nothing to fetch
    assert "<td>forward method</td>" in page and "{'" not in page


def test_the_inlined_plotly_bundle_matches_the_plotly_python_uses():
    import re

    import plotly

    from reporting.report import PLOTLY_BASIC

    full = (plotly.__path__[0] + "/package_data/plotly.min.js")
    version = re.search(r"plotly\.js v(\S+)", open(full, encoding="utf-8").read(300)).group(1)
    assert f"(basic - minified) v{version}" in PLOTLY_BASIC.read_text(encoding="utf-8")[:300]


@pytest.mark.parametrize("label", ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\r=1", "\n=1", " =1", "＝1+1",
                                   "＋1", "－1", "＠x"])
def test_csv_cells_that_could_start_a_formula_are_quoted(label):
    from reporting.report import _safe_cell

    assert _safe_cell(label) == "'" + label
    assert _safe_cell("Draw") == "Draw" and _safe_cell(0.25) == 0.25 and _safe_cell("-inf") == "-inf"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_pdf_with_a_thousand_character_label_renders(write, tmp_path):
    label = "L" * 1000
    market = write("m.csv", f"outcome,probability\n{label},0.4\nDraw,0.4\nAway,0.2\n")
    belief = write("b.csv", f"outcome,probability\n{label},0.5\nDraw,0.3\nAway,0.2\n")
    pairs = score_files(market, belief, MarketRequest())
    path = tmp_path / "long.pdf"
    path.write_bytes(render(build_report(pairs, market_source=market, belief_source=belief, method="shin"), ".pdf"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Draw" in text and "LLLL" in text


def test_the_track_record_report_is_self_contained_html():
    import pandas as pd

    from reporting.figures import track_record_chart
    from reporting.report import track_record_html
    from services.scoring import MarketRequest
    from services.track import track_record

    season = str(ROOT / "data/snapshots/odds/football-data_E0_2324.csv")
    track = track_record(season, season, MarketRequest(bookmaker="B365", belief_bookmaker="PSC"))
    summary = track.result.summary()
    page = track_record_html(summary, pd.DataFrame(track.result.per_event()), [track_record_chart(track.result)],
                             inputs={"market": "B365", "belief": "<PSC>"})
    from reporting.report import PLOTLY_BASIC

    assert PLOTLY_BASIC.read_text(encoding="utf-8")[:300] in page and "<script src=" not in page   # offline
    assert "&lt;PSC&gt;" in page and "2023-08-11 Burnley v Man City" in page
    assert f"{summary['realised_growth_fair_bits_total']:.6g}" in page


def test_csv_report_gives_each_leg_and_view_field_its_own_row(tmp_path):
    chain = str(ROOT / "data/snapshots/options/SPY_20260211_chain.csv")
    out = tmp_path / "r.csv"
    done = run_cli("report", "--market", chain, "--spot", "692.3", "--asof", "2026-02-11T11:19", "--expiry",
                   "2026-03-20", "--belief", str(ROOT / "data/examples/views.json"), "--out", str(out))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    quantities = {r["quantity"]: r["value"] for r in rows}
    assert quantities["views[0].view"] == "P(>720) = 0.3" and quantities["views[1].binding"] == "False"
    assert {"legs[0].type", "legs[0].strike", "legs[0].side", "legs[0].quantity", "legs[0].price",
            "legs[0].cost"} <= set(quantities)


def _chromium_descendants() -> list[int]:
    """Chromium processes started (directly or not) by this test process."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)
                parents[int(entry.name)] = (int(fields[1].split()[1]), fields[0].split("(", 1)[1])
            except (OSError, IndexError, ValueError):
                continue
    me, found = os.getpid(), []
    for pid, (_parent, name) in parents.items():
        chain, step = pid, 0
        while chain in parents and chain != me and step < 64:
            chain, step = parents[chain][0], step + 1
        if chain == me and pid != me and "chrom" in name.lower():
            found.append(pid)
    return found


def test_the_pdf_renderer_is_gone_once_the_pdf_is_written(files):
    """kaleido's Chromium (about 1 GB) is started for one PDF's figures and stopped after them, not left resident
    (a browser the session's other tests drive may be running: only processes new since the start count)."""
    market, belief = files
    before = set(_chromium_descendants())
    report = build_report(score_files(market, belief, MarketRequest()), market_source=market, belief_source=belief,
                          method="shin")
    assert render(report, ".pdf").startswith(b"%PDF")
    deadline = time.time() + 10
    while set(_chromium_descendants()) - before and time.time() < deadline:
        time.sleep(0.2)
    assert set(_chromium_descendants()) - before == set()


def test_legs_under_a_contract_floor_are_one_row_that_keeps_the_costs():
    """The page's legs table: legs under the floor become one row naming how many and what they cost together,
    so the rows still spend the whole bankroll; without a floor every leg has its row."""
    from reporting.tables import legs_table

    _chain, pairs = spy_pairs()
    edge = pairs[0].score.edge
    assert edge is not None and len(edge.position.legs) > 3
    contracts = np.array([leg.quantity * 100_000 / 100 for leg in edge.position.legs])
    floor = float(np.sort(contracts)[2])                         # the two smallest legs fall under it
    full, folded = legs_table(edge, 100_000), legs_table(edge, 100_000, min_contracts=floor)
    assert len(full) == len(edge.position.legs) + 1 and len(folded) == len(full) - 1
    row = folded[folded["leg"].str.contains("more legs")]
    assert row["leg"].tolist() == [f"2 more legs, each under {floor:g} contracts"]
    small = sorted(edge.position.legs, key=lambda leg: leg.quantity)[:2]
    assert row["cost"].iloc[0] == pytest.approx(100_000 * sum(leg.cost for leg in small), rel=1e-12)
    assert folded["cost"].sum() == pytest.approx(100_000.0, rel=1e-12) == full["cost"].sum()


def test_csv_reports_hold_one_value_per_cell(write, tmp_path):
    """Best prices (a figure and a bookmaker per outcome), placements and an options position: no cell holds a
    Python or JSON structure."""
    import csv as _csv

    season = str(ROOT / "data/snapshots/odds/football-data_E0_2324.csv")
    belief = write("b.csv", "outcome,probability\nHome,0.2\nDraw,0.3\nAway,0.5\n")
    runs = [["--market", season, "--belief", belief, "--event", "2023-08-11 Burnley v Man City", "--prices", "best"],
            ["--market", str(ROOT / "data/snapshots/options/SPY_20260211_chain.csv"), "--spot", "692.3", "--asof",
             "2026-02-11T11:19", "--expiry", "2026-03-20", "--belief", str(ROOT / "data/examples/view.json")]]
    for i, args in enumerate(runs):
        out = tmp_path / f"r{i}.csv"
        done = run_cli("report", *args, "--out", str(out))
        assert done.returncode == 0, done.stderr
        rows = list(_csv.DictReader(out.open(encoding="utf-8")))
        assert rows and not [r for r in rows if r["value"].startswith(("{", "[")) or "': " in r["value"]]
    rows = list(_csv.DictReader((tmp_path / "r0.csv").open(encoding="utf-8")))
    assert {(r["quantity"], r["outcome"]) for r in rows} >= {("prices.odds", "Home"), ("prices.bookmaker", "Home")}


def test_every_report_states_the_views_and_the_price_setting(write, tmp_path):
    market = str(ROOT / "data/examples/discrete.csv")
    views = write("v.csv", "view,value\nP(Home),0.6\n")
    for suffix in (".html", ".json", ".csv"):
        out = tmp_path / f"r{suffix}"
        assert run_cli("report", "--market", market, "--belief", views, "--out", str(out)).returncode == 0
        text = out.read_text(encoding="utf-8")
        assert "P(Home) = 0.6" in text, suffix                        # the view as the user wrote it
        assert "bet at" in text and "the market" in text, suffix       # where the stakes are placed


def test_the_pdf_shows_every_caveat_whole_and_no_header_broken_inside_a_word(write, tmp_path):
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None or shutil.which("chromium") is None:
        pytest.skip("needs poppler's pdftotext and Chromium (make test installs both)")
    season = str(ROOT / "data/snapshots/odds/football-data_E0_2324.csv")
    belief = write("b.csv", "outcome,probability\nHome,0.5\nDraw,0.25\nAway,0.25\n")
    out = tmp_path / "r.pdf"
    done = run_cli("report", "--market", season, "--belief", belief, "--event", "2023-08-11 Burnley v Man City",
                   "--prices", "best", "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = " ".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout.split())
    assert run_cli("report", "--market", season, "--belief", belief, "--event", "2023-08-11 Burnley v Man City",
                   "--prices", "best", "--out", str(tmp_path / "r.json")).returncode == 0
    report = json.loads((tmp_path / "r.json").read_text())
    for caveat in report["caveats"]:
        assert " ".join(f"- {caveat}".split()) in text                 # whole, not cut at 160 characters
    assert "bookmaker" in text and "bookmak er" not in text


def test_the_track_record_html_states_the_interval():
    import pandas as pd

    from reporting.report import track_record_html

    page = track_record_html({"events": 380, "realised_growth_fair_bits_ci95": [-0.004, 0.0285]}, pd.DataFrame(),
                             [], inputs={"season": "E0"})
    assert "realised growth fair bits ci95</td><td>-0.004 to 0.0285" in page
