"""Fitting the tailed log-spline density to one expiry's out-of-the-money prices: Gauss-Newton with the mean
held at the forward by an exponential tilt and the smoothing penalty chosen by a BIC at every linearisation
(docs/methods.md, "Option density"). Residuals in units of each quote's half spread."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse

from analytics.core.errors import InputError
from analytics.core.types import BoolArray, FloatArray
from analytics.options.logspline import TailedLogSpline, clamped_knots, third_derivative_gram
from analytics.options.quadrature import grid_moments, payoff_weights


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


@dataclass(frozen=True, eq=False)
class PriceFitProblem:
    """One expiry's out-of-the-money quotes, ready to fit: log-moneyness k = log(K/F) of each quote, its strike,
    undiscounted mid price and half spread (`tolerance`, the unit of its residual), the ATM total vol that scales
    the knot spacing, the fit's grid in k, the first guess of log q on that grid, and the implied total variances
    at the low and high ends that shape the Gaussian tails."""

    k: FloatArray
    strikes: FloatArray
    forward: float
    undiscounted: FloatArray
    is_call: BoolArray
    tolerance: FloatArray
    atm_total_vol: float
    grid_k: FloatArray
    start_log_density: FloatArray
    tail_variance: tuple[float, float]


class _TiltedPrices:
    """The fit's fixed matrices, and the two maps every step needs: coefficients to a feasible density (tilted
    so that E[S] = F) with its prices, and the Jacobian of the prices and of the mean constraint."""

    def __init__(self, problem: PriceFitProblem) -> None:
        s = problem.atm_total_vol
        self.spacing = s
        knots = clamped_knots(float(problem.k.min()), float(problem.k.max()), s / 3, 4)
        self.shape = TailedLogSpline(knots, problem.tail_variance)
        self.grid_k = problem.grid_k
        self.basis, self.offset = self.shape.design(problem.grid_k)
        self.basis_t = self.basis.T.tocsr()
        self.greville = (knots[1:-3] + knots[2:-2] + knots[3:-1]) / 3
        self.weights = payoff_weights(problem.grid_k, problem.forward, problem.strikes, problem.is_call) \
            / problem.tolerance[:, None]
        self.weights_t = np.ascontiguousarray(self.weights.T)
        self.target = problem.undiscounted / problem.tolerance
        self.mass_w, mean_w = grid_moments(problem.grid_k, problem.forward)
        self.mean_w = mean_w / problem.forward
        self.penalty_gram = third_derivative_gram(knots, s / 3)

    def feasible(self, theta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray] | None:
        """theta tilted so that E[S] = F, its normalised density on the grid, and its prices; None if the
        tilt cannot be found (a wild trial step)."""
        f = self.basis @ theta + self.offset
        grid_k, mass_w, mean_w = self.grid_k, self.mass_w, self.mean_w
        alpha, below, above = 0.0, -math.inf, math.inf      # E[S] rises with alpha: bisect if Newton leaves
        for _ in range(40):
            g = f + alpha * grid_k
            base = np.exp(g - g.max())
            su, sv = mass_w @ base, mean_w @ base
            gap = math.log(sv / su)
            if abs(gap) < 1e-12:            # E[S] = F to 1e-12, far inside every check downstream
                q = base / su
                return theta + alpha * self.greville, q, self.weights @ q
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
                alpha += math.copysign(1.0 / self.spacing, -gap)
        return None

    def linearise(self, theta: FloatArray, q: FloatArray, price: FloatArray) -> _Linearised:
        """The Gauss-Newton problem at theta (density q on the grid, prices `price`)."""
        e_bar = self.basis_t @ (self.mass_w * q)                 # derivative of the normalisation
        jac = (self.basis_t @ (self.weights_t * q[:, None])).T - price[:, None] * e_bar[None, :]
        grad_c = self.basis_t @ (self.mean_w * q) - (self.mean_w @ q) * e_bar
        return _linearise(price - self.target, jac, grad_c, theta, self.penalty_gram)

    def objective(self, theta: FloatArray, price: FloatArray, lam: float) -> float:
        residual = price - self.target
        return float(residual @ residual + lam * theta @ self.penalty_gram @ theta)


class _PenaltySchedule:
    """The BIC's choice of penalty along the Gauss-Newton path: re-chosen at every linearisation until it settles
    (chosen twice running, or flat between two, or after UNSETTLED_SCANS the most frequent choice), then frozen,
    and confirmed by one more scan at convergence (unfrozen if the BIC has moved to a penalty not tried before)."""

    def __init__(self) -> None:
        self.chosen: list[float] = []         # the BIC's penalty at each linearisation (NaN: a trust-region step)
        self.frozen: float | None = None
        self.settled_before: set[float] = set()

    def step(self, lin: _Linearised, basis: sparse.csr_matrix, mass_q: FloatArray, damping: float,
             iterations: int) -> _PenaltyChoice:
        if self.frozen is not None:
            choice = _step_at(lin, self.frozen, damping)
        else:
            choice = _scan_penalties(lin, basis, mass_q)
            if choice.trusted and self.chosen:
                choice = self._settle(choice, lin, iterations)
        self.chosen.append(choice.lam if choice.trusted else math.nan)
        return choice

    def _settle(self, choice: _PenaltyChoice, lin: _Linearised, iterations: int) -> _PenaltyChoice:
        chosen = self.chosen
        if choice.lam == chosen[-1]:
            self.frozen = choice.lam
        elif len(chosen) >= 2 and choice.lam == chosen[-2]:
            self.frozen = max(choice.lam, chosen[-1])        # the BIC is flat between two: keep the smoother
            choice = _step_at(lin, self.frozen)
        elif iterations > UNSETTLED_SCANS:                   # still wandering: take the most frequent choice
            values, counts = np.unique([c for c in chosen if math.isfinite(c)], return_counts=True)
            self.frozen = float(values[np.argmax(counts)]) if values.size else choice.lam
            choice = _step_at(lin, self.frozen)
        return choice

    def confirmed(self, lin: _Linearised, basis: sparse.csr_matrix, mass_q: FloatArray) -> bool:
        """At convergence for a frozen penalty, does the BIC still choose it? If not, unfreeze."""
        check = _scan_penalties(lin, basis, mass_q).lam
        if self.frozen is None or check == self.frozen or check in self.settled_before:
            return True
        self.settled_before.add(self.frozen)
        self.frozen = None
        self.chosen.append(check)
        return False


def fit_log_spline(problem: PriceFitProblem) -> LogSplineFit:
    """Fit the log-density spline to undiscounted prices (residuals in units of each quote's half spread)
    with E[S] = F held exactly, choosing the penalty by a BIC at every Gauss-Newton linearisation.

    The mean is held by an exponential tilt: B-splines reproduce the line k exactly (coefficients at the
    Greville abscissae), so after each step a one-dimensional Newton solve for alpha in
    log q + alpha k restores E[S] = F, and the objective, RSS + lam theta' P theta, is always that of a
    feasible density; a step that does not lower it is halved, and once halving becomes the rule the steps
    are damped (Levenberg-Marquardt). The penalty is frozen once the BIC picks it twice running and is
    confirmed by one more scan at convergence."""
    tilted = _TiltedPrices(problem)
    basis, mass_w = tilted.basis, tilted.mass_w
    start = np.linalg.lstsq(basis.toarray(), problem.start_log_density - tilted.offset, rcond=None)[0]
    first = tilted.feasible(start)
    if first is None:
        raise InputError("the option density fit could not start: the smile's density has no forward-matching tilt")
    theta, q, price = first
    schedule = _PenaltySchedule()
    iterations = 0
    damping = 0.0
    while iterations < MAX_ITERATIONS:
        iterations += 1
        lin = tilted.linearise(theta, q, price)
        choice = schedule.step(lin, basis, mass_w * q, damping, iterations)
        lam = choice.lam
        current = tilted.objective(theta, price, lam)
        moved = theta + choice.step
        predicted = choice.rss + lam * float(moved @ tilted.penalty_gram @ moved)
        if schedule.frozen is not None and current - predicted <= TOLERANCE * (1 + current):
            if schedule.confirmed(lin, basis, mass_w * q):
                break
            continue
        step = choice.step
        trial_value = math.inf
        for halving in range(20):
            trial_state = tilted.feasible(theta + step)
            step = step / 2
            if trial_state is None:
                continue
            trial, q_t, price_t = trial_state
            trial_value = tilted.objective(trial, price_t, lam)
            if trial_value <= current:
                theta, q, price = trial, q_t, price_t
                # halved steps mean the linear model is poor this far out: damp the next (Levenberg-Marquardt)
                damping = min(damping * 4 + 1e-3, 1e6) if halving >= 2 else damping / 4
                break
        if schedule.frozen is not None and current - trial_value <= TOLERANCE * (1 + current):
            # the step delivered next to nothing (or failed): converged, if the BIC agrees at the new point
            if schedule.confirmed(tilted.linearise(theta, q, price), basis, mass_w * q):
                break
    residual = price - tilted.target
    return LogSplineFit(tilted.shape, theta, lam, _effective_parameters(lin, lam),
                        math.sqrt(float(residual @ residual) / residual.size), iterations,
                        price * problem.tolerance)
