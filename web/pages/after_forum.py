"""Pages after the forum: the public practices with their lineage picture, the portfolio board, a project's path
with its pre-incubation forms, a forum's funnel, and convergent projects."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import escape
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from markupsafe import Markup

from domain.errors import Conflict, DomainError, Invalid, NotFound
from domain.practice import REPORT_OUTCOME_LABELS
from domain.pre_incubation import OUTCOME_LABELS, STAGE_LABELS
from forum import after_forum as af
from forum.access import Actor
from projections import portfolio as portfolio_views
from projections import practices as practice_views
from projections.convergence import convergences_for
from projections.practices import Lineage, PracticeDetail
from web.context import actor_of, maybe_actor, services_of

PARIS = ZoneInfo("Europe/Paris")
NOTICES = {
    "demarree": "La pré-incubation est démarrée.",
    "enregistre": "C'est enregistré.",
    "interet": "Votre intérêt est enregistré dans l'historique de votre organisation.",
    "adoptee": "L'adoption est enregistrée dans l'historique de votre organisation.",
    "compte-rendu": "Votre compte rendu est enregistré.",
    "publiee": "La pratique est publiée.",
}
FIELD_REFUSALS = (Invalid, Conflict)  # shown beside the form; NotFound and Forbidden are error pages
STAGE_OPTIONS = [(key.value, label) for key, label in STAGE_LABELS.items()]
OUTCOME_OPTIONS = [(key.value, label) for key, label in OUTCOME_LABELS.items()]
REPORT_OPTIONS = [(key.value, label) for key, label in REPORT_OUTCOME_LABELS.items()]


def fr_day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(PARIS).date()
    return value.strftime("%d/%m/%Y")


def today_of(request: Request[Any, Any, Any]) -> date:
    return services_of(request).app.clock().astimezone(PARIS).date()


def reader(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.reader


def page(request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any) -> Template:
    context.setdefault("actor", maybe_actor(request))
    context.setdefault("errors", {})
    context.setdefault("problem", None)
    context.setdefault("notice", NOTICES.get(request.query_params.get("ok", "")))
    context.setdefault("command_id", uuid.uuid4().hex)
    context["fr_day"] = fr_day
    return Template(f"after_forum/{template}", context=context, status_code=status)


async def form_of(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def refusal(error: DomainError) -> dict[str, Any]:
    return {"errors": {error.field: error.message} if error.field else {}, "problem": error.message}


def _uuid(value: str | None, field: str) -> UUID:
    try:
        return UUID(value or "")
    except ValueError:
        raise Invalid("Identifiant invalide.", field=field, rule="invalid_id") from None


def _date(value: str | None, field: str) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise Invalid("Indiquez une date (jj/mm/aaaa).", field=field, rule="invalid_date") from None


def _int(value: str | None, field: str, default: int | None = None) -> int:
    if not value and default is not None:
        return default
    try:
        return int(value or "")
    except ValueError:
        raise Invalid("Indiquez un nombre entier.", field=field, rule="invalid_number") from None


def _hours(value: str | None) -> Decimal:
    try:
        return Decimal((value or "0").replace(",", ".").strip() or "0")
    except ArithmeticError:
        raise Invalid("Indiquez un nombre d'heures.", field="hours_per_week", rule="invalid_number") from None


def _euros_to_cents(value: str | None) -> int:
    text = (value or "0").replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        return round(float(text) * 100)
    except ValueError:
        raise Invalid("Indiquez un montant en euros.", field="budget_cents", rule="invalid_number") from None


def is_organiser(actor: Actor | None, organisation: str) -> bool:
    return actor is not None and (actor.is_admin or actor.has("organiser", organisation))


# -- the lineage picture -------------------------------------------------------------------------------------------

BOX_W, BOX_H, COL_W, ROW_H, PAD = 220, 46, 260, 62, 12


def _clip(text: str, length: int = 30) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def lineage_svg(lineage: Lineage, title: str, *, ids: str = "lignee") -> str:
    """The lineage as a picture: the publisher at the left, each adopter one column right of whom it adopted from.

    ``role="img"`` with a title and a description naming every link; the page lists the same as text.
    """
    rows = {n.organisation: i for i, n in enumerate(lineage.nodes)}
    depth = max((n.depth for n in lineage.nodes), default=0)
    width = PAD * 2 + depth * COL_W + BOX_W
    height = PAD * 2 + max(len(lineage.nodes), 1) * ROW_H - (ROW_H - BOX_H)
    described = "; ".join(
        f"{n.organisation_name} "
        + ("publie la pratique" if n.parent is None else f"({n.status_label}) depuis {_name(lineage, n.parent)}")
        for n in lineage.nodes
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{ids}-titre {ids}-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="lineage-svg">',
        f'<title id="{ids}-titre">Lignée de la pratique « {escape(title)} »</title>',
        f'<desc id="{ids}-desc">{escape(described)}</desc>',
        '<defs><marker id="' + ids + '-fleche" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#1b1b1f"/></marker></defs>',
    ]
    for node in lineage.nodes:
        if node.parent is None or node.parent not in rows:
            continue
        parent = lineage.nodes[rows[node.parent]]
        x1 = PAD + parent.depth * COL_W + BOX_W // 2
        y1 = PAD + rows[node.parent] * ROW_H + BOX_H
        x2 = PAD + node.depth * COL_W
        y2 = PAD + rows[node.organisation] * ROW_H + BOX_H // 2
        parts.append(
            f'<path d="M {x1} {y1} V {y2} H {x2}" fill="none" stroke="#1b1b1f" stroke-width="1.5" '
            f'marker-end="url(#{ids}-fleche)"/>'
        )
    for i, node in enumerate(lineage.nodes):
        x, y = PAD + node.depth * COL_W, PAD + i * ROW_H
        publisher = node.parent is None
        dashed = ' stroke-dasharray="6 4"' if node.status == "interested" else ""
        fill = "#1d4e89" if publisher else ("#f3f4f7" if node.status != "adopted" else "#ffffff")
        ink = "#ffffff" if publisher else "#1b1b1f"
        status = "publie la pratique" if publisher else node.status_label
        parts.append(
            f'<g><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" stroke="#1d4e89" '
            f'stroke-width="2"{dashed}/>'
            f'<text x="{x + 10}" y="{y + 19}" fill="{ink}" font-size="14" font-weight="700">'
            f"{escape(_clip(node.organisation_name))}</text>"
            f'<text x="{x + 10}" y="{y + 37}" fill="{ink}" font-size="13">{escape(status)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _name(lineage: Lineage, organisation: str) -> str:
    return next((n.organisation_name for n in lineage.nodes if n.organisation == organisation), organisation)


# -- pages ---------------------------------------------------------------------------------------------------------


class PracticePages(Controller):
    """The public practices, and the forms other organisations' organisers use to take them up."""

    include_in_schema = False

    @get("/pratiques")
    async def practices(
        self,
        request: Request[Any, Any, Any],
        *,
        q: FromQuery[str] = "",
        theme: FromQuery[str] = "",
        organisation: FromQuery[str] = "",
        stage: FromQuery[str] = "",
    ) -> Template:
        found = await practice_views.search_practices(
            reader(request), q=q, theme=theme, organisation=organisation, stage=stage
        )
        facets = await practice_views.facets(reader(request))
        filters = {"q": q, "theme": theme, "organisation": organisation, "stage": stage}
        return page(request, "practices.html", practices=found, facets=facets, filters=filters)

    async def _practice_page(
        self, request: Request[Any, Any, Any], practice_id: UUID, *, status: int = 200, **context: Any
    ) -> Template:
        actor = maybe_actor(request)
        viewer = actor.organisation if actor else None
        detail = await practice_views.get_practice(reader(request), practice_id, viewer_organisation=viewer)
        if detail is None:
            raise NotFound("Pratique introuvable.")
        mine = None
        if actor is not None and actor.organisation != detail.organisation:
            mine = next((n for n in detail.lineage.nodes if n.organisation == actor.organisation), None)
        return page(
            request,
            "practice.html",
            status=status,
            practice=detail,
            svg=Markup(lineage_svg(detail.lineage, detail.title)),  # noqa: S704 — built from escaped parts
            tree=_tree(detail),
            mine=mine,
            may_adopt=is_organiser(actor, actor.organisation) if actor else False,
            sources=[n for n in detail.lineage.nodes if n.status == "adopted" or n.parent is None],
            report_options=REPORT_OPTIONS,
            **context,
        )

    @get("/pratiques/{practice_id:uuid}")
    async def practice(self, request: Request[Any, Any, Any], practice_id: FromPath[UUID]) -> Template:
        return await self._practice_page(request, practice_id)

    @get("/pratiques/{practice_id:uuid}/lignee.svg")
    async def lineage_picture(self, request: Request[Any, Any, Any], practice_id: FromPath[UUID]) -> Response[str]:
        detail = await practice_views.get_practice(reader(request), practice_id)
        if detail is None:
            raise NotFound("Pratique introuvable.")
        return Response(lineage_svg(detail.lineage, detail.title), media_type="image/svg+xml")

    @post("/pratiques/{practice_id:uuid}/interet")
    async def declare(self, request: Request[Any, Any, Any], practice_id: FromPath[UUID]) -> Template | Redirect:
        actor, form = actor_of(request), await form_of(request)
        publisher = await practice_views.practice_publisher(reader(request), practice_id)
        if publisher is None:
            raise NotFound("Pratique introuvable.")
        adopt = form.get("adopt") == "oui"
        try:
            await sync_to_thread(
                lambda: af.declare_interest(
                    services_of(request).app, actor, form.get("command_id") or uuid.uuid4().hex,
                    organisation=actor.organisation, practice_id=practice_id, practice_organisation=str(publisher),
                    adopted_from=form.get("adopted_from") or None, note=form.get("note", ""), adopt=adopt,
                )
            )  # fmt: skip
        except FIELD_REFUSALS as error:
            return await self._practice_page(request, practice_id, status=error.status, **refusal(error))
        return await _back(request, f"/pratiques/{practice_id}", "adoptee" if adopt else "interet")

    @post("/pratiques/{practice_id:uuid}/adoption")
    async def adopt(self, request: Request[Any, Any, Any], practice_id: FromPath[UUID]) -> Template | Redirect:
        actor, form = actor_of(request), await form_of(request)
        try:
            await sync_to_thread(
                lambda: af.adopt_practice(
                    services_of(request).app, actor, form.get("command_id") or uuid.uuid4().hex,
                    organisation=actor.organisation, practice_id=practice_id, note=form.get("note", ""),
                )
            )  # fmt: skip
        except FIELD_REFUSALS as error:
            return await self._practice_page(request, practice_id, status=error.status, **refusal(error))
        return await _back(request, f"/pratiques/{practice_id}", "adoptee")

    @post("/pratiques/{practice_id:uuid}/compte-rendu")
    async def report(self, request: Request[Any, Any, Any], practice_id: FromPath[UUID]) -> Template | Redirect:
        actor, form = actor_of(request), await form_of(request)
        try:
            await sync_to_thread(
                lambda: af.report_adoption(
                    services_of(request).app, actor, form.get("command_id") or uuid.uuid4().hex,
                    organisation=actor.organisation, practice_id=practice_id, outcome=form.get("outcome", ""),
                    text=form.get("text", ""),
                )
            )  # fmt: skip
        except FIELD_REFUSALS as error:
            return await self._practice_page(request, practice_id, status=error.status, **refusal(error))
        return await _back(request, f"/pratiques/{practice_id}", "compte-rendu")


def _tree(detail: PracticeDetail) -> list[dict[str, Any]]:
    """The lineage as nested items, for the text alternative."""

    def children(organisation: str) -> list[dict[str, Any]]:
        return [{"node": n, "children": children(n.organisation)} for n in detail.lineage.children(organisation)]

    return [{"node": n, "children": children(n.organisation)} for n in detail.lineage.nodes if n.parent is None]


async def _back(request: Request[Any, Any, Any], target: str, notice: str) -> Redirect:
    """Back to the page once the read models show what was just written."""
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        statuses = await request.app.state.projector.status()
        if all(s.behind_events == 0 for s in statuses if s.projection in ("portfolio", "practices")):
            break
        await asyncio.sleep(0.02)
    return Redirect(f"{target}?ok={notice}", status_code=303)


class PortfolioPages(Controller):
    """The board, a project's path with its pre-incubation, a forum's funnel, convergent projects."""

    include_in_schema = False

    @get("/portefeuille")
    async def board(self, request: Request[Any, Any, Any], organisation: FromQuery[str] = "") -> Template:
        actor = actor_of(request)
        scope = af.portfolio_scope(actor)
        board = await portfolio_views.board(
            reader(request),
            today=today_of(request),
            everything=scope.everything,
            organisations=scope.organisations,
            host_organisations=scope.host_organisations,
            forum_ids=scope.forum_ids,
            partners=scope.partners,
            organisation=organisation or None,
        )
        forums = await portfolio_views.list_forums(reader(request), published_only=True)
        return page(request, "board.html", board=board, organisation=organisation, forums=forums)

    async def _path_page(
        self,
        request: Request[Any, Any, Any],
        organisation: str,
        project_id: UUID,
        *,
        status: int = 200,
        **context: Any,
    ) -> Template:
        actor = actor_of(request)
        path = await portfolio_views.project_path(reader(request), project_id, today=today_of(request))
        if path is None or path.organisation != organisation:
            raise NotFound("Projet introuvable.")
        af.require_project_path_reader(
            actor,
            organisation=organisation,
            forum_id=path.forum_id,
            forum_host=path.forum_host,
            partner=path.partner,
            team=path.team,
        )
        return page(
            request,
            "path.html",
            status=status,
            path=path,
            pre=path.pre_incubation,
            organiser=is_organiser(actor, organisation),
            stage_options=STAGE_OPTIONS,
            outcome_options=OUTCOME_OPTIONS,
            today=today_of(request),
            **context,
        )

    @get("/portefeuille/{organisation:str}/{project_id:uuid}")
    async def project_path(
        self, request: Request[Any, Any, Any], organisation: FromPath[str], project_id: FromPath[UUID]
    ) -> Template:
        return await self._path_page(request, organisation, project_id)

    @post("/portefeuille/{organisation:str}/{project_id:uuid}/{action:str}")
    async def act(
        self,
        request: Request[Any, Any, Any],
        organisation: FromPath[str],
        project_id: FromPath[UUID],
        action: FromPath[str],
    ) -> Template | Redirect:
        actor, form = actor_of(request), await form_of(request)
        command = ACTIONS.get(action)
        if command is None:
            raise NotFound("Action inconnue.")
        app = services_of(request).app
        cid = form.get("command_id") or uuid.uuid4().hex
        try:
            extra = await _extra(request, action, form)
            act = Act(app, actor, cid, organisation, project_id, form, extra)
            result = await sync_to_thread(lambda: command(act))
        except FIELD_REFUSALS as error:
            return await self._path_page(request, organisation, project_id, status=error.status, **refusal(error))
        if action == "pratique":
            return await _back(request, f"/pratiques/{result['practice_id']}", "publiee")
        return await _back(
            request, f"/portefeuille/{organisation}/{project_id}", "demarree" if action == "demarrer" else "enregistre"
        )

    @get("/forums/{forum_id:uuid}/entonnoir")
    async def funnel(self, request: Request[Any, Any, Any], forum_id: FromPath[UUID]) -> Template:
        funnel = await portfolio_views.funnel(reader(request), forum_id)
        if funnel is None:
            raise NotFound("Forum introuvable.")
        af.require_funnel_reader(maybe_actor(request), host=funnel.host, forum_id=forum_id, published=funnel.published)
        return page(request, "funnel.html", funnel=funnel)

    @get("/convergences")
    async def convergences(self, request: Request[Any, Any, Any]) -> Template:
        actor = actor_of(request)
        af.require_convergence_reader(actor, actor.organisation)
        groups = await convergences_for(reader(request), actor.organisation)
        return page(request, "convergences.html", groups=groups)


async def _extra(request: Request[Any, Any, Any], action: str, form: dict[str, str]) -> dict[str, Any]:
    """What a form needs from the read side: the host of the forum a laureate won at."""
    if action != "demarrer" or not form.get("forum_id"):
        return {}
    forum = await portfolio_views.forum_summary(reader(request), _uuid(form.get("forum_id"), "forum_id"))
    return {"forum_organisation": forum.host if forum else None}


@dataclass(frozen=True)
class Act:
    """A form posted on a project's path: who, which command id, which project, the fields."""

    app: Any
    actor: Actor
    cid: str
    org: str
    pid: UUID
    form: dict[str, str]
    extra: dict[str, Any]

    @property
    def common(self) -> dict[str, Any]:
        return {"organisation": self.org, "project_id": self.pid}


def _start(a: Act) -> Any:
    form, extra = a.form, a.extra
    laureate = bool(form.get("forum_id"))
    return af.start_pre_incubation(
        a.app,
        a.actor,
        a.cid,
        **a.common,
        reason="laureat" if laureate else "decision",
        decision=form.get("decision", ""),
        forum_id=_uuid(form.get("forum_id"), "forum_id") if laureate else None,
        forum_organisation=extra.get("forum_organisation"),
        sponsor=form.get("sponsor", ""),
        started_on=_date(form.get("started_on"), "started_on"),
        deadline=_date(form.get("deadline"), "deadline") if form.get("deadline") else None,
        hours_per_week=_hours(form.get("hours_per_week")),
        budget_cents=_euros_to_cents(form.get("budget_euros")),
        partner=form.get("partner") or None,
    )


def _share(a: Act) -> Any:
    form = a.form
    figures = []
    for i in range(3):
        label, value = form.get(f"figure_label_{i}", "").strip(), form.get(f"figure_value_{i}", "").strip()
        if label or value:
            figures.append({"label": label, "value": value.replace(",", "."), "unit": form.get(f"figure_unit_{i}", "")})
    sheet = af.sheet_of(
        title=form.get("title", ""),
        problem=form.get("problem", ""),
        what_was_done=form.get("what_was_done", ""),
        results=form.get("results", ""),
        resources=form.get("resources", ""),
        contact_role=form.get("contact_role", ""),
        reuse_conditions=form.get("reuse_conditions", ""),
        themes=[t.strip() for t in form.get("themes", "").split(",") if t.strip()],
        stage=form.get("stage", ""),
        figures=figures,
    )
    return af.share_practice(a.app, a.actor, a.cid, **a.common, sheet=sheet)


ACTIONS: dict[str, Any] = {
    "demarrer": _start,
    "pratique": _share,
    "jalon": lambda a: af.add_milestone(
        a.app, a.actor, a.cid, **a.common, title=a.form.get("title", ""), due=_date(a.form.get("due"), "due")
    ),
    "jalon-atteint": lambda a: af.complete_milestone(
        a.app, a.actor, a.cid, **a.common, number=_int(a.form.get("number"), "number"),
        completed_on=_date(a.form.get("completed_on"), "completed_on"),
    ),
    "stade": lambda a: af.change_stage(
        a.app, a.actor, a.cid, **a.common, stage=a.form.get("stage", ""), reason=a.form.get("reason", "")
    ),
    "vigilance": lambda a: af.raise_vigilance(
        a.app, a.actor, a.cid, **a.common, text=a.form.get("text", "")
    ),
    "vigilance-levee": lambda a: af.resolve_vigilance(
        a.app, a.actor, a.cid, **a.common, number=_int(a.form.get("number"), "number"),
        resolution=a.form.get("resolution", ""),
    ),
    "avancement": lambda a: af.note_progress(
        a.app, a.actor, a.cid, **a.common, text=a.form.get("text", "")
    ),
    "echeance": lambda a: af.extend_deadline(
        a.app, a.actor, a.cid, **a.common, deadline=_date(a.form.get("deadline"), "deadline"),
        reason=a.form.get("reason", ""),
    ),
    "issue": lambda a: af.record_outcome(
        a.app, a.actor, a.cid, **a.common, outcome=a.form.get("outcome", ""),
        owner=a.form.get("owner") or None, reason=a.form.get("reason") or None,
    ),
}  # fmt: skip
