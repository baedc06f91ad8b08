"""Reading beliefs: normalisation with a warning, one-line errors for malformed files, and a fuzzed CSV
reader that raises nothing but InputError."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.beliefs.reading import parse_beliefs
from analytics.core.errors import InputError


def test_percentages_are_normalised_with_a_warning():
    belief = parse_beliefs("low,high,probability\n,0,40%\n0,,62%\n", "b.csv")[0]
    assert belief.spec.probabilities == pytest.approx([40 / 102, 62 / 102])
    assert any("102 %" in w for w in belief.warnings)


def test_an_unnormalised_density_is_normalised_with_a_warning():
    belief = parse_beliefs("x,density\n0,1\n1,1\n2,1\n", "d.csv")[0]
    assert belief.spec.density == pytest.approx([0.5, 0.5, 0.5])
    assert any("integrates to 2" in w for w in belief.warnings)


@pytest.mark.parametrize("text, fragment", [
    ("x,density\n1,0.1\n1,0.2\n2,0.1\n", "not strictly increasing at point 2"),
    ("x,density\n1,0.1\n2,-0.2\n3,0.1\n", "density at x=2.0 is -0.2"),
    ("x,density\n1,0.1\n2,abc\n3,0.1\n", "row 3 column 'density'"),
    ("quantile,value\n0.1,5\n0.5,4\n", "must increase with the level"),
    ("quantile,value\n0.1,5\n1.5,6\n", "quantile 1.5"),
    ("quantile,value\n0.1,5\n0.1,6\n", "share a level"),
    ("low,high,probability\n0,1,0.5\n0.5,2,0.2\n", "overlaps"),
    ("low,high,probability\n2,1,0.5\n", "low 2 is not below high 1"),
    ("low,high,probability\n0,1,0.7\n2,3,0.6\n", "partial statement cannot exceed 1"),
    ("low,high,probability\n0,1,-0.1\n", "row 2"),
    ("low,high,probability\n0,1,nan\n", "row 2"),
    ("low,high,probability\n0,x,0.1\n", "row 2 column 'high'"),
    ("foo,bar\n1,2\n", "unrecognised header"),
    ('{"kind":"normal","mean":0}', "\"sd\" must be a positive number"),
    ('{"kind":"lognormal","median":-1,"sigma":0.1}', "\"median\" must be a positive number"),
    ('{"kind":"student_t","loc":0,"scale":1,"df":0}', "\"df\""),
    ('{"kind":"mixture","components":[{"kind":"normal","mean":0,"sd":1}]}', "components[0]"),
    ('{"kind":"buckets","edges":[0,1],"probabilities":[0.5,0.5]}', "one shorter"),
    ('{"kind":"density","x":[1,2,"a"],"density":[1,1,1]}', "x[2]"),
    ('{"kind":"quantiles","quantiles":[0.5],"values":[1]}', "at least two quantiles"),
    ('{"kind":"view","median":100,"interval":[110,120],"coverage":0.8}', "low < median < interval high"),
    ('{"kind":"blend","market_weight":2,"view":{"kind":"normal","mean":0,"sd":1}}', "market_weight"),
    ('{"kind":"shifted_market","shift":-2}', "shift"),
    ('{"kind":"gamma"}', "unknown belief kind 'gamma'"),
])
def test_malformed_beliefs_give_one_line_errors(text, fragment):
    with pytest.raises(InputError) as caught:
        parse_beliefs(text, "belief.csv")
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message and "belief.csv" in message


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("lowhigprbatyxdensqu,.-0123456789%\n \"e")), max_size=120))
def test_fuzzed_csv_never_raises_anything_but_input_error(body):
    for header in ("low,high,probability\n", "x,density\n", "quantile,value\n", "outcome,probability\n", ""):
        try:
            parse_beliefs(header + body, "fuzz.csv")
        except InputError:
            pass
