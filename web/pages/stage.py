"""The afternoon of pitches: the running order, and the stage page the host shows on a projector (the team on stage,
a large countdown of the pitch then of the questions, the next team), with the forms that record each pitch as
delivered (its real duration) or the team absent. ``web/static/stage.js`` runs the countdown and measures the pitch;
without it the page shows the order and the forms work with the duration typed in."""

from __future__ import annotations

from datetime import datetime
from datetime import time as clock_time
from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from domain.formatting import time_of_day
from domain.values import PARIS
from forum.forums import AUDITOR, HOST
from forum.stage import RecordAbsence, RecordPitch, SetRunningOrder
from projections import forums as views
from web import formatting
from web.context import reader
from web.pages.base import Form
from web.pages.forums import (
    ForumPage,
    integer,
    moment,
    open_forum,
    page,
    sends,
)
from web.pages.jury import ordered


def running_order_of(form: Form, f: ForumPage) -> dict[str, Any]:
    return {
        "project_ids": ordered(form, "place_", "slots"),
        "starts_at": moment(form, "starts", "starts_at"),
        "pitch_seconds": integer(form, "pitch_seconds", "slots"),
        "questions_seconds": integer(form, "questions_seconds", "slots"),
        "changeover_seconds": integer(form, "changeover_seconds", "slots", default=0),
    }


class StagePages(Controller):
    """The running order (every person of the forum reads it; the host sets it) and the stage (the host)."""

    include_in_schema = False
    path = "/forums/{host:str}/{forum:str}"

    @get("/ordre-de-passage")
    async def running_order(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]
    ) -> Template:
        f = await open_forum(request, host, forum)
        return await self._running_order(request, f)

    async def _running_order(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        db = reader(request)
        order = await views.running_order(db, f.forum_id)
        teams = await views.nominations(db, f.forum_id, active_only=True) if f.is_host else []
        place = {s.project_id: s.slot for s in order}
        teams.sort(key=lambda n: (place.get(n.project_id, 10**6), n.sequence))
        first = order[0] if order else None
        start = first.starts_at if first else datetime.combine(f.summary.starts_on, clock_time(14, 0), tzinfo=PARIS)
        gap = 0
        if len(order) > 1:
            gap = int((order[1].starts_at - order[0].starts_at).total_seconds()) - (
                order[0].pitch_seconds + order[0].questions_seconds
            )
        defaults = {
            "starts_date": formatting.day_input(start),
            "starts_time": time_of_day(start),
            "pitch_seconds": first.pitch_seconds if first else 180,
            "questions_seconds": first.questions_seconds if first else 300,
            "changeover_seconds": max(gap, 0),
        }
        status = context.pop("status", 200)
        return page(
            request,
            "running_order.html",
            f,
            status=status,
            order=order,
            teams=teams,
            place={str(k): v for k, v in place.items()},
            defaults=defaults,
            started=any(s.outcome != "pending" for s in order),
            **context,
        )

    set_running_order = sends(
        "/ordre-de-passage",
        SetRunningOrder,
        fields=running_order_of,
        then="/ordre-de-passage",
        notice="ordre",
        again=_running_order,
        failed="order",
    )

    # -- the stage -----------------------------------------------------------------------------------------------------

    @get("/scene")
    async def stage(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        f = await open_forum(request, host, forum, HOST, AUDITOR)
        return await self._stage(request, f)

    async def _stage(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        db = reader(request)
        status = context.pop("status", 200)
        return page(
            request,
            "stage.html",
            f,
            status=status,
            stage=await views.stage(db, f.forum_id),
            order=await views.running_order(db, f.forum_id),
            **context,
        )

    pitch = sends(
        "/scene/{project_id:uuid}/pitch",
        RecordPitch,
        fields=lambda form, _: {"duration_seconds": integer(form, "duration_seconds")},
        then="/scene",
        notice="pitch",
        again=_stage,
        failed="pitch",
    )

    absence = sends(
        "/scene/{project_id:uuid}/absence",
        RecordAbsence,
        then="/scene",
        notice="absence",
        again=_stage,
        failed="absence",
    )
