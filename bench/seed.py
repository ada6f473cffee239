"""Seeding a log fast: whole histories built in memory by the domain, saved through the application in big batches."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from domain.aggregate import Aggregate
from domain.idea_call import IdeaCall
from domain.organisation import Organisation
from domain.project import Project
from domain.values import Meta
from forum.application import ForumApplication
from forum.tenancy import store_of

START = datetime(2019, 3, 6, 9, 0, tzinfo=UTC)
EDITS_PER_PROJECT = 8  # a project's history: drafted, submitted, then edited (10 events)
PROJECT_EVENTS = 2 + EDITS_PER_PROJECT
ORGANISER = "5b0f4a9e-0000-4000-8000-00000000bench"
AUTHOR = "5b0f4a9e-0000-4000-8000-0000000author"


def _meta(slug: str, at: datetime, actor: str, role: str) -> Meta:
    command_id = uuid.uuid4().hex
    return Meta(
        actor=actor,
        role=role,
        organisation=slug,
        actor_organisation=slug,
        at=at,
        command_id=command_id,
        correlation_id=command_id,
    )


def organisation_history(slug: str, events: int) -> list[Aggregate]:
    """About ``events`` new events of organisation ``slug`` (at least 3): registered, a call drafted and opened,
    then projects drafted, submitted and edited, and renames of the organisation for the remainder."""
    at = START
    organisation = Organisation.register(
        slug=slug, name=f"Organisation {slug}", kind="autre", meta=_meta(slug, at, "system", "admin")
    )
    organiser = _meta(slug, at, ORGANISER, "organiser")
    call = IdeaCall.draft(
        id=uuid.uuid4(),
        organisation=slug,
        title="Appel à idées",
        themes=("simplifier",),
        categories=("service",),
        opens_at=at,
        closes_at=at + timedelta(days=3650),
        meta=organiser,
    )
    call.open(meta=organiser)
    rules = call.rules()
    aggregates: list[Aggregate] = [organisation, call]
    remaining = events - 3
    for number in range(remaining // PROJECT_EVENTS):
        at += timedelta(minutes=1)
        agent = _meta(slug, at, AUTHOR, "agent")
        project = Project.draft(
            id=uuid.uuid4(),
            rules=rules,
            author=AUTHOR,
            organisation=slug,
            meta=agent,
            title=f"Projet {number}",
            problem="Des familles renoncent à une aide à laquelle elles ont droit.",
            solution="Des permanences d'aide à la saisie.",
            benefits_users="Des aides demandées à temps.",
            benefits_agents="Moins de dossiers incomplets.",
            category="service",
            theme="simplifier",
        )
        project.submit(rules=rules, meta=agent)
        for edit in range(EDITS_PER_PROJECT):
            project.edit(rules=rules, meta=agent, title=f"Projet {number}, version {edit + 2}")
        aggregates.append(project)
    for rename in range(remaining % PROJECT_EVENTS):
        organisation.rename(name=f"Organisation {slug} ({rename + 1})", meta=_meta(slug, at, "system", "admin"))
    return aggregates


def batches(aggregates: Iterable[Aggregate], size: int) -> Iterator[list[Aggregate]]:
    """Aggregates grouped so that each group holds about ``size`` pending events (an aggregate is never split)."""
    batch: list[Aggregate] = []
    count = 0
    for aggregate in aggregates:
        batch.append(aggregate)
        count += len(aggregate.pending_events)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def seed(app: ForumApplication, slugs: Iterable[str], events_per_organisation: int, batch_size: int = 500) -> int:
    """Save ``events_per_organisation`` events for each organisation, in transactions of about ``batch_size``
    events, taking the organisations in turn so their histories interleave in the log; returns how many."""
    saved = 0
    slugs = list(slugs)
    for start in range(0, len(slugs), 8):
        group = slugs[start : start + 8]
        # A few organisations' batches in turn: interleaved histories without holding every history in memory.
        queues = [(slug, batches(organisation_history(slug, events_per_organisation), batch_size)) for slug in group]
        for slug, batch in _round_robin(queues):
            saved += sum(len(aggregate.pending_events) for aggregate in batch)
            with store_of(slug):
                app.save(*batch)
    return saved


def _round_robin(queues: list[tuple[str, Iterator[list[Aggregate]]]]) -> Iterator[tuple[str, list[Aggregate]]]:
    while queues:
        for entry in list(queues):
            slug, queue = entry
            batch = next(queue, None)
            if batch is None:
                queues.remove(entry)
            else:
                yield slug, batch
