"""Who may do what: the acting person, their roles, and the checks every command and query makes."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.errors import Forbidden, NotFound
from domain.values import Role

PLATFORM = "platform"  # the pseudo-organisation of platform administrators and system actors


@dataclass(frozen=True)
class Actor:
    """The person acting, their organisation, and their roles (in it, and per forum)."""

    person_id: str
    organisation: str
    roles: frozenset[str] = frozenset()
    forum_roles: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # (forum id, role)
    name: str = ""

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def has(self, role: str, organisation: str | None = None) -> bool:
        return role in self.roles and (organisation is None or organisation == self.organisation)

    def in_forum(self, forum_id: str, role: str) -> bool:
        return (forum_id, role) in self.forum_roles

    def forums(self, role: str) -> frozenset[str]:
        """The ids of the forums where the actor holds ``role``."""
        return frozenset(forum for forum, held in self.forum_roles if held == role)

    @property
    def role(self) -> str:
        """The actor's role in their organisation (the first, if several): recorded in events' ``meta.role``."""
        for role in (Role.ADMIN, Role.ORGANISER, Role.AUDITOR, Role.AGENT):
            if role in self.roles:
                return role.value
        return next(iter(sorted(self.roles)), "")


SYSTEM = Actor(person_id="system", organisation=PLATFORM, roles=frozenset({Role.ADMIN, Role.SYSTEM}), name="système")


def require_admin(actor: Actor) -> str:
    if not actor.is_admin:
        raise Forbidden("Seul un administrateur de la plateforme peut faire cela.", rule="admin_only")
    return Role.ADMIN


def require_member(actor: Actor, organisation: str) -> None:
    """Another organisation's private resource is answered as if it did not exist."""
    if not actor.is_admin and actor.organisation != organisation:
        raise NotFound("Introuvable.", rule="not_found")


def require_role(actor: Actor, organisation: str, *roles: str) -> str:
    """The actor is of ``organisation`` and holds one of ``roles`` there (admins pass); returns the role used."""
    if actor.is_admin:
        return Role.ADMIN
    require_member(actor, organisation)
    for role in roles:
        if role in actor.roles:
            return role
    raise Forbidden(
        "Votre rôle ne permet pas cette action (rôle requis : " + " ou ".join(roles) + ").",
        rule="role_required",
    )


def require_forum_role(actor: Actor, forum_id: str, *roles: str, host: str | None = None) -> str:
    """The actor holds one of ``roles`` in the forum; returns the role used.

    Administrators pass; when ``host`` (the forum's host organisation) is given and ``host`` is among
    ``roles``, the organisers of the host organisation count as hosts. Forums are shared by several
    organisations, so a refusal here is 403, not 404.
    """
    if actor.is_admin:
        return Role.ADMIN
    for role in roles:
        if actor.in_forum(forum_id, role):
            return role
    if host is not None and Role.HOST in roles and actor.organisation == host and Role.ORGANISER in actor.roles:
        return Role.ORGANISER
    raise Forbidden(
        "Votre rôle dans ce forum ne permet pas cette action (rôle requis : " + " ou ".join(roles) + ").",
        rule="forum_role_required",
    )
