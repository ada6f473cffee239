"""Audit chain: verification rate against a raw keyset read of the same events, and what chaining costs writes.

For the harness: ``run(db, quick) -> list[dict]`` (rows ``{name, value, unit, ceiling, ratio, goal, met}``)
or ``rows(server, quick) -> list[bench.harness.Row]`` (what ``python -m bench`` prints). ``db`` is any
database of the benchmark server: this module creates its own databases beside it (``bench_chain``,
``bench_chain_write``), seeds them through the application (so the chain is written as in production)
and drops them at the end.

Measured, in the same run on the same server:
1. chain verification (``forum.audit.verify``: every organisation's rows streamed by binary COPY, each link
   recomputed in Python with hashlib and checked against the stored link and the anchors) against the ceiling
   of a raw asyncpg keyset read of the same columns of the same events, page by page, organisation by
   organisation; goals: >= 0.2 of the ceiling and >= 200k events/s;
2. the writer's cost of chaining in the events' own transaction: commands of 1 and of 100 events per
   transaction with the chaining trigger on, against the same with it switched off (the ceiling);
3. the window before an event is chained: a reader polls, all along the chained writes, for committed events
   without their link (by construction there is none: links commit with their events).
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import Any

import asyncpg

from bench.db import analyze, drop_database, fresh_database
from bench.harness import Row
from bench.seed import START, seed
from domain.organisation import Organisation
from domain.values import Meta
from forum import audit
from forum.application import ForumApplication
from forum.database import PROJECTOR_ROLE, Database
from forum.tenancy import store_of

GOAL_RATIO = 0.2
GOAL_RATE = 200_000
DATABASE = "bench_chain"
WRITE_DATABASE = "bench_chain_write"
PAGE = 10_000  # rows per keyset page of the ceiling

_RAW = (
    "SELECT notification_id, originator_id, originator_version, topic, state, recorded_at FROM store.forum_events"
    " WHERE organisation = $1 AND notification_id > $2 ORDER BY notification_id LIMIT $3"
)


async def _raw_keyset_read(db: Database, organisations: list[str]) -> int:
    conn = await asyncpg.connect(**db.asyncpg_kwargs(), server_settings={"role": PROJECTOR_ROLE})
    try:
        statement = await conn.prepare(_RAW)
        count = 0
        for organisation in organisations:
            after = 0
            while True:
                rows = await statement.fetch(organisation, after, PAGE)
                count += len(rows)
                if len(rows) < PAGE:
                    break
                after = rows[-1][0]
        return count
    finally:
        await conn.close()


def _best_of(rounds: int, operation: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(rounds):
        started = time.perf_counter()
        result = operation()
        best = min(best, time.perf_counter() - started)
    return best, result


def measure_verification(db: Database, rounds: int) -> dict[str, float]:
    organisations = [r.organisation for r in audit.verify(db)]  # warms the cache, and checks the seed is sound
    raw_seconds, raw_count = _best_of(rounds, lambda: asyncio.run(_raw_keyset_read(db, organisations)))
    figures: dict[str, float] = {"events": raw_count, "raw_rate": raw_count / raw_seconds}
    for streams in (1, 2):

        def verify(streams: int = streams) -> list[audit.ChainReport]:
            return asyncio.run(audit.verify_async(db, streams=streams))

        seconds, reports = _best_of(rounds, verify)
        if not all(r.ok for r in reports):
            raise AssertionError(f"the seeded chain does not verify: {[r.breaks for r in reports if not r.ok]}")
        if sum(r.events for r in reports) != raw_count:
            raise AssertionError(f"verified {sum(r.events for r in reports)} events, read {raw_count}")
        figures[f"verify_rate_{streams}"] = raw_count / seconds
    return figures


class _WindowWatch:
    """Polls, while chained writes commit, for events of the chained runs visible without their link."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.stop = threading.Event()
        self.polls = 0
        self.worst = 0
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        with self.db.connect(autocommit=True) as conn:
            while not self.stop.is_set():
                row = conn.execute(
                    "SELECT count(*) FROM store.forum_events e WHERE e.organisation LIKE 'w%-on-%' AND NOT EXISTS"
                    " (SELECT 1 FROM store.chain c WHERE c.organisation = e.organisation"
                    " AND c.position = e.notification_id)"
                ).fetchone()
                self.polls += 1
                self.worst = max(self.worst, row[0] if row else 0)
                time.sleep(0.002)  # leave the writers the machine

    def __enter__(self) -> _WindowWatch:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()


def measure_writes(db: Database, single: int, batched: int, rounds: int) -> dict[str, float]:
    """Events per second with the chaining trigger on and off, rounds alternated to share the machine's noise;
    and, all along, how many committed events a concurrent reader saw without their link."""
    app = ForumApplication(db, pool_size=1)
    figures: dict[str, list[float]] = {}
    try:
        with _WindowWatch(db) as watch:
            for round_number in range(rounds):
                for chained in (True, False):
                    switch = "ENABLE" if chained else "DISABLE"
                    with db.connect(autocommit=True) as conn:
                        conn.execute(f"ALTER TABLE store.forum_events {switch} TRIGGER forum_events_chain")
                    mode = "on" if chained else "off"
                    for size, count in ((1, single), (100, batched)):
                        rate = _timed_saves(app, f"w{round_number}-{mode}-{size}", size, count)
                        figures.setdefault(f"{size}-{mode}", []).append(rate)
    finally:
        app.close()
        with db.connect(autocommit=True) as conn:
            conn.execute("ALTER TABLE store.forum_events ENABLE TRIGGER forum_events_chain")
    best = {key: max(values) for key, values in figures.items()}
    best.update(polls=watch.polls, unchained_seen=watch.worst)
    return best


def _timed_saves(app: ForumApplication, slug: str, events_per_transaction: int, transactions: int) -> float:
    def meta() -> Meta:
        command = uuid.uuid4().hex
        return Meta(
            actor="system",
            role="admin",
            organisation=slug,
            actor_organisation=slug,
            at=START,
            command_id=command,
            correlation_id=command,
        )

    organisation = Organisation.register(slug=slug, name="Bench", kind="autre", meta=meta())
    with store_of(slug):
        app.save(organisation)
        pending = []
        for transaction in range(transactions):
            for n in range(events_per_transaction):
                organisation.rename(name=f"Bench {transaction}.{n}", meta=meta())
            pending.append(list(organisation.collect_events()))
        started = time.perf_counter()
        for events in pending:
            app.save(*events)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
    return events_per_transaction * transactions / elapsed


def measure_trigger(db: Database, samples: int) -> dict[str, float]:
    """The chaining trigger's own time (EXPLAIN ANALYZE), per event, for statements of 1 and 100 events (best of)."""
    insert = (
        "EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO store.forum_events (originator_id, originator_version, topic,"
        " state) SELECT gen_random_uuid(), 1, 'bench:Trigger', decode(repeat('ab', 300), 'hex')"
        " FROM generate_series(1, {})"
    )
    figures: dict[str, float] = {}
    with db.connect(autocommit=True) as conn:
        conn.execute("SELECT set_config('forum.organisation', 'trigger-bench', false)")
        for size in (1, 100):
            best = float("inf")
            for _ in range(samples):
                with conn.transaction():
                    row = conn.execute(insert.format(size)).fetchone()  # type: ignore[arg-type]
                plan = row[0][0] if row else {}
                times = [t["Time"] for t in plan.get("Triggers", []) if t["Trigger Name"] == "forum_events_chain"]
                best = min(best, times[0] / 1000 / size)
            figures[f"trigger_{size}"] = best
    return figures


def run(db: Database, quick: bool) -> list[dict[str, Any]]:
    """The figures as rows ``{name, value, unit, ceiling, ratio, goal, met}``; ``db``: any database of the server."""
    organisations, per_organisation = (10, 5_000) if quick else (20, 50_000)
    rounds = 3
    verify_db = fresh_database(db, DATABASE)
    write_db = fresh_database(db, WRITE_DATABASE)
    try:
        app = ForumApplication(verify_db, pool_size=1)
        try:
            seed(app, [f"org-{n:03d}" for n in range(organisations)], per_organisation)
        finally:
            app.close()
        analyze(verify_db)
        audit.anchor(verify_db, "bench")
        read = measure_verification(verify_db, rounds)
        writes = measure_writes(write_db, single=100 if quick else 300, batched=10 if quick else 30, rounds=rounds)
        trigger = measure_trigger(write_db, samples=20 if quick else 50)
    finally:
        drop_database(db, DATABASE)
        drop_database(db, WRITE_DATABASE)
    result: list[dict[str, Any]] = []
    for streams, how in ((2, "as forum audit verify does it (2 streams)"), (1, "one stream")):
        rate = read[f"verify_rate_{streams}"]
        ratio = rate / read["raw_rate"]
        result.append(
            {
                "name": f"chain verification {how}, {read['events']:,.0f} events, vs a raw keyset read (one stream)",
                "value": rate,
                "unit": "events/s",
                "ceiling": read["raw_rate"],
                "ratio": ratio,
                "goal": f">= {GOAL_RATIO} of the ceiling and >= {GOAL_RATE:,}/s",
                "met": ratio >= GOAL_RATIO and rate >= GOAL_RATE,
            }
        )
    for size in (1, 100):
        on, off = writes[f"{size}-on"], writes[f"{size}-off"]
        result.append(
            {
                "name": f"writes chained vs not, {size} event(s)/transaction",
                "value": on,
                "unit": "events/s",
                "ceiling": off,
                "ratio": on / off,
                "goal": "links in the events' own transaction",
                "met": None,
            }
        )
    for size in (1, 100):
        result.append(
            {
                "name": f"chaining trigger's own time per event, {size} event(s) per INSERT (EXPLAIN ANALYZE)",
                "value": trigger[f"trigger_{size}"] * 1e6,
                "unit": "µs",
                "ceiling": None,
                "ratio": None,
                "goal": "small beside a commit (~2 ms with fsync)",
                "met": None,
            }
        )
    result.append(
        {
            "name": f"events seen unchained by a reader polling during writes ({writes['polls']:,.0f} polls)",
            "value": writes["unchained_seen"],
            "unit": "events",
            "ceiling": None,
            "ratio": None,
            "goal": "0 (window: none)",
            "met": writes["unchained_seen"] == 0,
        }
    )
    return result


def rows(server: Database, quick: bool) -> list[Row]:
    """``run`` as the rows ``python -m bench`` prints."""

    def shown(value: Any, unit: str) -> str:
        if value is None:
            return ""
        if unit == "events/s":
            return f"{value:,.0f}/s"
        return f"{value:,.1f} {unit}" if unit == "µs" else f"{value:,.0f} {unit}"

    return [
        Row(
            "audit chain",
            r["name"],
            shown(r["value"], r["unit"]),
            shown(r["ceiling"], r["unit"]),
            r["ratio"],
            r["goal"],
            r["met"],
            {"value": float(r["value"]), **({"ceiling": r["ceiling"]} if r["ceiling"] else {})},
        )
        for r in run(server, quick)
    ]


if __name__ == "__main__":
    import sys

    from bench.db import bench_server
    from bench.harness import print_table

    print_table(rows(bench_server(), quick="--quick" in sys.argv))
