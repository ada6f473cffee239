"""A projector rebuild against the ceiling: fetching the same events with asyncpg and decoding them, nothing else."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence

import asyncpg

from bench.db import analyze, fresh_database
from bench.harness import Row, Timing, paired_ratio, per_second, timed_async
from bench.seed import seed
from domain.codec import decode_event
from domain.idea_call import IdeaCall
from domain.organisation import Organisation
from domain.project import Project
from forum.application import ForumApplication
from forum.database import PROJECTOR_ROLE, Database
from projections.projector import Envelope, Projection, Projector, connect_pool

GOAL_RATIO = 0.5
GOAL_RATE = 100_000
BATCH = 1000
SEEDED = (
    Organisation.Registered,
    Organisation.Renamed,
    IdeaCall.Drafted,
    IdeaCall.Opened,
    Project.Drafted,
    Project.Submitted,
    Project.Edited,
)

TABLES = """
CREATE TABLE read.bench_activity_counts (
    organisation text NOT NULL,
    topic text NOT NULL,
    events bigint NOT NULL,
    last_at timestamptz NOT NULL,
    PRIMARY KEY (organisation, topic)
);
CREATE TABLE read.bench_activity_log (
    organisation text NOT NULL,
    position bigint NOT NULL,
    aggregate_id uuid NOT NULL,
    version bigint NOT NULL,
    event text NOT NULL,
    actor text NOT NULL,
    at timestamptz NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON read.bench_activity_counts, read.bench_activity_log
    TO forum_projector;
"""


class ActivityCounts(Projection):
    """Events per organisation and kind, with the time of the last: a batch folds into a few upserts."""

    name = "bench_activity_counts"
    handles = SEEDED
    tables = ("read.bench_activity_counts",)

    async def apply(self, conn: asyncpg.Connection, batch: Sequence[Envelope]) -> None:
        counts: Counter[tuple[str, str]] = Counter()
        last = {}
        for envelope in batch:
            key = (envelope.organisation, type(envelope.event).__qualname__)
            counts[key] += 1
            last[key] = envelope.event.meta.at
        await conn.executemany(
            "INSERT INTO read.bench_activity_counts AS c (organisation, topic, events, last_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (organisation, topic)"
            " DO UPDATE SET events = c.events + excluded.events, last_at = excluded.last_at",
            [(organisation, topic, n, last[organisation, topic]) for (organisation, topic), n in counts.items()],
        )


class ActivityLog(Projection):
    """One row per event (who did what, when): an audit trail, written with COPY."""

    name = "bench_activity_log"
    handles = SEEDED
    tables = ("read.bench_activity_log",)

    async def apply(self, conn: asyncpg.Connection, batch: Sequence[Envelope]) -> None:
        await conn.copy_records_to_table(
            "bench_activity_log",
            schema_name="read",
            records=[
                (
                    e.organisation,
                    e.position,
                    e.event.originator_id,
                    e.event.originator_version,
                    type(e.event).__qualname__,
                    e.event.meta.actor,
                    e.event.meta.at,
                )
                for e in batch
            ],
        )


async def _decode_only(pool: asyncpg.Pool) -> int:
    """The ceiling: the same events read as the projector reads them (keyset, in batches) and each batch decoded
    with the mapper into a list, as anything that uses a batch must hold it; nothing else, nothing written."""
    decoded, after = 0, 0
    async with pool.acquire() as conn:
        while rows := await conn.fetch(
            "SELECT notification_id, organisation, recorded_at, originator_id, originator_version, topic, state"
            " FROM store.forum_events WHERE notification_id > $1 ORDER BY notification_id LIMIT $2",
            after,
            BATCH,
        ):
            events = [
                decode_event(row["topic"], row["state"], row["originator_id"], row["originator_version"])
                for row in rows
            ]
            decoded += len(events)
            after = rows[-1]["notification_id"]
    return decoded


async def _measure(db: Database, events: int, rounds: int) -> tuple[list[Timing], dict[str, list[Timing]]]:
    pool = await connect_pool(db.asyncpg_kwargs(), role=PROJECTOR_ROLE, max_size=2)
    try:
        projector = Projector(pool, [ActivityCounts(), ActivityLog()], batch_size=BATCH)
        ceilings: list[Timing] = []
        rebuilds: dict[str, list[Timing]] = {name: [] for name in projector.projections}
        for _ in range(rounds):  # in turns, each rebuild next to its ceiling
            ceilings.append(await timed_async(lambda: _decode_only(pool), events))
            for name, timings in rebuilds.items():
                timings.append(await timed_async(lambda name=name: projector.rebuild(name), events))
        return ceilings, rebuilds
    finally:
        await pool.close()


def best(timings: list[Timing]) -> Timing:
    """The least disturbed round: what the code can do, for the goal in events per second."""
    return min(timings, key=lambda t: t.total)


def run(server: Database, *, events: int, organisations: int, rounds: int = 5) -> list[Row]:
    db = fresh_database(server, "bench_rebuild")
    with db.connect(autocommit=True) as conn:
        conn.execute(TABLES)
    app = ForumApplication(db)
    try:
        seeded = seed(app, [f"org-{i}" for i in range(organisations)], events // organisations)
    finally:
        app.close()
    analyze(db)
    ceilings, rebuilds = asyncio.run(_measure(db, seeded, rounds))
    ceiling = best(ceilings)
    rows = []
    for name, timings in rebuilds.items():
        timing = best(timings)
        r = paired_ratio(timings, ceilings)
        rows.append(
            Row(
                benchmark=f"2 rebuild {seeded:,} events",
                case=name.removeprefix("bench_"),
                measured=per_second(timing.rate),
                ceiling=per_second(ceiling.rate),
                ratio=r,
                goal=f"≥ {GOAL_RATIO}; ≥ {GOAL_RATE // 1000}k/s",
                met=r >= GOAL_RATIO and timing.rate >= GOAL_RATE,
                figures={
                    "events": seeded,
                    "seconds": timing.total,
                    "rate": timing.rate,
                    "ceiling_seconds": ceiling.total,
                    "ceiling_rate": ceiling.rate,
                },
            )
        )
    return rows
