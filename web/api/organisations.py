"""Organisations: the public directory, and registration and renaming by administrators."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody, Parameter

from domain.errors import NotFound
from projections.directory import OrganisationEntry, get_organisation, list_organisations
from web.context import actor_of, services_of
from web.openapi import PUBLIC


class RegisterOrganisation(msgspec.Struct, forbid_unknown_fields=True):
    """Register an organisation (platform administrators only)."""

    command_id: Annotated[str, msgspec.Meta(description="Client-chosen id; sending it again is harmless.")]
    slug: Annotated[str, msgspec.Meta(description="2–63 lowercase ASCII letters, digits, hyphens")]
    name: str
    kind: Annotated[str, msgspec.Meta(description="departement, academie, ministere, partenaire or autre")]


class RenameOrganisation(msgspec.Struct, forbid_unknown_fields=True):
    command_id: str
    name: str


class Registered(msgspec.Struct):
    slug: str
    id: str


class Renamed(msgspec.Struct):
    slug: str
    name: str


class OrganisationsApi(Controller):
    path = "/api/v1/organisations"
    tags = ["organisations"]

    @get("/", summary="The directory of organisations (public)", opt=PUBLIC)
    async def list(
        self,
        request: Request[Any, Any, Any],
        kind: Annotated[str | None, Parameter(description="filter by kind")] = None,
    ) -> list[OrganisationEntry]:
        return await list_organisations(request.app.state.reader, kind)

    @get("/{slug:str}", summary="One organisation of the directory (public)", opt=PUBLIC)
    async def show(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> OrganisationEntry:
        entry = await get_organisation(request.app.state.reader, slug)
        if entry is None:
            raise NotFound(f"Organisation « {slug} » introuvable.")
        return entry

    @post("/", summary="Register an organisation (administrators)", sync_to_thread=True, status_code=201)
    def register(self, request: Request[Any, Any, Any], data: JSONBody[RegisterOrganisation]) -> Registered:
        result = services_of(request).app.register_organisation(
            actor_of(request), data.command_id, slug=data.slug, name=data.name, kind=data.kind
        )
        return msgspec.convert(result, Registered)

    @patch("/{slug:str}", summary="Rename an organisation (its organisers, administrators)", sync_to_thread=True)
    def rename(
        self, request: Request[Any, Any, Any], slug: FromPath[str], data: JSONBody[RenameOrganisation]
    ) -> Renamed:
        result = services_of(request).app.rename_organisation(
            actor_of(request), data.command_id, slug=slug, name=data.name
        )
        return msgspec.convert(result, Renamed)
