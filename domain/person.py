"""People: a person's account in their organisation, and the roles people hold in one forum."""

import re
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import Aggregate
from domain.errors import Conflict, Forbidden, Invalid
from domain.values import FORUM_ROLES, ORGANISATION_ROLES, Meta, Role, check_storable_text, check_text

PLATFORM = "platform"  # the pseudo-organisation of platform administrators (mirrors forum.access.PLATFORM)

ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: "Administrateur de la plateforme",
    Role.ORGANISER: "Organisateur",
    Role.AGENT: "Agent",
    Role.AUDITOR: "Auditeur",
    Role.HOST: "Hôte du forum",
    Role.JUROR: "Juré",
    Role.COACH: "Coach",
    Role.VOTER: "Votant",
    Role.FORUM_AUDITOR: "Auditeur du forum",
}

STATUS_LABELS: dict[str, str] = {"invited": "Invité", "active": "Actif", "deactivated": "Désactivé"}

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str, field: str = "email") -> str:
    """A plausible e-mail address, trimmed and lowercased (at most 254 characters)."""
    email = normalise_email(check_storable_text(email, field))
    if not email:
        raise Invalid("L'adresse électronique est obligatoire.", field=field, rule="required")
    if len(email) > 254:
        raise Invalid(f"L'adresse électronique dépasse 254 caractères ({len(email)}).", field=field, rule="too_long")
    if not _EMAIL.match(email):
        raise Invalid(f"« {email} » n'est pas une adresse électronique valide.", field=field, rule="email_format")
    return email


def roles_for(organisation: str) -> tuple[str, ...]:
    """The roles a person of ``organisation`` may hold there: administrators only on the platform."""
    if organisation == PLATFORM:
        return (Role.ADMIN.value,)
    return tuple(r.value for r in ORGANISATION_ROLES)


def check_role(role: str, organisation: str, field: str = "role") -> str:
    choices = roles_for(organisation)
    if role not in choices:
        raise Invalid(
            f"Rôle inconnu pour cette organisation : « {role} ». Rôles possibles : {', '.join(choices)}.",
            field=field,
            rule="unknown_value",
        )
    return role


class AlreadyMember(Conflict, rule="already_member"): ...


class AlreadyJoined(Conflict, rule="already_joined"): ...


class NotJoined(Conflict, rule="not_joined"): ...


class PersonDeactivated(Conflict, rule="person_deactivated"): ...


class NotDeactivated(Conflict, rule="not_deactivated"): ...


class SameRole(Conflict, rule="same_role"): ...


class SameName(Conflict, rule="same_name"): ...


class OwnAccount(Forbidden, rule="own_account"):
    """An organiser may not change their own role nor deactivate themselves (nobody locks an organisation out)."""


class AlreadyGranted(Conflict, rule="already_granted"): ...


class NotGranted(Conflict, rule="not_granted"): ...


class Person(Aggregate):
    """A person of one organisation, invited by e-mail, who joins by choosing a password.

    Invariants: the e-mail address is well-formed and identifies one person across every
    organisation (the id derives from it); the role is one of the organisation's roles (``admin``
    only on the platform); a person joins once; a deactivated person changes nothing until
    reactivated; nobody changes their own role or deactivates themselves. Passwords never
    appear in events: ``PasswordSet`` only records that it happened.
    """

    @staticmethod
    def id_for(email: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"forum:person:{normalise_email(email)}")

    @classmethod
    def invite(cls, *, email: str, name: str, role: str, organisation: str, meta: Meta) -> "Person":
        email = check_email(email)
        name = check_text(name, "name", max_length=200)
        check_role(role, organisation)
        person: Person = cls._create(
            cls.Invited, id=cls.id_for(email), email=email, name=name, role=role, organisation=organisation, meta=meta
        )
        return person

    class Invited(Aggregate.Created):
        email: str
        name: str
        role: str
        organisation: str
        meta: Meta

    def __init__(self, *, email: str, name: str, role: str, organisation: str, meta: Meta) -> None:
        self.email = email
        self.name = name
        self.role = role
        self.organisation = organisation
        self.invited_at = meta.at
        self.joined_at: datetime | None = None
        self.password_set_at: datetime | None = None
        self.deactivated = False
        self.invitations = 1

    @property
    def joined(self) -> bool:
        return self.joined_at is not None

    @property
    def status(self) -> str:
        if self.deactivated:
            return "deactivated"
        return "active" if self.joined else "invited"

    def _require_active(self) -> None:
        if self.deactivated:
            raise PersonDeactivated(f"Le compte de {self.name} est désactivé.", rule="person_deactivated")

    def _require_not_self(self, meta: Meta, what: str) -> None:
        if meta.actor == str(self.id):
            raise OwnAccount(f"Vous ne pouvez pas {what} vous-même : demandez à un autre organisateur.")

    def invite_again(self, *, meta: Meta) -> None:
        """A new invitation link for someone who has not joined yet."""
        self._require_active()
        if self.joined:
            raise AlreadyJoined(f"{self.name} a déjà rejoint l'organisation : aucune invitation à renouveler.")
        self._invitation_renewed(meta=meta)

    @event("InvitationRenewed")
    def _invitation_renewed(self, meta: Meta) -> None:
        self.invitations += 1

    def join(self, *, meta: Meta, name: str | None = None) -> None:
        """The invited person accepts, choosing a password (kept outside the history) and perhaps their name."""
        self._require_active()
        if self.joined:
            raise AlreadyJoined("Cette invitation a déjà été acceptée.")
        new_name = self.name if name is None or not name.strip() else check_text(name, "name", max_length=200)
        self._joined(name=new_name, meta=meta)

    @event("Joined")
    def _joined(self, name: str, meta: Meta) -> None:
        self.name = name
        self.joined_at = meta.at

    def set_password(self, *, how: str, meta: Meta) -> None:
        """Record that the password was changed (``how``: ``changed`` by the person, ``reset`` by a link)."""
        if how not in ("changed", "reset"):
            raise Invalid(f"Manière inconnue : « {how} ».", field="how", rule="unknown_value")
        self._require_active()
        if not self.joined:
            raise NotJoined(f"{self.name} n'a pas encore accepté son invitation.")
        self._password_set(how=how, meta=meta)

    @event("PasswordSet")
    def _password_set(self, how: str, meta: Meta) -> None:
        self.password_set_at = meta.at

    def rename(self, *, name: str, meta: Meta) -> None:
        name = check_text(name, "name", max_length=200)
        self._require_active()
        if name == self.name:
            raise SameName(f"Le nom est déjà « {name} ».", field="name")
        self._renamed(name=name, meta=meta)

    @event("Renamed")
    def _renamed(self, name: str, meta: Meta) -> None:
        self.name = name

    def change_role(self, *, role: str, meta: Meta) -> None:
        check_role(role, self.organisation)
        self._require_active()
        self._require_not_self(meta, "changer le rôle de")
        if role == self.role:
            raise SameRole(f"{self.name} a déjà le rôle « {ROLE_LABELS.get(role, role)} ».", field="role")
        self._role_changed(role=role, meta=meta)

    @event("RoleChanged")
    def _role_changed(self, role: str, meta: Meta) -> None:
        self.role = role

    def deactivate(self, *, meta: Meta) -> None:
        self._require_not_self(meta, "désactiver")
        if self.deactivated:
            raise PersonDeactivated(f"Le compte de {self.name} est déjà désactivé.")
        self._deactivated(meta=meta)

    @event("Deactivated")
    def _deactivated(self, meta: Meta) -> None:
        self.deactivated = True

    def reactivate(self, *, meta: Meta) -> None:
        if not self.deactivated:
            raise NotDeactivated(f"Le compte de {self.name} n'est pas désactivé.")
        self._reactivated(meta=meta)

    @event("Reactivated")
    def _reactivated(self, meta: Meta) -> None:
        self.deactivated = False


class ForumRoles(Aggregate):
    """Who holds which role in one forum: kept in the forum's host organisation's store.

    A person of any organisation may hold several roles in a forum (a coach may also vote), each
    at most once. Granting and revoking are the host's decisions, so they live in the host's history,
    next to the forum they open doors to.
    """

    @staticmethod
    def id_for(forum_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"forum:forum-roles:{forum_id}")

    @classmethod
    def open(cls, *, forum_id: UUID, meta: Meta) -> "ForumRoles":
        roles: ForumRoles = cls._create(cls.Opened, id=cls.id_for(forum_id), forum_id=forum_id, meta=meta)
        return roles

    class Opened(Aggregate.Created):
        forum_id: UUID
        meta: Meta

    def __init__(self, *, forum_id: UUID, meta: Meta) -> None:
        self.forum_id = forum_id
        self.host = meta.organisation
        self.grants: dict[tuple[str, str], str] = {}  # (person id, role) → person's organisation

    def holds(self, person_id: str, role: str) -> bool:
        return (person_id, role) in self.grants

    def holders(self, role: str) -> list[tuple[str, str]]:
        """(person id, organisation) of everyone holding ``role``, in the order granted."""
        return [(person, org) for (person, r), org in self.grants.items() if r == role]

    def grant(self, *, person_id: str, person_organisation: str, role: str, meta: Meta) -> None:
        if role not in [r.value for r in FORUM_ROLES]:
            raise Invalid(
                f"Rôle de forum inconnu : « {role} ». Rôles possibles : {', '.join(r.value for r in FORUM_ROLES)}.",
                field="role",
                rule="unknown_value",
            )
        if self.holds(person_id, role):
            raise AlreadyGranted(f"Cette personne a déjà le rôle « {ROLE_LABELS.get(role, role)} » dans ce forum.")
        self._granted(
            forum_id=self.forum_id, person_id=person_id, person_organisation=person_organisation, role=role, meta=meta
        )

    @event("Granted")
    def _granted(self, forum_id: UUID, person_id: str, person_organisation: str, role: str, meta: Meta) -> None:
        self.grants[(person_id, role)] = person_organisation

    def revoke(self, *, person_id: str, role: str, meta: Meta) -> None:
        if not self.holds(person_id, role):
            raise NotGranted(f"Cette personne n'a pas le rôle « {role} » dans ce forum.", field="role")
        self._revoked(forum_id=self.forum_id, person_id=person_id, role=role, meta=meta)

    @event("Revoked")
    def _revoked(self, forum_id: UUID, person_id: str, role: str, meta: Meta) -> None:
        del self.grants[(person_id, role)]
