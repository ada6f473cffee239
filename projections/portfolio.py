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
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

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
from projections.projector import Envelope, Projection

Conn = asyncpg.Connection | asyncpg.Pool
PARIS = ZoneInfo("Europe/Paris")

_PROJECT_EVENTS = (
    Project.Drafted,
    Project.Submitted,
    Project.Edited,
    Project.Withdrawn,
    Project.CoAuthorAccepted,
    Project.Selected,
    Project.NotSelected,
    Project.Nominated,
    Project.NominationWithdrawn,
)
_CALL_EVENTS = (IdeaCall.Drafted, IdeaCall.Amended, IdeaCall.AttachedToForum)
_FORUM_EVENTS = (
    Forum.Planned,
    Forum.EditionAmended,
    Forum.ProjectNominated,
    Forum.NominationWithdrawn,
    Forum.CoachingSessionRecorded,
    Forum.PitchDelivered,
    Forum.TeamAbsent,
    Forum.PalmaresPublished,
)
_PRE_INCUBATION_EVENTS = (
    PreIncubation.Started,
    PreIncubation.MilestoneAdded,
    PreIncubation.MilestoneCompleted,
    PreIncubation.MilestoneRescheduled,
    PreIncubation.DeadlineExtended,
    PreIncubation.SponsorChanged,
    PreIncubation.CommitmentsChanged,
    PreIncubation.ProgressNoted,
    PreIncubation.VigilanceRaised,
    PreIncubation.VigilanceResolved,
    PreIncubation.StageChanged,
    PreIncubation.OutcomeRecorded,
)

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


class Portfolio(Projection):
    name = "portfolio"
    handles = (*_PROJECT_EVENTS, *_CALL_EVENTS, *_FORUM_EVENTS, *_PRE_INCUBATION_EVENTS)
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
        steps: list[tuple[Any, ...]] = []
        for envelope in batch:
            event = envelope.event
            if isinstance(event, _PROJECT_EVENTS):
                await self._project(conn, envelope, event, steps)
            elif isinstance(event, _CALL_EVENTS):
                await self._call(conn, envelope, event)
            elif isinstance(event, _FORUM_EVENTS):
                await self._forum(conn, envelope, event, steps)
            else:
                await self._pre_incubation(conn, envelope, event, steps)
        if steps:
            await conn.executemany(
                "INSERT INTO read.project_path"
                " (organisation, position, seq, project_id, at, kind, ref_id, value, on_day, detail)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                steps,
            )

    # -- projects and calls ------------------------------------------------------------------------------------------

    async def _project(self, conn: asyncpg.Connection, envelope: Envelope, event: Any, steps: list[Any]) -> None:
        project_id = event.originator_id
        org, position, at = envelope.organisation, envelope.position, event.timestamp

        def step(kind: str, *, ref: UUID | None = None, value: str = "", detail: str = "") -> None:
            steps.append((org, position, 0, project_id, at, kind, ref, value, None, detail))

        if isinstance(event, Project.Drafted):
            await conn.execute(
                "INSERT INTO read.portfolio_projects (project_id, organisation, call_id, call_organisation, title,"
                " problem, author, team, status) VALUES ($1, $2, $3, $4, $5, $6, $7, ARRAY[$7], 'drafted')",
                project_id,
                org,
                event.call_id,
                event.call_organisation,
                event.content.title,
                event.content.problem,
                event.author,
            )
        elif isinstance(event, Project.Submitted | Project.Edited):
            submitted = isinstance(event, Project.Submitted)
            await conn.execute(
                "UPDATE read.portfolio_projects SET title = $2, problem = $3,"
                " status = CASE WHEN $4::boolean THEN 'submitted' ELSE status END,"
                " submitted_at = CASE WHEN $4::boolean THEN $5::timestamptz ELSE submitted_at END"
                " WHERE project_id = $1",
                project_id,
                event.content.title,
                event.content.problem,
                submitted,
                at,
            )
            if submitted:
                call_id = await conn.fetchval(
                    "SELECT call_id FROM read.portfolio_projects WHERE project_id = $1", project_id
                )
                step("submitted", ref=call_id)
        elif isinstance(event, Project.Withdrawn):
            await conn.execute(
                "UPDATE read.portfolio_projects SET status = 'withdrawn' WHERE project_id = $1", project_id
            )
            step("withdrawn", detail=event.reason)
        elif isinstance(event, Project.CoAuthorAccepted):
            await conn.execute(
                "UPDATE read.portfolio_projects SET team = array_append(team, $2) WHERE project_id = $1",
                project_id,
                event.person,
            )
        elif isinstance(event, Project.Selected | Project.NotSelected):
            decision = "selected" if isinstance(event, Project.Selected) else "not_selected"
            await conn.execute(
                "UPDATE read.portfolio_projects SET decision = $2 WHERE project_id = $1", project_id, decision
            )
            step(decision, detail=event.reason)
        elif isinstance(event, Project.Nominated):
            await conn.execute(
                "UPDATE read.portfolio_projects SET forum_id = $2, forum_organisation = $3 WHERE project_id = $1",
                project_id,
                event.forum_id,
                event.forum_organisation,
            )
        elif isinstance(event, Project.NominationWithdrawn):
            await conn.execute(
                "UPDATE read.portfolio_projects SET forum_id = NULL, forum_organisation = NULL WHERE project_id = $1",
                project_id,
            )

    async def _call(self, conn: asyncpg.Connection, envelope: Envelope, event: Any) -> None:
        call_id = event.originator_id
        if isinstance(event, IdeaCall.Drafted):
            forum = event.forum
            await conn.execute(
                "INSERT INTO read.portfolio_calls (call_id, organisation, title, forum_id, forum_organisation)"
                " VALUES ($1, $2, $3, $4, $5)",
                call_id,
                envelope.organisation,
                event.title,
                forum.forum_id if forum else None,
                forum.forum_organisation if forum else None,
            )
        elif isinstance(event, IdeaCall.Amended):
            if "title" in event.changed and event.title:
                await conn.execute(
                    "UPDATE read.portfolio_calls SET title = $2 WHERE call_id = $1", call_id, event.title
                )
        elif isinstance(event, IdeaCall.AttachedToForum):
            await conn.execute(
                "UPDATE read.portfolio_calls SET forum_id = $2, forum_organisation = $3 WHERE call_id = $1",
                call_id,
                event.forum.forum_id,
                event.forum.forum_organisation,
            )

    # -- forums (the host's store) -----------------------------------------------------------------------------------

    async def _forum(self, conn: asyncpg.Connection, envelope: Envelope, event: Any, steps: list[Any]) -> None:
        forum_id = event.originator_id
        org, position, at = envelope.organisation, envelope.position, event.timestamp

        def step(project_id: UUID, kind: str, *, seq: int = 0, value: str = "", detail: str = "") -> None:
            steps.append((org, position, seq, project_id, at, kind, forum_id, value, None, detail))

        if isinstance(event, Forum.Planned):
            await conn.execute(
                "INSERT INTO read.portfolio_forums (forum_id, organisation, title, kind, starts_on)"
                " VALUES ($1, $2, $3, $4, $5)",
                forum_id,
                org,
                event.title,
                event.kind,
                event.starts_on,
            )
        elif isinstance(event, Forum.EditionAmended):
            await conn.execute(
                "UPDATE read.portfolio_forums SET title = $2, starts_on = $3 WHERE forum_id = $1",
                forum_id,
                event.title,
                event.starts_on,
            )
        elif isinstance(event, Forum.ProjectNominated):
            project = event.project
            await conn.execute(
                "INSERT INTO read.portfolio_forum_entries"
                " (forum_id, project_id, organisation, project_organisation, title, nominated_at)"
                " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (forum_id, project_id) DO UPDATE"
                " SET withdrawn = false, title = excluded.title, nominated_at = excluded.nominated_at",
                forum_id,
                project.project_id,
                org,
                project.organisation,
                project.title,
                at,
            )
            step(project.project_id, "nominated")
        elif isinstance(event, Forum.NominationWithdrawn):
            await conn.execute(
                "UPDATE read.portfolio_forum_entries SET withdrawn = true WHERE forum_id = $1 AND project_id = $2",
                forum_id,
                event.project_id,
            )
            step(event.project_id, "nomination_withdrawn", detail=event.reason)
        elif isinstance(event, Forum.CoachingSessionRecorded):
            step(event.project_id, "coached")
        elif isinstance(event, Forum.PitchDelivered | Forum.TeamAbsent):
            absent = isinstance(event, Forum.TeamAbsent)
            await conn.execute(
                "UPDATE read.portfolio_forum_entries SET pitched_at = CASE WHEN $3::boolean THEN NULL"
                " ELSE $4::timestamptz END, absent = $3::boolean WHERE forum_id = $1 AND project_id = $2",
                forum_id,
                event.project_id,
                absent,
                at,
            )
            if absent:
                step(event.project_id, "absent")
            else:
                step(event.project_id, "pitched", value=str(event.duration_seconds))
        elif isinstance(event, Forum.PalmaresPublished):
            await conn.execute(
                "UPDATE read.portfolio_forums SET palmares_published_at = $2 WHERE forum_id = $1", forum_id, at
            )
            seqs: dict[UUID, int] = {}
            won: list[tuple[UUID, UUID, str]] = []
            for prize in event.palmares.prizes:
                for entry in prize.laureates:
                    seq = seqs[entry.project_id] = seqs.get(entry.project_id, -1) + 1
                    won.append((forum_id, entry.project_id, prize.label))
                    step(entry.project_id, "laureate", seq=seq, value=prize.label)
            await conn.executemany(
                "UPDATE read.portfolio_forum_entries SET prizes = array_append(prizes, $3)"
                " WHERE forum_id = $1 AND project_id = $2",
                won,
            )

    # -- pre-incubations (the project's store) -----------------------------------------------------------------------

    async def _pre_incubation(  # noqa: PLR0912 — one branch per kind of event
        self, conn: asyncpg.Connection, envelope: Envelope, event: Any, steps: list[Any]
    ) -> None:
        org, position, at = envelope.organisation, envelope.position, event.timestamp
        if isinstance(event, PreIncubation.Started):
            project_id = event.project_id
        else:
            project_id = await conn.fetchval(
                "SELECT project_id FROM read.pre_incubations WHERE pre_incubation_id = $1", event.originator_id
            )
            if project_id is None:  # its start is not in this share of the log: nothing to attach it to
                return

        def step(kind: str, *, value: str = "", day: date | None = None, detail: str = "") -> None:
            steps.append((org, position, 0, project_id, at, kind, None, value, day, detail))

        if isinstance(event, PreIncubation.Started):
            await conn.execute(
                "INSERT INTO read.pre_incubations (project_id, organisation, reason, decision, forum_id, prize_key,"
                " started_on, deadline, sponsor, hours_per_week, budget_cents, partner, stage, stage_since,"
                " pre_incubation_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                project_id,
                org,
                event.reason,
                event.decision,
                event.forum_id,
                event.prize_key,
                event.started_on,
                event.deadline,
                event.sponsor,
                event.hours_per_week,
                event.budget_cents,
                event.partner,
                event.stage,
                at,
                event.originator_id,
            )
            step("pre_incubation_started", value=event.reason, day=event.started_on, detail=event.decision)
        elif isinstance(event, PreIncubation.MilestoneAdded):
            await conn.execute(
                "INSERT INTO read.pre_incubation_milestones (project_id, number, organisation, title, due)"
                " VALUES ($1, $2, $3, $4, $5)",
                project_id,
                event.number,
                org,
                event.title,
                event.due,
            )
            step("milestone_added", value=event.title, day=event.due)
        elif isinstance(event, PreIncubation.MilestoneCompleted | PreIncubation.MilestoneRescheduled):
            completed = isinstance(event, PreIncubation.MilestoneCompleted)
            title = await conn.fetchval(
                "UPDATE read.pre_incubation_milestones"
                " SET completed_on = CASE WHEN $3::boolean THEN $4::date ELSE completed_on END,"
                " due = CASE WHEN $3::boolean THEN due ELSE $4::date END"
                " WHERE project_id = $1 AND number = $2 RETURNING title",
                project_id,
                event.number,
                completed,
                event.completed_on if completed else event.due,
            )
            if completed:
                step("milestone_completed", value=title or "", day=event.completed_on)
            else:
                step("milestone_rescheduled", value=title or "", day=event.due, detail=event.reason)
        elif isinstance(event, PreIncubation.DeadlineExtended):
            await conn.execute(
                "UPDATE read.pre_incubations SET deadline = $2 WHERE project_id = $1", project_id, event.deadline
            )
            step("deadline_extended", day=event.deadline, detail=event.reason)
        elif isinstance(event, PreIncubation.SponsorChanged):
            await conn.execute(
                "UPDATE read.pre_incubations SET sponsor = $2 WHERE project_id = $1", project_id, event.sponsor
            )
            step("sponsor_changed", value=event.sponsor)
        elif isinstance(event, PreIncubation.CommitmentsChanged):
            await conn.execute(
                "UPDATE read.pre_incubations SET hours_per_week = $2, budget_cents = $3 WHERE project_id = $1",
                project_id,
                event.hours_per_week,
                event.budget_cents,
            )
            step(
                "commitments_changed", value=commitments(event.hours_per_week, event.budget_cents), detail=event.reason
            )
        elif isinstance(event, PreIncubation.ProgressNoted):
            step("progress_noted", detail=event.text)
        elif isinstance(event, PreIncubation.VigilanceRaised):
            await conn.execute(
                "INSERT INTO read.pre_incubation_vigilance (project_id, number, organisation, text, raised_on)"
                " VALUES ($1, $2, $3, $4, $5)",
                project_id,
                event.number,
                org,
                event.text,
                at.astimezone(PARIS).date(),
            )
            step("vigilance_raised", detail=event.text)
        elif isinstance(event, PreIncubation.VigilanceResolved):
            await conn.execute(
                "UPDATE read.pre_incubation_vigilance SET resolution = $3 WHERE project_id = $1 AND number = $2",
                project_id,
                event.number,
                event.resolution,
            )
            step("vigilance_resolved", detail=event.resolution)
        elif isinstance(event, PreIncubation.StageChanged):
            await conn.execute(
                "UPDATE read.pre_incubations SET stage = $2, stage_since = $3 WHERE project_id = $1",
                project_id,
                event.stage,
                at,
            )
            step("stage_changed", value=event.stage, detail=event.reason)
        elif isinstance(event, PreIncubation.OutcomeRecorded):
            await conn.execute(
                "UPDATE read.pre_incubations SET outcome = $2, owner = $3, outcome_reason = $4, outcome_at = $5"
                " WHERE project_id = $1",
                project_id,
                event.outcome,
                event.owner,
                event.reason,
                at,
            )
            step("outcome_recorded", value=event.outcome, detail=event.owner or event.reason or "")


def commitments(hours_per_week: Decimal, budget_cents: int) -> str:
    hours = f"{hours_per_week.normalize():f}".replace(".", ",")
    return f"{hours} h par semaine, {euros(budget_cents)}"


def euros(cents: int) -> str:
    whole = f"{cents // 100:,}".replace(",", "\u202f")
    return f"{whole},{cents % 100:02d} €" if cents % 100 else f"{whole} €"


def fr_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


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
        "day": fr_day(day) if day else "",
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
