"""Bounded cost on the commands issue 25 probed, each as a user meets it (the real command line in a subprocess,
the interpreter's start included): a 66,666-event season backtest (target under 10 s and 500 MB peak), a
200-view belief on SPY (under 2 s) and `batch --scheduler` at a port that never answers (within 11 s)."""

from __future__ import annotations

import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.conftest import ROOT

SPY = str(ROOT / "data/snapshots/options/SPY_20260211_chain.csv")
# the command line in a child that reports its own peak resident memory (KiB on Linux) on its last stderr line
PEAK = ("import resource, sys\nfrom services.cli import main\ncode = main(sys.argv[1:])\n"
        "print(f'peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)\nsys.exit(code)")


def _season(folder: Path, events: int = 66_666) -> list[str]:
    """Market (event,outcome,odds with a 5 % margin), per-event beliefs and results: 8.5 MB in three files."""
    rng = random.Random(1)
    with (folder / "m.csv").open("w") as m, (folder / "b.csv").open("w") as b, (folder / "r.csv").open("w") as r:
        m.write("event,outcome,odds\n")
        b.write("event,outcome,probability\n")
        r.write("event,outcome\n")
        for i in range(events):
            q = [rng.uniform(0.2, 0.5) for _ in range(3)]
            p = [rng.uniform(0.2, 0.5) for _ in range(3)]
            for outcome, qi, pi in zip(("Home", "Draw", "Away"), q, p, strict=True):
                m.write(f"e{i},{outcome},{sum(q) / (qi * 1.05):.3f}\n")
                b.write(f"e{i},{outcome},{pi / sum(p):.6f}\n")
            r.write(f"e{i},{rng.choice(('Home', 'Draw', 'Away'))}\n")
    return ["backtest", "--market", str(folder / "m.csv"), "--belief", str(folder / "b.csv"), "--results",
            str(folder / "r.csv")]


def _run(args: list[str]) -> tuple[float, float, str]:
    """Seconds, peak MB and the last message of one command-line run."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=900)
    elapsed = time.perf_counter() - start
    lines = done.stderr.strip().splitlines()
    peak = float(lines[-1].split()[1]) / 1024 if lines and lines[-1].startswith("peak ") else float("nan")
    said = next((line for line in reversed(lines[:-1]) if line.strip()), f"exit {done.returncode}")
    return elapsed, peak, f"exit {done.returncode}: {said[:80]}"


def _show(what: str, runs: list[tuple[float, float, str]], target: float) -> None:
    median = statistics.median(t for t, _, _ in runs)
    peak = max(p for _, p, _ in runs)
    verdict = "ok" if median < target else "OVER TARGET"
    print(f"  {what:<50} {median:6.2f} s  peak {peak:5.0f} MB  {verdict}  ({runs[0][2]})")


def run() -> None:
    print("bounded cost (issue 25; medians of 3, the interpreter's start included)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _show("backtest: 66,666 events (target 10 s, 500 MB)", [_run(_season(folder)) for _ in range(3)], 10.0)
        levels = [600 + i for i in range(200)]
        views = folder / "views.csv"
        views.write_text("view,value,relation\n" + "".join(f"P(>{lv}),0,>=\n" for lv in levels[:150]) +
                         "".join(f"q{0.2 + i * 0.01:.2f},{640 + 2 * i},>=\n" for i in range(50)))
        spy = ["score", "--market", SPY, "--spot", "692.3", "--asof", "2026-02-11T11:19", "--expiry", "2026-03-20"]
        _show("score: 200 views on SPY 2026-03-20 (target 2 s)", [_run([*spy, "--belief", str(views)])
                                                                   for _ in range(3)], 2.0)
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)                          # accepts, never answers
            quotes = folder / "q.csv"
            quotes.write_text("underlying,asof,spot,strike,bid,ask,optionType,expiration\n"
                              "X,2026-03-02,100,100,1,1.1,call,2026-06-18\n")
            args = ["batch", "densities", "--input", str(quotes), "--out", str(folder / "o.parquet"), "--scheduler",
                    f"tcp://127.0.0.1:{silent.getsockname()[1]}"]
            _show("batch --scheduler at a silent port (target 11 s)", [_run(args) for _ in range(3)], 11.0)
            bad_out = ["batch", "densities", "--input", str(quotes), "--out", str(folder)]
            _show("batch --out a folder: refused before any fit (target 3 s)", [_run(bad_out) for _ in range(3)],
                  3.0)


if __name__ == "__main__":
    run()
