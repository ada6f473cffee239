"""After the forum, the JSON API: pre-incubations, the portfolio, project paths, funnels, convergent projects,
practices and their adoptions; the public listing of practices under ``/api/v1/public/``.

Every command carries a client-chosen ``command_id``: sending it again returns the first answer and records
nothing new. Reads come from the read models, which follow the commands within a moment. Flags (overdue
milestones, passed deadlines) are computed for ``today`` (the server's date in Europe/Paris unless given).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

import anyio.to_thread
import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from domain.errors import NotFound
from forum import after_forum as af
from forum.access import Actor
from projections import portfolio as portfolio_views
from projections import practices as practice_views
from projections.convergence import ConvergenceGroup, convergences_for
from projections.portfolio import Board, Funnel, PreIncubationView, ProjectPath
from projections.practices import AdoptionEntry, Facets, Lineage, PracticeDetail, PracticeSummary
from web.context import actor_of, services_of

PARIS = ZoneInfo("Europe/Paris")
CommandId = Annotated[
    str, msgspec.Meta(description="Client-chosen id (1–100 of A-Z a-z 0-9 . _ : -); sending it again is harmless.")
]
Organisation = Annotated[str, Parameter(description="the organisation's slug")]
Today = Annotated[date | None, Parameter(description="the day flags are computed for (default: today in Europe/Paris)")]


def today_of(request: Request[Any, Any, Any], given: date | None = None) -> date:
    return given or services_of(request).app.clock().astimezone(PARIS).date()


def reader(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.reader


def app_of(request: Request[Any, Any, Any]) -> Any:
    return services_of(request).app


# -- inputs ------------------------------------------------------------------------------------------------------------


class StartPreIncubation(msgspec.Struct, forbid_unknown_fields=True):
    """Start a project's pre-incubation (its organisation's organisers): as a laureate of a forum whose published
    palmarès lists it, or by decision of the organisation."""

    command_id: CommandId
    project_id: UUID
    reason: Annotated[str, msgspec.Meta(description="laureat or decision")]
    sponsor: Annotated[str, msgspec.Meta(description="who sponsors the project: a job title")]
    started_on: date
    deadline: Annotated[date | None, msgspec.Meta(description="default: three months after the start")] = None
    decision: Annotated[str, msgspec.Meta(description="required when reason is decision")] = ""
    forum_id: UUID | None = None
    forum_organisation: Annotated[str | None, msgspec.Meta(description="the forum's host (found if omitted)")] = None
    prize_key: str | None = None
    hours_per_week: Annotated[Decimal, msgspec.Meta(description="the bearer's time given per week")] = Decimal(0)
    budget_cents: Annotated[int, msgspec.Meta(description="money committed, in euro cents")] = 0
    partner: Annotated[str | None, msgspec.Meta(description="slug of the supporting partner")] = None


class AddMilestone(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    title: str
    due: Annotated[date, msgspec.Meta(description="within the pre-incubation (extend its deadline first if later)")]


class CompleteMilestone(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    completed_on: date


class RescheduleMilestone(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    due: date
    reason: str


class ExtendDeadline(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    deadline: date
    reason: str


class ChangeSponsor(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    sponsor: str


class ChangeCommitments(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    hours_per_week: Decimal
    budget_cents: int
    reason: str


class Text(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    text: str


class ResolveVigilance(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    resolution: str


class ChangeStage(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    stage: Annotated[str, msgspec.Meta(description="exploration, prototypage, acceleration, en_suspens or termine")]
    reason: str


class RecordOutcome(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    outcome: Annotated[str, msgspec.Meta(description="deploye, transfere (name the owner) or arrete (give a reason)")]
    owner: str | None = None
    reason: str | None = None


class PreIncubationResult(msgspec.Struct):
    organisation: str
    project_id: UUID
    stage: str
    deadline: date
    outcome: str | None
    number: int | None = None


class FigureIn(msgspec.Struct, forbid_unknown_fields=True):
    """A result in figures: « restes par repas », -35, « % »."""

    label: str
    value: Decimal
    unit: str = ""


class SheetIn(msgspec.Struct, forbid_unknown_fields=True):
    """A practice sheet: every field is required but ``figures``; the contact is a job title, never a name."""

    title: str
    problem: str
    what_was_done: str
    results: str
    resources: str
    contact_role: str
    reuse_conditions: str
    themes: list[str]
    stage: Annotated[str, msgspec.Meta(description="exploration, prototypage, acceleration, en_suspens or termine")]
    figures: list[FigureIn] = []

    def sheet(self) -> Any:
        fields = msgspec.structs.asdict(self)
        fields["figures"] = [msgspec.structs.asdict(f) for f in self.figures]
        return af.sheet_of(**fields)


class SharePractice(msgspec.Struct, forbid_unknown_fields=True):
    """Publish a practice drawn from one of the organisation's projects (or keep it as a draft)."""

    command_id: CommandId
    project_id: UUID
    sheet: SheetIn
    publish: Annotated[bool, msgspec.Meta(description="false: only a draft, visible to the organisation")] = True


class PublishPractice(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    sheet: SheetIn


class AmendPractice(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    sheet: SheetIn
    note: str = ""


class WithReason(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    reason: str


class PracticeResult(msgspec.Struct):
    practice_id: UUID
    organisation: str
    status: str
    title: str


class DeclareInterest(msgspec.Struct, forbid_unknown_fields=True):
    """The organisation declares interest in another's published practice (and adopts it at once if ``adopt``)."""

    command_id: CommandId
    practice_id: UUID
    practice_organisation: Annotated[str | None, msgspec.Meta(description="the publisher (found if omitted)")] = None
    adopted_from: Annotated[
        str | None, msgspec.Meta(description="the adopter it learnt the practice from, if not the publisher")
    ] = None
    note: str = ""
    adopt: bool = False


class Adopt(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    note: str = ""


class Report(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    outcome: Annotated[str, msgspec.Meta(description="en_cours, reussie or abandonnee (which ends the adoption)")]
    text: str
    figures: list[FigureIn] = []


class AdoptionResult(msgspec.Struct):
    adoption_id: UUID
    organisation: str
    practice_id: UUID
    practice_organisation: str
    adopted_from: str | None
    status: str


def _pre(result: Any) -> PreIncubationResult:
    return msgspec.convert(result, PreIncubationResult)


def _practice(result: Any) -> PracticeResult:
    return msgspec.convert(result, PracticeResult)


def _adoption(result: Any) -> AdoptionResult:
    return msgspec.convert(result, AdoptionResult)


# -- reading with the rights of the commands ---------------------------------------------------------------------------


async def readable_path(request: Request[Any, Any, Any], actor: Actor, organisation: str, project_id: UUID) -> Any:
    """A project's path, if ``actor`` may read it (else not found, whether it exists or not)."""
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
    return path


async def board_for(
    request: Request[Any, Any, Any], actor: Actor, *, today: date, organisation: str | None = None
) -> Board:
    scope = af.portfolio_scope(actor)
    return await portfolio_views.board(
        reader(request),
        today=today,
        everything=scope.everything,
        organisations=scope.organisations,
        host_organisations=scope.host_organisations,
        forum_ids=scope.forum_ids,
        partners=scope.partners,
        organisation=organisation,
    )


async def funnel_for(request: Request[Any, Any, Any], actor: Actor | None, forum_id: UUID) -> Funnel:
    funnel = await portfolio_views.funnel(reader(request), forum_id)
    if funnel is None:
        raise NotFound("Forum introuvable.")
    af.require_funnel_reader(actor, host=funnel.host, forum_id=forum_id, published=funnel.published)
    return funnel


async def publisher_of(request: Request[Any, Any, Any], practice_id: UUID, given: str | None) -> str:
    if given:
        return given
    publisher = await practice_views.practice_publisher(reader(request), practice_id)
    if publisher is None:
        raise NotFound("Pratique introuvable.")
    return str(publisher)


# -- pre-incubation ----------------------------------------------------------------------------------------------------


class PreIncubationsApi(Controller):
    """A project's pre-incubation, run by its organisation's organisers."""

    path = "/api/v1/organisations/{organisation:str}/pre-incubations"
    tags = ["pre-incubation"]

    @post("/", summary="Start a project's pre-incubation (organisers)", status_code=201)
    async def start(
        self, request: Request[Any, Any, Any], organisation: Organisation, data: JSONBody[StartPreIncubation]
    ) -> PreIncubationResult:
        host = data.forum_organisation
        if data.forum_id is not None and not host:
            forum = await portfolio_views.forum_summary(reader(request), data.forum_id)
            host = forum.host if forum else None
        return _pre(
            await _in_thread(
                af.start_pre_incubation,
                app_of(request),
                actor_of(request),
                data.command_id,
                organisation=organisation,
                project_id=data.project_id,
                reason=data.reason,
                sponsor=data.sponsor,
                started_on=data.started_on,
                deadline=data.deadline,
                decision=data.decision,
                forum_id=data.forum_id,
                forum_organisation=host,
                prize_key=data.prize_key,
                hours_per_week=data.hours_per_week,
                budget_cents=data.budget_cents,
                partner=data.partner,
            )
        )

    @get("/{project_id:uuid}", summary="A pre-incubation with its milestones, vigilance points and flags")
    async def show(
        self, request: Request[Any, Any, Any], organisation: Organisation, project_id: FromPath[UUID], today: Today
    ) -> PreIncubationView:
        path = await readable_path(request, actor_of(request), organisation, project_id)
        view = await portfolio_views.pre_incubation(reader(request), project_id, today=today_of(request, today))
        if view is None or path is None:
            raise NotFound("Ce projet n'est pas en pré-incubation.")
        return view

    @post("/{project_id:uuid}/milestones", summary="Add a milestone (organisers)", sync_to_thread=True, status_code=201)
    def add_milestone(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        project_id: FromPath[UUID],
        data: JSONBody[AddMilestone],
    ) -> PreIncubationResult:
        return _pre(
            af.add_milestone(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                project_id=project_id, title=data.title, due=data.due,
            )
        )  # fmt: skip

    @post(
        "/{project_id:uuid}/milestones/{number:int}/complete",
        summary="Mark a milestone reached (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def complete_milestone(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        project_id: FromPath[UUID],
        number: FromPath[int],
        data: JSONBody[CompleteMilestone],
    ) -> PreIncubationResult:
        return _pre(
            af.complete_milestone(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                project_id=project_id, number=number, completed_on=data.completed_on,
            )
        )  # fmt: skip

    @post(
        "/{project_id:uuid}/milestones/{number:int}/reschedule",
        summary="Move a milestone (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def reschedule_milestone(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        project_id: FromPath[UUID],
        number: FromPath[int],
        data: JSONBody[RescheduleMilestone],
    ) -> PreIncubationResult:
        return _pre(
            af.reschedule_milestone(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                project_id=project_id, number=number, due=data.due, reason=data.reason,
            )
        )  # fmt: skip

    @post(
        "/{project_id:uuid}/deadline", summary="Extend the deadline (organisers)", sync_to_thread=True, status_code=200
    )
    def extend_deadline(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        project_id: FromPath[UUID],
        data: JSONBody[ExtendDeadline],
    ) -> PreIncubationResult:
        return _pre(
            af.extend_deadline(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                project_id=project_id, deadline=data.deadline, reason=data.reason,
            )
        )  # fmt: skip

    @post("/{project_id:uuid}/sponsor", summary="Change the sponsor (organisers)", sync_to_thread=True, status_code=200)
    def change_sponsor(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        project_id: FromPath[UUID],
        data: JSONBody[ChangeSponsor],
    ) -> PreIncubationResult:
        return _pre(
            af.change_sponsor(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                project_id=project_id, sponsor=data.sponsor,
            )
        )  # fmt: skip

    @post(
        "/{project_id:uuid}/commitments",
        summary="Change the time and money committed (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def change_commitments(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        project_id: FromPath[UUID],
        data: JSONBody[ChangeCommitments],
    ) -> PreIncubationResult:
        return _pre(
            af.change_commitments(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                project_id=project_id, hours_per_week=data.hours_per_week, budget_cents=data.budget_cents,
                reason=data.reason,
            )
        )  # fmt: skip

    @post("/{project_id:uuid}/notes", summary="Note progress (organisers)", sync_to_thread=True, status_code=201)
    def note_progress(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        project_id: FromPath[UUID],
        data: JSONBody[Text],
    ) -> PreIncubationResult:
        return _pre(
            af.note_progress(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                project_id=project_id, text=data.text,
            )
        )  # fmt: skip

    @post(
        "/{project_id:uuid}/vigilance",
        summary="Raise a point of vigilance (organisers)",
        sync_to_thread=True,
        status_code=201,
    )
    def raise_vigilance(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        project_id: FromPath[UUID],
        data: JSONBody[Text],
    ) -> PreIncubationResult:
        return _pre(
            af.raise_vigilance(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                project_id=project_id, text=data.text,
            )
        )  # fmt: skip

    @post(
        "/{project_id:uuid}/vigilance/{number:int}/resolve",
        summary="Resolve a point of vigilance (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def resolve_vigilance(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        project_id: FromPath[UUID],
        number: FromPath[int],
        data: JSONBody[ResolveVigilance],
    ) -> PreIncubationResult:
        return _pre(
            af.resolve_vigilance(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                project_id=project_id, number=number, resolution=data.resolution,
            )
        )  # fmt: skip

    @post(
        "/{project_id:uuid}/stage",
        summary="Change the stage, with a reason (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def change_stage(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        project_id: FromPath[UUID],
        data: JSONBody[ChangeStage],
    ) -> PreIncubationResult:
        return _pre(
            af.change_stage(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                project_id=project_id, stage=data.stage, reason=data.reason,
            )
        )  # fmt: skip

    @post("/{project_id:uuid}/outcome", summary="Record the outcome (organisers)", sync_to_thread=True, status_code=200)
    def record_outcome(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        project_id: FromPath[UUID],
        data: JSONBody[RecordOutcome],
    ) -> PreIncubationResult:
        return _pre(
            af.record_outcome(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                project_id=project_id, outcome=data.outcome, owner=data.owner, reason=data.reason,
            )
        )  # fmt: skip


async def _in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a command (blocking: it writes through the event store) off the event loop."""
    return await anyio.to_thread.run_sync(partial(function, *args, **kwargs))


# -- portfolio ---------------------------------------------------------------------------------------------------------


class PortfolioApi(Controller):
    """Boards, paths, funnels and convergent projects."""

    path = "/api/v1"
    tags = ["portfolio"]

    @get(
        "/portfolio",
        summary="The board of every pre-incubation you may follow: your organisation's, the laureates of forums it "
        "hosts, those it supports as a partner",
    )
    async def board(
        self,
        request: Request[Any, Any, Any],
        today: Today,
        organisation: Annotated[str | None, Parameter(description="only this organisation's projects")] = None,
    ) -> Board:
        return await board_for(request, actor_of(request), today=today_of(request, today), organisation=organisation)

    @get("/organisations/{organisation:str}/portfolio", summary="An organisation's board (its organisers, auditors)")
    async def organisation_board(
        self, request: Request[Any, Any, Any], organisation: Organisation, today: Today
    ) -> Board:
        actor = actor_of(request)
        af.require_portfolio_reader(actor, organisation)
        return await portfolio_views.board(
            reader(request), today=today_of(request, today), everything=True, organisation=organisation
        )

    @get(
        "/organisations/{organisation:str}/projects/{project_id:uuid}/path",
        summary="A project's whole path: call, selection, forum, prize, pre-incubation, outcome",
    )
    async def project_path(
        self, request: Request[Any, Any, Any], organisation: Organisation, project_id: FromPath[UUID]
    ) -> ProjectPath:
        return await readable_path(request, actor_of(request), organisation, project_id)  # type: ignore[no-any-return]

    @get(
        "/forums/{forum_id:uuid}/funnel",
        summary="A forum's funnel: submitted, selected, nominated, pitched, laureates, pre-incubated, deployed",
    )
    async def funnel(self, request: Request[Any, Any, Any], forum_id: FromPath[UUID]) -> Funnel:
        return await funnel_for(request, actor_of(request), forum_id)

    @get(
        "/organisations/{organisation:str}/convergences",
        summary="Projects of other organisations addressing the same problems as yours (organisers)",
    )
    async def convergences(self, request: Request[Any, Any, Any], organisation: Organisation) -> list[ConvergenceGroup]:
        af.require_convergence_reader(actor_of(request), organisation)
        return await convergences_for(reader(request), organisation)


# -- practices ---------------------------------------------------------------------------------------------------------


class PracticesApi(Controller):
    """An organisation's practices: drafted, published, amended and withdrawn by its organisers."""

    path = "/api/v1/organisations/{organisation:str}/practices"
    tags = ["practices"]

    @get("/", summary="The organisation's practices, drafts included (organisers, auditors)")
    async def list_practices(
        self, request: Request[Any, Any, Any], organisation: Organisation
    ) -> list[PracticeSummary]:
        af.require_own_practices_reader(actor_of(request), organisation)
        return await practice_views.organisation_practices(reader(request), organisation)

    @post("/", summary="Publish a practice drawn from a project, or draft it (organisers)", status_code=201)
    async def share(
        self, request: Request[Any, Any, Any], organisation: Organisation, data: JSONBody[SharePractice]
    ) -> PracticeResult:
        actor, app = actor_of(request), app_of(request)
        if data.publish:
            result = await _in_thread(
                af.share_practice, app, actor, data.command_id, organisation=organisation,
                project_id=data.project_id, sheet=data.sheet.sheet(),
            )  # fmt: skip
        else:
            result = await _in_thread(
                af.draft_practice, app, actor, data.command_id, organisation=organisation,
                project_id=data.project_id, title=data.sheet.title,
            )  # fmt: skip
        return _practice(result)

    @get("/{practice_id:uuid}", summary="One of the organisation's practices, drafts included (organisers, auditors)")
    async def show(
        self, request: Request[Any, Any, Any], organisation: Organisation, practice_id: FromPath[UUID]
    ) -> PracticeDetail:
        af.require_own_practices_reader(actor_of(request), organisation)
        detail = await practice_views.get_practice(reader(request), practice_id, viewer_organisation=organisation)
        if detail is None or detail.organisation != organisation:
            raise NotFound("Pratique introuvable.")
        return detail

    @post(
        "/{practice_id:uuid}/publish",
        summary="Publish a draft (or a withdrawn practice) again",
        sync_to_thread=True,
        status_code=200,
    )
    def publish(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        practice_id: FromPath[UUID],
        data: JSONBody[PublishPractice],
    ) -> PracticeResult:
        return _practice(
            af.publish_practice(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                practice_id=practice_id, sheet=data.sheet.sheet(),
            )
        )  # fmt: skip

    @post(
        "/{practice_id:uuid}/amend",
        summary="Replace the published sheet (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def amend(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        practice_id: FromPath[UUID],
        data: JSONBody[AmendPractice],
    ) -> PracticeResult:
        return _practice(
            af.amend_practice(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                practice_id=practice_id, sheet=data.sheet.sheet(), note=data.note,
            )
        )  # fmt: skip

    @post(
        "/{practice_id:uuid}/withdraw",
        summary="Withdraw a published practice (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def withdraw(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        practice_id: FromPath[UUID],
        data: JSONBody[WithReason],
    ) -> PracticeResult:
        return _practice(
            af.withdraw_practice(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                practice_id=practice_id, reason=data.reason,
            )
        )  # fmt: skip


class AdoptionsApi(Controller):
    """What an organisation takes up from others: interest, adoption, reports — in its own history."""

    path = "/api/v1/organisations/{organisation:str}/adoptions"
    tags = ["practices"]

    @get("/", summary="The organisation's adoptions (organisers, auditors)")
    async def list_adoptions(self, request: Request[Any, Any, Any], organisation: Organisation) -> list[AdoptionEntry]:
        af.require_own_practices_reader(actor_of(request), organisation)
        return await practice_views.organisation_adoptions(reader(request), organisation)

    @post("/", summary="Declare interest in another organisation's practice, and adopt it if asked", status_code=201)
    async def declare(
        self, request: Request[Any, Any, Any], organisation: Organisation, data: JSONBody[DeclareInterest]
    ) -> AdoptionResult:
        publisher = await publisher_of(request, data.practice_id, data.practice_organisation)
        return _adoption(
            await _in_thread(
                af.declare_interest, app_of(request), actor_of(request), data.command_id, organisation=organisation,
                practice_id=data.practice_id, practice_organisation=publisher, adopted_from=data.adopted_from,
                note=data.note, adopt=data.adopt,
            )
        )  # fmt: skip

    @post(
        "/{practice_id:uuid}/adopt",
        summary="Adopt a practice you declared interest in",
        sync_to_thread=True,
        status_code=200,
    )
    def adopt(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        practice_id: FromPath[UUID],
        data: JSONBody[Adopt],
    ) -> AdoptionResult:
        return _adoption(
            af.adopt_practice(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                practice_id=practice_id, note=data.note,
            )
        )  # fmt: skip

    @post("/{practice_id:uuid}/reports", summary="Report how the adoption goes", sync_to_thread=True, status_code=201)
    def report(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        practice_id: FromPath[UUID],
        data: JSONBody[Report],
    ) -> AdoptionResult:
        return _adoption(
            af.report_adoption(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                practice_id=practice_id, outcome=data.outcome, text=data.text,
                figures=[msgspec.structs.asdict(f) for f in data.figures],
            )
        )  # fmt: skip

    @post(
        "/{practice_id:uuid}/abandon",
        summary="Abandon the adoption, with a reason",
        sync_to_thread=True,
        status_code=200,
    )
    def abandon(
        self,
        request: Request[Any, Any, Any],
        organisation: Organisation,
        practice_id: FromPath[UUID],
        data: JSONBody[WithReason],
    ) -> AdoptionResult:
        return _adoption(
            af.abandon_adoption(
                app_of(request), actor_of(request), data.command_id, organisation=organisation,
                practice_id=practice_id, reason=data.reason,
            )
        )  # fmt: skip


# -- public ------------------------------------------------------------------------------------------------------------


class PublicPracticesApi(Controller):
    """Published practices across every organisation, their lineage and their adopters' reports (public)."""

    path = "/api/v1/public"
    tags = ["public"]

    @get("/practices", summary="Published practices: French full-text search (any inflection, accents ignored)")
    async def search(
        self,
        request: Request[Any, Any, Any],
        *,
        q: Annotated[str | None, Parameter(description="words to find, e.g. cantine")] = None,
        theme: FromQuery[str | None] = None,
        organisation: FromQuery[str | None] = None,
        stage: FromQuery[str | None] = None,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        offset: Annotated[int, Parameter(ge=0, le=1_000_000_000)] = 0,
    ) -> list[PracticeSummary]:
        return await practice_views.search_practices(
            reader(request), q=q, theme=theme, organisation=organisation, stage=stage, limit=limit, offset=offset
        )

    @get("/practices/facets", summary="The themes, organisations and stages present among published practices")
    async def facets(self, request: Request[Any, Any, Any]) -> Facets:
        return await practice_views.facets(reader(request))

    @get("/practices/{practice_id:uuid}", summary="A published practice, its lineage and its adopters' reports")
    async def show(self, request: Request[Any, Any, Any], practice_id: FromPath[UUID]) -> PracticeDetail:
        detail = await practice_views.get_practice(reader(request), practice_id)
        if detail is None:
            raise NotFound("Pratique introuvable.")
        return detail

    @get("/practices/{practice_id:uuid}/lineage", summary="Who adopted a published practice from whom")
    async def lineage(self, request: Request[Any, Any, Any], practice_id: FromPath[UUID]) -> Lineage:
        detail = await practice_views.get_practice(reader(request), practice_id)
        if detail is None:
            raise NotFound("Pratique introuvable.")
        return detail.lineage

    @get("/forums/{forum_id:uuid}/funnel", summary="A forum's funnel, once its palmarès is published")
    async def funnel(self, request: Request[Any, Any, Any], forum_id: FromPath[UUID]) -> Funnel:
        funnel = await portfolio_views.funnel(reader(request), forum_id)
        if funnel is None or not funnel.published:
            raise NotFound("Forum introuvable.")
        return funnel
