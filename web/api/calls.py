"""Calls for ideas and their projects: the JSON API for organisers, agents and the public.

Every command carries a client-chosen ``command_id``: sending it again returns the first answer and records
nothing new. Times are ISO 8601 with an offset (Europe/Paris is how people read them); the closing time is checked
against the server's clock. Lists read the projections, which follow the commands within a moment.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated, Any
from uuid import UUID

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody, Parameter

from domain.errors import Forbidden, NotFound
from domain.idea_call import Question
from forum import calls
from forum.access import Actor
from projections import calls as views
from projections.calls import (
    Announcement,
    CallView,
    Comparison,
    Figures,
    ProjectView,
    Submission,
)
from projections.notifications import Notification, notifications_for
from web.context import actor_of, services_of
from web.openapi import PUBLIC

CommandId = Annotated[
    str, msgspec.Meta(description="Client-chosen id (1–100 of A-Z a-z 0-9 . _ : -); sending it again is harmless.")
]
When = Annotated[datetime, msgspec.Meta(description="ISO 8601 with an offset, e.g. 2019-10-31T23:59:59+01:00")]


# -- inputs ------------------------------------------------------------------------------------------------------------


class QuestionIn(msgspec.Struct, forbid_unknown_fields=True):
    """One question of the call's form."""

    key: Annotated[str, msgspec.Meta(description="a-z, 0-9 and _, starting with a letter; 40 characters at most")]
    label: str
    kind: Annotated[str, msgspec.Meta(description="short_text, long_text, single_choice or multiple_choice")]
    required: bool = False
    max_length: Annotated[int | None, msgspec.Meta(description="text questions: the longest answer")] = None
    choices: Annotated[list[str], msgspec.Meta(description="choice questions: at least two")] = []

    def question(self) -> Question:
        return Question(
            key=self.key,
            label=self.label,
            kind=self.kind,
            required=self.required,
            max_length=self.max_length,
            choices=tuple(self.choices),
        )


class DraftCall(msgspec.Struct, forbid_unknown_fields=True):
    """Draft a call for ideas of the organisation (its organisers)."""

    command_id: CommandId
    title: str
    opens_at: When
    closes_at: Annotated[When, msgspec.Meta(description="inclusive: a submission at this very second is on time")]
    description: str = ""
    themes: list[str] = []
    categories: list[str] = []
    eligible_partners: Annotated[
        list[str], msgspec.Meta(description="slugs of partner organisations whose agents may answer too")
    ] = []
    questions: list[QuestionIn] = []
    max_team_size: Annotated[int, msgspec.Meta(description="author, co-authors and pending invitations")] = 5
    open: Annotated[bool, msgspec.Meta(description="open the call at once")] = False


class AmendCall(msgspec.Struct, forbid_unknown_fields=True):
    """Change what the call says: only the fields given change. Once opened, a reason is required, the change is
    shown on the call, and nothing may be taken away (themes, categories, questions, partners, team places)."""

    command_id: CommandId
    reason: str = ""
    title: str | None = None
    description: str | None = None
    themes: list[str] | None = None
    categories: list[str] | None = None
    opens_at: When | None = None
    closes_at: When | None = None
    eligible_partners: list[str] | None = None
    questions: list[QuestionIn] | None = None
    max_team_size: int | None = None

    def changes(self) -> dict[str, Any]:
        fields = {name: getattr(self, name) for name in self.__struct_fields__}
        for name in ("command_id", "reason"):
            fields.pop(name)
        if self.questions is not None:
            fields["questions"] = [q.question() for q in self.questions]
        return {name: value for name, value in fields.items() if value is not None}


class Command(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId


class WithReason(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    reason: str = ""


class DecideProject(msgspec.Struct, forbid_unknown_fields=True):
    """The organisers' decision on one submitted project; revisable until the selection is recorded, and shown to
    the team when it is."""

    command_id: CommandId
    project_organisation: Annotated[str, msgspec.Meta(description="the project's organisation (its store)")]
    project_id: UUID
    outcome: Annotated[str, msgspec.Meta(description="selected or not_selected")]
    reason: Annotated[str, msgspec.Meta(description="read by the team; required when not selected")] = ""


AnswerValue = str | list[str]


class AnswerCall(msgspec.Struct, forbid_unknown_fields=True):
    """Answer a call: a project drafted in the agent's organisation, submitted at once with ``submit``."""

    command_id: CommandId
    title: str
    problem: str = ""
    solution: str = ""
    benefits_users: str = ""
    benefits_agents: str = ""
    category: str | None = None
    theme: str | None = None
    answers: Annotated[
        dict[str, AnswerValue], msgspec.Meta(description="by question key: a text, or a list for multiple choice")
    ] = {}
    submit: bool = False


class EditProject(msgspec.Struct, forbid_unknown_fields=True):
    """Change the fields given ("" empties one); ``answers`` are merged into the current ones. A submitted project
    gets a new version."""

    command_id: CommandId
    title: str | None = None
    problem: str | None = None
    solution: str | None = None
    benefits_users: str | None = None
    benefits_agents: str | None = None
    category: str | None = None
    theme: str | None = None
    answers: dict[str, AnswerValue] | None = None

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__struct_fields__ if name != "command_id"}


class InviteCoAuthor(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    person: Annotated[str, msgspec.Meta(description="the colleague's person id")]
    organisation: Annotated[str, msgspec.Meta(description="the colleague's organisation: the project's own")]


class WithdrawInvitation(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    person: str


# -- outputs -----------------------------------------------------------------------------------------------------------


class CallResult(msgspec.Struct):
    id: str
    organisation: str
    status: str
    title: str
    selected: list[str] | None = None


class ProjectResult(msgspec.Struct):
    id: str
    organisation: str
    call_id: str
    call_organisation: str
    status: str
    version: int
    decision: str | None


def _call(result: Any) -> CallResult:
    return msgspec.convert(result, CallResult)


def _project(result: Any) -> ProjectResult:
    return msgspec.convert(result, ProjectResult)


# -- reading with the same rights as the commands ---------------------------------------------------------------------


def now(request: Request[Any, Any, Any]) -> datetime:
    """The server's time (the application's clock): what "open" and "closed" mean."""
    return services_of(request).app.clock()


def reader(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.reader


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


async def project_for(
    request: Request[Any, Any, Any], actor: Actor, organisation: str, project_id: UUID
) -> tuple[ProjectView, str]:
    """The project and how ``actor`` sees it (``team``, ``organiser``, ``admin``), or NotFound / Forbidden."""
    location = await views.project_location(reader(request), organisation, project_id)
    if location is None:
        raise NotFound(calls.PROJECT_NOT_FOUND)
    access = calls.project_access(
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
        raise NotFound(calls.PROJECT_NOT_FOUND)
    return project, access


# -- the controllers ---------------------------------------------------------------------------------------------------

OrganisationPath = Annotated[str, Parameter(description="the organisation running the call")]
CategoryFilter = Annotated[str | None, Parameter(description="one of the call's categories")]
ThemeFilter = Annotated[str | None, Parameter(description="one of the call's themes")]
StatusFilter = Annotated[str | None, Parameter(description="submitted, withdrawn, selected, not_selected or undecided")]


class CallsApi(Controller):
    """A call for ideas of one organisation: run by its organisers, answered by the agents it is open to."""

    path = "/api/v1/organisations/{slug:str}/calls"
    tags = ["calls"]

    @get("/", summary="The organisation's calls (its organisers and auditors)")
    async def list_calls(self, request: Request[Any, Any, Any], slug: OrganisationPath) -> list[CallView]:
        calls.require_call_reader(actor_of(request), slug)
        return await views.list_calls(reader(request), slug, now(request))

    @post("/", summary="Draft a call (organisers)", sync_to_thread=True, status_code=201)
    def draft(self, request: Request[Any, Any, Any], slug: OrganisationPath, data: JSONBody[DraftCall]) -> CallResult:
        result = calls.draft_call(
            services_of(request).app,
            actor_of(request),
            data.command_id,
            organisation=slug,
            title=data.title,
            description=data.description,
            themes=data.themes,
            categories=data.categories,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            eligible_partners=data.eligible_partners,
            questions=[q.question() for q in data.questions],
            max_team_size=data.max_team_size,
            open_now=data.open,
        )
        return _call(result)

    @get("/{call_id:uuid}", summary="One call (organisers and auditors; once opened, the agents it is open to)")
    async def show(self, request: Request[Any, Any, Any], slug: OrganisationPath, call_id: FromPath[UUID]) -> CallView:
        call = await call_for(request, actor_of(request), slug, call_id)
        return call

    @patch("/{call_id:uuid}", summary="Amend a call (organisers)", sync_to_thread=True)
    def amend(
        self,
        request: Request[Any, Any, Any],
        slug: OrganisationPath,
        call_id: FromPath[UUID],
        data: JSONBody[AmendCall],
    ) -> CallResult:
        result = calls.amend_call(
            services_of(request).app,
            actor_of(request),
            data.command_id,
            organisation=slug,
            call_id=call_id,
            reason=data.reason,
            changes=data.changes(),
        )
        return _call(result)

    @post("/{call_id:uuid}/open", summary="Open a call (organisers)", sync_to_thread=True, status_code=200)
    def open(
        self,
        request: Request[Any, Any, Any],
        slug: OrganisationPath,
        call_id: FromPath[UUID],
        data: JSONBody[Command],
    ) -> CallResult:
        app, actor = services_of(request).app, actor_of(request)
        return _call(calls.open_call(app, actor, data.command_id, organisation=slug, call_id=call_id))

    @post("/{call_id:uuid}/close", summary="Close a call now (organisers)", sync_to_thread=True, status_code=200)
    def close(
        self,
        request: Request[Any, Any, Any],
        slug: OrganisationPath,
        call_id: FromPath[UUID],
        data: JSONBody[Command],
    ) -> CallResult:
        app, actor = services_of(request).app, actor_of(request)
        return _call(calls.close_call(app, actor, data.command_id, organisation=slug, call_id=call_id))

    @post(
        "/{call_id:uuid}/cancel",
        summary="Cancel a call, with a reason (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def cancel(
        self,
        request: Request[Any, Any, Any],
        slug: OrganisationPath,
        call_id: FromPath[UUID],
        data: JSONBody[WithReason],
    ) -> CallResult:
        app, actor = services_of(request).app, actor_of(request)
        return _call(
            calls.cancel_call(app, actor, data.command_id, organisation=slug, call_id=call_id, reason=data.reason)
        )

    @post(
        "/{call_id:uuid}/announcement",
        summary="Publish the call's public announcement (organisers); its projects stay private",
        sync_to_thread=True,
        status_code=200,
    )
    def announce(
        self,
        request: Request[Any, Any, Any],
        slug: OrganisationPath,
        call_id: FromPath[UUID],
        data: JSONBody[Command],
    ) -> CallResult:
        app, actor = services_of(request).app, actor_of(request)
        return _call(calls.publish_announcement(app, actor, data.command_id, organisation=slug, call_id=call_id))

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
    def decide(
        self,
        request: Request[Any, Any, Any],
        slug: OrganisationPath,
        call_id: FromPath[UUID],
        data: JSONBody[DecideProject],
    ) -> ProjectResult:
        result = calls.decide_project(
            services_of(request).app,
            actor_of(request),
            data.command_id,
            call_organisation=slug,
            call_id=call_id,
            organisation=data.project_organisation,
            project_id=data.project_id,
            outcome=data.outcome,
            reason=data.reason,
        )
        return _project(result)

    @post(
        "/{call_id:uuid}/selection",
        summary="Record the local selection: every submitted project must have a decision; teams then learn theirs",
        status_code=200,
    )
    async def record_selection(
        self,
        request: Request[Any, Any, Any],
        slug: OrganisationPath,
        call_id: FromPath[UUID],
        data: JSONBody[Command],
    ) -> CallResult:
        actor = actor_of(request)
        call = await organised_call(request, actor, slug, call_id)
        submitted = await views.list_submissions(reader(request), call.id, status="submitted")
        refs = [(s.organisation, s.id) for s in submitted]
        result = await _in_thread(
            calls.record_selection,
            services_of(request).app,
            actor,
            data.command_id,
            organisation=slug,
            call_id=call_id,
            projects=refs,
        )
        return _call(result)

    @post(
        "/{call_id:uuid}/projects",
        summary="Answer a call: draft a project in your organisation (and submit it with submit=true)",
        sync_to_thread=True,
        status_code=201,
    )
    def answer(
        self,
        request: Request[Any, Any, Any],
        slug: OrganisationPath,
        call_id: FromPath[UUID],
        data: JSONBody[AnswerCall],
    ) -> ProjectResult:
        result = calls.draft_project(
            services_of(request).app,
            actor_of(request),
            data.command_id,
            call_organisation=slug,
            call_id=call_id,
            title=data.title,
            problem=data.problem,
            solution=data.solution,
            benefits_users=data.benefits_users,
            benefits_agents=data.benefits_agents,
            category=data.category,
            theme=data.theme,
            answers=data.answers,
            submit=data.submit,
        )
        return _project(result)


async def _in_thread(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a write-side command (blocking) off the event loop, from a handler that read the projections first."""
    return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs))


ProjectOrganisation = Annotated[str, Parameter(description="the project's organisation: its author's")]


class ProjectsApi(Controller):
    """A project: changed by its team, read by its team and, once submitted, by its call's organisers."""

    path = "/api/v1/projects/{organisation:str}/{project_id:uuid}"
    tags = ["projects"]

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
    def edit(
        self,
        request: Request[Any, Any, Any],
        organisation: ProjectOrganisation,
        project_id: FromPath[UUID],
        data: JSONBody[EditProject],
    ) -> ProjectResult:
        result = calls.edit_project(
            services_of(request).app,
            actor_of(request),
            data.command_id,
            organisation=organisation,
            project_id=project_id,
            changes=data.changes(),
        )
        return _project(result)

    @post(
        "/submit",
        summary="Submit the drafted project (its team, while the call is open)",
        sync_to_thread=True,
        status_code=200,
    )
    def submit(
        self,
        request: Request[Any, Any, Any],
        organisation: ProjectOrganisation,
        project_id: FromPath[UUID],
        data: JSONBody[Command],
    ) -> ProjectResult:
        app, actor = services_of(request).app, actor_of(request)
        return _project(
            calls.submit_project(app, actor, data.command_id, organisation=organisation, project_id=project_id)
        )

    @post("/withdraw", summary="Withdraw the project (its team)", sync_to_thread=True, status_code=200)
    def withdraw(
        self,
        request: Request[Any, Any, Any],
        organisation: ProjectOrganisation,
        project_id: FromPath[UUID],
        data: JSONBody[WithReason],
    ) -> ProjectResult:
        app, actor = services_of(request).app, actor_of(request)
        return _project(
            calls.withdraw_project(
                app, actor, data.command_id, organisation=organisation, project_id=project_id, reason=data.reason
            )
        )

    @post(
        "/invitations",
        summary="Invite a colleague of the same organisation to the team (its team)",
        sync_to_thread=True,
        status_code=200,
    )
    def invite(
        self,
        request: Request[Any, Any, Any],
        organisation: ProjectOrganisation,
        project_id: FromPath[UUID],
        data: JSONBody[InviteCoAuthor],
    ) -> ProjectResult:
        result = calls.invite_co_author(
            services_of(request).app,
            actor_of(request),
            data.command_id,
            organisation=organisation,
            project_id=project_id,
            person=data.person,
            person_organisation=data.organisation,
        )
        return _project(result)

    @post(
        "/invitations/withdraw",
        summary="Take back a pending invitation (its team)",
        sync_to_thread=True,
        status_code=200,
    )
    def withdraw_invitation(
        self,
        request: Request[Any, Any, Any],
        organisation: ProjectOrganisation,
        project_id: FromPath[UUID],
        data: JSONBody[WithdrawInvitation],
    ) -> ProjectResult:
        app, actor = services_of(request).app, actor_of(request)
        return _project(
            calls.withdraw_invitation(
                app, actor, data.command_id, organisation=organisation, project_id=project_id, person=data.person
            )
        )

    @post(
        "/invitation/accept",
        summary="Accept the invitation you received: join the team",
        sync_to_thread=True,
        status_code=200,
    )
    def accept(
        self,
        request: Request[Any, Any, Any],
        organisation: ProjectOrganisation,
        project_id: FromPath[UUID],
        data: JSONBody[Command],
    ) -> ProjectResult:
        app, actor = services_of(request).app, actor_of(request)
        return _project(
            calls.accept_invitation(app, actor, data.command_id, organisation=organisation, project_id=project_id)
        )

    @post("/invitation/decline", summary="Decline the invitation you received", sync_to_thread=True, status_code=200)
    def decline(
        self,
        request: Request[Any, Any, Any],
        organisation: ProjectOrganisation,
        project_id: FromPath[UUID],
        data: JSONBody[Command],
    ) -> ProjectResult:
        app, actor = services_of(request).app, actor_of(request)
        return _project(
            calls.decline_invitation(app, actor, data.command_id, organisation=organisation, project_id=project_id)
        )


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
