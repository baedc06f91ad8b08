"""The options tests' shared fixture (tests/analytics/options/expiries.py)."""

from tests.analytics.options.expiries import bundled_expiries

__all__ = ["bundled_expiries"]
