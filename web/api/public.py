"""The public JSON: published palmarès, one by one and as an index, and their open data (CSV and JSON).

No sign-in needed. Before its publication a palmarès answers 404 to everyone outside its jury and its host (who
see the draft, marked ``published: false``, when signed in, never cached). A published palmarès no longer changes
(the edition cannot be amended after publication; only organisations' names can): each web process keeps it in
memory for ``CACHE_SECONDS`` with its encoded bodies, and answers with an ``ETag`` (``304`` to ``If-None-Match``).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.serialization import encode_json

from domain.errors import NotFound
from forum import forums
from forum.access import Actor
from projections.forums import forum_access
from projections.palmares import (
    OPEN_DATA_COLUMNS,
    OpenDataRow,
    PalmaresEntry,
    PalmaresView,
    draft_palmares,
    find_palmares,
    list_published,
    open_data,
    published_palmares,
)
from web.context import maybe_actor

PALMARES_NOT_FOUND = "Palmarès introuvable (ou pas encore publié)."
CACHE_SECONDS = 30.0  # how long a renamed organisation may still show its former name on a published palmarès
PUBLIC_MAX_AGE = 60  # seconds a browser or a shared cache may keep the published JSON without asking again
PRIVATE = {"Cache-Control": "private, no-store"}  # drafts: the jury's and the host's eyes only


@dataclass
class Published:
    """A published palmarès as kept in memory, and its bodies encoded once (``json``, ``html``) with their ETag."""

    view: PalmaresView
    expires: float
    bodies: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def body(self, kind: str, encode: Callable[[PalmaresView], bytes]) -> tuple[bytes, str]:
        if kind not in self.bodies:
            body = encode(self.view)
            self.bodies[kind] = (body, f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"')
        return self.bodies[kind]


class PublishedPalmares:
    """The published palmarès a web process has served lately, by the reference URLs name them with (slug or
    forum id). Only published ones are kept (drafts and unknown references never), so it holds at most two
    entries per published palmarès. Requests arriving while one is read share that reading."""

    def __init__(self, seconds: float = CACHE_SECONDS) -> None:
        self.seconds = seconds
        self.entries: dict[str, Published] = {}
        self.reading: dict[str, asyncio.Future[Published | None]] = {}

    async def get(self, reader: Any, ref: str) -> Published | None:
        entry = self.entries.get(ref)
        if entry is not None and entry.expires > time.monotonic():
            return entry
        reading = self.reading.get(ref)
        if reading is None:
            reading = self.reading[ref] = asyncio.ensure_future(self._read(reader, ref))
            reading.add_done_callback(
                lambda done: self.reading.pop(ref, None) if self.reading.get(ref) is done else None
            )
        return await asyncio.shield(reading)  # a request that goes away does not cancel the others' reading

    async def _read(self, reader: Any, ref: str) -> Published | None:
        found = await find_palmares(reader, ref)
        view = None if found is None else await published_palmares(reader, found[0])
        if view is None:
            self.entries.pop(ref, None)
            return None
        self.entries[ref] = entry = Published(view, time.monotonic() + self.seconds)
        return entry


def published_cache(request: Request[Any, Any, Any]) -> PublishedPalmares:
    """The web app's cache of published palmarès (made on first use)."""
    state = request.app.state
    cache: PublishedPalmares | None = getattr(state, "published_palmares", None)
    if cache is None:
        cache = state.published_palmares = PublishedPalmares()
    return cache


def cached_response(
    request: Request[Any, Any, Any],
    entry: Published,
    kind: str,
    encode: Callable[[PalmaresView], bytes],
    *,
    media_type: str,
    cache_control: str,
    vary: str | None = None,
) -> Response[bytes]:
    """The published palmarès' body, or ``304 Not Modified`` when the client already holds this version."""
    body, etag = entry.body(kind, encode)
    headers = {"ETag": etag, "Cache-Control": cache_control, **({"Vary": vary} if vary else {})}
    held = request.headers.get("if-none-match")
    if held and (held.strip() == "*" or etag in {t.strip().removeprefix("W/") for t in held.split(",")}):
        return Response(b"", status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


async def palmares_for(request: Request[Any, Any, Any], ref: str) -> PalmaresView:
    """The palmarès a URL names (slug or forum id): published, or the draft for the forum's host and jury."""
    reader = request.app.state.reader
    published = await published_cache(request).get(reader, ref)
    if published is not None:
        return published.view
    found = await find_palmares(reader, ref)
    if found is None:
        raise NotFound(PALMARES_NOT_FOUND, rule="not_found")
    forum_id, host = found
    actor: Actor | None = maybe_actor(request)
    access = await forum_access(reader, forum_id)
    if actor is None or access is None:
        raise NotFound(PALMARES_NOT_FOUND, rule="not_found")
    held = forums.standing(actor, forum_id=forum_id, host=host, invited=access.invited)
    if not held & {forums.HOST, forums.JUROR, forums.AUDITOR}:
        raise NotFound(PALMARES_NOT_FOUND, rule="not_found")
    draft = await draft_palmares(reader, forum_id)
    if draft is None:  # pragma: no cover — it was there a moment ago
        raise NotFound(PALMARES_NOT_FOUND, rule="not_found")
    return draft


async def published_for(request: Request[Any, Any, Any], ref: str) -> PalmaresView:
    """Only a published palmarès (open data has no drafts, whoever asks)."""
    found = await find_palmares(request.app.state.reader, ref)
    view = None if found is None else await published_palmares(request.app.state.reader, found[0])
    if view is None:
        raise NotFound(PALMARES_NOT_FOUND, rule="not_found")
    return view


def csv_of(rows: list[OpenDataRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(OPEN_DATA_COLUMNS)
    for row in rows:
        writer.writerow(["" if v is None else v for v in msgspec.to_builtins(row, builtin_types=()).values()])
    return out.getvalue()


def csv_response(rows: list[OpenDataRow], filename: str) -> Response[str]:
    return Response(
        "\ufeff" + csv_of(rows),  # a BOM, so spreadsheets read the accents right
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class PublicApi(Controller):
    """What anyone may read, without signing in."""

    path = "/api/v1/public"
    tags = ["public"]

    @get("/palmares", summary="Every published palmarès across organisations, the latest first")
    async def index(self, request: Request[Any, Any, Any]) -> list[PalmaresEntry]:
        return await list_published(request.app.state.reader)

    @get(
        "/palmares/{ref:str}",
        summary="One palmarès by its slug or its forum's id: laureates per prize (with an ETag once published)",
    )
    async def show(self, request: Request[Any, Any, Any], ref: FromPath[str]) -> Response[PalmaresView]:
        published = await published_cache(request).get(request.app.state.reader, ref)
        if published is not None:
            return cached_response(  # type: ignore[return-value]
                request,
                published,
                "json",
                encode_json,
                media_type="application/json",
                cache_control=f"public, max-age={PUBLIC_MAX_AGE}",
            )
        return Response(await palmares_for(request, ref), headers=PRIVATE)

    @get("/palmares/{ref:str}/laureates.json", summary="Open data: one published palmarès, one line per laureate")
    async def laureates_json(self, request: Request[Any, Any, Any], ref: FromPath[str]) -> list[OpenDataRow]:
        view = await published_for(request, ref)
        return await open_data(request.app.state.reader, view.forum_id)

    @get(
        "/palmares/{ref:str}/laureates.csv",
        summary="Open data: one published palmarès as CSV (UTF-8), one line per laureate",
        media_type="text/csv",
    )
    async def laureates_csv(self, request: Request[Any, Any, Any], ref: FromPath[str]) -> Response[str]:
        view = await published_for(request, ref)
        rows = await open_data(request.app.state.reader, view.forum_id)
        return csv_response(rows, f"palmares-{view.slug}.csv")

    @get("/open-data/palmares.json", summary="Open data: every laureate of every published palmarès")
    async def open_data_json(self, request: Request[Any, Any, Any]) -> list[OpenDataRow]:
        return await open_data(request.app.state.reader)

    @get(
        "/open-data/palmares.csv",
        summary="Open data: every laureate of every published palmarès, as CSV (UTF-8)",
        media_type="text/csv",
    )
    async def open_data_csv(self, request: Request[Any, Any, Any]) -> Response[str]:
        return csv_response(await open_data(request.app.state.reader), "palmares.csv")
