"""Coaching's JSON API: the coaches (host), the teams' slots with them, and the sessions each coach records.

Each command route is a path and one call: the body is the command of ``forum.coaching`` (with the team the URL
names), carried out by ``forum.pipeline``. Reads come from the read models, with the same standings as the commands:
a team's sessions are private to the team, its coach, the host and auditors.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody

from domain.errors import Forbidden, NotFound
from forum.coaching import (
    AppointCoach,
    AssignCoaching,
    CoachAppointed,
    CoachingAssigned,
    CoachingSession,
    RecordCoachingSession,
    SessionRecorded,
)
from forum.forums import AUDITOR, COACH, HOST, ForumRef
from projections import forums as views
from projections.forums import CoachingSessionView, CoachingSlotView
from web.api.forums import ON_FORUM_URL, ForumPath, HostPath, forum_standing, host_before_body, require
from web.commands import command, with_path
from web.context import actor_of, reader


class CoachingApi(Controller):
    """A forum's coaching: coaches appointed by its host, the rota, the teams' sessions."""

    path = "/api/v1/forums"
    tags = ["forums"]
    dependencies = ON_FORUM_URL

    @post(
        "/{host:str}/{forum:str}/coaches",
        summary="Appoint a coach (host); grants the forum's coach role",
        sync_to_thread=True,
        status_code=201,
    )
    def appoint_coach(
        self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[AppointCoach]
    ) -> CoachAppointed:
        return command(request, data, target)

    @get(
        "/{host:str}/{forum:str}/coaching",
        summary="The coaching rota (host, auditors: every team; a coach: their teams)",
    )
    async def coaching(
        self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath
    ) -> list[CoachingSlotView]:
        forum_id, actor, held = await require(request, host, forum, HOST, AUDITOR, COACH)
        coach = None if held & {HOST, AUDITOR} else actor.person_id
        return await views.coaching_rota(reader(request), forum_id, coach_id=coach)

    @put(
        "/{host:str}/{forum:str}/coaching",
        summary="Assign teams to coaches and time slots, one by one or as a rota (host)",
        sync_to_thread=True,
        guards=[host_before_body],  # the host is checked before the body is decoded
    )
    def assign_coaching(
        self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[AssignCoaching]
    ) -> CoachingAssigned:
        return command(request, data, target)

    @get(
        "/{host:str}/{forum:str}/coaching/{project_id:uuid}",
        summary="A team's coaching sessions (private: the team, its coach, the host, auditors)",
    )
    async def sessions(
        self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath, project_id: FromPath[UUID]
    ) -> list[CoachingSessionView]:
        actor = actor_of(request)
        forum_id, held, _ = await forum_standing(request, actor, host, forum)
        if not held & {HOST, AUDITOR}:
            team = await views.team_of(reader(request), forum_id, project_id)
            if team is None:
                raise NotFound("Équipe introuvable.", rule="not_found")
            coached = COACH in held and any(
                s.project_id == project_id
                for s in await views.coaching_rota(reader(request), forum_id, coach_id=actor.person_id)
            )
            if not coached and actor.person_id not in team:
                raise Forbidden(
                    "Les séances de coaching sont réservées à l'équipe, à son coach et à l'hôte du forum.",
                    rule="coaching_private",
                )
        return await views.coaching_sessions(reader(request), forum_id, project_id=project_id)

    @post(
        "/{host:str}/{forum:str}/coaching/{project_id:uuid}/sessions",
        summary="Record a coaching session: notes, refined problem statement, points for the pitch (its coach)",
        sync_to_thread=True,
        status_code=201,
    )
    def record_session(
        self,
        request: Request[Any, Any, Any],
        target: ForumRef,
        project_id: FromPath[UUID],
        data: JSONBody[CoachingSession],
    ) -> SessionRecorded:
        sent = with_path(data, RecordCoachingSession, project_id=project_id)
        return command(request, sent, target)
