"""The palmarès: secret until the host publishes it, then public at a stable URL, listed, downloadable, in a feed.

A forum's row exists from its planning (title, dates, place) but nothing of it is answered publicly before
``PalmaresPublished``: every public query filters on ``published_at``. The draft the jury and the host may read
before the ceremony is assembled from the forums read model (``draft_palmares``), after an access check, by the
domain's own assembly (``domain.palmares.assemble_palmares``, what ``Forum.draft_palmares`` proclaims).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.forum import Forum
from domain.nominations import ProjectSnapshot
from domain.palmares import Award, Nominee, Palmares, Prize, assemble_palmares
from domain.palmares import PalmaresEntry as ProclaimedEntry
from projections.dispatch import Conn, EventProjection, EventsOf, on
from projections.projector import Envelope

F = EventsOf(Forum)


def slugify(text: str, max_length: int = 80) -> str:
    """« 1er forum Innovations interdépartemental » → ``1er-forum-innovations-interdepartemental``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "palmares"


def palmares_slug(title: str, starts_on: date) -> str:
    """The palmarès' slug: its title, with the year when the title does not say it."""
    slug = slugify(title)
    year = str(starts_on.year)
    return slug if year in slug else f"{slug}-{year}"


class PalmaresProjection(EventProjection):
    name = "palmares"
    tables = ("read.palmares", "read.palmares_laureates")

    @on(F.Planned)
    async def planned(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.palmares (forum_id, organisation, title, kind, starts_on, ends_on, place)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)",
            envelope.originator_id,
            envelope.organisation,
            e.title,
            e.kind,
            e.starts_on,
            e.ends_on,
            e.place,
        )

    @on(F.EditionAmended)
    async def edition_amended(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "UPDATE read.palmares SET title = $2, place = $3, starts_on = $4, ends_on = $5 WHERE forum_id = $1",
            envelope.originator_id,
            e.title,
            e.place,
            e.starts_on,
            e.ends_on,
        )

    @on(F.PalmaresPublished)
    async def palmares_published(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await self._published(conn, envelope, e.palmares)

    async def _published(self, conn: asyncpg.Connection, envelope: Envelope, palmares: Palmares) -> None:
        forum_id = envelope.originator_id
        row = await conn.fetchrow("SELECT starts_on FROM read.palmares WHERE forum_id = $1", forum_id)
        base = palmares_slug(palmares.title, row["starts_on"])
        # the first publication keeps the plain slug; a later one of the same name takes its host, then its id
        slug = base
        for candidate in (base, f"{base}-{palmares.host}", f"{base}-{palmares.host}-{str(forum_id)[:8]}"):
            slug = candidate
            taken = await conn.fetchval(
                "SELECT 1 FROM read.palmares WHERE slug = $1 AND forum_id <> $2", candidate, forum_id
            )
            if not taken:
                break
        await conn.execute(
            "UPDATE read.palmares SET slug = $2, published_at = $3, position = $4, document = $5::jsonb,"
            " title = $6 WHERE forum_id = $1",
            forum_id,
            slug,
            envelope.event.meta.at,
            envelope.position,
            msgspec.json.encode(palmares).decode(),
            palmares.title,
        )
        lines: list[tuple[Any, ...]] = []
        for prize in palmares.prizes:
            for entry in prize.laureates:
                lines.append(
                    (
                        forum_id,
                        len(lines) + 1,
                        envelope.organisation,
                        prize.key,
                        prize.label,
                        prize.kind,
                        prize.category,
                        entry.rank,
                        entry.votes,
                        entry.amount_cents,
                        entry.project_id,
                        entry.organisation,
                        entry.title,
                        entry.summary,
                    )
                )
        await conn.executemany(
            "INSERT INTO read.palmares_laureates (forum_id, line, organisation, prize_key, prize_label, prize_kind,"
            " category, rank, votes, amount_cents, project_id, project_organisation, title, summary)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            lines,
        )


# ---------------------------------------------------------------------------------------------------------------------
# What the queries answer


class Laureate(msgspec.Struct, frozen=True):
    project_id: UUID
    organisation: str
    organisation_name: str
    title: str
    summary: str
    category: str | None
    amount_cents: int | None = None
    rank: int | None = None
    votes: int | None = None


class PrizeLaureates(msgspec.Struct, frozen=True):
    key: str
    label: str
    kind: str
    category: str | None
    laureates: list[Laureate]


class PalmaresView(msgspec.Struct, frozen=True):
    """A palmarès as the public page shows it (``published`` False: a draft, for the jury and the host only)."""

    forum_id: UUID
    slug: str | None
    title: str
    host: str
    host_name: str
    kind: str
    starts_on: date
    ends_on: date
    place: str
    published: bool
    published_at: datetime | None
    prizes: list[PrizeLaureates]
    finalists: list[Laureate]


class PalmaresEntry(msgspec.Struct, frozen=True):
    """A line of the index of published palmarès."""

    forum_id: UUID
    slug: str
    title: str
    host: str
    host_name: str
    kind: str
    starts_on: date
    ends_on: date
    place: str
    published_at: datetime
    prizes: int
    laureates: int


class OpenDataRow(msgspec.Struct, frozen=True):
    """One laureate of one prize of one published palmarès: the open-data line (CSV and JSON)."""

    palmares: str
    forum_id: UUID
    edition: str
    host: str
    host_name: str
    starts_on: date
    place: str
    published_at: datetime
    prize_key: str
    prize: str
    prize_kind: str
    category: str | None
    rank: int | None
    votes: int | None
    amount_euros: str | None
    project_id: UUID
    organisation: str
    organisation_name: str
    title: str
    summary: str


OPEN_DATA_COLUMNS = tuple(OpenDataRow.__struct_fields__)


def decimal_euros(cents: int | None) -> str | None:
    """Open data's amount, « 1500.00 »: a machine-read decimal whose form never changes (people read
    ``domain.values.format_euros``)."""
    return None if cents is None else f"{cents // 100}.{cents % 100:02d}"


# ---------------------------------------------------------------------------------------------------------------------
# Queries


async def _names(conn: Conn) -> dict[str, str]:
    return {r[0]: r[1] for r in await conn.fetch("SELECT slug, name FROM read.organisations")}


def _view(row: Any, palmares: Palmares, names: dict[str, str], slug: str | None) -> PalmaresView:
    """The page of ``palmares``: its edition as ``row`` reads it (``read.palmares`` or ``read.forums``, with the
    host's name), its prizes and finalists as assembled, each project with its organisation's name."""

    def laureate(e: ProclaimedEntry) -> Laureate:
        return Laureate(**msgspec.structs.asdict(e), organisation_name=names.get(e.organisation, e.organisation))

    return PalmaresView(
        forum_id=row["forum_id"],
        slug=slug,
        title=row["title"],
        host=row["organisation"],
        host_name=row["host_name"],
        kind=row["kind"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        place=row["place"],
        published=row["published_at"] is not None,
        published_at=row["published_at"],
        prizes=[
            PrizeLaureates(p.key, p.label, p.kind, p.category, [laureate(e) for e in p.laureates])
            for p in palmares.prizes
        ],
        finalists=[laureate(e) for e in palmares.finalists],
    )


async def list_published(conn: Conn, *, limit: int = 1000) -> list[PalmaresEntry]:
    """Every published palmarès across organisations, the latest publication first."""
    rows = await conn.fetch(
        "SELECT p.forum_id, p.slug, p.title, p.organisation, coalesce(o.name, p.organisation), p.kind, p.starts_on,"
        " p.ends_on, p.place, p.published_at, jsonb_array_length(p.document->'prizes'),"
        " (SELECT count(*) FROM read.palmares_laureates l WHERE l.forum_id = p.forum_id)"
        " FROM read.palmares p LEFT JOIN read.organisations o ON o.slug = p.organisation"
        " WHERE p.published_at IS NOT NULL ORDER BY p.published_at DESC, p.forum_id LIMIT $1",
        limit,
    )
    return [PalmaresEntry(*r.values()) for r in rows]


async def find_palmares(conn: Conn, ref: str) -> tuple[UUID, str] | None:
    """The forum id and host of a palmarès named by its slug (published) or by its forum's id (any)."""
    try:
        forum_id = UUID(ref)
    except ValueError:
        row = await conn.fetchrow("SELECT forum_id, organisation FROM read.palmares WHERE slug = $1", ref)
    else:
        row = await conn.fetchrow("SELECT forum_id, organisation FROM read.palmares WHERE forum_id = $1", forum_id)
    return None if row is None else (row[0], row[1])


async def published_palmares(conn: Conn, forum_id: UUID) -> PalmaresView | None:
    """The palmarès as proclaimed; None until it is published (whoever asks)."""
    row = await conn.fetchrow(
        "SELECT p.*, coalesce(o.name, p.organisation) AS host_name FROM read.palmares p"
        " LEFT JOIN read.organisations o ON o.slug = p.organisation"
        " WHERE p.forum_id = $1 AND p.published_at IS NOT NULL",
        forum_id,
    )
    if row is None:
        return None
    document = msgspec.json.decode(row["document"], type=Palmares)
    return _view(row, document, await _names(conn), row["slug"])


async def draft_palmares(conn: Conn, forum_id: UUID) -> PalmaresView | None:
    """The palmarès as deliberated so far (designations and counted votes), for the jury and the host before the
    ceremony: the same order as the proclaimed one (``Forum.draft_palmares``). Check access before answering."""
    f = await conn.fetchrow(
        "SELECT f.*, coalesce(o.name, f.organisation) AS host_name FROM read.forums f"
        " LEFT JOIN read.organisations o ON o.slug = f.organisation WHERE f.forum_id = $1",
        forum_id,
    )
    if f is None:
        return None
    names = await _names(conn)
    nominees = {
        r["project_id"]: Nominee(
            ProjectSnapshot(r["project_id"], r["project_organisation"], r["title"], r["summary"], r["category"]),
            r["sequence"],
            r["withdrawn_at"] is not None,
        )
        for r in await conn.fetch(
            "SELECT project_id, project_organisation, title, summary, category, sequence, withdrawn_at"
            " FROM read.forum_nominations WHERE forum_id = $1",
            forum_id,
        )
    }
    prizes: list[Prize] = []
    designated: dict[str, list[Award]] = {}
    voted: dict[str, list[Award]] = {}
    tallies: dict[str, dict[UUID, int]] = {}
    for p in await conn.fetch(
        "SELECT p.key, p.label, p.kind, p.category, p.ranked, d.awards AS designated, v.awards AS voted, v.count"
        " FROM read.forum_prizes p"
        " LEFT JOIN read.forum_designations d ON d.forum_id = p.forum_id AND d.prize_key = p.key"
        " LEFT JOIN read.forum_votes v ON v.forum_id = p.forum_id AND v.prize_key = p.key"
        " WHERE p.forum_id = $1 ORDER BY p.position",
        forum_id,
    ):
        prizes.append(Prize(p["key"], p["label"], p["kind"], category=p["category"], ranked=p["ranked"]))
        if p["designated"]:
            designated[p["key"]] = msgspec.json.decode(p["designated"], type=list[Award])
        if p["voted"]:
            voted[p["key"]] = msgspec.json.decode(p["voted"], type=list[Award])
        if p["count"]:
            tallies[p["key"]] = {UUID(t["project_id"]): t["votes"] for t in msgspec.json.decode(p["count"])["tallies"]}
    # the same assembly, in the same order, as the palmarès the host will proclaim (``Forum.draft_palmares``)
    draft = assemble_palmares(
        title=f["title"],
        host=f["organisation"],
        kind=f["kind"],
        categories=list(f["categories"]),
        nominees=nominees,
        prizes=prizes,
        designated=designated,
        voted=voted,
        tallies=tallies,
    )

    slug = await conn.fetchval("SELECT slug FROM read.palmares WHERE forum_id = $1", forum_id)
    return _view(f, draft, names, slug)


async def open_data(conn: Conn, forum_id: UUID | None = None) -> list[OpenDataRow]:
    """Every laureate of every published palmarès (or of one), prize by prize: the open-data download."""
    rows = await conn.fetch(
        "SELECT p.slug, p.forum_id, p.title, p.organisation, coalesce(o.name, p.organisation), p.starts_on, p.place,"
        " p.published_at, l.prize_key, l.prize_label, l.prize_kind, l.category, l.rank, l.votes, l.amount_cents,"
        " l.project_id, l.project_organisation, coalesce(lo.name, l.project_organisation), l.title, l.summary"
        " FROM read.palmares p JOIN read.palmares_laureates l ON l.forum_id = p.forum_id"
        " LEFT JOIN read.organisations o ON o.slug = p.organisation"
        " LEFT JOIN read.organisations lo ON lo.slug = l.project_organisation"
        " WHERE p.published_at IS NOT NULL AND ($1::uuid IS NULL OR p.forum_id = $1)"
        " ORDER BY p.published_at, p.forum_id, l.line",
        forum_id,
    )
    return [OpenDataRow(*(*r[:14], decimal_euros(r[14]), *r[15:])) for r in rows]
