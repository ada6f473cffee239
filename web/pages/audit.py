"""Auditors' pages: what one may audit, the trail of an organisation, a forum or one aggregate (filters, keyset
pages, CSV, JSON and signed downloads, chain heads and anchors), any aggregate at an instant and the difference
between two, a jury at a moment, a laureate's provenance; and the forum's auditors, appointed by its host.

The same access checks as the JSON API (``web.api.audit``): another organisation's history is not found, one's own
without the auditor role is forbidden. No JavaScript: every form is a GET (reads) or a POST with its CSRF token.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template

from domain.errors import Invalid, NotFound
from domain.jury import DELIBERATION_LABELS, NORMALISATION_LABELS, TIE_BREAK_LABELS
from domain.person import ROLE_LABELS
from domain.values import Role
from forum import forums, replay
from forum.audit_sentences import AGGREGATE_LABELS, event_classes
from forum.audit_trail import AppointAuditor, Filters, Scope
from forum.forums import ForumRef
from projections import forums as forum_views
from projections.audit import audit_names
from web.api import audit as api
from web.commands import command_id_of, form_of, submit
from web.context import actor_of, reader, services_of
from web.pages import base

PAGE_SIZE = 50
# the one field of the auditors' form: whatever is refused (no such person, deactivated, already auditor) is said there
EVERY_REFUSAL_ON_EMAIL = {"": "email", "person_id": "email", "organisation": "email"}
NOTICES = {"nomme": "La personne est nommée auditrice du forum.", "retire": "La personne n'est plus auditrice."}
FORMAT_NAMES = {"csv": "csv", "json": "json", "signe": "signed"}


def pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


HELPERS: dict[str, Any] = {
    "pretty": pretty,
    "role_label": lambda role: ROLE_LABELS.get(role, role),
    "aggregate_label": lambda kind: AGGREGATE_LABELS.get(kind, kind),
    "state_label": lambda state: DELIBERATION_LABELS.get(state, state),
    "normalisation_label": lambda n: NORMALISATION_LABELS.get(n, n),
    "tie_break_label": lambda t: TIE_BREAK_LABELS.get(t, t),
}


def page(request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any) -> Template:
    """An auditor's page: never kept by a shared cache."""
    return base.page(
        request,
        template,
        NOTICES,
        status=status,
        headers={"Cache-Control": "private, no-store"},
        **{**HELPERS, **context},
    )


def event_type_options() -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for name in event_classes():
        groups.setdefault(name.partition(".")[0], []).append(name)
    return [(AGGREGATE_LABELS.get(k, k), v) for k, v in groups.items()]


class TrailQuery:
    """A trail page's query: its filters (French names, as the form sends them) and where it starts."""

    def __init__(self, request: Request[Any, Any, Any], *, with_aggregate: bool = True) -> None:
        q = request.query_params
        self.values = {
            "objet": q.get("objet", "") if with_aggregate else "",
            "personne": q.get("personne", ""),
            "type": q.get("type", ""),
            "depuis": q.get("depuis", ""),
            "jusqua": q.get("jusqua", ""),
        }
        self.after_text = q.get("apres", "0")

    def filters(self) -> Filters:
        v = self.values
        return api.filters_of(
            aggregate=v["objet"], person=v["personne"], types=[v["type"]] if v["type"] else [],
            since=v["depuis"], until=v["jusqua"],
        )  # fmt: skip

    def after(self) -> int:
        return api.whole_number(self.after_text, "apres") or 0

    def link(self, **changes: Any) -> str:
        """This query with ``changes``: the link to another page, or a download, with the same filters."""
        from urllib.parse import urlencode

        values = {k: v for k, v in {**self.values, **changes}.items() if v not in ("", None, 0)}
        return "?" + urlencode(values) if values else "?"


FIELD_NAMES = {"aggregate": "objet", "person": "personne", "type": "type", "since": "depuis", "until": "jusqua"}


async def trail_context(request: Request[Any, Any, Any], scope: Scope, query: TrailQuery) -> dict[str, Any]:
    """The events of the page asked for, or the refusal of its filters (shown beside the form)."""
    try:
        filters = query.filters()
        result = await api.trail_page(request, scope, filters, query.after(), PAGE_SIZE)
    except Invalid as error:
        field = FIELD_NAMES.get(error.field or "", error.field or "")
        return {"events": [], "next_after": None, "query": query, "errors": {field: error.message},
                "problem": error.message, "status": 422, "types": event_type_options()}  # fmt: skip
    return {
        "events": result.events,
        "next_after": result.next_after,
        "scanned": result.scanned,
        "query": query,
        "types": event_type_options(),
        "filtered": any(query.values.values()),
        "status": 200,
    }


async def download(request: Request[Any, Any, Any], scope: Scope, with_aggregate: bool = True) -> Stream:
    query = TrailQuery(request, with_aggregate=with_aggregate)
    chosen = FORMAT_NAMES.get(request.query_params.get("format", "csv"))
    if chosen is None:
        raise Invalid("Format inconnu : csv, json ou signe.", field="format", rule="unknown_value")
    return await api.export_response(request, scope, query.filters(), chosen)


class AuditPages(Controller):
    """Pages for auditors (and the forum host, for its auditors)."""

    path = "/audit"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        actor = actor_of(request)
        db = reader(request)
        if actor.is_admin:
            organisations = [
                (r[0], r[1]) for r in await db.fetch("SELECT slug, name FROM read.organisations ORDER BY name")
            ]
        elif Role.AUDITOR in actor.roles:
            name = await db.fetchval("SELECT name FROM read.organisations WHERE slug = $1", actor.organisation)
            organisations = [(actor.organisation, name or actor.organisation)]
        else:
            organisations = []
        audited = actor.forums(Role.FORUM_AUDITOR.value)
        listed = await forum_views.list_forums(
            db, organisation=actor.organisation, forum_ids=audited, everything=actor.is_admin
        )
        forums_audited = [
            f for f in listed
            if actor.is_admin or str(f.forum_id) in audited
            or (f.host == actor.organisation and Role.AUDITOR in actor.roles)
        ]  # fmt: skip
        return page(
            request,
            "audit/index.html",
            organisations=organisations,
            forums=forums_audited,
            public_key=api.public_key(request),
        )

    # -- an organisation ------------------------------------------------------------------------------------------

    @get("/organisations/{slug:str}")
    async def organisation(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
        scope, _ = await api.organisation_scope(request, slug)
        name = await reader(request).fetchval("SELECT name FROM read.organisations WHERE slug = $1", slug)
        context = await trail_context(request, scope, TrailQuery(request))
        return page(
            request,
            "audit/organisation.html",
            status=context.pop("status"),
            slug=slug,
            name=name or slug,
            chain=await api.chain_state(request, [slug], per_store=20),
            base=f"/audit/organisations/{slug}",
            **context,
        )

    @get("/organisations/{slug:str}/telechargement")
    async def organisation_download(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Stream:
        scope, _ = await api.organisation_scope(request, slug)
        return await download(request, scope)

    # -- a forum --------------------------------------------------------------------------------------------------

    @get("/forums/{host:str}/{forum:str}")
    async def forum(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        scope, facts = await api.forum_scope(request, host, forum)
        summary = await api.forum_audit(request, scope, facts)
        context = await trail_context(request, scope, TrailQuery(request))
        return page(
            request,
            "audit/forum.html",
            status=context.pop("status"),
            summary=summary,
            chain=summary.chain,
            base=f"/audit/forums/{host}/{forum}",
            **context,
        )

    @get("/forums/{host:str}/{forum:str}/telechargement")
    async def forum_download(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]
    ) -> Stream:
        scope, _ = await api.forum_scope(request, host, forum)
        return await download(request, scope)

    @get("/forums/{host:str}/{forum:str}/jury")
    async def jury(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        _, facts = await api.forum_scope(request, host, forum)
        q = request.query_params
        errors: dict[str, str] = {}
        at = position = None
        try:
            at = api.moment(q.get("instant"), "instant")
            position = api.whole_number(q.get("position"), "position")
        except Invalid as error:
            errors[error.field or "instant"] = error.message
        jury = await sync_to_thread(
            replay.jury_at, services_of(request).app, facts.host, facts.forum_id, at=at, position=position
        )
        ids = {j.person_id for j in jury.jurors} | {s.juror_id for s in jury.scores}
        names = await audit_names(reader(request), ids, {j.organisation for j in jury.jurors})
        return page(
            request,
            "audit/jury.html",
            status=422 if errors else 200,
            jury=jury,
            host=host,
            forum=forum,
            base=f"/audit/forums/{host}/{forum}",
            names=names,
            at=at,
            position=position,
            errors=errors,
            problem=next(iter(errors.values()), None),
        )

    @get("/forums/{host:str}/{forum:str}/provenance/{project_id:uuid}")
    async def provenance(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str], project_id: FromPath[UUID]
    ) -> Template:
        _, facts = await api.forum_scope(request, host, forum)
        found = await sync_to_thread(
            replay.provenance, services_of(request).app, facts.host, facts.forum_id, project_id
        )
        if found is None:
            raise NotFound("Ce projet n'a pas été proposé à ce forum.")
        ids = {j.person_id for j in found.jurors} | {p.decision.actor for p in found.prizes if p.decision}
        slugs = {j.organisation for j in found.jurors} | {found.host, found.project_organisation}
        names = await audit_names(reader(request), ids, slugs)
        return page(
            request,
            "audit/provenance.html",
            p=found,
            names=names,
            people=names.people,
            jurors=juror_rows(found, names.people, names.organisations),
            host=host,
            forum=forum,
            base=f"/audit/forums/{host}/{forum}",
        )

    @get("/forums/{host:str}/{forum:str}/auditeurs")
    async def auditors(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        return await self._auditors(request, host, forum)

    async def _auditors(
        self, request: Request[Any, Any, Any], host: str, forum: str, *, status: int = 200, **context: Any
    ) -> Template:
        facts, actor = await api.require_forum_standing(request, host, forum, forums.HOST, forums.AUDITOR)
        held = forums.standing(actor, forum_id=facts.forum_id, host=facts.host, invited=facts.invited)
        summary = await forum_views.forum_summary(reader(request), facts.forum_id)
        return page(
            request,
            "audit/auditors.html",
            status=status,
            title=summary.title if summary else "",
            auditors=await api.forum_auditors(request, facts.forum_id),
            may_appoint=forums.HOST in held,
            may_audit=forums.AUDITOR in held,
            base=f"/audit/forums/{host}/{forum}",
            command_id=uuid.uuid4().hex,
            form=context.pop("form", {"email": ""}),
            **context,
        )

    @post("/forums/{host:str}/{forum:str}/auditeurs")
    async def appoint(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]
    ) -> Template | Redirect:
        facts, _ = await api.require_forum_standing(request, host, forum, forums.HOST)
        form = await form_of(request)
        email = form.get("email", "").strip().lower()
        row = await reader(request).fetchrow(
            "SELECT person_id, organisation FROM read.people WHERE lower(email) = $1", email
        )

        def appointment() -> AppointAuditor:
            if row is None:
                raise Invalid(f"Aucun compte n'a l'adresse « {email} ».", field="email", rule="person_not_found")
            return AppointAuditor(command_id=command_id_of(form), person_id=str(row[0]), organisation=row[1])

        async def again(refused: dict[str, Any]) -> Template:
            return await self._auditors(request, host, forum, **refused)

        return await submit(
            request,
            appointment,
            ForumRef(facts.host, facts.forum_id),
            then=f"/audit/forums/{host}/{forum}/auditeurs",
            notice="nomme",
            again=again,
            form={"email": email},
            aliases=EVERY_REFUSAL_ON_EMAIL,
            projections=("people",),  # the list shows the person just appointed
        )

    # -- one aggregate --------------------------------------------------------------------------------------------

    @get("/objets/{store:str}/{aggregate_id:uuid}")
    async def aggregate(
        self, request: Request[Any, Any, Any], store: FromPath[str], aggregate_id: FromPath[UUID]
    ) -> Template:
        scope = await api.aggregate_scope(request, store, aggregate_id)
        context = await trail_context(request, scope, TrailQuery(request, with_aggregate=False))
        names = await audit_names(reader(request), {str(aggregate_id)}, {store})
        first = context["events"][0] if context["events"] else None
        return page(
            request,
            "audit/aggregate.html",
            status=context.pop("status"),
            store=store,
            store_name=names.organisations.get(store, store),
            aggregate_id=aggregate_id,
            title=names.titles.get(str(aggregate_id)) or names.people.get(str(aggregate_id)),
            kind=first.aggregate_label if first else "",
            base=f"/audit/objets/{store}/{aggregate_id}",
            **context,
        )

    @get("/objets/{store:str}/{aggregate_id:uuid}/telechargement")
    async def aggregate_download(
        self, request: Request[Any, Any, Any], store: FromPath[str], aggregate_id: FromPath[UUID]
    ) -> Stream:
        scope = await api.aggregate_scope(request, store, aggregate_id)
        return await download(request, scope, with_aggregate=False)

    @get("/objets/{store:str}/{aggregate_id:uuid}/etat")
    async def state(
        self, request: Request[Any, Any, Any], store: FromPath[str], aggregate_id: FromPath[UUID]
    ) -> Template:
        await api.aggregate_scope(request, store, aggregate_id)
        q = request.query_params
        errors: dict[str, str] = {}
        values = {
            k: q.get(k, "") for k in ("instant", "position", "depuis", "depuis_position", "jusqua", "jusqua_position")
        }
        state = difference = None
        app = services_of(request).app
        try:
            if any(values[k] for k in ("depuis", "depuis_position", "jusqua", "jusqua_position")):
                difference = await sync_to_thread(
                    replay.state_diff, app, store, aggregate_id,
                    from_at=api.moment(values["depuis"], "depuis"),
                    from_position=api.whole_number(values["depuis_position"], "depuis_position"),
                    to_at=api.moment(values["jusqua"], "jusqua"),
                    to_position=api.whole_number(values["jusqua_position"], "jusqua_position"),
                )  # fmt: skip
            else:
                state = await sync_to_thread(
                    replay.state_at, app, store, aggregate_id,
                    at=api.moment(values["instant"], "instant"),
                    position=api.whole_number(values["position"], "position"),
                )  # fmt: skip
        except Invalid as error:
            errors[error.field or "instant"] = error.message
        return page(
            request,
            "audit/state.html",
            status=422 if errors else 200,
            store=store,
            aggregate_id=aggregate_id,
            state=state,
            difference=difference,
            values=values,
            errors=errors,
            problem=next(iter(errors.values()), None),
            base=f"/audit/objets/{store}/{aggregate_id}",
        )


def juror_rows(found: replay.Provenance, people: dict[str, str], organisations: dict[str, str]) -> list[dict[str, str]]:
    """Each juror and what they did for the project: scored, recused by right, declared a conflict, or nothing."""
    scored = {s.juror_id: s for s in found.scores}
    recused = {r.juror_id: r for r in found.recusals}
    rows = []
    for j in found.jurors:
        recusal, score = recused.get(j.person_id), scored.get(j.person_id)
        if recusal is not None and recusal.kind == "own_organisation":
            status = "récusé d'office : projet de sa propre organisation"
        elif recusal is not None:
            status = f"s'est récusé (conflit d'intérêts déclaré : « {recusal.reason} »)"
            if score is not None:
                status += " ; sa note n'est pas comptée"
        elif score is not None:
            status = "a noté" + ("" if score.counted else f" (note non comptée : {score.not_counted_because})")
        else:
            status = "n'a pas noté"
        rows.append(
            {
                "name": people.get(j.person_id, j.person_id),
                "organisation": organisations.get(j.organisation, j.organisation),
                "college": j.college,
                "status": status,
            }
        )
    return rows
