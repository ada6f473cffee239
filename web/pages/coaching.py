"""Coaching's pages: the host appoints coaches and gives the teams their slots (one by one or as a rota); a coach
sees their teams; a team's page (private to the team, its coach, the host and auditors) shows its sessions, its
coaching slot and its pitch slot, and its coach records each session there.

Every command goes through ``submit`` (``forum.coaching`` through ``forum.pipeline``): a refusal is shown beside
its field, with the form as typed; every list reads ``projections.forums``.
"""

from __future__ import annotations

from datetime import datetime
from datetime import time as clock_time
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.values import PARIS
from forum.coaching import AppointCoach, AssignCoaching, CoachingSlotIn, RecordCoachingSession
from forum.forums import AUDITOR, COACH, HOST
from projections import forums as views
from projections.people import get_member
from web.context import reader
from web.pages.base import Form, Page
from web.pages.forums import (
    ForumPage,
    Sends,
    integer,
    lines,
    many,
    moment,
    open_for,
    open_forum,
    page,
    person_by_email,
    project_uuid,
    sends,
    text,
)


def slot_of(form: Form, f: ForumPage) -> dict[str, Any]:
    starts_at = moment(form, "starts", "starts_at")
    minutes = integer(form, "minutes", default=50)
    return {
        "slots": [CoachingSlotIn(project_uuid(text(form, "project_id")), text(form, "coach_id"), starts_at, minutes)]
    }


async def rota_of(form: Form, f: ForumPage) -> dict[str, Any]:
    """Every team, given to the coaches checked in turn."""
    coach_ids = many(form, "coach_ids")
    if not coach_ids:
        raise Invalid("Cochez au moins un coach.", field="coach_ids", rule="required")
    teams = await views.nominations(reader(f.request), f.forum_id, active_only=True)
    if not teams:
        raise Conflict("Aucun projet n'est encore proposé au forum.", field="coach_ids", rule="no_team")
    return {
        "project_ids": [t.project_id for t in teams],
        "coach_ids": coach_ids,
        "starts_at": moment(form, "rota", "starts_at"),
        "minutes": integer(form, "rota_minutes", "minutes", default=50),
    }


def session_of(form: Form, f: ForumPage) -> dict[str, Any]:
    return {
        "notes": text(form, "notes"),
        "problem_statement": text(form, "problem_statement"),
        "pitch_points": lines(text(form, "pitch_points")),
    }


class CoachingPages(Controller):
    """The coaching of a forum's teams: the host's rota, the coach's teams, each team's sessions."""

    include_in_schema = False
    path = "/forums/{host:str}/{forum:str}"

    @get("/coaching")
    async def coaching(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        f = await open_forum(request, host, forum, HOST, AUDITOR, COACH)
        return await self._coaching(request, f)

    async def _coaching(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        db = reader(request)
        overseer = f.holds(HOST, AUDITOR)
        rota = await views.coaching_rota(db, f.forum_id, coach_id=None if overseer else f.actor.person_id)
        coaches = await views.coaches(db, f.forum_id) if overseer else []
        teams = await views.nominations(db, f.forum_id, active_only=True) if overseer else []
        status = context.pop("status", 200)
        start = datetime.combine(f.summary.starts_on, clock_time(9, 0), tzinfo=PARIS)
        return page(
            request,
            "coaching.html",
            f,
            status=status,
            rota=rota,
            coaches=coaches,
            teams=teams,
            overseer=overseer,
            default_day=start.date().isoformat(),
            **context,
        )

    @post("/coaching/coachs")
    async def appoint_coach(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Page:
        f, form = await open_for(request, host, forum, AppointCoach)

        async def coach(form: Form, f: ForumPage) -> dict[str, Any]:
            # the coach by e-mail address, looked up in the read models (the host's organisation first)
            person_id, organisation = await person_by_email(request, text(form, "email"), "email", [f.host])
            return {"person_id": person_id, "organisation": organisation}

        appointing = Sends(
            AppointCoach, then="/coaching", notice="coach", again=CoachingPages._coaching, failed="coach", fields=coach
        )
        return await appointing.run(self, request, f, form)

    assign_slot = sends(
        "/coaching/creneaux",
        AssignCoaching,
        fields=slot_of,
        then="/coaching",
        notice="creneau",
        again=_coaching,
        failed="slot",
    )

    assign_rota = sends(
        "/coaching/rotation",
        AssignCoaching,
        fields=rota_of,
        then="/coaching",
        notice="rotation",
        again=_coaching,
        failed="rota",
    )

    # -- a team's page: its coaching sessions and its slot -------------------------------------------------------------

    @get("/equipes/{project_id:uuid}")
    async def team(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str], project_id: FromPath[UUID]
    ) -> Template:
        f = await open_forum(request, host, forum)
        return await self._team(request, f, project_id)

    async def _team(self, request: Request[Any, Any, Any], f: ForumPage, project_id: UUID, **context: Any) -> Template:
        """Private to the team, its coach, the host (and auditors): the sessions, the coaching slot, the pitch slot."""
        db = reader(request)
        team = await views.team_of(db, f.forum_id, project_id)
        if team is None:
            raise NotFound("Équipe introuvable.", rule="not_found")
        slot = next((s for s in await views.coaching_rota(db, f.forum_id) if s.project_id == project_id), None)
        coaches_it = COACH in f.held and slot is not None and slot.coach_id == f.actor.person_id
        if not f.holds(HOST, AUDITOR) and not coaches_it and f.actor.person_id not in team:
            raise Forbidden(
                "Les séances de coaching sont réservées à l'équipe, à son coach et à l'hôte du forum.",
                rule="coaching_private",
            )
        project = next(n for n in await views.nominations(db, f.forum_id) if n.project_id == project_id)
        members = []
        for m in project.team:
            found = await get_member(db, project.organisation, m.person_id)
            members.append({"name": found.name if found else "", "role": m.role})
        pitch = next((s for s in await views.running_order(db, f.forum_id) if s.project_id == project_id), None)
        sessions = await views.coaching_sessions(db, f.forum_id, project_id=project_id)
        status = context.pop("status", 200)
        return page(
            request,
            "team.html",
            f,
            status=status,
            project=project,
            members=members,
            slot=slot,
            pitch=pitch,
            sessions=sessions,
            coaches_it=coaches_it,
            **context,
        )

    async def _project_team(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        return await self._team(request, f, request.path_params["project_id"], **context)

    record_session = sends(
        "/equipes/{project_id:uuid}/seances",
        RecordCoachingSession,
        fields=session_of,
        then="/equipes/{project_id}",
        notice="seance",
        again=_project_team,
        failed="session",
    )
