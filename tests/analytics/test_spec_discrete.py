"""theory_spec 5.1-5.3, 5.5, 5.6, 5.11, 5.12: discrete divergences and Kelly at fair prices."""

import itertools
import math

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr

from analytics.betting.kelly import (
    binary_kelly,
    crra_positioning,
    expected_log_return_under_truth,
    fractional_kelly_growth_fair,
    realised_log_return,
)
from analytics.core.divergence import (
    chi_squared,
    cross_entropy,
    entropy,
    hellinger_squared,
    js_distance,
    js_divergence,
    kl_contributions,
    kl_contributions_nonnegative,
    kl_divergence,
    log_ratio_variance,
    renyi_divergence,
    total_variation,
)
from analytics.core.units import to_bits

TOL = 1e-12
A = (np.array([0.5, 0.3, 0.2]), np.array([0.4, 0.4, 0.2]))
B = (np.array([0.7, 0.2, 0.1]), np.full(3, 1 / 3))
C = (np.array([0.2, 0.5, 0.3]), np.array([0.25, 0.25, 0.5]))


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
        (A, 0.025267153921571, 0.036452797660028, 0.025815408455029, 0.037243761756593),
        (B, 0.296793736124772, 0.428182851274117, 0.324287027787516, 0.467847286813671),
        (C, 0.148697192887333, 0.214524702772666, 0.137911904571561, 0.198964820804944),
    ],
)
def test_kl_both_directions_5_2(case, kl, kl_bits, rkl, rkl_bits):
    p, q = case
    assert kl_divergence(p, q) == pytest.approx(kl, abs=TOL)
    assert to_bits(kl_divergence(p, q)) == pytest.approx(kl_bits, abs=TOL)
    assert kl_divergence(q, p) == pytest.approx(rkl, abs=TOL)
    assert to_bits(kl_divergence(q, p)) == pytest.approx(rkl_bits, abs=TOL)


def test_case_a_details_5_2():
    p, q = A
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
    p, q = B
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
    p, q = C
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


OTHER = {
    # quantity: (A, B, C)
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


@pytest.mark.parametrize("index, case", list(enumerate([A, B, C])))
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


@pytest.mark.parametrize(
    "p, q, kl, kl_bits, rkl, side, f, mult",
    [
        (0.60, 0.50, 0.020135513550689, 0.029049405545331, 0.020410997260128, "YES", 0.2, (1.2, 0.8)),
        (0.40, 0.50, 0.020135513550689, 0.029049405545331, 0.020410997260128, "NO", 0.2, (0.8, 1.2)),
        (0.55, 0.45, 0.020067069546215, 0.028950661719498, 0.020067069546215, "YES", 0.181818181818182,
         (1.2222222222222222, 0.8181818181818181)),
        (0.95, 0.85, 0.050733738921308, 0.073193313547526, 0.070250053456526, "YES", 2 / 3,
         (1.1176470588235294, 1 / 3)),
    ],
)
def test_binary_contracts_5_3(p, q, kl, kl_bits, rkl, side, f, mult):
    result = binary_kelly(p, q)
    assert result.growth_nats == pytest.approx(kl, abs=TOL)
    assert to_bits(result.growth_nats) == pytest.approx(kl_bits, abs=TOL)
    assert kl_divergence(np.array([q, 1 - q]), np.array([p, 1 - p])) == pytest.approx(rkl, abs=TOL)
    assert result.side == side
    assert result.fraction == pytest.approx(f, abs=TOL)
    assert (result.multiplier_yes, result.multiplier_no) == pytest.approx(mult, abs=TOL)


def test_fractional_rule_of_thumb_5_5():
    for (p, q), exact, approx in [(A, 0.018832100040835, 0.018950365441178), (B, 0.219071449779721, 0.222595302093579)]:
        assert fractional_kelly_growth_fair(p, q, 0.5) == pytest.approx(exact, abs=TOL)
        assert 0.5 * 1.5 * kl_divergence(p, q) == pytest.approx(approx, abs=TOL)


@pytest.mark.parametrize(
    "gamma, ce, elog",
    [(0.5, 0.048790164169432, 0.001744143673709), (1.0, 0.025267153921571, 0.025267153921571),
     (2.0, 0.012793316101573, 0.019030235011572), (3.0, 0.008557780652068, 0.014127571741902)],
)
def test_crra_renyi_5_6(gamma, ce, elog):
    p, q = A
    result = crra_positioning(p, q, gamma)
    assert result.certainty_equivalent_nats == pytest.approx(ce, abs=TOL)
    assert result.expected_log_return_nats == pytest.approx(elog, abs=TOL)
    assert result.shortfall_vs_kelly_nats >= -TOL
    assert np.sum(q * result.wealth) == pytest.approx(1.0, abs=TOL)


def test_crra_wealth_gamma_2_5_6():
    p, q = A
    result = crra_positioning(p, q, 2.0)
    np.testing.assert_allclose(result.wealth, [1.125208592143638, 0.871582827676360, 1.006417160360004], atol=TOL)
    escort = q * result.wealth
    np.testing.assert_allclose(escort, [0.450083436857455, 0.348633131070544, 0.201283432072001], atol=TOL)


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
    for p, _ in (A, B, C):
        assert kl_divergence(p, p) == 0.0
        assert js_divergence(p, p) == pytest.approx(0.0, abs=1e-15)
    p, q = A
    perm = np.array([2, 0, 1])
    for fn in (kl_divergence, js_divergence, hellinger_squared, total_variation):
        assert fn(p[perm], q[perm]) == pytest.approx(fn(p, q), abs=1e-15)


def test_renyi_limits_and_order():
    p, q = C
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
