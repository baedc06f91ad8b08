"""Every number the pages show reads as a number: no negative zero ('-0.0000', '-0.0 %'), no 'nan', no 'None',
whatever rounds to zero; one formatter (reporting.formatting.fmt) serves every page."""

import math
import re

import pytest

from reporting.formatting import fmt
from tests.dashboard.pages import open_page, shown

NEGATIVE_ZERO = re.compile(r"(?<![\w.])-0[.,]0*(?![0-9]*[1-9])")


@pytest.mark.parametrize("value, spec, expected", [
    (-1e-12, ".4f", "0.0000"), (-0.0, ".1%", "0.0%"), (-4e-7, "+.2f", "+0.00"), (-0.25, ".2f", "-0.25"),
    (math.inf, ".3f", "∞"), (-math.inf, ".3f", "-∞"), (math.nan, ".3f", "n/a"), (None, ".3f", "n/a"),
    (1234.5, ",.2f", "1,234.50")])
def test_one_formatter_for_zero_infinity_and_missing(value, spec, expected):
    assert fmt(value, spec) == expected


def texts(at) -> list[str]:
    found = [m.value for m in at.metric] + [m.delta or "" for m in at.metric]
    for kind in (at.caption, at.markdown, at.info, at.warning, at.success):
        found += [shown(x.value) for x in kind]
    return found


@pytest.mark.parametrize("view", [None, "options.py", "track.py", "journal.py", "batch.py"])
def test_no_page_shows_a_negative_zero_or_a_missing_value(view, tmp_path, monkeypatch):
    monkeypatch.setenv("MARKET_JOURNAL_URL", f"sqlite:///{tmp_path / 'journal.db'}")
    at = open_page(view)
    bad = [t for t in texts(at) if NEGATIVE_ZERO.search(t) or re.search(r"\b(nan|None)\b", t)]
    assert not bad, bad
