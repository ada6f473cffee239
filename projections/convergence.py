"""Convergent projects: several organisations' projects addressing similar problems, for their organisers only.

Read from the portfolio's tables (no table of its own): the projects an organisation stands behind —
selected locally, or in pre-incubation — and not withdrawn, grouped by ``domain.convergence``.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.convergence import DEFAULT_MIN_SCORE, ProjectText, convergent_groups
from projections.dispatch import Conn
from projections.practices import stage_label


class ConvergentProject(msgspec.Struct, frozen=True):
    project_id: UUID
    organisation: str
    organisation_name: str
    title: str
    problem: str
    forum_title: str | None
    stage: str | None
    stage_label: str


class ConvergenceGroup(msgspec.Struct, frozen=True):
    """Projects to show side by side, with the keywords they share."""

    organisations: list[str]
    keywords: list[str]
    score: float
    projects: list[ConvergentProject]


async def convergences_for(
    conn: Conn, organisation: str, *, min_score: float = DEFAULT_MIN_SCORE
) -> list[ConvergenceGroup]:
    """The groups of convergent projects in which ``organisation`` has a project (the others' are shown beside it)."""
    rows = await conn.fetch(
        "SELECT p.project_id, p.organisation, coalesce(o.name, p.organisation) AS org_name, p.title, p.problem,"
        " f.title AS forum_title, pi.stage"
        " FROM read.portfolio_projects p"
        " LEFT JOIN read.organisations o ON o.slug = p.organisation"
        " LEFT JOIN read.portfolio_forums f ON f.forum_id = p.forum_id"
        " LEFT JOIN read.pre_incubations pi ON pi.project_id = p.project_id"
        " WHERE p.status <> 'withdrawn' AND (p.decision = 'selected' OR pi.project_id IS NOT NULL)"
        " ORDER BY p.organisation, p.title, p.project_id"
    )
    projects = {
        str(r["project_id"]): ConvergentProject(
            project_id=r["project_id"],
            organisation=r["organisation"],
            organisation_name=r["org_name"],
            title=r["title"],
            problem=r["problem"],
            forum_title=r["forum_title"],
            stage=r["stage"],
            stage_label=stage_label(r["stage"]) if r["stage"] else "",
        )
        for r in rows
    }
    texts = [
        ProjectText(id=k, organisation=p.organisation, title=p.title, problem=p.problem) for k, p in projects.items()
    ]
    return [
        ConvergenceGroup(
            organisations=list(group.organisations),
            keywords=list(group.keywords),
            score=group.score,
            projects=[projects[i] for i in group.project_ids],
        )
        for group in convergent_groups(texts, min_score=min_score)
        if organisation in group.organisations
    ]
