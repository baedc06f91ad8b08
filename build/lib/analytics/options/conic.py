"""Expected-utility maximisation handed to Clarabel (an interior-point conic solver) directly, in its own standard
form: building the cones by hand takes a millisecond where a modelling layer spends tens of milliseconds compiling
the same problem on every call (docs/methods.md, "The order ticket").

The problem, over a variable vector z:
    maximise  sum_k mass_k u(w_k) - c.z - 1/2 z'Pz,   w = E z,
    subject to A z = b,  G z <= h,
with u the CRRA utility: log w for gamma = 1, w^(1-gamma)/(1-gamma) otherwise. Epigraph variables t_k carry u:
(t_k, 1, w_k) in the exponential cone for the log; (w_k, 1, t_k) in the power cone of exponent 1-gamma for
gamma < 1 (t_k <= w_k^(1-gamma)); (t_k, w_k, 1) in the power cone of exponent 1/gamma for gamma > 1
(t_k >= w_k^(1-gamma), minimised).
"""

from __future__ import annotations

from dataclasses import dataclass

import clarabel
import numpy as np
from scipy import sparse

from analytics.core.types import FloatArray


class ConicFailure(ArithmeticError):
    """Clarabel did not reach an optimum under any of its settings tried."""


# Clarabel's defaults first; where they stall on a degenerate optimum, shorter steps, then finer refinement
ATTEMPTS: tuple[dict[str, float], ...] = (
    {}, {"max_step_fraction": 0.9, "max_iter": 400},
    {"iterative_refinement_reltol": 1e-14, "iterative_refinement_abstol": 1e-14, "max_iter": 400})


@dataclass(frozen=True, eq=False)
class UtilityProgram:
    """The data of the problem of the module docstring (sparse matrices; P diagonal, given by its diagonal)."""

    evaluation: sparse.csr_matrix      # E: k x N
    mass: FloatArray                   # k, non-negative
    gamma: float
    cost: FloatArray                   # c: N
    quadratic: FloatArray              # diagonal of P: N, non-negative
    equalities: sparse.csr_matrix      # A
    equal_to: FloatArray               # b
    inequalities: sparse.csr_matrix    # G
    at_most: FloatArray                # h


def maximise(program: UtilityProgram) -> FloatArray:
    """The maximiser z (see the module docstring); ConicFailure when Clarabel reaches none."""
    e = sparse.coo_matrix(program.evaluation)
    k, n = e.shape
    mass = np.asarray(program.mass, dtype=float)
    gamma = program.gamma
    # cone j takes rows 3j, 3j+1, 3j+2 of the cone block; where its epigraph variable t_j (column n + j), its
    # wealth w_j = E_j z and its constant 1 go depends on the cone (module docstring)
    t_row, w_row, one_row = (0, 2, 1) if gamma == 1 else (2, 0, 1) if gamma < 1 else (0, 1, 2)
    if gamma == 1:
        cones = [clarabel.ExponentialConeT() for _ in range(k)]
        weight = -mass                     # minimise -sum mass t
    elif gamma < 1:
        cones = [clarabel.PowerConeT(1 - gamma) for _ in range(k)]
        weight = -mass / (1 - gamma)
    else:
        cones = [clarabel.PowerConeT(1 / gamma) for _ in range(k)]
        weight = mass / (gamma - 1)        # minimise sum mass t / (gamma - 1), t >= w^(1-gamma)
    eq, ineq = sparse.coo_matrix(program.equalities), sparse.coo_matrix(program.inequalities)
    first_cone = eq.shape[0] + ineq.shape[0]
    j = np.arange(k)
    rows = np.concatenate([eq.row, eq.shape[0] + ineq.row, first_cone + 3 * j + t_row, first_cone + 3 * e.row + w_row])
    cols = np.concatenate([eq.col, ineq.col, n + j, e.col])
    values = np.concatenate([eq.data, ineq.data, -np.ones(k), -e.data])
    a = sparse.csc_matrix((values, (rows, cols)), shape=(first_cone + 3 * k, n + k))
    cone_offsets = np.zeros(3 * k)
    cone_offsets[3 * j + one_row] = 1.0
    b = np.concatenate([program.equal_to, program.at_most, cone_offsets])
    p = sparse.diags(np.r_[program.quadratic, np.zeros(k)], format="csc")
    q = np.r_[program.cost, weight]
    all_cones = [clarabel.ZeroConeT(eq.shape[0]), clarabel.NonnegativeConeT(ineq.shape[0]), *cones]
    failure = ""
    for attempt in ATTEMPTS:
        settings = clarabel.DefaultSettings()
        settings.verbose = False
        for name, value in attempt.items():
            setattr(settings, name, value)
        solution = clarabel.DefaultSolver(p, q, a, b, all_cones, settings).solve()
        status = str(solution.status)
        if status in ("Solved", "AlmostSolved"):
            z = np.asarray(solution.x, dtype=float)[:n]
            if np.all(np.isfinite(z)):
                return z
        failure = f"the portfolio optimiser ended with status {status}"
    raise ConicFailure(failure or "the portfolio optimiser failed")

