"""Every reader, fed arbitrary text: a valid result or an InputError with one line, never another exception.

`make test` runs FUZZ_EXAMPLES (default 200) examples per reader; `make fuzz` runs 10,000."""

import json
import os

import numpy as np
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


PYTHON_WORDS = ("Traceback", "OverflowError", "ValueError", "TypeError", "KeyError", "set_int_max_str_digits")


def one_line_or_fine(read, text: str | bytes) -> None:
    try:
        read(text)
    except InputError as exc:
        assert "\n" not in str(exc), str(exc)[:200]
        assert not any(word in str(exc) for word in PYTHON_WORDS), str(exc)[:200]     # plain words only


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


VIEW_LINE = st.one_of(
    st.builds(lambda a, rel, v: f"P({a}) {rel} {v}", st.sampled_from(["Home", "Draw", "Away", "Home|Draw", "x", ""]),
              st.sampled_from(["=", ">=", "<=", "<", "==", ""]), CELL),
    st.text(max_size=30))


@FUZZ
@given(st.lists(VIEW_LINE, max_size=6).map("\n".join))
def test_views_reader(text):
    from analytics.views.spec import views_from_lines

    one_line_or_fine(lambda t: views_from_lines(t, "fuzz"), text)


HUGE = st.sampled_from(["9" * 400, "-" + "9" * 400, "9" * 5000, "1e400", "-1e400", "1e-400", "0.5", "700", "2"])
VIEW_KEYS = ["outcome", "probability", "relation", "above", "below", "between", "mean", "mean_log", "quantile",
             "value"]


@st.composite
def json_views(draw: st.DrawFn) -> str:
    """A views file whose numbers may be any size (written as text: json cannot write 5,000 digits)."""
    views = []
    for _ in range(draw(st.integers(1, 4))):
        keys = draw(st.lists(st.sampled_from(VIEW_KEYS), min_size=1, max_size=4, unique=True))
        fields = []
        for key in keys:
            value = draw(st.one_of(HUGE, JSON_VALUE.map(lambda v: json.dumps(v, allow_nan=True)),
                                   st.sampled_from(['"Home"', '"H"', '">="', '[600, 700]', '["Home", "Draw"]'])))
            fields.append(f"{json.dumps(key)}: {value}")
        views.append("{" + ", ".join(fields) + "}")
    return '{"kind": "views", "views": [' + ", ".join(views) + "]}"


@FUZZ
@given(json_views())
def test_json_views_reader(text):
    from analytics.betting.market import DiscreteMarket
    from analytics.core.distributions import DiscreteDistribution
    from analytics.scoring.discrete import score_named_belief

    market = DiscreteMarket("m", DiscreteDistribution(("Home", "Draw", "Away"), np.array([0.5, 0.25, 0.25])))
    one_line_or_fine(lambda t: [score_named_belief(b, market) for b in parse_beliefs(t, "fuzz")], text)


def _season_markets():
    from data.files import read_text_file
    from tests.conftest import ROOT

    text = read_text_file(ROOT / "data/snapshots/odds/football-data_E0_2324.csv")
    return markets_from_text(text, "season", OddsRequest(), "shin")[:5]


SEASON = _season_markets()
RESULT_CELL = st.one_of(CELL, st.sampled_from([m.event for m in SEASON] + ["Home", "Draw", "Away", "H", "D", "A"]))


@FUZZ
@given(st.one_of(ANY_TEXT, st.lists(st.tuples(RESULT_CELL, RESULT_CELL), max_size=6).map(
    lambda rows: "event,outcome\n" + "\n".join(f'"{e}",{o}' for e, o in rows))))
def test_results_reader(text):
    from services.track import results_from_text

    one_line_or_fine(lambda t: results_from_text(t, "fuzz", SEASON), text)


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_to_a_belief_or_a_market(raw):
    from analytics.core.text import decode_text

    one_line_or_fine(lambda data: parse_beliefs(decode_text(data, "fuzz"), "fuzz"), raw)
    one_line_or_fine(lambda data: markets_from_text(decode_text(data, "fuzz"), "fuzz", OddsRequest(), "shin"), raw)


DATASET_HEADERS = ["underlying,asof,spot,expiry,strike,bid,ask,optionType",
                   "underlying,asof,spot,contractSymbol,strike,bid,ask", "underlying,asof,strike"]
DATASET_ROW = st.lists(st.one_of(CELL, st.sampled_from(["SPY", "2026-02-11T11:19", "692.3", "2026-03-20", "700",
                                                        "C", "P", "call", "put"])), min_size=3, max_size=8)


@FUZZ
@given(st.one_of(
    st.tuples(st.sampled_from(DATASET_HEADERS), st.lists(DATASET_ROW, max_size=6)).map(
        lambda h: (h[0] + "\n" + "\n".join(",".join(r) for r in h[1])).encode()),
    st.binary(max_size=200)), st.sampled_from([".csv", ".parquet"]))
def test_batch_dataset_reader(tmp_path_factory, raw, suffix):
    from services.batch import fit_partition, partitions

    path = tmp_path_factory.mktemp("dataset") / f"quotes{suffix}"
    path.write_bytes(raw)
    try:
        for part in partitions(path):
            rows = fit_partition(part)
            assert all("\n" not in str(r.get("error", "")) for r in rows)
    except InputError as exc:
        assert "\n" not in str(exc)
