"""`make serve REPLICAS=2` for real: scripts/serve.sh starts two dashboard processes behind HAProxy on one journal.
Without a cookie requests alternate between the processes; a browser session stays on its process (the SERVERID
cookie) through the page's WebSocket; an entry saved in a browser pinned to one process is listed in a browser
pinned to the other; stopping the script stops every process."""

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
def replicas(tmp_path):
    if not os.path.exists(HAPROXY):
        message = "HAProxy is not installed (make test installs it as root: apt-get install haproxy)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    port = _free_ports(3)
    journal = f"sqlite:///{tmp_path / 'shared.db'}"
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


def test_two_processes_behind_haproxy_share_the_journal_and_keep_sessions(replicas, browser, artifacts):
    url, journal, proc, port = replicas
    assert {_served_by(f"{url}/_stcore/health") for _ in range(4)} == {"s1", "s2"}      # round robin
    assert {_served_by(f"{url}/_stcore/health", "SERVERID=s2") for _ in range(4)} == {"s2"}   # pinned

    first = browser.new_context(viewport={"width": 1400, "height": 1600})
    first.add_cookies([{"name": "SERVERID", "value": "s1", "url": url}])
    page = first.new_page()
    page.set_default_timeout(90_000)
    served = []
    page.on("response", lambda r: served.append(r.headers.get("x-served-by")) if r.url.startswith(url) else None)
    page.goto(url)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    page.get_by_text("Save to journal").click()
    page.get_by_label("Note").fill("saved through s1")
    page.get_by_label("Note").press("Enter")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved as journal entry 1.").wait_for()
    assert set(served) - {None} == {"s1"}              # every request of the session, the WebSocket's included
    first.close()

    second = browser.new_context(viewport={"width": 1400, "height": 1600})
    second.add_cookies([{"name": "SERVERID", "value": "s2", "url": url}])
    other = second.new_page()
    other.set_default_timeout(90_000)
    other.goto(f"{url}/journal")
    other.locator('[data-testid="stMetric"]').filter(has_text="Entries").first.wait_for()
    # the table draws on a canvas; its cells stay in the page for screen readers
    other.get_by_text("saved through s1").first.wait_for(state="attached")
    other.screenshot(path=str(artifacts / "journal-through-the-second-process.png"))
    second.close()

    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
    time.sleep(1)
    for p in (port, port + 1, port + 2):                 # HAProxy and both processes gone with the script
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", p)) != 0, p
