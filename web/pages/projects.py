"""Pages of a project answering a call for ideas: the project, its edit form, its team's actions and the organisers'
decision, the comparison of its versions. No JavaScript needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.errors import Forbidden, NotFound
from domain.values import Role
from forum.access import Actor
from forum.calls import PROJECT_NOT_FOUND
from forum.pipeline import Command
from forum.projects import (
    AcceptInvitation,
    DecideProject,
    DeclineInvitation,
    EditProject,
    InviteCoAuthor,
    ProjectRef,
    SubmissionRef,
    SubmitProject,
    WithdrawInvitation,
    WithdrawProject,
)
from projections import calls as views
from projections.people import list_members
from web.api.projects import project_for
from web.commands import command_id_of, form_of
from web.context import actor_of
from web.pages.base import now, reader
from web.pages.calls import (
    PROJECT_ACTIONS,
    PROJECT_FIELDS,
    answers_of,
    may_organise,
    page,
    project_form_values,
    shown,
    submit,
    submitted_project_form,
)


class ProjectPages(Controller):
    include_in_schema = False
    path = "/projets/{organisation:str}/{project_id:uuid}"

    async def _context(
        self, request: Request[Any, Any, Any], actor: Actor, organisation: str, project_id: UUID
    ) -> dict[str, Any]:
        project, access = await project_for(request, actor, organisation, project_id)
        call = await views.get_call(reader(request), project.call_organisation, project.call_id, now(request))
        if call is None:  # pragma: no cover — a project's call is projected with it
            raise NotFound(PROJECT_NOT_FOUND)
        in_team = actor.person_id in project.members
        colleagues = []
        if in_team and project.status != "withdrawn":
            taken = {m.person for m in project.team}
            colleagues = [
                m
                for m in await list_members(reader(request), organisation)
                if m.status == "active" and m.role in (Role.AGENT, Role.ORGANISER) and m.person_id not in taken
            ]
        return {
            "project": project,
            "call": call,
            "access": access,
            "in_team": in_team,
            "invited": actor.person_id in project.invited,
            "colleagues": colleagues,
            "call_open": call.status == "opened",
            "may_decide": access in ("organiser", "admin")
            and may_organise(actor, project.call_organisation)
            and call.status == "closed"
            and project.status == "submitted",
            "base": f"/projets/{organisation}/{project_id}",
        }

    @get("/")
    async def show(
        self, request: Request[Any, Any, Any], organisation: FromPath[str], project_id: FromPath[UUID]
    ) -> Template:
        actor = actor_of(request)
        return page(request, "project.html", **await self._context(request, actor, organisation, project_id))

    @get("/modifier")
    async def edit_form(
        self, request: Request[Any, Any, Any], organisation: FromPath[str], project_id: FromPath[UUID]
    ) -> Template:
        actor = actor_of(request)
        context = await self._context(request, actor, organisation, project_id)
        if not (context["in_team"] or context["access"] == "admin"):
            raise Forbidden("Seuls l'auteur et les coauteurs du projet peuvent le modifier.", rule="team_only")
        return page(
            request,
            "answer.html",
            call=context["call"],
            project=context["project"],
            form=project_form_values(context["project"]),
            action=f"{context['base']}/modifier",
        )

    @post("/modifier")
    async def edit(
        self, request: Request[Any, Any, Any], organisation: FromPath[str], project_id: FromPath[UUID]
    ) -> Template | Redirect:
        actor = actor_of(request)
        context = await self._context(request, actor, organisation, project_id)
        call: views.CallView = context["call"]
        form = await form_of(request)
        return await submit(
            request,
            lambda: EditProject(
                command_id=command_id_of(form),
                **{name: str(form.get(name, "")) for name in PROJECT_FIELDS},
                answers=answers_of(form, call),
            ),
            ProjectRef(organisation, project_id),
            then=context["base"],
            notice="modifie",
            again=lambda refused: page(
                request,
                "answer.html",
                call=call,
                project=context["project"],
                action=f"{context['base']}/modifier",
                command_id=command_id_of(form),
                **shown(refused, submitted_project_form(form, call)),
            ),
        )

    @post([f"/{action}" for action in PROJECT_ACTIONS])
    async def act(
        self, request: Request[Any, Any, Any], organisation: FromPath[str], project_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Submit, withdraw, invite, take an invitation back, accept or decline one, decide (organisers)."""
        actor = actor_of(request)
        form = await form_of(request)
        cid, person, reason = command_id_of(form), str(form.get("person", "")), str(form.get("reason", ""))
        base = f"/projets/{organisation}/{project_id}"
        target: Any = ProjectRef(organisation, project_id)
        action = request.url.path.removeprefix(base).strip("/")
        then = base
        make: Callable[[], Command[Any]]
        if action == "deposer":
            make, notice = (lambda: SubmitProject(command_id=cid)), "depose"
        elif action == "retirer":
            make, notice = (lambda: WithdrawProject(command_id=cid, reason=reason)), "retire"
        elif action == "inviter":
            make, notice = (lambda: InviteCoAuthor(command_id=cid, person=person, organisation=organisation)), "invite"
        elif action == "invitation/retirer":
            make, notice = (lambda: WithdrawInvitation(command_id=cid, person=person)), "invitation-retiree"
        elif action == "invitation/accepter":
            make, notice = (lambda: AcceptInvitation(command_id=cid)), "accepte"
        elif action == "invitation/decliner":
            make, notice, then = (lambda: DeclineInvitation(command_id=cid)), "decline", "/mes-projets"
        elif action == "decision":
            project, _ = await project_for(request, actor, organisation, project_id)
            target = SubmissionRef(project.call_organisation, project.call_id, organisation, project_id)
            outcome = str(form.get("outcome", ""))
            make, notice = (lambda: DecideProject(command_id=cid, outcome=outcome, reason=reason)), "decision"
        else:
            raise NotFound("Cette page n'existe pas.")

        async def again(refused: dict[str, Any]) -> Template:
            context = await self._context(request, actor, organisation, project_id)
            return page(request, "project.html", **context, **shown(refused))

        return await submit(request, make, target, then=then, notice=notice, again=again)

    @get("/comparer")
    async def compare(
        self,
        request: Request[Any, Any, Any],
        organisation: FromPath[str],
        project_id: FromPath[UUID],
        avant: FromQuery[int] = 1,
        apres: FromQuery[int] = 2,
    ) -> Template:
        actor = actor_of(request)
        project, _ = await project_for(request, actor, organisation, project_id)
        comparison = views.compare_versions(project, avant, apres)
        if comparison is None:
            raise NotFound(f"Ce projet n'a pas de version {avant} et {apres}.")
        return page(
            request,
            "compare.html",
            project=project,
            comparison=comparison,
            base=f"/projets/{organisation}/{project_id}",
        )
