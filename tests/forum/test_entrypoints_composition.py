"""The composition root builds every part once and hands it down; layers point one way (DESIGN.md §4)."""

from __future__ import annotations

import ast
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forum import database
from forum.access import SYSTEM
from forum.database import STORE_MIGRATIONS, Database
from forum.entrypoints.bootstrap import MIGRATIONS, bootstrap, migrate
from forum.mail import Mailer
from forum.settings import Settings
from tests.accounts import ensure_organisation
from tests.conftest import ROOT, command_id


class FakeMailer(Mailer):
    """Keeps what would have been sent."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, *, to: str, subject: str, body: str, organisation: str) -> int:
        self.sent.append({"to": to, "subject": subject, "organisation": organisation})
        return len(self.sent)


def test_the_mailer_is_passed_in_and_every_service_sends_through_it(db: Database) -> None:
    fake = FakeMailer()
    services = bootstrap(Settings(environment="test"), db=db, mailer=fake, apply_migrations=False)
    try:
        assert services.mail is fake and services.auth.mailer is fake and services.people.mail is fake
        ensure_organisation(services.app, "nord")
        services.people.invite(SYSTEM, command_id(), organisation="nord", email="lea@nord.fr", name="Léa", role="agent")
        assert [m["to"] for m in fake.sent] == ["lea@nord.fr"]
        with db.connect() as conn:  # nothing reached the outbox: the fake stood in for it
            assert conn.execute("SELECT count(*) FROM store.outbox").fetchone() == (0,)
    finally:
        services.close()


@pytest.fixture
def empty_db(server: Database) -> Iterator[Database]:
    name = f"forum_test_{uuid.uuid4().hex[:12]}"
    with server.connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield server.with_dbname(name)
    with server.connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_database_applies_the_migration_folders_it_is_given_and_no_other(empty_db: Database) -> None:
    applied = database.migrate(empty_db, [STORE_MIGRATIONS])
    assert applied and all(m.startswith("store/") for m in applied)
    with empty_db.connect() as conn:
        assert conn.execute("SELECT to_regnamespace('read')").fetchone() == (None,)
    # the entry point lists the read side's folder after the store's
    assert [prefix for prefix, _ in MIGRATIONS] == ["store", "read"]
    read = migrate(empty_db)
    assert read and all(m.startswith("read/") for m in read)
    assert database.info(empty_db, MIGRATIONS)["migrations_pending"] == []


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("domain", {"forum", "projections", "web"}), ("forum", {"projections", "web"}), ("projections", {"web"})],
)
def test_dependencies_point_one_way_outside_the_entry_points(package: str, forbidden: set[str]) -> None:
    entrypoints = ROOT / "forum" / "entrypoints"
    outward = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & forbidden)
        for path in sorted((ROOT / package).rglob("*.py"))
        if entrypoints not in path.parents and _imports(path) & forbidden
    }
    assert outward == {}
