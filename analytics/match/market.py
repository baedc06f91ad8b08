"""The market's score table and a score belief scored against every market of a match (docs/methods.md, "The whole
match").

The market's score table is the minimum-information table that meets every de-margined market of the match at once:
the I-projection (analytics.views.projection) of a Poisson prior onto the linear statements E[W - q (1 - R)] = 0,
one per outcome but the last of each market (W, R: the outcome's win and refund shares; q: its de-margined
probability). The prior's goal expectations are fitted to the same markets first, so the projection moves it as
little as the prices require. KL in nats; KL(belief || market) throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.optimize import minimize

from analytics.core.divergence import kl_divergence
from analytics.core.errors import InputError
from analytics.core.types import FloatArray
from analytics.match.scores import AWAY, HOME, MAX_EXPECTED_GOALS, MatchMarket, poisson_table
from analytics.views.projection import ViewConstraints, project


@dataclass(frozen=True, eq=False)
class PricedMarket:
    """A market of the match with its de-margined (effective) probabilities, one per outcome, and the decimal odds
    on offer (None: not bettable here)."""

    market: MatchMarket
    fair: FloatArray
    odds: FloatArray | None = None


def fitted_goals(priced: Sequence[PricedMarket]) -> tuple[float, float]:
    """The goal expectations (home, away) of independent Poisson goals whose effective probabilities are closest to
    the markets' (the sum over markets of KL(market || Poisson)), searched in (0.05, MAX_EXPECTED_GOALS]."""
    def loss(log_goals: FloatArray) -> float:
        table = poisson_table(*np.minimum(np.exp(log_goals), MAX_EXPECTED_GOALS))
        return float(sum(kl_divergence(p.fair, np.clip(p.market.effective(table), 1e-300, None)) for p in priced))

    bounds = [(np.log(0.05), np.log(MAX_EXPECTED_GOALS))] * 2
    found = minimize(loss, np.log([1.4, 1.1]), method="L-BFGS-B", bounds=bounds)
    home, away = np.minimum(np.exp(found.x), MAX_EXPECTED_GOALS)      # exp(log(bound)) can round above it
    return float(home), float(away)


def fitted_prior(priced: Sequence[PricedMarket]) -> FloatArray:
    """The Poisson score table of fitted_goals."""
    return poisson_table(*fitted_goals(priced))


RESULT_REGIONS = (HOME > AWAY, HOME == AWAY, HOME < AWAY)


def settled_by_result(market: MatchMarket) -> bool:
    """Whether every outcome of `market` settles by the result alone (home win, draw, away win): handicaps of 0,
    +-0.25 and +-0.5 do. Their prices then follow from the 1X2 prices, and a bookmaker's two sets never agree
    exactly: such a market is checked against the table, not imposed on it."""
    return all(np.ptp(settle[:, region], axis=1).max() == 0 for settle in (market.wins, market.refunds)
               for region in RESULT_REGIONS)


def _constraints(priced: Sequence[PricedMarket]) -> ViewConstraints:
    rows, labels = [], []
    for p in priced:
        for k in range(len(p.market.labels) - 1):        # the last outcome of a market follows from the others
            rows.append((p.market.wins[k] - p.fair[k] * (1.0 - p.market.refunds[k])).ravel())
            labels.append(f"{p.market.name} {p.market.labels[k]}")
    return ViewConstraints(np.vstack(rows), np.zeros(len(rows)), ("=",) * len(rows), tuple(labels))


@dataclass(frozen=True, eq=False)
class MarketTable:
    """The market's score table, the markets it meets, and those left out with the reason."""

    table: FloatArray
    used: tuple[str, ...]
    left_out: tuple[tuple[str, str], ...]


def market_score_table(priced: Sequence[PricedMarket], source: str = "") -> MarketTable:
    """The minimum-information score table meeting every priced market it can (each to 1e-9 or better): markets
    settled by the result alone are left to the 1X2 prices when those are given, and a market that contradicts
    the ones before it (1X2 first, then totals, then handicaps, as given) is left out, named."""
    if not priced:
        raise InputError("no market of the match has prices", source=source)
    prior = fitted_prior(priced)
    has_result = any(p.market.name == "1X2" for p in priced)
    used: list[PricedMarket] = []
    left_out = []
    for p in priced:
        if has_result and p.market.name != "1X2" and settled_by_result(p.market):
            left_out.append((p.market.name, "settles by the result alone: follows from the 1X2 prices"))
            continue
        try:
            project(np.ones(prior.size), prior.ravel(), _constraints([*used, p]), source, with_added=False)
        except InputError:
            left_out.append((p.market.name, "contradicts the markets before it"))
            continue
        used.append(p)
    fit = project(np.ones(prior.size), prior.ravel(), _constraints(used), source, with_added=False)
    table = fit.probabilities.reshape(prior.shape)
    return MarketTable(table / table.sum(), tuple(p.market.name for p in used), tuple(left_out))


@dataclass(frozen=True)
class MarketKL:
    """One market of the match: the market's and the belief's effective probabilities and KL(belief || market)."""

    name: str
    labels: tuple[str, ...]
    market: tuple[float, ...]
    belief: tuple[float, ...]
    kl_nats: float

    def record(self) -> dict[str, object]:
        return {"market": self.name, "kl_nats": self.kl_nats, "kl_bits": self.kl_nats / np.log(2),
                "market_probabilities": dict(zip(self.labels, self.market, strict=True)),
                "belief_probabilities": dict(zip(self.labels, self.belief, strict=True))}


@dataclass(frozen=True, eq=False)
class MatchScore:
    """A score belief against a whole match: per market, and the belief's table against the market's."""

    markets: tuple[MarketKL, ...]
    match_kl_nats: float
    market_table: MarketTable


def score_match(belief_table: FloatArray, priced: Sequence[PricedMarket], source: str = "") -> MatchScore:
    """Each priced market scored on its own (KL of the effective probabilities) and the whole match (KL of the
    belief's score table against the market's)."""
    per_market = []
    for p in priced:
        belief = p.market.effective(belief_table)
        per_market.append(MarketKL(p.market.name, p.market.labels, tuple(float(v) for v in p.fair),
                                   tuple(float(v) for v in belief), float(kl_divergence(belief, p.fair))))
    table = market_score_table(priced, source)
    return MatchScore(tuple(per_market), float(kl_divergence(belief_table.ravel(), table.table.ravel())), table)


@dataclass(frozen=True, eq=False)
class JointStakes:
    """Kelly across every bettable outcome of the match at once: the fraction of wealth on each (market, outcome),
    the cash kept, and the expected log-growth under the belief (nats)."""

    bets: tuple[tuple[str, str, float, float], ...]        # (market, outcome, decimal odds, stake)
    cash: float
    growth_nats: float


def joint_stakes(belief_table: FloatArray, priced: Sequence[PricedMarket]) -> JointStakes:
    """The stakes s >= 0 and cash c >= 0 (c + sum s = 1) maximising E_belief[log W], W(score) = c + sum_k s_k
    (o_k W_k(score) + R_k(score)): each outcome at its own odds, settled with pushes and half-results, every
    score of the belief's table an outcome (scores with the same settlement of every bet are one). Solved by
    Clarabel (analytics.options.conic)."""
    from scipy import sparse

    from analytics.options.conic import ConicFailure, UtilityProgram, maximise

    bets, columns = [], []
    for p in priced:
        if p.odds is None:
            continue
        for k, label in enumerate(p.market.labels):
            bets.append((p.market.name, label, float(p.odds[k])))
            columns.append((p.odds[k] * p.market.wins[k] + p.market.refunds[k]).ravel())
    if not bets:
        return JointStakes((), 1.0, 0.0)
    returns = np.column_stack([*columns, np.ones(belief_table.size)])      # the last column: cash
    mass = belief_table.ravel()
    kept = mass > 0
    patterns, inverse = np.unique(np.round(returns[kept], 12), axis=0, return_inverse=True)
    weights = np.bincount(inverse.ravel(), mass[kept], patterns.shape[0])
    n = returns.shape[1]
    program = UtilityProgram(sparse.csr_matrix(patterns), weights / weights.sum(), 1.0, np.zeros(n), np.zeros(n),
                             sparse.csr_matrix(np.ones((1, n))), np.ones(1), sparse.csr_matrix(-np.eye(n)),
                             np.zeros(n))
    try:
        z = np.clip(maximise(program), 0.0, None)
    except ConicFailure as exc:
        raise InputError(f"the joint stakes could not be found: {exc}") from None
    z = z / z.sum()
    z[:-1][z[:-1] < 1e-6] = 0.0                     # under a millionth of wealth: the interior point's dust
    z[-1] = 1.0 - z[:-1].sum()
    wealth = patterns @ z
    growth = float(weights @ np.log(wealth)) / float(weights.sum())
    return JointStakes(tuple((m, o, odds, float(s)) for (m, o, odds), s in zip(bets, z[:-1], strict=True)),
                       float(z[-1]), growth)
