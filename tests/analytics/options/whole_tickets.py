"""An independent bound on what whole contracts can reach: a mixed-integer linear programme (scipy's HiGHS) over
every whole ticket of the instruments the order ticket may use, with the log growth replaced by tangent lines
(outer approximation: each tangent lies above the log, so the programme's optimum is an upper bound).

Asked whether any whole ticket reaches a growth `target`, it adds `growth >= target` to the programme: infeasible
proves none does; a solution the tangents overrate adds tangents at its wealth and the programme is solved again;
a solution that truly reaches it is returned. The growth is judged at one point per interval between strikes, its
mass-weighted centre: the wealth is linear on each interval, so by Jensen's inequality that growth is at least the
full grid's for every ticket, and a bound found on it holds on the full grid. The tickets: whole contracts, at most
`most` per instrument and side, of any number of legs (so also of at most six), within the budget, with calls
bought at least as many as sold and a wealth never below 0 (a superset of the tickets the order ticket may choose
under its default loss limit, never ruined, and no charge per order)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from analytics.core.distributions import trapezoid_weights
from analytics.options.edge import ListedQuotes
from analytics.options.orders import TicketSettings, _book, _payoffs

FIRST_TANGENTS = (0.7, 0.9, 0.97, 1.0, 1.03, 1.1, 1.3, 1.7, 2.5)   # wealth ratios D W_T / B


@dataclass(frozen=True)
class Answer:
    """`reached`: a whole ticket reaching the target exists (`contracts`, signed per instrument, and its growth in
    nats on the quadrature) or, when False, none does (proven). `solves`: programmes solved."""

    reached: bool
    contracts: dict[str, int]
    growth_nats: float
    solves: int


def _between_strikes(x: np.ndarray, mass: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One point per interval between strikes (and above the top one) at the interval's mass-weighted centre, with
    its probability: the wealth is linear on each interval, so by Jensen's inequality the growth on these points is
    at least the growth on the grid, for every ticket."""
    interval = np.searchsorted(nodes, x, side="right")
    total = np.bincount(interval, mass, minlength=nodes.size + 1)
    centre = np.bincount(interval, mass * x, minlength=nodes.size + 1)
    held = total > 1e-300
    return centre[held] / total[held], total[held] / total.sum()


def whole_ticket_reaching(x: np.ndarray, p: np.ndarray, q: np.ndarray, quotes: ListedQuotes, discount: float,
                          forward: float, settings: TicketSettings, target_nats: float, most: int = 4) -> Answer:
    """Is there a whole ticket (Kelly fraction 1, gamma 1) whose growth under p reaches target_nats? See the module
    docstring."""
    assert settings.max_loss is None and settings.commission_per_order == 0
    w = trapezoid_weights(x)
    p, q = p / (w @ p), q / (w @ q)
    book = _book(x, p, q, p, quotes, discount, forward)
    assert book is not None
    tools = book.tools
    nodes = np.unique(np.r_[0.0, tools.strike])
    points, mass = _between_strikes(x, w * p, nodes)
    size, bankroll, fee = settings.contract_size, settings.bankroll, settings.commission_per_contract
    can_buy = np.isfinite(tools.ask)
    can_sell = np.isfinite(tools.bid) & (np.nan_to_num(tools.bid) * size - fee > 0)
    ask, bid = np.nan_to_num(tools.ask), np.nan_to_num(tools.bid)
    # the wealth ratio D W_T / B = 1 + (each contract's payoff and cost per bankroll) . (bought, sold)
    pay_points = _payoffs(points, tools) * size * discount / bankroll
    pay_nodes = _payoffs(nodes, tools) * size * discount / bankroll
    bought_cost, sold_credit = (size * ask + fee) / bankroll, (size * bid - fee) / bankroll
    used = np.r_[can_buy, can_sell]
    at_points = np.hstack([pay_points - bought_cost, sold_credit - pay_points])[:, used]
    at_nodes = np.hstack([pay_nodes - bought_cost, sold_credit - pay_nodes])[:, used]
    cash = np.r_[-bought_cost, sold_credit][used]
    calls = np.r_[tools.is_call, -1.0 * tools.is_call][used]
    instrument = np.r_[np.arange(tools.strike.size), np.arange(tools.strike.size)][used]
    sign = np.r_[np.ones(tools.strike.size), -np.ones(tools.strike.size)][used]
    k, m = at_points.shape[1], points.size
    # variables: whole contracts bought or sold per instrument (k), then the log growth's stand-in per point (m)
    objective = np.r_[np.zeros(k), -mass]
    highest = np.log1p(most * np.clip(at_points, 0.0, None).sum(axis=1))       # the log of the most wealth can be
    bounds = Bounds(np.r_[np.zeros(k), np.full(m, -np.inf)], np.r_[np.full(k, most), highest])
    integrality = np.r_[np.ones(k), np.zeros(m)]

    def row(coefficients: np.ndarray) -> np.ndarray:
        return np.hstack([coefficients, np.zeros((coefficients.shape[0], k + m - coefficients.shape[1]))])

    fixed = [LinearConstraint(row(at_nodes), -1, np.inf),                      # wealth >= 0 at every price
             LinearConstraint(row(cash[None, :]), -1, np.inf),                  # cash >= 0
             LinearConstraint(row(calls[None, :]), 0, np.inf),                  # calls bought >= calls sold
             LinearConstraint(np.r_[np.zeros(k), mass][None, :], target_nats, np.inf)]
    tangent_rows, tangent_bounds = [], []

    def tangents_at(ratio: np.ndarray) -> None:
        """t_j <= log r0 + (r_j - r0) / r0 with r_j = 1 + at_points_j . z."""
        tangent = np.zeros((m, k + m))
        tangent[:, :k] = -at_points / ratio[:, None]
        tangent[:, k:] = np.eye(m)
        tangent_rows.append(tangent)
        tangent_bounds.append(np.log(ratio) - 1 + 1 / ratio)

    for ratio in FIRST_TANGENTS:
        tangents_at(np.full(m, ratio))
    for solves in range(1, 100):
        found = milp(objective, integrality=integrality, bounds=bounds,
                     constraints=[*fixed, LinearConstraint(np.vstack(tangent_rows), -np.inf,
                                                           np.concatenate(tangent_bounds))],
                     options={"mip_rel_gap": 1e-3})
        if found.status == 2:                       # infeasible: no whole ticket reaches the target
            return Answer(False, {}, float("nan"), solves)
        assert found.status == 0, found.message
        z = np.round(found.x[:k])
        ratio = 1 + at_points @ z
        with np.errstate(divide="ignore"):
            growth = float(mass @ np.log(ratio))
        if growth >= target_nats:
            net = np.zeros(tools.strike.size)
            np.add.at(net, instrument, sign * z)
            return Answer(True, {f"{'C' if tools.is_call[i] else 'P'}{tools.strike[i]:g}": int(net[i])
                                 for i in np.flatnonzero(net)}, growth, solves)
        tangents_at(np.maximum(ratio, 1e-12))
    raise AssertionError("the outer approximation did not settle in 100 programmes")
