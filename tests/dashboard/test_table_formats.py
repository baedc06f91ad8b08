"""Every table on every page shows the digits it formats: a number column's step (the precision it accepts) is
never coarser than its format, because the grid rounds what it draws to the step. With a step of 0.1 under a
"%.2f" format the belief table drew the market's 10.88 % as 10.80 % while the belief scored was 10.88 %."""

import json
import re

import pytest

from tests.dashboard.pages import open_page

VIEWS = [None, "options.py", "track.py", "journal.py", "batch.py", "learn.py"]


def _coarse_steps(columns_json: str) -> list[str]:
    """Columns whose step has fewer decimals than their printf-style format shows."""
    coarse = []
    for name, config in json.loads(columns_json or "{}").items():
        kind = config.get("type_config", {})
        found = re.search(r"%[^a-z%]*\.(\d+)f", str(kind.get("format", "")))
        step = kind.get("step")
        if found and step is not None and float(step) > 10 ** -int(found.group(1)) * (1 + 1e-9):
            coarse.append(f"{name}: step {step}, format {kind['format']}")
    return coarse


def test_the_check_catches_a_step_coarser_than_the_format():
    config = {"type_config": {"type": "number", "step": 0.1, "format": "%.2f"}}
    assert _coarse_steps(json.dumps({"probability (%)": config})) == ["probability (%): step 0.1, format %.2f"]
    fine = {"type_config": {"type": "number", "step": 0.01, "format": "%.2f"}}
    assert _coarse_steps(json.dumps({"p": fine, "q": {"type_config": {"format": "%.4f"}}})) == []


@pytest.mark.parametrize("view", VIEWS)
def test_no_table_draws_fewer_digits_than_it_formats(view):
    at = open_page(view)
    coarse = [problem for frame in at.dataframe for problem in _coarse_steps(frame.proto.columns)]
    assert not coarse, coarse
