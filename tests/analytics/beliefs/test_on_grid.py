"""Beliefs mapped onto a market's grid: every form against closed forms, the market completion as the
binned KL, partial buckets, shifted markets, blends and mass outside the grid."""

import json
import math

import numpy as np
import pytest
from scipy.stats import lognorm, norm

from analytics.beliefs.reading import parse_beliefs
from analytics.core.closed_forms import kl_normal
from analytics.core.distributions import GriddedDensity
from analytics.scoring.continuous import ContinuousMarket, score_continuous_belief

# theory_spec 5.8
M2, S2 = 4.607670185988092, 0.1          # market log-price


M1, S1 = 4.617357685988091, 0.125        # belief log-price


KL_58 = 0.062798831498289


# theory_spec 5.7 / 5.10
KL_57 = 0.183242885885942


P_510 = (0.022750131948179, 0.135905121983278, 0.341344746068543, 0.341344746068543, 0.135905121983278,
         0.022750131948179)


KL_510 = 0.162957679702160


def csv_of(header, rows):
    return header + "\n" + "\n".join(",".join("" if v is None else repr(float(v)) for v in row) for row in rows) + "\n"


@pytest.fixture(scope="module")
def lognormal_market():
    """The 5.8 market as a density file (x,density) read through the belief reader, as a user gives it."""
    x = np.linspace(20.0, 450.0, 8001)
    text = csv_of("x,density", zip(x, lognorm(s=S2, scale=math.exp(M2)).pdf(x), strict=True))
    spec = parse_beliefs(text, "market.csv")[0].spec
    return ContinuousMarket("market", GriddedDensity(spec.x, spec.density))


@pytest.fixture(scope="module")
def normal_market():
    x = np.linspace(-12.0, 13.0, 20001)
    return ContinuousMarket("market", GriddedDensity(x, norm(0.5, 1.5).pdf(x)))


def score(text, market, completion="market"):
    belief = parse_beliefs(text, "belief")[0]
    return score_continuous_belief(belief.spec, market, completion=completion, source="belief")


def test_lognormal_belief_parametric_form(lognormal_market):
    result = score(json.dumps({"kind": "lognormal", "median": math.exp(M1), "sigma": S1}), lognormal_market)
    assert result.kl_nats == pytest.approx(KL_58, abs=1e-6)
    assert result.reverse_kl_nats == pytest.approx(0.046146676314209, abs=1e-6)


def test_lognormal_belief_grid_form(lognormal_market):
    x = np.linspace(15.0, 500.0, 12001)
    text = csv_of("x,density", zip(x, lognorm(s=S1, scale=math.exp(M1)).pdf(x), strict=True))
    assert score(text, lognormal_market).kl_nats == pytest.approx(KL_58, abs=1e-6)


def test_lognormal_belief_from_99_quantiles_smooth_completion(lognormal_market):
    levels = np.arange(1, 100) / 100
    text = csv_of("quantile,value", zip(levels, np.exp(M1 + S1 * norm.ppf(levels)), strict=True))
    assert score(text, lognormal_market, "smooth").kl_nats == pytest.approx(KL_58, abs=1e-3)


def test_normal_belief_theory_5_7(normal_market):
    assert score('{"kind":"normal","mean":0,"sd":1}', normal_market).kl_nats == pytest.approx(KL_57, abs=1e-6)
    t = score('{"kind":"student_t","loc":0,"scale":1,"df":1e9}', normal_market)
    assert t.kl_nats == pytest.approx(KL_57, abs=1e-6)


def test_mixture_of_one_equals_its_component(normal_market):
    mix = score('{"kind":"mixture","components":[{"kind":"normal","mean":0,"sd":1,"weight":3},'
                '{"kind":"normal","mean":0,"sd":1,"weight":1}]}', normal_market)
    assert mix.kl_nats == pytest.approx(KL_57, abs=1e-6)


def test_buckets_market_completion_is_the_binned_kl_5_10(normal_market):
    rows = [(None, -2, P_510[0]), (-2, -1, P_510[1]), (-1, 0, P_510[2]), (0, 1, P_510[3]), (1, 2, P_510[4]),
            (2, None, P_510[5])]
    text = csv_of("low,high,probability", rows)
    default = score(text, normal_market)
    assert default.kl_nats == pytest.approx(KL_510, abs=1e-6)
    assert default.grid_kl_nats == pytest.approx(KL_510, abs=1e-3)     # the grid agrees up to the edge cells
    # any other belief with the same bucket masses has at least this KL: N(0,1) itself, and flat buckets
    assert score('{"kind":"normal","mean":0,"sd":1}', normal_market).kl_nats >= default.kl_nats
    assert score(text, normal_market, "smooth").kl_nats >= default.kl_nats
    as_json = json.dumps({"kind": "buckets", "edges": [None, -2, -1, 0, 1, 2, None], "probabilities": list(P_510)})
    assert score(as_json, normal_market).kl_nats == pytest.approx(KL_510, abs=1e-6)


@pytest.mark.parametrize("k, expected", [(1, 0.044616854420833), (2, 0.134438798223993), (3, 0.169371293571418),
                                         (4, 0.179571169698039)])
def test_nested_refinement_5_10(normal_market, k, expected):
    edges = np.concatenate(([-np.inf], np.linspace(-4, 4, 2**k + 1), [np.inf]))
    masses = np.diff(norm.cdf(edges))
    text = json.dumps({"kind": "buckets", "edges": [None, *edges[1:-1].tolist(), None],
                       "probabilities": masses.tolist()})
    assert score(text, normal_market).kl_nats == pytest.approx(expected, abs=1e-6)


def test_partial_bucket_is_a_valid_belief(normal_market):
    """'10 % between 0 and 0.2' alone: the rest of the line holds 90 % in the market's shape."""
    result = score("low,high,probability\n0,0.2,10%\n", normal_market)
    q = norm(0.5, 1.5)
    inside = q.cdf(0.2) - q.cdf(0.0)
    expected = 0.1 * math.log(0.1 / inside) + 0.9 * math.log(0.9 / (1 - inside))
    assert result.kl_nats == pytest.approx(expected, abs=1e-6)
    assert any("rest holds 0.9" in w for w in result.warnings)


def test_shifted_market_against_closed_form(lognormal_market):
    """The lognormal market moved 5 % up and 20 % wider in log-price is lognormal(M2 + log 1.05, 1.2 S2)."""
    result = score('{"kind":"shifted_market","shift":0.05,"scale":1.2}', lognormal_market)
    assert result.kl_nats == pytest.approx(kl_normal(M2 + math.log(1.05), 1.2 * S2, M2, S2), abs=1e-5)
    unchanged = score('{"kind":"shifted_market","shift":0,"scale":1}', lognormal_market)
    assert unchanged.kl_nats == pytest.approx(0, abs=1e-9)


def test_blend_with_the_market(lognormal_market):
    view = {"kind": "lognormal", "median": math.exp(M1), "sigma": S1}
    assert score(json.dumps({"kind": "blend", "market_weight": 1, "view": view}), lognormal_market).kl_nats == \
        pytest.approx(0, abs=1e-9)
    half = score(json.dumps({"kind": "blend", "market_weight": 0.5, "view": view}), lognormal_market).kl_nats
    assert 0 < half < KL_58 / 2 + 1e-9       # KL is convex in p: at most half the full view's KL


def test_mass_outside_the_market_grid_is_reported(normal_market):
    result = score('{"kind":"normal","mean":12,"sd":1}', normal_market)
    assert result.mass_outside_grid == pytest.approx(norm.sf(1.0), rel=1e-6)
    assert any("outside the market's grid" in w for w in result.warnings)
