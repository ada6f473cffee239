"""Givens as past events: an aggregate as the store would replay it from facts already recorded.

``given(Forum, forum_id, fact(Forum.Planned, ...), fact(Forum.JurorAppointed, ...))`` folds the events in order, the
way ``eventsourcing`` rebuilds an aggregate from its stored history: no command runs, no rule is checked, so a test
states what happened before (in the events' own words) and then exercises only the command under test. Each fact
takes its version from its place and its timestamp from its ``meta.at``.
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

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
