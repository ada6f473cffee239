"""Pre-incubation: start, deadline, milestones, stages, vigilance and outcome, given/when/then on events."""

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from domain.codec import decode_event, encode_event
from domain.errors import Conflict, Invalid, NotFound
from domain.pre_incubation import (
    DeadlineNotLater,
    MilestoneAfterDeadline,
    MilestoneAlreadyCompleted,
    NothingChanged,
    OutcomeAlreadyRecorded,
    PreIncubation,
    PreIncubationEnded,
    SameStage,
    UnknownMilestone,
    VigilanceAlreadyResolved,
    add_months,
    is_deadline_passed,
    is_overdue,
)
from domain.values import Meta

AT = datetime(2019, 12, 2, 9, 0, tzinfo=UTC)
PROJECT = UUID("00000000-0000-0000-0000-000000000004")  # Oise: the school canteens' communication
FORUM = UUID("00000000-0000-0000-0000-0000000000f0")
START = date(2019, 12, 2)


def meta(command_id: str = "c1", at: datetime = AT) -> Meta:
    return Meta(
        actor="11111111-1111-1111-1111-111111111111",
        role="organiser",
        organisation="oise",
        actor_organisation="oise",
        at=at,
        command_id=command_id,
        correlation_id=command_id,
    )


def starting(**changes: object) -> PreIncubation:
    """Oise's laureate starting its pre-incubation on 2 December 2019 (``changes``: other fields), its event pending."""
    fields: dict[str, object] = {
        "project_id": PROJECT,
        "organisation": "oise",
        "reason": "laureat",
        "forum_id": FORUM,
        "prize_key": "laureat",
        "started_on": START,
        "sponsor": "directrice éducation-jeunesse",
        "hours_per_week": Decimal("7"),
        "budget_cents": 500_000,
        "partner": "beta-gouv",
        "meta": meta("start"),
    }
    fields.update(changes)
    return PreIncubation.start(**fields)  # type: ignore[arg-type]


def given_pre_incubation(**changes: object) -> PreIncubation:
    pre_incubation = starting(**changes)
    pre_incubation.collect_events()
    return pre_incubation


def replayed(*events: object) -> PreIncubation:
    """Rebuild the aggregate from its events written down and read back, as the store does."""
    copy: PreIncubation | None = None
    for e in events:
        topic, originator_id, version, payload = encode_event(e)
        copy = decode_event(topic, payload, originator_id, version).mutate(copy)
    assert copy is not None
    return copy


# --- start ---------------------------------------------------------------------------------------


def test_a_laureate_starts_with_a_three_month_deadline_its_sponsor_commitments_and_partner() -> None:
    # when a laureate of the forum starts its pre-incubation on 2 December 2019
    pre_incubation = PreIncubation.start(
        project_id=PROJECT,
        organisation="oise",
        reason="laureat",
        forum_id=FORUM,
        prize_key="laureat",
        started_on=START,
        sponsor="directrice éducation-jeunesse",
        hours_per_week=Decimal("7"),
        budget_cents=500_000,
        partner="beta-gouv",
        meta=meta(),
    )
    # then one Started event, with the deadline three calendar months later
    [started] = pre_incubation.collect_events()
    assert isinstance(started, PreIncubation.Started)
    assert started.deadline == date(2020, 3, 2)
    assert started.stage == "exploration"
    assert started.hours_per_week == Decimal("7")
    assert started.budget_cents == 500_000
    assert started.partner == "beta-gouv"
    assert started.forum_id == FORUM
    assert started.timestamp == AT
    # and the id derives from the project, so a second start of the same project collides in the store
    assert pre_incubation.id == PreIncubation.id_for(PROJECT)
    assert PreIncubation.id_for(PROJECT) != PreIncubation.id_for(FORUM)


@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        (date(2019, 11, 30), date(2020, 2, 29)),  # shorter month, leap year: its last day
        (date(2019, 10, 31), date(2020, 1, 31)),  # across the year
        (date(2020, 11, 30), date(2021, 2, 28)),
        (date(2019, 12, 2), date(2020, 3, 2)),
    ],
)
def test_the_default_deadline_counts_calendar_months(start: date, deadline: date) -> None:
    assert add_months(start, 3) == deadline
    assert given_pre_incubation(started_on=start).deadline == deadline


def test_any_project_may_start_by_decision_of_its_organisation_with_a_chosen_deadline() -> None:
    pre_incubation = given_pre_incubation(
        reason="decision",
        decision="Comité de direction du 15 janvier 2020",
        forum_id=None,
        prize_key=None,
        deadline=date(2020, 6, 30),
        partner=None,
    )
    assert pre_incubation.reason == "decision"
    assert pre_incubation.decision == "Comité de direction du 15 janvier 2020"
    assert pre_incubation.deadline == date(2020, 6, 30)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "coup_de_coeur"}, "reason"),
        ({"reason": "decision", "decision": "  "}, "decision"),
        ({"forum_id": None}, "forum_id"),  # a laureate of which forum?
        ({"deadline": START}, "deadline"),
        ({"deadline": date(2019, 11, 1)}, "deadline"),
        ({"sponsor": ""}, "sponsor"),
        ({"hours_per_week": Decimal("-1")}, "hours_per_week"),
        ({"hours_per_week": 70}, "hours_per_week"),
        ({"hours_per_week": Decimal("3.125")}, "hours_per_week"),
        ({"hours_per_week": Decimal("NaN")}, "hours_per_week"),
        ({"budget_cents": -1}, "budget_cents"),
        ({"partner": "Beta Gouv"}, "partner"),
        ({"organisation": "Oise"}, "organisation"),
    ],
)
def test_a_start_with_a_bad_input_is_refused_naming_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(Invalid) as refused:
        given_pre_incubation(**changes)
    assert refused.value.field == field
    assert refused.value.message


# --- milestones and deadline ---------------------------------------------------------------------


def test_milestones_are_numbered_completed_and_rescheduled() -> None:
    # given a pre-incubation
    pre_incubation = given_pre_incubation()
    # when two milestones are added
    first = pre_incubation.add_milestone(title="Enquête auprès des familles", due=date(2019, 12, 20), meta=meta("m1"))
    second = pre_incubation.add_milestone(title="Prototype du menu en ligne", due=date(2020, 2, 1), meta=meta("m2"))
    # then they are numbered in order
    assert (first, second) == (1, 2)
    # when the first is completed and the second rescheduled
    pre_incubation.complete_milestone(number=1, completed_on=date(2019, 12, 18), meta=meta("m3"))
    pre_incubation.reschedule_milestone(
        number=2, due=date(2020, 2, 15), reason="Vacances scolaires de février", meta=meta("m4")
    )
    events = pre_incubation.collect_events()
    assert [type(e).__name__ for e in events] == [
        "MilestoneAdded",
        "MilestoneAdded",
        "MilestoneCompleted",
        "MilestoneRescheduled",
    ]
    assert pre_incubation.milestones[1].completed_on == date(2019, 12, 18)
    assert pre_incubation.milestones[2].due == date(2020, 2, 15)


def test_a_milestone_due_after_the_deadline_is_refused_until_the_deadline_is_extended() -> None:
    # given a pre-incubation whose deadline is 2 March 2020
    pre_incubation = given_pre_incubation()
    # when a milestone is planned for 15 April 2020
    with pytest.raises(MilestoneAfterDeadline) as refused:
        pre_incubation.add_milestone(title="Déploiement dans 10 collèges", due=date(2020, 4, 15), meta=meta())
    # then it is refused, naming both dates, and nothing was recorded
    assert refused.value.rule == "milestone_after_deadline"
    assert isinstance(refused.value, Conflict)
    assert refused.value.field == "due"
    assert "15/04/2020" in refused.value.message
    assert "02/03/2020" in refused.value.message
    assert pre_incubation.collect_events() == []
    assert pre_incubation.milestones == {}
    # when the deadline is extended first, with a reason
    pre_incubation.extend_deadline(deadline=date(2020, 4, 30), reason="Fermeture des collèges", meta=meta("d"))
    pre_incubation.add_milestone(title="Déploiement dans 10 collèges", due=date(2020, 4, 15), meta=meta("m"))
    # then both are recorded
    extended, added = pre_incubation.collect_events()
    assert isinstance(extended, PreIncubation.DeadlineExtended)
    assert extended.reason == "Fermeture des collèges"
    assert isinstance(added, PreIncubation.MilestoneAdded)
    assert pre_incubation.deadline == date(2020, 4, 30)


def test_a_milestone_cannot_be_rescheduled_after_the_deadline_either() -> None:
    pre_incubation = given_pre_incubation()
    pre_incubation.add_milestone(title="Prototype", due=date(2020, 2, 1), meta=meta())
    pre_incubation.collect_events()
    with pytest.raises(MilestoneAfterDeadline):
        pre_incubation.reschedule_milestone(number=1, due=date(2020, 3, 3), reason="Retard", meta=meta())
    assert pre_incubation.collect_events() == []
    assert pre_incubation.milestones[1].due == date(2020, 2, 1)


def test_a_milestone_on_the_deadline_itself_is_accepted_but_not_before_the_start() -> None:
    pre_incubation = given_pre_incubation()
    pre_incubation.add_milestone(title="Bilan", due=date(2020, 3, 2), meta=meta())
    with pytest.raises(Invalid) as refused:
        pre_incubation.add_milestone(title="Cadrage", due=date(2019, 12, 1), meta=meta())
    assert refused.value.field == "due"
    assert len(pre_incubation.collect_events()) == 1


def test_milestone_refusals_record_nothing() -> None:
    # given a pre-incubation with one completed milestone
    pre_incubation = given_pre_incubation()
    pre_incubation.add_milestone(title="Enquête", due=date(2019, 12, 20), meta=meta())
    pre_incubation.complete_milestone(number=1, completed_on=date(2019, 12, 18), meta=meta())
    pre_incubation.collect_events()
    # then completing it again, rescheduling it, or touching an unknown milestone are refused
    with pytest.raises(MilestoneAlreadyCompleted):
        pre_incubation.complete_milestone(number=1, completed_on=date(2019, 12, 19), meta=meta())
    with pytest.raises(MilestoneAlreadyCompleted):
        pre_incubation.reschedule_milestone(number=1, due=date(2020, 1, 5), reason="x", meta=meta())
    with pytest.raises(UnknownMilestone) as unknown:
        pre_incubation.complete_milestone(number=7, completed_on=date(2019, 12, 19), meta=meta())
    assert isinstance(unknown.value, NotFound)
    assert pre_incubation.collect_events() == []


def test_a_reschedule_to_the_same_day_or_a_completion_before_the_start_is_refused() -> None:
    pre_incubation = given_pre_incubation()
    pre_incubation.add_milestone(title="Enquête", due=date(2019, 12, 20), meta=meta())
    pre_incubation.collect_events()
    with pytest.raises(NothingChanged):
        pre_incubation.reschedule_milestone(number=1, due=date(2019, 12, 20), reason="x", meta=meta())
    with pytest.raises(Invalid) as refused:
        pre_incubation.complete_milestone(number=1, completed_on=date(2019, 11, 1), meta=meta())
    assert refused.value.field == "completed_on"
    assert pre_incubation.collect_events() == []


def test_a_deadline_is_only_ever_extended_and_with_a_reason() -> None:
    pre_incubation = given_pre_incubation()
    with pytest.raises(DeadlineNotLater) as refused:
        pre_incubation.extend_deadline(deadline=date(2020, 3, 2), reason="x", meta=meta())
    assert refused.value.field == "deadline"
    with pytest.raises(Invalid) as no_reason:
        pre_incubation.extend_deadline(deadline=date(2020, 4, 2), reason=" ", meta=meta())
    assert no_reason.value.field == "reason"
    assert pre_incubation.collect_events() == []
    assert pre_incubation.deadline == date(2020, 3, 2)


# --- flags for the portfolio board ----------------------------------------------------------------


def test_overdue_milestones_and_a_passed_deadline_are_flagged_for_a_given_day() -> None:
    # given two milestones, one completed
    pre_incubation = given_pre_incubation()
    pre_incubation.add_milestone(title="Enquête", due=date(2019, 12, 20), meta=meta())
    pre_incubation.add_milestone(title="Prototype", due=date(2020, 2, 1), meta=meta())
    pre_incubation.complete_milestone(number=1, completed_on=date(2019, 12, 22), meta=meta())
    # then on its due date a milestone is not yet overdue, the day after it is
    assert pre_incubation.overdue_milestones(date(2020, 2, 1)) == ()
    assert [m.number for m in pre_incubation.overdue_milestones(date(2020, 2, 2))] == [2]
    # and the deadline is passed from the day after it
    assert not pre_incubation.deadline_passed(date(2020, 3, 2))
    assert pre_incubation.deadline_passed(date(2020, 3, 3))
    flags = pre_incubation.flags(date(2020, 3, 3))
    assert (flags.overdue_milestones, flags.deadline_passed, flags.open_vigilance_points) == (1, True, 0)
    # and a closed pre-incubation is never late
    pre_incubation.record_outcome(outcome="deploye", meta=meta())
    assert not pre_incubation.deadline_passed(date(2021, 1, 1))


def test_the_flag_helpers_work_on_plain_values_for_projections() -> None:
    assert is_overdue(date(2020, 1, 1), None, date(2020, 1, 2))
    assert not is_overdue(date(2020, 1, 1), date(2020, 1, 3), date(2020, 1, 5))
    assert not is_overdue(date(2020, 1, 1), None, date(2020, 1, 1))
    assert is_deadline_passed(date(2020, 3, 2), None, date(2020, 3, 3))
    assert not is_deadline_passed(date(2020, 3, 2), "arrete", date(2020, 3, 3))


# --- stages, notes, vigilance, commitments ----------------------------------------------------------


def test_a_stage_change_records_the_new_and_previous_stage_and_its_reason() -> None:
    pre_incubation = given_pre_incubation()
    pre_incubation.change_stage(stage="prototypage", reason="Problème validé avec 40 familles", meta=meta())
    [changed] = pre_incubation.collect_events()
    assert isinstance(changed, PreIncubation.StageChanged)
    assert (changed.stage, changed.previous, changed.reason) == (
        "prototypage",
        "exploration",
        "Problème validé avec 40 familles",
    )
    assert pre_incubation.stage == "prototypage"


@pytest.mark.parametrize("stage", ["incubation", "Prototypage", "accélération", ""])
def test_a_stage_change_to_an_unknown_stage_is_refused_naming_the_stage(stage: str) -> None:
    pre_incubation = given_pre_incubation()
    with pytest.raises(Invalid) as refused:
        pre_incubation.change_stage(stage=stage, reason="x", meta=meta())
    assert refused.value.field == "stage"
    assert "exploration" in refused.value.message  # the message lists the known stages
    assert pre_incubation.collect_events() == []
    assert pre_incubation.stage == "exploration"


def test_a_stage_change_to_the_same_stage_or_without_a_reason_is_refused() -> None:
    pre_incubation = given_pre_incubation()
    with pytest.raises(SameStage):
        pre_incubation.change_stage(stage="exploration", reason="x", meta=meta())
    with pytest.raises(Invalid) as refused:
        pre_incubation.change_stage(stage="en_suspens", reason="", meta=meta())
    assert refused.value.field == "reason"
    assert pre_incubation.collect_events() == []


def test_points_of_vigilance_are_raised_and_resolved_once() -> None:
    # given a pre-incubation
    pre_incubation = given_pre_incubation()
    # when the project bearer leaves
    number = pre_incubation.raise_vigilance(
        text="La porteuse du projet a quitté la collectivité ; il faut un nouveau porteur compétent en accessibilité.",
        meta=meta(),
    )
    assert pre_incubation.flags(START).open_vigilance_points == 1
    # and a new bearer is found
    pre_incubation.resolve_vigilance(
        number=number, resolution="Un chargé de mission accessibilité reprend.", meta=meta()
    )
    raised, resolved = pre_incubation.collect_events()
    assert isinstance(raised, PreIncubation.VigilanceRaised)
    assert isinstance(resolved, PreIncubation.VigilanceResolved)
    assert pre_incubation.open_vigilance_points() == ()
    # then resolving it again, or an unknown point, is refused and records nothing
    with pytest.raises(VigilanceAlreadyResolved):
        pre_incubation.resolve_vigilance(number=number, resolution="encore", meta=meta())
    with pytest.raises(NotFound):
        pre_incubation.resolve_vigilance(number=9, resolution="?", meta=meta())
    assert pre_incubation.collect_events() == []


def test_progress_notes_sponsor_and_commitments_are_recorded() -> None:
    pre_incubation = given_pre_incubation()
    pre_incubation.note_progress(text="Atelier avec les chefs de cuisine de 5 collèges.", meta=meta())
    pre_incubation.change_sponsor(sponsor="directeur général adjoint", meta=meta())
    pre_incubation.change_commitments(
        hours_per_week=Decimal("10.5"), budget_cents=1_500_000, reason="Prototype à financer", meta=meta()
    )
    assert [type(e).__name__ for e in pre_incubation.collect_events()] == [
        "ProgressNoted",
        "SponsorChanged",
        "CommitmentsChanged",
    ]
    assert pre_incubation.notes[0].noted_on == AT.date()
    assert (pre_incubation.hours_per_week, pre_incubation.budget_cents) == (Decimal("10.5"), 1_500_000)
    with pytest.raises(NothingChanged):
        pre_incubation.change_commitments(
            hours_per_week=Decimal("10.5"), budget_cents=1_500_000, reason="x", meta=meta()
        )
    with pytest.raises(NothingChanged):
        pre_incubation.change_sponsor(sponsor="directeur général adjoint", meta=meta())
    assert pre_incubation.collect_events() == []


# --- outcome ---------------------------------------------------------------------------------------


def test_a_transfer_names_its_permanent_owner_and_closes_the_pre_incubation() -> None:
    # given a pre-incubation
    pre_incubation = given_pre_incubation()
    # when it is transferred to a permanent owner
    pre_incubation.record_outcome(outcome="transfere", owner="Direction de l'éducation et de la jeunesse", meta=meta())
    [recorded] = pre_incubation.collect_events()
    assert isinstance(recorded, PreIncubation.OutcomeRecorded)
    assert (recorded.outcome, recorded.owner, recorded.reason) == (
        "transfere",
        "Direction de l'éducation et de la jeunesse",
        None,
    )
    assert pre_incubation.ended
    # then a second outcome is refused, recording nothing
    with pytest.raises(OutcomeAlreadyRecorded) as refused:
        pre_incubation.record_outcome(outcome="arrete", reason="Plus de budget", meta=meta())
    assert refused.value.rule == "outcome_already_recorded"
    assert "Transféré" in refused.value.message
    # and nothing else can change any more
    with pytest.raises(PreIncubationEnded):
        pre_incubation.change_stage(stage="termine", reason="x", meta=meta())
    with pytest.raises(PreIncubationEnded):
        pre_incubation.add_milestone(title="x", due=date(2020, 1, 1), meta=meta())
    with pytest.raises(PreIncubationEnded):
        pre_incubation.extend_deadline(deadline=date(2020, 5, 1), reason="x", meta=meta())
    with pytest.raises(PreIncubationEnded):
        pre_incubation.note_progress(text="x", meta=meta())
    assert pre_incubation.collect_events() == []
    assert pre_incubation.outcome == "transfere"


@pytest.mark.parametrize(
    ("outcome", "owner", "reason", "field"),
    [
        ("transfere", None, None, "owner"),
        ("transfere", "   ", "x", "owner"),
        ("arrete", None, None, "reason"),
        ("arrete", "Direction X", "", "reason"),
        ("abandonne", None, "x", "outcome"),
    ],
)
def test_an_outcome_without_its_owner_or_reason_is_refused(
    outcome: str, owner: str | None, reason: str | None, field: str
) -> None:
    pre_incubation = given_pre_incubation()
    with pytest.raises(Invalid) as refused:
        pre_incubation.record_outcome(outcome=outcome, owner=owner, reason=reason, meta=meta())
    assert refused.value.field == field
    assert pre_incubation.collect_events() == []
    assert not pre_incubation.ended


def test_a_stop_records_its_reason_and_a_deployment_needs_neither() -> None:
    stopped = given_pre_incubation()
    stopped.record_outcome(outcome="arrete", reason="Solution existante trouvée ailleurs", meta=meta())
    assert stopped.outcome_reason == "Solution existante trouvée ailleurs"
    deployed = given_pre_incubation()
    deployed.record_outcome(outcome="deploye", meta=meta())
    assert (deployed.outcome, deployed.owner, deployed.outcome_reason) == ("deploye", None, None)


def test_the_history_replays_to_the_same_state() -> None:
    # given a full history
    pre_incubation = starting(sponsor="DGA", hours_per_week=Decimal("3"), budget_cents=100_000, meta=meta())
    pre_incubation.change_commitments(hours_per_week=Decimal("3.5"), budget_cents=120_000, reason="z", meta=meta())
    pre_incubation.add_milestone(title="Enquête", due=date(2019, 12, 20), meta=meta())
    pre_incubation.complete_milestone(number=1, completed_on=date(2019, 12, 18), meta=meta())
    pre_incubation.extend_deadline(deadline=date(2020, 4, 30), reason="x", meta=meta())
    pre_incubation.add_milestone(title="Prototype", due=date(2020, 2, 1), meta=meta())
    pre_incubation.reschedule_milestone(number=2, due=date(2020, 4, 1), reason="z", meta=meta())
    pre_incubation.raise_vigilance(text="Départ du porteur", meta=meta())
    pre_incubation.raise_vigilance(text="Budget non voté", meta=meta())
    pre_incubation.resolve_vigilance(number=2, resolution="Voté", meta=meta())
    pre_incubation.note_progress(text="Atelier", meta=meta())
    pre_incubation.change_sponsor(sponsor="DGS", meta=meta())
    pre_incubation.change_stage(stage="acceleration", reason="y", meta=meta())
    pre_incubation.record_outcome(outcome="transfere", owner="DSI", meta=meta())
    events = pre_incubation.collect_events()
    # when it is replayed
    copy = replayed(*events)
    # then the state is the same
    assert copy.id == pre_incubation.id
    assert copy.milestones == pre_incubation.milestones
    assert copy.deadline == date(2020, 4, 30)
    assert copy.stage == "acceleration"
    assert copy.open_vigilance_points() == pre_incubation.open_vigilance_points()
    assert (copy.outcome, copy.owner) == ("transfere", "DSI")
    assert (copy.hours_per_week, copy.budget_cents, copy.forum_id) == (Decimal("3.5"), 120_000, FORUM)
    assert copy.started_on == START
    assert (copy.sponsor, copy.notes) == ("DGS", pre_incubation.notes)
    assert copy.modified_on == AT
