"""Coaching: the coaches the host appoints, the teams' slots with them, and the sessions each coach records.

Each command is a struct and one handler on the forum (``ON_FORUM``), run by ``forum.pipeline.run``. The rules are
the Forum aggregate's (``domain.forum``): a slot of 5 to 480 minutes, a coach never in two places at once, a
session recorded by the team's own coach. Appointing a coach also grants them the forum's ``coach`` role, in the
same transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

import msgspec

from domain.errors import Invalid
from domain.forum import CoachingSlot, Forum, coaching_rota
from domain.values import DAY_SECONDS, check_moment
from forum.forums import COACH, HOST, ON_FORUM, ForumRef, When, _Grants, _require_person
from forum.pipeline import Command, Unit, handles

Minutes = Annotated[int, msgspec.Meta(ge=1, le=DAY_SECONDS // 60, description="1 to 1,440")]


# -- the coaches -------------------------------------------------------------------------------------------------------


class AppointCoach(Command["CoachAppointed"], frozen=True):
    """Appoint a person (of any organisation) as coach: they receive the forum's ``coach`` role."""

    person_id: str
    organisation: str


class CoachAppointed(msgspec.Struct):
    forum_id: str
    person_id: str
    organisation: str
    role: str


@handles(AppointCoach, on=ON_FORUM, roles=(HOST,))
def appoint_coach(forum: Forum, command: AppointCoach, unit: Unit[ForumRef]) -> CoachAppointed:
    """Appoint a coach (a person of a partner organisation) and grant them the forum's ``coach`` role."""
    _require_person(unit.app, command.person_id, command.organisation)
    forum.appoint_coach(person_id=command.person_id, organisation=command.organisation, meta=unit.meta)
    grants = _Grants(unit.app, forum, unit.meta)
    grants.grant(command.person_id, command.organisation, COACH)
    unit.save(*grants.saved())
    return CoachAppointed(str(forum.id), command.person_id, command.organisation, COACH)


# -- the teams' slots --------------------------------------------------------------------------------------------------


class CoachingSlotIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    project_id: UUID
    coach_id: str
    starts_at: When
    minutes: Minutes


class AssignCoaching(Command["CoachingAssigned"], frozen=True):
    """Either explicit ``slots``, or a rota: ``project_ids`` shared among ``coach_ids`` in turn from ``starts_at``."""

    slots: list[CoachingSlotIn] = msgspec.field(default_factory=list)
    project_ids: list[UUID] = msgspec.field(default_factory=list)
    coach_ids: list[str] = msgspec.field(default_factory=list)
    starts_at: When | None = None
    minutes: Minutes = 50

    def coaching(self) -> list[CoachingSlot]:
        """The slots this command gives (``domain.forum.coaching_rota`` for a rota)."""
        if self.slots:
            return [
                CoachingSlot(
                    s.project_id,
                    s.coach_id,
                    s.starts_at,
                    check_moment(s.starts_at, f"slots[{i}].starts_at") + timedelta(minutes=s.minutes),
                )
                for i, s in enumerate(self.slots)
            ]
        if not self.project_ids or not self.coach_ids or self.starts_at is None:
            raise Invalid(
                "Donnez les créneaux (slots), ou les équipes, les coachs et l'heure de début d'une rotation.",
                field="slots",
                rule="required",
            )
        return list(coaching_rota(self.project_ids, self.coach_ids, starts_at=self.starts_at, minutes=self.minutes))


class CoachingAssigned(msgspec.Struct):
    forum_id: str
    assigned: int


@handles(AssignCoaching, on=ON_FORUM, roles=(HOST,))
def assign_coaching(forum: Forum, command: AssignCoaching, unit: Unit[ForumRef]) -> CoachingAssigned:
    """Give teams a coach and a time slot (one or a whole rota), in one command."""
    slots = command.coaching()
    for slot in slots:
        minutes = (slot.ends_at - slot.starts_at).total_seconds() / 60
        forum.assign_coaching(
            project_id=slot.project_id,
            coach_id=slot.coach_id,
            starts_at=slot.starts_at,
            minutes=int(minutes),
            meta=unit.meta,
        )
    return CoachingAssigned(str(forum.id), len(slots))


# -- the sessions ------------------------------------------------------------------------------------------------------


class CoachingSession(Command["SessionRecorded"], frozen=True):
    notes: str = ""
    problem_statement: str = ""
    pitch_points: list[str] = msgspec.field(default_factory=list)


class RecordCoachingSession(CoachingSession, frozen=True, kw_only=True):
    """A session with the team the URL names, recorded by its coach (the actor)."""

    project_id: UUID


class SessionRecorded(msgspec.Struct):
    forum_id: str
    project_id: str
    sessions: int


@handles(RecordCoachingSession, on=ON_FORUM, roles=(COACH,))
def record_coaching_session(forum: Forum, command: RecordCoachingSession, unit: Unit[ForumRef]) -> SessionRecorded:
    """The coach assigned to the team records a session (the actor is the coach)."""
    forum.record_coaching_session(
        coach_id=unit.actor.person_id,
        project_id=command.project_id,
        notes=command.notes,
        problem_statement=command.problem_statement,
        pitch_points=command.pitch_points,
        meta=unit.meta,
    )
    return SessionRecorded(str(forum.id), str(command.project_id), forum.coaching_sessions.get(command.project_id, 0))
