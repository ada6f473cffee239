"""People of each organisation and the roles people hold in forums: members' pages, and who an Actor is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from domain.person import ROLE_LABELS, STATUS_LABELS, ForumRoles, Person
from projections.projector import Envelope, Projection

_PERSON_EVENTS = (
    Person.Invited,
    Person.InvitationRenewed,
    Person.Joined,
    Person.PasswordSet,
    Person.Renamed,
    Person.RoleChanged,
    Person.Deactivated,
    Person.Reactivated,
)


class People(Projection):
    name = "people"
    handles = (*_PERSON_EVENTS, ForumRoles.Granted, ForumRoles.Revoked)
    tables = ("read.people", "read.forum_roles")

    async def apply(self, conn: asyncpg.Connection, batch: Sequence[Envelope]) -> None:
        # People's events are rare (a handful per person): one statement per event reads best.
        for envelope in batch:
            event, at, person = envelope.event, envelope.event.timestamp, envelope.originator_id
            if isinstance(event, Person.Invited):
                await conn.execute(
                    "INSERT INTO read.people (person_id, organisation, email, name, role, status, invited_at,"
                    " updated_at) VALUES ($1, $2, $3, $4, $5, 'invited', $6, $6)",
                    person,
                    envelope.organisation,
                    event.email,
                    event.name,
                    event.role,
                    at,
                )
            elif isinstance(event, Person.Joined):
                await conn.execute(
                    "UPDATE read.people SET name = $2, status = 'active', joined_at = $3, password_set_at = $3,"
                    " updated_at = $3 WHERE person_id = $1",
                    person,
                    event.name,
                    at,
                )
            elif isinstance(event, Person.PasswordSet):
                await conn.execute(
                    "UPDATE read.people SET password_set_at = $2, updated_at = $2 WHERE person_id = $1", person, at
                )
            elif isinstance(event, Person.Renamed):
                await conn.execute(
                    "UPDATE read.people SET name = $2, updated_at = $3 WHERE person_id = $1", person, event.name, at
                )
            elif isinstance(event, Person.RoleChanged):
                await conn.execute(
                    "UPDATE read.people SET role = $2, updated_at = $3 WHERE person_id = $1", person, event.role, at
                )
            elif isinstance(event, Person.Deactivated):
                await conn.execute(
                    "UPDATE read.people SET status = 'deactivated', updated_at = $2 WHERE person_id = $1", person, at
                )
            elif isinstance(event, Person.Reactivated):
                await conn.execute(
                    "UPDATE read.people SET status = CASE WHEN joined_at IS NULL THEN 'invited' ELSE 'active' END,"
                    " updated_at = $2 WHERE person_id = $1",
                    person,
                    at,
                )
            elif isinstance(event, Person.InvitationRenewed):
                await conn.execute("UPDATE read.people SET updated_at = $2 WHERE person_id = $1", person, at)
            elif isinstance(event, ForumRoles.Granted):
                await conn.execute(
                    "INSERT INTO read.forum_roles (organisation, forum_id, person_id, person_organisation, role,"
                    " granted_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                    envelope.organisation,
                    event.forum_id,
                    UUID(event.person_id),
                    event.person_organisation,
                    event.role,
                    at,
                )
            elif isinstance(event, ForumRoles.Revoked):
                await conn.execute(
                    "DELETE FROM read.forum_roles WHERE forum_id = $1 AND person_id = $2 AND role = $3",
                    event.forum_id,
                    UUID(event.person_id),
                    event.role,
                )


class Member(msgspec.Struct, frozen=True):
    person_id: str
    organisation: str
    email: str
    name: str
    role: str
    role_label: str
    status: str
    status_label: str
    invited_at: datetime
    joined_at: datetime | None
    password_set_at: datetime | None


class ForumRole(msgspec.Struct, frozen=True):
    forum_id: str
    forum_organisation: str
    person_id: str
    person_organisation: str
    role: str
    role_label: str
    granted_at: datetime


_MEMBER = (
    "SELECT person_id, organisation, email, name, role, status, invited_at, joined_at, password_set_at FROM read.people"
)


def _member(r: asyncpg.Record) -> Member:
    return Member(
        str(r["person_id"]),
        r["organisation"],
        r["email"],
        r["name"],
        r["role"],
        ROLE_LABELS.get(r["role"], r["role"]),
        r["status"],
        STATUS_LABELS.get(r["status"], r["status"]),
        r["invited_at"],
        r["joined_at"],
        r["password_set_at"],
    )


def _forum_role(r: asyncpg.Record) -> ForumRole:
    return ForumRole(
        str(r["forum_id"]),
        r["organisation"],
        str(r["person_id"]),
        r["person_organisation"],
        r["role"],
        ROLE_LABELS.get(r["role"], r["role"]),
        r["granted_at"],
    )


async def list_members(conn: asyncpg.Connection | asyncpg.Pool, organisation: str) -> list[Member]:
    """Everyone of ``organisation`` (the caller has checked the reader may see them: ``forum.people``)."""
    rows = await conn.fetch(_MEMBER + " WHERE organisation = $1 ORDER BY lower(name), email", organisation)
    return [_member(r) for r in rows]


async def get_member(conn: asyncpg.Connection | asyncpg.Pool, organisation: str, person_id: str) -> Member | None:
    """One person of ``organisation``; a person of another organisation is None, as a missing one."""
    try:
        key = UUID(person_id)
    except ValueError:
        return None
    row = await conn.fetchrow(_MEMBER + " WHERE person_id = $1 AND organisation = $2", key, organisation)
    return _member(row) if row else None


async def forum_roles_of(conn: asyncpg.Connection | asyncpg.Pool, person_id: str) -> list[ForumRole]:
    rows = await conn.fetch(
        "SELECT * FROM read.forum_roles WHERE person_id = $1 ORDER BY granted_at, forum_id, role", UUID(person_id)
    )
    return [_forum_role(r) for r in rows]


async def people_in_forum(
    conn: asyncpg.Connection | asyncpg.Pool, forum_id: UUID, role: str | None = None
) -> list[ForumRole]:
    rows = await conn.fetch(
        "SELECT * FROM read.forum_roles WHERE forum_id = $1 AND ($2::text IS NULL OR role = $2)"
        " ORDER BY role, granted_at",
        forum_id,
        role,
    )
    return [_forum_role(r) for r in rows]
