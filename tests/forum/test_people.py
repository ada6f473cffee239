"""People's commands against a real PostgreSQL: invitations, links, sign-in, throttling, deactivation, forum roles."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.errors import AlreadyExists, Forbidden, Invalid, NotFound
from domain.person import OwnAccount, Person, PersonDeactivated
from forum.access import PLATFORM, SYSTEM, Actor
from forum.application import ForumApplication
from forum.auth import (
    AccountDisabled,
    LinkInvalid,
    TooManyAttempts,
    WrongCredentials,
    actor_for_session,
    actor_for_token,
)
from forum.database import Database
from forum.entrypoints.bootstrap import auth_pool
from forum.people import AlreadyMember, EmailTaken, WrongPassword
from forum.services import Services
from forum.settings import Settings
from tests.accounts import PASSWORD, ensure_organisation, member
from tests.conftest import Clock, command_id
from tests.settling import settle

NEW_PASSWORD = "un-autre-mot-de-passe"


@pytest.fixture
def services(db: Database, app: ForumApplication) -> Iterator[Services]:
    yield Services(settings=Settings(environment="test", public_url="https://forum.test"), db=db, app=app)


@pytest.fixture
def nord(services: Services) -> Actor:
    """An organiser of Nord (Nord and Oise registered)."""
    ensure_organisation(services.app, "oise")
    return member(services, "nord", "organiser").actor


def last_link(services: Services, to: str, kind: str = "invitation") -> str:
    [mail, *_] = services.mail.outbox(recipient=to)
    found = re.search(rf"https://forum\.test/{kind}/(\S+)", mail.body)
    assert found, mail.body
    return found.group(1)


def resolve(db: Database, *, session: str | None = None, token: str | None = None, now: Any) -> Actor | None:
    """Who a session cookie or an API token acts as, once the read models caught up (as the web does)."""

    async def run() -> Actor | None:
        pool = await auth_pool(db, max_size=1)
        try:
            async with pool.acquire() as conn:
                if session is not None:
                    return await actor_for_session(conn, session, now)
                return await actor_for_token(conn, token or "", now)
        finally:
            await pool.close()

    settle(db)
    return asyncio.run(run())


def events_of(app: ForumApplication, organisation: str, person_id: str) -> list[Any]:
    from forum.tenancy import store_of

    with store_of(organisation):
        return list(app.events.get(uuid.UUID(person_id)))


# --- invitation -------------------------------------------------------------------------------------


def test_an_invited_person_joins_through_the_mailed_link_and_signs_in(
    services: Services, nord: Actor, db: Database, clock: Clock
) -> None:
    # given an organiser of Nord invites an agent
    invited = services.people.invite(
        nord, command_id(), organisation="nord", email="Claire.Martin@lenord.fr", name="Claire Martin", role="agent"
    )
    assert invited["status"] == "invited"
    # then a mail in the outbox carries a link to accept
    [mail] = services.mail.outbox(recipient="claire.martin@lenord.fr")
    assert mail.subject == "Votre invitation sur Forum" and "7 jours" in mail.body
    link = last_link(services, "claire.martin@lenord.fr")
    # when she accepts it with a password of her own
    actor = services.people.accept_invitation(link, password=NEW_PASSWORD, name="Claire Martin-Leroy")
    assert (actor.person_id, actor.organisation) == (invited["person_id"], "nord")
    # then she can sign in, and her session acts as an agent of Nord
    session = services.auth.sign_in("claire.martin@lenord.fr", NEW_PASSWORD, address="10.0.0.1")
    signed_in = resolve(db, session=session, now=clock())
    assert signed_in is not None
    assert (signed_in.organisation, signed_in.roles, signed_in.name) == ("nord", {"agent"}, "Claire Martin-Leroy")
    # and her history says invited then joined, with no trace of the password
    events = events_of(services.app, "nord", invited["person_id"])
    assert [type(e).__name__ for e in events] == ["Invited", "Joined"]
    assert events[1].meta.actor == invited["person_id"]
    with db.connect() as conn:
        payloads = [bytes(r[0]) for r in conn.execute("SELECT state FROM store.forum_events")]
    assert not any(NEW_PASSWORD.encode() in p for p in payloads)
    # and the link served once
    with pytest.raises(LinkInvalid):
        services.people.accept_invitation(link, password=NEW_PASSWORD)


def test_an_unknown_or_expired_invitation_changes_nothing(services: Services, nord: Actor, clock: Clock) -> None:
    invited = services.people.invite(
        nord, command_id(), organisation="nord", email="a@lenord.fr", name="A", role="agent"
    )
    link = last_link(services, "a@lenord.fr")
    # an unknown link
    with pytest.raises(LinkInvalid) as refused:
        services.people.accept_invitation("nimportequoi", password=NEW_PASSWORD)
    assert "inconnu" in refused.value.message and refused.value.status == 404
    # an expired one (7 days by default)
    clock.advance(days=7, seconds=1)
    with pytest.raises(LinkInvalid) as refused:
        services.people.accept_invitation(link, password=NEW_PASSWORD)
    assert "expiré" in refused.value.message
    # nothing changed: still invited, no password
    assert [type(e).__name__ for e in events_of(services.app, "nord", invited["person_id"])] == ["Invited"]
    assert not services.auth.has_password(invited["person_id"])


def test_a_renewed_invitation_replaces_the_previous_link(services: Services, nord: Actor) -> None:
    invited = services.people.invite(
        nord, command_id(), organisation="nord", email="b@lenord.fr", name="B", role="auditor"
    )
    first = last_link(services, "b@lenord.fr")
    services.people.renew_invitation(nord, command_id(), organisation="nord", person_id=invited["person_id"])
    second = last_link(services, "b@lenord.fr")
    assert first != second
    with pytest.raises(LinkInvalid):
        services.people.accept_invitation(first, password=NEW_PASSWORD)
    services.people.accept_invitation(second, password=NEW_PASSWORD)


def test_a_short_password_is_refused_naming_the_field_and_the_link_still_works(services: Services, nord: Actor) -> None:
    services.people.invite(nord, command_id(), organisation="nord", email="c@lenord.fr", name="C", role="agent")
    link = last_link(services, "c@lenord.fr")
    with pytest.raises(Invalid) as refused:
        services.people.accept_invitation(link, password="court")
    assert (refused.value.field, refused.value.rule) == ("password", "password_too_short")
    services.people.accept_invitation(link, password=NEW_PASSWORD)


@pytest.mark.parametrize(
    "case",
    [
        ("pas-une-adresse", "X", "agent", "email"),
        ("x@lenord.fr", "x" * 201, "agent", "name"),
        ("x@lenord.fr", "X", "chef", "role"),
        ("x@lenord.fr", "X", "admin", "role"),
    ],
)
def test_bad_invitations_name_the_field_and_record_nothing(
    services: Services, nord: Actor, case: tuple[str, str, str, str]
) -> None:
    email, name, role, field = case
    with pytest.raises(Invalid) as refused:
        services.people.invite(nord, command_id(), organisation="nord", email=email, name=name, role=role)
    assert refused.value.field == field
    assert not services.app.exists(Person.id_for(email), "nord")
    assert services.mail.outbox(recipient=email) == []


def test_who_may_invite_whom(services: Services, nord: Actor) -> None:
    agent = member(services, "nord", "agent").actor
    oise = member(services, "oise", "organiser").actor
    # an agent of Nord may not (403); an organiser of Oise does not even see Nord (404)
    with pytest.raises(Forbidden):
        services.people.invite(agent, command_id(), organisation="nord", email="d@lenord.fr", name="D", role="agent")
    with pytest.raises(NotFound):
        services.people.invite(oise, command_id(), organisation="nord", email="d@lenord.fr", name="D", role="agent")
    # only administrators invite administrators; an unknown organisation is not found
    with pytest.raises(Forbidden):
        services.people.invite(nord, command_id(), organisation=PLATFORM, email="e@x.fr", name="E", role="admin")
    with pytest.raises(NotFound):
        services.people.invite(SYSTEM, command_id(), organisation="nowhere", email="e@x.fr", name="E", role="agent")
    # the same address twice in Nord, or an address already used in Oise, is refused naming the field
    services.people.invite(nord, command_id(), organisation="nord", email="d@lenord.fr", name="D", role="agent")
    with pytest.raises(AlreadyMember) as refused:
        services.people.invite(nord, command_id(), organisation="nord", email="D@lenord.fr", name="D", role="agent")
    assert refused.value.field == "email"
    oise_agent = member(services, "oise", "agent")
    with pytest.raises(EmailTaken) as taken:
        services.people.invite(nord, command_id(), organisation="nord", email=oise_agent.email, name="F", role="agent")
    assert taken.value.field == "email"


def test_the_platform_slug_is_reserved(app: ForumApplication) -> None:
    with pytest.raises(AlreadyExists) as refused:
        app.register_organisation(SYSTEM, command_id(), slug=PLATFORM, name="Plateforme", kind="autre")
    assert refused.value.rule == "slug_reserved"


# --- signing in ---------------------------------------------------------------------------------------


def test_wrong_passwords_slow_their_address_down_and_never_lock_the_owner_out(services: Services, clock: Clock) -> None:
    agent = member(services, "nord", "agent")
    for _ in range(5):
        with pytest.raises(WrongCredentials):
            services.auth.sign_in(agent.email, "mauvais mot de passe", address="10.0.0.1")
    # from that address the next attempt waits a little, even with the right password, saying how long
    with pytest.raises(TooManyAttempts) as throttled:
        services.auth.sign_in(agent.email, PASSWORD, address="10.0.0.1")
    assert throttled.value.status == 429 and "réessayez dans 2 secondes" in throttled.value.message
    # from an address that has not failed, the right password works at once; from the first, two seconds later
    assert services.auth.sign_in(agent.email, PASSWORD, address="10.0.0.99")
    clock.advance(seconds=2)
    assert services.auth.sign_in(agent.email, PASSWORD, address="10.0.0.1")


def test_wrong_passwords_from_many_addresses_never_refuse_the_right_one_from_another(services: Services) -> None:
    agent = member(services, "nord", "agent")
    for n in range(5):
        with pytest.raises(WrongCredentials):
            services.auth.sign_in(agent.email, "mauvais mot de passe", address=f"10.0.0.{n}")
    assert services.auth.sign_in(agent.email, PASSWORD, address="10.0.0.99")


def test_attempts_from_one_address_across_accounts_are_slowed_but_its_known_accounts_are_not(
    services: Services, clock: Clock
) -> None:
    agent, newcomer = member(services, "nord", "agent"), member(services, "nord", "agent", email="nouvelle@nord.fr")
    assert services.auth.sign_in(agent.email, PASSWORD, address="203.0.113.7")  # the agent's office
    for n in range(31):
        with pytest.raises(WrongCredentials):
            services.auth.sign_in(f"inconnu{n}@x.fr", "mauvais mot de passe", address="203.0.113.7")
    with pytest.raises(TooManyAttempts) as throttled:
        services.auth.sign_in(newcomer.email, PASSWORD, address="203.0.113.7")
    assert "secondes" in throttled.value.message  # a wait of seconds, never a lock-out
    assert services.auth.sign_in(agent.email, PASSWORD, address="203.0.113.7")  # signed in from there before
    assert services.auth.sign_in(newcomer.email, PASSWORD, address="203.0.113.8")
    clock.advance(seconds=2)
    assert services.auth.sign_in(newcomer.email, PASSWORD, address="203.0.113.7")


def test_an_unknown_address_and_a_wrong_password_get_the_same_answer(services: Services) -> None:
    agent = member(services, "nord", "agent")
    with pytest.raises(WrongCredentials) as unknown:
        services.auth.sign_in("personne@nulle-part.fr", PASSWORD)
    with pytest.raises(WrongCredentials) as wrong:
        services.auth.sign_in(agent.email, "mauvais mot de passe")
    assert unknown.value.message == wrong.value.message


def test_sessions_end_after_twelve_idle_hours(services: Services, db: Database, clock: Clock) -> None:
    agent = member(services, "nord", "agent")
    session = services.auth.sign_in(agent.email, PASSWORD)
    assert resolve(db, session=session, now=clock.advance(hours=11)) is not None
    assert resolve(db, session=session, now=clock.advance(hours=11)) is not None  # seen 11 h ago, still alive
    assert resolve(db, session=session, now=clock.advance(hours=12, seconds=1)) is None


def test_signing_out_everywhere_closes_every_session(services: Services, db: Database, clock: Clock) -> None:
    agent = member(services, "nord", "agent")
    phone, laptop = (services.auth.sign_in(agent.email, PASSWORD) for _ in range(2))
    assert services.auth.close_sessions(agent.person_id) == 2
    assert resolve(db, session=phone, now=clock()) is None
    assert resolve(db, session=laptop, now=clock()) is None


# --- deactivation -------------------------------------------------------------------------------------


def test_a_deactivated_person_is_out_at_once_and_back_when_reactivated(
    services: Services, nord: Actor, db: Database, clock: Clock
) -> None:
    # given an agent signed in on the web and holding an API token
    agent = member(services, "nord", "agent")
    session = services.auth.sign_in(agent.email, PASSWORD)
    assert resolve(db, token=agent.token, now=clock()) is not None
    # when an organiser deactivates them
    result = services.people.deactivate(nord, command_id(), organisation="nord", person_id=agent.person_id)
    assert result["status"] == "deactivated"
    # then the session and the token stop working, and signing in is refused
    assert resolve(db, session=session, now=clock()) is None
    assert resolve(db, token=agent.token, now=clock()) is None
    with pytest.raises(AccountDisabled):
        services.auth.sign_in(agent.email, PASSWORD)
    # and nothing else may be done to or by them until reactivated
    with pytest.raises(PersonDeactivated):
        services.people.change_role(nord, command_id(), organisation="nord", person_id=agent.person_id, role="auditor")
    services.people.reactivate(nord, command_id(), organisation="nord", person_id=agent.person_id)
    assert resolve(db, session=services.auth.sign_in(agent.email, PASSWORD), now=clock()) is not None
    # the revoked token stays revoked
    assert resolve(db, token=agent.token, now=clock()) is None


def test_an_organiser_neither_demotes_nor_deactivates_themselves(services: Services, nord: Actor) -> None:
    with pytest.raises(OwnAccount):
        services.people.change_role(nord, command_id(), organisation="nord", person_id=nord.person_id, role="agent")
    with pytest.raises(OwnAccount):
        services.people.deactivate(nord, command_id(), organisation="nord", person_id=nord.person_id)


def test_a_role_change_reaches_the_persons_token(services: Services, nord: Actor, db: Database, clock: Clock) -> None:
    agent = member(services, "nord", "agent")
    services.people.change_role(nord, command_id(), organisation="nord", person_id=agent.person_id, role="auditor")
    resolved = resolve(db, token=agent.token, now=clock())
    assert resolved is not None and resolved.roles == {"auditor"}


# --- passwords ----------------------------------------------------------------------------------------


def test_a_reset_link_sets_a_new_password_and_signs_out_everywhere(
    services: Services, db: Database, clock: Clock
) -> None:
    agent = member(services, "nord", "agent")
    session = services.auth.sign_in(agent.email, PASSWORD)
    # an unknown address gets no mail, and no error either
    services.people.request_password_reset("personne@nulle-part.fr")
    assert services.mail.outbox(recipient="personne@nulle-part.fr") == []
    # a member's address gets a link
    services.people.request_password_reset(agent.email.upper())
    link = last_link(services, agent.email, "reinitialisation")
    services.people.reset_password(link, password=NEW_PASSWORD)
    assert resolve(db, session=session, now=clock()) is None
    with pytest.raises(WrongCredentials):
        services.auth.sign_in(agent.email, PASSWORD)
    assert services.auth.sign_in(agent.email, NEW_PASSWORD)
    with pytest.raises(LinkInvalid):
        services.people.reset_password(link, password="encore-un-autre-mot")
    assert [type(e).__name__ for e in events_of(services.app, "nord", agent.person_id)][-1] == "PasswordSet"


def test_reset_mails_are_throttled_per_account(services: Services, clock: Clock) -> None:
    agent = member(services, "nord", "agent")
    for _ in range(4):
        services.people.request_password_reset(agent.email)
    assert len(services.mail.outbox(recipient=agent.email)) == 3
    clock.advance(minutes=15, seconds=1)
    services.people.request_password_reset(agent.email)
    assert len(services.mail.outbox(recipient=agent.email)) == 4


def test_changing_ones_password_needs_the_current_one(services: Services, db: Database, clock: Clock) -> None:
    agent = member(services, "nord", "agent")
    here, elsewhere = services.auth.sign_in(agent.email, PASSWORD), services.auth.sign_in(agent.email, PASSWORD)
    with pytest.raises(WrongPassword) as refused:
        services.people.change_password(agent.actor, command_id(), current="faux", password=NEW_PASSWORD)
    assert refused.value.field == "current"
    services.people.change_password(
        agent.actor, command_id(), current=PASSWORD, password=NEW_PASSWORD, keep_session=here
    )
    assert resolve(db, session=here, now=clock()) is not None
    assert resolve(db, session=elsewhere, now=clock()) is None


# --- API tokens ---------------------------------------------------------------------------------------


def test_tokens_are_shown_once_stored_hashed_and_revoked_by_their_owner_only(
    services: Services, db: Database, clock: Clock
) -> None:
    agent = member(services, "nord", "agent")
    other = member(services, "nord", "organiser")
    issued = services.auth.issue_token(agent.actor, "mon script")
    with db.connect() as conn:
        stored = [bytes(r[0]) for r in conn.execute("SELECT token_hash FROM store.api_tokens")]
    assert issued.token.encode() not in stored and len(stored[0]) == 32
    assert sorted(t.name for t in services.auth.tokens_of(agent.person_id)) == ["mon script", "tests"]
    with pytest.raises(NotFound):
        services.auth.revoke_token(other.actor, issued.id)
    services.auth.revoke_token(agent.actor, issued.id)
    assert resolve(db, token=issued.token, now=clock()) is None
    assert resolve(db, token=agent.token, now=clock()) is not None


# --- forum roles --------------------------------------------------------------------------------------


def test_a_forum_host_grants_roles_to_people_of_other_organisations(
    services: Services, db: Database, clock: Clock
) -> None:
    # given a forum hosted by Somme, its organiser, and an agent of Nord
    forum_id = uuid.uuid4()
    host = member(services, "somme", "organiser").actor
    somme_agent = member(services, "somme", "agent").actor
    juror = member(services, "nord", "agent")
    # when the host's organiser makes the Nord agent a juror
    services.people.grant_forum_role(
        host,
        command_id(),
        forum_id=forum_id,
        host="somme",
        person_id=juror.person_id,
        person_organisation="nord",
        role="juror",
    )
    # then the grant is in Somme's history, and the juror's token carries it
    resolved = resolve(db, token=juror.token, now=clock())
    assert resolved is not None and resolved.in_forum(str(forum_id), "juror")
    assert resolved.organisation == "nord" and resolved.roles == {"agent"}
    # and an agent of the host organisation may not grant roles
    with pytest.raises(Forbidden):
        services.people.grant_forum_role(
            somme_agent,
            command_id(),
            forum_id=forum_id,
            host="somme",
            person_id=juror.person_id,
            person_organisation="nord",
            role="voter",
        )
    # and a person who does not exist (or not in that organisation) is not found
    with pytest.raises(NotFound):
        services.people.grant_forum_role(
            host,
            command_id(),
            forum_id=forum_id,
            host="somme",
            person_id=juror.person_id,
            person_organisation="oise",
            role="voter",
        )
    # and the juror, made a host of the forum, may grant in turn; revoking takes the role away
    services.people.grant_forum_role(
        host,
        command_id(),
        forum_id=forum_id,
        host="somme",
        person_id=juror.person_id,
        person_organisation="nord",
        role="host",
    )
    juror_as_host = resolve(db, token=juror.token, now=clock())
    assert juror_as_host is not None
    services.people.grant_forum_role(
        juror_as_host,
        command_id(),
        forum_id=forum_id,
        host="somme",
        person_id=somme_agent.person_id,
        person_organisation="somme",
        role="coach",
    )
    services.people.revoke_forum_role(
        host, command_id(), forum_id=forum_id, host="somme", person_id=juror.person_id, role="juror"
    )
    resolved = resolve(db, token=juror.token, now=clock())
    assert resolved is not None and resolved.forum_roles == {(str(forum_id), "host")}


# --- the development administrator --------------------------------------------------------------------


def test_the_development_administrator_is_created_once_and_printed_again(
    services: Services, tmp_path: Path, db: Database, clock: Clock
) -> None:
    first = services.people.ensure_admin(data_dir=tmp_path)
    assert first.created and first.email == "admin@forum.local" and first.password
    again = services.people.ensure_admin(data_dir=tmp_path)
    assert (again.created, again.password) == (False, first.password)
    session = services.auth.sign_in("admin@forum.local", first.password)
    admin = resolve(db, session=session, now=clock())
    assert admin is not None and admin.is_admin and admin.organisation == PLATFORM
    # FORUM_ADMIN_PASSWORD replaces it (recorded as a reset)
    chosen = Services(
        settings=Settings(environment="test", admin_password="choisi-par-l-operateur"), db=db, app=services.app
    )
    assert chosen.people.ensure_admin(data_dir=tmp_path).password == "choisi-par-l-operateur"
    assert services.auth.sign_in("admin@forum.local", "choisi-par-l-operateur")
    assert (
        type(events_of(services.app, PLATFORM, str(Person.id_for("admin@forum.local")))[-1]).__name__ == "PasswordSet"
    )


# --- the command line ---------------------------------------------------------------------------------


def test_the_operator_invites_and_reads_the_outbox_from_the_command_line(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from forum.entrypoints.cli import main

    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("FORUM_DATA_DIR", str(tmp_path))
    assert main(["orgs", "add", "somme", "Département de la Somme", "--kind", "departement"]) == 0
    assert main(["people", "invite", "somme", "sophie@somme.fr", "--name", "Sophie", "--role", "organiser"]) == 0
    assert main(["mail", "outbox", "--to", "sophie@somme.fr"]) == 0
    out = capsys.readouterr().out
    assert "Objet : Votre invitation sur Forum" in out and "/invitation/" in out
    assert "l'organisation « Département de la Somme »" in out
    assert main(["admin", "create", "chef@forum.local"]) == 0
    assert "Mot de passe (affiché une seule fois)" in capsys.readouterr().out
    assert main(["orgs", "add", "platform", "Plateforme", "--kind", "autre"]) == 1
