"""What a handler needs from the request: the services built at start-up, and the acting person."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from forum.access import Actor
from forum.services import Services


def services_of(request: Request[Any, Any, Any]) -> Services:
    services: Services = request.app.state.services
    return services


def actor_of(request: Request[Any, Any, Any]) -> Actor:
    """The signed-in person (set by the authentication middleware), or 401."""
    actor = request.scope.get("state", {}).get("actor")
    if actor is None:
        raise NotAuthorizedException("Connectez-vous pour faire cela.")
    return actor  # type: ignore[no-any-return]


def maybe_actor(request: Request[Any, Any, Any]) -> Actor | None:
    return request.scope.get("state", {}).get("actor")  # type: ignore[no-any-return]


def reader(request: Request[Any, Any, Any]) -> Any:
    """The read models' pool (asyncpg): what every list and page reads."""
    return request.app.state.reader
