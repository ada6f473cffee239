"""Calls for ideas and their projects: the JSON API for organisers, agents and the public.

Every command carries a client-chosen ``command_id``: sending it again returns the first answer and records
nothing new. Times are ISO 8601 with an offset (Europe/Paris is how people read them); the closing time is checked
against the server's clock. Lists read the projections, which follow the commands within a moment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, post
from litestar.concurrency import sync_to_thread
from litestar.params import FromPath, JSONBody, Parameter

from domain.errors import Forbidden, NotFound
from forum import calls
from forum.access import Actor
from forum.calls import (
    AmendCall,
    CallRef,
    CallResult,
    CancelCall,
    CloseCall,
    DraftCall,
    OpenCall,
    OrganisationRef,
    PublishAnnouncement,
    RecordSelection,
    Selection,
)
from forum.projects import Decide, DraftProject, ProjectResult, answering
from projections import calls as views
from projections.calls import (
    Announcement,
    CallView,
    Figures,
    ProjectView,
    Submission,
)
from projections.notifications import Notification, notifications_for
from web.commands import command, targets, with_path
from web.context import actor_of, reader, services_of
from web.openapi import PUBLIC

# -- reading with the same rights as the commands ---------------------------------------------------------------------


def now(request: Request[Any, Any, Any]) -> datetime:
    """The server's time (the application's clock): what "open" and "closed" mean."""
    return services_of(request).app.clock()


async def call_for(request: Request[Any, Any, Any], actor: Actor, organisation: str, call_id: UUID) -> CallView:
    """The call, if ``actor`` may read it: its organisers and auditors always, the agents it is open to once it is
    opened; another organisation's (or a missing) call is not found."""
    call = await views.get_call(reader(request), organisation, call_id, now(request))
    if call is None:
        raise NotFound(calls.CALL_NOT_FOUND)
    if not calls.may_see_call(
        actor, organisation=organisation, eligible_partners=call.eligible_partners, opened=call.opened_at is not None
    ):
        if actor.organisation == organisation:
            raise Forbidden("Cet appel n'est pas encore ouvert.", rule="call_not_open")
        raise NotFound(calls.CALL_NOT_FOUND)
    return call


async def organised_call(request: Request[Any, Any, Any], actor: Actor, organisation: str, call_id: UUID) -> CallView:
    """The call as its organisers (and auditors) read it, with what only they see."""
    calls.require_call_reader(actor, organisation)
    call = await views.get_call(reader(request), organisation, call_id, now(request))
    if call is None:
        raise NotFound(calls.CALL_NOT_FOUND)
    return call


# -- the controllers ---------------------------------------------------------------------------------------------------

OrganisationPath = Annotated[str, Parameter(description="the organisation running the call")]
CategoryFilter = Annotated[str | None, Parameter(description="one of the call's categories")]
ThemeFilter = Annotated[str | None, Parameter(description="one of the call's themes")]
StatusFilter = Annotated[str | None, Parameter(description="submitted, withdrawn, selected, not_selected or undecided")]


def call_named(slug: OrganisationPath, call_id: FromPath[UUID]) -> CallRef:
    """The call the URL names: the target of its commands."""
    return CallRef(slug, call_id)


class CallsApi(Controller):
    """A call for ideas of one organisation: run by its organisers, answered by the agents it is open to."""

    path = "/api/v1/organisations/{slug:str}/calls"
    tags = ["calls"]
    dependencies = targets(call_named)

    @get("/", summary="The organisation's calls (its organisers and auditors)")
    async def list_calls(self, request: Request[Any, Any, Any], slug: OrganisationPath) -> list[CallView]:
        calls.require_call_reader(actor_of(request), slug)
        return await views.list_calls(reader(request), slug, now(request))

    @post("/", summary="Draft a call (organisers)", sync_to_thread=True, status_code=201)
    def draft(self, request: Request[Any, Any, Any], slug: OrganisationPath, data: JSONBody[DraftCall]) -> CallResult:
        return command(request, data, OrganisationRef(slug))

    @get("/{call_id:uuid}", summary="One call (organisers and auditors; once opened, the agents it is open to)")
    async def show(self, request: Request[Any, Any, Any], slug: OrganisationPath, call_id: FromPath[UUID]) -> CallView:
        return await call_for(request, actor_of(request), slug, call_id)

    @patch("/{call_id:uuid}", summary="Amend a call (organisers)", sync_to_thread=True)
    def amend(self, request: Request[Any, Any, Any], target: CallRef, data: JSONBody[AmendCall]) -> CallResult:
        return command(request, data, target)

    @post("/{call_id:uuid}/open", summary="Open a call (organisers)", sync_to_thread=True, status_code=200)
    def open(self, request: Request[Any, Any, Any], target: CallRef, data: JSONBody[OpenCall]) -> CallResult:
        return command(request, data, target)

    @post("/{call_id:uuid}/close", summary="Close a call now (organisers)", sync_to_thread=True, status_code=200)
    def close(self, request: Request[Any, Any, Any], target: CallRef, data: JSONBody[CloseCall]) -> CallResult:
        return command(request, data, target)

    @post(
        "/{call_id:uuid}/cancel",
        summary="Cancel a call, with a reason (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def cancel(self, request: Request[Any, Any, Any], target: CallRef, data: JSONBody[CancelCall]) -> CallResult:
        return command(request, data, target)

    @post(
        "/{call_id:uuid}/announcement",
        summary="Publish the call's public announcement (organisers); its projects stay private",
        sync_to_thread=True,
        status_code=200,
    )
    def announce(
        self, request: Request[Any, Any, Any], target: CallRef, data: JSONBody[PublishAnnouncement]
    ) -> CallResult:
        return command(request, data, target)

    @get("/{call_id:uuid}/submissions", summary="The projects submitted to a call, filtered (organisers, auditors)")
    async def submissions(
        self,
        request: Request[Any, Any, Any],
        slug: OrganisationPath,
        call_id: FromPath[UUID],
        *,
        status: StatusFilter = None,
        category: CategoryFilter = None,
        theme: ThemeFilter = None,
    ) -> list[Submission]:
        call = await organised_call(request, actor_of(request), slug, call_id)
        return await views.list_submissions(reader(request), call.id, status=status, category=category, theme=theme)

    @get(
        "/{call_id:uuid}/submissions.csv",
        summary="The submissions as CSV for a spreadsheet (semicolons, UTF-8), same filters (organisers, auditors)",
        media_type="text/csv",
    )
    async def submissions_csv(
        self,
        request: Request[Any, Any, Any],
        slug: OrganisationPath,
        call_id: FromPath[UUID],
        *,
        status: StatusFilter = None,
        category: CategoryFilter = None,
        theme: ThemeFilter = None,
    ) -> Response[str]:
        call = await organised_call(request, actor_of(request), slug, call_id)
        rows = await views.list_submissions(reader(request), call.id, status=status, category=category, theme=theme)
        return Response(
            views.submissions_csv(call, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="appel-{slug}-{call.id}.csv"'},
        )

    @get("/{call_id:uuid}/figures", summary="Submissions per category, theme and day (organisers, auditors)")
    async def figures(
        self, request: Request[Any, Any, Any], slug: OrganisationPath, call_id: FromPath[UUID]
    ) -> Figures:
        call = await organised_call(request, actor_of(request), slug, call_id)
        return await views.call_figures(reader(request), call)

    @post(
        "/{call_id:uuid}/decisions",
        summary="Select a submitted project or not, with a reason (organisers, after the closing)",
        sync_to_thread=True,
        status_code=200,
    )
    def decide(self, request: Request[Any, Any, Any], target: CallRef, data: JSONBody[Decide]) -> ProjectResult:
        return command(request, *data.on(target))

    @post(
        "/{call_id:uuid}/selection",
        summary="Record the local selection: every submitted project must have a decision; teams then learn theirs",
        status_code=200,
    )
    async def record_selection(
        self,
        request: Request[Any, Any, Any],
        target: CallRef,
        slug: OrganisationPath,
        call_id: FromPath[UUID],
        data: JSONBody[Selection],
    ) -> CallResult:
        call = await organised_call(request, actor_of(request), slug, call_id)
        submitted = await views.list_submissions(reader(request), call.id, status="submitted")
        selection = with_path(data, RecordSelection, projects=[(s.organisation, s.id) for s in submitted])
        result: CallResult = await sync_to_thread(command, request, selection, target)
        return result

    @post(
        "/{call_id:uuid}/projects",
        summary="Answer a call: draft a project in your organisation (and submit it with submit=true)",
        sync_to_thread=True,
        status_code=201,
    )
    def answer(self, request: Request[Any, Any, Any], target: CallRef, data: JSONBody[DraftProject]) -> ProjectResult:
        return command(request, data, answering(actor_of(request), target))


class MyCallsApi(Controller):
    """What concerns the signed-in person: the calls they may answer, their projects, their notifications."""

    path = "/api/v1/me"
    tags = ["calls"]

    @get("/calls", summary="The open calls you may answer (your organisation's and those naming it as a partner)")
    async def open_calls(self, request: Request[Any, Any, Any]) -> list[CallView]:
        actor = actor_of(request)
        return await views.open_calls_for(reader(request), actor.organisation, now(request))

    @get("/projects", summary="Your projects (author, co-author or invited) with their status and history")
    async def my_projects(self, request: Request[Any, Any, Any]) -> list[ProjectView]:
        actor = actor_of(request)
        return await views.my_projects(reader(request), actor.person_id, actor.organisation, now(request))

    @get("/notifications", summary="Your notifications, the latest first")
    async def notifications(self, request: Request[Any, Any, Any]) -> list[Notification]:
        actor = actor_of(request)
        return await notifications_for(reader(request), actor.person_id, actor.organisation)


class AnnouncementsApi(Controller):
    """Calls whose organisers published the announcement: public, without their projects."""

    path = "/api/v1/announcements"
    tags = ["calls"]

    @get("/", summary="Published call announcements (public)", opt=PUBLIC)
    async def list_announcements(self, request: Request[Any, Any, Any]) -> list[Announcement]:
        return await views.list_announcements(reader(request), now(request))

    @get("/{organisation:str}/{call_id:uuid}", summary="One published call announcement (public)", opt=PUBLIC)
    async def show(
        self, request: Request[Any, Any, Any], organisation: FromPath[str], call_id: FromPath[UUID]
    ) -> Announcement:
        announcement = await views.get_announcement(reader(request), organisation, call_id, now(request))
        if announcement is None:
            raise NotFound(calls.CALL_NOT_FOUND)
        return announcement
