"""Pre-incubation: a laureate's (or a project's, by its organisation's decision) months of support, in its
project's organisation's store, run by that organisation's organisers.

Each command is a struct and one handler: ``StartPreIncubation`` on the organisation (``ON_ORGANISATION``), the
others on the pre-incubation (``ON_PRE_INCUBATION``, a ``PreIncubationRef``). Another organisation's people are
refused before anything is read (404), the organisation's other members 403. The rules are the aggregate's
(``domain.pre_incubation``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec

from domain.errors import AlreadyExists, Conflict, Invalid
from domain.forum import Forum
from domain.pre_incubation import PreIncubation, Reason
from domain.project import Project
from forum.application import ForumApplication
from forum.pipeline import Command, Unit, handles
from forum.portfolio import ON_ORGANISATION, ORGANISER, ByOrganisers, InOrganisation, OrganisationRef

Stage = Annotated[str, msgspec.Meta(description="exploration, prototypage, acceleration, en_suspens or termine")]


class NotALaureate(Conflict):
    """A pre-incubation « for a laureate » names a forum whose published palmarès lists the project."""

    rule = "not_a_laureate"


class ProjectWithdrawn(Conflict):
    rule = "project_withdrawn"


class PreIncubationRef(InOrganisation, frozen=True):
    """A project's pre-incubation: in its organisation's store."""

    project_id: UUID


class OnPreIncubation(ByOrganisers[PreIncubationRef, PreIncubation]):
    def load(self, app: ForumApplication, target: PreIncubationRef) -> PreIncubation:
        return app.load(
            PreIncubation,
            PreIncubation.id_for(target.project_id),
            target.organisation,
            what="Ce projet n'est pas en pré-incubation.",
        )


ON_PRE_INCUBATION = OnPreIncubation()


class PreIncubationResult(msgspec.Struct):
    organisation: str
    project_id: UUID
    stage: str
    deadline: date
    outcome: str | None
    number: int | None = None


def _result(p: PreIncubation, number: int | None = None) -> PreIncubationResult:
    return PreIncubationResult(p.organisation, p.project_id, p.stage, p.deadline, p.outcome, number)


# -- starting ----------------------------------------------------------------------------------------------------------


class StartPreIncubation(Command[PreIncubationResult], frozen=True):
    """Start a project's pre-incubation (its organisation's organisers): as a laureate of a forum whose published
    palmarès lists it, or by decision of the organisation."""

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


@handles(StartPreIncubation, on=ON_ORGANISATION, roles=(ORGANISER,))
def start_pre_incubation(
    where: OrganisationRef, command: StartPreIncubation, unit: Unit[OrganisationRef]
) -> PreIncubationResult:
    """Start a project's pre-incubation: as a laureate of a forum (``forum_id``, hosted by ``forum_organisation``,
    whose published palmarès lists it — under ``prize_key`` if given), or by decision of its organisation."""
    organisation = where.organisation
    project = unit.app.load(
        Project, command.project_id, organisation, what=f"Projet introuvable dans « {organisation} »."
    )
    if project.status == "withdrawn":
        raise ProjectWithdrawn(f"Le projet « {project.content.title} » a été retiré : il n'est pas accompagné.")
    prize = command.prize_key
    if command.reason == Reason.LAUREAT and command.forum_id is not None:
        prize = _laureate_prize(unit.app, project, command.forum_id, command.forum_organisation, command.prize_key)
    pre_incubation = PreIncubation.start(
        project_id=command.project_id,
        organisation=organisation,
        reason=command.reason,
        decision=command.decision,
        forum_id=command.forum_id,
        prize_key=prize,
        started_on=command.started_on,
        deadline=command.deadline,
        sponsor=command.sponsor,
        hours_per_week=command.hours_per_week,
        budget_cents=command.budget_cents,
        partner=command.partner,
        meta=unit.meta,
    )
    if unit.app.exists(pre_incubation.id, organisation):
        raise AlreadyExists(
            f"Le projet « {project.content.title} » est déjà en pré-incubation.",
            field="project_id",
            rule="already_pre_incubated",
        )
    unit.save(pre_incubation)
    return _result(pre_incubation)


def _laureate_prize(
    app: ForumApplication, project: Project, forum_id: UUID, host: str | None, prize_key: str | None
) -> str:
    """The key of the prize the project won at the forum (read in the host's store: a palmarès is public)."""
    if not host:
        raise Invalid(
            "Indiquez l'organisation hôte du forum dont le projet est lauréat.",
            field="forum_organisation",
            rule="required",
        )
    forum = app.load(Forum, forum_id, host, what="Forum introuvable.")
    if forum.palmares is None:
        raise NotALaureate(
            f"Le palmarès de « {forum.title} » n'est pas publié : ses lauréats ne sont pas encore connus.",
            field="forum_id",
        )
    for prize in forum.palmares.prizes:
        if prize_key in (None, prize.key) and any(e.project_id == project.id for e in prize.laureates):
            return prize.key
    raise NotALaureate(
        f"Le projet « {project.content.title} » ne figure pas au palmarès de « {forum.title} »"
        + (f" pour le prix « {prize_key} »." if prize_key else "."),
        field="prize_key" if prize_key else "forum_id",
    )


# -- milestones --------------------------------------------------------------------------------------------------------


class AddMilestone(Command[PreIncubationResult], frozen=True):
    title: str
    due: Annotated[date, msgspec.Meta(description="within the pre-incubation (extend its deadline first if later)")]


@handles(AddMilestone, on=ON_PRE_INCUBATION, roles=(ORGANISER,))
def add_milestone(p: PreIncubation, command: AddMilestone, unit: Unit[PreIncubationRef]) -> PreIncubationResult:
    return _result(p, p.add_milestone(title=command.title, due=command.due, meta=unit.meta))


class MilestoneReached(Command[PreIncubationResult], frozen=True):
    completed_on: date


class CompleteMilestone(MilestoneReached, frozen=True, kw_only=True):
    """The milestone the URL names is reached."""

    number: int


@handles(CompleteMilestone, on=ON_PRE_INCUBATION, roles=(ORGANISER,))
def complete_milestone(
    p: PreIncubation, command: CompleteMilestone, unit: Unit[PreIncubationRef]
) -> PreIncubationResult:
    p.complete_milestone(number=command.number, completed_on=command.completed_on, meta=unit.meta)
    return _result(p)


class MilestoneMoved(Command[PreIncubationResult], frozen=True):
    due: date
    reason: str


class RescheduleMilestone(MilestoneMoved, frozen=True, kw_only=True):
    """The milestone the URL names moves."""

    number: int


@handles(RescheduleMilestone, on=ON_PRE_INCUBATION, roles=(ORGANISER,))
def reschedule_milestone(
    p: PreIncubation, command: RescheduleMilestone, unit: Unit[PreIncubationRef]
) -> PreIncubationResult:
    p.reschedule_milestone(number=command.number, due=command.due, reason=command.reason, meta=unit.meta)
    return _result(p)


# -- deadline, sponsor, commitments, notes -----------------------------------------------------------------------------


class ExtendDeadline(Command[PreIncubationResult], frozen=True):
    deadline: date
    reason: str


@handles(ExtendDeadline, on=ON_PRE_INCUBATION, roles=(ORGANISER,))
def extend_deadline(p: PreIncubation, command: ExtendDeadline, unit: Unit[PreIncubationRef]) -> PreIncubationResult:
    p.extend_deadline(deadline=command.deadline, reason=command.reason, meta=unit.meta)
    return _result(p)


class ChangeSponsor(Command[PreIncubationResult], frozen=True):
    sponsor: str


@handles(ChangeSponsor, on=ON_PRE_INCUBATION, roles=(ORGANISER,))
def change_sponsor(p: PreIncubation, command: ChangeSponsor, unit: Unit[PreIncubationRef]) -> PreIncubationResult:
    p.change_sponsor(sponsor=command.sponsor, meta=unit.meta)
    return _result(p)


class ChangeCommitments(Command[PreIncubationResult], frozen=True):
    hours_per_week: Decimal
    budget_cents: int
    reason: str


@handles(ChangeCommitments, on=ON_PRE_INCUBATION, roles=(ORGANISER,))
def change_commitments(
    p: PreIncubation, command: ChangeCommitments, unit: Unit[PreIncubationRef]
) -> PreIncubationResult:
    p.change_commitments(
        hours_per_week=command.hours_per_week, budget_cents=command.budget_cents, reason=command.reason, meta=unit.meta
    )
    return _result(p)


class NoteProgress(Command[PreIncubationResult], frozen=True):
    text: str


@handles(NoteProgress, on=ON_PRE_INCUBATION, roles=(ORGANISER,))
def note_progress(p: PreIncubation, command: NoteProgress, unit: Unit[PreIncubationRef]) -> PreIncubationResult:
    p.note_progress(text=command.text, meta=unit.meta)
    return _result(p)


# -- vigilance, stage, outcome -----------------------------------------------------------------------------------------


class RaiseVigilance(Command[PreIncubationResult], frozen=True):
    text: str


@handles(RaiseVigilance, on=ON_PRE_INCUBATION, roles=(ORGANISER,))
def raise_vigilance(p: PreIncubation, command: RaiseVigilance, unit: Unit[PreIncubationRef]) -> PreIncubationResult:
    return _result(p, p.raise_vigilance(text=command.text, meta=unit.meta))


class VigilanceResolution(Command[PreIncubationResult], frozen=True):
    resolution: str


class ResolveVigilance(VigilanceResolution, frozen=True, kw_only=True):
    """The point of vigilance the URL names is resolved."""

    number: int


@handles(ResolveVigilance, on=ON_PRE_INCUBATION, roles=(ORGANISER,))
def resolve_vigilance(p: PreIncubation, command: ResolveVigilance, unit: Unit[PreIncubationRef]) -> PreIncubationResult:
    p.resolve_vigilance(number=command.number, resolution=command.resolution, meta=unit.meta)
    return _result(p)


class ChangeStage(Command[PreIncubationResult], frozen=True):
    stage: Stage
    reason: str


@handles(ChangeStage, on=ON_PRE_INCUBATION, roles=(ORGANISER,))
def change_stage(p: PreIncubation, command: ChangeStage, unit: Unit[PreIncubationRef]) -> PreIncubationResult:
    p.change_stage(stage=command.stage, reason=command.reason, meta=unit.meta)
    return _result(p)


class RecordOutcome(Command[PreIncubationResult], frozen=True):
    outcome: Annotated[str, msgspec.Meta(description="deploye, transfere (name the owner) or arrete (give a reason)")]
    owner: str | None = None
    reason: str | None = None


@handles(RecordOutcome, on=ON_PRE_INCUBATION, roles=(ORGANISER,))
def record_outcome(p: PreIncubation, command: RecordOutcome, unit: Unit[PreIncubationRef]) -> PreIncubationResult:
    p.record_outcome(outcome=command.outcome, owner=command.owner, reason=command.reason, meta=unit.meta)
    return _result(p)
