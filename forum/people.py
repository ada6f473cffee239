"""People's commands: invitations, joining, passwords, roles, deactivation, forum roles, the first administrator."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.errors import AlreadyExists, Conflict, Invalid, NotFound
from domain.formatting import moment
from domain.organisation import Organisation
from domain.person import (
    STATUS_LABELS,
    ForumRoles,
    Person,
    PersonDeactivated,
    check_email,
    normalise_email,
)
from domain.values import Meta, Role
from forum.access import PLATFORM, SYSTEM, Actor, require_admin, require_forum_role, require_role
from forum.application import Decision, ForumApplication
from forum.auth import Auth, check_password, digest
from forum.mail import Mailer
from forum.settings import Settings

log = logging.getLogger("forum.people")
RESET_MAILS = 3  # reset links mailed to one account within the throttling window (15 minutes)


class AlreadyMember(Conflict):
    rule = "already_member"


class EmailTaken(Conflict):
    rule = "email_taken"


class WrongPassword(Invalid):
    rule = "wrong_password"


@dataclass(frozen=True)
class AdminAccount:
    email: str
    password: str | None  # None: set earlier and not known to this process
    created: bool


class People:
    """People's commands. Each checks the actor's rights first, then carries the command out through
    ``ForumApplication.execute`` in the person's organisation's store; accounts (passwords, sessions, links)
    are then updated in ``forum.auth``'s tables."""

    def __init__(self, app: ForumApplication, auth: Auth, mail: Mailer, settings: Settings) -> None:
        self.app = app
        self.auth = auth
        self.mail = mail
        self.settings = settings

    # -- rights ---------------------------------------------------------------------------------------

    @staticmethod
    def may_manage(actor: Actor, organisation: str) -> str:
        """Invite, change roles, deactivate: the organisation's organisers (and administrators); returns the role."""
        if organisation == PLATFORM:
            return require_admin(actor)
        return require_role(actor, organisation, Role.ORGANISER)

    @staticmethod
    def may_read_members(actor: Actor, organisation: str) -> str:
        """The list of an organisation's people: its organisers and auditors (and administrators)."""
        if organisation == PLATFORM:
            return require_admin(actor)
        return require_role(actor, organisation, Role.ORGANISER, Role.AUDITOR)

    def organisation_exists(self, organisation: str) -> bool:
        return organisation == PLATFORM or self.app.exists(Organisation.id_for(organisation), organisation)

    def _require_organisation(self, organisation: str) -> None:
        if not self.organisation_exists(organisation):
            raise NotFound(f"Organisation « {organisation} » introuvable.")

    def _name_of(self, organisation: str) -> str:
        org = self.app.load(Organisation, Organisation.id_for(organisation), organisation)
        return str(org.name)

    def load(self, organisation: str, person_id: str) -> Person:
        try:
            key = UUID(person_id)
        except ValueError:
            raise NotFound("Personne introuvable.") from None
        return self.app.load(Person, key, organisation, what="Personne introuvable.")

    # -- invitations ----------------------------------------------------------------------------------

    def invite(
        self, actor: Actor, command_id: str, *, organisation: str, email: str, name: str, role: str
    ) -> dict[str, Any]:
        """Invite a person into ``organisation``; they receive a single-use link to choose a password."""
        used = self.may_manage(actor, organisation)
        self._require_organisation(organisation)

        def decide(meta: Meta) -> Decision:
            person = Person.invite(email=email, name=name, role=role, organisation=organisation, meta=meta)
            if self.app.exists(person.id, organisation):
                known = self.app.load(Person, person.id, organisation)
                raise AlreadyMember(
                    f"{known.email} fait déjà partie de l'organisation ({STATUS_LABELS[known.status].lower()}).",
                    field="email",
                )
            return [person], {"person_id": str(person.id), "email": person.email, "status": "invited"}

        try:
            result: dict[str, Any] = self.app.execute(
                actor=actor, role=used, store=organisation, command_id=command_id, name="invite_person", decide=decide
            )
        except AlreadyExists:
            raise EmailTaken(
                "Cette adresse électronique est déjà celle d'un compte d'une autre organisation.", field="email"
            ) from None
        self._send_invitation(organisation, result["person_id"])
        return result

    def renew_invitation(self, actor: Actor, command_id: str, *, organisation: str, person_id: str) -> dict[str, Any]:
        """A new link for someone who has not joined yet (the previous one stops working)."""
        used = self.may_manage(actor, organisation)

        def decide(meta: Meta) -> Decision:
            person = self.load(organisation, person_id)
            person.invite_again(meta=meta)
            return [person], {"person_id": person_id, "email": person.email, "status": person.status}

        result: dict[str, Any] = self.app.execute(
            actor=actor, role=used, store=organisation, command_id=command_id, name="renew_invitation", decide=decide
        )
        self._send_invitation(organisation, person_id)
        return result

    def _send_invitation(self, organisation: str, person_id: str) -> None:
        person = self.load(organisation, person_id)
        if person.status != "invited":  # a retried command after the person joined sends nothing
            return
        secret = self.auth.issue_link("invitation", person_id, organisation)
        where = (
            "la plateforme Forum" if organisation == PLATFORM else f"l'organisation « {self._name_of(organisation)} »"
        )
        self.mail.send(
            to=person.email,
            organisation=organisation,
            subject="Votre invitation sur Forum",
            body=(
                f"Bonjour {person.name},\n\nVous êtes invité(e) à rejoindre {where} sur Forum, "
                f"le service des forums d'innovation.\n\nPour accepter et choisir votre mot de passe, "
                f"ouvrez ce lien (valable {self.settings.link_days} jours, une seule fois) :\n"
                f"{self.settings.base_url}/invitation/{secret}\n\n"
                "Si vous n'attendiez pas cette invitation, ignorez ce message.\n"
            ),
        )

    def accept_invitation(self, secret: str, *, password: str, name: str | None = None) -> Actor:
        """The invited person joins with the password they chose; returns who they are (to sign them in)."""
        link = self.auth.check_link("invitation", secret)
        person = self.load(link.organisation, link.person_id)
        check_password(password, email=person.email)
        actor = Actor(person_id=link.person_id, organisation=link.organisation, roles=frozenset({person.role}))

        def decide(meta: Meta) -> Decision:
            joining = self.load(link.organisation, link.person_id)
            joining.join(name=name, meta=meta)
            return [joining], {"person_id": link.person_id}

        # the command id derives from the link, so a retry after a failure between the two steps is harmless
        self.app.execute(
            actor=actor,
            role=person.role,
            store=link.organisation,
            command_id=f"invitation.{digest(secret).hex()[:40]}",
            name="accept_invitation",
            decide=decide,
        )
        self.auth.use_link("invitation", secret, password)
        return actor

    def describe_link(self, purpose: str, secret: str) -> Person:
        """The person a still-valid link is for (to greet them on its page); ``LinkInvalid`` otherwise."""
        link = self.auth.check_link(purpose, secret)
        return self.load(link.organisation, link.person_id)

    # -- passwords ------------------------------------------------------------------------------------

    def request_password_reset(self, email: str) -> None:
        """Mail a reset link if the address is an active member's; say nothing either way (no account leaks)."""
        email = check_email(email)
        person_id = str(Person.id_for(email))
        account = self.auth.account(person_id)
        if account is None or account[1]:
            log.info("password reset asked for an unknown or disabled account")
            return
        if not self.auth.take(f"reset:{person_id}", RESET_MAILS):
            log.warning("password reset mails throttled", extra={"person": person_id})
            return
        organisation = account[0]
        secret = self.auth.issue_link("reset", person_id, organisation)
        link_expiry = moment(self.auth.now() + timedelta(days=self.settings.link_days))
        self.mail.send(
            to=email,
            organisation=organisation,
            subject="Réinitialisation de votre mot de passe Forum",
            body=(
                "Bonjour,\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (une seule fois, "
                f"avant le {link_expiry}) :\n{self.settings.base_url}/reinitialisation/{secret}\n\n"
                "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même.\n"
            ),
        )

    def reset_password(self, secret: str, *, password: str) -> Actor:
        """Choose a new password through a reset link; every session of the person is closed."""
        link = self.auth.check_link("reset", secret)
        person = self.load(link.organisation, link.person_id)
        check_password(password, email=person.email)
        actor = Actor(person_id=link.person_id, organisation=link.organisation, roles=frozenset({person.role}))

        def decide(meta: Meta) -> Decision:
            resetting = self.load(link.organisation, link.person_id)
            resetting.set_password(how="reset", meta=meta)
            return [resetting], {"person_id": link.person_id}

        self.app.execute(
            actor=actor,
            role=person.role,
            store=link.organisation,
            command_id=f"reset.{digest(secret).hex()[:40]}",
            name="reset_password",
            decide=decide,
        )
        self.auth.use_link("reset", secret, password)
        self.auth.close_sessions(link.person_id)
        return actor

    def change_password(
        self, actor: Actor, command_id: str, *, current: str, password: str, keep_session: str | None = None
    ) -> None:
        """The signed-in person changes their password; their other sessions are closed."""
        person = self.load(actor.organisation, actor.person_id)
        if not self.auth.verify_password(actor.person_id, current):
            raise WrongPassword("Le mot de passe actuel est incorrect.", field="current")
        check_password(password, email=person.email)

        def decide(meta: Meta) -> Decision:
            changing = self.load(actor.organisation, actor.person_id)
            changing.set_password(how="changed", meta=meta)
            return [changing], {"person_id": actor.person_id}

        self.app.execute(
            actor=actor,
            role=actor.role,
            store=actor.organisation,
            command_id=command_id,
            name="change_password",
            decide=decide,
        )
        self.auth.set_password(actor.person_id, actor.organisation, password)
        self.auth.close_sessions(actor.person_id, keep=keep_session)

    # -- the person themself --------------------------------------------------------------------------

    def rename(self, actor: Actor, command_id: str, *, name: str) -> dict[str, Any]:
        def decide(meta: Meta) -> Decision:
            person = self.load(actor.organisation, actor.person_id)
            person.rename(name=name, meta=meta)
            return [person], {"person_id": actor.person_id, "name": person.name}

        result: dict[str, Any] = self.app.execute(
            actor=actor,
            role=actor.role,
            store=actor.organisation,
            command_id=command_id,
            name="rename_person",
            decide=decide,
        )
        return result

    # -- organisers' decisions ------------------------------------------------------------------------

    def change_role(
        self, actor: Actor, command_id: str, *, organisation: str, person_id: str, role: str
    ) -> dict[str, Any]:
        used = self.may_manage(actor, organisation)

        def decide(meta: Meta) -> Decision:
            person = self.load(organisation, person_id)
            person.change_role(role=role, meta=meta)
            return [person], {"person_id": person_id, "role": person.role, "status": person.status}

        result: dict[str, Any] = self.app.execute(
            actor=actor, role=used, store=organisation, command_id=command_id, name="change_role", decide=decide
        )
        return result

    def deactivate(self, actor: Actor, command_id: str, *, organisation: str, person_id: str) -> dict[str, Any]:
        """Deactivate a person: they cannot sign in, their sessions and tokens stop working at once."""
        used = self.may_manage(actor, organisation)

        def decide(meta: Meta) -> Decision:
            person = self.load(organisation, person_id)
            person.deactivate(meta=meta)
            return [person], {"person_id": person_id, "role": person.role, "status": person.status}

        result: dict[str, Any] = self.app.execute(
            actor=actor, role=used, store=organisation, command_id=command_id, name="deactivate_person", decide=decide
        )
        self.auth.disable(person_id)  # after the event, and again on a retry: idempotent
        return result

    def reactivate(self, actor: Actor, command_id: str, *, organisation: str, person_id: str) -> dict[str, Any]:
        used = self.may_manage(actor, organisation)

        def decide(meta: Meta) -> Decision:
            person = self.load(organisation, person_id)
            person.reactivate(meta=meta)
            return [person], {"person_id": person_id, "role": person.role, "status": person.status}

        result: dict[str, Any] = self.app.execute(
            actor=actor, role=used, store=organisation, command_id=command_id, name="reactivate_person", decide=decide
        )
        self.auth.enable(person_id)
        return result

    # -- forum roles: the host's decisions, in the host's store ---------------------------------------

    def forum_roles(self, forum_id: UUID, host: str, meta: Meta) -> ForumRoles:
        """The forum's roles, opened on first use: to call inside a ``decide`` of the host's store
        (e.g. appointing a juror saves the Forum and its ForumRoles in one transaction)."""
        roles_id = ForumRoles.id_for(forum_id)
        if self.app.exists(roles_id, host):
            return self.app.load(ForumRoles, roles_id, host)
        return ForumRoles.open(forum_id=forum_id, meta=meta)

    def grant_forum_role(
        self,
        actor: Actor,
        command_id: str,
        *,
        forum_id: UUID,
        host: str,
        person_id: str,
        person_organisation: str,
        role: str,
    ) -> dict[str, Any]:
        """Give a person (of any organisation) a role in a forum hosted by ``host``: its hosts decide."""
        used = require_forum_role(actor, str(forum_id), Role.HOST, host=host)
        person = self.load(person_organisation, person_id)
        if person.deactivated:
            raise PersonDeactivated(f"Le compte de {person.name} est désactivé.", field="person_id")

        def decide(meta: Meta) -> Decision:
            roles = self.forum_roles(forum_id, host, meta)
            roles.grant(person_id=person_id, person_organisation=person_organisation, role=role, meta=meta)
            return [roles], {"forum_id": str(forum_id), "person_id": person_id, "role": role}

        result: dict[str, Any] = self.app.execute(
            actor=actor, role=used, store=host, command_id=command_id, name="grant_forum_role", decide=decide
        )
        return result

    def revoke_forum_role(
        self, actor: Actor, command_id: str, *, forum_id: UUID, host: str, person_id: str, role: str
    ) -> dict[str, Any]:
        used = require_forum_role(actor, str(forum_id), Role.HOST, host=host)

        def decide(meta: Meta) -> Decision:
            roles = self.app.load(ForumRoles, ForumRoles.id_for(forum_id), host, what="Forum introuvable.")
            roles.revoke(person_id=person_id, role=role, meta=meta)
            return [roles], {"forum_id": str(forum_id), "person_id": person_id, "role": role}

        result: dict[str, Any] = self.app.execute(
            actor=actor, role=used, store=host, command_id=command_id, name="revoke_forum_role", decide=decide
        )
        return result

    # -- enrolment without an invitation (administrators, the CLI, the demo, tests) -------------------

    def enrol(
        self, actor: Actor, command_id: str, *, organisation: str, email: str, name: str, role: str, password: str
    ) -> dict[str, Any]:
        """Invite and join in one command, with a password chosen by whoever enrols the person."""
        used = self.may_manage(actor, organisation)
        self._require_organisation(organisation)
        check_password(password, email=email)

        def decide(meta: Meta) -> Decision:
            person = Person.invite(email=email, name=name, role=role, organisation=organisation, meta=meta)
            if self.app.exists(person.id, organisation):
                raise AlreadyMember(f"{person.email} fait déjà partie de l'organisation.", field="email")
            person.join(meta=meta)
            return [person], {"person_id": str(person.id), "email": person.email, "status": "active"}

        try:
            result: dict[str, Any] = self.app.execute(
                actor=actor, role=used, store=organisation, command_id=command_id, name="enrol_person", decide=decide
            )
        except AlreadyExists:
            raise EmailTaken(
                "Cette adresse électronique est déjà celle d'un compte d'une autre organisation.", field="email"
            ) from None
        if not self.auth.has_password(result["person_id"]):
            self.auth.set_password(result["person_id"], organisation, password)
        return result

    def create_admin(self, email: str, *, password: str, name: str = "Administrateur") -> str:
        """A platform administrator (the first one is created by the system); returns their person id."""
        result = self.enrol(
            SYSTEM,
            f"admin.{Person.id_for(email)}",
            organisation=PLATFORM,
            email=email,
            name=name,
            role=Role.ADMIN,
            password=password,
        )
        return str(result["person_id"])

    def ensure_admin(self, *, data_dir: Path | None = None) -> AdminAccount:
        """Development: the administrator account to print at start (created on first start).

        ``FORUM_ADMIN_PASSWORD`` wins when set; otherwise a generated password is printed once and kept in
        ``<data dir>/admin-password.txt`` (development only) so later starts can print it again.
        """
        email = normalise_email(self.settings.admin_email)
        person_id = str(Person.id_for(email))
        remembered = (data_dir / "admin-password.txt") if data_dir else None
        wanted = self.settings.admin_password
        if not self.app.exists(UUID(person_id), PLATFORM):
            password = wanted or secrets.token_urlsafe(12)
            self.create_admin(email, password=password)
            if not wanted and remembered:
                remembered.parent.mkdir(parents=True, exist_ok=True)
                remembered.write_text(password + "\n", encoding="utf-8")
                remembered.chmod(0o600)
            return AdminAccount(email, password, created=True)
        if wanted:
            if not self.auth.verify_password(person_id, wanted):
                self._reset_by_system(person_id, wanted)
            return AdminAccount(email, wanted, created=False)
        if remembered and remembered.exists():
            known = remembered.read_text(encoding="utf-8").strip()
            if self.auth.verify_password(person_id, known):
                return AdminAccount(email, known, created=False)
        return AdminAccount(email, None, created=False)

    def _reset_by_system(self, person_id: str, password: str) -> None:
        """The operator replaces an administrator's password (``FORUM_ADMIN_PASSWORD``): recorded, then stored."""
        check_password(password)

        def decide(meta: Meta) -> Decision:
            person = self.load(PLATFORM, person_id)
            person.set_password(how="reset", meta=meta)
            return [person], {"person_id": person_id}

        self.app.execute(
            actor=SYSTEM,
            role=Role.SYSTEM,
            store=PLATFORM,
            command_id=f"admin-password.{secrets.token_hex(8)}",
            name="reset_password",
            decide=decide,
        )
        self.auth.set_password(person_id, PLATFORM, password)
        self.auth.close_sessions(person_id)
