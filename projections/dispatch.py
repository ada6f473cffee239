"""Read models that dispatch per event type: each handler says which event classes it applies.

``@on(Forum.Planned)`` marks a method; the class's table of handlers is built once, when the class is defined,
and its ``handles`` (the topics the projector reads) is exactly the classes some handler applies. Several handlers
may apply one class (they run in the order they are written), and one handler may apply several classes.

A handler may return rows for its projection to write once per batch (``dispatch`` collects them in log order):
the portfolio's path steps, the notifications of an event.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar, TypeAlias, TypeVar

import asyncpg
import msgspec

from projections.projector import Envelope, Projection

# What the queries read from: a connection or the pool (asyncpg is untyped: both are Any to mypy).
Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool
Handler = Callable[[Any, asyncpg.Connection, Envelope, Any], Awaitable[Sequence[Any] | None]]
H = TypeVar("H", bound=Callable[..., Awaitable[Sequence[Any] | None]])

_MARKED: dict[Callable[..., Awaitable[Sequence[Any] | None]], tuple[type, ...]] = {}


def on(*event_classes: type) -> Callable[[H], H]:
    """Mark a handler ``async def handler(self, conn, envelope, event)`` for ``event_classes``."""

    def mark(handler: H) -> H:
        _MARKED[handler] = _MARKED.get(handler, ()) + event_classes
        return handler

    return mark


class EventsOf:
    """``EventsOf(Forum).Planned`` is ``Forum.Planned``, typed as a class: an aggregate's event classes are made by
    its ``@event`` decorators, which mypy does not see. A misspelt name fails when the module is imported."""

    def __init__(self, aggregate: type) -> None:
        self._aggregate = aggregate

    def __getattr__(self, name: str) -> type:
        event_class = getattr(self._aggregate, name)
        if not isinstance(event_class, type):
            raise AttributeError(name)
        return event_class


class RowOf:
    """The row a read table keeps for each aggregate, keyed by its id: ``PEOPLE = RowOf("read.people",
    "person_id")``, then ``await PEOPLE.set(conn, envelope, "name = $2, updated_at = $3", e.name, e.timestamp)``
    updates the row of the envelope's aggregate (``$1``), ``values`` being ``$2``…"""

    def __init__(self, table: str, key: str) -> None:
        self.table = table
        self.key = key

    async def set(self, conn: asyncpg.Connection, envelope: Envelope, sets: str, *values: Any) -> None:
        await conn.execute(f"UPDATE {self.table} SET {sets} WHERE {self.key} = $1", envelope.originator_id, *values)

    async def get(self, conn: asyncpg.Connection, envelope: Envelope) -> asyncpg.Record | None:
        """The row of the envelope's aggregate, None before its first event made one."""
        return await conn.fetchrow(f"SELECT * FROM {self.table} WHERE {self.key} = $1", envelope.originator_id)


class EventProjection(Projection):
    """A projection whose ``apply`` looks each event's class up in a table of handlers: no ``isinstance`` ladder."""

    handlers: ClassVar[dict[type, tuple[Handler, ...]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table: dict[type, tuple[Handler, ...]] = {}
        for klass in reversed(cls.__mro__):
            for attribute in vars(klass).values():
                if not inspect.isfunction(attribute):
                    continue
                for event_class in _MARKED.get(attribute, ()):
                    table[event_class] = (*table.get(event_class, ()), attribute)
        cls.handlers = table
        cls.handles = tuple(table)

    async def apply(self, conn: asyncpg.Connection, batch: Sequence[Envelope]) -> None:
        # A forum's events are few apart from scores: one statement (or two) per event reads best.
        for envelope in batch:
            await self.dispatch(conn, envelope)

    async def dispatch(self, conn: asyncpg.Connection, envelope: Envelope) -> list[Any]:
        """Run the handlers of ``envelope``'s event, in order; the rows they return, in that order."""
        rows: list[Any] = []
        for handler in self.handlers[type(envelope.event)]:
            rows.extend(await handler(self, conn, envelope, envelope.event) or ())
        return rows


def to_json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def from_json(value: str | None) -> Any:
    return None if value is None else msgspec.json.decode(value)
