"""Practices shared between organisations: the public listing with French full-text search, each practice's
sheet, its lineage (who adopted from whom, and who adopted next from those) and the adopters' reports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.practice import REPORT_OUTCOME_LABELS, Adoption, Practice, ReportOutcome
from domain.pre_incubation import STAGE_LABELS, Stage
from projections.dispatch import Conn, EventProjection, EventsOf, RowOf, on
from projections.projector import Envelope

TS_CONFIG = "read.french_unaccent"
STAGES = frozenset(s.value for s in Stage)
REPORT_OUTCOMES = frozenset(o.value for o in ReportOutcome)
ADOPTION_STATUS_LABELS = {"interested": "intéressée", "adopted": "adoptée", "abandoned": "abandonnée"}

P = EventsOf(Practice)
A = EventsOf(Adoption)
PRACTICE = RowOf("read.practices", "practice_id")
ADOPTION = RowOf("read.adoptions", "adoption_id")

# The search document: title and themes weigh most, then the problem and what was done, then the rest.
_SEARCH = f"""
    setweight(to_tsvector('{TS_CONFIG}', $3), 'A')
    || setweight(to_tsvector('{TS_CONFIG}', $10), 'A')
    || setweight(to_tsvector('{TS_CONFIG}', $4 || ' ' || $5), 'B')
    || setweight(to_tsvector('{TS_CONFIG}', $6 || ' ' || $7 || ' ' || $8), 'C')
"""


def stage_label(stage: str | None) -> str:
    return STAGE_LABELS[Stage(stage)] if stage in STAGES else (stage or "")


def _figures(figures: Sequence[Any]) -> str:
    return json.dumps([{"label": f.label, "value": str(f.value), "unit": f.unit} for f in figures], ensure_ascii=False)


class Practices(EventProjection):
    name = "practices"
    tables = ("read.practices", "read.adoptions", "read.adoption_reports")

    # -- practices (the publisher's store) ----------------------------------------------------------------------------

    @on(P.Drafted)
    async def practice_drafted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.practices (practice_id, organisation, project_id, status, title, drafted_at,"
            " updated_at) VALUES ($1, $2, $3, 'draft', $4, $5, $5)",
            e.originator_id,
            envelope.organisation,
            e.project_id,
            e.title,
            e.timestamp,
        )

    @on(P.Published, P.Amended)
    async def practice_published(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        sheet = e.sheet
        await conn.execute(
            "UPDATE read.practices SET status = 'published', title = $3, problem = $4, what_was_done = $5,"
            " results = $6, resources = $7, reuse_conditions = $8, contact_role = $9, themes = $11::text[],"
            " stage = $12, figures = $13::jsonb, published_at = coalesce(published_at, $2), updated_at = $2,"
            f" withdrawn_reason = NULL, search = {_SEARCH} WHERE practice_id = $1",
            e.originator_id,
            e.timestamp,
            sheet.title,
            sheet.problem,
            sheet.what_was_done,
            sheet.results,
            sheet.resources,
            sheet.reuse_conditions,
            sheet.contact_role,
            " ".join(sheet.themes),
            list(sheet.themes),
            sheet.stage,
            _figures(sheet.figures),
        )

    @on(P.Withdrawn)
    async def practice_withdrawn(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await PRACTICE.set(
            conn, envelope, "status = 'withdrawn', withdrawn_reason = $3, updated_at = $2", e.timestamp, e.reason
        )

    # -- adoptions (the adopter's store) ------------------------------------------------------------------------------

    @on(A.InterestDeclared)
    async def interest_declared(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.adoptions (adoption_id, organisation, practice_id, practice_organisation,"
            " derived_from, derived_from_organisation, status, note, interested_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, 'interested', $7, $8)",
            e.originator_id,
            envelope.organisation,
            e.practice_id,
            e.practice_organisation,
            e.derived_from,
            e.derived_from_organisation,
            e.note,
            e.timestamp,
        )

    @on(A.Adopted)
    async def adopted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await ADOPTION.set(
            conn,
            envelope,
            "status = 'adopted', adopted_at = $2, note = CASE WHEN $3 = '' THEN note ELSE $3 END",
            e.timestamp,
            e.note,
        )

    @on(A.ReportSubmitted)
    async def report_submitted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        practice_id = await conn.fetchval(
            "UPDATE read.adoptions SET last_outcome = $2, reports = reports + 1 WHERE adoption_id = $1"
            " RETURNING practice_id",
            e.originator_id,
            e.outcome,
        )
        await conn.execute(
            "INSERT INTO read.adoption_reports (adoption_id, position, organisation, practice_id, outcome, text,"
            " figures, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)",
            e.originator_id,
            envelope.position,
            envelope.organisation,
            practice_id,
            e.outcome,
            e.text,
            _figures(e.figures),
            e.timestamp,
        )

    @on(A.Abandoned)
    async def abandoned(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await ADOPTION.set(
            conn, envelope, "status = 'abandoned', abandoned_at = $2, abandon_reason = $3", e.timestamp, e.reason
        )


# ---------------------------------------------------------------------------------------------------------------------
# Queries


class FigureView(msgspec.Struct, frozen=True):
    label: str
    value: Decimal
    unit: str


class PracticeSummary(msgspec.Struct, frozen=True):
    practice_id: UUID
    organisation: str
    organisation_name: str
    status: str
    title: str
    problem: str
    themes: list[str]
    stage: str | None
    stage_label: str
    published_at: datetime | None
    adopters: int
    interested: int


class AdoptionReport(msgspec.Struct, frozen=True):
    organisation: str
    organisation_name: str
    outcome: str
    outcome_label: str
    text: str
    figures: list[FigureView]
    reported_at: datetime


class LineageNode(msgspec.Struct, frozen=True):
    """An organisation in a practice's lineage: the publisher (depth 0, no parent) or an adopter."""

    organisation: str
    organisation_name: str
    parent: str | None
    depth: int
    status: str  # published (the publisher), interested, adopted, abandoned
    status_label: str
    since: datetime | None
    last_outcome: str | None


class Lineage(msgspec.Struct, frozen=True):
    practice_id: UUID
    publisher: str
    nodes: list[LineageNode]  # depth first: each node right after its parent, children by date

    def children(self, organisation: str) -> list[LineageNode]:
        return [n for n in self.nodes if n.parent == organisation]


class PracticeDetail(msgspec.Struct, frozen=True):
    practice_id: UUID
    organisation: str
    organisation_name: str
    project_id: UUID
    status: str
    title: str
    problem: str
    what_was_done: str
    results: str
    figures: list[FigureView]
    resources: str
    contact_role: str
    reuse_conditions: str
    themes: list[str]
    stage: str | None
    stage_label: str
    published_at: datetime | None
    updated_at: datetime
    withdrawn_reason: str | None
    lineage: Lineage
    reports: list[AdoptionReport]


class Facets(msgspec.Struct, frozen=True):
    """What the public listing may be filtered by: values present among published practices."""

    themes: list[str]
    organisations: list[tuple[str, str]]
    stages: list[tuple[str, str]]


def _figure_views(raw: Any) -> list[FigureView]:
    items = json.loads(raw) if isinstance(raw, str) else raw
    return [FigureView(i["label"], Decimal(i["value"]), i.get("unit", "")) for i in items or []]


_SUMMARY_SELECT = """
    SELECT p.practice_id, p.organisation, coalesce(o.name, p.organisation) AS org_name, p.status, p.title, p.problem,
           p.themes, p.stage, p.published_at,
           (SELECT count(*) FROM read.adoptions a WHERE a.practice_id = p.practice_id AND a.status = 'adopted')
               AS adopters,
           (SELECT count(*) FROM read.adoptions a WHERE a.practice_id = p.practice_id AND a.status = 'interested')
               AS interested
    FROM read.practices p LEFT JOIN read.organisations o ON o.slug = p.organisation
"""


def _heading(r: asyncpg.Record) -> dict[str, Any]:
    """What the listing and the sheet read alike from a practice's row (with its organisation's ``org_name``)."""
    return {
        "practice_id": r["practice_id"],
        "organisation": r["organisation"],
        "organisation_name": r["org_name"],
        "status": r["status"],
        "title": r["title"],
        "problem": r["problem"],
        "themes": list(r["themes"]),
        "stage": r["stage"],
        "stage_label": stage_label(r["stage"]),
        "published_at": r["published_at"],
    }


def _summary(r: asyncpg.Record) -> PracticeSummary:
    return PracticeSummary(**_heading(r), adopters=r["adopters"], interested=r["interested"])


async def search_practices(
    conn: Conn,
    *,
    q: str | None = None,
    theme: str | None = None,
    organisation: str | None = None,
    stage: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[PracticeSummary]:
    """Published practices, best match first when ``q`` is given (French stemming, accents ignored), else newest."""
    q = (q or "").strip() or None
    rows = await conn.fetch(
        _SUMMARY_SELECT + f" WHERE p.status = 'published'"
        f" AND ($1::text IS NULL OR p.search @@ websearch_to_tsquery('{TS_CONFIG}', $1))"
        " AND ($2::text IS NULL OR $2 = ANY(p.themes))"
        " AND ($3::text IS NULL OR p.organisation = $3)"
        " AND ($4::text IS NULL OR p.stage = $4)"
        f" ORDER BY CASE WHEN $1::text IS NULL THEN 0"
        f" ELSE ts_rank(p.search, websearch_to_tsquery('{TS_CONFIG}', $1)) END DESC,"
        " p.published_at DESC, p.practice_id LIMIT $5 OFFSET $6",
        q,
        theme or None,
        organisation or None,
        stage or None,
        max(1, min(limit, 200)),
        max(0, offset),
    )
    return [_summary(r) for r in rows]


async def organisation_practices(conn: Conn, organisation: str) -> list[PracticeSummary]:
    """All of an organisation's practices, drafts and withdrawn ones included (for its organisers)."""
    rows = await conn.fetch(
        _SUMMARY_SELECT + " WHERE p.organisation = $1 ORDER BY p.updated_at DESC, p.practice_id", organisation
    )
    return [_summary(r) for r in rows]


async def facets(conn: Conn) -> Facets:
    themes = await conn.fetch(
        "SELECT DISTINCT unnest(themes) AS theme FROM read.practices WHERE status = 'published' ORDER BY 1"
    )
    organisations = await conn.fetch(
        "SELECT DISTINCT p.organisation, coalesce(o.name, p.organisation) AS name FROM read.practices p"
        " LEFT JOIN read.organisations o ON o.slug = p.organisation WHERE p.status = 'published' ORDER BY 2"
    )
    stages = await conn.fetch("SELECT DISTINCT stage FROM read.practices WHERE status = 'published'")
    present = {r["stage"] for r in stages}
    return Facets(
        themes=[r["theme"] for r in themes],
        organisations=[(r["organisation"], r["name"]) for r in organisations],
        stages=[(s.value, STAGE_LABELS[s]) for s in Stage if s.value in present],
    )


async def lineage(conn: Conn, practice_id: UUID) -> Lineage | None:
    practice = await conn.fetchrow(
        "SELECT p.organisation, coalesce(o.name, p.organisation) AS name, p.published_at FROM read.practices p"
        " LEFT JOIN read.organisations o ON o.slug = p.organisation WHERE p.practice_id = $1",
        practice_id,
    )
    if practice is None:
        return None
    rows = await conn.fetch(
        "SELECT a.*, coalesce(o.name, a.organisation) AS name FROM read.adoptions a"
        " LEFT JOIN read.organisations o ON o.slug = a.organisation"
        " WHERE a.practice_id = $1 ORDER BY coalesce(a.adopted_at, a.interested_at), a.organisation",
        practice_id,
    )
    publisher = practice["organisation"]
    by_parent: dict[str, list[asyncpg.Record]] = {}
    for r in rows:
        by_parent.setdefault(r["derived_from_organisation"] or publisher, []).append(r)
    nodes = [
        LineageNode(
            publisher, practice["name"], None, 0, "published", "publie la pratique", practice["published_at"], None
        )
    ]
    seen = {publisher}

    def walk(parent: str, depth: int) -> None:
        for r in by_parent.get(parent, []):
            if r["organisation"] in seen:  # a cycle cannot be built through the commands; never loop on one
                continue
            seen.add(r["organisation"])
            nodes.append(
                LineageNode(
                    organisation=r["organisation"],
                    organisation_name=r["name"],
                    parent=parent,
                    depth=depth,
                    status=r["status"],
                    status_label=ADOPTION_STATUS_LABELS.get(r["status"], r["status"]),
                    since=r["adopted_at"] or r["interested_at"],
                    last_outcome=r["last_outcome"],
                )
            )
            walk(r["organisation"], depth + 1)

    walk(publisher, 1)
    # an adoption derived from an organisation absent from the tree (its own adoption not projected yet)
    for r in rows:
        if r["organisation"] not in seen:
            seen.add(r["organisation"])
            nodes.append(
                LineageNode(
                    r["organisation"], r["name"], publisher, 1, r["status"],
                    ADOPTION_STATUS_LABELS.get(r["status"], r["status"]), r["adopted_at"] or r["interested_at"],
                    r["last_outcome"],
                )
            )  # fmt: skip
    return Lineage(practice_id=practice_id, publisher=publisher, nodes=nodes)


async def adoption_reports(conn: Conn, practice_id: UUID) -> list[AdoptionReport]:
    rows = await conn.fetch(
        "SELECT r.*, coalesce(o.name, r.organisation) AS name FROM read.adoption_reports r"
        " LEFT JOIN read.organisations o ON o.slug = r.organisation WHERE r.practice_id = $1 ORDER BY r.position",
        practice_id,
    )
    return [
        AdoptionReport(
            organisation=r["organisation"],
            organisation_name=r["name"],
            outcome=r["outcome"],
            outcome_label=REPORT_OUTCOME_LABELS[ReportOutcome(r["outcome"])]
            if r["outcome"] in REPORT_OUTCOMES
            else r["outcome"],
            text=r["text"],
            figures=_figure_views(r["figures"]),
            reported_at=r["reported_at"],
        )
        for r in rows
    ]


async def get_practice(
    conn: Conn, practice_id: UUID, *, viewer_organisation: str | None = None
) -> PracticeDetail | None:
    """A published practice for everyone; a draft or withdrawn one only for its own organisation's viewers."""
    r = await conn.fetchrow(
        "SELECT p.*, coalesce(o.name, p.organisation) AS org_name FROM read.practices p"
        " LEFT JOIN read.organisations o ON o.slug = p.organisation WHERE p.practice_id = $1",
        practice_id,
    )
    if r is None or (r["status"] != "published" and r["organisation"] != viewer_organisation):
        return None
    tree = await lineage(conn, practice_id) or Lineage(practice_id, r["organisation"], [])
    return PracticeDetail(
        **_heading(r),
        project_id=r["project_id"],
        what_was_done=r["what_was_done"],
        results=r["results"],
        figures=_figure_views(r["figures"]),
        resources=r["resources"],
        contact_role=r["contact_role"],
        reuse_conditions=r["reuse_conditions"],
        updated_at=r["updated_at"],
        withdrawn_reason=r["withdrawn_reason"],
        lineage=tree,
        reports=await adoption_reports(conn, practice_id),
    )


class AdoptionEntry(msgspec.Struct, frozen=True):
    practice_id: UUID
    practice_title: str
    practice_organisation: str
    practice_organisation_name: str
    adopted_from: str | None
    status: str
    status_label: str
    since: datetime
    reports: int
    last_outcome: str | None


async def organisation_adoptions(conn: Conn, organisation: str) -> list[AdoptionEntry]:
    """What an organisation took up from others (its organisers' view)."""
    rows = await conn.fetch(
        "SELECT a.*, p.title, coalesce(o.name, a.practice_organisation) AS publisher_name FROM read.adoptions a"
        " LEFT JOIN read.practices p ON p.practice_id = a.practice_id"
        " LEFT JOIN read.organisations o ON o.slug = a.practice_organisation"
        " WHERE a.organisation = $1 ORDER BY coalesce(a.adopted_at, a.interested_at) DESC",
        organisation,
    )
    return [
        AdoptionEntry(
            practice_id=r["practice_id"],
            practice_title=r["title"] or "",
            practice_organisation=r["practice_organisation"],
            practice_organisation_name=r["publisher_name"],
            adopted_from=r["derived_from_organisation"],
            status=r["status"],
            status_label=ADOPTION_STATUS_LABELS.get(r["status"], r["status"]),
            since=r["adopted_at"] or r["interested_at"],
            reports=r["reports"],
            last_outcome=r["last_outcome"],
        )
        for r in rows
    ]


async def practice_publisher(conn: Conn, practice_id: UUID) -> str | None:
    """The organisation that publishes a practice (public knowledge once it is published)."""
    return await conn.fetchval(  # type: ignore[no-any-return]
        "SELECT organisation FROM read.practices WHERE practice_id = $1 AND status <> 'draft'", practice_id
    )
