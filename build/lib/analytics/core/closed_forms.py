"""Closed forms for normal (and, by invariance, lognormal) beliefs and markets (docs/methods.md; reference
numbers in tests/reference.py).

p = N(m1, s1^2) is the belief, q = N(m2, s2^2) the market; for lognormals pass the mean and sd of
log-price. Results in nats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def kl_normal(m1: float, s1: float, m2: float, s2: float) -> float:
    """KL(N(m1,s1^2) || N(m2,s2^2)) = log(s2/s1) + (s1^2 + (m1-m2)^2)/(2 s2^2) - 1/2."""
    return float(np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5)


def renyi_normal(m1: float, s1: float, m2: float, s2: float, alpha: float) -> float:
    """Renyi D_alpha between normals; +inf when alpha s2^2 + (1-alpha) s1^2 <= 0."""
    if alpha == 1:
        return kl_normal(m1, s1, m2, s2)
    var_alpha = alpha * s2**2 + (1 - alpha) * s1**2
    if var_alpha <= 0:
        return float("inf")
    return float(np.log(s2 / s1) + np.log(s2**2 / var_alpha) / (2 * (alpha - 1))
                 + alpha * (m1 - m2) ** 2 / (2 * var_alpha))


def hellinger_squared_normal(m1: float, s1: float, m2: float, s2: float) -> float:
    """1 - integral sqrt(p q) for two normals."""
    return float(1 - np.sqrt(2 * s1 * s2 / (s1**2 + s2**2)) * np.exp(-((m1 - m2) ** 2) / (4 * (s1**2 + s2**2))))


@dataclass(frozen=True)
class KlDecomposition:
    """KL between (log)normals split into a direction (mean) view and a volatility view [nats]."""

    total_nats: float
    mean_view_nats: float
    volatility_view_nats: float


def kl_decomposition_normal(m1: float, s1: float, m2: float, s2: float) -> KlDecomposition:
    mean_view = (m1 - m2) ** 2 / (2 * s2**2)
    vol_view = float(np.log(s2 / s1) + s1**2 / (2 * s2**2) - 0.5)
    return KlDecomposition(mean_view + vol_view, float(mean_view), vol_view)


def black_scholes_drift_kl(mu: float, r: float, sigma: float, t_years: float) -> float:
    """KL between lognormal terminal prices with drifts mu (belief) and r (market), same sigma:
    ((mu - r)/sigma)^2 T / 2 = SR^2 T / 2 [nats]."""
    return float(((mu - r) / sigma) ** 2 * t_years / 2)
