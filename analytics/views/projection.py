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

from analytics.core.distributions import trapezoid_weights
from analytics.core.errors import InputError
from analytics.core.types import BoolArray, FloatArray
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


def _below(x: FloatArray, side: np.ndarray, level: float) -> FloatArray:
    """1 at the grid points below `level` (the left copy of a level split by split_grid counts as below), else 0:
    on a split grid the trapezoid rule integrates q and the tilted belief exactly on each side of the level."""
    return ((x < level) | ((x == level) & (side < 0))).astype(float)


def view_levels(views: tuple[View, ...]) -> FloatArray:
    """Every price at which a view's indicator jumps: the ends of probability views and the values of quantile
    views."""
    found = [v for view in views for v in ((view.low, view.high) if view.kind == "probability" else
                                           (view.value,) if view.kind == "quantile" else ()) if v is not None]
    return np.unique(np.asarray(found, dtype=float))


@dataclass(frozen=True, eq=False)
class SplitGrid:
    """A price grid with every view level inside it present twice, its left and right limits: `x`, which copy
    each point is (`side` -1 left, +1 right, 0 an ordinary point) and where the original grid's points are
    (`original`; a level that was a grid point maps to its two copies, `original_right`)."""

    x: FloatArray
    side: np.ndarray
    original: np.ndarray
    original_right: np.ndarray


def split_grid(x: FloatArray, levels: FloatArray) -> SplitGrid:
    """The grid x split at each level strictly inside it (docs/methods.md, "Views": exact levels)."""
    x = np.asarray(x, dtype=float)
    inside = levels[(levels > x[0]) & (levels < x[-1])]
    points = np.concatenate((x, inside, inside))
    side = np.concatenate((np.zeros(x.size, int), -np.ones(inside.size, int), np.ones(inside.size, int)))
    at_level = np.isin(x, inside)
    keep = np.concatenate((~at_level, np.ones(2 * inside.size, bool)))     # a grid point on a level: its copies
    points, side = points[keep], side[keep]
    order = np.lexsort((side, points))
    points, side = points[order], side[order]
    position = np.searchsorted(points, x, side="left")        # the left copy, or the point itself
    right = np.where(at_level, position + 1, position)
    return SplitGrid(points, side, position, right)


def spread_centre(views: tuple[View, ...], market_mean: float | None) -> float | None:
    """What sd and var views are about: the mean view's value when one is stated as =, else the market's mean."""
    stated = [v.value for v in views if v.kind == "mean" and v.relation == "="]
    return stated[0] if stated else market_mean


def grid_constraints(views: tuple[View, ...], x: FloatArray, source: str = "",
                     side: np.ndarray | None = None, market_mean: float | None = None) -> ViewConstraints:
    """Views about a price on the grid x (split at the views' levels by split_grid, whose `side` says which copy
    of a level each point is; without it, a point on a level counts as above it). sd and var views are about
    spread_centre(views, market_mean): E_p[(x - m)^2] relation var (sd squared)."""
    side = np.zeros(len(x), int) if side is None else side
    _check_quantile_views(views, source)
    centre = spread_centre(views, market_mean)
    rows, targets, relations = [], [], []
    relation: str
    for view in views:
        if view.outcomes:
            raise InputError(f"view {view.label!r} names outcomes, but this market is a price distribution; state a "
                             "range such as P(>720) or P(650..720)", source=source)
        relation = view.relation
        if view.kind == "probability":
            below_high = np.ones_like(x) if view.high is None else _below(x, side, view.high)
            below_low = np.zeros_like(x) if view.low is None else _below(x, side, view.low)
            row, target = below_high - below_low, view.value
        elif view.kind == "mean":
            row, target = np.asarray(x, dtype=float), view.value
        elif view.kind in ("sd", "var"):
            if centre is None:
                raise InputError(f"view {view.label!r}: a spread needs a mean view or the market's mean",
                                 source=source)
            row = (np.asarray(x, dtype=float) - centre) ** 2
            target = view.value ** 2 if view.kind == "sd" else view.value
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
            row, target = _below(x, side, view.value), view.level
            relation = {"=": "=", ">=": "<=", "<=": ">="}[view.relation]
        rows.append(row)
        targets.append(target)
        relations.append(relation)
    return ViewConstraints(np.vstack(rows), np.asarray(targets, dtype=float), tuple(relations),
                           tuple(v.label for v in views))


def _check_quantile_views(views: tuple[View, ...], source: str) -> None:
    """Quantiles rise with their level: a lower bound on q_a above an upper bound on q_b with a <= b cannot hold
    (q0.5 >= 700 with q0.5 <= 650). Named like any other contradiction."""
    quantiles = [v for v in views if v.kind == "quantile"]
    lower = [v for v in quantiles if v.relation in ("=", ">=")]
    upper = [v for v in quantiles if v.relation in ("=", "<=")]
    for low in lower:
        for high in upper:
            assert low.level is not None and high.level is not None
            if low.level <= high.level and low.value > high.value:
                raise InputError(f"the views cannot all hold together; these contradict each other: {low.label}; "
                                 f"{high.label} (a quantile cannot be above a higher or equal quantile's bound)",
                                 source=source)


@dataclass(frozen=True, eq=False)
class GridProjection:
    """The projection of a price density onto views on the split grid, and the belief's density back on the
    market's own grid (a point on a level takes the mean of its two limits)."""

    fit: ViewFit
    density: FloatArray


def project_on_grid(views: tuple[View, ...], x: FloatArray, market_pdf: FloatArray, source: str = "") \
        -> GridProjection:
    """The I-projection of the density q (pdf on x, any mass) onto price views, with the grid split at every
    view's level so that probability and quantile views hold exactly for the piecewise-linear q, and the KL is
    exact for them (a jump of the tilt inside a trapezoid cell cost up to 1e-3 of the KL)."""
    grid = split_grid(x, view_levels(views))
    q = np.interp(grid.x, x, market_pdf)
    weights = trapezoid_weights(grid.x)
    mean = float((weights * q) @ grid.x / (weights @ q))
    fit = project(weights, q, grid_constraints(views, grid.x, source, grid.side, market_mean=mean), source)
    density = (fit.probabilities[grid.original] + fit.probabilities[grid.original_right]) / 2
    return GridProjection(fit, density)


def discrete_constraints(views: tuple[View, ...], labels: tuple[str, ...], source: str = "") -> ViewConstraints:
    """Views about named outcomes (matched as beliefs and results are: case- and space-insensitively, with the
    football short forms H/D/A)."""
    from analytics.core.distributions import matching_label

    index = {label: i for i, label in enumerate(labels)}
    rows, targets = [], []
    for view in views:
        if view.kind != "probability" or not view.outcomes:
            raise InputError(f"view {view.label!r} is about a price; this market has named outcomes "
                             f"({', '.join(labels[:6])}): state P(outcome)", source=source)
        row = np.zeros(len(labels))
        for outcome in view.outcomes:
            matched = matching_label(outcome, labels)
            at = None if matched is None else index[matched]
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
    """The multipliers (in standard units of each view; 0 for the views left out of the active set), the dual's
    value, the standardised residual of every view, the log of p (with the weights), each view's scale, and which
    views were in the active set."""

    lam: FloatArray
    value: float
    gradient: FloatArray
    log_p: FloatArray
    scale: FloatArray
    active: np.ndarray


ACTIVE_SLACK = 1e-10     # standard units: an inactive view violated by more joins the active set
DUAL_ITERATIONS = 5000   # L-BFGS-B's cap for views known to hold together
FIRST_TRY_ITERATIONS = 60    # before they are: feasible views of the tests and pages converge in under 25


def _solve_dual(w: FloatArray, q: FloatArray, rows: FloatArray, targets: FloatArray, relations: tuple[str, ...],
                active: np.ndarray | None = None, start: FloatArray | None = None,
                iterations: int = DUAL_ITERATIONS) -> _DualSolution:
    """The dual of the projection on a support where q > 0 (q normalised with w), views standardised under q,
    solved on an active set: the equalities and the views q violates first, then any view the solution violates,
    until none is (the others hold with multiplier 0). The cost follows the views that bind, not the views
    stated: 150 views the market already meets cost nothing."""
    mean = rows @ (w * q)
    scale = np.sqrt(np.maximum(((rows - mean[:, None]) ** 2) @ (w * q), 1e-300))
    standard = (rows - mean[:, None]) / scale[:, None]
    standard_targets = (targets - mean) / scale
    log_base = np.log(w * q)
    kinds = np.asarray(relations)
    lower, upper = kinds == ">=", kinds == "<="
    if active is None:
        active = (kinds == "=") | (lower & (standard_targets > ACTIVE_SLACK)) | \
            (upper & (standard_targets < -ACTIVE_SLACK))
    active = active.copy()
    lam = np.zeros(len(relations)) if start is None else start.copy()
    for _round in range(len(relations) + 1):
        chosen = np.flatnonzero(active)
        lam[~active] = 0.0
        if chosen.size:
            bounds = [(None, None) if kinds[k] == "=" else (0.0, None) if lower[k] else (None, 0.0) for k in chosen]
            found = minimize(_dual, lam[chosen], args=(standard[chosen], standard_targets[chosen], log_base),
                             jac=True, method="L-BFGS-B", bounds=bounds,
                             options={"maxiter": iterations, "ftol": 0.0, "gtol": 1e-13})
            lam[chosen] = _polish(np.asarray(found.x, dtype=float), standard[chosen], standard_targets[chosen],
                                  log_base, tuple(kinds[chosen]))
        value, gradient = _dual(lam, standard, standard_targets, log_base)
        joining = ~active & ((lower & (gradient < -ACTIVE_SLACK)) | (upper & (gradient > ACTIVE_SLACK)))
        if not joining.any():
            break
        active |= joining
    return _DualSolution(lam, value, gradient, log_base + lam @ standard, scale, active)


def _forced_zero(c: ViewConstraints) -> tuple[BoolArray, np.ndarray]:
    """Points a view rules out exactly, and which views do: P(A) = 0 (or <= 0) makes A impossible, P(A) = 1 (or >=
    1) everything outside A. The I-projection puts exactly 0 there (a finite multiplier could only make it tiny:
    P(Celtics) = 1 showed a reverse KL of 17.5 bits where the same belief from a file is infinite)."""
    zero = np.zeros(c.rows.shape[1], bool)
    forcing = np.zeros(len(c.labels), bool)
    for k, (g, target, relation) in enumerate(zip(c.rows, c.targets, c.relations, strict=True)):
        if not np.isin(g, (0.0, 1.0)).all():          # only an event's indicator can rule points out
            continue
        if relation in ("=", "<=") and target <= 0:
            zero |= g > 0
            forcing[k] = True
        elif relation in ("=", ">=") and target >= 1:
            zero |= g < 1
            forcing[k] = True
    return zero, forcing


def project(weights: FloatArray, market: FloatArray, c: ViewConstraints, source: str = "",
            with_added: bool = True) -> ViewFit:
    """The I-projection of the market (values `market` with quadrature `weights`) onto the views `c`; with
    `with_added`, also the KL each view adds to the others (its kl_added_nats; zeros without)."""
    weights, market = np.asarray(weights, dtype=float), np.asarray(market, dtype=float)
    zero, forcing = _forced_zero(c)
    possible = (market > 0) & (weights > 0)

    def check_feasible() -> None:
        _check_feasible(weights[possible], ViewConstraints(c.rows[:, possible], c.targets, c.relations, c.labels),
                        source)

    free = ~forcing
    if not free.any():
        check_feasible()            # nothing left to solve: only the linear program can tell
    support = possible & ~zero
    w, q = weights[support], market[support]
    q = q / float(w @ q)
    rows = c.rows[:, support]
    # the views that ruled points out hold on what is left by construction: the dual works on the others
    sub = ViewConstraints(rows[free], c.targets[free], tuple(np.asarray(c.relations)[free]),
                          tuple(np.asarray(c.labels)[free]))
    # a solution that meets every view proves them feasible; only views it cannot meet go to the linear program,
    # which names the contradiction (contradictory views leave the dual unbounded: its first try is kept short)
    solved = _solve_dual(w, q, sub.rows, sub.targets, sub.relations, iterations=FIRST_TRY_ITERATIONS) \
        if free.any() else None
    violated = _violated(sub, solved)
    if violated:
        check_feasible()
        assert solved is not None
        solved = _solve_dual(w, q, sub.rows, sub.targets, sub.relations, start=solved.lam)
        violated = _violated(sub, solved)
    lam_free = np.zeros(0) if solved is None else solved.lam
    if violated:
        raise InputError(f"the views could not be met to 1e-9 ({'; '.join(violated)}): they ask for a belief at the "
                         "edge of what the market allows", source=source)
    log_p = np.log(w * q) if solved is None else solved.log_p
    p_support = np.exp(log_p - log_p.max())
    p_support /= float(p_support.sum())
    probabilities = np.zeros(market.size)
    probabilities[support] = p_support / w
    full_q = market[(market > 0) & (weights > 0)]
    full_w = weights[(market > 0) & (weights > 0)]
    kept_mass = float(w @ market[support]) / float(full_w @ full_q)      # the market's mass left possible
    value = -math.log(kept_mass) + (0.0 if solved is None else -solved.value)
    kl = value if value > 0 else 0.0                # never -0.0: a view the market meets adds nothing
    multipliers = np.zeros(len(c.labels))
    multipliers[free] = 0.0 if solved is None else solved.lam / solved.scale
    multipliers[forcing] = np.where(np.asarray(c.targets)[forcing] >= 1, np.inf, -np.inf)
    binding = tuple(bool(forced or r == "=" or abs(lam) > 1e-10) for forced, r, lam in zip(
        forcing, c.relations, _spread(lam_free, free), strict=True))
    # the KL each view adds to the others: one projection without it, started from this one's multipliers and
    # active set (a view that does not bind adds nothing; a subset of feasible views is feasible); without a view
    # that ruled points out, the whole projection again
    added = np.zeros(len(c.labels))
    free_index = np.cumsum(free) - 1
    for k in np.flatnonzero(binding) if with_added else ():
        keep = np.arange(len(c.labels)) != k
        if not keep.any():
            without = 0.0
        elif forcing.any():
            without = project(weights, market, ViewConstraints(c.rows[keep], c.targets[keep],
                                                                tuple(np.asarray(c.relations)[keep]),
                                                                tuple(np.asarray(c.labels)[keep])), source,
                              with_added=False).kl_nats        # its KL alone: one projection per view, not K!
        else:
            assert solved is not None
            others = np.arange(len(sub.labels)) != free_index[k]
            without = max(-_solve_dual(w, q, sub.rows[others], sub.targets[others],
                                       tuple(np.asarray(sub.relations)[others]), active=solved.active[others],
                                       start=solved.lam[others]).value, 0.0)
        added[k] = max(kl - without, 0.0)
    return ViewFit(probabilities, multipliers, binding, kl, added, c.labels)


def _violated(views: ViewConstraints, solved: _DualSolution | None) -> list[str]:
    """The views a dual solution misses by more than 1e-9 (in standard units)."""
    gradient = np.zeros(0) if solved is None else solved.gradient
    return [label for label, g, r in zip(views.labels, gradient, views.relations, strict=True)
            if (r == "=" and abs(g) > 1e-9) or (r == ">=" and g < -1e-9) or (r == "<=" and g > 1e-9)]


def _spread(values: FloatArray, where: np.ndarray) -> FloatArray:
    """`values` placed at the True positions of `where`, zeros elsewhere."""
    out = np.zeros(where.size)
    out[where] = values
    return out


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
