"""Views turned into the belief closest to the market (analytics.views): closed forms, the dual's optimality, the
minimum-information property, and one clear message for every view that cannot hold."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

from analytics.beliefs.on_grid import on_market_grid
from analytics.beliefs.price import BucketBelief
from analytics.beliefs.reading import parse_beliefs
from analytics.core.distributions import GriddedDensity, trapezoid_weights
from analytics.core.errors import InputError
from analytics.views import View, ViewsBelief, discrete_constraints, grid_constraints, project

X = np.linspace(-12.0, 12.0, 12001)
W = trapezoid_weights(X)
Q = norm.pdf(X)


def test_a_mean_view_on_a_normal_market_gives_the_shifted_normal():
    fit = project(W, Q, grid_constraints((View("mean", 0.5),), X))
    assert fit.kl_nats == pytest.approx(0.125, abs=1e-10)
    assert fit.probabilities == pytest.approx(norm.pdf(X, 0.5, 1.0), abs=1e-10)
    assert fit.multipliers[0] == pytest.approx(0.5, abs=1e-9)         # p/q = exp(0.5 x - 1/8)


def test_a_tail_view_rescales_the_market_on_each_side():
    h = 0.002                                                          # 1.0 sits on a cell edge: no split cell
    x = 1.0 + h * (np.arange(-6500, 5500) + 0.5)
    w, q = trapezoid_weights(x), norm.pdf(x)
    fit = project(w, q, grid_constraints((View("probability", 0.3, low=1.0),), x))
    tail = norm.sf(1.0)
    assert fit.kl_nats == pytest.approx(0.3 * math.log(0.3 / tail) + 0.7 * math.log(0.7 / (1 - tail)), abs=1e-6)
    ratio = fit.probabilities / (q / (w @ q))
    assert np.ptp(ratio[x > 1]) < 1e-9 and np.ptp(ratio[x < 1]) < 1e-9   # flat on each side


def test_a_view_on_one_outcome_rescales_the_others():
    fit = project(np.ones(3), np.array([0.5, 0.3, 0.2]),
                  discrete_constraints((View("probability", 0.6, outcomes=("first",)),), ("first", "second", "third")))
    assert fit.probabilities == pytest.approx([0.6, 0.24, 0.16], abs=1e-12)
    assert fit.kl_nats == pytest.approx(0.6 * math.log(0.6 / 0.5) + 0.4 * math.log(0.4 / 0.5), abs=1e-12)


@pytest.mark.parametrize("view", [View("probability", 0.4, ">=", outcomes=("A",)),
                                  View("probability", 0.5, outcomes=("A",))])
def test_a_view_the_market_already_meets_changes_nothing(view):
    q = np.array([0.5, 0.3, 0.2])
    fit = project(np.ones(3), q, discrete_constraints((view,), ("A", "B", "C")))
    assert fit.probabilities == pytest.approx(q, abs=1e-12)
    assert fit.kl_nats == 0.0 and abs(fit.multipliers[0]) < 1e-9
    assert fit.binding == ((view.relation == "="),)


def test_multipliers_are_the_views_marginal_edge():
    """Views hold to 1e-10, and moving a binding view by d moves the KL by lambda d to first order."""
    views = (View("mean", 0.3), View("probability", 0.25, low=1.0), View("quantile", 0.2, "<=", level=0.5),
             View("probability", 0.9, ">=", low=-5.0))
    fit = project(W, Q, grid_constraints(views, X))
    p = fit.probabilities
    assert W @ p == pytest.approx(1.0, abs=1e-12)
    assert W @ (p * X) == pytest.approx(0.3, abs=1e-10)
    assert W @ (p * grid_constraints((views[1],), X).rows[0]) == pytest.approx(0.25, abs=1e-10)
    assert fit.binding[3] is False and fit.multipliers[3] == 0.0        # P(> -5) is far above 0.9 already
    d = 1e-5
    for k in (0, 1):
        moved = [list(views), list(views)]
        for sign, row in zip((1, -1), moved, strict=True):
            v = views[k]
            row[k] = View(v.kind, v.value + sign * d, v.relation, v.outcomes, v.low, v.high, v.level)
        up, down = (project(W, Q, grid_constraints(tuple(r), X)).kl_nats for r in moved)
        assert (up - down) / (2 * d) == pytest.approx(fit.multipliers[k], rel=1e-5, abs=1e-7)


@given(st.lists(st.floats(0.05, 1.0), min_size=4, max_size=4), st.lists(st.floats(0.05, 1.0), min_size=4, max_size=4))
def test_the_projection_has_the_least_kl_of_any_belief_meeting_the_views(raw_p, raw_q):
    p, q = np.array(raw_p) / sum(raw_p), np.array(raw_q) / sum(raw_q)
    labels = ("A", "B", "C", "D")
    views = (View("probability", float(p[0]), outcomes=("A",)), View("probability", float(p[1] + p[2]), ">=",
                                                                    outcomes=("B", "C")))
    fit = project(np.ones(4), q, discrete_constraints(views, labels))
    assert fit.kl_nats <= float(np.sum(p * np.log(p / q))) + 1e-10


def test_bucket_views_reproduce_the_market_completion():
    """Buckets under the market completion are the I-projection onto their probabilities (= views). The bucket
    edges sit on cell edges of this grid, so no grid point is split between two buckets."""
    x = -1.0 + 0.002 * (np.arange(-5500, 6500) + 0.5)
    market = GriddedDensity(x, norm.pdf(x))
    buckets = BucketBelief(np.array([-np.inf, -1.0, 0.5]), np.array([-1.0, 0.5, np.inf]), np.array([0.1, 0.5, 0.4]))
    completed = on_market_grid(buckets, market)
    views = ViewsBelief((View("probability", 0.1, high=-1.0), View("probability", 0.5, low=-1.0, high=0.5)))
    projected = on_market_grid(views, market)
    assert projected.views is not None and completed.exact_kl_nats is not None
    assert projected.views.kl_nats == pytest.approx(completed.exact_kl_nats, abs=1e-7)   # two quadratures
    assert projected.log_density == pytest.approx(completed.log_density, abs=1e-5)


@pytest.mark.parametrize(("text", "message"), [
    ('{"kind":"views","views":[{"above":1,"probability":1.3}]}', "between 0 and 1"),
    ('{"kind":"views","views":[{"quantile":0.5,"value":40}]}', "outside the market's grid"),
    ('{"kind":"views","views":[{"above":1,"probability":0.3},{"above":2,"probability":0.5}]}', "P(>2) = 0.5"),
    ('{"kind":"views","views":[{"mean":30}]}', "cannot hold"),
    ('{"kind":"views","views":[{"outcome":"Home","probability":0.3}]}', "names outcomes"),
    ('{"kind":"views","views":[{"mean":0.1,"relation":"~"}]}', "relation"),
    ('{"kind":"views","views":[]}', "non-empty"),
])
def test_views_that_cannot_hold_say_which(text, message):
    with pytest.raises(InputError) as caught:
        [belief] = parse_beliefs(text, "views.json")
        on_market_grid(belief.spec, GriddedDensity(X, Q), source="views.json")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_views_in_csv():
    [belief] = parse_beliefs("view,value,relation\nmean,0.5,=\nP(>1),30%,>=\nq0.5,0.4,<=\nP(-1..1),0.5,\n", "v.csv")
    assert isinstance(belief.spec, ViewsBelief)
    assert [v.label for v in belief.spec.views] == ["mean = 0.5", "P(>1) >= 0.3", "q0.5 <= 0.4", "P(-1..1) = 0.5"]
    [outcomes] = parse_beliefs("view,value\nP(Home|Draw),0.7\n", "v.csv")
    assert isinstance(outcomes.spec, ViewsBelief) and outcomes.spec.views[0].outcomes == ("Home", "Draw")
