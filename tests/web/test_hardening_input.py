"""Edge input found by a fuzzer, refused with a 4xx naming the field or parameter, never a 500 nor a partial write:
NUL and control characters in text and parameters, numbers and dates out of range, JSON nested too deep, bodies
that are not JSON, and permission checked before a body is decoded."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import TestClient

from forum.services import Services
from tests.accounts import Member, member
from tests.conftest import Clock, command_id
from tests.settling import settle
from tests.web.clients import Api, post_form, refused, sign_in, store_count
from tests.web.worlds import CALL, FORUM, Cast, plan

CALLS = "/api/v1/organisations/somme/calls"


def events(services: Services) -> int:
    return store_count(services.db)


def post_json(client: TestClient, path: str, who: Member, raw: str, **headers: str) -> Any:  # type: ignore[type-arg]
    return client.post(
        path, content=raw.encode("utf-8", "surrogatepass"), headers={**who.headers, "content-type": "application/json",
                                                                      **headers}
    )  # fmt: skip


def test_text_postgresql_cannot_store_is_refused_by_the_domain_naming_the_field(
    client: TestClient,  # type: ignore[type-arg]
    services: Services,
    clock: Clock,
) -> None:
    organiser = member(services, "somme", "organiser")
    settle(client)
    before = events(services)
    cases = [
        ({"title": "Appel\u0000 2019"}, "title"),
        ({"description": "bip\u0007"}, "description"),
        ({"themes": ["usagers", "tra\u0000vail"]}, "themes"),
        ({"categories": ["idée\u001b"]}, "categories"),
        ({"command_id": "c\u0000"}, "command_id"),
    ]
    for change, field in cases:
        body = {**CALL, "command_id": command_id(), **change}
        response = client.post(CALLS, json=body, headers=organiser.headers)
        problem = refused(response, 422 if field != "command_id" else response.status_code, response.json()["rule"])
        assert response.status_code in (400, 422) and problem["field"] == field, problem
    # a lone surrogate written as JSON's "\ud800": the decoder itself refuses it (the domain would too)
    raw = json.dumps({**CALL, "command_id": command_id()}).replace('"Appel', '"\\ud800Appel', 1)
    assert post_json(client, CALLS, organiser, raw).status_code == 400
    assert events(services) == before  # a refused command records nothing
    # tab, line feed and carriage return are text
    done = client.post(CALLS, json={**CALL, "command_id": command_id(), "description": "a\tb\r\nc"},
                       headers=organiser.headers)  # fmt: skip
    assert done.status_code == 201, done.text


def test_an_account_name_or_an_api_token_name_with_a_nul_is_refused_and_the_user_agent_is_kept_clean(
    client: TestClient,  # type: ignore[type-arg]
    services: Services,
) -> None:
    agent = member(services, "somme", "agent")
    settle(client)
    # the API token's name (a store table, not an event): 422, not a 500
    refused(client.post("/api/v1/me/tokens", json={"name": "jeton\u0000"}, headers=agent.headers), 422,
            "text_not_storable", "name")  # fmt: skip
    # a session opened by a browser whose user agent holds a control character: kept, made storable
    signed = sign_in(client, agent.email)
    assert signed.status_code == 303, signed.text
    before = events(services)
    # the account's name, the Person aggregate, through the page
    page = post_form(client, "/compte/nom", {"name": "Claire\u0000", "command_id": command_id()})
    assert page.status_code == 422, page.text
    assert "name" in page.text or "nom" in page.text
    assert events(services) == before
    opened = services.auth.open_session(agent.person_id, "somme", address="1.2.3.4\u0000", user_agent="Moz\u0000illa")
    assert opened
    with services.db.connect() as conn:
        rows = conn.execute("SELECT address, user_agent FROM store.sessions WHERE person_id = %s",
                            (agent.person_id,)).fetchall()  # fmt: skip
    assert ("1.2.3.4\ufffd", "Moz\ufffdilla") in [tuple(r) for r in rows]


def test_control_characters_and_huge_numbers_in_query_parameters_are_400_naming_the_parameter(
    client: TestClient,  # type: ignore[type-arg]
    services: Services,
) -> None:
    organiser = member(services, "somme", "organiser")
    for path, name in (
        ("/api/v1/public/practices?q=%00", "q"),
        ("/api/v1/public/practices?theme=a%00", "theme"),
        ("/api/v1/public/practices?organisation=%01", "organisation"),
        ("/api/v1/public/practices?stage=%00", "stage"),
        ("/api/v1/organisations?kind=%00", "kind"),
        ("/api/v1/public/practices?q=%ff", "q"),  # not UTF-8
        ("/api/v1/public/practices?offset=99999999999999999999", "offset"),
        ("/api/v1/public/practices?limit=99999999999999999999", "limit"),
    ):
        for who in ({}, organiser.headers):
            response = client.get(path, headers=who)
            assert response.status_code == 400, (path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["field"] == name, response.json()
    page = client.get("/pratiques?q=%00", headers={"accept": "text/html"})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "q" in page.text
    assert client.get("/api/v1/public/practices?q=cantine&offset=10").status_code == 200


def test_json_nested_too_deep_and_bodies_that_are_not_json_are_refused_on_the_api(
    client: TestClient,  # type: ignore[type-arg]
    services: Services,
) -> None:
    organiser = member(services, "somme", "organiser")
    settle(client)
    deep = "[" * 100_000 + "]" * 100_000
    refused(post_json(client, CALLS, organiser, deep), 400, "json_too_deep")
    refused(client.post("/api/v1/me/tokens", content=deep, headers={"content-type": "application/json"}), 400,
            "json_too_deep")  # fmt: skip
    body = json.dumps({**CALL, "command_id": command_id()})
    for headers in ({"content-type": "text/plain"}, {"content-type": "application/x-www-form-urlencoded"}, {}):
        response = client.post(CALLS, content=body, headers={**organiser.headers, **headers})
        refused(response, 415, "unsupported_media_type")
    # strings holding brackets are not nesting
    refused_or_done = post_json(client, CALLS, organiser, json.dumps({**CALL, "command_id": command_id(),
                                                                       "description": "[" * 500}))  # fmt: skip
    assert refused_or_done.status_code == 201, refused_or_done.text


def test_a_juror_gets_403_before_the_running_order_body_is_read_and_the_host_gets_a_4xx_naming_the_field(
    api: Api,
    cast: Cast,
    clock: Clock,
) -> None:
    plan(api, cast, clock)
    body = {"person_id": cast.juror_nord.person_id, "organisation": "nord", "college": "agent"}
    api.ok(api.post(f"{FORUM}/jurors", cast.host, body), 201)
    api.settle()
    project = cast.projects["nord-1"]
    huge = {"project_ids": [project], "starts_at": "2019-11-28T14:00:00+01:00", "pitch_seconds": 10**30}
    for path in ("running-order", "coaching"):
        refused(api.put(f"{FORUM}/{path}", cast.juror_nord, huge), 403, "forum_role_required")
        refused(api.put(f"{FORUM}/{path}", cast.juror_nord, {"slots": "not even a list"}), 403, "forum_role_required")
    answer = api.put(f"{FORUM}/running-order", cast.host, huge)
    assert answer.status_code == 400 and "pitch_seconds" in answer.text, answer.text
    for when in ("9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"):
        late = {"project_ids": [project], "starts_at": when}
        answer = api.put(f"{FORUM}/running-order", cast.host, late)
        assert answer.status_code == 422 and answer.json()["field"] == "starts_at", answer.text
        slots = {"slots": [{"project_id": project, "coach_id": cast.coach.person_id, "starts_at": when, "minutes": 50}]}
        answer = api.put(f"{FORUM}/coaching", cast.host, slots)
        assert answer.status_code == 422 and answer.json()["field"] == "slots[0].starts_at", answer.text
    body = {"project_ids": [project], "coach_ids": ["c"], "starts_at": "2019-11-28T09:00:00+01:00", "minutes": 10**20}
    answer = api.put(f"{FORUM}/coaching", cast.host, body)
    assert answer.status_code == 400 and "minutes" in answer.text, answer.text
