"""The shape of the option density's log, log q(k) for k = log(S/F): a clamped cubic spline over the quoted
strikes with Gaussian tails beyond them, its third-derivative penalty, and the fit's first guess, the density of a
smoothed implied-vol smile (docs/methods.md, "Option density")."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.interpolate import BSpline

from analytics.core.types import FloatArray


def clamped_knots(lo: float, hi: float, spacing: float, min_intervals: int) -> FloatArray:
    """Knots of a clamped cubic spline on [lo, hi], evenly spaced about `spacing` apart."""
    intervals = max(int(math.ceil((hi - lo) / spacing)), min_intervals)
    return np.concatenate(([lo] * 3, np.linspace(lo, hi, intervals + 1), [hi] * 3))


SMILE_KNOT_VOLS = 0.5     # knot spacing of the first guess's smile, in ATM total vols
SMILE_ROUGHNESS = 1e-3    # its second-difference penalty, relative to the data's weight


def smile_log_density(k: FloatArray, total_vol: FloatArray, strikes: FloatArray, forward: float,
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
    knots = clamped_knots(lo, hi, atm_total_vol * SMILE_KNOT_VOLS, 2)
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


def third_derivative_gram(knots: FloatArray, spacing: float) -> FloatArray:
    """P with theta' P theta = spacing^5 times the integral of (d^3/dk^3 log q)^2: zero on every quadratic
    (every Gaussian in k) whatever the knots, and on evenly spaced knots the familiar |third differences|^2."""
    n = knots.size - 4
    third = BSpline(knots, np.eye(n), 3).derivative(3)
    edges = np.unique(knots)
    widths = np.diff(edges)
    values = third((edges[:-1] + edges[1:]) / 2)                 # constant on each interval
    return spacing**5 * (values.T * widths) @ values
