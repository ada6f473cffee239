"""Organisations: registration and renaming, given/when/then on events."""

from datetime import UTC, datetime

import pytest

from domain.errors import Conflict, Invalid
from domain.organisation import Organisation
from domain.values import Meta

AT = datetime(2019, 9, 1, 9, 0, tzinfo=UTC)


def meta(command_id: str = "c1") -> Meta:
    return Meta(
        actor="admin",
        role="admin",
        organisation="nord",
        actor_organisation="platform",
        at=AT,
        command_id=command_id,
        correlation_id=command_id,
    )


def test_registering_an_organisation_records_who_when_and_under_which_command() -> None:
    org = Organisation.register(slug="nord", name="Département du Nord", kind="departement", meta=meta())
    [registered] = org.collect_events()
    assert isinstance(registered, Organisation.Registered)
    assert registered.slug == "nord"
    assert registered.timestamp == AT
    assert registered.meta.command_id == "c1"
    assert org.id == Organisation.id_for("nord")


@pytest.mark.parametrize(
    ("slug", "rule"),
    [
        ("n", "slug_length"),
        ("x" * 64, "slug_length"),
        ("Nord", "slug_format"),
        ("val d'oise", "slug_format"),
        ("-nord", "slug_format"),
        ("nord-", "slug_format"),
        ("éure", "slug_format"),
    ],
)
def test_a_malformed_slug_is_refused_with_the_rule_it_breaks(slug: str, rule: str) -> None:
    with pytest.raises(Invalid) as refused:
        Organisation.register(slug=slug, name="X", kind="autre", meta=meta())
    assert refused.value.field == "slug"
    assert refused.value.rule == rule


@pytest.mark.parametrize("slug", ["ac-grenoble", "nord", "a1", "x" * 63])
def test_well_formed_slugs_are_accepted(slug: str) -> None:
    assert Organisation.register(slug=slug, name="X", kind="autre", meta=meta()).slug == slug


def test_an_unknown_kind_is_refused_naming_the_field() -> None:
    with pytest.raises(Invalid) as refused:
        Organisation.register(slug="nord", name="Nord", kind="region", meta=meta())
    assert refused.value.field == "kind"


def test_renaming_records_the_new_name_and_a_same_name_rename_records_nothing() -> None:
    # given a registered organisation
    org = Organisation.register(slug="nord", name="Nord", kind="departement", meta=meta())
    org.collect_events()
    # when it is renamed
    org.rename(name="Département du Nord", meta=meta("c2"))
    # then one Renamed event
    [renamed] = org.collect_events()
    assert isinstance(renamed, Organisation.Renamed)
    assert org.name == "Département du Nord"
    # and renaming to the same name is refused, recording nothing
    with pytest.raises(Conflict):
        org.rename(name="Département du Nord", meta=meta("c3"))
    assert org.collect_events() == []
