"""Givens as past events: an aggregate as the store would replay it from facts already recorded.

``given(Forum, forum_id, fact(Forum.Planned, ...), fact(Forum.JurorAppointed, ...))`` folds the events in order, the
way ``eventsourcing`` rebuilds an aggregate from its stored history: no command runs, no rule is checked, so a test
states what happened before (in the events' own words) and then exercises only the command under test. Each fact
takes its version from its place and its timestamp from its ``meta.at``.
"""

from __future__ import annotations

import typing
from typing import Any, ClassVar, TypeVar
from uuid import UUID

import msgspec
from eventsourcing.utils import get_topic

from domain.aggregate import Aggregate

A = TypeVar("A", bound=Aggregate)


def fact(event_class: type[Any], **fields: Any) -> tuple[type[Any], dict[str, Any]]:
    """One past event: its class (``Forum.ScoreRecorded``) and its own fields (``meta`` included)."""
    return event_class, fields


def given(aggregate_class: type[A], aggregate_id: UUID, *facts: tuple[type[Any], dict[str, Any]]) -> A:
    """The aggregate these facts make, the first one its creation; nothing is left pending to collect."""
    aggregate: Any = None
    for version, (event_class, fields) in enumerate(facts, start=1):
        stamps: dict[str, Any] = {
            "originator_id": aggregate_id,
            "originator_version": version,
            "timestamp": fields["meta"].at,
        }
        if version == 1:
            stamps["originator_topic"] = get_topic(aggregate_class)
        aggregate = event_class(**stamps, **fields).mutate(aggregate)
    assert isinstance(aggregate, aggregate_class)
    assert aggregate.collect_events() == []
    return aggregate


def roundtrip(events: list[Any]) -> None:
    """Every event encodes with msgspec and decodes back from its class's type hints alone (as the store does)."""
    envelope = {"originator_id", "originator_version"}
    for domain_event in events:
        cls = type(domain_event)
        fields = [
            (name, hint)
            for name, hint in typing.get_type_hints(cls).items()
            if name not in envelope and typing.get_origin(hint) is not ClassVar
        ]
        struct = msgspec.defstruct(f"{cls.__qualname__}.Payload", fields, kw_only=True)
        state = {k: v for k, v in vars(domain_event).items() if k not in envelope}
        decoded = msgspec.msgpack.decode(msgspec.msgpack.encode(state), type=struct)
        assert {name: getattr(decoded, name) for name in decoded.__struct_fields__} == state, cls.__qualname__
