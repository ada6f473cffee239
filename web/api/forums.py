"""Forums and prize editions: the JSON API for hosts, participating organisations, jurors, coaches, voters, auditors.

A forum is named by its host organisation and its key or id: ``/api/v1/forums/{host}/{forum}``. Every command
carries a client-chosen ``command_id``: sending it again (a juror's phone on flaky wifi) returns the first answer
and records nothing new. Times are ISO 8601 with an offset. Lists read the projections, which follow the commands
within a moment. A forum one has no standing in answers 404; an action one's standing does not allow, 403.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post, put
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath, JSONBody, Parameter

from domain.errors import NotFound
from forum import forums
from forum.access import Actor
from forum.forums import (
    AUDITOR,
    COACH,
    HOST,
    JUROR,
    PARTICIPANT,
    Accept,
    AcceptForumInvitation,
    AmendEdition,
    Appointment,
    Decline,
    DeclineForumInvitation,
    DefinePrize,
    ForumRef,
    ForumState,
    Invite,
    Nominate,
    Nomination,
    PalmaresPublished,
    Participation,
    PlanForum,
    PrizeDefined,
    PublishPalmares,
    SetBudget,
    SetOrganisationQuota,
    SetQuota,
    Withdraw,
    WithdrawNomination,
)
from forum.jury import AppointJuror
from projections import forums as views
from projections.forums import (
    ForumListItem,
    ForumSummary,
    HostView,
    Jury,
    NominationView,
)
from projections.palmares import PalmaresView, draft_palmares, published_palmares
from web.commands import command, forum_ref, targets, with_path
from web.context import actor_of, reader

HostPath = Annotated[str, Parameter(description="the host organisation's slug")]
ForumPath = Annotated[str, Parameter(description="the forum's key (given when planned) or id")]


def forum_named(host: HostPath, forum: ForumPath) -> ForumRef:
    """The forum the URL names: the target of its commands (``ON_FORUM`` checks the actor's standing in it)."""
    return forum_ref(host, forum)


ON_FORUM_URL = targets(forum_named)  # a forum controller's ``dependencies``


# -- reading with the same rights as the commands ---------------------------------------------------------------------


async def forum_standing(
    request: Request[Any, Any, Any], actor: Actor | None, host: str, forum: str
) -> tuple[UUID, frozenset[str], views.ForumAccess]:
    """The forum a URL names and the actor's standing in it; NotFound when it does not exist for them."""
    forum_id = forums.forum_id_for(host, forum)
    access = await views.forum_access(reader(request), forum_id)
    if access is None or access.host != host:
        raise NotFound(forums.FORUM_NOT_FOUND)
    held = forums.standing(actor, forum_id=forum_id, host=access.host, invited=access.invited)
    if not held:  # a forum one has no standing in does not exist, whatever is asked
        raise NotFound(forums.FORUM_NOT_FOUND, rule="not_found")
    return forum_id, held, access


async def require(
    request: Request[Any, Any, Any], host: str, forum: str, *allowed: str
) -> tuple[UUID, Actor, frozenset[str]]:
    actor = actor_of(request)
    forum_id, held, _ = await forum_standing(request, actor, host, forum)
    forums.require_standing(held, *allowed)
    return forum_id, actor, held


async def host_before_body(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: only the host goes on, checked before the body is decoded (anyone else's bad body is still a 403)."""
    await require(connection, connection.path_params["host"], connection.path_params["forum"], HOST)  # type: ignore[arg-type]


# -- the controller ----------------------------------------------------------------------------------------------------


class ForumsApi(Controller):
    """A forum or prize edition: run by its host, joined by invited organisations, scored by its jury."""

    path = "/api/v1/forums"
    tags = ["forums"]
    dependencies = ON_FORUM_URL

    # -- the edition ---------------------------------------------------------------------------------------------

    @get("/", summary="The forums one's organisation hosts or is invited to, and those one holds a role in")
    async def list_forums(self, request: Request[Any, Any, Any]) -> list[ForumListItem]:
        actor = actor_of(request)
        return await views.list_forums(
            reader(request),
            organisation=actor.organisation,
            forum_ids={forum for forum, _ in actor.forum_roles},
            everything=actor.is_admin,
        )

    @post(
        "/{host:str}",
        summary="Plan a forum or a prize edition (the host's organisers)",
        sync_to_thread=True,
        status_code=201,
    )
    def plan(self, request: Request[Any, Any, Any], host: HostPath, data: JSONBody[PlanForum]) -> ForumState:
        return command(request, data, host)

    @get("/{host:str}/{forum:str}", summary="The forum's programme: participants, quotas, prizes, rules (its people)")
    async def show(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> ForumSummary:
        forum_id, _, _ = await forum_standing(request, actor_of(request), host, forum)
        summary = await views.forum_summary(reader(request), forum_id)
        if summary is None:  # pragma: no cover — it was there a moment ago
            raise NotFound(forums.FORUM_NOT_FOUND)
        return summary

    @patch("/{host:str}/{forum:str}", summary="Amend the edition: title, place, dates (host)", sync_to_thread=True)
    def amend(self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[AmendEdition]) -> ForumState:
        return command(request, data, target)

    @put("/{host:str}/{forum:str}/budget", summary="Set the total budget of the awards (host)", sync_to_thread=True)
    def budget(self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[SetBudget]) -> ForumState:
        return command(request, data, target)

    @get(
        "/{host:str}/{forum:str}/overview",
        summary="Everything the host sees: nominations, coaching, running order, jury, progress, ranking, "
        "deliberation, votes (who voted; what each voted only for auditors)",
    )
    async def overview(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> HostView:
        forum_id, _, held = await require(request, host, forum, HOST, AUDITOR)
        view = await views.host_view(reader(request), forum_id, with_ballots=AUDITOR in held)
        if view is None:  # pragma: no cover
            raise NotFound(forums.FORUM_NOT_FOUND)
        return view

    # -- participants --------------------------------------------------------------------------------------------

    @post(
        "/{host:str}/{forum:str}/invitations",
        summary="Invite an organisation, with its quota (host)",
        sync_to_thread=True,
        status_code=201,
    )
    def invite(self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[Invite]) -> Participation:
        return command(request, data, target)

    @post(
        "/{host:str}/{forum:str}/invitations/{organisation:str}/accept",
        summary="Accept the invitation (the invited organisation's organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def accept(
        self, request: Request[Any, Any, Any], target: ForumRef, organisation: FromPath[str], data: JSONBody[Accept]
    ) -> Participation:
        return command(request, with_path(data, AcceptForumInvitation, organisation=organisation), target)

    @post(
        "/{host:str}/{forum:str}/invitations/{organisation:str}/decline",
        summary="Decline the invitation, with a reason (the invited organisation's organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def decline(
        self, request: Request[Any, Any, Any], target: ForumRef, organisation: FromPath[str], data: JSONBody[Decline]
    ) -> Participation:
        return command(request, with_path(data, DeclineForumInvitation, organisation=organisation), target)

    @put(
        "/{host:str}/{forum:str}/quotas/{organisation:str}",
        summary="Set an organisation's quota (host)",
        sync_to_thread=True,
    )
    def quota(
        self, request: Request[Any, Any, Any], target: ForumRef, organisation: FromPath[str], data: JSONBody[SetQuota]
    ) -> Participation:
        return command(request, with_path(data, SetOrganisationQuota, organisation=organisation), target)

    @put(
        "/{host:str}/{forum:str}/prizes/{key:str}",
        summary="Define (or redefine, before its laureates) a prize (host)",
        sync_to_thread=True,
    )
    def prize(
        self, request: Request[Any, Any, Any], target: ForumRef, key: FromPath[str], data: JSONBody[DefinePrize]
    ) -> PrizeDefined:
        return command(request, data.keyed(key), target)

    # -- nominations ---------------------------------------------------------------------------------------------

    @get(
        "/{host:str}/{forum:str}/nominations",
        summary="Projects nominated, as they stood then (host, jury, coaches, auditors: all; a participating "
        "organisation's organisers: their own)",
    )
    async def nominations(
        self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath
    ) -> list[NominationView]:
        forum_id, actor, held = await require(request, host, forum, HOST, AUDITOR, JUROR, COACH, PARTICIPANT)
        everything = bool(held & {HOST, AUDITOR, JUROR, COACH})
        return await views.nominations(
            reader(request), forum_id, organisation=None if everything else actor.organisation
        )

    @post(
        "/{host:str}/{forum:str}/nominations",
        summary="Nominate a project selected locally, within the quota (a participating organisation's organisers)",
        sync_to_thread=True,
        status_code=201,
    )
    def nominate(self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[Nominate]) -> Nomination:
        return command(request, data, target, through=forums.nominate)

    @post(
        "/{host:str}/{forum:str}/nominations/{project_id:uuid}/withdraw",
        summary="Withdraw a nomination before the day (the nominating organisation's organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def withdraw(
        self, request: Request[Any, Any, Any], target: ForumRef, project_id: FromPath[UUID], data: JSONBody[Withdraw]
    ) -> Nomination:
        withdrawal = with_path(data, WithdrawNomination, project_id=project_id)
        return command(request, withdrawal, target, through=forums.withdraw)

    # -- the jury ------------------------------------------------------------------------------------------------

    @get("/{host:str}/{forum:str}/jury", summary="Jurors, rules and their versions, conflicts (host, jury, auditors)")
    async def jury(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> Jury:
        forum_id, _, _ = await require(request, host, forum, HOST, JUROR, AUDITOR)
        return await views.jury(reader(request), forum_id)

    @post(
        "/{host:str}/{forum:str}/jurors",
        summary="Appoint a juror in a college (host); grants the juror role",
        sync_to_thread=True,
        status_code=201,
    )
    def appoint_juror(
        self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[AppointJuror]
    ) -> Appointment:
        return command(request, data, target)

    # -- the palmarès --------------------------------------------------------------------------------------------

    @get(
        "/{host:str}/{forum:str}/palmares",
        summary="The palmarès: as deliberated so far for the host and the jury; once published, for all",
    )
    async def palmares(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> PalmaresView:
        forum_id, held, access = await forum_standing(request, actor_of(request), host, forum)
        if access.published:
            view = await published_palmares(reader(request), forum_id)
        else:
            forums.require_standing(held, HOST, JUROR, AUDITOR)
            view = await draft_palmares(reader(request), forum_id)
        if view is None:  # pragma: no cover
            raise NotFound(forums.FORUM_NOT_FOUND)
        return view

    @post(
        "/{host:str}/{forum:str}/palmares/publish",
        summary="Publish the palmarès at the ceremony, after deliberation and every vote counted (host)",
        sync_to_thread=True,
        status_code=200,
    )
    def publish(
        self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[PublishPalmares]
    ) -> PalmaresPublished:
        return command(request, data, target, through=forums.publish)
