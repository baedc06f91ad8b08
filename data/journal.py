"""The journal's storage: beliefs, the markets they were scored against and their outcomes, in a real database
through SQLAlchemy Core (SQLite by default, any SQLAlchemy URL for a shared one; PostgreSQL is tested).

Schema versions are kept in `journal_schema` and applied in order by `migrate` (a handful of portable DDL
statements: Alembic would add a second configuration and a migrations folder for what two tables need). Each
entry's market is kept as rows (outcome labels and probabilities, or a density's x and pdf), so an entry can be
re-scored and resolved without the file it came from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analytics.core.errors import InputError

ENV_URL = "MARKET_JOURNAL_URL"
SCHEMA_VERSION = 1
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


def default_url() -> str:
    """MARKET_JOURNAL_URL, else an SQLite file in the user's data directory."""
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("market-disagreement"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'journal.db'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")        # readers do not block the writer (a page and a CLI at once)
    cursor.execute("PRAGMA busy_timeout=60000")      # writers queue for the lock instead of failing
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def connect(url: str | None = None) -> Engine:
    """An engine for the journal at `url` (default_url() when None), with its schema brought up to date."""
    chosen = url or default_url()
    try:
        engine = sa.create_engine(chosen, future=True)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise InputError(f"journal database URL {chosen!r} is not usable: {exc}") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return engine


def migrate(engine: Engine) -> int:
    """Apply the schema versions the database does not have yet; returns the version it is at."""
    try:
        with engine.begin() as conn:
            schema_table.create(conn, checkfirst=True)
            current = conn.execute(sa.select(sa.func.max(schema_table.c.version))).scalar() or 0
            if current < 1:
                for table in (entries, tags, market_points):
                    table.create(conn, checkfirst=True)
                conn.execute(sa.insert(schema_table).values(version=1))
                current = 1
    except sa.exc.OperationalError as exc:
        raise InputError(f"the journal database cannot be opened: {str(exc.orig).strip().splitlines()[0]}") from None
    if current > SCHEMA_VERSION:
        raise InputError(f"the journal database is at schema version {current}, newer than this program's "
                         f"({SCHEMA_VERSION}); update the program")
    return int(current)


@dataclass(frozen=True)
class MarketRecord:
    """A market as the journal keeps it: kind, labels (discrete) or x (density), and the values."""

    kind: str
    labels: tuple[str, ...]
    x: tuple[float, ...]
    values: tuple[float, ...]


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_entry(engine: Engine, fields: dict[str, Any], entry_tags: Sequence[str], market: MarketRecord) -> int:
    """Insert one entry with its tags and market; returns its id."""
    with engine.begin() as conn:
        key = conn.execute(sa.insert(entries).values(saved_at=now_utc(), **fields)).inserted_primary_key
        assert key is not None
        entry_id = int(key[0])
        clean = sorted({t.strip() for t in entry_tags if t.strip()})
        if clean:
            conn.execute(sa.insert(tags), [{"entry_id": entry_id, "position": i, "tag": t}
                                           for i, t in enumerate(clean)])
        rows = [{"entry_id": entry_id, "position": i, "label": market.labels[i] if market.labels else None,
                 "x": market.x[i] if market.x else None, "value": v} for i, v in enumerate(market.values)]
        conn.execute(sa.insert(market_points), rows)
    return entry_id


def list_entries(engine: Engine, *, tag: str | None = None, unresolved: bool = False, market: str | None = None,
                 since: str | None = None) -> list[dict[str, Any]]:
    """Entries, newest first, with their tags; filtered by tag, resolution, a market text and a saved_at floor."""
    query = sa.select(entries).order_by(entries.c.id.desc())
    if tag:
        query = query.where(entries.c.id.in_(sa.select(tags.c.entry_id).where(tags.c.tag == tag)))
    if unresolved:
        query = query.where(entries.c.outcome.is_(None) & entries.c.outcome_price.is_(None))
    if market:
        pattern = f"%{market}%"
        query = query.where(entries.c.market_event.ilike(pattern) | entries.c.market_source.ilike(pattern))
    if since:
        query = query.where(entries.c.saved_at >= since)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
        by_entry: dict[int, list[str]] = {}
        if rows:
            ids = [r["id"] for r in rows]
            for entry_id, t in conn.execute(sa.select(tags.c.entry_id, tags.c.tag).where(tags.c.entry_id.in_(ids))
                                            .order_by(tags.c.tag)):
                by_entry.setdefault(entry_id, []).append(t)
    for row in rows:
        row["tags"] = by_entry.get(row["id"], [])
    return rows


def get_entry(engine: Engine, entry_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(sa.select(entries).where(entries.c.id == entry_id)).first()
        if row is None:
            raise InputError(f"no journal entry {entry_id}")
        found = dict(row._mapping)
        found["tags"] = [t for (t,) in conn.execute(sa.select(tags.c.tag).where(tags.c.entry_id == entry_id)
                                                    .order_by(tags.c.tag))]
    return found


def market_of(engine: Engine, entry_id: int) -> MarketRecord:
    with engine.connect() as conn:
        kind = conn.execute(sa.select(entries.c.market_kind).where(entries.c.id == entry_id)).scalar()
        if kind is None:
            raise InputError(f"no journal entry {entry_id}")
        points = conn.execute(sa.select(market_points.c.label, market_points.c.x, market_points.c.value)
                              .where(market_points.c.entry_id == entry_id).order_by(market_points.c.position)).all()
    return MarketRecord(str(kind), tuple(p.label for p in points if p.label is not None),
                        tuple(float(p.x) for p in points if p.x is not None), tuple(float(p.value) for p in points))


def update_entry(engine: Engine, entry_id: int, **values: Any) -> dict[str, Any]:
    with engine.begin() as conn:
        done = conn.execute(sa.update(entries).where(entries.c.id == entry_id).values(**values))
        if done.rowcount == 0:
            raise InputError(f"no journal entry {entry_id}")
    return get_entry(engine, entry_id)


def delete_entry(engine: Engine, entry_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.delete(tags).where(tags.c.entry_id == entry_id))
        conn.execute(sa.delete(market_points).where(market_points.c.entry_id == entry_id))
        if conn.execute(sa.delete(entries).where(entries.c.id == entry_id)).rowcount == 0:
            raise InputError(f"no journal entry {entry_id}")
