"""The stage: the pitch running order the host sets, and each pitch as delivered (its real duration) or the team
absent.

Each command is a struct and one handler on the forum (``ON_FORUM``), run by ``forum.pipeline.run``. The rules are
the Forum aggregate's (``domain.forum``): slots never overlap, the order changes only until the first pitch, a
pitch lasts 1 s to 1 h.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from domain.errors import Invalid
from domain.forum import Forum, PitchSlot, running_order
from domain.values import DAY_SECONDS
from forum.forums import HOST, ON_FORUM, ForumRef, When
from forum.pipeline import Command, Unit, handles

Seconds = Annotated[int, msgspec.Meta(ge=0, le=DAY_SECONDS, description="0 to 86,400")]


# -- the running order -------------------------------------------------------------------------------------------------


class PitchSlotIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    project_id: UUID
    starts_at: When
    pitch_seconds: Seconds
    questions_seconds: Seconds


class SetRunningOrder(Command["RunningOrderSet"], frozen=True):
    """Either explicit ``slots``, or back-to-back slots for ``project_ids`` from ``starts_at``."""

    slots: list[PitchSlotIn] = msgspec.field(default_factory=list)
    project_ids: list[UUID] = msgspec.field(default_factory=list)
    starts_at: When | None = None
    pitch_seconds: Seconds = 180
    questions_seconds: Seconds = 300
    changeover_seconds: Seconds = 0

    def running_order(self) -> list[PitchSlot]:
        """The slots this command gives (``domain.forum.running_order`` for back-to-back slots)."""
        if self.slots:
            return [PitchSlot(s.project_id, s.starts_at, s.pitch_seconds, s.questions_seconds) for s in self.slots]
        if not self.project_ids or self.starts_at is None:
            raise Invalid(
                "Donnez les passages (slots), ou les équipes dans l'ordre et l'heure du premier passage.",
                field="slots",
                rule="required",
            )
        return list(
            running_order(
                self.project_ids,
                starts_at=self.starts_at,
                pitch_seconds=self.pitch_seconds,
                questions_seconds=self.questions_seconds,
                changeover_seconds=self.changeover_seconds,
            )
        )


class RunningOrderSet(msgspec.Struct):
    forum_id: str
    slots: int


@handles(SetRunningOrder, on=ON_FORUM, roles=(HOST,))
def set_running_order(forum: Forum, command: SetRunningOrder, unit: Unit[ForumRef]) -> RunningOrderSet:
    """Set (or change, until the first pitch) the running order."""
    forum.set_running_order(slots=command.running_order(), meta=unit.meta)
    return RunningOrderSet(str(forum.id), len(forum.running_order))


# -- the pitches -------------------------------------------------------------------------------------------------------


class Pitch(Command["PitchRecorded"], frozen=True):
    duration_seconds: Annotated[int, msgspec.Meta(description="how long the team actually spoke")]


class RecordPitch(Pitch, frozen=True, kw_only=True):
    """The pitch of the team the URL names, delivered."""

    project_id: UUID


class PitchRecorded(msgspec.Struct):
    forum_id: str
    project_id: str
    duration_seconds: int


@handles(RecordPitch, on=ON_FORUM, roles=(HOST,))
def record_pitch(forum: Forum, command: RecordPitch, unit: Unit[ForumRef]) -> PitchRecorded:
    forum.record_pitch(project_id=command.project_id, duration_seconds=command.duration_seconds, meta=unit.meta)
    return PitchRecorded(str(forum.id), str(command.project_id), command.duration_seconds)


class Absence(Command["AbsenceRecorded"], frozen=True):
    pass


class RecordAbsence(Absence, frozen=True, kw_only=True):
    """The team the URL names did not come on stage."""

    project_id: UUID


class AbsenceRecorded(msgspec.Struct):
    forum_id: str
    project_id: str
    absent: bool


@handles(RecordAbsence, on=ON_FORUM, roles=(HOST,))
def record_absence(forum: Forum, command: RecordAbsence, unit: Unit[ForumRef]) -> AbsenceRecorded:
    forum.record_absence(project_id=command.project_id, meta=unit.meta)
    return AbsenceRecorded(str(forum.id), str(command.project_id), True)
