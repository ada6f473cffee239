"""The Litestar application: built by ``create_app`` from the parts the composition root built."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ASGIApp, Receive, Scope, Send

from forum.services import Services
from projections.projector import Projector
from web import formatting
from web.api.audit import AuditApi, ForumAuditorsApi, keep_anchoring
from web.api.calls import AnnouncementsApi, CallsApi, MyCallsApi
from web.api.coaching import CoachingApi
from web.api.forums import ForumsApi
from web.api.jury import JuryApi
from web.api.organisations import OrganisationsApi
from web.api.people import MeApi, MembersApi
from web.api.portfolio import PortfolioApi
from web.api.practices import AdoptionsApi, PracticesApi, PublicPracticesApi
from web.api.pre_incubation import PreIncubationsApi
from web.api.projects import ProjectsApi
from web.api.public import PublicApi
from web.api.stage import StageApi
from web.api.tokens import TokensApi
from web.api.votes import VotesApi
from web.auth import EXCEPTION_HANDLERS, authentication_middleware
from web.errors import HANDLERS
from web.limits import input_limits_middleware
from web.openapi import ContractConfig
from web.pages.account import AccountPages, AdminPages, MembersPages, SignInPages
from web.pages.audit import AuditPages
from web.pages.calls import CallPages, MyPages
from web.pages.coaching import CoachingPages
from web.pages.forums import ForumPages
from web.pages.home import HomePages
from web.pages.jury import JuryPages
from web.pages.palmares import PalmaresPages
from web.pages.portfolio import PortfolioPages
from web.pages.practices import PracticePages
from web.pages.projects import ProjectPages
from web.pages.stage import StagePages
from web.pages.votes import VotesPages
from web.security import secure

log = logging.getLogger("forum.web")
HERE = Path(__file__).parent


@get(
    "/health",
    include_in_schema=True,
    summary="Health: database reachable, projector running, each projection's lag and fault (503 when not healthy)",
    tags=["service"],
)
async def health(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """The truth at every moment: 503 while the database is unreachable, while the in-process projector is not
    running (its task ended) or is recovering from a failure, or while a projection is stopped on an event."""
    state = request.app.state
    try:
        async with asyncio.timeout(3):
            await state.reader.fetchval("SELECT 1")
        database = "ok"
    except Exception:  # health reports the failure instead of raising it
        database = "unreachable"
    task: asyncio.Task[None] | None = state.get("projector_task")
    projector_state = state.projector.state if task is not None else "elsewhere"  # forum projections run
    if task is not None and task.done():
        projector_state = "dead"
    projector_report: dict[str, Any] = {
        "in_process": task is not None,
        "alive": task is not None and not task.done(),
        "state": projector_state,
    }
    if state.projector.last_error and projector_state != "following":
        projector_report["last_error"] = state.projector.last_error
    projections = []
    faulted = False
    if database == "ok":
        try:
            async with asyncio.timeout(5):
                statuses = await state.projector.status()
        except Exception:
            database, statuses = "unreachable", []
        for status in statuses:
            entry: dict[str, Any] = {
                "name": status.projection,
                "position": status.position,
                "head": status.head,
                "behind_events": status.behind_events,
                "behind_seconds": round(status.behind_seconds, 3),
                "status": "stopped" if status.faulted else "ok",
            }
            if status.faulted:
                faulted = True
                entry["fault"] = {
                    "position": status.failed_position,
                    "error": status.error,
                    "failed_at": status.failed_at.isoformat() if status.failed_at else None,
                    "attempts": status.attempts,
                }
            if status.rebuild_position is not None:
                entry["rebuild_position"] = status.rebuild_position
            projections.append(entry)
    healthy = database == "ok" and not faulted and projector_state in ("starting", "following", "elsewhere")
    body = {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "projector": projector_report,
        "projections": projections,
    }
    if healthy:
        return Response(body, status_code=200)
    return Response(body, status_code=503, headers={"Retry-After": "5", "Cache-Control": "no-store"})


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":  # type: ignore[comparison-overlap]
            request_id = uuid.uuid4().hex[:12]
            scope.setdefault("state", {})["request_id"] = request_id

            async def send_with_id(message: Any) -> None:
                if message["type"] == "http.response.start":
                    message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
                await send(message)

            await app(scope, receive, send_with_id)
        else:
            await app(scope, receive, send)

    return middleware


def _allow_every_method(app: Litestar) -> Litestar:
    """Litestar rebuilds a path's route when more handlers join it (another controller, the app's own
    registration), but each automatic OPTIONS handler keeps answering the ``Allow`` of the route it was made for:
    an OPTIONS request then omits methods the path has (RFC 9110 §9.3.7). Point each at the route it serves."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            cells = getattr(handler.fn, "__closure__", None) or ()
            if handler.http_methods == {"OPTIONS"} and handler.fn.__name__ == "options_handler":
                for cell in cells:
                    if isinstance(cell.cell_contents, HTTPRoute):
                        cell.cell_contents = route
    return app


@dataclass(frozen=True)
class Resources:
    """What the app opens in its own event loop at start-up and closes at shut-down; the composition root
    (``forum.entrypoints.bootstrap.resources``) builds it, a test may pass other parts in."""

    reader: Callable[[], Awaitable[Any]]  # an asyncpg pool over the read models (forum_reader)
    auth_pool: Callable[[], Awaitable[Any]]  # an asyncpg pool resolving sessions and tokens (forum_app)
    projector: Callable[[], Awaitable[Projector]]  # the projector, with a pool of its own


def create_app(
    services: Services,
    resources: Resources,
    *,
    run_projector: bool | None = None,
    extra_route_handlers: list[Any] | None = None,
) -> Litestar:
    """The web app over the write side's ``services`` and the read side's ``resources``. The projector runs
    in-process unless told otherwise (``forum projections run``)."""
    in_process = services.settings.projector_in_process if run_projector is None else run_projector

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.reader = await resources.reader()
        app.state.auth_pool = await resources.auth_pool()
        app.state.projector = await resources.projector()
        stop = asyncio.Event()
        task = asyncio.create_task(app.state.projector.run(stop)) if in_process else None
        app.state.projector_task = task  # /health says whether it is alive
        every = services.settings.anchor_every  # chain heads anchored periodically (and at each publication)
        anchoring = asyncio.create_task(keep_anchoring(app.state.projector.pool, stop, every)) if every > 0 else None
        try:
            yield
        finally:
            stop.set()
            if task:
                await asyncio.wait([task], timeout=10)  # a task that died has said so on /health already
            if anchoring:
                await asyncio.wait_for(anchoring, timeout=10)
            await app.state.projector.pool.close()
            await app.state.reader.close()
            await app.state.auth_pool.close()

    litestar = Litestar(
        route_handlers=[
            health,
            HomePages,
            OrganisationsApi,
            SignInPages,
            AccountPages,
            MembersPages,
            AdminPages,
            MeApi,
            MembersApi,
            TokensApi,
            CallsApi,
            ProjectsApi,
            MyCallsApi,
            AnnouncementsApi,
            CallPages,
            ProjectPages,
            MyPages,
            ForumsApi,  # the forum: hosts, participants, coaches, voters
            JuryApi,  # its jury: rules, scores, conflicts, ranking, deliberation
            CoachingApi,  # its coaching: coaches, rota, sessions
            StageApi,  # its stage: running order, pitches
            VotesApi,  # its votes: electorate, ballots, count
            PublicApi,  # published palmarès and open data
            PalmaresPages,
            ForumPages,  # the pages that run a forum: host, participants, coaches, teams
            JuryPages,  # the jury's pages: rules, scoring (phone), ranking, deliberation, votes
            CoachingPages,  # the coaching rota and the teams' pages
            StagePages,  # the running order and the stage
            VotesPages,  # the votes: organised, cast, counted
            PreIncubationsApi,
            PortfolioApi,
            PracticesApi,
            AdoptionsApi,
            PublicPracticesApi,  # after the forum
            PracticePages,
            PortfolioPages,
            AuditApi,  # auditors: trails, replays, provenance, signed exports
            ForumAuditorsApi,
            AuditPages,
            create_static_files_router(path="/static", directories=[HERE / "static"], include_in_schema=False),
            *(extra_route_handlers or []),
        ],
        lifespan=[lifespan],
        state=State({"services": services}),
        template_config=TemplateConfig(
            directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=formatting.register
        ),
        exception_handlers={**HANDLERS, **EXCEPTION_HANDLERS},
        middleware=[request_id_middleware, input_limits_middleware, authentication_middleware],
        csrf_config=CSRFConfig(
            secret=services.settings.secret_key,
            cookie_name="forum_csrf",
            cookie_secure=services.settings.environment == "production",
            cookie_httponly=True,
            exclude=["^/api/"],  # the API identifies programs by bearer token, never by cookie
        ),
        openapi_config=ContractConfig(  # problem responses, closed bodies, public operations: web/openapi.py
            title="Forum API",
            version="1.0.0",
            path="/api/schema",
            description="Forums d'innovation inter-organisations : API JSON. Erreurs au format RFC 9457.",
            render_plugins=[SwaggerRenderPlugin(path="/"), ScalarRenderPlugin(path="/scalar")],
            components=Components(
                security_schemes={
                    "jeton": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="Jeton personnel d'API, créé sur la page « Mes jetons d'API » (/compte/jetons).",
                    )
                }
            ),
            security=[{"jeton": []}],
        ),
        debug=False,
    )
    litestar.asgi_handler = secure(litestar.asgi_handler, services.settings)  # outermost: every response
    return _allow_every_method(litestar)
