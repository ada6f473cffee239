"""Security headers on every response, the interactive API pages' adapted policy, and the forum auditors' endpoint
that answers anyone but the host the same, whoever the person named."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import get
from litestar.testing import TestClient

from forum.access import Actor
from forum.entrypoints.bootstrap import resources
from forum.services import Services
from forum.settings import Settings
from tests.conftest import Clock
from tests.settling import settle
from tests.worlds.forums import HOST, World, build_world
from web.app import create_app
from web.security import script_hashes

FORUM = "forum-2019"


def assert_secured(response: Any, *, production: bool = False) -> str:
    headers = response.headers
    policy: str = headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert ("strict-transport-security" in headers) is production
    return policy


@get("/boom", include_in_schema=False)
async def boom() -> None:
    raise RuntimeError("a fault in a handler")


@pytest.fixture
def faulty(services: Services) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(
        app=create_app(services, resources(services.db), run_projector=False, extra_route_handlers=[boom])
    ) as client:
        yield client


def test_every_kind_of_response_carries_the_security_headers(faulty: TestClient) -> None:  # type: ignore[type-arg]
    for method, path, status in [
        ("GET", "/", 200),
        ("GET", "/connexion", 200),
        ("GET", "/health", 200),
        ("GET", "/api/v1/public/palmares", 200),
        ("GET", "/static/forum.css", 200),
        ("GET", "/static/scoring.js", 200),
        ("GET", "/api/schema/openapi.json", 200),
        ("GET", "/page-qui-n-existe-pas", 404),
        ("GET", "/api/v1/nulle-part", 404),
        ("GET", "/static/absent.css", 404),
        ("DELETE", "/connexion", 405),
        ("POST", "/connexion", 403),  # no CSRF token
        ("GET", "/api/v1/me", 401),
        ("GET", "/boom", 500),
    ]:
        response = faulty.request(method, path)
        assert response.status_code == status, (method, path, response.status_code)
        policy = assert_secured(response)
        assert "cdn.jsdelivr.net" not in policy, path


def test_hsts_in_production_only(services: Services) -> None:
    production = Services(
        settings=Settings(environment="production", secret_key="p" * 40), db=services.db, app=services.app
    )
    with TestClient(app=create_app(production, resources(production.db), run_projector=False)) as client:
        assert_secured(client.get("/connexion"), production=True)
        assert_secured(client.get("/absent"), production=True)


@pytest.mark.parametrize("path", ["/api/schema/", "/api/schema/scalar"])
def test_the_interactive_api_pages_allow_their_cdn_and_their_own_inline_scripts_only(
    faulty: TestClient,  # type: ignore[type-arg]
    path: str,
) -> None:
    response = faulty.get(path)
    assert response.status_code == 200
    policy = assert_secured(response)
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src")).split()
    assert "https://cdn.jsdelivr.net" in script_src
    inline = re.findall(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", response.content, re.DOTALL)
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script).digest()).decode()
        assert f"'sha256-{digest}'" in script_src
    assert script_hashes(response.content).split() == [s for s in script_src if s.startswith("'sha256-")]


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "web" / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for script in re.findall(r"<script\b[^>]*>", text, re.IGNORECASE):
            assert "src=" in script, (template, script)
        assert not re.search(r"\son[a-z]+\s*=", text, re.IGNORECASE), template
        assert "javascript:" not in text.lower(), template


# -- the forum's auditors: no membership oracle ----------------------------------------------------------------------


def token(services: Services, actor: Actor) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.auth.issue_token(actor, 'tests').token}"}


@pytest.fixture
def world(services: Services, clock: Clock, client: TestClient) -> World:  # type: ignore[type-arg]
    built = build_world(services.app, clock, services.db)
    settle(client)
    return built


def test_appointing_an_auditor_answers_anyone_but_the_host_the_same_whoever_the_person(
    world: World,
    services: Services,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    url = f"/api/v1/forums/{HOST}/{FORUM}/auditors"
    member = world["agent-oise"]
    candidates = [
        (member.person_id, "oise"),  # a member of Oise
        (member.person_id, "nord"),  # the same person, named in an organisation they do not belong to
        (str(uuid.uuid4()), "oise"),  # nobody
        ("pas-un-identifiant", "oise"),
        (member.person_id, "organisation-inconnue"),
    ]
    for outsider in (world["organiser-nord"], world["agent-oise"], world["auditor-somme"]):
        headers = token(services, outsider)
        answers = set()
        for person_id, organisation in candidates:
            response = client.post(
                url,
                json={"command_id": uuid.uuid4().hex, "person_id": person_id, "organisation": organisation},
                headers=headers,
            )
            body = response.json()
            answers.add((response.status_code, body.get("rule"), body.get("detail"), body.get("field")))
        assert len(answers) == 1 and next(iter(answers))[0] == 403, answers
    # the host still learns that a person is not found where they named them
    response = client.post(
        url,
        json={"command_id": uuid.uuid4().hex, "person_id": str(uuid.uuid4()), "organisation": "oise"},
        headers=token(services, world.host),
    )
    assert response.status_code == 404 and response.json()["rule"] == "person_not_found"


# -- signing in: X-Forwarded-For from an unconfigured peer, and the unlock link's page -------------------------------


def test_x_forwarded_for_from_a_peer_that_is_not_a_configured_proxy_does_not_reset_the_limit(
    client: TestClient,  # type: ignore[type-arg]
    services: Services,
) -> None:
    from tests.accounts import PASSWORD, member
    from tests.web.clients import post_form

    agent = member(services, "nord", "agent")
    statuses = [
        post_form(
            client,
            "/connexion",
            {"email": agent.email, "password": "mauvais mot de passe", "suite": "/compte"},
            headers={"x-forwarded-for": f"203.0.113.{n}"},
        ).status_code
        for n in range(6)
    ]
    assert statuses == [400] * 5 + [429]
    right = post_form(client, "/connexion", {"email": agent.email, "password": PASSWORD, "suite": "/compte"})
    assert right.status_code == 429 and "secondes" in right.text


def test_the_unlock_link_opens_a_page_whose_button_lifts_the_guard_once(
    client: TestClient,  # type: ignore[type-arg]
    services: Services,
) -> None:
    from forum.auth import ACCOUNT_GUARD, WrongCredentials
    from tests.accounts import PASSWORD, member
    from tests.web.clients import post_form, sign_in

    agent = member(services, "nord", "agent")
    for n in range(ACCOUNT_GUARD - 1):
        with pytest.raises(WrongCredentials):
            services.auth.sign_in(agent.email, "faux", address=f"10.3.0.{n}")
    assert sign_in(client, agent.email, "faux").status_code == 400  # the test client's address: the last straw
    assert sign_in(client, agent.email).status_code == 429
    [mail] = services.mail.outbox(recipient=agent.email)
    found = re.search(r"/deblocage/\S+", mail.body)
    assert found
    page = client.get(found.group(0))
    assert page.status_code == 200 and "Lever le blocage" in page.text
    assert services.auth.sign_in(agent.email, PASSWORD, address="10.3.0.250")  # a mail scanner's GET spent nothing
    unlocked = post_form(client, found.group(0), {})
    assert unlocked.status_code == 303 and unlocked.headers["location"] == "/connexion?ok=debloque"
    assert sign_in(client, agent.email).status_code == 303
    assert client.get(found.group(0)).status_code == 404
