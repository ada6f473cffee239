"""Calls for ideas through the application: who may act, in which store, at the server's time, exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.errors import Forbidden, Invalid, NotFound
from domain.idea_call import (
    CallClosed,
    CallNotOpen,
    CallStillOpen,
    IdeaCall,
    NotEligible,
    SelectionAlreadyRecorded,
)
from domain.project import CoAuthorFromAnotherOrganisation, Project, TeamFull
from forum.access import SYSTEM, Actor
from forum.application import ForumApplication
from forum.database import Database
from tests.builders import calls
from tests.conftest import Clock, command_id
from tests.worlds.calls import (
    AFTER,
    CLOSES,
    CONTENT,
    DURING,
    NORD_AGENT,
    NORD_AUDITOR,
    NORD_COLLEAGUE,
    NORD_ORGANISER,
    NORD_THIRD,
    OPENS,
    PARTNER_AGENT,
    SOMME_AGENT,
    SOMME_ORGANISER,
    THEMES,
    open_nord_call,
    submit,
)


def events(db: Database, topic_suffix: str = "") -> list[tuple[str, str]]:
    with db.connect(autocommit=True) as conn:
        rows = conn.execute(
            "SELECT organisation, topic FROM store.forum_events WHERE topic LIKE %s ORDER BY notification_id",
            (f"%{topic_suffix}",),
        ).fetchall()
    return [(row[0], row[1]) for row in rows]


# -- the call ---------------------------------------------------------------------------------------------------------


def test_an_organiser_drafts_and_opens_a_call_in_their_organisations_store(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    result = calls.draft_call(
        app,
        NORD_ORGANISER,
        "draft-1",
        organisation="nord",
        title="Appel à idées innovantes 2019",
        themes=THEMES,
        opens_at=OPENS,
        closes_at=CLOSES,
    )
    assert result["status"] == "drafted"
    call_id = UUID(result["id"])
    opened = calls.open_call(app, NORD_ORGANISER, "open-1", organisation="nord", call_id=call_id)
    assert opened["status"] == "scheduled"  # opened on 2 September, receiving projects from the 16th
    assert events(db, "IdeaCall.Drafted") + events(db, "IdeaCall.Opened") == [
        ("nord", "domain.idea_call:IdeaCall.Drafted"),
        ("nord", "domain.idea_call:IdeaCall.Opened"),
    ]
    call = app.load(IdeaCall, call_id, "nord")
    assert call.opened_at == clock()  # the server's time


def test_only_the_organisations_organisers_run_its_calls(app: ForumApplication, clock: Clock, db: Database) -> None:
    args: dict[str, Any] = {"organisation": "nord", "title": "Appel", "opens_at": OPENS, "closes_at": CLOSES}
    with pytest.raises(Forbidden):
        calls.draft_call(app, NORD_AGENT, command_id(), **args)
    with pytest.raises(Forbidden):
        calls.draft_call(app, NORD_AUDITOR, command_id(), **args)
    with pytest.raises(NotFound):
        calls.draft_call(app, SOMME_ORGANISER, command_id(), **args)
    call_id = open_nord_call(app, clock)
    with pytest.raises(NotFound):
        calls.close_call(app, SOMME_ORGANISER, command_id(), organisation="nord", call_id=call_id)
    with pytest.raises(NotFound):  # a Nord call looked for in Somme's store does not exist there
        calls.close_call(app, SOMME_ORGANISER, command_id(), organisation="somme", call_id=call_id)
    with pytest.raises(Forbidden):
        calls.cancel_call(app, NORD_AGENT, command_id(), organisation="nord", call_id=call_id, reason="non")
    assert len(events(db, "IdeaCall.Drafted")) == 1


def test_an_amendment_after_opening_needs_a_reason_and_is_kept_on_the_call(app: ForumApplication, clock: Clock) -> None:
    call_id = open_nord_call(app, clock)
    with pytest.raises(Invalid) as refused:
        calls.amend_call(
            app, NORD_ORGANISER, command_id(), organisation="nord", call_id=call_id, changes={"max_team_size": 4}
        )
    assert refused.value.field == "reason"
    calls.amend_call(
        app,
        NORD_ORGANISER,
        command_id(),
        organisation="nord",
        call_id=call_id,
        reason="Des équipes de quatre, comme l'an dernier.",
        changes={"max_team_size": 4, "themes": [*THEMES, "numérique"]},
    )
    call = app.load(IdeaCall, call_id, "nord")
    assert call.max_team_size == 4 and "numérique" in call.themes
    assert [amendment.reason for amendment in call.amendments] == ["Des équipes de quatre, comme l'an dernier."]


def test_unknown_fields_of_an_amendment_are_a_programming_error_not_a_silent_no_op(
    app: ForumApplication, clock: Clock
) -> None:
    call_id = open_nord_call(app, clock)
    with pytest.raises(TypeError):
        calls.amend_call(
            app, NORD_ORGANISER, command_id(), organisation="nord", call_id=call_id, reason="x", changes={"colour": 1}
        )


# -- answering ---------------------------------------------------------------------------------------------------------


def test_an_agent_answers_the_call_and_the_project_lives_in_the_agents_organisation(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id = open_nord_call(app, clock)
    result = submit(app, NORD_AGENT, call_id)
    assert result["status"] == "submitted" and result["version"] == 1
    project = app.load(Project, UUID(result["id"]), "nord")
    assert project.author == NORD_AGENT.person_id and project.submitted_at == DURING
    assert events(db, "Project.Submitted") == [("nord", "domain.project:Project.Submitted")]


def test_a_partner_agent_answers_and_the_project_lives_in_the_partners_store(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id = open_nord_call(app, clock)
    result = submit(app, PARTNER_AGENT, call_id)
    assert result["organisation"] == "pas-de-calais" and result["call_organisation"] == "nord"
    assert events(db, "Project.Drafted") == [("pas-de-calais", "domain.project:Project.Drafted")]
    with pytest.raises(NotFound):  # the project is not in Nord's store
        app.load(Project, UUID(result["id"]), "nord")


def test_an_agent_of_an_organisation_the_call_is_not_open_to_does_not_find_it(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id = open_nord_call(app, clock)
    with pytest.raises(NotFound):
        submit(app, SOMME_AGENT, call_id)
    assert events(db, "Project.Drafted") == []


def test_a_call_not_yet_opened_is_its_organisers_alone(app: ForumApplication, clock: Clock, db: Database) -> None:
    call_id = open_nord_call(app, clock, open_now=False)
    with pytest.raises(NotFound):
        submit(app, NORD_AGENT, call_id)
    with pytest.raises(NotFound):
        submit(app, PARTNER_AGENT, call_id)
    organiser_as_agent = Actor("organiser-nord", "nord", frozenset({"organiser", "agent"}))
    with pytest.raises(CallNotOpen):
        submit(app, organiser_as_agent, call_id)
    assert events(db, "Project.Drafted") == []


def test_an_auditor_may_not_answer(app: ForumApplication, clock: Clock) -> None:
    call_id = open_nord_call(app, clock)
    with pytest.raises(Forbidden):
        submit(app, NORD_AUDITOR, call_id)


def test_the_same_command_id_sent_twice_makes_one_project(app: ForumApplication, clock: Clock, db: Database) -> None:
    call_id = open_nord_call(app, clock)
    first = submit(app, NORD_AGENT, call_id, command_id="answer-1")
    again = submit(app, NORD_AGENT, call_id, command_id="answer-1")
    assert first == again
    assert len(events(db, "Project.Drafted")) == 1


def test_a_submission_after_the_closing_time_is_refused_with_that_time_and_records_nothing(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id = open_nord_call(app, clock)
    clock.set(datetime(2019, 10, 31, 23, 0, 0, tzinfo=UTC))  # 1 November, 00:00 in Paris: one second too late
    with pytest.raises(CallClosed) as refused:
        submit(app, NORD_AGENT, call_id)
    assert "31/10/2019 à 23:59" in refused.value.message
    assert events(db, "Project.Drafted") == []


def test_an_edit_after_closing_is_refused_and_records_nothing(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id = open_nord_call(app, clock)
    project_id = UUID(submit(app, NORD_AGENT, call_id)["id"])
    clock.set(AFTER)
    with pytest.raises(CallClosed) as refused:
        calls.edit_project(
            app, NORD_AGENT, command_id(), organisation="nord", project_id=project_id, changes={"title": "Trop tard"}
        )
    assert "31/10/2019" in refused.value.message
    assert events(db, "Project.Edited") == []


def test_an_edit_makes_a_new_version_and_only_the_team_edits(app: ForumApplication, clock: Clock, db: Database) -> None:
    call_id = open_nord_call(app, clock)
    project_id = UUID(submit(app, NORD_AGENT, call_id)["id"])
    for stranger, refusal in ((NORD_COLLEAGUE, Forbidden), (SOMME_AGENT, NotFound), (NORD_ORGANISER, Forbidden)):
        with pytest.raises(refusal):
            calls.edit_project(
                app, stranger, command_id(), organisation="nord", project_id=project_id, changes={"title": "À moi"}
            )
    clock.advance(days=1)
    result = calls.edit_project(
        app,
        NORD_AGENT,
        command_id(),
        organisation="nord",
        project_id=project_id,
        changes={"title": "Zéro gaspillage à la cantine", "problem": None},
    )
    assert result["version"] == 2
    project = app.load(Project, project_id, "nord")
    assert project.compare(1, 2) == {"title": ("Cantine sans gaspillage", "Zéro gaspillage à la cantine")}


def test_a_field_error_names_the_field_and_records_nothing(app: ForumApplication, clock: Clock, db: Database) -> None:
    call_id = open_nord_call(app, clock)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"category": "prototype financé"}, "category"),
        ({"theme": "espace"}, "theme"),
        ({"answers": {"etat": "idée"}}, "answers.public_vise"),
        ({"answers": {**CONTENT["answers"], "public_vise": "x" * 101}}, "answers.public_vise"),
        ({"title": "x" * 301}, "title"),
    ]
    for overrides, field in cases:
        with pytest.raises(Invalid) as refused:
            submit(app, NORD_AGENT, call_id, **overrides)
        assert refused.value.field == field
    assert events(db, "Project.Drafted") == []


# -- the team ----------------------------------------------------------------------------------------------------------


def test_a_colleague_invited_accepts_and_joins_the_team(app: ForumApplication, clock: Clock) -> None:
    call_id = open_nord_call(app, clock)
    project_id = UUID(submit(app, NORD_AGENT, call_id)["id"])
    calls.invite_co_author(
        app,
        NORD_AGENT,
        command_id(),
        organisation="nord",
        project_id=project_id,
        person=NORD_COLLEAGUE.person_id,
        person_organisation="nord",
    )
    with pytest.raises(Forbidden):  # someone not invited cannot take the invitation
        calls.accept_invitation(app, NORD_THIRD, command_id(), organisation="nord", project_id=project_id)
    calls.accept_invitation(app, NORD_COLLEAGUE, command_id(), organisation="nord", project_id=project_id)
    project = app.load(Project, project_id, "nord")
    assert project.team == (NORD_AGENT.person_id, NORD_COLLEAGUE.person_id)
    # the co-author now edits too
    calls.edit_project(
        app, NORD_COLLEAGUE, command_id(), organisation="nord", project_id=project_id, changes={"benefits_agents": "+"}
    )


def test_a_co_author_from_another_organisation_or_one_too_many_is_refused(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id = open_nord_call(app, clock)  # teams of three at most
    project_id = UUID(submit(app, NORD_AGENT, call_id)["id"])

    def invite(person: str, organisation: str = "nord") -> Any:
        return calls.invite_co_author(
            app,
            NORD_AGENT,
            command_id(),
            organisation="nord",
            project_id=project_id,
            person=person,
            person_organisation=organisation,
        )

    with pytest.raises(CoAuthorFromAnotherOrganisation):
        invite(SOMME_AGENT.person_id, "somme")
    invite(NORD_COLLEAGUE.person_id)
    invite(NORD_THIRD.person_id)
    with pytest.raises(TeamFull):
        invite("agent-nord-4")
    assert len(events(db, "Project.CoAuthorInvited")) == 2


def test_an_invited_colleague_declines_and_frees_the_place(app: ForumApplication, clock: Clock) -> None:
    call_id = open_nord_call(app, clock)
    project_id = UUID(submit(app, NORD_AGENT, call_id)["id"])
    calls.invite_co_author(
        app,
        NORD_AGENT,
        command_id(),
        organisation="nord",
        project_id=project_id,
        person=NORD_COLLEAGUE.person_id,
        person_organisation="nord",
    )
    calls.decline_invitation(app, NORD_COLLEAGUE, command_id(), organisation="nord", project_id=project_id)
    assert app.load(Project, project_id, "nord").invitations == ()


def test_the_author_withdraws_the_project(app: ForumApplication, clock: Clock) -> None:
    call_id = open_nord_call(app, clock)
    project_id = UUID(submit(app, NORD_AGENT, call_id)["id"])
    with pytest.raises(Forbidden):
        calls.withdraw_project(app, NORD_COLLEAGUE, command_id(), organisation="nord", project_id=project_id)
    result = calls.withdraw_project(
        app, NORD_AGENT, command_id(), organisation="nord", project_id=project_id, reason="Projet mené ailleurs."
    )
    assert result["status"] == "withdrawn"


# -- the local selection -----------------------------------------------------------------------------------------------


def test_the_organiser_decides_after_closing_then_records_the_selection(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id = open_nord_call(app, clock)
    canteen = UUID(submit(app, NORD_AGENT, call_id)["id"])
    roads = UUID(submit(app, PARTNER_AGENT, call_id, title="Signalement des nids-de-poule")["id"])

    def decide(organisation: str, project_id: UUID, outcome: str, reason: str, actor: Actor = NORD_ORGANISER) -> Any:
        return calls.decide_project(
            app,
            actor,
            command_id(),
            call_organisation="nord",
            call_id=call_id,
            organisation=organisation,
            project_id=project_id,
            outcome=outcome,
            reason=reason,
        )

    with pytest.raises(CallStillOpen):
        decide("nord", canteen, "selected", "")
    clock.set(AFTER)
    with pytest.raises(Forbidden):
        decide("nord", canteen, "selected", "", actor=NORD_AGENT)
    with pytest.raises(Invalid) as refused:
        decide("nord", canteen, "maybe", "")
    assert refused.value.field == "outcome"
    decide("nord", canteen, "selected", "Un gain immédiat pour les familles.")
    refs = [("nord", canteen), ("pas-de-calais", roads)]
    with pytest.raises(calls.UndecidedProjects):
        calls.record_selection(app, NORD_ORGANISER, command_id(), organisation="nord", call_id=call_id, projects=refs)
    # the decision on the partner's project lives in the partner's store, stamped by the Nord organiser
    decide("pas-de-calais", roads, "not_selected", "Déjà prévu par la direction des routes.")
    assert events(db, "Project.NotSelected") == [("pas-de-calais", "domain.project:Project.NotSelected")]
    result = calls.record_selection(
        app, NORD_ORGANISER, command_id(), organisation="nord", call_id=call_id, projects=refs
    )
    assert result["status"] == "selection_recorded" and result["selected"] == [str(canteen)]
    with pytest.raises(SelectionAlreadyRecorded):
        decide("nord", canteen, "not_selected", "Finalement non.")


def test_an_organiser_does_not_reach_a_draft_nor_another_calls_project(app: ForumApplication, clock: Clock) -> None:
    call_id = open_nord_call(app, clock)
    draft = UUID(
        calls.draft_project(app, NORD_AGENT, command_id(), call_organisation="nord", call_id=call_id, title="Idée")[
            "id"
        ]
    )
    clock.set(AFTER)
    for project_id in (draft, uuid4()):
        with pytest.raises(NotFound):
            calls.decide_project(
                app,
                NORD_ORGANISER,
                command_id(),
                call_organisation="nord",
                call_id=call_id,
                organisation="nord",
                project_id=project_id,
                outcome="selected",
            )


def test_an_administrator_acting_from_the_platform_is_no_agent_of_the_call(app: ForumApplication, clock: Clock) -> None:
    # eligibility is also the domain's rule, whatever the access checks let through
    call_id = open_nord_call(app, clock)
    with pytest.raises(NotEligible):
        submit(app, SYSTEM, call_id)
