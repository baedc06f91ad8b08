"""Shared inputs of the options tests: every expiry of every bundled chain, and the standard test views."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.core.distributions import trapezoid_weights
from analytics.options.edge import ListedQuotes


@pytest.fixture(scope="session")
def bundled_expiries():
    """Every expiry of every bundled chain: (name, x, market density q, quotes, D, F)."""
    from data.chains import asof_new_york, bundled_chains, densities_from_file

    out = []
    for info in bundled_chains():
        for cd in densities_from_file(str(info.file), asof=asof_new_york(info.asof_utc), spot=info.spot, rate=None):
            assert cd.quotes is not None
            out.append((f"{info.ticker} {cd.expiry}", cd.density.x, cd.density.pdf, ListedQuotes.from_expiry(cd.quotes),
                        cd.discount, cd.forward))
    return out


def shifted(x: np.ndarray, q: np.ndarray, factor: float) -> np.ndarray:
    """The market density of S moved to the density of factor * S, renormalised on the grid (the standard test
    views: factor 1.02 and 0.98, a 2 % view either way)."""
    moved = np.interp(x / factor, x, q, left=0.0, right=0.0) / factor
    return moved / (trapezoid_weights(x) @ moved)
