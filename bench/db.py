"""The benchmarks' own databases: on the embedded server in .forum-data/bench, or the server the environment names."""

from __future__ import annotations

import os
from pathlib import Path

from forum.database import Database, embedded_server
from forum.entrypoints.bootstrap import migrate

DATA_DIR = Path(".forum-data/bench")
_created: set[str] = set()


def bench_server() -> Database:
    """``FORUM_BENCH_DATABASE_URL`` or ``DATABASE_URL`` when set (databases are created beside the one named)."""
    url = os.environ.get("FORUM_BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return Database.from_url(url)
    return embedded_server(DATA_DIR)


def fresh_database(server: Database, name: str) -> Database:
    """A new, migrated database ``name`` on ``server`` (dropped first if a previous run left it)."""
    with server.connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    _created.add(name)
    db = server.with_dbname(name)
    migrate(db)
    return db


def drop_database(server: Database, name: str) -> None:
    with server.connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_created(server: Database) -> None:
    """Every database ``fresh_database`` made in this process (others' databases on the server are left alone)."""
    while _created:
        drop_database(server, _created.pop())


def analyze(db: Database) -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would give a long-running server."""
    with db.connect(autocommit=True) as conn:
        conn.execute("ANALYZE store.forum_events")


def server_facts(db: Database) -> dict[str, str]:
    with db.connect(autocommit=True) as conn:
        facts = {}
        for setting in ("server_version", "fsync", "synchronous_commit", "max_connections", "shared_buffers"):
            row = conn.execute(f"SHOW {setting}").fetchone()
            facts[setting] = str(row[0]) if row else "?"
    return facts
