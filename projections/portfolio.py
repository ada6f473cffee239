"""The portfolio of supported projects: the board by stage, one project's whole path, and each forum's funnel.

Facts come from four kinds of store: the project's own (the project, its pre-incubation), the
call's, and the forum host's (nominations, pitches, the published palmarès). Each row is written
by events of the store its ``organisation`` column names, so one organisation's share rebuilds alone.
Flags (overdue milestones, passed deadlines) are computed when read, against the day given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain import formatting
from domain.forum import Forum
from domain.idea_call import IdeaCall
from domain.pre_incubation import (
    OUTCOME_LABELS,
    STAGE_LABELS,
    Outcome,
    PreIncubation,
    Stage,
    is_deadline_passed,
    is_overdue,
)
from domain.project import Project
from domain.values import PARIS
from projections.dispatch import Conn, EventProjection, EventsOf, RowOf, on
from projections.projector import Envelope

C = EventsOf(IdeaCall)
F = EventsOf(Forum)
PI = EventsOf(PreIncubation)
P = EventsOf(Project)
PROJECT = RowOf("read.portfolio_projects", "project_id")
CALL = RowOf("read.portfolio_calls", "call_id")
FORUM = RowOf("read.portfolio_forums", "forum_id")

DEPLOYED = (Outcome.DEPLOYE.value, Outcome.TRANSFERE.value)
STAGES = frozenset(s.value for s in Stage)
OUTCOMES = frozenset(o.value for o in Outcome)
REASON_LABELS = {"laureat": "Lauréat d'un forum", "decision": "Décision de l'organisation"}

# The phases of a project's path, in order, and the phase of each kind of fact.
PHASES = {
    "call": "Appel à idées",
    "selection": "Sélection locale",
    "forum": "Forum",
    "prize": "Palmarès",
    "pre_incubation": "Pré-incubation",
    "outcome": "Issue",
}
KIND_PHASES = {
    "submitted": "call",
    "withdrawn": "call",
    "selected": "selection",
    "not_selected": "selection",
    "nominated": "forum",
    "nomination_withdrawn": "forum",
    "coached": "forum",
    "pitched": "forum",
    "absent": "forum",
    "laureate": "prize",
    "outcome_recorded": "outcome",
}

FUNNEL_STEPS = (
    ("submitted", "Déposés"),
    ("selected", "Retenus localement"),
    ("nominated", "Présentés au forum"),
    ("pitched", "Pitchés"),
    ("laureate", "Lauréats"),
    ("incubated", "Pré-incubés"),
    ("deployed", "Déployés ou transférés"),
)


# A line of a project's path, as ``read.project_path`` stores it:
# (organisation, position, seq, project_id, at, kind, ref_id, value, on_day, detail).
Step = tuple[str, int, int, UUID, datetime, str, UUID | None, str, date | None, str]


def _step(
    envelope: Envelope,
    project_id: UUID,
    kind: str,
    *,
    seq: int = 0,
    ref: UUID | None = None,
    value: str = "",
    day: date | None = None,
    detail: str = "",
) -> Step:
    return (
        envelope.organisation,
        envelope.position,
        seq,
        project_id,
        envelope.event.timestamp,
        kind,
        ref,
        value,
        day,
        detail,
    )


class Portfolio(EventProjection):
    """Each handler returns the steps its event adds to a project's path: they are written once per batch."""

    name = "portfolio"
    tables = (
        "read.portfolio_projects",
        "read.portfolio_calls",
        "read.portfolio_forums",
        "read.portfolio_forum_entries",
        "read.pre_incubations",
        "read.pre_incubation_milestones",
        "read.pre_incubation_vigilance",
        "read.project_path",
    )

    async def apply(self, conn: asyncpg.Connection, batch: Sequence[Envelope]) -> None:
        steps: list[Step] = []
        for envelope in batch:
            steps.extend(await self.dispatch(conn, envelope))
        if steps:
            await conn.executemany(
                "INSERT INTO read.project_path"
                " (organisation, position, seq, project_id, at, kind, ref_id, value, on_day, detail)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                steps,
            )

    # -- projects (the project's store) -------------------------------------------------------------------------------

    @on(P.Drafted)
    async def project_drafted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.portfolio_projects (project_id, organisation, call_id, call_organisation, title,"
            " problem, author, team, status) VALUES ($1, $2, $3, $4, $5, $6, $7, ARRAY[$7], 'drafted')",
            e.originator_id,
            envelope.organisation,
            e.call_id,
            e.call_organisation,
            e.content.title,
            e.content.problem,
            e.author,
        )

    @on(P.Submitted)
    async def project_submitted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        await self._content(conn, envelope, submitted=True)
        call_id = await conn.fetchval(
            "SELECT call_id FROM read.portfolio_projects WHERE project_id = $1", e.originator_id
        )
        return [_step(envelope, e.originator_id, "submitted", ref=call_id)]

    @on(P.Edited)
    async def project_edited(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await self._content(conn, envelope, submitted=False)

    async def _content(self, conn: asyncpg.Connection, envelope: Envelope, *, submitted: bool) -> None:
        e = envelope.event
        await PROJECT.set(
            conn,
            envelope,
            "title = $2, problem = $3,"
            " status = CASE WHEN $4::boolean THEN 'submitted' ELSE status END,"
            " submitted_at = CASE WHEN $4::boolean THEN $5::timestamptz ELSE submitted_at END",
            e.content.title,
            e.content.problem,
            submitted,
            e.timestamp,
        )

    @on(P.Withdrawn)
    async def project_withdrawn(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        await PROJECT.set(conn, envelope, "status = 'withdrawn'")
        return [_step(envelope, e.originator_id, "withdrawn", detail=e.reason)]

    @on(P.CoAuthorAccepted)
    async def co_author_accepted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PROJECT.set(conn, envelope, "team = array_append(team, $2)", e.person)

    @on(P.Selected)
    async def selected(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        return await self._decided(conn, envelope, "selected")

    @on(P.NotSelected)
    async def not_selected(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        return await self._decided(conn, envelope, "not_selected")

    async def _decided(self, conn: asyncpg.Connection, envelope: Envelope, decision: str) -> list[Step]:
        e = envelope.event
        await PROJECT.set(conn, envelope, "decision = $2", decision)
        return [_step(envelope, e.originator_id, decision, detail=e.reason)]

    @on(P.Nominated)
    async def nominated(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PROJECT.set(conn, envelope, "forum_id = $2, forum_organisation = $3", e.forum_id, e.forum_organisation)

    @on(P.NominationWithdrawn)
    async def nomination_withdrawn(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PROJECT.set(conn, envelope, "forum_id = NULL, forum_organisation = NULL")

    # -- calls (the call's store) -------------------------------------------------------------------------------------

    @on(C.Drafted)
    async def call_drafted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        forum = e.forum
        await conn.execute(
            "INSERT INTO read.portfolio_calls (call_id, organisation, title, forum_id, forum_organisation)"
            " VALUES ($1, $2, $3, $4, $5)",
            e.originator_id,
            envelope.organisation,
            e.title,
            forum.forum_id if forum else None,
            forum.forum_organisation if forum else None,
        )

    @on(C.Amended)
    async def call_amended(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        if "title" in e.changed and e.title:
            await CALL.set(conn, envelope, "title = $2", e.title)

    @on(C.AttachedToForum)
    async def call_attached_to_forum(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await CALL.set(
            conn, envelope, "forum_id = $2, forum_organisation = $3", e.forum.forum_id, e.forum.forum_organisation
        )

    # -- forums (the host's store): each step refers to the forum ----------------------------------------------------

    @on(F.Planned)
    async def forum_planned(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.portfolio_forums (forum_id, organisation, title, kind, starts_on)"
            " VALUES ($1, $2, $3, $4, $5)",
            e.originator_id,
            envelope.organisation,
            e.title,
            e.kind,
            e.starts_on,
        )

    @on(F.EditionAmended)
    async def edition_amended(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await FORUM.set(conn, envelope, "title = $2, starts_on = $3", e.title, e.starts_on)

    @on(F.ProjectNominated)
    async def project_nominated(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        project = e.project
        await conn.execute(
            "INSERT INTO read.portfolio_forum_entries"
            " (forum_id, project_id, organisation, project_organisation, title, nominated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (forum_id, project_id) DO UPDATE"
            " SET withdrawn = false, title = excluded.title, nominated_at = excluded.nominated_at",
            e.originator_id,
            project.project_id,
            envelope.organisation,
            project.organisation,
            project.title,
            e.timestamp,
        )
        return [_step(envelope, project.project_id, "nominated", ref=e.originator_id)]

    @on(F.NominationWithdrawn)
    async def forum_nomination_withdrawn(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        await conn.execute(
            "UPDATE read.portfolio_forum_entries SET withdrawn = true WHERE forum_id = $1 AND project_id = $2",
            e.originator_id,
            e.project_id,
        )
        return [_step(envelope, e.project_id, "nomination_withdrawn", ref=e.originator_id, detail=e.reason)]

    @on(F.CoachingSessionRecorded)
    async def coaching_session_recorded(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        return [_step(envelope, e.project_id, "coached", ref=e.originator_id)]

    @on(F.PitchDelivered)
    async def pitch_delivered(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        await self._pitch(conn, envelope, absent=False)
        return [_step(envelope, e.project_id, "pitched", ref=e.originator_id, value=str(e.duration_seconds))]

    @on(F.TeamAbsent)
    async def team_absent(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        await self._pitch(conn, envelope, absent=True)
        return [_step(envelope, e.project_id, "absent", ref=e.originator_id)]

    async def _pitch(self, conn: asyncpg.Connection, envelope: Envelope, *, absent: bool) -> None:
        e = envelope.event
        await conn.execute(
            "UPDATE read.portfolio_forum_entries SET pitched_at = CASE WHEN $3::boolean THEN NULL"
            " ELSE $4::timestamptz END, absent = $3::boolean WHERE forum_id = $1 AND project_id = $2",
            e.originator_id,
            e.project_id,
            absent,
            e.timestamp,
        )

    @on(F.PalmaresPublished)
    async def palmares_published(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        forum_id = e.originator_id
        await conn.execute(
            "UPDATE read.portfolio_forums SET palmares_published_at = $2 WHERE forum_id = $1", forum_id, e.timestamp
        )
        steps: list[Step] = []
        seqs: dict[UUID, int] = {}
        won: list[tuple[UUID, UUID, str]] = []
        for prize in e.palmares.prizes:
            for entry in prize.laureates:
                seq = seqs[entry.project_id] = seqs.get(entry.project_id, -1) + 1
                won.append((forum_id, entry.project_id, prize.label))
                steps.append(_step(envelope, entry.project_id, "laureate", seq=seq, ref=forum_id, value=prize.label))
        await conn.executemany(
            "UPDATE read.portfolio_forum_entries SET prizes = array_append(prizes, $3)"
            " WHERE forum_id = $1 AND project_id = $2",
            won,
        )
        return steps

    # -- pre-incubations (the project's store) -----------------------------------------------------------------------

    @on(PI.Started)
    async def pre_incubation_started(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        await conn.execute(
            "INSERT INTO read.pre_incubations (project_id, organisation, reason, decision, forum_id, prize_key,"
            " started_on, deadline, sponsor, hours_per_week, budget_cents, partner, stage, stage_since,"
            " pre_incubation_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            e.project_id,
            envelope.organisation,
            e.reason,
            e.decision,
            e.forum_id,
            e.prize_key,
            e.started_on,
            e.deadline,
            e.sponsor,
            e.hours_per_week,
            e.budget_cents,
            e.partner,
            e.stage,
            e.timestamp,
            e.originator_id,
        )
        return [
            _step(envelope, e.project_id, "pre_incubation_started", value=e.reason, day=e.started_on, detail=e.decision)
        ]

    @on(PI.MilestoneAdded)
    async def milestone_added(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        if (project_id := await _incubated(conn, e)) is None:
            return []
        await conn.execute(
            "INSERT INTO read.pre_incubation_milestones (project_id, number, organisation, title, due)"
            " VALUES ($1, $2, $3, $4, $5)",
            project_id,
            e.number,
            envelope.organisation,
            e.title,
            e.due,
        )
        return [_step(envelope, project_id, "milestone_added", value=e.title, day=e.due)]

    @on(PI.MilestoneCompleted)
    async def milestone_completed(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        if (project_id := await _incubated(conn, e)) is None:
            return []
        title = await _milestone_moved(conn, project_id, e.number, completed=True, day=e.completed_on)
        return [_step(envelope, project_id, "milestone_completed", value=title or "", day=e.completed_on)]

    @on(PI.MilestoneRescheduled)
    async def milestone_rescheduled(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        if (project_id := await _incubated(conn, e)) is None:
            return []
        title = await _milestone_moved(conn, project_id, e.number, completed=False, day=e.due)
        return [_step(envelope, project_id, "milestone_rescheduled", value=title or "", day=e.due, detail=e.reason)]

    @on(PI.DeadlineExtended)
    async def deadline_extended(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        if (project_id := await _incubated(conn, e)) is None:
            return []
        await conn.execute(
            "UPDATE read.pre_incubations SET deadline = $2 WHERE project_id = $1", project_id, e.deadline
        )
        return [_step(envelope, project_id, "deadline_extended", day=e.deadline, detail=e.reason)]

    @on(PI.SponsorChanged)
    async def sponsor_changed(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        if (project_id := await _incubated(conn, e)) is None:
            return []
        await conn.execute("UPDATE read.pre_incubations SET sponsor = $2 WHERE project_id = $1", project_id, e.sponsor)
        return [_step(envelope, project_id, "sponsor_changed", value=e.sponsor)]

    @on(PI.CommitmentsChanged)
    async def commitments_changed(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        if (project_id := await _incubated(conn, e)) is None:
            return []
        await conn.execute(
            "UPDATE read.pre_incubations SET hours_per_week = $2, budget_cents = $3 WHERE project_id = $1",
            project_id,
            e.hours_per_week,
            e.budget_cents,
        )
        value = commitments(e.hours_per_week, e.budget_cents)
        return [_step(envelope, project_id, "commitments_changed", value=value, detail=e.reason)]

    @on(PI.ProgressNoted)
    async def progress_noted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        if (project_id := await _incubated(conn, e)) is None:
            return []
        return [_step(envelope, project_id, "progress_noted", detail=e.text)]

    @on(PI.VigilanceRaised)
    async def vigilance_raised(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        if (project_id := await _incubated(conn, e)) is None:
            return []
        await conn.execute(
            "INSERT INTO read.pre_incubation_vigilance (project_id, number, organisation, text, raised_on)"
            " VALUES ($1, $2, $3, $4, $5)",
            project_id,
            e.number,
            envelope.organisation,
            e.text,
            e.timestamp.astimezone(PARIS).date(),
        )
        return [_step(envelope, project_id, "vigilance_raised", detail=e.text)]

    @on(PI.VigilanceResolved)
    async def vigilance_resolved(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        if (project_id := await _incubated(conn, e)) is None:
            return []
        await conn.execute(
            "UPDATE read.pre_incubation_vigilance SET resolution = $3 WHERE project_id = $1 AND number = $2",
            project_id,
            e.number,
            e.resolution,
        )
        return [_step(envelope, project_id, "vigilance_resolved", detail=e.resolution)]

    @on(PI.StageChanged)
    async def stage_changed(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        if (project_id := await _incubated(conn, e)) is None:
            return []
        await conn.execute(
            "UPDATE read.pre_incubations SET stage = $2, stage_since = $3 WHERE project_id = $1",
            project_id,
            e.stage,
            e.timestamp,
        )
        return [_step(envelope, project_id, "stage_changed", value=e.stage, detail=e.reason)]

    @on(PI.OutcomeRecorded)
    async def outcome_recorded(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Step]:
        if (project_id := await _incubated(conn, e)) is None:
            return []
        await conn.execute(
            "UPDATE read.pre_incubations SET outcome = $2, owner = $3, outcome_reason = $4, outcome_at = $5"
            " WHERE project_id = $1",
            project_id,
            e.outcome,
            e.owner,
            e.reason,
            e.timestamp,
        )
        return [_step(envelope, project_id, "outcome_recorded", value=e.outcome, detail=e.owner or e.reason or "")]


async def _incubated(conn: asyncpg.Connection, e: Any) -> UUID | None:
    """The project a pre-incubation's event is about; None when its start is not in this share of the log (nothing
    to attach it to)."""
    project_id: UUID | None = await conn.fetchval(
        "SELECT project_id FROM read.pre_incubations WHERE pre_incubation_id = $1", e.originator_id
    )
    return project_id


async def _milestone_moved(
    conn: asyncpg.Connection, project_id: UUID, number: int, *, completed: bool, day: date
) -> str | None:
    """A milestone completed on ``day``, or due on ``day``; its title."""
    title: str | None = await conn.fetchval(
        "UPDATE read.pre_incubation_milestones"
        " SET completed_on = CASE WHEN $3::boolean THEN $4::date ELSE completed_on END,"
        " due = CASE WHEN $3::boolean THEN due ELSE $4::date END"
        " WHERE project_id = $1 AND number = $2 RETURNING title",
        project_id,
        number,
        completed,
        day,
    )
    return title


def commitments(hours_per_week: Decimal, budget_cents: int) -> str:
    return f"{formatting.number(hours_per_week)} h par semaine, {formatting.money(budget_cents)}"


# ---------------------------------------------------------------------------------------------------------------------
# Queries


class MilestoneView(msgspec.Struct, frozen=True):
    number: int
    title: str
    due: date
    completed_on: date | None
    overdue: bool


class VigilanceView(msgspec.Struct, frozen=True):
    number: int
    text: str
    raised_on: date
    resolution: str | None


class PreIncubationView(msgspec.Struct, frozen=True):
    """A pre-incubation as the board and the timeline show it, flagged against ``today``."""

    project_id: UUID
    organisation: str
    organisation_name: str
    title: str
    reason: str
    reason_label: str
    decision: str
    forum_id: UUID | None
    forum_title: str | None
    forum_host: str | None
    prize_key: str | None
    started_on: date
    deadline: date
    sponsor: str
    hours_per_week: Decimal
    budget_cents: int
    commitments: str
    partner: str | None
    partner_name: str | None
    stage: str
    stage_label: str
    stage_since: datetime
    outcome: str | None
    outcome_label: str | None
    owner: str | None
    outcome_reason: str | None
    milestones: list[MilestoneView]
    vigilance: list[VigilanceView]
    overdue_milestones: int
    deadline_passed: bool
    open_vigilance: int

    @property
    def flagged(self) -> bool:
        return self.overdue_milestones > 0 or self.deadline_passed


class BoardColumn(msgspec.Struct, frozen=True):
    stage: str
    label: str
    cards: list[PreIncubationView]


class Board(msgspec.Struct, frozen=True):
    today: date
    total: int
    flagged: int
    columns: list[BoardColumn]


_PRE_INCUBATION_SELECT = """
    SELECT pi.*, coalesce(p.title, '(projet sans titre)') AS title, coalesce(o.name, pi.organisation) AS org_name,
           f.title AS forum_title, f.organisation AS forum_host, po.name AS partner_name
    FROM read.pre_incubations pi
    LEFT JOIN read.portfolio_projects p ON p.project_id = pi.project_id
    LEFT JOIN read.portfolio_forums f ON f.forum_id = pi.forum_id
    LEFT JOIN read.organisations o ON o.slug = pi.organisation
    LEFT JOIN read.organisations po ON po.slug = pi.partner
"""


async def _views(conn: Conn, rows: Sequence[asyncpg.Record], today: date) -> list[PreIncubationView]:
    ids = [r["project_id"] for r in rows]
    milestones: dict[UUID, list[MilestoneView]] = {i: [] for i in ids}
    vigilance: dict[UUID, list[VigilanceView]] = {i: [] for i in ids}
    if ids:
        for m in await conn.fetch(
            "SELECT * FROM read.pre_incubation_milestones WHERE project_id = ANY($1) ORDER BY project_id, due, number",
            ids,
        ):
            milestones[m["project_id"]].append(
                MilestoneView(
                    m["number"], m["title"], m["due"], m["completed_on"], is_overdue(m["due"], m["completed_on"], today)
                )
            )
        for v in await conn.fetch(
            "SELECT * FROM read.pre_incubation_vigilance WHERE project_id = ANY($1) ORDER BY project_id, number", ids
        ):
            vigilance[v["project_id"]].append(VigilanceView(v["number"], v["text"], v["raised_on"], v["resolution"]))
    views = []
    for r in rows:
        pid = r["project_id"]
        stage, outcome = r["stage"], r["outcome"]
        views.append(
            PreIncubationView(
                project_id=pid,
                organisation=r["organisation"],
                organisation_name=r["org_name"],
                title=r["title"],
                reason=r["reason"],
                reason_label=REASON_LABELS.get(r["reason"], r["reason"]),
                decision=r["decision"],
                forum_id=r["forum_id"],
                forum_title=r["forum_title"],
                forum_host=r["forum_host"],
                prize_key=r["prize_key"],
                started_on=r["started_on"],
                deadline=r["deadline"],
                sponsor=r["sponsor"],
                hours_per_week=r["hours_per_week"],
                budget_cents=r["budget_cents"],
                commitments=commitments(r["hours_per_week"], r["budget_cents"]),
                partner=r["partner"],
                partner_name=r["partner_name"],
                stage=stage,
                stage_label=STAGE_LABELS.get(Stage(stage), stage) if stage in STAGES else stage,
                stage_since=r["stage_since"],
                outcome=outcome,
                outcome_label=OUTCOME_LABELS[Outcome(outcome)] if outcome in OUTCOMES else outcome,
                owner=r["owner"],
                outcome_reason=r["outcome_reason"],
                milestones=milestones[pid],
                vigilance=vigilance[pid],
                overdue_milestones=sum(1 for m in milestones[pid] if m.overdue),
                deadline_passed=is_deadline_passed(r["deadline"], outcome, today),
                open_vigilance=sum(1 for v in vigilance[pid] if v.resolution is None),
            )
        )
    return views


async def board(
    conn: Conn,
    *,
    today: date,
    everything: bool = False,
    organisations: Sequence[str] = (),
    host_organisations: Sequence[str] = (),
    forum_ids: Sequence[UUID] = (),
    partners: Sequence[str] = (),
    organisation: str | None = None,
) -> Board:
    """Pre-incubations by stage: those of ``organisations``, of laureates of forums hosted by
    ``host_organisations`` or among ``forum_ids``, supported by ``partners`` (or all, with ``everything``);
    ``organisation`` narrows the board to one organisation's projects."""
    rows = await conn.fetch(
        _PRE_INCUBATION_SELECT + " WHERE ($1 OR pi.organisation = ANY($2::text[]) OR f.organisation = ANY($3::text[])"
        " OR pi.forum_id = ANY($4::uuid[]) OR pi.partner = ANY($5::text[]))"
        " AND ($6::text IS NULL OR pi.organisation = $6)"
        " ORDER BY pi.deadline, title, pi.project_id",
        everything,
        list(organisations),
        list(host_organisations),
        list(forum_ids),
        list(partners),
        organisation,
    )
    views = await _views(conn, rows, today)
    columns = [
        BoardColumn(stage.value, STAGE_LABELS[stage], [v for v in views if v.stage == stage.value]) for stage in Stage
    ]
    return Board(today=today, total=len(views), flagged=sum(1 for v in views if v.flagged), columns=columns)


async def pre_incubation(conn: Conn, project_id: UUID, *, today: date) -> PreIncubationView | None:
    rows = await conn.fetch(_PRE_INCUBATION_SELECT + " WHERE pi.project_id = $1", project_id)
    views = await _views(conn, rows, today)
    return views[0] if views else None


class PathStep(msgspec.Struct, frozen=True):
    at: datetime
    phase: str
    phase_label: str
    kind: str
    label: str
    detail: str
    organisation: str


class PrizeWon(msgspec.Struct, frozen=True):
    forum_id: UUID
    forum_title: str
    forum_host: str
    prize: str


class ProjectPath(msgspec.Struct, frozen=True):
    """One project's whole path: call, selection, forum, prize, pre-incubation stages, outcome."""

    project_id: UUID
    organisation: str
    organisation_name: str
    title: str
    status: str
    decision: str | None
    team: list[str]
    call_title: str | None
    nominated_to: str | None
    prizes_won: list[PrizeWon]
    pre_incubation: PreIncubationView | None
    steps: list[PathStep]

    @property
    def forum_id(self) -> UUID | None:
        return self.pre_incubation.forum_id if self.pre_incubation else None

    @property
    def forum_host(self) -> str | None:
        return self.pre_incubation.forum_host if self.pre_incubation else None

    @property
    def partner(self) -> str | None:
        return self.pre_incubation.partner if self.pre_incubation else None


def _minutes(seconds: str) -> str:
    total = int(seconds) if seconds.isdigit() else 0
    return f"{total // 60} min {total % 60:02d} s"


_LABELS = {
    "submitted": "Déposé à l'appel {ref}",
    "withdrawn": "Retiré par son équipe",
    "selected": "Retenu par la sélection locale",
    "not_selected": "Non retenu par la sélection locale",
    "nominated": "Présenté au forum {ref}",
    "nomination_withdrawn": "Candidature retirée du forum {ref}",
    "coached": "Séance de coaching",
    "pitched": "Pitch délivré ({minutes})",
    "absent": "Équipe absente au pitch",
    "laureate": "Lauréat : {value} — {ref}",
    "pre_incubation_started": "Entrée en pré-incubation le {day} ({reason})",
    "milestone_added": "Jalon prévu pour le {day} : {value}",
    "milestone_completed": "Jalon atteint le {day} : {value}",
    "milestone_rescheduled": "Jalon replanifié au {day} : {value}",
    "deadline_extended": "Échéance prolongée au {day}",
    "sponsor_changed": "Nouveau parrain : {value}",
    "commitments_changed": "Engagements revus : {value}",
    "progress_noted": "Point d'avancement",
    "vigilance_raised": "Point de vigilance signalé",
    "vigilance_resolved": "Point de vigilance levé",
    "stage_changed": "Stade : {stage}",
    "outcome_recorded": "Issue : {outcome}",
}


def _label(kind: str, value: str, day: date | None, ref_title: str | None) -> str:
    fields = {
        "ref": f"« {ref_title} »" if ref_title else "",
        "day": formatting.day(day),
        "value": value,
        "minutes": _minutes(value),
        "reason": REASON_LABELS.get(value, value).lower(),
        "stage": STAGE_LABELS[Stage(value)] if value in STAGES else value,
        "outcome": OUTCOME_LABELS[Outcome(value)] if value in OUTCOMES else value,
    }
    return _LABELS.get(kind, kind).format(**fields).strip().removesuffix(" —")


async def project_path(conn: Conn, project_id: UUID, *, today: date) -> ProjectPath | None:
    project = await conn.fetchrow(
        "SELECT p.*, coalesce(o.name, p.organisation) AS org_name, c.title AS call_title, f.title AS forum_title"
        " FROM read.portfolio_projects p"
        " LEFT JOIN read.organisations o ON o.slug = p.organisation"
        " LEFT JOIN read.portfolio_calls c ON c.call_id = p.call_id"
        " LEFT JOIN read.portfolio_forums f ON f.forum_id = p.forum_id"
        " WHERE p.project_id = $1",
        project_id,
    )
    if project is None:
        return None
    rows = await conn.fetch(
        "SELECT s.*, coalesce(c.title, f.title) AS ref_title FROM read.project_path s"
        " LEFT JOIN read.portfolio_calls c ON c.call_id = s.ref_id"
        " LEFT JOIN read.portfolio_forums f ON f.forum_id = s.ref_id"
        " WHERE s.project_id = $1 ORDER BY s.position, s.seq",
        project_id,
    )
    steps = []
    for r in rows:
        phase = KIND_PHASES.get(r["kind"], "pre_incubation")
        steps.append(
            PathStep(
                at=r["at"],
                phase=phase,
                phase_label=PHASES[phase],
                kind=r["kind"],
                label=_label(r["kind"], r["value"], r["on_day"], r["ref_title"]),
                detail=r["detail"],
                organisation=r["organisation"],
            )
        )
    return ProjectPath(
        project_id=project_id,
        organisation=project["organisation"],
        organisation_name=project["org_name"],
        title=project["title"],
        status=project["status"],
        decision=project["decision"],
        team=list(project["team"]),
        call_title=project["call_title"],
        nominated_to=project["forum_title"],
        prizes_won=[
            PrizeWon(r["forum_id"], r["title"], r["organisation"], prize)
            for r in await conn.fetch(
                "SELECT e.forum_id, f.title, f.organisation, e.prizes FROM read.portfolio_forum_entries e"
                " JOIN read.portfolio_forums f ON f.forum_id = e.forum_id"
                " WHERE e.project_id = $1 AND cardinality(e.prizes) > 0 ORDER BY f.starts_on",
                project_id,
            )
            for prize in r["prizes"]
        ],
        pre_incubation=await pre_incubation(conn, project_id, today=today),
        steps=steps,
    )


class FunnelStep(msgspec.Struct, frozen=True):
    key: str
    label: str
    count: int
    percent_of_first: int  # the bar's length, relative to the first step


class FunnelRow(msgspec.Struct, frozen=True):
    organisation: str
    organisation_name: str
    counts: dict[str, int]


class Funnel(msgspec.Struct, frozen=True):
    """A forum's funnel: how many projects reached each step, in all and per organisation."""

    forum_id: UUID
    title: str
    host: str
    kind: str
    starts_on: date
    published: bool
    steps: list[FunnelStep]
    by_organisation: list[FunnelRow]


class ForumSummary(msgspec.Struct, frozen=True):
    forum_id: UUID
    title: str
    host: str
    host_name: str
    kind: str
    starts_on: date
    published: bool


async def forum_summary(conn: Conn, forum_id: UUID) -> ForumSummary | None:
    r = await conn.fetchrow(
        "SELECT f.*, coalesce(o.name, f.organisation) AS host_name FROM read.portfolio_forums f"
        " LEFT JOIN read.organisations o ON o.slug = f.organisation WHERE f.forum_id = $1",
        forum_id,
    )
    if r is None:
        return None
    return ForumSummary(
        r["forum_id"], r["title"], r["organisation"], r["host_name"], r["kind"], r["starts_on"],
        r["palmares_published_at"] is not None,
    )  # fmt: skip


async def list_forums(conn: Conn, *, published_only: bool = True) -> list[ForumSummary]:
    rows = await conn.fetch(
        "SELECT f.*, coalesce(o.name, f.organisation) AS host_name FROM read.portfolio_forums f"
        " LEFT JOIN read.organisations o ON o.slug = f.organisation"
        " WHERE NOT $1 OR f.palmares_published_at IS NOT NULL ORDER BY f.starts_on DESC, f.title",
        published_only,
    )
    return [
        ForumSummary(
            r["forum_id"],
            r["title"],
            r["organisation"],
            r["host_name"],
            r["kind"],
            r["starts_on"],
            r["palmares_published_at"] is not None,
        )
        for r in rows
    ]


async def funnel(conn: Conn, forum_id: UUID) -> Funnel | None:
    forum = await forum_summary(conn, forum_id)
    if forum is None:
        return None
    rows = await conn.fetch(
        """
        WITH candidates AS (
            SELECT p.project_id, p.organisation FROM read.portfolio_projects p
              JOIN read.portfolio_calls c ON c.call_id = p.call_id WHERE c.forum_id = $1
            UNION
            SELECT p.project_id, p.organisation FROM read.portfolio_projects p WHERE p.forum_id = $1
            UNION
            SELECT e.project_id, e.project_organisation FROM read.portfolio_forum_entries e WHERE e.forum_id = $1
        ), facts AS (
            SELECT c.organisation,
                   p.submitted_at IS NOT NULL OR e.project_id IS NOT NULL AS submitted,
                   p.decision = 'selected' OR e.project_id IS NOT NULL AS selected,
                   e.project_id IS NOT NULL AND NOT e.withdrawn AS nominated,
                   e.pitched_at IS NOT NULL AS pitched,
                   coalesce(cardinality(e.prizes), 0) > 0 AS laureate,
                   pi.project_id IS NOT NULL AND (pi.forum_id = $1 OR coalesce(cardinality(e.prizes), 0) > 0)
                       AS incubated,
                   pi.outcome = ANY($2::text[]) AND (pi.forum_id = $1 OR coalesce(cardinality(e.prizes), 0) > 0)
                       AS deployed
            FROM candidates c
            LEFT JOIN read.portfolio_projects p ON p.project_id = c.project_id
            LEFT JOIN read.portfolio_forum_entries e ON e.forum_id = $1 AND e.project_id = c.project_id
            LEFT JOIN read.pre_incubations pi ON pi.project_id = c.project_id
        )
        SELECT f.organisation, coalesce(o.name, f.organisation) AS org_name,
               count(*) FILTER (WHERE submitted) AS submitted,
               count(*) FILTER (WHERE selected) AS selected,
               count(*) FILTER (WHERE nominated) AS nominated,
               count(*) FILTER (WHERE pitched) AS pitched,
               count(*) FILTER (WHERE laureate) AS laureate,
               count(*) FILTER (WHERE incubated) AS incubated,
               count(*) FILTER (WHERE deployed) AS deployed
        FROM facts f LEFT JOIN read.organisations o ON o.slug = f.organisation
        GROUP BY f.organisation, o.name ORDER BY org_name, f.organisation
        """,
        forum_id,
        list(DEPLOYED),
    )
    by_organisation = [
        FunnelRow(r["organisation"], r["org_name"], {key: r[key] for key, _ in FUNNEL_STEPS}) for r in rows
    ]
    totals = {key: sum(row.counts[key] for row in by_organisation) for key, _ in FUNNEL_STEPS}
    first = max(totals[FUNNEL_STEPS[0][0]], 1)
    steps = [FunnelStep(key, label, totals[key], round(100 * totals[key] / first)) for key, label in FUNNEL_STEPS]
    return Funnel(
        forum_id=forum_id,
        title=forum.title,
        host=forum.host,
        kind=forum.kind,
        starts_on=forum.starts_on,
        published=forum.published,
        steps=steps,
        by_organisation=by_organisation,
    )
