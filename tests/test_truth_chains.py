"""The known-truth chains the option tests use: their prices agree with their densities, and the Lewis
formula reproduces Black-Scholes."""

import numpy as np
import pytest

from tests.truth_chains import black_call, lewis_call, truth


def test_truth_chain_prices_agree_with_their_density():
    """The reference itself: Lewis's Fourier prices of the Heston index chain equal the integral of the
    payoff against the Fourier-inverted density (so the KL measures the estimator, not the reference)."""
    model = truth("index")
    x = np.linspace(model.forward * 0.3, model.forward * 1.6, 20001)
    pdf = model.pdf(x)
    strikes = model.strikes[::20]
    from_density = model.discount * np.trapezoid(np.maximum(x[None, :] - strikes[:, None], 0) * pdf, x, axis=1)
    assert np.max(np.abs(from_density - model.call[::20])) < 0.01      # a fifth of the index tick
    assert np.trapezoid(pdf, x) == pytest.approx(1.0, abs=1e-6)


def test_lewis_formula_reproduces_black_scholes():
    v, forward = 0.1, 100.0
    strikes = np.array([60.0, 100.0, 140.0])
    lewis = lewis_call(lambda u: np.exp(-0.5 * v * v * (u * u + 1j * u)), forward, strikes, v)
    assert np.max(np.abs(lewis - black_call(forward, strikes, v))) < 1e-10
