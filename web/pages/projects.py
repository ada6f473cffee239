"""Pages of a project answering a call for ideas: the project, its edit form, its team's actions and the organisers'
decision, the comparison of its versions. No JavaScript needed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.errors import Forbidden, NotFound
from domain.values import Role
from forum.access import Actor
from forum.calls import PROJECT_NOT_FOUND
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
from web.api.projects import project_for, project_named
from web.commands import command_id_of, form_of, targets
from web.context import actor_of, reader
from web.pages.base import At, Form, On, now
from web.pages.calls import (
    PROJECT_FIELDS,
    PROJECTIONS,
    answers_of,
    may_organise,
    page,
    project_form_values,
    shown,
    submit,
    submitted_project_form,
)

ON_PROJECT = On(
    project_named, PROJECTIONS, base=lambda project: f"/projets/{project.organisation}/{project.project_id}"
)


def person_of(form: Form, on: At) -> dict[str, Any]:
    """The colleague the form names (none chosen: the command says so)."""
    return {"person": str(form.get("person", ""))}


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

    async def _refused(self, request: Request[Any, Any, Any], on: At, **refused: Any) -> Template:
        """The project's page again, with the refusal of one of its buttons."""
        project = on.target  # a ProjectRef, or the SubmissionRef of the decision: both name the project
        context = await self._context(request, actor_of(request), project.organisation, project.project_id)
        return page(request, "project.html", **context, **shown(refused))

    submit = ON_PROJECT.sends("/deposer", SubmitProject, then="", notice="depose", again=_refused)
    withdraw = ON_PROJECT.sends("/retirer", WithdrawProject, then="", notice="retire", again=_refused)
    invite = ON_PROJECT.sends("/inviter", InviteCoAuthor, fields=person_of, then="", notice="invite", again=_refused)
    withdraw_invitation = ON_PROJECT.sends(
        "/invitation/retirer",
        WithdrawInvitation,
        fields=person_of,
        then="",
        notice="invitation-retiree",
        again=_refused,
    )
    accept = ON_PROJECT.sends("/invitation/accepter", AcceptInvitation, then="", notice="accepte", again=_refused)
    decline = ON_PROJECT.sends(
        "/invitation/decliner", DeclineInvitation, then=lambda _: "/mes-projets", notice="decline", again=_refused
    )

    @post("/decision", dependencies=targets(project_named))
    async def decide(self, request: Request[Any, Any, Any], target: ProjectRef) -> Template | Redirect:
        """The organisers' decision on the project submitted to their call."""
        project, _ = await project_for(request, actor_of(request), target.organisation, target.project_id)
        submission = SubmissionRef(project.call_organisation, project.call_id, target.organisation, target.project_id)
        deciding = ON_PROJECT.sending(DecideProject, then="", notice="decision", again=ProjectPages._refused)
        return await deciding.run(self, request, At(submission, ON_PROJECT.base(target)), await form_of(request))

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
