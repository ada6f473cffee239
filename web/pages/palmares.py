"""The public palmarès pages: the index of every published palmarès, one palmarès, and the Atom feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from domain.forum import FORUM_KIND_LABELS
from domain.palmares import PRIZE_KIND_LABELS
from domain.values import PARIS
from projections.palmares import PalmaresEntry, PalmaresView, list_published
from web.api.public import cached_response, palmares_for, published_cache
from web.context import maybe_actor, reader
from web.formatting import days
from web.pages.base import page

HELPERS: dict[str, Any] = {
    "kind_label": lambda kind: FORUM_KIND_LABELS.get(kind, kind),
    "prize_kind_label": lambda kind: PRIZE_KIND_LABELS.get(kind, kind),
}


def base_url(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/")


def atom_feed(entries: list[PalmaresEntry], base: str) -> str:
    """An Atom 1.0 feed: one entry per publication, the latest first."""
    updated = entries[0].published_at if entries else datetime(2019, 1, 1, tzinfo=PARIS)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">',
        "  <title>Palmarès publiés — Forum des innovations publiques</title>",
        f"  <id>{escape(base)}/palmares</id>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(base + "/palmares/feed.atom")}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(base + "/palmares")}/>',
        f"  <updated>{updated.isoformat()}</updated>",
        "  <author><name>Forum des innovations publiques</name></author>",
    ]
    for e in entries:
        url = f"{base}/palmares/{e.slug}"
        summary = (
            f"{e.host_name} publie le palmarès de « {e.title} » ({days(e.starts_on, e.ends_on)}, {e.place}) :"
            f" {e.laureates} lauréat{'s' if e.laureates != 1 else ''}, {e.prizes} prix."
        )
        lines += [
            "  <entry>",
            f"    <title>{escape(e.title)}</title>",
            f"    <id>urn:uuid:{e.forum_id}</id>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
            f"    <published>{e.published_at.isoformat()}</published>",
            f"    <updated>{e.published_at.isoformat()}</updated>",
            f"    <author><name>{escape(e.host_name)}</name></author>",
            f"    <summary>{escape(summary)}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


class PalmaresPages(Controller):
    """Public pages: anyone reads a published palmarès; its host and jury see the draft before the ceremony."""

    path = "/palmares"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "palmares/index.html", entries=await list_published(reader(request)), **HELPERS)

    @get("/feed.atom", media_type="application/atom+xml")
    async def feed(self, request: Request[Any, Any, Any]) -> Response[str]:
        entries = await list_published(reader(request), limit=100)
        return Response(atom_feed(entries, base_url(request)), media_type="application/atom+xml; charset=utf-8")

    @get("/{ref:str}")
    async def show(self, request: Request[Any, Any, Any], ref: FromPath[str]) -> Template | Response[bytes]:
        if maybe_actor(request) is None:  # a published palmarès reads the same for everyone not signed in
            published = await published_cache(request).get(reader(request), ref)
            if published is not None:

                def render(palmares: PalmaresView) -> bytes:
                    template = request.app.template_engine.get_template("palmares/show.html")  # type: ignore[union-attr]
                    html: str = template.render(palmares=palmares, request=request, csrf_input="", **HELPERS)
                    return html.encode()

                return cached_response(
                    request,
                    published,
                    "html",
                    render,
                    media_type="text/html; charset=utf-8",
                    cache_control="no-cache",  # kept, but asked again each time (the ETag makes that cheap)
                    vary="Cookie",  # signed in, the page's header names the person
                )
        palmares = await palmares_for(request, ref)
        headers = {} if palmares.published else {"Cache-Control": "private, no-store"}
        return Template("palmares/show.html", context={"palmares": palmares, **HELPERS}, headers=headers)
