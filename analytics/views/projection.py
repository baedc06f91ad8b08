"""The I-projection of a market onto views: the belief p closest to the market q in KL(p||q) among those that
satisfy every view (docs/methods.md, "Views").

On a support of points i with quadrature weights w_i (1 for named outcomes, trapezoid weights on a price grid)
and market values q_i, each view is a linear statement sum_i w_i p_i g_k(x_i) (relation) c_k. The solution is
p_i = q_i exp(sum_k lambda_k g_k(x_i)) / Z(lambda), with the multipliers minimising the convex dual
log Z(lambda) - lambda . c (free for `=`, >= 0 for `>=`, <= 0 for `<=`; a view that does not bind has lambda 0),
and KL(p||q) = lambda . c - log Z (nats). lambda_k is also dKL/dc_k: the edge one more unit of the view adds.
Solved by scipy's L-BFGS-B with the views standardised under q, then Newton steps on the binding views until the
views hold to 1e-12 in standard units; contradictory or impossible views are found first by a linear programme
(HiGHS) and named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog, minimize

from analytics.core.errors import InputError
from analytics.core.types import FloatArray
from analytics.views.spec import View

TOLERANCE = 1e-12       # the views hold to this, in units of each view's standard deviation under the market


@dataclass(frozen=True)
class ViewConstraints:
    """The views as rows g_k on the support, their targets c_k and relations, with labels for messages."""

    rows: FloatArray                # (K, N)
    targets: FloatArray             # (K,)
    relations: tuple[str, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class ViewFit:
    """The projected belief on the support (normalised with the weights), the multipliers (per unit of each view's
    own scale: per unit probability, per unit of price for a mean), which views bind, the KL in nats and, per
    view, the KL it adds to the others (the projection without it subtracted)."""

    probabilities: FloatArray
    multipliers: FloatArray
    binding: tuple[bool, ...]
    kl_nats: float
    kl_added_nats: FloatArray
    labels: tuple[str, ...]

    def as_records(self) -> list[dict[str, object]]:
        total = self.kl_nats
        return [{"view": label, "multiplier": float(lam), "binding": bool(bind), "kl_added_nats": float(added),
                 "kl_share": float(added / total) if total > 0 else 0.0}
                for label, lam, bind, added in zip(self.labels, self.multipliers, self.binding, self.kl_added_nats,
                                                   strict=True)]


def _fractional_below(x: FloatArray, level: float) -> FloatArray:
    """Share of each grid point's cell lying below `level` (cells run halfway to the neighbours), so that
    sum w_i q_i g_i is the trapezoid-consistent P(X <= level) and moves smoothly with the level."""
    edges = np.concatenate(([x[0]], (x[1:] + x[:-1]) / 2, [x[-1]]))
    width = np.diff(edges)
    return np.clip((level - edges[:-1]) / np.where(width > 0, width, 1.0), 0.0, 1.0)


def grid_constraints(views: tuple[View, ...], x: FloatArray, source: str = "") -> ViewConstraints:
    """Views about a price on the market's grid x."""
    rows, targets, relations = [], [], []
    relation: str
    for view in views:
        if view.outcomes:
            raise InputError(f"view {view.label!r} names outcomes, but this market is a price distribution; state a "
                             "range such as P(>720) or P(650..720)", source=source)
        relation = view.relation
        if view.kind == "probability":
            below_high = np.ones_like(x) if view.high is None else _fractional_below(x, view.high)
            below_low = np.zeros_like(x) if view.low is None else _fractional_below(x, view.low)
            row, target = below_high - below_low, view.value
        elif view.kind == "mean":
            row, target = np.asarray(x, dtype=float), view.value
        elif view.kind == "mean_log":
            if x[0] <= 0:
                raise InputError(f"view {view.label!r}: the mean of log price needs positive prices", source=source)
            row, target = np.log(x), view.value
        else:
            assert view.level is not None
            if not x[0] < view.value < x[-1]:
                raise InputError(f"view {view.label!r}: the value lies outside the market's grid [{x[0]:.6g}, "
                                 f"{x[-1]:.6g}]", source=source)
            # q_level >= v  <=>  P(X <= v) <= level
            row, target = _fractional_below(x, view.value), view.level
            relation = {"=": "=", ">=": "<=", "<=": ">="}[view.relation]
        rows.append(row)
        targets.append(target)
        relations.append(relation)
    return ViewConstraints(np.vstack(rows), np.asarray(targets, dtype=float), tuple(relations),
                           tuple(v.label for v in views))


def discrete_constraints(views: tuple[View, ...], labels: tuple[str, ...], source: str = "") -> ViewConstraints:
    """Views about named outcomes (matched case- and space-insensitively)."""
    from analytics.core.distributions import normalise_label

    index = {normalise_label(label): i for i, label in enumerate(labels)}
    rows, targets = [], []
    for view in views:
        if view.kind != "probability" or not view.outcomes:
            raise InputError(f"view {view.label!r} is about a price; this market has named outcomes "
                             f"({', '.join(labels[:6])}): state P(outcome)", source=source)
        row = np.zeros(len(labels))
        for outcome in view.outcomes:
            at = index.get(normalise_label(outcome))
            if at is None:
                raise InputError(f"view {view.label!r}: no outcome {outcome!r} in this market (it has "
                                 f"{', '.join(labels[:8])})", source=source)
            row[at] = 1.0
        rows.append(row)
        targets.append(view.value)
    return ViewConstraints(np.vstack(rows), np.asarray(targets, dtype=float), tuple(v.relation for v in views),
                           tuple(v.label for v in views))


def _feasible(weights: FloatArray, rows: FloatArray, targets: FloatArray, relations: tuple[str, ...]) -> bool:
    """Is there a p >= 0 on the support with sum w p = 1 meeting every view (HiGHS)?"""
    a = rows * weights
    eq = [k for k, r in enumerate(relations) if r == "="]
    ge = [k for k, r in enumerate(relations) if r == ">="]
    le = [k for k, r in enumerate(relations) if r == "<="]
    a_eq = np.vstack([weights[None, :], a[eq]])
    b_eq = np.r_[1.0, targets[eq]]
    a_ub = np.vstack([-a[ge], a[le]]) if ge or le else None
    b_ub = np.r_[-targets[ge], targets[le]] if ge or le else None
    found = linprog(np.zeros(weights.size), A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None),
                    method="highs")
    return bool(found.status == 0)


def _check_feasible(weights: FloatArray, c: ViewConstraints, source: str) -> None:
    if _feasible(weights, c.rows, c.targets, c.relations):
        return
    keep = np.ones(len(c.labels), bool)
    culprits = []
    for k in range(len(c.labels)):
        keep[k] = False
        if _feasible(weights, c.rows[keep], c.targets[keep], tuple(r for r, kept in zip(c.relations, keep,
                                                                                         strict=True) if kept)):
            culprits.append(c.labels[k])
        keep[k] = True
    if len(c.labels) == 1:
        raise InputError(f"view {c.labels[0]!r} cannot hold for any belief the market allows (it needs mass where "
                         "the market has none, or beyond the market's range)", source=source)
    named = culprits or list(c.labels)
    raise InputError(f"the views cannot all hold together; these contradict the others: {'; '.join(named)}",
                     source=source)


def _dual(lam: FloatArray, rows: FloatArray, targets: FloatArray, log_base: FloatArray) -> tuple[float, FloatArray]:
    exponent = log_base + lam @ rows
    top = float(exponent.max())
    e = np.exp(exponent - top)
    z = float(e.sum())
    p = e / z
    return math.log(z) + top - float(lam @ targets), rows @ p - targets


@dataclass(frozen=True, eq=False)
class _DualSolution:
    """The multipliers (in standard units of each view), the dual's value and gradient, and the log of p."""

    lam: FloatArray
    value: float
    gradient: FloatArray
    log_p: FloatArray
    scale: FloatArray


def _solve_dual(w: FloatArray, q: FloatArray, rows: FloatArray, targets: FloatArray,
                relations: tuple[str, ...]) -> _DualSolution:
    """The dual of the projection on a support where q > 0 (q normalised with w), views standardised under q."""
    mean = rows @ (w * q)
    scale = np.sqrt(np.maximum(((rows - mean[:, None]) ** 2) @ (w * q), 1e-300))
    standard = (rows - mean[:, None]) / scale[:, None]
    standard_targets = (targets - mean) / scale
    log_base = np.log(w * q)
    bounds = [(None, None) if r == "=" else (0.0, None) if r == ">=" else (None, 0.0) for r in relations]
    found = minimize(_dual, np.zeros(len(relations)), args=(standard, standard_targets, log_base), jac=True,
                     method="L-BFGS-B", bounds=bounds, options={"maxiter": 5000, "ftol": 0.0, "gtol": 1e-13})
    lam = _polish(np.asarray(found.x, dtype=float), standard, standard_targets, log_base, relations)
    value, gradient = _dual(lam, standard, standard_targets, log_base)
    return _DualSolution(lam, value, gradient, log_base + lam @ standard, scale)


def project(weights: FloatArray, market: FloatArray, c: ViewConstraints, source: str = "") -> ViewFit:
    """The I-projection of the market (values `market` with quadrature `weights`) onto the views `c`."""
    weights, market = np.asarray(weights, dtype=float), np.asarray(market, dtype=float)
    support = (market > 0) & (weights > 0)
    w, q = weights[support], market[support]
    q = q / float(w @ q)
    rows = c.rows[:, support]
    _check_feasible(w, ViewConstraints(rows, c.targets, c.relations, c.labels), source)
    solved = _solve_dual(w, q, rows, c.targets, c.relations)
    binding = tuple(bool(r == "=" or abs(lam_k) > 1e-10) for r, lam_k in zip(c.relations, solved.lam, strict=True))
    violated = [label for label, g, r in zip(c.labels, solved.gradient, c.relations, strict=True)
                if (r == "=" and abs(g) > 1e-9) or (r == ">=" and g < -1e-9) or (r == "<=" and g > 1e-9)]
    if violated:
        raise InputError(f"the views could not be met to 1e-9 ({'; '.join(violated)}): they ask for a belief at the "
                         "edge of what the market allows", source=source)
    p_support = np.exp(solved.log_p - solved.log_p.max())
    p_support /= float(p_support.sum())
    probabilities = np.zeros(market.size)
    probabilities[support] = p_support / w
    kl = float(-solved.value) if -solved.value > 0 else 0.0       # never -0.0: a view the market meets adds nothing
    # the KL each view adds to the others: one projection without it (a view that does not bind adds nothing; a
    # subset of feasible views is feasible)
    added = np.zeros(len(c.labels))
    for k in np.flatnonzero(binding):
        keep = np.arange(len(c.labels)) != k
        without = 0.0 if not keep.any() else max(-_solve_dual(
            w, q, rows[keep], c.targets[keep], tuple(np.asarray(c.relations)[keep])).value, 0.0)
        added[k] = max(kl - without, 0.0)
    return ViewFit(probabilities, solved.lam / solved.scale, binding, kl, added, c.labels)


def _polish(lam: FloatArray, rows: FloatArray, targets: FloatArray, log_base: FloatArray,
            relations: tuple[str, ...]) -> FloatArray:
    """Newton steps on the views that bind (equalities, and inequalities off their bound) until they hold to
    TOLERANCE; L-BFGS-B alone stops near 1e-8."""
    lam = lam.copy()
    for _step in range(50):
        value, gradient = _dual(lam, rows, targets, log_base)
        active = np.array([r == "=" or abs(v) > 1e-12 or (r == ">=" and g < 0) or (r == "<=" and g > 0)
                           for r, v, g in zip(relations, lam, gradient, strict=True)])
        if not active.any() or np.max(np.abs(gradient[active])) < TOLERANCE:
            break
        exponent = log_base + lam @ rows
        p = np.exp(exponent - exponent.max())
        p /= p.sum()
        g_active = rows[active]
        mean = g_active @ p
        hessian = (g_active * p) @ g_active.T - np.outer(mean, mean)
        step = np.linalg.solve(hessian + 1e-14 * np.eye(hessian.shape[0]), gradient[active])
        t = 1.0
        for _halving in range(30):
            trial = lam.copy()
            trial[active] -= t * step
            trial = np.array([v if r == "=" else max(v, 0.0) if r == ">=" else min(v, 0.0)
                              for r, v in zip(relations, trial, strict=True)])
            if _dual(trial, rows, targets, log_base)[0] <= value + 1e-15:
                lam = trial
                break
            t /= 2
        else:
            break
    return lam
