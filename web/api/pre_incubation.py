"""Pre-incubation, the JSON API: a project's pre-incubation run by its organisation's organisers.

Each command route is a path and one call: the body is the command of ``forum.pre_incubation`` (with what the URL
names), carried out by ``forum.pipeline``; sending it again with its ``command_id`` returns the first answer.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.params import FromPath, JSONBody

from domain.errors import NotFound
from forum.portfolio import OrganisationRef
from forum.pre_incubation import (
    AddMilestone,
    ChangeCommitments,
    ChangeSponsor,
    ChangeStage,
    CompleteMilestone,
    ExtendDeadline,
    MilestoneMoved,
    MilestoneReached,
    NoteProgress,
    PreIncubationRef,
    PreIncubationResult,
    RaiseVigilance,
    RecordOutcome,
    RescheduleMilestone,
    ResolveVigilance,
    StartPreIncubation,
    VigilanceResolution,
)
from projections import portfolio as portfolio_views
from projections.portfolio import PreIncubationView
from web.api.portfolio import Organisation, Today, forum_host_of, readable_path, today_of
from web.commands import command, targets, with_path
from web.context import actor_of, reader

Project = FromPath[UUID]


def pre_incubation_named(organisation: Organisation, project_id: Project) -> PreIncubationRef:
    """The pre-incubation the URL names: the target of its commands."""
    return PreIncubationRef(organisation, project_id)


class PreIncubationsApi(Controller):
    """A project's pre-incubation, run by its organisation's organisers."""

    path = "/api/v1/organisations/{organisation:str}/pre-incubations"
    tags = ["pre-incubation"]
    dependencies = targets(pre_incubation_named)

    @post("/", summary="Start a project's pre-incubation (organisers)", status_code=201)
    async def start(
        self, request: Request[Any, Any, Any], organisation: Organisation, data: JSONBody[StartPreIncubation]
    ) -> PreIncubationResult:
        host = await forum_host_of(request, data.forum_id, data.forum_organisation)
        sent = msgspec.structs.replace(data, forum_organisation=host)
        return await sync_to_thread(command, request, sent, OrganisationRef(organisation))

    @get("/{project_id:uuid}", summary="A pre-incubation with its milestones, vigilance points and flags")
    async def show(
        self, request: Request[Any, Any, Any], organisation: Organisation, project_id: Project, today: Today
    ) -> PreIncubationView:
        await readable_path(request, actor_of(request), organisation, project_id)
        view = await portfolio_views.pre_incubation(reader(request), project_id, today=today_of(request, today))
        if view is None:
            raise NotFound("Ce projet n'est pas en pré-incubation.")
        return view

    @post("/{project_id:uuid}/milestones", summary="Add a milestone (organisers)", sync_to_thread=True, status_code=201)
    def add_milestone(
        self, request: Request[Any, Any, Any], target: PreIncubationRef, data: JSONBody[AddMilestone]
    ) -> PreIncubationResult:
        return command(request, data, target)

    @post(
        "/{project_id:uuid}/milestones/{number:int}/complete",
        summary="Mark a milestone reached (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def complete_milestone(
        self,
        request: Request[Any, Any, Any],
        target: PreIncubationRef,
        number: FromPath[int],
        data: JSONBody[MilestoneReached],
    ) -> PreIncubationResult:
        sent = with_path(data, CompleteMilestone, number=number)
        return command(request, sent, target)

    @post(
        "/{project_id:uuid}/milestones/{number:int}/reschedule",
        summary="Move a milestone (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def reschedule_milestone(
        self,
        request: Request[Any, Any, Any],
        target: PreIncubationRef,
        number: FromPath[int],
        data: JSONBody[MilestoneMoved],
    ) -> PreIncubationResult:
        sent = with_path(data, RescheduleMilestone, number=number)
        return command(request, sent, target)

    @post(
        "/{project_id:uuid}/deadline", summary="Extend the deadline (organisers)", sync_to_thread=True, status_code=200
    )
    def extend_deadline(
        self, request: Request[Any, Any, Any], target: PreIncubationRef, data: JSONBody[ExtendDeadline]
    ) -> PreIncubationResult:
        return command(request, data, target)

    @post("/{project_id:uuid}/sponsor", summary="Change the sponsor (organisers)", sync_to_thread=True, status_code=200)
    def change_sponsor(
        self, request: Request[Any, Any, Any], target: PreIncubationRef, data: JSONBody[ChangeSponsor]
    ) -> PreIncubationResult:
        return command(request, data, target)

    @post(
        "/{project_id:uuid}/commitments",
        summary="Change the time and money committed (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def change_commitments(
        self, request: Request[Any, Any, Any], target: PreIncubationRef, data: JSONBody[ChangeCommitments]
    ) -> PreIncubationResult:
        return command(request, data, target)

    @post("/{project_id:uuid}/notes", summary="Note progress (organisers)", sync_to_thread=True, status_code=201)
    def note_progress(
        self, request: Request[Any, Any, Any], target: PreIncubationRef, data: JSONBody[NoteProgress]
    ) -> PreIncubationResult:
        return command(request, data, target)

    @post(
        "/{project_id:uuid}/vigilance",
        summary="Raise a point of vigilance (organisers)",
        sync_to_thread=True,
        status_code=201,
    )
    def raise_vigilance(
        self, request: Request[Any, Any, Any], target: PreIncubationRef, data: JSONBody[RaiseVigilance]
    ) -> PreIncubationResult:
        return command(request, data, target)

    @post(
        "/{project_id:uuid}/vigilance/{number:int}/resolve",
        summary="Resolve a point of vigilance (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def resolve_vigilance(
        self,
        request: Request[Any, Any, Any],
        target: PreIncubationRef,
        number: FromPath[int],
        data: JSONBody[VigilanceResolution],
    ) -> PreIncubationResult:
        sent = with_path(data, ResolveVigilance, number=number)
        return command(request, sent, target)

    @post(
        "/{project_id:uuid}/stage",
        summary="Change the stage, with a reason (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def change_stage(
        self, request: Request[Any, Any, Any], target: PreIncubationRef, data: JSONBody[ChangeStage]
    ) -> PreIncubationResult:
        return command(request, data, target)

    @post("/{project_id:uuid}/outcome", summary="Record the outcome (organisers)", sync_to_thread=True, status_code=200)
    def record_outcome(
        self, request: Request[Any, Any, Any], target: PreIncubationRef, data: JSONBody[RecordOutcome]
    ) -> PreIncubationResult:
        return command(request, data, target)
