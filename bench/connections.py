"""Connections the service holds on the database as more organisations are active: read from pg_stat_activity."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from bench.db import fresh_database
from bench.harness import Row
from forum.access import SYSTEM
from forum.application import ForumApplication
from forum.database import Database
from forum.entrypoints.bootstrap import projector as build_projector
from forum.settings import Settings

GOAL = 20
THREADS = 8  # request threads of a busy web process
RENAMES = 2  # commands each organisation issues once registered


class ConnectionSampler:
    """Counts the database's connections (all roles, all clients) every few milliseconds, keeping the peak."""

    def __init__(self, db: Database, every: float = 0.01) -> None:
        self.db = db
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> ConnectionSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> None:
        self.peak = 0

    def _sample(self) -> None:
        with self.db.connect(autocommit=True) as conn:
            while not self._stop.is_set():
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchone()
                self.peak = max(self.peak, row[0] if row else 0)
                time.sleep(self.every)


class ProjectorThread:
    """The projector following the log alongside, as ``forum serve`` runs it in-process."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ProjectorThread:
        self._thread.start()
        self._ready.wait()
        return self

    def __exit__(self, *_: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._follow())

    async def _follow(self) -> None:
        self._stop = asyncio.Event()
        projector = await build_projector(self.db, poll_seconds=1.0)
        self._ready.set()
        try:
            await projector.run(self._stop)
        finally:
            await projector.pool.close()


def _activate(app: ForumApplication, slugs: list[str]) -> int:
    """Each organisation registered, then renamed a few times, organisations served by several threads at once
    (one organisation's commands in turn, as one person would issue them); returns how many commands."""

    def activate(slug: str) -> None:
        app.register_organisation(SYSTEM, uuid.uuid4().hex, slug=slug, name=f"Organisation {slug}", kind="autre")
        for n in range(RENAMES):
            app.rename_organisation(SYSTEM, uuid.uuid4().hex, slug=slug, name=f"Organisation {slug} ({n + 1})")

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(activate, slugs))
    return len(slugs) * (1 + RENAMES)


def run(server: Database, *, organisations: tuple[int, ...]) -> list[Row]:
    db = fresh_database(server, "bench_connections")
    with db.connect(autocommit=True) as conn:
        row = conn.execute("SHOW max_connections").fetchone()
        max_connections = int(row[0]) if row else 0
    pool_size = Settings().pool_size
    app = ForumApplication(db, pool_size=pool_size)
    rows = []
    try:
        with ConnectionSampler(db) as sampler, ProjectorThread(db):
            active: list[str] = []
            for count in organisations:
                new = [f"org-{i}" for i in range(len(active), count)]
                active += new
                sampler.reset()
                started = time.perf_counter()
                commands = _activate(app, new)
                seconds = time.perf_counter() - started
                time.sleep(0.1)
                rows.append(
                    Row(
                        benchmark="3 connections held",
                        case=f"{count:,} organisations active",
                        measured=f"{sampler.peak} connections",
                        ceiling=f"max_connections {max_connections}",
                        ratio=sampler.peak / max_connections,
                        goal=f"≤ {GOAL}",
                        met=sampler.peak <= GOAL,
                        figures={
                            "organisations": count,
                            "peak_connections": sampler.peak,
                            "max_connections": max_connections,
                            "commands": commands,
                            "commands_per_second": commands / seconds,
                            "threads": THREADS,
                            "app_pool_size": pool_size,
                        },
                    )
                )
    finally:
        app.close()
    return rows
