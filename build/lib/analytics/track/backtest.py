"""Did the disagreement pay? A belief's track record against a market over many resolved events
(docs/methods.md, "Track record").

Everything rests on one identity: the realised log-return of the Kelly bettor with belief p against fair prices q
when outcome x happens is log(p_x/q_x) = log p_x - log q_x, the belief's log score minus the market's; under a
truth t its expectation is KL(t||q) - KL(t||p). Closing-line value takes the closing market c as the truth:
KL(c||q) - KL(c||p). Bits throughout (log base 2); Brier scores are sum_i (p_i - 1[i = x])^2. Events are rows of
(E, n) arrays: every figure is computed for all events at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import rel_entr
from scipy.stats import norm

from analytics.betting.kelly import kelly_with_cash_stack
from analytics.betting.risk import season_drawdown_probability
from analytics.core.types import FloatArray

BOOTSTRAP_SAMPLES = 4000
BOOTSTRAP_BLOCK = 1 << 20          # resampled values held at once (8 MiB of indices)
CALIBRATION_BINS = 10


@dataclass(frozen=True, eq=False)
class Backtest:
    """Per event (arrays over E events) and summaries. Bits unless named otherwise."""

    events: tuple[str, ...]
    dates: tuple[str, ...]
    outcomes: tuple[str, ...]
    kl_bits: FloatArray
    realised_fair_bits: FloatArray
    realised_tradable_bits: FloatArray          # NaN where the market has no odds to bet at
    stakes: FloatArray                          # (E, n) fractions of wealth at the odds (fractional Kelly)
    log_score_belief_bits: FloatArray
    log_score_market_bits: FloatArray
    brier_belief: FloatArray
    brier_market: FloatArray
    rps_belief: FloatArray                      # NaN where the outcomes have no order (only Home, Draw, Away do)
    rps_market: FloatArray
    clv_bits: FloatArray | None                 # None without a closing market
    mean_ci95: tuple[float, float]
    dm_statistic: float
    dm_p_value: float
    calibration: dict[str, dict[str, Any]]
    kelly_fraction: float
    drawdown_50_probability: float | None = None     # simulated, under the belief; None without odds

    def summary(self) -> dict[str, Any]:
        n = len(self.events)
        tradable = self.realised_tradable_bits
        return {
            "events": n,
            "predicted_kl_bits_total": float(self.kl_bits.sum()),
            "predicted_kl_bits_mean": float(self.kl_bits.mean()) if n else None,
            "realised_growth_fair_bits_total": float(self.realised_fair_bits.sum()),
            "realised_growth_fair_bits_mean": float(self.realised_fair_bits.mean()) if n else None,
            "realised_growth_fair_bits_ci95": list(self.mean_ci95),
            "realised_growth_tradable_bits_total": float(np.nansum(tradable)) if not np.isnan(tradable).all()
            else None,
            "kelly_fraction": self.kelly_fraction,
            "log_score_belief_bits_mean": float(self.log_score_belief_bits.mean()) if n else None,
            "log_score_market_bits_mean": float(self.log_score_market_bits.mean()) if n else None,
            "brier_belief_mean": float(self.brier_belief.mean()) if n else None,
            "brier_market_mean": float(self.brier_market.mean()) if n else None,
            "rps_belief_mean": _mean_or_none(self.rps_belief),
            "rps_market_mean": _mean_or_none(self.rps_market),
            "dm_statistic": self.dm_statistic,
            "dm_p_value": self.dm_p_value,
            "clv_bits_total": None if self.clv_bits is None else float(self.clv_bits.sum()),
            "clv_bits_mean": None if self.clv_bits is None or not n else float(self.clv_bits.mean()),
            "drawdown_50_probability": self.drawdown_50_probability,
        }

    def per_event(self) -> list[dict[str, Any]]:
        rows = []
        for i, event in enumerate(self.events):
            tradable = float(self.realised_tradable_bits[i])
            rows.append({"event": event, "date": self.dates[i], "outcome": self.outcomes[i],
                         "kl_bits": float(self.kl_bits[i]), "realised_fair_bits": float(self.realised_fair_bits[i]),
                         "realised_tradable_bits": None if math.isnan(tradable) else tradable,   # -inf: ruined
                         "clv_bits": None if self.clv_bits is None else float(self.clv_bits[i]),
                         "log_score_belief_bits": float(self.log_score_belief_bits[i]),
                         "log_score_market_bits": float(self.log_score_market_bits[i]),
                         "brier_belief": float(self.brier_belief[i]), "brier_market": float(self.brier_market[i]),
                         "rps_belief": _number_or_none(self.rps_belief[i]),
                         "rps_market": _number_or_none(self.rps_market[i])})
        return rows


def _mean_or_none(values: FloatArray) -> float | None:
    kept = values[~np.isnan(values)]
    return float(kept.mean()) if kept.size else None


def _number_or_none(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


ORDERED_OUTCOMES = ("Home", "Draw", "Away")


def ranked_probability_score(forecast: FloatArray, happened: FloatArray) -> FloatArray:
    """RPS of forecasts over r ordered outcomes (rows): the squared differences of the cumulative forecast and the
    cumulative outcome over the first r - 1 categories, summed and divided by r - 1 (0 best, 1 worst)."""
    forecast, happened = np.asarray(forecast, dtype=float), np.asarray(happened, dtype=float)
    gaps = np.cumsum(forecast, axis=-1)[..., :-1] - np.cumsum(happened, axis=-1)[..., :-1]
    return np.sum(gaps ** 2, axis=-1) / (forecast.shape[-1] - 1)


def _kl_bits_rows(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.asarray(rel_entr(a, b).sum(axis=1)) / math.log(2)


def bootstrap_mean_ci(values: FloatArray, *, samples: int = BOOTSTRAP_SAMPLES, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap 95 % interval of the mean (seeded: the same data give the same interval)."""
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    # resamples drawn a block of rows at a time (the same stream as all at once): memory stays about 16 MB
    # however many events, where (samples x events) indices at once took gigabytes for a long season
    block = max(1, BOOTSTRAP_BLOCK // values.size)
    means = np.concatenate([values[rng.integers(0, values.size, size=(min(block, samples - start), values.size))]
                            .mean(axis=1) for start in range(0, samples, block)])
    # a belief that gave the outcome probability 0 makes some resampled means -inf: no interpolation between them
    if np.isfinite(means).all():
        low, high = np.quantile(means, [0.025, 0.975])
    else:
        low, high = np.quantile(means, [0.025, 0.975], method="inverted_cdf")
    return float(low), float(high)


def diebold_mariano(differences: FloatArray) -> tuple[float, float]:
    """Diebold-Mariano test of a zero mean score difference for one-step forecasts of independent events: the
    statistic mean / (sd / sqrt(E)) and its two-sided normal p-value."""
    d = np.asarray(differences, dtype=float)
    if d.size < 2 or float(np.std(d, ddof=1)) == 0.0:
        return (math.nan, math.nan)
    statistic = float(d.mean() / (np.std(d, ddof=1) / math.sqrt(d.size)))
    return statistic, float(2 * norm.sf(abs(statistic)))


def calibration_table(forecasts: FloatArray, happened: FloatArray, bins: int = CALIBRATION_BINS,
                      real: np.ndarray | None = None) -> dict[str, Any]:
    """Reliability of probability forecasts (every outcome of every event is one binary forecast; `real` marks
    the cells that are outcomes, not the padding of events with fewer outcomes than the widest): per bin of
    forecast probability, the count, mean forecast, observed frequency and its Wilson 95 % interval; and the log
    score's decomposition in bits, ignorance = uncertainty - resolution + reliability (binned)."""
    f, o = np.asarray(forecasts, dtype=float).ravel(), np.asarray(happened, dtype=float).ravel()
    if real is not None:
        f, o = f[np.asarray(real).ravel()], o[np.asarray(real).ravel()]
    which = np.minimum((f * bins).astype(int), bins - 1)
    count = np.bincount(which, minlength=bins).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_forecast = np.bincount(which, f, bins) / count
        observed = np.bincount(which, o, bins) / count
        z = 1.959963984540054
        centre = (observed + z * z / (2 * count)) / (1 + z * z / count)
        half = z * np.sqrt(observed * (1 - observed) / count + z * z / (4 * count**2)) / (1 + z * z / count)

    def binary_kl(a: FloatArray, b: FloatArray) -> FloatArray:
        return (rel_entr(a, b) + rel_entr(1 - a, 1 - b)) / math.log(2)

    used = count > 0
    share = count[used] / count.sum()
    base = float(o.mean())
    reliability = float(share @ binary_kl(observed[used], mean_forecast[used]))
    resolution = float(share @ binary_kl(observed[used], np.full(used.sum(), base)))
    uncertainty = float(-(base * math.log2(base) + (1 - base) * math.log2(1 - base))) if 0 < base < 1 else 0.0
    return {"bin_lower": (np.arange(bins) / bins).tolist(), "count": count.astype(int).tolist(),
            "mean_forecast": np.where(used, mean_forecast, np.nan).tolist(),
            "observed": np.where(used, observed, np.nan).tolist(),
            "observed_low": np.where(used, centre - half, np.nan).tolist(),
            "observed_high": np.where(used, centre + half, np.nan).tolist(),
            "reliability_bits": reliability, "resolution_bits": resolution, "uncertainty_bits": uncertainty}


def backtest(events: tuple[str, ...], belief: FloatArray, market: FloatArray, outcome_index: np.ndarray, *,
             odds: FloatArray | None = None, closing: FloatArray | None = None, kelly_fraction: float = 1.0,
             dates: tuple[str, ...] | None = None, labels: tuple[tuple[str, ...], ...] | None = None) -> Backtest:
    """The track record of belief p against market q over E resolved events (rows of (E, n) arrays; outcome_index
    the outcome that happened per event). `odds`: the decimal odds on offer, for the stakes at Kelly fraction
    `kelly_fraction` and their realised growth; `closing`: the closing market (fair), for closing-line value."""
    p, q = np.asarray(belief, dtype=float), np.asarray(market, dtype=float)
    rows = np.arange(p.shape[0])
    x = np.asarray(outcome_index, dtype=int)
    p_x, q_x = p[rows, x], q[rows, x]
    with np.errstate(divide="ignore"):
        log_p, log_q = np.log2(p_x), np.log2(q_x)
    realised = log_p - log_q
    happened = np.zeros_like(p)
    happened[rows, x] = 1.0
    stakes = np.zeros_like(p)
    tradable = np.full(p.shape[0], np.nan)
    if odds is not None:
        o = np.asarray(odds, dtype=float)
        stakes = kelly_fraction * kelly_with_cash_stack(p, o)
        wealth = 1.0 - stakes.sum(1) + stakes[rows, x] * o[rows, x]
        with np.errstate(divide="ignore"):
            tradable = np.log2(wealth)
    clv = None if closing is None else _kl_bits_rows(closing, q) - _kl_bits_rows(closing, p)
    real = None if labels is None else np.arange(p.shape[1])[None, :] < np.array([len(lab) for lab in labels])[:, None]
    ordered = np.array([labels is not None and tuple(labels[i]) == ORDERED_OUTCOMES for i in range(p.shape[0])],
                       dtype=bool)
    rps_p, rps_q = np.full(p.shape[0], np.nan), np.full(p.shape[0], np.nan)
    if ordered.any():
        width = len(ORDERED_OUTCOMES)
        rps_p[ordered] = ranked_probability_score(p[ordered, :width], happened[ordered, :width])
        rps_q[ordered] = ranked_probability_score(q[ordered, :width], happened[ordered, :width])
    statistic, p_value = diebold_mariano(realised)
    return Backtest(
        events=tuple(events), dates=tuple(dates) if dates is not None else tuple("" for _ in events),
        outcomes=tuple(labels[i][x[i]] if labels is not None else str(x[i]) for i in range(x.size)),
        kl_bits=_kl_bits_rows(p, q), realised_fair_bits=realised, realised_tradable_bits=tradable, stakes=stakes,
        log_score_belief_bits=log_p, log_score_market_bits=log_q,
        brier_belief=((p - happened) ** 2).sum(1), brier_market=((q - happened) ** 2).sum(1), rps_belief=rps_p,
        rps_market=rps_q, clv_bits=clv,
        mean_ci95=bootstrap_mean_ci(realised), dm_statistic=statistic, dm_p_value=p_value,
        calibration={"belief": calibration_table(p, happened, real=real),
                     "market": calibration_table(q, happened, real=real)},
        kelly_fraction=kelly_fraction,
        drawdown_50_probability=None if odds is None else season_drawdown_probability(p, np.asarray(odds), stakes))
