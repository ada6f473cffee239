"""Forums and prize editions: the edition (its header: programme, rules in force, deliberation, publication), the
organisations invited with their quotas, the prizes, and the projects nominated — and the queries the host's pages,
the jurors', coaches' and voters' pages and the JSON API share.

Nothing here is public: every query answers whoever calls it, so callers check the actor's standing first
(``forum.forums.standing`` on ``forum_access``). The forum's other read models are one module each, named for the
feature: ``projections.coaching``, ``projections.stage`` (running order, pitches), ``projections.jury`` (jurors,
rules, conflicts, scores, ranking, deliberation), ``projections.votes``, ``projections.palmares``; their views and
queries are re-exported here under their former names (``views.juror_sheet``…), and ``host_view`` assembles them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.forum import Forum
from projections.coaching import (
    CoachingSessionView,
    CoachingSlotView,
    CoachView,
    coaches,
    coaching_rota,
    coaching_sessions,
)
from projections.dispatch import Conn, EventProjection, EventsOf, RowOf, from_json, on, to_json
from projections.jury import (
    ConflictView,
    Deliberation,
    Designation,
    JurorProgress,
    JurorSheet,
    JurorView,
    Jury,
    ProjectProgress,
    RankingView,
    RulesVersion,
    ScoringProgress,
    SheetLine,
    TieDecisionView,
    deliberation,
    juror_sheet,
    jury,
    ranking,
    scoring_progress,
)
from projections.projector import Envelope
from projections.stage import RunningSlotView, Stage, running_order, stage
from projections.votes import Ballot, Candidate, VoterBallot, VoterStatus, VoteView, voter_ballots, votes

__all__ = [
    "Ballot",
    "Candidate",
    "CoachView",
    "CoachingSessionView",
    "CoachingSlotView",
    "ConflictView",
    "Conn",
    "Deliberation",
    "Designation",
    "ForumAccess",
    "ForumListItem",
    "ForumSummary",
    "Forums",
    "HostView",
    "JurorProgress",
    "JurorSheet",
    "JurorView",
    "Jury",
    "NominationView",
    "Participant",
    "PrizeView",
    "ProjectProgress",
    "RankingView",
    "RulesVersion",
    "RunningSlotView",
    "ScoringProgress",
    "SheetLine",
    "Stage",
    "TeamMemberView",
    "TieDecisionView",
    "VoteView",
    "VoterBallot",
    "VoterStatus",
    "coaches",
    "coaching_rota",
    "coaching_sessions",
    "deliberation",
    "forum_access",
    "forum_summary",
    "host_view",
    "juror_sheet",
    "jury",
    "list_forums",
    "nominations",
    "projects_of_person",
    "ranking",
    "running_order",
    "scoring_progress",
    "stage",
    "team_of",
    "voter_ballots",
    "votes",
]

F = EventsOf(Forum)

# What makes the last recorded ranking outdated (``read.forums.ranking_outdated``) until the next one.
RANKING_CHANGES = (
    F.ProjectNominated,
    F.NominationWithdrawn,
    F.RulesSet,
    F.RulesAmended,
    F.ConflictDeclared,
    F.ScoreRecorded,
    F.TieBroken,
)


# The edition's row (``read.forums``), updated by most of the forum's events
FORUM = RowOf("read.forums", "forum_id")


class Forums(EventProjection):
    name = "forums"
    tables = ("read.forums", "read.forum_participants", "read.forum_prizes", "read.forum_nominations")

    @on(F.Planned)
    async def planned(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forums (forum_id, organisation, title, kind, starts_on, ends_on, place, quota,"
            " categories, budget_cents, planned_at, planned_by, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11)",
            envelope.originator_id,
            envelope.organisation,
            e.title,
            e.kind,
            e.starts_on,
            e.ends_on,
            e.place,
            e.quota,
            list(e.categories),
            e.budget_cents,
            e.meta.at,
            e.meta.actor,
        )

    @on(*RANKING_CHANGES)
    async def ranking_outdated(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await FORUM.set(conn, envelope, "ranking_outdated = true, updated_at = $2", e.meta.at)

    @on(F.RankingComputed)
    async def ranking_computed(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await FORUM.set(conn, envelope, "ranking_outdated = false")

    @on(F.EditionAmended)
    async def edition_amended(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        sets = "title = $2, place = $3, starts_on = $4, ends_on = $5, updated_at = $6"
        await FORUM.set(conn, envelope, sets, e.title, e.place, e.starts_on, e.ends_on, e.meta.at)

    @on(F.BudgetSet)
    async def budget_set(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await FORUM.set(conn, envelope, "budget_cents = $2, updated_at = $3", e.budget_cents, e.meta.at)

    @on(F.RulesSet, F.RulesAmended)
    async def rules_in_force(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await FORUM.set(conn, envelope, "rules = $2::jsonb, rules_version = $3", to_json(e.rules), e.version)

    @on(F.ScoreRecorded)
    async def rules_locked(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await FORUM.set(conn, envelope, "rules_locked_at = coalesce(rules_locked_at, $2)", e.meta.at)

    @on(F.DeliberationOpened)
    async def deliberation_opened(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        sets = "deliberation = 'open', deliberation_opened_at = $2, updated_at = $2"
        await FORUM.set(conn, envelope, sets, e.meta.at)

    @on(F.DeliberationClosed)
    async def deliberation_closed(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        sets = "deliberation = 'closed', deliberation_closed_at = $2, updated_at = $2"
        await FORUM.set(conn, envelope, sets, e.meta.at)

    @on(F.PalmaresPublished)
    async def palmares_published(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await FORUM.set(conn, envelope, "published_at = $2, updated_at = $2", e.meta.at)

    # -- participants and their quotas ---------------------------------------------------------------------------

    @on(F.OrganisationInvited)
    async def organisation_invited(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forum_participants (forum_id, participant, organisation, status, quota, invited_at)"
            " VALUES ($1, $2, $3, 'invited', $4, $5) ON CONFLICT (forum_id, participant) DO UPDATE"
            " SET status = 'invited', quota = EXCLUDED.quota, reason = '', invited_at = EXCLUDED.invited_at,"
            " answered_at = NULL, answered_by = NULL",
            envelope.originator_id,
            e.organisation,
            envelope.organisation,
            e.quota,
            e.meta.at,
        )

    @on(F.InvitationAccepted)
    async def invitation_accepted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await self._answered(conn, envelope, e, "accepted", "")

    @on(F.InvitationDeclined)
    async def invitation_declined(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await self._answered(conn, envelope, e, "declined", e.reason)

    async def _answered(self, conn: asyncpg.Connection, envelope: Envelope, e: Any, status: str, reason: str) -> None:
        await conn.execute(
            "UPDATE read.forum_participants SET status = $3, reason = $4, answered_at = $5, answered_by = $6"
            " WHERE forum_id = $1 AND participant = $2",
            envelope.originator_id,
            e.organisation,
            status,
            reason,
            e.meta.at,
            e.meta.actor,
        )

    @on(F.QuotaSet)
    async def quota_set(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "UPDATE read.forum_participants SET quota = $3 WHERE forum_id = $1 AND participant = $2",
            envelope.originator_id,
            e.organisation,
            e.quota,
        )

    # -- prizes and nominations ----------------------------------------------------------------------------------

    @on(F.PrizeDefined)
    async def prize_defined(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        p = e.prize
        await conn.execute(
            "INSERT INTO read.forum_prizes (forum_id, key, organisation, position, label, kind, laureates,"
            " category, amount_cents, ranked) VALUES ($1, $2, $3,"
            " (SELECT count(*) FROM read.forum_prizes WHERE forum_id = $1), $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (forum_id, key) DO UPDATE SET label = EXCLUDED.label, kind = EXCLUDED.kind,"
            " laureates = EXCLUDED.laureates, category = EXCLUDED.category,"
            " amount_cents = EXCLUDED.amount_cents, ranked = EXCLUDED.ranked",
            envelope.originator_id,
            p.key,
            envelope.organisation,
            p.label,
            p.kind,
            p.laureates,
            p.category,
            p.amount_cents,
            p.ranked,
        )

    @on(F.ProjectNominated)
    async def project_nominated(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        p = e.project
        await conn.execute(
            "INSERT INTO read.forum_nominations (forum_id, project_id, organisation, project_organisation, title,"
            " summary, category, team, sequence, nominated_at, nominated_by) VALUES ($1, $2, $3, $4, $5, $6, $7,"
            " $8::jsonb, (SELECT count(*) FROM read.forum_nominations WHERE forum_id = $1), $9, $10)"
            " ON CONFLICT (forum_id, project_id) DO UPDATE"
            " SET project_organisation = EXCLUDED.project_organisation, title = EXCLUDED.title,"
            " summary = EXCLUDED.summary, category = EXCLUDED.category,"
            " team = EXCLUDED.team, sequence = EXCLUDED.sequence, nominated_at = EXCLUDED.nominated_at,"
            " nominated_by = EXCLUDED.nominated_by, withdrawn_at = NULL, withdrawal_reason = ''",
            envelope.originator_id,
            p.project_id,
            envelope.organisation,
            p.organisation,
            p.title,
            p.summary,
            p.category,
            to_json(p.team),
            e.meta.at,
            e.meta.actor,
        )

    @on(F.NominationWithdrawn)
    async def nomination_withdrawn(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "UPDATE read.forum_nominations SET withdrawn_at = $3, withdrawal_reason = $4"
            " WHERE forum_id = $1 AND project_id = $2",
            envelope.originator_id,
            e.project_id,
            e.meta.at,
            e.reason,
        )


# ---------------------------------------------------------------------------------------------------------------------
# What the queries answer


class ForumAccess(msgspec.Struct, frozen=True):
    """What an access check needs: the host, and every organisation invited (whatever its answer)."""

    forum_id: UUID
    host: str
    invited: tuple[str, ...]
    published: bool


class ForumListItem(msgspec.Struct, frozen=True):
    forum_id: UUID
    host: str
    host_name: str
    title: str
    kind: str
    starts_on: date
    ends_on: date
    place: str
    deliberation: str
    published_at: datetime | None


class Participant(msgspec.Struct, frozen=True):
    organisation: str
    name: str
    status: str
    quota: int
    nominated: int
    invited_at: datetime
    answered_at: datetime | None
    reason: str


class PrizeView(msgspec.Struct, frozen=True):
    key: str
    label: str
    kind: str
    laureates: int
    category: str | None
    amount_cents: int | None
    ranked: bool


class ForumSummary(msgspec.Struct, frozen=True):
    """The forum's programme: what every person of the forum may read."""

    forum_id: UUID
    host: str
    host_name: str
    title: str
    kind: str
    starts_on: date
    ends_on: date
    place: str
    quota: int
    categories: list[str]
    budget_cents: int | None
    deliberation: str
    published_at: datetime | None
    rules: dict[str, Any] | None
    rules_version: int
    rules_locked_at: datetime | None
    participants: list[Participant]
    prizes: list[PrizeView]


class TeamMemberView(msgspec.Struct, frozen=True):
    person_id: str
    role: str


class NominationView(msgspec.Struct, frozen=True):
    project_id: UUID
    organisation: str
    organisation_name: str
    title: str
    summary: str
    category: str | None
    team: list[TeamMemberView]
    sequence: int
    nominated_at: datetime
    withdrawn_at: datetime | None
    withdrawal_reason: str


class HostView(msgspec.Struct, frozen=True):
    """Everything the host (and the forum's auditors) see of the forum."""

    forum: ForumSummary
    nominations: list[NominationView]
    coaches: list[CoachView]
    coaching: list[CoachingSlotView]
    running_order: list[RunningSlotView]
    jury: Jury
    progress: ScoringProgress
    ranking: RankingView | None
    deliberation: Deliberation
    votes: list[VoteView]


# ---------------------------------------------------------------------------------------------------------------------
# Queries


async def forum_access(conn: Conn, forum_id: UUID) -> ForumAccess | None:
    row = await conn.fetchrow(
        "SELECT f.organisation, f.published_at IS NOT NULL AS published,"
        " coalesce(array_agg(p.participant ORDER BY p.participant) FILTER (WHERE p.participant IS NOT NULL),"
        " '{}') AS invited FROM read.forums f LEFT JOIN read.forum_participants p USING (forum_id)"
        " WHERE f.forum_id = $1 GROUP BY f.forum_id",
        forum_id,
    )
    if row is None:
        return None
    return ForumAccess(forum_id, row["organisation"], tuple(row["invited"]), row["published"])


_LIST = (
    "SELECT f.forum_id, f.organisation, coalesce(o.name, f.organisation) AS host_name, f.title, f.kind, f.starts_on,"
    " f.ends_on, f.place, f.deliberation, f.published_at FROM read.forums f"
    " LEFT JOIN read.organisations o ON o.slug = f.organisation"
)


async def list_forums(
    conn: Conn, *, organisation: str | None, forum_ids: Collection[str] = (), everything: bool = False
) -> list[ForumListItem]:
    """The forums hosted by ``organisation`` or to which it is invited, and those of ``forum_ids`` (roles held);
    every forum with ``everything`` (administrators)."""
    ids = [UUID(f) for f in forum_ids]
    rows = await conn.fetch(
        _LIST + " WHERE $3 OR f.organisation = $1 OR f.forum_id = ANY($2::uuid[]) OR EXISTS (SELECT 1 FROM"
        " read.forum_participants p WHERE p.forum_id = f.forum_id AND p.participant = $1)"
        " ORDER BY f.starts_on DESC, f.title",
        organisation,
        ids,
        everything,
    )
    return [ForumListItem(*r.values()) for r in rows]


async def forum_summary(conn: Conn, forum_id: UUID) -> ForumSummary | None:
    f = await conn.fetchrow(
        "SELECT f.*, coalesce(o.name, f.organisation) AS host_name FROM read.forums f"
        " LEFT JOIN read.organisations o ON o.slug = f.organisation WHERE f.forum_id = $1",
        forum_id,
    )
    if f is None:
        return None
    participants = await conn.fetch(
        "SELECT p.participant, coalesce(o.name, p.participant) AS name, p.status, coalesce(p.quota, f.quota) AS quota,"
        " (SELECT count(*) FROM read.forum_nominations n WHERE n.forum_id = p.forum_id"
        " AND n.project_organisation = p.participant AND n.withdrawn_at IS NULL) AS nominated,"
        " p.invited_at, p.answered_at, p.reason FROM read.forum_participants p"
        " JOIN read.forums f USING (forum_id) LEFT JOIN read.organisations o ON o.slug = p.participant"
        " WHERE p.forum_id = $1 ORDER BY name",
        forum_id,
    )
    prizes = await conn.fetch(
        "SELECT key, label, kind, laureates, category, amount_cents, ranked FROM read.forum_prizes"
        " WHERE forum_id = $1 ORDER BY position",
        forum_id,
    )
    return ForumSummary(
        forum_id=forum_id,
        host=f["organisation"],
        host_name=f["host_name"],
        title=f["title"],
        kind=f["kind"],
        starts_on=f["starts_on"],
        ends_on=f["ends_on"],
        place=f["place"],
        quota=f["quota"],
        categories=list(f["categories"]),
        budget_cents=f["budget_cents"],
        deliberation=f["deliberation"],
        published_at=f["published_at"],
        rules=from_json(f["rules"]),
        rules_version=f["rules_version"],
        rules_locked_at=f["rules_locked_at"],
        participants=[Participant(*r.values()) for r in participants],
        prizes=[PrizeView(*r.values()) for r in prizes],
    )


async def nominations(
    conn: Conn, forum_id: UUID, *, organisation: str | None = None, active_only: bool = False
) -> list[NominationView]:
    """Projects nominated, as they stood then, in nomination order (only ``organisation``'s when given)."""
    rows = await conn.fetch(
        "SELECT n.project_id, n.project_organisation, coalesce(o.name, n.project_organisation), n.title, n.summary,"
        " n.category, n.team, n.sequence, n.nominated_at, n.withdrawn_at, n.withdrawal_reason"
        " FROM read.forum_nominations n LEFT JOIN read.organisations o ON o.slug = n.project_organisation"
        " WHERE n.forum_id = $1 AND ($2::text IS NULL OR n.project_organisation = $2)"
        " AND (NOT $3 OR n.withdrawn_at IS NULL) ORDER BY n.sequence",
        forum_id,
        organisation,
        active_only,
    )
    return [
        NominationView(r[0], r[1], r[2], r[3], r[4], r[5], msgspec.json.decode(r[6], type=list[TeamMemberView]), *r[7:])
        for r in rows
    ]


async def team_of(conn: Conn, forum_id: UUID, project_id: UUID) -> list[str] | None:
    """The person ids of a nominated project's team (None if not nominated): who may read its coaching."""
    team = await conn.fetchval(
        "SELECT team FROM read.forum_nominations WHERE forum_id = $1 AND project_id = $2", forum_id, project_id
    )
    if team is None:
        return None
    return [m.person_id for m in msgspec.json.decode(team, type=list[TeamMemberView])]


async def projects_of_person(conn: Conn, forum_id: UUID, person_id: str) -> list[UUID]:
    """The nominated projects whose team includes ``person_id``."""
    rows = await conn.fetch(
        "SELECT project_id FROM read.forum_nominations WHERE forum_id = $1 AND team @> $2::jsonb ORDER BY sequence",
        forum_id,
        to_json([{"person_id": person_id}]),
    )
    return [r[0] for r in rows]


async def host_view(conn: Conn, forum_id: UUID, *, with_ballots: bool = False) -> HostView | None:
    summary = await forum_summary(conn, forum_id)
    if summary is None:
        return None
    return HostView(
        forum=summary,
        nominations=await nominations(conn, forum_id),
        coaches=await coaches(conn, forum_id),
        coaching=await coaching_rota(conn, forum_id),
        running_order=await running_order(conn, forum_id),
        jury=await jury(conn, forum_id),
        progress=await scoring_progress(conn, forum_id),
        ranking=await ranking(conn, forum_id),
        deliberation=await deliberation(conn, forum_id),
        votes=await votes(conn, forum_id, with_ballots=with_ballots),
    )
