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
    e = sparse.csr_matrix(program.evaluation)
    k, n = e.shape
    mass = np.asarray(program.mass, dtype=float)
    gamma = program.gamma
    t = sparse.identity(k, format="csr")
    zeros_k, zeros_t = sparse.csr_matrix((k, n)), sparse.csr_matrix((k, k))
    # each cone's three rows, interleaved: row 3j + r of the cone block is component r of cone j
    if gamma == 1:
        rows = [sparse.hstack([zeros_k, -t]), sparse.csr_matrix((k, n + k)), sparse.hstack([-e, zeros_t])]
        offsets = [np.zeros(k), np.ones(k), np.zeros(k)]
        cones = [clarabel.ExponentialConeT() for _ in range(k)]
        weight = -mass                     # minimise -sum mass t
    elif gamma < 1:
        rows = [sparse.hstack([-e, zeros_t]), sparse.csr_matrix((k, n + k)), sparse.hstack([zeros_k, -t])]
        offsets = [np.zeros(k), np.ones(k), np.zeros(k)]
        cones = [clarabel.PowerConeT(1 - gamma) for _ in range(k)]
        weight = -mass / (1 - gamma)
    else:
        rows = [sparse.hstack([zeros_k, -t]), sparse.hstack([-e, zeros_t]), sparse.csr_matrix((k, n + k))]
        offsets = [np.zeros(k), np.zeros(k), np.ones(k)]
        cones = [clarabel.PowerConeT(1 / gamma) for _ in range(k)]
        weight = mass / (gamma - 1)        # minimise sum mass t / (gamma - 1), t >= w^(1-gamma)
    order = np.arange(3 * k).reshape(3, k).T.ravel()              # component-major to cone-major
    cone_rows = sparse.vstack(rows).tocsr()[order]
    cone_offsets = np.concatenate(offsets)[order]
    pad = sparse.csr_matrix((program.equalities.shape[0], k))
    pad_g = sparse.csr_matrix((program.inequalities.shape[0], k))
    a = sparse.vstack([sparse.hstack([program.equalities, pad]), sparse.hstack([program.inequalities, pad_g]),
                       cone_rows]).tocsc()
    b = np.concatenate([program.equal_to, program.at_most, cone_offsets])
    p = sparse.diags(np.r_[program.quadratic, np.zeros(k)], format="csc")
    q = np.r_[program.cost, weight]
    all_cones = [clarabel.ZeroConeT(program.equalities.shape[0]),
                 clarabel.NonnegativeConeT(program.inequalities.shape[0]), *cones]
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

