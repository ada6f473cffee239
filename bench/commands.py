"""One command through the application against the ceiling: a raw asyncpg one-row INSERT transaction."""

from __future__ import annotations

import asyncio
import itertools
import uuid

import asyncpg

from bench.db import fresh_database
from bench.harness import Row, Timing, combined, measure, measure_async, ms, paired_ratio, per_second
from forum.access import SYSTEM
from forum.application import ForumApplication
from forum.database import Database

GOAL = 0.5
ROUNDS = 5  # ceiling and application measured in turns, so a slow patch of the machine hits both
RENAMED = 100  # organisations renamed in turn, so each rename replays a short history (≤ 11 events)


async def _raw_transactions(db: Database, count: int, warmup: int) -> Timing:
    conn = await asyncpg.connect(**db.asyncpg_kwargs())
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS public.bench_scratch ("
            " id bigserial PRIMARY KEY, payload bytea NOT NULL, at timestamptz NOT NULL DEFAULT now())"
        )
        payload = b"x" * 300  # about one stored event

        async def insert(_: int) -> None:
            async with conn.transaction():
                await conn.execute("INSERT INTO public.bench_scratch (payload) VALUES ($1)", payload)

        return await measure_async(insert, count, warmup=warmup)
    finally:
        await conn.close()


def run(server: Database, *, commands: int) -> list[Row]:
    db = fresh_database(server, "bench_commands")
    app = ForumApplication(db)
    try:
        numbers = itertools.count()

        def register(_: int) -> None:
            app.register_organisation(SYSTEM, uuid.uuid4().hex, slug=f"org-{next(numbers)}", name="Nord", kind="autre")

        for i in range(RENAMED):
            app.register_organisation(SYSTEM, uuid.uuid4().hex, slug=f"renamed-{i}", name="Nord", kind="autre")

        def rename(_: int) -> None:
            n = next(numbers)
            app.rename_organisation(SYSTEM, uuid.uuid4().hex, slug=f"renamed-{n % RENAMED}", name=f"Nord {n}")

        per_round = max(commands // ROUNDS, 1)
        ceiling, registers, renames = [], [], []
        for _ in range(ROUNDS):
            ceiling.append(asyncio.run(_raw_transactions(db, per_round, warmup=5)))
            registers.append(measure(register, per_round, warmup=5))
            renames.append(measure(rename, per_round, warmup=5))
    finally:
        app.close()
    raw = combined(ceiling)
    rows = []
    for case, rounds in (("register_organisation", registers), ("rename_organisation", renames)):
        timing = combined(rounds)
        r = paired_ratio(rounds, ceiling)
        rows.append(
            Row(
                benchmark="1 command vs raw insert",
                case=case,
                measured=f"{per_second(timing.rate)} (p50 {ms(timing.p50)})",
                ceiling=f"{per_second(raw.rate)} (p50 {ms(raw.p50)})",
                ratio=r,
                goal=f"≥ {GOAL}",
                met=r >= GOAL,
                figures={
                    "commands": timing.count,
                    "rate": timing.rate,
                    "p50_s": timing.p50,
                    "p95_s": timing.p95,
                    "ceiling_rate": raw.rate,
                    "ceiling_p50_s": raw.p50,
                    "ceiling_p95_s": raw.p95,
                },
            )
        )
    return rows
