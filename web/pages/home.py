"""The home page and the public directory of organisations."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from projections.directory import list_organisations
from web.context import maybe_actor


class HomePages(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Template:
        organisations = await list_organisations(request.app.state.reader)
        return Template("home.html", context={"organisations": organisations, "actor": maybe_actor(request)})

    @get("/accessibilite")
    async def accessibility(self, request: Request[Any, Any, Any]) -> Template:
        return Template("accessibility.html", context={"actor": maybe_actor(request)})
