"""Reports: every format from the same inputs agrees with the analytics; injection stays text."""

import csv
import io
import json
import shutil
import subprocess

import pytest

from analytics.core.strict_json import dumps
from reporting.report import build_report, render
from services.scoring import MarketRequest, score_files
from tests.conftest import run_cli

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
    assert page.count("Plotly.newPlot") >= 2 and page.count("plotly.js v") == 1   # inlined once


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
    assert out.returncode == 2 and "unknown" in out.stderr


def test_strict_json_infinities():
    assert dumps({"a": float("inf"), "b": float("nan")}) == '{"a": "inf", "b": null}'
