"""Figure builders show the interesting region: axis ranges against closed forms, every outcome labelled."""

import numpy as np
import pytest
from scipy.stats import lognorm

from analytics.beliefs.price import ParametricBelief
from analytics.betting.market import DiscreteMarket
from analytics.core.distributions import DiscreteDistribution, GriddedDensity
from analytics.scoring.continuous import ContinuousMarket, score_continuous_belief
from analytics.scoring.discrete import score_discrete
from reporting.figures import contribution_bars, density_overlay, log_ratio_curve, market_vs_belief_bars


def lognormal_pair(belief_sigma: float):
    x = np.linspace(20, 400, 40001)
    market = ContinuousMarket("m", GriddedDensity(x, lognorm(s=0.2, scale=100).pdf(x)))
    belief = ParametricBelief("lognormal", (lognorm(s=belief_sigma, scale=110),), np.ones(1), "b")
    return score_continuous_belief(belief, market)


def test_density_chart_shows_the_central_99_5_percent_of_both_densities():
    fig = density_overlay(lognormal_pair(0.1))
    low, high = fig.layout.xaxis.range
    assert low == pytest.approx(min(lognorm(s=0.2, scale=100).ppf(0.0025), lognorm(s=0.1, scale=110).ppf(0.0025)),
                                rel=1e-3)
    assert high == pytest.approx(max(lognorm(s=0.2, scale=100).ppf(0.9975), lognorm(s=0.1, scale=110).ppf(0.9975)),
                                 rel=1e-3)


def test_payoff_chart_y_range_follows_the_belief_not_the_far_tails():
    score = lognormal_pair(0.03)
    finite = score.log_ratio[np.isfinite(score.log_ratio)]
    assert finite.min() / np.log(2) < -100          # the far tails, which used to set the scale
    low, high = log_ratio_curve(score).layout.yaxis.range
    assert -30 < low < 0 < high < 10


def test_price_charts_carry_the_shown_range_and_a_quarter_of_it_either_side():
    """Not the whole grid (which reaches far into the tails): the lines still run past both edges of the chart."""
    score = lognormal_pair(0.1)
    fig = density_overlay(score)
    low, high = fig.layout.xaxis.range
    pad = 0.25 * (high - low)
    step = float(np.diff(score.x).max())
    for trace in (*fig.data, *log_ratio_curve(score).data):
        x = np.asarray(trace.x, dtype=float)
        assert low - pad - step <= x.min() <= low - pad + step
        assert high + pad - step <= x.max() <= high + pad + step
        assert np.all(np.diff(x) > 0) and x.size < score.x.size / 2


def test_bar_charts_keep_every_outcome_label():
    labels = tuple(f"Runner {i}" for i in range(20))
    q = np.full(20, 1 / 20)
    p = np.linspace(1, 2, 20) / np.linspace(1, 2, 20).sum()
    score = score_discrete(DiscreteDistribution(labels, p), DiscreteMarket("race", DiscreteDistribution(labels, q))
                           .distribution)
    for fig in (market_vs_belief_bars(score), contribution_bars(score)):     # 20 runners: lying down, every name
        assert list(fig.layout.yaxis.ticktext) == list(labels) and fig.layout.yaxis.automargin
        assert all(bar.orientation == "h" for bar in fig.data)
        assert fig.layout.height >= 20 * 22                    # a line per runner
    three = ("Home", "Draw", "Away")
    short = score_discrete(DiscreteDistribution(three, np.array([0.5, 0.3, 0.2])),
                           DiscreteDistribution(three, np.array([0.4, 0.3, 0.3])))
    upright = market_vs_belief_bars(short)
    assert list(upright.layout.xaxis.ticktext) == list(three) and upright.data[0].orientation is None
    long_names = ("Fighting Thunder of the North", "Smart Shadow", "Quiet Dawn")
    named = score_discrete(DiscreteDistribution(long_names, np.array([0.5, 0.3, 0.2])),
                           DiscreteDistribution(long_names, np.array([0.4, 0.3, 0.3])))
    assert list(contribution_bars(named).layout.yaxis.ticktext) == list(long_names)      # never cut


def test_one_as_of_is_one_median_with_its_range_on_a_labelled_axis():
    import pandas as pd

    from reporting.figures import quantile_fan

    one = pd.DataFrame([{"asof": "2026-02-11 12:27:00", "q05": 600.0, "q25": 650.0, "q50": 690.0, "q75": 720.0,
                         "q95": 760.0}])
    fig = quantile_fan(one)
    assert fig.layout.xaxis.type == "category"                # the as-of as written, never '12:26:59.9995'
    [point] = fig.data
    assert list(point.y) == [690.0] and list(point.error_y.array) == [70.0] and list(point.error_y.arrayminus) == [90.0]
