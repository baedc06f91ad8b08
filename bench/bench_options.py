"""Option densities: time per chain, the SPY snapshot, and accuracy beside oipd on known-truth chains."""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np

from analytics.options.chain import ExpiryQuotes
from analytics.options.density import density_from_quotes
from bench.timing import median_seconds, show
from data.chains import asof_new_york, bundled_chains, densities_from_file
from tests.truth_chains import CASES, KL_BOUNDS, TruthChain, kl_on_central, make_chain

SEEDS = 5
ROOT = Path(__file__).resolve().parents[1]
BENCH_PYTHON = ROOT / ".venv-bench/bin/python"


def _quotes(chain: TruthChain) -> ExpiryQuotes:
    return ExpiryQuotes("bench", chain.strikes, chain.call_mid, chain.call_spread, chain.put_mid, chain.put_spread)


def ours() -> dict[str, tuple[float, float, float]]:
    """Median KL, worst |mean/F - 1| and median seconds per chain for each class."""
    out = {}
    for name in CASES:
        kls, means, seconds = [], [], []
        for seed in range(SEEDS):
            chain = make_chain(name, seed)
            start = time.perf_counter()
            result = density_from_quotes(_quotes(chain), chain.t_years)
            seconds.append(time.perf_counter() - start)
            kls.append(kl_on_central(chain, result.density.x, result.density.pdf))
            means.append(abs(result.density.mean() / chain.forward - 1))
        out[name] = (float(np.median(kls)), max(means), statistics.median(seconds))
    return out


def oipd() -> dict[str, tuple[float, float, float]] | str:
    if not BENCH_PYTHON.exists():
        return "oipd environment missing: run `make bench` (it creates .venv-bench)"
    # `-m` from the project's root puts the root first on the path, so bench and tests import as packages
    run = subprocess.run([str(BENCH_PYTHON), "-m", "bench.oipd_compare", str(SEEDS)], capture_output=True,
                         text=True, cwd=ROOT, timeout=900)
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    if not rows:
        return f"oipd run failed: {run.stderr.strip()[-300:]}"
    out = {}
    for name in CASES:
        good = [r for r in rows if r["class"] == name and "kl" in r]
        if good:
            out[name] = (float(np.median([r["kl"] for r in good])), max(abs(r["mean_vs_forward"]) for r in good),
                         statistics.median(r["seconds"] for r in good))
    return out


def run() -> None:
    print("option densities (issue 4 targets: < 10 ms per 200-strike chain, < 0.2 s for the SPY snapshot)")
    index = make_chain("index", 0)
    show(f"one index-like chain ({index.strikes.size} strikes)",
         median_seconds(lambda: density_from_quotes(_quotes(index), index.t_years), repeat=7))
    spy = next(i for i in bundled_chains() if i.ticker == "SPY")
    show(f"all {len(spy.expiries)} expiries of the SPY snapshot", median_seconds(
        lambda: densities_from_file(str(spy.file), asof=asof_new_york(spy.asof_utc), spot=spy.spot, rate=None),
        repeat=3))
    print(f"accuracy on known-truth chains: median over {SEEDS} seeds of KL(true || estimate) [nats] over the")
    print("truth's central 99.9 %, worst |mean/F - 1|, median seconds per chain")
    mine, theirs = ours(), oipd()
    print(f"  {'class':<10} {'bound':>8} | {'ours KL':>9} {'mean err':>9} {'time':>8} | {'oipd KL':>9} "
          f"{'mean err':>9} {'time':>8} | ours/oipd KL")
    for name in CASES:
        kl, mean, sec = mine[name]
        line = f"  {name:<10} {KL_BOUNDS[name]:8.0e} | {kl:9.2e} {mean:9.1e} {sec * 1e3:6.1f}ms |"
        if isinstance(theirs, dict) and name in theirs:
            okl, omean, osec = theirs[name]
            line += f" {okl:9.2e} {omean:9.1e} {osec:7.2f}s | {kl / okl:8.3f}"
        else:
            line += "   (no oipd result)"
        print(line)
    if isinstance(theirs, str):
        print("  " + theirs)


if __name__ == "__main__":
    run()
