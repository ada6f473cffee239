"""The audit trail: who may audit what, and every event of an organisation, a forum or one aggregate, in log order.

Who. An organisation's auditors (role ``auditor``) read its whole history; a forum's auditors (forum role
``forum_auditor``, granted by the host with ``appoint_auditor``; the host organisation's auditors count too) read the
forum's history (the Forum aggregate and its ForumRoles, in the host's store) and that of every project nominated to
it (each in its own organisation's store). Platform administrators read everything. Auditors change nothing: every
command refuses them (``forum.access``, ``forum.forums``). Another organisation's history is not found (404); one's
own without the role is forbidden (403).

How it is read. Straight from the event log, never from a projection: rows are read by keyset on the
``(organisation, notification_id)`` index (or the primary key for named aggregates), ``WHERE notification_id > $after
ORDER BY notification_id LIMIT n``, never OFFSET, so the thousandth page costs what the first does (for a whole
store, positions come first from that index alone, then their rows: see ``_fetch``). The access check
is made here first; the read then runs as ``forum_app`` with ``set_config('forum.organisation', store, true)`` in a
read-only transaction, one per store: row-level security, the same that confines every command, confines the read to
the stores the check allowed, so a mistake in a check cannot show another organisation's events.

Filters. Aggregate and event type are SQL conditions; a person is pre-filtered in SQL (the person's id is a
substring of the stored payload) and confirmed on the decoded ``meta.actor``; a time range is checked on the decoded
``meta.at`` (the moment the event happened, not when it was stored). Filters checked in Python scan at most
``SCAN_BUDGET`` rows per page: a page may then come back short, with ``next_after`` to continue from.

Exports. CSV and JSON of any trail; and a signed export of a whole scope (``export_lines``) that a person can check
offline (``verify_export``, ``python -m forum.audit_trail verify-export FILE --public-key KEY``): each event carries
its chain link and the link before it in its organisation's chain, so the verifier recomputes
``link = sha256(previous || canonical row)`` for every event (it is the stored event the chain covers) and compares
it to the anchors exported with it; the whole file is signed with the service's Ed25519 key.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.codec import decode_event, decode_payload
from domain.errors import Forbidden, Invalid, NotFound
from domain.forum import Forum
from domain.person import ForumRoles
from domain.values import Meta, Role
from forum import audit, forums
from forum.access import Actor, require_role
from forum.audit_sentences import AGGREGATE_LABELS, Names, event_classes, event_name, ids_in, sentence, slugs_in
from forum.forums import HOST, ON_FORUM, ForumRef, _Grants, _require_person
from forum.pipeline import Command, Unit, handles
from forum.settings import Settings

SCAN_BUDGET = 20_000  # rows examined per page when a filter is checked on decoded events
CHUNK = 1_000  # rows read per round trip when scanning
MAX_LIMIT = 500
EXPORT_FORMAT = "forum-audit-trail"
EXPORT_VERSION = 1
NamesFor = Callable[[set[str], set[str]], Awaitable[Names]]  # (ids, organisation slugs) → names
FORUM_AUDITOR = Role.FORUM_AUDITOR.value


# ---------------------------------------------------------------------------------------------------------------------
# Who may audit what


@dataclass(frozen=True)
class ForumFacts:
    """What an access check needs to know of a forum: its host and every organisation it invited."""

    forum_id: UUID
    host: str
    invited: tuple[str, ...] = ()


def may_audit_organisation(actor: Actor, organisation: str) -> str:
    """The organisation's auditors (and administrators); returns the role used."""
    return require_role(actor, organisation, Role.AUDITOR)


def may_audit_forum(actor: Actor, forum: ForumFacts) -> str:
    """The forum's auditors: granted ``forum_auditor``, or auditors of its host (and administrators)."""
    held = forums.standing(actor, forum_id=forum.forum_id, host=forum.host, invited=forum.invited)
    return forums.require_standing(held, forums.AUDITOR)


def may_audit_aggregate(actor: Actor, store: str, containing: Sequence[ForumFacts]) -> str:
    """An aggregate of ``store``: the store's auditors, or the auditors of a forum ``containing`` it (the forum
    itself, its roles, or a project nominated to it)."""
    if actor.is_admin:
        return Role.ADMIN.value
    if actor.organisation == store and Role.AUDITOR in actor.roles:
        return Role.AUDITOR.value
    for forum in containing:
        held = forums.standing(actor, forum_id=forum.forum_id, host=forum.host, invited=forum.invited)
        if forums.AUDITOR in held:
            return Role.FORUM_AUDITOR.value
    if actor.organisation == store:
        raise Forbidden("Seuls les auditeurs lisent l'historique.", rule="role_required")
    raise NotFound("Introuvable.", rule="not_found")


class AppointAuditor(Command["AuditorAppointed"], frozen=True):
    """Appoint a person (of any organisation) auditor of the forum: they read its history and its projects'."""

    person_id: str
    organisation: str


class DismissAuditor(Command["AuditorAppointed"], frozen=True):
    pass


class DismissForumAuditor(DismissAuditor, frozen=True, kw_only=True):
    """The dismissal of the auditor the URL names."""

    person_id: str


class AuditorAppointed(msgspec.Struct):
    """A person's ``forum_auditor`` role in the forum, granted or withdrawn."""

    forum_id: str
    person_id: str
    role: str


@handles(AppointAuditor, on=ON_FORUM, roles=(HOST,))
def appoint_auditor(forum: Forum, command: AppointAuditor, unit: Unit[ForumRef]) -> AuditorAppointed:
    """The host appoints a person auditor of the forum: they receive ``forum_auditor`` (a second time: refused)."""
    # only once the actor is known to be the host: anyone else gets the same answer whoever the person is
    _require_person(unit.app, command.person_id, command.organisation)
    roles = _Grants(unit.app, forum, unit.meta).roles
    roles.grant(
        person_id=command.person_id, person_organisation=command.organisation, role=FORUM_AUDITOR, meta=unit.meta
    )
    unit.save(roles)
    return AuditorAppointed(str(forum.id), command.person_id, FORUM_AUDITOR)


@handles(DismissForumAuditor, on=ON_FORUM, roles=(HOST,))
def dismiss_auditor(forum: Forum, command: DismissForumAuditor, unit: Unit[ForumRef]) -> AuditorAppointed:
    """The host withdraws a person's ``forum_auditor`` role."""
    not_auditor = "Cette personne n'est pas auditeur."
    roles = unit.app.load(ForumRoles, ForumRoles.id_for(forum.id), forum.host, what=not_auditor)
    roles.revoke(person_id=command.person_id, role=FORUM_AUDITOR, meta=unit.meta)
    unit.save(roles)
    return AuditorAppointed(str(forum.id), command.person_id, FORUM_AUDITOR)


# ---------------------------------------------------------------------------------------------------------------------
# What a trail covers


@dataclass(frozen=True)
class Stream:
    """One store's part of a trail: its whole history, or only some of its aggregates."""

    store: str
    aggregate_ids: tuple[UUID, ...] | None = None


@dataclass(frozen=True)
class Scope:
    kind: str  # organisation | forum | aggregate
    key: str  # the organisation's slug, the forum's id, the aggregate's id
    streams: tuple[Stream, ...]

    @property
    def organisations(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.store for s in self.streams))


def organisation_scope(organisation: str) -> Scope:
    return Scope("organisation", organisation, (Stream(organisation),))


def forum_scope(forum: ForumFacts, nominated: Iterable[tuple[UUID, str]]) -> Scope:
    """The forum and its roles (host's store), and every nominated project (``(project id, its store)``)."""
    ids: dict[str, list[UUID]] = {forum.host: [forum.forum_id, ForumRoles.id_for(forum.forum_id)]}
    for project_id, store in nominated:
        ids.setdefault(store, [])
        if project_id not in ids[store]:
            ids[store].append(project_id)
    return Scope("forum", str(forum.forum_id), tuple(Stream(store, tuple(found)) for store, found in ids.items()))


def aggregate_scope(store: str, aggregate_id: UUID) -> Scope:
    return Scope("aggregate", str(aggregate_id), (Stream(store, (aggregate_id,)),))


@dataclass(frozen=True)
class Filters:
    aggregate_id: UUID | None = None
    person: str | None = None
    event_types: tuple[str, ...] = ()  # ``Forum.ScoreRecorded``
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        known = event_classes()
        for name in self.event_types:
            if name not in known:
                raise Invalid(f"Type d'événement inconnu : « {name} ».", field="type", rule="unknown_value")
        for moment, name in ((self.since, "since"), (self.until, "until")):
            if moment is not None and moment.tzinfo is None:
                raise Invalid("Une heure doit porter son fuseau horaire.", field=name, rule="timezone_required")
        if self.since and self.until and self.since > self.until:
            raise Invalid("Le début de la période suit sa fin.", field="since", rule="period_order")

    @property
    def checked_in_python(self) -> bool:
        return bool(self.person or self.since or self.until)

    def topics(self) -> list[str]:
        from eventsourcing.utils import get_topic

        known = event_classes()
        return [get_topic(known[name]) for name in self.event_types]


# ---------------------------------------------------------------------------------------------------------------------
# Reading the log


class Row(msgspec.Struct, frozen=True):
    """A stored event, as the log holds it (plus its chain links for signed exports)."""

    position: int
    organisation: str
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
    recorded_at: datetime
    link: bytes | None = None
    previous: bytes | None = None


@dataclass(frozen=True)
class Entry:
    """A row and its decoded event."""

    row: Row
    event: Any

    @property
    def meta(self) -> Meta | None:
        meta = getattr(self.event, "meta", None)
        return meta if isinstance(meta, Meta) else None

    @property
    def at(self) -> datetime:
        meta = self.meta
        moment = meta.at if meta is not None else getattr(self.event, "timestamp", self.row.recorded_at)
        return moment if isinstance(moment, datetime) else self.row.recorded_at


_COLUMNS = "e.notification_id, e.organisation, e.originator_id, e.originator_version, e.topic, e.state, e.recorded_at"
_LINKS = (
    ", c.link, coalesce((SELECT p.link FROM store.chain p WHERE p.organisation = e.organisation"
    " AND p.position < e.notification_id ORDER BY p.position DESC LIMIT 1), '\\x" + "00" * 32 + "'::bytea) AS previous"
)


_POSITIONS = (
    "SELECT e.notification_id FROM store.forum_events e WHERE e.organisation = $1 AND e.notification_id > $2"
    " ORDER BY e.notification_id LIMIT $3"
)
_BY_POSITION = (
    f"SELECT {_COLUMNS} FROM store.forum_events e WHERE e.notification_id = ANY($1::bigint[])"
    " ORDER BY e.notification_id"
)
_BY_POSITION_LINKS = (
    f"SELECT {_COLUMNS}{_LINKS} FROM store.forum_events e"
    " LEFT JOIN store.chain c ON c.organisation = e.organisation AND c.position = e.notification_id"
    " WHERE e.notification_id = ANY($1::bigint[]) ORDER BY e.notification_id"
)


def _statement(stream: Stream, filters: Filters, *, with_links: bool) -> tuple[str, list[Any]]:
    """The keyset query for one store; ``$1`` is the store, ``$2`` the position to read after, ``$3`` the limit."""
    args: list[Any] = [stream.store]
    where = ["e.organisation = $1", "e.notification_id > $2"]
    ids = stream.aggregate_ids
    if filters.aggregate_id is not None:
        ids = (filters.aggregate_id,) if ids is None or filters.aggregate_id in ids else ()
    if ids is not None:
        args.append(list(ids))
        where.append(f"e.originator_id = ANY(${len(args) + 2}::uuid[])")
    if filters.event_types:
        args.append(filters.topics())
        where.append(f"e.topic = ANY(${len(args) + 2}::text[])")
    if filters.person:
        args.append(filters.person.encode())
        where.append(f"position(${len(args) + 2}::bytea in e.state) > 0")
    links = _LINKS if with_links else ""
    join = (
        " LEFT JOIN store.chain c ON c.organisation = e.organisation AND c.position = e.notification_id"
        if with_links
        else ""
    )
    sql = (
        f"SELECT {_COLUMNS}{links} FROM store.forum_events e{join} WHERE {' AND '.join(where)}"
        " ORDER BY e.notification_id LIMIT $3"
    )
    return sql, args


async def _fetch(pool: Any, stream: Stream, filters: Filters, after: int, limit: int, *, with_links: bool) -> list[Row]:
    if stream.aggregate_ids == () or (
        filters.aggregate_id is not None
        and stream.aggregate_ids is not None
        and filters.aggregate_id not in stream.aggregate_ids
    ):
        return []
    sql, args = _statement(stream, filters, with_links=with_links)
    whole_store = stream.aggregate_ids is None and filters.aggregate_id is None and not filters.event_types
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        # row-level security: this transaction sees the store the access check allowed, and nothing else
        await conn.execute("SELECT set_config('forum.organisation', $1, true)", stream.store)
        if whole_store and not filters.person:
            # Positions first, from the store's (organisation, position) index alone (an index-only scan), then
            # their rows: walking the log's position index instead, as the planner would for a big organisation it
            # believes spread evenly, would scan every row logged by others before its next ones.
            positions = await conn.fetch(_POSITIONS, stream.store, after, limit)
            records = await conn.fetch(_BY_POSITION_LINKS if with_links else _BY_POSITION, [r[0] for r in positions])
        else:
            records = await conn.fetch(sql, stream.store, after, limit, *args[1:])
    return [
        Row(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            bytes(r[5]),
            r[6],
            bytes(r[7]) if with_links and r[7] is not None else None,
            bytes(r[8]) if with_links else None,
        )
        for r in records
    ]


@dataclass(frozen=True)
class Head:
    """An organisation's chain head: the last position chained and its link (what anchors record)."""

    organisation: str
    position: int | None
    link: str | None


async def chain_head(pool: Any, organisation: str) -> Head:
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        await conn.execute("SELECT set_config('forum.organisation', $1, true)", organisation)
        row = await conn.fetchrow(
            "SELECT position, link FROM store.chain WHERE organisation = $1 ORDER BY position DESC LIMIT 1",
            organisation,
        )
    return Head(organisation, row[0], bytes(row[1]).hex()) if row else Head(organisation, None, None)


def decode(row: Row) -> Entry:
    return Entry(row, decode_event(row.topic, row.state, row.originator_id, row.originator_version))


def matches(entry: Entry, filters: Filters) -> bool:
    meta = entry.meta
    if filters.person and (meta is None or meta.actor != filters.person):
        return False
    if filters.since and entry.at < filters.since:
        return False
    return not (filters.until and entry.at > filters.until)


@dataclass
class Page:
    """Events of a trail after a position; ``next_after`` continues (None: the trail ends here)."""

    entries: list[Entry]
    next_after: int | None
    scanned: int


async def read_page(
    pool: Any,
    scope: Scope,
    filters: Filters,
    *,
    after: int = 0,
    limit: int = 50,
    budget: int = SCAN_BUDGET,
    with_links: bool = False,
) -> Page:
    """Up to ``limit`` events of ``scope`` after position ``after``, in log order (every store merged by position)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"Une page compte de 1 à {MAX_LIMIT} événements.", field="limit", rule="limit_range")
    if after < 0:
        raise Invalid("La position de départ est positive.", field="after", rule="after_range")
    python_side = filters.checked_in_python
    chunk = min(CHUNK, budget) if python_side else limit + 1
    found: list[Entry] = []
    cursor, scanned = after, 0
    while True:
        fetched = [await _fetch(pool, s, filters, cursor, chunk, with_links=with_links) for s in scope.streams]
        # A store that filled its chunk may hold more rows below another store's last one: merge only up to the
        # lowest such horizon, and read on from there.
        full = [rows[-1].position for rows in fetched if len(rows) == chunk]
        horizon = min(full) if full else None
        merged = sorted(
            (row for rows in fetched for row in rows if horizon is None or row.position <= horizon),
            key=lambda r: r.position,
        )
        for row in merged:
            if len(found) == limit:
                return Page(found, cursor, scanned)
            scanned += 1
            entry = decode(row)
            cursor = row.position
            if not python_side or matches(entry, filters):
                found.append(entry)
            elif scanned >= budget:
                return Page(found, cursor, scanned)
        if horizon is None:
            return Page(found, None, scanned)
        cursor = horizon
        if len(found) == limit or scanned >= budget:
            return Page(found, cursor, scanned)


async def iterate(
    pool: Any, scope: Scope, filters: Filters, *, after: int = 0, with_links: bool = False
) -> AsyncIterator[list[Entry]]:
    """The whole trail, chunk by chunk (for exports)."""
    cursor: int | None = after
    while cursor is not None:
        page = await read_page(
            pool, scope, filters, after=cursor, limit=MAX_LIMIT, budget=10 * SCAN_BUDGET, with_links=with_links
        )
        if page.entries:
            yield page.entries
        cursor = page.next_after


# ---------------------------------------------------------------------------------------------------------------------
# What a page and an export show of each event


class TrailEvent(msgspec.Struct, frozen=True):
    """One event of a trail, for people and programs: the sentence, who, when, and the raw payload."""

    position: int
    organisation: str
    at: datetime  # when it happened (meta.at)
    recorded_at: datetime  # when the log stored it
    aggregate_type: str
    aggregate_label: str
    aggregate_id: UUID
    version: int
    event_type: str
    actor: str
    actor_name: str
    actor_organisation: str
    role: str
    command_id: str
    correlation_id: str
    sentence: str
    payload: Any


def names_needed(entries: Iterable[Entry]) -> tuple[set[str], set[str]]:
    """The ids and organisation slugs a batch of events names (what ``NamesFor`` should resolve)."""
    ids: set[str] = set()
    slugs: set[str] = set()
    for entry in entries:
        raw = decode_payload(entry.row.state)
        ids |= ids_in(raw) | {str(entry.row.originator_id)}
        slugs |= slugs_in(raw) | {entry.row.organisation}
    return ids, slugs


def describe(entry: Entry, names: Names) -> TrailEvent:
    meta = entry.meta
    name = event_name(entry.row.topic)
    aggregate_type = name.partition(".")[0]
    return TrailEvent(
        position=entry.row.position,
        organisation=entry.row.organisation,
        at=entry.at,
        recorded_at=entry.row.recorded_at,
        aggregate_type=aggregate_type,
        aggregate_label=AGGREGATE_LABELS.get(aggregate_type, aggregate_type),
        aggregate_id=entry.row.originator_id,
        version=entry.row.originator_version,
        event_type=name,
        actor=meta.actor if meta else "",
        actor_name=names.person(meta.actor) if meta else "",
        actor_organisation=meta.actor_organisation if meta else "",
        role=meta.role if meta else "",
        command_id=meta.command_id if meta else "",
        correlation_id=meta.correlation_id if meta else "",
        sentence=sentence(entry.event, names),
        payload=decode_payload(entry.row.state),
    )


async def described(entries: list[Entry], names_for: NamesFor | None) -> list[TrailEvent]:
    names = await names_for(*names_needed(entries)) if names_for else Names()
    return [describe(e, names) for e in entries]


CSV_COLUMNS = (
    "position",
    "organisation",
    "at",
    "recorded_at",
    "aggregate_type",
    "aggregate_id",
    "version",
    "event_type",
    "actor",
    "actor_name",
    "actor_organisation",
    "role",
    "command_id",
    "correlation_id",
    "sentence",
    "payload",
)


def csv_header() -> str:
    out = io.StringIO()
    csv.writer(out).writerow(CSV_COLUMNS)
    return out.getvalue()


def csv_rows(events: Iterable[TrailEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for e in events:
        writer.writerow(
            [
                e.position,
                e.organisation,
                e.at.isoformat(),
                e.recorded_at.isoformat(),
                e.aggregate_type,
                e.aggregate_id,
                e.version,
                e.event_type,
                e.actor,
                e.actor_name,
                e.actor_organisation,
                e.role,
                e.command_id,
                e.correlation_id,
                _csv_safe(e.sentence),
                msgspec.json.encode(e.payload).decode(),
            ]
        )
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# ---------------------------------------------------------------------------------------------------------------------
# Signed exports of a scope, checkable offline


class TrailHeader(msgspec.Struct, tag="header", tag_field="kind", forbid_unknown_fields=True):
    format: str
    version: int
    scope: str  # organisation | forum | aggregate
    key: str
    stores: dict[str, list[str] | None]  # store → the aggregates exported (None: all of them)
    exported_at: datetime
    public_key: str
    chain: dict[str, str]


class TrailAnchor(msgspec.Struct, tag="anchor", tag_field="kind", forbid_unknown_fields=True):
    organisation: str
    anchored_at: datetime
    position: int
    head: str
    reason: str


class TrailExportEvent(msgspec.Struct, tag="event", tag_field="kind", forbid_unknown_fields=True):
    organisation: str
    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    recorded_at: datetime
    state: bytes
    previous: str  # the link before this event in its organisation's chain (hex)
    link: str  # this event's link: sha256(previous || canonical row)
    payload: msgspec.Raw
    sentence: str


class TrailEnd(msgspec.Struct, tag="end", tag_field="kind", forbid_unknown_fields=True):
    events: int
    last: dict[str, int]  # store → the last position exported


TrailLine = TrailHeader | TrailAnchor | TrailExportEvent | TrailEnd
_line_decoder = msgspec.json.Decoder(TrailLine)
_encoder = msgspec.json.Encoder()


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The service's Ed25519 key (``FORUM_AUDIT_KEY``, or ``FORUM_DATA_DIR/audit-ed25519.pem``, made on first use)."""
    return audit.load_or_create_signing_key(audit.signing_key_path(settings.data_dir, settings.audit_key))


async def export_lines(
    pool: Any,
    scope: Scope,
    key: Ed25519PrivateKey,
    *,
    names_for: NamesFor | None = None,
    now: datetime | None = None,
) -> AsyncIterator[bytes]:
    """The scope's whole history as signed JSON Lines: header, anchors, events with their links, end, signature."""
    digest = hashlib.sha256()

    def line(item: msgspec.Struct) -> bytes:
        data = _encoder.encode(item) + b"\n"
        digest.update(data)
        return data

    yield line(
        TrailHeader(
            format=EXPORT_FORMAT,
            version=EXPORT_VERSION,
            scope=scope.kind,
            key=scope.key,
            stores={
                s.store: None if s.aggregate_ids is None else [str(i) for i in s.aggregate_ids] for s in scope.streams
            },
            exported_at=now or datetime.now(UTC),
            public_key=audit.public_key_text(key),
            chain={
                "link": "sha256(previous link || canonical row)",
                "genesis": audit.GENESIS.hex(),
                "canonical_row": audit.CANONICAL_ROW,
            },
        )
    )
    for organisation in scope.organisations:
        for a in await audit.list_anchors(pool, organisation, limit=10_000):
            yield line(TrailAnchor(organisation, a.anchored_at, a.position, a.head, a.reason))
    count = 0
    last: dict[str, int] = {}
    async for entries in iterate(pool, scope, Filters(), with_links=True):
        names = await names_for(*names_needed(entries)) if names_for else Names()
        for entry in entries:
            row = entry.row
            count += 1
            last[row.organisation] = row.position
            yield line(
                TrailExportEvent(
                    organisation=row.organisation,
                    position=row.position,
                    originator_id=row.originator_id,
                    originator_version=row.originator_version,
                    topic=row.topic,
                    recorded_at=row.recorded_at,
                    state=row.state,
                    previous=(row.previous or audit.GENESIS).hex(),
                    link=(row.link or b"").hex(),
                    payload=msgspec.Raw(audit.readable_payload(row.state)),
                    sentence=sentence(entry.event, names),
                )
            )
    yield line(TrailEnd(events=count, last=last))
    final = digest.digest()
    yield (
        _encoder.encode(
            audit.ExportSignature(
                algorithm="ed25519",
                sha256=final.hex(),
                signature=key.sign(audit.signed_message(final)),
                public_key=audit.public_key_text(key),
            )
        )
        + b"\n"
    )


@dataclass(frozen=True)
class ExportReport:
    """What checking a trail export found: ``ok``, or the reason it fails (French)."""

    ok: bool
    reason: str = ""
    scope: str | None = None
    key: str | None = None
    exported_at: datetime | None = None
    events: int = 0
    anchors: int = 0
    anchors_matched: int = 0


@dataclass
class _Check:
    header: TrailHeader | None = None
    anchors: dict[tuple[str, int], list[TrailAnchor]] = field(default_factory=dict)
    anchor_count: int = 0
    matched: int = 0
    last: dict[str, int] = field(default_factory=dict)
    events: int = 0
    end: TrailEnd | None = None

    def line(self, number: int, item: Any) -> None:
        if self.header is None:
            if not isinstance(item, TrailHeader):
                raise audit.Malformed(f"ligne {number} : l'export doit commencer par son en-tête")
            if item.format != EXPORT_FORMAT or item.version != EXPORT_VERSION:
                raise audit.Malformed(
                    f"ligne {number} : format {item.format} v{item.version} inconnu "
                    f"(attendu {EXPORT_FORMAT} v{EXPORT_VERSION})"
                )
            self.header = item
        elif self.end is not None:
            raise audit.Malformed(f"ligne {number} : rien ne doit suivre la fin de l'export avant sa signature")
        elif isinstance(item, TrailAnchor):
            if self.events:
                raise audit.Malformed(f"ligne {number} : les ancrages doivent précéder les événements")
            self.anchors.setdefault((item.organisation, item.position), []).append(item)
            self.anchor_count += 1
        elif isinstance(item, TrailExportEvent):
            self.event(number, item)
        elif isinstance(item, TrailEnd):
            if (item.events, item.last) != (self.events, self.last):
                raise audit.Malformed(
                    f"ligne {number} : la fin annonce {item.events} événements, l'export en contient {self.events}"
                )
            self.end = item
        else:
            raise audit.Malformed(f"ligne {number} : ligne inattendue ici")

    def event(self, number: int, item: TrailExportEvent) -> None:
        assert self.header is not None  # noqa: S101  # the first line is the header (checked above)
        if item.organisation not in self.header.stores:
            raise audit.Malformed(f"ligne {number} : l'organisation « {item.organisation} » n'est pas dans l'en-tête")
        wanted = self.header.stores[item.organisation]
        if wanted is not None and str(item.originator_id) not in wanted:
            raise audit.Malformed(f"ligne {number} : un événement d'un autre objet que ceux annoncés")
        if item.recorded_at.tzinfo is None:
            raise audit.Malformed(f"ligne {number} : l'heure d'enregistrement n'a pas de fuseau horaire")
        if item.position <= self.last.get(item.organisation, 0):
            raise audit.Malformed(f"ligne {number} : position {item.position} hors de l'ordre du journal")
        try:
            previous = bytes.fromhex(item.previous)
        except ValueError:
            raise audit.Malformed(f"ligne {number} : maillon précédent illisible") from None
        canonical = audit.canonical_row(
            item.organisation,
            item.position,
            originator_id=item.originator_id,
            originator_version=item.originator_version,
            topic=item.topic,
            state=item.state,
            recorded_at=item.recorded_at,
        )
        if len(previous) != 32 or audit.chain_link(previous, canonical).hex() != item.link:
            raise audit.Malformed(
                f"ligne {number} : le maillon de la position {item.position} ({item.organisation}) ne correspond pas "
                "à l'événement exporté (chaîne rompue)"
            )
        if bytes(item.payload) != audit.readable_payload(item.state):
            raise audit.Malformed(
                f"ligne {number} : le contenu lisible de la position {item.position} ne correspond pas à "
                "l'événement enregistré"
            )
        for anchored in self.anchors.get((item.organisation, item.position), []):
            if anchored.head != item.link:
                raise audit.Malformed(
                    f"l'ancrage du {audit._when(anchored.anchored_at)} ({anchored.reason}) contredit le maillon "
                    f"recalculé à la position {item.position} de {item.organisation}"
                )
            self.matched += 1
        self.last[item.organisation] = item.position
        self.events += 1


def verify_export(path: Path, public_key: Ed25519PublicKey) -> ExportReport:
    """Check a trail export offline: its signature, then every event's link recomputed, and the anchors.

    Never raises for a bad file: a malformed or tampered export gives ``ok=False`` and the reason.
    """
    check = _Check()
    digest = hashlib.sha256()
    problem: str | None = None
    signature_line: bytes | None = None
    try:
        with path.open("rb") as stream:
            for number, line, last in audit.numbered_lines(stream):
                if last:
                    signature_line = line
                    break
                digest.update(line)
                if problem is None:
                    try:
                        check.line(number, _line_decoder.decode(line))
                    except msgspec.MsgspecError as error:
                        problem = f"ligne {number} : illisible ({error})"
                    except audit.Malformed as error:
                        problem = str(error)
                    except (ValueError, OverflowError) as error:
                        problem = f"ligne {number} : valeur invalide ({error})"
    except OSError as error:
        return ExportReport(False, f"fichier illisible : {error.strerror or error}")
    refused = audit.check_signature(signature_line, digest, public_key)
    if refused:
        return ExportReport(False, refused)
    header = check.header
    common: dict[str, Any] = {
        "scope": header.scope if header else None,
        "key": header.key if header else None,
        "exported_at": header.exported_at if header else None,
        "events": check.events,
        "anchors": check.anchor_count,
        "anchors_matched": check.matched,
    }
    if problem is None and check.end is None:
        problem = "l'export s'arrête avant sa fin annoncée"
    if problem is not None:
        return ExportReport(False, problem, **common)
    return ExportReport(True, "", **common)


def is_trail_export(path: Path) -> bool:
    """Whether ``path`` starts like a trail export (rather than an organisation's export of ``forum.audit``)."""
    try:
        with path.open("rb") as stream:
            first = stream.readline()
        header = msgspec.json.decode(first)
    except (OSError, msgspec.MsgspecError):
        return False
    return isinstance(header, dict) and header.get("format") == EXPORT_FORMAT


def print_export_report(path: Path, key_spec: str) -> int:
    try:
        key = audit.load_public_key(key_spec)
    except audit.UnreadableKey as error:
        print(f"forum: {error}", file=sys.stderr)
        return 2
    report = verify_export(path, key)
    if not report.ok:
        print(f"export NON VÉRIFIÉ : {report.reason}")
        return 1
    exported = audit._when(report.exported_at) if report.exported_at else "?"
    print(
        f"export vérifié : {report.scope} {report.key}, {report.events} événements, chacun conforme à son maillon ; "
        f"{report.anchors_matched} ancrage(s) sur {report.anchors} recoupé(s) ; exporté le {exported}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m forum.audit_trail verify-export FILE --public-key KEY``: the offline check, without a database."""
    return audit.verify_export_cli(
        argv,
        prog="python -m forum.audit_trail",
        description="vérifie un export d'audit signé",
        what="vérifier un export signé (piste d'audit ou organisation)",
        report=print_any_export_report,
    )


def print_any_export_report(path: Path, key_spec: str) -> int:
    """Check a signed export of either kind: an audit trail's, or an organisation's (``forum.audit``)."""
    report = print_export_report if is_trail_export(path) else audit.print_export_report
    return report(path, key_spec)


if __name__ == "__main__":
    sys.exit(main())
