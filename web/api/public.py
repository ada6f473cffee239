"""The public JSON: published palmarès, one by one and as an index, and their open data (CSV and JSON).

No sign-in needed. Before its publication a palmarès answers 404 to everyone outside its jury and its host (who
see the draft, marked ``published: false``, when signed in).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import FromPath

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


async def palmares_for(request: Request[Any, Any, Any], ref: str) -> PalmaresView:
    """The palmarès a URL names (slug or forum id): published, or the draft for the forum's host and jury."""
    reader = request.app.state.reader
    found = await find_palmares(reader, ref)
    if found is None:
        raise NotFound(PALMARES_NOT_FOUND, rule="not_found")
    forum_id, host = found
    view = await published_palmares(reader, forum_id)
    if view is not None:
        return view
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

    @get("/palmares/{ref:str}", summary="One palmarès by its slug or its forum's id: laureates per prize")
    async def show(self, request: Request[Any, Any, Any], ref: FromPath[str]) -> PalmaresView:
        return await palmares_for(request, ref)

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
