"""The risk of a stake set (docs/methods.md, "The risk of Kelly stakes"), under the belief that chose it: the
probability of a loss, value at risk and expected shortfall at 95 %, and over a season of such bets the chance of
a 50 % drawdown. Wealth after a bet on one event with outcome i: W_i = 1 - sum(s) + s_i o_i (stakes s as fractions
of the bankroll, decimal odds o); the loss is L = 1 - W, a fraction of the bankroll."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analytics.core.types import FloatArray

LEVEL = 0.95
DRAWDOWN = 0.5
SEASON_SEED = 0
MAX_DRAWS = 4_000_000          # paths x events simulated at most
BLOCK_DRAWS = 250_000          # draws held at once (2 MB of uniforms)
PATHS = 10_000


@dataclass(frozen=True)
class StakeRisk:
    """Loss figures of one event's stakes (fractions of the bankroll): P(L > 0), VaR and ES at LEVEL, the worst
    loss, and P(W <= 1 - DRAWDOWN) (a 50 % drawdown in one bet)."""

    loss_probability: float
    var_95: float
    es_95: float
    worst_loss: float
    drawdown_probability: float

    def record(self) -> dict[str, float]:
        return {"loss_probability": self.loss_probability, "var_95": self.var_95, "es_95": self.es_95,
                "worst_loss": self.worst_loss, "drawdown_50_probability": self.drawdown_probability}


def stake_risk(p: FloatArray, odds: FloatArray, stakes: FloatArray) -> StakeRisk:
    """Exact risk of stakes on one event under probabilities p: VaR the smallest loss l with P(L <= l) >= LEVEL,
    ES the mean loss over the worst 1 - LEVEL of probability (atoms split where the tail ends)."""
    p, odds, stakes = (np.asarray(a, dtype=float) for a in (p, odds, stakes))
    loss = stakes.sum() - stakes * odds
    order = np.argsort(-loss, kind="stable")                 # worst first
    tail = 1.0 - LEVEL
    mass_before = np.cumsum(p[order]) - p[order]
    taken = np.clip(tail - mass_before, 0.0, p[order])       # each atom's share of the worst 5 %
    es = float(taken @ loss[order]) / tail
    ascending = np.argsort(loss, kind="stable")
    reached = np.cumsum(p[ascending]) >= LEVEL - 1e-12
    var = float(loss[ascending][int(np.argmax(reached))])
    live = p > 0
    return StakeRisk(float(p[loss > 1e-15].sum()), max(var, 0.0), max(es, 0.0),
                     float(max(loss[live].max(), 0.0)) if live.any() else 0.0,
                     float(p[loss >= DRAWDOWN - 1e-15].sum()))


def season_drawdown_probability(p: FloatArray, odds: FloatArray, stakes: FloatArray, *, paths: int = PATHS,
                                seed: int = SEASON_SEED) -> float:
    """P(wealth falls to half its running peak at some point) over the events in order (rows of (E, n) arrays),
    outcomes drawn from p, by simulation with `seed` (paths cut so paths x events <= MAX_DRAWS; simulated in blocks
    of at most BLOCK_DRAWS draws, so memory stays a few megabytes whatever the season's length)."""
    p, odds, stakes = (np.asarray(a, dtype=float) for a in (p, odds, stakes))
    events = p.shape[0]
    if events == 0:
        return 0.0
    paths = max(1, min(paths, MAX_DRAWS // events))
    growth = np.log(np.maximum(1.0 - stakes.sum(axis=1, keepdims=True) + stakes * np.where(np.isfinite(odds), odds,
                                                                                             0.0), 1e-300))
    cumulative = np.cumsum(p, axis=1)
    cumulative[:, -1] = 1.0
    rng = np.random.default_rng(seed)
    floor = math.log(1 - DRAWDOWN)
    block = max(1, BLOCK_DRAWS // events)
    hit = 0
    for start in range(0, paths, block):
        count = min(block, paths - start)
        draws = rng.random((count, events))
        outcome = np.zeros((count, events), dtype=np.intp)
        for k in range(cumulative.shape[1] - 1):            # inverse CDF: a handful of outcomes per event
            outcome += draws > cumulative[None, :, k]
        log_wealth = np.cumsum(growth[np.arange(events)[None, :], outcome], axis=1)
        peak = np.maximum.accumulate(np.maximum(log_wealth, 0.0), axis=1)
        hit += int(np.count_nonzero((log_wealth - peak <= floor).any(axis=1)))
    return hit / paths
