"""The options edge: how much of the disagreement KL(p||q) listed options can capture, and the trades.

Conventions (docs/methods.md, "The options edge"): p is the belief, q the market's risk-neutral density, both on
the market's price grid x and normalised with the trapezoid weights of x; growth is the expected log return in
excess of the bond over the option's life, E_p[log(W_T D / W0)], in nats (bits twins where reported), never
annualised. A budget of 1 (one unit of bankroll); quantities are in units of the underlying (one option on one
share) per unit of bankroll; a cost is positive when paid.

The sandwich, each figure priced by q itself (free of arbitrage by construction):
    binned KL(P||Q) <= butterfly growth <= growth_mid <= KL(p||q)
with strike buckets B_j (hat functions on the listed strikes, flat beyond the outermost: put spread, butterflies,
call spread), P_j = E_p[B_j], Q_j = E_q[B_j]; the butterfly portfolio holds P_j/Q_j of bucket j; growth_mid is
the best payoff the listed strikes can build (piecewise linear, kinks at strikes). The tradable optimum buys at
the ask and sells at the bid (out-of-the-money options, the quotes the density is fitted to, and both kinds at the
two strikes around the forward), holds the rest in the bond, and is never ruined (W >= 0 at S = 0, at every strike
and a non-negative slope beyond the top strike). Both optima are concave maximisations solved by Clarabel (an
interior-point conic solver; analytics.options.conic), on a quadrature that keeps a few points per strike interval; the
growth reported is always recomputed from the reported position on the full grid.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy import sparse
from scipy.integrate import trapezoid
from scipy.optimize import linprog

from analytics.core.distributions import trapezoid_weights
from analytics.core.divergence import kl_divergence_grid, renyi_divergence_grid
from analytics.core.errors import InputError
from analytics.core.types import FloatArray
from analytics.options.chain import ExpiryQuotes
from analytics.options.conic import ConicFailure, UtilityProgram, maximise

if TYPE_CHECKING:
    from analytics.betting.slip import SlipSettings
    from analytics.options.orders import OrderTicket, TicketSettings

QUADRATURE_POINTS = 400      # about this many points inside the strikes, at least 2 and at most 3 per interval (W is
                             # linear there: 2-3 carry log W to ~1e-7 nats; the solver's time grows with the count)
POINTS_PER_TAIL = 8
STRIKE_MASS_CUTOFF = 1e-4    # strikes beyond the (1e-4, 1 - 1e-4) quantiles of every density hardly matter
QUANTITY_CAP = 1000           # forward notional per bankroll in one leg: a guard for the solver; strong views on the
                             # nearest expiries reach it (a belief 2 % above SPY two days out buys narrow spreads)
LEG_FLOOR = 5e-3             # legs below 0.5 % of the bankroll in forward notional are dropped (solver noise and dust)
GROWTH_FLOOR = 1e-9          # nats: a position growing less than this is cash (the cash-only growth is exactly 0)
FIT_PRICE_MARGIN = 1e-6      # per unit of strike: how far beyond the density's price an option is valued where the
                             # quote is better than that price (0.07 cents per share at a strike of 700)
NOTIONAL_PENALTY = 1e-6      # nats per bankroll of premium turned over: the plainest of equally good positions


def strike_buckets(x: FloatArray, strikes: FloatArray) -> FloatArray:
    """B[i, j]: hat function of strike j at x_i, flat beyond the outermost strikes (bottom ramp = put spread,
    hats = butterflies, top ramp = call spread). Rows sum to 1. Shape (len(x), len(strikes))."""
    x, strikes = np.asarray(x, dtype=float), np.asarray(strikes, dtype=float)
    right = np.clip(np.searchsorted(strikes, x), 1, strikes.size - 1)
    left = right - 1
    share = np.clip((x - strikes[left]) / (strikes[right] - strikes[left]), 0.0, 1.0)
    basis = np.zeros((x.size, strikes.size))
    rows = np.arange(x.size)
    basis[rows, left] = 1.0 - share
    basis[rows, right] += share
    return basis


@dataclass(frozen=True, eq=False)
class BucketEdge:
    """Strike-bucket masses of belief (P) and market (Q), the binned KL(P||Q) and the butterfly portfolio's
    growth E_p[log sum_j (P_j/Q_j) B_j], in nats."""

    belief_mass: FloatArray
    market_mass: FloatArray
    binned_kl_nats: float
    butterfly_growth_nats: float


def bucket_edge(x: FloatArray, p: FloatArray, q: FloatArray, strikes: FloatArray) -> BucketEdge:
    """Strike-bucket masses of p and q (normalised with the trapezoid weights of x), the binned KL and the butterfly
    portfolio's growth, in nats (docs/methods.md, "The options edge")."""
    w = trapezoid_weights(x)
    basis = strike_buckets(x, strikes)
    big_p, big_q = basis.T @ (w * p), basis.T @ (w * q)
    big_p, big_q = big_p / big_p.sum(), big_q / big_q.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        binned = float(np.sum(np.where(big_p > 0, big_p * np.log(big_p / big_q), 0.0)))
        ratio = np.where(big_q > 0, big_p / big_q, 0.0)
        wealth = basis @ ratio
        butterfly = float(np.sum(np.where(p > 0, w * p * np.log(wealth), 0.0)))
    return BucketEdge(big_p, big_q, max(binned, 0.0), butterfly)


@dataclass(frozen=True)
class ListedQuotes:
    """One expiry's two-sided quotes: per strike, call and put bid and ask (NaN where a side is not quoted)."""

    strikes: FloatArray
    call_bid: FloatArray
    call_ask: FloatArray
    put_bid: FloatArray
    put_ask: FloatArray

    @classmethod
    def from_expiry(cls, q: ExpiryQuotes) -> ListedQuotes:
        return cls(q.strikes, q.call_mid - q.call_spread / 2, q.call_mid + q.call_spread / 2,
                   q.put_mid - q.put_spread / 2, q.put_mid + q.put_spread / 2)

    def widened(self, factor: float) -> ListedQuotes:
        """Every spread times `factor` around its mid (bids floored at 0)."""
        def side(bid: FloatArray, ask: FloatArray) -> tuple[FloatArray, FloatArray]:
            mid, half = (bid + ask) / 2, (ask - bid) / 2 * factor
            return np.maximum(mid - half, 0.0), mid + half
        cb, ca = side(self.call_bid, self.call_ask)
        pb, pa = side(self.put_bid, self.put_ask)
        return ListedQuotes(self.strikes, cb, ca, pb, pa)


@dataclass(frozen=True, eq=False)
class TradableExpiry:
    """What can be traded at one expiry: its listed quotes, the discount factor D and the forward F."""

    quotes: ListedQuotes
    discount: float
    forward: float
    expiry: str = ""
    root: str = ""          # the option symbols' root (SPY, SPXW), for the order ticket's OCC symbols


@dataclass(frozen=True)
class EdgeSettings:
    """How the options edge is asked for: the Kelly fraction (share of the belief mixed with the market for the
    position, in [0, 1]), the user's CRRA risk aversion gamma (> 0; 1 is log utility) and the market's pricing-kernel
    risk aversion (None: not adjusted)."""

    kelly_fraction: float = 1.0
    gamma: float = 1.0
    market_gamma: float | None = None
    ticket: TicketSettings | None = None     # an order ticket in whole contracts (analytics.options.orders)
    slip: SlipSettings | None = None         # a bet slip in currency, for odds markets (analytics.betting.slip)
    max_total_stake: float | None = None     # odds markets: the stakes of one event sum to at most this fraction

    def __post_init__(self) -> None:
        if not (math.isfinite(self.kelly_fraction) and 0 <= self.kelly_fraction <= 1):
            raise InputError(f"Kelly fraction {self.kelly_fraction!r} must lie in [0, 1] (1 is full Kelly)")
        if not (math.isfinite(self.gamma) and 0.05 <= self.gamma <= 50):
            raise InputError(f"risk aversion gamma {self.gamma!r} must lie in [0.05, 50] (1 is log utility)")
        if self.market_gamma is not None and not (math.isfinite(self.market_gamma) and -20 <= self.market_gamma <= 20):
            raise InputError(f"market risk aversion {self.market_gamma!r} must lie in [-20, 20] (typical: 1 to 5)")
        if self.max_total_stake is not None and not (math.isfinite(self.max_total_stake)
                                                     and 0 < self.max_total_stake <= 1):
            raise InputError(f"--max-total-stake {self.max_total_stake!r} must be a fraction of the bankroll in "
                             "(0, 1]")


OptionType = Literal["call", "put"]
Side = Literal["buy", "sell"]


@dataclass(frozen=True)
class OptionLeg:
    """One listed option bought or sold: quantity per unit of bankroll (units of the underlying), the quote
    used and the signed cost (positive when paid)."""

    type: OptionType
    strike: float
    side: Side
    quantity: float
    price: float
    cost: float

    def payoff(self, x: FloatArray) -> FloatArray:
        """Signed payoff at expiry per unit of bankroll."""
        intrinsic = np.maximum(x - self.strike, 0.0) if self.type == "call" else np.maximum(self.strike - x, 0.0)
        return (1.0 if self.side == "buy" else -1.0) * self.quantity * intrinsic

    def as_record(self) -> dict[str, float | str]:
        return {"type": self.type, "strike": self.strike, "side": self.side, "quantity": self.quantity,
                "price": self.price, "cost": self.cost}


@dataclass(frozen=True, eq=False)
class OptionPosition:
    """A position in listed options and the bond: legs, cash in the bond (fraction of bankroll), its payoff per unit
    of bankroll on the grid, its growth under the belief (nats) and its log return if the market is right
    (E_q[log(W D)] <= 0: the side of the reverse KL). `arbitrage` names the quotes that admit an arbitrage when
    they do; those quotes are set aside, so the position is bounded."""

    legs: tuple[OptionLeg, ...]
    cash_fraction: float
    payoff: FloatArray
    growth_nats: float
    market_growth_nats: float
    arbitrage: str | None


def _segment_quadrature(x: FloatArray, mass: FloatArray, breaks: FloatArray) -> tuple[FloatArray, FloatArray]:
    """A small quadrature for E[f] with f linear between `breaks`: the grid's mass split into a few groups per
    interval (equal mass), each at its mass-weighted centre. Points without mass are left out."""
    keep = mass > 1e-14 * mass.max()
    xs, ms = x[keep], mass[keep]
    segment = np.searchsorted(breaks, xs)
    inner = (segment > 0) & (segment < breaks.size)
    per_interval = int(np.clip(QUADRATURE_POINTS // max(breaks.size - 1, 1), 2, 3))
    per = np.where(inner, per_interval, POINTS_PER_TAIL)
    starts = np.r_[0, np.flatnonzero(np.diff(segment)) + 1]
    counts = np.diff(np.r_[starts, xs.size])
    seg_mass = np.add.reduceat(ms, starts)
    before = np.repeat(np.cumsum(ms)[starts] - ms[starts], counts)
    position = (np.cumsum(ms) - ms / 2 - before) / np.repeat(seg_mass, counts)
    group = segment * (POINTS_PER_TAIL + 1) + np.minimum((position * per).astype(int), per - 1)
    _, index = np.unique(group, return_inverse=True)
    weights = np.bincount(index, ms).astype(float)
    return np.asarray(np.bincount(index, ms * xs) / weights, dtype=float), weights


class OptimiserFailure(ArithmeticError):
    """The conic solver did not reach an optimum: the options edge is then not reported (a warning says so)."""


def _growth(w: FloatArray, density: FloatArray, wealth: FloatArray, discount: float) -> float:
    """E[log(W D)] on the grid: -inf if W <= 0 where the density has mass."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.any((density > 0) & (wealth <= 0)):
            return -math.inf
        return float(np.sum(np.where(density > 0, w * density * np.log(np.where(density > 0, wealth * discount, 1.0)),
                                     0.0)))


@dataclass(frozen=True)
class _PiecewiseLinear:
    """A payoff W linear between nodes 0 <= N_0 < ... < N_m, held as its values v_j = W(N_j) and slopes g_j on
    [N_j, N_j+1) (g_m beyond the top node), slopes per `scale` units of price. Every matrix is sparse (two entries
    a row), which keeps the solver's work linear in the number of strikes."""

    nodes: FloatArray
    scale: float

    @property
    def size(self) -> int:
        return 2 * self.nodes.size

    def evaluation(self, at: FloatArray) -> sparse.csr_matrix:
        """Rows map [v; g] to W at the points `at`."""
        m = self.nodes.size
        segment = np.clip(np.searchsorted(self.nodes, at, side="right") - 1, 0, m - 1)
        rows = np.r_[np.arange(at.size), np.arange(at.size)]
        cols = np.r_[segment, m + segment]
        values = np.r_[np.ones(at.size), (at - self.nodes[segment]) / self.scale]
        return sparse.csr_matrix((values, (rows, cols)), shape=(at.size, self.size))

    def continuity(self) -> sparse.csr_matrix:
        """Rows that vanish when v_{j+1} = v_j + g_j (N_{j+1} - N_j)."""
        m = self.nodes.size
        j = np.arange(m - 1)
        rows = np.r_[j, j, j]
        cols = np.r_[j + 1, j, m + j]
        values = np.r_[np.ones(m - 1), -np.ones(m - 1), -np.diff(self.nodes) / self.scale]
        return sparse.csr_matrix((values, (rows, cols)), shape=(m - 1, self.size))


def frictionless_growth(x: FloatArray, p: FloatArray, q: FloatArray, strikes: FloatArray, discount: float) -> float:
    """growth_mid: the best E_p[log(W D)] over payoffs the listed strikes build (piecewise linear with kinks at the
    strikes, W >= 0 at S = 0 and at every strike, slope >= 0 beyond the top), each priced D E_q[W]."""
    w = trapezoid_weights(x)
    shape = _PiecewiseLinear(np.r_[0.0, strikes] if strikes[0] > 0 else np.asarray(strikes, dtype=float),
                             float(strikes[-1]))
    m = shape.nodes.size
    on_grid = shape.evaluation(x)
    cost = discount * (on_grid.T @ (w * q))
    points, mass = _segment_quadrature(x, w * p, shape.nodes)
    # the payoff [v; g] itself is the variable: priced D E_q[W] = 1, continuous, W >= 0 at every node, the top
    # slope >= 0
    bounds = sparse.vstack([-sparse.eye(m, shape.size), -sparse.eye(1, shape.size, k=shape.size - 1)]).tocsr()
    program = UtilityProgram(evaluation=shape.evaluation(points), mass=mass, gamma=1.0, cost=np.zeros(shape.size),
                             quadratic=np.zeros(shape.size),
                             equalities=sparse.vstack([sparse.csr_matrix(cost[None, :]), shape.continuity()]).tocsr(),
                             equal_to=np.r_[1.0, np.zeros(m - 1)], inequalities=bounds, at_most=np.zeros(m + 1))
    try:
        payoff = maximise(program)
    except ConicFailure as exc:
        raise OptimiserFailure(str(exc)) from None
    wealth = np.maximum(on_grid @ payoff, 0.0)
    wealth /= discount * ((w * q) @ wealth)          # exactly on budget
    return _growth(w, p, wealth, discount)


def strikes_that_matter(x: FloatArray, densities: list[FloatArray], strikes: FloatArray) -> np.ndarray:
    """Listed strikes inside the (STRIKE_MASS_CUTOFF, 1 - cutoff) range of every density, and one beyond on each
    side: options further out pay nothing or move linearly wherever the densities have mass."""
    w = trapezoid_weights(x)
    lows, highs = [], []
    for density in densities:
        cdf = np.cumsum(w * density)
        cdf /= cdf[-1]
        lows.append(np.interp(STRIKE_MASS_CUTOFF, cdf, x))
        highs.append(np.interp(1 - STRIKE_MASS_CUTOFF, cdf, x))
    first = max(int(np.searchsorted(strikes, min(lows))) - 1, 0)
    last = min(int(np.searchsorted(strikes, max(highs))) + 1, strikes.size)
    return np.arange(first, last)


@dataclass(frozen=True, eq=False)
class _Instruments:
    """The tradable options: type, strike, bid, ask, as arrays (calls first)."""

    is_call: np.ndarray
    strike: FloatArray
    bid: FloatArray
    ask: FloatArray

    @classmethod
    def of(cls, quotes: ListedQuotes, chosen: np.ndarray, forward: float) -> _Instruments:
        """Out-of-the-money calls and puts (the quotes the density is fitted to; in-the-money quotes of listed
        chains are often stale, some below intrinsic value), and both at the two strikes around the forward so
        that a position can lean either way there."""
        k = quotes.strikes[chosen]
        below, above = k[k <= forward], k[k >= forward]
        call_from = below.max() if below.size else -math.inf
        put_to = above.min() if above.size else math.inf
        is_call = np.r_[np.ones(k.size, bool), np.zeros(k.size, bool)]
        bid = np.r_[quotes.call_bid[chosen], quotes.put_bid[chosen]]
        ask = np.r_[quotes.call_ask[chosen], quotes.put_ask[chosen]]
        out_of_the_money = np.r_[k >= call_from, k <= put_to]
        ok = np.isfinite(bid) & np.isfinite(ask) & (ask > 0) & out_of_the_money
        return cls(is_call[ok], np.r_[k, k][ok], np.maximum(bid[ok], 0.0), ask[ok])

    def no_better_than(self, x: FloatArray, density: FloatArray, discount: float) -> _Instruments:
        """_valued_no_better_than, remembered for the last 64 (instruments, density) pairs: the density's prices
        do not change when the belief does."""
        return _valued_memo(_Content(self.is_call, self.strike, self.bid, self.ask, x, density, float(discount)))

    def _no_better_than(self, x: FloatArray, density: FloatArray, discount: float) -> _Instruments:
        """Bids at most and asks at least the density's price D E[payoff] of each option (trapezoid rule on x): a
        position then costs at least what the density prices it, so a belief equal to the density trades nothing."""
        intrinsic = np.where(self.is_call, x[:, None] - self.strike, self.strike - x[:, None])
        # einsum, not a BLAS product: the same sum in the same order however many threads BLAS runs
        fitted = discount * np.einsum("i,ij->j", trapezoid_weights(x) * density, np.maximum(intrinsic, 0.0))
        # a hair beyond the density's price where the quote is better: an exact tie with a belief that agrees with
        # the density there leaves the optimum degenerate, and the interior-point solver stalls on it
        hair = FIT_PRICE_MARGIN * self.strike
        bid = np.where(self.bid > fitted, np.maximum(fitted - hair, 0.0), self.bid)
        ask = np.where(self.ask < fitted, fitted + hair, self.ask)
        return _Instruments(self.is_call, self.strike, bid, ask)

    def shape(self, forward: float) -> _PiecewiseLinear:
        return _PiecewiseLinear(np.unique(np.r_[0.0, self.strike]), forward)

    def payoff_rows(self, shape: _PiecewiseLinear, discount: float) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """Linear maps from [net quantities (n, in forward notional); bond (1)] to W's value at S = 0 and to its
        slope changes: a bond pays 1/D; a put at K pays K/F per unit notional at S = 0 and starts at slope -1;
        each option adds +1 to the slope at its strike. The first row is W(0), the other m rows are g_0 and the
        slope steps g_j - g_{j-1}."""
        n, m = self.strike.size, shape.nodes.size
        forward = shape.scale
        value_at_zero = sparse.csr_matrix(np.r_[np.where(self.is_call, 0.0, self.strike / forward), 1 / discount])
        at = np.searchsorted(shape.nodes, self.strike)
        puts = np.flatnonzero(~self.is_call)
        rows = np.r_[np.zeros(puts.size, int), at]
        cols = np.r_[puts, np.arange(n)]
        values = np.r_[-np.ones(puts.size), np.ones(n)]
        slope_steps = sparse.csr_matrix((values, (rows, cols)), shape=(m, n + 1))
        return value_at_zero, slope_steps


def position_program(valued: _Instruments, shape: _PiecewiseLinear, points: FloatArray, mass: FloatArray,
                     discount: float, *, buy_price: FloatArray, sell_price: FloatArray, cap_buy: FloatArray,
                     cap_sell: FloatArray, floor: float, turnover: FloatArray, quadratic: FloatArray,
                     gamma: float) -> UtilityProgram:
    """The expected-utility problem of a position in listed options and the bond (analytics.options.conic), over
    z = [buy (n), sell (n), bond (1), payoff values at the nodes (m), slopes (m)] in forward notional per unit of
    bankroll: options bought at buy_price and sold at sell_price (per share), the bond held, never borrowed, the
    payoff at least `floor` at S = 0 and at every node with a non-negative slope beyond the top, each quantity at
    most its cap; `turnover` (2n) and the diagonal `quadratic` (2n) price the buying and selling. Assembled from
    (row, column, value) triplets: stacking sparse blocks cost ten times the solve."""
    forward = shape.scale
    n, m = valued.strike.size, shape.nodes.size
    buy_, sell_, bond_, value_, slope_ = 0, n, 2 * n, 2 * n + 1, 2 * n + 1 + m
    size = 2 * n + 1 + 2 * m
    options = np.arange(n)
    at = np.searchsorted(shape.nodes, valued.strike)          # the node where each option's slope steps
    puts = np.flatnonzero(~valued.is_call)
    j = np.arange(m - 1)
    put_value = np.where(valued.is_call, 0.0, valued.strike / forward)
    # equalities, by row: 0 the budget; 1 W(0) = puts' strikes + bond / D; 2..m+1 the slope steps (g_0 = -puts,
    # g_j - g_j-1 = options at node j); m+2.. continuity v_j+1 = v_j + g_j (N_j+1 - N_j) / F
    eq_rows = np.r_[np.zeros(2 * n + 1), np.ones(2 * n + 2),
                    2 + np.r_[np.arange(m), np.arange(1, m)], 2 + np.r_[np.zeros(2 * puts.size), at, at],
                    m + 2 + np.r_[j, j, j]]
    eq_cols = np.r_[buy_ + options, sell_ + options, bond_, value_, buy_ + options, sell_ + options, bond_,
                    slope_ + np.r_[np.arange(m), np.arange(m - 1)], buy_ + puts, sell_ + puts,
                    buy_ + options, sell_ + options, value_ + j + 1, value_ + j, slope_ + j]
    eq_values = np.r_[buy_price / forward, -sell_price / forward, 1.0, 1.0, -put_value, put_value,
                      -1 / discount, np.ones(m), -np.ones(m - 1), np.ones(puts.size), -np.ones(puts.size),
                      -np.ones(n), np.ones(n), np.ones(m - 1), -np.ones(m - 1), -np.diff(shape.nodes) / forward]
    equalities = sparse.csr_matrix((eq_values, (eq_rows, eq_cols)), shape=(2 * m + 1, size))
    equal_to = np.r_[1.0, np.zeros(equalities.shape[0] - 1)]
    # inequalities: values >= floor (m), the top slope >= 0, buy and sell at most their caps, buy, sell, bond >= 0
    trading = np.arange(2 * n)
    ineq_rows = np.r_[np.arange(m), m, m + 1 + trading, m + 1 + 2 * n + np.arange(2 * n + 1)]
    ineq_cols = np.r_[value_ + np.arange(m), slope_ + m - 1, trading, np.arange(2 * n + 1)]
    ineq_values = np.r_[-np.ones(m), -1.0, np.ones(2 * n), -np.ones(2 * n + 1)]
    inequalities = sparse.csr_matrix((ineq_values, (ineq_rows, ineq_cols)), shape=(m + 2 + 4 * n, size))
    at_most = np.r_[np.full(m, -floor), 0.0, cap_buy, cap_sell, np.zeros(2 * n + 1)]
    segment = np.clip(np.searchsorted(shape.nodes, points, side="right") - 1, 0, m - 1)
    k = np.arange(points.size)
    evaluation = sparse.csr_matrix((np.r_[np.ones(points.size), (points - shape.nodes[segment]) / forward],
                                    (np.r_[k, k], np.r_[value_ + segment, slope_ + segment])),
                                   shape=(points.size, size))
    return UtilityProgram(evaluation=evaluation, mass=mass, gamma=gamma, cost=np.r_[turnover, np.zeros(1 + 2 * m)],
                          quadratic=np.r_[quadratic, np.zeros(1 + 2 * m)], equalities=equalities,
                          equal_to=equal_to, inequalities=inequalities, at_most=at_most)


def _slope_differences(m: int) -> sparse.csr_matrix:
    """Rows mapping slopes g to (g_0, g_1 - g_0, ..., g_{m-1} - g_{m-2})."""
    return sparse.csr_matrix(sparse.eye(m) - sparse.eye(m, k=-1))


def _arbitrage_legs(instruments: _Instruments, discount: float, forward: float) -> tuple[np.ndarray, float]:
    """The options (indices) of a static arbitrage in the quotes, a position with a payoff >= 0 everywhere that
    is paid for opening it, and what it is paid per unit of forward notional in each option; no indices when
    there is none. A linear programme (HiGHS) over positions of at most one unit of notional per option."""
    shape = instruments.shape(forward)
    n, m = instruments.strike.size, shape.nodes.size
    value_at_zero, slope_steps = instruments.payoff_rows(shape, discount)
    # variables: buy (n), sell (n), bond (1), v (m), g (m); minimise what the position costs today
    to_net = sparse.hstack([sparse.eye(n), -sparse.eye(n), sparse.csr_matrix((n, 1))])
    to_net_bond = sparse.vstack([to_net, sparse.hstack([sparse.csr_matrix((1, 2 * n)), sparse.eye(1)])])
    zeros = sparse.csr_matrix
    equalities = sparse.vstack([
        sparse.hstack([value_at_zero @ to_net_bond, -sparse.eye(1, m), zeros((1, m))]),
        sparse.hstack([slope_steps @ to_net_bond, zeros((m, m)), -_slope_differences(m)]),
        sparse.hstack([zeros((m - 1, 2 * n + 1)), shape.continuity()]),
    ]).tocsr()
    cost = np.r_[instruments.ask / forward, -instruments.bid / forward, 1.0, np.zeros(2 * m)]
    bounds = [(0.0, 1.0)] * (2 * n) + [(-1e3, 1e3)] + [(0.0, None)] * m + [(None, None)] * (m - 1) + [(0.0, None)]
    found = linprog(cost, A_eq=equalities, b_eq=np.zeros(equalities.shape[0]), bounds=bounds, method="highs")
    if not found.success or found.fun > -1e-9:
        return np.zeros(0, int), 0.0
    used = np.flatnonzero(found.x[:2 * n] > 1e-9)
    return np.unique(used % n), -float(found.fun)


ARBITRAGE_ROUNDS = 5


class _Content:
    """A hashable stand-in for arrays and numbers, compared by a digest of their bytes: the key of a memo of work
    that depends only on the chain (a new belief on the same chain finds it done)."""

    def __init__(self, *parts: np.ndarray | float) -> None:
        digest = hashlib.blake2b(digest_size=20)
        for part in parts:
            digest.update(np.ascontiguousarray(part).tobytes())
        self.digest = digest.digest()
        self.parts = parts

    def __hash__(self) -> int:
        return hash(self.digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Content) and other.digest == self.digest


@functools.lru_cache(maxsize=64)
def _valued_memo(content: _Content) -> _Instruments:
    is_call, strike, bid, ask, x, density, discount = content.parts
    tools = _Instruments(np.asarray(is_call), np.asarray(strike), np.asarray(bid), np.asarray(ask))
    return tools._no_better_than(np.asarray(x), np.asarray(density), float(discount))


@functools.lru_cache(maxsize=64)
def _without_arbitrage_memo(content: _Content) -> tuple[_Instruments, str | None]:
    is_call, strike, bid, ask, discount, forward = content.parts
    return _without_arbitrage(_Instruments(np.asarray(is_call), np.asarray(strike), np.asarray(bid),
                                           np.asarray(ask)), float(discount), float(forward))


def without_arbitrage(instruments: _Instruments, discount: float, forward: float) -> tuple[_Instruments, str | None]:
    """_without_arbitrage, remembered for the last 64 sets of quotes (a chain's quotes do not change when the belief
    does: the linear programmes are solved once)."""
    return _without_arbitrage_memo(_Content(instruments.is_call, instruments.strike, instruments.bid,
                                            instruments.ask, float(discount), float(forward)))


def _without_arbitrage(instruments: _Instruments, discount: float, forward: float) -> tuple[_Instruments, str | None]:
    """The instruments with the quotes of any static arbitrage set aside (up to ARBITRAGE_ROUNDS rounds, each
    removing the options of the arbitrage found), and a sentence naming them; (instruments, None) when the quotes
    admit none. Listed chains carry stale quotes; optimising over them would report the arbitrage as growth."""
    removed: list[str] = []
    profit = 0.0
    for _round in range(ARBITRAGE_ROUNDS):
        used, paid = _arbitrage_legs(instruments, discount, forward)
        if used.size == 0:
            break
        profit = max(profit, paid)
        removed += [f"{'call' if instruments.is_call[i] else 'put'} {instruments.strike[i]:g}" for i in used]
        keep = np.ones(instruments.strike.size, bool)
        keep[used] = False
        instruments = _Instruments(instruments.is_call[keep], instruments.strike[keep], instruments.bid[keep],
                                   instruments.ask[keep])
    else:
        used, _ = _arbitrage_legs(instruments, discount, forward)
        if used.size:
            raise OptimiserFailure("the quotes admit static arbitrages in more than "
                                   f"{ARBITRAGE_ROUNDS} rounds of setting quotes aside")
    if not removed:
        return instruments, None
    more = f" and {len(removed) - 6} more" if len(removed) > 6 else ""
    return instruments, (f"the quotes admit an arbitrage (a position that never pays out less than zero and is paid up "
                         f"to {profit:.3g} of the bankroll per unit of notional to open): {len(removed)} quotes set "
                         f"aside ({', '.join(removed[:6])}{more})")


def tradable_position(x: FloatArray, p: FloatArray, q: FloatArray, quotes: ListedQuotes, discount: float,
                      forward: float, *, optimise_for: FloatArray | None = None) -> OptionPosition:
    """The growth-optimal position in listed options (bought at the ask, sold at the bid) and cash in the bond
    (held, not borrowed), never ruined, for the belief `optimise_for` (default p); its growth is reported under p
    and its log return under q. Holding only cash (growth 0) is always allowed, so the growth is >= 0."""
    w = trapezoid_weights(x)
    target = p if optimise_for is None else optimise_for
    chosen = strikes_that_matter(x, [p, q, target], quotes.strikes)
    tools = _Instruments.of(quotes, chosen, forward)
    cash_only = OptionPosition((), 1.0, np.full(x.size, 1.0 / discount), 0.0, 0.0, None)
    if tools.strike.size == 0:
        return cash_only
    tools, arbitrage = without_arbitrage(tools, discount, forward)
    # where the smooth density prices an option outside its bid and ask, trading at the quote would earn the fit's
    # own error (a belief equal to the market earned 0.05 bits on the reference SPY chain, with 1,440 contracts of
    # a one-dollar call spread): the position is chosen with such options valued at the density's price, the worse
    # of the two, and then costed at the quotes it trades at
    valued = tools.no_better_than(x, q, discount)
    if np.array_equal(target, q):       # then no position earns anything: E_q[log W D] <= log E_q[W D] <= 0
        return replace(cash_only, arbitrage=arbitrage)
    n = valued.strike.size
    shape = valued.shape(forward)
    points, mass = _segment_quadrature(x, w * target, shape.nodes)
    # quantities in forward notional per unit of bankroll keep the solver's numbers near 1; no borrowing: the bond
    # is held, never sold, so the legs cost no more than the bankroll. At (near) zero spreads a call, a put and the
    # bond replicate each other (parity): a tiny price on the premium turned over picks the plainest of the equally
    # good positions (out-of-the-money options, no borrowing)
    program = position_program(
        valued, shape, points, mass, discount, buy_price=valued.ask, sell_price=valued.bid,
        cap_buy=np.full(n, float(QUANTITY_CAP)), cap_sell=np.where(valued.bid > 0, QUANTITY_CAP, 0.0),  # no bid
        floor=0.0, turnover=NOTIONAL_PENALTY * np.r_[valued.ask, valued.bid] / forward, quadratic=np.zeros(2 * n),
        gamma=1.0)
    try:
        z = maximise(program)
    except ConicFailure as exc:
        raise OptimiserFailure(str(exc)) from None
    buy, sell = z[:n], z[n:2 * n]
    legs, cash_fraction, wealth = _within_budget_and_solvent(buy - sell, tools, forward, x, p, discount)
    growth = _growth(w, p, wealth, discount)
    if not legs or not growth > GROWTH_FLOOR:
        return OptionPosition((), 1.0, cash_only.payoff, 0.0, 0.0, arbitrage)
    return OptionPosition(legs, cash_fraction, wealth, growth, _growth(w, q, wealth, discount), arbitrage)


def _scaled(legs: tuple[OptionLeg, ...], factor: float) -> tuple[OptionLeg, ...]:
    return tuple(replace(leg, quantity=leg.quantity * factor, cost=leg.cost * factor) for leg in legs)


def _within_budget_and_solvent(net_notional: FloatArray, tools: _Instruments, forward: float, x: FloatArray,
                               p: FloatArray, discount: float) -> tuple[tuple[OptionLeg, ...], float, FloatArray]:
    """The solver's position made exact: legs below LEG_FLOOR dropped unless that leaves the payoff at or below 0
    somewhere the belief has mass; legs that cost more than the bankroll (by the solver's last digits) scaled onto
    it; a payoff that still touches 0 where the belief has mass (tolerances again) mixed with just enough cash.
    Returns the legs, the cash and the payoff on the grid."""
    def assemble(legs: tuple[OptionLeg, ...]) -> tuple[tuple[OptionLeg, ...], float, FloatArray]:
        spent = sum(leg.cost for leg in legs)
        if spent > 1:
            legs = _scaled(legs, 1 / spent)
        cash_fraction = 1.0 - sum(leg.cost for leg in legs)
        return legs, cash_fraction, cash_fraction / discount + sum((leg.payoff(x) for leg in legs), np.zeros(x.size))

    legs, cash_fraction, wealth = assemble(_legs(tools, net_notional, forward, LEG_FLOOR))
    if np.all(wealth[p > 0] > 0):
        return legs, cash_fraction, wealth
    legs, cash_fraction, wealth = assemble(_legs(tools, net_notional, forward, 0.0))
    lowest = float(wealth[p > 0].min())
    if lowest > 0:
        return legs, cash_fraction, wealth
    # W_l = (1 - l) / D + l W reaches 1e-6 / D at its lowest point
    share = (1 - 1e-6) / (1 - lowest * discount)
    return assemble(_scaled(legs, share))


def _legs(tools: _Instruments, net_notional: FloatArray, forward: float, floor: float) -> tuple[OptionLeg, ...]:
    keep = np.flatnonzero(np.abs(net_notional) > floor)
    legs = []
    for i in keep:
        quantity = abs(float(net_notional[i])) / forward
        buying = net_notional[i] > 0
        price = float(tools.ask[i] if buying else tools.bid[i])
        legs.append(OptionLeg("call" if tools.is_call[i] else "put", float(tools.strike[i]),
                              "buy" if buying else "sell", quantity, price, quantity * price * (1 if buying else -1)))
    return tuple(legs)


@dataclass(frozen=True, eq=False)
class OptionsEdge:
    """Every figure of the options edge for one expiry (nats; see the module docstring). `kelly_fraction` is the
    share of the belief mixed with the market for the position (1 = full Kelly); `gamma` the user's CRRA risk
    aversion with renyi_nats = D_(1/gamma)(p||q), the log certainty-equivalent edge; `market_gamma` the power
    pricing kernel's risk aversion with KL(p||p_phys) and KL(p_phys||q) (None when not given)."""

    kl_nats: float
    growth_mid_nats: float
    butterfly_growth_nats: float
    binned_kl_nats: float
    position: OptionPosition
    kelly_fraction: float
    gamma: float
    renyi_nats: float
    market_gamma: float | None
    kl_real_world_nats: float | None
    kl_price_of_risk_nats: float | None
    buckets: BucketEdge
    discount: float
    ticket: OrderTicket | None = None

    @property
    def quotes_cheaper_nats(self) -> float:
        """What the position earns beyond the KL ceiling (0 when it does not): the ceiling prices every payoff by
        the fitted density, and some quotes are cheaper than the density prices them, so costed at the quotes the
        position can earn more than any payoff at the density's prices."""
        return max(self.position.growth_nats - self.kl_nats, 0.0)


def power_kernel_density(x: FloatArray, q: FloatArray, market_gamma: float) -> FloatArray:
    """The market's real-world density under a power pricing kernel m ~ S^-gamma_m: p_phys ~ x^gamma_m q(x),
    normalised on the grid (formed in logs: x^gamma_m overflows for large gamma_m)."""
    with np.errstate(divide="ignore"):
        log_tilted = market_gamma * np.log(x) + np.log(q)
    tilted = np.exp(log_tilted - np.max(log_tilted[np.isfinite(log_tilted)]))
    return tilted / trapezoid(tilted, x)


def options_edge(x: FloatArray, p: FloatArray, q: FloatArray, quotes: ListedQuotes, discount: float, forward: float,
                 *, settings: EdgeSettings = EdgeSettings(), kl_nats: float | None = None, expiry: str = "",
                 root: str = "") -> OptionsEdge:
    """The options edge of belief p against market q with one expiry's quotes (see the module docstring).
    kl_nats: the continuous KL already computed for this pair (computed here when not given); expiry and root name
    the order ticket's contracts when settings ask for one."""
    w = trapezoid_weights(x)
    p, q = p / float(w @ p), q / float(w @ q)
    kl = max(kl_divergence_grid(x, p, q), 0.0) if kl_nats is None else kl_nats
    buckets = bucket_edge(x, p, q, quotes.strikes)
    mid = max(frictionless_growth(x, p, q, quotes.strikes, discount), buckets.butterfly_growth_nats)
    kelly_fraction, gamma, market_gamma = settings.kelly_fraction, settings.gamma, settings.market_gamma
    mixed = kelly_fraction * p + (1 - kelly_fraction) * q
    position = tradable_position(x, p, q, quotes, discount, forward, optimise_for=mixed)
    renyi = kl if gamma == 1 else renyi_divergence_grid(x, p, q, 1 / gamma)
    real_world = price_of_risk = None
    if market_gamma is not None:
        physical = power_kernel_density(x, q, market_gamma)
        real_world = max(kl_divergence_grid(x, p, physical), 0.0)
        price_of_risk = max(kl_divergence_grid(x, physical, q), 0.0)
    ticket = None
    if settings.ticket is not None:
        from analytics.options.orders import order_ticket

        ticket = order_ticket(x, p, q, quotes, discount, forward, settings.ticket, expiry=expiry, root=root,
                              gamma=gamma, kelly_fraction=kelly_fraction)
    return OptionsEdge(kl, min(mid, kl), buckets.butterfly_growth_nats, buckets.binned_kl_nats, position,
                       kelly_fraction, gamma, max(renyi, 0.0), market_gamma, real_world, price_of_risk, buckets,
                       discount, ticket)
