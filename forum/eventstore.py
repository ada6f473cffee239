"""The event store: eventsourcing's PostgreSQL recorder with an organisation key, and a msgspec mapper."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from domain.codec import decode_event, encode_event
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
    """A command carried out, recorded in the same transaction as its events."""

    actor: str
    command_id: str
    name: str
    result: bytes


class TenantRecorder(PostgresApplicationRecorder):
    """Inserts and selects events as the current organisation (``forum.tenancy.store_of``).

    The organisation is set with ``set_config(..., is_local=true)`` inside the very transaction
    that writes or reads, so row-level security sees it and it cannot leak to another request.
    """

    set_store = SQL("SELECT set_config('forum.organisation', %s, true)")

    def __init__(self, datastore: Any, *, events_table_name: str = "forum_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.insert_command_statement = SQL(
            "INSERT INTO {schema}.commands (actor, command_id, name, result) VALUES (%s, %s, %s, %s)"
        ).format(schema=Identifier(self.datastore.schema))
        self.select_command_statement = SQL(
            "SELECT result FROM {schema}.commands WHERE actor = %s AND command_id = %s"
        ).format(schema=Identifier(self.datastore.schema))

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        curs.execute(self.set_store, (current_store(),), prepare=True)
        command: CommandRecord | None = kwargs.get("command")
        if command is not None:
            curs.execute(
                self.insert_command_statement,
                (command.actor, command.command_id, command.name, command.result),
                prepare=True,
            )

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

    def select_command_result(self, actor: str, command_id: str) -> bytes | None:
        rows = self._fetch(self.select_command_statement, [actor, command_id])
        return bytes(rows[0]["result"]) if rows else None

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


class ForumPostgresFactory(PostgresFactory):
    """The library's factory, whose pooled connections act as the non-owner application role."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        pool = self.datastore.pool
        configure: Callable[[Any], None] | None = pool._configure  # no public hook in psycopg_pool

        def act_as_application_role(conn: Any) -> None:
            if configure is not None:
                configure(conn)
            conn.execute(SQL("SET ROLE {}").format(Identifier(APP_ROLE)))

        pool._configure = act_as_application_role
