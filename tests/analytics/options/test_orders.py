"""The order ticket (analytics.options.orders) on every bundled expiry with the standard test views (the market moved
2 % up and 2 % down), a bankroll of 100,000 and the default fees: whole contracts, the budget to the cent, the loss
limit at every price, the same orders when nothing real changed, no orders without an edge, monotone in the fees,
close to the fractional optimum, the CRRA risk aversion moving the trade, and structures that rebuild the orders."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from analytics.core.distributions import trapezoid_weights
from analytics.options.edge import ListedQuotes
from analytics.options.orders import TicketSettings, fractional_optimum, order_ticket
from tests.analytics.options.expiries import shifted
from tests.analytics.options.whole_tickets import whole_ticket_reaching
from tests.conftest import ROOT

BANKROLL = 100_000.0
SETTINGS = TicketSettings(BANKROLL)
VIEWS = (1.02, 0.98)


def ticket_of(expiry, factor: float = 1.02, settings: TicketSettings = SETTINGS, **kwargs):
    name, x, q, quotes, discount, forward = expiry
    return order_ticket(x, shifted(x, q, factor), q, quotes, discount, forward, settings, expiry="2026-03-20",
                        root=name.split()[0].lstrip("^"), **kwargs)


def payoff_per_share(order, prices: np.ndarray) -> np.ndarray:
    intrinsic = prices - order.strike if order.type == "call" else order.strike - prices
    return np.maximum(intrinsic, 0.0) * (1 if order.side == "buy" else -1)


def wealth_at(ticket, prices: np.ndarray, discount: float) -> np.ndarray:
    """W_T from the orders alone: cash in the bond plus each order's payoff (currency)."""
    size = ticket.settings.contract_size
    return ticket.cash / discount + sum((o.contracts * size * payoff_per_share(o, prices) for o in ticket.orders),
                                        np.zeros(prices.size))


@pytest.fixture(scope="module")
def tickets(bundled_expiries):
    return {(e[0], f): ticket_of(e, f) for e in bundled_expiries for f in VIEWS}


def test_whole_contracts_spend_the_bankroll_to_the_cent_within_the_loss_limit(bundled_expiries, tickets):
    for expiry in bundled_expiries:
        name, x, q, quotes, discount, forward = expiry
        prices = np.unique(np.r_[0.0, quotes.strikes, x, 10 * x[-1]])
        for factor in VIEWS:
            ticket = tickets[(name, factor)]
            assert len(ticket.orders) <= SETTINGS.max_legs
            for order in ticket.orders:
                assert isinstance(order.contracts, int) and order.contracts > 0
                assert order.premium == pytest.approx(order.contracts * 100 * order.limit * (
                    1 if order.side == "buy" else -1), abs=0.005)
            spent = sum(o.premium + o.commission for o in ticket.orders) + ticket.cash
            assert abs(spent - BANKROLL) < 0.005, (name, factor, spent)
            worst = BANKROLL - discount * wealth_at(ticket, prices, discount).min()
            assert worst <= BANKROLL and worst == pytest.approx(ticket.max_loss, abs=0.01), (name, factor)
            # beyond every price checked the wealth cannot fall: calls bought at least match calls sold
            assert sum(o.contracts * (1 if o.side == "buy" else -1) for o in ticket.orders if o.type == "call") >= 0


def test_a_loss_limit_holds_at_every_price(bundled_expiries):
    limited = TicketSettings(BANKROLL, max_loss=0.2)
    for expiry in bundled_expiries[::3]:
        name, x, q, quotes, discount, forward = expiry
        ticket = ticket_of(expiry, 0.98, limited)
        prices = np.unique(np.r_[0.0, quotes.strikes, x, 10 * x[-1]])
        assert BANKROLL - discount * wealth_at(ticket, prices, discount).min() <= 0.2 * BANKROLL + 0.01, name


def _orders_in_a_subprocess(threads: int) -> dict[str, list]:
    """Every bundled expiry's tickets for both views, in a fresh process with `threads` BLAS threads: as read, and
    with 1e-12 relative noise on every quote."""
    script = """
import json, numpy as np
from tests.analytics.options.test_orders import ticket_of
from data.chains import asof_new_york, bundled_chains, densities_from_file
from analytics.options.edge import ListedQuotes
rng = np.random.default_rng(7)
out = {"as read": [], "noise": []}
for info in bundled_chains():
    for cd in densities_from_file(str(info.file), asof=asof_new_york(info.asof_utc), spot=info.spot, rate=None):
        quotes = ListedQuotes.from_expiry(cd.quotes)
        noisy = ListedQuotes(*[quotes.strikes] + [a * (1 + 1e-12 * rng.standard_normal(a.size))
                               for a in (quotes.call_bid, quotes.call_ask, quotes.put_bid, quotes.put_ask)])
        for name, book in (("as read", quotes), ("noise", noisy)):
            expiry = (info.ticker + " " + cd.expiry, cd.density.x, cd.density.pdf, book, cd.discount, cd.forward)
            for factor in (1.02, 0.98):
                t = ticket_of(expiry, factor)
                out[name].append([info.ticker, cd.expiry, factor, [[o.symbol, o.side, o.contracts] for o in t.orders]])
print(json.dumps(out))
"""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads),
           "MKL_NUM_THREADS": str(threads)}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600, check=True)
    return json.loads(done.stdout)


def test_the_same_orders_on_one_or_two_blas_threads_and_with_noise_on_the_quotes(bundled_expiries):
    """Before, the same inputs gave 17 legs on one BLAS thread and 130 on two; the ticket must not move. One BLAS
    thread in a fresh process (as read and with noise) against two threads here."""
    from threadpoolctl import threadpool_limits

    one = _orders_in_a_subprocess(1)
    with threadpool_limits(limits=2, user_api="blas"):
        two = [[name.split()[0], name.split()[1], factor,
                [[o.symbol, o.side, o.contracts] for o in ticket_of(expiry, factor).orders]]
               for expiry in bundled_expiries for name in [expiry[0]] for factor in VIEWS]
    assert one["as read"] == two
    assert one["as read"] == one["noise"]
    assert sum(len(item[3]) for item in two) > 100          # the comparison is of real tickets


def test_no_edge_no_orders(bundled_expiries):
    for expiry in bundled_expiries:
        name, x, q, quotes, discount, forward = expiry
        hair = 1e-6 * shifted(x, q, 1.02) + (1 - 1e-6) * q
        ticket = order_ticket(x, hair, q, quotes, discount, forward, SETTINGS, expiry="2026-03-20", root="X")
        assert ticket.orders == () and ticket.cash == BANKROLL and ticket.growth_nats == 0.0, name
        dear = ticket_of(expiry, 1.02, TicketSettings(BANKROLL, commission_per_contract=BANKROLL))
        assert dear.orders == (), name


def test_a_higher_commission_never_raises_the_growth_nor_adds_a_leg(bundled_expiries):
    """The ticket is chosen along the commissions per contract 0, 0.65, 1.3, ... (each choice with no more legs
    than the one before, among candidates of the rungs at or above it): raising the commission per contract never
    adds a leg nor raises the growth, at every step, on the ladder's fees and between them. Raising the charge per
    order, alone or with the commission, does neither on any bundled expiry either. Before the ticket was chosen
    along the fees, SPX 2026-03-06 went 6, 6, 6, 6, 6, 5, 6, 3 legs with both raised."""
    fees = (0.0, 0.3, 0.65, 1.0, 2.0, 5.0, 20.0, 100.0)
    settings = {"per contract": lambda fee: TicketSettings(BANKROLL, commission_per_contract=fee),
                "both": lambda fee: TicketSettings(BANKROLL, commission_per_contract=fee, commission_per_order=fee),
                "per order": lambda fee: TicketSettings(BANKROLL, commission_per_order=fee)}
    for expiry in bundled_expiries:
        for raised, at in settings.items():
            tickets = [ticket_of(expiry, 1.02, at(fee)) for fee in fees]
            growths, legs = [t.growth_nats for t in tickets], [len(t.orders) for t in tickets]
            assert all(b <= a + 1e-12 for a, b in zip(growths, growths[1:], strict=False)), (expiry[0], raised,
                                                                                            growths)
            assert all(b <= a for a, b in zip(legs, legs[1:], strict=False)), (expiry[0], raised, legs)


def test_whole_contracts_grow_at_most_the_fractional_optimum_and_close_to_it(bundled_expiries, tickets):
    """At most the fractional optimum over every instrument at the same quotes and per-contract fees, solved on
    every grid point; at least 90 % of the fractional optimum over its max_legs largest legs, including where that
    holds one or two contracts (SPX December: one contract is seven bankrolls of notional). Where the ticket falls
    short of 90 %, a mixed-integer programme (tests/analytics/options/whole_tickets.py) must prove that no whole
    ticket of up to four contracts per option and side, of any number of legs, reaches 90 % (TSLA December, whose
    fractional optimum spreads about 2.5 contracts over six legs: the best whole tickets reach 0.82 and 0.83 of it),
    and the ticket must still reach 80 %."""
    short, within_of = [], {}
    for expiry in bundled_expiries:
        name, x, q, quotes, discount, forward = expiry
        for factor in VIEWS:
            optimum = fractional_optimum(x, shifted(x, q, factor), q, quotes, discount, forward, SETTINGS)
            growth, ceiling = tickets[(name, factor)].growth_nats, optimum.ceiling_nats
            assert growth <= ceiling + 1e-6 * max(ceiling, 1e-3), (name, factor, growth, ceiling)
            assert growth >= 0.8 * optimum.within_legs_nats, (name, factor, growth, optimum)
            within_of[(name, factor)] = optimum.within_legs_nats
            if growth < 0.9 * optimum.within_legs_nats:
                short.append((expiry, factor, optimum.within_legs_nats))
    assert [(expiry[0], factor) for expiry, factor, _ in short] == [("TSLA 2026-12-18", 1.02),
                                                                    ("TSLA 2026-12-18", 0.98)]
    for (name, x, q, quotes, discount, forward), factor, within in short:
        answer = whole_ticket_reaching(x, shifted(x, q, factor), q, quotes, discount, forward, SETTINGS,
                                       0.9 * within)
        assert not answer.reached, (name, factor, answer)
    # the programme finds a ticket where one exists: QQQ December's ticket reaches 0.96 of its optimum up
    (name, x, q, quotes, discount, forward), = [e for e in bundled_expiries if e[0] == "QQQ 2026-12-18"]
    within = within_of[(name, 1.02)]
    assert tickets[(name, 1.02)].growth_nats >= 0.9 * within
    answer = whole_ticket_reaching(x, shifted(x, q, 1.02), q, quotes, discount, forward, SETTINGS, 0.9 * within)
    assert answer.reached and answer.growth_nats >= 0.9 * within and answer.contracts, answer


def test_risk_aversion_moves_the_trade(bundled_expiries):
    """--gamma 2 maximises E_p[W^-1]/-1: a different position whose certainty equivalent at G = 2 is at least the
    Kelly position's at G = 2."""
    moved = 0
    for expiry in bundled_expiries[::2]:
        name, x, q, quotes, discount, forward = expiry
        kelly, careful = ticket_of(expiry, 1.02), ticket_of(expiry, 1.02, gamma=2.0)
        if not kelly.orders:
            continue
        p = shifted(x, q, 1.02)
        w = trapezoid_weights(x) * p / (trapezoid_weights(x) @ p)
        ratio = discount * kelly.wealth / BANKROLL
        kelly_at_two = -math.log(float(w @ ratio ** -1.0))
        assert careful.certainty_equivalent_nats >= kelly_at_two - 1e-9, name
        if [(o.symbol, o.contracts) for o in careful.orders] != [(o.symbol, o.contracts) for o in kelly.orders]:
            moved += 1
        assert careful.max_loss <= kelly.max_loss + 0.01 or careful.certainty_equivalent_nats > kelly_at_two, name
    assert moved >= 8


def test_structures_rebuild_the_orders(tickets):
    for (name, _factor), ticket in tickets.items():
        members = sorted(i for s in ticket.structures for i in s.orders)
        assert members == list(range(len(ticket.orders))), name
        for index, structure in enumerate(ticket.structures):
            legs = [ticket.orders[i] for i in structure.orders]
            assert all(o.structure == index for o in legs)
            assert structure.net == pytest.approx(sum(o.premium + o.commission for o in legs), abs=0.01)
            signed = [o.contracts * (1 if o.side == "buy" else -1) for o in sorted(legs, key=lambda o: o.strike)]
            if " vertical " in structure.name:
                assert len(legs) == 2 and signed[0] == -signed[1] and legs[0].type == legs[1].type
            if " butterfly " in structure.name:
                assert len(legs) == 3 and signed[1] == -2 * signed[0] == -2 * signed[2]
            if structure.name == "single":
                assert len(legs) == 1


def test_a_ticket_keeps_to_the_most_legs_asked(bundled_expiries):
    """One or two lines at most (the one-contract tickets' walk then has no neighbour it may take on some expiries:
    it stops there instead of failing)."""
    for expiry in bundled_expiries:
        for most in (1, 2):
            ticket = ticket_of(expiry, 0.98, TicketSettings(BANKROLL, max_legs=most))
            assert len(ticket.orders) <= most, (expiry[0], most, ticket.orders)
            assert ticket.growth_nats >= 0


def test_settings_out_of_range_are_refused():
    from analytics.core.errors import InputError

    for bad in ({"bankroll": 0.0}, {"bankroll": math.nan}, {"bankroll": 1e5, "contract_size": 0},
                {"bankroll": 1e5, "commission_per_contract": -1.0}, {"bankroll": 1e5, "max_legs": 0},
                {"bankroll": 1e5, "max_loss": 1.5}):
        with pytest.raises(InputError):
            TicketSettings(**bad)


def test_occ_symbols_follow_the_chain():
    from analytics.options.orders import occ_symbol

    assert occ_symbol("SPY", "2026-03-20", "call", 700.0) == "SPY260320C00700000"
    assert occ_symbol("SPXW", "2026-03-06", "put", 6812.5) == "SPXW260306P06812500"
    quotes = ListedQuotes(np.array([1.0]), *[np.array([1.0])] * 4)
    assert quotes.strikes.size == 1
