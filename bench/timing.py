"""Median wall-clock timing for `make bench` (machines are noisy: medians, not means)."""

from __future__ import annotations

import statistics
import time
from typing import Any, Callable


def median_seconds(fn: Callable[[], Any], repeat: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def show(name: str, seconds: float, note: str = "") -> None:
    if seconds < 1e-3:
        shown = f"{seconds * 1e6:9.1f} us"
    elif seconds < 1:
        shown = f"{seconds * 1e3:9.2f} ms"
    else:
        shown = f"{seconds:9.2f} s "
    print(f"  {name:<58} {shown}  {note}")
