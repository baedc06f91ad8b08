"""Risk-neutral density of the underlying at expiry from one expiry's option quotes.

Pipeline: forward F and discount D from put-call parity C - P = D (F - K) (options.forward); the
out-of-the-money mids (puts below F, calls above) and their implied total volatilities (vectorised
safeguarded Newton on Black-76); then the density of k = log(S_T/F) itself, fitted to the undiscounted
prices with each residual in units of the quote's half spread:
- log q(k) is a cubic spline over the quoted strikes with Gaussian tails beyond them (options.logspline),
  with a third-derivative penalty that is zero on every Gaussian in k, so a flat smile costs nothing;
- prices of the density are exact integrals of the payoffs against it, interpolated linearly on a fine
  grid (options.quadrature), so Breeden-Litzenberger holds by construction: the fitted prices are those of a
  positive density, free of butterfly arbitrage, and nothing needs repairing;
- E[S_T] = F is held exactly by an exponential tilt of the density after every step;
- Gauss-Newton from the density of a smoothed smile (Gatheral's formula), with the penalty re-chosen by a
  BIC at every linearisation (all candidate penalties at once through one generalised eigenproblem).
The grid runs TAIL_VOLS implied total vols beyond the outermost strikes; the mass beyond the quoted strikes
is reported. Prices in the chain's currency, T in years of 365 days, densities per unit of price.
The fit itself is options.fit; the method in full is docs/methods.md, "Option density".
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from analytics.core.distributions import GriddedDensity
from analytics.core.errors import InputError
from analytics.core.types import FloatArray
from analytics.options.black76 import implied_total_vol
from analytics.options.chain import ExpiryQuotes
from analytics.options.fit import LogSplineFit, PriceFitProblem, fit_log_spline
from analytics.options.forward import parity_forward
from analytics.options.logspline import smile_log_density
from analytics.options.quadrature import grid_moments
from analytics.options.rates import RateCurve

GRID_POINTS = 4001
TAIL_VOLS = 6.0   # the grid extends this many total vols (implied at the outermost quotes) beyond them
FIT_NODES_PER_VOL = 12   # the fit's grid, on which payoffs are integrated exactly against the linear interpolant
METHOD = ("penalised log-spline density over the quoted strikes with Gaussian tails, fitted to out-of-the-money "
          "prices (BIC-chosen smoothing)")


RATE_BAND = (-0.05, 0.25)    # continuously compounded, per year: outside it, a typed rate is a mistake


def check_inputs(*, rate: float | None, spot: float | None) -> None:
    """A rate outside RATE_BAND (or not a number) and a spot that is not a positive number are input errors: a
    rate of -50 once made the fit run for ten minutes before answering with a discount factor of 163."""
    if rate is not None and not (math.isfinite(rate) and RATE_BAND[0] <= rate <= RATE_BAND[1]):
        raise InputError(f"rate {rate!r} is outside {RATE_BAND[0]:g} to {RATE_BAND[1]:g} (continuously compounded, "
                         "per year, as a fraction: 0.04 is 4 %)")
    if spot is not None and not (math.isfinite(spot) and spot > 0):
        raise InputError(f"spot {spot!r} must be a positive price")


@functools.cache
def _thread_pools() -> ThreadpoolController:
    return ThreadpoolController()


@dataclass(frozen=True)
class DensityDiagnostics:
    """How one expiry's density was built and how well it fits. Prices in the chain's currency; vol points are
    annualised implied volatility in percent; masses are probabilities under the fitted density."""

    method: str
    forward_method: str
    parity_pairs_used: int
    forward: float
    discount: float
    implied_rate: float                 # continuously compounded, per year
    t_years: float
    quotes_used: int
    quotes_dropped: dict[str, int]      # reason -> number of quotes
    penalty: float
    effective_parameters: float
    fit_iterations: int
    fit_rms_half_spreads: float
    fit_rms_vol_points: float
    fit_max_abs_vol_points: float
    mass_before_normalisation: float
    mean: float
    mean_vs_forward: float              # E[S_T] / F - 1
    mass_below_lowest_strike: float
    mass_above_highest_strike: float
    quoted_strike_range: tuple[float, float]
    grid_range: tuple[float, float]

    def as_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["quoted_strike_range"] = list(self.quoted_strike_range)
        record["grid_range"] = list(self.grid_range)
        return record


FIT_WARNING_HALF_SPREADS = 5.0     # RMS miss of the quotes, in their own half spreads, above which a fit is doubted


def fit_warning(diagnostics: DensityDiagnostics) -> str | None:
    """A sentence when the density misses the quotes by more than FIT_WARNING_HALF_SPREADS of their half spreads
    (RMS): some quotes are stale or wrong (a call bid at 500), and the density, the KL and the edge rest on them."""
    if not diagnostics.fit_rms_half_spreads > FIT_WARNING_HALF_SPREADS:
        return None
    return (f"the market density misses the quotes by {diagnostics.fit_rms_half_spreads:.1f} half-spreads (RMS; "
            f"{diagnostics.fit_max_abs_vol_points:.0f} vol points at worst), more than the "
            f"{FIT_WARNING_HALF_SPREADS:g} this product trusts: some quotes look stale or wrong, so check the chain "
            "before acting on its figures")


@dataclass(frozen=True, eq=False)
class ChainDensity:
    """A market density with its provenance and diagnostics (the density's own `diagnostics` mapping holds the
    same figures as a record, for the report)."""

    expiry: str
    t_years: float
    forward: float
    discount: float
    density: GriddedDensity
    diagnostics: DensityDiagnostics = field(repr=False)
    quotes: ExpiryQuotes | None = field(default=None, repr=False)     # the cleaned quotes it was fitted to


def density_from_quotes(q: ExpiryQuotes, t_years: float, *, spot: float | None = None, rate: float | None = None,
                        source: str = "", curve: RateCurve | None = None) -> ChainDensity:
    """The market's risk-neutral density of S_T from one expiry's quotes (see the module docstring). A given
    rate must lie in RATE_BAND and a given spot be a positive number: anything else is an input error."""
    check_inputs(rate=rate, spot=spot)
    # The fit's matrices are small (about 200 x 70): BLAS threads cost far more in hand-offs than they save
    # (all expiries of the bundled SPX chain: 0.12 s against 0.33 s on two cores). The limit is process-wide
    # while it lasts; fits overlapping in two threads may leave it at one thread, which suits these sizes.
    with _thread_pools().limit(limits=1, user_api="blas"):
        return _density_from_quotes(q, t_years, spot=spot, rate=rate, source=source, curve=curve)


def _density_from_quotes(q: ExpiryQuotes, t_years: float, *, spot: float | None, rate: float | None,
                         source: str, curve: RateCurve | None = None) -> ChainDensity:
    fwd = parity_forward(q, t_years, spot=spot, rate=rate, curve=curve)
    forward, discount = fwd.forward, fwd.discount
    use_put = q.strikes < forward
    mid = np.where(use_put, q.put_mid, q.call_mid)
    spread = np.where(use_put, q.put_spread, q.call_spread)
    quoted = np.isfinite(mid)
    strikes, mid, spread, is_call = q.strikes[quoted], mid[quoted], spread[quoted], ~use_put[quoted]
    vol = implied_total_vol(forward, strikes, mid / discount, is_call)
    ok = np.isfinite(vol) & (vol > 1e-4)
    dropped = dict(q.dropped)
    if (~ok).sum():
        dropped["price outside no-arbitrage bounds"] = int((~ok).sum())
    if ok.sum() < 5:
        raise InputError(f"expiry {q.expiry}: only {int(ok.sum())} usable out-of-the-money quotes; need at least 5")
    strikes, mid, spread, vol, is_call = strikes[ok], mid[ok], spread[ok], vol[ok], is_call[ok]
    k = np.log(strikes / forward)
    undiscounted = mid / discount
    tolerance = 0.5 * spread / discount + 1e-6 * forward      # half spread, floored at 0.0001 % of F
    atm_vol = float(np.median(vol[np.argsort(np.abs(k))[:4]]))
    order = np.argsort(k)
    low_vol, high_vol = float(np.median(vol[order[:3]])), float(np.median(vol[order[-3:]]))
    lo, hi = float(k.min()) - TAIL_VOLS * low_vol, float(k.max()) + TAIL_VOLS * high_vol
    fit_grid = np.linspace(lo, hi, max(int(math.ceil((hi - lo) / atm_vol * FIT_NODES_PER_VOL)) + 1, 201))
    start = smile_log_density(k, vol, strikes, forward, tolerance, atm_vol, fit_grid)
    fit = fit_log_spline(PriceFitProblem(k, strikes, forward, undiscounted, is_call, tolerance, atm_vol, fit_grid,
                                         start, (low_vol**2, high_vol**2)))

    grid_k = np.linspace(lo, hi, GRID_POINTS)
    x = forward * np.exp(grid_k)
    raw = _nodes_density(fit, fit_grid, grid_k) / x         # normalised on the fit's grid
    mass = float(np.trapezoid(raw, x))
    pdf = raw / mass
    unlabelled = GriddedDensity(x, pdf, source=source, method=METHOD)
    fitted_vol = implied_total_vol(forward, strikes, fit.fitted, is_call, guess=vol)
    vol_error = (fitted_vol - vol) / math.sqrt(t_years) * 100
    cdf_lo, cdf_hi = np.interp([strikes.min(), strikes.max()], x, unlabelled.cdf)
    mean = unlabelled.mean()
    diagnostics = DensityDiagnostics(
        method=METHOD, forward_method=fwd.method, parity_pairs_used=fwd.pairs_used,
        forward=forward, discount=discount, implied_rate=-math.log(discount) / t_years,
        t_years=t_years, quotes_used=int(strikes.size), quotes_dropped=dropped,
        penalty=fit.lam, effective_parameters=fit.effective_parameters, fit_iterations=fit.iterations,
        fit_rms_half_spreads=fit.residual_rms_half_spreads,
        fit_rms_vol_points=float(np.sqrt(np.nanmean(vol_error**2))),
        fit_max_abs_vol_points=float(np.nanmax(np.abs(vol_error))),
        mass_before_normalisation=mass,
        mean=mean, mean_vs_forward=mean / forward - 1,
        mass_below_lowest_strike=float(cdf_lo), mass_above_highest_strike=float(1 - cdf_hi),
        quoted_strike_range=(float(strikes.min()), float(strikes.max())),
        grid_range=(float(x[0]), float(x[-1])),
    )
    density = GriddedDensity(x, pdf, source=source, method=METHOD, diagnostics=diagnostics.as_record())
    return ChainDensity(q.expiry, t_years, forward, discount, density, diagnostics, q)


def _nodes_density(fit: LogSplineFit, fit_grid: FloatArray, at: FloatArray) -> FloatArray:
    """The fitted density of k at points `at`, normalised (as in the fit) to mass 1 on fit_grid."""
    on_fit = fit.shape.values(fit.theta, fit_grid)
    top = on_fit.max()
    return np.exp(fit.shape.values(fit.theta, at) - top) / (grid_moments(fit_grid, 1.0)[0] @ np.exp(on_fit - top))
