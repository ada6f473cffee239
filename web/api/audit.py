"""Auditors' JSON API: trails of an organisation, a forum or one aggregate (keyset pages, CSV, JSON, signed
exports), any aggregate as it stood at an instant or a position and the difference between two, a jury at a
moment, a laureate's provenance; and the forum's auditors, appointed by its host.

Every read checks access first (``forum.audit_trail.may_audit_*``): another organisation's history answers 404,
one's own without the auditor role 403. Trails are read from the event log itself (not from read models), as the
write side's role under the audited store's row-level security. Times are ISO 8601; a time without an offset is
read in Europe/Paris (what a ``datetime-local`` field sends). ``next_after`` continues a page: pass it as ``after``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Stream

from domain.errors import Conflict, Invalid, NotFound
from domain.person import ForumRoles
from domain.values import PARIS
from forum import audit, audit_trail, forums, replay
from forum.access import Actor
from forum.audit_sentences import Names
from forum.audit_trail import (
    AppointAuditor,
    AuditorAppointed,
    DismissAuditor,
    DismissForumAuditor,
    Filters,
    ForumFacts,
    Scope,
    TrailEvent,
)
from forum.forums import ForumRef
from projections import forums as forum_views
from projections.audit import audit_names
from projections.people import people_in_forum
from web.api.forums import ON_FORUM_URL, forum_standing
from web.commands import command, with_path
from web.context import actor_of, reader, services_of
from web.openapi import PUBLIC

log = logging.getLogger("forum.web.audit")
FORMATS = {"csv", "json", "signed"}


# ---------------------------------------------------------------------------------------------------------------------
# Reading with the right pools


def log_pool(request: Request[Any, Any, Any]) -> Any:
    """The event log is read as the write side's role (``forum_app``): row-level security per store."""
    return request.app.state.auth_pool


def names_for(request: Request[Any, Any, Any]) -> Callable[[set[str], set[str]], Awaitable[Names]]:
    async def resolve(ids: set[str], slugs: set[str]) -> Names:
        found = await audit_names(reader(request), ids, slugs)
        return Names(found.people, found.titles, found.organisations)

    return resolve


def moment(text: str | None, field: str) -> datetime | None:
    """An ISO 8601 time; without an offset, Paris time (as ``datetime-local`` fields send it)."""
    if text is None or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(
            f"Heure illisible : « {text} » (attendu AAAA-MM-JJTHH:MM, heure de Paris).", field=field, rule="time_format"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=PARIS)


def whole_number(text: str | None, field: str) -> int | None:
    if text is None or not str(text).strip():
        return None
    try:
        value = int(str(text).strip())
    except ValueError:
        raise Invalid(f"« {text} » n'est pas un nombre entier.", field=field, rule="not_a_number") from None
    if value < 0:
        raise Invalid("Une position est positive.", field=field, rule="negative")
    return value


def an_id(text: str | None, field: str) -> UUID | None:
    if text is None or not text.strip():
        return None
    try:
        return UUID(text.strip())
    except ValueError:
        raise Invalid(f"Identifiant illisible : « {text} ».", field=field, rule="not_an_id") from None


def filters_of(
    *,
    aggregate: str | None = None,
    person: str | None = None,
    types: list[str] | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Filters:
    return Filters(
        aggregate_id=an_id(aggregate, "aggregate"),
        person=str(an_id(person, "person")) if person and person.strip() else None,
        event_types=tuple(t for t in (types or []) if t),
        since=moment(since, "since"),
        until=moment(until, "until"),
    )


class TrailQuery(msgspec.Struct, frozen=True):
    """What a trail's query string filters on, as sent; read into ``Filters`` once access is checked (so another
    organisation's trail answers 404 whatever the filters)."""

    aggregate: str | None = None
    person: str | None = None
    types: list[str] | None = None
    since: str | None = None
    until: str | None = None

    def filters(self) -> Filters:
        return filters_of(
            aggregate=self.aggregate, person=self.person, types=self.types, since=self.since, until=self.until
        )


def trail_query(
    aggregate: FromQuery[str | None] = None,
    person: FromQuery[str | None] = None,
    type: Annotated[list[str] | None, Parameter(query="type")] = None,  # noqa: A002  # the query's name
    since: FromQuery[str | None] = None,
    until: FromQuery[str | None] = None,
) -> TrailQuery:
    """The filters of an organisation's or a forum's trail (a dependency: declared once for every such route)."""
    return TrailQuery(aggregate, person, type, since, until)


def aggregate_trail_query(
    person: FromQuery[str | None] = None,
    type: Annotated[list[str] | None, Parameter(query="type")] = None,  # noqa: A002  # the query's name
    since: FromQuery[str | None] = None,
    until: FromQuery[str | None] = None,
) -> TrailQuery:
    """The filters of one aggregate's trail: the same, but the aggregate is the URL's."""
    return TrailQuery(None, person, type, since, until)


ON_AGGREGATE = {"trail": Provide(aggregate_trail_query, sync_to_thread=False)}


# ---------------------------------------------------------------------------------------------------------------------
# Access: every read goes through one of these


async def organisation_scope(request: Request[Any, Any, Any], slug: str) -> tuple[Scope, str]:
    actor = actor_of(request)
    role = audit_trail.may_audit_organisation(actor, slug)
    if not await reader(request).fetchval("SELECT 1 FROM read.organisations WHERE slug = $1", slug):
        raise NotFound(f"Organisation « {slug} » introuvable.")
    return audit_trail.organisation_scope(slug), role


async def forum_facts(request: Request[Any, Any, Any], host: str, forum: str) -> ForumFacts:
    forum_id = forums.forum_id_for(host, forum)
    access = await forum_views.forum_access(reader(request), forum_id)
    if access is None or access.host != host:
        raise NotFound(forums.FORUM_NOT_FOUND)
    return ForumFacts(forum_id, access.host, tuple(access.invited))


async def forum_scope(request: Request[Any, Any, Any], host: str, forum: str) -> tuple[Scope, ForumFacts]:
    facts = await forum_facts(request, host, forum)
    audit_trail.may_audit_forum(actor_of(request), facts)
    nominated = await forum_views.nominations(reader(request), facts.forum_id)
    return audit_trail.forum_scope(facts, [(n.project_id, n.organisation) for n in nominated]), facts


async def forums_containing(request: Request[Any, Any, Any], store: str, aggregate_id: UUID) -> list[ForumFacts]:
    """The forums an aggregate of ``store`` belongs to: itself, its roles, or a project nominated to them."""
    rows = await reader(request).fetch(
        "SELECT forum_id FROM read.forums WHERE organisation = $1 AND forum_id = $2"
        " UNION SELECT forum_id FROM read.forum_nominations WHERE project_id = $2 AND project_organisation = $1",
        store,
        aggregate_id,
    )
    ids = [r[0] for r in rows]
    for r in await reader(request).fetch("SELECT forum_id FROM read.forums WHERE organisation = $1", store):
        if ForumRoles.id_for(r[0]) == aggregate_id:
            ids.append(r[0])
    found = []
    for forum_id in ids:
        access = await forum_views.forum_access(reader(request), forum_id)
        if access is not None:
            found.append(ForumFacts(forum_id, access.host, tuple(access.invited)))
    return found


async def aggregate_scope(request: Request[Any, Any, Any], store: str, aggregate_id: UUID) -> Scope:
    actor = actor_of(request)
    audit_trail.may_audit_aggregate(actor, store, await forums_containing(request, store, aggregate_id))
    return audit_trail.aggregate_scope(store, aggregate_id)


# ---------------------------------------------------------------------------------------------------------------------
# Outputs


class TrailPage(msgspec.Struct, frozen=True):
    """A page of a trail: ``next_after`` continues it (``after=next_after``); None: the trail ends here."""

    scope: str
    key: str
    events: list[TrailEvent]
    next_after: int | None
    scanned: int


class AnchorOut(msgspec.Struct, frozen=True):
    organisation: str
    anchored_at: datetime
    position: int
    head: str
    reason: str


class HeadOut(msgspec.Struct, frozen=True):
    organisation: str
    position: int | None
    link: str | None


class ChainState(msgspec.Struct, frozen=True):
    """Each store's chain head now and its latest anchors (public: shown so a later rewrite contradicts them)."""

    heads: list[HeadOut]
    anchors: list[AnchorOut]
    public_key: str


class ProjectOut(msgspec.Struct, frozen=True):
    project_id: UUID
    organisation: str
    title: str
    withdrawn: bool


class OrganisationAudit(msgspec.Struct, frozen=True):
    organisation: str
    name: str
    chain: ChainState


class ForumAudit(msgspec.Struct, frozen=True):
    forum_id: UUID
    host: str
    title: str
    published_at: datetime | None
    stores: list[str]
    projects: list[ProjectOut]
    chain: ChainState


class PublicKey(msgspec.Struct, frozen=True):
    public_key: str
    algorithm: str
    verify: str


async def chain_state(request: Request[Any, Any, Any], organisations: list[str], *, per_store: int = 10) -> ChainState:
    heads = [await audit_trail.chain_head(log_pool(request), o) for o in organisations]
    anchors = []
    for organisation in organisations:
        for a in await audit.list_anchors(reader(request), organisation, limit=per_store):
            anchors.append(AnchorOut(a.organisation, a.anchored_at, a.position, a.head, a.reason))
    anchors.sort(key=lambda a: a.anchored_at, reverse=True)
    return ChainState(
        heads=[HeadOut(h.organisation, h.position, h.link) for h in heads],
        anchors=anchors,
        public_key=public_key(request),
    )


def public_key(request: Request[Any, Any, Any]) -> str:
    state = request.app.state
    if not getattr(state, "audit_public_key", None):
        state.audit_public_key = audit.public_key_text(audit_trail.signing_key(services_of(request).settings))
    return str(state.audit_public_key)


async def trail_page(
    request: Request[Any, Any, Any], scope: Scope, filters: Filters, after: int, limit: int
) -> TrailPage:
    page = await audit_trail.read_page(log_pool(request), scope, filters, after=after, limit=limit)
    events = await audit_trail.described(page.entries, names_for(request))
    return TrailPage(scope.kind, scope.key, events, page.next_after, page.scanned)


def _filename(scope: Scope, extension: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in scope.key)[:60]
    return f"audit-{scope.kind}-{safe}.{extension}"


async def export_response(
    request: Request[Any, Any, Any], scope: Scope, filters: Filters, export_format: str
) -> Stream:
    """CSV or JSON of the filtered trail, or the signed export of the whole scope, streamed as it is read."""
    if export_format not in FORMATS:
        raise Invalid("Format inconnu : csv, json ou signed.", field="format", rule="unknown_value")
    pool, names = log_pool(request), names_for(request)

    async def csv_body() -> AsyncIterator[bytes]:
        yield audit_trail.csv_header().encode()
        async for entries in audit_trail.iterate(pool, scope, filters):
            yield audit_trail.csv_rows(await audit_trail.described(entries, names)).encode()

    async def json_body() -> AsyncIterator[bytes]:
        yield b'{"scope":' + msgspec.json.encode(scope.kind) + b',"key":' + msgspec.json.encode(scope.key)
        yield b',"events":['
        first = True
        async for entries in audit_trail.iterate(pool, scope, filters):
            for event in await audit_trail.described(entries, names):
                yield (b"" if first else b",\n") + msgspec.json.encode(event)
                first = False
        yield b"]}\n"

    body: AsyncIterator[bytes]
    if export_format == "csv":
        body, media, extension = csv_body(), "text/csv; charset=utf-8", "csv"
    elif export_format == "json":
        body, media, extension = json_body(), "application/json", "json"
    elif scope.kind == "organisation":
        body, media, extension = await organisation_export(request, scope.key), "application/x-ndjson", "jsonl"
    else:
        key = audit_trail.signing_key(services_of(request).settings)
        body = audit_trail.export_lines(pool, scope, key, names_for=names)
        media, extension = "application/x-ndjson", "jsonl"
    return Stream(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(scope, extension)}"',
            "Cache-Control": "private, no-store",
        },
    )


async def organisation_export(request: Request[Any, Any, Any], organisation: str) -> AsyncIterator[bytes]:
    """The organisation's whole history with its chain, signed (``forum.audit.export``: the format ``forum audit
    verify-export`` checks). Written to a temporary file first, so a broken history is refused (409) before any
    byte is sent."""
    services = services_of(request)
    key = audit_trail.signing_key(services.settings)
    folder = tempfile.TemporaryDirectory(prefix="forum-audit-")
    path = Path(folder.name) / "export.jsonl"
    try:
        await audit.export_async(services.db, organisation, path, key)
    except audit.ChainBroken as broken:
        folder.cleanup()
        raise Conflict(f"Export refusé : {broken}", rule="history_broken") from None
    except BaseException:
        folder.cleanup()
        raise

    async def send() -> AsyncIterator[bytes]:
        try:
            with path.open("rb") as stream:
                while chunk := stream.read(1 << 16):
                    yield chunk
        finally:
            folder.cleanup()

    return send()


# ---------------------------------------------------------------------------------------------------------------------
# Periodic anchoring beside the projector (the web app's lifespan)


async def keep_anchoring(pool: Any, stop: asyncio.Event, every: float) -> None:
    """``forum.audit.anchor_periodically`` until ``stop``; a failed round is logged and tried again next period."""
    while not stop.is_set():
        try:
            await audit.anchor_periodically(pool, stop, every=every)
        except Exception:  # the next period tries again; anchoring never stops the web app
            log.exception("periodic anchoring failed; trying again in %s s", every)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)


# ---------------------------------------------------------------------------------------------------------------------
# The controllers


class AuditApi(Controller):
    """What auditors read: trails, replays, provenance, signed exports."""

    path = "/api/v1/audit"
    tags = ["audit"]
    dependencies = {"trail": Provide(trail_query, sync_to_thread=False)}  # an aggregate's routes: ON_AGGREGATE

    @get("/key", summary="The service's public key, which checks signed exports offline (public)", opt=PUBLIC)
    async def key(self, request: Request[Any, Any, Any]) -> PublicKey:
        return PublicKey(
            public_key=public_key(request),
            algorithm="ed25519",
            verify="python -m forum.audit_trail verify-export FICHIER --public-key CLÉ",
        )

    # -- an organisation ------------------------------------------------------------------------------------------

    @get("/organisations/{slug:str}", summary="An organisation's chain head and anchors (its auditors)")
    async def organisation(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> OrganisationAudit:
        await organisation_scope(request, slug)
        name = await reader(request).fetchval("SELECT name FROM read.organisations WHERE slug = $1", slug)
        return OrganisationAudit(slug, name or slug, await chain_state(request, [slug], per_store=50))

    @get("/organisations/{slug:str}/events", summary="Every event of the organisation, in log order (keyset pages)")
    async def organisation_events(
        self,
        *,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        after: FromQuery[int] = 0,
        limit: FromQuery[int] = 50,
        trail: TrailQuery,
    ) -> TrailPage:
        scope, _ = await organisation_scope(request, slug)
        return await trail_page(request, scope, trail.filters(), after, limit)

    @get(
        "/organisations/{slug:str}/export",
        summary="The organisation's trail as CSV or JSON (filtered), or its whole history signed (format=signed)",
    )
    async def organisation_export(
        self,
        *,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        format: FromQuery[str] = "csv",  # noqa: A002  # the query's name
        trail: TrailQuery,
    ) -> Stream:
        scope, _ = await organisation_scope(request, slug)
        return await export_response(request, scope, trail.filters(), format)

    # -- a forum --------------------------------------------------------------------------------------------------

    @get("/forums/{host:str}/{forum:str}", summary="A forum's stores, projects, chain heads and anchors (its auditors)")
    async def forum(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> ForumAudit:
        scope, facts = await forum_scope(request, host, forum)
        return await forum_audit(request, scope, facts)

    @get("/forums/{host:str}/{forum:str}/events", summary="The forum's trail: the forum, its roles, its projects")
    async def forum_events(
        self,
        *,
        request: Request[Any, Any, Any],
        host: FromPath[str],
        forum: FromPath[str],
        after: FromQuery[int] = 0,
        limit: FromQuery[int] = 50,
        trail: TrailQuery,
    ) -> TrailPage:
        scope, _ = await forum_scope(request, host, forum)
        return await trail_page(request, scope, trail.filters(), after, limit)

    @get(
        "/forums/{host:str}/{forum:str}/export",
        summary="The forum's trail as CSV or JSON (filtered), or signed with each event's chain link (format=signed)",
    )
    async def forum_export(
        self,
        *,
        request: Request[Any, Any, Any],
        host: FromPath[str],
        forum: FromPath[str],
        format: FromQuery[str] = "csv",  # noqa: A002
        trail: TrailQuery,
    ) -> Stream:
        scope, _ = await forum_scope(request, host, forum)
        return await export_response(request, scope, trail.filters(), format)

    @get(
        "/forums/{host:str}/{forum:str}/jury",
        summary="The jury at an instant or a position: scores, recusals, the ranking they gave then (recomputed)",
    )
    async def jury(
        self,
        request: Request[Any, Any, Any],
        host: FromPath[str],
        forum: FromPath[str],
        at: FromQuery[str | None] = None,
        position: FromQuery[int | None] = None,
    ) -> replay.JuryAt:
        _, facts = await forum_scope(request, host, forum)
        when = moment(at, "at")
        return await sync_to_thread(
            replay.jury_at, services_of(request).app, facts.host, facts.forum_id, at=when, position=position
        )

    @get(
        "/forums/{host:str}/{forum:str}/provenance/{project_id:uuid}",
        summary="Why a project stands where it does in the palmarès: decision, ranking and method, scores, jurors",
    )
    async def provenance(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str], project_id: FromPath[UUID]
    ) -> replay.Provenance:
        _, facts = await forum_scope(request, host, forum)
        found = await sync_to_thread(
            replay.provenance, services_of(request).app, facts.host, facts.forum_id, project_id
        )
        if found is None:
            raise NotFound("Ce projet n'a pas été proposé à ce forum.")
        return found

    # -- one aggregate --------------------------------------------------------------------------------------------

    @get(
        "/aggregates/{store:str}/{aggregate_id:uuid}/events",
        summary="One aggregate's events, in order",
        dependencies=ON_AGGREGATE,
    )
    async def aggregate_events(
        self,
        *,
        request: Request[Any, Any, Any],
        store: FromPath[str],
        aggregate_id: FromPath[UUID],
        after: FromQuery[int] = 0,
        limit: FromQuery[int] = 50,
        trail: TrailQuery,
    ) -> TrailPage:
        scope = await aggregate_scope(request, store, aggregate_id)
        return await trail_page(request, scope, trail.filters(), after, limit)

    @get(
        "/aggregates/{store:str}/{aggregate_id:uuid}/export",
        summary="One aggregate's events as CSV or JSON, or signed with their chain links (format=signed)",
    )
    async def aggregate_export(
        self,
        request: Request[Any, Any, Any],
        store: FromPath[str],
        aggregate_id: FromPath[UUID],
        format: FromQuery[str] = "csv",  # noqa: A002
    ) -> Stream:
        scope = await aggregate_scope(request, store, aggregate_id)
        return await export_response(request, scope, Filters(), format)

    @get(
        "/aggregates/{store:str}/{aggregate_id:uuid}/state",
        summary="The aggregate as it stood at an instant (at) and/or a position; before it existed: exists=false",
    )
    async def state(
        self,
        request: Request[Any, Any, Any],
        store: FromPath[str],
        aggregate_id: FromPath[UUID],
        at: FromQuery[str | None] = None,
        position: FromQuery[int | None] = None,
    ) -> replay.StateAt:
        await aggregate_scope(request, store, aggregate_id)
        when = moment(at, "at")
        return await sync_to_thread(
            replay.state_at, services_of(request).app, store, aggregate_id, at=when, position=position
        )

    @get(
        "/aggregates/{store:str}/{aggregate_id:uuid}/diff",
        summary="What changed in the aggregate between two instants or positions, and the events that changed it",
    )
    async def diff(
        self,
        *,
        request: Request[Any, Any, Any],
        store: FromPath[str],
        aggregate_id: FromPath[UUID],
        from_at: FromQuery[str | None] = None,
        from_position: FromQuery[int | None] = None,
        to_at: FromQuery[str | None] = None,
        to_position: FromQuery[int | None] = None,
    ) -> replay.StateDiff:
        await aggregate_scope(request, store, aggregate_id)
        return await sync_to_thread(
            replay.state_diff,
            services_of(request).app,
            store,
            aggregate_id,
            from_at=moment(from_at, "from_at"),
            from_position=from_position,
            to_at=moment(to_at, "to_at"),
            to_position=to_position,
        )


async def forum_audit(request: Request[Any, Any, Any], scope: Scope, facts: ForumFacts) -> ForumAudit:
    summary = await forum_views.forum_summary(reader(request), facts.forum_id)
    nominated = await forum_views.nominations(reader(request), facts.forum_id)
    return ForumAudit(
        forum_id=facts.forum_id,
        host=facts.host,
        title=summary.title if summary else "",
        published_at=summary.published_at if summary else None,
        stores=list(scope.organisations),
        projects=[ProjectOut(n.project_id, n.organisation, n.title, n.withdrawn_at is not None) for n in nominated],
        chain=await chain_state(request, list(scope.organisations)),
    )


# -- the forum's auditors, appointed by its host ------------------------------------------------------------------


class ForumAuditorOut(msgspec.Struct, frozen=True):
    person_id: str
    organisation: str
    name: str
    granted_at: datetime


async def forum_auditors(request: Request[Any, Any, Any], forum_id: UUID) -> list[ForumAuditorOut]:
    roles = await people_in_forum(reader(request), forum_id, "forum_auditor")
    names = await audit_names(reader(request), {r.person_id for r in roles}, set())
    return [
        ForumAuditorOut(r.person_id, r.person_organisation, names.people.get(r.person_id, r.person_id), r.granted_at)
        for r in roles
    ]


async def require_forum_standing(
    request: Request[Any, Any, Any], host: str, forum: str, *allowed: str
) -> tuple[ForumFacts, Actor]:
    """The standing ``web.api.forums.require`` checks, with the forum's facts an audit reads."""
    actor = actor_of(request)
    forum_id, held, access = await forum_standing(request, actor, host, forum)
    forums.require_standing(held, *allowed)
    return ForumFacts(forum_id, access.host, tuple(access.invited)), actor


class ForumAuditorsApi(Controller):
    """A forum's auditors: the host appoints and dismisses them; the host and the auditors list them."""

    path = "/api/v1/forums/{host:str}/{forum:str}/auditors"
    tags = ["audit", "forums"]
    dependencies = ON_FORUM_URL

    @get("/", summary="The forum's auditors (host and auditors)")
    async def list_auditors(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]
    ) -> list[ForumAuditorOut]:
        facts, _ = await require_forum_standing(request, host, forum, forums.HOST, forums.AUDITOR)
        return await forum_auditors(request, facts.forum_id)

    @post("/", summary="Appoint a forum auditor (host)", status_code=201, sync_to_thread=True)
    def appoint(
        self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[AppointAuditor]
    ) -> AuditorAppointed:
        return command(request, data, target)

    @post("/{person_id:str}/dismissal", summary="Dismiss a forum auditor (host)", status_code=200, sync_to_thread=True)
    def dismiss(
        self,
        request: Request[Any, Any, Any],
        target: ForumRef,
        person_id: FromPath[str],
        data: JSONBody[DismissAuditor],
    ) -> AuditorAppointed:
        return command(request, with_path(data, DismissForumAuditor, person_id=person_id), target)
