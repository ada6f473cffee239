"""Values shared by every aggregate: who acted and when, slugs, roles, checks on inputs."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

import msgspec

from domain.errors import Invalid


class Meta(msgspec.Struct, frozen=True):
    """Who did it, in which role, for which organisation's store, when, and under which command.

    Every event carries one. ``organisation`` is the store the event lives in;
    ``actor_organisation`` is where the acting person belongs (a Nord juror
    scoring in a forum hosted by Somme acts in Somme's store).
    """

    actor: str
    role: str
    organisation: str
    actor_organisation: str
    at: datetime
    command_id: str
    correlation_id: str


class Role(StrEnum):
    """Roles a person may hold: within their organisation, or within one forum."""

    ADMIN = "admin"  # platform administrator
    ORGANISER = "organiser"
    AGENT = "agent"
    AUDITOR = "auditor"
    # forum-scoped roles, granted by a forum's host
    HOST = "host"
    JUROR = "juror"
    COACH = "coach"
    VOTER = "voter"
    FORUM_AUDITOR = "forum_auditor"
    SYSTEM = "system"


ORGANISATION_ROLES = (Role.ORGANISER, Role.AGENT, Role.AUDITOR)
FORUM_ROLES = (Role.HOST, Role.JUROR, Role.COACH, Role.VOTER, Role.FORUM_AUDITOR)

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def check_slug(slug: str, field: str = "slug") -> str:
    """Lowercase ASCII letters, digits and hyphens, 2 to 63 characters, no hyphen at either end."""
    if not 2 <= len(slug) <= 63:
        raise Invalid(
            f"L'identifiant « {slug} » doit compter de 2 à 63 caractères (il en a {len(slug)}).",
            field=field,
            rule="slug_length",
        )
    if not _SLUG.match(slug):
        raise Invalid(
            f"L'identifiant « {slug} » ne peut contenir que des lettres minuscules sans accent, "
            "des chiffres et des tirets, sans tiret au début ni à la fin.",
            field=field,
            rule="slug_format",
        )
    return slug


def check_text(value: str, field: str, *, max_length: int, required: bool = True) -> str:
    """Trim a free text and check it is present (if required) and not too long."""
    value = value.strip()
    if required and not value:
        raise Invalid(f"Le champ « {field} » est obligatoire.", field=field, rule="required")
    if len(value) > max_length:
        raise Invalid(
            f"Le champ « {field} » dépasse {max_length} caractères ({len(value)}).",
            field=field,
            rule="too_long",
        )
    return value


def check_choice(value: str, field: str, choices: tuple[str, ...] | list[str]) -> str:
    if value not in choices:
        raise Invalid(
            f"Valeur inconnue pour « {field} » : « {value} ». Valeurs possibles : {', '.join(choices)}.",
            field=field,
            rule="unknown_value",
        )
    return value
