"""Ten users at once against one real server: each in its own browser context loads the Betting page, changes a
control, uploads a belief of its own and switches to the Options page (tests/e2e/sessions.py). Every session must
finish with no exception box and no error message, show the KL of its own belief, and get its first page from the
server in under 10 s; the server's memory afterwards stays within 150 MB of what it held before.

The server's answer is the server's own clock: the wall time of each session's first page run, from the run log
(dashboard/runlog.py, MARKET_RUN_LOG). A browser's clock cannot give it here: ten headless Chromiums on the
server's two cores spend most of a minute rendering (an empty Streamlit app alone takes 16 s there), and a starved
browser stamps the server's messages seconds late (CI saw 11-13 s "answers" from the browsers for runs the server
finished in a fraction of that). The browsers' timings are printed, not held to a target."""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from analytics.beliefs.discrete import DiscreteBelief
from analytics.beliefs.spec import NamedBelief
from analytics.betting.odds_files import OddsRequest
from analytics.scoring.discrete import score_named_belief
from data.files import read_text_file
from data.market_files import markets_from_text
from tests.conftest import ROOT
from tests.e2e.conftest import start_server, stop_server
from tests.e2e.sessions import belief_text

pytestmark = pytest.mark.browser
SESSIONS = 10
SERVER_ANSWER_LIMIT_S = 10.0
MEMORY_GROWTH_LIMIT_MB = 150.0


def resident_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return int(next(line.split()[1] for line in f if line.startswith("VmRSS"))) / 1024


def drive(url: str, sessions: int, out: Path) -> list[dict]:
    """The sessions in their own process, at the lowest CPU priority (the users' browsers stand in for machines of
    their own). Nice 10 was not enough: CFS weighs each of the ~30 Chromium processes at 110 against the server's
    1024, so ten rendering browsers left the server about a quarter of the CPU and CI measured 11 s answers; at
    nice 19 (weight 15) they take at most about a third."""
    subprocess.run(["nice", "-n", "19", sys.executable, "-m", "tests.e2e.sessions", url, str(sessions), str(out)],
                   cwd=ROOT, check=True, timeout=900)
    return json.loads(out.read_text())


RUN_LINE = re.compile(r"session=(\S+) page=(\S+) run=(\d+) seconds=([0-9.]+)")


def first_runs(log: Path, skip: int) -> dict[str, float]:
    """Each session's first page run (seconds, the server's clock) among the run log's lines after the first
    `skip` characters."""
    found = {}
    for session, _page, run, seconds in RUN_LINE.findall(log.read_text()[skip:]):
        if run == "1":
            found[session] = float(seconds)
    return found


def expected_kl(session: int) -> str:
    markets = markets_from_text(read_text_file(ROOT / "data/snapshots/odds/football-data_E0_2324.csv"), "x",
                                OddsRequest(), "shin")
    lines = belief_text(session).splitlines()[1:]
    belief = DiscreteBelief(markets[0].labels, np.array([float(line.split(",")[1]) for line in lines]))
    return f"{score_named_belief(NamedBelief('b', belief), markets[0]).kl_bits:.4f} bits"


@pytest.mark.usefixtures("chromium_path")
def test_ten_sessions_at_once(tmp_path, artifacts):
    run_log = tmp_path / "runs.log"
    proc, url = start_server({"MARKET_JOURNAL_URL": f"sqlite:///{tmp_path / 'journal.db'}",
                              "MARKET_RUN_LOG": str(run_log)})
    try:
        warm = drive(url, 1, tmp_path / "warm.json")          # shared caches filled once, as after any first visit
        assert not warm[0]["problems"], warm
        before = resident_mb(proc.pid)
        logged_before = len(run_log.read_text())
        records = drive(url, SESSIONS, tmp_path / "sessions.json")
        time.sleep(5)                                           # closed sessions are released by the server
        after = resident_mb(proc.pid)
    finally:
        stop_server(proc)
    (artifacts / "sessions.json").write_text(json.dumps({"memory_mb": [before, after], "sessions": records}, indent=1))
    assert [r["problems"] for r in records] == [[]] * SESSIONS
    assert [r["kl_shown"] for r in records] == [expected_kl(i) for i in range(SESSIONS)]
    answers = sorted(first_runs(run_log, logged_before).values())
    assert len(answers) == SESSIONS, answers
    assert max(answers) < SERVER_ANSWER_LIMIT_S, answers
    assert after - before < MEMORY_GROWTH_LIMIT_MB, (before, after)
    paints = sorted(r["first_paint_s"] for r in records)
    seen = sorted(r["server_answer_s"] for r in records)
    print(f"\n{SESSIONS} sessions: first pages run by the server in {answers[0]:.2f}-{answers[-1]:.2f} s (seen by "
          f"the browsers in {seen[0]:.1f}-{seen[-1]:.1f} s), first paints {paints[0]:.1f}-{paints[-1]:.1f} s, "
          f"memory {before:.0f} -> {after:.0f} MB")
