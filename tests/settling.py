"""The one way tests wait for the read models: until the projector has applied every event written so far."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from forum.database import Database
from forum.entrypoints.bootstrap import projector, projector_pool
from projections.projector import Projection, Projector


def caught_up(projections: list[dict[str, Any]]) -> bool:
    """``/health``'s projections all at the log's head, none behind (an empty list: the projector is not up yet)."""
    return bool(projections) and all(p["behind_events"] == 0 and p["position"] == p["head"] for p in projections)


def settle(where: Any, timeout: float = 10.0) -> None:
    """Wait until the projector has applied every event written so far.

    ``where`` is the projector to wait for: a ``TestClient`` (the app's in-process projector, read on ``/health``),
    the base URL of a running server (the same, over HTTP), or a ``Database`` (no server: a projector over every
    read model catches up here, in-process — see ``catch_up``)."""
    if isinstance(where, Database):
        asyncio.run(catch_up(where))
        return
    health = _health_of(where)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if caught_up(health()):
            return
        time.sleep(0.02)
    raise TimeoutError("the projector did not catch up in time")


async def catch_up(
    db: Database, projections: Iterable[Projection] | None = None, *, rebuild: tuple[str, str] | None = None
) -> None:
    """Run a projector over ``db`` (every read model, or ``projections``) until it has applied every event, then
    (``rebuild``: a projection's name and an organisation) rebuild that organisation's share of one projection."""
    p = await projector(db) if projections is None else Projector(await projector_pool(db), list(projections))
    try:
        await p.catch_up()
        if rebuild:
            await p.rebuild(*rebuild)
    finally:
        await p.pool.close()


def _health_of(where: Any) -> Callable[[], list[dict[str, Any]]]:
    if isinstance(where, str):

        def over_http() -> list[dict[str, Any]]:
            try:
                with urllib.request.urlopen(where + "/health") as response:  # noqa: S310  # our own server
                    projections: list[dict[str, Any]] = json.load(response).get("projections", [])
            except (OSError, ValueError):  # not listening yet
                return []
            return projections

        return over_http
    return lambda: where.get("/health").json()["projections"]
