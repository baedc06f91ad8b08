"""Risk-neutral density of the underlying at expiry from one expiry's option quotes.

Pipeline: forward F and discount D from put-call parity C - P = D (F - K) (parity_forward); the
out-of-the-money mids (puts below F, calls above) and their implied total volatilities (vectorised
safeguarded Newton on Black-76); then the density of k = log(S_T/F) itself, fitted to the undiscounted
prices with each residual in units of the quote's half spread:
- log q(k) is a cubic spline over the quoted strikes with Gaussian tails beyond them (TailedLogSpline),
  with a third-derivative penalty that is zero on every Gaussian in k, so a flat smile costs nothing;
- prices of the density are exact integrals of the payoffs against it, interpolated linearly on a fine
  grid (payoff_weights), so Breeden-Litzenberger holds by construction: the fitted prices are those of a
  positive density, free of butterfly arbitrage, and nothing needs repairing;
- E[S_T] = F is held exactly by an exponential tilt of the density after every step;
- Gauss-Newton from the density of a smoothed smile (Gatheral's formula), with the penalty re-chosen by a
  BIC at every linearisation (all candidate penalties at once through one generalised eigenproblem).
The grid runs TAIL_VOLS implied total vols beyond the outermost strikes; the mass beyond the quoted strikes
is reported. Prices in the chain's currency, T in years of 365 days, densities per unit of price.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse
from scipy.interpolate import BSpline
from scipy.special import ndtr
from threadpoolctl import ThreadpoolController

from analytics.core.distributions import GriddedDensity
from analytics.core.errors import InputError
from analytics.core.types import BoolArray, FloatArray
from analytics.options.chain import ExpiryQuotes

GRID_POINTS = 4001
TAIL_VOLS = 6.0   # the grid extends this many total vols (implied at the outermost quotes) beyond them
FIT_NODES_PER_VOL = 12   # the fit's grid, on which payoffs are integrated exactly against the linear interpolant
METHOD = ("penalised log-spline density over the quoted strikes with Gaussian tails, fitted to out-of-the-money "
          "prices (BIC-chosen smoothing)")


@functools.cache
def _thread_pools() -> ThreadpoolController:
    return ThreadpoolController()


@dataclass(frozen=True)
class ForwardFit:
    forward: float
    discount: float
    method: str
    pairs_used: int


PLAUSIBLE_RATES = (-0.01, 0.12)   # continuously compounded; outside, parity's slope is not a discount


def parity_forward(q: ExpiryQuotes, t_years: float, *, spot: float | None, rate: float | None) -> ForwardFit:
    """F and D from put-call parity C - P = D (F - K).

    D is the slope of a weighted, outlier-trimmed regression on the pairs nearest the money when it
    implies a rate in PLAUSIBLE_RATES; otherwise (American exercise, dividends and stale quotes bend
    the regression) D = e^{-rT} with the given rate (0 if none). F is then K + (C - P)/D averaged over
    the pairs nearest the money, where early exercise is worth least. Without three pairs:
    F = S e^{rT} from the spot."""
    both = np.isfinite(q.call_mid) & np.isfinite(q.put_mid)
    k, y = q.strikes[both], (q.call_mid - q.put_mid)[both]
    spread = (q.call_spread + q.put_spread)[both]
    weight = 1.0 / np.maximum(spread, 1e-4)
    if k.size >= 3:
        near = np.argsort(np.abs(y))[: max(3, int(math.ceil(0.6 * k.size)))]
        keep = np.zeros(k.size, dtype=bool)
        keep[near] = True
        for _ in range(3):
            design = np.column_stack((np.ones(keep.sum()), -k[keep]))
            sw = np.sqrt(weight[keep])
            coef, *_ = np.linalg.lstsq(design * sw[:, None], y[keep] * sw, rcond=None)
            resid = y - (coef[0] - coef[1] * k)
            scale = 1.4826 * np.median(np.abs(resid[keep])) + 1e-12
            keep &= np.abs(resid) <= 4 * scale + 0.5 * spread
            if keep.sum() < 3:
                break
        slope = float(coef[1])
        implied = -math.log(slope) / t_years if slope > 0 else float("inf")
        if rate is None and PLAUSIBLE_RATES[0] <= implied <= PLAUSIBLE_RATES[1] and coef[1] > 0:
            return ForwardFit(float(coef[0] / coef[1]), slope, "put-call parity regression", int(keep.sum()))
        r = rate if rate is not None else 0.0
        discount = math.exp(-r * t_years)
        closest = np.argsort(np.abs(y))[:6]
        candidates = k[closest] + y[closest] / discount
        centre = np.median(candidates)
        close = np.abs(candidates - centre) <= 3 * 1.4826 * np.median(np.abs(candidates - centre)) + 1e-12
        forward = float(np.average(candidates[close], weights=weight[closest][close]))
        why = f"given rate {r:g}" if rate is not None else \
            f"rate 0 (parity regression implied {implied:+.3f}, outside {PLAUSIBLE_RATES}; give a rate)"
        return ForwardFit(forward, discount, f"put-call parity at the {int(close.sum())} strikes nearest the money, "
                          f"discount from {why}", int(close.sum()))
    if spot is None:
        raise InputError(f"expiry {q.expiry}: too few strikes with both a call and a put for put-call parity; "
                         "give the spot price (and a rate) to use instead")
    r = rate or 0.0
    return ForwardFit(spot * math.exp(r * t_years), math.exp(-r * t_years), f"spot and rate {r:g} (fallback)", 0)


def black_undiscounted(forward: float, strikes: FloatArray, total_vol: FloatArray, is_call: BoolArray) -> FloatArray:
    """Undiscounted Black-76 price with total volatility v = sigma sqrt(T)."""
    v = np.maximum(total_vol, 1e-300)
    d1 = np.log(forward / strikes) / v + v / 2
    d2 = d1 - v
    call = forward * ndtr(d1) - strikes * ndtr(d2)
    return np.where(is_call, call, call - (forward - strikes))


def implied_total_vol(forward: float, strikes: FloatArray, undiscounted: FloatArray, is_call: BoolArray,
                      guess: FloatArray | None = None) -> FloatArray:
    """Total implied volatility sigma sqrt(T) for each undiscounted price (NaN outside no-arbitrage bounds).

    An in-the-money price is turned into its out-of-the-money twin by parity; the twin's price, normalised
    by sqrt(F K), is solved for v by safeguarded Newton steps from the price curve's inflection point
    v = sqrt(2 |log(F/K)|): above it the curve is concave and Newton on the price climbs monotonically to
    the root; below it Newton runs on the log of the price (concave there too), and any step leaving the
    bracket known to hold the root bisects instead. Below the inflection point the first guess is the
    small-price asymptote v = |log(F/K)| / sqrt(-2 log b); `guess` (e.g. nearby vols) replaces either."""
    strikes = np.asarray(strikes, float)
    price = np.asarray(undiscounted, float)
    is_call = np.asarray(is_call, bool)
    intrinsic = np.where(is_call, np.maximum(forward - strikes, 0), np.maximum(strikes - forward, 0))
    upper = np.where(is_call, forward, strikes)
    valid = (price > intrinsic + 1e-12) & (price < upper)
    out = np.full(strikes.shape, np.nan)
    if valid.any():
        root_fk = np.sqrt(forward * strikes[valid])
        out[valid] = _normalised_otm_vol(-np.abs(np.log(forward / strikes[valid])),
                                         (price[valid] - intrinsic[valid]) / root_fk,
                                         None if guess is None else np.asarray(guess, float)[valid])
    return out


def _normalised_otm_vol(x: FloatArray, target: FloatArray, guess: FloatArray | None = None,
                        max_steps: int = 60) -> FloatArray:
    """v with b(x, v) = e^{x/2} N(x/v + v/2) - e^{-x/2} N(x/v - v/2) = target, for x <= 0 (an out-of-the-money
    option's price over sqrt(F K)); NaN where the iteration fails."""
    half = np.exp(x / 2)

    def price_and_vega(v: FloatArray) -> tuple[FloatArray, FloatArray]:
        d1 = x / v + v / 2
        return half * ndtr(d1) - ndtr(d1 - v) / half, half * np.exp(-d1 * d1 / 2) / math.sqrt(2 * math.pi)

    inflection = np.maximum(np.sqrt(-2 * x), 1e-3)
    start_price, _ = price_and_vega(inflection)
    upper_branch = target >= start_price
    lo = np.where(upper_branch, inflection, 0.0)
    hi = np.where(upper_branch, np.inf, inflection)
    log_target = np.log(target)
    with np.errstate(divide="ignore", invalid="ignore"):
        asymptote = -x / np.sqrt(-2 * np.minimum(log_target, -1e-3))
    start = np.where(upper_branch, inflection, asymptote) if guess is None else guess
    v = np.where((start > lo) & (start < hi), start, inflection)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(max_steps):
            b, vega = price_and_vega(v)
            miss = np.where(upper_branch, b - target, np.log(b) - log_target)
            miss = np.where(np.isnan(miss), -np.inf, miss)      # a price lost to rounding is too low
            slope = np.where(upper_branch, vega, vega / b)
            lo = np.where(miss < 0, np.maximum(lo, v), lo)
            hi = np.where(miss > 0, np.minimum(hi, v), hi)
            newton = v - miss / slope
            inside = np.isfinite(newton) & (newton > lo) & (newton < hi)
            step = np.where(inside, newton, np.where(np.isfinite(hi), (lo + hi) / 2, 2 * v))
            converged = np.abs(step - v) <= 1e-12 * (1 + v)
            v = step
            if converged.all():
                break
    b, _ = price_and_vega(v)
    return np.where(np.abs(b - target) <= 1e-9 * target + 1e-15, v, np.nan)


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


@dataclass(frozen=True)
class LogSplineFit:
    """A penalised log-spline density of k = log(S/F): log q(k) = shape(theta) + const, with a third-derivative
    penalty lam theta' P theta (zero on every Gaussian in k, i.e. every lognormal).
    `fitted` are the undiscounted prices of the fitted density, in the order of the quotes."""

    shape: TailedLogSpline
    theta: FloatArray
    lam: float
    effective_parameters: float
    residual_rms_half_spreads: float
    iterations: int
    fitted: FloatArray


TOLERANCE = 1e-4       # relative gain of the objective (RSS + penalty) below which a fit has converged
LAMBDA_GRID = 10.0 ** np.arange(5.0, -2.01, -0.125)    # penalties the BIC chooses from, smoothest first
MAX_ITERATIONS = 60
UNSETTLED_SCANS = 12    # after this many linearisations the penalty is frozen even if the BIC still wavers
MAX_LOG_STEP = 1.0     # largest sd under q of the change of log q in one Gauss-Newton step (nats)


@dataclass(frozen=True)
class _Linearised:
    """The Gauss-Newton problem at theta, in coordinates u of Z: steps keep the linearised mean
    constraint (grad_c . step = 0) and leave the constant of log q alone, so Z spans the orthogonal
    complement of (1, grad_c); A = J Z, Pz = Z' P Z."""

    z: FloatArray
    a: FloatArray
    pz: FloatArray
    residual: FloatArray
    from_data: FloatArray       # -A' r
    from_penalty: FloatArray    # Z' P theta


def _linearise(residual: FloatArray, jac: FloatArray, grad_c: FloatArray, theta: FloatArray,
               penalty_gram: FloatArray) -> _Linearised:
    n = theta.size
    z = np.linalg.qr(np.column_stack((np.ones(n), grad_c)), mode="complete")[0][:, 2:]
    a = jac @ z
    return _Linearised(z, a, z.T @ penalty_gram @ z, residual, -(a.T @ residual), z.T @ (penalty_gram @ theta))


def _normal_matrix(gram: FloatArray, penalty: FloatArray, lam: float, damping: float = 0.0) -> FloatArray:
    """gram + lam penalty, its diagonal scaled by 1 + damping (Levenberg-Marquardt) and lifted by 1e-12 of
    its mean so that it stays positive definite."""
    system = gram + lam * penalty
    system[np.diag_indices_from(system)] *= 1.0 + damping
    system[np.diag_indices_from(system)] += 1e-12 * np.trace(system) / system.shape[0]
    return system


@dataclass(frozen=True)
class _PenaltyChoice:
    lam: float
    step: FloatArray            # the Gauss-Newton step in theta at that penalty
    rss: float                  # the linearised RSS after the step
    trusted: bool = True        # False: the BIC's step left the trust region, this is a shorter one


def _scan_penalties(lin: _Linearised, basis: sparse.csr_matrix, mass_q: FloatArray) -> _PenaltyChoice:
    """Gauss-Newton steps for every penalty on LAMBDA_GRID at once, and the BIC's choice among them.

    The generalised eigenproblem Pz v = mu (A'A + Pz) v diagonalises every A'A + lam Pz together, so each
    penalty costs a few vector operations. BIC = RSS / sigma^2 + log(N) edf, sigma^2 from the least
    penalised fit (Gu's performance iteration: the smoothing is re-chosen on each linearisation). A step
    whose change of log q has a standard deviation under q (mass_q: q times the grid's mass weights) above
    MAX_LOG_STEP is replaced by the least penalised step within it: the penalty as the damping of a trust
    region measured in KL."""
    mu, vecs = linalg.eigh(lin.pz, _normal_matrix(lin.a.T @ lin.a, lin.pz, 1.0))
    mu = np.clip(mu, 0.0, 1.0)
    lam = np.asarray(LAMBDA_GRID)
    shrink = 1.0 / (1.0 + (lam[None, :] - 1.0) * mu[:, None])          # (m, L)
    steps_z = vecs @ (((vecs.T @ lin.from_data)[:, None] - lam[None, :] * (vecs.T @ lin.from_penalty)[:, None])
                      * shrink)
    rss = np.sum((lin.residual[:, None] + lin.a @ steps_z) ** 2, axis=0)
    edf = np.sum((1.0 - mu)[:, None] * shrink, axis=0)
    n_data = lin.residual.size
    noise = max(rss[-1] / max(n_data - edf[-1], 1.0), 1e-12)
    best = int(np.argmin(rss / noise + math.log(n_data) * edf))
    steps = lin.z @ steps_z
    change = basis @ steps                       # change of log q on the grid, per penalty
    centred = change - mass_q @ change
    reach = np.sqrt(mass_q @ centred**2)         # sqrt(2 KL(q || q_new)) to second order
    if reach[best] > MAX_LOG_STEP:
        # far from the fit the linearisation misleads: the least penalised step inside the trust region
        inside = np.flatnonzero(reach <= MAX_LOG_STEP)
        best = int(inside[-1]) if inside.size else 0
        return _PenaltyChoice(float(lam[best]), steps[:, best] * min(1.0, MAX_LOG_STEP / reach[best]),
                              float(rss[best]), trusted=False)
    return _PenaltyChoice(float(lam[best]), steps[:, best], float(rss[best]))


def _step_at(lin: _Linearised, lam: float, damping: float = 0.0) -> _PenaltyChoice:
    """The Gauss-Newton step at one penalty; with damping > 0, Levenberg-Marquardt's (the system's
    diagonal scaled up by 1 + damping), for when full steps have stopped working."""
    system = _normal_matrix(lin.a.T @ lin.a, lin.pz, lam, damping)
    u = linalg.solve(system, lin.from_data - lam * lin.from_penalty, assume_a="pos")
    moved = lin.residual + lin.a @ u
    return _PenaltyChoice(lam, lin.z @ u, float(moved @ moved))


def _effective_parameters(lin: _Linearised, lam: float) -> float:
    """trace of the linearised fit's hat matrix, (A'A + lam Pz)^-1 A'A."""
    gram = lin.a.T @ lin.a
    return float(np.trace(linalg.solve(_normal_matrix(gram, lin.pz, lam), gram, assume_a="pos")))


def _clamped_knots(lo: float, hi: float, spacing: float, min_intervals: int) -> FloatArray:
    """Knots of a clamped cubic spline on [lo, hi], evenly spaced about `spacing` apart."""
    intervals = max(int(math.ceil((hi - lo) / spacing)), min_intervals)
    return np.concatenate(([lo] * 3, np.linspace(lo, hi, intervals + 1), [hi] * 3))


SMILE_KNOT_VOLS = 0.5     # knot spacing of the first guess's smile, in ATM total vols
SMILE_ROUGHNESS = 1e-3    # its second-difference penalty, relative to the data's weight


def _smile_log_density(k: FloatArray, total_vol: FloatArray, strikes: FloatArray, forward: float,
                       tolerance: FloatArray, atm_total_vol: float, grid_k: FloatArray) -> FloatArray:
    """The fit's first guess at log q(k), which already carries the smile: Gatheral's density of a
    penalised cubic spline w(k) through the quotes' implied total variances, each weighted by its noise
    (half spread over vega), with g(k) floored where the spline's smile is not arbitrage-free. Beyond the
    quoted strikes w and g are held at their end values, so the tails are Gaussian in k, which the fit's
    penalty does not charge: a guess with the wrong tail shape costs many Gauss-Newton steps."""
    d1 = -np.abs(k) / total_vol + total_vol / 2
    vega = np.sqrt(forward * strikes) * np.exp(-np.abs(k) / 2 - d1 * d1 / 2) / math.sqrt(2 * math.pi)
    noise = 2 * total_vol * np.maximum(tolerance / np.maximum(vega, 1e-300), 1e-4 * total_vol)   # of w = v^2
    lo, hi = float(k.min()), float(k.max())
    knots = _clamped_knots(lo, hi, atm_total_vol * SMILE_KNOT_VOLS, 2)
    design = BSpline.design_matrix(k, knots, 3).toarray() / noise[:, None]
    gram = design.T @ design
    d2 = np.diff(np.eye(design.shape[1]), 2, axis=0)
    rough = d2.T @ d2
    coef = np.linalg.solve(gram + SMILE_ROUGHNESS * np.trace(gram) / np.trace(rough) * rough,
                           design.T @ (total_vol**2 / noise))
    smile = BSpline(knots, coef, 3)
    inside = np.clip(grid_k, lo, hi)
    w = np.maximum(smile(inside), 0.05 * float(np.min(total_vol)) ** 2)
    dw, d2w = smile(inside, 1), smile(inside, 2)
    g = (1 - inside * dw / (2 * w)) ** 2 - dw**2 / 4 * (1 / w + 0.25) + d2w / 2
    d2 = -grid_k / np.sqrt(w) - np.sqrt(w) / 2
    return np.log(np.maximum(g, 0.05)) - 0.5 * np.log(w) - d2**2 / 2


@dataclass(frozen=True)
class TailedLogSpline:
    """The shape of log q(k), up to a constant, as a linear map of coefficients theta: a clamped cubic
    spline sum theta_j B_j(k) over the quoted strikes [knots[0], knots[-1]], and beyond them Gaussian tails
    joined with continuous value and slope, f(b) + f'(b) (k - b) - (k - b)^2 / (2 w_b), w_b the implied
    total variance at that end. The tails bend down like a lognormal's (they can rise only briefly, where
    the spline's end slope points outward); a penalised spline left to itself beyond the data extrapolates
    its end curvature, which on real chains put spurious mass at the grid's ends."""

    knots: FloatArray
    tail_variance: tuple[float, float]

    def design(self, at: FloatArray) -> tuple[sparse.csr_matrix, FloatArray]:
        """(M, offset) with log q(at) = M @ theta + offset + const."""
        lo, hi = float(self.knots[0]), float(self.knots[-1])
        inside = np.clip(at, lo, hi)
        beyond = at - inside
        n = self.knots.size - 4
        slopes = BSpline(self.knots, np.eye(n), 3).derivative()(np.array([lo, hi]))      # (2, n)
        rows, cols, vals = [], [], []
        for side, mask in enumerate((at < lo, at > hi)):
            where = np.flatnonzero(mask)
            used = np.flatnonzero(slopes[side])
            rows.append(np.repeat(where, used.size))
            cols.append(np.tile(used, where.size))
            vals.append(np.outer(beyond[where], slopes[side][used]).ravel())
        tails = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                                  shape=(at.size, n))
        variance = np.where(beyond < 0, self.tail_variance[0], self.tail_variance[1])
        return (BSpline.design_matrix(inside, self.knots, 3) + tails).tocsr(), -beyond**2 / (2 * variance)

    def values(self, theta: FloatArray, at: FloatArray) -> FloatArray:
        """log q(at) + const for coefficients theta (design(at) applied, without building it)."""
        lo, hi = float(self.knots[0]), float(self.knots[-1])
        spline = BSpline(self.knots, theta, 3)
        inside = np.clip(at, lo, hi)
        beyond = at - inside
        slope = np.where(beyond < 0, spline(lo, 1), spline(hi, 1))
        variance = np.where(beyond < 0, self.tail_variance[0], self.tail_variance[1])
        return spline(inside) + slope * beyond - beyond**2 / (2 * variance)


def _third_derivative_gram(knots: FloatArray, spacing: float) -> FloatArray:
    """P with theta' P theta = spacing^5 times the integral of (d^3/dk^3 log q)^2: zero on every quadratic
    (every Gaussian in k) whatever the knots, and on evenly spaced knots the familiar |third differences|^2."""
    n = knots.size - 4
    third = BSpline(knots, np.eye(n), 3).derivative(3)
    edges = np.unique(knots)
    widths = np.diff(edges)
    values = third((edges[:-1] + edges[1:]) / 2)                 # constant on each interval
    return spacing**5 * (values.T * widths) @ values


def fit_log_spline(k: FloatArray, strikes: FloatArray, forward: float, undiscounted: FloatArray,
                   is_call: BoolArray, tolerance: FloatArray, atm_total_vol: float,
                   grid_k: FloatArray, start_log_density: FloatArray,
                   tail_variance: tuple[float, float]) -> LogSplineFit:
    """Fit the log-density spline to undiscounted prices (residuals in units of each quote's half spread)
    with E[S] = F held exactly, choosing the penalty by a BIC at every Gauss-Newton linearisation.

    The mean is held by an exponential tilt: B-splines reproduce the line k exactly (coefficients at the
    Greville abscissae), so after each step a one-dimensional Newton solve for alpha in
    log q + alpha k restores E[S] = F, and the objective, RSS + lam theta' P theta, is always that of a
    feasible density; a step that does not lower it is halved, and once halving becomes the rule the steps
    are damped (Levenberg-Marquardt). The penalty is frozen once the BIC picks it twice running and is
    confirmed by one more scan at convergence."""
    s = atm_total_vol
    knots = _clamped_knots(float(k.min()), float(k.max()), s / 3, 4)
    shape = TailedLogSpline(knots, tail_variance)
    basis, offset = shape.design(grid_k)
    basis_t = basis.T.tocsr()
    greville = (knots[1:-3] + knots[2:-2] + knots[3:-1]) / 3
    weights = payoff_weights(grid_k, forward, strikes, is_call) / tolerance[:, None]
    weights_t = np.ascontiguousarray(weights.T)
    target = undiscounted / tolerance
    mass_w, mean_w = grid_moments(grid_k, forward)
    mean_w = mean_w / forward
    penalty_gram = _third_derivative_gram(knots, s / 3)

    def feasible(theta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray] | None:
        """theta tilted so that E[S] = F, its normalised density on the grid, and its prices; None if the
        tilt cannot be found (a wild trial step)."""
        f = basis @ theta + offset
        alpha, below, above = 0.0, -math.inf, math.inf      # E[S] rises with alpha: bisect if Newton leaves
        for _ in range(40):
            g = f + alpha * grid_k
            base = np.exp(g - g.max())
            su, sv = mass_w @ base, mean_w @ base
            gap = math.log(sv / su)
            if abs(gap) < 1e-12:            # E[S] = F to 1e-12, far inside every check downstream
                q = base / su
                return theta + alpha * greville, q, weights @ q
            if gap < 0:
                below = alpha
            else:
                above = alpha
            slope = (mean_w * grid_k) @ base / sv - (mass_w * grid_k) @ base / su
            newton = alpha - gap / slope if slope > 0 else math.nan
            if below < newton < above:
                alpha = newton
            elif math.isfinite(below) and math.isfinite(above):
                alpha = (below + above) / 2
            else:
                alpha += math.copysign(1.0 / s, -gap)
        return None

    def jacobian(q: FloatArray, price: FloatArray) -> tuple[FloatArray, FloatArray]:
        e_bar = basis_t @ (mass_w * q)                 # derivative of the normalisation
        jac = (basis_t @ (weights_t * q[:, None])).T - price[:, None] * e_bar[None, :]
        return jac, basis_t @ (mean_w * q) - (mean_w @ q) * e_bar

    start = np.linalg.lstsq(basis.toarray(), start_log_density - offset, rcond=None)[0]
    first = feasible(start)
    if first is None:
        raise InputError("the option density fit could not start: the smile's density has no forward-matching tilt")
    theta, q, price = first
    chosen: list[float] = []            # the BIC's penalty at each linearisation (NaN: a trust-region step)
    frozen: float | None = None         # the penalty once the BIC has settled on it
    settled_before: set[float] = set()

    def confirmed(lin: _Linearised) -> bool:
        """At convergence for a frozen penalty, does the BIC still choose it? If not, unfreeze."""
        nonlocal frozen
        check = _scan_penalties(lin, basis, mass_w * q).lam
        if frozen is None or check == frozen or check in settled_before:
            return True
        settled_before.add(frozen)
        frozen = None
        chosen.append(check)
        return False

    iterations = 0
    damping = 0.0
    while iterations < MAX_ITERATIONS:
        iterations += 1
        residual = price - target
        lin = _linearise(residual, *jacobian(q, price), theta, penalty_gram)
        choice = _step_at(lin, frozen, damping) if frozen is not None else _scan_penalties(lin, basis, mass_w * q)
        if frozen is None and choice.trusted and chosen:
            if choice.lam == chosen[-1]:
                frozen = choice.lam
            elif len(chosen) >= 2 and choice.lam == chosen[-2]:
                frozen = max(choice.lam, chosen[-1])        # the BIC is flat between two: keep the smoother
                choice = _step_at(lin, frozen)
            elif iterations > UNSETTLED_SCANS:             # still wandering: take the most frequent choice
                values, counts = np.unique([c for c in chosen if math.isfinite(c)], return_counts=True)
                frozen = float(values[np.argmax(counts)]) if values.size else choice.lam
                choice = _step_at(lin, frozen)
        lam = choice.lam
        chosen.append(lam if choice.trusted else math.nan)
        current = float(residual @ residual + lam * theta @ penalty_gram @ theta)
        moved = theta + choice.step
        predicted = choice.rss + lam * float(moved @ penalty_gram @ moved)
        if frozen is not None and current - predicted <= TOLERANCE * (1 + current):
            if confirmed(lin):
                break
            continue
        step = choice.step
        trial_value = math.inf
        for _halving in range(20):
            trial_state = feasible(theta + step)
            step = step / 2
            if trial_state is None:
                continue
            trial, q_t, price_t = trial_state
            r_t = price_t - target
            trial_value = float(r_t @ r_t + lam * trial @ penalty_gram @ trial)
            if trial_value <= current:
                theta, q, price = trial, q_t, price_t
                # halved steps mean the linear model is poor this far out: damp the next (Levenberg-Marquardt)
                damping = min(damping * 4 + 1e-3, 1e6) if _halving >= 2 else damping / 4
                break
        if frozen is not None and current - trial_value <= TOLERANCE * (1 + current):
            # the step delivered next to nothing (or failed): converged, if the BIC agrees at the new point
            residual = price - target
            if confirmed(_linearise(residual, *jacobian(q, price), theta, penalty_gram)):
                break
    residual = price - target
    return LogSplineFit(shape, theta, lam, _effective_parameters(lin, lam),
                        math.sqrt(float(residual @ residual) / residual.size), iterations,
                        price * tolerance)


@dataclass(frozen=True, eq=False)
class ChainDensity:
    """A market density with its provenance and diagnostics."""

    expiry: str
    t_years: float
    forward: float
    discount: float
    density: GriddedDensity
    diagnostics: dict


def density_from_quotes(q: ExpiryQuotes, t_years: float, *, spot: float | None = None, rate: float | None = None,
                        source: str = "") -> ChainDensity:
    """The market's risk-neutral density of S_T from one expiry's quotes (see the module docstring)."""
    # The fit's matrices are small (about 200 x 70): BLAS threads cost far more in hand-offs than they save
    # (all expiries of the bundled SPX chain: 0.12 s against 0.33 s on two cores). The limit is process-wide
    # while it lasts; fits overlapping in two threads may leave it at one thread, which suits these sizes.
    with _thread_pools().limit(limits=1, user_api="blas"):
        return _density_from_quotes(q, t_years, spot=spot, rate=rate, source=source)


def _density_from_quotes(q: ExpiryQuotes, t_years: float, *, spot: float | None, rate: float | None,
                         source: str) -> ChainDensity:
    fwd = parity_forward(q, t_years, spot=spot, rate=rate)
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
    start = _smile_log_density(k, vol, strikes, forward, tolerance, atm_vol, fit_grid)
    fit = fit_log_spline(k, strikes, forward, undiscounted, is_call, tolerance, atm_vol, fit_grid, start,
                         (low_vol**2, high_vol**2))

    grid_k = np.linspace(lo, hi, GRID_POINTS)
    x = forward * np.exp(grid_k)
    raw = _nodes_density(fit, fit_grid, grid_k) / x         # normalised on the fit's grid
    mass = float(np.trapezoid(raw, x))
    pdf = raw / mass
    diagnostics: dict = {}          # filled below from the density's own cdf and mean
    density = GriddedDensity(x, pdf, source=source, method=METHOD, diagnostics=diagnostics)
    fitted_vol = implied_total_vol(forward, strikes, fit.fitted, is_call, guess=vol)
    vol_error = (fitted_vol - vol) / math.sqrt(t_years) * 100
    cdf_lo, cdf_hi = np.interp([strikes.min(), strikes.max()], x, density.cdf)
    mean = density.mean()
    diagnostics.update({
        "method": METHOD,
        "forward_method": fwd.method, "parity_pairs_used": fwd.pairs_used,
        "forward": forward, "discount": discount, "implied_rate": -math.log(discount) / t_years,
        "t_years": t_years, "quotes_used": int(strikes.size), "quotes_dropped": dropped,
        "penalty": fit.lam, "effective_parameters": fit.effective_parameters, "fit_iterations": fit.iterations,
        "fit_rms_half_spreads": fit.residual_rms_half_spreads,
        "fit_rms_vol_points": float(np.sqrt(np.nanmean(vol_error**2))),
        "fit_max_abs_vol_points": float(np.nanmax(np.abs(vol_error))),
        "negative_density_repaired_mass": 0.0,
        "mass_before_normalisation": mass,
        "mean": mean, "mean_vs_forward": mean / forward - 1,
        "mass_below_lowest_strike": float(cdf_lo), "mass_above_highest_strike": float(1 - cdf_hi),
        "quoted_strike_range": [float(strikes.min()), float(strikes.max())],
        "grid_range": [float(x[0]), float(x[-1])],
    })
    return ChainDensity(q.expiry, t_years, forward, discount, density, diagnostics)


def _nodes_density(fit: LogSplineFit, fit_grid: FloatArray, at: FloatArray) -> FloatArray:
    """The fitted density of k at points `at`, normalised (as in the fit) to mass 1 on fit_grid."""
    on_fit = fit.shape.values(fit.theta, fit_grid)
    top = on_fit.max()
    return np.exp(fit.shape.values(fit.theta, at) - top) / (grid_moments(fit_grid, 1.0)[0] @ np.exp(on_fit - top))
