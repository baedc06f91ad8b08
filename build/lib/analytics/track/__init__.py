"""Track record: whether a belief's disagreement with the market paid over resolved events (docs/methods.md,
"Track record")."""

from analytics.track.backtest import (
    Backtest,
    backtest,
    bootstrap_mean_ci,
    calibration_table,
    diebold_mariano,
)

__all__ = ["Backtest", "backtest", "bootstrap_mean_ci", "calibration_table", "diebold_mariano"]
