"""The forum's read models, one per feature: given these events → these rows (no write side involved)."""

from __future__ import annotations

import uuid
from datetime import date

from domain.forum import Forum, ProjectSnapshot, TeamMember
from domain.jury import Criterion, JuryRules
from forum.database import Database
from forum.entrypoints.bootstrap import projector
from projections import forums as views
from projections.coaching import Coaching
from projections.forums import Forums
from projections.jury import JuryProjection
from projections.registry import all_projections
from projections.stage import StageProjection
from projections.votes import Votes
from tests.projections.builders import ForumEvents, ask, given, rows, run

# Every event class the single forums projection followed before it was split: none may be dropped.
FORMERLY_HANDLED = [
    "Planned",
    "EditionAmended",
    "BudgetSet",
    "OrganisationInvited",
    "InvitationAccepted",
    "InvitationDeclined",
    "QuotaSet",
    "PrizeDefined",
    "ProjectNominated",
    "NominationWithdrawn",
    "CoachAppointed",
    "CoachingAssigned",
    "CoachingSessionRecorded",
    "RunningOrderSet",
    "PitchDelivered",
    "TeamAbsent",
    "JurorAppointed",
    "RulesSet",
    "RulesAmended",
    "ConflictDeclared",
    "ScoreRecorded",
    "RankingComputed",
    "TieBroken",
    "DeliberationOpened",
    "LaureatesDesignated",
    "DeliberationClosed",
    "VoteOrganised",
    "VoteCast",
    "VotesCounted",
    "PalmaresPublished",
]
RULES = JuryRules(criteria=(Criterion("usagers", "Utilité pour les usagers", 1),), scale_min=1, scale_max=5)


def test_the_forum_read_models_together_follow_every_event_the_forums_projection_followed() -> None:
    read_models = (Forums, Coaching, StageProjection, JuryProjection, Votes)
    handled = {event_class for model in read_models for event_class in model.handles}
    assert {getattr(Forum, name) for name in FORMERLY_HANDLED} <= handled
    # and each event class has a handler in every read model that says it follows it
    for model in read_models:
        assert set(model.handles) == set(model.handlers)
    names = [p.name for p in all_projections()]
    assert len(names) == len(set(names))
    assert {"forums", "coaching", "stage", "jury", "votes"} <= set(names)


def planned(f: ForumEvents) -> list[object]:
    return [
        f.Planned(
            originator_topic="domain.forum:Forum",
            host=f.host,
            title="Forum d'essai",
            kind="forum",
            starts_on=date(2019, 11, 28),
            ends_on=date(2019, 11, 28),
            place="Amiens",
            quota=2,
            categories=(),
            budget_cents=None,
        ),
        f.OrganisationInvited(organisation="nord", quota=None),
        f.InvitationAccepted(organisation="nord"),
    ]


def test_given_a_nomination_and_two_jurors_the_jury_shows_who_may_score_it(db: Database) -> None:
    f = ForumEvents(host="somme")
    project = ProjectSnapshot(uuid.uuid4(), "nord", "Projet nord", team=(TeamMember("agent-1", "auteur"),))
    # given a forum, a project of Nord nominated, a juror of Nord and one of Oise, and the rules
    given(db, Forums(), *planned(f), f.ProjectNominated(project=project))
    jury_events = [
        f.JurorAppointed(person_id="juror-nord", organisation="nord", college="élu"),
        f.JurorAppointed(person_id="juror-oise", organisation="oise", college="agent"),
        f.RulesSet(rules=RULES, version=1),
    ]
    given(db, JuryProjection(), *jury_events)
    given(db, Forums(), jury_events[2])
    # then the forum's rows
    assert rows(db, "read.forums", f.forum_id, "title", "rules_version", "ranking_outdated") == [
        ("Forum d'essai", 1, True)
    ]
    assert rows(db, "read.forum_participants", f.forum_id, "participant", "status") == [("nord", "accepted")]
    assert rows(db, "read.forum_nominations", f.forum_id, "project_organisation", "sequence") == [("nord", 0)]
    assert rows(db, "read.forum_jurors", f.forum_id, "person_id", order="appointed_at") == [
        ("juror-nord",),
        ("juror-oise",),
    ]
    # and the Nord juror is recused from the Nord project (own organisation), the Oise juror may score it
    progress = ask(db, views.scoring_progress, f.forum_id)
    assert [(p.eligible, p.scored, p.recused) for p in progress.projects] == [(1, 0, 1)]
    sheet = ask(db, views.juror_sheet, f.forum_id, "juror-nord")
    assert [line.status for line in sheet.lines] == ["recused"]
    # when the Oise juror scores it
    score = f.ScoreRecorded(
        juror_id="juror-oise",
        project_id=project.project_id,
        scores={"usagers": 4},
        comment="",
        rules_version=1,
        revision=1,
    )
    given(db, JuryProjection(), score)
    given(db, Forums(), score)
    # then the score is a row, the rules are locked and the sheet says it is scored
    assert rows(db, "read.forum_scores", f.forum_id, "juror_id", "revision") == [("juror-oise", 1)]
    assert rows(db, "read.forums", f.forum_id, "rules_locked_at IS NOT NULL") == [(True,)]
    assert [line.status for line in ask(db, views.juror_sheet, f.forum_id, "juror-oise").lines] == ["scored"]


def test_given_a_coach_and_a_running_order_coaching_and_stage_show_them(db: Database) -> None:
    f = ForumEvents(host="somme")
    project = ProjectSnapshot(uuid.uuid4(), "nord", "Projet nord")
    given(db, Forums(), *planned(f), f.ProjectNominated(project=project))
    given(db, Coaching(), f.CoachAppointed(person_id="coach-1", organisation="beta"))
    assert rows(db, "read.forum_coaches", f.forum_id, "person_id", "coach_organisation") == [("coach-1", "beta")]
    given(db, StageProjection(), f.TeamAbsent(project_id=project.project_id))
    assert rows(db, "read.forum_pitches", f.forum_id, "absent", "duration_seconds") == [(True, None)]


def test_each_forum_read_model_rebuilds_by_its_name(db: Database) -> None:
    async def rebuild_all() -> list[int]:
        p = await projector(db)
        try:
            return [await p.rebuild(name) for name in ("forums", "coaching", "stage", "jury", "votes")]
        finally:
            await p.pool.close()

    assert run(rebuild_all()) == [0, 0, 0, 0, 0]
