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
_PYTEST_MAIN = sys.modules["__main__"]


@pytest.fixture(autouse=True)
def _main_module_restored():
    """Streamlit's script runner (AppTest) installs the app as sys.modules['__main__'] and leaves it there; a later
    test that starts a process with multiprocessing's spawn would then re-run the app in the child. Each test ends
    with pytest's own __main__ back in place."""
    yield
    if sys.modules.get("__main__") is not _PYTEST_MAIN:
        sys.modules["__main__"] = _PYTEST_MAIN


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


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server from Debian's package, started in a temporary folder on a free port for this test
    session and stopped after it (as the `postgres` user when the tests run as root: the server refuses root)."""
    import os
    import pwd
    import shutil
    import socket
    import tempfile

    bindir = _postgres_bin()
    if bindir is None:
        message = "PostgreSQL is not installed (make test installs Debian's postgresql as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="journal-pg-", dir="/tmp"))
    data = root / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chmod(root, 0o755)
        data.mkdir()
        os.chown(data, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                    "--no-sync"], check=True, capture_output=True)
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60",
                    "-l", str(data / "server.log"), "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
