"""How cost grows with the log: command latency and one organisation's replay with 10k, 100k and 1M events stored."""

from __future__ import annotations

import statistics
import time
import uuid
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from bench.db import analyze, fresh_database
from bench.harness import Row, Timing, combined, measure, ms, timed
from bench.seed import seed
from forum.access import SYSTEM
from forum.application import ForumApplication
from forum.database import Database
from forum.tenancy import store_of

GOAL = 1.5
PROBE = "probe"  # the organisation replayed at every size, with the same history each time
RENAMED = 10  # organisations renamed in turn by the timed commands, so each replays a short history


def replay_log(app: ForumApplication, organisation: str) -> int:
    """Every event of ``organisation``, in log order, read under its store (row-level security picks its rows
    on the (organisation, position) index) and decoded with the application's mapper."""
    recorder = app.store
    with store_of(organisation), recorder.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
        curs.execute(recorder.set_store, (organisation,), prepare=True)
        curs.execute(
            "SELECT originator_id, originator_version, topic, state FROM store.forum_events ORDER BY notification_id",
            prepare=True,
        )
        rows = curs.fetchall()
    for row in rows:
        app.mapper.to_domain_event(
            StoredEvent(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
        )
    return len(rows)


def replay_aggregates(app: ForumApplication, organisation: str, aggregate_ids: list[UUID]) -> int:
    """Every aggregate of ``organisation`` loaded through the repository, as commands load them."""
    with store_of(organisation):
        return sum(app.repository.get(aggregate_id).version for aggregate_id in aggregate_ids)


def _probe_aggregates(db: Database) -> list[UUID]:
    with db.connect(autocommit=True) as conn:
        return [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT originator_id FROM store.forum_events WHERE organisation = %s", (PROBE,)
            )
        ]


def _stored(db: Database) -> int:
    with db.connect(autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM store.forum_events").fetchone()
    return int(row[0]) if row else 0


class Log:
    """A log of about ``size`` events in a database of its own, with the probe organisation among the first."""

    def __init__(self, server: Database, size: int, events_per_organisation: int) -> None:
        self.db = fresh_database(server, f"bench_growth_{size}")
        self.app = ForumApplication(self.db)
        slugs = [f"org-{i}" for i in range(max(size // events_per_organisation, 1))]
        slugs[len(slugs[:8]) // 2] = PROBE  # its history interleaved with the first organisations'
        started = time.perf_counter()
        seed(self.app, slugs, events_per_organisation)
        self.seeding = time.perf_counter() - started
        analyze(self.db)
        self.probe_ids = _probe_aggregates(self.db)
        self.renamed = [f"renamed-{i}" for i in range(RENAMED)]
        for slug in self.renamed:
            self.app.register_organisation(SYSTEM, uuid.uuid4().hex, slug=slug, name="Nord", kind="autre")
        self.commands: list[Timing] = []
        self.replays_log: list[float] = []
        self.replays_aggregates: list[float] = []
        self.renames = 0

    def measure(self, commands: int) -> None:
        def rename(_: int) -> None:
            self.renames += 1
            slug = self.renamed[self.renames % RENAMED]
            self.app.rename_organisation(SYSTEM, uuid.uuid4().hex, slug=slug, name=f"Nord {self.renames}")

        self.commands.append(measure(rename, commands, warmup=2))
        self.replays_log.append(timed(lambda: replay_log(self.app, PROBE)).total)
        self.replays_aggregates.append(timed(lambda: replay_aggregates(self.app, PROBE, self.probe_ids)).total)

    def figures(self) -> dict[str, float]:
        latency = combined(self.commands)
        return {
            "log_events": _stored(self.db),
            "seeding_seconds": self.seeding,
            "command_p50_s": latency.p50,
            "command_p95_s": latency.p95,
            "replay_log_s": statistics.median(self.replays_log),
            "replay_aggregates_s": statistics.median(self.replays_aggregates),
            "replay_events": replay_log(self.app, PROBE),
            "probe_aggregates": len(self.probe_ids),
        }

    def close(self) -> None:
        self.app.close()


def run(
    server: Database,
    *,
    sizes: tuple[int, ...],
    events_per_organisation: int = 1000,
    commands: int = 300,
    rounds: int = 10,
) -> list[Row]:
    """Each size seeded in its own database, then measured in turns (round after round over the sizes), so a
    slow patch of a shared machine weighs on every size alike."""
    logs: list[Log] = []
    try:
        for size in sizes:
            logs.append(Log(server, size, events_per_organisation))
            print(f"  growth: {size:,} events seeded in {logs[-1].seeding:.0f} s", flush=True)
        for _ in range(rounds):
            for log in logs:
                log.measure(max(commands // rounds, 1))
        return _rows([log.figures() for log in logs])
    finally:
        for log in logs:
            log.close()


def _rows(per_size: list[dict[str, float]]) -> list[Row]:
    first, last = per_size[0], per_size[-1]
    span = " → ".join(_short(s["log_events"]) for s in per_size)
    rows = []
    for key, label in (
        ("command_p50_s", "rename p50"),
        ("command_p95_s", "rename p95"),
        ("replay_log_s", f"replay one org: {first['replay_events']:,.0f} events (log)"),
        ("replay_aggregates_s", f"replay one org: {first['probe_aggregates']:,.0f} aggregates"),
    ):
        growth = last[key] / first[key]
        rows.append(
            Row(
                benchmark=f"4 growth, log {span}",
                case=label,
                measured=" → ".join(f"{s[key] * 1000:.1f}" for s in per_size) + " ms",
                ceiling=f"{ms(first[key])} (smallest log)",
                ratio=growth,
                goal=f"growth ≤ {GOAL}×",
                met=growth <= GOAL,
                figures={f"{s['log_events']:.0f}": s[key] for s in per_size},
            )
        )
    return rows


def _short(events: float) -> str:
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if events >= size:
            return f"{events / size:.{0 if events % size < size / 20 else 1}f}{unit}"
    return f"{events:.0f}"
