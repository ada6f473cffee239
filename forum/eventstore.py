"""The event store: eventsourcing's PostgreSQL recorder with an organisation key, and a msgspec mapper."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import InterfaceError, Mapper, OperationalError, ProgrammingError, StoredEvent
from eventsourcing.postgres import ConnectionPool, PostgresApplicationRecorder, PostgresFactory
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from domain.codec import decode_event, encode_event
from domain.person import ForumRoles, Person
from forum.database import APP_ROLE
from forum.tenancy import current_store


class MsgspecMapper(Mapper[UUID]):
    """Encodes event state with msgpack and decodes it by the event class's type hints.

    Upcasting works as in the library: an event class with ``class_version`` N > 1 stores that
    version in its payload, and an older payload is passed through ``upcast_vK_vK+1`` first.
    """

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        topic, originator_id, originator_version, state = encode_event(domain_event)
        return StoredEvent(originator_id=originator_id, originator_version=originator_version, topic=topic, state=state)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return decode_event(
            stored_event.topic, stored_event.state, stored_event.originator_id, stored_event.originator_version
        )


@dataclass(frozen=True)
class CommandRecord:
    """A command carried out, recorded in the same transaction as its events.

    ``target`` names what the command was aimed at, so that its id cannot be reused for another command.
    """

    actor: str
    command_id: str
    name: str
    result: bytes
    target: str | None = None


@dataclass(frozen=True)
class PriorCommand:
    """A command already carried out under an id: its name, its target (none for rows recorded before targets
    were), and its result."""

    name: str
    target: str | None
    result: bytes


@dataclass(frozen=True)
class WhoActs:
    """The state of the Person and ForumRoles aggregates a save changes, written with their events (migration 0005):
    who a session or a token acts as is read from it, so a role counts from the next request, projected or not."""

    people: tuple[dict[str, Any], ...] = ()
    forum_roles: tuple[dict[str, Any], ...] = ()

    @classmethod
    def of(cls, aggregates: Iterable[Any], *, changed_only: bool = True) -> WhoActs | None:
        """Who acts after ``aggregates`` (those with pending events, unless ``changed_only`` is false); None if
        none of them is a person or a forum's roles."""
        people, forum_roles = [], []
        for aggregate in aggregates:
            if changed_only and not getattr(aggregate, "pending_events", None):
                continue
            if isinstance(aggregate, Person):
                people.append(
                    {
                        "person_id": str(aggregate.id),
                        "role": aggregate.role,
                        "status": aggregate.status,
                        "name": aggregate.name,
                        "version": aggregate.version,
                    }
                )
            elif isinstance(aggregate, ForumRoles):
                grants = [
                    {"person_id": person_id, "role": role, "person_organisation": organisation}
                    for (person_id, role), organisation in aggregate.grants.items()
                ]
                forum_roles.append(
                    {"forum_id": str(aggregate.forum_id), "version": aggregate.version, "grants": grants}
                )
        if not people and not forum_roles:
            return None
        return cls(tuple(people), tuple(forum_roles))

    def people_json(self) -> str | None:
        return msgspec.json.encode(self.people).decode() if self.people else None

    def forum_roles_json(self) -> str | None:
        return msgspec.json.encode(self.forum_roles).decode() if self.forum_roles else None


# A save is retried once when its connection failed (a server restart): the pool hands a checked connection the
# second time. A save that did commit before its answer was lost is then refused by the command's key, and the
# application answers the first result.
SAVE_ATTEMPTS = 2


class TenantRecorder(PostgresApplicationRecorder):
    """Inserts and selects events as the current organisation (``forum.tenancy.store_of``).

    The organisation is set with ``set_config(..., is_local=true)`` inside the very transaction
    that writes or reads, so row-level security sees it and it cannot leak to another request.
    A command's events, its record and who acts (``WhoActs``) are saved by one statement, ``store.save_command``
    (migrations 0004, 0005).
    """

    set_store = SQL("SELECT set_config('forum.organisation', %s, true)")

    def __init__(self, datastore: Any, *, events_table_name: str = "forum_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        self.save_statement = SQL(
            "SELECT s.notification_id FROM {schema}.save_command(%s, %s, %s, %s, %s, %s,"
            " %s::{schema}.{event_type}[], %s::jsonb, %s::jsonb, %s) AS s(notification_id)"
        ).format(schema=schema, event_type=Identifier(self.stored_event_type_name))
        self.select_command_statement = SQL(
            "SELECT name, target, result FROM {schema}.commands WHERE actor = %s AND command_id = %s"
        ).format(schema=schema)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Saves the events and the command's record in one statement, outside any pipeline: however many events,
        the server has received them all before it takes the table lock."""
        command: CommandRecord | None = kwargs.get("command")
        who_acts: WhoActs | None = kwargs.get("who_acts")
        if not stored_events and command is None:
            return []
        events = [
            self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
            for e in stored_events
        ]
        params = (
            current_store(),
            command.actor if command else None,
            command.command_id if command else None,
            command.name if command else None,
            command.target if command else None,
            command.result if command else None,
            events,
            who_acts.people_json() if who_acts else None,
            who_acts.forum_roles_json() if who_acts else None,
            int(self.datastore.lock_timeout * 1000) or 10_000,
        )
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            try:
                with self.datastore.get_connection() as conn, conn.cursor() as curs:
                    if not conn.autocommit:  # pragma: no cover - the pool's connections are autocommit
                        raise ProgrammingError("a save must be its own transaction")
                    curs.execute(self.save_statement, params, prepare=True)
                    return [row["notification_id"] for row in curs.fetchall()]
            except (OperationalError, InterfaceError):
                if attempt == SAVE_ATTEMPTS:
                    raise
                time.sleep(0.2)
        return None  # pragma: no cover - the loop returns or raises

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        statement = self.select_events_statement
        params: list[Any] = [originator_id]
        if gt is not None:
            params.append(gt)
            statement += SQL(" AND originator_version > %s")
        if lte is not None:
            params.append(lte)
            statement += SQL(" AND originator_version <= %s")
        statement += SQL(" ORDER BY originator_version DESC" if desc else " ORDER BY originator_version ASC")
        if limit is not None:
            params.append(limit)
            statement += SQL(" LIMIT %s")
        rows = self._fetch(statement, params)
        return [
            StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in rows
        ]

    def who_acts_backfill(self) -> list[tuple[str, UUID]]:
        """(organisation, aggregate id) of the people and forums whose events were stored before who acts was kept."""
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            curs.execute(
                SQL("SELECT organisation, originator_id FROM {schema}.who_acts_backfill ORDER BY 1, 2").format(
                    schema=Identifier(self.datastore.schema)
                )
            )
            return [(row["organisation"], row["originator_id"]) for row in curs.fetchall()]

    def backfill_who_acts(self, aggregate_id: UUID, who_acts: WhoActs | None) -> None:
        """Writes who acts after the aggregate's stored events and strikes it off the back-fill's list, in one
        transaction as the current organisation; a state older than the one stored (a save since) is ignored."""
        schema = Identifier(self.datastore.schema)
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            curs.execute(self.set_store, (current_store(),))
            if who_acts is not None:
                curs.execute(
                    SQL("SELECT {schema}.keep_who_acts(%s, %s::jsonb, %s::jsonb)").format(schema=schema),
                    (current_store(), who_acts.people_json(), who_acts.forum_roles_json()),
                )
            curs.execute(
                SQL("DELETE FROM {schema}.who_acts_backfill WHERE originator_id = %s").format(schema=schema),
                (aggregate_id,),
            )

    def select_command(self, actor: str, command_id: str) -> PriorCommand | None:
        rows = self._fetch(self.select_command_statement, [actor, command_id])
        if not rows:
            return None
        return PriorCommand(name=rows[0]["name"], target=rows[0]["target"], result=bytes(rows[0]["result"]))

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Within this block, every read shares one connection and one transaction (a command's look-up of
        its own id and the loads it decides on), instead of one round of BEGIN/COMMIT each."""
        if _reading.get() is not None:
            yield
            return
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            token = _reading.set(_SharedRead(curs))
            try:
                yield
            finally:
                _reading.reset(token)

    def _fetch(self, statement: Any, params: list[Any]) -> list[DictRow]:
        """Rows of ``statement`` read as the current organisation, in the shared read if one is open."""
        shared = _reading.get()
        store = current_store()
        if shared is not None:
            if shared.store != store:
                shared.cursor.execute(self.set_store, (store,), prepare=True)
                shared.store = store
            shared.cursor.execute(statement, params, prepare=True)
            rows: list[DictRow] = shared.cursor.fetchall()
            return rows
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            curs.execute(self.set_store, (store,), prepare=True)
            curs.execute(statement, params, prepare=True)
            return curs.fetchall()


@dataclass
class _SharedRead:
    cursor: Any
    store: str = ""


_reading: ContextVar[_SharedRead | None] = ContextVar("forum_shared_read", default=None)


# How the write side's pool behaves when PostgreSQL goes away and comes back.
STATEMENT_TIMEOUT = "60s"  # no statement of a request runs longer; a save of any size takes well under it
IDLE_IN_TRANSACTION_TIMEOUT = "5s"  # a client that stops mid-transaction releases what it holds
RECONNECT_TIMEOUT = 10.0  # a slot whose reconnection failed this long is dropped and re-grown on demand


class ForumPostgresFactory(PostgresFactory):
    """The library's factory, whose pool checks each connection before lending it, acts as the non-owner
    application role, bounds how long a statement or an idle transaction may hold what it locked, and heals
    after a server restart without restarting the service."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        datastore = self.datastore
        library_pool = datastore.pool  # built closed (open=False): replaced before anything uses it
        configure = datastore.after_connect_func()
        kwargs = library_pool.kwargs if isinstance(library_pool.kwargs, dict) else {}

        def configure_connection(conn: Any) -> None:
            configure(conn)  # autocommit, as the library expects
            conn.execute(SQL("SET ROLE {}").format(Identifier(APP_ROLE)))
            conn.execute(SQL("SET statement_timeout = {}").format(STATEMENT_TIMEOUT))
            conn.execute(SQL("SET idle_in_transaction_session_timeout = {}").format(IDLE_IN_TRANSACTION_TIMEOUT))

        datastore.pool = ConnectionPool(
            connection_class=library_pool.connection_class,
            kwargs={**kwargs, "connect_timeout": max(1, int(library_pool.timeout))},
            min_size=library_pool.min_size,
            max_size=library_pool.max_size,
            open=False,
            configure=configure_connection,
            check=ConnectionPool.check_connection,  # a connection a restart closed is replaced, not lent
            timeout=library_pool.timeout,  # how long a request waits for a connection before 503
            max_waiting=library_pool.max_waiting,
            max_lifetime=library_pool.max_lifetime,
            reconnect_timeout=RECONNECT_TIMEOUT,
            get_password_func=library_pool.get_password_func,
        )
