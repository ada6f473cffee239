"""Shared fixtures: a real PostgreSQL (embedded unless FORUM_TEST_DATABASE_URL), one database per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from forum.access import SYSTEM, Actor
from forum.application import ForumApplication
from forum.database import Database, embedded_server
from forum.entrypoints.bootstrap import migrate

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "forum_test_template"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, when: datetime) -> datetime:
        self.now = when
        return self.now


@pytest.fixture(scope="session")
def server() -> Database:
    url = os.environ.get("FORUM_TEST_DATABASE_URL")
    if url:
        return Database.from_url(url)
    return embedded_server(Path(os.environ.get("FORUM_TEST_DATA_DIR", ROOT / ".forum-data" / "test")))


@pytest.fixture(scope="session")
def template(server: Database) -> str:
    """A database with every migration applied, copied for each test (CREATE DATABASE ... TEMPLATE)."""
    name = f"{TEMPLATE}_{os.getpid()}"
    with server.connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    migrate(server.with_dbname(name))
    yield name
    with server.connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db(server: Database, template: str) -> Iterator[Database]:
    """A fresh, migrated database of this test's own."""
    name = f"forum_test_{uuid.uuid4().hex[:12]}"
    with server.connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield server.with_dbname(name)
    with server.connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2019, 9, 2, 8, 0, tzinfo=UTC))


@pytest.fixture
def app(db: Database, clock: Clock) -> Iterator[ForumApplication]:
    application = ForumApplication(db, clock=clock, pool_size=2)
    yield application
    application.close()


@pytest.fixture
def admin() -> Actor:
    return SYSTEM


def command_id() -> str:
    return uuid.uuid4().hex


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running in the main thread for the
    rest of the session, which would break every later ``asyncio.run``."""
    items.sort(key=lambda item: "/tests/browser/" in str(item.path))
