"""The write side under hostile use: a command id reused for another command, the same command sent twice at
once, one command saving thousands of events while other organisations write."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict
from domain.organisation import Organisation
from domain.values import Meta
from forum.access import Actor
from forum.application import Decision, ForumApplication
from forum.database import Database
from tests.conftest import command_id


def rows(db: Database, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with db.connect(autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def count(db: Database, table: str) -> int:
    return int(rows(db, f"SELECT count(*) FROM {table}")[0][0])


class Ledger(Aggregate):
    """A test aggregate of one store: it may be closed once."""

    class Started(Aggregate.Created):
        title: str

    @event(Started)
    def __init__(self, title: str) -> None:
        self.title = title
        self.closed = False

    class Closed(Aggregate.Event):
        pass

    def close(self) -> None:
        if self.closed:
            raise Conflict("Déjà fermé.", rule="already_closed")
        self._closed()

    @event(Closed)
    def _closed(self) -> None:
        self.closed = True


def start_ledger(app: ForumApplication, admin: Actor, title: str) -> UUID:
    def decide(meta: Meta) -> Decision:
        ledger = Ledger(title=title)
        return [ledger], {"id": str(ledger.id)}

    result = app.execute(actor=admin, role="admin", store="nord", command_id=command_id(), name="start", decide=decide)
    return UUID(result["id"])


def close_ledger(app: ForumApplication, admin: Actor, cmd: str, ledger_id: UUID) -> Any:
    def decide(meta: Meta) -> Decision:
        ledger = app.load(Ledger, ledger_id, "nord")
        ledger.close()
        return [ledger], {"id": str(ledger_id), "closed": ledger.closed}

    return app.execute(actor=admin, role="admin", store="nord", command_id=cmd, name="close", decide=decide)


# -- a command id is one command -------------------------------------------------------------------------------------


def test_a_command_id_reused_for_another_command_is_refused_and_records_nothing(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    # given an organisation registered with a command id
    reused = command_id()
    app.register_organisation(admin, reused, slug="nord", name="Nord", kind="departement")
    events_before, commands_before = count(db, "store.forum_events"), count(db, "store.commands")
    # when the same id is sent to rename it (another command)
    with pytest.raises(Conflict) as refused:
        app.rename_organisation(admin, reused, slug="nord", name="Département du Nord")
    # then it is refused, naming the field, and nothing was recorded: the organisation keeps its name
    assert (refused.value.rule, refused.value.field) == ("command_id_reused", "command_id")
    assert (count(db, "store.forum_events"), count(db, "store.commands")) == (events_before, commands_before)
    assert app.load(Organisation, Organisation.id_for("nord"), "nord").name == "Nord"


def test_a_command_id_reused_for_the_same_command_on_another_target_is_refused(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    first, second = start_ledger(app, admin, "A"), start_ledger(app, admin, "B")
    reused = command_id()
    assert close_ledger(app, admin, reused, first) == {"id": str(first), "closed": True}
    # the same command sent again answers its first result (the ledger, closed, would refuse to close again)...
    assert close_ledger(app, admin, reused, first) == {"id": str(first), "closed": True}
    # ...but on another ledger it is another command
    with pytest.raises(Conflict) as refused:
        close_ledger(app, admin, reused, second)
    assert refused.value.rule == "command_id_reused"
    closed = rows(db, "SELECT count(*) FROM store.forum_events WHERE topic LIKE %s", "%Ledger.Closed")
    assert closed == [(1,)]
    assert not app.load(Ledger, second, "nord").closed


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


def test_a_command_whose_target_was_found_from_its_aggregates_is_answered_when_sent_again_naming_its_target(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    # given a ledger closed by a command that named no target (recorded as the aggregates it changed)
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    ledger, cid = start_ledger(app, admin, "A"), command_id()
    assert close_ledger(app, admin, cid, ledger) == {"id": str(ledger), "closed": True}
    assert rows(db, "SELECT target FROM store.commands WHERE command_id = %s", cid) == [(f"aggregates:{ledger}",)]

    def send(name: str) -> Any:
        return app.execute(
            actor=admin,
            role="admin",
            store="nord",
            command_id=cid,
            name=name,
            target=f"Ledger:{ledger}",
            decide=lambda meta: ([], {"decided": True}),
        )

    # when the same command is sent again by a caller that now names its target, it answers its first result
    assert send("close") == {"id": str(ledger), "closed": True}
    # and another command under that id is still refused, by its name
    with pytest.raises(Conflict, match="identifiant de commande"):
        send("reopen")


def test_the_same_command_sent_by_many_clients_at_once_always_answers_the_first_result(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    # eight clients, each sending the same command with the same id at the same moment, ten times over
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    for _round in range(10):
        ledger_id = start_ledger(app, admin, f"Registre {_round}")
        shared = command_id()
        start = threading.Barrier(8)
        answers: list[Any] = []

        def send(
            ledger_id: UUID = ledger_id,
            shared: str = shared,
            start: threading.Barrier = start,
            answers: list[Any] = answers,
        ) -> None:
            start.wait()
            try:
                answers.append(close_ledger(app, admin, shared, ledger_id))
            except Exception as error:  # every answer is compared below
                answers.append(error)

        threads = [threading.Thread(target=send) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [{"id": str(ledger_id), "closed": True}] * 8
        assert rows(db, "SELECT count(*) FROM store.commands WHERE command_id = %s", shared) == [(1,)]
    closed = rows(db, "SELECT count(*) FROM store.forum_events WHERE topic LIKE %s", "%Ledger.Closed")
    assert closed == [(10,)]


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
