"""Practices and adoptions across organisations, given/when/then on events."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
import pytest

from domain.codec import decode_event, encode_event
from domain.errors import Conflict, Invalid
from domain.practice import (
    Adoption,
    AdoptionAbandoned,
    AlreadyAdopted,
    AlreadyPublished,
    Figure,
    NotAdopted,
    NothingChanged,
    OwnPractice,
    Practice,
    PracticeNotPublished,
    PracticeSheet,
    check_contact_role,
    make_sheet,
)
from domain.values import Meta

AT = datetime(2020, 6, 2, 10, 0, tzinfo=UTC)
PRACTICE = UUID("00000000-0000-0000-0000-00000000aa01")
PROJECT = UUID("00000000-0000-0000-0000-000000000004")


def meta(organisation: str = "oise", command_id: str = "c1") -> Meta:
    return Meta(
        actor="11111111-1111-1111-1111-111111111111",
        role="organiser",
        organisation=organisation,
        actor_organisation=organisation,
        at=AT,
        command_id=command_id,
        correlation_id=command_id,
    )


def sheet(**changes: Any) -> PracticeSheet:
    fields: dict[str, Any] = {
        "title": "Menus de cantine partagés avec les familles",
        "problem": "Les familles ignoraient les menus ; un tiers des repas finissait à la poubelle.",
        "what_was_done": "Menus publiés chaque semaine, inscription au repas la veille, pesées des restes.",
        "results": "Le gaspillage a nettement baissé dans les 5 collèges pilotes.",
        "figures": (
            Figure(label="restes par repas", value=Decimal("-35"), unit="%"),
            Figure(label="collèges pilotes", value=Decimal("5")),
        ),
        "resources": "Un chef de cuisine à mi-temps pendant trois mois, une balance par collège.",
        "contact_role": "chef de cuisine dans un collège",
        "reuse_conditions": "Modèles de menus sous licence ouverte.",
        "themes": ("restauration scolaire", "gaspillage alimentaire"),
        "stage": "acceleration",
    }
    fields.update(changes)
    return make_sheet(**fields)


def given_draft() -> Practice:
    practice = Practice.draft(
        id=PRACTICE, organisation="oise", project_id=PROJECT, title="Menus de cantine", meta=meta()
    )
    practice.collect_events()
    return practice


def given_published() -> Practice:
    practice = given_draft()
    practice.publish(sheet=sheet(), meta=meta())
    practice.collect_events()
    return practice


def round_trip(events: list[Any]) -> list[Any]:
    """The events written down and read back, as the store does."""
    return [decode_event(*_reorder(encode_event(e))) for e in events]


def _reorder(encoded: tuple[str, UUID, int, bytes]) -> tuple[str, bytes, UUID, int]:
    topic, originator_id, version, payload = encoded
    return topic, payload, originator_id, version


# --- Practice in the publisher's store --------------------------------------------------------------


def test_a_practice_is_drafted_from_a_project_then_published_with_its_figures() -> None:
    # given a practice drafted from an Oise project
    practice = Practice.draft(
        id=PRACTICE, organisation="oise", project_id=PROJECT, title="Menus de cantine", meta=meta()
    )
    [drafted] = practice.collect_events()
    assert isinstance(drafted, Practice.Drafted)
    assert (drafted.organisation, drafted.project_id) == ("oise", PROJECT)
    assert practice.status == "draft"
    # when it is published
    practice.publish(sheet=sheet(), meta=meta())
    # then the sheet is recorded whole, and read back the same from the store
    [published] = practice.collect_events()
    assert isinstance(published, Practice.Published)
    assert published.sheet.figures[0] == Figure(label="restes par repas", value=Decimal("-35"), unit="%")
    assert practice.status == "published"
    assert practice.title == "Menus de cantine partagés avec les familles"
    copy = None
    for e in round_trip([drafted, published]):
        copy = e.mutate(copy)
    assert copy is not None
    assert copy.sheet == practice.sheet
    assert copy.status == "published"


def test_an_amendment_replaces_the_sheet_and_a_withdrawal_unpublishes_it() -> None:
    # given a published practice
    practice = given_published()
    # when its results are updated, then it is withdrawn
    practice.amend(
        sheet=sheet(figures=(Figure(label="restes par repas", value=Decimal("-42"), unit="%"),)),
        note="Chiffres de juin",
        meta=meta(),
    )
    practice.withdraw(reason="Remplacée par une fiche régionale", meta=meta())
    amended, withdrawn = practice.collect_events()
    # then both are recorded
    assert isinstance(amended, Practice.Amended)
    assert amended.note == "Chiffres de juin"
    assert isinstance(withdrawn, Practice.Withdrawn)
    assert practice.status == "withdrawn"
    assert practice.sheet is not None
    assert practice.sheet.figures[0].value == Decimal("-42")
    # and it may be published again
    practice.publish(sheet=sheet(), meta=meta())
    assert practice.status == "published"


def test_publishing_twice_amending_a_draft_or_withdrawing_an_unpublished_practice_is_refused() -> None:
    draft = given_draft()
    with pytest.raises(PracticeNotPublished):
        draft.amend(sheet=sheet(), meta=meta())
    with pytest.raises(PracticeNotPublished):
        draft.withdraw(reason="x", meta=meta())
    assert draft.collect_events() == []
    published = given_published()
    with pytest.raises(AlreadyPublished):
        published.publish(sheet=sheet(), meta=meta())
    with pytest.raises(NothingChanged):
        published.amend(sheet=sheet(), meta=meta())
    assert published.collect_events() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"problem": " "}, "problem"),
        ({"what_was_done": ""}, "what_was_done"),
        ({"results": ""}, "results"),
        ({"resources": ""}, "resources"),
        ({"reuse_conditions": ""}, "reuse_conditions"),
        ({"themes": ()}, "themes"),
        ({"themes": ("a", "b", "c", "d", "e", "f")}, "themes"),
        ({"stage": "deploiement"}, "stage"),
        ({"contact_role": "Claire Dupont"}, "contact_role"),
        ({"figures": (Figure(label="", value=Decimal(1)),)}, "figures.label"),
        ({"figures": (Figure(label="x", value=Decimal("Infinity")),)}, "figures"),
        ({"figures": tuple(Figure(label=str(i), value=Decimal(i)) for i in range(21))}, "figures"),
    ],
)
def test_an_incomplete_or_bad_sheet_is_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as refused:
        sheet(**changes)
    assert refused.value.field == field


def test_a_sheet_built_by_hand_is_checked_at_publication_all_the_same() -> None:
    practice = given_draft()
    unchecked = msgspec.structs.replace(sheet(), contact_role="Mme Durand")
    with pytest.raises(Invalid) as refused:
        practice.publish(sheet=unchecked, meta=meta())
    assert refused.value.field == "contact_role"
    assert practice.collect_events() == []
    assert practice.status == "draft"


def test_themes_are_trimmed_and_deduplicated() -> None:
    assert sheet(themes=(" numérique ", "numérique", "accueil")).themes == ("numérique", "accueil")


@pytest.mark.parametrize(
    "name",
    [
        "Claire Dupont",
        "Jean DURAND",
        "Marie-Claire Martin",
        "Mme Durand",
        "M. Martin",
        "claire.dupont@ac-lyon.fr",
        "03 22 97 00 00",
    ],
)
def test_a_contact_is_never_a_personal_name_address_or_phone(name: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_contact_role(name)
    assert refused.value.rule == "contact_not_a_role"
    assert "fonction" in refused.value.message


@pytest.mark.parametrize(
    "role",
    [
        "chef de cuisine dans un collège",
        "Directeur Général des Services",
        "Cellule Innovation",
        "DANE",
        "IEN ASH",
        "Madame la rectrice",
        "Délégué Académique au Numérique",
        "chargée de mission restauration scolaire",
    ],
)
def test_job_titles_are_accepted_as_contacts(role: str) -> None:
    assert check_contact_role(role) == role


# --- Adoption in the adopter's store ---------------------------------------------------------------


def given_interest(organisation: str = "somme", adopted_from: str | None = None) -> Adoption:
    adoption = Adoption.declare_interest(
        organisation=organisation,
        practice_id=PRACTICE,
        practice_organisation="oise",
        practice_status="published",
        adopted_from=adopted_from,
        meta=meta(organisation),
    )
    adoption.collect_events()
    return adoption


def test_an_organisation_declares_interest_adopts_and_reports_in_its_own_store() -> None:
    # when Somme declares interest in Oise's published practice
    adoption = Adoption.declare_interest(
        organisation="somme",
        practice_id=PRACTICE,
        practice_organisation="oise",
        practice_status="published",
        note="Nos 48 cantines passent en restaurants scolaires",
        meta=meta("somme"),
    )
    # then adopts it and reports twice
    adoption.adopt(practice_status="published", meta=meta("somme"))
    adoption.submit_report(outcome="en_cours", text="Trois collèges ont commencé.", meta=meta("somme"))
    adoption.submit_report(
        outcome="reussie",
        text="Déployé dans 20 collèges.",
        figures=(Figure(label="collèges", value=Decimal(20)),),
        meta=meta("somme"),
    )
    events = adoption.collect_events()
    assert [type(e).__name__ for e in events] == ["InterestDeclared", "Adopted", "ReportSubmitted", "ReportSubmitted"]
    declared = events[0]
    assert (declared.organisation, declared.practice_id, declared.practice_organisation) == ("somme", PRACTICE, "oise")
    assert declared.derived_from is None
    assert adoption.id == Adoption.id_for("somme", PRACTICE)
    assert (adoption.status, adoption.last_outcome, adoption.reports) == ("adopted", "reussie", 2)
    # and the history reads back the same
    copy = None
    for e in round_trip(events):
        copy = e.mutate(copy)
    assert copy is not None
    assert (copy.status, copy.last_outcome, copy.reports) == ("adopted", "reussie", 2)


def test_adopting_from_an_adopter_names_the_adoption_it_derives_from() -> None:
    # given Somme adopted Oise's practice; when Nord adopts it from Somme
    nord = given_interest("nord", adopted_from="somme")
    # then the lineage points at Somme's adoption, whose id Nord's event names
    assert nord.derived_from == Adoption.id_for("somme", PRACTICE)
    assert nord.derived_from_organisation == "somme"
    # and adopting "from" the publisher is a direct adoption
    direct = given_interest("pas-de-calais", adopted_from="oise")
    assert (direct.derived_from, direct.derived_from_organisation) == (None, None)


def test_adopting_from_oneself_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        given_interest("nord", adopted_from="nord")
    assert refused.value.field == "adopted_from"


@pytest.mark.parametrize("status", ["draft", "withdrawn", "archived"])
def test_an_unpublished_practice_cannot_be_adopted(status: str) -> None:
    # when Somme declares interest in a practice that is not published
    with pytest.raises(PracticeNotPublished) as refused:
        Adoption.declare_interest(
            organisation="somme",
            practice_id=PRACTICE,
            practice_organisation="oise",
            practice_status=status,
            meta=meta("somme"),
        )
    # then it is refused with a message (no aggregate, so nothing to record)
    assert refused.value.rule == "practice_not_published"
    assert "publiée" in refused.value.message


def test_a_practice_withdrawn_after_interest_was_declared_cannot_be_adopted() -> None:
    adoption = given_interest()
    with pytest.raises(PracticeNotPublished) as refused:
        adoption.adopt(practice_status="withdrawn", meta=meta("somme"))
    assert "retirée" in refused.value.message
    assert adoption.collect_events() == []
    assert adoption.status == "interested"


def test_the_publishing_organisation_cannot_adopt_its_own_practice() -> None:
    with pytest.raises(OwnPractice) as refused:
        Adoption.declare_interest(
            organisation="oise",
            practice_id=PRACTICE,
            practice_organisation="oise",
            practice_status="published",
            meta=meta("oise"),
        )
    assert isinstance(refused.value, Conflict)
    assert refused.value.rule == "own_practice"
    assert "propre pratique" in refused.value.message


def test_adopting_twice_is_refused() -> None:
    # given Somme adopted the practice
    adoption = given_interest()
    adoption.adopt(practice_status="published", meta=meta("somme"))
    adoption.collect_events()
    # when it adopts it again, it is refused and nothing was recorded
    with pytest.raises(AlreadyAdopted):
        adoption.adopt(practice_status="published", meta=meta("somme"))
    assert adoption.collect_events() == []
    # and a second declaration of interest would land on the same id, which the store refuses
    assert given_interest().id == adoption.id
    assert given_interest("nord").id != adoption.id
    assert Adoption.id_for("somme", PROJECT) != adoption.id


def test_a_report_comes_after_the_adoption_and_names_a_known_outcome() -> None:
    adoption = given_interest()
    with pytest.raises(NotAdopted):
        adoption.submit_report(outcome="en_cours", text="x", meta=meta("somme"))
    adoption.adopt(practice_status="published", meta=meta("somme"))
    adoption.collect_events()
    with pytest.raises(Invalid) as refused:
        adoption.submit_report(outcome="super", text="x", meta=meta("somme"))
    assert refused.value.field == "outcome"
    with pytest.raises(Invalid) as no_text:
        adoption.submit_report(outcome="reussie", text="", meta=meta("somme"))
    assert no_text.value.field == "text"
    assert adoption.collect_events() == []


def test_a_report_of_abandonment_also_records_the_abandonment_and_then_nothing_more() -> None:
    # given an adoption
    adoption = given_interest()
    adoption.adopt(practice_status="published", meta=meta("somme"))
    adoption.collect_events()
    # when the adopter reports it abandoned
    adoption.submit_report(outcome="abandonnee", text="Pas de cuisinier disponible.", meta=meta("somme"))
    reported, abandoned = adoption.collect_events()
    assert isinstance(reported, Adoption.ReportSubmitted)
    assert isinstance(abandoned, Adoption.Abandoned)
    assert abandoned.reason == "Pas de cuisinier disponible."
    assert adoption.status == "abandoned"
    # then nothing more can be recorded
    with pytest.raises(AdoptionAbandoned):
        adoption.submit_report(outcome="en_cours", text="Reprise", meta=meta("somme"))
    with pytest.raises(AdoptionAbandoned):
        adoption.abandon(reason="encore", meta=meta("somme"))
    with pytest.raises(AdoptionAbandoned):
        adoption.adopt(practice_status="published", meta=meta("somme"))
    assert adoption.collect_events() == []


def test_an_interest_can_be_abandoned_before_adoption_with_a_reason() -> None:
    adoption = given_interest()
    with pytest.raises(Invalid):
        adoption.abandon(reason="", meta=meta("somme"))
    assert adoption.collect_events() == []
    adoption.abandon(reason="Autre priorité", meta=meta("somme"))
    [abandoned] = adoption.collect_events()
    assert isinstance(abandoned, Adoption.Abandoned)
    assert adoption.status == "abandoned"
