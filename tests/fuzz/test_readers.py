"""Every reader, fed arbitrary text: a valid result or an InputError with one line, never another exception.

`make test` runs FUZZ_EXAMPLES (default 200) examples per reader; `make fuzz` runs 10,000."""

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.beliefs.reading import parse_beliefs
from analytics.betting.odds_files import OddsRequest, parse_odds_text
from analytics.core.errors import InputError
from analytics.options.chain import parse_chain
from data.market_files import beliefs_from_text, markets_from_text

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

HEADERS = ["outcome,probability", "low,high,probability", "x,density", "quantile,value", "belief,outcome,probability",
           "event,outcome,probability", "event,outcome,odds", "HomeTeam,AwayTeam,Date,B365H,B365D,B365A,FTR",
           "contractSymbol,strike,bid,ask", "strike,bid,ask,optionType,expiration",
           "candidate,party,probNominee,whenPulled"]
CELL = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**6).map(str),
    st.sampled_from(["", " ", "50%", "1_0", "-0", "1e999", "nan", "inf", "evens", "3/2", "+150", "-200", "H", "Draw",
                     "SPY260320C00700000", "SPY261340C00700000", "call", "P", "2026-03-20", "np.float64(60.0)", "\"",
                     "=HYPERLINK(1)", "[x](http://e)", "ｘ", "\x00"]),
    st.text(max_size=12),
)


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    header = draw(st.sampled_from(HEADERS))
    width = len(header.split(","))
    rows = draw(st.lists(st.lists(CELL, min_size=max(width - 1, 1), max_size=width + 1), max_size=8))
    return header + "\n" + "\n".join(",".join(row) for row in rows) + draw(st.sampled_from(["", "\n", "\r\n"]))


JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.integers(), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20)


@st.composite
def json_text(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["discrete", "buckets", "density", "quantiles", "normal", "lognormal", "student_t",
                                 "mixture", "view", "shifted_market", "blend", "nonsense"]))
    body = draw(st.dictionaries(st.sampled_from(["outcomes", "probabilities", "edges", "x", "density", "quantiles",
                                                 "values", "mean", "sd", "median", "sigma", "loc", "scale", "df",
                                                 "components", "interval", "coverage", "shift", "market_weight",
                                                 "view", "name"]), JSON_VALUE, max_size=6))
    item = {"kind": kind, **body}
    return json.dumps(draw(st.sampled_from([item, [item, item], [item]])), allow_nan=True)


ANY_TEXT = st.one_of(csv_text(), json_text(), st.text(max_size=200))


def one_line_or_fine(read, text: str) -> None:
    try:
        read(text)
    except InputError as exc:
        assert "\n" not in str(exc), str(exc)[:200]


@FUZZ
@given(ANY_TEXT)
def test_belief_reader(text):
    one_line_or_fine(lambda t: parse_beliefs(t, "fuzz"), text)


@FUZZ
@given(ANY_TEXT, st.sampled_from(["decimal", "fractional", "american", "probability", "cents"]))
def test_odds_reader(text, odds_format):
    one_line_or_fine(lambda t: parse_odds_text(t, "fuzz", OddsRequest(odds_format=odds_format)), text)


@FUZZ
@given(ANY_TEXT)
def test_chain_reader(text):
    one_line_or_fine(lambda t: parse_chain(t, "fuzz"), text)


@FUZZ
@given(ANY_TEXT, st.sampled_from(["shin", "multiplicative", "power", "jsd", "additive"]))
def test_market_and_belief_files(text, method):
    one_line_or_fine(lambda t: markets_from_text(t, "fuzz", OddsRequest(), method), text)
    one_line_or_fine(lambda t: beliefs_from_text(t, "fuzz", OddsRequest(), method), text)
