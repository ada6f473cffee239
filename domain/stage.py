"""The stage: the pitch running order of the day, each slot's times, and the refusals of building it."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from domain.errors import AlreadyExists, Conflict
from domain.values import DAY_SECONDS, check_bounded, check_moment


class PitchSlot(msgspec.Struct, frozen=True):
    project_id: UUID
    starts_at: datetime
    pitch_seconds: int
    questions_seconds: int

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(seconds=self.pitch_seconds + self.questions_seconds)


def running_order(
    project_ids: Sequence[UUID],
    *,
    starts_at: datetime,
    pitch_seconds: int,
    questions_seconds: int,
    changeover_seconds: int = 0,
) -> tuple[PitchSlot, ...]:
    """Back-to-back pitch slots in the given order (pitch, then questions, then the changeover)."""
    check_moment(starts_at, "starts_at")
    for field, seconds in (
        ("pitch_seconds", pitch_seconds),
        ("questions_seconds", questions_seconds),
        ("changeover_seconds", changeover_seconds),
    ):
        check_bounded(seconds, field, -DAY_SECONDS, DAY_SECONDS)  # the forum refuses overlaps and empty slots
    slots = []
    at = starts_at
    for project_id in project_ids:
        slots.append(PitchSlot(project_id, at, pitch_seconds, questions_seconds))
        at += timedelta(seconds=pitch_seconds + questions_seconds + changeover_seconds)
    return tuple(slots)


def overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Whether two half-open slots [start, end) of the day share a moment."""
    return a_start < b_end and b_start < a_end


class SlotOverlaps(Conflict, rule="slot_overlaps"):
    """A slot of the day (a pitch, a coach's session) starts before another one ends."""


class PitchesStarted(Conflict, rule="pitches_started"): ...


class NotInRunningOrder(Conflict, rule="not_in_running_order"): ...


class PitchAlreadyRecorded(AlreadyExists, rule="pitch_already_recorded"): ...
