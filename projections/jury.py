"""The jury as the host, the jurors and the auditors see it: jurors, rules and their versions, conflicts, scores,
progress, the ranking recorded and the deliberation (designations and tie decisions).

The forum's header (rules in force, deliberation status, ranking outdated) lives in ``read.forums``
(``projections.forums``); this read model keeps the jury's own rows. Scores are the jurors' and the host's to read:
check access before answering.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.forum import Forum
from domain.jury import DECLARED_CONFLICT, OWN_ORGANISATION, recusal
from projections.dispatch import Conn, EventProjection, EventsOf, from_json, on, to_json
from projections.projector import Envelope

F = EventsOf(Forum)


class JuryProjection(EventProjection):
    name = "jury"
    tables = (
        "read.forum_jurors",
        "read.forum_rules",
        "read.forum_conflicts",
        "read.forum_scores",
        "read.forum_rankings",
        "read.forum_tie_decisions",
        "read.forum_designations",
    )

    @on(F.JurorAppointed)
    async def juror_appointed(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forum_jurors (forum_id, person_id, organisation, juror_organisation, college,"
            " appointed_at) VALUES ($1, $2, $3, $4, $5, $6)",
            envelope.originator_id,
            e.person_id,
            envelope.organisation,
            e.organisation,
            e.college,
            e.meta.at,
        )

    @on(F.RulesSet)
    async def rules_set(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await self._rules_version(conn, envelope, e, amended=False, reason="")

    @on(F.RulesAmended)
    async def rules_amended(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await self._rules_version(conn, envelope, e, amended=True, reason=e.reason)

    async def _rules_version(
        self, conn: asyncpg.Connection, envelope: Envelope, e: Any, *, amended: bool, reason: str
    ) -> None:
        await conn.execute(
            "INSERT INTO read.forum_rules (forum_id, version, organisation, rules, amended, reason, at)"
            " VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)",
            envelope.originator_id,
            e.version,
            envelope.organisation,
            to_json(e.rules),
            amended,
            reason,
            e.meta.at,
        )

    @on(F.ConflictDeclared)
    async def conflict_declared(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forum_conflicts (forum_id, juror_id, project_id, organisation, reason, declared_at)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            envelope.originator_id,
            e.juror_id,
            e.project_id,
            envelope.organisation,
            e.reason,
            e.meta.at,
        )

    @on(F.ScoreRecorded)
    async def score_recorded(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forum_scores (forum_id, juror_id, project_id, organisation, scores, comment,"
            " rules_version, revision, command_id, recorded_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8,"
            " $9, $10) ON CONFLICT (forum_id, juror_id, project_id) DO UPDATE SET scores = EXCLUDED.scores,"
            " comment = EXCLUDED.comment, rules_version = EXCLUDED.rules_version, revision = EXCLUDED.revision,"
            " command_id = EXCLUDED.command_id, recorded_at = EXCLUDED.recorded_at",
            envelope.originator_id,
            e.juror_id,
            e.project_id,
            envelope.organisation,
            to_json(e.scores),
            e.comment,
            e.rules_version,
            e.revision,
            e.meta.command_id,
            e.meta.at,
        )

    @on(F.RankingComputed)
    async def ranking_computed(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forum_rankings (forum_id, organisation, ranking, computed_at)"
            " VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (forum_id) DO UPDATE SET ranking = EXCLUDED.ranking,"
            " computed_at = EXCLUDED.computed_at",
            envelope.originator_id,
            envelope.organisation,
            to_json(e.ranking),
            e.meta.at,
        )

    @on(F.TieBroken)
    async def tie_broken(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forum_tie_decisions (forum_id, position, organisation, project_ids, rationale,"
            " decided_at) VALUES ($1, $2, $3, $4, $5, $6)",
            envelope.originator_id,
            envelope.position,
            envelope.organisation,
            list(e.project_ids),
            e.rationale,
            e.meta.at,
        )

    @on(F.LaureatesDesignated)
    async def laureates_designated(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forum_designations (forum_id, prize_key, organisation, awards,"
            " departs_from_ranking, rationale, designated_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)"
            " ON CONFLICT (forum_id, prize_key) DO UPDATE SET awards = EXCLUDED.awards,"
            " departs_from_ranking = EXCLUDED.departs_from_ranking, rationale = EXCLUDED.rationale,"
            " designated_at = EXCLUDED.designated_at",
            envelope.originator_id,
            e.prize_key,
            envelope.organisation,
            to_json(e.awards),
            e.departs_from_ranking,
            e.rationale,
            e.meta.at,
        )


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
        rules=from_json(f["rules"]) if f else None,
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
        " j.juror_organisation,"
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
        if recusal(r["juror_organisation"], r["project_organisation"], conflict_declared=r["conflict"]):
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


_SHEET_STATUS = {OWN_ORGANISATION: "recused", DECLARED_CONFLICT: "conflict"}  # why a sheet line cannot be scored


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
        recused = recusal(head["juror_organisation"], r[2], conflict_declared=r["conflict"] is not None)
        scored = "scored" if r["scores"] is not None else "to_score"
        status = _SHEET_STATUS[recused] if recused is not None else scored
        lines.append(
            SheetLine(
                project_id=r[0],
                title=r[1],
                organisation=r[2],
                organisation_name=r[3],
                summary=r[4],
                category=r[5],
                status=status,
                scores=from_json(r["scores"]),
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
        rules=from_json(head["rules"]),
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
