"""Prices across bookmakers (docs/methods.md, "Best prices, consensus and arbitrage"): the best odds per outcome,
a consensus market from several books, and the sure-profit book when the best prices allow one.

Arrays are stacked (books, events, outcomes); a book without prices for an event holds NaN there. Probabilities
are fractions; odds are decimal (stake included).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.special import expit, logit

from analytics.core.errors import InputError
from analytics.core.types import FloatArray

Consensus = Literal["logodds", "median"]


def best_prices(odds: FloatArray) -> tuple[FloatArray, np.ndarray]:
    """The highest odds per event and outcome over the books (axis 0), and the index of the book offering them
    (the first such book on a tie). A cell no book prices is NaN (index -1)."""
    odds = np.asarray(odds, dtype=float)
    priced = np.isfinite(odds)
    filled = np.where(priced, odds, -np.inf)
    book = np.argmax(filled, axis=0)
    best = np.take_along_axis(filled, book[None], axis=0)[0]
    nobody = ~priced.any(axis=0)
    return np.where(nobody, np.nan, best), np.where(nobody, -1, book)


def consensus_probabilities(probabilities: FloatArray, how: Consensus = "logodds") -> FloatArray:
    """One market from several books' fair probabilities (axis 0, each already de-margined): per outcome the
    mean of log-odds log(p/(1-p)) over the books that price it (or the median of the probabilities), mapped back
    and normalised to sum 1 per event. With one book it is that book's distribution."""
    p = np.asarray(probabilities, dtype=float)
    if how == "logodds":
        with np.errstate(divide="ignore"):
            combined = expit(np.nanmean(logit(np.clip(p, 1e-15, 1 - 1e-15)), axis=0))
    elif how == "median":
        combined = np.nanmedian(p, axis=0)
    else:
        raise InputError(f"unknown consensus {how!r}; expected logodds or median")
    return np.asarray(combined / combined.sum(axis=-1, keepdims=True))


@dataclass(frozen=True, eq=False)
class Arbitrage:
    """Where the best prices' booksum sum 1/o is below 1: stakes (fractions of the outlay, proportional to 1/o)
    that pay the same whatever happens, and the sure profit as a fraction of the outlay, 1/booksum - 1."""

    booksum: FloatArray          # (events,)
    stakes: FloatArray           # (events, outcomes); rows of events without an arbitrage are NaN
    profit_fraction: FloatArray  # (events,); NaN without an arbitrage

    @property
    def found(self) -> np.ndarray:
        return np.asarray(self.booksum < 1.0)


def arbitrage(best_odds: FloatArray) -> Arbitrage:
    """The sure-profit book of each event whose best prices sum (in 1/o) below 1."""
    inverse = 1.0 / np.asarray(best_odds, dtype=float)
    booksum = inverse.sum(axis=-1)
    found = booksum < 1.0
    stakes = np.where(found[..., None], inverse / booksum[..., None], np.nan)
    return Arbitrage(booksum, stakes, np.where(found, 1.0 / booksum - 1.0, np.nan))


def growth_of_stakes_stack(p: FloatArray, odds: FloatArray, stakes: FloatArray) -> FloatArray:
    """Expected log-growth (nats) of stakes f at odds o under belief p, per event: sum p log(1 - sum f + f o)."""
    p, odds, stakes = (np.asarray(a, dtype=float) for a in (p, odds, stakes))
    wealth = 1.0 - stakes.sum(axis=-1, keepdims=True) + stakes * odds
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(wealth), 0.0)
    return np.asarray(terms.sum(axis=-1))
