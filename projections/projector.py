"""The projector: follows the one event log in commit order and feeds each read model exactly once.

Each projection reads the events of the topics it handles in batches; a batch's changes and the
projection's new position are written in one transaction, so a crash or a restart never loses
or doubles an event. The projector wakes on the recorder's NOTIFY, with a slow poll as fallback.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

import asyncpg
from eventsourcing.utils import get_topic

from domain.codec import decode_event

log = logging.getLogger(__name__)

CHANNEL = "forum_events"
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Envelope:
    """An event as the projector hands it over: where it sits in the log, whose it is, when it was stored."""

    position: int
    organisation: str
    recorded_at: datetime
    event: Any

    @property
    def originator_id(self) -> UUID:
        return self.event.originator_id  # type: ignore[no-any-return]


class Projection:
    """A read model: the event classes it follows, its tables, and how a batch of events changes them.

    Every table has an ``organisation`` column, so one organisation's share can be rebuilt alone.
    """

    name: ClassVar[str]
    handles: ClassVar[tuple[type, ...]]
    tables: ClassVar[tuple[str, ...]]

    @classmethod
    def topics(cls) -> list[str]:
        return [get_topic(event_class) for event_class in cls.handles]

    async def apply(self, conn: asyncpg.Connection, batch: Sequence[Envelope]) -> None:
        raise NotImplementedError

    async def clear(self, conn: asyncpg.Connection, organisation: str | None = None) -> None:
        for table in self.tables:
            if organisation is None:
                await conn.execute(f"TRUNCATE {table}")
            else:
                await conn.execute(f"DELETE FROM {table} WHERE organisation = $1", organisation)


@dataclass
class Status:
    projection: str
    position: int
    head: int
    behind_events: int
    behind_seconds: float


class Projector:
    def __init__(
        self,
        pool: asyncpg.Pool,
        projections: Iterable[Projection],
        *,
        batch_size: int = 1000,
        poll_seconds: float = 5.0,
    ) -> None:
        self.pool = pool
        self.projections = {p.name: p for p in projections}
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    def projection(self, name: str) -> Projection:
        try:
            return self.projections[name]
        except KeyError:
            known = ", ".join(sorted(self.projections))
            raise LookupError(f"unknown projection {name!r} (known: {known})") from None

    async def _position(self, conn: asyncpg.Connection, name: str, *, lock: bool) -> int | None:
        await conn.execute("INSERT INTO read.positions (projection) VALUES ($1) ON CONFLICT DO NOTHING", name)
        sql = "SELECT position FROM read.positions WHERE projection = $1"
        if lock:
            sql += " FOR UPDATE SKIP LOCKED"
        return await conn.fetchval(sql, name)  # type: ignore[no-any-return]

    async def step(self, name: str) -> int:
        """Project one batch for ``name``; returns how many events it applied (0: caught up or busy)."""
        projection = self.projections[name]
        async with self.pool.acquire() as conn, conn.transaction():
            position = await self._position(conn, name, lock=True)
            if position is None:  # another projector process holds this projection right now
                return 0
            head = await conn.fetchval("SELECT coalesce(max(notification_id), 0) FROM store.forum_events")
            if head <= position:
                return 0
            rows = await conn.fetch(
                "SELECT notification_id, organisation, recorded_at, originator_id, originator_version, topic, state"
                " FROM store.forum_events WHERE notification_id > $1 AND notification_id <= $2"
                " AND topic = ANY($3::text[]) ORDER BY notification_id LIMIT $4",
                position,
                head,
                projection.topics(),
                self.batch_size,
            )
            if rows:
                await projection.apply(conn, _envelopes(rows))
            new_position = rows[-1]["notification_id"] if len(rows) == self.batch_size else head
            await conn.execute(
                "UPDATE read.positions SET position = $2, updated_at = clock_timestamp() WHERE projection = $1",
                name,
                new_position,
            )
            return len(rows)

    async def catch_up(self, names: Iterable[str] | None = None, progress: Progress | None = None) -> int:
        """Apply every pending event to the named projections (all by default); returns how many."""
        total = 0
        for name in list(names or self.projections):
            todo = (await self.status(name))[0].behind_events if progress else 0
            done = 0
            while applied := await self.step(name):
                done += applied
                if progress:
                    progress(done, max(todo, done))
            total += done
        return total

    async def rebuild(self, name: str, organisation: str | None = None, progress: Progress | None = None) -> int:
        """Rebuild a projection from scratch, or only one organisation's share of it."""
        projection = self.projection(name)
        if organisation is not None:
            return await self._rebuild_share(projection, organisation, progress)
        async with self.pool.acquire() as conn, conn.transaction():
            await self._position(conn, name, lock=False)
            await conn.execute("SELECT 1 FROM read.positions WHERE projection = $1 FOR UPDATE", name)
            await projection.clear(conn)
            await conn.execute("UPDATE read.positions SET position = 0 WHERE projection = $1", name)
        return await self.catch_up([name], progress)

    async def _rebuild_share(self, projection: Projection, organisation: str, progress: Progress | None) -> int:
        """One organisation's rows, replaced in one transaction by a replay of its events up to the position."""
        async with self.pool.acquire() as conn, conn.transaction():
            await self._position(conn, projection.name, lock=False)
            position = await conn.fetchval(
                "SELECT position FROM read.positions WHERE projection = $1 FOR UPDATE", projection.name
            )
            topics = projection.topics()
            todo = await conn.fetchval(
                "SELECT count(*) FROM store.forum_events WHERE organisation = $1 AND notification_id <= $2"
                " AND topic = ANY($3::text[])",
                organisation,
                position,
                topics,
            )
            await projection.clear(conn, organisation)
            after, done = 0, 0
            while True:
                rows = await conn.fetch(
                    "SELECT notification_id, organisation, recorded_at, originator_id, originator_version, topic,"
                    " state FROM store.forum_events WHERE organisation = $1 AND notification_id > $2"
                    " AND notification_id <= $3 AND topic = ANY($4::text[]) ORDER BY notification_id LIMIT $5",
                    organisation,
                    after,
                    position,
                    topics,
                    self.batch_size,
                )
                if not rows:
                    return done
                await projection.apply(conn, _envelopes(rows))
                after = rows[-1]["notification_id"]
                done += len(rows)
                if progress:
                    progress(done, todo)

    async def status(self, name: str | None = None) -> list[Status]:
        async with self.pool.acquire() as conn:
            head = await conn.fetchval("SELECT coalesce(max(notification_id), 0) FROM store.forum_events")
            statuses = []
            for projection_name in [name] if name else sorted(self.projections):
                projection = self.projection(projection_name)
                position = (
                    await conn.fetchval("SELECT position FROM read.positions WHERE projection = $1", projection_name)
                    or 0
                )
                behind = await conn.fetchrow(
                    "SELECT count(*) AS n, extract(epoch FROM clock_timestamp() - min(recorded_at)) AS s"
                    " FROM store.forum_events WHERE notification_id > $1 AND topic = ANY($2::text[])",
                    position,
                    projection.topics(),
                )
                statuses.append(Status(projection_name, position, head, behind["n"], float(behind["s"] or 0.0)))
            return statuses

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the log until ``stop`` is set: catch up, then sleep until notified (or the poll interval)."""
        listener = await self.pool.acquire()
        try:
            await listener.add_listener(CHANNEL, self._notified)
            while not stop.is_set():
                self._wake.clear()
                try:
                    await self.catch_up()
                except (asyncpg.PostgresError, OSError):
                    log.exception("projector step failed; retrying after the poll interval")
                waiters = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
                _, pending = await asyncio.wait(waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
                for task in pending:
                    task.cancel()
        finally:
            try:
                await listener.remove_listener(CHANNEL, self._notified)
            finally:
                await self.pool.release(listener)

    def _notified(self, *_: object) -> None:
        self._wake.set()


def _envelopes(rows: Sequence[asyncpg.Record]) -> list[Envelope]:
    """A batch decoded. Its thousands of new objects all live until the batch is applied, so the cyclic garbage
    collector, if it ran meanwhile, would only walk them again and again: a third of a rebuild's time was spent
    so. It is paused while decoding (reference counting still frees memory) and runs as usual afterwards."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return [
            Envelope(
                row["notification_id"],
                row["organisation"],
                row["recorded_at"],
                decode_event(row["topic"], row["state"], row["originator_id"], row["originator_version"]),
            )
            for row in rows
        ]
    finally:
        if paused:
            gc.enable()


class ProgressBar:
    """A text progress bar on stderr: ``[#####.....] 50% 100000/200000 events, 95000/s``."""

    def __init__(self, label: str, stream: Any = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        total = max(total, 1)
        filled = int(self.width * min(done, total) / total)
        rate = done / max(time.perf_counter() - self.started, 1e-9)
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{100 * done // total:3d}% {done}/{total} events, {rate:,.0f}/s"
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


async def connect_pool(
    connect_kwargs: dict[str, Any], *, role: str, min_size: int = 1, max_size: int = 4
) -> asyncpg.Pool:
    """An asyncpg pool whose sessions act as ``role`` (kept across the pool's resets)."""
    return await asyncpg.create_pool(
        **connect_kwargs, min_size=min_size, max_size=max_size, server_settings={"role": role}
    )
