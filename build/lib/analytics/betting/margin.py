"""Removing the bookmaker's margin: raw implied probabilities r = 1/o to fair probabilities q.

Every method works on one book (shape (n,)) or a stack of books (shape (B, n)) at once; methods
with a parameter solve their defining equation sum q = 1 by bracketed root finding (Chandrupatla,
scipy.optimize.elementwise) to machine precision, with brackets derived from the book itself. The JSD method
nests one root inside another, so it first takes Newton steps on all books at once (about 2 us per book) and
hands only the books that do not converge to the bracketed solver (about 700 us per book).
Overround M = sum r - 1 is a fraction (0.048 for a 104.8 % book).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal, get_args

import numpy as np
from scipy.optimize import elementwise
from scipy.special import xlogy

from analytics.core.errors import InputError
from analytics.core.types import BoolArray, FloatArray
from analytics.core.units import LN2

MarginMethod = Literal["multiplicative", "additive", "power", "shin", "odds_ratio", "wpo", "bb", "jsd"]
METHODS: tuple[MarginMethod, ...] = get_args(MarginMethod)
METHOD_NOTES: dict[MarginMethod, str] = {
    "multiplicative": "q = r / sum r (basic normalisation)",
    "additive": "q = r - M/n",
    "power": "q = r^k, k solving sum q = 1",
    "shin": "Shin (1993): z = insider share, solving sum q(z) = 1",
    "odds_ratio": "q = r / (c + r - c r), c solving sum q = 1",
    "wpo": "margin weights proportional to odds: fair odds n o/(n - M o); identical to additive",
    "bb": "balanced book: q = (r - z)/(1 - z), z = M/(n - 1)",
    "jsd": "equal binary Jensen-Shannon distance (base 2) between each (q_i, 1-q_i) and (r_i, 1-r_i)",
}
FAIR_BOOK = 1e-12       # a booksum within this of 1 has no margin: every parametric method returns r itself
_TOLERANCES = {"xatol": 0.0, "xrtol": 4 * np.finfo(float).eps, "fatol": 0.0, "frtol": 0.0}


@dataclass(frozen=True, eq=False)
class FairProbabilities:
    """Fair probabilities from one book or a stack of books (last axis = outcomes)."""

    probabilities: FloatArray
    method: MarginMethod
    params: dict[str, FloatArray] = field(default_factory=dict)
    overround: FloatArray = field(default_factory=lambda: np.zeros(()))


def _raw(implied: FloatArray) -> FloatArray:
    r = np.atleast_1d(np.asarray(implied, dtype=float))
    if r.shape[-1] == 0:
        raise InputError("the market has no outcomes")
    if r.shape[-1] < 2:
        raise InputError("a market needs at least 2 mutually exclusive outcomes to remove a margin")
    if np.any(~np.isfinite(r)) or np.any(r <= 0) or np.any(r >= 1):
        bad = r[~np.isfinite(r) | (r <= 0) | (r >= 1)][0]
        raise InputError(f"implied probability {bad!r} is outside (0, 1): decimal odds must be finite and > 1")
    return r


def _solve(residual: Callable[..., FloatArray], lower: FloatArray, upper: FloatArray, books: int) -> FloatArray:
    """Root of residual(x, book_index) = 0 per book, bracketed by [lower, upper]."""
    index = np.arange(books, dtype=float)
    result = elementwise.find_root(residual, (lower, upper), args=(index,), tolerances=_TOLERANCES)
    if not np.all(result.success):
        raise InputError("margin removal did not converge for this book")
    return np.asarray(result.x)


def _check_non_negative(q: FloatArray, method: str) -> FloatArray:
    if np.any(q < 0):
        where = np.argwhere(q < 0)[0]
        outcome = int(where[-1])
        value = q[tuple(where)]
        raise InputError(f"method {method!r} gives outcome {outcome + 1} a negative probability ({value:.4g}); "
                         "its odds are too long for this method: use shin, power or multiplicative")
    return q


def _shin(r: FloatArray, booksum: FloatArray) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Shin's z for each book with a margin; a book summing to 1 (within FAIR_BOOK) has no margin, z = 0 and q = r,
    the limit of the model; a book summing below 1 (an arbitrage) has no Shin solution."""
    if np.any(booksum < 1.0 - FAIR_BOOK):
        raise InputError(f"Shin's model needs a bookmaker margin, but this book sums to {float(np.min(booksum)):.6g} "
                         "(an arbitrage): use multiplicative or power")
    flat = r.reshape(-1, r.shape[-1])
    flat_k = booksum.reshape(-1)
    priced = flat_k > 1.0 + FAIR_BOOK
    rows, ks = flat[priced], flat_k[priced]

    def q_of(z: FloatArray, rows: FloatArray, ks: FloatArray) -> FloatArray:
        return (np.sqrt(z**2 + 4 * (1 - z) * rows**2 / ks) - z) / (2 * (1 - z))

    def residual(z: FloatArray, idx: FloatArray) -> FloatArray:
        i = idx.astype(int)
        return q_of(z[..., None], rows[i], ks[i][..., None]).sum(axis=-1) - 1.0

    z = np.zeros(flat_k.shape)
    q = flat / flat_k[:, None]
    if priced.any():
        books = int(priced.sum())
        z[priced] = _solve(residual, np.zeros(books), np.full(books, 1.0 - 1e-12), books)
        q[priced] = q_of(z[priced][:, None], rows, ks[:, None])
    return q.reshape(r.shape), {"z": z.reshape(booksum.shape)}


def _power(r: FloatArray, booksum: FloatArray) -> tuple[FloatArray, dict[str, FloatArray]]:
    flat = r.reshape(-1, r.shape[-1])
    n = flat.shape[-1]
    # sum r^k < n max(r)^k < 1 beyond this k, and sum r^0 = n > 1: a bracket for every book
    upper = np.maximum(1.0, np.log(n) / -np.log(flat.max(axis=-1))) + 1.0

    def residual(k: FloatArray, idx: FloatArray) -> FloatArray:
        return np.power(flat[idx.astype(int)], k[..., None]).sum(axis=-1) - 1.0

    k = _solve(residual, np.zeros(flat.shape[0]), upper, flat.shape[0])
    return (flat ** k[:, None]).reshape(r.shape), {"k": k.reshape(booksum.shape)}


def _odds_ratio(r: FloatArray, booksum: FloatArray) -> tuple[FloatArray, dict[str, FloatArray]]:
    flat = r.reshape(-1, r.shape[-1])
    upper = np.maximum(1.0, (flat / (1 - flat)).sum(axis=-1)) * 2.0

    def q_of(c: FloatArray, rows: FloatArray) -> FloatArray:
        return rows / (c + rows - c * rows)

    def residual(c: FloatArray, idx: FloatArray) -> FloatArray:
        return q_of(c[..., None], flat[idx.astype(int)]).sum(axis=-1) - 1.0

    c = _solve(residual, np.full(flat.shape[0], 1e-12), upper, flat.shape[0])
    return q_of(c[:, None], flat).reshape(r.shape), {"c": c.reshape(booksum.shape)}


def binary_js_distance(a: FloatArray, b: FloatArray) -> FloatArray:
    """Jensen-Shannon distance (base 2, in [0, 1]) between Bernoulli(a) and Bernoulli(b)."""
    def h2(x: FloatArray) -> FloatArray:
        return -(xlogy(x, x) + xlogy(1 - x, 1 - x)) / LN2

    m = 0.5 * (a + b)
    return np.sqrt(np.maximum(h2(m) - 0.5 * (h2(a) + h2(b)), 0.0))


def _binary_js_terms(q: FloatArray, r: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Signed distance g(q) = sign(r - q) * JS distance (base 2) of Bernoulli(q) from Bernoulli(r), and dg/dq.

    g falls strictly in q. Near q = r the squared distance is (q - r)^2 / (8 ln2 r (1 - r)), which gives the slope
    there (the general formula is 0/0)."""
    distance = binary_js_distance(q, r)
    m = 0.5 * (q + r)
    # d(JSD)/dq = (h2'(m) - h2'(q)) / 2 with h2'(x) = log2((1 - x) / x)
    djsd = 0.5 * (np.log((1 - m) / m) - np.log((1 - q) / q)) / LN2
    near = distance < 1e-6
    slope = np.where(near, -1.0 / np.sqrt(8 * LN2 * r * (1 - r)),
                     -np.abs(djsd) / (2 * np.where(near, 1.0, distance)))
    return np.sign(r - q) * distance, slope


def _jsd_newton(flat: FloatArray, iterations: int = 40) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Newton's method on the whole system g(q_i) = s, sum q = 1, for every book at once (closed-form Schur step).

    Returns q, s and a per-book flag: converged with every q inside (0, 1). Books that are not (an outcome pushed
    to 0 or 1) go to the bracketed solver."""
    q = flat / flat.sum(axis=-1, keepdims=True)
    g, slope = _binary_js_terms(q, flat)
    s = g.mean(axis=-1)
    for _ in range(iterations):
        gap = g - s[:, None]
        inverse = 1.0 / slope
        step_s = (1.0 - q.sum(axis=-1) + (gap * inverse).sum(axis=-1)) / inverse.sum(axis=-1)
        step_q = (step_s[:, None] - gap) * inverse
        s = s + step_s
        q = np.clip(q + step_q, 1e-300, 1.0 - 1e-16)
        g, slope = _binary_js_terms(q, flat)
        if np.all(np.abs(step_q) < 1e-11):      # quadratic convergence: the next step would be below rounding
            break
    # the distance carries rounding of about 1e-16 / distance, hence the loose tolerance on g
    ok = (np.abs(q.sum(axis=-1) - 1.0) < 1e-13) & np.all(np.abs(g - s[:, None]) < 1e-10, axis=-1) \
        & np.all((q > 1e-200) & (q < 1.0 - 1e-15), axis=-1)
    return q / q.sum(axis=-1, keepdims=True), s, ok


def _jsd(r: FloatArray, booksum: FloatArray) -> tuple[FloatArray, dict[str, FloatArray]]:
    flat = r.reshape(-1, r.shape[-1])
    q, s, ok = _jsd_newton(flat)
    if not np.all(ok):
        # an outcome at 0 or 1 (a very long price) or no solution: the bracketed solver settles those books
        q[~ok], s[~ok] = _jsd_bracketed(flat[~ok])
    return q.reshape(r.shape), {"distance": s.reshape(booksum.shape)}


def _jsd_bracketed(flat: FloatArray) -> tuple[FloatArray, FloatArray]:
    to_zero = binary_js_distance(np.zeros_like(flat), flat)
    to_one = binary_js_distance(np.ones_like(flat), flat)

    def signed_distance(q: FloatArray, rr: FloatArray) -> FloatArray:
        return np.sign(rr - q) * binary_js_distance(q, rr)

    def q_of(s: FloatArray, rows: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
        s_b = np.broadcast_to(s, rows.shape)
        inside = (s_b < lo) & (s_b > -hi)
        q = np.where(s_b >= lo, 0.0, 1.0)
        if inside.any():
            found = elementwise.find_root(lambda x, ss, rr: signed_distance(x, rr) - ss, (0.0, 1.0),
                                          args=(s_b[inside], rows[inside]), tolerances=_TOLERANCES)
            q[inside] = found.x
        return q

    def residual(s: FloatArray, idx: FloatArray) -> FloatArray:
        i = idx.astype(int)
        return q_of(s[..., None], flat[i], to_zero[i], to_one[i]).sum(axis=-1) - 1.0

    lower, upper = -to_one.min(axis=-1), to_zero.min(axis=-1)
    books = flat.shape[0]
    index = np.arange(books, dtype=float)
    if np.any(residual(upper, index) > 0):
        raise InputError("the jsd method cannot remove this margin without a negative probability")
    s = _solve(residual, lower, upper, books)
    return q_of(s[:, None], flat, to_zero, to_one), s


def margin_method(name: str) -> MarginMethod:
    """A method's name as a user writes it (any case, '-' for '_') as one of METHODS; InputError otherwise."""
    key = name.strip().lower().replace("-", "_")
    for method in METHODS:
        if key == method:
            return method
    raise InputError(f"unknown margin-removal method {name!r}; expected one of {', '.join(METHODS)}")


def remove_margin(implied: FloatArray, method: str = "shin") -> FairProbabilities:
    """Fair probabilities from raw implied probabilities r = 1/o (one book or a stack of books).

    Raises InputError for an unknown method (see margin_method), invalid prices, or a method that would
    give a negative probability (it never returns one)."""
    key = margin_method(method)
    r = _raw(implied)
    booksum = r.sum(axis=-1)
    margin = booksum - 1.0
    n = r.shape[-1]
    params: dict[str, FloatArray] = {}
    if key == "multiplicative":
        q = r / booksum[..., None]
    elif key in ("additive", "wpo"):
        q = _check_non_negative(r - margin[..., None] / n, key)
    elif key == "bb":
        z = margin / (n - 1)
        q = _check_non_negative((r - z[..., None]) / (1 - z[..., None]), key)
        params = {"z": z}
    elif key == "shin":
        q, params = _shin(r, booksum)
    elif key == "power":
        q, params = _power(r, booksum)
    elif key == "odds_ratio":
        q, params = _odds_ratio(r, booksum)
    else:
        q, params = _jsd(r, booksum)
    if np.ndim(implied) == 1:
        params = {k: np.asarray(v).reshape(()) for k, v in params.items()}
    return FairProbabilities(q.reshape(np.shape(implied)), key, params, margin.reshape(np.shape(implied)[:-1]))
