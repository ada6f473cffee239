"""The Forum aggregate, given/when/then: every refusal names its rule and records nothing."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

import pytest

from domain.errors import DomainError
from domain.forum import (
    AlreadyNominated,
    AlreadyVoted,
    BudgetExceeded,
    ConflictOfInterest,
    DeliberationClosed,
    DepartsFromRanking,
    Forum,
    InvitationAnswered,
    LaureatesMissing,
    MissingCriterion,
    NominationsClosed,
    NotAJuror,
    NotAssignedCoach,
    NotInElectorate,
    NotInRunningOrder,
    NotInvited,
    NotParticipant,
    NotSelectedLocally,
    NotTied,
    OwnOrganisationRecusal,
    OwnOrganisationVote,
    PalmaresAlreadyPublished,
    PalmaresNotDeliberated,
    PitchAlreadyRecorded,
    PitchesStarted,
    Prize,
    PrizeDecidedByVote,
    ProjectSnapshot,
    QuotaExceeded,
    RankingOutdated,
    RulesLocked,
    ScoreOutOfScale,
    SlotOverlaps,
    TieUnresolved,
    TooManyLaureates,
    UnknownCategory,
    UnknownCriterion,
    VoteClosed,
    VoteNotCounted,
    VoteNotOpen,
    Voter,
    VoteStillOpen,
    WithdrawalTooLate,
    running_order,
)
from domain.jury import Criterion, JuryRules
from domain.values import PARIS, Meta
from tests.domain.past import roundtrip

DAY = date(2019, 11, 28)
NS = UUID("0b5e7c1a-0000-4000-8000-000000000000")


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2019, month, day, hour, minute, tzinfo=PARIS)


NOMINATION_TIME = datetime(2019, 11, 4, 10, tzinfo=PARIS)


def meta(when: datetime = NOMINATION_TIME, actor: str = "host", organisation: str = "somme") -> Meta:
    return Meta(
        actor=actor,
        role="host",
        organisation="somme",
        actor_organisation=organisation,
        at=when,
        command_id="c",
        correlation_id="c",
    )


def project(organisation: str, name: str, category: str | None = None) -> ProjectSnapshot:
    return ProjectSnapshot(
        project_id=uuid5(NS, f"{organisation}:{name}"),
        organisation=organisation,
        title=f"Projet {name} ({organisation})",
        summary=f"Résumé {name}",
        category=category,
    )


NORD_A, NORD_B, NORD_C = project("nord", "a"), project("nord", "b"), project("nord", "c")
OISE_A, OISE_B = project("oise", "a"), project("oise", "b")
SOMME_A = project("somme", "a")
NORD_JUROR, OISE_JUROR, SOMME_JUROR = "juror-nord", "juror-oise", "juror-somme"
CRITERIA = (Criterion("usagers", "Utilité pour les usagers", 3), Criterion("pitch", "Clarté du pitch", 1))
RULES = JuryRules(criteria=CRITERIA, scale_min=1, scale_max=5, quorum=1)


def good(usagers: int = 4, pitch: int = 3) -> dict[str, int]:
    return {"usagers": usagers, "pitch": pitch}


def given_forum(
    *,
    quota: int = 2,
    budget_cents: int | None = None,
    categories: tuple[str, ...] = (),
    nominations: tuple[ProjectSnapshot, ...] = (NORD_A, OISE_A, SOMME_A),
    prizes: tuple[Prize, ...] = (Prize("laureats", "Lauréats", "main", laureates=1),),
    rules: JuryRules | None = RULES,
    history: list[Any] | None = None,
) -> Forum:
    """A forum hosted by Somme where Nord, Oise and Somme accepted, with jurors from each, then a clean slate."""
    forum = Forum.plan(
        id=Forum.id_for("somme", "test"),
        host="somme",
        title="Forum interdépartemental",
        kind="forum",
        starts_on=DAY,
        place="Amiens",
        quota=quota,
        categories=categories,
        budget_cents=budget_cents,
        meta=meta(at(2, month=9)),
    )
    for organisation in ("nord", "oise", "somme"):
        forum.invite(organisation=organisation, meta=meta(at(2, month=9)))
        forum.accept_invitation(organisation=organisation, meta=meta(at(3, month=9), organisation=organisation))
    for prize in prizes:
        forum.define_prize(prize=prize, meta=meta(at(2, month=9)))
    for nomination in nominations:
        forum.nominate(project=nomination, selected_locally=True, meta=meta(at(4)))
    for juror, organisation in ((NORD_JUROR, "nord"), (OISE_JUROR, "oise"), (SOMME_JUROR, "somme")):
        forum.appoint_juror(person_id=juror, organisation=organisation, college="élu", meta=meta(at(18)))
    if rules is not None:
        forum.set_jury_rules(rules=rules, meta=meta(at(18)))
    (history if history is not None else []).extend(forum.collect_events())
    return forum


def refused(forum: Forum, error: type[DomainError], command: Callable[[], Any], rule: str | None = None) -> DomainError:
    """Then the command is refused with ``error`` naming its rule, and nothing was recorded."""
    with pytest.raises(error) as raised:
        command()
    assert raised.value.rule == (rule or error.rule)
    assert raised.value.message
    assert forum.collect_events() == []
    return raised.value


def event_types(forum: Forum) -> list[str]:
    return [type(e).__name__ for e in forum.collect_events()]


def scored_and_deliberated(forum: Forum, laureate: ProjectSnapshot = OISE_A) -> None:
    forum.record_score(juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores=good(5, 5), meta=meta(at(28, 15)))
    forum.record_score(juror_id=OISE_JUROR, project_id=NORD_A.project_id, scores=good(2, 2), meta=meta(at(28, 15)))
    forum.compute_ranking(meta=meta(at(28, 17)))
    forum.open_deliberation(meta=meta(at(28, 17)))
    forum.designate_laureates(
        prize_key="laureats",
        project_ids=[laureate.project_id],
        meta=meta(at(28, 18)),
        rationale="" if laureate == OISE_A else "choix motivé",
    )


# -- the edition and its participants -----------------------------------------------------------------------------


def test_planning_an_edition_records_its_title_dates_place_kind_and_quota() -> None:
    forum = Forum.plan(
        id=Forum.id_for("somme", "f"),
        host="somme",
        title="  Forum  ",
        kind="forum",
        starts_on=DAY,
        place="Amiens",
        quota=3,
        meta=meta(at(2, month=9)),
    )
    [planned] = forum.collect_events()
    assert isinstance(planned, Forum.Planned)
    assert (planned.title, planned.starts_on, planned.ends_on, planned.quota) == ("Forum", DAY, DAY, 3)
    assert planned.timestamp == at(2, month=9)


def test_an_edition_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(DomainError) as raised:
        Forum.plan(
            id=Forum.id_for("somme", "f"),
            host="somme",
            title="F",
            kind="forum",
            starts_on=DAY,
            ends_on=DAY - timedelta(days=1),
            place="Amiens",
            quota=3,
            meta=meta(),
        )
    assert (raised.value.field, raised.value.rule) == ("ends_on", "dates_order")


def test_an_invited_organisation_accepts_or_declines_once() -> None:
    forum = given_forum()
    forum.invite(organisation="val-doise", quota=1, meta=meta())
    forum.decline_invitation(organisation="val-doise", reason="Calendrier chargé", meta=meta(organisation="val-doise"))
    assert event_types(forum) == ["OrganisationInvited", "InvitationDeclined"]
    refused(forum, InvitationAnswered, lambda: forum.accept_invitation(organisation="val-doise", meta=meta()))
    refused(forum, NotInvited, lambda: forum.accept_invitation(organisation="aisne", meta=meta()))
    # a declined organisation may be invited again
    forum.invite(organisation="val-doise", meta=meta())
    assert event_types(forum) == ["OrganisationInvited"]


# -- nominations -------------------------------------------------------------------------------------------------


def test_a_nomination_keeps_the_project_as_it_stood_then() -> None:
    forum = given_forum(nominations=())
    forum.nominate(project=NORD_A, selected_locally=True, meta=meta())
    [nominated] = forum.collect_events()
    assert isinstance(nominated, Forum.ProjectNominated)
    assert nominated.project == NORD_A
    assert forum.active_nominations() == (NORD_A,)


def test_a_nomination_over_the_quota_is_refused() -> None:
    # given Nord already nominated its quota of two projects
    forum = given_forum(nominations=(NORD_A, NORD_B))
    # when it nominates a third, then it is refused and nothing is recorded
    error = refused(forum, QuotaExceeded, lambda: forum.nominate(project=NORD_C, selected_locally=True, meta=meta()))
    assert "2" in error.message


def test_a_project_not_selected_locally_cannot_be_nominated() -> None:
    forum = given_forum(nominations=())
    refused(forum, NotSelectedLocally, lambda: forum.nominate(project=NORD_A, selected_locally=False, meta=meta()))


def test_only_participants_nominate_and_each_project_once() -> None:
    forum = given_forum()
    refused(
        forum, NotParticipant, lambda: forum.nominate(project=project("aisne", "a"), selected_locally=True, meta=meta())
    )
    refused(forum, AlreadyNominated, lambda: forum.nominate(project=NORD_A, selected_locally=True, meta=meta()))


def test_a_project_of_an_unknown_category_is_refused() -> None:
    forum = given_forum(categories=("Usagers", "Interne"), nominations=())
    refused(
        forum,
        UnknownCategory,
        lambda: forum.nominate(project=project("nord", "x", "Autre"), selected_locally=True, meta=meta()),
    )


def test_nominations_close_on_the_forum_day() -> None:
    forum = given_forum(nominations=())
    refused(
        forum, NominationsClosed, lambda: forum.nominate(project=NORD_A, selected_locally=True, meta=meta(at(28, 8)))
    )


def test_a_nomination_is_withdrawn_before_the_day_freeing_its_place_but_not_on_the_day() -> None:
    forum = given_forum(nominations=(NORD_A, NORD_B, OISE_A))
    refused(
        forum,
        WithdrawalTooLate,
        lambda: forum.withdraw_nomination(project_id=OISE_A.project_id, reason="", meta=meta(at(28, 0, 30))),
    )
    forum.withdraw_nomination(project_id=NORD_B.project_id, reason="Équipe indisponible", meta=meta(at(27, 23)))
    assert event_types(forum) == ["NominationWithdrawn"]
    forum.nominate(project=NORD_C, selected_locally=True, meta=meta(at(27, 23, 30)))
    assert [p.title for p in forum.active_nominations()] == [NORD_A.title, OISE_A.title, NORD_C.title]


# -- coaching and pitches ----------------------------------------------------------------------------------------


def test_only_the_assigned_coach_records_a_teams_coaching_session() -> None:
    forum = given_forum()
    forum.appoint_coach(person_id="coach-1", organisation="beta-gouv", meta=meta())
    forum.appoint_coach(person_id="coach-2", organisation="beta-gouv", meta=meta())
    forum.assign_coaching(
        project_id=NORD_A.project_id, coach_id="coach-1", starts_at=at(28, 9), minutes=50, meta=meta()
    )
    forum.collect_events()
    refused(
        forum,
        NotAssignedCoach,
        lambda: forum.record_coaching_session(
            coach_id="coach-2", project_id=NORD_A.project_id, notes="", problem_statement="Comment…", meta=meta()
        ),
    )
    forum.record_coaching_session(
        coach_id="coach-1",
        project_id=NORD_A.project_id,
        notes="Séance",
        problem_statement="Comment orienter l'usager ?",
        pitch_points=["le problème"],
        meta=meta(at(28, 9, 50), actor="coach-1", organisation="beta-gouv"),
    )
    [session] = forum.collect_events()
    assert isinstance(session, Forum.CoachingSessionRecorded)
    assert session.pitch_points == ("le problème",)
    assert forum.problem_statements[NORD_A.project_id] == "Comment orienter l'usager ?"


def test_a_coach_cannot_be_in_two_places_at_once() -> None:
    forum = given_forum()
    forum.appoint_coach(person_id="coach-1", organisation="beta-gouv", meta=meta())
    forum.assign_coaching(
        project_id=NORD_A.project_id, coach_id="coach-1", starts_at=at(28, 9), minutes=50, meta=meta()
    )
    forum.collect_events()
    refused(
        forum,
        SlotOverlaps,
        lambda: forum.assign_coaching(
            project_id=OISE_A.project_id, coach_id="coach-1", starts_at=at(28, 9, 30), minutes=50, meta=meta()
        ),
    )


def test_the_running_order_changes_until_the_first_pitch_then_is_fixed() -> None:
    forum = given_forum()
    slots = running_order(
        [NORD_A.project_id, OISE_A.project_id], starts_at=at(28, 14), pitch_seconds=180, questions_seconds=300
    )
    forum.set_running_order(slots=slots, meta=meta())
    reordered = running_order(
        [OISE_A.project_id, NORD_A.project_id], starts_at=at(28, 14), pitch_seconds=180, questions_seconds=300
    )
    forum.set_running_order(slots=reordered, meta=meta())
    forum.record_pitch(project_id=OISE_A.project_id, duration_seconds=192, meta=meta(at(28, 14, 3)))
    assert event_types(forum) == ["RunningOrderSet", "RunningOrderSet", "PitchDelivered"]
    refused(forum, PitchesStarted, lambda: forum.set_running_order(slots=slots, meta=meta()))
    refused(
        forum,
        PitchAlreadyRecorded,
        lambda: forum.record_pitch(project_id=OISE_A.project_id, duration_seconds=180, meta=meta()),
    )
    refused(forum, NotInRunningOrder, lambda: forum.record_absence(project_id=SOMME_A.project_id, meta=meta()))
    forum.record_absence(project_id=NORD_A.project_id, meta=meta())
    assert forum.pitches == {OISE_A.project_id: 192, NORD_A.project_id: None}


def test_overlapping_pitch_slots_are_refused() -> None:
    forum = given_forum()
    slots = running_order(
        [NORD_A.project_id, OISE_A.project_id],
        starts_at=at(28, 14),
        pitch_seconds=180,
        questions_seconds=300,
        changeover_seconds=-60,
    )
    refused(forum, SlotOverlaps, lambda: forum.set_running_order(slots=slots, meta=meta()))


# -- the jury ----------------------------------------------------------------------------------------------------


def test_a_score_records_the_rules_version_and_every_revision_the_last_counting() -> None:
    forum = given_forum()
    forum.record_score(
        juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores=good(2, 2), comment="Flou", meta=meta(at(28, 15))
    )
    forum.record_score(
        juror_id=NORD_JUROR,
        project_id=OISE_A.project_id,
        scores=good(4, 5),
        comment="Après échange",
        meta=meta(at(28, 16)),
    )
    first, second = forum.collect_events()
    assert isinstance(second, Forum.ScoreRecorded)
    assert (first.revision, second.revision, second.rules_version) == (1, 2, 1)
    assert [s.scores for s in forum.counted_sheets()] == [good(4, 5)]


def test_a_juror_never_scores_a_project_of_their_own_organisation() -> None:
    forum = given_forum()
    error = refused(
        forum,
        OwnOrganisationRecusal,
        lambda: forum.record_score(
            juror_id=NORD_JUROR, project_id=NORD_A.project_id, scores=good(), meta=meta(at(28, 15))
        ),
    )
    assert "nord" in error.message
    # its own rule, not a declared conflict's (though still a kind of conflict of interest)
    assert (error.rule, error.field, isinstance(error, ConflictOfInterest)) == ("own_organisation", "project_id", True)


def test_a_juror_who_declared_a_conflict_is_recused_their_earlier_scores_excluded_and_quorum_recomputed() -> None:
    # given a Nord juror who scored an Oise project, the only score it has (quorum 1)
    forum = given_forum()
    forum.record_score(juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores=good(), meta=meta(at(28, 15)))
    assert forum.preview_ranking().row(OISE_A.project_id).rank == 1  # type: ignore[union-attr]
    # when the juror declares a conflict on it
    forum.declare_conflict(
        juror_id=NORD_JUROR, project_id=OISE_A.project_id, reason="Ancien chef de service", meta=meta(at(28, 15, 30))
    )
    assert event_types(forum) == ["ScoreRecorded", "ConflictDeclared"]
    # then that score no longer counts and the project falls below quorum
    row = forum.preview_ranking().row(OISE_A.project_id)
    assert (row.scored_by, row.meets_quorum, row.rank) == (0, False, None)  # type: ignore[union-attr]
    # and a further score from the recused juror is refused, recording nothing
    error = refused(
        forum,
        ConflictOfInterest,
        lambda: forum.record_score(
            juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores=good(), meta=meta(at(28, 16))
        ),
    )
    assert "Ancien chef de service" in error.message


def test_a_score_outside_the_scale_is_refused_naming_the_criterion() -> None:
    forum = given_forum()
    error = refused(
        forum,
        ScoreOutOfScale,
        lambda: forum.record_score(
            juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores=good(usagers=6), meta=meta(at(28, 15))
        ),
    )
    assert error.field == "scores.usagers"
    assert "Utilité pour les usagers" in error.message and "1–5" in error.message


def test_every_criterion_is_scored_and_only_declared_ones() -> None:
    forum = given_forum()
    refused(
        forum,
        MissingCriterion,
        lambda: forum.record_score(
            juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores={"usagers": 3}, meta=meta(at(28, 15))
        ),
    )
    refused(
        forum,
        UnknownCriterion,
        lambda: forum.record_score(
            juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores={**good(), "style": 3}, meta=meta(at(28, 15))
        ),
    )
    refused(
        forum,
        NotAJuror,
        lambda: forum.record_score(
            juror_id="someone", project_id=OISE_A.project_id, scores=good(), meta=meta(at(28, 15))
        ),
    )


def test_a_score_after_deliberation_closed_is_refused() -> None:
    forum = given_forum()
    scored_and_deliberated(forum)
    forum.close_deliberation(meta=meta(at(28, 18, 15)))
    forum.collect_events()
    refused(
        forum,
        DeliberationClosed,
        lambda: forum.record_score(
            juror_id=SOMME_JUROR, project_id=OISE_A.project_id, scores=good(), meta=meta(at(28, 18, 30))
        ),
    )


def test_criteria_change_after_scoring_began_only_by_a_reasoned_amendment() -> None:
    # given scoring has begun under version 1
    forum = given_forum()
    forum.record_score(juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores=good(), meta=meta(at(28, 15)))
    forum.collect_events()
    changed = JuryRules(criteria=(*CRITERIA, Criterion("faisabilite", "Faisabilité", 2)), scale_min=1, scale_max=5)
    # when the host changes the criteria, then it is refused naming the rule, nothing recorded
    error = refused(forum, RulesLocked, lambda: forum.set_jury_rules(rules=changed, meta=meta(at(28, 15, 10))))
    assert "amendement" in error.message
    # and without a reason the amendment is refused too
    refused(
        forum,
        DomainError,
        lambda: forum.amend_jury_rules(rules=changed, reason=" ", meta=meta(at(28, 15, 10))),
        rule="required",
    )
    # when amended with a reason, then version 2 is recorded and the old score is set aside until re-scored
    forum.amend_jury_rules(rules=changed, reason="Critère de faisabilité oublié", meta=meta(at(28, 15, 10)))
    [amended] = forum.collect_events()
    assert isinstance(amended, Forum.RulesAmended)
    assert (amended.version, amended.reason) == (2, "Critère de faisabilité oublié")
    ranking = forum.preview_ranking()
    assert [a.rules_version for a in ranking.set_aside] == [1]
    forum.record_score(
        juror_id=NORD_JUROR,
        project_id=OISE_A.project_id,
        scores={**good(), "faisabilite": 4},
        meta=meta(at(28, 15, 20)),
    )
    [rescored] = forum.collect_events()
    assert rescored.rules_version == 2


def test_rules_are_free_to_change_before_the_first_score() -> None:
    forum = given_forum()
    forum.set_jury_rules(rules=JuryRules(criteria=CRITERIA, scale_min=0, scale_max=10), meta=meta())
    [reset] = forum.collect_events()
    assert isinstance(reset, Forum.RulesSet) and reset.version == 2


# -- ranking and deliberation ------------------------------------------------------------------------------------


def test_the_recorded_ranking_carries_its_method_and_full_table() -> None:
    forum = given_forum()
    forum.record_score(juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores=good(5, 1), meta=meta(at(28, 15)))
    forum.record_score(juror_id=SOMME_JUROR, project_id=OISE_A.project_id, scores=good(3, 3), meta=meta(at(28, 15)))
    forum.compute_ranking(meta=meta(at(28, 17)))
    *_, computed = forum.collect_events()
    assert isinstance(computed, Forum.RankingComputed)
    assert computed.ranking.rules == RULES and computed.ranking.rules_version == 1
    row = computed.ranking.row(OISE_A.project_id)
    assert row is not None and row.rank == 1 and str(row.mean) == "3.500000"
    assert [j.juror_id for j in row.jurors] == [NORD_JUROR, SOMME_JUROR]


def test_laureates_need_an_up_to_date_ranking_once_projects_are_scored() -> None:
    forum = given_forum()
    forum.record_score(juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores=good(), meta=meta(at(28, 15)))
    forum.open_deliberation(meta=meta(at(28, 17)))
    forum.collect_events()
    refused(
        forum,
        RankingOutdated,
        lambda: forum.designate_laureates(prize_key="laureats", project_ids=[OISE_A.project_id], meta=meta(at(28, 18))),
    )


def test_departing_from_the_ranking_needs_a_written_rationale() -> None:
    # given Oise's project ranked first and Nord's second
    forum = given_forum()
    forum.record_score(juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores=good(5, 5), meta=meta(at(28, 15)))
    forum.record_score(juror_id=OISE_JUROR, project_id=NORD_A.project_id, scores=good(2, 2), meta=meta(at(28, 15)))
    forum.compute_ranking(meta=meta(at(28, 17)))
    forum.open_deliberation(meta=meta(at(28, 17)))
    forum.collect_events()
    # when the jury designates Nord's without a rationale, then it is refused naming the ranking's choice
    error = refused(
        forum,
        DepartsFromRanking,
        lambda: forum.designate_laureates(prize_key="laureats", project_ids=[NORD_A.project_id], meta=meta(at(28, 18))),
    )
    assert OISE_A.title in error.message
    # and with one it is recorded as a departure, with its rationale
    forum.designate_laureates(
        prize_key="laureats",
        project_ids=[NORD_A.project_id],
        meta=meta(at(28, 18)),
        rationale="Potentiel de mutualisation jugé décisif en délibération",
    )
    [designated] = forum.collect_events()
    assert isinstance(designated, Forum.LaureatesDesignated)
    assert designated.departs_from_ranking is True
    assert designated.rationale.startswith("Potentiel")


def test_a_ranked_prize_follows_the_ranking_only_in_its_order() -> None:
    forum = given_forum(prizes=(Prize("podium", "Podium", "main", laureates=2, ranked=True),))
    forum.record_score(juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores=good(5, 5), meta=meta(at(28, 15)))
    forum.record_score(juror_id=OISE_JUROR, project_id=NORD_A.project_id, scores=good(2, 2), meta=meta(at(28, 15)))
    forum.compute_ranking(meta=meta(at(28, 17)))
    forum.open_deliberation(meta=meta(at(28, 17)))
    forum.collect_events()
    refused(
        forum,
        DepartsFromRanking,
        lambda: forum.designate_laureates(
            prize_key="podium", project_ids=[NORD_A.project_id, OISE_A.project_id], meta=meta(at(28, 18))
        ),
    )
    forum.designate_laureates(
        prize_key="podium", project_ids=[OISE_A.project_id, NORD_A.project_id], meta=meta(at(28, 18))
    )
    [designated] = forum.collect_events()
    assert designated.departs_from_ranking is False


def test_a_jury_vote_tie_break_is_recorded_by_the_host_and_changes_the_ranking() -> None:
    forum = given_forum(rules=JuryRules(criteria=CRITERIA, scale_min=1, scale_max=5, tie_break=("jury_vote",)))
    forum.record_score(juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores=good(), meta=meta(at(28, 15)))
    forum.record_score(juror_id=OISE_JUROR, project_id=NORD_A.project_id, scores=good(), meta=meta(at(28, 15)))
    forum.collect_events()
    assert forum.preview_ranking().unresolved_ties() != ()
    refused(
        forum,
        NotTied,
        lambda: forum.break_tie(
            project_ids=[NORD_A.project_id, SOMME_A.project_id], rationale="…", meta=meta(at(28, 17))
        ),
    )
    forum.break_tie(
        project_ids=[NORD_A.project_id, OISE_A.project_id],
        rationale="Vote à main levée, 9 voix contre 6",
        meta=meta(at(28, 17)),
    )
    assert event_types(forum) == ["TieBroken"]
    ranking = forum.compute_ranking(meta=meta(at(28, 17, 5)))
    assert [r.project_id for r in ranking.ranked()] == [NORD_A.project_id, OISE_A.project_id]


def test_the_deliberation_closes_only_with_every_jury_prize_awarded() -> None:
    forum = given_forum(prizes=(Prize("laureats", "Lauréats", "main"), Prize("coeur", "Coup de cœur", "special")))
    scored_and_deliberated(forum)
    forum.collect_events()
    error = refused(forum, LaureatesMissing, lambda: forum.close_deliberation(meta=meta(at(28, 18, 10))))
    assert "Coup de cœur" in error.message
    refused(
        forum,
        TooManyLaureates,
        lambda: forum.designate_laureates(
            prize_key="coeur", project_ids=[NORD_A.project_id, SOMME_A.project_id], meta=meta(at(28, 18))
        ),
    )


def test_an_award_that_would_exceed_the_budget_is_refused() -> None:
    # given a 10 000 € budget and two prizes of 6 000 € each
    forum = given_forum(
        budget_cents=1_000_000,
        prizes=(
            Prize("laureats", "Lauréats", "main", amount_cents=600_000),
            Prize("coeur", "Coup de cœur", "special", amount_cents=600_000),
        ),
    )
    scored_and_deliberated(forum)
    forum.collect_events()
    # when the second prize is awarded at its amount, then it is refused, nothing recorded
    error = refused(
        forum,
        BudgetExceeded,
        lambda: forum.designate_laureates(prize_key="coeur", project_ids=[SOMME_A.project_id], meta=meta(at(28, 18))),
    )
    assert "12\u202f000\u00a0€" in error.message and "10\u202f000\u00a0€" in error.message
    # and at a lower amount that fits, it is awarded
    forum.designate_laureates(
        prize_key="coeur",
        project_ids=[SOMME_A.project_id],
        meta=meta(at(28, 18)),
        amounts={SOMME_A.project_id: 400_000},
    )
    [designated] = forum.collect_events()
    assert designated.awards[0].amount_cents == 400_000


def test_a_vote_prize_is_not_designated_by_the_jury() -> None:
    forum = given_forum(prizes=(Prize("public", "Prix du public", "vote"),))
    forum.open_deliberation(meta=meta(at(28, 17)))
    forum.collect_events()
    refused(
        forum,
        PrizeDecidedByVote,
        lambda: forum.designate_laureates(prize_key="public", project_ids=[NORD_A.project_id], meta=meta(at(28, 18))),
    )


# -- votes ---------------------------------------------------------------------------------------------------------

OPENS, CLOSES = at(12, 9), at(22, 18)
ELECTORATE = (Voter("sg-nord", "nord"), Voter("sg-oise", "oise"), Voter("sg-somme", "somme"))


def given_vote(tie_break: str = "draw", allow_own: bool = False) -> Forum:
    forum = given_forum(
        prizes=(Prize("laureats", "Lauréats", "main"), Prize("academies", "Prix des académies", "vote"))
    )
    forum.organise_vote(
        prize_key="academies",
        electorate=ELECTORATE,
        opens_at=OPENS,
        closes_at=CLOSES,
        allow_own_organisation=allow_own,
        tie_break=tie_break,
        draw_seed="seed" if tie_break == "draw" else None,
        meta=meta(at(8)),
    )
    forum.collect_events()
    return forum


def test_one_vote_per_voter() -> None:
    forum = given_vote()
    forum.cast_vote(prize_key="academies", voter_id="sg-nord", project_id=OISE_A.project_id, meta=meta(at(13)))
    assert event_types(forum) == ["VoteCast"]
    refused(
        forum,
        AlreadyVoted,
        lambda: forum.cast_vote(
            prize_key="academies", voter_id="sg-nord", project_id=SOMME_A.project_id, meta=meta(at(14))
        ),
    )


@pytest.mark.parametrize(("when", "error"), [(OPENS - timedelta(seconds=1), VoteNotOpen), (CLOSES, VoteClosed)])
def test_a_vote_outside_its_period_is_refused(when: datetime, error: type[DomainError]) -> None:
    forum = given_vote()
    refused(
        forum,
        error,
        lambda: forum.cast_vote(
            prize_key="academies", voter_id="sg-nord", project_id=OISE_A.project_id, meta=meta(when)
        ),
    )


def test_only_the_electorate_votes_and_for_their_own_organisation_only_if_declared() -> None:
    forum = given_vote()
    refused(
        forum,
        NotInElectorate,
        lambda: forum.cast_vote(
            prize_key="academies", voter_id="intrus", project_id=OISE_A.project_id, meta=meta(at(13))
        ),
    )
    refused(
        forum,
        OwnOrganisationVote,
        lambda: forum.cast_vote(
            prize_key="academies", voter_id="sg-nord", project_id=NORD_A.project_id, meta=meta(at(13))
        ),
    )
    allowing = given_vote(allow_own=True)
    allowing.cast_vote(prize_key="academies", voter_id="sg-nord", project_id=NORD_A.project_id, meta=meta(at(13)))
    assert event_types(allowing) == ["VoteCast"]


def test_the_count_comes_after_the_close_and_a_tie_under_jury_vote_needs_the_jurys_order() -> None:
    forum = given_vote(tie_break="jury_vote")
    forum.cast_vote(prize_key="academies", voter_id="sg-nord", project_id=OISE_A.project_id, meta=meta(at(13)))
    forum.cast_vote(prize_key="academies", voter_id="sg-oise", project_id=SOMME_A.project_id, meta=meta(at(13)))
    forum.collect_events()
    refused(forum, VoteStillOpen, lambda: forum.count_votes(prize_key="academies", meta=meta(at(22, 17))))
    refused(forum, TieUnresolved, lambda: forum.count_votes(prize_key="academies", meta=meta(at(22, 18))))
    count = forum.count_votes(
        prize_key="academies",
        meta=meta(at(22, 18)),
        tie_order=[SOMME_A.project_id, OISE_A.project_id],
        rationale="Voix du président",
    )
    assert count.laureates == (SOMME_A.project_id,)
    [counted] = forum.collect_events()
    assert isinstance(counted, Forum.VotesCounted)
    assert counted.count.tie_decision is not None


# -- the palmarès --------------------------------------------------------------------------------------------------


def test_a_palmares_before_deliberation_closed_is_refused() -> None:
    forum = given_forum()
    scored_and_deliberated(forum)
    forum.collect_events()
    refused(forum, PalmaresNotDeliberated, lambda: forum.publish_palmares(meta=meta(at(28, 18, 30))))


def test_a_palmares_waits_for_every_vote_to_be_counted_and_is_published_once() -> None:
    forum = given_vote()
    forum.cast_vote(prize_key="academies", voter_id="sg-nord", project_id=OISE_A.project_id, meta=meta(at(13)))
    scored_and_deliberated(forum)
    forum.close_deliberation(meta=meta(at(28, 18, 10)))
    forum.collect_events()
    refused(forum, VoteNotCounted, lambda: forum.publish_palmares(meta=meta(at(28, 18, 30))))
    forum.count_votes(prize_key="academies", meta=meta(at(22, 18)))
    palmares = forum.publish_palmares(meta=meta(at(28, 18, 30)))
    [_, published] = forum.collect_events()
    assert isinstance(published, Forum.PalmaresPublished) and published.palmares == palmares
    [laureate] = palmares.prize("laureats").laureates
    assert (laureate.organisation, laureate.title, laureate.summary) == ("oise", OISE_A.title, OISE_A.summary)
    assert palmares.prize("academies").laureates[0].votes == 1
    refused(forum, PalmaresAlreadyPublished, lambda: forum.publish_palmares(meta=meta(at(28, 19))))


def test_replaying_the_events_rebuilds_the_same_forum() -> None:
    # given a whole story recorded: participants, scores, ranking, deliberation, a vote, the palmarès
    history: list[Any] = []
    forum = given_forum(
        prizes=(Prize("laureats", "Lauréats", "main"), Prize("academies", "Prix", "vote")), history=history
    )
    forum.organise_vote(
        prize_key="academies",
        electorate=ELECTORATE,
        opens_at=OPENS,
        closes_at=CLOSES,
        draw_seed="seed",
        meta=meta(at(8)),
    )
    forum.cast_vote(prize_key="academies", voter_id="sg-nord", project_id=OISE_A.project_id, meta=meta(at(13)))
    forum.count_votes(prize_key="academies", meta=meta(at(22, 18)))
    scored_and_deliberated(forum)
    forum.close_deliberation(meta=meta(at(28, 18, 10)))
    forum.publish_palmares(meta=meta(at(28, 18, 30)))
    history.extend(forum.collect_events())
    # when its events are applied to nothing, one by one
    replayed: Any = None
    for domain_event in history:
        replayed = domain_event.mutate(replayed)
    # then the same forum stands, down to the palmarès
    assert replayed.version == forum.version == len(history)
    assert replayed.palmares == forum.palmares is not None
    assert replayed.ranking == forum.ranking
    assert replayed.scores == forum.scores and replayed.designations == forum.designations


def test_every_kind_of_event_survives_the_stores_msgspec_encoding() -> None:
    history: list[Any] = []
    forum = given_forum(
        budget_cents=500_000,
        nominations=(NORD_A, NORD_B, OISE_A, SOMME_A),
        rules=JuryRules(criteria=CRITERIA, scale_min=1, scale_max=5, tie_break=("jury_vote",)),
        history=history,
    )
    forum.amend_edition(title="Forum 2019", place="Amiens, Hôtel du Département", starts_on=DAY, meta=meta())
    forum.set_budget(budget_cents=600_000, meta=meta())
    forum.set_quota(organisation="oise", quota=3, meta=meta())
    forum.invite(organisation="val-doise", meta=meta())
    forum.decline_invitation(organisation="val-doise", reason="Indisponible", meta=meta())
    forum.withdraw_nomination(project_id=NORD_B.project_id, reason="Équipe absente", meta=meta())
    forum.appoint_coach(person_id="coach-1", organisation="beta-gouv", meta=meta())
    forum.assign_coaching(
        project_id=OISE_A.project_id, coach_id="coach-1", starts_at=at(28, 9), minutes=50, meta=meta()
    )
    forum.record_coaching_session(
        coach_id="coach-1", project_id=OISE_A.project_id, notes="", problem_statement="Comment…", meta=meta()
    )
    forum.set_running_order(
        slots=running_order([NORD_A.project_id], starts_at=at(28, 14), pitch_seconds=180, questions_seconds=300),
        meta=meta(),
    )
    forum.record_absence(project_id=NORD_A.project_id, meta=meta(at(28, 14)))
    forum.record_score(juror_id=NORD_JUROR, project_id=OISE_A.project_id, scores=good(), meta=meta(at(28, 15)))
    forum.record_score(juror_id=OISE_JUROR, project_id=NORD_A.project_id, scores=good(), meta=meta(at(28, 15)))
    forum.declare_conflict(
        juror_id=SOMME_JUROR, project_id=OISE_A.project_id, reason="Lien familial", meta=meta(at(28, 15))
    )
    forum.amend_jury_rules(
        rules=JuryRules(criteria=CRITERIA, scale_min=1, scale_max=5, tie_break=("jury_vote",), quorum=1, precision=4),
        reason="Précision",
        meta=meta(at(28, 16)),
    )
    forum.break_tie(project_ids=[OISE_A.project_id, NORD_A.project_id], rationale="Vote", meta=meta(at(28, 17)))
    forum.compute_ranking(meta=meta(at(28, 17)))
    history.extend(forum.collect_events())
    assert len({type(e) for e in history}) == 22
    roundtrip(history)
