"""Batch densities (issue 20 targets: chains per second on all workers at least 1.8 x one worker on 2 cores; the
peak memory of a 10^4-chain dataset). BATCH_BENCH_CHAINS sets the dataset's size (default 10^4)."""

from __future__ import annotations

import math
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from services.batch import Progress, run_batch


def _write_dataset(folder: Path, chains: int) -> None:
    """Black-Scholes quotes (41 strikes, 1-cent half spread), one expiry per snapshot, 100 snapshots a file."""
    strikes = np.linspace(60.0, 160.0, 41)
    t = 0.25
    rows_per_file: list[pd.DataFrame] = []
    for i in range(chains):
        sigma = 0.15 + 0.1 * ((i * 7919) % 100) / 100
        d1 = (np.log(100.0 / strikes) + sigma**2 * t / 2) / (sigma * math.sqrt(t))
        call = 100.0 * norm.cdf(d1) - strikes * norm.cdf(d1 - sigma * math.sqrt(t))
        put = call - (100.0 - strikes)
        price: np.ndarray = np.asarray(np.round(np.concatenate([call, put]), 2), dtype=float)
        ok = price >= 0.02
        asof = f"2026-02-{1 + i // 20 % 28:02d}T{10 + i // 560 % 6:02d}:{i // 3360 % 60:02d}"
        frame = pd.DataFrame({"strike": np.r_[strikes, strikes][ok], "bid": price[ok] - 0.01, "ask": price[ok] + 0.01,
                              "optionType": np.r_[["call"] * 41, ["put"] * 41][ok], "expiration": "2026-06-01",
                              "underlying": f"U{i % 20:02d}", "asof": asof, "spot": 100.0})
        rows_per_file.append(frame)
        if len(rows_per_file) == 100 or i == chains - 1:
            pd.concat(rows_per_file).to_parquet(folder / f"part{i // 100:04d}.parquet", index=False)
            rows_per_file = []


def run() -> None:
    chains = int(os.environ.get("BATCH_BENCH_CHAINS", "10000"))
    print(f"batch densities (issue 20 targets: all workers >= 1.8 x one worker on 2 cores; peak memory of {chains:,} "
          "chains)")
    quiet = Progress(open(os.devnull, "w"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small, full = folder / "small", folder / "full"
        small.mkdir()
        full.mkdir()
        _write_dataset(small, min(1000, chains))
        _write_dataset(full, chains)
        rates = {}
        for workers in (1, os.cpu_count() or 1):
            start = time.perf_counter()
            frame = run_batch(small, folder / "out.parquet", workers=workers, progress=quiet)
            rates[workers] = len(frame) / (time.perf_counter() - start)
            print(f"  {workers} worker(s): {rates[workers]:8.1f} chains/s ({len(frame)} chains)")
        if len(rates) > 1:
            print(f"  ratio all/one: {rates[max(rates)] / rates[1]:.2f} x")
        start = time.perf_counter()
        frame = run_batch(full, folder / "full.parquet", progress=quiet)
        seconds = time.perf_counter() - start
        driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"  {len(frame):,} chains in {seconds:.1f} s ({len(frame) / seconds:.1f} chains/s, "
              f"{int(frame['error'].notna().sum())} errors); peak memory: driver {driver:.0f} MB, "
              f"largest worker {workers_peak:.0f} MB")
