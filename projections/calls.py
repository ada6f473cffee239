"""Calls for ideas and their projects as people read them: the organisers' lists, submissions, figures and CSV;
the agents' open calls and "my projects" with their history and versions; the public announcement of a call."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.errors import Invalid
from domain.formatting import moment
from domain.idea_call import IdeaCall
from domain.project import Project
from domain.values import PARIS
from projections.dispatch import Conn, EventProjection, EventsOf, RowOf, on
from projections.projector import Envelope

C = EventsOf(IdeaCall)
P = EventsOf(Project)
CALL = RowOf("read.calls", "call_id")
PROJECT = RowOf("read.projects", "project_id")

FIELD_LABELS = {
    "title": "titre",
    "description": "description",
    "themes": "thèmes",
    "categories": "catégories",
    "opens_at": "ouverture",
    "closes_at": "clôture",
    "eligible_partners": "organisations partenaires",
    "questions": "questions",
    "max_team_size": "taille maximale des équipes",
    "problem": "problème",
    "solution": "solution proposée",
    "benefits_users": "bénéfices pour les usagers",
    "benefits_agents": "bénéfices pour les agents",
    "category": "catégorie",
    "theme": "thème",
}
STATUS_LABELS = {
    "drafted": "brouillon",
    "scheduled": "ouvert, pas encore commencé",
    "opened": "ouvert",
    "closed": "clos",
    "selection_recorded": "sélection arrêtée",
    "cancelled": "annulé",
    "submitted": "déposé",
    "withdrawn": "retiré",
}
DECISION_LABELS = {"selected": "retenu", "not_selected": "non retenu"}
HISTORY_LABELS = {
    "drafted": "Brouillon créé",
    "submitted": "Projet déposé",
    "edited": "Projet modifié",
    "withdrawn": "Projet retiré",
    "invited": "Invitation envoyée",
    "accepted": "Invitation acceptée",
    "declined": "Invitation déclinée",
    "invitation_withdrawn": "Invitation retirée",
    "selected": "Retenu par les organisateurs",
    "not_selected": "Non retenu par les organisateurs",
    "nominated": "Présenté au forum",
    "nomination_withdrawn": "Candidature au forum retirée",
}
DECISION_KINDS = ("selected", "not_selected")


def field_label(name: str) -> str:
    if name.startswith("answers."):
        return f"réponse « {name.removeprefix('answers.')} »"
    return FIELD_LABELS.get(name, name)


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _shown(value: Any) -> str:
    """A value of a call as people read it, for its amendments."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, list | tuple):
        return " ; ".join(_shown(item) for item in value)
    if isinstance(value, dict) and "key" in value:
        return f"{value.get('label', '')} ({value['key']})"
    if hasattr(value, "key") and hasattr(value, "label"):
        return f"{value.label} ({value.key})"
    return str(value)


def _content(content: Any) -> dict[str, Any]:
    return {
        "title": content.title,
        "problem": content.problem,
        "solution": content.solution,
        "benefits_users": content.benefits_users,
        "benefits_agents": content.benefits_agents,
        "category": content.category,
        "theme": content.theme,
        "answers": msgspec.to_builtins(content.answers),
    }


_SET_CONTENT = (
    "title = $2, problem = $3, solution = $4, benefits_users = $5, benefits_agents = $6, category = $7, theme = $8,"
    " answers = $9::jsonb"
)


def _content_args(content: Any) -> tuple[Any, ...]:
    return (
        content.title,
        content.problem,
        content.solution,
        content.benefits_users,
        content.benefits_agents,
        content.category,
        content.theme,
        _json(content.answers),
    )


# The moments of a call, each with its column (and the call's ``updated_at``).
_MOMENTS = {
    C.Opened: "opened_at",
    C.Closed: "closed_at",
    C.SelectionRecorded: "selection_recorded_at",
    C.Cancelled: "cancelled_at",
    C.AnnouncementPublished: "announcement_published_at",
}


class Calls(EventProjection):
    """Calls, projects, their teams, versions and history. Calls and projects are few (a few hundred a year per
    organisation, a handful of events each): one statement per event reads best."""

    name = "calls"
    tables = (
        "read.calls",
        "read.call_amendments",
        "read.projects",
        "read.project_members",
        "read.project_versions",
        "read.project_history",
    )

    # -- calls --------------------------------------------------------------------------------------------------------

    @on(C.Drafted)
    async def call_drafted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.calls (call_id, organisation, title, description, themes, categories, opens_at,"
            " closes_at, eligible_partners, questions, max_team_size, forum_id, forum_organisation, forum_quota,"
            " drafted_at, drafted_by, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14, $15, $16, $15)",
            envelope.originator_id,
            envelope.organisation,
            e.title,
            e.description,
            list(e.themes),
            list(e.categories),
            e.opens_at,
            e.closes_at,
            list(e.eligible_partners),
            _json(e.questions),
            e.max_team_size,
            e.forum.forum_id if e.forum else None,
            e.forum.forum_organisation if e.forum else None,
            e.forum.quota if e.forum else None,
            e.timestamp,
            e.meta.actor,
        )

    @on(*_MOMENTS)
    async def call_moment(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            f"UPDATE read.calls SET {_MOMENTS[type(e)]} = $2, updated_at = $2 WHERE call_id = $1",
            envelope.originator_id,
            e.timestamp,
        )

    @on(C.Cancelled)
    async def call_cancelled(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await CALL.set(conn, envelope, "cancellation_reason = $2", e.reason)

    @on(C.AttachedToForum)
    async def call_attached_to_forum(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await CALL.set(
            conn,
            envelope,
            "forum_id = $2, forum_organisation = $3, forum_quota = $4, updated_at = $5",
            e.forum.forum_id,
            e.forum.forum_organisation,
            e.forum.quota,
            e.timestamp,
        )

    @on(C.Amended)
    async def call_amended(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        call_id, at = envelope.originator_id, e.timestamp
        row = await conn.fetchrow("SELECT * FROM read.calls WHERE call_id = $1", call_id)
        if row is None:  # pragma: no cover — a call is drafted before it is amended
            return
        after = {name: getattr(e, name) for name in e.changed}
        if row["opened_at"] is not None:
            before = {name: _decoded(name, row[name]) for name in e.changed}
            changes = [
                {"field": name, "before": _shown(before[name]), "after": _shown(after[name])} for name in e.changed
            ]
            await conn.execute(
                "INSERT INTO read.call_amendments (organisation, call_id, position, at, actor, reason, changes)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)",
                envelope.organisation,
                call_id,
                envelope.position,
                at,
                e.meta.actor,
                e.reason,
                _json(changes),
            )
        sets: list[str] = []
        args: list[Any] = [call_id, at]
        for name, value in after.items():
            args.append(_json(value) if name == "questions" else list(value) if isinstance(value, tuple) else value)
            sets.append(f"{name} = ${len(args)}" + ("::jsonb" if name == "questions" else ""))
        await conn.execute(f"UPDATE read.calls SET {', '.join(sets)}, updated_at = $2 WHERE call_id = $1", *args)

    # -- projects: each event changes the project's rows, then adds a line to its history -----------------------------

    @on(P.Drafted)
    async def project_drafted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        project_id, at = envelope.originator_id, e.timestamp
        await conn.execute(
            "INSERT INTO read.projects (project_id, organisation, call_id, call_organisation, author, title,"
            " problem, solution, benefits_users, benefits_agents, category, theme, answers, status, drafted_at,"
            " updated_at)"
            " VALUES ($1, $10, $11, $12, $13, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, 'drafted', $14, $14)",
            project_id,
            *_content_args(e.content),
            e.organisation,
            e.call_id,
            e.call_organisation,
            e.author,
            at,
        )
        await _member(conn, envelope, e.author, "author")
        await _history_line(conn, envelope, "drafted")

    @on(P.Submitted)
    async def project_submitted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await _content_set(conn, envelope)
        await PROJECT.set(conn, envelope, "status = 'submitted', submitted_at = $2", e.timestamp)
        await _version(conn, envelope)
        await _history_line(conn, envelope, "submitted", version=e.version)

    @on(P.Edited)
    async def project_edited(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await _content_set(conn, envelope)
        await _version(conn, envelope)
        detail = ", ".join(field_label(name) for name in e.changed)
        await _history_line(conn, envelope, "edited", detail=detail, version=e.version)

    @on(P.Withdrawn)
    async def project_withdrawn(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PROJECT.set(
            conn,
            envelope,
            "status = 'withdrawn', withdrawn_at = $2, withdrawal_reason = $3, updated_at = $2",
            e.timestamp,
            e.reason,
        )
        await _history_line(conn, envelope, "withdrawn", detail=e.reason)

    @on(P.CoAuthorInvited)
    async def co_author_invited(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await _member(conn, envelope, e.person, "invited")
        await _history_line(conn, envelope, "invited", person=e.person)

    @on(P.CoAuthorAccepted)
    async def co_author_accepted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await _member(conn, envelope, e.person, "co_author")
        await _history_line(conn, envelope, "accepted", person=e.person)

    @on(P.CoAuthorDeclined)
    async def co_author_declined(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await _invitation_gone(conn, envelope)
        await _history_line(conn, envelope, "declined", person=e.person)

    @on(P.InvitationWithdrawn)
    async def invitation_withdrawn(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await _invitation_gone(conn, envelope)
        await _history_line(conn, envelope, "invitation_withdrawn", person=e.person)

    @on(P.Selected)
    async def selected(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await _decided(conn, envelope, "selected")

    @on(P.NotSelected)
    async def not_selected(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await _decided(conn, envelope, "not_selected")

    @on(P.Nominated)
    async def nominated(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PROJECT.set(
            conn,
            envelope,
            "nominated_forum_id = $2, nominated_forum_organisation = $3, nominated_at = $4",
            e.forum_id,
            e.forum_organisation,
            e.timestamp,
        )
        await _history_line(conn, envelope, "nominated")

    @on(P.NominationWithdrawn)
    async def nomination_withdrawn(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PROJECT.set(
            conn, envelope, "nominated_forum_id = NULL, nominated_forum_organisation = NULL, nominated_at = NULL"
        )
        await _history_line(conn, envelope, "nomination_withdrawn", detail=e.reason)


async def _content_set(conn: asyncpg.Connection, envelope: Envelope) -> None:
    """A project's content as submitted or edited."""
    e = envelope.event
    await PROJECT.set(conn, envelope, f"{_SET_CONTENT}, updated_at = $10", *_content_args(e.content), e.timestamp)


async def _version(conn: asyncpg.Connection, envelope: Envelope) -> None:
    """The numbered version a submission or an edit makes, when it makes one."""
    e = envelope.event
    if e.version is None:
        return
    await PROJECT.set(conn, envelope, "version = $2", e.version)
    await conn.execute(
        "INSERT INTO read.project_versions (organisation, project_id, number, at, actor, content)"
        " VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
        envelope.organisation,
        envelope.originator_id,
        e.version,
        e.timestamp,
        e.meta.actor,
        _json(_content(e.content)),
    )


async def _member(conn: asyncpg.Connection, envelope: Envelope, person: str, role: str) -> None:
    """``person`` holds ``role`` in the project's team (author, invited, co_author) from the event's moment."""
    await conn.execute(
        "INSERT INTO read.project_members (organisation, project_id, person, role, since) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (project_id, person) DO UPDATE SET role = EXCLUDED.role, since = EXCLUDED.since",
        envelope.organisation,
        envelope.originator_id,
        person,
        role,
        envelope.event.timestamp,
    )


async def _invitation_gone(conn: asyncpg.Connection, envelope: Envelope) -> None:
    await conn.execute(
        "DELETE FROM read.project_members WHERE project_id = $1 AND person = $2 AND role = 'invited'",
        envelope.originator_id,
        envelope.event.person,
    )


async def _decided(conn: asyncpg.Connection, envelope: Envelope, decision: str) -> None:
    e = envelope.event
    await PROJECT.set(
        conn, envelope, "decision = $2, decision_reason = $3, decided_at = $4", decision, e.reason, e.timestamp
    )
    await _history_line(conn, envelope, decision, detail=e.reason)


async def _history_line(
    conn: asyncpg.Connection,
    envelope: Envelope,
    kind: str,
    *,
    person: str | None = None,
    detail: str = "",
    version: int | None = None,
) -> None:
    """The line an event of a project adds to its history (``HISTORY_LABELS`` names each ``kind``)."""
    e = envelope.event
    await conn.execute(
        "INSERT INTO read.project_history (organisation, project_id, position, at, actor, actor_organisation,"
        " kind, person, detail, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        envelope.organisation,
        envelope.originator_id,
        envelope.position,
        e.timestamp,
        e.meta.actor,
        e.meta.actor_organisation,
        kind,
        person,
        detail,
        version,
    )


def _decoded(name: str, value: Any) -> Any:
    if name == "questions" and isinstance(value, str):
        return msgspec.json.decode(value)
    return value


# ---------------------------------------------------------------------------------------------------------------------
# What the pages and the API read


class QuestionView(msgspec.Struct, frozen=True):
    key: str
    label: str
    kind: str
    required: bool = False
    max_length: int | None = None
    choices: list[str] = []


class AmendmentView(msgspec.Struct, frozen=True):
    at: datetime
    actor: str
    reason: str
    changes: list[dict[str, str]]


class CallView(msgspec.Struct, frozen=True):
    """A call as its organisers (and, once opened, the agents it is open to) read it."""

    id: UUID
    organisation: str
    title: str
    description: str
    themes: list[str]
    categories: list[str]
    opens_at: datetime
    closes_at: datetime
    eligible_partners: list[str]
    questions: list[QuestionView]
    max_team_size: int
    status: str
    status_label: str
    drafted_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None
    cancellation_reason: str
    selection_recorded_at: datetime | None
    announcement_published_at: datetime | None
    submissions: int = 0
    amendments: list[AmendmentView] = []

    @property
    def deadline(self) -> datetime:
        if self.closed_at is not None and self.closed_at <= self.closes_at:
            return self.closed_at
        return self.closes_at


class Announcement(msgspec.Struct, frozen=True):
    """The public page of a call: what it asks, its dates and amendments; never its projects."""

    id: UUID
    organisation: str
    organisation_name: str
    title: str
    description: str
    themes: list[str]
    categories: list[str]
    opens_at: datetime
    closes_at: datetime
    status: str
    status_label: str
    published_at: datetime
    amendments: list[AmendmentView] = []


def call_status(row: Any, now: datetime) -> str:
    """The same reading as ``IdeaCall.status_at``, from a row."""
    if row["cancelled_at"] is not None:
        return "cancelled"
    if row["selection_recorded_at"] is not None:
        return "selection_recorded"
    if row["opened_at"] is None:
        return "drafted"
    closed_at = row["closed_at"]
    if (closed_at is not None and now >= closed_at) or now > row["closes_at"]:
        return "closed"
    return "scheduled" if now < row["opens_at"] else "opened"


def _call_header(row: Any, now: datetime) -> dict[str, Any]:
    """What the organisers' view and the public page read alike from a call's row."""
    status = call_status(row, now)
    return {
        "id": row["call_id"],
        "organisation": row["organisation"],
        "title": row["title"],
        "description": row["description"],
        "themes": list(row["themes"]),
        "categories": list(row["categories"]),
        "opens_at": row["opens_at"],
        "closes_at": row["closes_at"],
        "status": status,
        "status_label": STATUS_LABELS[status],
    }


def _call_view(row: Any, now: datetime, amendments: list[AmendmentView] | None = None) -> CallView:
    return CallView(
        **_call_header(row, now),
        eligible_partners=list(row["eligible_partners"]),
        questions=msgspec.json.decode(row["questions"], type=list[QuestionView]),
        max_team_size=row["max_team_size"],
        drafted_at=row["drafted_at"],
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
        cancelled_at=row["cancelled_at"],
        cancellation_reason=row["cancellation_reason"],
        selection_recorded_at=row["selection_recorded_at"],
        announcement_published_at=row["announcement_published_at"],
        submissions=row.get("submissions", 0),
        amendments=amendments or [],
    )


_CALL_WITH_COUNT = (
    "SELECT c.*, (SELECT count(*) FROM read.projects p WHERE p.call_id = c.call_id AND p.status = 'submitted')"
    " AS submissions FROM read.calls c"
)


async def list_calls(conn: Conn, organisation: str, now: datetime) -> list[CallView]:
    """The organisation's calls, the latest first (for its organisers)."""
    rows = await conn.fetch(f"{_CALL_WITH_COUNT} WHERE c.organisation = $1 ORDER BY c.opens_at DESC", organisation)
    return [_call_view(row, now) for row in rows]


async def _amendments(conn: Conn, call_id: UUID) -> list[AmendmentView]:
    rows = await conn.fetch(
        "SELECT at, actor, reason, changes FROM read.call_amendments WHERE call_id = $1 ORDER BY position", call_id
    )
    return [
        AmendmentView(r["at"], r["actor"], r["reason"], msgspec.json.decode(r["changes"], type=list[dict[str, str]]))
        for r in rows
    ]


async def get_call(conn: Conn, organisation: str, call_id: UUID, now: datetime) -> CallView | None:
    """One call of ``organisation`` (None if it has no such call), with its amendments."""
    row = await conn.fetchrow(f"{_CALL_WITH_COUNT} WHERE c.organisation = $1 AND c.call_id = $2", organisation, call_id)
    if row is None:
        return None
    return _call_view(row, now, await _amendments(conn, call_id))


async def open_calls_for(conn: Conn, organisation: str, now: datetime) -> list[CallView]:
    """The calls an agent of ``organisation`` may answer now or soon: their own organisation's and those naming it as a
    partner; opened, not cancelled, not closed, selection not recorded. Closing soonest first."""
    rows = await conn.fetch(
        f"{_CALL_WITH_COUNT} WHERE (c.organisation = $1 OR $1 = ANY(c.eligible_partners))"
        " AND c.opened_at IS NOT NULL AND c.cancelled_at IS NULL AND c.selection_recorded_at IS NULL"
        " AND c.closes_at >= $2 AND (c.closed_at IS NULL OR c.closed_at > $2) ORDER BY c.closes_at, c.title",
        organisation,
        now,
    )
    return [_call_view(row, now) for row in rows]


# The calls whose organisers published their announcement, with the organisation's name
_ANNOUNCED = (
    "SELECT c.*, coalesce(o.name, c.organisation) AS organisation_name FROM read.calls c"
    " LEFT JOIN read.organisations o ON o.slug = c.organisation WHERE c.announcement_published_at IS NOT NULL"
)


async def get_announcement(conn: Conn, organisation: str, call_id: UUID, now: datetime) -> Announcement | None:
    """The public page of a call, if its organisers published it (None otherwise: nothing of it is public)."""
    row = await conn.fetchrow(
        f"{_ANNOUNCED} AND c.organisation = $1 AND c.call_id = $2",
        organisation,
        call_id,
    )
    if row is None:
        return None
    return _announcement(row, now, await _amendments(conn, call_id))


async def list_announcements(conn: Conn, now: datetime) -> list[Announcement]:
    rows = await conn.fetch(f"{_ANNOUNCED} ORDER BY c.closes_at DESC, c.title")
    return [_announcement(row, now) for row in rows]


def _announcement(row: Any, now: datetime, amendments: list[AmendmentView] | None = None) -> Announcement:
    return Announcement(
        **_call_header(row, now),
        organisation_name=row["organisation_name"],
        published_at=row["announcement_published_at"],
        amendments=amendments or [],
    )


# -- projects ----------------------------------------------------------------------------------------------------------


class Member(msgspec.Struct, frozen=True):
    person: str
    name: str
    role: str  # author | co_author | invited


class Submission(msgspec.Struct, frozen=True):
    """A project as the call's organisers see it in the submissions list."""

    id: UUID
    organisation: str
    title: str
    category: str | None
    theme: str | None
    status: str
    decision: str | None
    decision_reason: str
    submitted_at: datetime | None
    updated_at: datetime
    version: int
    author: str
    team: list[Member]
    problem: str = ""
    solution: str = ""
    benefits_users: str = ""
    benefits_agents: str = ""
    answers: dict[str, Any] = {}


SUBMISSION_STATUSES = ("submitted", "withdrawn", "selected", "not_selected", "undecided")


def _person_name_sql(column: str) -> str:
    return f"coalesce((SELECT pe.name FROM read.people pe WHERE pe.person_id::text = {column}), {column})"


async def _teams(conn: Conn, project_ids: list[UUID]) -> dict[UUID, list[Member]]:
    rows = await conn.fetch(
        f"SELECT m.project_id, m.person, m.role, {_person_name_sql('m.person')} AS name FROM read.project_members m"
        " WHERE m.project_id = ANY($1::uuid[])"
        " ORDER BY m.project_id, CASE m.role WHEN 'author' THEN 0 WHEN 'co_author' THEN 1 ELSE 2 END, m.since",
        project_ids,
    )
    teams: dict[UUID, list[Member]] = {}
    for r in rows:
        teams.setdefault(r["project_id"], []).append(Member(r["person"], r["name"], r["role"]))
    return teams


async def list_submissions(
    conn: Conn,
    call_id: UUID,
    *,
    status: str | None = None,
    category: str | None = None,
    theme: str | None = None,
) -> list[Submission]:
    """The projects submitted to a call (drafts are their teams' alone), filtered, in the order they arrived."""
    if status and status not in SUBMISSION_STATUSES:
        raise Invalid(
            f"État inconnu : « {status} ». États possibles : {', '.join(SUBMISSION_STATUSES)}.",
            field="status",
            rule="unknown_value",
        )
    where = ["p.call_id = $1", "p.submitted_at IS NOT NULL"]
    args: list[Any] = [call_id]
    if status in ("submitted", "withdrawn"):
        args.append(status)
        where.append(f"p.status = ${len(args)}")
    elif status in ("selected", "not_selected"):
        args.append(status)
        where.append(f"p.status = 'submitted' AND p.decision = ${len(args)}")
    elif status == "undecided":
        where.append("p.status = 'submitted' AND p.decision IS NULL")
    if category:
        args.append(category)
        where.append(f"p.category = ${len(args)}")
    if theme:
        args.append(theme)
        where.append(f"p.theme = ${len(args)}")
    rows = await conn.fetch(
        f"SELECT p.* FROM read.projects p WHERE {' AND '.join(where)} ORDER BY p.submitted_at, p.project_id", *args
    )
    teams = await _teams(conn, [r["project_id"] for r in rows])
    return [_submission(r, teams.get(r["project_id"], [])) for r in rows]


def _submission(r: Any, team: list[Member]) -> Submission:
    return Submission(
        id=r["project_id"],
        organisation=r["organisation"],
        title=r["title"],
        category=r["category"],
        theme=r["theme"],
        status=r["status"],
        decision=r["decision"],
        decision_reason=r["decision_reason"],
        submitted_at=r["submitted_at"],
        updated_at=r["updated_at"],
        version=r["version"],
        author=r["author"],
        team=[m for m in team if m.role != "invited"],
        problem=r["problem"],
        solution=r["solution"],
        benefits_users=r["benefits_users"],
        benefits_agents=r["benefits_agents"],
        answers=msgspec.json.decode(r["answers"]),
    )


CSV_COLUMNS = (
    ("id", "identifiant"),
    ("organisation", "organisation"),
    ("title", "titre"),
    ("category", "catégorie"),
    ("theme", "thème"),
    ("status", "statut"),
    ("decision", "décision"),
    ("decision_reason", "motif de la décision"),
    ("submitted_at", "déposé le"),
    ("version", "version"),
    ("team", "équipe"),
    ("problem", "problème"),
    ("solution", "solution proposée"),
    ("benefits_users", "bénéfices pour les usagers"),
    ("benefits_agents", "bénéfices pour les agents"),
)


def submissions_csv(call: CallView, submissions: list[Submission]) -> str:
    """The submissions as a CSV for a French spreadsheet: semicolons, a UTF-8 byte order mark, Paris times, one
    column per question of the form."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([label for _, label in CSV_COLUMNS] + [q.label for q in call.questions])
    for s in submissions:
        values: dict[str, Any] = {
            "id": str(s.id),
            "organisation": s.organisation,
            "title": s.title,
            "category": s.category or "",
            "theme": s.theme or "",
            "status": STATUS_LABELS.get(s.status, s.status),
            "decision": DECISION_LABELS.get(s.decision or "", ""),
            "decision_reason": s.decision_reason,
            "submitted_at": moment(s.submitted_at) if s.submitted_at else "",
            "version": s.version,
            "team": ", ".join(m.name for m in s.team),
            "problem": s.problem,
            "solution": s.solution,
            "benefits_users": s.benefits_users,
            "benefits_agents": s.benefits_agents,
        }
        answers = [s.answers.get(q.key) for q in call.questions]
        writer.writerow(
            [_csv_cell(values[name]) for name, _ in CSV_COLUMNS]
            + [_csv_cell(" ; ".join(a) if isinstance(a, list) else a or "") for a in answers]
        )
    return out.getvalue()


def _csv_cell(value: Any) -> str:
    text = str(value)
    # a cell a spreadsheet would run as a formula is kept as text
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


class Count(msgspec.Struct, frozen=True):
    label: str
    count: int


class DayCount(msgspec.Struct, frozen=True):
    day: date
    count: int


class Figures(msgspec.Struct, frozen=True):
    """Submissions to a call (projects still submitted), by category, by theme and by day of first submission."""

    total: int
    withdrawn: int
    by_category: list[Count]
    by_theme: list[Count]
    by_day: list[DayCount]


async def call_figures(conn: Conn, call: CallView) -> Figures:
    rows = await conn.fetch(
        "SELECT category, theme, status, (submitted_at AT TIME ZONE $2)::date AS day FROM read.projects"
        " WHERE call_id = $1 AND submitted_at IS NOT NULL",
        call.id,
        str(PARIS),
    )
    live = [r for r in rows if r["status"] == "submitted"]

    def counted(options: list[str], key: str) -> list[Count]:
        counts = {option: 0 for option in options}
        for r in live:
            label = r[key] or "(sans)"
            counts[label] = counts.get(label, 0) + 1
        return [Count(label, n) for label, n in counts.items()]

    days: dict[date, int] = {}
    for r in live:
        days[r["day"]] = days.get(r["day"], 0) + 1
    return Figures(
        total=len(live),
        withdrawn=len(rows) - len(live),
        by_category=counted(call.categories, "category"),
        by_theme=counted(call.themes, "theme"),
        by_day=[DayCount(day, n) for day, n in sorted(days.items())],
    )


class HistoryEntry(msgspec.Struct, frozen=True):
    at: datetime
    kind: str
    label: str
    actor: str
    actor_name: str
    person: str | None
    person_name: str | None
    detail: str
    version: int | None


class Version(msgspec.Struct, frozen=True):
    number: int
    at: datetime
    actor: str
    content: dict[str, Any]


class ProjectView(msgspec.Struct, frozen=True):
    """A project with its team, history and versions. ``decision`` is shown to the team only once the call's
    selection is recorded; organisers see it as soon as they record it."""

    id: UUID
    organisation: str
    call_id: UUID
    call_organisation: str
    call_title: str
    call_status: str
    call_closes_at: datetime
    title: str
    problem: str
    solution: str
    benefits_users: str
    benefits_agents: str
    category: str | None
    theme: str | None
    answers: dict[str, Any]
    status: str
    status_label: str
    version: int
    drafted_at: datetime
    submitted_at: datetime | None
    updated_at: datetime
    withdrawn_at: datetime | None
    withdrawal_reason: str
    decision: str | None
    decision_label: str | None
    decision_reason: str
    selection_recorded_at: datetime | None
    author: str
    team: list[Member]
    history: list[HistoryEntry] = []
    versions: list[Version] = []

    @property
    def members(self) -> list[str]:
        return [m.person for m in self.team if m.role != "invited"]

    @property
    def invited(self) -> list[str]:
        return [m.person for m in self.team if m.role == "invited"]


class ProjectLocation(msgspec.Struct, frozen=True):
    """What deciding who may read a project needs."""

    call_organisation: str
    members: list[str]
    invited: list[str]
    submitted: bool


async def project_location(conn: Conn, organisation: str, project_id: UUID) -> ProjectLocation | None:
    row = await conn.fetchrow(
        "SELECT p.call_organisation, p.submitted_at IS NOT NULL AS submitted,"
        " coalesce(array_agg(m.person) FILTER (WHERE m.role <> 'invited'), '{}') AS members,"
        " coalesce(array_agg(m.person) FILTER (WHERE m.role = 'invited'), '{}') AS invited"
        " FROM read.projects p LEFT JOIN read.project_members m ON m.project_id = p.project_id"
        " WHERE p.organisation = $1 AND p.project_id = $2 GROUP BY p.project_id",
        organisation,
        project_id,
    )
    if row is None:
        return None
    return ProjectLocation(row["call_organisation"], list(row["members"]), list(row["invited"]), row["submitted"])


async def get_project(
    conn: Conn, organisation: str, project_id: UUID, now: datetime, *, as_organiser: bool = False
) -> ProjectView | None:
    """One project of ``organisation`` (its store), or None. Access is the caller's to check
    (``forum.projects.project_access`` on ``members``/``invited``)."""
    r = await conn.fetchrow(
        "SELECT p.*, c.title AS call_title, c.closes_at AS call_closes_at, c.selection_recorded_at,"
        " c.cancelled_at, c.opened_at, c.closed_at, c.opens_at, c.closes_at"
        " FROM read.projects p JOIN read.calls c ON c.call_id = p.call_id"
        " WHERE p.organisation = $1 AND p.project_id = $2",
        organisation,
        project_id,
    )
    if r is None:
        return None
    teams = await _teams(conn, [project_id])
    history = await _history(conn, [project_id], include_decisions=as_organiser)
    versions = await conn.fetch(
        "SELECT number, at, actor, content FROM read.project_versions WHERE project_id = $1 ORDER BY number",
        project_id,
    )
    return _project_view(
        r,
        now,
        teams.get(project_id, []),
        history.get(project_id, []),
        [Version(v["number"], v["at"], v["actor"], msgspec.json.decode(v["content"])) for v in versions],
        as_organiser=as_organiser,
    )


def _project_view(
    r: Any,
    now: datetime,
    team: list[Member],
    history: list[HistoryEntry],
    versions: list[Version],
    *,
    as_organiser: bool,
) -> ProjectView:
    published = r["selection_recorded_at"] is not None
    decision = r["decision"] if (as_organiser or published) and r["status"] == "submitted" else None
    return ProjectView(
        id=r["project_id"],
        organisation=r["organisation"],
        call_id=r["call_id"],
        call_organisation=r["call_organisation"],
        call_title=r["call_title"],
        call_status=call_status(r, now),
        call_closes_at=r["call_closes_at"],
        title=r["title"],
        problem=r["problem"],
        solution=r["solution"],
        benefits_users=r["benefits_users"],
        benefits_agents=r["benefits_agents"],
        category=r["category"],
        theme=r["theme"],
        answers=msgspec.json.decode(r["answers"]),
        status=r["status"],
        status_label=STATUS_LABELS.get(r["status"], r["status"]),
        version=r["version"],
        drafted_at=r["drafted_at"],
        submitted_at=r["submitted_at"],
        updated_at=r["updated_at"],
        withdrawn_at=r["withdrawn_at"],
        withdrawal_reason=r["withdrawal_reason"],
        decision=decision,
        decision_label=DECISION_LABELS.get(decision) if decision else None,
        decision_reason=r["decision_reason"] if decision else "",
        selection_recorded_at=r["selection_recorded_at"],
        author=r["author"],
        team=team,
        history=history,
        versions=versions,
    )


async def _history(conn: Conn, project_ids: list[UUID], *, include_decisions: bool) -> dict[UUID, list[HistoryEntry]]:
    rows = await conn.fetch(
        f"SELECT h.*, {_person_name_sql('h.actor')} AS actor_name,"
        f" CASE WHEN h.person IS NULL THEN NULL ELSE {_person_name_sql('h.person')} END AS person_name"
        " FROM read.project_history h WHERE h.project_id = ANY($1::uuid[])"
        " AND ($2 OR h.kind <> ALL($3::text[])) ORDER BY h.project_id, h.position",
        project_ids,
        include_decisions,
        list(DECISION_KINDS),
    )
    history: dict[UUID, list[HistoryEntry]] = {}
    for h in rows:
        history.setdefault(h["project_id"], []).append(
            HistoryEntry(
                at=h["at"],
                kind=h["kind"],
                label=HISTORY_LABELS.get(h["kind"], h["kind"]),
                actor=h["actor"],
                actor_name=h["actor_name"],
                person=h["person"],
                person_name=h["person_name"],
                detail=h["detail"],
                version=h["version"],
            )
        )
    return history


async def my_projects(conn: Conn, person: str, organisation: str, now: datetime) -> list[ProjectView]:
    """The projects ``person`` is the author or a co-author of, or is invited to, with their status and history;
    the latest first."""
    rows = await conn.fetch(
        "SELECT p.*, c.title AS call_title, c.closes_at AS call_closes_at, c.selection_recorded_at,"
        " c.cancelled_at, c.opened_at, c.closed_at, c.opens_at, c.closes_at"
        " FROM read.project_members m JOIN read.projects p ON p.project_id = m.project_id"
        " JOIN read.calls c ON c.call_id = p.call_id"
        " WHERE m.person = $1 AND m.organisation = $2 ORDER BY p.updated_at DESC",
        person,
        organisation,
    )
    ids = [r["project_id"] for r in rows]
    teams = await _teams(conn, ids)
    history = await _history(conn, ids, include_decisions=False)
    return [
        _project_view(r, now, teams.get(r["project_id"], []), history.get(r["project_id"], []), [], as_organiser=False)
        for r in rows
    ]


class Comparison(msgspec.Struct, frozen=True):
    before: int
    after: int
    changes: list[dict[str, Any]]  # [{field, label, before, after}]


def compare_versions(project: ProjectView, before: int, after: int) -> Comparison | None:
    """What changed between two submitted versions (None if either does not exist)."""
    versions = {v.number: v.content for v in project.versions}
    if before not in versions or after not in versions:
        return None

    def flat(content: dict[str, Any]) -> dict[str, Any]:
        out = {name: content.get(name) for name in FIELD_LABELS if name in content and name != "answers"}
        out.update({f"answers.{key}": value for key, value in (content.get("answers") or {}).items()})
        return out

    old, new = flat(versions[before]), flat(versions[after])
    keys = list(old) + [key for key in new if key not in old]
    changes = [
        {"field": key, "label": field_label(key), "before": old.get(key), "after": new.get(key)}
        for key in keys
        if old.get(key) != new.get(key)
    ]
    return Comparison(before=before, after=after, changes=changes)
