"""Tamper evidence: each organisation's hash chain, its anchors, verification, and signed offline-checkable exports.

The chain is written by the database, in the transaction that records the events (``forum/migrations/
0003_audit_chain.sql``): ``link(p) = sha256(link(previous position) || canonical row(p))``. Verification here
recomputes every link in Python from the raw stored rows and trusts no database function; anchors (chain heads
recorded in ``store.anchors`` periodically and at each palmarès publication) make a rewrite that also recomputed
the links contradict what was published.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import os
import struct
import sys
from collections.abc import Callable, Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from uuid import UUID

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain import formatting
from domain.codec import decode_payload
from domain.errors import NotFound
from forum.database import PROJECTOR_ROLE, Database

T = TypeVar("T")
GENESIS = bytes(32)  # the link before an organisation's first event
PERIODIC = "périodique"  # the reason of periodic anchors (which skip heads already anchored)
KEY_FILE = "audit-ed25519.pem"
EXPORT_FORMAT = "forum-audit-export"
EXPORT_VERSION = 1

_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_LENGTH = struct.Struct(">i")
_FIXED = struct.Struct(">iqi16siq")  # (8, position), (16, originator id), (8, version)
_RECORDED_AT = struct.Struct(">iq")  # (8, microseconds since 2000)

CANONICAL_ROW = (
    "the 7 stored columns organisation, notification_id, originator_id, originator_version, topic, state, "
    "recorded_at, each as a big-endian int4 length then its value in PostgreSQL's binary format (a tuple of "
    "binary COPY without its field count): UTF-8 text, int8, 16-byte uuid, int8, UTF-8 text, raw bytea, "
    "int8 microseconds since 2000-01-01 UTC"
)


# -- the chain ---------------------------------------------------------------------------------------------


def _prefixed(data: bytes) -> bytes:
    return _LENGTH.pack(len(data)) + data


def micros_since_2000(moment: datetime) -> int:
    """PostgreSQL's own timestamptz value: whole microseconds since 2000-01-01 UTC."""
    if moment.tzinfo is None:
        raise ValueError("recorded_at has no time zone")
    return (moment - _PG_EPOCH) // _MICROSECOND


def canonical_row(
    organisation: str,
    position: int,
    *,
    originator_id: UUID,
    originator_version: int,
    topic: str,
    state: bytes,
    recorded_at: datetime,
) -> bytes:
    """The bytes a link covers, as ``store.canonical_event`` builds them in SQL and binary COPY sends them."""
    return b"".join(
        (
            _prefixed(organisation.encode()),
            _FIXED.pack(8, position, 16, originator_id.bytes, 8, originator_version),
            _prefixed(topic.encode()),
            _prefixed(state),
            _RECORDED_AT.pack(8, micros_since_2000(recorded_at)),
        )
    )


def chain_link(previous: bytes, canonical: bytes) -> bytes:
    return hashlib.sha256(previous + canonical).digest()


@dataclass(frozen=True)
class StoredRow:
    """A canonical row read back into its columns."""

    organisation: str
    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
    recorded_at: datetime


def parse_canonical(canonical: bytes) -> StoredRow:
    (length,) = _LENGTH.unpack_from(canonical, 0)
    organisation = canonical[4 : 4 + length].decode()
    at = 4 + length
    _, position, _, originator_id, _, version = _FIXED.unpack_from(canonical, at)
    at += _FIXED.size
    (length,) = _LENGTH.unpack_from(canonical, at)
    topic = canonical[at + 4 : at + 4 + length].decode()
    at += 4 + length
    (length,) = _LENGTH.unpack_from(canonical, at)
    state = canonical[at + 4 : at + 4 + length]
    at += 4 + length
    _, micros = _RECORDED_AT.unpack_from(canonical, at)
    return StoredRow(
        organisation,
        position,
        UUID(bytes=originator_id),
        version,
        topic,
        bytes(state),
        _PG_EPOCH + micros * _MICROSECOND,
    )


# -- anchors -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """A chain head recorded in the platform-wide log: not secret, published so a later rewrite shows."""

    id: int
    anchored_at: datetime
    organisation: str
    position: int
    head: str  # hex
    reason: str


def _anchor(row: Any) -> Anchor:
    return Anchor(id=row[0], anchored_at=row[1], organisation=row[2], position=row[3], head=row[4], reason=row[5])


def anchor(
    db: Database | Any, reason: str, *, organisation: str | None = None, only_if_moved: bool | None = None
) -> list[Anchor]:
    """Record the chain heads of every organisation (or of ``organisation``) in ``store.anchors``.

    Call it at every palmarès publication, after the publication's command has committed, e.g.
    ``anchor(services.db, f"publication du palmarès {forum_id}", organisation=host)``; the head then covers
    the publication itself. ``db`` is a ``Database`` or an open psycopg connection. By default only periodic
    anchors (``reason=PERIODIC``) skip heads already anchored at the same position.
    """
    skip = reason == PERIODIC if only_if_moved is None else only_if_moved
    query = "SELECT id, anchored_at, organisation, position, head, reason FROM store.anchor_heads(%s, %s, %s)"
    if isinstance(db, Database):
        with db.connect(autocommit=True) as conn:
            rows = conn.execute(query, (reason, organisation, skip)).fetchall()
    else:
        rows = db.execute(query, (reason, organisation, skip)).fetchall()
    return [_anchor(row) for row in rows]


async def anchor_async(
    conn: Any, reason: str, *, organisation: str | None = None, only_if_moved: bool | None = None
) -> list[Anchor]:
    """``anchor`` on an asyncpg connection or pool (any service role may anchor)."""
    skip = reason == PERIODIC if only_if_moved is None else only_if_moved
    rows = await conn.fetch(
        "SELECT id, anchored_at, organisation, position, head, reason FROM store.anchor_heads($1, $2, $3)",
        reason,
        organisation,
        skip,
    )
    return [_anchor(row) for row in rows]


async def anchor_periodically(pool: Any, stop: asyncio.Event, *, every: float = 300.0) -> None:
    """Anchor every moved head each ``every`` seconds until ``stop`` is set (a task beside the projector)."""
    while not stop.is_set():
        await anchor_async(pool, PERIODIC)
        try:
            await asyncio.wait_for(stop.wait(), timeout=every)
        except TimeoutError:
            continue


async def list_anchors(conn: Any, organisation: str | None = None, *, limit: int = 100) -> list[Anchor]:
    """The latest anchors (of one organisation, or all), newest first: for public pages and exports."""
    rows = await conn.fetch(
        "SELECT id, anchored_at, organisation, position, head, reason FROM store.anchors"
        " WHERE $1::text IS NULL OR organisation = $1 ORDER BY id DESC LIMIT $2",
        organisation,
        limit,
    )
    return [_anchor(row) for row in rows]


# -- verification ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """Where an organisation's stored history stops matching its chain or its anchors."""

    position: int
    kind: str  # altered | unchained | missing | anchor_mismatch | anchor_orphan
    reason: str  # French


@dataclass
class ChainReport:
    """One organisation's chain, recomputed from its stored events."""

    organisation: str
    events: int = 0
    head_position: int | None = None
    head: bytes | None = None  # the recomputed head
    first_break: Break | None = None
    anchors_checked: int = 0
    first_anchor_break: Break | None = None
    anchor_breaks: int = 0

    @property
    def ok(self) -> bool:
        return self.first_break is None and self.first_anchor_break is None

    @property
    def breaks(self) -> list[Break]:
        return [b for b in (self.first_break, self.first_anchor_break) if b is not None]


def _when(moment: datetime) -> str:
    return f"{formatting.moment(moment, seconds=True)} (heure de Paris)"


REASONS = {
    "altered": "le maillon enregistré ne correspond pas à l'événement recalculé : cet événement a été modifié, "
    "ou un événement qui le précédait a été supprimé ou inséré avec son maillon",
    "unchained": "événement sans maillon : il a été inscrit en contournant le chaînage",
    "missing": "maillon sans événement : l'événement de cette position a été supprimé ou déplacé",
}


class _AnchorCheck:
    """Compares recomputed links with the anchored heads, in position order."""

    def __init__(self, anchors: Sequence[Anchor], report: ChainReport) -> None:
        self.anchors = sorted(anchors, key=lambda a: (a.position, a.id))
        self.index = 0
        self.report = report
        self.last_agreeing: int | None = None
        self.next_position = self.anchors[0].position if self.anchors else None

    def _advance(self) -> None:
        self.index += 1
        self.next_position = self.anchors[self.index].position if self.index < len(self.anchors) else None

    def _record(self, found: Break) -> None:
        self.report.anchor_breaks += 1
        if self.report.first_anchor_break is None:
            self.report.first_anchor_break = found

    def at(self, position: int, link: bytes) -> None:
        """Called for every recomputed event whose position reaches ``next_position``."""
        while self.next_position is not None and self.next_position <= position:
            current = self.anchors[self.index]
            self.report.anchors_checked += 1
            if current.position < position:
                self._orphan(current)
            elif current.head == link.hex():
                self.last_agreeing = position
            else:
                since = (
                    f" ; le dernier ancrage concordant porte sur la position {self.last_agreeing}"
                    if (self.last_agreeing is not None)
                    else ""
                )
                self._record(
                    Break(
                        position,
                        "anchor_mismatch",
                        f"la tête ancrée le {_when(current.anchored_at)} ({current.reason}) ne correspond plus à "
                        f"l'historique recalculé : il a été réécrit à cette position ou avant{since}",
                    )
                )
            self._advance()

    def _orphan(self, current: Anchor) -> None:
        self._record(
            Break(
                current.position,
                "anchor_orphan",
                f"la tête ancrée le {_when(current.anchored_at)} ({current.reason}) porte sur une "
                "position sans événement : l'historique a été tronqué ou cet événement supprimé",
            )
        )

    def finish(self) -> None:
        while self.next_position is not None:
            self.report.anchors_checked += 1
            self._orphan(self.anchors[self.index])
            self._advance()


# Every stored column of an organisation's events in log order, with its link: streamed as binary COPY, whose
# tuples hold the columns exactly as the canonical row lays them out (after a 2-byte field count).
_STREAM = """
SELECT e.organisation, e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, e.recorded_at,
       c.link
FROM store.forum_events e
LEFT JOIN store.chain c ON c.organisation = e.organisation AND c.position = e.notification_id
WHERE e.organisation = $1 ORDER BY e.notification_id
"""
_FIRST_ORPHAN_LINK = """
SELECT min(c.position) FROM store.chain c WHERE c.organisation = $1
AND NOT EXISTS (SELECT 1 FROM store.forum_events e WHERE e.organisation = c.organisation
                AND e.notification_id = c.position)
"""
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_COPY_HEADER = struct.Struct(">11sii")  # signature, flags, header extension length
_NO_ANCHOR = 1 << 63

_ORGANISATIONS = """
WITH RECURSIVE events(o) AS (
    SELECT min(organisation) FROM store.forum_events
    UNION ALL SELECT (SELECT min(organisation) FROM store.forum_events WHERE organisation > events.o)
    FROM events WHERE events.o IS NOT NULL
), links(o) AS (
    SELECT min(organisation) FROM store.chain
    UNION ALL SELECT (SELECT min(organisation) FROM store.chain WHERE organisation > links.o)
    FROM links WHERE links.o IS NOT NULL
)
SELECT o FROM events WHERE o IS NOT NULL
UNION SELECT o FROM links WHERE o IS NOT NULL
UNION SELECT DISTINCT organisation FROM store.anchors
ORDER BY 1
"""

EventSink = Callable[[bytes, bytes], None]  # (canonical row, recomputed link)


async def _connect(db: Database) -> Any:
    import asyncpg

    return await asyncpg.connect(**db.asyncpg_kwargs(), server_settings={"role": PROJECTOR_ROLE})


async def _anchors_of(conn: Any, organisation: str) -> list[Anchor]:
    rows = await conn.fetch(
        "SELECT id, anchored_at, organisation, position, head, reason FROM store.anchors"
        " WHERE organisation = $1 ORDER BY position, id",
        organisation,
    )
    return [_anchor(row) for row in rows]


class _ChainStream:
    """Splits the binary COPY stream of one organisation's rows as it arrives and recomputes the chain on the way.

    Each tuple is: int16 field count (8), the 7 columns of the canonical row, then the stored link (or NULL).
    Hashing the received bytes themselves means the verifier rebuilds nothing and trusts no database function.
    """

    def __init__(self, organisation: str, anchors: _AnchorCheck, sink: EventSink | None) -> None:
        # Of a tuple's head, only the field count, the position and the topic's length are read; the rest has a
        # fixed size: the organisation (known, as the query selects it) and the (length, value) of fixed types.
        self.head = struct.Struct(f">h4x{len(organisation.encode())}x4xq4x16x4x8xi")
        self.anchors = anchors
        self.sink = sink
        self.pending = b""
        self.started = False
        self.finished = False
        self.previous = GENESIS
        self.last = 0
        self.events = 0
        self.linked = 0
        self.first_break: Break | None = None

    async def __call__(self, chunk: bytes) -> None:
        data = self.pending + chunk if self.pending else chunk
        at = 0
        if not self.started:
            if len(data) < _COPY_HEADER.size:
                self.pending = data
                return
            signature, _, extension = _COPY_HEADER.unpack_from(data)
            if signature != _COPY_SIGNATURE:
                raise RuntimeError("flux COPY inattendu")
            at, self.started = _COPY_HEADER.size + extension, True
        self.pending = data[self._rows(data, at) :]

    def _rows(self, data: bytes, at: int) -> int:
        """Consume every complete tuple of ``data`` from ``at``; returns where the incomplete rest begins."""
        unpack_head, head_size, unpack_length = self.head.unpack_from, self.head.size, _LENGTH.unpack_from
        sha256, anchors, sink = hashlib.sha256, self.anchors, self.sink
        previous, last, events, linked = self.previous, self.last, self.events, self.linked
        next_anchor = _NO_ANCHOR if anchors.next_position is None else anchors.next_position
        end = len(data)
        while at + head_size <= end:
            count, position, topic_length = unpack_head(data, at)
            if count != 8:
                raise RuntimeError(f"flux COPY inattendu après la position {last}")
            state_at = at + head_size + topic_length
            if state_at + 4 > end:
                break
            row_end = state_at + 16 + unpack_length(data, state_at)[0]  # (length, state), then (8, recorded_at)
            if row_end + 4 > end:
                break
            link_length = unpack_length(data, row_end)[0]
            tuple_end = row_end + 4 + (link_length if link_length > 0 else 0)
            if tuple_end > end:
                break
            canonical = data[at + 2 : row_end]
            link = sha256(previous + canonical).digest()
            if link_length < 0:
                if self.first_break is None:
                    self.first_break = Break(position, "unchained", REASONS["unchained"])
            else:
                linked += 1
                if link != data[row_end + 4 : tuple_end] and self.first_break is None:
                    self.first_break = Break(position, "altered", REASONS["altered"])
            if position >= next_anchor:
                anchors.at(position, link)
                next_anchor = _NO_ANCHOR if anchors.next_position is None else anchors.next_position
            if sink is not None:
                sink(canonical, link)
            previous, last = link, position
            events += 1
            at = tuple_end
        if data[at : at + 2] == b"\xff\xff":  # the stream's trailer
            self.finished = True
            at += 2
        self.previous, self.last, self.events, self.linked = previous, last, events, linked
        return at


async def _walk(conn: Any, organisation: str, sink: EventSink | None = None) -> ChainReport:
    """Recompute ``organisation``'s chain from its events, against its stored links and its anchors.

    Call inside a transaction (one snapshot for the events, links and anchors).
    """
    report = ChainReport(organisation)
    anchors = _AnchorCheck(await _anchors_of(conn, organisation), report)
    stream = _ChainStream(organisation, anchors, sink)
    # Both sides are read in log order from their (organisation, position) indexes: no sort of a whole history.
    await conn.execute("SET LOCAL enable_sort = off")
    await conn.copy_from_query(_STREAM, organisation, output=stream, format="binary")
    if not stream.finished or stream.pending:
        raise RuntimeError("flux COPY incomplet")
    anchors.finish()
    first_break = stream.first_break
    links = await conn.fetchval("SELECT count(*) FROM store.chain WHERE organisation = $1", organisation)
    if links != stream.linked:
        orphan = await conn.fetchval(_FIRST_ORPHAN_LINK, organisation)
        if orphan is not None and (first_break is None or orphan < first_break.position):
            first_break = Break(orphan, "missing", REASONS["missing"])
    report.events, report.first_break = stream.events, first_break
    if stream.events:
        report.head, report.head_position = stream.previous, stream.last
    return report


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, also from a thread whose event loop is already running (then in a worker thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


async def organisations(conn: Any) -> list[str]:
    return [row[0] for row in await conn.fetch(_ORGANISATIONS)]


async def verify_async(db: Database, organisation: str | None = None, *, streams: int = 2) -> list[ChainReport]:
    """Every organisation's chain (or one), recomputed in one consistent snapshot.

    Organisations are verified ``streams`` at a time, on connections sharing the first one's snapshot, so
    that the server streams one organisation's rows while Python hashes another's.
    """
    main = await _connect(db)
    helpers: list[Any] = []
    try:
        async with main.transaction(isolation="repeatable_read", readonly=True):
            slugs = [organisation] if organisation else await organisations(main)
            connections = [main]
            if len(slugs) > 1 and streams > 1:
                snapshot = await main.fetchval("SELECT pg_export_snapshot()")
                for _ in range(min(streams, len(slugs)) - 1):
                    helper = await _connect(db)
                    helpers.append(helper)
                    await helper.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    await helper.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                    connections.append(helper)
            reports: dict[str, ChainReport] = {}
            queue = list(reversed(slugs))

            async def work(conn: Any) -> None:
                while queue:
                    slug = queue.pop()
                    reports[slug] = await _walk(conn, slug)

            await asyncio.gather(*(work(conn) for conn in connections))
            return [reports[slug] for slug in slugs]
    finally:
        for helper in helpers:
            await helper.close()
        await main.close()


def verify(db: Database, organisation: str | None = None) -> list[ChainReport]:
    return _run(verify_async(db, organisation))


# -- the service's signing key -----------------------------------------------------------------------------


class UnreadableKey(ValueError):
    """A key that cannot be read: the message says why (French)."""


def signing_key_path(data_dir: Path, override: str | None = None) -> Path:
    """``FORUM_AUDIT_KEY`` when given, else ``FORUM_DATA_DIR/audit-ed25519.pem``."""
    return Path(override) if override else data_dir / KEY_FILE


def load_or_create_signing_key(path: Path) -> Ed25519PrivateKey:
    """The service's Ed25519 key, created (readable by its owner only) the first time it is needed."""
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: use theirs
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise UnreadableKey(f"{path} ne contient pas une clé Ed25519")
    return loaded


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as one line of base64 (its 32 raw bytes): what is published and given to auditors."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def public_key_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def load_public_key(spec: str) -> Ed25519PublicKey:
    """A public key given as base64 of its 32 bytes, as PEM, or as the path of a file holding either."""
    text = spec.strip()
    if "BEGIN" not in text and len(text) != 44:
        path = Path(spec)
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeError) as error:
            raise UnreadableKey(
                f"clé publique illisible : {spec} n'est ni une clé en base64 ni un fichier lisible "
                f"({error.__class__.__name__})"
            ) from None
    try:
        if "BEGIN" in text:
            loaded = serialization.load_pem_public_key(text.encode())
            if not isinstance(loaded, Ed25519PublicKey):
                raise UnreadableKey("la clé publique n'est pas une clé Ed25519")
            return loaded
        raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, binascii.Error, TypeError) as error:
        if isinstance(error, UnreadableKey):
            raise
        raise UnreadableKey("clé publique illisible : attendu 32 octets en base64 ou une clé PEM Ed25519") from None


# -- signed exports ----------------------------------------------------------------------------------------


class ExportHeader(msgspec.Struct, tag="header", tag_field="kind", forbid_unknown_fields=True):
    format: str
    version: int
    organisation: str
    exported_at: datetime
    chain: dict[str, str]
    public_key: str


class ExportAnchor(msgspec.Struct, tag="anchor", tag_field="kind", forbid_unknown_fields=True):
    anchored_at: datetime
    position: int
    head: str
    reason: str


class ExportEvent(msgspec.Struct, tag="event", tag_field="kind", forbid_unknown_fields=True):
    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    recorded_at: datetime
    state: bytes  # base64 in the file: the stored bytes the chain covers
    link: str
    payload: msgspec.Raw  # the state decoded, for people (checked against the state when verified)


class ExportEnd(msgspec.Struct, tag="end", tag_field="kind", forbid_unknown_fields=True):
    events: int
    head_position: int | None
    head: str | None


class ExportSignature(msgspec.Struct, tag="signature", tag_field="kind", forbid_unknown_fields=True):
    algorithm: str
    sha256: str  # of every byte before this line
    signature: bytes
    public_key: str


ExportLine = ExportHeader | ExportAnchor | ExportEvent | ExportEnd | ExportSignature
_line_decoder = msgspec.json.Decoder(ExportLine)
_encoder = msgspec.json.Encoder()


def signed_message(digest: bytes) -> bytes:
    return f"{EXPORT_FORMAT}/{EXPORT_VERSION}\n".encode() + digest


def readable_payload(state: bytes) -> bytes:
    try:
        return _encoder.encode(decode_payload(state))
    except (msgspec.MsgspecError, TypeError, ValueError, OverflowError):
        return b"null"


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    organisation: str
    events: int
    head_position: int | None
    head: str | None
    anchors: int


class ChainBroken(Exception):
    """The stored history no longer matches its chain or anchors: it is not exported (nor signed)."""

    def __init__(self, report: ChainReport) -> None:
        found = report.breaks[0]
        super().__init__(
            f"l'historique de {report.organisation} est rompu à la position {found.position} : {found.reason}"
        )
        self.report = report


class _Writer:
    """Writes lines and hashes exactly the bytes written."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.digest = hashlib.sha256()

    def line(self, item: msgspec.Struct) -> None:
        data = _encoder.encode(item) + b"\n"
        self.digest.update(data)
        self.out.write(data)


async def export_async(
    db: Database, organisation: str, output: Path, key: Ed25519PrivateKey, *, now: datetime | None = None
) -> ExportSummary:
    """Write ``organisation``'s whole history, its anchors and chain, signed; refuses a broken history."""
    conn = await _connect(db)
    temporary = output.with_name(output.name + ".partial")
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            if not await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM store.chain WHERE organisation = $1)"
                " OR EXISTS (SELECT 1 FROM store.forum_events WHERE organisation = $1)",
                organisation,
            ):
                raise NotFound(
                    f"Aucun historique pour l'organisation « {organisation} ».", field="organisation", rule="no_history"
                )
            anchors = await _anchors_of(conn, organisation)
            with temporary.open("wb") as out:
                writer = _Writer(out)
                writer.line(
                    ExportHeader(
                        format=EXPORT_FORMAT,
                        version=EXPORT_VERSION,
                        organisation=organisation,
                        exported_at=now or datetime.now(UTC),
                        public_key=public_key_text(key),
                        chain={
                            "link": "sha256(previous link || canonical row)",
                            "genesis": GENESIS.hex(),
                            "canonical_row": CANONICAL_ROW,
                        },
                    )
                )
                for a in anchors:
                    writer.line(
                        ExportAnchor(anchored_at=a.anchored_at, position=a.position, head=a.head, reason=a.reason)
                    )

                def write_event(canonical: bytes, link: bytes) -> None:
                    row = parse_canonical(canonical)
                    writer.line(
                        ExportEvent(
                            position=row.position,
                            originator_id=row.originator_id,
                            originator_version=row.originator_version,
                            topic=row.topic,
                            recorded_at=row.recorded_at,
                            state=row.state,
                            link=link.hex(),
                            payload=msgspec.Raw(readable_payload(row.state)),
                        )
                    )

                report = await _walk(conn, organisation, write_event)
                if not report.ok:
                    raise ChainBroken(report)
                head = report.head.hex() if report.head else None
                writer.line(ExportEnd(events=report.events, head_position=report.head_position, head=head))
                digest = writer.digest.digest()
                out.write(
                    _encoder.encode(
                        ExportSignature(
                            algorithm="ed25519",
                            sha256=digest.hex(),
                            signature=key.sign(signed_message(digest)),
                            public_key=public_key_text(key),
                        )
                    )
                    + b"\n"
                )
        temporary.replace(output)
    finally:
        temporary.unlink(missing_ok=True)
        await conn.close()
    return ExportSummary(output, organisation, report.events, report.head_position, head, len(anchors))


def export(
    db: Database, organisation: str, output: Path, key: Ed25519PrivateKey, *, now: datetime | None = None
) -> ExportSummary:
    return _run(export_async(db, organisation, output, key, now=now))


@dataclass(frozen=True)
class ExportReport:
    """What checking an export found: ``ok``, or the reason it fails (French)."""

    ok: bool
    reason: str = ""
    organisation: str | None = None
    exported_at: datetime | None = None
    events: int = 0
    head_position: int | None = None
    head: str | None = None
    anchors: int = 0


class Malformed(Exception):
    pass


def numbered_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes, bool]]:
    """(number, bytes, is_last) of each line."""
    previous: bytes | None = None
    number = 0
    for line in stream:
        if previous is not None:
            yield number, previous, False
        number += 1
        previous = line
    if previous is not None:
        yield number, previous, True


@dataclass
class _ExportCheck:
    """Rebuilds the chain of an export, line by line, and remembers the first thing wrong with it."""

    problem: str | None = None
    header: ExportHeader | None = None
    anchors: list[ExportAnchor] = field(default_factory=list)
    anchor_index: int = 0
    previous: bytes = GENESIS
    position: int = 0
    events: int = 0
    end: ExportEnd | None = None

    def line(self, number: int, item: ExportLine) -> None:
        if self.header is None:
            if not isinstance(item, ExportHeader):
                raise Malformed(f"ligne {number} : l'export doit commencer par son en-tête")
            if item.format != EXPORT_FORMAT or item.version != EXPORT_VERSION:
                raise Malformed(
                    f"ligne {number} : format {item.format} v{item.version} inconnu "
                    f"(attendu {EXPORT_FORMAT} v{EXPORT_VERSION})"
                )
            self.header = item
        elif self.end is not None:
            raise Malformed(f"ligne {number} : rien ne doit suivre la fin de l'export avant sa signature")
        elif isinstance(item, ExportAnchor):
            if self.events:
                raise Malformed(f"ligne {number} : les ancrages doivent précéder les événements")
            self.anchors.append(item)
        elif isinstance(item, ExportEvent):
            self.event(number, item)
        elif isinstance(item, ExportEnd):
            self.finish(number, item)
        else:
            raise Malformed(f"ligne {number} : ligne « {type(item).__name__} » inattendue ici")

    def event(self, number: int, item: ExportEvent) -> None:
        if self.header is None:
            raise Malformed(f"ligne {number} : événement avant l'en-tête")
        if item.recorded_at.tzinfo is None:
            raise Malformed(f"ligne {number} : l'heure d'enregistrement n'a pas de fuseau horaire")
        if item.position <= self.position:
            raise Malformed(f"ligne {number} : position {item.position} après {self.position} (ordre du journal)")
        canonical = canonical_row(
            self.header.organisation,
            item.position,
            originator_id=item.originator_id,
            originator_version=item.originator_version,
            topic=item.topic,
            state=item.state,
            recorded_at=item.recorded_at,
        )
        link = chain_link(self.previous, canonical)
        if link.hex() != item.link:
            raise Malformed(
                f"ligne {number} : le maillon de la position {item.position} ne correspond pas à "
                "l'événement exporté (chaîne rompue)"
            )
        if bytes(item.payload) != readable_payload(item.state):
            raise Malformed(
                f"ligne {number} : le contenu lisible de la position {item.position} ne correspond "
                "pas à l'événement enregistré"
            )
        while self.anchor_index < len(self.anchors) and self.anchors[self.anchor_index].position <= item.position:
            anchored = self.anchors[self.anchor_index]
            if anchored.position < item.position:
                raise Malformed(
                    f"l'ancrage du {_when(anchored.anchored_at)} porte sur la position "
                    f"{anchored.position}, absente de l'export"
                )
            if anchored.head != item.link:
                raise Malformed(
                    f"l'ancrage du {_when(anchored.anchored_at)} ({anchored.reason}) contredit le "
                    f"maillon recalculé à la position {item.position}"
                )
            self.anchor_index += 1
        self.previous, self.position = link, item.position
        self.events += 1

    def finish(self, number: int, item: ExportEnd) -> None:
        if self.anchor_index < len(self.anchors):
            anchored = self.anchors[self.anchor_index]
            raise Malformed(
                f"l'ancrage du {_when(anchored.anchored_at)} porte sur la position "
                f"{anchored.position}, absente de l'export"
            )
        head = self.previous.hex() if self.events else None
        head_position = self.position if self.events else None
        if (item.events, item.head_position, item.head) != (self.events, head_position, head):
            raise Malformed(
                f"ligne {number} : la fin annonce {item.events} événements jusqu'à la position "
                f"{item.head_position}, l'export en contient {self.events} jusqu'à {head_position}"
            )
        self.end = item


def verify_export(path: Path, public_key: Ed25519PublicKey) -> ExportReport:
    """Check an export offline: its signature by ``public_key``, then its chain recomputed from its rows.

    Never raises for a bad file: a malformed or tampered export gives ``ok=False`` and the reason.
    """
    check = _ExportCheck()
    digest = hashlib.sha256()
    signature_line: bytes | None = None
    try:
        with path.open("rb") as stream:
            for number, line, last in numbered_lines(stream):
                if last:
                    signature_line = line
                    break
                digest.update(line)
                if check.problem is None:
                    check.problem = _check_line(check, number, line)
    except OSError as error:
        return ExportReport(False, f"fichier illisible : {error.strerror or error}")
    refused = check_signature(signature_line, digest, public_key)
    if refused:
        return ExportReport(False, refused)
    header = check.header
    common: dict[str, Any] = {
        "organisation": header.organisation if header else None,
        "exported_at": header.exported_at if header else None,
        "events": check.events,
        "anchors": len(check.anchors),
    }
    if check.problem is None and check.end is None:
        check.problem = "l'export s'arrête avant sa fin annoncée"
    if check.problem is not None or check.end is None:
        return ExportReport(False, check.problem or "", **common)
    return ExportReport(True, "", head_position=check.end.head_position, head=check.end.head, **common)


def _check_line(check: _ExportCheck, number: int, line: bytes) -> str | None:
    try:
        check.line(number, _line_decoder.decode(line))
    except msgspec.MsgspecError as error:
        return f"ligne {number} : illisible ({error})"
    except Malformed as error:
        return str(error)
    except (ValueError, OverflowError) as error:
        return f"ligne {number} : valeur invalide ({error})"
    return None


def check_signature(line: bytes | None, digest: Any, public_key: Ed25519PublicKey) -> str | None:
    """Why the signature line does not vouch for the bytes before it, or None when it does."""
    if line is None:
        return "export vide"
    try:
        signed = msgspec.json.decode(line, type=ExportSignature)
    except msgspec.MsgspecError as error:
        return f"dernière ligne : signature absente ou illisible ({error})"
    if signed.algorithm != "ed25519":
        return f"algorithme de signature {signed.algorithm!r} inconnu (attendu ed25519)"
    if signed.sha256 != digest.hexdigest():
        return "signature invalide : le contenu a été modifié après la signature"
    try:
        public_key.verify(signed.signature, signed_message(digest.digest()))
    except InvalidSignature:
        other = (
            ""
            if signed.public_key == public_key_text(public_key)
            else (f" (l'export se dit signé par la clé {signed.public_key})")
        )
        return "signature invalide : l'export a été modifié ou n'a pas été signé par cette clé" + other
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m forum.audit verify-export FILE --public-key KEY``: the offline check, with no database at all."""
    return verify_export_cli(
        argv,
        prog="python -m forum.audit",
        description="vérifie un export signé, hors ligne",
        report=print_export_report,
    )


def verify_export_cli(
    argv: Sequence[str] | None,
    *,
    prog: str,
    description: str,
    report: Callable[[Path, str], int],
    what: str = "vérifier un export signé",
) -> int:
    """The offline check's command line, ``verify-export FILE --public-key KEY``: ``report`` checks FILE and prints
    what it found; it answers the exit status."""
    import argparse

    parser = argparse.ArgumentParser(prog=prog, description=description)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("verify-export", help=what)
    check.add_argument("file", type=Path)
    check.add_argument("--public-key", required=True, help="clé publique (base64, PEM, ou fichier)")
    args = parser.parse_args(argv)
    return report(args.file, args.public_key)


def print_export_report(path: Path, key_spec: str) -> int:
    try:
        key = load_public_key(key_spec)
    except UnreadableKey as error:
        print(f"forum: {error}", file=sys.stderr)
        return 2
    report = verify_export(path, key)
    if not report.ok:
        print(f"export NON VÉRIFIÉ : {report.reason}")
        return 1
    exported = _when(report.exported_at) if report.exported_at else "?"
    print(
        f"export vérifié : {report.organisation}, {report.events} événements jusqu'à la position "
        f"{report.head_position}, tête {report.head}, {report.anchors} ancrages, exporté le {exported}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
