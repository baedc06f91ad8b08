"""Betting: odds formats to decimal odds, margin removal to fair probabilities, odds files (football-data,
Betfair, PredictIt, Polymarket, long tables) to markets, Kelly stakes, and how much a market moved
(docs/methods.md, "Margin removal" and "Kelly")."""

from analytics.betting.kelly import KellyAllocation, growth_of_stakes, kelly_with_cash
from analytics.betting.margin import METHODS, FairProbabilities, MarginMethod, remove_margin
from analytics.betting.market import DiscreteMarket
from analytics.betting.odds_files import OddsRequest, parse_odds_table
from analytics.betting.odds_formats import FORMATS, OddsFormat, to_decimal
from analytics.betting.surprise import market_surprise

__all__ = ["FORMATS", "METHODS", "DiscreteMarket", "FairProbabilities", "KellyAllocation", "MarginMethod",
           "OddsFormat", "OddsRequest", "growth_of_stakes", "kelly_with_cash", "market_surprise", "parse_odds_table",
           "remove_margin", "to_decimal"]
