"""What audit pages need from the read models: the names behind the ids an audit trail shows.

The trail itself reads the event log (``forum.audit_trail``); this only turns ids into what people read (person
names; titles of projects, forums, calls, practices; organisation names), for ids the caller may already see.
"""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from projections.dispatch import Conn


class AuditNames:
    """Plain mappings: person id → name, thing id → title, organisation slug → name."""

    def __init__(self, people: dict[str, str], titles: dict[str, str], organisations: dict[str, str]) -> None:
        self.people = people
        self.titles = titles
        self.organisations = organisations


_TITLES = """
SELECT project_id, title FROM read.projects WHERE project_id = ANY($1::uuid[])
UNION ALL SELECT project_id, title FROM read.forum_nominations WHERE project_id = ANY($1::uuid[])
UNION ALL SELECT forum_id, title FROM read.forums WHERE forum_id = ANY($1::uuid[])
UNION ALL SELECT call_id, title FROM read.calls WHERE call_id = ANY($1::uuid[])
UNION ALL SELECT practice_id, title FROM read.practices WHERE practice_id = ANY($1::uuid[])
"""


async def audit_names(conn: Conn, ids: Collection[str], slugs: Collection[str]) -> AuditNames:
    keys = []
    for value in ids:
        try:
            keys.append(UUID(value))
        except ValueError:
            continue
    people = {
        str(r[0]): r[1]
        for r in await conn.fetch("SELECT person_id, name FROM read.people WHERE person_id = ANY($1::uuid[])", keys)
    }
    titles: dict[str, str] = {}
    for r in await conn.fetch(_TITLES, keys):
        titles.setdefault(str(r[0]), r[1])
    organisations = {
        r[0]: r[1]
        for r in await conn.fetch("SELECT slug, name FROM read.organisations WHERE slug = ANY($1::text[])", list(slugs))
    }
    return AuditNames(people, titles, organisations)
