"""Coaching on the forum's morning: the coaches appointed, each team's coach and slot, and the sessions recorded.

Sessions are private to the team, its coach, the host and the forum's auditors: check access before answering.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.forum import Forum
from projections.dispatch import Conn, EventProjection, EventsOf, on
from projections.projector import Envelope

F = EventsOf(Forum)


class Coaching(EventProjection):
    name = "coaching"
    tables = ("read.forum_coaches", "read.forum_coaching", "read.forum_coaching_sessions")

    @on(F.CoachAppointed)
    async def coach_appointed(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forum_coaches (forum_id, person_id, organisation, coach_organisation, appointed_at)"
            " VALUES ($1, $2, $3, $4, $5)",
            envelope.originator_id,
            e.person_id,
            envelope.organisation,
            e.organisation,
            e.meta.at,
        )

    @on(F.CoachingAssigned)
    async def coaching_assigned(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forum_coaching (forum_id, project_id, organisation, coach_id, starts_at, ends_at,"
            " assigned_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (forum_id, project_id) DO UPDATE"
            " SET coach_id = EXCLUDED.coach_id, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,"
            " assigned_at = EXCLUDED.assigned_at",
            envelope.originator_id,
            e.project_id,
            envelope.organisation,
            e.coach_id,
            e.starts_at,
            e.ends_at,
            e.meta.at,
        )

    @on(F.CoachingSessionRecorded)
    async def session_recorded(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forum_coaching_sessions (forum_id, position, organisation, project_id, coach_id,"
            " notes, problem_statement, pitch_points, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            envelope.originator_id,
            envelope.position,
            envelope.organisation,
            e.project_id,
            e.coach_id,
            e.notes,
            e.problem_statement,
            list(e.pitch_points),
            e.meta.at,
        )


class CoachView(msgspec.Struct, frozen=True):
    person_id: str
    name: str
    organisation: str
    appointed_at: datetime


class CoachingSlotView(msgspec.Struct, frozen=True):
    project_id: UUID
    title: str
    organisation: str
    coach_id: str
    coach_name: str
    starts_at: datetime
    ends_at: datetime
    sessions: int


class CoachingSessionView(msgspec.Struct, frozen=True):
    project_id: UUID
    title: str
    coach_id: str
    coach_name: str
    notes: str
    problem_statement: str
    pitch_points: list[str]
    recorded_at: datetime


async def coaches(conn: Conn, forum_id: UUID) -> list[CoachView]:
    rows = await conn.fetch(
        "SELECT c.person_id, coalesce(p.name, ''), c.coach_organisation, c.appointed_at FROM read.forum_coaches c"
        " LEFT JOIN read.people p ON p.person_id::text = c.person_id WHERE c.forum_id = $1 ORDER BY c.appointed_at",
        forum_id,
    )
    return [CoachView(*r.values()) for r in rows]


async def coaching_rota(conn: Conn, forum_id: UUID, *, coach_id: str | None = None) -> list[CoachingSlotView]:
    """Every team's coach and slot (a coach's own teams with ``coach_id``), by time."""
    rows = await conn.fetch(
        "SELECT c.project_id, n.title, n.project_organisation, c.coach_id, coalesce(p.name, ''), c.starts_at,"
        " c.ends_at, (SELECT count(*) FROM read.forum_coaching_sessions s WHERE s.forum_id = c.forum_id"
        " AND s.project_id = c.project_id) FROM read.forum_coaching c"
        " JOIN read.forum_nominations n ON n.forum_id = c.forum_id AND n.project_id = c.project_id"
        " LEFT JOIN read.people p ON p.person_id::text = c.coach_id"
        " WHERE c.forum_id = $1 AND ($2::text IS NULL OR c.coach_id = $2) AND n.withdrawn_at IS NULL"
        " ORDER BY c.starts_at, c.coach_id",
        forum_id,
        coach_id,
    )
    return [CoachingSlotView(*r.values()) for r in rows]


async def coaching_sessions(
    conn: Conn, forum_id: UUID, *, project_id: UUID | None = None, coach_id: str | None = None
) -> list[CoachingSessionView]:
    """Coaching sessions, oldest first: of one team, of one coach's teams, or all (private: check access first)."""
    rows = await conn.fetch(
        "SELECT s.project_id, n.title, s.coach_id, coalesce(p.name, ''), s.notes, s.problem_statement,"
        " s.pitch_points, s.recorded_at FROM read.forum_coaching_sessions s"
        " JOIN read.forum_nominations n ON n.forum_id = s.forum_id AND n.project_id = s.project_id"
        " LEFT JOIN read.people p ON p.person_id::text = s.coach_id"
        " WHERE s.forum_id = $1 AND ($2::uuid IS NULL OR s.project_id = $2) AND ($3::text IS NULL OR s.coach_id = $3)"
        " ORDER BY s.position",
        forum_id,
        project_id,
        coach_id,
    )
    return [CoachingSessionView(r[0], r[1], r[2], r[3], r[4], r[5], list(r[6]), r[7]) for r in rows]
