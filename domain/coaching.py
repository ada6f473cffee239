"""Coaching: a team's coach and time slot, the rota that shares teams among coaches, and its refusals."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from domain.errors import Forbidden, NotFound
from domain.stage import SlotOverlaps
from domain.values import DAY_SECONDS, check_bounded, check_moment

__all__ = ["CoachingSlot", "NotACoach", "NotAssignedCoach", "SlotOverlaps", "coaching_rota"]


class CoachingSlot(msgspec.Struct, frozen=True):
    project_id: UUID
    coach_id: str
    starts_at: datetime
    ends_at: datetime


def coaching_rota(
    project_ids: Sequence[UUID], coach_ids: Sequence[str], *, starts_at: datetime, minutes: int
) -> tuple[CoachingSlot, ...]:
    """Teams shared among coaches in turn: team i goes to coach i mod n, in the (i div n)-th slot of ``minutes``."""
    check_moment(starts_at, "starts_at")
    check_bounded(minutes, "minutes", 1, DAY_SECONDS // 60)
    slots = []
    for i, project_id in enumerate(project_ids):
        start = starts_at + timedelta(minutes=minutes * (i // len(coach_ids)))
        slots.append(CoachingSlot(project_id, coach_ids[i % len(coach_ids)], start, start + timedelta(minutes=minutes)))
    return tuple(slots)


class NotACoach(NotFound, rule="not_a_coach"): ...


class NotAssignedCoach(Forbidden, rule="not_assigned_coach"): ...
