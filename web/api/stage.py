"""The stage's JSON API: the pitch running order (host), the stage as it stands, each pitch delivered or absent.

Each command route is a path and one call: the body is the command of ``forum.stage`` (with the team the URL
names), carried out by ``forum.pipeline``. Reads come from the read models, with the same standings as the commands.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody

from forum.forums import AUDITOR, HOST, ForumRef
from forum.stage import (
    Absence,
    AbsenceRecorded,
    Pitch,
    PitchRecorded,
    RecordAbsence,
    RecordPitch,
    RunningOrderSet,
    SetRunningOrder,
)
from projections import forums as views
from projections.forums import RunningSlotView, Stage
from web.api.forums import ON_FORUM_URL, ForumPath, HostPath, forum_standing, host_before_body, require
from web.commands import command, with_path
from web.context import actor_of, reader


class StageApi(Controller):
    """A forum's afternoon of pitches: the running order, the stage, each pitch as delivered."""

    path = "/api/v1/forums"
    tags = ["forums"]
    dependencies = ON_FORUM_URL

    @get("/{host:str}/{forum:str}/running-order", summary="The pitches in order, each pending, delivered or absent")
    async def running_order(
        self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath
    ) -> list[RunningSlotView]:
        forum_id, _, _ = await forum_standing(request, actor_of(request), host, forum)
        return await views.running_order(reader(request), forum_id)

    @put(
        "/{host:str}/{forum:str}/running-order",
        summary="Set the running order, until the first pitch (host)",
        sync_to_thread=True,
        guards=[host_before_body],  # the host is checked before the body is decoded
    )
    def set_running_order(
        self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[SetRunningOrder]
    ) -> RunningOrderSet:
        return command(request, data, target)

    @get(
        "/{host:str}/{forum:str}/stage", summary="The team on stage, the next one, and how far the afternoon is (host)"
    )
    async def stage(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> Stage:
        forum_id, _, _ = await require(request, host, forum, HOST, AUDITOR)
        return await views.stage(reader(request), forum_id)

    @post(
        "/{host:str}/{forum:str}/pitches/{project_id:uuid}",
        summary="Mark a pitch delivered, with its real duration (host)",
        sync_to_thread=True,
        status_code=201,
    )
    def pitch(
        self, request: Request[Any, Any, Any], target: ForumRef, project_id: FromPath[UUID], data: JSONBody[Pitch]
    ) -> PitchRecorded:
        return command(request, with_path(data, RecordPitch, project_id=project_id), target)

    @post(
        "/{host:str}/{forum:str}/pitches/{project_id:uuid}/absence",
        summary="Mark the team absent (host)",
        sync_to_thread=True,
        status_code=201,
    )
    def absence(
        self, request: Request[Any, Any, Any], target: ForumRef, project_id: FromPath[UUID], data: JSONBody[Absence]
    ) -> AbsenceRecorded:
        return command(request, with_path(data, RecordAbsence, project_id=project_id), target)
