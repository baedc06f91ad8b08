"""Scoring: a belief against a market, with every measure of disagreement in nats and bits. discrete
(named outcomes, with Kelly at fair and tradable prices), continuous (price densities on one grid), pairs
(which belief meets which market; the call every consumer shares) (docs/methods.md, "KL and its units")."""

from analytics.scoring.continuous import ContinuousMarket, ContinuousScore, score_continuous_belief
from analytics.scoring.discrete import HEADLINE_LABEL, DiscreteScore, Regularisation, score_discrete
from analytics.scoring.pairs import Market, Score, ScoredPair, score_pairs

__all__ = ["HEADLINE_LABEL", "ContinuousMarket", "ContinuousScore", "DiscreteScore", "Market", "Regularisation",
           "Score", "ScoredPair", "score_continuous_belief", "score_discrete", "score_pairs"]
