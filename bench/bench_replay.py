"""Audit replay and trail: the cost of reading the past must follow what is read, never the size of the log.

Two logs are seeded, each in a database of its own, through the application (so chains and indexes are those of
production): a small one (10k events) and a large one (1M events). Each holds the same probe forum (a 2019-like
day: 15 projects, 15 jurors, 180 scores, ranking, deliberation, palmarès, about 230 events, in the ``probe`` store)
and one big organisation (``big``, 40 % of the log) whose history is interleaved with 1,000-event organisations.

Measured, round after round on both logs (so a busy patch of a shared machine weighs on both):
1. replaying the probe forum as it stood at 16:30 on the day (``forum.replay.state_at``: its events read by the
   primary key, cut at the instant, folded) and the jury at 16:30 (``forum.replay.jury_at``: the same, plus the
   ranking recomputed with ``domain.jury.rank``), on the large log against the small one: goal growth ≤ 1.5×;
2. the big organisation's audit trail (``forum.audit_trail.read_page``, 50 events, described with their sentences
   excluded): its first page on the large log against the small log's, and a deep page (after 90 % of its history)
   against the first page: goal ≤ 1.5× (keyset); an OFFSET read to the same depth is shown beside it, for contrast;
3. the probe forum's trail (the forum, its roles and its 15 projects across 6 stores): first page, large vs small.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from uuid import UUID

from bench.db import fresh_database
from bench.harness import Row, ms
from bench.seed import AUTHOR, ORGANISER, PROJECT_EVENTS, START, batches, organisation_history
from domain.aggregate import Aggregate
from domain.forum import Forum, Prize, ProjectSnapshot
from domain.idea_call import IdeaCall
from domain.jury import Criterion, JuryRules
from domain.organisation import Organisation
from domain.project import Project
from domain.values import Meta
from forum import audit_trail, replay
from forum.application import ForumApplication
from forum.audit_trail import Filters
from forum.database import Database
from forum.entrypoints.bootstrap import auth_pool
from forum.tenancy import store_of

GOAL = 1.5
PROBE = "probe"
BIG = "big"
PAGE = 50
AT_1630 = datetime(2019, 11, 28, 15, 30, tzinfo=UTC)  # 16:30 in Paris


def _meta(store: str, at: datetime, actor: str = "host", role: str = "host", actor_organisation: str = "") -> Meta:
    command = uuid.uuid4().hex
    return Meta(actor, role, store, actor_organisation or store, at, command, command)


def probe_forum() -> Forum:
    """A forum day like 2019's, built by the domain's own commands: about 280 events."""
    day = datetime(2019, 11, 28, 8, tzinfo=UTC)
    forum = Forum.plan(
        id=Forum.id_for(PROBE, "forum-bench"), host=PROBE, title="Forum de mesure", kind="forum",
        starts_on=date(2019, 11, 28), place="Amiens", quota=3, meta=_meta(PROBE, datetime(2019, 9, 2, tzinfo=UTC)),
    )  # fmt: skip
    early = datetime(2019, 9, 3, tzinfo=UTC)
    forum.define_prize(prize=Prize("laureats", "Lauréats du forum", "main", laureates=8), meta=_meta(PROBE, early))
    organisations = [f"dept-{i}" for i in range(5)]
    projects: dict[str, list[UUID]] = {}
    for org in organisations:
        forum.invite(organisation=org, meta=_meta(PROBE, early))
        forum.accept_invitation(organisation=org, meta=_meta(PROBE, early, "organiser", "participant", org))
        projects[org] = [uuid.uuid4() for _ in range(3)]
        for i, project_id in enumerate(projects[org]):
            snapshot = ProjectSnapshot(project_id, org, f"Projet {org} {i + 1}", "Un résumé.")
            forum.nominate(
                project=snapshot, selected_locally=True,
                meta=_meta(PROBE, datetime(2019, 11, 4, tzinfo=UTC), "organiser", "participant", org),
            )  # fmt: skip
    jurors: dict[str, str] = {}
    for org in organisations:
        for college in ("élu", "agent", "direction"):
            person = str(uuid.uuid4())
            jurors[person] = org
            forum.appoint_juror(person_id=person, organisation=org, college=college, meta=_meta(PROBE, early))
    rules = JuryRules(
        criteria=(Criterion("usagers", "Usagers", 3), Criterion("faisabilite", "Faisabilité", 2),
                  Criterion("pitch", "Pitch", 1)),
        scale_min=1, scale_max=5, quorum=10, tie_break=("criteria",),
    )  # fmt: skip
    forum.set_jury_rules(rules=rules, meta=_meta(PROBE, early))
    i = 0
    for juror, org in jurors.items():
        for other, ids in projects.items():
            if other == org:
                continue
            for n, project_id in enumerate(ids):
                at = day + timedelta(hours=7, seconds=20 * i)  # from 16:00 in Paris
                value = 1 + (i * 7 + n) % 5
                forum.record_score(
                    juror_id=juror, project_id=project_id,
                    scores={"usagers": value, "faisabilite": 1 + (value + n) % 5, "pitch": 3},
                    meta=_meta(PROBE, at, juror, "juror", org),
                )  # fmt: skip
                i += 1
    ranking = forum.compute_ranking(meta=_meta(PROBE, day + timedelta(hours=8, minutes=30)))
    forum.open_deliberation(meta=_meta(PROBE, day + timedelta(hours=8, minutes=35)))
    laureates, _ = ranking.top(8)
    forum.designate_laureates(
        prize_key="laureats", project_ids=laureates, meta=_meta(PROBE, day + timedelta(hours=9)),
        rationale="" if len(laureates) == 8 else "départage",
    )  # fmt: skip
    forum.close_deliberation(meta=_meta(PROBE, day + timedelta(hours=9, minutes=10)))
    forum.publish_palmares(meta=_meta(PROBE, day + timedelta(hours=9, minutes=30)))
    return forum


def lazy_history(slug: str, events: int) -> Iterator[Aggregate]:
    """``bench.seed.organisation_history``, one aggregate at a time (a big organisation never held in memory)."""
    organiser = _meta(slug, START, ORGANISER, "organiser")
    yield Organisation.register(slug=slug, name=f"Organisation {slug}", kind="autre", meta=_meta(slug, START))
    call = IdeaCall.draft(
        id=uuid.uuid4(), organisation=slug, title="Appel à idées", themes=("simplifier",), categories=("service",),
        opens_at=START, closes_at=START + timedelta(days=3650), meta=organiser,
    )  # fmt: skip
    call.open(meta=organiser)
    rules = call.rules()
    yield call
    at = START
    for number in range((events - 3) // PROJECT_EVENTS):
        at += timedelta(minutes=1)
        agent = _meta(slug, at, AUTHOR, "agent")
        project = Project.draft(
            id=uuid.uuid4(), rules=rules, author=AUTHOR, organisation=slug, meta=agent, title=f"Projet {number}",
            problem="Des familles renoncent à une aide.", solution="Des permanences.", benefits_users="Des aides.",
            benefits_agents="Moins de dossiers.", category="service", theme="simplifier",
        )  # fmt: skip
        project.submit(rules=rules, meta=agent)
        for edit in range(PROJECT_EVENTS - 2):
            project.edit(rules=rules, meta=agent, title=f"Projet {number}, version {edit + 2}")
        yield project


class Log:
    """A log of about ``size`` events in a database of its own: the probe forum, a big organisation, and others."""

    def __init__(self, server: Database, size: int) -> None:
        self.size = size
        self.db = fresh_database(server, f"bench_replay_{size}")
        self.app = ForumApplication(self.db, pool_size=2)
        started = time.perf_counter()
        self.forum = probe_forum()
        with store_of(PROBE):
            self.app.save(self.forum)
        big_events = int(size * 0.4)
        small = [f"org-{i}" for i in range(max((size - big_events) // 1000, 1))]
        big = batches(lazy_history(BIG, big_events), 500)
        groups = [small[i : i + 8] for i in range(0, len(small), 8)]
        per_group = -(-(big_events // 500 + 1) // len(groups))
        for group in groups:
            queues = [(s, batches(organisation_history(s, 1000), 500)) for s in group]
            queues.append((BIG, islice(big, per_group)))
            while queues:
                for entry in list(queues):
                    batch = next(entry[1], None)
                    if batch is None:
                        queues.remove(entry)
                        continue
                    with store_of(entry[0]):
                        self.app.save(*batch)
        for rest in big:
            with store_of(BIG):
                self.app.save(*rest)
        self.seeding = time.perf_counter() - started
        with self.db.connect(autocommit=True) as conn:  # what autovacuum does to an append-only log: statistics,
            conn.execute("VACUUM (ANALYZE) store.forum_events")  # and the visibility map index-only scans rely on
        with self.db.connect(autocommit=True) as conn:
            self.events = conn.execute("SELECT count(*) FROM store.forum_events").fetchone()[0]
            self.big_events = conn.execute(
                "SELECT count(*) FROM store.forum_events WHERE organisation = %s", (BIG,)
            ).fetchone()[0]
            self.deep = conn.execute(
                "SELECT notification_id FROM store.forum_events WHERE organisation = %s ORDER BY notification_id"
                " OFFSET %s LIMIT 1",
                (BIG, int(self.big_events * 0.9)),
            ).fetchone()[0]
        self.samples: dict[str, list[float]] = {}
        self.forum_events = len(replay.history(self.app, PROBE, self.forum.id))

    def time(self, key: str, seconds: float) -> None:
        self.samples.setdefault(key, []).append(seconds)

    def median(self, key: str) -> float:
        return statistics.median(self.samples[key])

    def replays(self, count: int) -> None:
        for _ in range(count):
            started = time.perf_counter()
            state = replay.state_at(self.app, PROBE, self.forum.id, at=AT_1630)
            self.time("replay", time.perf_counter() - started)
            assert state.exists and 0 < len(state.state["scores"]) < 180  # a bench that lies is worse
            started = time.perf_counter()
            jury = replay.jury_at(self.app, PROBE, self.forum.id, at=AT_1630)
            self.time("jury", time.perf_counter() - started)
            assert jury.ranking

    async def trails(self, count: int) -> None:
        pool = await auth_pool(self.db, max_size=2)
        big = audit_trail.organisation_scope(BIG)
        forum = audit_trail.forum_scope(
            audit_trail.ForumFacts(self.forum.id, PROBE),
            [(n.project.project_id, n.project.organisation) for n in self.forum.nominations.values()],
        )
        offset = (
            "SELECT notification_id, topic, state FROM store.forum_events WHERE organisation = $1"
            " ORDER BY notification_id OFFSET $2 LIMIT $3"
        )
        try:
            for _ in range(count):
                for key, scope, after in (("first", big, 0), ("deep", big, self.deep), ("forum", forum, 0)):
                    started = time.perf_counter()
                    page = await audit_trail.read_page(pool, scope, Filters(), after=after, limit=PAGE)
                    self.time(key, time.perf_counter() - started)
                    assert len(page.entries) == PAGE or key == "forum"
                started = time.perf_counter()
                async with pool.acquire() as conn, conn.transaction(readonly=True):
                    await conn.execute("SELECT set_config('forum.organisation', $1, true)", BIG)
                    rows = await conn.fetch(offset, BIG, int(self.big_events * 0.9), PAGE)
                self.time("offset", time.perf_counter() - started)
                assert len(rows) == PAGE
        finally:
            await pool.close()

    def close(self) -> None:
        self.app.close()


def run(server: Database, *, sizes: tuple[int, int] = (10_000, 1_000_000), rounds: int = 10) -> list[Row]:
    logs: list[Log] = []
    try:
        for size in sizes:
            logs.append(Log(server, size))
            print(f"  replay: {logs[-1].events:,} events seeded in {logs[-1].seeding:.0f} s", flush=True)
        for log in logs:  # warm each database's cache once
            log.replays(2)
            asyncio.run(log.trails(2))
            log.samples.clear()
        for _ in range(rounds):
            for log in logs:
                log.replays(3)
                asyncio.run(log.trails(3))
        return _rows(logs)
    finally:
        for log in logs:
            log.close()


def _short(events: float) -> str:
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if events >= size:
            return f"{events / size:.{0 if events % size < size / 20 else 1}f}{unit}"
    return f"{events:.0f}"


def _rows(logs: list[Log]) -> list[Row]:
    small, large = logs[0], logs[-1]
    span = f"{_short(small.events)} → {_short(large.events)}"
    rows = []

    def growth(key: str, label: str) -> None:
        a, b = small.median(key), large.median(key)
        rows.append(
            Row(
                benchmark=f"7 audit, log {span}",
                case=label,
                measured=f"{a * 1000:.1f} → {b * 1000:.1f} ms",
                ceiling=f"{ms(a)} (smallest log)",
                ratio=b / a,
                goal=f"growth ≤ {GOAL}×",
                met=b / a <= GOAL,
                figures={f"{small.events}": a, f"{large.events}": b},
            )
        )

    growth("replay", f"replay one forum ({large.forum_events} events) as it stood at 16:30")
    growth("jury", "the jury at 16:30 (replay + ranking recomputed)")
    growth("first", f"trail, first page of {PAGE} ({_short(large.big_events)}-event organisation)")
    growth("forum", f"forum trail, first page (forum + roles + {len(large.forum.nominations)} projects, 6 stores)")
    first, deep, offset = large.median("first"), large.median("deep"), large.median("offset")
    rows.append(
        Row(
            benchmark=f"7 audit, log {_short(large.events)}",
            case=f"trail, deep page (after 90 % of {_short(large.big_events)} events, keyset)",
            measured=ms(deep),
            ceiling=f"{ms(first)} (first page)",
            ratio=deep / first,
            goal=f"≤ {GOAL}× the first page",
            met=deep / first <= GOAL,
            figures={"deep_s": deep, "first_s": first, "after_position": large.deep},
        )
    )
    rows.append(
        Row(
            benchmark=f"7 audit, log {_short(large.events)}",
            case="for contrast: OFFSET to the same depth (raw rows, not decoded)",
            measured=ms(offset),
            ceiling=f"{ms(deep)} (keyset deep page)",
            ratio=offset / deep,
            goal="(why keyset)",
            met=None,
            figures={"offset_s": offset},
        )
    )
    return rows


def rows(server: Database, quick: bool) -> list[Row]:
    return run(server, sizes=(10_000, 100_000) if quick else (10_000, 1_000_000), rounds=3 if quick else 10)
