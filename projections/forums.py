"""Forums as their host, jurors, coaches, voters and auditors see them: the read model and its queries.

Nothing here is public: every query answers whoever calls it, so callers check the actor's standing first
(``forum.forums.standing`` on ``forum_access``). The queries are small and composable so that pages (the host's
set-up and stage pages, the jurors' scoring page, coaches' and voters' pages) and the JSON API share them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.forum import Forum
from projections.projector import Envelope, Projection

Conn = asyncpg.Connection | asyncpg.Pool


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _load(value: str | None) -> Any:
    return None if value is None else msgspec.json.decode(value)


# ---------------------------------------------------------------------------------------------------------------------
# The projection

_RANKING_CHANGES = (
    Forum.ProjectNominated,
    Forum.NominationWithdrawn,
    Forum.RulesSet,
    Forum.RulesAmended,
    Forum.ConflictDeclared,
    Forum.ScoreRecorded,
    Forum.TieBroken,
)


class Forums(Projection):
    name = "forums"
    handles = (
        Forum.Planned,
        Forum.EditionAmended,
        Forum.BudgetSet,
        Forum.OrganisationInvited,
        Forum.InvitationAccepted,
        Forum.InvitationDeclined,
        Forum.QuotaSet,
        Forum.PrizeDefined,
        Forum.ProjectNominated,
        Forum.NominationWithdrawn,
        Forum.CoachAppointed,
        Forum.CoachingAssigned,
        Forum.CoachingSessionRecorded,
        Forum.RunningOrderSet,
        Forum.PitchDelivered,
        Forum.TeamAbsent,
        Forum.JurorAppointed,
        Forum.RulesSet,
        Forum.RulesAmended,
        Forum.ConflictDeclared,
        Forum.ScoreRecorded,
        Forum.RankingComputed,
        Forum.TieBroken,
        Forum.DeliberationOpened,
        Forum.LaureatesDesignated,
        Forum.DeliberationClosed,
        Forum.VoteOrganised,
        Forum.VoteCast,
        Forum.VotesCounted,
        Forum.PalmaresPublished,
    )
    tables = (
        "read.forums",
        "read.forum_participants",
        "read.forum_prizes",
        "read.forum_nominations",
        "read.forum_coaches",
        "read.forum_coaching",
        "read.forum_coaching_sessions",
        "read.forum_running_order",
        "read.forum_pitches",
        "read.forum_jurors",
        "read.forum_rules",
        "read.forum_conflicts",
        "read.forum_scores",
        "read.forum_rankings",
        "read.forum_tie_decisions",
        "read.forum_designations",
        "read.forum_votes",
        "read.forum_ballots",
    )

    async def apply(self, conn: asyncpg.Connection, batch: Sequence[Envelope]) -> None:
        # A forum's events are few apart from scores (a few hundred per forum): one statement per event reads best.
        for envelope in batch:
            await self._apply(conn, envelope)

    async def _apply(self, conn: asyncpg.Connection, envelope: Envelope) -> None:  # noqa: PLR0912, PLR0915
        e = envelope.event
        forum_id: UUID = envelope.originator_id
        host = envelope.organisation
        at: datetime = e.meta.at
        if isinstance(e, Forum.Planned):
            await conn.execute(
                "INSERT INTO read.forums (forum_id, organisation, title, kind, starts_on, ends_on, place, quota,"
                " categories, budget_cents, planned_at, planned_by, updated_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11)",
                forum_id,
                host,
                e.title,
                e.kind,
                e.starts_on,
                e.ends_on,
                e.place,
                e.quota,
                list(e.categories),
                e.budget_cents,
                at,
                e.meta.actor,
            )
            return
        if isinstance(e, _RANKING_CHANGES):
            await conn.execute(
                "UPDATE read.forums SET ranking_outdated = true, updated_at = $2 WHERE forum_id = $1", forum_id, at
            )
        if isinstance(e, Forum.EditionAmended):
            await conn.execute(
                "UPDATE read.forums SET title = $2, place = $3, starts_on = $4, ends_on = $5, updated_at = $6"
                " WHERE forum_id = $1",
                forum_id,
                e.title,
                e.place,
                e.starts_on,
                e.ends_on,
                at,
            )
        elif isinstance(e, Forum.BudgetSet):
            await conn.execute(
                "UPDATE read.forums SET budget_cents = $2, updated_at = $3 WHERE forum_id = $1",
                forum_id,
                e.budget_cents,
                at,
            )
        elif isinstance(e, Forum.OrganisationInvited):
            await conn.execute(
                "INSERT INTO read.forum_participants (forum_id, participant, organisation, status, quota, invited_at)"
                " VALUES ($1, $2, $3, 'invited', $4, $5) ON CONFLICT (forum_id, participant) DO UPDATE"
                " SET status = 'invited', quota = EXCLUDED.quota, reason = '', invited_at = EXCLUDED.invited_at,"
                " answered_at = NULL, answered_by = NULL",
                forum_id,
                e.organisation,
                host,
                e.quota,
                at,
            )
        elif isinstance(e, Forum.InvitationAccepted | Forum.InvitationDeclined):
            status = "accepted" if isinstance(e, Forum.InvitationAccepted) else "declined"
            await conn.execute(
                "UPDATE read.forum_participants SET status = $3, reason = $4, answered_at = $5, answered_by = $6"
                " WHERE forum_id = $1 AND participant = $2",
                forum_id,
                e.organisation,
                status,
                getattr(e, "reason", ""),
                at,
                e.meta.actor,
            )
        elif isinstance(e, Forum.QuotaSet):
            await conn.execute(
                "UPDATE read.forum_participants SET quota = $3 WHERE forum_id = $1 AND participant = $2",
                forum_id,
                e.organisation,
                e.quota,
            )
        elif isinstance(e, Forum.PrizeDefined):
            p = e.prize
            await conn.execute(
                "INSERT INTO read.forum_prizes (forum_id, key, organisation, position, label, kind, laureates,"
                " category, amount_cents, ranked) VALUES ($1, $2, $3,"
                " (SELECT count(*) FROM read.forum_prizes WHERE forum_id = $1), $4, $5, $6, $7, $8, $9)"
                " ON CONFLICT (forum_id, key) DO UPDATE SET label = EXCLUDED.label, kind = EXCLUDED.kind,"
                " laureates = EXCLUDED.laureates, category = EXCLUDED.category,"
                " amount_cents = EXCLUDED.amount_cents, ranked = EXCLUDED.ranked",
                forum_id,
                p.key,
                host,
                p.label,
                p.kind,
                p.laureates,
                p.category,
                p.amount_cents,
                p.ranked,
            )
        elif isinstance(e, Forum.ProjectNominated):
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
                forum_id,
                p.project_id,
                host,
                p.organisation,
                p.title,
                p.summary,
                p.category,
                _json(p.team),
                at,
                e.meta.actor,
            )
        elif isinstance(e, Forum.NominationWithdrawn):
            await conn.execute(
                "UPDATE read.forum_nominations SET withdrawn_at = $3, withdrawal_reason = $4"
                " WHERE forum_id = $1 AND project_id = $2",
                forum_id,
                e.project_id,
                at,
                e.reason,
            )
        elif isinstance(e, Forum.CoachAppointed):
            await conn.execute(
                "INSERT INTO read.forum_coaches (forum_id, person_id, organisation, coach_organisation, appointed_at)"
                " VALUES ($1, $2, $3, $4, $5)",
                forum_id,
                e.person_id,
                host,
                e.organisation,
                at,
            )
        elif isinstance(e, Forum.CoachingAssigned):
            await conn.execute(
                "INSERT INTO read.forum_coaching (forum_id, project_id, organisation, coach_id, starts_at, ends_at,"
                " assigned_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (forum_id, project_id) DO UPDATE"
                " SET coach_id = EXCLUDED.coach_id, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,"
                " assigned_at = EXCLUDED.assigned_at",
                forum_id,
                e.project_id,
                host,
                e.coach_id,
                e.starts_at,
                e.ends_at,
                at,
            )
        elif isinstance(e, Forum.CoachingSessionRecorded):
            await conn.execute(
                "INSERT INTO read.forum_coaching_sessions (forum_id, position, organisation, project_id, coach_id,"
                " notes, problem_statement, pitch_points, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                forum_id,
                envelope.position,
                host,
                e.project_id,
                e.coach_id,
                e.notes,
                e.problem_statement,
                list(e.pitch_points),
                at,
            )
        elif isinstance(e, Forum.RunningOrderSet):
            await conn.execute("DELETE FROM read.forum_running_order WHERE forum_id = $1", forum_id)
            await conn.executemany(
                "INSERT INTO read.forum_running_order (forum_id, project_id, organisation, slot, starts_at,"
                " pitch_seconds, questions_seconds) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                [
                    (forum_id, s.project_id, host, i, s.starts_at, s.pitch_seconds, s.questions_seconds)
                    for i, s in enumerate(e.slots, start=1)
                ],
            )
        elif isinstance(e, Forum.PitchDelivered | Forum.TeamAbsent):
            absent = isinstance(e, Forum.TeamAbsent)
            await conn.execute(
                "INSERT INTO read.forum_pitches (forum_id, project_id, organisation, duration_seconds, absent,"
                " recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
                forum_id,
                e.project_id,
                host,
                None if absent else e.duration_seconds,
                absent,
                at,
            )
        elif isinstance(e, Forum.JurorAppointed):
            await conn.execute(
                "INSERT INTO read.forum_jurors (forum_id, person_id, organisation, juror_organisation, college,"
                " appointed_at) VALUES ($1, $2, $3, $4, $5, $6)",
                forum_id,
                e.person_id,
                host,
                e.organisation,
                e.college,
                at,
            )
        elif isinstance(e, Forum.RulesSet | Forum.RulesAmended):
            amended = isinstance(e, Forum.RulesAmended)
            await conn.execute(
                "INSERT INTO read.forum_rules (forum_id, version, organisation, rules, amended, reason, at)"
                " VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)",
                forum_id,
                e.version,
                host,
                _json(e.rules),
                amended,
                getattr(e, "reason", ""),
                at,
            )
            await conn.execute(
                "UPDATE read.forums SET rules = $2::jsonb, rules_version = $3 WHERE forum_id = $1",
                forum_id,
                _json(e.rules),
                e.version,
            )
        elif isinstance(e, Forum.ConflictDeclared):
            await conn.execute(
                "INSERT INTO read.forum_conflicts (forum_id, juror_id, project_id, organisation, reason, declared_at)"
                " VALUES ($1, $2, $3, $4, $5, $6)",
                forum_id,
                e.juror_id,
                e.project_id,
                host,
                e.reason,
                at,
            )
        elif isinstance(e, Forum.ScoreRecorded):
            await conn.execute(
                "INSERT INTO read.forum_scores (forum_id, juror_id, project_id, organisation, scores, comment,"
                " rules_version, revision, command_id, recorded_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8,"
                " $9, $10) ON CONFLICT (forum_id, juror_id, project_id) DO UPDATE SET scores = EXCLUDED.scores,"
                " comment = EXCLUDED.comment, rules_version = EXCLUDED.rules_version, revision = EXCLUDED.revision,"
                " command_id = EXCLUDED.command_id, recorded_at = EXCLUDED.recorded_at",
                forum_id,
                e.juror_id,
                e.project_id,
                host,
                _json(e.scores),
                e.comment,
                e.rules_version,
                e.revision,
                e.meta.command_id,
                at,
            )
            await conn.execute(
                "UPDATE read.forums SET rules_locked_at = coalesce(rules_locked_at, $2) WHERE forum_id = $1",
                forum_id,
                at,
            )
        elif isinstance(e, Forum.RankingComputed):
            await conn.execute(
                "INSERT INTO read.forum_rankings (forum_id, organisation, ranking, computed_at)"
                " VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (forum_id) DO UPDATE SET ranking = EXCLUDED.ranking,"
                " computed_at = EXCLUDED.computed_at",
                forum_id,
                host,
                _json(e.ranking),
                at,
            )
            await conn.execute("UPDATE read.forums SET ranking_outdated = false WHERE forum_id = $1", forum_id)
        elif isinstance(e, Forum.TieBroken):
            await conn.execute(
                "INSERT INTO read.forum_tie_decisions (forum_id, position, organisation, project_ids, rationale,"
                " decided_at) VALUES ($1, $2, $3, $4, $5, $6)",
                forum_id,
                envelope.position,
                host,
                list(e.project_ids),
                e.rationale,
                at,
            )
        elif isinstance(e, Forum.DeliberationOpened):
            await conn.execute(
                "UPDATE read.forums SET deliberation = 'open', deliberation_opened_at = $2, updated_at = $2"
                " WHERE forum_id = $1",
                forum_id,
                at,
            )
        elif isinstance(e, Forum.DeliberationClosed):
            await conn.execute(
                "UPDATE read.forums SET deliberation = 'closed', deliberation_closed_at = $2, updated_at = $2"
                " WHERE forum_id = $1",
                forum_id,
                at,
            )
        elif isinstance(e, Forum.LaureatesDesignated):
            await conn.execute(
                "INSERT INTO read.forum_designations (forum_id, prize_key, organisation, awards,"
                " departs_from_ranking, rationale, designated_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)"
                " ON CONFLICT (forum_id, prize_key) DO UPDATE SET awards = EXCLUDED.awards,"
                " departs_from_ranking = EXCLUDED.departs_from_ranking, rationale = EXCLUDED.rationale,"
                " designated_at = EXCLUDED.designated_at",
                forum_id,
                e.prize_key,
                host,
                _json(e.awards),
                e.departs_from_ranking,
                e.rationale,
                at,
            )
        elif isinstance(e, Forum.VoteOrganised):
            await conn.execute(
                "INSERT INTO read.forum_votes (forum_id, prize_key, organisation, electorate, opens_at, closes_at,"
                " allow_own_organisation, tie_break, draw_seed, organised_at)"
                " VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10) ON CONFLICT (forum_id, prize_key)"
                " DO UPDATE SET electorate = EXCLUDED.electorate, opens_at = EXCLUDED.opens_at,"
                " closes_at = EXCLUDED.closes_at, allow_own_organisation = EXCLUDED.allow_own_organisation,"
                " tie_break = EXCLUDED.tie_break, draw_seed = EXCLUDED.draw_seed,"
                " organised_at = EXCLUDED.organised_at",
                forum_id,
                e.prize_key,
                host,
                _json(e.electorate),
                e.opens_at,
                e.closes_at,
                e.allow_own_organisation,
                e.tie_break,
                e.draw_seed,
                at,
            )
        elif isinstance(e, Forum.VoteCast):
            await conn.execute(
                "INSERT INTO read.forum_ballots (forum_id, prize_key, voter_id, organisation, voter_organisation,"
                " project_id, cast_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                forum_id,
                e.prize_key,
                e.voter_id,
                host,
                e.meta.actor_organisation,
                e.project_id,
                at,
            )
        elif isinstance(e, Forum.VotesCounted):
            await conn.execute(
                "UPDATE read.forum_votes SET count = $3::jsonb, awards = $4::jsonb, counted_at = $5"
                " WHERE forum_id = $1 AND prize_key = $2",
                forum_id,
                e.prize_key,
                _json(e.count),
                _json(e.awards),
                at,
            )
        elif isinstance(e, Forum.PalmaresPublished):
            await conn.execute(
                "UPDATE read.forums SET published_at = $2, updated_at = $2 WHERE forum_id = $1", forum_id, at
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


class CoachView(msgspec.Struct, frozen=True):
    person_id: str
    name: str
    organisation: str
    appointed_at: datetime


class CoachingSlotView(msgspec.Struct, frozen=True):
    project_id: UUID
    title: str
    organisation: str
    coach_id: str
    coach_name: str
    starts_at: datetime
    ends_at: datetime
    sessions: int


class CoachingSessionView(msgspec.Struct, frozen=True):
    project_id: UUID
    title: str
    coach_id: str
    coach_name: str
    notes: str
    problem_statement: str
    pitch_points: list[str]
    recorded_at: datetime


class RunningSlotView(msgspec.Struct, frozen=True):
    """One team's slot; ``outcome`` is pending, delivered (with the real duration) or absent."""

    slot: int
    project_id: UUID
    title: str
    organisation: str
    organisation_name: str
    starts_at: datetime
    pitch_seconds: int
    questions_seconds: int
    outcome: str
    duration_seconds: int | None
    recorded_at: datetime | None


class Stage(msgspec.Struct, frozen=True):
    """What the stage page shows: the team on stage (the first pending), the next, and how far the afternoon is."""

    current: RunningSlotView | None
    next: RunningSlotView | None
    done: int
    total: int


class JurorView(msgspec.Struct, frozen=True):
    person_id: str
    name: str
    organisation: str
    college: str
    appointed_at: datetime


class RulesVersion(msgspec.Struct, frozen=True):
    version: int
    rules: dict[str, Any]
    amended: bool
    reason: str
    at: datetime


class ConflictView(msgspec.Struct, frozen=True):
    juror_id: str
    project_id: UUID
    reason: str
    declared_at: datetime


class Jury(msgspec.Struct, frozen=True):
    jurors: list[JurorView]
    rules: dict[str, Any] | None
    rules_version: int
    rules_locked_at: datetime | None
    history: list[RulesVersion]
    conflicts: list[ConflictView]


class ProjectProgress(msgspec.Struct, frozen=True):
    """A project's scoring: how many jurors may score it (after recusals), how many did, and the quorum."""

    project_id: UUID
    title: str
    organisation: str
    eligible: int
    scored: int
    recused: int
    quorum: int
    meets_quorum: bool


class JurorProgress(msgspec.Struct, frozen=True):
    person_id: str
    name: str
    organisation: str
    to_score: int
    scored: int
    last_scored_at: datetime | None


class ScoringProgress(msgspec.Struct, frozen=True):
    projects: list[ProjectProgress]
    jurors: list[JurorProgress]
    scores: int
    expected: int


class SheetLine(msgspec.Struct, frozen=True):
    """One project on a juror's sheet: ``status`` is to_score, scored, recused (own organisation) or conflict."""

    project_id: UUID
    title: str
    organisation: str
    organisation_name: str
    summary: str
    category: str | None
    status: str
    scores: dict[str, int] | None
    comment: str
    revision: int
    command_id: str | None
    recorded_at: datetime | None
    conflict_reason: str


class JurorSheet(msgspec.Struct, frozen=True):
    """A juror's page: the rules, and every project with their saved scores; read-only once deliberation closed."""

    forum_id: UUID
    title: str
    juror_id: str
    organisation: str
    college: str
    rules: dict[str, Any] | None
    rules_version: int
    open: bool
    lines: list[SheetLine]


class RankingView(msgspec.Struct, frozen=True):
    computed_at: datetime
    outdated: bool
    ranking: dict[str, Any]


class Designation(msgspec.Struct, frozen=True):
    prize_key: str
    awards: list[dict[str, Any]]
    departs_from_ranking: bool
    rationale: str
    designated_at: datetime


class TieDecisionView(msgspec.Struct, frozen=True):
    project_ids: list[UUID]
    rationale: str
    decided_at: datetime


class Deliberation(msgspec.Struct, frozen=True):
    status: str
    opened_at: datetime | None
    closed_at: datetime | None
    designations: list[Designation]
    tie_decisions: list[TieDecisionView]


class VoterStatus(msgspec.Struct, frozen=True):
    person_id: str
    name: str
    organisation: str
    voted: bool
    cast_at: datetime | None


class Ballot(msgspec.Struct, frozen=True):
    voter_id: str
    voter_organisation: str
    project_id: UUID
    cast_at: datetime


class VoteView(msgspec.Struct, frozen=True):
    """A prize's vote: who voted is the host's to see; ``ballots`` (what each voted) only the auditors'."""

    prize_key: str
    label: str
    opens_at: datetime
    closes_at: datetime
    allow_own_organisation: bool
    tie_break: str
    draw_seed: str | None
    electorate: int
    voted: int
    voters: list[VoterStatus]
    count: dict[str, Any] | None
    counted_at: datetime | None
    ballots: list[Ballot] | None = None


class Candidate(msgspec.Struct, frozen=True):
    project_id: UUID
    title: str
    organisation: str
    organisation_name: str
    category: str | None
    own_organisation: bool


class VoterBallot(msgspec.Struct, frozen=True):
    """A voter's page for one prize: the period, the candidates, and their own ballot once cast."""

    prize_key: str
    label: str
    opens_at: datetime
    closes_at: datetime
    allow_own_organisation: bool
    candidates: list[Candidate]
    voted_for: UUID | None
    cast_at: datetime | None


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
        rules=_load(f["rules"]),
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
        _json([{"person_id": person_id}]),
    )
    return [r[0] for r in rows]


async def coaches(conn: Conn, forum_id: UUID) -> list[CoachView]:
    rows = await conn.fetch(
        "SELECT c.person_id, coalesce(p.name, ''), c.coach_organisation, c.appointed_at FROM read.forum_coaches c"
        " LEFT JOIN read.people p ON p.person_id::text = c.person_id WHERE c.forum_id = $1 ORDER BY c.appointed_at",
        forum_id,
    )
    return [CoachView(*r.values()) for r in rows]


async def coaching_rota(conn: Conn, forum_id: UUID, *, coach_id: str | None = None) -> list[CoachingSlotView]:
    """Every team's coach and slot (a coach's own teams with ``coach_id``), by time."""
    rows = await conn.fetch(
        "SELECT c.project_id, n.title, n.project_organisation, c.coach_id, coalesce(p.name, ''), c.starts_at,"
        " c.ends_at, (SELECT count(*) FROM read.forum_coaching_sessions s WHERE s.forum_id = c.forum_id"
        " AND s.project_id = c.project_id) FROM read.forum_coaching c"
        " JOIN read.forum_nominations n ON n.forum_id = c.forum_id AND n.project_id = c.project_id"
        " LEFT JOIN read.people p ON p.person_id::text = c.coach_id"
        " WHERE c.forum_id = $1 AND ($2::text IS NULL OR c.coach_id = $2) AND n.withdrawn_at IS NULL"
        " ORDER BY c.starts_at, c.coach_id",
        forum_id,
        coach_id,
    )
    return [CoachingSlotView(*r.values()) for r in rows]


async def coaching_sessions(
    conn: Conn, forum_id: UUID, *, project_id: UUID | None = None, coach_id: str | None = None
) -> list[CoachingSessionView]:
    """Coaching sessions, oldest first: of one team, of one coach's teams, or all (private: check access first)."""
    rows = await conn.fetch(
        "SELECT s.project_id, n.title, s.coach_id, coalesce(p.name, ''), s.notes, s.problem_statement,"
        " s.pitch_points, s.recorded_at FROM read.forum_coaching_sessions s"
        " JOIN read.forum_nominations n ON n.forum_id = s.forum_id AND n.project_id = s.project_id"
        " LEFT JOIN read.people p ON p.person_id::text = s.coach_id"
        " WHERE s.forum_id = $1 AND ($2::uuid IS NULL OR s.project_id = $2) AND ($3::text IS NULL OR s.coach_id = $3)"
        " ORDER BY s.position",
        forum_id,
        project_id,
        coach_id,
    )
    return [CoachingSessionView(r[0], r[1], r[2], r[3], r[4], r[5], list(r[6]), r[7]) for r in rows]


async def running_order(conn: Conn, forum_id: UUID) -> list[RunningSlotView]:
    rows = await conn.fetch(
        "SELECT r.slot, r.project_id, n.title, n.project_organisation, coalesce(o.name, n.project_organisation),"
        " r.starts_at, r.pitch_seconds, r.questions_seconds,"
        " CASE WHEN p.project_id IS NULL THEN 'pending' WHEN p.absent THEN 'absent' ELSE 'delivered' END,"
        " p.duration_seconds, p.recorded_at FROM read.forum_running_order r"
        " JOIN read.forum_nominations n ON n.forum_id = r.forum_id AND n.project_id = r.project_id"
        " LEFT JOIN read.organisations o ON o.slug = n.project_organisation"
        " LEFT JOIN read.forum_pitches p ON p.forum_id = r.forum_id AND p.project_id = r.project_id"
        " WHERE r.forum_id = $1 ORDER BY r.slot",
        forum_id,
    )
    return [RunningSlotView(*r.values()) for r in rows]


async def stage(conn: Conn, forum_id: UUID) -> Stage:
    slots = await running_order(conn, forum_id)
    pending = [s for s in slots if s.outcome == "pending"]
    return Stage(
        current=pending[0] if pending else None,
        next=pending[1] if len(pending) > 1 else None,
        done=len(slots) - len(pending),
        total=len(slots),
    )


async def jury(conn: Conn, forum_id: UUID) -> Jury:
    f = await conn.fetchrow(
        "SELECT rules, rules_version, rules_locked_at FROM read.forums WHERE forum_id = $1", forum_id
    )
    jurors = await conn.fetch(
        "SELECT j.person_id, coalesce(p.name, ''), j.juror_organisation, j.college, j.appointed_at"
        " FROM read.forum_jurors j LEFT JOIN read.people p ON p.person_id::text = j.person_id"
        " WHERE j.forum_id = $1 ORDER BY j.juror_organisation, j.appointed_at",
        forum_id,
    )
    history = await conn.fetch(
        "SELECT version, rules, amended, reason, at FROM read.forum_rules WHERE forum_id = $1 ORDER BY version",
        forum_id,
    )
    conflicts = await conn.fetch(
        "SELECT juror_id, project_id, reason, declared_at FROM read.forum_conflicts WHERE forum_id = $1"
        " ORDER BY declared_at",
        forum_id,
    )
    return Jury(
        jurors=[JurorView(*r.values()) for r in jurors],
        rules=_load(f["rules"]) if f else None,
        rules_version=f["rules_version"] if f else 0,
        rules_locked_at=f["rules_locked_at"] if f else None,
        history=[RulesVersion(r[0], msgspec.json.decode(r[1]), r[2], r[3], r[4]) for r in history],
        conflicts=[ConflictView(*r.values()) for r in conflicts],
    )


async def scoring_progress(conn: Conn, forum_id: UUID) -> ScoringProgress:
    """Per project and per juror: scores expected (every juror not of the project's organisation nor recused)
    and scores recorded. Only counts: the scores themselves are the jurors' (and, ranked, the host's)."""
    quorum = await conn.fetchval(
        "SELECT coalesce((rules->>'quorum')::int, 1) FROM read.forums WHERE forum_id = $1", forum_id
    )
    pairs = await conn.fetch(
        "SELECT n.project_id, n.title, n.project_organisation, j.person_id, coalesce(p.name, '') AS name,"
        " j.juror_organisation, j.juror_organisation = n.project_organisation AS own,"
        " c.juror_id IS NOT NULL AS conflict, s.recorded_at"
        " FROM read.forum_nominations n JOIN read.forum_jurors j ON j.forum_id = n.forum_id"
        " LEFT JOIN read.people p ON p.person_id::text = j.person_id"
        " LEFT JOIN read.forum_conflicts c ON c.forum_id = n.forum_id AND c.project_id = n.project_id"
        " AND c.juror_id = j.person_id"
        " LEFT JOIN read.forum_scores s ON s.forum_id = n.forum_id AND s.project_id = n.project_id"
        " AND s.juror_id = j.person_id"
        " WHERE n.forum_id = $1 AND n.withdrawn_at IS NULL ORDER BY n.sequence, j.juror_organisation, j.appointed_at",
        forum_id,
    )
    projects: dict[UUID, dict[str, Any]] = {}
    jurors: dict[str, dict[str, Any]] = {}
    for r in pairs:
        project = projects.setdefault(
            r["project_id"],
            {"title": r["title"], "organisation": r["project_organisation"], "eligible": 0, "scored": 0, "recused": 0},
        )
        juror = jurors.setdefault(
            r["person_id"],
            {"name": r["name"], "organisation": r["juror_organisation"], "to_score": 0, "scored": 0, "last": None},
        )
        if r["own"] or r["conflict"]:
            project["recused"] += 1
            continue
        project["eligible"] += 1
        juror["to_score"] += 1
        if r["recorded_at"] is not None:
            project["scored"] += 1
            juror["scored"] += 1
            juror["last"] = max(juror["last"] or r["recorded_at"], r["recorded_at"])
    project_rows = [
        ProjectProgress(
            project_id=pid,
            title=p["title"],
            organisation=p["organisation"],
            eligible=p["eligible"],
            scored=p["scored"],
            recused=p["recused"],
            quorum=quorum or 1,
            meets_quorum=p["scored"] >= (quorum or 1),
        )
        for pid, p in projects.items()
    ]
    juror_rows = [
        JurorProgress(pid, j["name"], j["organisation"], j["to_score"], j["scored"], j["last"])
        for pid, j in jurors.items()
    ]
    return ScoringProgress(
        projects=project_rows,
        jurors=juror_rows,
        scores=sum(p.scored for p in project_rows),
        expected=sum(p.eligible for p in project_rows),
    )


async def juror_sheet(conn: Conn, forum_id: UUID, juror_id: str) -> JurorSheet | None:
    """A juror's projects (never their own organisation's, listed as recused) with their saved scores."""
    head = await conn.fetchrow(
        "SELECT f.title, f.rules, f.rules_version, f.deliberation, j.juror_organisation, j.college"
        " FROM read.forums f JOIN read.forum_jurors j ON j.forum_id = f.forum_id AND j.person_id = $2"
        " WHERE f.forum_id = $1",
        forum_id,
        juror_id,
    )
    if head is None:
        return None
    rows = await conn.fetch(
        "SELECT n.project_id, n.title, n.project_organisation, coalesce(o.name, n.project_organisation),"
        " n.summary, n.category, c.reason AS conflict, s.scores, s.comment, s.revision, s.command_id, s.recorded_at"
        " FROM read.forum_nominations n LEFT JOIN read.organisations o ON o.slug = n.project_organisation"
        " LEFT JOIN read.forum_conflicts c ON c.forum_id = n.forum_id AND c.project_id = n.project_id"
        " AND c.juror_id = $2"
        " LEFT JOIN read.forum_scores s ON s.forum_id = n.forum_id AND s.project_id = n.project_id"
        " AND s.juror_id = $2"
        " LEFT JOIN read.forum_running_order r ON r.forum_id = n.forum_id AND r.project_id = n.project_id"
        " WHERE n.forum_id = $1 AND n.withdrawn_at IS NULL ORDER BY r.slot NULLS LAST, n.sequence",
        forum_id,
        juror_id,
    )
    lines = []
    for r in rows:
        if r[2] == head["juror_organisation"]:
            status = "recused"
        elif r["conflict"] is not None:
            status = "conflict"
        elif r["scores"] is not None:
            status = "scored"
        else:
            status = "to_score"
        lines.append(
            SheetLine(
                project_id=r[0],
                title=r[1],
                organisation=r[2],
                organisation_name=r[3],
                summary=r[4],
                category=r[5],
                status=status,
                scores=_load(r["scores"]),
                comment=r["comment"] or "",
                revision=r["revision"] or 0,
                command_id=r["command_id"],
                recorded_at=r["recorded_at"],
                conflict_reason=r["conflict"] or "",
            )
        )
    return JurorSheet(
        forum_id=forum_id,
        title=head["title"],
        juror_id=juror_id,
        organisation=head["juror_organisation"],
        college=head["college"],
        rules=_load(head["rules"]),
        rules_version=head["rules_version"],
        open=head["deliberation"] != "closed",
        lines=lines,
    )


async def ranking(conn: Conn, forum_id: UUID) -> RankingView | None:
    """The last ranking recorded, with its method; ``outdated`` when scores (or rules, recusals…) changed since."""
    row = await conn.fetchrow(
        "SELECT r.computed_at, f.ranking_outdated, r.ranking FROM read.forum_rankings r"
        " JOIN read.forums f USING (forum_id) WHERE r.forum_id = $1",
        forum_id,
    )
    if row is None:
        return None
    return RankingView(row[0], row[1], msgspec.json.decode(row[2]))


async def deliberation(conn: Conn, forum_id: UUID) -> Deliberation:
    f = await conn.fetchrow(
        "SELECT deliberation, deliberation_opened_at, deliberation_closed_at FROM read.forums WHERE forum_id = $1",
        forum_id,
    )
    designations = await conn.fetch(
        "SELECT d.prize_key, d.awards, d.departs_from_ranking, d.rationale, d.designated_at"
        " FROM read.forum_designations d JOIN read.forum_prizes p ON p.forum_id = d.forum_id AND p.key = d.prize_key"
        " WHERE d.forum_id = $1 ORDER BY p.position",
        forum_id,
    )
    ties = await conn.fetch(
        "SELECT project_ids, rationale, decided_at FROM read.forum_tie_decisions WHERE forum_id = $1 ORDER BY position",
        forum_id,
    )
    return Deliberation(
        status=f["deliberation"] if f else "not_opened",
        opened_at=f["deliberation_opened_at"] if f else None,
        closed_at=f["deliberation_closed_at"] if f else None,
        designations=[Designation(r[0], msgspec.json.decode(r[1]), r[2], r[3], r[4]) for r in designations],
        tie_decisions=[TieDecisionView(list(r[0]), r[1], r[2]) for r in ties],
    )


async def votes(conn: Conn, forum_id: UUID, *, with_ballots: bool = False) -> list[VoteView]:
    """Every vote of the forum with who voted; what each voted only ``with_ballots`` (auditors)."""
    rows = await conn.fetch(
        "SELECT v.prize_key, p.label, v.opens_at, v.closes_at, v.allow_own_organisation, v.tie_break, v.draw_seed,"
        " v.electorate, v.count, v.counted_at FROM read.forum_votes v"
        " JOIN read.forum_prizes p ON p.forum_id = v.forum_id AND p.key = v.prize_key"
        " WHERE v.forum_id = $1 ORDER BY p.position",
        forum_id,
    )
    ballots = await conn.fetch(
        "SELECT prize_key, voter_id, voter_organisation, project_id, cast_at FROM read.forum_ballots"
        " WHERE forum_id = $1 ORDER BY cast_at",
        forum_id,
    )
    names = {
        str(r[0]): r[1]
        for r in await conn.fetch(
            "SELECT person_id, name FROM read.people WHERE person_id::text IN (SELECT jsonb_array_elements(electorate)"
            "->>'person_id' FROM read.forum_votes WHERE forum_id = $1)",
            forum_id,
        )
    }
    views = []
    for r in rows:
        electorate = msgspec.json.decode(r["electorate"])
        cast = {b["voter_id"]: b for b in ballots if b["prize_key"] == r["prize_key"]}
        voters = [
            VoterStatus(
                person_id=v["person_id"],
                name=names.get(v["person_id"], ""),
                organisation=v["organisation"],
                voted=v["person_id"] in cast,
                cast_at=cast[v["person_id"]]["cast_at"] if v["person_id"] in cast else None,
            )
            for v in electorate
        ]
        views.append(
            VoteView(
                prize_key=r["prize_key"],
                label=r["label"],
                opens_at=r["opens_at"],
                closes_at=r["closes_at"],
                allow_own_organisation=r["allow_own_organisation"],
                tie_break=r["tie_break"],
                draw_seed=r["draw_seed"],
                electorate=len(electorate),
                voted=len(cast),
                voters=voters,
                count=_load(r["count"]),
                counted_at=r["counted_at"],
                ballots=[Ballot(b[1], b[2], b[3], b[4]) for b in cast.values()] if with_ballots else None,
            )
        )
    return views


async def voter_ballots(conn: Conn, forum_id: UUID, voter_id: str, voter_organisation: str) -> list[VoterBallot]:
    """The votes ``voter_id`` may cast in the forum, with the candidates and their own ballot once cast."""
    rows = await conn.fetch(
        "SELECT v.prize_key, p.label, p.category, v.opens_at, v.closes_at, v.allow_own_organisation,"
        " b.project_id, b.cast_at FROM read.forum_votes v"
        " JOIN read.forum_prizes p ON p.forum_id = v.forum_id AND p.key = v.prize_key"
        " LEFT JOIN read.forum_ballots b ON b.forum_id = v.forum_id AND b.prize_key = v.prize_key"
        " AND b.voter_id = $2"
        " WHERE v.forum_id = $1 AND v.electorate @> $3::jsonb ORDER BY p.position",
        forum_id,
        voter_id,
        _json([{"person_id": voter_id}]),
    )
    candidates = await nominations(conn, forum_id, active_only=True)
    return [
        VoterBallot(
            prize_key=r["prize_key"],
            label=r["label"],
            opens_at=r["opens_at"],
            closes_at=r["closes_at"],
            allow_own_organisation=r["allow_own_organisation"],
            candidates=[
                Candidate(
                    c.project_id,
                    c.title,
                    c.organisation,
                    c.organisation_name,
                    c.category,
                    c.organisation == voter_organisation,
                )
                for c in candidates
                if r["category"] is None or c.category == r["category"]
            ],
            voted_for=r["project_id"],
            cast_at=r["cast_at"],
        )
        for r in rows
    ]


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
