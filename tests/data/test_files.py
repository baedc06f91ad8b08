"""The one writer of every output: checked before any work, written whole or not at all."""

import os

import pytest

from analytics.core.errors import InputError
from data.files import check_output, write_atomic
from tests.conftest import run_cli
from tests.data.test_journal_safety import fill, small_disk  # noqa: F401 - the fixture


def test_a_failed_write_keeps_the_earlier_file_and_leaves_no_partial(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("earlier")
    os.chmod(target, 0o640)

    def crash(partial):
        partial.write_text("half a rep")
        raise KeyboardInterrupt                      # Ctrl-C in the middle of writing

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, crash)
    assert target.read_text() == "earlier" and sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    write_atomic(target, "whole")
    assert target.read_text() == "whole" and (target.stat().st_mode & 0o777) == 0o640    # its mode is kept


@pytest.mark.parametrize("name, words", [("x.docx", "suffix picks its format"), ("missing/x.csv", "does not exist")])
def test_bad_outputs_are_named(tmp_path, name, words):
    with pytest.raises(InputError, match=words):
        check_output(tmp_path / name, (".csv", ".json"))


def test_devices_folders_and_inputs_are_refused(tmp_path):
    given = tmp_path / "in.csv"
    given.write_text("a\n")
    with pytest.raises(InputError, match="not a regular file"):
        check_output("/dev/full", (".csv",))
    with pytest.raises(InputError, match="is a folder"):
        check_output(tmp_path, (".csv",))
    with pytest.raises(InputError, match="which this command reads"):
        check_output(tmp_path / "." / "in.csv", (".csv",), inputs=[given])


def test_a_report_to_a_full_disk_leaves_nothing(small_disk, write):  # noqa: F811 - the fixture
    market = write("m.csv", "event,outcome,odds\nm1,Home,2.0\nm1,Draw,4.0\nm1,Away,4.0\n")
    belief = write("b.csv", "outcome,probability\nHome,0.6\nDraw,0.2\nAway,0.2\n")
    fill(small_disk)
    done = run_cli("report", "--market", market, "--belief", belief, "--out", str(small_disk / "r.html"))
    assert done.returncode == 2 and "disk is full" in done.stderr and "no file was left" in done.stderr
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "filler-tail"]
