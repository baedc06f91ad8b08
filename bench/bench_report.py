"""Time to build each report format (median)."""

import functools
import tempfile
from pathlib import Path

from bench.timing import median_seconds, show
from reporting.report import build_report, render
from services.scoring import MarketRequest, score_files


def run() -> None:
    print("reports (one 3-outcome market, two figures)")
    tmp = Path(tempfile.mkdtemp())
    (tmp / "m.csv").write_text("outcome,probability\nHome,0.4\nDraw,0.4\nAway,0.2\n")
    (tmp / "b.csv").write_text("outcome,probability\nHome,0.5\nDraw,0.3\nAway,0.2\n")
    pairs = score_files(str(tmp / "m.csv"), str(tmp / "b.csv"), MarketRequest())
    report = build_report(pairs, market_source="m.csv", belief_source="b.csv", method="shin")
    show("build the report model", median_seconds(lambda: build_report(pairs, market_source="m", belief_source="b",
                                                                       method="shin")))
    for suffix in (".json", ".csv", ".html", ".pdf"):
        repeat = 3 if suffix == ".pdf" else 7
        show(f"render {suffix}", median_seconds(functools.partial(render, report, suffix), repeat=repeat),
             "(PDF: a Chromium renderer started and stopped for each PDF)" if suffix == ".pdf" else "")
