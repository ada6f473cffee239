"""The forums read model: the host's view, a juror's sheet, a coach's teams, the stage, who voted and what."""

from __future__ import annotations

from datetime import timedelta

from forum.application import ForumApplication
from forum.coaching import AppointCoach, AssignCoaching, RecordCoachingSession
from forum.database import Database
from forum.jury import DeclareConflict, RecordScore
from forum.stage import RecordPitch, SetRunningOrder
from projections import forums as read
from tests.builders import sends
from tests.conftest import Clock
from tests.projections.builders import query
from tests.worlds.forums import (
    ON_THE_DAY,
    build_world,
    jury_world,
    organise_vote,
    score,
    vote,
)


def test_the_host_sees_participants_nominations_jury_and_scoring_progress(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    world = jury_world(build_world(app, clock, db))
    score(world, "nord", "oise-1")
    score(world, "oise", "nord-1", usagers=2)
    world.run(
        sends(DeclareConflict), world.juror("somme"), project_id=world.project("nord-1"), reason="Ancien collègue."
    )
    view = query(db, read.host_view, world.forum_id)
    assert view.forum.title == "1er forum Innovations interdépartemental"
    assert [(p.organisation, p.status, p.quota, p.nominated) for p in view.forum.participants] == [
        ("oise", "accepted", 2, 2),  # by name: Département de l'Oise, de la Somme, du Nord
        ("somme", "accepted", 2, 2),
        ("nord", "accepted", 2, 2),
    ]
    assert [n.title for n in view.nominations][:2] == ["Projet nord-1", "Projet nord-2"]
    assert view.nominations[0].team[0].role == "auteur"
    assert [j.organisation for j in view.jury.jurors] == ["nord", "oise", "somme"]
    assert view.jury.rules_version == 1 and view.jury.rules_locked_at == ON_THE_DAY
    # progress: every project is scored by the two jurors of the other départements, less recusals
    progress = {p.title: p for p in view.progress.projects}
    assert (
        progress["Projet nord-1"].eligible,
        progress["Projet nord-1"].scored,
        progress["Projet nord-1"].recused,
    ) == (
        1,
        1,
        2,
    )
    assert (progress["Projet oise-1"].eligible, progress["Projet oise-1"].scored) == (2, 1)
    assert (view.progress.scores, view.progress.expected) == (2, 11)
    jurors = {j.organisation: j for j in view.progress.jurors}
    assert (jurors["nord"].to_score, jurors["nord"].scored) == (4, 1)
    assert (jurors["somme"].to_score, jurors["somme"].scored) == (3, 0)
    assert view.ranking is None and view.deliberation.status == "not_opened"


def test_a_jurors_sheet_lists_what_to_score_and_what_is_saved_with_its_command_id(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    world = jury_world(build_world(app, clock, db))
    juror = world.juror("nord")
    sends(RecordScore)(
        app,
        juror,
        "phone-42",
        host="somme",
        forum_id=world.forum_id,
        project_id=world.project("oise-1"),
        scores={"usagers": 5, "pitch": 4},
        comment="Très clair.",
    )
    sheet = query(db, read.juror_sheet, world.forum_id, juror.person_id)
    assert sheet.open and sheet.organisation == "nord" and sheet.rules["criteria"][0]["key"] == "usagers"
    lines = {line.title: line for line in sheet.lines}
    assert lines["Projet nord-1"].status == "recused"
    assert lines["Projet oise-1"].status == "scored"
    assert lines["Projet oise-1"].scores == {"usagers": 5, "pitch": 4}
    assert (lines["Projet oise-1"].command_id, lines["Projet oise-1"].revision) == ("phone-42", 1)
    assert lines["Projet somme-1"].status == "to_score"
    # someone who is not a juror of the forum has no sheet
    assert query(db, read.juror_sheet, world.forum_id, world["agent-nord"].person_id) is None


def test_coaches_see_their_teams_and_the_stage_shows_who_is_on(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    world = jury_world(build_world(app, clock, db))
    coach1, coach2 = world["coach-1"], world["coach-2"]
    for coach in (coach1, coach2):
        world.run(sends(AppointCoach), world.host, person_id=coach.person_id, organisation="beta-gouv")
    teams = [n for n in (world.project(label) for label in ("nord-1", "oise-1", "somme-1"))]
    coaches = [coach1.person_id, coach2.person_id]
    world.run(sends(AssignCoaching), world.host, project_ids=teams, coach_ids=coaches, starts_at=ON_THE_DAY, minutes=50)
    world.run(
        sends(RecordCoachingSession),
        world.in_forum("coach-1", "coach"),
        project_id=teams[0],
        notes="Notes privées.",
        problem_statement="Comment…",
        pitch_points=["un", "deux"],
    )
    mine = query(db, read.coaching_rota, world.forum_id, coach_id=coach1.person_id)
    assert [(s.title, s.sessions) for s in mine] == [("Projet nord-1", 1), ("Projet somme-1", 0)]
    [session] = query(db, read.coaching_sessions, world.forum_id, project_id=teams[0])
    assert (session.coach_name, session.pitch_points) == ("coach-1", ["un", "deux"])
    team = query(db, read.team_of, world.forum_id, teams[0])
    assert team == [world["agent-nord"].person_id]
    assert query(db, read.projects_of_person, world.forum_id, world["agent-nord"].person_id) == [
        world.project("nord-1"),
        world.project("nord-2"),
    ]

    slots = {"starts_at": ON_THE_DAY + timedelta(hours=2), "pitch_seconds": 180, "questions_seconds": 300}
    world.run(sends(SetRunningOrder), world.host, project_ids=teams, **slots)
    world.run(sends(RecordPitch), world.host, project_id=teams[0], duration_seconds=175)
    stage = query(db, read.stage, world.forum_id)
    assert stage.current is not None and stage.current.title == "Projet oise-1"
    assert stage.next is not None and stage.next.title == "Projet somme-1"
    assert (stage.done, stage.total) == (1, 3)
    order = query(db, read.running_order, world.forum_id)
    assert [(s.outcome, s.duration_seconds) for s in order] == [
        ("delivered", 175),
        ("pending", None),
        ("pending", None),
    ]


def test_who_voted_is_shown_to_the_host_and_what_each_voted_only_with_the_ballots(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    world = jury_world(build_world(app, clock, db))
    organise_vote(world, ON_THE_DAY, ON_THE_DAY + timedelta(hours=2))
    clock.set(ON_THE_DAY + timedelta(minutes=10))
    vote(world, "nord", "oise-1")
    [view] = query(db, read.votes, world.forum_id)
    assert (view.electorate, view.voted) == (3, 1)
    assert [(v.organisation, v.voted) for v in view.voters] == [("nord", True), ("oise", False), ("somme", False)]
    assert view.ballots is None
    [audited] = query(db, read.votes, world.forum_id, with_ballots=True)
    assert audited.ballots is not None and [b.project_id for b in audited.ballots] == [world.project("oise-1")]
    # a voter sees the candidates and their own ballot
    voter = world["voter-nord"]
    [ballot] = query(db, read.voter_ballots, world.forum_id, voter.person_id, "nord")
    assert ballot.voted_for == world.project("oise-1")
    assert [c.own_organisation for c in ballot.candidates].count(True) == 2


def test_a_person_sees_the_forums_of_their_organisation_and_those_they_hold_a_role_in(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    world = build_world(app, clock, db)
    assert [f.title for f in query(db, read.list_forums, organisation="nord")] == [
        "1er forum Innovations interdépartemental"
    ]
    assert query(db, read.list_forums, organisation="val-doise") == []
    assert len(query(db, read.list_forums, organisation="beta-gouv", forum_ids=[str(world.forum_id)])) == 1
    access = query(db, read.forum_access, world.forum_id)
    assert (access.host, access.invited, access.published) == ("somme", ("nord", "oise", "somme"), False)
