"""Price-belief builders: the view has exactly the stated median and interval."""

import numpy as np
import pytest

from analytics.beliefs.reading import parse_beliefs


def test_view_builder_has_the_stated_median_and_interval():
    spec = parse_beliefs('{"kind":"view","median":105,"interval":[90,120],"coverage":0.8}', "v")[0].spec
    assert spec.cdf(np.array([105.0]))[0] == pytest.approx(0.5, abs=1e-12)
    assert spec.cdf(np.array([120.0]))[0] - spec.cdf(np.array([90.0]))[0] == pytest.approx(0.8, abs=1e-12)
    x = np.linspace(1, 400, 200001)
    assert np.trapezoid(spec.pdf(x), x) == pytest.approx(1.0, abs=1e-6)
