"""Projects: drafting and submitting on time, versions, the team, withdrawal, local selection, nomination."""

from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

import msgspec
import pytest

from domain.codec import decode_event, encode_event
from domain.errors import Conflict, Invalid
from domain.idea_call import (
    CallCancelled,
    CallClosed,
    CallRules,
    CallStillOpen,
    IdeaCall,
    NotEligible,
    NothingChanged,
    Question,
    SelectionAlreadyRecorded,
    paris_end_of_day,
    paris_start_of_day,
)
from domain.project import (
    AlreadyInTeam,
    AlreadyNominated,
    AlreadySubmitted,
    CoAuthorFromAnotherOrganisation,
    NoInvitation,
    NotLocallySelected,
    NotNominated,
    NotSubmitted,
    Project,
    ProjectContent,
    ProjectWithdrawn,
    TeamFull,
    diff_versions,
)
from domain.values import PARIS, Meta

# the Prix Impulsions 2019 (see forum/demo_data/impulsions-2019.json)
THEMES = ("envie de faire plus simple", "travailler autrement", "mieux répondre à nos usagers")
SERVICE = "Amélioration de la qualité de service aux usagers"
INTERNE = "Amélioration de la qualité de travail interne"
OPENS = paris_start_of_day(date(2019, 3, 6))
CLOSES = paris_end_of_day(date(2019, 5, 3))
BEFORE = datetime(2019, 2, 1, 9, 0, tzinfo=PARIS)
DURING = datetime(2019, 4, 1, 10, 0, tzinfo=PARIS)
LATER = datetime(2019, 4, 15, 10, 0, tzinfo=PARIS)
LAST_SECOND = datetime(2019, 5, 3, 23, 59, 59, tzinfo=PARIS)
AFTER = datetime(2019, 6, 12, 14, 0, tzinfo=PARIS)

QUESTIONS = (
    Question(key="public_vise", label="Public visé", kind="short_text", required=True, max_length=100),
    Question(key="etat", label="État du projet", kind="single_choice", required=True, choices=("idée", "prototype")),
    Question(key="details", label="Précisions", kind="long_text", max_length=500),
    Question(key="partenaires", label="Partenaires", kind="multiple_choice", choices=("DSI", "DRH", "rectorat")),
)

AUTHOR = "3f0c6c9e-1a1e-4d8b-8a39-3c1b6c0d2a01"  # a gestionnaire of the bourses office, Poitiers
COLLEAGUE = "7d2a4b1c-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
ANOTHER = "9a8b7c6d-5e4f-4a3b-8c1d-0e9f8a7b6c5d"
THIRD = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
GRENOBLE_AGENT = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"


def meta(at: datetime, actor: str = AUTHOR, role: str = "agent", command_id: str = "c1") -> Meta:
    return Meta(
        actor=actor,
        role=role,
        organisation="ac-poitiers",
        actor_organisation="ac-poitiers",
        at=at,
        command_id=command_id,
        correlation_id=command_id,
    )


def organiser(at: datetime) -> Meta:
    return meta(at, actor="organiser-poitiers", role="organiser")


def given_open_call(max_team_size: int = 3, **overrides: Any) -> IdeaCall:
    fields: dict[str, Any] = {
        "id": uuid4(),
        "organisation": "ac-poitiers",
        "title": "Prix Impulsions 2019",
        "themes": THEMES,
        "categories": (SERVICE, INTERNE),
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "questions": QUESTIONS,
        "max_team_size": max_team_size,
        "meta": organiser(BEFORE),
    }
    fields.update(overrides)
    call = IdeaCall.draft(**fields)
    call.open(meta=organiser(BEFORE))
    call.collect_events()
    return call


COMPLETE: dict[str, Any] = {
    "title": "Accompagnement des familles pour la saisie de demandes de bourses",
    "problem": "Beaucoup de familles renoncent à une bourse à laquelle elles ont droit.",
    "solution": "Des permanences d'aide à la saisie dans les établissements.",
    "benefits_users": "Plus de bourses demandées à temps.",
    "benefits_agents": "Moins de dossiers incomplets à relancer.",
    "category": SERVICE,
    "theme": THEMES[2],
    "answers": {"public_vise": "les familles", "etat": "prototype"},
}


def given_draft(rules: CallRules, at: datetime = DURING, **overrides: Any) -> Project:
    fields = {**COMPLETE, **overrides}
    project = Project.draft(id=uuid4(), rules=rules, author=AUTHOR, organisation="ac-poitiers", meta=meta(at), **fields)
    project.collect_events()
    return project


def given_submitted(rules: CallRules) -> Project:
    project = given_draft(rules)
    project.submit(rules=rules, meta=meta(DURING))
    project.collect_events()
    return project


def given_call_and_submitted_project() -> tuple[IdeaCall, Project]:
    call = given_open_call()
    project = given_submitted(call.rules())
    return call, project


# -- drafting and submitting -------------------------------------------------------------------------------------------


def test_a_draft_then_a_submission_records_version_1_with_the_full_content() -> None:
    # given the open Poitiers call
    rules = given_open_call().rules()
    # when an agent drafts with only a title, completes it and submits it
    project = Project.draft(
        id=uuid4(), rules=rules, author=AUTHOR, organisation="ac-poitiers", title=COMPLETE["title"], meta=meta(DURING)
    )
    project.edit(rules=rules, meta=meta(DURING), **{k: v for k, v in COMPLETE.items() if k != "title"})
    project.submit(rules=rules, meta=meta(LATER))
    # then Drafted, Edited (no version yet) and Submitted (version 1, the content as it was)
    drafted, edited, submitted = project.collect_events()
    assert isinstance(drafted, Project.Drafted)
    assert (drafted.call_id, drafted.call_organisation, drafted.organisation) == (
        rules.call_id,
        "ac-poitiers",
        "ac-poitiers",
    )
    assert drafted.content.problem == ""
    assert isinstance(edited, Project.Edited)
    assert edited.version is None
    assert "problem" in edited.changed
    assert isinstance(submitted, Project.Submitted)
    assert submitted.version == 1
    assert submitted.content.category == SERVICE
    assert submitted.content.answers == {"public_vise": "les familles", "etat": "prototype"}
    assert project.status == "submitted"
    [version] = project.versions
    assert (version.number, version.at) == (1, LATER)


def test_a_submission_at_the_last_second_is_accepted() -> None:
    rules = given_open_call().rules()
    project = given_draft(rules)
    project.submit(rules=rules, meta=meta(LAST_SECOND))
    [submitted] = project.collect_events()
    assert submitted.timestamp == LAST_SECOND


def test_a_submission_one_second_after_the_closing_is_refused_and_nothing_is_recorded() -> None:
    # given a draft written in April
    rules = given_open_call().rules()
    project = given_draft(rules)
    # when it is submitted one second after 3 May 23:59:59, Paris time (the server's time, in meta.at)
    with pytest.raises(CallClosed) as refused:
        project.submit(rules=rules, meta=meta(LAST_SECOND + timedelta(seconds=1)))
    # then the refusal names the closing time, and nothing was recorded
    assert refused.value.message == "L'appel est clos depuis le 03/05/2019 à 23:59."
    assert project.collect_events() == []
    assert project.status == "drafted"
    assert project.versions == ()


def test_a_project_cannot_be_started_once_the_call_is_closed_or_cancelled() -> None:
    call = given_open_call()
    with pytest.raises(CallClosed):
        given_draft(call.rules(), at=AFTER)
    call.cancel(reason="Budget non reconduit", meta=organiser(DURING))
    with pytest.raises(CallCancelled):
        given_draft(call.rules())


def test_an_agent_of_an_organisation_the_call_is_not_open_to_cannot_draft() -> None:
    rules = given_open_call().rules()
    with pytest.raises(NotEligible):
        Project.draft(
            id=uuid4(), rules=rules, author=GRENOBLE_AGENT, organisation="ac-grenoble", meta=meta(DURING), **COMPLETE
        )
    partner_rules = given_open_call(eligible_partners=("ac-grenoble",)).rules()
    project = Project.draft(
        id=uuid4(),
        rules=partner_rules,
        author=GRENOBLE_AGENT,
        organisation="ac-grenoble",
        meta=meta(DURING),
        **COMPLETE,
    )
    assert (project.organisation, project.call_organisation) == ("ac-grenoble", "ac-poitiers")


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"category": "Innovation pédagogique"}, "category", "unknown_value"),
        ({"theme": "faire compliqué"}, "theme", "unknown_value"),
        ({"title": "x" * 301}, "title", "too_long"),
        ({"title": "  "}, "title", "required"),
        ({"problem": "x" * 5001}, "problem", "too_long"),
        ({"answers": {"details": "x" * 501}}, "answers.details", "too_long"),
        ({"answers": {"etat": "abandonné"}}, "answers.etat", "unknown_value"),
    ],
)
def test_a_draft_that_does_not_fit_the_call_is_refused_naming_the_field(
    overrides: dict[str, Any], field: str, rule: str
) -> None:
    rules = given_open_call().rules()
    with pytest.raises(Invalid) as refused:
        given_draft(rules, **overrides)
    assert (refused.value.field, refused.value.rule) == (field, rule)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"answers": {"etat": "idée"}}, "answers.public_vise"),
        ({"category": None}, "category"),
        ({"theme": ""}, "theme"),
        ({"solution": ""}, "solution"),
    ],
)
def test_an_incomplete_project_is_kept_as_a_draft_but_its_submission_is_refused(
    overrides: dict[str, Any], field: str
) -> None:
    rules = given_open_call().rules()
    project = given_draft(rules, **overrides)
    with pytest.raises(Invalid) as refused:
        project.submit(rules=rules, meta=meta(DURING))
    assert (refused.value.field, refused.value.rule) == (field, "required")
    assert project.collect_events() == []


def test_a_project_is_submitted_once() -> None:
    rules = given_open_call().rules()
    project = given_submitted(rules)
    with pytest.raises(AlreadySubmitted):
        project.submit(rules=rules, meta=meta(LATER))
    assert project.collect_events() == []


def test_rules_of_another_call_are_a_bug_of_the_application() -> None:
    project = given_draft(given_open_call().rules())
    with pytest.raises(ValueError, match="rules of call"):
        project.submit(rules=given_open_call().rules(), meta=meta(DURING))


# -- editing and versions ----------------------------------------------------------------------------------------------


def test_each_edit_of_a_submitted_project_records_a_new_version_and_versions_can_be_compared() -> None:
    # given a submitted project (version 1)
    rules = given_open_call().rules()
    project = given_submitted(rules)
    # when the team changes its solution and its state of progress
    project.edit(
        rules=rules,
        meta=meta(LATER),
        solution="Des permanences et un tutoriel vidéo.",
        answers={"etat": "idée", "details": "Testé dans deux lycées."},
    )
    # then an Edited event carrying version 2
    [edited] = project.collect_events()
    assert isinstance(edited, Project.Edited)
    assert edited.version == 2
    assert edited.changed == ("solution", "answers.etat", "answers.details")
    # and versions 1 and 2 compare field by field
    assert [version.number for version in project.versions] == [1, 2]
    assert project.compare(1, 2) == {
        "solution": (COMPLETE["solution"], "Des permanences et un tutoriel vidéo."),
        "answers.etat": ("prototype", "idée"),
        "answers.details": (None, "Testé dans deux lycées."),
    }
    # and the merged answers kept the one not given
    assert project.content.answers["public_vise"] == "les familles"


def test_a_submitted_project_must_stay_complete() -> None:
    rules = given_open_call().rules()
    project = given_submitted(rules)
    with pytest.raises(Invalid) as refused:
        project.edit(rules=rules, meta=meta(LATER), answers={"public_vise": ""})
    assert refused.value.field == "answers.public_vise"
    assert project.collect_events() == []


def test_an_edit_after_the_closing_is_refused_and_nothing_is_recorded() -> None:
    rules = given_open_call().rules()
    project = given_submitted(rules)
    with pytest.raises(CallClosed) as refused:
        project.edit(rules=rules, meta=meta(LAST_SECOND + timedelta(seconds=1)), title="Bourses : un coup de main")
    assert "03/05/2019 à 23:59" in refused.value.message
    assert project.collect_events() == []
    assert project.content.title == COMPLETE["title"]


def test_an_edit_that_changes_nothing_is_refused() -> None:
    rules = given_open_call().rules()
    project = given_submitted(rules)
    with pytest.raises(NothingChanged):
        project.edit(rules=rules, meta=meta(LATER), title=f"  {COMPLETE['title']} ", answers={"etat": "prototype"})
    assert project.collect_events() == []


def test_an_edit_may_not_bring_an_unknown_category() -> None:
    rules = given_open_call().rules()
    project = given_submitted(rules)
    with pytest.raises(Invalid) as refused:
        project.edit(rules=rules, meta=meta(LATER), category="Autre")
    assert refused.value.field == "category"
    assert project.collect_events() == []


def test_diff_versions_lists_only_what_changed() -> None:
    before = ProjectContent(
        title="A",
        problem="p",
        solution="s",
        benefits_users="",
        benefits_agents="",
        category=None,
        theme=None,
        answers={"q": "x", "gone": ("a", "b")},
    )
    after = msgspec.structs.replace(before, title="B", answers={"q": "x", "new": "y"})
    assert diff_versions(before, after) == {
        "title": ("A", "B"),
        "answers.gone": (("a", "b"), None),
        "answers.new": (None, "y"),
    }
    assert diff_versions(before, before) == {}


# -- withdrawal --------------------------------------------------------------------------------------------------------


def test_a_withdrawn_project_changes_no_more() -> None:
    rules = given_open_call().rules()
    project = given_submitted(rules)
    project.withdraw(reason="Projet repris par le service", meta=meta(LATER))
    [withdrawn] = project.collect_events()
    assert isinstance(withdrawn, Project.Withdrawn)
    assert (project.status, project.withdrawal_reason) == ("withdrawn", "Projet repris par le service")
    with pytest.raises(ProjectWithdrawn):
        project.edit(rules=rules, meta=meta(LATER), title="Autre titre")
    with pytest.raises(ProjectWithdrawn):
        project.invite(rules=rules, person=COLLEAGUE, organisation="ac-poitiers", meta=meta(LATER))
    with pytest.raises(ProjectWithdrawn):
        project.withdraw(meta=meta(LATER))
    with pytest.raises(ProjectWithdrawn):
        project.select(rules=rules, meta=organiser(AFTER))
    assert project.collect_events() == []


def test_a_draft_may_be_withdrawn_without_a_reason_and_is_then_never_submitted() -> None:
    rules = given_open_call().rules()
    project = given_draft(rules)
    project.withdraw(meta=meta(DURING))
    with pytest.raises(ProjectWithdrawn):
        project.submit(rules=rules, meta=meta(LATER))
    assert len(project.collect_events()) == 1


# -- the team ----------------------------------------------------------------------------------------------------------


def test_a_colleague_joins_the_team_by_accepting_an_invitation() -> None:
    rules = given_open_call().rules()
    project = given_submitted(rules)
    project.invite(rules=rules, person=COLLEAGUE, organisation="ac-poitiers", meta=meta(DURING))
    assert project.invitations == (COLLEAGUE,)
    assert project.team == (AUTHOR,)
    project.accept_invitation(rules=rules, person=COLLEAGUE, meta=meta(LATER, actor=COLLEAGUE))
    invited, accepted = project.collect_events()
    assert isinstance(invited, Project.CoAuthorInvited)
    assert (invited.person, invited.organisation) == (COLLEAGUE, "ac-poitiers")
    assert isinstance(accepted, Project.CoAuthorAccepted)
    assert project.team == (AUTHOR, COLLEAGUE)
    assert project.invitations == ()


def test_a_co_author_from_another_organisation_is_refused_and_nothing_is_recorded() -> None:
    rules = given_open_call(eligible_partners=("ac-grenoble",)).rules()
    project = given_draft(rules)
    with pytest.raises(CoAuthorFromAnotherOrganisation) as refused:
        project.invite(rules=rules, person=GRENOBLE_AGENT, organisation="ac-grenoble", meta=meta(DURING))
    assert refused.value.field == "organisation"
    assert refused.value.rule == "co_author_from_another_organisation"
    assert project.collect_events() == []
    assert project.invitations == ()


def test_the_team_never_outgrows_the_call_maximum_counting_pending_invitations() -> None:
    # given a call allowing teams of three, and a project with one co-author and one pending invitation
    rules = given_open_call(max_team_size=3).rules()
    project = given_draft(rules)
    project.invite(rules=rules, person=COLLEAGUE, organisation="ac-poitiers", meta=meta(DURING))
    project.accept_invitation(rules=rules, person=COLLEAGUE, meta=meta(DURING))
    project.invite(rules=rules, person=ANOTHER, organisation="ac-poitiers", meta=meta(DURING))
    project.collect_events()
    assert project.team_size == 3
    # when a fourth person is invited, it is refused and nothing is recorded
    with pytest.raises(TeamFull) as refused:
        project.invite(rules=rules, person=THIRD, organisation="ac-poitiers", meta=meta(DURING))
    assert "au plus 3 personnes" in refused.value.message
    assert project.collect_events() == []
    # and once the pending invitation is declined, the place is free again
    project.decline_invitation(person=ANOTHER, meta=meta(DURING, actor=ANOTHER))
    project.invite(rules=rules, person=THIRD, organisation="ac-poitiers", meta=meta(DURING))
    declined, invited = project.collect_events()
    assert isinstance(declined, Project.CoAuthorDeclined)
    assert isinstance(invited, Project.CoAuthorInvited)


def test_a_team_of_one_admits_no_co_author() -> None:
    rules = given_open_call(max_team_size=1).rules()
    project = given_draft(rules)
    with pytest.raises(TeamFull):
        project.invite(rules=rules, person=COLLEAGUE, organisation="ac-poitiers", meta=meta(DURING))
    assert project.collect_events() == []


def test_an_invitation_is_sent_once_and_only_a_sent_one_is_answered() -> None:
    rules = given_open_call().rules()
    project = given_draft(rules)
    with pytest.raises(NoInvitation):
        project.accept_invitation(rules=rules, person=COLLEAGUE, meta=meta(DURING))
    with pytest.raises(NoInvitation):
        project.decline_invitation(person=COLLEAGUE, meta=meta(DURING))
    with pytest.raises(AlreadyInTeam):
        project.invite(rules=rules, person=AUTHOR, organisation="ac-poitiers", meta=meta(DURING))
    project.invite(rules=rules, person=COLLEAGUE, organisation="ac-poitiers", meta=meta(DURING))
    project.collect_events()
    with pytest.raises(AlreadyInTeam):
        project.invite(rules=rules, person=COLLEAGUE, organisation="ac-poitiers", meta=meta(DURING))
    project.withdraw_invitation(person=COLLEAGUE, meta=meta(DURING))
    [taken_back] = project.collect_events()
    assert isinstance(taken_back, Project.InvitationWithdrawn)
    with pytest.raises(NoInvitation):
        project.accept_invitation(rules=rules, person=COLLEAGUE, meta=meta(DURING))
    assert project.collect_events() == []


def test_an_invitation_is_accepted_only_while_the_call_is_open() -> None:
    rules = given_open_call().rules()
    project = given_draft(rules)
    project.invite(rules=rules, person=COLLEAGUE, organisation="ac-poitiers", meta=meta(DURING))
    project.collect_events()
    with pytest.raises(CallClosed):
        project.accept_invitation(rules=rules, person=COLLEAGUE, meta=meta(AFTER))
    assert project.collect_events() == []


# -- local selection and nomination ------------------------------------------------------------------------------------


def test_a_decision_comes_after_the_closing_and_may_be_revised_until_the_call_selection_is_recorded() -> None:
    call, project = given_call_and_submitted_project()
    # while the call is open, no decision
    with pytest.raises(CallStillOpen):
        project.select(rules=call.rules(), meta=organiser(LATER))
    # a refusal needs a reason the team can read
    with pytest.raises(Invalid) as no_reason:
        project.mark_not_selected(rules=call.rules(), reason="", meta=organiser(AFTER))
    assert no_reason.value.field == "reason"
    assert project.collect_events() == []
    # after the closing: not selected, then revised to selected
    project.mark_not_selected(rules=call.rules(), reason="Projet proche d'un autre déjà retenu", meta=organiser(AFTER))
    project.select(rules=call.rules(), reason="Félicitations !", meta=organiser(AFTER + timedelta(days=1)))
    not_selected, selected = project.collect_events()
    assert isinstance(not_selected, Project.NotSelected)
    assert not_selected.reason == "Projet proche d'un autre déjà retenu"
    assert isinstance(selected, Project.Selected)
    assert [decision.outcome for decision in project.decisions] == ["not_selected", "selected"]
    # the same decision twice is refused
    with pytest.raises(NothingChanged):
        project.select(rules=call.rules(), reason="Félicitations !", meta=organiser(AFTER))
    # once the call's selection is recorded, no more revision
    call.record_selection(selected=(project.id,), meta=organiser(AFTER))
    with pytest.raises(SelectionAlreadyRecorded):
        project.mark_not_selected(rules=call.rules(), reason="Finalement non", meta=organiser(AFTER))
    assert project.collect_events() == []


def test_a_draft_is_never_selected() -> None:
    rules = given_open_call().rules()
    project = given_draft(rules)
    with pytest.raises(NotSubmitted):
        project.select(rules=rules, meta=organiser(AFTER))
    assert project.collect_events() == []


def test_only_a_selected_project_is_nominated_to_a_forum_once() -> None:
    call, project = given_call_and_submitted_project()
    forum = uuid4()
    with pytest.raises(NotLocallySelected):
        project.nominate(forum_id=forum, forum_organisation="men-centrale", meta=organiser(AFTER))
    project.select(rules=call.rules(), meta=organiser(AFTER))
    project.nominate(forum_id=forum, forum_organisation="men-centrale", meta=organiser(AFTER))
    _, nominated = project.collect_events()
    assert isinstance(nominated, Project.Nominated)
    assert project.nomination is not None
    assert (project.nomination.forum_id, project.nomination.forum_organisation) == (forum, "men-centrale")
    with pytest.raises(AlreadyNominated):
        project.nominate(forum_id=forum, forum_organisation="men-centrale", meta=organiser(AFTER))
    # a nominated project is neither withdrawn nor unselected before its nomination is withdrawn
    with pytest.raises(Conflict) as nominated_still:
        project.withdraw(meta=meta(AFTER))
    assert nominated_still.value.rule == "nominated"
    with pytest.raises(Conflict):
        project.mark_not_selected(rules=call.rules(), reason="Finalement non", meta=organiser(AFTER))
    assert project.collect_events() == []
    project.withdraw_nomination(reason="Quota dépassé", meta=organiser(AFTER))
    [withdrawn] = project.collect_events()
    assert isinstance(withdrawn, Project.NominationWithdrawn)
    assert withdrawn.forum_id == forum
    assert project.nomination is None
    with pytest.raises(NotNominated):
        project.withdraw_nomination(meta=organiser(AFTER))
    assert project.collect_events() == []


# -- history -----------------------------------------------------------------------------------------------------------


def test_the_project_reloaded_from_its_stored_events_is_the_same() -> None:
    # given a project's whole life
    rules = given_open_call().rules()
    project = Project.draft(
        id=uuid4(), rules=rules, author=AUTHOR, organisation="ac-poitiers", meta=meta(DURING), **COMPLETE
    )
    project.invite(rules=rules, person=COLLEAGUE, organisation="ac-poitiers", meta=meta(DURING))
    project.accept_invitation(rules=rules, person=COLLEAGUE, meta=meta(DURING))
    project.invite(rules=rules, person=ANOTHER, organisation="ac-poitiers", meta=meta(DURING))
    project.decline_invitation(person=ANOTHER, meta=meta(DURING))
    project.submit(rules=rules, meta=meta(DURING))
    project.edit(
        rules=rules, meta=meta(LATER), answers={"details": "Deux lycées pilotes.", "partenaires": ["DSI", "rectorat"]}
    )
    project.select(rules=rules, meta=organiser(AFTER))
    project.nominate(forum_id=uuid4(), forum_organisation="men-centrale", meta=organiser(AFTER))
    project.withdraw_nomination(meta=organiser(AFTER))
    events = project.collect_events()
    # then, written down with the store's msgspec codec and read back, the events rebuild the same project
    replayed = None
    for recorded in events:
        topic, originator_id, version, payload = encode_event(recorded)
        decoded = decode_event(topic, payload, originator_id, version)
        assert vars(decoded) == vars(recorded), topic
        replayed = decoded.mutate(replayed)
    assert isinstance(replayed, Project)
    assert replayed.versions == project.versions
    assert replayed.team == project.team == (AUTHOR, COLLEAGUE)
    assert replayed.decisions == project.decisions
    assert replayed.content == project.content
    assert replayed.content.answers["partenaires"] == ("DSI", "rectorat")
    assert replayed.nomination is None
