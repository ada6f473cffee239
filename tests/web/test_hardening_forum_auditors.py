"""A forum's auditors through the command pipeline: the host appoints and dismisses them with the same paths, statuses,
fields and stored command names as before; a second appointment or dismissal is refused naming its rule, recording
nothing; a dismissal sent again with its command id answers its first result."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from forum.access import Actor
from forum.services import Services
from tests.conftest import Clock
from tests.settling import settle
from tests.worlds.forums import HOST, World, build_world

AUDITORS = f"/api/v1/forums/{HOST}/forum-2019/auditors"


def token(services: Services, actor: Actor) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.auth.issue_token(actor, 'tests').token}"}


def events(services: Services) -> int:
    with services.db.connect(autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM store.forum_events").fetchone()
    return int(row[0]) if row else 0


def command_names(services: Services, *command_ids: str) -> list[str]:
    with services.db.connect(autocommit=True) as conn:
        rows = conn.execute(
            "SELECT name FROM store.commands WHERE command_id = ANY(%s) ORDER BY name", (list(command_ids),)
        ).fetchall()
    return [row[0] for row in rows]


@pytest.fixture
def world(services: Services, clock: Clock, client: TestClient) -> World:  # type: ignore[type-arg]
    built = build_world(services.app, clock, services.db)
    settle(client)
    return built


def test_the_host_appoints_then_dismisses_a_forum_auditor_and_each_refusal_records_nothing(
    world: World,
    services: Services,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    host = token(services, world.host)
    person = world.enrol("inspectrice", "val-doise", "auditor")
    appoint = {"command_id": uuid.uuid4().hex, "person_id": person.person_id, "organisation": "val-doise"}
    appointed = client.post(AUDITORS, json=appoint, headers=host)
    assert appointed.status_code == 201, appointed.text
    expected = {"forum_id": str(world.forum_id), "person_id": person.person_id, "role": "forum_auditor"}
    assert appointed.json() == expected
    # appointed a second time (a new command): refused, nothing recorded
    before = events(services)
    again: dict[str, Any] = {**appoint, "command_id": uuid.uuid4().hex}
    twice = client.post(AUDITORS, json=again, headers=host)
    assert twice.status_code == 409 and twice.json()["rule"] == "already_granted", twice.text
    assert events(services) == before
    # dismissed: the same fields; the dismissal sent again answers its first result
    dismissal = {"command_id": uuid.uuid4().hex}
    dismissed = client.post(f"{AUDITORS}/{person.person_id}/dismissal", json=dismissal, headers=host)
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json() == expected
    before = events(services)
    resent = client.post(f"{AUDITORS}/{person.person_id}/dismissal", json=dismissal, headers=host)
    assert (resent.status_code, resent.json(), events(services)) == (200, expected, before)
    # dismissed again (a new command): they are no longer an auditor
    other = client.post(f"{AUDITORS}/{person.person_id}/dismissal", json={"command_id": "x.2"}, headers=host)
    assert other.status_code == 409 and other.json()["rule"] == "not_granted", other.text
    assert events(services) == before
    # the stored commands keep their names
    assert command_names(services, appoint["command_id"], dismissal["command_id"]) == [
        "appoint_auditor",
        "dismiss_auditor",
    ]


def test_a_dismissal_in_a_forum_with_no_auditor_is_not_found_and_a_body_with_an_unknown_field_is_refused(
    world: World,
    services: Services,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    host = token(services, world.host)
    person = world.enrol("inspecteur", "val-doise", "auditor")
    before = events(services)
    response = client.post(
        f"{AUDITORS}/{person.person_id}/dismissal", json={"command_id": uuid.uuid4().hex}, headers=host
    )
    assert response.status_code in (404, 409), response.text
    unknown = client.post(
        AUDITORS,
        json={"command_id": uuid.uuid4().hex, "person_id": person.person_id, "organisation": "val-doise", "x": 1},
        headers=host,
    )
    assert unknown.status_code == 400, unknown.text
    assert events(services) == before
