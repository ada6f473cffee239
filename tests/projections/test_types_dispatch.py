"""Every read model dispatches per event type (projections/dispatch.py): no isinstance ladder, no topic without its
handler, and the rows handlers return are collected in log order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import msgspec

from projections.dispatch import EventProjection, on
from projections.projector import Envelope
from projections.registry import all_projections


def test_every_projection_dispatches_per_event_type() -> None:
    projections = all_projections()
    assert len({p.name for p in projections}) == len(projections)
    for projection in projections:
        assert isinstance(projection, EventProjection), projection.name
        assert set(projection.handles) == set(projection.handlers), projection.name
        assert all(projection.handlers[k] for k in projection.handles), projection.name
        assert len(projection.topics()) == len(set(projection.topics())), projection.name


class First(msgspec.Struct):
    originator_id: Any
    n: int


class Second(msgspec.Struct):
    originator_id: Any
    n: int


class Rows(EventProjection):
    name = "test_rows"
    tables = ()

    @on(First, Second)
    async def both(self, conn: Any, envelope: Envelope, e: Any) -> list[str]:
        return [f"both {e.n}"]

    @on(Second)
    async def second(self, conn: Any, envelope: Envelope, e: Any) -> list[str]:
        return [f"second {e.n}", f"second again {e.n}"]

    @on(First)
    async def first_writes_nothing(self, conn: Any, envelope: Envelope, e: Any) -> None:
        return None


def test_dispatch_returns_the_rows_of_each_handler_in_the_order_written() -> None:
    def envelope(event: Any, position: int) -> Envelope:
        return Envelope(position, "nord", datetime(2019, 11, 28, tzinfo=UTC), event)

    async def rows() -> list[Any]:
        projection = Rows()
        found: list[Any] = []
        for i, event in enumerate([First(uuid4(), 1), Second(uuid4(), 2)]):
            found += await projection.dispatch(None, envelope(event, i))
        return found

    assert Rows.handles == (First, Second)
    assert asyncio.run(rows()) == ["both 1", "both 2", "second 2", "second again 2"]
