"""The directory of organisations: who takes part in Forum, public to everyone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from domain.organisation import KIND_LABELS, Kind, Organisation
from projections.dispatch import Conn, EventProjection, EventsOf, on
from projections.projector import Envelope

ORG = EventsOf(Organisation)


class Directory(EventProjection):
    name = "directory"
    tables = ("read.organisations", "read.organisation_names")

    async def apply(self, conn: asyncpg.Connection, batch: Sequence[Envelope]) -> None:
        # Every event of an organisation names it: the names' history in one statement per batch.
        await conn.executemany(
            "INSERT INTO read.organisation_names (organisation, position, name, named_at) VALUES ($1, $2, $3, $4)",
            [(e.organisation, e.position, e.event.name, e.event.timestamp) for e in batch],
        )
        await super().apply(conn, batch)

    @on(ORG.Registered)
    async def registered(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.organisations (slug, organisation, name, kind, registered_at)"
            " VALUES ($1, $2, $3, $4, $5)",
            e.slug,
            envelope.organisation,
            e.name,
            e.kind,
            e.timestamp,
        )

    @on(ORG.Renamed)
    async def renamed(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "UPDATE read.organisations SET name = $2, renamed_at = $3 WHERE organisation = $1",
            envelope.organisation,
            e.name,
            e.timestamp,
        )


class OrganisationEntry(msgspec.Struct, frozen=True):
    slug: str
    name: str
    kind: str
    kind_label: str
    registered_at: datetime


async def list_organisations(conn: Conn, kind: str | None = None) -> list[OrganisationEntry]:
    rows = await conn.fetch(
        "SELECT slug, name, kind, registered_at FROM read.organisations"
        " WHERE $1::text IS NULL OR kind = $1 ORDER BY lower(name), slug",
        kind,
    )
    return [
        OrganisationEntry(
            r["slug"], r["name"], r["kind"], KIND_LABELS.get(Kind(r["kind"]), r["kind"]), r["registered_at"]
        )
        for r in rows
    ]


async def name_history(conn: Conn, slug: str) -> list[tuple[str, datetime]]:
    rows = await conn.fetch(
        "SELECT name, named_at FROM read.organisation_names WHERE organisation = $1 ORDER BY position", slug
    )
    return [(r["name"], r["named_at"]) for r in rows]


async def get_organisation(conn: Conn, slug: str) -> OrganisationEntry | None:
    r = await conn.fetchrow("SELECT slug, name, kind, registered_at FROM read.organisations WHERE slug = $1", slug)
    if r is None:
        return None
    return OrganisationEntry(
        r["slug"], r["name"], r["kind"], KIND_LABELS.get(Kind(r["kind"]), r["kind"]), r["registered_at"]
    )
