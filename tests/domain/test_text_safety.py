"""No aggregate records text PostgreSQL cannot store (NUL, control characters, lone surrogates), a date outside
1900–2200 or an integer no JSON reader holds: every event's arguments are checked before the event exists."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from eventsourcing.domain import event

from domain.aggregate import Aggregate
from domain.errors import Invalid
from domain.forum import coaching_rota, running_order
from domain.idea_call import IdeaCall, Question
from domain.person import Person
from domain.values import Meta, check_storable_text, check_text

AT = datetime(2019, 9, 2, 9, 0, tzinfo=UTC)


def meta(command_id: str = "c1") -> Meta:
    return Meta("someone", "organiser", "nord", "nord", AT, command_id, command_id)


class Part(msgspec.Struct, frozen=True):
    label: str
    notes: tuple[str, ...] = ()


class Notebook(Aggregate):
    """An aggregate whose commands check nothing: only the gate stands between a person's text and the log."""

    @classmethod
    def open(cls, *, title: str, meta: Meta) -> "Notebook":
        notebook: Notebook = cls._create(cls.Opened, id=uuid4(), title=title, meta=meta)
        return notebook

    class Opened(Aggregate.Created):
        title: str
        meta: Meta

    @event("Written")
    def write(self, text: str, parts: tuple[Part, ...], tags: dict[str, Any], meta: Meta) -> None:
        self.text = text


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\ud800", "\udfff"])
def test_control_characters_and_lone_surrogates_are_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_storable_text(f"avant{bad}après", "title")
    assert (refused.value.field, refused.value.rule, refused.value.status) == ("title", "text_not_storable", 422)
    with pytest.raises(Invalid) as refused:
        check_text(f"{bad}", "title", max_length=10)  # checked before trimming (str.strip eats \x1c–\x1f)
    assert refused.value.rule == "text_not_storable"


def test_tab_newline_carriage_return_and_any_printable_text_are_kept() -> None:
    text = "Ligne 1\r\n\tLigne 2 — « été » 🎉 \x7f"
    assert check_storable_text(text, "description") == text


def test_a_command_that_checks_nothing_still_cannot_record_a_nul_and_records_nothing() -> None:
    with pytest.raises(Invalid) as refused:
        Notebook.open(title="a\x00b", meta=meta())
    assert refused.value.field == "title"

    notebook = Notebook.open(title="carnet", meta=meta())
    notebook.collect_events()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"text": "a\x00"}, "text"),
        ({"parts": (Part("ok"), Part("x", notes=("fine", "b\x07d")))}, "parts[1].notes[1]"),
        ({"tags": {"clé": "v\x00"}}, "tags.clé"),
        ({"tags": {"k\x00": "v"}}, "tags"),
        ({"tags": {"when": datetime(1, 1, 1, tzinfo=UTC)}}, "tags.when"),
        ({"tags": {"n": 10**30}}, "tags.n"),
    ]
    for change, field in cases:
        arguments: dict[str, Any] = {"text": "ok", "parts": (), "tags": {}, **change}
        with pytest.raises(Invalid) as refused:
            notebook.write(meta=meta("c2"), **arguments)
        assert refused.value.field == field, change
        assert notebook.collect_events() == []
        assert notebook.version == 1
    with pytest.raises(Invalid) as refused:
        notebook.write(text="ok", parts=(), tags={}, meta=meta("c\x00"))
    assert refused.value.field == "command_id"
    notebook.write(text="ok\tvu\n", parts=(Part("x"),), tags={"n": 3, "when": AT}, meta=meta("c3"))
    assert len(notebook.collect_events()) == 1


def test_an_event_already_stored_with_a_nul_still_replays() -> None:
    # history is never edited: the gate stands at triggering, not at replaying
    created = Notebook.Opened(
        originator_id=uuid4(),
        originator_version=1,
        timestamp=AT,
        originator_topic="tests.domain.test_text_safety:Notebook",
        title="ancien\x00titre",
        meta=meta(),
    )
    notebook = created.mutate(None)
    assert notebook is not None and notebook.version == 1


def test_a_call_title_theme_or_question_with_a_nul_is_refused_by_the_domain() -> None:
    base: dict[str, Any] = {
        "id": uuid4(),
        "organisation": "somme",
        "title": "Appel",
        "opens_at": AT + timedelta(days=1),
        "closes_at": AT + timedelta(days=30),
        "meta": meta(),
    }
    for change, field in (
        ({"title": "Appel\x00"}, "title"),
        ({"themes": ["usagers", "travail\x00"]}, "themes"),
        ({"questions": [Question(key="q", label="Public\x00", kind="short_text", max_length=10)]}, "questions"),
        ({"opens_at": datetime(1, 1, 1, tzinfo=UTC)}, "opens_at"),
        ({"closes_at": datetime(9999, 12, 31, 23, 59, tzinfo=UTC)}, "closes_at"),
    ):
        with pytest.raises(Invalid) as refused:
            IdeaCall.draft(**{**base, **change})
        assert refused.value.field is not None and refused.value.field.startswith(field), change


def test_a_person_named_with_a_nul_is_refused_at_invitation_and_renaming() -> None:
    with pytest.raises(Invalid) as refused:
        Person.invite(email="claire@nord.fr", name="Claire\x00", role="agent", organisation="nord", meta=meta())
    assert refused.value.field == "name"
    person = Person.invite(email="claire@nord.fr", name="Claire", role="agent", organisation="nord", meta=meta())
    person.collect_events()
    with pytest.raises(Invalid) as refused:
        person.rename(name="Cl\x00aire", meta=meta("c2"))
    assert refused.value.field == "name"
    assert person.collect_events() == []


def test_running_orders_and_coaching_rotas_refuse_dates_and_durations_out_of_range() -> None:
    project = UUID(int=1)
    with pytest.raises(Invalid) as refused:
        running_order([project], starts_at=datetime(9999, 12, 31, tzinfo=UTC), pitch_seconds=180, questions_seconds=60)
    assert refused.value.field == "starts_at"
    with pytest.raises(Invalid) as refused:
        running_order([project, project], starts_at=AT, pitch_seconds=10**30, questions_seconds=60)
    assert refused.value.field == "pitch_seconds"
    with pytest.raises(Invalid) as refused:
        coaching_rota([project, project], ["coach"], starts_at=AT, minutes=10**20)
    assert refused.value.field == "minutes"
    with pytest.raises(Invalid) as refused:
        coaching_rota([project], ["coach"], starts_at=datetime(1, 1, 1, tzinfo=UTC), minutes=50)
    assert refused.value.field == "starts_at"
