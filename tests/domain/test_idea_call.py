"""Calls for ideas: drafting, opening, the closing time, amendments, selection, cancellation, announcement."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.codec import decode_event, encode_event
from domain.errors import Conflict, Invalid
from domain.idea_call import (
    AnnouncementAlreadyPublished,
    CallCancelled,
    CallClosed,
    CallNotOpen,
    CallStillOpen,
    ForumRound,
    IdeaCall,
    NotEligible,
    NothingChanged,
    Question,
    RemovedAfterOpening,
    SelectionAlreadyRecorded,
    paris_end_of_day,
    paris_start_of_day,
)
from domain.values import PARIS, Meta

DEMO = Path(__file__).resolve().parents[2] / "forum" / "demo_data"
IMPULSIONS = json.loads((DEMO / "impulsions-2019.json").read_text(encoding="utf-8"))
INTERDEPARTEMENTAL = json.loads((DEMO / "forum-interdepartemental-2019.json").read_text(encoding="utf-8"))
THEMES = tuple(IMPULSIONS["edition"]["themes"])
CATEGORIES = tuple(IMPULSIONS["edition"]["categories"])
POITIERS = next(call for call in IMPULSIONS["local_calls"] if call["organisation"] == "ac-poitiers")
NORD = next(call for call in INTERDEPARTEMENTAL["local_calls"] if call["organisation"] == "nord")

OPENS = paris_start_of_day(date.fromisoformat(POITIERS["opens"]))
CLOSES = paris_end_of_day(date.fromisoformat(POITIERS["closes"]))
BEFORE = datetime(2019, 2, 1, 9, 0, tzinfo=PARIS)
DURING = datetime(2019, 4, 1, 10, 0, tzinfo=PARIS)
AFTER = datetime(2019, 5, 10, 9, 0, tzinfo=PARIS)

QUESTIONS = (
    Question(key="public_vise", label="Public visé", kind="short_text", required=True, max_length=100),
    Question(key="etat", label="État du projet", kind="single_choice", required=True, choices=("idée", "prototype")),
    Question(key="partenaires", label="Partenaires", kind="multiple_choice", choices=("DSI", "DRH", "rectorat")),
    Question(key="details", label="Précisions", kind="long_text", max_length=500),
)


def meta(at: datetime, command_id: str = "c1", actor: str = "organiser-poitiers") -> Meta:
    return Meta(
        actor=actor,
        role="organiser",
        organisation="ac-poitiers",
        actor_organisation="ac-poitiers",
        at=at,
        command_id=command_id,
        correlation_id=command_id,
    )


def given_call(**overrides: Any) -> IdeaCall:
    """The Prix Impulsions 2019 local call of Poitiers, drafted in February (its events collected)."""
    fields: dict[str, Any] = {
        "id": uuid4(),
        "organisation": "ac-poitiers",
        "title": "Prix Impulsions 2019 — académie de Poitiers",
        "description": "Vos idées pour moderniser l'administration.",
        "themes": THEMES,
        "categories": CATEGORIES,
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "questions": QUESTIONS,
        "max_team_size": 4,
        "meta": meta(BEFORE),
    }
    fields.update(overrides)
    call = IdeaCall.draft(**fields)
    call.collect_events()
    return call


def given_open_call(**overrides: Any) -> IdeaCall:
    call = given_call(**overrides)
    call.open(meta=meta(BEFORE + timedelta(days=1), "open"))
    call.collect_events()
    return call


def replay(events: list[Any]) -> Any:
    """Write each event down with the store's msgspec codec, read it back, and apply it: what a reload does."""
    aggregate = None
    for recorded in events:
        topic, originator_id, version, payload = encode_event(recorded)
        decoded = decode_event(topic, payload, originator_id, version)
        assert vars(decoded) == vars(recorded), topic
        aggregate = decoded.mutate(aggregate)
    return aggregate


# -- drafting ----------------------------------------------------------------------------------------------------------


def test_drafting_the_impulsions_call_records_its_themes_categories_and_paris_dates() -> None:
    call = IdeaCall.draft(
        id=uuid4(),
        organisation="ac-poitiers",
        title="  Prix Impulsions 2019  ",
        themes=THEMES,
        categories=CATEGORIES,
        opens_at=OPENS,
        closes_at=CLOSES,
        questions=QUESTIONS,
        meta=meta(BEFORE),
    )
    [drafted] = call.collect_events()
    assert isinstance(drafted, IdeaCall.Drafted)
    assert drafted.title == "Prix Impulsions 2019"
    assert drafted.themes == ("envie de faire plus simple", "travailler autrement", "mieux répondre à nos usagers")
    assert len(drafted.categories) == 2
    # 6 March 00:00 and 3 May 23:59:59 in Paris, stored as UTC instants (CET then CEST)
    assert drafted.opens_at == datetime(2019, 3, 5, 23, 0, tzinfo=UTC)
    assert drafted.closes_at == datetime(2019, 5, 3, 21, 59, 59, tzinfo=UTC)
    assert drafted.max_team_size == 5
    assert drafted.timestamp == BEFORE
    assert call.status_at(DURING) == "drafted"


def test_a_call_without_themes_or_categories_is_allowed_like_the_2019_departement_calls() -> None:
    call = IdeaCall.draft(
        id=uuid4(),
        organisation="nord",
        title=NORD["title"],
        opens_at=paris_start_of_day(date.fromisoformat(NORD["opens"])),
        closes_at=paris_end_of_day(date.fromisoformat(NORD["closes"])),
        meta=meta(datetime(2019, 9, 1, tzinfo=PARIS)),
    )
    assert call.themes == ()
    assert call.categories == ()
    assert call.check_submission(category=None, theme="", answers={}) == (None, None, {})


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"closes_at": OPENS}, "closes_at", "closes_before_opening"),
        ({"closes_at": OPENS - timedelta(days=1)}, "closes_at", "closes_before_opening"),
        (
            {"closes_at": BEFORE - timedelta(days=1), "opens_at": BEFORE - timedelta(days=9)},
            "closes_at",
            "closes_in_the_past",
        ),
        ({"opens_at": datetime(2019, 3, 6)}, "opens_at", "naive_datetime"),
        ({"title": ""}, "title", "required"),
        ({"title": "x" * 201}, "title", "too_long"),
        ({"themes": ("travailler autrement", "Travailler autrement")}, "themes", "duplicate"),
        ({"categories": ("",)}, "categories", "required"),
        ({"themes": tuple(f"thème {n}" for n in range(21))}, "themes", "too_many"),
        ({"eligible_partners": ("ac-poitiers",)}, "eligible_partners", "own_organisation"),
        ({"eligible_partners": ("ac-limoges", "ac-limoges")}, "eligible_partners", "duplicate"),
        ({"eligible_partners": ("Limoges",)}, "eligible_partners", "slug_format"),
        ({"max_team_size": 0}, "max_team_size", "out_of_range"),
        ({"max_team_size": 21}, "max_team_size", "out_of_range"),
        ({"organisation": "Poitiers"}, "organisation", "slug_format"),
    ],
)
def test_a_malformed_call_is_refused_naming_the_field(overrides: dict[str, Any], field: str, rule: str) -> None:
    with pytest.raises(Invalid) as refused:
        given_call(**overrides)
    assert (refused.value.field, refused.value.rule) == (field, rule)


@pytest.mark.parametrize(
    ("questions", "field", "rule"),
    [
        ((QUESTIONS[0], QUESTIONS[0]), "questions", "duplicate_key"),
        ((Question(key="Public", label="x", kind="short_text"),), "questions", "question_key_format"),
        ((Question(key="q", label="", kind="short_text"),), "questions.q.label", "required"),
        ((Question(key="q", label="x", kind="essay"),), "questions.q.kind", "unknown_value"),
        ((Question(key="q", label="x", kind="short_text", max_length=301),), "questions.q.max_length", "out_of_range"),
        ((Question(key="q", label="x", kind="long_text", max_length=0),), "questions.q.max_length", "out_of_range"),
        (
            (Question(key="q", label="x", kind="short_text", choices=("a", "b")),),
            "questions.q.choices",
            "choices_on_text",
        ),
        (
            (Question(key="q", label="x", kind="single_choice", choices=("a",)),),
            "questions.q.choices",
            "too_few_choices",
        ),
        ((Question(key="q", label="x", kind="single_choice", choices=("a", "a")),), "questions.q.choices", "duplicate"),
        ((Question(key="q", label="x", kind="multiple_choice"),), "questions.q.choices", "required"),
        (
            (Question(key="q", label="x", kind="single_choice", choices=("a", "b"), max_length=3),),
            "questions.q.max_length",
            "max_length_on_choice",
        ),
    ],
)
def test_a_malformed_form_is_refused_naming_the_question(
    questions: tuple[Question, ...], field: str, rule: str
) -> None:
    with pytest.raises(Invalid) as refused:
        given_call(questions=questions)
    assert (refused.value.field, refused.value.rule) == (field, rule)


def test_text_questions_get_an_explicit_length_limit() -> None:
    call = given_call(
        questions=(
            Question(key="court", label="Court", kind="short_text"),
            Question(key="long", label="Long", kind="long_text"),
        )
    )
    assert [question.max_length for question in call.questions] == [300, 5000]


# -- opening and the closing time --------------------------------------------------------------------------------------


def test_a_drafted_call_accepts_no_submission_even_within_its_dates() -> None:
    call = given_call()
    with pytest.raises(CallNotOpen):
        call.check_open(DURING)


def test_an_opened_call_accepts_submissions_from_its_opening_time_only() -> None:
    # given a drafted call
    call = given_call()
    # when it is opened in February
    call.open(meta=meta(BEFORE, "open"))
    # then one Opened event
    [opened] = call.collect_events()
    assert isinstance(opened, IdeaCall.Opened)
    assert call.status_at(BEFORE) == "scheduled"
    # and submissions are accepted from 6 March 00:00 Paris time, not a second before
    call.check_open(datetime(2019, 3, 6, 0, 0, tzinfo=PARIS))
    with pytest.raises(CallNotOpen) as refused:
        call.check_open(datetime(2019, 3, 5, 23, 59, 59, tzinfo=PARIS))
    assert "06/03/2019 à 00:00" in refused.value.message
    # and opening twice is refused
    with pytest.raises(Conflict) as twice:
        call.open(meta=meta(DURING, "again"))
    assert twice.value.rule == "already_opened"
    assert call.collect_events() == []


def test_a_submission_at_the_last_second_of_3_may_is_accepted_and_one_second_later_refused() -> None:
    call = given_open_call()
    last_second = datetime(2019, 5, 3, 23, 59, 59, tzinfo=PARIS)
    call.check_open(last_second)
    assert call.accepts_submissions(last_second)
    with pytest.raises(CallClosed) as refused:
        call.check_open(last_second + timedelta(seconds=1))
    assert refused.value.message == "L'appel est clos depuis le 03/05/2019 à 23:59."
    assert refused.value.rule == "call_closed"
    assert refused.value.status == 409
    assert not call.accepts_submissions(last_second + timedelta(seconds=1))
    assert call.status_at(AFTER) == "closed"


def test_the_closing_time_is_shown_in_paris_whatever_the_time_zone_of_the_server_clock() -> None:
    # given the Nord call of autumn 2019, closing on 18 October
    call = IdeaCall.draft(
        id=uuid4(),
        organisation="nord",
        title=NORD["title"],
        opens_at=paris_start_of_day(date(2019, 9, 16)),
        closes_at=paris_end_of_day(date(2019, 10, 18)),
        meta=meta(datetime(2019, 9, 1, tzinfo=PARIS)),
    )
    call.open(meta=meta(datetime(2019, 9, 2, tzinfo=PARIS)))
    # when a submission comes at 22:00 UTC on 18 October (00:00 on the 19th in Paris)
    with pytest.raises(CallClosed) as refused:
        call.check_open(datetime(2019, 10, 18, 22, 0, tzinfo=UTC))
    # then the message gives the closing in Paris time
    assert refused.value.message == "L'appel est clos depuis le 18/10/2019 à 23:59."


def test_opening_a_call_whose_closing_time_has_passed_is_refused() -> None:
    call = given_call()
    with pytest.raises(CallClosed):
        call.open(meta=meta(AFTER))
    assert call.collect_events() == []


def test_an_early_closing_refuses_submissions_from_its_own_time() -> None:
    # given an open call
    call = given_open_call()
    # when the organiser closes it on 20 April at 18:00
    closing = datetime(2019, 4, 20, 18, 0, tzinfo=PARIS)
    call.close(meta=meta(closing, "close"))
    [closed] = call.collect_events()
    assert isinstance(closed, IdeaCall.Closed)
    # then a submission a minute before is on time, and one at 18:00 is refused naming that time
    call.check_open(closing - timedelta(minutes=1))
    with pytest.raises(CallClosed) as refused:
        call.check_open(closing)
    assert "20/04/2019 à 18:00" in refused.value.message
    # and closing again is refused
    with pytest.raises(Conflict) as again:
        call.close(meta=meta(closing + timedelta(hours=1)))
    assert again.value.rule == "already_closed"
    assert call.collect_events() == []


def test_a_draft_cannot_be_closed() -> None:
    call = given_call()
    with pytest.raises(CallNotOpen):
        call.close(meta=meta(DURING))
    assert call.collect_events() == []


# -- eligibility and the form ------------------------------------------------------------------------------------------


def test_the_call_is_open_to_its_own_agents_and_to_named_partners_only() -> None:
    call = given_call(eligible_partners=("ac-limoges",))
    call.rules().check_eligible("ac-poitiers")
    call.rules().check_eligible("ac-limoges")
    with pytest.raises(NotEligible) as refused:
        call.rules().check_eligible("ac-caen")
    assert refused.value.status == 403
    assert refused.value.field == "organisation"


def test_check_submission_returns_the_answers_trimmed_and_leaves_out_the_unanswered() -> None:
    call = given_call()
    category, theme, answers = call.check_submission(
        category=CATEGORIES[0],
        theme=THEMES[2],
        answers={"public_vise": "  les familles  ", "etat": "prototype", "partenaires": ["DSI", "DSI"], "details": " "},
    )
    assert (category, theme) == (CATEGORIES[0], THEMES[2])
    assert answers == {"public_vise": "les familles", "etat": "prototype", "partenaires": ("DSI",)}


@pytest.mark.parametrize(
    ("submission", "field", "rule"),
    [
        ({"category": "Autre chose"}, "category", "unknown_value"),
        ({"theme": "faire compliqué"}, "theme", "unknown_value"),
        ({"category": None}, "category", "required"),
        ({"theme": ""}, "theme", "required"),
        ({"answers": {"etat": "idée"}}, "answers.public_vise", "required"),
        ({"answers": {"public_vise": "x"}}, "answers.etat", "required"),
        ({"answers": {"public_vise": "x" * 101, "etat": "idée"}}, "answers.public_vise", "too_long"),
        ({"answers": {"public_vise": "x", "etat": "idée", "details": "x" * 501}}, "answers.details", "too_long"),
        ({"answers": {"public_vise": "x", "etat": "terminé"}}, "answers.etat", "unknown_value"),
        (
            {"answers": {"public_vise": "x", "etat": "idée", "partenaires": ("DSI", "mairie")}},
            "answers.partenaires",
            "unknown_value",
        ),
        ({"answers": {"public_vise": "x", "etat": "idée", "partenaires": "DSI"}}, "answers.partenaires", "wrong_type"),
        ({"answers": {"public_vise": ("x",), "etat": "idée"}}, "answers.public_vise", "wrong_type"),
        ({"answers": {"public_vise": "x", "etat": "idée", "budget": "10 k€"}}, "answers.budget", "unknown_question"),
    ],
)
def test_a_submission_that_does_not_fit_the_call_is_refused_naming_the_field(
    submission: dict[str, Any], field: str, rule: str
) -> None:
    call = given_call()
    fields: dict[str, Any] = {
        "category": CATEGORIES[1],
        "theme": THEMES[0],
        "answers": {"public_vise": "les agents", "etat": "idée"},
    }
    fields.update(submission)
    with pytest.raises(Invalid) as refused:
        call.check_submission(**fields)
    assert (refused.value.field, refused.value.rule) == (field, rule)
    assert refused.value.status == 422


def test_a_draft_is_checked_for_what_it_says_not_for_what_it_lacks() -> None:
    call = given_call()
    assert call.check_submission(category=None, theme=None, answers={}, complete=False) == (None, None, {})
    with pytest.raises(Invalid) as refused:
        call.check_submission(category="Autre", theme=None, answers={}, complete=False)
    assert refused.value.field == "category"


def test_a_category_given_to_a_call_that_declares_none_is_refused() -> None:
    call = given_call(categories=())
    with pytest.raises(Invalid) as refused:
        call.check_submission(category=CATEGORIES[0], theme=THEMES[0], answers={"public_vise": "x", "etat": "idée"})
    assert (refused.value.field, refused.value.rule) == ("category", "not_offered")


# -- amendments --------------------------------------------------------------------------------------------------------


def test_changes_to_a_draft_are_recorded_but_are_not_amendments_to_show() -> None:
    call = given_call()
    call.amend(title="Prix Impulsions 2019", meta=meta(BEFORE, "a1"))
    [amended] = call.collect_events()
    assert isinstance(amended, IdeaCall.Amended)
    assert amended.changed == ("title",)
    assert call.title == "Prix Impulsions 2019"
    assert call.amendments == ()


def test_an_amendment_after_opening_needs_a_reason_and_is_kept_with_what_changed() -> None:
    # given an open call
    call = given_open_call()
    new_closing = paris_end_of_day(date(2019, 5, 10))
    # when the organiser extends it without a reason, it is refused
    with pytest.raises(Invalid) as refused:
        call.amend(closes_at=new_closing, meta=meta(DURING, "a1"))
    assert refused.value.field == "reason"
    assert call.collect_events() == []
    # when they extend it by a week and add a theme, saying why
    call.amend(
        closes_at=new_closing,
        themes=(*THEMES, "numérique responsable"),
        reason="Prolongation à la demande des services",
        meta=meta(DURING, "a2"),
    )
    # then one Amended event naming the fields changed
    [amended] = call.collect_events()
    assert amended.changed == ("themes", "closes_at")
    assert amended.title is None
    # and the amendment is visible with before and after as people read them
    [amendment] = call.amendments
    assert amendment.reason == "Prolongation à la demande des services"
    assert amendment.at == DURING
    closes = next(change for change in amendment.changes if change.field == "closes_at")
    assert (closes.before, closes.after) == ("03/05/2019 à 23:59", "10/05/2019 à 23:59")
    # and a submission on 8 May is now on time
    call.check_open(datetime(2019, 5, 8, 12, 0, tzinfo=PARIS))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"themes": THEMES[:2]}, "themes"),
        ({"categories": CATEGORIES[:1]}, "categories"),
        ({"questions": QUESTIONS[1:]}, "questions"),
        ({"max_team_size": 3}, "max_team_size"),
    ],
)
def test_an_amendment_after_opening_never_takes_away_what_projects_may_rely_on(
    change: dict[str, Any], field: str
) -> None:
    call = given_open_call()
    with pytest.raises(RemovedAfterOpening) as refused:
        call.amend(**change, reason="Simplification", meta=meta(DURING))
    assert refused.value.field == field
    assert call.collect_events() == []
    assert call.themes == THEMES


def test_before_opening_a_draft_may_lose_a_theme() -> None:
    call = given_call()
    call.amend(themes=THEMES[:2], meta=meta(BEFORE))
    assert call.themes == THEMES[:2]


def test_the_opening_time_no_longer_moves_once_submissions_have_begun() -> None:
    call = given_open_call()
    with pytest.raises(Conflict) as refused:
        call.amend(opens_at=paris_start_of_day(date(2019, 3, 10)), reason="Erreur", meta=meta(DURING))
    assert refused.value.rule == "already_begun"
    assert call.collect_events() == []


def test_an_amendment_that_changes_nothing_is_refused() -> None:
    call = given_open_call()
    with pytest.raises(NothingChanged):
        call.amend(themes=list(THEMES), closes_at=CLOSES, reason="Rien", meta=meta(DURING))
    assert call.collect_events() == []


def test_a_closed_call_is_no_longer_amended() -> None:
    call = given_open_call()
    with pytest.raises(CallClosed):
        call.amend(closes_at=paris_end_of_day(date(2019, 6, 1)), reason="Réouverture", meta=meta(AFTER))
    assert call.collect_events() == []


def test_an_amendment_may_not_set_the_closing_in_the_past() -> None:
    call = given_open_call()
    with pytest.raises(Invalid) as refused:
        call.amend(closes_at=datetime(2019, 3, 31, tzinfo=PARIS), reason="Plus tôt", meta=meta(DURING))
    assert refused.value.rule == "closes_in_the_past"
    assert call.collect_events() == []


# -- selection, cancellation, announcement, forum ----------------------------------------------------------------------


def test_the_selection_is_recorded_once_after_the_closing_and_freezes_the_call() -> None:
    call = given_open_call()
    laureate = uuid4()
    # while the call is open, no selection
    with pytest.raises(CallStillOpen) as refused:
        call.record_selection(selected=(laureate,), meta=meta(DURING))
    assert "03/05/2019 à 23:59" in refused.value.message
    assert call.collect_events() == []
    # after the closing, it is recorded with the projects retained
    call.record_selection(selected=(laureate,), meta=meta(AFTER, "sel"))
    [recorded] = call.collect_events()
    assert isinstance(recorded, IdeaCall.SelectionRecorded)
    assert recorded.selected == (laureate,)
    assert call.status_at(AFTER) == "selection_recorded"
    # and then it is neither recorded again nor cancelled
    with pytest.raises(SelectionAlreadyRecorded):
        call.record_selection(selected=(), meta=meta(AFTER))
    with pytest.raises(SelectionAlreadyRecorded):
        call.cancel(reason="Trop tard", meta=meta(AFTER))
    assert call.collect_events() == []


def test_a_selection_naming_a_project_twice_is_refused() -> None:
    call = given_open_call()
    project = uuid4()
    with pytest.raises(Invalid) as refused:
        call.record_selection(selected=(project, project), meta=meta(AFTER))
    assert refused.value.field == "selected"
    assert call.collect_events() == []


def test_a_cancelled_call_refuses_everything_with_its_reason_recorded() -> None:
    call = given_open_call()
    with pytest.raises(Invalid) as no_reason:
        call.cancel(reason=" ", meta=meta(DURING))
    assert no_reason.value.field == "reason"
    call.cancel(reason="Budget non reconduit", meta=meta(DURING, "cancel"))
    [cancelled] = call.collect_events()
    assert isinstance(cancelled, IdeaCall.Cancelled)
    assert call.cancellation_reason == "Budget non reconduit"
    with pytest.raises(CallCancelled):
        call.check_open(DURING)
    with pytest.raises(CallCancelled):
        call.amend(title="Autre", reason="x", meta=meta(DURING))
    with pytest.raises(CallCancelled):
        call.cancel(reason="encore", meta=meta(DURING))
    with pytest.raises(CallCancelled):
        call.publish_announcement(meta=meta(DURING))
    assert call.collect_events() == []
    assert call.status_at(DURING) == "cancelled"


def test_the_announcement_is_published_once_and_only_for_an_opened_call() -> None:
    call = given_call()
    with pytest.raises(CallNotOpen):
        call.publish_announcement(meta=meta(BEFORE))
    call.open(meta=meta(BEFORE))
    call.publish_announcement(meta=meta(BEFORE, "announce"))
    [_, published] = call.collect_events()
    assert isinstance(published, IdeaCall.AnnouncementPublished)
    assert call.announcement_published_at == BEFORE
    with pytest.raises(AnnouncementAlreadyPublished):
        call.publish_announcement(meta=meta(DURING))
    assert call.collect_events() == []


def test_a_call_becomes_the_local_round_of_one_forum_with_its_quota() -> None:
    call = given_open_call()
    forum = uuid4()
    call.attach_to_forum(forum_id=forum, forum_organisation="men-centrale", quota=1, meta=meta(DURING))
    [attached] = call.collect_events()
    assert isinstance(attached, IdeaCall.AttachedToForum)
    assert call.forum == ForumRound(forum_id=forum, forum_organisation="men-centrale", quota=1)
    assert call.rules().forum == call.forum
    with pytest.raises(NothingChanged):
        call.attach_to_forum(forum_id=forum, forum_organisation="men-centrale", quota=1, meta=meta(DURING))
    with pytest.raises(Conflict) as another:
        call.attach_to_forum(forum_id=uuid4(), forum_organisation="somme", quota=3, meta=meta(DURING))
    assert another.value.rule == "attached_to_another_forum"
    with pytest.raises(Invalid) as no_quota:
        call.attach_to_forum(forum_id=forum, forum_organisation="men-centrale", quota=0, meta=meta(DURING))
    assert no_quota.value.field == "quota"
    assert call.collect_events() == []


# -- history -----------------------------------------------------------------------------------------------------------


def test_the_call_reloaded_from_its_stored_events_is_the_same() -> None:
    # given a call's whole life
    call = IdeaCall.draft(
        id=UUID("6a3a8c7e-2f43-4f36-9a53-0d3f1e7c1b11"),
        organisation="ac-poitiers",
        title="Prix Impulsions 2019",
        themes=THEMES,
        categories=CATEGORIES,
        opens_at=OPENS,
        closes_at=CLOSES,
        questions=QUESTIONS,
        forum=ForumRound(forum_id=uuid4(), forum_organisation="men-centrale", quota=1),
        meta=meta(BEFORE),
    )
    call.open(meta=meta(BEFORE))
    call.publish_announcement(meta=meta(BEFORE))
    call.amend(closes_at=paris_end_of_day(date(2019, 5, 10)), reason="Prolongation", meta=meta(DURING))
    call.close(meta=meta(AFTER))
    call.record_selection(selected=(uuid4(),), meta=meta(AFTER))
    events = call.collect_events()
    # then reading them back from the store's encoding gives the same call
    replayed = replay(events)
    assert replayed.closes_at == call.closes_at
    assert replayed.amendments == call.amendments
    assert replayed.rules() == call.rules()
    assert replayed.version == call.version == len(events)
