"""Which organisation's store the current unit of work touches: set by the application, read by the recorder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_store: ContextVar[str | None] = ContextVar("forum_store_organisation", default=None)


class NoStoreSelected(RuntimeError):
    """Code touched the event store without saying whose store: a bug, never a user error."""


def current_store() -> str:
    organisation = _store.get()
    if not organisation:
        raise NoStoreSelected("no organisation store selected for this unit of work")
    return organisation


@contextmanager
def store_of(organisation: str) -> Iterator[str]:
    """Within this block, reads and writes of the event store are those of ``organisation``."""
    token = _store.set(organisation)
    try:
        yield organisation
    finally:
        _store.reset(token)
