"""Market and belief distributions: discrete outcomes and densities on a grid.

Probabilities are fractions (not %). A gridded density carries its pdf on a strictly increasing
grid; integrals use the trapezoid rule on that grid.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping, Sequence

import numpy as np
from scipy.integrate import cumulative_trapezoid, trapezoid

from analytics.core.errors import InputError
from analytics.core.text import MAX_CELL_CHARS
from analytics.core.types import FloatArray

SUM_TOLERANCE = 1e-9
MAX_OUTCOMES = 1_000       # per event: a horse race has about 40 runners, the widest election market a few hundred


def trapezoid_weights(x: FloatArray) -> FloatArray:
    """Weights w with sum(w f) = the trapezoid integral of f on x."""
    dx = np.diff(x)
    w = np.zeros_like(x, dtype=float)
    w[:-1] += dx / 2
    w[1:] += dx / 2
    return w


# Football short forms: results (FTR) and beliefs may write H/D/A, 1/X/2 or "The Draw".
FOOTBALL_ALIASES = {"h": "Home", "d": "Draw", "a": "Away", "x": "Draw", "1": "Home", "2": "Away",
                    "the draw": "Draw"}


@lru_cache(maxsize=1 << 16)       # a season repeats a few labels (Home, Draw, Away) hundreds of thousands of times
def normalise_label(label: str) -> str:
    """Case- and space-insensitive key used to match outcome labels."""
    return " ".join(str(label).split()).casefold()


def matching_label(name: str, labels: Sequence[str]) -> str | None:
    """The label among `labels` that `name` means (case- and space-insensitive; football short forms such as H, D,
    A or X read as Home, Draw, Away when the name itself is not a label), or None."""
    keys = {normalise_label(label): label for label in labels}
    key = normalise_label(name)
    return keys.get(key) or keys.get(normalise_label(FOOTBALL_ALIASES.get(key, "")))


@dataclass(frozen=True, eq=False)
class DiscreteDistribution:
    """Probabilities over named, mutually exclusive outcomes (fractions summing to 1)."""

    labels: tuple[str, ...]
    probabilities: FloatArray
    source: str = ""
    method: str = ""
    diagnostics: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        probs = np.asarray(self.probabilities, dtype=float)
        if probs.ndim != 1 or probs.size != len(self.labels):
            raise InputError(f"{len(self.labels)} labels but {probs.size} probabilities", source=self.source or None)
        if probs.size == 0:
            raise InputError("no outcomes", source=self.source or None)
        if probs.size > MAX_OUTCOMES:
            raise InputError(f"{probs.size:,} outcomes in one event; the limit is {MAX_OUTCOMES:,}",
                             source=self.source or None)
        longest = max(self.labels, key=len)
        if len(longest) > MAX_CELL_CHARS:      # a label from JSON is held to a CSV cell's limit
            raise InputError(f"an outcome label of {len(longest):,} characters ({longest[:40]!r}...); the limit is "
                             f"{MAX_CELL_CHARS:,}", source=self.source or None)
        keys = [normalise_label(lab) for lab in self.labels]
        if len(set(keys)) != len(keys):
            seen = Counter(keys)
            dupes = sorted({lab for lab, k in zip(self.labels, keys, strict=True) if seen[k] > 1})
            raise InputError(f"duplicate outcome labels {dupes}", source=self.source or None)
        total = float(probs.sum())
        if not math.isfinite(total) or probs.min() < 0:        # one pass decides; the search only names the culprit
            i = int(np.flatnonzero(~np.isfinite(probs) | (probs < 0))[0])
            raise InputError(
                f"outcome {self.labels[i]!r} has probability {probs[i]!r}; expected a finite number >= 0",
                source=self.source or None,
            )
        if abs(total - 1.0) > SUM_TOLERANCE:
            raise InputError(f"probabilities sum to {total!r}, expected 1", source=self.source or None)
        probs = probs.copy()
        probs.setflags(write=False)
        object.__setattr__(self, "probabilities", probs)
        object.__setattr__(self, "labels", tuple(str(lab) for lab in self.labels))

    @property
    def size(self) -> int:
        return len(self.labels)

    def aligned_to(self, labels: Sequence[str]) -> DiscreteDistribution:
        """The same distribution with outcomes in the order of `labels` (matched case- and
        space-insensitively). Raises InputError listing missing or unknown labels."""
        mine = {normalise_label(lab): i for i, lab in enumerate(self.labels)}
        theirs = [normalise_label(lab) for lab in labels]
        missing = [lab for lab, k in zip(labels, theirs, strict=True) if k not in mine]
        unknown = [lab for lab in self.labels if normalise_label(lab) not in set(theirs)]
        if missing or unknown:
            parts = []
            if missing:
                parts.append(f"missing outcomes {missing} (write 0 to mean impossible)")
            if unknown:
                parts.append(f"outcomes {unknown} match no market outcome")
            parts.append(f"market outcomes are {list(labels)}")
            raise InputError("; ".join(parts), source=self.source or None)
        order = np.array([mine[k] for k in theirs])
        return DiscreteDistribution(tuple(labels), self.probabilities[order], self.source, self.method,
                                    self.diagnostics)


@dataclass(frozen=True, eq=False)
class GriddedDensity:
    """A probability density sampled on a strictly increasing grid x (pdf in 1/units of x).

    `mass` is the trapezoid integral of the pdf as constructed; call `normalised()` to rescale.
    """

    x: FloatArray
    pdf: FloatArray
    source: str = ""
    method: str = ""
    diagnostics: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        x = np.asarray(self.x, dtype=float)
        pdf = np.asarray(self.pdf, dtype=float)
        src = self.source or None
        if x.ndim != 1 or pdf.shape != x.shape:
            raise InputError(f"grid has {x.size} points but density has {pdf.size}", source=src)
        if x.size < 3:
            raise InputError("a density grid needs at least 3 points", source=src)
        if not np.all(np.isfinite(x)):
            raise InputError("grid values must be finite numbers", source=src)
        steps = np.diff(x)
        if np.any(steps <= 0):
            i = int(np.flatnonzero(steps <= 0)[0]) + 1
            raise InputError(f"grid is not strictly increasing at point {i + 1} (x={float(x[i])!r})", source=src)
        bad = ~np.isfinite(pdf) | (pdf < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"density at x={float(x[i])!r} is {float(pdf[i])!r}; expected a finite number >= 0",
                             source=src)
        if trapezoid(pdf, x) <= 0:
            raise InputError("density integrates to 0", source=src)
        x, pdf = x.copy(), pdf.copy()
        x.setflags(write=False)
        pdf.setflags(write=False)
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "pdf", pdf)

    @property
    def mass(self) -> float:
        return float(trapezoid(self.pdf, self.x))

    def normalised(self) -> GriddedDensity:
        return GriddedDensity(self.x, self.pdf / self.mass, self.source, self.method,
                              {**self.diagnostics, "mass_before_normalisation": self.mass})

    @property
    def cdf(self) -> FloatArray:
        """Cumulative distribution on the grid (trapezoid), scaled to end at 1."""
        c = cumulative_trapezoid(self.pdf, self.x, initial=0.0)
        return c / c[-1]

    def quantile(self, levels: FloatArray | Sequence[float] | float) -> FloatArray:
        """Quantiles by inverting the piecewise-linear CDF on the grid."""
        lv = np.asarray(levels, dtype=float)
        cdf = self.cdf
        keep = np.concatenate(([True], np.diff(cdf) > 0))
        return np.interp(lv, cdf[keep], self.x[keep])

    def mean(self) -> float:
        return float(trapezoid(self.x * self.pdf, self.x) / self.mass)

    def sd(self) -> float:
        m = self.mean()
        return float(np.sqrt(trapezoid((self.x - m) ** 2 * self.pdf, self.x) / self.mass))

    def probability_between(self, low: float | FloatArray, high: float | FloatArray) -> FloatArray:
        """P(low < X <= high) from the grid CDF (linear between grid points); -inf/inf allowed."""
        cdf = self.cdf
        lo = np.interp(np.asarray(low, dtype=float), self.x, cdf, left=0.0, right=1.0)
        hi = np.interp(np.asarray(high, dtype=float), self.x, cdf, left=0.0, right=1.0)
        return np.asarray(hi - lo)
