"""Divergences against the reference numbers of docs/methods.md (the black swan, cases A to C, binary
contracts, zeros, edge cases) and, on grids, against the Gaussian closed forms."""

import itertools
import math

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr
from scipy.stats import norm

from analytics.betting.kelly import (
    expected_log_return_under_truth,
    fractional_kelly_growth_fair,
    realised_log_return,
)
from analytics.core.divergence import (
    chi_squared,
    cross_entropy,
    entropy,
    hellinger_squared,
    hellinger_squared_grid,
    js_distance,
    js_divergence,
    kl_contributions,
    kl_contributions_nonnegative,
    kl_divergence,
    kl_divergence_grid,
    log_ratio_variance,
    renyi_divergence,
    renyi_divergence_grid,
    total_variation,
    wasserstein1,
)
from analytics.core.units import to_bits
from tests.reference import CASE_A, CASE_B, CASE_C, NORMAL_ROWS, TOL

OTHER = {
    # quantity: (CASE_A, CASE_B, CASE_C)
    "jsd": (0.006367198333996, 0.074806399251777, 0.035262717451800),
    "jsd_bits": (0.009185925460812, 0.107922821227299, 0.050873347595980),
    "jsdist2": (0.095843233776892, 0.328516089754061, 0.225551208367369),
    "jsdiste": (0.079794726229217, 0.273507585364240, 0.187783698578444),
    "d05": (0.012793316101573, 0.158478299128324, 0.072376902454383),
    "d2": (0.048790164169432, 0.482426149244293, 0.292669613962820),
    "dinf": (0.223143551314210, 0.741937344729377, 0.693147180559945),
    "h2": (0.006376242986267, 0.076181032878136, 0.035541477036006),
    "h": (0.079851380615908, 0.276009117382263, 0.188524473307859),
    "tv": (0.1, 0.366666666666667, 0.25),
}


REVERSED_FORM = (0.006403442260154, 0.080463791726295, 0.036389556912924)


def _binned(edges):
    cdf_p = norm.cdf(edges, 0, 1)
    cdf_q = norm.cdf(edges, 0.5, 1.5)
    return np.diff(cdf_p), np.diff(cdf_q)


def test_black_swan_5_1():
    p, q = np.array([0.0, 1.0]), np.array([0.99, 0.01])
    assert kl_divergence(p, q) == pytest.approx(4.605170185988092, abs=TOL)
    assert to_bits(kl_divergence(p, q)) == pytest.approx(6.643856189774724, abs=TOL)
    assert kl_divergence(q, p) == math.inf
    p, q = np.array([0.0, 1.0]), np.array([0.5, 0.5])
    assert kl_divergence(p, q) == pytest.approx(0.693147180559945, abs=TOL)
    assert to_bits(kl_divergence(p, q)) == pytest.approx(1.0, abs=TOL)
    assert kl_divergence(q, p) == math.inf


@pytest.mark.parametrize(
    "case, kl, kl_bits, rkl, rkl_bits",
    [
        (CASE_A, 0.025267153921571, 0.036452797660028, 0.025815408455029, 0.037243761756593),
        (CASE_B, 0.296793736124772, 0.428182851274117, 0.324287027787516, 0.467847286813671),
        (CASE_C, 0.148697192887333, 0.214524702772666, 0.137911904571561, 0.198964820804944),
    ],
)
def test_kl_both_directions_5_2(case, kl, kl_bits, rkl, rkl_bits):
    p, q = case
    assert kl_divergence(p, q) == pytest.approx(kl, abs=TOL)
    assert to_bits(kl_divergence(p, q)) == pytest.approx(kl_bits, abs=TOL)
    assert kl_divergence(q, p) == pytest.approx(rkl, abs=TOL)
    assert to_bits(kl_divergence(q, p)) == pytest.approx(rkl_bits, abs=TOL)


def test_case_a_details_5_2():
    p, q = CASE_A
    assert math.expm1(kl_divergence(p, q)) == pytest.approx(0.025589074072, abs=1e-12)
    assert entropy(p) == pytest.approx(1.029653014064574, abs=TOL)
    assert to_bits(entropy(p)) == pytest.approx(1.485475297227335, abs=TOL)
    assert entropy(q) == pytest.approx(1.054920167986144, abs=TOL)
    assert to_bits(entropy(q)) == pytest.approx(1.521928094887363, abs=TOL)
    assert cross_entropy(p, q) == pytest.approx(1.054920167986144, abs=TOL)
    np.testing.assert_allclose(p / q - 1, [0.25, -0.25, 0], atol=TOL)
    np.testing.assert_allclose(kl_contributions(p, q), [0.111571775657105, -0.086304621735534, 0], atol=TOL)
    np.testing.assert_allclose(kl_contributions_nonnegative(p, q), [0.011571775657105, 0.013695378264466, 0], atol=TOL)
    assert chi_squared(p, q) == pytest.approx(0.05, abs=TOL)
    assert log_ratio_variance(p, q) == pytest.approx(0.049086385622308, abs=TOL)
    assert math.sqrt(log_ratio_variance(p, q)) == pytest.approx(0.221554475518568, abs=TOL)
    for lam, growth in [(0.5, 0.018832100040835), (0.25, 0.010950754566946), (0.75, 0.023633319029856)]:
        assert fractional_kelly_growth_fair(p, q, lam) == pytest.approx(growth, abs=TOL)
    assert expected_log_return_under_truth(q, p, q) == pytest.approx(-0.025815408455029, abs=TOL)
    t = np.array([0.45, 0.35, 0.2])
    assert expected_log_return_under_truth(t, p, q) == pytest.approx(-0.000274127266729, abs=TOL)
    assert total_variation(p, q) == pytest.approx(0.1, abs=TOL)
    assert total_variation(p, q) <= math.sqrt(kl_divergence(p, q) / 2)
    assert math.sqrt(kl_divergence(p, q) / 2) == pytest.approx(0.112399, abs=1e-6)


def test_case_b_details_5_2():
    p, q = CASE_B
    assert math.expm1(kl_divergence(p, q)) == pytest.approx(0.345537734996, abs=1e-12)
    assert entropy(p) == pytest.approx(0.801818552543337, abs=TOL)
    assert to_bits(entropy(p)) == pytest.approx(1.156779649447039, abs=TOL)
    assert cross_entropy(p, q) == pytest.approx(1.098612288668110, abs=TOL)
    assert to_bits(entropy(q)) == pytest.approx(1.584962500721156, abs=TOL)
    np.testing.assert_allclose(p / q - 1, [1.1, -0.4, -0.7], atol=TOL)
    np.testing.assert_allclose(kl_contributions(p, q), [0.519356141310564, -0.102165124753198, -0.120397280432594],
                               atol=TOL)
    assert chi_squared(p, q) == pytest.approx(0.62, abs=TOL)
    assert log_ratio_variance(p, q) == pytest.approx(0.494386809584783, abs=TOL)
    assert fractional_kelly_growth_fair(p, q, 0.5) == pytest.approx(0.219071449779721, abs=TOL)
    for x, ret in enumerate([0.741937344729377, -0.510825623765990, -1.203972804325936]):
        assert realised_log_return(p, q, x) == pytest.approx(ret, abs=TOL)


def test_case_c_details_5_2():
    p, q = CASE_C
    assert entropy(q) == pytest.approx(1.039720770839918, abs=TOL)
    assert to_bits(entropy(q)) == pytest.approx(1.5, abs=TOL)
    assert cross_entropy(p, q) == pytest.approx(1.178350206951907, abs=TOL)
    assert to_bits(cross_entropy(p, q)) == pytest.approx(1.7, abs=TOL)
    assert cross_entropy(p, q) == pytest.approx(entropy(p) + kl_divergence(p, q), abs=TOL)
    np.testing.assert_allclose(kl_contributions(p, q), [-0.044628710262842, 0.346573590279973, -0.153247687129797],
                               atol=TOL)
    assert chi_squared(p, q) == pytest.approx(0.34, abs=TOL)
    assert log_ratio_variance(p, q) == pytest.approx(0.306357106053925, abs=TOL)
    assert fractional_kelly_growth_fair(p, q, 0.5) == pytest.approx(0.114717385528254, abs=TOL)


@pytest.mark.parametrize("index, case", list(enumerate([CASE_A, CASE_B, CASE_C])))
def test_other_measures_table_5_2(index, case):
    p, q = case
    got = {
        "jsd": js_divergence(p, q),
        "jsd_bits": to_bits(js_divergence(p, q)),
        "jsdist2": js_distance(p, q, base=2),
        "jsdiste": js_distance(p, q, base=math.e),
        "d05": renyi_divergence(p, q, 0.5),
        "d2": renyi_divergence(p, q, 2.0),
        "dinf": renyi_divergence(p, q, math.inf),
        "h2": hellinger_squared(p, q),
        "h": math.sqrt(hellinger_squared(p, q)),
        "tv": total_variation(p, q),
    }
    for key, values in OTHER.items():
        assert got[key] == pytest.approx(values[index], abs=TOL), key
    assert js_distance(p, q, base=2) == pytest.approx(jensenshannon(p, q, base=2), abs=TOL)
    m = (p + q) / 2
    reversed_form = 0.5 * (kl_divergence(m, p) + kl_divergence(m, q))
    assert reversed_form == pytest.approx(REVERSED_FORM[index], abs=TOL)
    assert abs(js_divergence(p, q) - reversed_form) > 1e-6
    assert renyi_divergence(p, q, 2.0) == pytest.approx(math.log1p(chi_squared(p, q)), abs=TOL)


def test_jensen_shannon_zeros_5_11():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.5, 0.5])
    assert js_divergence(p, q) == pytest.approx(0.346573590279973, abs=TOL)
    assert to_bits(js_divergence(p, q)) == pytest.approx(0.5, abs=TOL)
    assert js_distance(p, q, base=2) == pytest.approx(0.707106781186548, abs=TOL)
    assert js_distance(p, q, base=math.e) == pytest.approx(0.588705011257737, abs=TOL)
    m = (p + q) / 2
    assert 0.5 * (kl_divergence(m, p) + kl_divergence(m, q)) == math.inf


def test_edge_cases_5_12():
    assert rel_entr(0, 0) == 0 and rel_entr(0, 0.3) == 0 and rel_entr(0.3, 0) == math.inf
    assert kl_contributions(np.array([0.0, 0.0, 0.3]), np.array([0.0, 0.3, 0.0])).tolist() == [0.0, 0.0, math.inf]
    for p, _ in (CASE_A, CASE_B, CASE_C):
        assert kl_divergence(p, p) == 0.0
        assert js_divergence(p, p) == pytest.approx(0.0, abs=1e-15)
    p, q = CASE_A
    perm = np.array([2, 0, 1])
    for fn in (kl_divergence, js_divergence, hellinger_squared, total_variation):
        assert fn(p[perm], q[perm]) == pytest.approx(fn(p, q), abs=1e-15)


def test_renyi_limits_and_order():
    p, q = CASE_C
    assert renyi_divergence(p, q, 0.0) == pytest.approx(0.0, abs=TOL)
    orders = [0.0, 0.25, 0.5, 0.999, 1.0, 1.001, 2.0, 5.0, math.inf]
    values = [renyi_divergence(p, q, a) for a in orders]
    assert all(b >= a - 1e-12 for a, b in itertools.pairwise(values))
    assert renyi_divergence(p, q, 0.5) == pytest.approx(-2 * math.log(1 - hellinger_squared(p, q)), abs=TOL)


def test_vectorised_over_pairs():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(4), size=50)
    q = rng.dirichlet(np.ones(4), size=50)
    stacked = kl_divergence(p, q)
    assert stacked.shape == (50,)
    np.testing.assert_allclose(stacked, [kl_divergence(a, b) for a, b in zip(p, q, strict=True)], atol=1e-15)


@pytest.mark.parametrize("m1, s1, m2, s2, kl, bits, d05, d2, h2", NORMAL_ROWS)
def test_normal_grid_agrees_with_closed_form_5_7(m1, s1, m2, s2, kl, bits, d05, d2, h2):
    x = np.linspace(-30, 30, 120_001)
    p, q = norm.pdf(x, m1, s1), norm.pdf(x, m2, s2)
    assert kl_divergence_grid(x, p, q) == pytest.approx(kl, abs=1e-9)
    assert to_bits(kl_divergence_grid(x, p, q)) == pytest.approx(bits, abs=1e-9)
    assert renyi_divergence_grid(x, p, q, 0.5) == pytest.approx(d05, abs=1e-9)
    if math.isfinite(d2):
        assert renyi_divergence_grid(x, p, q, 2.0) == pytest.approx(d2, abs=1e-9)
    assert hellinger_squared_grid(x, p, q) == pytest.approx(h2, abs=1e-9)


def test_binning_lower_bound_5_10():
    edges = np.array([-np.inf, -2, -1, 0, 1, 2, np.inf])
    P, Q = _binned(edges)
    np.testing.assert_allclose(P, [0.022750131948179, 0.135905121983278, 0.341344746068543, 0.341344746068543,
                                   0.135905121983278, 0.022750131948179], atol=1e-12)
    assert kl_divergence(P, Q) == pytest.approx(0.162957679702160, abs=1e-12)
    assert kl_divergence(P, Q) < 0.183242885885942
    want = [0.044616854420833, 0.134438798223993, 0.169371293571418, 0.179571169698039, 0.182301078766108,
            0.182995575379270, 0.183169963771316]
    got = []
    for k in range(1, 8):
        edges = np.concatenate(([-np.inf], np.linspace(-4, 4, 2**k + 1), [np.inf]))
        P, Q = _binned(edges)
        got.append(float(kl_divergence(P, Q)))
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert all(b >= a for a, b in itertools.pairwise(got))


def test_discrete_wasserstein_matches_scipy():
    from scipy.stats import wasserstein_distance

    v = np.array([3.0, 1.0, 2.0, 7.0])
    p, q = np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.4, 0.3, 0.2, 0.1])
    assert wasserstein1(v, p, q) == pytest.approx(wasserstein_distance(v, v, p, q), abs=1e-14)
