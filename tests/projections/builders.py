"""Shared builders for projection tests: "given these events → these rows".

``ForumEvents`` makes a forum's events as the aggregate records them (same classes, same fields, a ``Meta``), numbered
in order; ``given`` applies them to one read model as the projector would (one batch, one transaction), and ``rows``
/ ``ask`` read what it wrote. No write side, no other read model: each test states the events it starts from.

Tests that start from the write side's commands read through ``query`` (a query's answer once the projector has
caught up) or ``read`` (the same, as the web's readers, optionally after a rebuild).
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from domain.forum import Forum
from domain.values import Meta
from forum.database import Database
from forum.entrypoints.bootstrap import projector_pool, reader_pool
from projections.projector import Envelope, Projection
from tests.settling import catch_up, settle

AT = datetime(2019, 11, 28, 9, 0, tzinfo=UTC)
_positions = itertools.count(1)
T = TypeVar("T")


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


class ForumEvents:
    """The events of one forum hosted by ``host``: ``events.JurorAppointed(person_id=…, …)``."""

    def __init__(self, host: str = "somme", forum_id: UUID | None = None) -> None:
        self.host = host
        self.forum_id = forum_id or uuid.uuid4()
        self.version = 0
        self.at = AT

    def __getattr__(self, name: str) -> Any:
        event_class = getattr(Forum, name)

        def make(*, actor: str = "host", actor_organisation: str | None = None, **fields: Any) -> Envelope:
            self.version += 1
            self.at += timedelta(minutes=1)
            meta = Meta(
                actor=actor,
                role="organiser",
                organisation=self.host,
                actor_organisation=actor_organisation or self.host,
                at=self.at,
                command_id=uuid.uuid4().hex,
                correlation_id=uuid.uuid4().hex,
            )
            event = event_class(
                originator_id=self.forum_id, originator_version=self.version, timestamp=self.at, meta=meta, **fields
            )
            return Envelope(next(_positions), self.host, self.at, event)

        return make


async def _given(db: Database, projection: Projection, envelopes: Sequence[Envelope]) -> None:
    pool = await projector_pool(db)
    try:
        async with pool.acquire() as conn, conn.transaction():
            await projection.apply(conn, envelopes)
    finally:
        await pool.close()


def given(db: Database, projection: Projection, *envelopes: Envelope) -> None:
    """Apply ``envelopes`` to ``projection``, as one batch of the projector."""
    run(_given(db, projection, envelopes))


async def _ask(db: Database, function: Any, *args: Any, **kwargs: Any) -> Any:
    pool = await projector_pool(db)
    try:
        async with pool.acquire() as conn:
            return await function(conn, *args, **kwargs)
    finally:
        await pool.close()


def ask(db: Database, function: Any, *args: Any, **kwargs: Any) -> Any:
    """What a query of the read models answers now."""
    return run(_ask(db, function, *args, **kwargs))


def rows(db: Database, table: str, forum_id: UUID, *columns: str, order: str = "1") -> list[tuple[Any, ...]]:
    """``columns`` of ``table``'s rows for the forum, as tuples."""

    async def fetch(conn: Any) -> list[tuple[Any, ...]]:
        records = await conn.fetch(
            f"SELECT {', '.join(columns)} FROM {table} WHERE forum_id = $1 ORDER BY {order}", forum_id
        )
        return [tuple(r.values()) for r in records]

    return ask(db, fetch)  # type: ignore[no-any-return]


def query(db: Database, function: Any, *args: Any, **kwargs: Any) -> Any:
    """What a query of the read models answers once the projector has applied every event written so far."""
    settle(db)
    return ask(db, function, *args, **kwargs)


def read(
    db: Database,
    query: Callable[[Any], Awaitable[T]],
    *,
    projections: Iterable[Projection] | None = None,
    rebuild: tuple[str, str] | None = None,
) -> T:
    """Bring the read models (every one, or ``projections``) up to date — ``rebuild``: then rebuild a projection's
    share of one organisation — and run ``query`` on the readers' pool, as the web reads."""

    async def go() -> T:
        await catch_up(db, projections, rebuild=rebuild)
        pool = await reader_pool(db)
        try:
            return await query(pool)
        finally:
            await pool.close()

    return run(go())
