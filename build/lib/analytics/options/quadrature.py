"""Exact payoff integrals against a density of k = log(S/F) given at grid nodes and linear between them:
the density's total mass, its mean, and the prices of calls and puts (docs/methods.md, "Option density")."""

from __future__ import annotations

import numpy as np

from analytics.core.types import BoolArray, FloatArray


def _interval_integrals(lo: FloatArray, hi: FloatArray, k0: FloatArray, h: FloatArray) -> tuple[FloatArray, ...]:
    """Integrals over [lo, hi] (inside grid interval [k0, k0 + h]) of e^k, e^k t, 1 and t, where
    t = (k - k0)/h is the weight of the interval's right node in linear interpolation."""
    e_hi, e_lo = np.exp(hi), np.exp(lo)
    exp_1 = e_hi - e_lo
    exp_t = (e_hi * (hi - k0 - 1) - e_lo * (lo - k0 - 1)) / h
    one_1 = hi - lo
    one_t = ((hi - k0) ** 2 - (lo - k0) ** 2) / (2 * h)
    return exp_1, exp_t, one_1, one_t


def _to_nodes(left: FloatArray, right: FloatArray) -> FloatArray:
    """Per-interval weights of the left and right nodes summed onto the nodes (last axis)."""
    out = np.zeros(left.shape[:-1] + (left.shape[-1] + 1,))
    out[..., :-1] += left
    out[..., 1:] += right
    return out


def grid_moments(grid_k: FloatArray, forward: float) -> tuple[FloatArray, FloatArray]:
    """Weights (m, e) with m @ q = total mass and e @ q = E[S] exactly, for a density q of k = log(S/F)
    given at the grid nodes and linear between them."""
    k0, h = grid_k[:-1], np.diff(grid_k)
    exp_1, exp_t, one_1, one_t = _interval_integrals(k0, grid_k[1:], k0, h)
    return _to_nodes(one_1 - one_t, one_t), forward * _to_nodes(exp_1 - exp_t, exp_t)


def payoff_weights(grid_k: FloatArray, forward: float, strikes: FloatArray, is_call: BoolArray) -> FloatArray:
    """Matrix W with W @ q = the exact undiscounted price E[(S - K)^+] (calls) or E[(K - S)^+] (puts)
    for a density q of k = log(S/F) given at the grid nodes and linear between them (zero outside).
    Exact integration keeps the payoff's kink between nodes from biasing the fit. A call pays on
    [log(K/F), inf): whole grid intervals above the strike's own use integrals shared by every strike,
    so only the strike's own interval needs its own exponentials."""
    k0, k1 = grid_k[:-1], grid_k[1:]
    h = k1 - k0
    strike = np.asarray(strikes, float)
    exp_1, exp_t, one_1, one_t = _interval_integrals(k0, k1, k0, h)
    log_strike = np.log(strike / forward)
    own = np.clip(np.searchsorted(grid_k, log_strike, side="right") - 1, 0, h.size - 1)
    above = np.arange(h.size)[None, :] > own[:, None]
    col = strike[:, None]
    left = np.where(above, forward * (exp_1 - exp_t) - col * (one_1 - one_t), 0.0)
    right = np.where(above, forward * exp_t - col * one_t, 0.0)
    start = np.clip(log_strike, k0[own], k1[own])
    p_exp_1, p_exp_t, p_one_1, p_one_t = _interval_integrals(start, k1[own], k0[own], h[own])
    rows = np.arange(strike.size)
    left[rows, own] = forward * (p_exp_1 - p_exp_t) - strike * (p_one_1 - p_one_t)
    right[rows, own] = forward * p_exp_t - strike * p_one_t
    calls = _to_nodes(left, right)
    mass_w, mean_w = grid_moments(grid_k, forward)
    puts = calls - mean_w[None, :] + col * mass_w[None, :]     # parity on the same density
    return np.where(np.asarray(is_call, bool)[:, None], calls, puts)
