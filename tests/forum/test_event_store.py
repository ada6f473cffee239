"""The event store: one log, an organisation per row, hidden from other organisations, append-only."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest

from domain.errors import AlreadyExists, ConcurrentChange, Invalid, NotFound
from domain.organisation import Organisation
from forum.access import Actor
from forum.application import ForumApplication
from forum.database import APP_ROLE, Database
from forum.tenancy import store_of
from tests.conftest import Clock, command_id


def rows(db: Database, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with db.connect(autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def test_each_event_is_stored_under_the_organisation_that_owns_it(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Département du Nord", kind="departement")
    app.register_organisation(admin, command_id(), slug="somme", name="Département de la Somme", kind="departement")
    stored = rows(db, "SELECT organisation, topic FROM store.forum_events ORDER BY notification_id")
    assert stored == [
        ("nord", "domain.organisation:Organisation.Registered"),
        ("somme", "domain.organisation:Organisation.Registered"),
    ]


def test_an_organisation_never_reads_another_organisations_events(app: ForumApplication, admin: Actor) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    # the aggregate is there for its own organisation...
    assert app.load(Organisation, Organisation.id_for("nord"), "nord").name == "Nord"
    # ...and does not exist for any other
    with pytest.raises(NotFound):
        app.load(Organisation, Organisation.id_for("nord"), "somme")


def test_row_level_security_holds_for_raw_sql_under_the_application_role(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    app.register_organisation(admin, command_id(), slug="oise", name="Oise", kind="departement")
    with db.connect() as conn:
        conn.execute(f"SET ROLE {APP_ROLE}")
        conn.execute("SELECT set_config('forum.organisation', 'oise', true)")
        seen = conn.execute("SELECT DISTINCT organisation FROM store.forum_events").fetchall()
        assert seen == [("oise",)]
        # writing a row for another organisation is refused by the policy
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO store.forum_events (originator_id, originator_version, topic, state,"
                " organisation) VALUES (gen_random_uuid(), 1, 't', '\\x00', 'nord')"
            )
    with db.connect() as conn:
        conn.execute(f"SET ROLE {APP_ROLE}")
        # with no organisation selected, nothing is visible at all
        assert conn.execute("SELECT count(*) FROM store.forum_events").fetchone() == (0,)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE store.forum_events SET topic = 'x'", "DELETE FROM store.forum_events", "TRUNCATE store.forum_events"],
)
def test_history_is_append_only_even_for_the_owner(
    app: ForumApplication, admin: Actor, db: Database, statement: str
) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    with db.connect() as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        conn.execute(statement)
    assert rows(db, "SELECT count(*) FROM store.forum_events") == [(1,)]


def test_the_same_command_id_sent_twice_returns_the_first_result_and_records_nothing_new(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    cid = command_id()
    first = app.register_organisation(admin, cid, slug="nord", name="Nord", kind="departement")
    again = app.register_organisation(admin, cid, slug="nord", name="Nord", kind="departement")
    assert again == first == {"slug": "nord", "id": str(Organisation.id_for("nord"))}
    assert rows(db, "SELECT count(*) FROM store.forum_events") == [(1,)]
    assert rows(db, "SELECT count(*) FROM store.commands") == [(1,)]


def test_a_duplicate_slug_is_refused_and_records_nothing(app: ForumApplication, admin: Actor, db: Database) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    with pytest.raises(AlreadyExists) as refused:
        app.register_organisation(admin, command_id(), slug="nord", name="Autre Nord", kind="departement")
    assert refused.value.field == "slug"
    assert "nord" in refused.value.message
    assert rows(db, "SELECT count(*) FROM store.forum_events") == [(1,)]
    assert rows(db, "SELECT count(*) FROM store.commands") == [(1,)]


def test_a_malformed_command_id_is_refused_naming_the_field(app: ForumApplication, admin: Actor) -> None:
    with pytest.raises(Invalid) as refused:
        app.register_organisation(admin, "not valid!", slug="nord", name="Nord", kind="departement")
    assert refused.value.field == "command_id"


def test_every_event_carries_who_when_and_which_command(app: ForumApplication, admin: Actor, clock: Clock) -> None:
    app.register_organisation(admin, "cmd-1", slug="nord", name="Nord", kind="departement")
    with store_of("nord"):
        [event] = app.repository.event_store.get(Organisation.id_for("nord"))
    assert event.meta.actor == admin.person_id
    assert event.meta.role == "admin"
    assert event.meta.organisation == "nord"
    assert event.meta.at == clock.now == event.timestamp
    assert event.meta.command_id == "cmd-1" == event.meta.correlation_id


def test_two_concurrent_changes_to_one_aggregate_one_wins_the_other_gets_a_conflict(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    barrier = threading.Barrier(2)
    outcomes: list[object] = []
    original_load = app.load

    def load_then_wait(*args: Any, **kwargs: Any) -> Any:
        aggregate = original_load(*args, **kwargs)
        barrier.wait(timeout=10)  # both commands have read version 1 before either writes
        return aggregate

    app.load = load_then_wait  # type: ignore[method-assign]

    def rename(name: str) -> None:
        try:
            outcomes.append(app.rename_organisation(admin, command_id(), slug="nord", name=name))
        except ConcurrentChange as conflict:
            outcomes.append(conflict)

    threads = [threading.Thread(target=rename, args=(n,)) for n in ("Nord A", "Nord B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["ConcurrentChange", "dict"]
    assert rows(db, "SELECT count(*) FROM store.forum_events") == [(2,)]
    assert rows(db, "SELECT count(*) FROM store.commands") == [(2,)]
