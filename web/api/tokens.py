"""My API tokens: shown once at creation, stored hashed, revocable."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody

from web.context import actor_of, services_of


class NewTokenRequest(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(description="To recognise the token in a list (at most 100 characters)")] = ""


class IssuedToken(msgspec.Struct):
    id: str
    name: str
    prefix: str
    token: Annotated[str, msgspec.Meta(description="Shown once: send it as 'Authorization: Bearer <token>'")]
    created_at: datetime


class TokenEntry(msgspec.Struct):
    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokensApi(Controller):
    path = "/api/v1/me/tokens"
    tags = ["people"]

    @get("/", summary="My active API tokens (never their value)", sync_to_thread=True)
    def list(self, request: Request[Any, Any, Any]) -> list[TokenEntry]:
        tokens = services_of(request).auth.tokens_of(actor_of(request).person_id)
        return [TokenEntry(t.id, t.name, t.prefix, t.created_at, t.last_used_at) for t in tokens]

    @post("/", summary="Create an API token: its value is in this answer only", sync_to_thread=True, status_code=201)
    def create(self, request: Request[Any, Any, Any], data: JSONBody[NewTokenRequest]) -> IssuedToken:
        issued = services_of(request).auth.issue_token(actor_of(request), data.name)
        return IssuedToken(issued.id, issued.name, issued.prefix, issued.token, issued.created_at)

    @delete("/{token_id:str}", summary="Revoke one of my tokens", sync_to_thread=True, status_code=204)
    def revoke(self, request: Request[Any, Any, Any], token_id: FromPath[str]) -> None:
        services_of(request).auth.revoke_token(actor_of(request), token_id)
