"""Margin removal: each method's defining equation to 1e-12, Shin's reference numbers, stacks of books,
and the errors of impossible books."""

import math

import numpy as np
import pytest

from analytics.betting.margin import METHODS, binary_js_distance, remove_margin
from analytics.core.errors import InputError

TOL = 1e-12


def book(n, margin, seed):
    rng = np.random.default_rng(seed)
    q = rng.dirichlet(np.full(n, 2.0))
    q = np.clip(q, 0.01, None)
    q /= q.sum()
    return q * (1 + margin)   # raw implied probabilities with the given overround


BOOKS = [book(n, m, s) for n, m, s in [(2, 0.05, 1), (3, 0.06, 2), (16, 0.15, 3), (20, 0.2, 4), (3, 0.02, 5)]]


def defining_residual(method, r, q, params):
    """How far q is from satisfying the method's own definition (0 when exact)."""
    n, margin = r.size, r.sum() - 1
    if method == "multiplicative":
        return np.abs(q - r / r.sum()).max()
    if method in ("additive", "wpo"):
        fair_odds = n * (1 / r) / (n - margin * (1 / r))
        return max(np.abs(q - (r - margin / n)).max(), np.abs(1 / q - fair_odds).max() * q.min())
    if method == "power":
        return np.abs(q - r ** params["k"]).max()
    if method == "shin":
        z, k = params["z"], r.sum()
        return np.abs(q - (np.sqrt(z**2 + 4 * (1 - z) * r**2 / k) - z) / (2 * (1 - z))).max()
    if method == "odds_ratio":
        return np.abs(q - r / (params["c"] + r - params["c"] * r)).max()
    if method == "bb":
        z = margin / (n - 1)
        return max(abs(params["z"] - z), np.abs(q - (r - z) / (1 - z)).max())
    if method == "jsd":
        return np.abs(binary_js_distance(q, r) - params["distance"]).max()
    raise AssertionError(method)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("index", range(len(BOOKS)))
def test_defining_equation_to_1e12(method, index):
    r = BOOKS[index]
    fair = remove_margin(r, method)
    q = fair.probabilities
    params = {k: float(v) for k, v in fair.params.items()}
    assert abs(q.sum() - 1) <= TOL
    assert np.all(q >= 0)
    assert defining_residual(method, r, q, params) <= TOL
    assert float(fair.overround) == pytest.approx(r.sum() - 1, abs=1e-15)


@pytest.mark.parametrize("method", METHODS)
def test_vectorised_across_books_equals_one_by_one(method):
    rng = np.random.default_rng(7)
    fair = rng.dirichlet(np.full(3, 20.0), size=25)   # no long shots: every method stays positive
    stack = fair * (1.03 + 0.002 * np.arange(25))[:, None]
    together = remove_margin(stack, method)
    for i, row in enumerate(stack):
        alone = remove_margin(row, method)
        np.testing.assert_allclose(together.probabilities[i], alone.probabilities, atol=1e-14)


def test_shin_reference_5_4():
    fair = remove_margin(1 / np.array([2.6, 2.4, 4.3]), "shin")
    np.testing.assert_allclose(fair.probabilities, [0.372994060332, 0.404779410920, 0.222226528747], atol=1e-12)
    assert float(fair.params["z"]) == pytest.approx(0.016942512764, abs=1e-12)
    basic = remove_margin(1 / np.array([2.6, 2.4, 4.3]), "multiplicative")
    np.testing.assert_allclose(basic.probabilities, [0.372025955299207, 0.403028118240808, 0.224945926459986],
                               atol=1e-15)


def test_shin_on_the_m1_book_5_4():
    fair = remove_margin(1 / np.array([2.0, 3.2, 4.0]), "shin")
    assert float(fair.params["z"]) == pytest.approx(0.031348052677763, abs=1e-12)
    np.testing.assert_allclose(fair.probabilities, [0.476942104650299, 0.292279575496507, 0.230778319853194],
                               atol=1e-12)
    assert float(fair.overround) == pytest.approx(0.0625, abs=1e-15)


def test_shin_favours_favourites_over_basic():
    r = 1 / np.array([1.3, 5.0, 12.0])
    shin, basic = remove_margin(r, "shin").probabilities, remove_margin(r, "multiplicative").probabilities
    assert shin[0] > basic[0] and shin[2] < basic[2]


def test_two_outcome_shin_and_twenty_runners():
    assert remove_margin(1 / np.array([1.5, 2.6]), "shin").probabilities.sum() == pytest.approx(1, abs=TOL)
    prices = 1 / np.array([3.0, 4.5, 6, 8, 10, 12, 15, 17, 21, 26, 34, 41, 51, 67, 81, 101, 151, 201, 251, 501])
    field = prices / prices.sum() * 1.18   # an 18 % racing book
    for method in ("shin", "power", "odds_ratio", "multiplicative", "jsd"):
        q = remove_margin(field, method).probabilities
        assert q.sum() == pytest.approx(1, abs=TOL) and np.all(q > 0)


def test_longshot_at_1000():
    r = 1 / np.array([1.2, 5.5, 1000.0])
    assert r.sum() > 1
    for method in ("shin", "power", "odds_ratio", "multiplicative", "jsd"):
        q = remove_margin(r, method).probabilities
        assert q.sum() == pytest.approx(1, abs=TOL) and 0 < q[2] < 1e-3
    with pytest.raises(InputError, match="negative probability"):
        remove_margin(r, "additive")


def test_methods_that_go_negative_say_so():
    r = 1 / np.array([1.1, 5.0, 80.0])   # margin 0.12; the long shot's r = 0.0125 < M/n = 0.04
    for method in ("additive", "wpo", "bb"):
        with pytest.raises(InputError, match=rf"method '{method}' gives outcome 3 a negative probability"):
            remove_margin(r, method)


def test_arbitrage_book():
    r = 1 / np.array([2.1, 3.6, 4.2])   # sums to 0.991: underround
    for method in ("multiplicative", "power", "odds_ratio", "additive", "jsd"):
        q = remove_margin(r, method).probabilities
        assert q.sum() == pytest.approx(1, abs=TOL) and np.all(q > r - 1e-15)
    with pytest.raises(InputError, match="Shin's model needs a bookmaker margin"):
        remove_margin(r, "shin")


@pytest.mark.parametrize(
    "bad, message",
    [(np.array([]), "no outcomes"), (np.array([0.5]), "at least 2"), (np.array([0.5, math.nan]), "outside"),
     (np.array([1.1, 0.2]), "outside"), (np.array([0.5, 0.0]), "outside")],
)
def test_invalid_books(bad, message):
    with pytest.raises(InputError, match=message):
        remove_margin(bad, "shin")


def test_unknown_method():
    with pytest.raises(InputError, match="unknown margin-removal method 'magic'"):
        remove_margin(np.array([0.5, 0.6]), "magic")


def test_shin_on_a_book_without_margin_is_the_book_itself_with_z_zero():
    fair = remove_margin(np.array([0.5, 0.3, 0.2]), "shin")
    assert float(fair.params["z"]) == 0.0
    np.testing.assert_allclose(fair.probabilities, [0.5, 0.3, 0.2], atol=1e-15)
    stacked = remove_margin(np.array([[0.5, 0.3, 0.2], [0.5, 0.32, 0.2]]), "shin")
    assert stacked.params["z"][0] == 0.0 and stacked.params["z"][1] > 0
    np.testing.assert_allclose(stacked.probabilities.sum(axis=1), 1.0, atol=1e-12)


@pytest.mark.parametrize("outcomes", [2, 3, 6, 10])
def test_jsd_on_a_stack_of_books_holds_its_defining_equation_book_by_book(outcomes):
    """The stacked solver (Newton on all books at once) gives every book equal binary JS distances summing to
    one, and the same answer as the book alone; underround books (negative distance) included."""
    rng = np.random.default_rng(outcomes)
    fair = rng.dirichlet(np.full(outcomes, 4.0), size=400)
    books = fair * rng.uniform(0.97, 1.10, size=(400, 1))
    books = books[np.all(books < 0.98, axis=1)]
    fair_books = remove_margin(books, "jsd")
    q, distance = fair_books.probabilities, fair_books.params["distance"]
    assert np.abs(q.sum(axis=1) - 1).max() <= TOL
    assert np.abs(binary_js_distance(q, books) * np.sign(books - q) - distance[:, None]).max() <= 1e-10
    assert (distance < 0).any() and (distance > 0).any()
    for row in (0, len(books) // 2, len(books) - 1):
        assert np.abs(remove_margin(books[row], "jsd").probabilities - q[row]).max() <= 1e-12


def test_jsd_refuses_a_stack_holding_a_book_it_cannot_de_margin():
    books = np.array([[0.6, 0.5, 0.01], [0.9, 0.2, 0.004]])   # the second needs a negative long-shot probability
    with pytest.raises(InputError, match="jsd method cannot remove this margin"):
        remove_margin(books, "jsd")
    assert remove_margin(books[0], "jsd").probabilities.sum() == pytest.approx(1, abs=TOL)
