"""The portfolio's JSON API: boards of pre-incubations, a project's path, a forum's funnel, convergent projects.

Reads come from the read models, with the rights of ``forum.portfolio``. Flags (overdue milestones, passed
deadlines) are computed for ``today`` (the server's date in Europe/Paris unless given).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import FromPath, Parameter

from domain.errors import NotFound
from domain.values import PARIS
from forum import portfolio as access
from forum.access import Actor
from projections import portfolio as portfolio_views
from projections.convergence import ConvergenceGroup, convergences_for
from projections.portfolio import Board, Funnel, ProjectPath
from web.context import actor_of, reader, services_of

Organisation = Annotated[str, Parameter(description="the organisation's slug")]
Today = Annotated[date | None, Parameter(description="the day flags are computed for (default: today in Europe/Paris)")]


def today_of(request: Request[Any, Any, Any], given: date | None = None) -> date:
    return given or services_of(request).app.clock().astimezone(PARIS).date()


async def readable_path(
    request: Request[Any, Any, Any], actor: Actor, organisation: str, project_id: UUID
) -> ProjectPath:
    """A project's path, if ``actor`` may read it (else not found, whether it exists or not)."""
    path = await portfolio_views.project_path(reader(request), project_id, today=today_of(request))
    if path is None or path.organisation != organisation:
        raise NotFound("Projet introuvable.")
    access.require_project_path_reader(
        actor,
        organisation=organisation,
        forum_id=path.forum_id,
        forum_host=path.forum_host,
        partner=path.partner,
        team=path.team,
    )
    return path


async def board_for(
    request: Request[Any, Any, Any], actor: Actor, *, today: date, organisation: str | None = None
) -> Board:
    scope = access.portfolio_scope(actor)
    return await portfolio_views.board(
        reader(request),
        today=today,
        everything=scope.everything,
        organisations=scope.organisations,
        host_organisations=scope.host_organisations,
        forum_ids=scope.forum_ids,
        partners=scope.partners,
        organisation=organisation,
    )


async def funnel_for(request: Request[Any, Any, Any], actor: Actor | None, forum_id: UUID) -> Funnel:
    funnel = await portfolio_views.funnel(reader(request), forum_id)
    if funnel is None:
        raise NotFound("Forum introuvable.")
    access.require_funnel_reader(actor, host=funnel.host, forum_id=forum_id, published=funnel.published)
    return funnel


async def forum_host_of(request: Request[Any, Any, Any], forum_id: UUID | None, given: str | None) -> str | None:
    """The host of the forum a laureate won at, when the client did not name it (read in the read models)."""
    if given or forum_id is None:
        return given
    forum = await portfolio_views.forum_summary(reader(request), forum_id)
    return forum.host if forum else None


class PortfolioApi(Controller):
    """Boards, paths, funnels and convergent projects."""

    path = "/api/v1"
    tags = ["portfolio"]

    @get(
        "/portfolio",
        summary="The board of every pre-incubation you may follow: your organisation's, the laureates of forums it "
        "hosts, those it supports as a partner",
    )
    async def board(
        self,
        request: Request[Any, Any, Any],
        today: Today,
        organisation: Annotated[str | None, Parameter(description="only this organisation's projects")] = None,
    ) -> Board:
        return await board_for(request, actor_of(request), today=today_of(request, today), organisation=organisation)

    @get("/organisations/{organisation:str}/portfolio", summary="An organisation's board (its organisers, auditors)")
    async def organisation_board(
        self, request: Request[Any, Any, Any], organisation: Organisation, today: Today
    ) -> Board:
        access.require_portfolio_reader(actor_of(request), organisation)
        return await portfolio_views.board(
            reader(request), today=today_of(request, today), everything=True, organisation=organisation
        )

    @get(
        "/organisations/{organisation:str}/projects/{project_id:uuid}/path",
        summary="A project's whole path: call, selection, forum, prize, pre-incubation, outcome",
    )
    async def project_path(
        self, request: Request[Any, Any, Any], organisation: Organisation, project_id: FromPath[UUID]
    ) -> ProjectPath:
        return await readable_path(request, actor_of(request), organisation, project_id)

    @get(
        "/forums/{forum_id:uuid}/funnel",
        summary="A forum's funnel: submitted, selected, nominated, pitched, laureates, pre-incubated, deployed",
    )
    async def funnel(self, request: Request[Any, Any, Any], forum_id: FromPath[UUID]) -> Funnel:
        return await funnel_for(request, actor_of(request), forum_id)

    @get(
        "/organisations/{organisation:str}/convergences",
        summary="Projects of other organisations addressing the same problems as yours (organisers)",
    )
    async def convergences(self, request: Request[Any, Any, Any], organisation: Organisation) -> list[ConvergenceGroup]:
        access.require_convergence_reader(actor_of(request), organisation)
        return await convergences_for(reader(request), organisation)
