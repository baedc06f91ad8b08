"""The installable package: the pinned versions satisfy pyproject's ranges, and a wheel installed into a fresh
virtual environment outside the checkout runs `market-disagreement score` on its own bundled data and serves the
dashboard. The fresh environment takes its dependencies from this one's site-packages (a path entry, so no
registry is needed and the checkout is not importable), the project itself only from the wheel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import ROOT
from tests.e2e.conftest import _free_port


def test_the_pins_satisfy_the_packages_ranges():
    ranges = {Requirement(r).name.lower(): Requirement(r) for r in
              tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    assert set(ranges) <= set(pins) | {"psycopg"}
    for name, requirement in ranges.items():
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name], requirement)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment outside the checkout with the project's wheel installed."""
    where = tmp_path_factory.mktemp("install")
    wheels = where / "wheels"
    # built from a copy of the project's files: a build in the checkout would leave build/ behind in it
    source = where / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "build", "*.egg-info", "test-artifacts", ".*_cache", ".hypothesis", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--quiet", "--no-deps", "--no-build-isolation",
                    str(source), "-w", str(wheels)], check=True, cwd=where, timeout=300)
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; "
                                "print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True,
                               check=True).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("market_disagreement-*.whl"))
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    str(wheel)], check=True, timeout=300)
    return venv, where


def test_the_installed_command_scores_with_its_own_bundled_data(installed):
    venv, where = installed
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    where_from = subprocess.run([str(venv / "bin" / "python"), "-c", "import analytics, data; "
                                 "print(analytics.__file__); print(data.__file__)"], capture_output=True, text=True,
                                cwd=where, env=env, check=True).stdout.split()
    assert all(str(ROOT) not in path and str(venv) in path for path in where_from), where_from
    data_dir = Path(where_from[1]).parent
    helped = subprocess.run([str(venv / "bin" / "market-disagreement"), "--help"], capture_output=True, text=True,
                            cwd=where, env=env, timeout=120)
    assert helped.returncode == 0 and "usage: market-disagreement" in helped.stdout
    assert all(command in helped.stdout for command in ("score", "report", "journal", "watch", "dashboard"))
    season = data_dir / "snapshots" / "odds" / "football-data_E0_2324.csv"
    belief = where / "score.json"
    belief.write_text(json.dumps({"kind": "score", "home_goals": 1.3, "away_goals": 1.9}))
    done = subprocess.run([str(venv / "bin" / "market-disagreement"), "score", "--market", str(season), "--event",
                           "2023-08-11 Burnley v Man City", "--belief", str(belief)], capture_output=True, text=True,
                          cwd=where, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["match_kl_bits"] > 0
    alias = subprocess.run([str(venv / "bin" / "python"), "-m", "analytics", "odds", "2.0", "4.0", "4.0"],
                           capture_output=True, text=True, cwd=where, env=env, timeout=120)
    assert json.loads(alias.stdout)["probabilities"] == pytest.approx([0.5, 0.25, 0.25])


def test_the_installed_command_serves_the_dashboard(installed):
    venv, where = installed
    port = _free_port()
    server = subprocess.Popen([str(venv / "bin" / "market-disagreement"), "dashboard", "--server.port", str(port)],
                              cwd=where, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline, health = time.monotonic() + 90, ""
        while time.monotonic() < deadline and health != "ok":
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    health = answer.read().decode()
            except OSError:
                time.sleep(0.5)
        assert health == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as answer:
            assert "<title>Streamlit</title>" in answer.read().decode() or answer.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
