"""Ten users at once against one real Streamlit server (tests/e2e/sessions.py: separate Chromium contexts, each
loading the Betting page, changing a control, uploading a belief, opening the Options page). Printed: the server's
answer to each first page (websocket open to script finished), the first paint in the browser, the server's CPU
seconds and its memory growth. Issue 14's target is first loads under 15 s; the browsers share the machine's cores
with the server, so the paint also measures ten Chromium tabs starting the app's scripts on those cores."""

from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path

from tests.e2e.conftest import start_server, stop_server
from tests.e2e.test_sessions import SESSIONS, drive, resident_mb


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100


def run() -> None:
    print(f"{SESSIONS} browser sessions at once (issue 14 target: every first load under 15 s)")
    if shutil.which("chromium") is None:
        print("  skipped: Debian's chromium is not installed")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        proc, url = start_server({"MARKET_JOURNAL_URL": f"sqlite:///{folder / 'journal.db'}"})
        try:
            alone = drive(url, 1, folder / "warm.json")[0]      # also fills the shared caches once
            memory, cpu = resident_mb(proc.pid), _cpu_seconds(proc.pid)
            records = drive(url, SESSIONS, folder / "sessions.json")
            cpu = _cpu_seconds(proc.pid) - cpu
            grown = resident_mb(proc.pid) - memory
        finally:
            stop_server(proc)
    answers = [r.get("server_answer_s", float("nan")) for r in records]
    paints = [r.get("first_paint_s", float("nan")) for r in records]
    sockets = [r.get("socket_open_s", float("nan")) for r in records]
    print(f"  one session alone: server answer {alone['server_answer_s']:.1f} s, first paint "
          f"{alone['first_paint_s']:.1f} s")
    print(f"  server answer to each first page: median {statistics.median(answers):.1f} s, "
          f"slowest {max(answers):.1f} s")
    print(f"  websocket opened (browser started the app's scripts): median {statistics.median(sockets):.1f} s")
    print(f"  first paint: median {statistics.median(paints):.1f} s, slowest {max(paints):.1f} s")
    print(f"  whole walk: slowest {max(r.get('done_s', float('nan')) for r in records):.1f} s; problems: "
          f"{sum(len(r['problems']) for r in records)}")
    print(f"  server: {cpu:.1f} CPU seconds for the {SESSIONS} walks, memory +{grown:.0f} MB")
