"""Divergences between a belief p and a market q.

Conventions (docs/methods.md, "Units"): natural log, results in nats unless a name says bits
(bits = nats / ln 2). The first argument is the belief p, the second the market q:
KL(p||q) = sum p log(p/q), with 0 log(0/q) = 0 and p log(p/0) = +inf (scipy's rel_entr rule).
Discrete functions work on the last axis, so a stack of pairs (shape (..., n)) is scored at once.
Gridded versions integrate with the trapezoid rule on the shared grid x.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import cumulative_trapezoid, trapezoid
from scipy.special import kl_div, rel_entr, xlogy

from analytics.core.types import FloatArray


def _arrays(p: FloatArray, q: FloatArray) -> tuple[FloatArray, FloatArray]:
    return np.asarray(p, dtype=float), np.asarray(q, dtype=float)


# --- discrete, pointwise -------------------------------------------------------------------

def kl_contributions(p: FloatArray, q: FloatArray) -> FloatArray:
    """Signed per-outcome terms p_i log(p_i/q_i) [nats]; they sum to KL(p||q) and may be negative."""
    p, q = _arrays(p, q)
    return np.asarray(rel_entr(p, q))


def kl_contributions_nonnegative(p: FloatArray, q: FloatArray) -> FloatArray:
    """Per-outcome terms p log(p/q) - p + q >= 0 [nats]; same sum as the signed terms when p and q
    are normalised (for single-signed colour scales)."""
    p, q = _arrays(p, q)
    return np.asarray(kl_div(p, q))


# --- discrete, summaries over the last axis ------------------------------------------------

def kl_divergence(p: FloatArray, q: FloatArray) -> FloatArray:
    """KL(p||q) in nats; +inf where q_i = 0 < p_i."""
    return np.sum(kl_contributions(p, q), axis=-1)


def entropy(p: FloatArray) -> FloatArray:
    """Shannon entropy H(p) = -sum p log p in nats (0 log 0 = 0)."""
    p = np.asarray(p, dtype=float)
    return -np.sum(xlogy(p, p), axis=-1)


def cross_entropy(p: FloatArray, q: FloatArray) -> FloatArray:
    """H(p, q) = -sum p log q in nats (= H(p) + KL(p||q)); +inf where q_i = 0 < p_i."""
    p, q = _arrays(p, q)
    return -np.sum(xlogy(p, q), axis=-1)


def js_divergence(p: FloatArray, q: FloatArray) -> FloatArray:
    """Jensen-Shannon divergence (Lin 1991) in nats: KL(p||m)/2 + KL(q||m)/2, m = (p+q)/2.
    Always finite, in [0, ln 2]. (Not the reversed form KL(m||p)+KL(m||q).)"""
    p, q = _arrays(p, q)
    m = 0.5 * (p + q)
    return 0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m)


def js_distance(p: FloatArray, q: FloatArray, base: float = 2.0) -> FloatArray:
    """Jensen-Shannon distance sqrt(JSD) with JSD measured in log base `base` (base 2: in [0, 1])."""
    jsd = np.maximum(js_divergence(p, q), 0.0) / np.log(base)
    return np.sqrt(jsd)


def renyi_divergence(p: FloatArray, q: FloatArray, alpha: float) -> FloatArray:
    """Renyi divergence D_alpha(p||q) in nats; alpha = 1 is KL, alpha = inf is log max p/q,
    alpha = 0 is -log q(support of p). +inf where alpha >= 1 and q_i = 0 < p_i."""
    p, q = _arrays(p, q)
    if alpha == 1:
        return kl_divergence(p, q)
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.isinf(alpha):
            ratio = np.where(p > 0, p / q, 0.0)
            return np.log(np.max(ratio, axis=-1))
        if alpha == 0:
            return -np.log(np.sum(np.where(p > 0, q, 0.0), axis=-1))
        both = (p > 0) & (q > 0)
        safe_p, safe_q = np.where(both, p, 1.0), np.where(both, q, 1.0)
        terms = np.where(both, safe_p**alpha * safe_q ** (1 - alpha), 0.0)
        total = np.sum(terms, axis=-1)
        result = np.log(total) / (alpha - 1)
        if alpha > 1:
            result = np.where(np.any((p > 0) & (q == 0), axis=-1), np.inf, result)
        return np.asarray(result)


def hellinger_squared(p: FloatArray, q: FloatArray) -> FloatArray:
    """Squared Hellinger distance 1 - sum sqrt(p q) (the convention with the 1/2), in [0, 1]."""
    p, q = _arrays(p, q)
    return np.maximum(1.0 - np.sum(np.sqrt(p * q), axis=-1), 0.0)


def total_variation(p: FloatArray, q: FloatArray) -> FloatArray:
    """Total variation 1/2 sum |p - q| (a probability, in [0, 1])."""
    p, q = _arrays(p, q)
    return 0.5 * np.sum(np.abs(p - q), axis=-1)


def chi_squared(p: FloatArray, q: FloatArray) -> FloatArray:
    """Pearson chi2(p||q) = sum p^2/q - 1 (expected simple return of full Kelly at fair odds)."""
    p, q = _arrays(p, q)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * p / q, 0.0)
    return np.sum(terms, axis=-1) - 1.0


def log_ratio_variance(p: FloatArray, q: FloatArray) -> FloatArray:
    """Var_p[log(p/q)] in nats^2: the risk of the full-Kelly position at fair odds."""
    p, q = _arrays(p, q)
    with np.errstate(divide="ignore", invalid="ignore"):
        lr = np.where(p > 0, np.log(p / q), 0.0)
    kl = np.sum(p * lr, axis=-1)
    return np.sum(p * lr * lr, axis=-1) - kl * kl


def wasserstein1(values: FloatArray, p: FloatArray, q: FloatArray) -> float:
    """Wasserstein-1 distance between p and q on ordered numeric outcomes `values`
    (in the units of `values`): sum |F_p - F_q| over the gaps between sorted values."""
    v = np.asarray(values, dtype=float)
    p, q = _arrays(p, q)
    order = np.argsort(v)
    v, p, q = v[order], p[order], q[order]
    gap = np.abs(np.cumsum(p) - np.cumsum(q))[:-1]
    return float(np.sum(gap * np.diff(v)))


# --- densities on a shared grid ------------------------------------------------------------

INTEGRATION_METHOD = "trapezoid rule on the shared grid"


def kl_divergence_grid(x: FloatArray, p: FloatArray, q: FloatArray) -> float:
    """Continuous KL(p||q) in nats by the trapezoid rule on grid x; +inf if q = 0 < p anywhere."""
    return float(trapezoid(kl_contributions(p, q), x))


def kl_divergence_grid_log(x: FloatArray, log_p: FloatArray, log_q: FloatArray) -> float:
    """Continuous KL(p||q) in nats from log-densities (trapezoid rule). Forming log p - log q
    directly keeps the tails exact where a density would underflow to 0 (docs/methods.md, "KL and its units")."""
    log_p, log_q = _arrays(log_p, log_q)
    p = np.exp(log_p)
    with np.errstate(invalid="ignore"):
        integrand = np.where(p > 0, p * (log_p - log_q), 0.0)
    return float(trapezoid(integrand, x))


def kl_cumulative_grid(x: FloatArray, p: FloatArray, q: FloatArray) -> FloatArray:
    """Cumulative KL, the integral of p log(p/q) from the grid's start to each x [nats]."""
    return np.asarray(cumulative_trapezoid(kl_contributions(p, q), x, initial=0.0))


def js_divergence_grid(x: FloatArray, p: FloatArray, q: FloatArray) -> float:
    """Continuous Jensen-Shannon divergence in nats (trapezoid rule)."""
    p, q = _arrays(p, q)
    m = 0.5 * (p + q)
    return float(0.5 * trapezoid(rel_entr(p, m), x) + 0.5 * trapezoid(rel_entr(q, m), x))


def hellinger_squared_grid(x: FloatArray, p: FloatArray, q: FloatArray) -> float:
    """1 - integral sqrt(p q) (trapezoid rule)."""
    p, q = _arrays(p, q)
    return max(1.0 - float(trapezoid(np.sqrt(p * q), x)), 0.0)


def total_variation_grid(x: FloatArray, p: FloatArray, q: FloatArray) -> float:
    """1/2 integral |p - q| (trapezoid rule)."""
    p, q = _arrays(p, q)
    return 0.5 * float(trapezoid(np.abs(p - q), x))


def renyi_divergence_grid(x: FloatArray, p: FloatArray, q: FloatArray, alpha: float) -> float:
    """Continuous Renyi divergence of order alpha (0 < alpha, alpha != 1) in nats (trapezoid rule)."""
    p, q = _arrays(p, q)
    if alpha == 1:
        return kl_divergence_grid(x, p, q)
    if alpha > 1 and np.any((p > 0) & (q == 0)):
        return float("inf")
    both = (p > 0) & (q > 0)
    integrand = np.where(both, np.where(both, p, 1.0) ** alpha * np.where(both, q, 1.0) ** (1 - alpha), 0.0)
    return float(np.log(trapezoid(integrand, x)) / (alpha - 1))


def wasserstein1_grid(x: FloatArray, p: FloatArray, q: FloatArray) -> float:
    """W1 = integral |F_p - F_q| dx in the units of x (depends on the axis, unlike KL)."""
    fp = cumulative_trapezoid(p, x, initial=0.0)
    fq = cumulative_trapezoid(q, x, initial=0.0)
    return float(trapezoid(np.abs(fp / fp[-1] - fq / fq[-1]), x))
