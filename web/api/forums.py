"""Forums and prize editions: the JSON API for hosts, participating organisations, jurors, coaches, voters, auditors.

A forum is named by its host organisation and its key or id: ``/api/v1/forums/{host}/{forum}``. Every command
carries a client-chosen ``command_id``: sending it again (a juror's phone on flaky wifi) returns the first answer
and records nothing new. Times are ISO 8601 with an offset. Lists read the projections, which follow the commands
within a moment. A forum one has no standing in answers 404; an action one's standing does not allow, 403.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, patch, post, put
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath, JSONBody, Parameter

from domain.errors import Forbidden, Invalid, NotFound
from domain.forum import CoachingSlot, PitchSlot, Prize, Voter, coaching_rota, running_order
from domain.values import DAY_SECONDS, check_moment
from forum import forums
from forum.access import Actor
from forum.forums import AUDITOR, COACH, HOST, JUROR, PARTICIPANT, VOTER
from projections import forums as views
from projections.forums import (
    CoachingSessionView,
    CoachingSlotView,
    ForumListItem,
    ForumSummary,
    HostView,
    Jury,
    NominationView,
    RunningSlotView,
    Stage,
    VoterBallot,
    VoteView,
)
from projections.palmares import PalmaresView, draft_palmares, published_palmares
from web.context import actor_of, services_of

CommandId = Annotated[
    str, msgspec.Meta(description="Client-chosen id (1–100 of A-Z a-z 0-9 . _ : -); sending it again is harmless.")
]
When = Annotated[datetime, msgspec.Meta(tz=True, description="ISO 8601 with an offset, e.g. 2019-11-28T14:00:00+01:00")]
Seconds = Annotated[int, msgspec.Meta(ge=0, le=DAY_SECONDS, description="0 to 86,400")]
Minutes = Annotated[int, msgspec.Meta(ge=1, le=DAY_SECONDS // 60, description="1 to 1,440")]
Cents = Annotated[int, msgspec.Meta(ge=0, description="euro cents")]
HostPath = Annotated[str, Parameter(description="the host organisation's slug")]
ForumPath = Annotated[str, Parameter(description="the forum's key (given when planned) or id")]


# -- inputs ------------------------------------------------------------------------------------------------------------


class Command(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId


class PlanForum(msgspec.Struct, forbid_unknown_fields=True):
    """Plan a forum (a joint day) or a prize edition hosted by the organisation (its organisers)."""

    command_id: CommandId
    key: Annotated[str, msgspec.Meta(description="short name in URLs, e.g. forum-2019: lowercase, digits, hyphens")]
    title: str
    kind: Annotated[str, msgspec.Meta(description="forum or prize")]
    starts_on: date
    place: str
    quota: Annotated[int, msgspec.Meta(description="projects each organisation may nominate (1–100)")]
    ends_on: date | None = None
    categories: list[str] = []
    budget_cents: Annotated[Cents | None, msgspec.Meta(description="the total no set of awards may exceed")] = None


class AmendEdition(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    title: str
    place: str
    starts_on: date
    ends_on: date | None = None


class SetBudget(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    budget_cents: Cents | None


class Invite(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    organisation: str
    quota: Annotated[int | None, msgspec.Meta(description="its own quota; the forum's when absent")] = None


class Decline(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    reason: str = ""


class SetQuota(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    quota: int


class DefinePrize(msgspec.Struct, forbid_unknown_fields=True):
    """A prize (the key is in the path): main (the ranking's first), category, special (the jury's free choice) or
    vote (decided by an online vote); ``amount_cents`` per laureate."""

    command_id: CommandId
    label: str
    kind: Annotated[str, msgspec.Meta(description="main, category, special or vote")]
    laureates: int = 1
    category: str | None = None
    amount_cents: Cents | None = None
    ranked: Annotated[bool, msgspec.Meta(description="laureates listed first, second… in the order designated")] = False


class Nominate(msgspec.Struct, forbid_unknown_fields=True):
    """Nominate a project the organisation selected locally (its organisers)."""

    command_id: CommandId
    project_id: UUID
    project_organisation: Annotated[
        str | None, msgspec.Meta(description="the project's store, when a partner's agent answered the call")
    ] = None


class Withdraw(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    reason: str = ""
    project_organisation: str | None = None


class Appoint(msgspec.Struct, forbid_unknown_fields=True):
    """Appoint a person (of any organisation) as coach: they receive the forum's ``coach`` role."""

    command_id: CommandId
    person_id: str
    organisation: str


class AppointJuror(msgspec.Struct, forbid_unknown_fields=True):
    """Appoint a juror in a college (elected official, director-general, agent, outside personality…)."""

    command_id: CommandId
    person_id: str
    organisation: str
    college: str


class CoachingSlotIn(msgspec.Struct, forbid_unknown_fields=True):
    project_id: UUID
    coach_id: str
    starts_at: When
    minutes: Minutes


class AssignCoaching(msgspec.Struct, forbid_unknown_fields=True):
    """Either explicit ``slots``, or a rota: ``project_ids`` shared among ``coach_ids`` in turn from ``starts_at``."""

    command_id: CommandId
    slots: list[CoachingSlotIn] = []
    project_ids: list[UUID] = []
    coach_ids: list[str] = []
    starts_at: When | None = None
    minutes: Minutes = 50

    def coaching(self) -> list[CoachingSlot]:
        if self.slots:
            return [
                CoachingSlot(
                    s.project_id,
                    s.coach_id,
                    s.starts_at,
                    check_moment(s.starts_at, f"slots[{i}].starts_at") + _minutes(s.minutes),
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


class CoachingSession(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    notes: str = ""
    problem_statement: str = ""
    pitch_points: list[str] = []


class PitchSlotIn(msgspec.Struct, forbid_unknown_fields=True):
    project_id: UUID
    starts_at: When
    pitch_seconds: Seconds
    questions_seconds: Seconds


class SetRunningOrder(msgspec.Struct, forbid_unknown_fields=True):
    """Either explicit ``slots``, or back-to-back slots for ``project_ids`` from ``starts_at``."""

    command_id: CommandId
    slots: list[PitchSlotIn] = []
    project_ids: list[UUID] = []
    starts_at: When | None = None
    pitch_seconds: Seconds = 180
    questions_seconds: Seconds = 300
    changeover_seconds: Seconds = 0

    def running_order(self) -> list[PitchSlot]:
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


class RecordPitch(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    duration_seconds: Annotated[int, msgspec.Meta(description="how long the team actually spoke")]


class VoterIn(msgspec.Struct, forbid_unknown_fields=True):
    person_id: str
    organisation: str


class OrganiseVote(msgspec.Struct, forbid_unknown_fields=True):
    """Who votes (one ballot each), when, whether for their own organisation, and how a tie is settled."""

    command_id: CommandId
    electorate: list[VoterIn]
    opens_at: When
    closes_at: When
    allow_own_organisation: bool = False
    tie_break: Annotated[str, msgspec.Meta(description="draw (with a seed published now) or jury_vote")] = "draw"
    draw_seed: str | None = None


class CastVote(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    project_id: UUID


class CountVotes(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    tie_order: Annotated[list[UUID], msgspec.Meta(description="a tie under jury_vote: the jury's order")] = []
    rationale: str = ""


# -- outputs -----------------------------------------------------------------------------------------------------------


class ForumState(msgspec.Struct):
    id: str
    host: str
    title: str
    deliberation: str
    published: bool
    key: str | None = None


class Participation(msgspec.Struct):
    forum_id: str
    organisation: str
    status: str | None = None
    quota: int | None = None


class PrizeDefined(msgspec.Struct):
    forum_id: str
    prize: dict[str, Any]


class Nomination(msgspec.Struct):
    forum_id: str
    project_id: str
    project_store: str
    organisation: str
    title: str
    withdrawn: bool
    nominated: int
    quota: int


class Appointment(msgspec.Struct):
    forum_id: str
    person_id: str
    organisation: str
    role: str | None = None
    college: str | None = None


class Done(msgspec.Struct):
    """What a command changed, in a few figures."""

    forum_id: str
    project_id: str | None = None
    assigned: int | None = None
    sessions: int | None = None
    slots: int | None = None
    duration_seconds: int | None = None
    absent: bool | None = None
    project_ids: list[str] | None = None


class VoteOrganised(msgspec.Struct):
    forum_id: str
    prize_key: str
    electorate: int
    opens_at: datetime
    closes_at: datetime


class BallotCast(msgspec.Struct):
    forum_id: str
    prize_key: str
    voted: bool
    cast_at: datetime


class VotesCounted(msgspec.Struct):
    forum_id: str
    prize_key: str
    count: dict[str, Any]


class PalmaresPublished(msgspec.Struct):
    forum_id: str
    published_at: datetime
    palmares: dict[str, Any]


def _as(kind: type[Any], result: Any) -> Any:
    return msgspec.convert(result, kind)


def _minutes(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


# -- reading with the same rights as the commands ---------------------------------------------------------------------


def reader(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.reader


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


def _app(request: Request[Any, Any, Any]) -> Any:
    return services_of(request).app


def _ref(host: str, forum: str) -> dict[str, Any]:
    return {"host": host, "forum_id": forums.forum_id_for(host, forum)}


# -- the controller ----------------------------------------------------------------------------------------------------


class ForumsApi(Controller):
    """A forum or prize edition: run by its host, joined by invited organisations, scored by its jury."""

    path = "/api/v1/forums"
    tags = ["forums"]

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
        result = forums.plan_forum(
            _app(request),
            actor_of(request),
            data.command_id,
            host=host,
            key=data.key,
            title=data.title,
            kind=data.kind,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            place=data.place,
            quota=data.quota,
            categories=data.categories,
            budget_cents=data.budget_cents,
        )
        return _as(ForumState, result)

    @get("/{host:str}/{forum:str}", summary="The forum's programme: participants, quotas, prizes, rules (its people)")
    async def show(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> ForumSummary:
        forum_id, _, _ = await forum_standing(request, actor_of(request), host, forum)
        summary = await views.forum_summary(reader(request), forum_id)
        if summary is None:  # pragma: no cover — it was there a moment ago
            raise NotFound(forums.FORUM_NOT_FOUND)
        return summary

    @patch("/{host:str}/{forum:str}", summary="Amend the edition: title, place, dates (host)", sync_to_thread=True)
    def amend(
        self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath, data: JSONBody[AmendEdition]
    ) -> ForumState:
        result = forums.amend_edition(
            _app(request),
            actor_of(request),
            data.command_id,
            title=data.title,
            place=data.place,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            **_ref(host, forum),
        )
        return _as(ForumState, result)

    @put("/{host:str}/{forum:str}/budget", summary="Set the total budget of the awards (host)", sync_to_thread=True)
    def budget(
        self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath, data: JSONBody[SetBudget]
    ) -> ForumState:
        result = forums.set_budget(
            _app(request), actor_of(request), data.command_id, budget_cents=data.budget_cents, **_ref(host, forum)
        )
        return _as(ForumState, result)

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
    def invite(
        self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath, data: JSONBody[Invite]
    ) -> Participation:
        result = forums.invite(
            _app(request),
            actor_of(request),
            data.command_id,
            organisation=data.organisation,
            quota=data.quota,
            **_ref(host, forum),
        )
        return _as(Participation, result)

    @post(
        "/{host:str}/{forum:str}/invitations/{organisation:str}/accept",
        summary="Accept the invitation (the invited organisation's organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def accept(
        self,
        request: Request[Any, Any, Any],
        host: HostPath,
        forum: ForumPath,
        organisation: FromPath[str],
        data: JSONBody[Command],
    ) -> Participation:
        result = forums.accept_invitation(
            _app(request), actor_of(request), data.command_id, organisation=organisation, **_ref(host, forum)
        )
        return _as(Participation, result)

    @post(
        "/{host:str}/{forum:str}/invitations/{organisation:str}/decline",
        summary="Decline the invitation, with a reason (the invited organisation's organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def decline(
        self,
        request: Request[Any, Any, Any],
        host: HostPath,
        forum: ForumPath,
        organisation: FromPath[str],
        data: JSONBody[Decline],
    ) -> Participation:
        result = forums.decline_invitation(
            _app(request),
            actor_of(request),
            data.command_id,
            organisation=organisation,
            reason=data.reason,
            **_ref(host, forum),
        )
        return _as(Participation, result)

    @put(
        "/{host:str}/{forum:str}/quotas/{organisation:str}",
        summary="Set an organisation's quota (host)",
        sync_to_thread=True,
    )
    def quota(
        self,
        request: Request[Any, Any, Any],
        host: HostPath,
        forum: ForumPath,
        organisation: FromPath[str],
        data: JSONBody[SetQuota],
    ) -> Participation:
        result = forums.set_quota(
            _app(request),
            actor_of(request),
            data.command_id,
            organisation=organisation,
            quota=data.quota,
            **_ref(host, forum),
        )
        return _as(Participation, result)

    @put(
        "/{host:str}/{forum:str}/prizes/{key:str}",
        summary="Define (or redefine, before its laureates) a prize (host)",
        sync_to_thread=True,
    )
    def prize(
        self,
        request: Request[Any, Any, Any],
        host: HostPath,
        forum: ForumPath,
        key: FromPath[str],
        data: JSONBody[DefinePrize],
    ) -> PrizeDefined:
        prize = Prize(
            key=key,
            label=data.label,
            kind=data.kind,
            laureates=data.laureates,
            category=data.category,
            amount_cents=data.amount_cents,
            ranked=data.ranked,
        )
        result = forums.define_prize(
            _app(request), actor_of(request), data.command_id, prize=prize, **_ref(host, forum)
        )
        return _as(PrizeDefined, result)

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
    def nominate(
        self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath, data: JSONBody[Nominate]
    ) -> Nomination:
        result = forums.nominate(
            _app(request),
            actor_of(request),
            data.command_id,
            project_id=data.project_id,
            organisation=data.project_organisation,
            **_ref(host, forum),
        )
        return _as(Nomination, result)

    @post(
        "/{host:str}/{forum:str}/nominations/{project_id:uuid}/withdraw",
        summary="Withdraw a nomination before the day (the nominating organisation's organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def withdraw(
        self,
        request: Request[Any, Any, Any],
        host: HostPath,
        forum: ForumPath,
        project_id: FromPath[UUID],
        data: JSONBody[Withdraw],
    ) -> Nomination:
        result = forums.withdraw_nomination(
            _app(request),
            actor_of(request),
            data.command_id,
            project_id=project_id,
            reason=data.reason,
            organisation=data.project_organisation,
            **_ref(host, forum),
        )
        return _as(Nomination, result)

    # -- coaching ------------------------------------------------------------------------------------------------

    @post(
        "/{host:str}/{forum:str}/coaches",
        summary="Appoint a coach (host); grants the forum's coach role",
        sync_to_thread=True,
        status_code=201,
    )
    def appoint_coach(
        self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath, data: JSONBody[Appoint]
    ) -> Appointment:
        result = forums.appoint_coach(
            _app(request),
            actor_of(request),
            data.command_id,
            person_id=data.person_id,
            organisation=data.organisation,
            **_ref(host, forum),
        )
        return _as(Appointment, result)

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
        guards=[host_before_body],
    )
    def assign_coaching(
        self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath, data: JSONBody[AssignCoaching]
    ) -> Done:
        result = forums.assign_coaching(
            _app(request), actor_of(request), data.command_id, slots=data.coaching(), **_ref(host, forum)
        )
        return _as(Done, result)

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
        host: HostPath,
        forum: ForumPath,
        project_id: FromPath[UUID],
        data: JSONBody[CoachingSession],
    ) -> Done:
        result = forums.record_coaching_session(
            _app(request),
            actor_of(request),
            data.command_id,
            project_id=project_id,
            notes=data.notes,
            problem_statement=data.problem_statement,
            pitch_points=data.pitch_points,
            **_ref(host, forum),
        )
        return _as(Done, result)

    # -- pitches -------------------------------------------------------------------------------------------------

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
        guards=[host_before_body],
    )
    def set_running_order(
        self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath, data: JSONBody[SetRunningOrder]
    ) -> Done:
        result = forums.set_running_order(
            _app(request), actor_of(request), data.command_id, slots=data.running_order(), **_ref(host, forum)
        )
        return _as(Done, result)

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
        self,
        request: Request[Any, Any, Any],
        host: HostPath,
        forum: ForumPath,
        project_id: FromPath[UUID],
        data: JSONBody[RecordPitch],
    ) -> Done:
        result = forums.record_pitch(
            _app(request),
            actor_of(request),
            data.command_id,
            project_id=project_id,
            duration_seconds=data.duration_seconds,
            **_ref(host, forum),
        )
        return _as(Done, result)

    @post(
        "/{host:str}/{forum:str}/pitches/{project_id:uuid}/absence",
        summary="Mark the team absent (host)",
        sync_to_thread=True,
        status_code=201,
    )
    def absence(
        self,
        request: Request[Any, Any, Any],
        host: HostPath,
        forum: ForumPath,
        project_id: FromPath[UUID],
        data: JSONBody[Command],
    ) -> Done:
        result = forums.record_absence(
            _app(request), actor_of(request), data.command_id, project_id=project_id, **_ref(host, forum)
        )
        return _as(Done, result)

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
        self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath, data: JSONBody[AppointJuror]
    ) -> Appointment:
        result = forums.appoint_juror(
            _app(request),
            actor_of(request),
            data.command_id,
            person_id=data.person_id,
            organisation=data.organisation,
            college=data.college,
            **_ref(host, forum),
        )
        return _as(Appointment, result)

    # -- votes ---------------------------------------------------------------------------------------------------

    @get("/{host:str}/{forum:str}/votes", summary="Votes: who voted (host); what each voted (auditors only)")
    async def votes(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> list[VoteView]:
        forum_id, _, held = await require(request, host, forum, HOST, AUDITOR)
        return await views.votes(reader(request), forum_id, with_ballots=AUDITOR in held)

    @put(
        "/{host:str}/{forum:str}/votes/{prize_key:str}",
        summary="Organise a prize's vote: electorate, period, tie-break (host); grants the voter role",
        sync_to_thread=True,
    )
    def organise_vote(
        self,
        request: Request[Any, Any, Any],
        host: HostPath,
        forum: ForumPath,
        prize_key: FromPath[str],
        data: JSONBody[OrganiseVote],
    ) -> VoteOrganised:
        result = forums.organise_vote(
            _app(request),
            actor_of(request),
            data.command_id,
            prize_key=prize_key,
            electorate=[Voter(v.person_id, v.organisation) for v in data.electorate],
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            allow_own_organisation=data.allow_own_organisation,
            tie_break=data.tie_break,
            draw_seed=data.draw_seed,
            **_ref(host, forum),
        )
        return _as(VoteOrganised, result)

    @get("/{host:str}/{forum:str}/my-ballots", summary="The votes one may cast, the candidates, one's ballot (a voter)")
    async def my_ballots(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> list[VoterBallot]:
        forum_id, actor, _ = await require(request, host, forum, VOTER)
        return await views.voter_ballots(reader(request), forum_id, actor.person_id, actor.organisation)

    @post(
        "/{host:str}/{forum:str}/votes/{prize_key:str}/ballots",
        summary="Cast one's one ballot, within the period (a voter)",
        sync_to_thread=True,
        status_code=201,
    )
    def cast_vote(
        self,
        request: Request[Any, Any, Any],
        host: HostPath,
        forum: ForumPath,
        prize_key: FromPath[str],
        data: JSONBody[CastVote],
    ) -> BallotCast:
        result = forums.cast_vote(
            _app(request),
            actor_of(request),
            data.command_id,
            prize_key=prize_key,
            project_id=data.project_id,
            **_ref(host, forum),
        )
        return _as(BallotCast, result)

    @post(
        "/{host:str}/{forum:str}/votes/{prize_key:str}/count",
        summary="Count a closed vote (host); a tie under jury_vote needs the jury's order",
        sync_to_thread=True,
        status_code=200,
    )
    def count_votes(
        self,
        request: Request[Any, Any, Any],
        host: HostPath,
        forum: ForumPath,
        prize_key: FromPath[str],
        data: JSONBody[CountVotes],
    ) -> VotesCounted:
        result = forums.count_votes(
            _app(request),
            actor_of(request),
            data.command_id,
            prize_key=prize_key,
            tie_order=data.tie_order,
            rationale=data.rationale,
            **_ref(host, forum),
        )
        return _as(VotesCounted, result)

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
        self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath, data: JSONBody[Command]
    ) -> PalmaresPublished:
        result = forums.publish_palmares(_app(request), actor_of(request), data.command_id, **_ref(host, forum))
        return _as(PalmaresPublished, result)
