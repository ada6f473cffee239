"""The projector: follows the one event log in commit order and feeds each read model exactly once.

Each projection reads the events of the topics it handles in batches; a batch's changes and the
projection's new position are written in one transaction, so a crash or a restart never loses
or doubles an event. The projector wakes on the recorder's NOTIFY, with a slow poll as fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

import asyncpg
import msgspec
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
    error: str | None = None  # why the event at ``failed_position`` could not be applied (None: healthy)
    failed_position: int | None = None
    failed_at: datetime | None = None
    attempts: int = 0
    rebuild_position: int | None = None  # a rebuild under way in shadow tables, and how far it has read

    @property
    def faulted(self) -> bool:
        return self.error is not None


class RebuildFailed(Exception):
    """A rebuild that could not apply an event: its shadow tables are dropped, the live tables stay as they were."""

    def __init__(self, projection: str, position: int, error: str) -> None:
        super().__init__(f"{projection} : l'événement {position} n'a pas pu être projeté ({error})")
        self.projection, self.position, self.error = projection, position, error


class _GiveUp(Exception):
    def __init__(self, failure: tuple[int, str]) -> None:
        self.failure = failure


# Failures of the connection or of the server, not of an event: the supervisor reconnects and tries again.
CONNECTION_FAILURES: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.DatabaseDroppedError,
    asyncpg.exceptions.IdleSessionTimeoutError,
)


def _is_connection_failure(error: BaseException, conn: asyncpg.Connection | None = None) -> bool:
    return isinstance(error, CONNECTION_FAILURES) or (conn is not None and conn.is_closed())


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


_EVENT_COLUMNS = "notification_id, organisation, recorded_at, originator_id, originator_version, topic, state"


class _Shadowed:
    """A connection whose SQL names a projection's shadow tables (``read.x__rebuild``) wherever it names its
    tables (``read.x``): the projection's own handlers fill a rebuild without knowing it."""

    def __init__(self, conn: asyncpg.Connection, tables: Sequence[str]) -> None:
        self._conn = conn
        names = "|".join(re.escape(t.removeprefix("read.")) for t in sorted(tables, key=len, reverse=True))
        self._pattern = re.compile(rf"\bread\.({names})\b")

    def _sql(self, sql: str) -> str:
        return self._pattern.sub(r"read.\1__rebuild", sql)

    async def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return await self._conn.execute(self._sql(sql), *args, **kwargs)

    async def executemany(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return await self._conn.executemany(self._sql(sql), *args, **kwargs)

    async def fetch(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return await self._conn.fetch(self._sql(sql), *args, **kwargs)

    async def fetchrow(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return await self._conn.fetchrow(self._sql(sql), *args, **kwargs)

    async def fetchval(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return await self._conn.fetchval(self._sql(sql), *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


class Projector:
    def __init__(
        self,
        pool: asyncpg.Pool,
        projections: Iterable[Projection],
        *,
        batch_size: int = 1000,
        poll_seconds: float = 5.0,
        retry_seconds: float = 1.0,
        retry_cap_seconds: float = 60.0,
    ) -> None:
        self.pool = pool
        self.projections = {p.name: p for p in projections}
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self.retry_cap_seconds = retry_cap_seconds
        self._wake = asyncio.Event()
        self._retry_at: dict[str, float] = {}  # a faulted projection is tried again from then (monotonic clock)
        # what the supervisor of ``run`` is doing: "stopped", "starting", "following" or "recovering"
        self.state = "stopped"
        self.last_error: str | None = None
        self.last_error_at: datetime | None = None

    def projection(self, name: str) -> Projection:
        try:
            return self.projections[name]
        except KeyError:
            known = ", ".join(sorted(self.projections))
            raise LookupError(f"unknown projection {name!r} (known: {known})") from None

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after ``attempts`` failures: doubling from ``retry_seconds``, capped."""
        return float(min(self.retry_cap_seconds, self.retry_seconds * 2 ** max(attempts - 1, 0)))

    async def _position(self, conn: asyncpg.Connection, name: str, *, lock: bool) -> int | None:
        await conn.execute("INSERT INTO read.positions (projection) VALUES ($1) ON CONFLICT DO NOTHING", name)
        sql = "SELECT position FROM read.positions WHERE projection = $1"
        if lock:
            sql += " FOR UPDATE SKIP LOCKED"
        return await conn.fetchval(sql, name)  # type: ignore[no-any-return]

    async def _batch(self, conn: asyncpg.Connection, projection: Projection, after: int, head: int) -> list[Any]:
        return list(
            await conn.fetch(
                f"SELECT {_EVENT_COLUMNS} FROM store.forum_events WHERE notification_id > $1 AND notification_id <= $2"
                " AND topic = ANY($3::text[]) ORDER BY notification_id LIMIT $4",
                after,
                head,
                projection.topics(),
                self.batch_size,
            )
        )

    async def step(self, name: str) -> int:
        """Project one batch for ``name``; returns how many events it applied (0: caught up, busy or faulted).

        A batch that cannot be applied (any error but a lost connection) is replayed event by event: the events
        before the failing one are kept, the failing one is recorded on ``read.positions`` (position, error,
        attempts) and tried again after a growing delay. Only this projection waits; the others go on."""
        projection = self.projections[name]
        if time.monotonic() < self._retry_at.get(name, 0.0):
            return 0
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                position = await self._position(conn, name, lock=True)
                if position is None:  # another projector process holds this projection right now
                    return 0
                head = await _head(conn)
                if head <= position:
                    return 0
                rows = await self._batch(conn, projection, position, head)
                if rows:
                    await projection.apply(conn, _envelopes(rows))
                await self._advance(conn, name, rows, head)
                return len(rows)
        except Exception as error:
            if _is_connection_failure(error):
                raise
            return await self._isolate(projection, error)

    async def _advance(self, conn: asyncpg.Connection, name: str, rows: Sequence[Any], head: int) -> None:
        """``name`` has applied ``rows``, the batch it read below ``head``: its position moves past them (to the
        head when the batch was not full) and any fault it had is cleared."""
        new_position = rows[-1]["notification_id"] if len(rows) == self.batch_size else head
        await conn.execute(
            "UPDATE read.positions SET position = $2, updated_at = clock_timestamp(), error = NULL,"
            " failed_position = NULL, failed_at = NULL, attempts = 0 WHERE projection = $1",
            name,
            new_position,
        )
        self._retry_at.pop(name, None)

    async def _isolate(self, projection: Projection, batch_error: Exception) -> int:
        """Replay the batch one event at a time (each in a savepoint) to find the event that fails; keep the
        events before it, record the fault. Returns how many events were applied."""
        name = projection.name
        async with self.pool.acquire() as conn, conn.transaction():
            position = await self._position(conn, name, lock=True)
            if position is None:
                return 0
            head = await _head(conn)
            rows = await self._batch(conn, projection, position, head)
            applied, failed, error = 0, None, batch_error
            for row in rows:
                try:
                    async with conn.transaction():
                        await projection.apply(conn, _envelopes([row]))
                except Exception as event_error:
                    if _is_connection_failure(event_error, conn):
                        raise
                    failed, error = row["notification_id"], event_error
                    break
                applied += 1
                position = row["notification_id"]
            if failed is None:  # every event applied on its own: the batch's failure did not come back
                await self._advance(conn, name, rows, head)
                return applied
            attempts = await conn.fetchval(
                "UPDATE read.positions SET position = $2, updated_at = clock_timestamp(), error = $3,"
                " failed_position = $4, failed_at = clock_timestamp(),"
                " attempts = CASE WHEN failed_position = $4 THEN attempts + 1 ELSE 1 END"
                " WHERE projection = $1 RETURNING attempts",
                name,
                position,
                _describe(error),
                failed,
            )
        delay = self.backoff(attempts)
        self._retry_at[name] = time.monotonic() + delay
        log.error(
            "projection %s stopped at event %s (attempt %s, next try in %.0f s): %s",
            name,
            failed,
            attempts,
            delay,
            _describe(error),
        )
        return applied

    async def catch_up(self, names: Iterable[str] | None = None, progress: Progress | None = None) -> int:
        """Apply every pending event to the named projections (all by default); returns how many.

        A rebuild left under way (its process stopped) is carried on, and swapped in once caught up."""
        total = 0
        for name in list(names or self.projections):
            todo = (await self.status(name))[0].behind_events if progress else 0
            done = 0
            while applied := await self.step(name):
                done += applied
                if progress:
                    progress(done, max(todo, done))
                if name in self._retry_at:  # stopped on an event: tried again on a later pass, after its delay
                    break
            total += done
            try:
                while (shadow := await self._shadow_step(name, wait=False)) is not None and shadow[0]:
                    total += shadow[0]
            except RebuildFailed:
                log.exception("the rebuild of %s under way failed; the live tables stay as they are", name)
        return total

    async def rebuild(self, name: str, organisation: str | None = None, progress: Progress | None = None) -> int:
        """Rebuild a projection from scratch, or only one organisation's share of it.

        The whole projection is built into shadow tables, batch by batch (each committed with the shadow's
        position, so a killed rebuild is carried on by the next catch-up), then swapped in with the position
        in one transaction. If an event cannot be applied, the shadows are dropped and ``RebuildFailed`` says
        which: the live tables and their position are left as they were."""
        projection = self.projection(name)
        if organisation is not None:
            return await self._rebuild_share(projection, organisation, progress)
        async with self.pool.acquire() as conn, conn.transaction():
            await self._position(conn, name, lock=False)
            await conn.execute("SELECT 1 FROM read.positions WHERE projection = $1 FOR UPDATE", name)
            await conn.execute("SELECT read.create_rebuild_tables($1::text[])", _bare(projection.tables))
            await conn.execute("UPDATE read.positions SET rebuild_position = 0 WHERE projection = $1", name)
        todo = await self._count(projection, 0)
        done = 0
        while True:
            shadow = await self._shadow_step(name, wait=True)
            if shadow is None:
                return done
            applied, finished = shadow
            done += applied
            if progress:
                progress(done, max(todo, done))
            if finished:
                return done

    async def _count(self, projection: Projection, after: int) -> int:
        async with self.pool.acquire() as conn:
            return await conn.fetchval(  # type: ignore[no-any-return]
                "SELECT count(*) FROM store.forum_events WHERE notification_id > $1 AND topic = ANY($2::text[])",
                after,
                projection.topics(),
            )

    async def _shadow_step(self, name: str, *, wait: bool) -> tuple[int, bool] | None:
        """One batch of a rebuild under way into the shadow tables: (events applied, swapped in now), or None
        when no rebuild is under way (or, without ``wait``, another process holds the projection)."""
        projection = self.projections[name]
        async with self.pool.acquire() as conn:
            try:
                async with conn.transaction():
                    return await self._shadow_batch(conn, projection, wait=wait)
            except _GiveUp as given_up:
                failure = given_up.failure
            async with conn.transaction():  # the rebuild is given up: its shadows go, the live tables stay
                await conn.execute("SELECT read.drop_rebuild_tables($1::text[])", _bare(projection.tables))
                await conn.execute("UPDATE read.positions SET rebuild_position = NULL WHERE projection = $1", name)
        log.error("rebuild of %s given up at event %s: %s", name, *failure)
        raise RebuildFailed(name, *failure)

    async def _shadow_batch(
        self, conn: asyncpg.Connection, projection: Projection, *, wait: bool
    ) -> tuple[int, bool] | None:
        name = projection.name
        row = await conn.fetchrow(
            "SELECT position, rebuild_position FROM read.positions WHERE projection = $1 FOR UPDATE"
            + ("" if wait else " SKIP LOCKED"),
            name,
        )
        if row is None or row["rebuild_position"] is None:
            return None
        head = await _head(conn)
        rows = await self._batch(conn, projection, row["rebuild_position"], head)
        shadowed: Any = _Shadowed(conn, projection.tables)
        try:
            async with conn.transaction():
                if rows:
                    await projection.apply(shadowed, _envelopes(rows))
        except Exception as error:
            if _is_connection_failure(error, conn):
                raise
            raise _GiveUp(await self._first_failure(conn, projection, shadowed, rows, error)) from error
        new_position = rows[-1]["notification_id"] if len(rows) == self.batch_size else head
        if new_position < head:
            await conn.execute(
                "UPDATE read.positions SET rebuild_position = $2 WHERE projection = $1", name, new_position
            )
            return len(rows), False
        await conn.execute("SELECT read.swap_rebuild_tables($1::text[])", _bare(projection.tables))
        await conn.execute(
            "UPDATE read.positions SET position = $2, rebuild_position = NULL, updated_at = clock_timestamp(),"
            " error = NULL, failed_position = NULL, failed_at = NULL, attempts = 0 WHERE projection = $1",
            name,
            head,
        )
        self._retry_at.pop(name, None)
        return len(rows), True

    async def _first_failure(
        self, conn: asyncpg.Connection, projection: Projection, target: Any, rows: Sequence[Any], error: Exception
    ) -> tuple[int, str]:
        """The first event of ``rows`` that fails on its own (each tried in a savepoint, then rolled back)."""
        for row in rows:
            try:
                async with conn.transaction():
                    await projection.apply(target, _envelopes([row]))
            except Exception as event_error:
                if _is_connection_failure(event_error, conn):
                    raise
                return row["notification_id"], _describe(event_error)
        return rows[-1]["notification_id"] if rows else 0, _describe(error)

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
                    f"SELECT {_EVENT_COLUMNS} FROM store.forum_events WHERE organisation = $1 AND notification_id > $2"
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
            head = await _head(conn)
            statuses = []
            for projection_name in [name] if name else sorted(self.projections):
                projection = self.projection(projection_name)
                row = await conn.fetchrow(
                    "SELECT position, error, failed_position, failed_at, attempts, rebuild_position"
                    " FROM read.positions WHERE projection = $1",
                    projection_name,
                )
                position = (row["position"] if row else 0) or 0
                behind = await conn.fetchrow(
                    "SELECT count(*) AS n, extract(epoch FROM clock_timestamp() - min(recorded_at)) AS s"
                    " FROM store.forum_events WHERE notification_id > $1 AND topic = ANY($2::text[])",
                    position,
                    projection.topics(),
                )
                statuses.append(
                    Status(
                        projection_name,
                        position,
                        head,
                        behind["n"],
                        float(behind["s"] or 0.0),
                        error=row["error"] if row else None,
                        failed_position=row["failed_position"] if row else None,
                        failed_at=row["failed_at"] if row else None,
                        attempts=row["attempts"] if row else 0,
                        rebuild_position=row["rebuild_position"] if row else None,
                    )
                )
            return statuses

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the log until ``stop`` is set: catch up, then sleep until notified (or the poll interval).

        Supervised: any failure (the server restarting, a lost connection, a bug) is logged, and the loop
        reconnects, listens again and catches up after a growing delay (capped), until ``stop``. ``state`` says
        what it is doing, for ``/health``."""
        delay = self.retry_seconds
        self.state = "starting"
        try:
            while not stop.is_set():
                try:
                    await self._follow(stop)
                except Exception as error:  # supervised: whatever it was, reconnect and go on
                    self.state = "recovering"
                    self.last_error, self.last_error_at = _describe(error), datetime.now(UTC)
                    log.exception("projector failed; reconnecting in %.1f s", delay)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=delay)
                    delay = min(self.retry_cap_seconds, delay * 2)
                else:
                    delay = self.retry_seconds
        finally:
            self.state = "stopped"

    async def _follow(self, stop: asyncio.Event) -> None:
        """Listen on a connection of its own and follow the log until ``stop`` or until that connection is lost."""
        lost = asyncio.Event()
        listener = await self.pool.acquire()
        try:
            listener.add_termination_listener(lambda _: lost.set())
            await listener.add_listener(CHANNEL, self._notified)
            while not stop.is_set():
                self._wake.clear()
                await self.catch_up()
                if _closed(listener) or lost.is_set():
                    raise ConnectionError("the projector's LISTEN connection was closed")
                self.state = "following"  # last_error stays, for the record
                waiters = [asyncio.create_task(e.wait()) for e in (self._wake, stop, lost)]
                try:
                    await asyncio.wait(waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for task in waiters:
                        task.cancel()
                if lost.is_set() or _closed(listener):
                    raise ConnectionError("the projector's LISTEN connection was closed")
        finally:
            if not _closed(listener):
                with contextlib.suppress(Exception):
                    await listener.remove_listener(CHANNEL, self._notified)
            with contextlib.suppress(Exception):
                await self.pool.release(listener)

    def _notified(self, *_: object) -> None:
        self._wake.set()


async def _head(conn: asyncpg.Connection) -> int:
    """The position of the last event stored (0 when there is none)."""
    head: int = await conn.fetchval("SELECT coalesce(max(notification_id), 0) FROM store.forum_events")
    return head


def _closed(conn: asyncpg.Connection) -> bool:
    """Whether a connection is gone (a pool's connection lost by the server is also taken from its proxy)."""
    try:
        return bool(conn.is_closed())
    except asyncpg.InterfaceError:
        return True


def _bare(tables: Iterable[str]) -> list[str]:
    return [table.removeprefix("read.") for table in tables]


def _sanitised(value: Any) -> Any:
    """``value`` with every NUL character (which PostgreSQL text cannot hold) replaced by U+FFFD, recursively
    through strings, sequences, mappings, msgspec structs and dataclasses. History is never edited: events
    stored before such text was refused are shown with the replacement character."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, list | tuple | frozenset | set):
        items = [_sanitised(v) for v in value]
        return type(value)(items) if any(s is not v for s, v in zip(items, value, strict=True)) else value
    if isinstance(value, dict):
        pairs = [(_sanitised(k), _sanitised(v)) for k, v in value.items()]
        changed = any(k2 is not k or v2 is not v for (k2, v2), (k, v) in zip(pairs, value.items(), strict=True))
        return dict(pairs) if changed else value
    if isinstance(value, msgspec.Struct):
        struct_changes = {
            f: s for f in value.__struct_fields__ if (s := _sanitised(getattr(value, f))) is not getattr(value, f)
        }
        return msgspec.structs.replace(value, **struct_changes) if struct_changes else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.init}
        field_changes = {k: s for k, v in fields.items() if (s := _sanitised(v)) is not v}
        return dataclasses.replace(value, **field_changes) if field_changes else value
    return value


def _decode(row: asyncpg.Record) -> Any:
    event = decode_event(row["topic"], row["state"], row["originator_id"], row["originator_version"])
    if b"\x00" in row["state"]:  # a NUL byte also encodes 0 and lengths in msgpack: this only narrows the walk
        fields = event.__dict__
        for key, value in fields.items():
            fields[key] = _sanitised(value)
    return event


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
                _decode(row),
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
