"""Events written down with msgspec: typed round trip, and an old class version read back upcast."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import msgspec

from domain.aggregate import Aggregate
from domain.codec import decode_event, decode_payload, encode_event
from domain.values import Meta
from forum.application import ForumApplication
from forum.database import Database
from forum.tenancy import store_of

META = Meta(
    actor="p1",
    role="organiser",
    organisation="nord",
    actor_organisation="nord",
    at=datetime(2019, 11, 28, 14, 30, tzinfo=UTC),
    command_id="c1",
    correlation_id="c1",
)


class Grant(Aggregate):
    """A test aggregate whose event shape changed: v1 had ``amount`` in euros, v2 has ``cents`` and a ``currency``."""

    class Awarded(Aggregate.Created):
        cents: int
        currency: str
        meta: Meta
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["cents"] = int(Decimal(state.pop("amount")) * 100)
            state["currency"] = "EUR"

    def __init__(self, cents: int, currency: str, meta: Meta) -> None:
        self.cents = cents
        self.currency = currency


def test_an_event_round_trips_with_its_types() -> None:
    grant = Grant._create(Grant.Awarded, id=uuid4(), cents=150_000, currency="EUR", meta=META)
    [event] = grant.collect_events()
    topic, originator_id, version, state = encode_event(event)
    assert topic == "tests.forum.test_codec:Grant.Awarded"
    assert decode_payload(state)["class_version"] == 2
    decoded = decode_event(topic, state, str(originator_id), version)
    assert decoded == event
    assert decoded.meta.at == META.at and isinstance(decoded.originator_id, type(event.originator_id))


def test_an_event_stored_under_an_old_class_version_is_read_back_upcast(app: ForumApplication, db: Database) -> None:
    # given an Awarded event stored by the first version of the class (amount in euros, no class_version)
    aggregate_id = uuid4()
    old_payload = msgspec.msgpack.encode(
        {
            "timestamp": META.at,
            "originator_topic": "tests.forum.test_codec:Grant",
            "amount": "1500.50",
            "meta": META,
        }
    )
    with db.connect() as conn:
        conn.execute("SELECT set_config('forum.organisation', 'nord', true)")
        conn.execute(
            "INSERT INTO store.forum_events (originator_id, originator_version, topic, state) VALUES (%s, 1, %s, %s)",
            (aggregate_id, "tests.forum.test_codec:Grant.Awarded", old_payload),
        )
    # when the application reads it
    with store_of("nord"):
        grant = app.repository.get(aggregate_id)
    # then it is upcast to the current shape
    assert (grant.cents, grant.currency) == (150_050, "EUR")
