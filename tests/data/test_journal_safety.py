"""Nothing the journal holds is lost or overwritten, and every failure is one line naming the database: refused
URLs and files, one transaction per change, resolving twice, a full disk, a killed writer, concurrent first use,
literal market filters, and export -> import round trips between SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from analytics.core.errors import InputError
from data import journal as store
from services import journal as service
from tests.conftest import ROOT, run_cli
from tests.data.test_journal import football_pair, save

MARKET = "event,outcome,odds\nm_1,Home,2.0\nm_1,Draw,4.0\nm_1,Away,4.0\n"
BELIEF = "outcome,probability\nHome,0.6\nDraw,0.2\nAway,0.2\n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def files(write):
    return write("m.csv", MARKET), write("b.csv", BELIEF)


def add(url: str, files: tuple[str, str], *extra: str) -> subprocess.CompletedProcess:
    market, belief = files
    return run_cli("journal", "add", "--db", url, "--market", market, "--belief", belief, "--method",
                   "multiplicative", *extra)


def one_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    return done.stderr


@pytest.fixture
def fresh_postgres(postgres_url):
    """A new, empty database on the session's PostgreSQL server (dropped after the test)."""
    name = f"journal_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "fresh.db")
    return request.getfixturevalue("fresh_postgres")


# --- what cannot keep data is refused ------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?uri=true",
                                 "sqlite:///file:j?mode=memory&uri=true"])
def test_in_memory_and_temporary_urls_are_refused(url, files):
    message = one_line(add(url, files))
    assert "in-memory or temporary database forgets every entry" in message


def _journal_with_entries(path: Path, count: int) -> None:
    engine = store.connect(sqlite_url(path))
    store.add_entries(engine, [service.new_entry(football_pair((0.6, 0.2, 0.2), event=f"e{i}"), belief_text=BELIEF,
                                                 market_source="m.csv", method="shin", note="x" * 200)
                               for i in range(count)])
    engine.dispose()


def test_a_corrupt_journal_is_refused_and_left_untouched(tmp_path, files):
    path = tmp_path / "j.db"
    _journal_with_entries(path, 300)
    size = path.stat().st_size
    with path.open("r+b") as handle:                    # 8 KB of random bytes in the middle, as in the issue
        handle.seek(size // 2)
        handle.write(os.urandom(8192))
    before = digest(path)
    for done in (add(sqlite_url(path), files), run_cli("journal", "list", "--db", sqlite_url(path)),
                 run_cli("journal", "export", "--db", sqlite_url(path), "--out", str(tmp_path / "x.json"))):
        message = one_line(done)
        assert str(path) in message and ("damaged" in message or "not an SQLite database" in message)
    assert digest(path) == before
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("content, words", [
    (b"hello, I am a spreadsheet\n", "is not an SQLite database"),
    (None, "another program's tables (people)"),
])
def test_a_file_that_is_not_a_journal_is_refused_untouched(tmp_path, files, content, words):
    path = tmp_path / "other.db"
    if content is None:
        with contextlib.closing(sqlite3.connect(path)) as other:
            other.execute("CREATE TABLE people (name TEXT)")
            other.execute("INSERT INTO people VALUES ('Ada')")
            other.commit()
    else:
        path.write_bytes(content)
    before = digest(path)
    message = one_line(add(sqlite_url(path), files))
    assert words in message and str(path) in message
    assert digest(path) == before


def test_a_folder_and_a_missing_folder_are_named(tmp_path, files):
    assert "is a folder" in one_line(add(sqlite_url(tmp_path), files))
    assert "does not exist" in one_line(add(sqlite_url(tmp_path / "nowhere" / "j.db"), files))


def test_a_password_is_masked_and_a_closed_port_named(files):
    message = one_line(add("postgresql+psycopg://desk:s3cret@127.0.0.1:1/journal", files))
    assert "s3cret" not in message and "desk:***@127.0.0.1:1" in message and "refused" in message


@pytest.fixture
def small_disk(tmp_path):
    """A 512 KiB tmpfs mounted for the test (needs root: CI runs as root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root (CI runs as root)")
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> None:
    """Fill the file system of `folder` to the last byte (4 KiB blocks, then single bytes)."""
    for name, block in (("filler", 4096), ("filler-tail", 1)):
        handle = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            with contextlib.suppress(OSError):
                while True:
                    os.write(handle, b"\0" * block)
        finally:
            os.close(handle)


def test_a_read_only_journal_lists_but_refuses_writes(small_disk, files):
    path = small_disk / "j.db"
    _journal_with_entries(path, 3)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    message = one_line(add(sqlite_url(path), files))
    assert "read-only" in message and str(path) in message
    message = one_line(run_cli("journal", "resolve", "1", "--outcome", "Home", "--db", sqlite_url(path)))
    assert "read-only" in message
    listed = run_cli("journal", "list", "--db", sqlite_url(path))
    assert listed.returncode == 0 and len(json.loads(listed.stdout)["entries"]) == 3


def free_up(folder: Path, room: int | None = None) -> None:
    """Give back `room` bytes of a filled file system (all of it when None)."""
    filler = folder / "filler"
    (folder / "filler-tail").unlink(missing_ok=True)
    if room is None:
        filler.unlink(missing_ok=True)
    else:
        os.truncate(filler, max(filler.stat().st_size - room, 0))


@pytest.mark.parametrize("room", [0, 96 * 1024], ids=["no-room-to-open", "full-mid-transaction"])
def test_a_full_disk_during_add_loses_nothing(small_disk, write, room):
    path = small_disk / "j.db"
    _journal_with_entries(path, 5)
    url = sqlite_url(path)
    before = json.loads(run_cli("journal", "list", "--db", url).stdout)["entries"]
    market = write("m.csv", MARKET)
    many = write("many.csv", "belief,outcome,probability\n" + "".join(
        f"belief number {i},{o},{p}\n" for i in range(380) for o, p in (("Home", 0.6), ("Draw", 0.2), ("Away", 0.2))))
    fill(small_disk)
    if room:
        free_up(small_disk, room)
    message = one_line(run_cli("journal", "add", "--db", url, "--market", market, "--belief", many,
                               "--note", "n" * 2000))
    assert "disk is full" in message and "nothing was saved" in message and str(path) in message
    free_up(small_disk)
    assert json.loads(run_cli("journal", "list", "--db", url).stdout)["entries"] == before
    with contextlib.closing(sqlite3.connect(path)) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_an_export_to_a_full_disk_leaves_no_file(small_disk, tmp_path):
    url = sqlite_url(tmp_path / "j.db")
    _journal_with_entries(tmp_path / "j.db", 5)
    fill(small_disk)
    for suffix in (".json", ".csv"):
        out = small_disk / f"backup{suffix}"
        assert "disk is full" in one_line(run_cli("journal", "export", "--db", url, "--out", str(out)))
        assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "filler-tail"]


def test_a_full_disk_during_an_export_keeps_the_earlier_export(small_disk, tmp_path):
    url = sqlite_url(tmp_path / "j.db")
    _journal_with_entries(tmp_path / "j.db", 400)       # a backup larger than what is left on the small disk
    out = small_disk / "backup.json"
    out.write_text('{"entries": []}')
    before = digest(out)
    fill(small_disk)
    (small_disk / "filler-tail").unlink()               # a few bytes free: the probe passes, the write cannot
    message = one_line(run_cli("journal", "export", "--db", url, "--out", str(out)))
    assert "disk is full" in message and "as it was" in message
    assert digest(out) == before
    assert [p.name for p in small_disk.iterdir() if p.name.endswith(".partial")] == []


# --- one transaction per change ----------------------------------------------------------------------------------

WRITER = """
import sys
from data import journal as store
from services import journal as service
from tests.data.test_journal import football_pair
engine = store.connect(sys.argv[1])
for i in range(1000):
    entry = service.new_entry(football_pair((0.6, 0.2, 0.2), event=f"k{i}"), belief_text="b", market_source="m",
                              method="shin", note="n" * 500, entry_tags=["a", "b", "c"])
    print(store.add_entries(engine, [entry])[0], flush=True)
"""


def test_a_writer_killed_mid_add_leaves_whole_entries(tmp_path):
    path = tmp_path / "j.db"
    url = sqlite_url(path)
    store.connect(url).dispose()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "1"          # the first commit is seen
    time.sleep(0.3)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    with contextlib.closing(sqlite3.connect(path)) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        count = check.execute("SELECT count(*) FROM journal_entries").fetchone()[0]
        assert 1 <= count < 1000
        points = dict(check.execute("SELECT entry_id, count(*) FROM journal_market_points GROUP BY entry_id"))
        labels = dict(check.execute("SELECT entry_id, count(*) FROM journal_tags GROUP BY entry_id"))
    ids = range(1, count + 1)
    assert all(points.get(i) == 3 for i in ids) and all(labels.get(i) == 3 for i in ids)
    assert len(points) == len(labels) == count


def test_an_add_of_many_entries_is_all_or_nothing(tmp_path, write):
    url = sqlite_url(tmp_path / "j.db")
    market = write("m.csv", MARKET)
    many = write("many.csv", "belief,outcome,probability\n" + "".join(
        f"b{i},{o},{p}\n" for i in range(50) for o, p in (("Home", 0.6), ("Draw", 0.2), ("Away", 0.2))))
    done = run_cli("journal", "add", "--db", url, "--market", market, "--belief", many)
    assert done.returncode == 0, done.stderr
    assert [e["id"] for e in json.loads(done.stdout)["entries"]] == list(range(1, 51))
    engine = store.connect(url)
    with pytest.raises(RuntimeError, match="power cut"):      # a failure inside the transaction: nothing of it kept
        with store.writing(engine) as conn:
            conn.execute(sa.insert(store.entries).values(saved_at="x", market_source="m", market_event="e",
                                                         market_method="m", market_kind="discrete", market_hash="h",
                                                         belief_text="b"))
            raise RuntimeError("power cut")
    assert len(store.list_entries(engine)) == 50


def test_resolving_twice_needs_force_and_keeps_the_history(fresh_url):
    engine = store.connect(fresh_url)
    entry_id = save(engine, football_pair((0.6, 0.2, 0.2)))
    first = service.resolve(engine, entry_id, outcome="Home")
    with pytest.raises(InputError, match="resolved already .*--force"):
        service.resolve(engine, entry_id, outcome="Away")
    assert store.get_entry(engine, entry_id)["outcome"] == "Home"
    second = service.resolve(engine, entry_id, outcome="Away", force=True)
    assert second["outcome"] == "Away"
    assert second["realised_fair_bits"] == pytest.approx(math.log2(0.2 / 0.25), abs=1e-12)
    assert second["history"] == [{"outcome": "Home", "outcome_price": None,
                                  "realised_fair_bits": first["realised_fair_bits"],
                                  "resolved_at": first["resolved_at"], "replaced_at": second["history"][0][
                                      "replaced_at"]}]
    engine.dispose()


def test_resolve_names_bad_ids_and_prices(tmp_path, files):
    url = sqlite_url(tmp_path / "j.db")
    assert add(url, files).returncode == 0
    assert "no journal entry 1000000000000000000000000000000" in one_line(
        run_cli("journal", "resolve", str(10**30), "--outcome", "Home", "--db", url))
    assert "no journal entry -4" in one_line(run_cli("journal", "resolve", "--db", url, "--outcome", "Home", "--",
                                                     "-4"))
    done = run_cli("journal", "resolve", "1", "--outcome", "Home", "--db", url)
    assert done.returncode == 0
    assert "--force" in one_line(run_cli("journal", "resolve", "1", "--outcome", "Away", "--db", url))
    assert json.loads(run_cli("journal", "resolve", "1", "--outcome", "Away", "--force", "--db", url).stdout)[
        "history"][0]["outcome"] == "Home"


def _add_many(url: str, writer: int, count: int, start: str) -> None:
    while not Path(start).exists():                  # every writer reaches the fresh database at once
        time.sleep(0.005)
    engine = store.connect(url)
    for i in range(count):
        save(engine, football_pair((0.6, 0.2, 0.2), event=f"w{writer}-{i}"), note=f"{writer}:{i}", tags=["t"])
    engine.dispose()


def test_eight_processes_on_a_fresh_database_lose_nothing(fresh_url, tmp_path):
    """8 processes x 200 adds, all starting on a database with no schema yet: 1,600 entries, no error."""
    import multiprocessing

    start = tmp_path / "go"
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_add_many, args=(fresh_url, w, 200, str(start))) for w in range(8)]
    for process in processes:
        process.start()
    time.sleep(1.0)
    start.touch()
    for process in processes:
        process.join(300)
    assert [p.exitcode for p in processes] == [0] * 8
    engine = store.connect(fresh_url)
    entries = store.list_entries(engine)
    assert len(entries) == 1600
    assert {e["note"] for e in entries} == {f"{w}:{i}" for w in range(8) for i in range(200)}
    with engine.connect() as conn:
        assert [v for (v,) in conn.execute(sa.select(store.schema_table.c.version)
                                           .order_by(store.schema_table.c.version))] == [1, 2, 3]
    engine.dispose()


# --- reading back ------------------------------------------------------------------------------------------------

def test_market_filter_matches_literal_text(fresh_url):
    engine = store.connect(fresh_url)
    plain = save(engine, football_pair((0.6, 0.2, 0.2), event="Arsenal v Chelsea"))
    under = save(engine, football_pair((0.6, 0.2, 0.2), event="m_1 50%"))
    slash = save(engine, football_pair((0.6, 0.2, 0.2), event="back\\slash"))
    assert [e["id"] for e in store.list_entries(engine, market="_")] == [under]
    assert [e["id"] for e in store.list_entries(engine, market="%")] == [under]
    assert [e["id"] for e in store.list_entries(engine, market="\\")] == [slash]
    assert [e["id"] for e in store.list_entries(engine, market="arsenal")] == [plain]     # case-insensitive
    assert store.list_entries(engine, market="m%1") == []
    engine.dispose()


def test_export_onto_the_database_is_refused_and_the_journal_kept(tmp_path, files):
    path = tmp_path / "j.db.csv"
    url = sqlite_url(path)
    assert add(url, files).returncode == 0
    before = digest(path)
    for out in (path, Path(str(path) + "-wal")):
        message = one_line(run_cli("journal", "export", "--db", url, "--out", str(out)))
        assert "which this command reads" in message or "suffix" in message
    assert digest(path) == before
    assert len(json.loads(run_cli("journal", "list", "--db", url).stdout)["entries"]) == 1


def _documented_entry_keys() -> tuple[set[str], set[str], set[str]]:
    """The keys of a journal entry as docs/formats.md shows it (its example entry)."""
    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    block = text.split("<!-- journal entry -->", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    example = json.loads(block)
    return set(example), set(example["market"]), set(example["belief"])


def test_the_documented_entry_shape_holds_in_add_list_and_export(tmp_path, write):
    keys, market_keys, belief_keys = _documented_entry_keys()
    url = sqlite_url(tmp_path / "j.db")
    market = write("m.csv", MARKET)
    zero = write("zero.csv", "outcome,probability\nHome,0.8\nDraw,0.2\nAway,0\n")     # reverse KL is infinite
    added = json.loads(run_cli("journal", "add", "--db", url, "--market", market, "--belief", zero).stdout)
    listed = json.loads(run_cli("journal", "list", "--db", url).stdout)["entries"][0]
    assert run_cli("journal", "export", "--db", url, "--out", str(tmp_path / "j.json")).returncode == 0
    exported = json.loads((tmp_path / "j.json").read_text())["entries"][0]
    for entry in (added, listed, exported):
        assert keys <= set(entry), keys - set(entry)
        assert market_keys <= set(entry["market"]) and belief_keys <= set(entry["belief"])
        assert entry["belief"]["text"].startswith("outcome,probability")        # the belief's file form
        assert entry["reverse_kl_bits"] == "inf"
    assert set(listed) == keys and set(listed["market"]) == market_keys
    assert run_cli("journal", "export", "--db", url, "--out", str(tmp_path / "j.csv")).returncode == 0
    import csv

    [row] = list(csv.DictReader((tmp_path / "j.csv").open(encoding="utf-8")))
    assert row["reverse_kl_bits"] == "inf" and float(row["kl_bits"]) == pytest.approx(added["kl_bits"], rel=1e-15)


# --- backups -----------------------------------------------------------------------------------------------------

def _populate(url: str) -> None:
    from analytics.beliefs.price import ShiftedMarket
    from analytics.beliefs.spec import NamedBelief
    from analytics.core.distributions import GriddedDensity
    from analytics.scoring.continuous import ContinuousMarket
    from analytics.scoring.pairs import score_pairs

    engine = store.connect(url)
    first = save(engine, football_pair((0.6, 0.2, 0.2)), note="<b>hostile</b> =1+1", tags=["epl", "x,y"])
    save(engine, football_pair((0.8, 0.2, 0.0), event="zero"))
    service.resolve(engine, first, outcome="Home")
    service.resolve(engine, first, outcome="Draw", force=True)
    import numpy as np

    x = np.linspace(50.0, 150.0, 401)
    density = GriddedDensity(x, np.exp(-0.5 * ((x - 100) / 10) ** 2) / (10 * np.sqrt(2 * np.pi)))
    pair = score_pairs([ContinuousMarket("2026-03-20", density)],
                       [NamedBelief("", ShiftedMarket(0.02, 1.1))])[0]
    price_id = service.save_pair(engine, pair, belief_text='{"kind":"shifted_market","shift":0.02,"scale":1.1}',
                                 market_source="chain.csv", method="log-spline")
    service.resolve(engine, price_id, price=103.25)
    engine.dispose()


def _everything(url: str) -> list[dict]:
    engine = store.connect(url)
    try:
        found = json.loads(service.backup_json(engine))["entries"]
    finally:
        engine.dispose()
    return found


def test_export_then_import_restores_every_entry_exactly_across_databases(tmp_path, fresh_postgres):
    source = sqlite_url(tmp_path / "source.db")
    _populate(source)
    original = _everything(source)
    assert len(original) == 3 and original[-1]["history"][0]["outcome"] == "Home"
    assert run_cli("journal", "export", "--db", source, "--out", str(tmp_path / "one.json")).returncode == 0
    done = run_cli("journal", "import", str(tmp_path / "one.json"), "--db", fresh_postgres)
    assert done.returncode == 0, done.stderr
    assert _everything(fresh_postgres) == original                             # SQLite -> PostgreSQL
    assert run_cli("journal", "export", "--db", fresh_postgres, "--out", str(tmp_path / "two.json")).returncode == 0
    back = sqlite_url(tmp_path / "back.db")
    assert run_cli("journal", "import", str(tmp_path / "two.json"), "--db", back).returncode == 0
    assert _everything(back) == original                                       # and back
    again = one_line(run_cli("journal", "import", str(tmp_path / "two.json"), "--db", back))
    assert "ids [1, 2, 3] already" in again
    engine = store.connect(fresh_postgres)                  # the sequence moved past the restored ids
    assert save(engine, football_pair((0.5, 0.3, 0.2))) == 4
    engine.dispose()


def test_a_changed_backup_is_refused_whole(tmp_path):
    source = sqlite_url(tmp_path / "source.db")
    _populate(source)
    assert run_cli("journal", "export", "--db", source, "--out", str(tmp_path / "b.json")).returncode == 0
    backup = json.loads((tmp_path / "b.json").read_text())
    backup["entries"][0]["market"]["values"][0] += 1e-9
    (tmp_path / "bad.json").write_text(json.dumps(backup))
    target = sqlite_url(tmp_path / "target.db")
    assert "do not match its hash" in one_line(run_cli("journal", "import", str(tmp_path / "bad.json"),
                                                       "--db", target))
    assert json.loads(run_cli("journal", "list", "--db", target).stdout)["entries"] == []
