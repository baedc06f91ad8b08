"""The journal's storage: beliefs, the markets they were scored against and their outcomes, in a real database
through SQLAlchemy Core (SQLite by default, any SQLAlchemy URL for a shared one; PostgreSQL is tested).

Nothing the journal holds is lost without a word (docs/formats.md, "Journal"):
- a database that cannot keep entries is refused before anything is written: an in-memory or temporary SQLite
  URL, a file that is not an SQLite database or fails its quick check, a database holding another program's
  tables, a read-only database for a write;
- the schema is created and migrated once, inside one transaction that holds the database's write lock
  (`BEGIN IMMEDIATE` on SQLite, an advisory transaction lock on PostgreSQL), so concurrent first users queue;
- every change is one transaction: an add of many entries saves all or none; resolving a resolved entry needs
  `force` and keeps the earlier outcome in `journal_history`;
- every database failure is an InputError naming the database (password masked) in plain words.

Schema versions are kept in `journal_schema` and applied in order by `migrate` (a handful of portable DDL
statements: Alembic would add a second configuration and a migrations folder for what four tables need). Each
entry's market is kept as rows (outcome labels and probabilities, or a density's x and pdf), so an entry can be
re-scored and resolved without the file it came from.
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import sqlite3
import zlib
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable, Iterator, ParamSpec, Sequence, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analytics.core.errors import InputError

ENV_URL = "MARKET_JOURNAL_URL"
SCHEMA_VERSION = 3
MAX_ID = 2**63 - 1             # the largest id a 64-bit integer column holds: any other is "no entry"
_LOCK_KEY = zlib.crc32(b"market-disagreement journal schema")     # PostgreSQL advisory lock of the migration
metadata = sa.MetaData()

schema_table = sa.Table("journal_schema", metadata, sa.Column("version", sa.Integer, nullable=False))
entries = sa.Table(
    "journal_entries", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("saved_at", sa.String(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("market_source", sa.Text, nullable=False),
    sa.Column("market_event", sa.Text, nullable=False),
    sa.Column("market_method", sa.Text, nullable=False),
    sa.Column("market_kind", sa.String(16), nullable=False),          # 'discrete' or 'density'
    sa.Column("market_hash", sa.String(64), nullable=False),
    sa.Column("belief_name", sa.Text, nullable=False, default=""),
    sa.Column("belief_text", sa.Text, nullable=False),                # the belief in its file form
    sa.Column("kl_bits", sa.Float),
    sa.Column("kl_nats", sa.Float),
    sa.Column("reverse_kl_bits", sa.Float),
    sa.Column("kelly_growth_tradable_nats", sa.Float),
    sa.Column("outcome", sa.Text),
    sa.Column("outcome_price", sa.Float),
    sa.Column("realised_fair_bits", sa.Float),
    sa.Column("resolved_at", sa.String(32)),
)
tags = sa.Table(
    "journal_tags", metadata,
    sa.Column("entry_id", sa.Integer, sa.ForeignKey("journal_entries.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),     # a tag may be long: it is data, not a key
    sa.Column("tag", sa.Text, nullable=False),
)
market_points = sa.Table(
    "journal_market_points", metadata,
    sa.Column("entry_id", sa.Integer, sa.ForeignKey("journal_entries.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("label", sa.Text),            # an outcome (discrete markets)
    sa.Column("x", sa.Float),               # a price (densities)
    sa.Column("value", sa.Float, nullable=False),     # probability, or density per unit of price
)
history = sa.Table(                         # schema version 2: outcomes an entry had before it was resolved again
    "journal_history", metadata,
    sa.Column("entry_id", sa.Integer, sa.ForeignKey("journal_entries.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("outcome", sa.Text),
    sa.Column("outcome_price", sa.Float),
    sa.Column("realised_fair_bits", sa.Float),
    sa.Column("resolved_at", sa.String(32)),
    sa.Column("replaced_at", sa.String(32), nullable=False),
)
snapshots = sa.Table(                       # schema version 3: watched markets, one row per changed snapshot
    "market_snapshots", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(32), nullable=False),          # polymarket, kalshi, football-data
    sa.Column("market_id", sa.Text, nullable=False),             # the event slug, ticker or league code
    sa.Column("fetched_at", sa.String(32), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),          # of the outcomes and prices, not of the fetch time
    sa.Column("text", sa.Text, nullable=False),                  # the market in its readers' file form
    sa.Index("market_snapshots_by_market", "source", "market_id", "id"),
)
MIGRATIONS: dict[int, tuple[sa.Table, ...]] = {1: (entries, tags, market_points), 2: (history,), 3: (snapshots,)}
OUR_TABLES = {t.name for t in metadata.sorted_tables}


def default_url() -> str:
    """MARKET_JOURNAL_URL, else an SQLite file in the user's data directory."""
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("market-disagreement"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'journal.db'}"


def shown_url(url: sa.URL | str) -> str:
    """The URL as messages show it: any password masked."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True) if isinstance(url, str) else \
            url.render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(an unreadable URL)"


def sqlite_file(url: sa.URL) -> Path | None:
    """The file an SQLite URL names (None for other databases)."""
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    name = url.database.removeprefix("file:").split("?")[0] if url.query.get("uri") else url.database
    return Path(name)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _plain(exc: BaseException) -> str:
    """A database driver's failure in plain words."""
    original = getattr(exc, "orig", None) or exc
    text = " ".join(str(original).split()).lower()
    for needle, words in (("disk is full", "the disk is full; nothing was saved"),
                          ("no space left", "the disk is full; nothing was saved"),
                          ("readonly database", "the database is read-only; entries can be listed and exported, "
                                                "not changed"),
                          ("read-only", "the database is read-only; entries can be listed and exported, not changed"),
                          ("not a database", "the file is not an SQLite database"),
                          ("malformed", "the database file is damaged; restore it from an export or a copy"),
                          ("unable to open database", "the database file cannot be opened (a missing folder, or no "
                                                      "permission)"),
                          ("database is locked", "the database stayed locked by another program for 60 s"),
                          ("connection refused", "the database server refused the connection (is it running?)"),
                          ("password authentication failed", "the server refused the user or password"),
                          ("does not exist", str(original).splitlines()[0].strip()),
                          ("timeout", "the database server did not answer in time")):
        if needle in text:
            return words
    return str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__


def _named(engine: Engine, problem: str) -> InputError:
    return InputError(f"journal database {shown_url(engine.url)}: {problem}")


def _sqlite_problem(exc: BaseException, path: Path | None) -> str:
    """_plain, with SQLite's "disk I/O error" read as a full disk when the file's folder has no room left (SQLite
    reports a shared-memory file it could not create that way)."""
    problem = _plain(exc)
    if path is not None and "disk i/o error" in problem.lower():
        with suppress(OSError):
            if shutil.disk_usage(path.parent).free < 1 << 20:
                return "the disk is full; nothing was saved"
    return problem


def _guarded(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Database failures of a storage function (its first argument the engine) as one line naming the database."""
    @functools.wraps(function)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except (sa.exc.SQLAlchemyError, sqlite3.Error, OSError) as exc:
            engine = args[0]
            assert isinstance(engine, Engine)
            raise _named(engine, _sqlite_problem(exc, sqlite_file(engine.url))) from None
    return run


def _check_sqlite_file(url: sa.URL) -> None:
    """Refuse, before any write, an SQLite URL or file that cannot keep a journal; the file is only read."""
    shown = shown_url(url)
    memory = (not url.database or url.database in (":memory:", "")
              or url.database.startswith("file::memory:") or url.query.get("mode") == "memory"
              or "mode=memory" in url.database)
    if memory:
        raise InputError(f"journal database {shown}: an in-memory or temporary database forgets every entry when "
                         "the program ends; name a file, e.g. sqlite:///journal.db")
    path = sqlite_file(url)
    assert path is not None
    if path.is_dir():
        raise InputError(f"journal database {shown}: {path} is a folder, not a database file")
    if not path.exists() or path.stat().st_size == 0:
        if not path.parent.is_dir():
            raise InputError(f"journal database {shown}: folder {path.parent} does not exist")
        return
    # Read through SQLite only: a Python open() and close() of the file would release every POSIX lock this
    # process holds on it, under the feet of the journal's other connections (SQLite's own warning; eight writers
    # in threads corrupted the file that way).
    try:
        probe = sqlite3.connect(_read_uri(path), uri=True, timeout=60)
        try:
            verdict = [row[0] for row in probe.execute("PRAGMA quick_check(5)")]
            names = {row[0] for row in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            probe.close()
    except sqlite3.Error as exc:
        raise InputError(f"journal database {shown}: {_sqlite_problem(exc, path)} (the file was left untouched)") \
            from None
    if verdict != ["ok"]:
        raise InputError(f"journal database {shown}: the file is damaged (SQLite's quick check: "
                         f"{'; '.join(verdict)[:200]}); restore it from an export or a copy, or name another file "
                         "(it was left untouched)")
    foreign = sorted(n for n in names if not n.startswith("sqlite_")) if "journal_schema" not in names else []
    if foreign:
        raise InputError(f"journal database {shown}: the file holds another program's tables "
                         f"({', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''}), not a journal; name "
                         "another file (it was left untouched)")


def read_only(path: Path) -> bool:
    """An SQLite file that cannot be changed: itself or its folder (where SQLite keeps its -wal and -shm files) is
    not writable, by permissions or a read-only mount."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _read_uri(path: Path) -> str:
    """A URI that opens `path` for reading only; on a read-only place as immutable (SQLite could not create the
    shared-memory file a WAL database needs there, and nothing can change the file meanwhile)."""
    return f"{path.absolute().as_uri()}?{'immutable=1' if read_only(path) else 'mode=ro'}"


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None          # transactions are begun by _sqlite_begin, not the driver
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=60000")      # first: writers (and the switch to WAL) queue for the lock
    try:
        cursor.execute("PRAGMA journal_mode=WAL")    # readers do not block the writer (a page and a CLI at once)
    except sqlite3.OperationalError:                 # a read-only database keeps its mode: it is only read
        pass
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A write transaction takes the write lock at its start: one that began as a reader could not upgrade while
    # another writer waits (SQLite answers "locked" at once, without the busy timeout).
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("journal_write") else "BEGIN")


def connect(url: str | None = None) -> Engine:
    """An engine for the journal at `url` (default_url() when None), checked and with its schema up to date."""
    chosen = url or default_url()
    try:
        parsed = sa.make_url(chosen)
    except sa.exc.ArgumentError:
        raise InputError(f"journal database URL {shown_url(chosen)!r} is not a database URL; write e.g. "
                         "sqlite:///journal.db or postgresql+psycopg://user@host/db") from None
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_file(parsed)
        path = sqlite_file(parsed)
        if path is not None and read_only(path):      # listed and exported; every change refused by `writing`
            options["creator"] = functools.partial(sqlite3.connect, _read_uri(path), uri=True, timeout=60,
                                                   check_same_thread=False)
    try:
        engine = sa.create_engine(parsed, future=True, **options)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise InputError(f"journal database URL {shown_url(parsed)!r} is not usable: {exc}") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
    migrate(engine)
    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction, holding the write lock from its start on SQLite; committed at the end, rolled back
    (nothing of it kept) on any failure. A read-only SQLite file or folder is refused before it starts."""
    path = sqlite_file(engine.url)
    if path is not None and read_only(path):
        raise _named(engine, "the database is read-only; entries can be listed and exported, not changed")
    with engine.connect() as conn:
        conn.execution_options(journal_write=True)
        with conn.begin():
            yield conn


def _version(conn: Connection, engine: Engine) -> int:
    present = set(sa.inspect(conn).get_table_names())
    if "journal_schema" not in present:
        if present & OUR_TABLES:
            raise _named(engine, "it holds journal tables without their schema version "
                                 f"({', '.join(sorted(present & OUR_TABLES))}); it was not made by this program")
        return 0
    current = int(conn.execute(sa.select(sa.func.max(schema_table.c.version))).scalar() or 0)
    if current > SCHEMA_VERSION:
        raise _named(engine, f"it is at schema version {current}, newer than this program's ({SCHEMA_VERSION}); "
                             "update the program")
    return current


@_guarded
def migrate(engine: Engine) -> int:
    """Apply the schema versions the database does not have yet, in one transaction that holds the write lock
    (concurrent first users queue behind it, then find the work done); returns the version it is at. A database
    that is up to date is only read."""
    with engine.connect() as conn:
        if _version(conn, engine) == SCHEMA_VERSION:
            return SCHEMA_VERSION
    with writing(engine) as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))
        current = _version(conn, engine)
        if current < SCHEMA_VERSION:
            schema_table.create(conn, checkfirst=True)
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for table in MIGRATIONS[version]:
                    table.create(conn, checkfirst=True)
                conn.execute(sa.insert(schema_table).values(version=version))
    return SCHEMA_VERSION


@dataclass(frozen=True)
class MarketRecord:
    """A market as the journal keeps it: kind, labels (discrete) or x (density), and the values."""

    kind: str
    labels: tuple[str, ...]
    x: tuple[float, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class NewEntry:
    """An entry to add: its columns (without id and saved_at unless restored), tags and market."""

    fields: dict[str, Any]
    tags: Sequence[str]
    market: MarketRecord


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def number(value: Any) -> float | None:
    """A figure as stored: infinities kept (SQLite and PostgreSQL hold them), NaN and non-numbers as NULL."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        with suppress(OverflowError):
            number = float(value)
            return None if math.isnan(number) else number
    return None


def _insert(conn: Connection, item: NewEntry) -> int:
    values = {"saved_at": now_utc(), **item.fields}
    key = conn.execute(sa.insert(entries).values(**values)).inserted_primary_key
    assert key is not None
    entry_id = int(key[0])
    clean = sorted({t.strip() for t in item.tags if t.strip()})
    if clean:
        conn.execute(sa.insert(tags), [{"entry_id": entry_id, "position": i, "tag": t} for i, t in enumerate(clean)])
    market = item.market
    rows = [{"entry_id": entry_id, "position": i, "label": market.labels[i] if market.labels else None,
             "x": market.x[i] if market.x else None, "value": v} for i, v in enumerate(market.values)]
    if rows:
        conn.execute(sa.insert(market_points), rows)
    return entry_id


@_guarded
def add_entries(engine: Engine, items: Sequence[NewEntry]) -> list[int]:
    """Insert entries with their tags and markets in one transaction: all are saved, or none (and the failure is
    an InputError naming the database). Returns their ids in order."""
    with writing(engine) as conn:
        return [_insert(conn, item) for item in items]


def _literal_pattern(text: str) -> str:
    """A LIKE pattern matching `text` literally anywhere ('%' and '_' are characters, not wildcards)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _check_id(entry_id: int) -> int:
    if not 1 <= entry_id <= MAX_ID:
        raise InputError(f"no journal entry {entry_id}")
    return entry_id


@_guarded
def list_entries(engine: Engine, *, tag: str | None = None, unresolved: bool = False, market: str | None = None,
                 since: str | None = None) -> list[dict[str, Any]]:
    """Entries, newest first, with their tags and history; filtered by tag, resolution, a market text (matched
    literally, case-insensitively) and a saved_at floor."""
    query = sa.select(entries).order_by(entries.c.id.desc())
    if tag:
        query = query.where(entries.c.id.in_(sa.select(tags.c.entry_id).where(tags.c.tag == tag)))
    if unresolved:
        query = query.where(entries.c.outcome.is_(None) & entries.c.outcome_price.is_(None))
    if market:
        pattern = _literal_pattern(market)
        query = query.where(entries.c.market_event.ilike(pattern, escape="\\")
                            | entries.c.market_source.ilike(pattern, escape="\\"))
    if since:
        query = query.where(entries.c.saved_at >= since)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
        _attach(conn, rows)
    return rows


def _attach(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Each row's tags (sorted) and history (oldest first), read for all rows at once."""
    by_tags: dict[int, list[str]] = {}
    by_history: dict[int, list[dict[str, Any]]] = {}
    ids = [r["id"] for r in rows]
    for start in range(0, len(ids), 5000):              # bounded IN lists on any database
        chunk = ids[start:start + 5000]
        for entry_id, t in conn.execute(sa.select(tags.c.entry_id, tags.c.tag).where(tags.c.entry_id.in_(chunk))
                                        .order_by(tags.c.tag)):
            by_tags.setdefault(entry_id, []).append(t)
        for event in conn.execute(sa.select(history).where(history.c.entry_id.in_(chunk))
                                  .order_by(history.c.entry_id, history.c.position)):
            found = dict(event._mapping)
            by_history.setdefault(found.pop("entry_id"), []).append(
                {k: v for k, v in found.items() if k != "position"})
    for row in rows:
        row["tags"] = by_tags.get(row["id"], [])
        row["history"] = by_history.get(row["id"], [])


@_guarded
def get_entry(engine: Engine, entry_id: int) -> dict[str, Any]:
    _check_id(entry_id)
    with engine.connect() as conn:
        row = conn.execute(sa.select(entries).where(entries.c.id == entry_id)).first()
        if row is None:
            raise InputError(f"no journal entry {entry_id}")
        found = [dict(row._mapping)]
        _attach(conn, found)
    return found[0]


def _market_rows(points: Sequence[Any], kind: str) -> MarketRecord:
    return MarketRecord(str(kind), tuple(p.label for p in points if p.label is not None),
                        tuple(float(p.x) for p in points if p.x is not None), tuple(float(p.value) for p in points))


@_guarded
def market_of(engine: Engine, entry_id: int) -> MarketRecord:
    _check_id(entry_id)
    with engine.connect() as conn:
        kind = conn.execute(sa.select(entries.c.market_kind).where(entries.c.id == entry_id)).scalar()
        if kind is None:
            raise InputError(f"no journal entry {entry_id}")
        points = conn.execute(sa.select(market_points.c.label, market_points.c.x, market_points.c.value)
                              .where(market_points.c.entry_id == entry_id).order_by(market_points.c.position)).all()
    return _market_rows(points, str(kind))


@_guarded
def markets_of(engine: Engine, entry_ids: Sequence[int]) -> dict[int, MarketRecord]:
    """The markets of many entries, read together."""
    found: dict[int, list[Any]] = {}
    kinds: dict[int, str] = {}
    with engine.connect() as conn:
        for start in range(0, len(entry_ids), 5000):
            chunk = list(entry_ids[start:start + 5000])
            kinds.update({i: k for i, k in conn.execute(sa.select(entries.c.id, entries.c.market_kind)
                                                        .where(entries.c.id.in_(chunk)))})
            for point in conn.execute(sa.select(market_points).where(market_points.c.entry_id.in_(chunk))
                                      .order_by(market_points.c.entry_id, market_points.c.position)):
                found.setdefault(point.entry_id, []).append(point)
    return {i: _market_rows(found.get(i, []), kinds[i]) for i in entry_ids if i in kinds}


RESOLUTION = ("outcome", "outcome_price", "realised_fair_bits", "resolved_at")


@_guarded
def resolve_entry(engine: Engine, entry_id: int, values: dict[str, Any], *, force: bool = False) -> dict[str, Any]:
    """Record an outcome, in one write transaction. An entry that is resolved already is refused unless `force`;
    with it, the earlier outcome is appended to the entry's history before it is replaced."""
    _check_id(entry_id)
    with writing(engine) as conn:
        row = conn.execute(sa.select(*(entries.c[c] for c in RESOLUTION)).where(entries.c.id == entry_id)).first()
        if row is None:
            raise InputError(f"no journal entry {entry_id}")
        before = dict(row._mapping)
        if before["resolved_at"] is not None or before["outcome"] is not None or before["outcome_price"] is not None:
            if not force:
                was = before["outcome"] if before["outcome"] is not None else before["outcome_price"]
                raise InputError(f"journal entry {entry_id} is resolved already (outcome {was!r} on "
                                 f"{before['resolved_at']}); resolve it again with --force, and the earlier outcome "
                                 "stays in its history")
            position = conn.execute(sa.select(sa.func.count()).select_from(history)
                                    .where(history.c.entry_id == entry_id)).scalar() or 0
            conn.execute(sa.insert(history).values(entry_id=entry_id, position=int(position), replaced_at=now_utc(),
                                                   **before))
        conn.execute(sa.update(entries).where(entries.c.id == entry_id).values(**values))
    return get_entry(engine, entry_id)


@_guarded
def delete_entry(engine: Engine, entry_id: int) -> dict[str, Any]:
    """Delete an entry with its tags, market and history; returns what it was (for the page to say so)."""
    gone = get_entry(engine, entry_id)
    with writing(engine) as conn:
        for table in (tags, market_points, history):
            conn.execute(sa.delete(table).where(table.c.entry_id == entry_id))
        if conn.execute(sa.delete(entries).where(entries.c.id == entry_id)).rowcount == 0:
            raise InputError(f"no journal entry {entry_id}")
    return gone


@_guarded
def restore_entries(engine: Engine, items: Sequence[NewEntry], histories: Sequence[Sequence[dict[str, Any]]]) \
        -> list[int]:
    """Insert entries with their own ids, times and histories (a backup) in one transaction: all or none. An id
    already in the journal is refused, naming it; on PostgreSQL the id sequence moves past the largest id."""
    with writing(engine) as conn:
        wanted = [int(item.fields["id"]) for item in items]
        taken: list[int] = []
        for start in range(0, len(wanted), 5000):
            taken += [i for (i,) in conn.execute(sa.select(entries.c.id).where(
                entries.c.id.in_(wanted[start:start + 5000])))]
        if taken:
            raise InputError(f"the journal holds entries with the ids {sorted(taken)[:10]}"
                             f"{' ...' if len(taken) > 10 else ''} already ({len(taken)} of {len(wanted)}); restore "
                             "into an empty journal (--db another database), or delete those entries first")
        ids = [_insert(conn, item) for item in items]
        rows = [{"entry_id": entry_id, "position": i, **event}
                for entry_id, events in zip(ids, histories, strict=True) for i, event in enumerate(events)]
        if rows:
            conn.execute(sa.insert(history), rows)
        if engine.dialect.name == "postgresql" and ids:
            conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('journal_entries', 'id'), "
                                 "(SELECT max(id) FROM journal_entries))"))
    return ids


@dataclass(frozen=True)
class Snapshot:
    """A stored snapshot of a watched market."""

    id: int
    source: str
    market_id: str
    fetched_at: str
    text: str


@_guarded
def store_snapshot(engine: Engine, source: str, market_id: str, fetched_at: str, digest: str, text: str) -> int | None:
    """Store a snapshot unless the market's latest one has the same outcomes and prices (`digest`); the id, or None
    when it was skipped. The check and the insert are one transaction holding the write lock (and, on PostgreSQL,
    an advisory lock on the market), so watchers of one market never store the same prices twice or lose one."""
    with writing(engine) as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(zlib.crc32(f"{source}:{market_id}".encode()))))
        latest = conn.execute(sa.select(snapshots.c.digest).where(snapshots.c.source == source,
                                                                   snapshots.c.market_id == market_id)
                              .order_by(snapshots.c.id.desc()).limit(1)).scalar()
        if latest == digest:
            return None
        key = conn.execute(sa.insert(snapshots).values(source=source, market_id=market_id, fetched_at=fetched_at,
                                                       digest=digest, text=text)).inserted_primary_key
        assert key is not None
        return int(key[0])


@_guarded
def watched_markets(engine: Engine) -> list[tuple[str, str, int]]:
    """(source, market id, number of snapshots) of every watched market, most snapshots first."""
    count = sa.func.count(snapshots.c.id)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(snapshots.c.source, snapshots.c.market_id, count)
                            .group_by(snapshots.c.source, snapshots.c.market_id)
                            .order_by(count.desc(), snapshots.c.source, snapshots.c.market_id)).all()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]


MAX_SNAPSHOTS_READ = 5000       # a timeline of more steps is cut to its latest ones


@_guarded
def market_snapshots(engine: Engine, source: str, market_id: str, limit: int = MAX_SNAPSHOTS_READ) -> list[Snapshot]:
    """The latest `limit` snapshots of a watched market, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(snapshots).where(snapshots.c.source == source,
                                                       snapshots.c.market_id == market_id)
                            .order_by(snapshots.c.id.desc()).limit(limit)).all()
    return [Snapshot(int(r.id), str(r.source), str(r.market_id), str(r.fetched_at), str(r.text)) for r in rows[::-1]]
