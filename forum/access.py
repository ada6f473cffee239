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
