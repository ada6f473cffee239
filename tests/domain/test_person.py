"""People and forum roles: invitation, joining, roles, deactivation; given/when/then on events."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.codec import decode_event, encode_event
from domain.errors import Invalid
from domain.person import (
    AlreadyGranted,
    AlreadyJoined,
    ForumRoles,
    NotDeactivated,
    NotGranted,
    NotJoined,
    OwnAccount,
    Person,
    PersonDeactivated,
    SameName,
    SameRole,
    check_email,
)
from domain.values import Meta

AT = datetime(2019, 9, 2, 9, 0, tzinfo=UTC)
ORGANISER = "11111111-1111-1111-1111-111111111111"
FORUM = UUID("22222222-2222-2222-2222-222222222222")


def meta(
    command_id: str = "c1",
    *,
    actor: str = ORGANISER,
    role: str = "organiser",
    organisation: str = "nord",
    minutes: int = 0,
) -> Meta:
    return Meta(
        actor=actor,
        role=role,
        organisation=organisation,
        actor_organisation=organisation,
        at=AT + timedelta(minutes=minutes),
        command_id=command_id,
        correlation_id=command_id,
    )


def invited(email: str = "Claire.Martin@Lenord.fr", role: str = "agent") -> Person:
    person = Person.invite(email=email, name="Claire Martin", role=role, organisation="nord", meta=meta())
    person.collect_events()
    return person


def joined() -> Person:
    person = invited()
    person.join(meta=meta("c2", actor=str(person.id), role="agent", minutes=5))
    person.collect_events()
    return person


def replayed(*events: Any) -> Any:
    """The aggregate rebuilt from its events written down and read back, as the store does."""
    copy = None
    for e in events:
        topic, originator_id, version, payload = encode_event(e)
        copy = decode_event(topic, payload, originator_id, version).mutate(copy)
    return copy


# --- invitation -----------------------------------------------------------------------------------


def test_an_organiser_invites_a_person_whose_id_derives_from_the_normalised_address() -> None:
    # when an organiser of Nord invites an agent
    person = Person.invite(
        email="  Claire.Martin@Lenord.fr ", name="Claire Martin", role="agent", organisation="nord", meta=meta()
    )
    # then one Invited event records the lowercased address, the role and who invited
    [event] = person.collect_events()
    assert isinstance(event, Person.Invited)
    assert (event.email, event.role, event.organisation) == ("claire.martin@lenord.fr", "agent", "nord")
    assert event.meta.actor == ORGANISER
    assert event.timestamp == AT
    # and the id is the same whatever the case of the address
    assert person.id == Person.id_for("claire.martin@LENORD.fr")
    assert person.status == "invited"


@pytest.mark.parametrize(
    ("email", "rule"),
    [
        ("", "required"),
        ("claire", "email_format"),
        ("claire@lenord", "email_format"),
        ("a b@c.fr", "email_format"),
        ("x" * 250 + "@c.fr", "too_long"),
        ("<a@b.fr>", "email_format"),
    ],
)
def test_a_malformed_address_is_refused_naming_the_field(email: str, rule: str) -> None:
    with pytest.raises(Invalid) as refused:
        Person.invite(email=email, name="X", role="agent", organisation="nord", meta=meta())
    assert (refused.value.field, refused.value.rule) == ("email", rule)


def test_a_name_too_long_or_empty_is_refused_naming_the_field() -> None:
    with pytest.raises(Invalid) as refused:
        Person.invite(email="a@b.fr", name="x" * 201, role="agent", organisation="nord", meta=meta())
    assert (refused.value.field, refused.value.rule) == ("name", "too_long")
    with pytest.raises(Invalid) as refused:
        Person.invite(email="a@b.fr", name="  ", role="agent", organisation="nord", meta=meta())
    assert (refused.value.field, refused.value.rule) == ("name", "required")


@pytest.mark.parametrize(
    ("role", "organisation"), [("chef", "nord"), ("admin", "nord"), ("juror", "nord"), ("organiser", "platform")]
)
def test_an_unknown_role_for_the_organisation_is_refused(role: str, organisation: str) -> None:
    with pytest.raises(Invalid) as refused:
        Person.invite(email="a@b.fr", name="A", role=role, organisation=organisation, meta=meta())
    assert (refused.value.field, refused.value.rule) == ("role", "unknown_value")


def test_administrators_belong_to_the_platform() -> None:
    admin = Person.invite(
        email="admin@forum.local",
        name="Admin",
        role="admin",
        organisation="platform",
        meta=meta(organisation="platform"),
    )
    assert admin.role == "admin"


def test_check_email_accepts_ordinary_addresses() -> None:
    assert check_email("Jean-Marc.Dupont+forum@ac-grenoble.fr") == "jean-marc.dupont+forum@ac-grenoble.fr"


# --- joining --------------------------------------------------------------------------------------


def test_the_invited_person_joins_once_perhaps_correcting_their_name() -> None:
    # given an invited person
    person = invited()
    # when they accept, correcting their name
    person.join(name="Claire Martin-Leroy", meta=meta("c2", actor=str(person.id), role="agent", minutes=5))
    # then Joined records it, and they are active
    [event] = person.collect_events()
    assert isinstance(event, Person.Joined)
    assert event.name == "Claire Martin-Leroy"
    assert person.status == "active"
    # and joining again is refused, recording nothing
    with pytest.raises(AlreadyJoined):
        person.join(meta=meta("c3", actor=str(person.id)))
    assert person.collect_events() == []


def test_an_invitation_is_renewed_only_before_joining() -> None:
    person = invited()
    person.invite_again(meta=meta("c2"))
    [event] = person.collect_events()
    assert isinstance(event, Person.InvitationRenewed)
    person.join(meta=meta("c3", actor=str(person.id)))
    person.collect_events()
    with pytest.raises(AlreadyJoined):
        person.invite_again(meta=meta("c4"))
    assert person.collect_events() == []


def test_the_password_event_records_that_it_changed_never_the_password() -> None:
    # given a person who joined
    person = joined()
    # when they change their password
    person.set_password(how="changed", meta=meta("c3", actor=str(person.id)))
    # then PasswordSet says how, and nothing else
    [event] = person.collect_events()
    assert isinstance(event, Person.PasswordSet)
    assert set(vars(event)) == {"originator_id", "originator_version", "timestamp", "how", "meta"}


def test_no_password_is_set_before_joining() -> None:
    person = invited()
    with pytest.raises(NotJoined):
        person.set_password(how="reset", meta=meta("c2"))
    assert person.collect_events() == []


# --- roles, names, deactivation -------------------------------------------------------------------


def test_an_organiser_changes_a_members_role_but_not_their_own() -> None:
    # given a joined agent
    person = joined()
    # when an organiser makes them an auditor
    person.change_role(role="auditor", meta=meta("c3"))
    [event] = person.collect_events()
    assert isinstance(event, Person.RoleChanged) and event.role == "auditor"
    # then the same role again is refused
    with pytest.raises(SameRole):
        person.change_role(role="auditor", meta=meta("c4"))
    # and nobody changes their own role
    with pytest.raises(OwnAccount):
        person.change_role(role="organiser", meta=meta("c5", actor=str(person.id)))
    # and an unknown role names the field
    with pytest.raises(Invalid) as refused:
        person.change_role(role="boss", meta=meta("c6"))
    assert refused.value.field == "role"
    assert person.collect_events() == []


def test_a_person_renames_themselves() -> None:
    person = joined()
    person.rename(name="Claire M.", meta=meta("c3", actor=str(person.id)))
    [event] = person.collect_events()
    assert isinstance(event, Person.Renamed) and person.name == "Claire M."
    with pytest.raises(SameName):
        person.rename(name="Claire M.", meta=meta("c4", actor=str(person.id)))
    assert person.collect_events() == []


def test_a_deactivated_person_changes_nothing_until_reactivated() -> None:
    # given a joined person, deactivated by an organiser
    person = joined()
    person.deactivate(meta=meta("c3"))
    [event] = person.collect_events()
    assert isinstance(event, Person.Deactivated)
    assert person.status == "deactivated"
    # when anything is tried, it is refused and nothing is recorded
    with pytest.raises(PersonDeactivated):
        person.deactivate(meta=meta("c4"))
    with pytest.raises(PersonDeactivated):
        person.set_password(how="changed", meta=meta("c5", actor=str(person.id)))
    with pytest.raises(PersonDeactivated):
        person.change_role(role="auditor", meta=meta("c6"))
    with pytest.raises(PersonDeactivated):
        person.rename(name="Autre", meta=meta("c7", actor=str(person.id)))
    assert person.collect_events() == []
    # then reactivation brings them back, once
    person.reactivate(meta=meta("c8"))
    [event] = person.collect_events()
    assert isinstance(event, Person.Reactivated)
    assert person.status == "active"
    with pytest.raises(NotDeactivated):
        person.reactivate(meta=meta("c9"))
    assert person.collect_events() == []


def test_nobody_deactivates_themselves() -> None:
    person = joined()
    with pytest.raises(OwnAccount):
        person.deactivate(meta=meta("c3", actor=str(person.id)))
    assert person.collect_events() == []


def test_a_persons_history_replays_to_the_same_state() -> None:
    # given a person's whole story
    person = Person.invite(email="a@b.fr", name="A", role="agent", organisation="nord", meta=meta())
    person.invite_again(meta=meta("c2", minutes=1))
    person.join(name="Anne", meta=meta("c3", actor=str(person.id), minutes=2))
    person.set_password(how="reset", meta=meta("c4", actor=str(person.id), minutes=3))
    person.change_role(role="organiser", meta=meta("c5", minutes=4))
    person.deactivate(meta=meta("c6", minutes=5))
    person.reactivate(meta=meta("c7", minutes=6))
    events = person.collect_events()
    # when it is written down and read back
    copy = replayed(*events)
    # then the state is the same
    assert (copy.name, copy.role, copy.status, copy.invitations) == ("Anne", "organiser", "active", 2)
    assert copy.joined_at == AT + timedelta(minutes=2)
    assert copy.version == person.version


# --- forum roles ----------------------------------------------------------------------------------


def forum_roles() -> ForumRoles:
    roles = ForumRoles.open(forum_id=FORUM, meta=meta(organisation="somme"))
    roles.collect_events()
    return roles


def test_a_host_grants_and_revokes_roles_in_their_forum() -> None:
    # given the roles of a forum hosted by Somme
    roles = forum_roles()
    assert roles.id == ForumRoles.id_for(FORUM) and roles.host == "somme"
    # when a Nord person is made juror and voter
    roles.grant(person_id="p-nord", person_organisation="nord", role="juror", meta=meta("c2", organisation="somme"))
    roles.grant(person_id="p-nord", person_organisation="nord", role="voter", meta=meta("c3", organisation="somme"))
    granted = roles.collect_events()
    assert [type(e) for e in granted] == [ForumRoles.Granted, ForumRoles.Granted]
    assert all(e.forum_id == FORUM for e in granted)
    assert roles.holders("juror") == [("p-nord", "nord")]
    # then the same grant twice is refused
    with pytest.raises(AlreadyGranted):
        roles.grant(person_id="p-nord", person_organisation="nord", role="juror", meta=meta("c4"))
    assert roles.collect_events() == []
    # and revoking removes one role only
    roles.revoke(person_id="p-nord", role="juror", meta=meta("c5", organisation="somme"))
    [revoked] = roles.collect_events()
    assert isinstance(revoked, ForumRoles.Revoked)
    assert not roles.holds("p-nord", "juror") and roles.holds("p-nord", "voter")
    with pytest.raises(NotGranted):
        roles.revoke(person_id="p-nord", role="juror", meta=meta("c6"))
    assert roles.collect_events() == []


def test_an_unknown_forum_role_is_refused_naming_the_field() -> None:
    roles = forum_roles()
    with pytest.raises(Invalid) as refused:
        roles.grant(person_id="p", person_organisation="nord", role="organiser", meta=meta("c2"))
    assert refused.value.field == "role"
    assert roles.collect_events() == []


def test_forum_roles_replay_to_the_same_grants() -> None:
    roles = ForumRoles.open(forum_id=FORUM, meta=meta(organisation="somme"))
    roles.grant(person_id="p1", person_organisation="nord", role="juror", meta=meta("c2"))
    roles.grant(person_id="p2", person_organisation="oise", role="coach", meta=meta("c3"))
    roles.revoke(person_id="p1", role="juror", meta=meta("c4"))
    copy = replayed(*roles.collect_events())
    assert copy.grants == {("p2", "coach"): "oise"}
    assert copy.forum_id == FORUM
