"""The home page and the public directory of organisations."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from projections.directory import list_organisations
from web.context import reader
from web.pages.base import page


class HomePages(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "home.html", organisations=await list_organisations(reader(request)))

    @get("/accessibilite")
    async def accessibility(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "accessibility.html")
