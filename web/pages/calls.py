"""Pages of calls for ideas: the organisers' calls, forms, submissions, figures and selection; the agents' open calls,
answer form, projects and notifications; the public announcement of a call. No JavaScript needed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.errors import DomainError, Invalid, NotFound
from domain.formatting import day, time_of_day
from domain.idea_call import QuestionKind
from domain.project import TITLE_MAX as PROJECT_TITLE_MAX
from domain.values import Role
from forum import calls
from forum.access import Actor
from forum.calls import (
    AmendCall,
    CallRef,
    CancelCall,
    CloseCall,
    DraftCall,
    OpenCall,
    OrganisationRef,
    PublishAnnouncement,
    QuestionIn,
    RecordSelection,
)
from forum.pipeline import Command
from forum.projects import DraftProject, answering
from projections import calls as views
from projections.notifications import notifications_for
from web import commands, formatting
from web.api.calls import call_for, organised_call
from web.commands import command_id_of, form_of, targets
from web.context import actor_of, reader
from web.pages import base
from web.pages import forums as forum_pages
from web.pages.base import At, On, now

NOTICES = {
    "appel-cree": "L'appel est enregistré.",
    "appel-ouvert": "L'appel est ouvert.",
    "appel-modifie": "La modification de l'appel est enregistrée.",
    "appel-clos": "L'appel est clos.",
    "appel-annule": "L'appel est annulé.",
    "annonce": "L'annonce de l'appel est publiée : sa page publique est en ligne.",
    "selection": "La sélection est arrêtée : chaque équipe en est informée.",
    "brouillon": "Votre brouillon est enregistré. Déposez-le avant la clôture de l'appel.",
    "depose": "Votre projet est déposé.",
    "modifie": "La modification est enregistrée.",
    "retire": "Le projet est retiré.",
    "invite": "L'invitation est envoyée.",
    "invitation-retiree": "L'invitation est retirée.",
    "accepte": "Vous faites désormais partie de l'équipe.",
    "decline": "Vous avez décliné l'invitation.",
    "decision": "La décision est enregistrée. L'équipe la connaîtra quand la sélection sera arrêtée.",
}
PROJECTIONS = ("calls", "notifications")  # what the calls pages show, settled before a redirect
NEW_QUESTION_ROWS = 3
KIND_LABELS = {
    QuestionKind.SHORT_TEXT: "Texte court",
    QuestionKind.LONG_TEXT: "Texte long",
    QuestionKind.SINGLE_CHOICE: "Choix unique",
    QuestionKind.MULTIPLE_CHOICE: "Choix multiples",
}
STATUS_FILTERS = (
    ("", "Tous"),
    ("submitted", "Déposés"),
    ("undecided", "Sans décision"),
    ("selected", "Retenus"),
    ("not_selected", "Non retenus"),
    ("withdrawn", "Retirés"),
)
CALL = "/appels/{organisation:str}/{call_id:uuid}"  # where a call's pages are
PROJECT_FIELDS = ("title", "problem", "solution", "benefits_users", "benefits_agents", "category", "theme")


# -- helpers ---------------------------------------------------------------------------------------------------------


def page(request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any) -> Template:
    """A page of ``web/templates/calls/`` with the labels its templates name."""
    context.update(
        status_labels=views.STATUS_LABELS,
        decision_labels=views.DECISION_LABELS,
        kind_labels=KIND_LABELS,
        field_label=views.field_label,
        title_max=PROJECT_TITLE_MAX,
    )
    return base.page(request, f"calls/{template}", NOTICES, status=status, **context)


async def submit(
    request: Request[Any, Any, Any],
    make: Callable[[], Command[Any]],
    target: Any,
    *,
    again: Callable[[dict[str, Any]], Template | Awaitable[Template]],
    **options: Any,
) -> Template | Redirect:
    """A calls page's command (``web.commands.submit``, settled on the calls' read models); ``again`` draws the page
    again beside a refusal (a template, or one to await)."""

    async def redraw(refused: dict[str, Any]) -> Template:
        drawn = again(refused)
        return drawn if isinstance(drawn, Template) else await drawn

    return await commands.submit(request, make, target, again=redraw, projections=PROJECTIONS, **options)


def shown(refused: dict[str, Any], form: dict[str, Any] | None = None) -> dict[str, Any]:
    """A refusal as the calls templates show it: beside its field, with the form as typed (``form``)."""
    return {"errors": refused["errors"], "problem": refused["problem"], "status": refused["status"]} | (
        {"form": form} if form is not None else {}
    )


def lines(value: Any) -> list[str]:
    """A textarea's lines, trimmed, the empty ones left out."""
    text = value if isinstance(value, str) else "\n".join(value or [])
    return [line.strip() for line in text.splitlines() if line.strip()]


def slugs(value: Any) -> list[str]:
    text = value if isinstance(value, str) else " ".join(value or [])
    return [part.strip() for part in re.split(r"[,\s;]+", text) if part.strip()]


def moment(form: dict[str, Any], name: str) -> datetime:
    """A date and a time typed as people read them in Paris (``opens_at`` from ``opens_date`` and ``opens_time``)."""
    return forum_pages.moment(form, name.removesuffix("_at"), name)


def question_key(label: str, taken: set[str]) -> str:
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_label).strip("_")[:30] or "question"
    if not base[0].isalpha():
        base = f"q_{base}"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def questions_of(form: dict[str, Any]) -> list[dict[str, Any]]:
    """The question rows of the call form: existing ones keep their key, new ones get one from their label."""
    rows = []
    indexes = sorted({int(m.group(1)) for key in form if (m := re.match(r"^q(\d+)_label$", key))})
    taken = {str(form.get(f"q{i}_key")) for i in indexes if form.get(f"q{i}_key")}
    for i in indexes:
        label = str(form.get(f"q{i}_label", "")).strip()
        if not label:
            continue
        kind = str(form.get(f"q{i}_kind", QuestionKind.SHORT_TEXT))
        max_length = str(form.get(f"q{i}_max_length", "")).strip()
        choices = lines(form.get(f"q{i}_choices", ""))
        rows.append(
            {
                "key": str(form.get(f"q{i}_key") or question_key(label, taken)),
                "label": label,
                "kind": kind,
                "required": bool(form.get(f"q{i}_required")),
                "max_length": int(max_length) if max_length.isdigit() and kind in ("short_text", "long_text") else None,
                "choices": choices if kind in ("single_choice", "multiple_choice") else [],
            }
        )
    return rows


def call_form_values(call: views.CallView | None) -> dict[str, Any]:
    """The call form as it starts: empty for a new call, the call's values for an amendment."""
    if call is None:
        empty = dict.fromkeys(
            ("title", "description", "themes", "categories", "partners", "opens_date", "closes_date"), ""
        )
        return empty | {"max_team_size": 5, "opens_time": "00:00", "closes_time": "23:59", "questions": []}
    return {
        "title": call.title,
        "description": call.description,
        "themes": "\n".join(call.themes),
        "categories": "\n".join(call.categories),
        "partners": ", ".join(call.eligible_partners),
        "max_team_size": call.max_team_size,
        "opens_date": formatting.day_input(call.opens_at),
        "opens_time": time_of_day(call.opens_at),
        "closes_date": formatting.day_input(call.closes_at),
        "closes_time": time_of_day(call.closes_at),
        "questions": [
            {**{f: getattr(q, f) for f in q.__struct_fields__}, "choices": "\n".join(q.choices)} for q in call.questions
        ],
    }


def submitted_call_form(form: dict[str, Any]) -> dict[str, Any]:
    """The call form as the organiser sent it, to show it again beside a refusal."""
    return {
        **{name: form.get(name, "") for name in ("title", "description", "themes", "categories", "partners")},
        "max_team_size": form.get("max_team_size", ""),
        **{name: form.get(name, "") for name in ("opens_date", "opens_time", "closes_date", "closes_time")},
        "questions": [{**q, "choices": "\n".join(q["choices"])} for q in questions_of(form)],
    }


def team_size(form: dict[str, Any]) -> int:
    value = str(form.get("max_team_size", "")).strip()
    if not value.isdigit():
        raise Invalid("Indiquez un nombre de personnes.", field="max_team_size", rule="not_a_number")
    return int(value)


def answers_of(form: dict[str, Any], call: views.CallView) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in call.questions:
        name = f"answer_{q.key}"
        if q.kind == QuestionKind.MULTIPLE_CHOICE:
            value = form.get(name, [])
            answers[q.key] = [value] if isinstance(value, str) and value else list(value or [])
        else:
            answers[q.key] = str(form.get(name, ""))
    return answers


def project_form_values(project: views.ProjectView | None) -> dict[str, Any]:
    if project is None:
        return {name: "" for name in PROJECT_FIELDS} | {"answers": {}}
    return {name: getattr(project, name) or "" for name in PROJECT_FIELDS} | {"answers": project.answers}


def submitted_project_form(form: dict[str, Any], call: views.CallView) -> dict[str, Any]:
    return {name: form.get(name, "") for name in PROJECT_FIELDS} | {"answers": answers_of(form, call)}


def call_page_named(organisation: FromPath[str], call_id: FromPath[UUID]) -> CallRef:
    """The call a page's URL names: the target of its commands."""
    return CallRef(organisation, call_id)


ON_CALL_PAGE = On(call_page_named, PROJECTIONS, base=lambda call: f"/appels/{call.organisation}/{call.call_id}")


def may_organise(actor: Actor | None, organisation: str) -> bool:
    return actor is not None and (actor.is_admin or actor.has(Role.ORGANISER, organisation))


# -- the organisers' pages ---------------------------------------------------------------------------------------------


class CallPages(Controller):
    include_in_schema = False

    @get("/appels")
    async def open_calls(self, request: Request[Any, Any, Any]) -> Template:
        actor = actor_of(request)
        found = await views.open_calls_for(reader(request), actor.organisation, now(request))
        reads_calls = actor.is_admin or any(role in actor.roles for role in calls.READING_CALLS)
        return page(request, "open_calls.html", calls=found, now=now(request), reads_calls=reads_calls)

    @get("/organisations/{slug:str}/appels")
    async def organisation_calls(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
        actor, organisation = actor_of(request), slug
        calls.require_call_reader(actor, organisation)
        found = await views.list_calls(reader(request), organisation, now(request))
        return page(
            request, "list.html", calls=found, organisation=organisation, organiser=may_organise(actor, organisation)
        )

    @get("/organisations/{slug:str}/appels/nouveau")
    async def new_call(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
        organisation = slug
        calls.require_organiser(actor_of(request), organisation)
        return page(
            request,
            "form.html",
            organisation=organisation,
            call=None,
            form=call_form_values(None),
            new_rows=NEW_QUESTION_ROWS,
            action=f"/organisations/{organisation}/appels",
        )

    @post("/organisations/{slug:str}/appels")
    async def create_call(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Template | Redirect:
        actor, organisation = actor_of(request), slug
        calls.require_organiser(actor, organisation)
        form = await form_of(request)
        cid = command_id_of(form)

        def make() -> DraftCall:
            return DraftCall(
                command_id=cid,
                title=str(form.get("title", "")),
                description=str(form.get("description", "")),
                themes=lines(form.get("themes")),
                categories=lines(form.get("categories")),
                opens_at=moment(form, "opens_at"),
                closes_at=moment(form, "closes_at"),
                eligible_partners=slugs(form.get("partners")),
                questions=[QuestionIn(**q) for q in questions_of(form)],
                max_team_size=team_size(form),
                open=form.get("open_now") == "oui",
            )

        return await submit(
            request,
            make,
            OrganisationRef(organisation),
            then=f"/appels/{organisation}/{calls.new_id('call', organisation, actor, cid)}",
            notice="appel-cree",
            again=lambda refused: page(
                request,
                "form.html",
                organisation=organisation,
                call=None,
                new_rows=NEW_QUESTION_ROWS,
                action=f"/organisations/{organisation}/appels",
                command_id=cid,
                **shown(refused, submitted_call_form(form)),
            ),
        )

    @get("/appels/{organisation:str}/{call_id:uuid}")
    async def show(
        self, request: Request[Any, Any, Any], organisation: FromPath[str], call_id: FromPath[UUID]
    ) -> Template:
        return await self._show(request, organisation, call_id)

    async def _show(self, request: Request[Any, Any, Any], organisation: str, call_id: UUID, **extra: Any) -> Template:
        actor = actor_of(request)
        call = await call_for(request, actor, organisation, call_id)
        organiser = may_organise(actor, organisation)
        may_answer = False
        try:
            calls.answering_role(
                actor,
                organisation=organisation,
                eligible_partners=call.eligible_partners,
                opened=call.opened_at is not None,
            )
            may_answer = call.status == "opened" and not actor.is_admin
        except DomainError:
            may_answer = False
        reads_submissions = organiser or (actor.organisation == organisation and Role.AUDITOR in actor.roles)
        undecided = 0
        if reads_submissions:
            undecided = len(await views.list_submissions(reader(request), call.id, status="undecided"))
        return page(
            request,
            "show.html",
            call=call,
            organiser=organiser,
            reads_submissions=reads_submissions,
            may_answer=may_answer,
            undecided=undecided,
            now=now(request),
            **extra,
        )

    @get("/appels/{organisation:str}/{call_id:uuid}/modifier")
    async def amend_form(
        self, request: Request[Any, Any, Any], organisation: FromPath[str], call_id: FromPath[UUID]
    ) -> Template:
        actor = actor_of(request)
        calls.require_organiser(actor, organisation)
        call = await organised_call(request, actor, organisation, call_id)
        return page(
            request,
            "form.html",
            organisation=organisation,
            call=call,
            form=call_form_values(call),
            new_rows=NEW_QUESTION_ROWS,
            action=f"/appels/{organisation}/{call.id}/modifier",
        )

    @post("/appels/{organisation:str}/{call_id:uuid}/modifier")
    async def amend(
        self, request: Request[Any, Any, Any], organisation: FromPath[str], call_id: FromPath[UUID]
    ) -> Template | Redirect:
        actor = actor_of(request)
        calls.require_organiser(actor, organisation)
        call = await organised_call(request, actor, organisation, call_id)
        form = await form_of(request)

        def make() -> AmendCall:
            opens_at = moment(form, "opens_at")
            return AmendCall(
                command_id=command_id_of(form),
                reason=str(form.get("reason", "")),
                title=str(form.get("title", "")),
                description=str(form.get("description", "")),
                themes=lines(form.get("themes")),
                categories=lines(form.get("categories")),
                # an unchanged opening is no change (and may no longer move once begun)
                opens_at=None if opens_at == call.opens_at else opens_at,
                closes_at=moment(form, "closes_at"),
                eligible_partners=slugs(form.get("partners")),
                questions=[QuestionIn(**q) for q in questions_of(form)],
                max_team_size=team_size(form),
            )

        return await submit(
            request,
            make,
            CallRef(organisation, call_id),
            then=f"/appels/{organisation}/{call_id}",
            notice="appel-modifie",
            again=lambda refused: page(
                request,
                "form.html",
                organisation=organisation,
                call=call,
                new_rows=NEW_QUESTION_ROWS,
                action=f"/appels/{organisation}/{call.id}/modifier",
                command_id=command_id_of(form),
                **shown(refused, submitted_call_form(form) | {"reason": form.get("reason", "")}),
            ),
        )

    async def _refused(self, request: Request[Any, Any, Any], on: At, **refused: Any) -> Template:
        """The call's page again, with the refusal of one of its buttons."""
        return await self._show(request, on.target.organisation, on.target.call_id, **shown(refused))

    open = ON_CALL_PAGE.sends(f"{CALL}/ouvrir", OpenCall, then="", notice="appel-ouvert", again=_refused)
    close = ON_CALL_PAGE.sends(f"{CALL}/clore", CloseCall, then="", notice="appel-clos", again=_refused)
    cancel = ON_CALL_PAGE.sends(f"{CALL}/annuler", CancelCall, then="", notice="appel-annule", again=_refused)
    announce = ON_CALL_PAGE.sends(f"{CALL}/annoncer", PublishAnnouncement, then="", notice="annonce", again=_refused)

    @post(f"{CALL}/selection", dependencies=targets(call_page_named))
    async def record_selection(self, request: Request[Any, Any, Any], target: CallRef) -> Template | Redirect:
        """Record the selection: every project submitted to the call, as the organisers decided on it."""
        call = await organised_call(request, actor_of(request), target.organisation, target.call_id)
        submitted = await views.list_submissions(reader(request), call.id, status="submitted")
        projects = [(s.organisation, s.id) for s in submitted]
        selecting = ON_CALL_PAGE.sending(
            RecordSelection,
            then="",
            notice="selection",
            again=CallPages._refused,
            fields=lambda form, on: {"projects": projects},
        )
        return await selecting.run(self, request, ON_CALL_PAGE.at(target), await form_of(request))

    @get("/appels/{organisation:str}/{call_id:uuid}/projets")
    async def submissions(
        self,
        request: Request[Any, Any, Any],
        organisation: FromPath[str],
        call_id: FromPath[UUID],
        *,
        statut: FromQuery[str] = "",
        categorie: FromQuery[str] = "",
        theme: FromQuery[str] = "",
    ) -> Template:
        actor = actor_of(request)
        call = await organised_call(request, actor, organisation, call_id)
        found = await views.list_submissions(
            reader(request), call.id, status=statut or None, category=categorie or None, theme=theme or None
        )
        query = "&".join(f"{k}={v}" for k, v in (("status", statut), ("category", categorie), ("theme", theme)) if v)
        undecided = await views.list_submissions(reader(request), call.id, status="undecided")
        return page(
            request,
            "submissions.html",
            call=call,
            submissions=found,
            filters={"statut": statut, "categorie": categorie, "theme": theme},
            status_filters=STATUS_FILTERS,
            csv_link=f"/appels/{organisation}/{call.id}/projets.csv" + (f"?{query}" if query else ""),
            organiser=may_organise(actor, organisation),
            undecided=len(undecided),
        )

    @get("/appels/{organisation:str}/{call_id:uuid}/projets.csv")
    async def submissions_csv(
        self,
        request: Request[Any, Any, Any],
        organisation: FromPath[str],
        call_id: FromPath[UUID],
        *,
        status: FromQuery[str] = "",
        category: FromQuery[str] = "",
        theme: FromQuery[str] = "",
    ) -> Response[str]:
        call = await organised_call(request, actor_of(request), organisation, call_id)
        rows = await views.list_submissions(
            reader(request), call.id, status=status or None, category=category or None, theme=theme or None
        )
        return Response(
            views.submissions_csv(call, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="appel-{organisation}-{call.id}.csv"'},
        )

    @get("/appels/{organisation:str}/{call_id:uuid}/chiffres")
    async def figures(
        self, request: Request[Any, Any, Any], organisation: FromPath[str], call_id: FromPath[UUID]
    ) -> Template:
        call = await organised_call(request, actor_of(request), organisation, call_id)
        figures = await views.call_figures(reader(request), call)
        top = max(
            [c.count for c in (*figures.by_category, *figures.by_theme)] + [d.count for d in figures.by_day] or [0]
        )
        rows = {
            "category": [(c.label, c.count) for c in figures.by_category],
            "theme": [(c.label, c.count) for c in figures.by_theme],
            "day": [(day(d.day), d.count) for d in figures.by_day],
        }
        return page(request, "figures.html", call=call, figures=figures, rows=rows, top=max(top, 1))

    # -- answering ----------------------------------------------------------------------------------------------------

    @get("/appels/{organisation:str}/{call_id:uuid}/repondre")
    async def answer_form(
        self, request: Request[Any, Any, Any], organisation: FromPath[str], call_id: FromPath[UUID]
    ) -> Template:
        actor = actor_of(request)
        call = await call_for(request, actor, organisation, call_id)
        calls.answering_role(
            actor,
            organisation=organisation,
            eligible_partners=call.eligible_partners,
            opened=call.opened_at is not None,
        )
        return page(
            request,
            "answer.html",
            call=call,
            project=None,
            form=project_form_values(None),
            action=f"/appels/{organisation}/{call.id}/repondre",
        )

    @post("/appels/{organisation:str}/{call_id:uuid}/repondre")
    async def answer(
        self, request: Request[Any, Any, Any], organisation: FromPath[str], call_id: FromPath[UUID]
    ) -> Template | Redirect:
        actor = actor_of(request)
        call = await call_for(request, actor, organisation, call_id)
        form = await form_of(request)
        cid, submitting = command_id_of(form), form.get("action") == "submit"
        target = answering(actor, CallRef(organisation, call_id))
        return await submit(
            request,
            lambda: DraftProject(
                command_id=cid,
                **{name: str(form.get(name, "")) for name in PROJECT_FIELDS if name not in ("category", "theme")},
                category=str(form.get("category", "")) or None,
                theme=str(form.get("theme", "")) or None,
                answers=answers_of(form, call),
                submit=submitting,
            ),
            target,
            then=f"/projets/{target.organisation}/{calls.new_id('project', target.organisation, actor, cid)}",
            notice="depose" if submitting else "brouillon",
            again=lambda refused: page(
                request,
                "answer.html",
                call=call,
                project=None,
                action=f"/appels/{organisation}/{call.id}/repondre",
                command_id=cid,
                **shown(refused, submitted_project_form(form, call)),
            ),
        )


# -- the agent's own pages, and the public ones ------------------------------------------------------------------------


class MyPages(Controller):
    include_in_schema = False

    @get("/mes-projets")
    async def my_projects(self, request: Request[Any, Any, Any]) -> Template:
        actor = actor_of(request)
        projects = await views.my_projects(reader(request), actor.person_id, actor.organisation, now(request))
        return page(request, "my_projects.html", projects=projects)

    @get("/notifications")
    async def notifications(self, request: Request[Any, Any, Any]) -> Template:
        actor = actor_of(request)
        found = await notifications_for(reader(request), actor.person_id, actor.organisation)
        return page(request, "notifications.html", notifications=found)

    @get("/annonces")
    async def announcements(self, request: Request[Any, Any, Any]) -> Template:
        return page(
            request, "announcements.html", announcements=await views.list_announcements(reader(request), now(request))
        )

    @get("/annonces/{organisation:str}/{call_id:uuid}")
    async def announcement(
        self, request: Request[Any, Any, Any], organisation: FromPath[str], call_id: FromPath[UUID]
    ) -> Template:
        found = await views.get_announcement(reader(request), organisation, call_id, now(request))
        if found is None:
            raise NotFound(calls.CALL_NOT_FOUND)
        return page(request, "announcement.html", announcement=found)
