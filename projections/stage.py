"""The afternoon on stage: the pitch running order and each pitch as delivered (or the team absent).

What the stage page and the host's page show: every team's slot, whether it has pitched, and who is on next.
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


class StageProjection(EventProjection):
    name = "stage"
    tables = ("read.forum_running_order", "read.forum_pitches")

    @on(F.RunningOrderSet)
    async def running_order_set(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        forum_id, host = envelope.originator_id, envelope.organisation
        await conn.execute("DELETE FROM read.forum_running_order WHERE forum_id = $1", forum_id)
        await conn.executemany(
            "INSERT INTO read.forum_running_order (forum_id, project_id, organisation, slot, starts_at,"
            " pitch_seconds, questions_seconds) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (forum_id, s.project_id, host, i, s.starts_at, s.pitch_seconds, s.questions_seconds)
                for i, s in enumerate(e.slots, start=1)
            ],
        )

    @on(F.PitchDelivered)
    async def pitch_delivered(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await self._pitch(conn, envelope, e.project_id, e.duration_seconds)

    @on(F.TeamAbsent)
    async def team_absent(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await self._pitch(conn, envelope, e.project_id, None)

    async def _pitch(
        self, conn: asyncpg.Connection, envelope: Envelope, project_id: UUID, duration_seconds: int | None
    ) -> None:
        await conn.execute(
            "INSERT INTO read.forum_pitches (forum_id, project_id, organisation, duration_seconds, absent,"
            " recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
            envelope.originator_id,
            project_id,
            envelope.organisation,
            duration_seconds,
            duration_seconds is None,
            envelope.event.meta.at,
        )


class RunningSlotView(msgspec.Struct, frozen=True):
    """One team's slot; ``outcome`` is pending, delivered (with the real duration) or absent."""

    slot: int
    project_id: UUID
    title: str
    organisation: str
    organisation_name: str
    starts_at: datetime
    pitch_seconds: int
    questions_seconds: int
    outcome: str
    duration_seconds: int | None
    recorded_at: datetime | None


class Stage(msgspec.Struct, frozen=True):
    """What the stage page shows: the team on stage (the first pending), the next, and how far the afternoon is."""

    current: RunningSlotView | None
    next: RunningSlotView | None
    done: int
    total: int


async def running_order(conn: Conn, forum_id: UUID) -> list[RunningSlotView]:
    rows = await conn.fetch(
        "SELECT r.slot, r.project_id, n.title, n.project_organisation, coalesce(o.name, n.project_organisation),"
        " r.starts_at, r.pitch_seconds, r.questions_seconds,"
        " CASE WHEN p.project_id IS NULL THEN 'pending' WHEN p.absent THEN 'absent' ELSE 'delivered' END,"
        " p.duration_seconds, p.recorded_at FROM read.forum_running_order r"
        " JOIN read.forum_nominations n ON n.forum_id = r.forum_id AND n.project_id = r.project_id"
        " LEFT JOIN read.organisations o ON o.slug = n.project_organisation"
        " LEFT JOIN read.forum_pitches p ON p.forum_id = r.forum_id AND p.project_id = r.project_id"
        " WHERE r.forum_id = $1 ORDER BY r.slot",
        forum_id,
    )
    return [RunningSlotView(*r.values()) for r in rows]


async def stage(conn: Conn, forum_id: UUID) -> Stage:
    slots = await running_order(conn, forum_id)
    pending = [s for s in slots if s.outcome == "pending"]
    return Stage(
        current=pending[0] if pending else None,
        next=pending[1] if len(pending) > 1 else None,
        done=len(slots) - len(pending),
        total=len(slots),
    )
