"""Option chains with a known true density, for accuracy tests and the oipd comparison.

Only numpy and scipy: `make bench` also imports this module from the separate oipd environment.
Four classes (issue 4): Black-Scholes lognormal, a two-lognormal mixture (bimodal), Heston, and an
index-like Heston chain of about 200 strikes. Prices are exact (closed form, or Lewis's Fourier
integral for Heston); quotes get realistic noise: a bid and an ask around the model price with a
spread of about 1 % of the price (at least a tick) set at random on each side, rounded outward to
the tick; a zero bid drops the quote (as the chain cleaner does); about 10 % of quotes are missing
at random; strikes are listed only over the truth's central 99.9 % (far strikes missing).
Densities are per unit of price; log-moneyness k = log(K/F); T in years.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Callable

import numpy as np
from scipy.special import ndtr
from scipy.stats import norm

CASES = ("lognormal", "heston", "index", "bimodal")
# issue 4's bounds on the median over seeds of KL(true || estimate) over the truth's central 99.9 %
KL_BOUNDS = {"lognormal": 1e-4, "heston": 5e-4, "index": 5e-4, "bimodal": 3e-3}


@dataclass(frozen=True)
class TruthChain:
    name: str
    t_years: float
    forward: float
    discount: float
    strikes: np.ndarray
    call_mid: np.ndarray
    call_spread: np.ndarray
    put_mid: np.ndarray
    put_spread: np.ndarray
    pdf: Callable[[np.ndarray], np.ndarray]
    central: tuple[float, float]        # the truth's 0.05 % and 99.95 % quantiles
    spot: float


def black_call(forward: float, strikes: np.ndarray, total_vol: float) -> np.ndarray:
    d1 = np.log(forward / strikes) / total_vol + total_vol / 2
    return forward * ndtr(d1) - strikes * ndtr(d1 - total_vol)


def heston_cf(u: np.ndarray, t: float, v0: float, kappa: float, theta: float, xi: float, rho: float) -> np.ndarray:
    """E[exp(i u X)] for X = log(S_T/F) under Heston (the rotation-free 'little trap' form)."""
    iu = 1j * u
    beta = kappa - rho * xi * iu
    d = np.sqrt(beta**2 + xi**2 * (iu + u**2))
    g = (beta - d) / (beta + d)
    e = np.exp(-d * t)
    big_c = kappa * theta / xi**2 * ((beta - d) * t - 2 * np.log((1 - g * e) / (1 - g)))
    big_d = (beta - d) / xi**2 * (1 - e) / (1 - g * e)
    return np.exp(big_c + big_d * v0)


def _u_grid(scale: float) -> np.ndarray:
    # The integrands are even and analytic in u, so the uniform trapezoid rule converges geometrically,
    # with error ~ exp(-pi / du) set by Lewis's poles at u = +-i/2; du = 0.08 puts it below 1e-16.
    top = 60.0 / scale
    return np.linspace(0.0, top, int(math.ceil(top / 0.08)) + 1)


def lewis_call(cf: Callable[[np.ndarray], np.ndarray], forward: float, strikes: np.ndarray, scale: float) -> np.ndarray:
    """Undiscounted call price by Lewis's formula C = F - sqrt(F K)/pi int_0^inf Re[e^{iu log(F/K)}
    phi(u - i/2)] / (u^2 + 1/4) du (trapezoid on a fine grid; scale ~ the total volatility)."""
    u = _u_grid(scale)
    phi = cf(u - 0.5j)
    kk = np.log(forward / strikes)[:, None]
    integrand = np.real(np.exp(1j * u[None, :] * kk) * phi[None, :]) / (u**2 + 0.25)[None, :]
    return forward - np.sqrt(forward * strikes) / math.pi * np.trapezoid(integrand, u, axis=1)


def cf_density(cf: Callable[[np.ndarray], np.ndarray], forward: float, x: np.ndarray, scale: float) -> np.ndarray:
    """Density of S_T at prices x from the characteristic function of log(S_T/F) (Fourier inversion)."""
    u = _u_grid(scale)
    phi = cf(u)
    k = np.log(x / forward)
    density_k = np.concatenate([  # in chunks of prices, to bound memory
        np.trapezoid(np.real(np.exp(-1j * u[None, :] * part[:, None]) * phi[None, :]), u, axis=1)
        for part in np.array_split(k, max(1, k.size // 256))]) / math.pi
    return np.maximum(density_k, 0.0) / x


def _quantiles_from_pdf(pdf: Callable[[np.ndarray], np.ndarray], lo: float, hi: float) -> tuple[float, float]:
    x = np.geomspace(lo, hi, 4001)
    f = pdf(x)
    cdf = np.concatenate(([0.0], np.cumsum((f[1:] + f[:-1]) / 2 * np.diff(x))))
    cdf /= cdf[-1]
    return float(np.interp(0.0005, cdf, x)), float(np.interp(0.9995, cdf, x))


@dataclass(frozen=True)
class _Truth:
    forward: float
    discount: float
    t_years: float
    spot: float
    strikes: np.ndarray
    call: np.ndarray                      # exact discounted call prices at the strikes
    pdf: Callable[[np.ndarray], np.ndarray]
    central: tuple[float, float]
    tick: float


def _truth(call_undiscounted, pdf, central, forward, discount, t, spot, step, tick) -> _Truth:
    lo, hi = central
    strikes = np.arange(math.ceil(lo / step) * step, hi + step / 2, step)
    return _Truth(forward, discount, t, spot, strikes, discount * call_undiscounted(strikes), pdf, central, tick)


@cache
def truth(name: str) -> _Truth:
    """The exact model of one class (cached: Heston prices and quantiles take a second)."""
    if name == "lognormal":
        spot, r, t, sigma = 100.0, 0.03, 90 / 365, 0.2
        forward, discount, v = spot * math.exp(r * t), math.exp(-r * t), sigma * math.sqrt(t)
        mu = math.log(forward) - v * v / 2

        def pdf(x):
            return norm.pdf(np.log(x), mu, v) / x
        central = (math.exp(mu + v * norm.ppf(0.0005)), math.exp(mu + v * norm.ppf(0.9995)))
        return _truth(lambda k: black_call(forward, k, v), pdf, central, forward, discount, t, spot,
                      1.0, 0.01)
    if name == "bimodal":
        # an earnings-like binary event: two lognormals 16 % apart, each with 5 % total volatility
        spot, r, t = 100.0, 0.03, 30 / 365
        forward, discount = spot * math.exp(r * t), math.exp(-r * t)
        weights, shifts, v = (0.45, 0.55), (-0.09, 0.45 * 0.09 / 0.55), 0.05
        fwds = [forward * (1 + s) for s in shifts]     # sum of weight x shift = 0: the mean is F

        def pdf(x):
            parts = zip(weights, fwds, strict=True)
            return sum(w * norm.pdf(np.log(x), math.log(f) - v * v / 2, v) / x for w, f in parts)
        central = _quantiles_from_pdf(pdf, forward * 0.5, forward * 1.6)
        def mixed_call(k):
            return sum(w * black_call(f, k, v) for w, f in zip(weights, fwds, strict=True))

        return _truth(mixed_call, pdf, central, forward, discount, t, spot, 1.0, 0.01)
    if name in ("heston", "index"):
        if name == "heston":
            spot, r, t, step, tick = 100.0, 0.02, 0.5, 2.5, 0.01
            params = dict(v0=0.04, kappa=1.5, theta=0.04, xi=0.6, rho=-0.7)
        else:
            spot, r, t, step, tick = 5000.0, 0.045, 45 / 365, 10.0, 0.05
            params = dict(v0=0.02, kappa=2.0, theta=0.03, xi=0.9, rho=-0.85)
        forward, discount = spot * math.exp(r * t), math.exp(-r * t)
        scale = math.sqrt(params["v0"] * t)

        def cf(u):
            return heston_cf(u, t, **params)

        def pdf(x):
            return cf_density(cf, forward, np.asarray(x, float), scale)
        central = _quantiles_from_pdf(pdf, forward * math.exp(-14 * scale), forward * math.exp(8 * scale))
        return _truth(lambda k: lewis_call(cf, forward, k, scale), pdf, central, forward, discount, t, spot,
                      step, tick)
    raise ValueError(name)


def make_chain(name: str, seed: int) -> TruthChain:
    """One noisy chain of class `name` (see the module docstring); the seed sets the noise."""
    rng = np.random.default_rng(seed)
    model = truth(name)
    tick = model.tick
    call = model.call
    put = call - model.discount * (model.forward - model.strikes)

    def quote(price):
        half = np.maximum(tick, 0.01 * price)
        bid = np.floor((price - half * rng.uniform(0.5, 1.5, price.size)) / tick) * tick
        ask = np.ceil((price + half * rng.uniform(0.5, 1.5, price.size)) / tick) * tick
        listed = (bid > 0) & (rng.uniform(size=price.size) > 0.1)
        return np.where(listed, (bid + ask) / 2, np.nan), np.where(listed, ask - bid, np.nan)

    cm, cs = quote(call)
    pm, ps = quote(put)
    return TruthChain(name, model.t_years, model.forward, model.discount, model.strikes, cm, cs, pm, ps,
                      model.pdf, model.central, model.spot)


@cache
def _central_truth(name: str) -> tuple[np.ndarray, np.ndarray]:
    model = truth(name)
    grid = np.linspace(*model.central, 4001)
    return grid, model.pdf(grid)


def kl_on_central(chain: TruthChain, x: np.ndarray, estimate_pdf: np.ndarray) -> float:
    """KL(true || estimate) in nats over the truth's central 99.9 %, both evaluated on one fine grid of
    that range; the generalised form int (p log(p/q) - p + q) is non-negative even on a sub-range."""
    grid, p = _central_truth(chain.name)
    q = np.interp(grid, x, estimate_pdf, left=0.0, right=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        integrand = np.where(p > 0, p * np.log(p / q), 0.0) - p + q
    return float(np.trapezoid(integrand, grid))
