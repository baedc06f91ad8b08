import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# One profile for every property test: no per-example deadline (CI machines stall), 150 examples locally,
# the same under CI=true so a failure found here is found there.
settings.register_profile("project", deadline=None, max_examples=150)
settings.load_profile("project")

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real command line, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "analytics", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


@pytest.fixture
def write(tmp_path):
    def _write(name: str, content: str | bytes) -> str:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return str(path)

    return _write
