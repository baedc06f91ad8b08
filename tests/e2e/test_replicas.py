"""`make serve REPLICAS=2` for real: scripts/serve.sh starts two dashboard processes behind HAProxy on one journal
(a database of the session's real PostgreSQL server). Without a cookie requests alternate between the processes;
two browser contexts left to the balancer land on different processes and each keeps its process (the SERVERID
cookie) through its WebSocket while it uploads a belief, downloads a report and saves a journal entry; both entries
are listed through either process; stopping the script stops every process."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.e2e.conftest import ROOT
from tests.e2e.sessions import APP_IDLE

pytestmark = pytest.mark.browser
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


def _free_ports(count: int) -> int:
    """The first of `count` consecutive free ports."""
    for base in range(21000, 60000, 97):
        try:
            sockets = []
            for port in range(base, base + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free ports")


def _served_by(url: str, cookie: str | None = None) -> str:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return str(answer.headers.get("X-Served-By"))


@pytest.fixture
def replicas(postgres_url):
    """scripts/serve.sh with REPLICAS=2 on a new database of the session's real PostgreSQL server."""
    import uuid

    import sqlalchemy as sa

    if not os.path.exists(HAPROXY):
        message = "HAProxy is not installed (make test installs it as root: apt-get install haproxy)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    name = f"replicas_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    journal = postgres_url.rsplit("/", 1)[0] + "/" + name
    port = _free_ports(3)
    env = {**os.environ, "MARKET_JOURNAL_URL": journal, "REPLICAS": "2", "PORT": str(port),
           "FIRST_REPLICA_PORT": str(port + 1), "PYTHON": sys.executable}
    proc = subprocess.Popen(["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"the load balancer did not answer in 120 s: {proc.stderr.read() if proc.stderr else ''}")
    yield url, journal, proc, port
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


def _one_session(browser, url: str, note: str, belief: list[int], tmp_path) -> tuple[set[str], str]:
    """A browser context left to the load balancer: upload a belief, download the HTML report, save a journal
    entry. Returns the processes that answered it and the report's text."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    page.set_default_timeout(90_000)
    served: list[str | None] = []
    page.on("response", lambda r: served.append(r.headers.get("x-served-by")) if r.url.startswith(url) else None)
    page.goto(url)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    page.get_by_text("Uploading a file").click()
    page.wait_for_function(APP_IDLE, timeout=90_000)
    upload = tmp_path / f"{note.replace(' ', '-')}.csv"
    upload.write_text("outcome,probability\n" + "".join(f"{o},{v}%\n" for o, v in zip(("Home", "Draw", "Away"),
                                                                                       belief, strict=True)))
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
    page.get_by_text(f"Belief from {upload.stem}").first.wait_for()
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="Download HTML report").click()
    report = tmp_path / f"{note.replace(' ', '-')}.html"
    download.value.save_as(report)
    page.get_by_text("Save to journal").click()
    page.get_by_label("Note").fill(note)
    page.get_by_label("Note").press("Enter")
    page.wait_for_function(APP_IDLE, timeout=90_000)      # the note's rerun done: the Save button is current
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved as journal entry").first.wait_for()
    page.get_by_text(f"Belief from {upload.stem}").first.wait_for()     # the upload is still the session's
    context.close()
    return {s for s in served if s}, report.read_text(encoding="utf-8")


def test_two_processes_behind_haproxy_share_the_journal_and_keep_sessions(replicas, browser, artifacts, tmp_path):
    url, journal, proc, port = replicas
    assert {_served_by(f"{url}/_stcore/health") for _ in range(4)} == {"s1", "s2"}      # round robin
    assert {_served_by(f"{url}/_stcore/health", "SERVERID=s2") for _ in range(4)} == {"s2"}   # pinned

    first, first_report = _one_session(browser, url, "saved by the first browser", [20, 20, 60], tmp_path)
    second, second_report = _one_session(browser, url, "saved by the second browser", [50, 30, 20], tmp_path)
    assert len(first) == 1 and len(second) == 1 and first != second     # each stays on its process; both used
    for report in (first_report, second_report):
        assert report.rstrip().endswith("</html>") and "Burnley" in report

    for server in ("s1", "s2"):                          # both entries listed through either process
        context = browser.new_context(viewport={"width": 1400, "height": 1600})
        context.add_cookies([{"name": "SERVERID", "value": server, "url": url}])
        page = context.new_page()
        page.set_default_timeout(90_000)
        page.goto(f"{url}/journal")
        page.locator('[data-testid="stMetric"]').filter(has_text="Entries").first.wait_for()
        for note in ("saved by the first browser", "saved by the second browser"):
            # the table draws on a canvas; its cells stay in the page for screen readers
            page.get_by_text(note).first.wait_for(state="attached")
        page.screenshot(path=str(artifacts / f"journal-through-{server}.png"))
        context.close()

    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
    time.sleep(1)
    for p in (port, port + 1, port + 2):                 # HAProxy and both processes gone with the script
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", p)) != 0, p
