"""KL on 10^6-point grids and on 10^5 discrete pairs at once."""

import numpy as np
from scipy.stats import norm

from analytics.core.divergence import kl_divergence, kl_divergence_grid, kl_divergence_grid_log
from bench.timing import median_seconds, show


def run() -> None:
    print("divergences")
    x = np.linspace(-30, 30, 1_000_000)
    p, q = norm.pdf(x, 0, 1), norm.pdf(x, 0.5, 1.5)
    lp, lq = norm.logpdf(x, 0, 1), norm.logpdf(x, 0.5, 1.5)
    show("KL on a 10^6-point grid (densities)", median_seconds(lambda: kl_divergence_grid(x, p, q)))
    show("KL on a 10^6-point grid (log-densities)", median_seconds(lambda: kl_divergence_grid_log(x, lp, lq)))
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(3), size=100_000)
    Q = rng.dirichlet(np.ones(3), size=100_000)
    t = median_seconds(lambda: kl_divergence(P, Q))
    show("KL of 10^5 three-outcome pairs, vectorised", t, f"({t / 1e5 * 1e9:.0f} ns per pair)")
    t_loop = median_seconds(lambda: [kl_divergence(a, b) for a, b in zip(P[:2000], Q[:2000], strict=True)], repeat=3)
    show("  same, Python loop over pairs (2000 pairs, for scale)", t_loop,
         f"(x{t_loop / 2000 * 1e5 / t:.0f} slower per pair)")
