"""The base of every aggregate: events stamped with their Meta, time taken from it, never from a clock."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate as _Aggregate

from domain.values import Meta, check_storable

# Set by the library, not by a person: never walked.
_STAMPS = frozenset({"timestamp", "originator_id", "originator_version", "originator_topic", "id"})


def check_event_arguments(kwargs: dict[str, Any]) -> None:
    """Refuse an event whose arguments hold text PostgreSQL cannot store, or a date out of range, before it exists.

    The one gate every fact passes: whatever a command forgot to check, no aggregate can record it. The ``meta``
    is checked field by field under its own names (``command_id``), the rest under the argument's name.
    """
    for name, value in kwargs.items():
        if name in _STAMPS:
            continue
        if isinstance(value, Meta):
            for part in ("actor", "role", "organisation", "actor_organisation", "command_id", "correlation_id"):
                check_storable(getattr(value, part), part)
        else:
            check_storable(value, name)


class Aggregate(_Aggregate):
    """An eventsourcing aggregate whose events carry a ``meta`` and take their timestamp from ``meta.at``.

    Commands are public methods that check the rules, raise a ``DomainError``
    when refused (recording nothing), then call a private ``@event`` method
    that only changes state (it runs again on every replay). Every event's arguments pass
    ``check_event_arguments`` first: a refused argument records nothing.
    """

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        check_event_arguments(kwargs)
        meta = kwargs.get("meta")
        if meta is not None and kwargs.get("timestamp") is None:
            kwargs["timestamp"] = meta.at
        super().trigger_event(event_class, **kwargs)

    @classmethod
    def _create(cls, event_class: type[Any], *, id: UUID | None = None, **kwargs: Any) -> Any:  # noqa: A002
        check_event_arguments(kwargs)
        meta = kwargs.get("meta")
        if meta is not None and kwargs.get("timestamp") is None:
            kwargs["timestamp"] = meta.at
        return super()._create(event_class, id=id, **kwargs)
