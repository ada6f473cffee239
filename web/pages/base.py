"""What every page module shares: the read models' pool, the application's clock, and the page drawn with its
defaults (who is looking, no refusal, the notice its ``?ok=`` names, a fresh command id for its forms)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.response import Template

from web.context import maybe_actor, services_of


def reader(request: Request[Any, Any, Any]) -> Any:
    """The read models' pool (asyncpg)."""
    return request.app.state.reader


def now(request: Request[Any, Any, Any]) -> datetime:
    """The application's clock."""
    moment: datetime = services_of(request).app.clock()
    return moment


def page(
    request: Request[Any, Any, Any],
    template: str,
    notices: Mapping[str, str],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> Template:
    """``template`` with ``context`` over the defaults every page draws with."""
    context.setdefault("actor", maybe_actor(request))
    context.setdefault("errors", {})
    context.setdefault("problem", None)
    context.setdefault("notice", notices.get(request.query_params.get("ok", "")))
    context.setdefault("command_id", uuid.uuid4().hex)
    return Template(template, context=context, status_code=status, headers=dict(headers or {}))
