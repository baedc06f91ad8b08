"""Hypothesis strategies shared by the property tests."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays


@st.composite
def distribution_pair(draw: st.DrawFn, min_size: int = 2, max_size: int = 12,
                      full_support: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A belief p and a market q on the same 2 to 12 outcomes; q always has full support, p only if asked."""
    n = draw(st.integers(min_size, max_size))
    low = 1e-3 if full_support else 0.0
    elements = st.floats(low, 1.0, allow_nan=False, allow_infinity=False)
    p = draw(arrays(np.float64, n, elements=elements))
    q = draw(arrays(np.float64, n, elements=st.floats(1e-3, 1.0)))
    if p.sum() == 0:
        p[0] = 1.0
    return p / p.sum(), q / q.sum()
