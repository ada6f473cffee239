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
from litestar.response import Redirect, Template

from domain.errors import Conflict, Forbidden, Invalid, NotFound
from forum.coaching import AppointCoach, AssignCoaching, CoachingSlotIn, RecordCoachingSession
from forum.forums import AUDITOR, COACH, HOST
from projections import forums as views
from projections.people import get_member
from web.pages.forums import (
    FIELD_REFUSALS,
    PARIS,
    ForumPage,
    command_id_of,
    form_of,
    integer,
    lines,
    many,
    moment,
    open_forum,
    page,
    person_by_email,
    project_uuid,
    reader,
    refusal,
    submit,
    text,
)


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
    async def appoint_coach(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]
    ) -> Template | Redirect:
        f = await open_forum(request, host, forum, HOST)
        form = await form_of(request)
        try:  # the coach by e-mail address, looked up in the read models (the host's organisation first)
            person_id, organisation = await person_by_email(request, text(form, "email"), "email", [f.host])
        except FIELD_REFUSALS as error:
            return await self._coaching(request, f, **refusal(error, "coach", form))
        return await submit(
            request,
            lambda: AppointCoach(command_id=command_id_of(form), person_id=person_id, organisation=organisation),
            f,
            then=f"{f.base}/coaching",
            notice="coach",
            again=lambda refused: self._coaching(request, f, **refused),
            failed="coach",
            form=form,
        )

    @post("/coaching/creneaux")
    async def assign_slot(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]
    ) -> Template | Redirect:
        f = await open_forum(request, host, forum, HOST)
        form = await form_of(request)

        def make() -> AssignCoaching:
            starts_at = moment(form, "starts", "starts_at")
            minutes = integer(form, "minutes", default=50)
            slot = CoachingSlotIn(project_uuid(text(form, "project_id")), text(form, "coach_id"), starts_at, minutes)
            return AssignCoaching(command_id=command_id_of(form), slots=[slot])

        return await submit(
            request,
            make,
            f,
            then=f"{f.base}/coaching",
            notice="creneau",
            again=lambda refused: self._coaching(request, f, **refused),
            failed="slot",
            form=form,
        )

    @post("/coaching/rotation")
    async def assign_rota(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]
    ) -> Template | Redirect:
        f = await open_forum(request, host, forum, HOST)
        form = await form_of(request)
        teams = await views.nominations(reader(request), f.forum_id, active_only=True)

        def make() -> AssignCoaching:
            coach_ids = many(form, "coach_ids")
            if not coach_ids:
                raise Invalid("Cochez au moins un coach.", field="coach_ids", rule="required")
            if not teams:
                raise Conflict("Aucun projet n'est encore proposé au forum.", field="coach_ids", rule="no_team")
            return AssignCoaching(
                command_id=command_id_of(form),
                project_ids=[t.project_id for t in teams],
                coach_ids=coach_ids,
                starts_at=moment(form, "rota", "starts_at"),
                minutes=integer(form, "rota_minutes", "minutes", default=50),
            )

        return await submit(
            request,
            make,
            f,
            then=f"{f.base}/coaching",
            notice="rotation",
            again=lambda refused: self._coaching(request, f, **refused),
            failed="rota",
            form=form,
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

    @post("/equipes/{project_id:uuid}/seances")
    async def record_session(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str], project_id: FromPath[UUID]
    ) -> Template | Redirect:
        f = await open_forum(request, host, forum, COACH)
        form = await form_of(request)
        return await submit(
            request,
            lambda: RecordCoachingSession(
                command_id=command_id_of(form),
                project_id=project_id,
                notes=text(form, "notes"),
                problem_statement=text(form, "problem_statement"),
                pitch_points=lines(text(form, "pitch_points")),
            ),
            f,
            then=f"{f.base}/equipes/{project_id}",
            notice="seance",
            again=lambda refused: self._team(request, f, project_id, **refused),
            failed="session",
            form=form,
        )
