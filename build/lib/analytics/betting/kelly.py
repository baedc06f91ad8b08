"""Kelly (log-utility) betting against market prices.

Stakes are fractions of current wealth; growth is the expected log-growth per bet in nats under the
belief p (docs/methods.md, "Kelly"). Odds are decimal (stake included): a unit stake on i returns o_i.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy

from analytics.core.divergence import kl_divergence, renyi_divergence
from analytics.core.errors import InputError
from analytics.core.types import BoolArray, FloatArray

FAIR_BOOK_TOLERANCE = 1e-12


@dataclass(frozen=True, eq=False)
class KellyAllocation:
    """Growth-optimal long-only allocation at given decimal odds.

    stakes: fraction of wealth on each outcome; cash: fraction kept (= reserve rate R when the book
    has a margin); growth_nats: E_p[log wealth multiplier]; multipliers: wealth multiplier if each
    outcome happens; backed: outcomes with a positive stake; hedges: backed outcomes with negative
    expected value p*o - 1 (staked because they protect the cash kept)."""

    stakes: FloatArray
    cash: float
    growth_nats: float
    multipliers: FloatArray
    backed: BoolArray
    hedges: BoolArray
    expected_value: FloatArray
    booksum: float
    regime: str


def _validated(p: FloatArray, odds: FloatArray) -> tuple[FloatArray, FloatArray]:
    p = np.asarray(p, dtype=float)
    o = np.asarray(odds, dtype=float)
    if p.shape != o.shape or p.ndim != 1 or p.size == 0:
        raise InputError(f"belief has {p.size} outcomes but the market has {o.size}")
    if np.any(~np.isfinite(o) | (o <= 1.0)):
        raise InputError(f"decimal odds must be finite and > 1, got {o[~np.isfinite(o) | (o <= 1.0)][0]!r}")
    if np.any(~np.isfinite(p) | (p < 0)) or abs(p.sum() - 1.0) > 1e-9:
        raise InputError("belief probabilities must be >= 0 and sum to 1")
    return p, o


def growth_of_stakes(p: FloatArray, odds: FloatArray, stakes: FloatArray) -> float:
    """E_p[log W] for stakes on mutually exclusive outcomes, the rest held as cash [nats]."""
    p, o = np.asarray(p, float), np.asarray(odds, float)
    stakes = np.asarray(stakes, float)
    wealth = 1.0 - stakes.sum() + stakes * o
    return float(np.sum(xlogy(p, wealth)))


def kelly_with_cash(p: FloatArray, odds: FloatArray) -> KellyAllocation:
    """Growth-optimal stakes at offered decimal odds, cash allowed (Kelly 1956; explicit solution of
    Smoczynski & Tomkins 2010; docs/methods.md).

    Booksum K = sum 1/o. K > 1 (margin): back outcomes in decreasing p*o while p*o exceeds the reserve
    rate R; stakes p_i - R/o_i, cash R. K = 1 (fair, within 1e-12): stakes p, growth KL(p||1/o).
    K < 1 (underround): cash is dominated by the sure-profit book, stakes p with no cash."""
    p, o = _validated(p, odds)
    r = 1.0 / o
    booksum = float(r.sum())
    ev = p * o - 1.0
    if booksum <= 1.0 + FAIR_BOOK_TOLERANCE:
        stakes = p.copy()
        multipliers = p * o
        growth = float(np.sum(xlogy(p, multipliers)))
        regime = "fair" if booksum >= 1.0 - FAIR_BOOK_TOLERANCE else "underround"
        backed = stakes > 0
        return KellyAllocation(stakes, 0.0, growth, multipliers, backed, backed & (ev < 0), ev, booksum, regime)

    order = np.argsort(-p * o, kind="stable")
    er_sorted = (p * o)[order]
    cum_p = np.cumsum(p[order])
    cum_r = np.cumsum(r[order])
    with np.errstate(divide="ignore", invalid="ignore"):
        reserve_after = (1.0 - cum_p) / (1.0 - cum_r)
    reserve_before = np.concatenate(([1.0], reserve_after[:-1]))
    admitted = er_sorted > reserve_before
    n_backed = int(np.argmin(admitted)) if not admitted.all() else admitted.size
    reserve = 1.0 if n_backed == 0 else float(reserve_after[n_backed - 1])
    in_set = np.zeros(p.size, dtype=bool)
    in_set[order[:n_backed]] = True
    stakes = np.where(in_set, p - reserve * r, 0.0)
    stakes = np.maximum(stakes, 0.0)
    multipliers = np.where(in_set, p * o, reserve)
    growth = float(np.sum(xlogy(p, multipliers)))
    backed = stakes > 0
    return KellyAllocation(stakes, reserve, growth, multipliers, backed, backed & (ev < 0), ev, booksum, "margin")


def fractional_kelly_with_cash(p: FloatArray, odds: FloatArray, fraction: float) -> tuple[FloatArray, float]:
    """Stakes scaled by `fraction` (lambda in [0, 1]) of the full Kelly-with-cash stakes, and their
    growth E_p[log(1 - lambda sum f + lambda f_i o_i)] in nats (no closed form; docs/methods.md)."""
    if not 0.0 <= fraction <= 1.0:
        raise InputError(f"Kelly fraction must be in [0, 1], got {fraction!r}")
    full = kelly_with_cash(p, odds)
    stakes = fraction * full.stakes
    return stakes, growth_of_stakes(p, odds, stakes)


def fractional_kelly_growth_fair(p: FloatArray, q: FloatArray, fraction: float) -> FloatArray:
    """Growth at fair odds of betting fraction lambda of the Kelly stake (the rest in cash):
    KL(p||q) - KL(p||lambda p + (1 - lambda) q) [nats] (docs/methods.md, "Kelly")."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    return kl_divergence(p, q) - kl_divergence(p, fraction * p + (1.0 - fraction) * q)


def realised_log_return(p: FloatArray, q: FloatArray, outcome: int) -> float:
    """Log wealth change log(p_x/q_x) [nats] of the fair-odds Kelly bettor when outcome x happens."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    with np.errstate(divide="ignore"):
        return float(np.log(p[outcome]) - np.log(q[outcome]))


def expected_log_return_under_truth(t: FloatArray, p: FloatArray, q: FloatArray) -> FloatArray:
    """E_t[log(p_X/q_X)] = KL(t||q) - KL(t||p) [nats]: what the Kelly bettor earns if t is the truth."""
    return kl_divergence(t, q) - kl_divergence(t, p)


@dataclass(frozen=True)
class BinaryKelly:
    """Kelly on a binary contract paying 1, priced q (fair). side: 'YES', 'NO' or 'none'."""

    side: str
    fraction: float
    multiplier_yes: float
    multiplier_no: float
    growth_nats: float


def binary_kelly(p: float, q: float) -> BinaryKelly:
    """Kelly stake on a fair binary contract (docs/methods.md, "Kelly"): YES f = (p-q)/(1-q) when p > q,
    NO f = (q-p)/q when p < q; growth KL(Bern(p)||Bern(q)) nats."""
    if not (0.0 <= p <= 1.0) or not (0.0 < q < 1.0):
        raise InputError(f"binary contract needs belief p in [0, 1] and price q in (0, 1), got p={p!r}, q={q!r}")
    growth = float(kl_divergence(np.array([p, 1 - p]), np.array([q, 1 - q])))
    if p > q:
        side, fraction = "YES", (p - q) / (1 - q)
    elif p < q:
        side, fraction = "NO", (q - p) / q
    else:
        side, fraction = "none", 0.0
    return BinaryKelly(side, fraction, p / q, (1 - p) / (1 - q), growth)


@dataclass(frozen=True, eq=False)
class CrraResult:
    """Optimal positioning of a CRRA(gamma) investor in a complete fair market (docs/methods.md, "Kelly").
    certainty_equivalent_nats: log certainty-equivalent return = Renyi D_(1/gamma)(p||q);
    expected_log_return_nats: alpha KL - (alpha - 1) D_alpha; wealth: optimal wealth per outcome
    (budget sum q W = 1)."""

    gamma: float
    alpha: float
    certainty_equivalent_nats: float
    expected_log_return_nats: float
    shortfall_vs_kelly_nats: float
    wealth: FloatArray


def crra_positioning(p: FloatArray, q: FloatArray, gamma: float) -> CrraResult:
    """CRRA utility W^(1-gamma)/(1-gamma), gamma > 0 (gamma = 1 is Kelly)."""
    if not gamma > 0:
        raise InputError(f"risk aversion gamma must be > 0, got {gamma!r}")
    p, q = np.asarray(p, float), np.asarray(q, float)
    alpha = 1.0 / gamma
    kl = float(kl_divergence(p, q))
    d_alpha = float(renyi_divergence(p, q, alpha))
    if alpha == 1.0:
        expected = kl
    else:
        expected = alpha * kl - (alpha - 1.0) * d_alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        tilt = np.where(p > 0, p ** alpha * q ** (1 - alpha), 0.0)
        wealth = np.where(q > 0, tilt / q, 0.0) / tilt.sum()
    return CrraResult(gamma, alpha, d_alpha, expected, kl - expected, wealth)


def kelly_with_cash_stack(p: FloatArray, odds: FloatArray) -> FloatArray:
    """Kelly-with-cash stakes (fractions of wealth) for a stack of books at once, shape (E, n) (the explicit
    solution of docs/methods.md, "Kelly"): with a margin, outcomes enter in decreasing p o while p o exceeds the
    reserve rate R, stakes p - R/o; a fair or underround book stakes p."""
    p, odds = np.asarray(p, dtype=float), np.asarray(odds, dtype=float)
    r = 1.0 / odds
    order = np.argsort(-p * odds, axis=1, kind="stable")
    p_sorted, r_sorted = np.take_along_axis(p, order, 1), np.take_along_axis(r, order, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        reserve_after = (1.0 - np.cumsum(p_sorted, 1)) / (1.0 - np.cumsum(r_sorted, 1))
    reserve_before = np.concatenate([np.ones((p.shape[0], 1)), reserve_after[:, :-1]], axis=1)
    admitted = (p_sorted / r_sorted) > reserve_before
    backed = np.cumprod(admitted, axis=1).astype(bool)          # the set stops at the first outcome left out
    count = backed.sum(1)
    reserve = np.where(count > 0, np.take_along_axis(reserve_after, np.maximum(count - 1, 0)[:, None], 1)[:, 0], 1.0)
    stakes_sorted = np.where(backed, np.maximum(p_sorted - reserve[:, None] * r_sorted, 0.0), 0.0)
    stakes = np.empty_like(stakes_sorted)
    np.put_along_axis(stakes, order, stakes_sorted, 1)
    fair_or_under = r.sum(1) <= 1.0 + 1e-12
    return np.where(fair_or_under[:, None], p, stakes)


def kelly_with_cash_capped(p: FloatArray, odds: FloatArray, cap: float) -> KellyAllocation:
    """Kelly with cash, the total stake at most `cap` (a fraction of wealth in (0, 1]). Where the unconstrained
    stakes stay within it they are the answer; otherwise the cap binds, cash is 1 - cap, and the KKT conditions
    p_i o_i / (c + s_i o_i) = mu on the backed outcomes (<= mu elsewhere) give s_i = p_i / mu - c / o_i with
    mu = sum_A p / (cap + c sum_A 1/o), the backed set A the outcomes of largest p o while p o / c > mu."""
    if not (math.isfinite(cap) and 0 < cap <= 1):
        raise InputError(f"the largest total stake {cap!r} must be a fraction of the bankroll in (0, 1]")
    free = kelly_with_cash(p, odds)
    if float(free.stakes.sum()) <= cap + 1e-12:
        return free
    p, o = _validated(p, odds)
    cash = 1.0 - cap
    order = np.argsort(-p * o, kind="stable")
    cum_p, cum_r = np.cumsum(p[order]), np.cumsum(1.0 / o[order])
    mu = cum_p / (cap + cash * cum_r)
    admitted = (p * o)[order] > mu * cash
    n = int(np.argmin(admitted)) if not admitted.all() else admitted.size
    n = max(n, 1)
    stakes = np.zeros_like(p)
    stakes[order[:n]] = p[order[:n]] / mu[n - 1] - cash / o[order[:n]]
    stakes = np.clip(stakes, 0.0, None)
    stakes *= cap / stakes.sum()                      # the cap exactly (rounding of the closed form)
    multipliers = cash + stakes * o
    growth = float(np.sum(xlogy(p, multipliers)))
    backed = stakes > 0
    ev = p * o - 1.0
    return KellyAllocation(stakes, cash, growth, multipliers, backed, backed & (ev < 0), ev, float((1 / o).sum()),
                           "capped")
