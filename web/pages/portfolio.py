"""The portfolio's pages: the board, a project's path with its pre-incubation forms, a forum's funnel, and
convergent projects. Every form goes through ``web.commands.submit``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.errors import Invalid, NotFound
from domain.pre_incubation import OUTCOME_LABELS, STAGE_LABELS
from domain.values import PARIS, parse_euros
from forum import portfolio as access
from forum.access import Actor
from forum.pipeline import Command
from forum.portfolio import OrganisationRef
from forum.practices import FigureIn, PublishNewPractice, SheetIn
from forum.pre_incubation import (
    AddMilestone,
    ChangeStage,
    CompleteMilestone,
    ExtendDeadline,
    NoteProgress,
    PreIncubationRef,
    RaiseVigilance,
    RecordOutcome,
    ResolveVigilance,
    StartPreIncubation,
)
from projections import portfolio as portfolio_views
from projections.convergence import convergences_for
from web.commands import command_id_of, form_of, submit
from web.context import actor_of, maybe_actor, reader
from web.pages import base

PROJECTIONS = ("portfolio", "practices")  # what these pages show: a redirect waits for them
NOTICES = {
    "demarree": "La pré-incubation est démarrée.",
    "enregistre": "C'est enregistré.",
    "interet": "Votre intérêt est enregistré dans l'historique de votre organisation.",
    "adoptee": "L'adoption est enregistrée dans l'historique de votre organisation.",
    "compte-rendu": "Votre compte rendu est enregistré.",
    "publiee": "La pratique est publiée.",
}
STAGE_OPTIONS = [(key.value, label) for key, label in STAGE_LABELS.items()]
OUTCOME_OPTIONS = [(key.value, label) for key, label in OUTCOME_LABELS.items()]


def today_of(request: Request[Any, Any, Any]) -> date:
    return base.now(request).astimezone(PARIS).date()


def page(request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any) -> Template:
    """A page of ``web/templates/after_forum/``."""
    return base.page(request, f"after_forum/{template}", NOTICES, status=status, **context)


def is_organiser(actor: Actor | None, organisation: str) -> bool:
    return actor is not None and (actor.is_admin or actor.has("organiser", organisation))


# -- reading what people typed -----------------------------------------------------------------------------------------


def text(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else (value[-1] if value else "")


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise Invalid("Identifiant invalide.", field=field, rule="invalid_id") from None


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("Indiquez une date (jj/mm/aaaa).", field=field, rule="invalid_date") from None


def _int(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Invalid("Indiquez un nombre entier.", field=field, rule="invalid_number") from None


def _hours(value: str) -> Decimal:
    try:
        return Decimal(value.replace(",", ".").strip() or "0")
    except ArithmeticError:
        raise Invalid("Indiquez un nombre d'heures.", field="hours_per_week", rule="invalid_number") from None


# -- the forms of a project's path -------------------------------------------------------------------------------------

Form = dict[str, Any]


def _start(form: Form, cid: str, project_id: UUID, host: str | None) -> StartPreIncubation:
    laureate = bool(text(form, "forum_id"))
    return StartPreIncubation(
        command_id=cid,
        project_id=project_id,
        reason="laureat" if laureate else "decision",
        decision=text(form, "decision"),
        forum_id=_uuid(text(form, "forum_id"), "forum_id") if laureate else None,
        forum_organisation=host,
        sponsor=text(form, "sponsor"),
        started_on=_date(text(form, "started_on"), "started_on"),
        deadline=_date(text(form, "deadline"), "deadline") if text(form, "deadline") else None,
        hours_per_week=_hours(text(form, "hours_per_week")),
        budget_cents=parse_euros(text(form, "budget_euros"), "budget_cents", default=0),
        partner=text(form, "partner") or None,
    )


def _figures(form: Form) -> list[FigureIn]:
    figures = []
    for i in range(3):
        label, value = text(form, f"figure_label_{i}").strip(), text(form, f"figure_value_{i}").strip()
        if label or value:
            try:
                number = Decimal(value.replace(",", "."))
            except ArithmeticError:
                raise Invalid(f"« {value} » n'est pas un nombre.", field="figures.value", rule="not_a_number") from None
            figures.append(FigureIn(label=label, value=number, unit=text(form, f"figure_unit_{i}")))
    return figures


def _share(form: Form, cid: str, practice_id: UUID, project_id: UUID) -> PublishNewPractice:
    sheet = SheetIn(
        title=text(form, "title"),
        problem=text(form, "problem"),
        what_was_done=text(form, "what_was_done"),
        results=text(form, "results"),
        resources=text(form, "resources"),
        contact_role=text(form, "contact_role"),
        reuse_conditions=text(form, "reuse_conditions"),
        themes=[t.strip() for t in text(form, "themes").split(",") if t.strip()],
        stage=text(form, "stage"),
        figures=_figures(form),
    )
    return PublishNewPractice(command_id=cid, project_id=project_id, sheet=sheet, practice_id=practice_id)


# Each form of a project's path: the command it sends to the project's pre-incubation.
ON_PATH: dict[str, Callable[[Form, str], Command[Any]]] = {
    "jalon": lambda f, cid: AddMilestone(
        command_id=cid, title=text(f, "title"), due=_date(text(f, "due"), "due")
    ),
    "jalon-atteint": lambda f, cid: CompleteMilestone(
        command_id=cid, number=_int(text(f, "number"), "number"),
        completed_on=_date(text(f, "completed_on"), "completed_on"),
    ),
    "stade": lambda f, cid: ChangeStage(command_id=cid, stage=text(f, "stage"), reason=text(f, "reason")),
    "vigilance": lambda f, cid: RaiseVigilance(command_id=cid, text=text(f, "text")),
    "vigilance-levee": lambda f, cid: ResolveVigilance(
        command_id=cid, number=_int(text(f, "number"), "number"), resolution=text(f, "resolution")
    ),
    "avancement": lambda f, cid: NoteProgress(command_id=cid, text=text(f, "text")),
    "echeance": lambda f, cid: ExtendDeadline(
        command_id=cid, deadline=_date(text(f, "deadline"), "deadline"), reason=text(f, "reason")
    ),
    "issue": lambda f, cid: RecordOutcome(
        command_id=cid, outcome=text(f, "outcome"), owner=text(f, "owner") or None, reason=text(f, "reason") or None
    ),
}  # fmt: skip
ACTIONS = {"demarrer", "pratique", *ON_PATH}


async def _forum_host(request: Request[Any, Any, Any], form: Form) -> str | None:
    """The host of the forum a laureate won at (read in the read models); a bad id is refused by the command."""
    try:
        forum_id = UUID(text(form, "forum_id"))
    except ValueError:
        return None
    forum = await portfolio_views.forum_summary(reader(request), forum_id)
    return forum.host if forum else None


class PortfolioPages(Controller):
    """The board, a project's path with its pre-incubation, a forum's funnel, convergent projects."""

    include_in_schema = False

    @get("/portefeuille")
    async def board(self, request: Request[Any, Any, Any], organisation: FromQuery[str] = "") -> Template:
        scope = access.portfolio_scope(actor_of(request))
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
        self, request: Request[Any, Any, Any], organisation: str, project_id: UUID, *, status: int = 200, **context: Any
    ) -> Template:
        actor = actor_of(request)
        path = await portfolio_views.project_path(reader(request), project_id, today=today_of(request))
        if path is None or path.organisation != organisation:
            raise NotFound("Projet introuvable.")
        access.require_project_path_reader(
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
        if action not in ACTIONS:
            raise NotFound("Action inconnue.")
        actor, form = actor_of(request), await form_of(request)
        cid = command_id_of(form)
        here = f"/portefeuille/{organisation}/{project_id}"
        make: Callable[[], Command[Any]]
        target: OrganisationRef | PreIncubationRef = OrganisationRef(organisation)
        then, notice = here, "enregistre"
        if action == "demarrer":
            host = await _forum_host(request, form) if text(form, "forum_id") else None
            make, notice = (lambda: _start(form, cid, project_id, host)), "demarree"
        elif action == "pratique":
            # the practice's id follows from the command's, so that the form sent again lands on the same practice
            practice_id = uuid.uuid5(uuid.NAMESPACE_URL, f"forum:practice:{organisation}:{actor.person_id}:{cid}")
            make, then, notice = (
                (lambda: _share(form, cid, practice_id, project_id)),
                f"/pratiques/{practice_id}",
                "publiee",
            )
        else:
            sends = ON_PATH[action]
            make, target = (lambda: sends(form, cid)), PreIncubationRef(organisation, project_id)
        return await submit(
            request,
            make,
            target,
            then=then,
            notice=notice,
            again=lambda refused: self._path_page(request, organisation, project_id, **refused),
            form=form,
            projections=PROJECTIONS,
        )

    @get("/forums/{forum_id:uuid}/entonnoir")
    async def funnel(self, request: Request[Any, Any, Any], forum_id: FromPath[UUID]) -> Template:
        funnel = await portfolio_views.funnel(reader(request), forum_id)
        if funnel is None:
            raise NotFound("Forum introuvable.")
        access.require_funnel_reader(
            maybe_actor(request), host=funnel.host, forum_id=forum_id, published=funnel.published
        )
        return page(request, "funnel.html", funnel=funnel)

    @get("/convergences")
    async def convergences(self, request: Request[Any, Any, Any]) -> Template:
        actor = actor_of(request)
        access.require_convergence_reader(actor, actor.organisation)
        groups = await convergences_for(reader(request), actor.organisation)
        return page(request, "convergences.html", groups=groups)
