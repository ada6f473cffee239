"""People of each organisation and the roles people hold in forums, as members' pages and forum listings read them.

Who acts on a request is not read here: ``forum.auth`` resolves it from the write side (``store.people``,
``store.forum_roles``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.person import ROLE_LABELS, STATUS_LABELS, ForumRoles, Person
from projections.dispatch import Conn, EventProjection, EventsOf, RowOf, on
from projections.projector import Envelope

P = EventsOf(Person)
R = EventsOf(ForumRoles)
PERSON = RowOf("read.people", "person_id")


class People(EventProjection):
    """People's events are rare (a handful per person): one statement per event reads best."""

    name = "people"
    tables = ("read.people", "read.forum_roles")

    @on(P.Invited)
    async def invited(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.people (person_id, organisation, email, name, role, status, invited_at,"
            " updated_at) VALUES ($1, $2, $3, $4, $5, 'invited', $6, $6)",
            envelope.originator_id,
            envelope.organisation,
            e.email,
            e.name,
            e.role,
            e.timestamp,
        )

    @on(P.InvitationRenewed)
    async def invitation_renewed(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PERSON.set(conn, envelope, "updated_at = $2", e.timestamp)

    @on(P.Joined)
    async def joined(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PERSON.set(
            conn,
            envelope,
            "name = $2, status = 'active', joined_at = $3, password_set_at = $3, updated_at = $3",
            e.name,
            e.timestamp,
        )

    @on(P.PasswordSet)
    async def password_set(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PERSON.set(conn, envelope, "password_set_at = $2, updated_at = $2", e.timestamp)

    @on(P.Renamed)
    async def renamed(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PERSON.set(conn, envelope, "name = $2, updated_at = $3", e.name, e.timestamp)

    @on(P.RoleChanged)
    async def role_changed(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PERSON.set(conn, envelope, "role = $2, updated_at = $3", e.role, e.timestamp)

    @on(P.Deactivated)
    async def deactivated(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PERSON.set(conn, envelope, "status = 'deactivated', updated_at = $2", e.timestamp)

    @on(P.Reactivated)
    async def reactivated(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PERSON.set(
            conn,
            envelope,
            "status = CASE WHEN joined_at IS NULL THEN 'invited' ELSE 'active' END, updated_at = $2",
            e.timestamp,
        )

    @on(R.Granted)
    async def forum_role_granted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forum_roles (organisation, forum_id, person_id, person_organisation, role,"
            " granted_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            envelope.organisation,
            e.forum_id,
            UUID(e.person_id),
            e.person_organisation,
            e.role,
            e.timestamp,
        )

    @on(R.Revoked)
    async def forum_role_revoked(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "DELETE FROM read.forum_roles WHERE forum_id = $1 AND person_id = $2 AND role = $3",
            e.forum_id,
            UUID(e.person_id),
            e.role,
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


async def list_members(conn: Conn, organisation: str) -> list[Member]:
    """Everyone of ``organisation`` (the caller has checked the reader may see them: ``forum.people``)."""
    rows = await conn.fetch(_MEMBER + " WHERE organisation = $1 ORDER BY lower(name), email", organisation)
    return [_member(r) for r in rows]


async def get_member(conn: Conn, organisation: str, person_id: str) -> Member | None:
    """One person of ``organisation``; a person of another organisation is None, as a missing one."""
    try:
        key = UUID(person_id)
    except ValueError:
        return None
    row = await conn.fetchrow(_MEMBER + " WHERE person_id = $1 AND organisation = $2", key, organisation)
    return _member(row) if row else None


async def forum_roles_of(conn: Conn, person_id: str) -> list[ForumRole]:
    rows = await conn.fetch(
        "SELECT * FROM read.forum_roles WHERE person_id = $1 ORDER BY granted_at, forum_id, role", UUID(person_id)
    )
    return [_forum_role(r) for r in rows]


async def people_in_forum(conn: Conn, forum_id: UUID, role: str | None = None) -> list[ForumRole]:
    rows = await conn.fetch(
        "SELECT * FROM read.forum_roles WHERE forum_id = $1 AND ($2::text IS NULL OR role = $2)"
        " ORDER BY role, granted_at",
        forum_id,
        role,
    )
    return [_forum_role(r) for r in rows]
