"""A goals model fitted on past results: Dixon and Coles (1997), time-weighted (docs/methods.md, "The goals
model").

Home goals ~ Poisson(lh), away goals ~ Poisson(la), with the low-score correction tau of analytics.match.scores:
log lh = mu + home + attack[h] + defence[a], log la = mu + attack[a] + defence[h] (a defence above 0 concedes
more). Each match's log-likelihood is weighted by exp(-xi * age in days), xi = ln 2 / HALF_LIFE_DAYS. The fit
maximises the weighted log-likelihood plus Gaussian priors (attack and defence ~ N(0, 0.5^2), mu ~ N(log 1.35, 1),
home ~ N(0.25, 1)): they tie a team with few matches to the league average and define the model before any result;
after a season (about 50 goals' worth of information per team) they weigh about a tenth of the data.
L-BFGS-B with the analytic gradient; rho in RHO_BOUNDS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from analytics.core.errors import InputError
from analytics.core.types import FloatArray

HALF_LIFE_DAYS = 180.0
RIDGE = 4.0            # attack and defence ~ N(0, 0.5^2): teams differ by tens of per cent in scoring rate
MU_PRIOR = (math.log(1.35), 1.0)
HOME_PRIOR = (0.25, 1.0)
RHO_BOUNDS = (-0.2, 0.2)
TAU_FLOOR = 1e-10


@dataclass(frozen=True, eq=False)
class DixonColes:
    """Fitted parameters: mu, home advantage, rho, and per team attack and defence (log-rate units)."""

    mu: float
    home: float
    rho: float
    attack: FloatArray
    defence: FloatArray

    def rates(self, home: np.ndarray, away: np.ndarray) -> tuple[FloatArray, FloatArray]:
        """Expected goals (home side, away side) of the matches home[k] v away[k] (team indices)."""
        lh = np.exp(self.mu + self.home + self.attack[home] + self.defence[away])
        la = np.exp(self.mu + self.attack[away] + self.defence[home])
        return lh, la

    @property
    def vector(self) -> FloatArray:
        return np.r_[self.mu, self.home, self.rho, self.attack, self.defence]


def _unpack(theta: FloatArray, teams: int) -> DixonColes:
    return DixonColes(float(theta[0]), float(theta[1]), float(theta[2]), theta[3:3 + teams], theta[3 + teams:])


def _objective(theta: FloatArray, home: np.ndarray, away: np.ndarray, hg: FloatArray, ag: FloatArray,
               weights: FloatArray, teams: int) -> tuple[float, FloatArray]:
    """Minus the weighted log-posterior (up to constants) and its gradient."""
    fit = _unpack(theta, teams)
    lh, la = fit.rates(home, away)
    rho = fit.rho
    # the low-score correction and its derivatives with respect to log lh, log la and rho
    tau = np.ones_like(lh)
    d_h, d_a, d_rho = np.zeros_like(lh), np.zeros_like(lh), np.zeros_like(lh)
    s00, s01, s10, s11 = ((hg == 0) & (ag == 0)), ((hg == 0) & (ag == 1)), ((hg == 1) & (ag == 0)), \
        ((hg == 1) & (ag == 1))
    tau[s00] = 1 - lh[s00] * la[s00] * rho
    tau[s01] = 1 + lh[s01] * rho
    tau[s10] = 1 + la[s10] * rho
    tau[s11] = 1 - rho
    tau = np.maximum(tau, TAU_FLOOR)
    d_h[s00] = d_a[s00] = -lh[s00] * la[s00] * rho / tau[s00]
    d_rho[s00] = -lh[s00] * la[s00] / tau[s00]
    d_h[s01], d_rho[s01] = lh[s01] * rho / tau[s01], lh[s01] / tau[s01]
    d_a[s10], d_rho[s10] = la[s10] * rho / tau[s10], la[s10] / tau[s10]
    d_rho[s11] = -1 / tau[s11]
    loglik = weights * (np.log(tau) + hg * np.log(lh) - lh + ag * np.log(la) - la)
    g_h = weights * (hg - lh + d_h)              # d loglik / d log lh
    g_a = weights * (ag - la + d_a)
    attack, defence = fit.attack, fit.defence
    prior = -0.5 * RIDGE * (attack @ attack + defence @ defence) \
        - 0.5 * ((fit.mu - MU_PRIOR[0]) / MU_PRIOR[1]) ** 2 - 0.5 * ((fit.home - HOME_PRIOR[0]) / HOME_PRIOR[1]) ** 2
    grad = np.empty_like(theta)
    grad[0] = g_h.sum() + g_a.sum() - (fit.mu - MU_PRIOR[0]) / MU_PRIOR[1] ** 2
    grad[1] = g_h.sum() - (fit.home - HOME_PRIOR[0]) / HOME_PRIOR[1] ** 2
    grad[2] = float(weights @ d_rho)
    grad[3:3 + teams] = np.bincount(home, g_h, teams) + np.bincount(away, g_a, teams) - RIDGE * attack
    grad[3 + teams:] = np.bincount(away, g_h, teams) + np.bincount(home, g_a, teams) - RIDGE * defence
    return -float(loglik.sum() + prior), -grad


def fit_dixon_coles(home: np.ndarray, away: np.ndarray, home_goals: FloatArray, away_goals: FloatArray, teams: int,
                    *, weights: FloatArray | None = None, start: DixonColes | None = None) -> DixonColes:
    """The weighted posterior mode of the model on matches home[k] v away[k] with their goals (team indices in
    0..teams-1); `start` warm-starts the search (a fit of the day before)."""
    home, away = np.asarray(home, dtype=np.intp), np.asarray(away, dtype=np.intp)
    hg, ag = np.asarray(home_goals, dtype=float), np.asarray(away_goals, dtype=float)
    if home.size and (min(home.min(), away.min()) < 0 or max(home.max(), away.max()) >= teams):
        raise InputError("a team index lies outside the teams")
    w = np.ones(home.size) if weights is None else np.asarray(weights, dtype=float)
    theta0 = start.vector if start is not None else np.r_[MU_PRIOR[0], HOME_PRIOR[0], 0.0, np.zeros(2 * teams)]
    bounds = [(None, None), (None, None), RHO_BOUNDS] + [(None, None)] * (2 * teams)
    found = minimize(_objective, theta0, args=(home, away, hg, ag, w, teams), jac=True, method="L-BFGS-B",
                     bounds=bounds, options={"maxiter": 2000, "gtol": 1e-8})
    return _unpack(np.asarray(found.x, dtype=float), teams)


def time_weights(days: FloatArray, now: float) -> FloatArray:
    """exp(-xi * (now - day)), xi = ln 2 / HALF_LIFE_DAYS: a result HALF_LIFE_DAYS old counts half."""
    return np.exp(-(math.log(2) / HALF_LIFE_DAYS) * (now - np.asarray(days, dtype=float)))


def rolling_rates(home: np.ndarray, away: np.ndarray, home_goals: FloatArray, away_goals: FloatArray,
                  days: FloatArray, teams: int, *, predict_days: FloatArray | None = None,
                  predict_home: np.ndarray | None = None, predict_away: np.ndarray | None = None) \
        -> tuple[FloatArray, FloatArray, FloatArray]:
    """For every match to predict (by default the fitted ones), the model fitted on the results of the days before
    it (time-weighted to its day): expected goals of each side and rho. Matches of one day share a fit; each day's
    fit starts from the day before's."""
    days = np.asarray(days, dtype=float)
    when = days if predict_days is None else np.asarray(predict_days, dtype=float)
    ph = home if predict_home is None else predict_home
    pa = away if predict_away is None else predict_away
    lh, la, rho = np.empty(when.size), np.empty(when.size), np.empty(when.size)
    fit = None
    for day in np.unique(when):
        before = days < day
        fit = fit_dixon_coles(home[before], away[before], home_goals[before], away_goals[before], teams,
                              weights=time_weights(days[before], day), start=fit)
        today = when == day
        lh[today], la[today] = fit.rates(ph[today], pa[today])
        rho[today] = fit.rho
    return lh, la, rho
