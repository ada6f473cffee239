"""Forums through the application: who may act, in which store, at the server's time; every bad input refused
with its rule and nothing recorded (the events table does not grow)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.errors import DomainError, Forbidden, NotFound
from domain.jury import Criterion, JuryRules
from forum import forums
from forum.access import Actor
from forum.application import ForumApplication
from forum.coaching import AppointCoach, AssignCoaching, RecordCoachingSession
from forum.database import Database
from forum.forums import DeclineForumInvitation, Invite, SetBudget
from forum.jury import (
    AmendRules,
    AppointJuror,
    ComputeRanking,
    DeclareConflict,
    DesignateLaureates,
    OpenDeliberation,
    RecordScore,
    SetRules,
)
from forum.stage import PitchSlotIn, RecordAbsence, RecordPitch, SetRunningOrder
from forum.votes import CastVote, CountVotes
from tests.builders import nominates, plans, publishes, sends, withdraws
from tests.conftest import Clock, command_id
from tests.worlds.forums import (
    CRITERIA,
    DAY,
    HOST,
    ON_THE_DAY,
    World,
    build_world,
    deliberated_world,
    jury_world,
    nominated_world,
    organise_vote,
    score,
    score_everything,
    vote,
)


def refused(world: World, error: type[DomainError], rule: str, command: Callable[[], Any]) -> DomainError:
    """Then the command is refused with ``error`` naming ``rule``, and nothing was recorded."""
    before = world.events()
    with pytest.raises(error) as raised:
        command()
    assert raised.value.rule == rule, raised.value.message
    assert raised.value.message
    assert world.events() == before
    return raised.value


@pytest.fixture
def world(app: ForumApplication, clock: Clock, db: Database) -> World:
    return build_world(app, clock, db)


# ---------------------------------------------------------------------------------------------------------------------
# The edition and its participants


def test_a_host_plans_the_forum_in_its_store_and_invited_organisations_answer_there(world: World) -> None:
    # given the world: the forum was planned and Nord, Oise and Somme accepted
    # then every event lives in Somme's store, Nord's acceptance included
    assert {org for org, _ in world.topics("Forum.Planned")} == {"somme"}
    assert world.topics("Forum.InvitationAccepted") == [("somme", "domain.forum:Forum.InvitationAccepted")] * 3
    # and the forum's id derives from its key, so the URL can name it either way
    assert forums.forum_id_for(HOST, "forum-2019") == world.forum_id
    assert forums.forum_id_for(HOST, str(world.forum_id)) == world.forum_id


def test_planning_a_forum_is_for_the_organisers_of_the_host(world: World) -> None:
    kwargs: dict[str, Any] = {
        "host": HOST,
        "key": "autre",
        "title": "Autre forum",
        "kind": "forum",
        "starts_on": DAY,
        "place": "Amiens",
        "quota": 3,
    }
    refused(world, Forbidden, "role_required", lambda: plans(world.app, world["agent-somme"], "p", **kwargs))
    refused(world, NotFound, "not_found", lambda: plans(world.app, world["organiser-nord"], "p", **kwargs))
    # a second forum with the same key is refused on the key
    kwargs["key"] = "forum-2019"
    refused(world, DomainError, "key_taken", lambda: plans(world.app, world.host, "p2", **kwargs))


def test_another_organisations_forum_is_not_found_and_a_participants_agent_is_forbidden(world: World) -> None:
    # Val-d'Oise is not invited: for its organiser the forum does not exist
    refused(
        world,
        NotFound,
        "not_found",
        lambda: world.run(sends(Invite), world["organiser-val-doise"], organisation="val-doise"),
    )
    # a Nord organiser sees the forum but does not run it
    refused(
        world,
        Forbidden,
        "forum_role_required",
        lambda: world.run(sends(Invite), world["organiser-nord"], organisation="val-doise"),
    )
    # and does not answer for Oise
    refused(
        world,
        Forbidden,
        "own_organisation_only",
        lambda: world.run(sends(DeclineForumInvitation), world["organiser-nord"], organisation="oise"),
    )
    # a forum that does not exist is not found either
    refused(
        world,
        NotFound,
        "not_found",
        lambda: sends(Invite)(world.app, world.host, "x", host=HOST, forum_id=UUID(int=7), organisation="val-doise"),
    )


# ---------------------------------------------------------------------------------------------------------------------
# Nominations: two stores


def test_a_nomination_is_recorded_by_the_forum_and_by_the_project_each_in_its_store(world: World) -> None:
    # when Nord's organiser nominates a project selected locally
    result = world.nominate("nord-1", cid="nominate-nord-1")
    # then the forum (Somme's store) keeps the project as it stood, and the project (Nord's store) knows it
    assert result["organisation"] == "nord" and result["title"] == "Projet nord-1"
    assert (result["nominated"], result["quota"]) == (1, 2)
    assert world.topics("Forum.ProjectNominated") == [("somme", "domain.forum:Forum.ProjectNominated")]
    assert world.topics("Project.Nominated") == [("nord", "domain.project:Project.Nominated")]
    # and the same command sent again (a retry) records nothing more and answers the same
    assert world.nominate("nord-1", cid="nominate-nord-1") == result
    assert len(world.topics("Nominated")) == 2


def test_a_host_nominating_its_own_project_writes_two_commands_in_one_store(world: World) -> None:
    world.nominate("somme-1", cid="nominate-somme-1")
    assert world.topics("Nominated") == [
        ("somme", "domain.forum:Forum.ProjectNominated"),
        ("somme", "domain.project:Project.Nominated"),
    ]


def test_a_nomination_over_quota_is_refused(world: World) -> None:
    world.nominate("nord-1")
    world.nominate("nord-2")
    refused(world, DomainError, "quota_exceeded", lambda: world.nominate("nord-3"))


def test_a_project_not_selected_locally_cannot_be_nominated(world: World) -> None:
    # nord-4 was marked not selected by Nord's organiser
    refused(world, DomainError, "not_selected_locally", lambda: world.nominate("nord-4"))


def test_only_an_organiser_of_the_projects_organisation_nominates_it(world: World) -> None:
    store, project_id = world.projects["nord-1"]

    def by(actor: Actor) -> Callable[[], Any]:
        return lambda: nominates(
            world.app,
            actor,
            command_id(),
            host=HOST,
            forum_id=world.forum_id,
            project_id=project_id,
            organisation=store,
        )

    refused(world, NotFound, "not_found", by(world["organiser-oise"]))  # Nord's project, seen from Oise
    refused(world, Forbidden, "forum_role_required", by(world["agent-nord"]))
    refused(world, NotFound, "not_found", by(world["organiser-val-doise"]))  # not invited


def test_a_withdrawn_nomination_frees_the_quota_and_the_project(world: World) -> None:
    world.nominate("nord-1")
    world.nominate("nord-2")
    withdrawn = world.run(
        withdraws,
        world["organiser-nord"],
        project_id=world.project("nord-1"),
        reason="Équipe indisponible.",
    )
    assert withdrawn["withdrawn"] is True and withdrawn["nominated"] == 1
    assert world.topics("Project.NominationWithdrawn") == [("nord", "domain.project:Project.NominationWithdrawn")]
    world.nominate("nord-3")  # within quota again
    # on the day it is too late
    world.clock.set(ON_THE_DAY)
    refused(
        world,
        DomainError,
        "withdrawal_too_late",
        lambda: world.run(withdraws, world["organiser-nord"], project_id=world.project("nord-2")),
    )


# ---------------------------------------------------------------------------------------------------------------------
# Coaching and pitches


def test_coaches_are_appointed_with_their_forum_role_and_record_only_their_teams_sessions(world: World) -> None:
    nominated_world(world)
    coach1, coach2 = world["coach-1"], world["coach-2"]
    for coach in (coach1, coach2):
        world.run(sends(AppointCoach), world.host, person_id=coach.person_id, organisation="beta-gouv")
    # the grant of the forum role lives next to the forum, in the host's store
    assert world.topics("ForumRoles.Granted") == [("somme", "domain.person:ForumRoles.Granted")] * 2
    teams = [world.project(label) for label in ("nord-1", "oise-1")]
    rota = {"project_ids": teams, "coach_ids": [coach1.person_id, coach2.person_id], "starts_at": ON_THE_DAY}
    assert world.run(sends(AssignCoaching), world.host, minutes=50, **rota)["assigned"] == 2
    session = {
        "project_id": world.project("nord-1"),
        "notes": "Problématisation.",
        "problem_statement": "Comment aider l'usager à trouver le bon interlocuteur ?",
        "pitch_points": ["le problème vécu"],
    }
    assert world.run(sends(RecordCoachingSession), world.in_forum("coach-1", "coach"), **session)["sessions"] == 1
    # the other coach is not this team's
    refused(
        world,
        DomainError,
        "not_assigned_coach",
        lambda: world.run(sends(RecordCoachingSession), world.in_forum("coach-2", "coach"), **session),
    )
    # and someone who is no coach of the forum does not see it at all
    refused(world, NotFound, "not_found", lambda: world.run(sends(RecordCoachingSession), coach1, **session))


def test_the_running_order_is_set_then_pitches_are_recorded_and_it_no_longer_changes(world: World) -> None:
    nominated_world(world, per_organisation=1)
    teams = [world.project(label) for label in ("nord-1", "oise-1", "somme-1")]
    slots = {"starts_at": ON_THE_DAY, "pitch_seconds": 180, "questions_seconds": 300}
    assert world.run(sends(SetRunningOrder), world.host, project_ids=teams, **slots)["slots"] == 3
    world.clock.set(ON_THE_DAY)
    world.run(sends(RecordPitch), world.host, project_id=teams[0], duration_seconds=191)
    world.run(sends(RecordAbsence), world.host, project_id=teams[1])
    refused(
        world,
        DomainError,
        "pitches_started",
        lambda: world.run(
            sends(SetRunningOrder),
            world.host,
            project_ids=teams[::-1],
            **slots,
        ),
    )
    refused(
        world,
        DomainError,
        "slot_overlaps",
        lambda: world.run(
            sends(SetRunningOrder),
            world.host,
            slots=[PitchSlotIn(teams[0], ON_THE_DAY, 180, 300), PitchSlotIn(teams[1], ON_THE_DAY, 180, 300)],
        ),
    )


# ---------------------------------------------------------------------------------------------------------------------
# The jury


def test_appointing_a_juror_grants_the_forum_role_and_needs_an_existing_person(world: World) -> None:
    juror = world["juror-nord"]
    world.run(sends(AppointJuror), world.host, person_id=juror.person_id, organisation="nord", college="élu")
    assert world.topics("ForumRoles.Granted") == [("somme", "domain.person:ForumRoles.Granted")]
    refused(
        world,
        NotFound,
        "person_not_found",
        lambda: world.run(
            sends(AppointJuror), world.host, person_id=str(UUID(int=5)), organisation="nord", college="élu"
        ),
    )


def test_a_juror_scores_and_revises_and_a_retry_with_the_same_command_id_records_once(world: World) -> None:
    jury_world(world)
    juror = world.juror("nord")
    kwargs: dict[str, Any] = {"host": HOST, "forum_id": world.forum_id, "project_id": world.project("oise-1")}
    first = sends(RecordScore)(world.app, juror, "phone-1", scores={"usagers": 4, "pitch": 3}, **kwargs)
    again = sends(RecordScore)(world.app, juror, "phone-1", scores={"usagers": 4, "pitch": 3}, **kwargs)
    assert first == again and first["revision"] == 1
    revised = sends(RecordScore)(world.app, juror, "phone-2", scores={"usagers": 5, "pitch": 3}, **kwargs)
    assert revised["revision"] == 2 and revised["scores"] == {"usagers": 5, "pitch": 3}
    assert len(world.topics("Forum.ScoreRecorded")) == 2


def test_a_score_from_a_recused_juror_is_refused(world: World) -> None:
    jury_world(world)
    # recused by the rule: a Nord juror never scores a Nord project
    refused(world, DomainError, "own_organisation", lambda: score(world, "nord", "nord-1"))
    # recused by declaration
    world.run(
        sends(DeclareConflict),
        world.juror("nord"),
        project_id=world.project("oise-1"),
        reason="Mon conjoint fait partie de l'équipe.",
    )
    refused(world, DomainError, "conflict_of_interest", lambda: score(world, "nord", "oise-1"))


def test_a_score_outside_the_scale_is_refused_naming_the_criterion(world: World) -> None:
    jury_world(world)
    error = refused(world, DomainError, "score_out_of_scale", lambda: score(world, "nord", "oise-1", usagers=6))
    assert error.field == "scores.usagers"


def test_a_score_after_deliberation_closed_is_refused(world: World) -> None:
    deliberated_world(world)
    refused(world, DomainError, "deliberation_closed", lambda: score(world, "nord", "oise-2", usagers=5))


def test_a_score_by_someone_not_of_the_jury_is_forbidden(world: World) -> None:
    jury_world(world)
    refused(
        world,
        Forbidden,
        "forum_role_required",
        lambda: world.run(
            sends(RecordScore),
            world["organiser-nord"],
            project_id=world.project("oise-1"),
            scores={"usagers": 4, "pitch": 3},
        ),
    )


def test_changing_criteria_after_scoring_began_needs_an_amendment(world: World) -> None:
    jury_world(world)
    score(world, "nord", "oise-1")
    new_rules = JuryRules(criteria=(*CRITERIA, Criterion("cout", "Coût", 1)), scale_min=1, scale_max=5)
    refused(world, DomainError, "rules_locked", lambda: world.run(sends(SetRules), world.host, rules=new_rules))
    amended = world.run(
        sends(AmendRules), world.host, rules=new_rules, reason="Le jury ajoute le coût, à la demande des élus."
    )
    assert amended["rules_version"] == 2


# ---------------------------------------------------------------------------------------------------------------------
# Deliberation, budget, votes, publication


def test_an_award_over_the_budget_is_refused(world: World) -> None:
    jury_world(world)
    score_everything(world)
    world.run(sends(SetBudget), world.host, budget_cents=1_000_000)
    world.run(sends(ComputeRanking), world.host)
    world.run(sends(OpenDeliberation), world.host)
    laureates = [world.project("nord-1"), world.project("oise-1")]
    refused(
        world,
        DomainError,
        "budget_exceeded",
        lambda: world.run(
            sends(DesignateLaureates),
            world.host,
            prize_key="laureats",
            project_ids=laureates,
            amounts={laureates[0]: 600_000, laureates[1]: 500_000},
        ),
    )
    designated = world.run(
        sends(DesignateLaureates),
        world.host,
        prize_key="laureats",
        project_ids=laureates,
        amounts={laureates[0]: 600_000, laureates[1]: 400_000},
    )
    assert designated["departs_from_ranking"] is False


def test_a_publication_before_deliberation_is_refused(world: World) -> None:
    jury_world(world)
    score_everything(world)
    refused(world, DomainError, "palmares_not_deliberated", lambda: world.run(publishes, world.host))


def test_each_voter_votes_once_within_the_period(world: World) -> None:
    nominated_world(world)
    opens_at, closes_at = ON_THE_DAY, ON_THE_DAY + timedelta(hours=2)
    organise_vote(world, opens_at, closes_at)
    # voters received their forum role with the vote
    assert len(world.topics("ForumRoles.Granted")) == 3
    # before the period
    world.clock.set(opens_at - timedelta(minutes=1))
    refused(world, DomainError, "vote_not_open", lambda: vote(world, "nord", "oise-1"))
    # within it, once
    world.clock.set(opens_at + timedelta(minutes=5))
    assert vote(world, "nord", "oise-1")["voted"] is True
    refused(world, DomainError, "already_voted", lambda: vote(world, "nord", "somme-1"))
    # never for one's own département (the rule of this vote)
    refused(world, DomainError, "own_organisation_vote", lambda: vote(world, "oise", "oise-1"))
    # after the period
    world.clock.set(closes_at)
    refused(world, DomainError, "vote_closed", lambda: vote(world, "oise", "nord-1"))
    # someone outside the electorate is not a voter of this forum
    refused(
        world,
        Forbidden,
        "forum_role_required",
        lambda: world.run(sends(CastVote), world["juror-nord"], prize_key="public", project_id=world.project("oise-1")),
    )
    counted = world.run(sends(CountVotes), world.host, prize_key="public")
    assert counted["count"]["laureates"] == [str(world.project("oise-1"))]


def test_the_palmares_is_published_once_after_deliberation_and_the_hosts_chain_head_is_anchored(world: World) -> None:
    deliberated_world(world)
    world.clock.set(ON_THE_DAY + timedelta(hours=3))
    published = world.run(publishes, world.host)
    laureates = published["palmares"]["prizes"][0]["laureates"]
    assert [entry["title"] for entry in laureates] == ["Projet nord-1", "Projet oise-1"]
    with world.db.connect(autocommit=True) as conn:
        anchors = conn.execute("SELECT organisation, reason FROM store.anchors").fetchall()
    assert ("somme", f"publication du palmarès {world.forum_id}") in [(a[0], a[1]) for a in anchors]
    refused(world, DomainError, "palmares_published", lambda: world.run(publishes, world.host))


def test_concurrent_jurors_scoring_at_once_all_get_their_scores_saved(world: World) -> None:
    import threading

    jury_world(world)
    errors: list[BaseException] = []

    def scorer(juror_org: str, labels: list[str]) -> None:
        try:
            for label in labels:
                score(world, juror_org, label)
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [
        threading.Thread(
            target=scorer,
            args=(org, [f"{other}-{i}" for other in ("nord", "oise", "somme") if other != org for i in (1, 2)]),
        )
        for org in ("nord", "oise", "somme")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(world.topics("Forum.ScoreRecorded")) == 12


def test_first_appointments_at_once_open_the_forums_roles_once_and_all_are_granted(world: World) -> None:
    import threading

    errors: list[BaseException] = []

    def appoint(org: str) -> None:
        try:
            juror = world[f"juror-{org}"]
            world.run(sends(AppointJuror), world.host, person_id=juror.person_id, organisation=org, college="élu")
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=appoint, args=(org,)) for org in ("nord", "oise", "somme")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(world.topics("ForumRoles.Opened")) == 1
    assert len(world.topics("ForumRoles.Granted")) == 3
