"""The projector: every event applied exactly once, in log order, even when killed mid-rebuild."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from domain.organisation import Organisation
from domain.values import Meta
from forum.access import Actor
from forum.application import ForumApplication
from forum.database import Database
from forum.entrypoints.bootstrap import projector
from forum.tenancy import store_of
from projections.directory import list_organisations, name_history
from tests.conftest import Clock, command_id

ROOT = Path(__file__).resolve().parents[2]


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def read_tables(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    p = await projector(db)
    try:
        async with p.pool.acquire() as conn:
            return {
                "organisations": [tuple(r) for r in await conn.fetch("SELECT * FROM read.organisations ORDER BY slug")],
                "names": [
                    tuple(r)
                    for r in await conn.fetch("SELECT * FROM read.organisation_names ORDER BY organisation, position")
                ],
                "position": [
                    tuple(r)
                    for r in await conn.fetch(
                        "SELECT projection, position FROM read.positions WHERE projection = 'directory'"
                    )
                ],
            }
    finally:
        await p.pool.close()


def seed(app: ForumApplication, clock: Clock, organisations: int, renames: int) -> int:
    """Many organisations renamed many times, saved in batches through the application's own save path."""
    actor = Meta(
        actor="system",
        role="admin",
        organisation="",
        actor_organisation="platform",
        at=clock(),
        command_id="seed",
        correlation_id="seed",
    )
    total = 0
    for n in range(organisations):
        slug = f"org-{n:04d}"
        org = Organisation.register(slug=slug, name=f"Organisation {n}", kind="autre", meta=actor)
        for r in range(renames):
            clock.advance(seconds=1)
            org.rename(name=f"Organisation {n} (nom {r + 1})", meta=actor)
        with store_of(slug):
            app.save(org)
        total += 1 + renames
    return total


def test_a_rebuild_gives_the_same_tables_as_following_the_log(
    app: ForumApplication, admin: Actor, db: Database, clock: Clock
) -> None:
    # given organisations registered and renamed, projected as they happened
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    app.register_organisation(admin, command_id(), slug="oise", name="Oise", kind="departement")
    app.rename_organisation(admin, command_id(), slug="nord", name="Département du Nord")

    async def follow_then_rebuild() -> tuple[dict[str, Any], dict[str, Any]]:
        p = await projector(db, batch_size=2)
        try:
            assert await p.catch_up() == 3
            followed = await read_tables(db)
            assert await p.rebuild("directory") == 3
            return followed, await read_tables(db)
        finally:
            await p.pool.close()

    followed, rebuilt = run(follow_then_rebuild())
    assert followed == rebuilt
    assert [row[2] for row in rebuilt["organisations"]] == ["Département du Nord", "Oise"]


def test_one_organisations_share_is_rebuilt_alone(app: ForumApplication, admin: Actor, db: Database) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    app.register_organisation(admin, command_id(), slug="oise", name="Oise", kind="departement")
    app.rename_organisation(admin, command_id(), slug="nord", name="Département du Nord")

    async def scenario() -> None:
        p = await projector(db)
        try:
            await p.catch_up()
            before = await read_tables(db)
            # damage nord's rows, then rebuild nord's share only
            async with p.pool.acquire() as conn:
                await conn.execute("UPDATE read.organisations SET name = 'corrompu' WHERE slug = 'nord'")
                await conn.execute("DELETE FROM read.organisation_names WHERE organisation = 'nord'")
            assert await p.rebuild("directory", organisation="nord") == 2
            assert await read_tables(db) == before
            async with p.pool.acquire() as conn:
                assert [o.name for o in await list_organisations(conn)] == ["Département du Nord", "Oise"]
                assert [n for n, _ in await name_history(conn, "nord")] == ["Nord", "Département du Nord"]
        finally:
            await p.pool.close()

    run(scenario())


def test_status_reports_how_far_behind_the_projection_is(app: ForumApplication, admin: Actor, db: Database) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")

    async def scenario() -> None:
        p = await projector(db)
        try:
            [before] = await p.status("directory")
            assert (before.position, before.head, before.behind_events) == (0, 1, 1)
            assert before.behind_seconds >= 0
            await p.catch_up()
            [after] = await p.status("directory")
            assert (after.position, after.behind_events, after.behind_seconds) == (1, 0, 0.0)
        finally:
            await p.pool.close()

    run(scenario())


def forum_cli(db: Database, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": db.url, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "forum.entrypoints.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.fixture
def seeded(app: ForumApplication, clock: Clock) -> Iterator[int]:
    yield seed(app, clock, organisations=150, renames=20)


async def directory_position(db: Database) -> int:
    """How many events the directory has applied (its position counts from the start of the log), or its
    rebuild under way in shadow tables has."""
    conn = await asyncpg.connect(**db.asyncpg_kwargs())
    try:
        return await conn.fetchval(
            "SELECT coalesce(max(coalesce(rebuild_position, position)), 0) FROM read.positions"
            " WHERE projection = 'directory'"
        )
    finally:
        await conn.close()


def kill_midway(db: Database, process: subprocess.Popen[bytes], target: int, *, restarts: bool) -> bool:
    """SIGKILL the projector once it has projected past ``target`` events (or it finished first).

    A rebuild (``restarts``) first goes back to position 0: wait to see that before watching for the target."""
    deadline = time.monotonic() + 60
    started = not restarts
    while process.poll() is None and time.monotonic() < deadline:
        position = run(directory_position(db))
        started = started or position < target
        if started and position >= target:
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            return True
        time.sleep(0.01)
    process.wait(30)
    return False


@pytest.mark.slow
def test_killing_the_projector_at_random_moments_never_loses_or_doubles_an_event(db: Database, seeded: int) -> None:
    # given the tables an uninterrupted rebuild produces
    assert forum_cli(db, "projections", "rebuild", "directory", "--batch-size", "5", "--quiet").wait(60) == 0
    expected = run(read_tables(db))
    assert len(expected["names"]) == seeded
    # when rebuilds, and the catch-ups that resume them, are killed (SIGKILL) at random points of their way
    rng = random.Random(20191128)
    interrupted_midway = 0
    for _ in range(5):
        rebuild = forum_cli(db, "projections", "rebuild", "directory", "--batch-size", "5", "--quiet")
        interrupted_midway += kill_midway(db, rebuild, rng.randrange(seeded // 10, seeded // 2), restarts=True)
        resume = forum_cli(db, "projections", "catchup", "--batch-size", "5")
        interrupted_midway += kill_midway(db, resume, rng.randrange(seeded // 2, seeded * 9 // 10), restarts=False)
    final = forum_cli(db, "projections", "catchup", "--batch-size", "5")
    assert final.wait(60) == 0, final.stderr.read() if final.stderr else ""
    # then the read tables equal those of the uninterrupted rebuild
    assert interrupted_midway >= 8, "the kills should land in the middle of rebuilds"
    assert run(read_tables(db)) == expected
