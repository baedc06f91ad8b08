"""The order ticket: whole option contracts a person can send to a broker, after commissions, within a number of legs
and a loss limit, for a bankroll in currency.

Conventions (docs/methods.md, "The order ticket"): bankroll B (currency); a contract is N shares of one option; the
wealth at expiry is W_T(S) = cash / D + sum_i c_i N payoff_i(S) (currency), with cash = B - premiums - commissions
held in the bond (never borrowed). Growth is E_p[log(D W_T / B)] in nats; for a CRRA risk aversion G != 1 the
certainty-equivalent growth is log(E_p[(D W_T / B)^(1-G)]) / (1-G), which is the log growth at G = 1. The worst-case
loss is B - min_S D W_T(S) over every price S >= 0 (W_T is piecewise linear: its lowest value sits at S = 0, at a
strike, or is unbounded when the slope above the top strike is negative).

The ticket is found in steps, each deterministic:
1. on a ladder of commissions per contract that does not depend on the user's (0.65 x 2^j), the continuous
   optimum of E_m[u(W)] (m the belief mixed with the market by the Kelly fraction, u the CRRA utility) over
   quantities bought at the ask plus commission and sold at the bid less commission, with the loss limit as linear
   constraints, solved by Clarabel (analytics.options.conic); a small quadratic on the
   quantities makes the problem strictly concave, so its optimum is unique and moves little when the inputs move
   little;
2. on each rung, when more legs than the limit trade, the largest premiums are kept and the optimum solved again
   over them alone;
3. on each rung, every rounding of each leg to the whole contracts on either side (and cash only), and a walk from
   the best of them to better neighbours (one contract more or less on one or two legs), costed at the quotes;
   with them, for every fee, tickets of one contract a leg (_single_contracts: where the bankroll buys a contract
   or two, rounding a fractional optimum is too coarse);
4. the ticket is chosen along the commissions per contract 0, 0.65, 1.3, ... up to the first at or above the
   user's, with the user's charge per order: at each, the best candidate (on the small quadrature) that keeps the
   budget and the loss limit, among those of the rungs at or above it, with no more legs than the choice before
   (_chosen_along_the_fees); it is then costed on the full grid at the user's commissions. A higher commission
   per contract never adds a leg and never raises the growth.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Callable

import numpy as np

from analytics.core.distributions import trapezoid_weights
from analytics.core.errors import InputError
from analytics.core.types import FloatArray
from analytics.options.conic import ConicFailure, maximise
from analytics.options.edge import (
    QUANTITY_CAP,
    ListedQuotes,
    OptimiserFailure,
    _Content,
    _Instruments,
    _segment_quadrature,
    position_program,
    strikes_that_matter,
    without_arbitrage,
)

QUADRATIC_PENALTY = 1e-6      # nats per (premium per bankroll)^2 of each leg: makes the optimum unique (step 1)
TURNOVER_PENALTY = 1e-6       # nats per bankroll of premium turned over: with zero commissions, the plainest position
LEG_THRESHOLD = 0.1           # contracts: legs of the continuous optimum below this are left out of the rounding
ENUMERATED_LEGS = 10          # roundings of at most this many legs are all tried (2^10); the rest round to nearest
MAX_LEGS_CEILING = 40         # the most legs a ticket may be asked for


@dataclass(frozen=True)
class TicketSettings:
    """What the order ticket is asked for: the bankroll in currency, the contract size in shares, the commission per
    contract and per order (currency), the most legs (None: no limit) and the largest worst-case loss as a fraction
    of the bankroll (None: never ruined, i.e. 1)."""

    bankroll: float
    contract_size: int = 100
    commission_per_contract: float = 0.65
    commission_per_order: float = 0.0
    max_legs: int | None = 6
    max_loss: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.bankroll) and 1 <= self.bankroll <= 1e12):
            raise InputError(f"bankroll {self.bankroll!r} must lie between 1 and 1e12 (currency)")
        if not (isinstance(self.contract_size, int) and 1 <= self.contract_size <= 10_000):
            raise InputError(f"contract size {self.contract_size!r} must be a whole number of shares, 1 to 10,000")
        for name, value in (("commission per contract", self.commission_per_contract),
                            ("commission per order", self.commission_per_order)):
            if not (math.isfinite(value) and 0 <= value <= 1e6):
                raise InputError(f"{name} {value!r} must be a non-negative amount of currency")
        if self.max_legs is not None and not (isinstance(self.max_legs, int)
                                               and 1 <= self.max_legs <= MAX_LEGS_CEILING):
            raise InputError(f"max legs {self.max_legs!r} must be a whole number from 1 to {MAX_LEGS_CEILING}")
        if self.max_loss is not None and not (math.isfinite(self.max_loss) and 0 < self.max_loss <= 1):
            raise InputError(f"max loss {self.max_loss!r} must be a fraction of the bankroll in (0, 1]")

    @property
    def loss_limit(self) -> float:
        return 1.0 if self.max_loss is None else self.max_loss


@dataclass(frozen=True)
class Order:
    """One line of the ticket: contracts are whole and positive, `side` says buy or sell; `limit` the quote it was
    costed at (per share); premium in currency, positive when paid; commission in currency (its share of the
    per-order fee included); `structure` the index of the named structure it belongs to."""

    symbol: str
    type: str
    strike: float
    expiry: str
    side: str
    contracts: int
    limit: float
    premium: float
    commission: float
    structure: int

    def as_record(self) -> dict[str, Any]:
        return {"symbol": self.symbol, "type": self.type, "strike": self.strike, "expiry": self.expiry,
                "side": self.side, "contracts": self.contracts, "limit": self.limit, "premium": self.premium,
                "commission": self.commission, "time_in_force": "DAY", "structure": self.structure}


@dataclass(frozen=True)
class Structure:
    """Orders that form one named position (a vertical, a butterfly...; 'single' otherwise): `net` the premiums
    and commissions paid (currency, negative for a credit), `max_loss` the most it can lose at expiry (currency,
    inf when unbounded)."""

    name: str
    orders: tuple[int, ...]
    net: float
    max_loss: float

    def as_record(self) -> dict[str, Any]:
        return {"name": self.name, "orders": list(self.orders), "net": self.net, "max_loss": self.max_loss}


@dataclass(frozen=True, eq=False)
class OrderTicket:
    """The whole ticket: orders, cash left in the bond, growths (nats) and the worst-case loss (currency).
    `continuous_growth_nats` is the fractional optimum's growth at the same prices and per-contract commissions
    (no per-order fee): the ceiling of the whole-contract ticket. `certainty_equivalent_nats` is at the ticket's
    gamma (the growth itself at gamma = 1); `full_kelly_growth_nats` the growth of the full-Kelly ticket when the
    ticket is for a smaller Kelly fraction (else the same as growth_nats)."""

    orders: tuple[Order, ...]
    structures: tuple[Structure, ...]
    cash: float
    growth_nats: float
    certainty_equivalent_nats: float
    continuous_growth_nats: float
    max_loss: float
    bankroll: float
    gamma: float
    wealth: FloatArray               # W_T on the market's grid, currency
    settings: TicketSettings

    def as_record(self) -> dict[str, Any]:
        from analytics.core.units import to_bits

        return {"orders": [o.as_record() for o in self.orders], "orders_cash": self.cash,
                "orders_growth_nats": self.growth_nats, "orders_growth_bits": to_bits(self.growth_nats),
                "orders_certainty_equivalent_nats": self.certainty_equivalent_nats,
                "orders_continuous_growth_nats": self.continuous_growth_nats,
                "orders_max_loss": self.max_loss, "orders_gamma": self.gamma,
                "structures": [s.as_record() for s in self.structures],
                "orders_settings": {"bankroll": self.settings.bankroll,
                                    "contract_size": self.settings.contract_size,
                                    "commission_per_contract": self.settings.commission_per_contract,
                                    "commission_per_order": self.settings.commission_per_order,
                                    "max_legs": self.settings.max_legs, "max_loss": self.settings.max_loss}}


def occ_symbol(root: str, expiry: str, option_type: str, strike: float) -> str:
    """The OCC option symbol without padding (as brokers and Yahoo print it): root, YYMMDD, C or P, strike x 1000
    in eight digits."""
    day = date.fromisoformat(expiry)
    return f"{root}{day:%y%m%d}{'C' if option_type == 'call' else 'P'}{round(strike * 1000):08d}"


def _utility(wealth_ratio: FloatArray, gamma: float) -> FloatArray:
    """CRRA utility of D W_T / B (-inf where the ratio is 0 and gamma >= 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if gamma == 1:
            return np.log(wealth_ratio)
        return np.power(wealth_ratio, 1 - gamma) / (1 - gamma)


def _certainty_equivalent(expected_utility: FloatArray, gamma: float) -> FloatArray:
    """log of the certainty-equivalent wealth ratio of an expected CRRA utility (nats)."""
    if gamma == 1:
        return expected_utility
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(expected_utility * (1 - gamma)) / (1 - gamma)


@dataclass(frozen=True, eq=False)
class _Book:
    """The instruments a ticket may use at their quotes, NaN on a side it may not trade: where the quote is better
    than the market density's own price (a bid above it, an ask below it) the edge would be the fit's error, not the
    view (docs/methods.md, "The options edge"), so that side is not traded."""

    tools: _Instruments
    forward: float
    discount: float


def _continuous(x: FloatArray, mixed: FloatArray, book: _Book, settings: TicketSettings, gamma: float,
                use: np.ndarray, *, every_point: bool = False, fee_per_contract: float | None = None) -> FloatArray:
    """Step 1: the strictly concave optimum over the instruments `use`, as net contracts per instrument (all
    instruments, zeros where not used), on the small quadrature (on every grid point with every_point: slower,
    exact). Forward notional per bankroll inside the solver keeps its numbers near 1."""
    forward, discount, bankroll = book.forward, book.discount, settings.bankroll
    source = book.tools
    can_buy, can_sell = np.isfinite(source.ask[use]), np.isfinite(source.bid[use])
    valued = _Instruments(source.is_call[use], source.strike[use], np.nan_to_num(source.bid[use]),
                          np.where(can_buy, source.ask[use], 0.0))
    fee = (settings.commission_per_contract if fee_per_contract is None else fee_per_contract) / \
        settings.contract_size      # per share
    n = valued.strike.size
    shape = valued.shape(forward)
    points, mass = _segment_quadrature(x, trapezoid_weights(x) * mixed, shape.nodes)
    if every_point:
        mass = trapezoid_weights(x) * mixed
        points, mass = x[mass > 0], mass[mass > 0]
    sell_price = valued.bid - fee
    price = np.r_[valued.ask, valued.bid] / forward
    premium_weight = np.r_[valued.ask, valued.ask] / forward
    program = position_program(
        valued, shape, points, mass, discount, buy_price=valued.ask + fee, sell_price=sell_price,
        cap_buy=np.where(can_buy, QUANTITY_CAP, 0.0), cap_sell=np.where(can_sell & (sell_price > 0), QUANTITY_CAP, 0.0),
        floor=(1 - settings.loss_limit) / discount, turnover=TURNOVER_PENALTY * price,
        quadratic=2 * QUADRATIC_PENALTY * premium_weight ** 2, gamma=gamma)
    try:
        z = maximise(program)
    except ConicFailure as exc:
        raise OptimiserFailure(str(exc)) from None
    buy, sell = z[:n], z[n:2 * n]
    net = np.zeros(book.tools.strike.size)
    net[use] = (buy - sell) * bankroll / forward / settings.contract_size
    return net


def _payoffs(x: FloatArray, tools: _Instruments) -> FloatArray:
    """Payoff per share of each instrument at x: shape (len(x), instruments)."""
    return np.maximum(np.where(tools.is_call, x[:, None] - tools.strike, tools.strike - x[:, None]), 0.0)


@dataclass(frozen=True, eq=False)
class _Candidates:
    """Signed whole contracts per candidate (rows) and leg (columns), with each candidate's cash and wealth."""

    contracts: np.ndarray
    cash: FloatArray
    commission: FloatArray          # per candidate and leg
    premium: FloatArray             # per candidate and leg
    wealth: FloatArray              # grid x candidates
    feasible: np.ndarray


def _roundings(contracts: FloatArray) -> np.ndarray:
    """Every rounding of the first ENUMERATED_LEGS legs to the whole contracts on either side (the rest to the
    nearest), and cash only: shape (candidates, legs), signed."""
    legs = contracts.size
    lower, upper = np.trunc(contracts), np.trunc(contracts) + np.sign(contracts)
    free = min(legs, ENUMERATED_LEGS)
    bits = (np.arange(2 ** free)[:, None] >> np.arange(free)[None, :]) & 1
    choices = np.where(bits == 1, upper[:free], lower[:free])
    rest = np.broadcast_to(np.round(contracts[free:]), (choices.shape[0], legs - free))
    return np.unique(np.vstack([np.zeros((1, legs)), np.hstack([choices, rest])]), axis=0).astype(np.int64)


def _costed(on_grid: FloatArray, on_nodes: FloatArray, tools: _Instruments, contracts: np.ndarray,
            settings: TicketSettings, discount: float, forward: float) -> _Candidates:
    """Each candidate costed at the quotes (buy at the ask, sell at the bid) with commissions, its cash, its wealth
    on the grid and whether it keeps the budget and the loss limit at every price."""
    size = settings.contract_size
    price = np.where(contracts > 0, tools.ask, np.where(contracts < 0, tools.bid, 0.0))    # NaN: a side not traded
    # in cents, as a broker books them: premiums + commissions + cash is the bankroll to the cent
    premium = np.round(contracts * size * price, 2)
    commission = np.round(np.abs(contracts) * settings.commission_per_contract +
                          (contracts != 0) * settings.commission_per_order, 2)
    cash = settings.bankroll - premium.sum(axis=1) - commission.sum(axis=1)
    shares = (contracts * size).astype(float).T                       # legs x candidates
    wealth = cash[None, :] / discount + on_grid @ shares
    at_nodes = cash[None, :] / discount + on_nodes @ shares
    slope_above = tools.is_call.astype(float) @ shares
    floor = settings.bankroll * (1 - settings.loss_limit)
    tolerance = 1e-9 * settings.bankroll
    # the continuous optimum's guard on any one leg's size holds for whole contracts too
    within_cap = np.all(np.abs(shares) * forward <= QUANTITY_CAP * settings.bankroll, axis=0)
    feasible = (cash >= -tolerance) & (slope_above >= 0) & within_cap & \
        (discount * at_nodes.min(axis=0) >= floor - tolerance)
    if settings.max_loss is None:         # never ruined: wealth above 0 everywhere
        feasible &= at_nodes.min(axis=0) > 0
    return _Candidates(contracts, cash, commission, premium, wealth, feasible)


def _shape_name(kind: str, strikes: list[float], signed: list[int]) -> str:
    """The name of one option type's legs (strikes ascending): vertical, butterfly, condor, long or short options,
    or a spread listing its long and short strikes."""
    listed = "/".join(f"{k:g}" for k in strikes)
    n = signed[0]
    if len(signed) == 1:
        return "single"
    if len(signed) == 2 and signed[1] == -n:
        return f"{kind} vertical {listed}"
    if len(signed) == 3 and signed[1] == -2 * n and signed[2] == n and \
            math.isclose(strikes[1] - strikes[0], strikes[2] - strikes[1]):
        return f"{kind} butterfly {listed}"
    if len(signed) == 4 and signed[1] == signed[2] == -n and signed[3] == n:
        return f"{kind} condor {listed}"
    if all(c > 0 for c in signed) or all(c < 0 for c in signed):
        return f"{'long' if n > 0 else 'short'} {kind}s {listed}"
    longs = "/".join(f"{k:g}" for k, c in zip(strikes, signed, strict=True) if c > 0)
    shorts = "/".join(f"{k:g}" for k, c in zip(strikes, signed, strict=True) if c < 0)
    return f"{kind} spread: long {longs}, short {shorts}"


def _name_structures(types: list[str], strikes: list[float], signed: list[int]) -> list[tuple[str, list[int]]]:
    """Orders grouped into named structures, each order in exactly one: one call put against one put of as many
    contracts is a risk reversal, a strangle or a straddle; otherwise the calls form one structure and the puts
    another, named by their shape (_shape_name)."""
    groups = {kind: sorted((i for i in range(len(types)) if types[i] == kind), key=lambda i: strikes[i])
              for kind in ("call", "put")}
    calls, puts = groups["call"], groups["put"]
    if len(calls) == 1 and len(puts) == 1 and abs(signed[calls[0]]) == abs(signed[puts[0]]) and \
            strikes[puts[0]] <= strikes[calls[0]]:
        c, p = calls[0], puts[0]
        pair = f"{strikes[p]:g}/{strikes[c]:g}"
        if (signed[p] > 0) != (signed[c] > 0):
            return [(f"risk reversal {pair}", sorted([p, c]))]
        kind = "straddle" if strikes[p] == strikes[c] else "strangle"
        return [(f"{'long' if signed[c] > 0 else 'short'} {kind} {pair}", sorted([p, c]))]
    found = [(_shape_name(kind, [strikes[i] for i in members], [signed[i] for i in members]), members)
             for kind, members in groups.items() if members]
    return sorted(found, key=lambda item: min(item[1]))


def _structure_loss(tools: _Instruments, legs: list[int], contracts: np.ndarray, net: float, size: int,
                    nodes: FloatArray) -> float:
    """The most a structure loses at expiry: its net cost minus its lowest payoff (inf when its slope above the top
    strike is negative)."""
    shares = contracts[legs] * size
    if float(tools.is_call[legs].astype(float) @ shares) < 0:
        return math.inf
    lowest = float((_payoffs(nodes, tools)[:, legs] @ shares).min())
    return max(net - lowest, 0.0)


def _objective(found: _Candidates, weights: FloatArray, settings: TicketSettings, discount: float,
               gamma: float) -> FloatArray:
    """Expected CRRA utility of each candidate under `weights` (trapezoid weights times the belief), -inf where a
    candidate breaks the budget or the loss limit or is ruined where the belief has mass."""
    ratio = np.maximum(discount * found.wealth / settings.bankroll, 0.0)
    has_mass = weights > 0
    utility = np.where(has_mass[:, None], _utility(np.where(has_mass[:, None], ratio, 1.0), gamma), 0.0)
    with np.errstate(invalid="ignore"):
        expected = weights @ utility
    return np.where(found.feasible & np.isfinite(expected), expected, -np.inf)


LOCAL_SEARCH_STEPS = 50


@functools.lru_cache(maxsize=64)
def _moves(legs: int) -> np.ndarray:
    """Every change of one contract on one leg, or on two legs at once (both ways each): rows of a move matrix."""
    eye = np.eye(legs, dtype=np.int64)
    i, j = np.triu_indices(legs, k=1)
    moves = np.vstack([eye, -eye, eye[i] + eye[j], eye[i] - eye[j], -eye[i] + eye[j], -eye[i] - eye[j]])
    moves.setflags(write=False)
    return moves


def _neighbours(start: np.ndarray) -> np.ndarray:
    """Every ticket one contract away on one leg, or on two legs at once."""
    return start + _moves(start.size)


def _generated_candidates(x: FloatArray, leg_tools: _Instruments, contracts: FloatArray, weights: FloatArray,
                          settings: TicketSettings, discount: float, forward: float, nodes: FloatArray,
                          gamma: float) -> np.ndarray:
    """Step 3 at one fee: every rounding of the legs to the whole contracts on either side (and cash only), and the
    end of a walk from the best of them to a better neighbour (one contract more or less on one or two legs) while
    one exists, judged on the small quadrature of the grid (W_T is linear between strikes). Ties go to the first
    candidate, so the walk is deterministic. Returns the candidates' signed contracts (rows)."""
    points, weights = _segment_quadrature(x, weights, nodes)
    on_grid, on_nodes = _payoffs(points, leg_tools), _payoffs(nodes, leg_tools)
    roundings = _roundings(contracts)
    found = _costed(on_grid, on_nodes, leg_tools, roundings, settings, discount, forward)
    score = _objective(found, weights, settings, discount, gamma)
    best = int(np.argmax(score))
    current = _walk(on_grid, on_nodes, leg_tools, found.contracts[best], weights, settings, discount, forward, gamma)
    return np.vstack([roundings, current[None, :]])


def _walk(on_grid: FloatArray, on_nodes: FloatArray, leg_tools: _Instruments, start: np.ndarray, weights: FloatArray,
          settings: TicketSettings, discount: float, forward: float, gamma: float,
          neighbours: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """From `start`, to the best neighbour (by default one contract more or less on one or two legs) while it is
    better; ties go to the first neighbour, so the walk is deterministic."""
    current = start
    value = float(_objective(_costed(on_grid, on_nodes, leg_tools, current[None, :], settings, discount, forward),
                             weights, settings, discount, gamma)[0])
    for _step in range(LOCAL_SEARCH_STEPS):
        rows = (neighbours or _neighbours)(current)
        if rows.shape[0] == 0:
            break
        around = _costed(on_grid, on_nodes, leg_tools, rows, settings, discount, forward)
        around_score = _objective(around, weights, settings, discount, gamma)
        step = int(np.argmax(around_score))
        if not around_score[step] > value + 1e-12 * max(abs(value), 1e-300):
            break
        current, value = around.contracts[step], float(around_score[step])
    return current


def _book(x: FloatArray, p: FloatArray, q: FloatArray, mixed: FloatArray, quotes: ListedQuotes, discount: float,
          forward: float) -> _Book | None:
    """The instruments a ticket may use (arbitrage set aside, quotes rounded to a tenth of a cent), or None."""
    chosen = strikes_that_matter(x, [p, q, mixed], quotes.strikes)
    tools = _Instruments.of(quotes, chosen, forward)
    if tools.strike.size == 0:
        return None
    tools, _arbitrage = without_arbitrage(tools, discount, forward)
    valued = tools.no_better_than(x, q, discount)
    # quotes are quoted to the tenth of a cent at most: the mid +- half spread arithmetic leaves float dust
    bid = np.where(valued.bid == tools.bid, np.round(tools.bid, 4), np.nan)
    ask = np.where(valued.ask == tools.ask, np.round(tools.ask, 4), np.nan)
    return _Book(_Instruments(tools.is_call, tools.strike, bid, ask), forward, discount)


FEE_LADDER_START = 0.65       # currency per contract: the first rung of the ladder the candidates are generated on
FEE_LADDER_RUNGS = 40         # at most this many doublings (the trade always stops long before)


SUPPORT_THRESHOLD = 0.01      # contracts: instruments below this on one rung are left out of the next rungs


def _candidates(x: FloatArray, mixed: FloatArray, book: _Book, settings: TicketSettings, gamma: float,
                nodes: FloatArray) -> tuple[np.ndarray, FloatArray]:
    """Whole-contract tickets (rows, signed contracts per instrument) generated on the rungs of the fee ladder
    (_ladder), cash only among them, and for each the highest commission per contract of a rung that generated it
    (inf for cash only and the one-contract tickets, kept for every fee)."""
    rungs = _ladder(_LadderKey(x, mixed, book, settings, gamma, nodes))
    rows = np.vstack([np.zeros((1, book.tools.strike.size), dtype=np.int64), *(found for _fee, found in rungs)])
    fees = np.concatenate([[math.inf], *(np.full(found.shape[0], fee) for fee, found in rungs)])
    unique, inverse = np.unique(rows, axis=0, return_inverse=True)
    top = np.full(unique.shape[0], -math.inf)
    np.maximum.at(top, inverse.ravel(), fees)
    return unique, top


def _fee_steps(fee: float) -> list[float]:
    """The commissions per contract the ticket is chosen along: 0, then the ladder's 0.65 x 2^j up to the first at
    or above `fee`."""
    steps = [0.0]
    if fee > 0:
        steps.append(FEE_LADDER_START)
        while steps[-1] < fee * (1 - 1e-12):
            steps.append(steps[-1] * 2)
    return steps


def _chosen_along_the_fees(on_points: FloatArray, on_nodes: FloatArray, weights: FloatArray, leg_tools: _Instruments,
                           candidates: np.ndarray, top: FloatArray, settings: TicketSettings, discount: float,
                           forward: float, gamma: float) -> int:
    """The candidate the ticket is, chosen along the commissions per contract of _fee_steps (with the user's
    charge per order): at each step the best of the candidates its rungs still offer (top >= the step) with no
    more legs than the choice at the step before. The user's commission takes the choice of the first step at or
    above it. So a higher commission per contract never adds a leg, and never raises the growth: the choice at a
    step was open to the step before (no more legs, and a candidate of a dearer rung is one of a cheaper rung's),
    where it did no better, and a choice is worth less at any higher fee (docs/methods.md, "The order ticket").
    on_points and on_nodes: the legs' payoffs at the quadrature's points (weights) and at the strikes."""
    legs = np.count_nonzero(candidates, axis=1)
    chosen, bound = 0, math.inf
    for fee in _fee_steps(settings.commission_per_contract):
        open_ = np.flatnonzero((top >= fee * (1 - 1e-12)) & (legs <= bound))
        judged = _costed(on_points, on_nodes, leg_tools, candidates[open_], replace(settings,
                         commission_per_contract=fee), discount, forward)
        chosen = int(open_[int(np.argmax(_objective(judged, weights, settings, discount, gamma)))])
        bound = legs[chosen]
        if bound == 0:          # cash only: every dearer step can only hold cash too
            break
    return chosen


class _LadderKey(_Content):
    """The inputs a ladder depends on (not the commissions): compared by content, carrying the objects."""

    def __init__(self, x: FloatArray, mixed: FloatArray, book: _Book, settings: TicketSettings, gamma: float,
                 nodes: FloatArray) -> None:
        tools = book.tools
        super().__init__(x, mixed, tools.is_call, tools.strike, tools.bid, tools.ask, nodes, book.discount,
                         book.forward, settings.bankroll, float(settings.contract_size),
                         float(settings.max_legs or 0), settings.loss_limit, gamma)
        self.inputs = (x, mixed, book, settings, gamma, nodes)


@functools.lru_cache(maxsize=16)
def _ladder(key: _LadderKey) -> tuple[tuple[float, np.ndarray], ...]:
    """Every rung 0.65 x 2^j with its candidates (remembered: a new fee, or a new charge per order, on the same
    market and belief finds them done). Each rung's optimum is over every instrument on the first rung, then over
    the instruments the rung below held (a dearer trade holds fewer); the ladder stops at the first rung where the
    optimum trades nothing, since at every higher fee it trades nothing too."""
    x, mixed, book, settings, gamma, nodes = key.inputs
    support = np.arange(book.tools.strike.size)
    rungs = []
    for step in range(FEE_LADDER_RUNGS):
        found = _rung(x, mixed, book, settings, gamma, nodes, FEE_LADDER_START * 2.0 ** step, support)
        if found is None:
            break
        rung, support = found
        if step == 0:
            rungs.append((math.inf, _single_contracts(x, mixed, book, settings, gamma, nodes, rung[1])))
        rungs.append(rung)
    return tuple(rungs)


SMALL_TICKET_LEGS = 30        # instruments the one-contract tickets are built from (the first rung's largest)
SMALL_TICKETS_KEPT = 16       # the best one-contract tickets kept as candidates (and walked from)


def _single_contracts(x: FloatArray, mixed: FloatArray, book: _Book, settings: TicketSettings, gamma: float,
                      nodes: FloatArray, first_rung: np.ndarray) -> np.ndarray:
    """Tickets of one contract a leg, judged at the first rung's commission: each option the first rung traded,
    bought or sold alone; each pair of them bought and sold against each other; and each of them against every other
    option of its type (a vertical whose other strike the fractional optimum did not hold: where the bankroll buys
    only a contract or two, an SPX option being about seven bankrolls of 100,000 in notional, the best whole
    vertical is often not made of the fractional optimum's strikes). The best SMALL_TICKETS_KEPT of them are kept,
    with the end of a walk from the best one; they do not depend on the user's fee (they are kept for every fee, as
    a rung of infinite commission)."""
    tools = book.tools
    size = first_rung.shape[1]
    held = np.flatnonzero(np.any(first_rung != 0, axis=0))[:SMALL_TICKET_LEGS]
    rows = [np.zeros((0, size), dtype=np.int64)]
    singles = np.zeros((2 * held.size, size), dtype=np.int64)
    singles[np.arange(held.size), held] = 1
    singles[held.size + np.arange(held.size), held] = -1
    rows.append(singles)
    if settings.max_legs is None or settings.max_legs >= 2:
        i, j = np.triu_indices(held.size, k=1)
        first, second = held[i], held[j]
        anchor, other = np.nonzero(tools.is_call[held][:, None] == tools.is_call[None, :])
        anchor, other = held[anchor], other
        apart = ~np.isin(other, held)
        first, second = np.r_[first, anchor[apart]], np.r_[second, other[apart]]
        pairs = np.zeros((2 * first.size, size), dtype=np.int64)
        pairs[np.arange(first.size), first], pairs[np.arange(first.size), second] = 1, -1
        pairs[first.size + np.arange(first.size), first] = -1
        pairs[first.size + np.arange(first.size), second] = 1
        rows.append(pairs)
    tried = np.vstack(rows)
    if tried.shape[0] == 0:
        return tried
    legs = np.flatnonzero(np.any(tried != 0, axis=0))
    leg_tools = _Instruments(tools.is_call[legs], tools.strike[legs], tools.bid[legs], tools.ask[legs])
    rung = replace(settings, commission_per_contract=FEE_LADDER_START, commission_per_order=0.0)
    points, weights = _segment_quadrature(x, trapezoid_weights(x) * mixed, nodes)
    on_grid, on_nodes = _payoffs(points, leg_tools), _payoffs(nodes, leg_tools)
    score = _objective(_costed(on_grid, on_nodes, leg_tools, tried[:, legs], rung, book.discount, book.forward),
                       weights, rung, book.discount, gamma)
    kept = tried[_best_of_each_kind(tried, score, tools.is_call)]
    if kept.shape[0] == 0:
        return kept
    # two of the best side by side (a call vertical with a put vertical...), where the legs allow
    a, b = np.triu_indices(kept.shape[0], k=1)
    apart = ~np.any((kept[a] != 0) & (kept[b] != 0), axis=1)
    combined = kept[a[apart]] + kept[b[apart]]
    if settings.max_legs is not None:
        combined = combined[np.count_nonzero(combined, axis=1) <= settings.max_legs]
    tried = np.vstack([kept, combined])
    score = _objective(_costed(on_grid, on_nodes, leg_tools, tried[:, legs], rung, book.discount, book.forward),
                       weights, rung, book.discount, gamma)
    order = np.argsort(-score, kind="stable")[:SMALL_TICKETS_KEPT]
    kept = tried[order[np.isfinite(score[order])]]
    shifts = _strike_shifts(leg_tools)

    def nearby(current: np.ndarray) -> np.ndarray:
        """A leg moved to a nearby strike of its type, or one contract more or less on one or two legs, within the
        most legs asked."""
        around = np.vstack([_shifted(current, shifts), current + _spread_moves(current)])
        return around if settings.max_legs is None else around[np.count_nonzero(around, axis=1) <= settings.max_legs]

    walked = np.zeros((1, size), dtype=np.int64)
    walked[0, legs] = _walk(on_grid, on_nodes, leg_tools, kept[0, legs], weights, rung, book.discount, book.forward,
                            gamma, nearby)
    return np.vstack([kept, walked])


def _best_of_each_kind(rows: np.ndarray, score: FloatArray, is_call: np.ndarray) -> np.ndarray:
    """The rows of the SMALL_TICKETS_KEPT best finite scores among tickets of calls only, of puts only and of both,
    best first within each kind (ties to the first row). Kept apart because the best tickets of one kind crowd out
    the other: on TSLA 2026-12-18 the 16 best one-contract tickets of the down view were all put verticals, and the
    best whole ticket is a put vertical beside a call vertical (docs/methods.md, "The order ticket")."""
    has_call = np.any((rows != 0) & is_call, axis=1)
    has_put = np.any((rows != 0) & ~is_call, axis=1)
    kind = np.where(has_call & has_put, 2, np.where(has_call, 0, 1))
    order = np.lexsort((np.arange(score.size), -score, kind))
    rank_in_kind = np.arange(order.size) - np.searchsorted(kind[order], kind[order])
    chosen = order[(rank_in_kind < SMALL_TICKETS_KEPT) & np.isfinite(score[order])]
    return chosen[np.argsort(-score[chosen], kind="stable")]


SHIFT_STRIKES = 3             # a leg of a one-contract ticket may move this many strikes either way in one step


def _strike_shifts(tools: _Instruments) -> np.ndarray:
    """For each instrument, the instruments of its type up to SHIFT_STRIKES strikes away (-1 where there is none):
    shape (instruments, 2 SHIFT_STRIKES)."""
    order = np.lexsort((tools.strike, tools.is_call))
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    offsets = np.r_[np.arange(-SHIFT_STRIKES, 0), np.arange(1, SHIFT_STRIKES + 1)]
    target = rank[:, None] + offsets[None, :]
    inside = (target >= 0) & (target < order.size)
    found = np.where(inside, order[np.clip(target, 0, order.size - 1)], -1)
    same_type = (found >= 0) & (tools.is_call[np.maximum(found, 0)] == tools.is_call[:, None])
    return np.where(same_type, found, -1)


def _shifted(current: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Every ticket with one leg of `current` moved, whole, to another instrument of `shifts` that it does not hold."""
    used = np.flatnonzero(current)
    source = np.repeat(used, shifts.shape[1])
    target = shifts[used].ravel()
    ok = (target >= 0) & (current[np.maximum(target, 0)] == 0)
    source, target = source[ok], target[ok]
    rows = np.repeat(current[None, :], source.size, axis=0)
    rows[np.arange(source.size), target] = current[source]
    rows[np.arange(source.size), source] = 0
    return rows


def _spread_moves(current: np.ndarray) -> np.ndarray:
    """_moves on the legs `current` holds, as rows over every instrument."""
    used = np.flatnonzero(current)
    moves = np.zeros((0, current.size), dtype=np.int64)
    if used.size:
        moves = np.zeros((_moves(used.size).shape[0], current.size), dtype=np.int64)
        moves[:, used] = _moves(used.size)
    return moves


def _rung(x: FloatArray, mixed: FloatArray, book: _Book, settings: TicketSettings, gamma: float, nodes: FloatArray,
          fee: float, support: np.ndarray) -> tuple[tuple[float, np.ndarray], np.ndarray] | None:
    """One rung: the optimum over `support` at this commission per contract (no per-order fee, so that the
    candidates do not depend on it), at most max_legs of its legs (the largest premiums) solved again alone, then
    step 3. Returns (fee, candidate rows over every instrument) and the instruments it held; None when it trades
    nothing."""
    tools = book.tools
    rung = replace(settings, commission_per_contract=fee, commission_per_order=0.0)
    contracts = _continuous(x, mixed, book, rung, gamma, support)
    legs = _kept_legs(contracts, tools, settings.max_legs)
    if legs.size == 0:
        return None
    held = np.flatnonzero(np.abs(contracts) >= SUPPORT_THRESHOLD)
    if np.count_nonzero(np.abs(contracts) >= LEG_THRESHOLD) > legs.size:
        contracts = _continuous(x, mixed, book, rung, gamma, legs)
    leg_tools = _Instruments(tools.is_call[legs], tools.strike[legs], tools.bid[legs], tools.ask[legs])
    rows = _generated_candidates(x, leg_tools, contracts[legs], trapezoid_weights(x) * mixed, rung,
                                 book.discount, book.forward, nodes, gamma)
    full = np.zeros((rows.shape[0], tools.strike.size), dtype=np.int64)
    full[:, legs] = rows
    return (fee, full), held


def _kept_legs(contracts: FloatArray, tools: _Instruments, max_legs: int | None) -> np.ndarray:
    """The legs of at least LEG_THRESHOLD contracts, at most max_legs of them, the largest premiums first."""
    legs = np.flatnonzero(np.abs(contracts) >= LEG_THRESHOLD)
    if max_legs is None or legs.size <= max_legs:
        return legs
    premium = np.nan_to_num(np.abs(contracts[legs]) * np.where(contracts[legs] > 0, tools.ask[legs], tools.bid[legs]))
    return np.sort(legs[np.argsort(-premium, kind="stable")[:max_legs]])


@dataclass(frozen=True)
class FractionalOptimum:
    """The fractional-contract optimum at the quotes and the per-contract commission (no per-order fee): its growth
    over every instrument, solved on every grid point (the ceiling of any ticket), its growth over its max_legs
    largest legs alone (solved on the small quadrature), and the contracts those hold in all."""

    ceiling_nats: float
    within_legs_nats: float
    contracts: float


def fractional_optimum(x: FloatArray, p: FloatArray, q: FloatArray, quotes: ListedQuotes, discount: float,
                       forward: float, settings: TicketSettings, *, gamma: float = 1.0,
                       kelly_fraction: float = 1.0) -> FractionalOptimum:
    """What whole contracts are measured against (see FractionalOptimum); growths in nats under p."""
    w = trapezoid_weights(x)
    p, q = p / float(w @ p), q / float(w @ q)
    mixed = kelly_fraction * p + (1 - kelly_fraction) * q
    book = _book(x, p, q, mixed, quotes, discount, forward)
    if book is None or np.array_equal(mixed, q):
        return FractionalOptimum(0.0, 0.0, 0.0)

    def solved(use: np.ndarray) -> FloatArray:
        try:
            return _continuous(x, mixed, book, settings, gamma, use, every_point=True)
        except OptimiserFailure:        # thousands of cones can stall the solver: the small quadrature then
            return _continuous(x, mixed, book, settings, gamma, use)

    every = solved(np.arange(book.tools.strike.size))
    keep = _kept_legs(every, book.tools, settings.max_legs)
    if keep.size == 0:
        return FractionalOptimum(0.0, 0.0, 0.0)
    within = _continuous(x, mixed, book, settings, gamma, keep)       # a measure, not a ceiling: the quadrature
    return FractionalOptimum(_costed_fraction(x, p, book.tools, every, settings, discount),
                             _costed_fraction(x, p, book.tools, within, settings, discount),
                             float(np.abs(within).sum()))


def order_ticket(x: FloatArray, p: FloatArray, q: FloatArray, quotes: ListedQuotes, discount: float, forward: float,
                 settings: TicketSettings, *, expiry: str, root: str, gamma: float = 1.0,
                 kelly_fraction: float = 1.0) -> OrderTicket:
    """The whole-contract order ticket for belief p against market q (see the module docstring). The orders
    maximise E_m[u(W)] with m = kelly_fraction p + (1 - kelly_fraction) q; the growths reported are under p."""
    w = trapezoid_weights(x)
    p, q = p / float(w @ p), q / float(w @ q)
    mixed = kelly_fraction * p + (1 - kelly_fraction) * q
    bankroll = settings.bankroll
    nothing = OrderTicket((), (), bankroll, 0.0, 0.0, 0.0, 0.0, bankroll, gamma, np.full(x.size, bankroll / discount),
                          settings)
    book = _book(x, p, q, mixed, quotes, discount, forward)
    if book is None or np.array_equal(mixed, q):
        return nothing
    tools = book.tools
    nodes = np.unique(np.r_[0.0, tools.strike])
    candidates, top = _candidates(x, mixed, book, settings, gamma, nodes)
    legs = np.flatnonzero(np.any(candidates != 0, axis=0))
    if legs.size == 0:
        return nothing
    leg_tools = _Instruments(tools.is_call[legs], tools.strike[legs], tools.bid[legs], tools.ask[legs])
    points, weights = _segment_quadrature(x, w * mixed, nodes)
    on_nodes = _payoffs(nodes, leg_tools)
    best = _chosen_along_the_fees(_payoffs(points, leg_tools), on_nodes, weights, leg_tools, candidates[:, legs], top,
                                  settings, discount, forward, gamma)
    found = _costed(_payoffs(x, leg_tools), on_nodes, leg_tools, candidates[best:best + 1, legs], settings, discount,
                    forward)
    best = 0
    held = np.flatnonzero(found.contracts[0] != 0)
    continuous = 0.0
    if held.size:
        fractional = _continuous(x, mixed, book, settings, gamma, legs[held])
        continuous = _costed_fraction(x, p, tools, fractional, settings, discount)
    signed = found.contracts[best]
    used = np.flatnonzero(signed != 0)
    if used.size == 0 or not found.feasible[best]:
        return nothing
    wealth = found.wealth[:, best]
    ratio = discount * wealth / bankroll
    growth = float((w * p) @ _utility(np.where(p > 0, ratio, 1.0), 1.0))
    certainty = float(_certainty_equivalent(np.asarray((w * p) @ _utility(np.where(p > 0, ratio, 1.0), gamma)), gamma))
    if not growth > 0 and gamma == 1:
        return nothing
    worst = bankroll - discount * float(found.cash[best] / discount +
                                        (_payoffs(nodes, leg_tools) @ (signed * settings.contract_size)).min())
    types = ["call" if leg_tools.is_call[i] else "put" for i in used]
    strikes = [float(leg_tools.strike[i]) for i in used]
    groups = _name_structures(types, strikes, [int(signed[i]) for i in used])
    structure_of = {leg: k for k, (_name, members) in enumerate(groups) for leg in members}
    orders = tuple(Order(occ_symbol(root, expiry, types[j], strikes[j]), types[j], strikes[j], expiry,
                         "buy" if signed[i] > 0 else "sell", abs(int(signed[i])),
                         float(leg_tools.ask[i] if signed[i] > 0 else leg_tools.bid[i]),
                         float(found.premium[best, i]), float(found.commission[best, i]), structure_of[j])
                   for j, i in enumerate(used))
    structures = []
    for name, members in groups:
        net = round(sum(orders[j].premium + orders[j].commission for j in members), 2)
        structures.append(Structure(name, tuple(members), net,
                                    _structure_loss(leg_tools, [int(used[j]) for j in members], signed, net,
                                                    settings.contract_size, nodes)))
    return OrderTicket(orders, tuple(structures), round(float(found.cash[best]), 2), growth, certainty,
                       continuous, max(worst, 0.0), bankroll, gamma, wealth, settings)


def _costed_fraction(x: FloatArray, p: FloatArray, tools: _Instruments, contracts: FloatArray,
                     settings: TicketSettings, discount: float) -> float:
    """The growth under p of fractional contracts at the quotes and the per-contract commission (no per-order
    fee), on the full grid; 0 when it is not better than cash."""
    size = settings.contract_size
    held = np.flatnonzero(contracts != 0)
    tools = _Instruments(tools.is_call[held], tools.strike[held], tools.bid[held], tools.ask[held])
    contracts = contracts[held]
    premium = np.nan_to_num(contracts * size * np.where(contracts > 0, tools.ask, tools.bid))   # fractional
    cash = settings.bankroll - premium.sum() - np.abs(contracts).sum() * settings.commission_per_contract
    wealth = cash / discount + _payoffs(x, tools) @ (contracts * size)
    ratio = discount * wealth / settings.bankroll
    if cash < 0 or np.any((p > 0) & (ratio <= 0)):
        return 0.0
    w = trapezoid_weights(x)
    with np.errstate(divide="ignore"):
        growth = float(np.sum(np.where(p > 0, w * p * np.log(np.where(p > 0, ratio, 1.0)), 0.0)))
    return max(growth, 0.0)
