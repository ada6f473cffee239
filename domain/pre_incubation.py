"""Pre-incubation: a project's supported months between its selection and its outcome."""

import calendar
from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import event

from domain.aggregate import Aggregate
from domain.errors import Conflict, Invalid, NotFound
from domain.formatting import day
from domain.values import Meta, check_choice, check_slug, check_text


class Stage(StrEnum):
    """The stages through which the ministry's lab tracks a supported project."""

    EXPLORATION = "exploration"
    PROTOTYPAGE = "prototypage"
    ACCELERATION = "acceleration"
    EN_SUSPENS = "en_suspens"
    TERMINE = "termine"


STAGE_LABELS = {
    Stage.EXPLORATION: "Exploration",
    Stage.PROTOTYPAGE: "Prototypage",
    Stage.ACCELERATION: "Accélération",
    Stage.EN_SUSPENS: "En suspens",
    Stage.TERMINE: "Terminé",
}


class Reason(StrEnum):
    """Why a pre-incubation started: a prize, or a decision of the project's organisation."""

    LAUREAT = "laureat"
    DECISION = "decision"


class Outcome(StrEnum):
    DEPLOYE = "deploye"  # deployed by the organisation itself
    TRANSFERE = "transfere"  # handed over to a named permanent owner
    ARRETE = "arrete"  # stopped, with a reason


OUTCOME_LABELS = {
    Outcome.DEPLOYE: "Déployé",
    Outcome.TRANSFERE: "Transféré à un porteur pérenne",
    Outcome.ARRETE: "Arrêté",
}

DEFAULT_MONTHS = 3
MAX_HOURS_PER_WEEK = Decimal(48)  # the legal weekly maximum: a larger commitment is a typing error
MAX_BUDGET_CENTS = 100_000_000_00  # one hundred million euros


class Milestone(msgspec.Struct, frozen=True):
    """A milestone as it stands (state only, never stored as such: its events are)."""

    number: int
    title: str
    due: date
    completed_on: date | None = None


class VigilancePoint(msgspec.Struct, frozen=True):
    number: int
    text: str
    raised_on: date
    resolution: str | None = None


class ProgressNote(msgspec.Struct, frozen=True):
    text: str
    noted_on: date


class Flags(msgspec.Struct, frozen=True):
    """What the portfolio board shows beside a pre-incubation on a given day."""

    overdue_milestones: int
    deadline_passed: bool
    open_vigilance_points: int


class MilestoneAfterDeadline(Conflict, rule="milestone_after_deadline"): ...


class DeadlineNotLater(Conflict, rule="deadline_not_later"): ...


class SameStage(Conflict, rule="same_stage"): ...


class OutcomeAlreadyRecorded(Conflict, rule="outcome_already_recorded"): ...


class PreIncubationEnded(Conflict, rule="pre_incubation_ended"): ...


class MilestoneAlreadyCompleted(Conflict, rule="milestone_already_completed"): ...


class VigilanceAlreadyResolved(Conflict, rule="vigilance_already_resolved"): ...


class NothingChanged(Conflict, rule="nothing_changed"): ...


class UnknownMilestone(NotFound, rule="unknown_milestone"): ...


class UnknownVigilancePoint(NotFound, rule="unknown_vigilance_point"): ...


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, or the last day of that month if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_deadline(started_on: date) -> date:
    return add_months(started_on, DEFAULT_MONTHS)


def is_overdue(due: date, completed_on: date | None, today: date) -> bool:
    """A milestone is overdue from the day after its due date until it is completed."""
    return completed_on is None and today > due


def is_deadline_passed(deadline: date, outcome: str | None, today: date) -> bool:
    """The deadline is passed from the day after it, as long as no outcome closes the pre-incubation."""
    return outcome is None and today > deadline


def _check_hours(hours_per_week: Decimal | int) -> Decimal:
    hours = Decimal(hours_per_week)
    if not hours.is_finite() or not Decimal(0) <= hours <= MAX_HOURS_PER_WEEK:
        raise Invalid(
            f"Le temps consacré par semaine doit être compris entre 0 et {MAX_HOURS_PER_WEEK} heures "
            f"(reçu : {hours_per_week}).",
            field="hours_per_week",
            rule="out_of_range",
        )
    exponent = hours.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise Invalid(
            "Le temps consacré par semaine s'exprime en heures, avec au plus deux décimales.",
            field="hours_per_week",
            rule="too_precise",
        )
    return hours


def _check_budget(budget_cents: int) -> int:
    if not 0 <= budget_cents <= MAX_BUDGET_CENTS:
        raise Invalid(
            f"Le budget doit être compris entre 0 et {MAX_BUDGET_CENTS // 100} euros.",
            field="budget_cents",
            rule="out_of_range",
        )
    return budget_cents


class PreIncubation(Aggregate):
    """A project's pre-incubation, in its own organisation's store; one per project.

    Invariants: the deadline is after the start; every milestone falls between the
    start and the deadline (extend the deadline first to place one later); the
    stage is one of ``Stage`` and each change names a reason; the outcome is
    recorded once, a transfer names its owner and a stop its reason, and once
    recorded nothing more changes.
    """

    @staticmethod
    def id_for(project_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"forum:pre-incubation:{project_id}")

    @classmethod
    def start(
        cls,
        *,
        project_id: UUID,
        organisation: str,
        reason: str,
        decision: str = "",
        forum_id: UUID | None = None,
        prize_key: str | None = None,
        started_on: date,
        deadline: date | None = None,
        sponsor: str,
        hours_per_week: Decimal | int = 0,
        budget_cents: int = 0,
        partner: str | None = None,
        meta: Meta,
    ) -> "PreIncubation":
        """Start a pre-incubation: for a laureate (``forum_id`` required), or by ``decision`` of the organisation."""
        check_slug(organisation, "organisation")
        check_choice(reason, "reason", [r.value for r in Reason])
        decision = check_text(decision, "decision", max_length=1000, required=reason == Reason.DECISION)
        if reason == Reason.LAUREAT and forum_id is None:
            raise Invalid(
                "Un lauréat entre en pré-incubation au titre d'un forum : indiquez lequel.",
                field="forum_id",
                rule="required",
            )
        if prize_key is not None:
            prize_key = check_text(prize_key, "prize_key", max_length=100)
        deadline = default_deadline(started_on) if deadline is None else deadline
        if deadline <= started_on:
            raise Invalid(
                f"L'échéance ({day(deadline)}) doit suivre le début de la pré-incubation ({day(started_on)}).",
                field="deadline",
                rule="deadline_before_start",
            )
        sponsor = check_text(sponsor, "sponsor", max_length=200)
        if partner is not None:
            check_slug(partner, "partner")
        pre_incubation: PreIncubation = cls._create(
            cls.Started,
            id=cls.id_for(project_id),
            project_id=project_id,
            organisation=organisation,
            reason=reason,
            decision=decision,
            forum_id=forum_id,
            prize_key=prize_key,
            started_on=started_on,
            deadline=deadline,
            sponsor=sponsor,
            hours_per_week=_check_hours(hours_per_week),
            budget_cents=_check_budget(budget_cents),
            partner=partner,
            stage=Stage.EXPLORATION.value,
            meta=meta,
        )
        return pre_incubation

    class Started(Aggregate.Created):
        project_id: UUID
        organisation: str
        reason: str
        decision: str
        forum_id: UUID | None
        prize_key: str | None
        started_on: date
        deadline: date
        sponsor: str
        hours_per_week: Decimal
        budget_cents: int
        partner: str | None
        stage: str
        meta: Meta

    def __init__(
        self,
        *,
        project_id: UUID,
        organisation: str,
        reason: str,
        decision: str,
        forum_id: UUID | None,
        prize_key: str | None,
        started_on: date,
        deadline: date,
        sponsor: str,
        hours_per_week: Decimal,
        budget_cents: int,
        partner: str | None,
        stage: str,
        meta: Meta,
    ) -> None:
        self.project_id = project_id
        self.organisation = organisation
        self.reason = reason
        self.decision = decision
        self.forum_id = forum_id
        self.prize_key = prize_key
        self.started_on = started_on
        self.deadline = deadline
        self.sponsor = sponsor
        self.hours_per_week = hours_per_week
        self.budget_cents = budget_cents
        self.partner = partner
        self.stage = stage
        self.milestones: dict[int, Milestone] = {}
        self.vigilance_points: dict[int, VigilancePoint] = {}
        self.notes: list[ProgressNote] = []
        self.outcome: str | None = None
        self.owner: str | None = None
        self.outcome_reason: str | None = None

    # --- queries (pure: the day is an argument) -------------------------------------------------

    def overdue_milestones(self, today: date) -> tuple[Milestone, ...]:
        return tuple(m for m in self.milestones.values() if is_overdue(m.due, m.completed_on, today))

    def deadline_passed(self, today: date) -> bool:
        return is_deadline_passed(self.deadline, self.outcome, today)

    def open_vigilance_points(self) -> tuple[VigilancePoint, ...]:
        return tuple(v for v in self.vigilance_points.values() if v.resolution is None)

    def flags(self, today: date) -> Flags:
        return Flags(
            overdue_milestones=len(self.overdue_milestones(today)),
            deadline_passed=self.deadline_passed(today),
            open_vigilance_points=len(self.open_vigilance_points()),
        )

    @property
    def ended(self) -> bool:
        return self.outcome is not None

    # --- commands -----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.outcome is not None:
            raise PreIncubationEnded(
                f"La pré-incubation est close (issue : {OUTCOME_LABELS[Outcome(self.outcome)]}) : "
                "plus rien ne peut y être enregistré."
            )

    def _check_due(self, due: date) -> None:
        if due < self.started_on:
            raise Invalid(
                f"Un jalon ne peut pas être prévu le {day(due)}, avant le début de la pré-incubation "
                f"({day(self.started_on)}).",
                field="due",
                rule="due_before_start",
            )
        if due > self.deadline:
            raise MilestoneAfterDeadline(
                f"Un jalon ne peut pas être prévu le {day(due)}, après l'échéance de la pré-incubation "
                f"({day(self.deadline)}) : prolongez d'abord l'échéance.",
                field="due",
            )

    def _milestone(self, number: int) -> Milestone:
        try:
            return self.milestones[number]
        except KeyError:
            raise UnknownMilestone(f"Aucun jalon n° {number} dans cette pré-incubation.", field="number") from None

    def add_milestone(self, *, title: str, due: date, meta: Meta) -> int:
        """Add a milestone and return its number (1, 2, … in order of addition)."""
        self._check_open()
        title = check_text(title, "title", max_length=200)
        self._check_due(due)
        number = max(self.milestones, default=0) + 1
        self._milestone_added(number=number, title=title, due=due, meta=meta)
        return number

    @event("MilestoneAdded")
    def _milestone_added(self, number: int, title: str, due: date, meta: Meta) -> None:
        self.milestones[number] = Milestone(number=number, title=title, due=due)

    def complete_milestone(self, *, number: int, completed_on: date, meta: Meta) -> None:
        self._check_open()
        milestone = self._milestone(number)
        if milestone.completed_on is not None:
            raise MilestoneAlreadyCompleted(
                f"Le jalon « {milestone.title} » est déjà atteint (le {day(milestone.completed_on)}).",
                field="number",
            )
        if completed_on < self.started_on:
            raise Invalid(
                f"Un jalon ne peut pas être atteint le {day(completed_on)}, avant le début de la pré-incubation "
                f"({day(self.started_on)}).",
                field="completed_on",
                rule="completed_before_start",
            )
        self._milestone_completed(number=number, completed_on=completed_on, meta=meta)

    @event("MilestoneCompleted")
    def _milestone_completed(self, number: int, completed_on: date, meta: Meta) -> None:
        self.milestones[number] = msgspec.structs.replace(self.milestones[number], completed_on=completed_on)

    def reschedule_milestone(self, *, number: int, due: date, reason: str, meta: Meta) -> None:
        self._check_open()
        milestone = self._milestone(number)
        if milestone.completed_on is not None:
            raise MilestoneAlreadyCompleted(
                f"Le jalon « {milestone.title} » est déjà atteint : il ne se replanifie plus.", field="number"
            )
        if due == milestone.due:
            raise NothingChanged(f"Le jalon « {milestone.title} » est déjà prévu le {day(due)}.", field="due")
        reason = check_text(reason, "reason", max_length=1000)
        self._check_due(due)
        self._milestone_rescheduled(number=number, due=due, reason=reason, meta=meta)

    @event("MilestoneRescheduled")
    def _milestone_rescheduled(self, number: int, due: date, reason: str, meta: Meta) -> None:
        self.milestones[number] = msgspec.structs.replace(self.milestones[number], due=due)

    def extend_deadline(self, *, deadline: date, reason: str, meta: Meta) -> None:
        self._check_open()
        if deadline <= self.deadline:
            raise DeadlineNotLater(
                f"La nouvelle échéance ({day(deadline)}) doit être postérieure à l'actuelle ({day(self.deadline)}).",
                field="deadline",
            )
        reason = check_text(reason, "reason", max_length=1000)
        self._deadline_extended(deadline=deadline, reason=reason, meta=meta)

    @event("DeadlineExtended")
    def _deadline_extended(self, deadline: date, reason: str, meta: Meta) -> None:
        self.deadline = deadline

    def change_sponsor(self, *, sponsor: str, meta: Meta) -> None:
        self._check_open()
        sponsor = check_text(sponsor, "sponsor", max_length=200)
        if sponsor == self.sponsor:
            raise NothingChanged(f"Le parrain est déjà « {sponsor} ».", field="sponsor")
        self._sponsor_changed(sponsor=sponsor, meta=meta)

    @event("SponsorChanged")
    def _sponsor_changed(self, sponsor: str, meta: Meta) -> None:
        self.sponsor = sponsor

    def change_commitments(self, *, hours_per_week: Decimal | int, budget_cents: int, reason: str, meta: Meta) -> None:
        """Change the time the organisation gives the project bearer, and the money it commits."""
        self._check_open()
        hours = _check_hours(hours_per_week)
        budget_cents = _check_budget(budget_cents)
        if hours == self.hours_per_week and budget_cents == self.budget_cents:
            raise NothingChanged("Ces engagements sont déjà ceux enregistrés.", field="hours_per_week")
        reason = check_text(reason, "reason", max_length=1000)
        self._commitments_changed(hours_per_week=hours, budget_cents=budget_cents, reason=reason, meta=meta)

    @event("CommitmentsChanged")
    def _commitments_changed(self, hours_per_week: Decimal, budget_cents: int, reason: str, meta: Meta) -> None:
        self.hours_per_week = hours_per_week
        self.budget_cents = budget_cents

    def note_progress(self, *, text: str, meta: Meta) -> None:
        self._check_open()
        text = check_text(text, "text", max_length=5000)
        self._progress_noted(text=text, meta=meta)

    @event("ProgressNoted")
    def _progress_noted(self, text: str, meta: Meta) -> None:
        self.notes.append(ProgressNote(text=text, noted_on=meta.at.date()))

    def raise_vigilance(self, *, text: str, meta: Meta) -> int:
        """Raise a point of vigilance and return its number."""
        self._check_open()
        text = check_text(text, "text", max_length=2000)
        number = max(self.vigilance_points, default=0) + 1
        self._vigilance_raised(number=number, text=text, meta=meta)
        return number

    @event("VigilanceRaised")
    def _vigilance_raised(self, number: int, text: str, meta: Meta) -> None:
        self.vigilance_points[number] = VigilancePoint(number=number, text=text, raised_on=meta.at.date())

    def resolve_vigilance(self, *, number: int, resolution: str, meta: Meta) -> None:
        self._check_open()
        point = self.vigilance_points.get(number)
        if point is None:
            raise UnknownVigilancePoint(f"Aucun point de vigilance n° {number}.", field="number")
        if point.resolution is not None:
            raise VigilanceAlreadyResolved(
                f"Le point de vigilance n° {number} est déjà levé : « {point.resolution} ».", field="number"
            )
        resolution = check_text(resolution, "resolution", max_length=2000)
        self._vigilance_resolved(number=number, resolution=resolution, meta=meta)

    @event("VigilanceResolved")
    def _vigilance_resolved(self, number: int, resolution: str, meta: Meta) -> None:
        self.vigilance_points[number] = msgspec.structs.replace(self.vigilance_points[number], resolution=resolution)

    def change_stage(self, *, stage: str, reason: str, meta: Meta) -> None:
        self._check_open()
        check_choice(stage, "stage", [s.value for s in Stage])
        if stage == self.stage:
            raise SameStage(f"Le projet est déjà au stade « {STAGE_LABELS[Stage(stage)]} ».", field="stage")
        reason = check_text(reason, "reason", max_length=1000)
        self._stage_changed(stage=stage, previous=self.stage, reason=reason, meta=meta)

    @event("StageChanged")
    def _stage_changed(self, stage: str, previous: str, reason: str, meta: Meta) -> None:
        self.stage = stage

    def record_outcome(self, *, outcome: str, owner: str | None = None, reason: str | None = None, meta: Meta) -> None:
        """Close the pre-incubation: deployed, transferred to ``owner``, or stopped for ``reason``."""
        if self.outcome is not None:
            raise OutcomeAlreadyRecorded(
                f"L'issue de cette pré-incubation est déjà enregistrée : {OUTCOME_LABELS[Outcome(self.outcome)]}.",
                field="outcome",
            )
        check_choice(outcome, "outcome", [o.value for o in Outcome])
        owner = check_text(owner or "", "owner", max_length=200, required=False) or None
        reason = check_text(reason or "", "reason", max_length=2000, required=False) or None
        if outcome == Outcome.TRANSFERE and owner is None:
            raise Invalid(
                "Un transfert nomme le porteur pérenne qui reprend le projet (une direction, un service).",
                field="owner",
                rule="required",
            )
        if outcome == Outcome.ARRETE and reason is None:
            raise Invalid("L'arrêt d'un projet se motive : indiquez pourquoi.", field="reason", rule="required")
        self._outcome_recorded(outcome=outcome, owner=owner, reason=reason, meta=meta)

    @event("OutcomeRecorded")
    def _outcome_recorded(self, outcome: str, owner: str | None, reason: str | None, meta: Meta) -> None:
        self.outcome = outcome
        self.owner = owner
        self.outcome_reason = reason
