"""Projects answering a call for ideas: the JSON API for their teams and their call's organisers.

Each command route is a path and one call: the body is the command of ``forum.projects``, on the project the URL
names (``ProjectRef``), carried out by ``forum.pipeline``. Reads come from the read models, with the same rights as
the commands. (Answering a call and deciding on a submission are routes of the call: ``web.api.calls``.)
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody, Parameter

from domain.errors import NotFound
from forum.access import Actor
from forum.calls import PROJECT_NOT_FOUND
from forum.projects import (
    AcceptInvitation,
    DeclineInvitation,
    EditProject,
    InviteCoAuthor,
    ProjectRef,
    ProjectResult,
    SubmitProject,
    WithdrawInvitation,
    WithdrawProject,
    project_access,
)
from projections import calls as views
from projections.calls import Comparison, ProjectView
from web.api.calls import now
from web.commands import command, targets
from web.context import actor_of, reader


async def project_for(
    request: Request[Any, Any, Any], actor: Actor, organisation: str, project_id: UUID
) -> tuple[ProjectView, str]:
    """The project and how ``actor`` sees it (``team``, ``organiser``, ``admin``), or NotFound / Forbidden."""
    location = await views.project_location(reader(request), organisation, project_id)
    if location is None:
        raise NotFound(PROJECT_NOT_FOUND)
    access = project_access(
        actor,
        organisation=organisation,
        call_organisation=location.call_organisation,
        team=location.members,
        invited=location.invited,
        submitted=location.submitted,
    )
    project = await views.get_project(
        reader(request), organisation, project_id, now(request), as_organiser=access in ("organiser", "admin")
    )
    if project is None:  # pragma: no cover — it was there a moment ago
        raise NotFound(PROJECT_NOT_FOUND)
    return project, access


ProjectOrganisation = Annotated[str, Parameter(description="the project's organisation: its author's")]


def project_named(organisation: ProjectOrganisation, project_id: FromPath[UUID]) -> ProjectRef:
    """The project the URL names: the target of its commands."""
    return ProjectRef(organisation, project_id)


class ProjectsApi(Controller):
    """A project: changed by its team, read by its team and, once submitted, by its call's organisers."""

    path = "/api/v1/projects/{organisation:str}/{project_id:uuid}"
    tags = ["projects"]
    dependencies = targets(project_named)

    @get("/", summary="A project, its team, history and versions (its team; its call's organisers once submitted)")
    async def show(
        self, request: Request[Any, Any, Any], organisation: ProjectOrganisation, project_id: FromPath[UUID]
    ) -> ProjectView:
        project, _ = await project_for(request, actor_of(request), organisation, project_id)
        return project

    @get("/compare", summary="What changed between two submitted versions")
    async def compare(
        self,
        request: Request[Any, Any, Any],
        organisation: ProjectOrganisation,
        project_id: FromPath[UUID],
        *,
        before: Annotated[int, Parameter(description="version number", ge=1)] = 1,
        after: Annotated[int, Parameter(description="version number", ge=1)] = 2,
    ) -> Comparison:
        project, _ = await project_for(request, actor_of(request), organisation, project_id)
        comparison = views.compare_versions(project, before, after)
        if comparison is None:
            raise NotFound(f"Ce projet n'a pas de version {before} et {after}.", rule="no_such_version")
        return comparison

    @patch("/", summary="Edit the project (its team, while the call is open)", sync_to_thread=True)
    def edit(self, request: Request[Any, Any, Any], target: ProjectRef, data: JSONBody[EditProject]) -> ProjectResult:
        return command(request, data, target)

    @post(
        "/submit",
        summary="Submit the drafted project (its team, while the call is open)",
        sync_to_thread=True,
        status_code=200,
    )
    def submit(
        self, request: Request[Any, Any, Any], target: ProjectRef, data: JSONBody[SubmitProject]
    ) -> ProjectResult:
        return command(request, data, target)

    @post("/withdraw", summary="Withdraw the project (its team)", sync_to_thread=True, status_code=200)
    def withdraw(
        self, request: Request[Any, Any, Any], target: ProjectRef, data: JSONBody[WithdrawProject]
    ) -> ProjectResult:
        return command(request, data, target)

    @post(
        "/invitations",
        summary="Invite a colleague of the same organisation to the team (its team)",
        sync_to_thread=True,
        status_code=200,
    )
    def invite(
        self, request: Request[Any, Any, Any], target: ProjectRef, data: JSONBody[InviteCoAuthor]
    ) -> ProjectResult:
        return command(request, data, target)

    @post(
        "/invitations/withdraw",
        summary="Take back a pending invitation (its team)",
        sync_to_thread=True,
        status_code=200,
    )
    def withdraw_invitation(
        self, request: Request[Any, Any, Any], target: ProjectRef, data: JSONBody[WithdrawInvitation]
    ) -> ProjectResult:
        return command(request, data, target)

    @post(
        "/invitation/accept",
        summary="Accept the invitation you received: join the team",
        sync_to_thread=True,
        status_code=200,
    )
    def accept(
        self, request: Request[Any, Any, Any], target: ProjectRef, data: JSONBody[AcceptInvitation]
    ) -> ProjectResult:
        return command(request, data, target)

    @post("/invitation/decline", summary="Decline the invitation you received", sync_to_thread=True, status_code=200)
    def decline(
        self, request: Request[Any, Any, Any], target: ProjectRef, data: JSONBody[DeclineInvitation]
    ) -> ProjectResult:
        return command(request, data, target)
