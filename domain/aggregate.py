"""The base of every aggregate: events stamped with their Meta, time taken from it, never from a clock."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate as _Aggregate


class Aggregate(_Aggregate):
    """An eventsourcing aggregate whose events carry a ``meta`` and take their timestamp from ``meta.at``.

    Commands are public methods that check the rules, raise a ``DomainError``
    when refused (recording nothing), then call a private ``@event`` method
    that only changes state (it runs again on every replay).
    """

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        meta = kwargs.get("meta")
        if meta is not None and kwargs.get("timestamp") is None:
            kwargs["timestamp"] = meta.at
        super().trigger_event(event_class, **kwargs)

    @classmethod
    def _create(cls, event_class: type[Any], *, id: UUID | None = None, **kwargs: Any) -> Any:  # noqa: A002
        meta = kwargs.get("meta")
        if meta is not None and kwargs.get("timestamp") is None:
            kwargs["timestamp"] = meta.at
        return super()._create(event_class, id=id, **kwargs)
