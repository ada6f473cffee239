"""The public palmarès under load against a trivial Litestar handler served the same way, and recording a score.

Measured, in the same run on the same server:
1. the published palmarès of the 2019 forum (loaded by ``forum.entrypoints.demo``, through the application's commands),
   as its HTML page (``/palmares/{slug}``) and as JSON (``/api/v1/public/palmares/{slug}``), under 100 concurrent
   keep-alive connections, served by uvicorn (one worker, loopback, as ``forum serve`` does, projector in-process);
   the ceiling is a trivial Litestar handler (a short HTML page, a small JSON object) served by uvicorn the same way.
   The same trivial handlers are also served inside the real app, behind its middleware (request ids, sign-in,
   CSRF, request logs): what the stack itself costs, reported. The servers are loaded in turns, round after round;
   a ratio is the median of the rounds' ratios. Goals: >= 0.5 of the trivial handler's throughput, p99 < 50 ms.
2. recording a score, sequentially: ``forum.jury.RecordScore`` through the application, against a raw asyncpg
   one-row INSERT transaction (the floor of any write); and ``PUT /api/v1/forums/…/scores/{project}`` over HTTP
   with the juror's token, against the same command through the application. The forum used (five
   départements, fifteen projects, fifteen jurors, the 2019 criteria) is planned for the purpose; each juror
   scores every project but their own département's, then revises. No goal is set: the figures are reported.

Load is driven by ``wrk`` when it is installed (``make bench`` installs Debian's), otherwise by the small asyncio
HTTP/1.1 client below (bounded by a request count and a duration; slower than wrk, so it weighs more on the
ceiling's side on a two-core machine). Each run says which.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from bench.db import fresh_database
from bench.harness import Row, Timing, combined, measure, measure_async, ms, paired_ratio, per_second
from domain.forum import Forum
from domain.jury import Criterion, JuryRules
from domain.values import PARIS
from forum import forums, pipeline
from forum.access import Actor
from forum.application import ForumApplication
from forum.calls import CallRef, DraftCall, OrganisationRef, RecordSelection
from forum.database import Database
from forum.entrypoints import demo
from forum.entrypoints.demo.editions import Edition, Loader
from forum.entrypoints.demo.scenarios import FORUM_2019, scenario, scenario_time
from forum.forums import ForumRef, Nominate
from forum.jury import AppointJuror, RecordScore, SetRules
from forum.projects import DecideProject, DraftProject, SubmissionRef, answering
from forum.services import Services
from forum.settings import Settings

GOAL_RATIO = 0.5
GOAL_P99 = 0.050  # seconds
CONNECTIONS = 100
DATABASE = "bench_palmares"
SLUG = "1er-forum-innovations-interdepartemental-2019"
PAGES = {"HTML page": f"/palmares/{SLUG}", "JSON": f"/api/v1/public/palmares/{SLUG}"}
TRIVIAL = {"HTML page": "/page", "JSON": "/json"}
STACK = {"HTML page": "/banc/page", "JSON": "/api/v1/banc/json"}
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Sizes:
    rounds: int
    seconds: float  # per measurement
    max_requests: int  # per measurement (the asyncio client stops at whichever comes first)
    scores: int  # per round, through the application and through the API


FULL = Sizes(rounds=5, seconds=5.0, max_requests=200_000, scores=90)
QUICK = Sizes(rounds=2, seconds=2.0, max_requests=50_000, scores=30)


# ---------------------------------------------------------------------------------------------------------------------
# The trivial Litestar handlers: alone in an app of their own (the ceiling), served by
# ``python -m bench.bench_palmares trivial PORT``; and inside the real app, behind its middleware (request ids,
# sign-in, CSRF, request logs), served by ``python -m bench.bench_palmares stack PORT``: what the stack costs.


def trivial_handlers(page_path: str, json_path: str) -> list[Any]:
    from litestar import MediaType, get

    @get(page_path, media_type=MediaType.HTML, include_in_schema=False)
    async def page() -> str:
        return "<!doctype html><html lang=fr><title>Palmarès</title><h1>Palmarès</h1></html>"

    @get(json_path, include_in_schema=False)
    async def document() -> dict[str, str]:
        return {"palmares": "publié"}

    return [page, document]


def trivial_app() -> Any:
    from litestar import Litestar

    return Litestar(route_handlers=trivial_handlers(TRIVIAL["HTML page"], TRIVIAL["JSON"]))


def serve_trivial(port: int) -> None:
    import uvicorn

    uvicorn.run(trivial_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def serve_stack(port: int) -> None:
    """The real app (settings from the environment, logging as ``forum serve`` sets it) with the trivial
    handlers added under its own paths (an /api/ path for JSON, as the public API)."""
    import logging

    import uvicorn

    from forum.auth import install_log_context
    from forum.entrypoints.bootstrap import bootstrap, resources
    from web.app import create_app

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_log_context()
    services = bootstrap(Settings.from_env(), apply_migrations=False)
    handlers = trivial_handlers(STACK["HTML page"], STACK["JSON"])
    app = create_app(services, resources(services.db), run_projector=False, extra_route_handlers=handlers)
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    finally:
        services.close()


# ---------------------------------------------------------------------------------------------------------------------
# Servers: uvicorn in a process of its own, one worker, on a free loopback port


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Served:
    """A uvicorn process; ``base`` is its URL. Stopped with SIGTERM (killed if it lingers)."""

    def __init__(self, command: list[str], env: dict[str, str], ready_path: str, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(  # our own interpreter and module
                [*command, str(self.port)], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )
        self._wait(ready_path)

    def _wait(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                response = httpx.get(self.base + path, timeout=2)
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.base}{path} did not answer in {timeout:.0f} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def forum_env(db: Database, workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": db.url,
        "FORUM_ENV": "production",
        "FORUM_SECRET_KEY": secrets.token_urlsafe(32),
        "FORUM_DATA_DIR": str(workdir),
        "FORUM_HOST": "127.0.0.1",
    }


def serve_forum(db: Database, workdir: Path) -> Served:
    """The real app as ``forum serve`` runs it (production settings, projector in-process) on ``db``."""
    command = [sys.executable, "-m", "forum.entrypoints.cli", "serve", "--port"]
    return Served(command, forum_env(db, workdir), "/health", workdir / "forum.log")


def serve_stack_of(db: Database, workdir: Path) -> Served:
    command = [sys.executable, "-m", "bench.bench_palmares", "stack"]
    return Served(command, forum_env(db, workdir), STACK["JSON"], workdir / "stack.log")


def serve_ceiling(workdir: Path) -> Served:
    return Served(
        [sys.executable, "-m", "bench.bench_palmares", "trivial"], dict(os.environ), "/json", workdir / "trivial.log"
    )


# ---------------------------------------------------------------------------------------------------------------------
# Load: 100 concurrent keep-alive connections for a while


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    p50: float
    p99: float
    errors: int  # non-2xx answers, socket errors and timeouts

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def timing(self) -> Timing:
        return Timing(self.requests, self.seconds)


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _wrk_seconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(url: str, seconds: float) -> Load:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "5s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    if not (done and p50 and p99):
        raise RuntimeError(f"wrk's output not understood:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Load(
        requests=int(done.group(1)),
        seconds=float(done.group(2)) * _UNITS[done.group(3)],
        p50=_wrk_seconds(p50.group(1)),
        p99=_wrk_seconds(p99.group(1)),
        errors=errors + (int(non_2xx.group(1)) if non_2xx else 0),
    )


async def _asyncio_load(host: str, port: int, path: str, seconds: float, max_requests: int) -> Load:
    """HTTP/1.1 keep-alive GETs on ``CONNECTIONS`` connections until ``max_requests`` or ``seconds``."""
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    latencies: list[float] = []
    errors = 0
    left = max_requests
    deadline = time.perf_counter() + seconds

    async def connection() -> None:
        nonlocal left, errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while left > 0 and time.perf_counter() < deadline:
                left -= 1
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if not head.startswith((b"HTTP/1.1 2", b"HTTP/1.1 304")):
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
    elapsed = time.perf_counter() - started
    timing = Timing(len(latencies), elapsed, tuple(latencies))
    return Load(len(latencies), elapsed, timing.p50, timing.percentile(99), errors)


def drive(base: str, path: str, sizes: Sizes, *, use_wrk: bool) -> Load:
    if use_wrk:
        return wrk(base + path, sizes.seconds)
    host, port = base.removeprefix("http://").split(":")
    return asyncio.run(_asyncio_load(host, int(port), path, sizes.seconds, sizes.max_requests))


# ---------------------------------------------------------------------------------------------------------------------
# The data: both 2019 programmes, and a forum whose jury is still scoring


@dataclass(frozen=True)
class ScoringForum:
    host: str
    key: str
    forum_id: UUID
    criteria: tuple[str, ...]
    pairs: tuple[tuple[Actor, UUID], ...]  # (juror, project) that may be scored


def paris(day: str, hour: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=PARIS)


def scoring_forum(services: Services) -> ScoringForum:
    """Five départements (registered by the demo), three selected projects each, nominated; fifteen jurors (three
    per département) on the 2019 criteria. Built through the application at the 2019 forum's times."""
    data = scenario(FORUM_2019)
    app, people = services.app, services.people
    host, key = "somme", "banc-d-essai-notes"
    forum_id = Forum.id_for(host, key)
    orgs = data["forum"]["participants"]
    with scenario_time(app, paris("2019-09-02", 9)) as clock:
        loader = Loader(app, people, clock, "bench.scores", "mot-de-passe-du-banc")

        def person(label: str, org: str, role: str) -> Actor:
            return loader.person(f"banc-{label}", org, role, f"Banc d'essai — {label}")

        organisers = {org: person(f"organisateur-{org}", org, "organiser") for org in orgs}
        edition = Edition(loader, host, forum_id, {}, organisers)
        loader.at(paris("2019-09-02", 10))
        edition.plan(
            key,
            title="Banc d'essai des notes",
            kind="forum",
            starts_on=date(2019, 11, 28),
            place="Amiens",
            quota=3,
        )
        edition.invite_all(orgs, paris("2019-09-02", 11), paris("2019-09-09", 9))
        projects: dict[str, list[UUID]] = {}
        for org in orgs:
            loader.at(paris("2019-09-10", 9))
            run = pipeline.run
            call = run(
                app,
                organisers[org],
                DraftCall(
                    command_id=loader.cid("call", org),
                    title="Appel du banc d'essai",
                    opens_at=paris("2019-09-16"),
                    closes_at=paris("2019-10-18", 23),
                    open=True,
                ),
                OrganisationRef(org),
            )
            on_call = CallRef(org, UUID(call.id))
            loader.at(paris("2019-09-23", 10))
            ids = []
            for i in range(3):
                agent = person(f"agent-{org}-{i}", org, "agent")
                answer = DraftProject(
                    command_id=loader.cid("project", org, i),
                    title=f"Projet {i + 1} du banc d'essai ({org})",
                    problem="Un irritant.",
                    solution="Un essai.",
                    submit=True,
                )
                ids.append(UUID(run(app, agent, answer, answering(agent, on_call)).id))
            loader.at(paris("2019-10-21", 10))
            for i, project_id in enumerate(ids):
                decision = DecideProject(command_id=loader.cid("decide", org, i), outcome="selected", reason="Retenu.")
                run(app, organisers[org], decision, SubmissionRef(org, on_call.call_id, org, project_id))
            selection = RecordSelection(command_id=loader.cid("selection", org), projects=[(org, p) for p in ids])
            run(app, organisers[org], selection, on_call)
            projects[org] = ids
        loader.at(paris("2019-11-04", 10))
        for org, ids in projects.items():
            for i, project_id in enumerate(ids):
                nomination = Nominate(command_id=loader.cid(("nominate", org, i)), project_id=project_id)
                forums.nominate(app, organisers[org], nomination, ForumRef(host, forum_id))
        loader.at(paris("2019-11-18", 10))
        jurors = []
        for org in orgs:
            for college in ("élu", "directeur général des services", "agent"):
                juror = person(f"jure-{org}-{college}", org, "agent")
                edition.as_host(
                    AppointJuror,
                    ("juror", org, college),
                    person_id=juror.person_id,
                    organisation=org,
                    college=college,
                )
                jurors.append(loader.in_forum(juror, forum_id, forums.JUROR))
        spec = data["forum"]["jury"]
        criteria = tuple(Criterion(c["key"], c["label"], c["weight"]) for c in spec["criteria"])
        rules = JuryRules(criteria=criteria, scale_min=spec["scale"][0], scale_max=spec["scale"][1], quorum=10)
        edition.as_host(SetRules, "rules", rules=rules)
    pairs = tuple(
        (juror, project_id)
        for juror in jurors
        for org, ids in projects.items()
        if org != juror.organisation
        for project_id in ids
    )
    return ScoringForum(host, key, forum_id, tuple(c.key for c in criteria), pairs)


def prepare(server: Database, quick: bool) -> tuple[Database, ScoringForum, dict[str, str]]:
    """A migrated database with the 2019 palmarès published (only the forum's in quick mode) and a forum being
    scored; returns it, the scoring forum, and an API token per juror (person id → token)."""
    db = fresh_database(server, DATABASE)
    services = Services(settings=Settings(environment="test"), db=db, app=ForumApplication(db))  # cheap hashes
    try:
        if quick:
            demo.load_forum_2019(services.app, services.people)
        else:
            demo.load_programmes(services.app, services.people)
        scoring = scoring_forum(services)
        tokens = {}
        for juror, _ in scoring.pairs:
            if juror.person_id not in tokens:
                tokens[juror.person_id] = services.auth.issue_token(juror, "banc d'essai").token
    finally:
        services.close()
    return db, scoring, tokens


# ---------------------------------------------------------------------------------------------------------------------
# Recording a score


async def _raw_transactions(db: Database, count: int) -> Timing:
    """The floor of any write: a one-row INSERT in its own transaction (as benchmark 1's ceiling)."""
    conn = await asyncpg.connect(**db.asyncpg_kwargs())
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS public.bench_scratch ("
            " id bigserial PRIMARY KEY, payload bytea NOT NULL, at timestamptz NOT NULL DEFAULT now())"
        )
        payload = b"x" * 300

        async def insert(_: int) -> None:
            async with conn.transaction():
                await conn.execute("INSERT INTO public.bench_scratch (payload) VALUES ($1)", payload)

        return await measure_async(insert, count, warmup=3)
    finally:
        await conn.close()


class Scorer:
    """Jurors revise their scores in turn, each time with new values and a new command id."""

    def __init__(self, forum: ScoringForum) -> None:
        self.forum = forum
        self.turn = 0

    def next(self) -> tuple[Actor, UUID, dict[str, int]]:
        juror, project_id = self.forum.pairs[self.turn % len(self.forum.pairs)]
        scores = {key: 1 + (self.turn + i) % 5 for i, key in enumerate(self.forum.criteria)}
        self.turn += 1
        return juror, project_id, scores


def score_latencies(
    db: Database, served: Served, forum: ScoringForum, tokens: dict[str, str], sizes: Sizes
) -> list[Row]:
    app = ForumApplication(db)
    scorer = Scorer(forum)
    path = f"{served.base}/api/v1/forums/{forum.host}/{forum.key}/scores"
    raw, through_app, through_api = [], [], []
    try:
        with httpx.Client(timeout=30) as client:

            def by_application(_: int) -> None:
                juror, project_id, scores = scorer.next()
                command = RecordScore(command_id=uuid.uuid4().hex, project_id=project_id, scores=scores)
                pipeline.run(app, juror, command, ForumRef(forum.host, forum.forum_id))

            def by_api(_: int) -> None:
                juror, project_id, scores = scorer.next()
                response = client.put(
                    f"{path}/{project_id}",
                    headers={"Authorization": f"Bearer {tokens[juror.person_id]}"},
                    json={"command_id": uuid.uuid4().hex, "scores": scores},
                )
                if response.status_code != 200:
                    raise RuntimeError(f"PUT score: {response.status_code} {response.text}")

            for _ in range(sizes.rounds):
                raw.append(asyncio.run(_raw_transactions(db, sizes.scores)))
                through_app.append(measure(by_application, sizes.scores, warmup=2))
                through_api.append(measure(by_api, sizes.scores, warmup=2))
    finally:
        app.close()
    floor, app_timing, api_timing = combined(raw), combined(through_app), combined(through_api)

    def percentiles(t: Timing) -> str:
        return f"p50 {ms(t.p50)} · p95 {ms(t.p95)} · p99 {ms(t.percentile(99))}"

    def figures(rounds: list[Timing], ceiling: Timing) -> dict[str, float]:
        t = combined(rounds)
        return {
            "count": t.count,
            "rate": t.rate,
            "p50_s": t.p50,
            "p95_s": t.p95,
            "p99_s": t.percentile(99),
            # each score is one more event the forum replays on the next command: the latency follows its history
            "p50_first_round_s": rounds[0].p50,
            "p50_last_round_s": rounds[-1].p50,
            "scores_recorded": scorer.turn,
            "ceiling_p50_s": ceiling.p50,
            "ceiling_p95_s": ceiling.p95,
            "ceiling_p99_s": ceiling.percentile(99),
        }

    return [
        Row(
            "6 recording a score",
            "forum.jury.RecordScore (application)",
            f"{percentiles(app_timing)} (p50 {ms(through_app[0].p50)} → {ms(through_app[-1].p50)} first → last round)",
            f"raw INSERT transaction: {percentiles(floor)}",
            paired_ratio(through_app, raw),
            "reported",
            None,
            figures(through_app, floor),
        ),
        Row(
            "6 recording a score",
            "PUT …/scores/{project} (API, uvicorn)",
            f"{percentiles(api_timing)} (p50 {ms(through_api[0].p50)} → {ms(through_api[-1].p50)} first → last round)",
            f"the application: {percentiles(app_timing)}",
            paired_ratio(through_api, through_app),
            "reported",
            None,
            figures(through_api, app_timing),
        ),
    ]


# ---------------------------------------------------------------------------------------------------------------------
# The run


def palmares_under_load(forum: Served, stack: Served, ceiling: Served, sizes: Sizes, use_wrk: bool) -> list[Row]:
    """Each case: the trivial app, the trivial handler inside the app's stack and the palmarès, loaded in turns."""
    rows = []
    client = "wrk" if use_wrk else "asyncio client"
    benchmark = f"6 palmarès, {CONNECTIONS} connections ({client})"
    for case, path in PAGES.items():
        servers = ((ceiling, TRIVIAL[case]), (stack, STACK[case]), (forum, path))
        for served, where in servers:  # check the answer, warm up
            httpx.get(served.base + where, timeout=10).raise_for_status()
            drive(served.base, where, Sizes(1, 1.0, 2_000, 0), use_wrk=use_wrk)
        loads: list[list[Load]] = [[], [], []]
        for _ in range(sizes.rounds):
            for runs, (served, where) in zip(loads, servers, strict=True):
                runs.append(drive(served.base, where, sizes, use_wrk=use_wrk))
        trivial, in_stack, measured = loads
        r = paired_ratio([m.timing() for m in measured], [t.timing() for t in trivial])
        r_stack = paired_ratio([m.timing() for m in in_stack], [t.timing() for t in trivial])
        r_within = paired_ratio([m.timing() for m in measured], [t.timing() for t in in_stack])

        def median(runs: list[Load], figure: str) -> float:
            return statistics.median(getattr(run, figure) for run in runs)

        rate, p50, p99 = median(measured, "rate"), median(measured, "p50"), median(measured, "p99")
        errors = sum(run.errors for runs in loads for run in runs)
        trivial_shown = (
            f"trivial {TRIVIAL[case]}: {per_second(median(trivial, 'rate'))} (p99 {ms(median(trivial, 'p99'))})"
        )
        rows.append(
            Row(
                benchmark,
                f"{case} {path}",
                f"{per_second(rate)} (p50 {ms(p50)}, p99 {ms(p99)})",
                trivial_shown,
                r,
                f"≥ {GOAL_RATIO} and p99 < {GOAL_P99 * 1000:.0f} ms",
                r >= GOAL_RATIO and p99 < GOAL_P99 and errors == 0,
                {
                    "rate": rate,
                    "p50_s": p50,
                    "p99_s": p99,
                    "ceiling_rate": median(trivial, "rate"),
                    "ceiling_p99_s": median(trivial, "p99"),
                    "ratio_to_trivial_in_app": r_within,
                    "errors": errors,
                    "rounds": sizes.rounds,
                    "seconds_each": sizes.seconds,
                    "client_wrk": float(use_wrk),
                    "ratio_met": float(r >= GOAL_RATIO),
                    "p99_met": float(p99 < GOAL_P99),
                },
            )
        )
        rows.append(
            Row(
                benchmark,
                f"{case}: trivial handler inside the app ({STACK[case]})",
                f"{per_second(median(in_stack, 'rate'))} (p99 {ms(median(in_stack, 'p99'))})",
                trivial_shown,
                r_stack,
                "reported: the middleware's share",
                None,
                {
                    "rate": median(in_stack, "rate"),
                    "p50_s": median(in_stack, "p50"),
                    "p99_s": median(in_stack, "p99"),
                    "palmares_to_this_ratio": r_within,
                },
            )
        )
        print(f"  {case}: {rows[-2].measured}; in the app {rows[-1].measured}; {trivial_shown}", flush=True)
    return rows


def rows(server: Database, quick: bool) -> list[Row]:
    sizes = QUICK if quick else FULL
    use_wrk = shutil.which("wrk") is not None
    print("  loading the 2019 palmarès through the application…", flush=True)
    db, scoring, tokens = prepare(server, quick)
    with tempfile.TemporaryDirectory(prefix="bench-palmares-") as workdir:
        forum = serve_forum(db, Path(workdir))
        stack = serve_stack_of(db, Path(workdir))
        ceiling = serve_ceiling(Path(workdir))
        try:
            _caught_up(forum.base)
            result = palmares_under_load(forum, stack, ceiling, sizes, use_wrk)
            result += score_latencies(db, forum, scoring, tokens, sizes)
        finally:
            for served in (forum, stack, ceiling):
                served.stop()
    return result


def _caught_up(base: str, timeout: float = 120.0) -> None:
    """The served app's projector has applied every event (the palmarès and the jurors' roles are there)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        projections = httpx.get(f"{base}/health", timeout=5).json()["projections"]
        if projections and all(p["behind_events"] == 0 for p in projections):
            return
        time.sleep(0.2)
    raise TimeoutError("the projector did not catch up")


if __name__ == "__main__":
    if sys.argv[1:2] == ["trivial"]:
        serve_trivial(int(sys.argv[2]))
    elif sys.argv[1:2] == ["stack"]:
        serve_stack(int(sys.argv[2]))
    else:
        from bench.db import bench_server, drop_created
        from bench.harness import print_table

        bench = bench_server()
        try:
            print_table(rows(bench, "--quick" in sys.argv))
        finally:
            drop_created(bench)
