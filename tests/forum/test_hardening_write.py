"""The write side under hostile use: a command id reused for another command, the same command sent twice at
once, one command saving thousands of events while other organisations write."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest

from domain.errors import Conflict
from domain.organisation import Organisation
from domain.values import Meta
from forum import calls
from forum.access import Actor
from forum.application import Decision, ForumApplication
from forum.database import Database
from tests.conftest import Clock, command_id
from tests.forum.test_calls import CLOSES, DURING, NORD_ORGANISER, OPENS


def rows(db: Database, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with db.connect(autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def count(db: Database, table: str) -> int:
    return int(rows(db, f"SELECT count(*) FROM {table}")[0][0])


def draft(app: ForumApplication, cmd: str, title: str = "Appel à idées 2019") -> UUID:
    result = calls.draft_call(
        app, NORD_ORGANISER, cmd, organisation="nord", title=title, opens_at=OPENS, closes_at=CLOSES
    )
    return UUID(result["id"])


# -- a command id is one command -------------------------------------------------------------------------------------


def test_a_command_id_reused_for_another_command_is_refused_and_records_nothing(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    # given a call drafted with a command id
    reused = command_id()
    call_id = draft(app, reused)
    clock.set(DURING)
    events_before, commands_before = count(db, "store.forum_events"), count(db, "store.commands")
    # when the same id is sent to open it (another command)
    with pytest.raises(Conflict) as refused:
        calls.open_call(app, NORD_ORGANISER, reused, organisation="nord", call_id=call_id)
    # then it is refused, naming the field, and nothing was recorded: the call is still a draft
    assert (refused.value.rule, refused.value.field) == ("command_id_reused", "command_id")
    assert (count(db, "store.forum_events"), count(db, "store.commands")) == (events_before, commands_before)
    assert (
        calls.open_call(app, NORD_ORGANISER, command_id(), organisation="nord", call_id=call_id)["status"] == "opened"
    )


def test_a_command_id_reused_for_the_same_command_on_another_target_is_refused(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    first, second = draft(app, command_id(), "Appel A"), draft(app, command_id(), "Appel B")
    clock.set(DURING)
    reused = command_id()
    assert calls.open_call(app, NORD_ORGANISER, reused, organisation="nord", call_id=first)["status"] == "opened"
    # the same command sent again answers its first result...
    assert calls.open_call(app, NORD_ORGANISER, reused, organisation="nord", call_id=first)["id"] == str(first)
    # ...but on another call it is another command
    with pytest.raises(Conflict) as refused:
        calls.open_call(app, NORD_ORGANISER, reused, organisation="nord", call_id=second)
    assert refused.value.rule == "command_id_reused"
    opened = rows(db, "SELECT count(*) FROM store.forum_events WHERE topic LIKE %s", "%IdeaCall.Opened")
    assert opened == [(1,)]


def test_a_target_named_by_the_caller_is_compared_before_deciding(app: ForumApplication, admin: Actor) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    reused = command_id()

    def rename(name: str) -> Callable[[Meta], Decision]:
        def decide(meta: Meta) -> Decision:
            org = app.load(Organisation, Organisation.id_for("nord"), "nord")
            org.rename(name=name, meta=meta)
            return [org], {"name": name}

        return decide

    def send(name: str, target: str) -> Any:
        return app.execute(
            actor=admin,
            role="admin",
            store="nord",
            command_id=reused,
            name="rename",
            target=target,
            decide=rename(name),
        )

    assert send("Nord 1", "organisation:nord") == {"name": "Nord 1"}
    assert send("Nord 2", "organisation:nord") == {"name": "Nord 1"}  # the first result, nothing decided
    with pytest.raises(Conflict, match="identifiant de commande"):
        send("Nord 3", "organisation:oise")


def test_a_command_recorded_before_targets_were_is_still_answered_by_its_first_result(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    # a row written before migration 0004: no target
    with db.connect(autocommit=True) as conn:
        conn.execute(
            "INSERT INTO store.commands (organisation, actor, command_id, name, result)"
            " VALUES ('nord', %s, 'old-command', 'rename_organisation', %s)",
            (admin.person_id, b'{"slug":"nord","name":"Nord d\'avant"}'),
        )
    events_before = count(db, "store.forum_events")
    result = app.rename_organisation(admin, "old-command", slug="nord", name="Nord nouveau")
    assert result == {"slug": "nord", "name": "Nord d'avant"}
    assert count(db, "store.forum_events") == events_before
    with pytest.raises(Conflict):  # another command under that id is still refused, by its name
        app.register_organisation(admin, "old-command", slug="nord", name="Nord", kind="departement")


def test_the_same_command_sent_by_many_clients_at_once_always_answers_the_first_result(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    # eight clients, each sending the same open command with the same id at the same moment, ten times over
    clock.set(DURING)
    for _round in range(10):
        call_id = draft(app, command_id())
        shared = command_id()
        start = threading.Barrier(8)
        answers: list[Any] = []

        def send(
            call_id: UUID = call_id,
            shared: str = shared,
            start: threading.Barrier = start,
            answers: list[Any] = answers,
        ) -> None:
            start.wait()
            try:
                answers.append(calls.open_call(app, NORD_ORGANISER, shared, organisation="nord", call_id=call_id))
            except Exception as error:  # every answer is compared below
                answers.append(error)

        threads = [threading.Thread(target=send) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [a for a in answers if not isinstance(a, dict)] == []
        assert len({answer["status"] for answer in answers}) == 1
        assert rows(db, "SELECT count(*) FROM store.commands WHERE command_id = %s", shared) == [(1,)]
    opened = rows(db, "SELECT count(*) FROM store.forum_events WHERE topic LIKE %s", "%IdeaCall.Opened")
    assert opened == [(10,)]


# -- a large save ------------------------------------------------------------------------------------------------------

EVENTS_IN_ONE_COMMAND = 5_000


def test_one_command_saves_five_thousand_events_while_another_organisation_writes(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    app.register_organisation(admin, command_id(), slug="oise", name="Oise", kind="departement")

    def rename_many(meta: Meta) -> Decision:
        org = app.load(Organisation, Organisation.id_for("nord"), "nord")
        for n in range(EVENTS_IN_ONE_COMMAND):  # ~0.3 kB each: 1.5 MB in one command
            org.rename(name=f"Département du Nord, nom n° {n:05} " + "·" * 150, meta=meta)
        return [org], {"renamed": EVENTS_IN_ONE_COMMAND}

    outcome: list[Any] = []

    def big_save() -> None:
        try:
            outcome.append(
                app.execute(
                    actor=admin,
                    role="admin",
                    store="nord",
                    command_id=command_id(),
                    name="rename_many",
                    decide=rename_many,
                )
            )
        except Exception as error:  # reported by the assertion below
            outcome.append(error)

    saving = threading.Thread(target=big_save, daemon=True)
    saving.start()
    # meanwhile, another organisation keeps writing
    oise_writes = 0
    while saving.is_alive() and oise_writes < 200:
        app.rename_organisation(admin, command_id(), slug="oise", name=f"Oise {oise_writes}")
        oise_writes += 1
    saving.join(timeout=120)  # a bound for a hang, not a timing: the save takes about a second
    assert not saving.is_alive(), "the large save never finished"
    assert outcome == [{"renamed": EVENTS_IN_ONE_COMMAND}]
    app.rename_organisation(admin, command_id(), slug="oise", name="Oise après")
    renamed = rows(
        db,
        "SELECT organisation, count(*) FROM store.forum_events WHERE topic LIKE %s GROUP BY 1 ORDER BY 1",
        "%Renamed",
    )
    assert renamed == [("nord", EVENTS_IN_ONE_COMMAND), ("oise", oise_writes + 1)]
    assert app.load(Organisation, Organisation.id_for("nord"), "nord").version == EVENTS_IN_ONE_COMMAND + 1
    # the events are chained for auditors in log order like any others
    assert rows(db, "SELECT count(*) FROM store.chain WHERE organisation = 'nord'") == [(EVENTS_IN_ONE_COMMAND + 1,)]


def test_a_write_connection_cannot_hold_what_it_locked_forever(app: ForumApplication) -> None:
    with app.store.datastore.get_connection() as conn:
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[f"{name}"]  # type: ignore[index]
            for name in ("statement_timeout", "idle_in_transaction_session_timeout", "role")
        }
    assert settings == {"statement_timeout": "1min", "idle_in_transaction_session_timeout": "5s", "role": "forum_app"}
