"""Reading text a user hands over: numbers in the documented forms only, one unit per column, and limits that
refuse a hostile file before it is parsed."""

import pytest

from analytics.beliefs.reading import parse_beliefs
from analytics.core.errors import InputError, bounded
from analytics.core.text import MAX_COLUMNS, MAX_JSON_DEPTH, MAX_ROWS, parse_float, parse_json, read_csv_table


@pytest.mark.parametrize("text", ["1_0", "0_5", "1_000.5"])
def test_underscores_are_not_digit_separators(text):
    with pytest.raises(InputError, match="no '_' in numbers"):
        parse_float(text, source="f", where="row 2")


def test_mixed_percent_and_fractions_are_an_error_not_a_guess():
    with pytest.raises(InputError, match="mixed units"):
        parse_beliefs("outcome,probability\nHome,50%\nDraw,0.25\nAway,0.25\n", "b.csv")
    assert parse_beliefs("outcome,probability\nHome,50%\nDraw,25%\nAway,25%\n", "b.csv")[0].spec.probabilities \
        .tolist() == [0.5, 0.25, 0.25]


def test_deep_json_and_huge_integers_are_refused_in_words():
    with pytest.raises(InputError, match=f"nested 100000 levels deep; the limit is {MAX_JSON_DEPTH}"):
        parse_json("[" * 100_000 + "]" * 100_000, "deep.json")
    with pytest.raises(InputError, match="a number of more than 4,300 digits") as caught:
        parse_json('{"kind":"normal","mean":' + "9" * 5000 + ',"sd":1}', "big.json")
    assert "sys." not in str(caught.value)                       # no Python hint
    with pytest.raises(InputError, match='"mean" must be a finite number'):
        parse_beliefs('{"kind":"normal","mean":1e999,"sd":1}', "overflow.json")
    with pytest.raises(InputError, match='"mean" must be a finite number, got 9999.*\\(400 characters\\)'):
        parse_beliefs('{"kind":"normal","mean":' + "9" * 400 + ',"sd":1}', "overflow.json")   # no OverflowError
    assert parse_json('{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', "s")["a"]


def test_too_many_columns_or_rows_are_refused_before_parsing():
    wide = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)) + "\n" + ",".join("1" * (MAX_COLUMNS + 1)) + "\n"
    with pytest.raises(InputError, match=f"has {MAX_COLUMNS + 1:,} columns; the limit is {MAX_COLUMNS:,}"):
        read_csv_table(wide, "wide.csv")
    long = "event,outcome,odds\n" + "e,x,2.0\n" * (MAX_ROWS + 1)
    with pytest.raises(InputError, match=f"has {MAX_ROWS + 1:,} rows; the limit is {MAX_ROWS:,}"):
        read_csv_table(long, "long.csv")


def test_error_lines_are_bounded():
    line = bounded("missing outcomes " + ", ".join(f"'runner {i}'" for i in range(100_000)))
    assert len(line) < 700 and line.endswith("more characters)") and "\n" not in line


def test_an_error_quoting_a_name_with_a_line_break_stays_one_line():
    """Found by the fuzzer: a belief named by a quoted cell holding a newline."""
    with pytest.raises(InputError) as caught:
        parse_beliefs('belief,outcome,probability\n",0.0\n0.0,"', "fuzz")
    assert "\n" not in str(caught.value)


def test_the_size_limit_stated_is_the_limit_enforced():
    """20 MiB exactly passes the size check; one byte more is refused with both numbers in the same unit, which is
    also the unit of Streamlit's upload limit (maxUploadSize is in MiB)."""
    import tomllib

    from analytics.core.text import MAX_TEXT_BYTES, check_size
    from tests.conftest import ROOT

    upload_limit = tomllib.loads((ROOT / ".streamlit/config.toml").read_text())["server"]["maxUploadSize"]
    assert MAX_TEXT_BYTES == upload_limit * 2**20
    check_size(MAX_TEXT_BYTES, "f.csv")
    with pytest.raises(InputError) as info:
        check_size(MAX_TEXT_BYTES + 1, "f.csv")
    assert "the limit is 20 MiB (20,971,520 bytes)" in str(info.value) and "20,971,521 bytes" in str(info.value)


def test_a_cell_longer_than_the_label_limit_is_named_by_row_and_column():
    from analytics.core.text import MAX_CELL_CHARS

    at_limit = "outcome,probability\nHome,0.5\n" + "x" * MAX_CELL_CHARS + ",0.5\n"
    assert len(read_csv_table(at_limit, "ok.csv")) == 2
    over = "outcome,probability\nHome,0.5\n" + "x" * (MAX_CELL_CHARS + 1) + ",0.5\n"
    with pytest.raises(InputError, match=f"long.csv: row 3 column 'outcome' holds {MAX_CELL_CHARS + 1:,} characters; "
                                         f"the limit is {MAX_CELL_CHARS:,}"):
        read_csv_table(over, "long.csv")
