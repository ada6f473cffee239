"""Notifications in the app, and by mail through the outbox: a colleague learns they are invited to a team, an author
that the colleague answered, a team that its project is selected or not (when the organisers record the selection),
or that the call was cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.idea_call import IdeaCall
from domain.project import SELECTED, Project
from projections.dispatch import Conn, EventProjection, EventsOf, RowOf, on
from projections.projector import Envelope

C = EventsOf(IdeaCall)
P = EventsOf(Project)
PROJECT = RowOf("read.notification_projects", "project_id")


@dataclass(frozen=True)
class Note:
    person: str
    person_organisation: str
    kind: str
    subject: str
    body: str
    link: str


def project_link(organisation: str, project_id: UUID) -> str:
    return f"/projets/{organisation}/{project_id}"


class Notifications(EventProjection):
    """What each person learns about their projects. Keeps its own small state (calls' titles, projects' teams and
    decisions), so that it depends on no other read model. A handler returns the notes its event sends."""

    name = "notifications"
    tables = ("read.notification_calls", "read.notification_projects", "read.notifications")
    # read.notification_mail is left out on purpose: a rebuild must not mail anyone twice

    async def apply(self, conn: asyncpg.Connection, batch: Sequence[Envelope]) -> None:
        notes: list[tuple[Envelope, Note]] = []
        for envelope in batch:
            for note in await self.dispatch(conn, envelope):
                notes.append((envelope, note))
        if not notes:
            return
        await conn.executemany(
            "INSERT INTO read.notifications (organisation, position, person, person_organisation, kind, subject, body,"
            " link, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
            [
                (e.organisation, e.position, n.person, n.person_organisation, n.kind, n.subject, n.body, n.link,
                 e.event.timestamp)
                for e, n in notes
            ],
        )  # fmt: skip
        await queue_mail(conn, notes)

    # -- calls --------------------------------------------------------------------------------------------------------

    @on(C.Drafted)
    async def call_drafted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.notification_calls (call_id, organisation, title) VALUES ($1, $2, $3)",
            envelope.originator_id,
            envelope.organisation,
            e.title,
        )

    @on(C.Amended)
    async def call_amended(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        if e.title is not None:
            await conn.execute(
                "UPDATE read.notification_calls SET title = $2 WHERE call_id = $1", envelope.originator_id, e.title
            )

    @on(C.SelectionRecorded)
    async def selection_recorded(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Note]:
        return await self._selection(conn, envelope.originator_id)

    @on(C.Cancelled)
    async def call_cancelled(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Note]:
        return await self._cancelled(conn, envelope.originator_id, e.reason)

    # -- projects -----------------------------------------------------------------------------------------------------

    @on(P.Drafted)
    async def project_drafted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.notification_projects (project_id, organisation, call_id, call_organisation, title,"
            " author, team) VALUES ($1, $2, $3, $4, $5, $6, ARRAY[$6])",
            envelope.originator_id,
            e.organisation,
            e.call_id,
            e.call_organisation,
            e.content.title,
            e.author,
        )

    @on(P.Submitted)
    async def project_submitted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await self._content(conn, envelope, submitted=True)

    @on(P.Edited)
    async def project_edited(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await self._content(conn, envelope, submitted=False)

    async def _content(self, conn: asyncpg.Connection, envelope: Envelope, *, submitted: bool) -> None:
        await PROJECT.set(
            conn, envelope, "title = $2, submitted = submitted OR $3", envelope.event.content.title, submitted
        )

    @on(P.Withdrawn)
    async def project_withdrawn(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PROJECT.set(conn, envelope, "withdrawn = true")

    @on(P.Selected)
    async def selected(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await self._decided(conn, envelope, SELECTED)

    @on(P.NotSelected)
    async def not_selected(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await self._decided(conn, envelope, "not_selected")

    async def _decided(self, conn: asyncpg.Connection, envelope: Envelope, decision: str) -> None:
        await PROJECT.set(conn, envelope, "decision = $2, decision_reason = $3", decision, envelope.event.reason)

    @on(P.CoAuthorInvited)
    async def co_author_invited(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Note]:
        project = await PROJECT.get(conn, envelope)
        if project is None:  # pragma: no cover — a project is drafted before its team changes
            return []
        title = project["title"]
        call_title = await _call_title(conn, project["call_id"])
        inviter = await person_name(conn, e.meta.actor)
        return [
            Note(
                person=e.person,
                person_organisation=e.organisation,
                kind="invited",
                subject=f"Invitation à rejoindre l'équipe du projet « {title} »",
                body=f"{inviter} vous invite à rejoindre l'équipe du projet « {title} » (appel « {call_title} »)."
                " Acceptez ou déclinez l'invitation depuis la page du projet.",
                link=project_link(project["organisation"], envelope.originator_id),
            )
        ]

    @on(P.CoAuthorAccepted)
    async def co_author_accepted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Note]:
        project = await conn.fetchrow(
            "UPDATE read.notification_projects SET team = array_append(team, $2) WHERE project_id = $1 RETURNING *",
            envelope.originator_id,
            e.person,
        )
        return await self._answered(conn, envelope, project, joined=True)

    @on(P.CoAuthorDeclined)
    async def co_author_declined(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> list[Note]:
        project = await PROJECT.get(conn, envelope)
        return await self._answered(conn, envelope, project, joined=False)

    async def _answered(
        self, conn: asyncpg.Connection, envelope: Envelope, project: asyncpg.Record | None, *, joined: bool
    ) -> list[Note]:
        """The author learns that the colleague they invited joined the team, or declined."""
        if project is None:  # pragma: no cover — a project is drafted before its team changes
            return []
        title = project["title"]
        call_title = await _call_title(conn, project["call_id"])
        colleague = await person_name(conn, envelope.event.person)
        return [
            Note(
                person=project["author"],
                person_organisation=project["organisation"],
                kind="co_author_joined" if joined else "invitation_declined",
                subject=f"{colleague} {'a rejoint' if joined else 'ne rejoint pas'} l'équipe du projet « {title} »",
                body=f"{colleague} a {'accepté' if joined else 'décliné'} votre invitation à rejoindre l'équipe du"
                f" projet « {title} » (appel « {call_title} »).",
                link=project_link(project["organisation"], envelope.originator_id),
            )
        ]

    async def _selection(self, conn: asyncpg.Connection, call_id: UUID) -> list[Note]:
        call_title = await _call_title(conn, call_id)
        projects = await conn.fetch(
            "SELECT * FROM read.notification_projects WHERE call_id = $1 AND submitted AND NOT withdrawn"
            " AND decision IS NOT NULL ORDER BY project_id",
            call_id,
        )
        notes = []
        for project in projects:
            selected = project["decision"] == SELECTED
            title = project["title"]
            reason = project["decision_reason"]
            outcome = "est retenu" if selected else "n'est pas retenu"
            body = f"Votre projet « {title} » {outcome} à l'issue de la sélection de l'appel « {call_title} »."
            if reason:
                body += f"\n\nMotif : {reason}"
            for person in project["team"]:
                notes.append(
                    Note(
                        person=person,
                        person_organisation=project["organisation"],
                        kind="selected" if selected else "not_selected",
                        subject=f"Sélection de l'appel « {call_title} » : votre projet {outcome}",
                        body=body,
                        link=project_link(project["organisation"], project["project_id"]),
                    )
                )
        return notes

    async def _cancelled(self, conn: asyncpg.Connection, call_id: UUID, reason: str) -> list[Note]:
        call_title = await _call_title(conn, call_id)
        projects = await conn.fetch(
            "SELECT * FROM read.notification_projects WHERE call_id = $1 AND NOT withdrawn ORDER BY project_id",
            call_id,
        )
        return [
            Note(
                person=person,
                person_organisation=project["organisation"],
                kind="call_cancelled",
                subject=f"L'appel « {call_title} » est annulé",
                body=f"L'appel « {call_title} », auquel répond votre projet « {project['title']} », est annulé."
                + (f"\n\nMotif : {reason}" if reason else ""),
                link=project_link(project["organisation"], project["project_id"]),
            )
            for project in projects
            for person in project["team"]
        ]


async def _call_title(conn: asyncpg.Connection, call_id: UUID) -> str:
    title = await conn.fetchval("SELECT title FROM read.notification_calls WHERE call_id = $1", call_id)
    return title or "appel à idées"


async def person_name(conn: Conn, person: str) -> str:
    """A person's name from the people read model, when there is one (ids of system actors are shown as they are)."""
    if await conn.fetchval("SELECT to_regclass('read.people') IS NOT NULL"):
        name = await conn.fetchval("SELECT name FROM read.people WHERE person_id::text = $1", person)
        if name:
            return str(name)
    return "Un collègue"


async def queue_mail(conn: asyncpg.Connection, notes: list[tuple[Envelope, Note]]) -> None:
    """Put each notification's mail in the outbox (``store.outbox`` of ``forum/mail.py``), in the projector's
    transaction: exactly once, and never again on a rebuild (``read.notification_mail`` remembers).

    Only people with an active account and an address in the people read model get a mail. The outbox rows are
    written unsent; the outbox's delivery (``forum mail outbox`` lists them) takes them from there.
    """
    ready = await conn.fetchval(
        "SELECT to_regclass('store.outbox') IS NOT NULL AND to_regclass('read.people') IS NOT NULL"
        " AND has_table_privilege('store.outbox', 'INSERT')"
    )
    if not ready:
        return
    for envelope, note in notes:
        queued = await conn.fetchval(
            "INSERT INTO read.notification_mail (position, person) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            " RETURNING position",
            envelope.position,
            note.person,
        )
        if queued is None:
            continue
        email = await conn.fetchval(
            "SELECT email FROM read.people WHERE person_id::text = $1 AND status = 'active'", note.person
        )
        if email:
            await conn.execute(
                "INSERT INTO store.outbox (organisation, recipient, subject, body, created_at)"
                " VALUES ($1, $2, $3, $4, $5)",
                note.person_organisation,
                email,
                note.subject,
                f"{note.body}\n\nVoir sur Forum : {note.link}",
                envelope.event.timestamp,
            )


# ---------------------------------------------------------------------------------------------------------------------
# What the pages and the API read


class Notification(msgspec.Struct, frozen=True):
    kind: str
    subject: str
    body: str
    link: str
    at: datetime


async def notifications_for(conn: Conn, person: str, organisation: str, *, limit: int = 50) -> list[Notification]:
    """A person's notifications, the latest first."""
    rows = await conn.fetch(
        "SELECT kind, subject, body, link, at FROM read.notifications WHERE person = $1 AND person_organisation = $2"
        " ORDER BY position DESC LIMIT $3",
        person,
        organisation,
        limit,
    )
    return [Notification(r["kind"], r["subject"], r["body"], r["link"], r["at"]) for r in rows]
