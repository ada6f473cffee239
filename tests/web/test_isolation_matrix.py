"""The isolation matrix: every endpoint of the app's route table × every kind of visitor → the expected status.

Generated from ``app.routes``: an endpoint without an entry in ``SPEC`` fails the test, so none escapes it.
Adding an endpoint? Add one entry::

    SPEC[("GET", "/api/v1/organisations/{slug}/calls/{call_id}")] = Case(
        expect=api_members(200),                        # or any preset below, or expect(...) cell by cell
        params=lambda w: {"slug": A, "call_id": w.ensure("call", lambda: make_call(w))},
        body=lambda w: {"command_id": w.new_id(), ...}, # JSON for /api, form fields for pages (CSRF is added)
    )

Path parameters name a resource of organisation A (``nord``); ``params`` and ``body`` are called for every cell,
so a command that changes its target can create a fresh one each time (``w.fresh_person()``) and a read can
share one made once (``w.ensure(key, make)``). Visitors: anonymous, an agent, an organiser and an auditor of A,
an agent and an organiser of B (``oise``), and a platform administrator. Pages expect ``LOGIN`` for anonymous
visitors (303 to ``/connexion``); the API expects 401. Another organisation's private resource is 404, one's own
without the role 403.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from forum.access import PLATFORM
from forum.application import ForumApplication
from forum.database import Database
from forum.entrypoints.bootstrap import resources
from forum.services import Services
from forum.settings import Settings
from tests.accounts import PASSWORD, member
from tests.settling import settle
from tests.web.matrix import (
    LOGIN,
    VISITORS,
    A,
    B,
    Case,
    Status,
    World,
    a,
    api_admins,
    api_organisers,
    api_readers,
    api_signed_in,
    command,
    expect,
    page_admins,
    page_organisers,
    page_readers,
    page_signed_in,
    public,
)
from tests.web.matrix_after_forum import after_forum_cases
from tests.web.matrix_audit import audit_cases
from tests.web.matrix_calls import calls_cases
from tests.web.matrix_forum_pages import forum_pages_cases
from tests.web.matrix_forums import forums_cases
from web.app import create_app


def fresh_org(w: World) -> dict[str, str]:
    slug = f"org-{w.new_id()[:10]}"
    return {"command_id": w.new_id(), "slug": slug, "name": f"Organisation {slug}", "kind": "autre"}


def invite_body(w: World) -> dict[str, str]:
    return {"command_id": w.new_id(), "email": f"i.{w.new_id()[:10]}@nord.test", "name": "Invitée", "role": "agent"}


SPEC: dict[tuple[str, str], Case] = {
    # service, public pages and documents
    ("GET", "/health"): Case(public()),
    ("GET", "/"): Case(public()),
    ("GET", "/accessibilite"): Case(public()),
    ("GET", "/static/{file_path}"): Case(public(), params=lambda w: {"file_path": "forum.css"}),
    ("GET", "/api/schema"): Case(public()),
    ("GET", "/api/schema/scalar"): Case(public()),
    ("GET", "/api/schema/openapi.json"): Case(public()),
    ("GET", "/api/schema/oauth2-redirect.html"): Case(public()),
    ("GET", "/api/schema/{path}"): Case(public(404), params=lambda w: {"path": "inconnu"}),  # documents only
    # the directory of organisations (public), registration (administrators), renaming (A's organisers)
    ("GET", "/api/v1/organisations"): Case(public()),
    ("GET", "/api/v1/organisations/{slug}"): Case(public(), params=a()),
    ("POST", "/api/v1/organisations"): Case(api_admins(201), body=fresh_org),
    ("PATCH", "/api/v1/organisations/{slug}"): Case(
        api_organisers(200), params=a(), body=lambda w: {"command_id": w.new_id(), "name": f"Nord {w.new_id()[:6]}"}
    ),
    # signing in and out, links (unknown links: 404 to everyone, nothing changed)
    ("GET", "/connexion"): Case(public()),
    ("POST", "/connexion"): Case(public(400), body=lambda w: {"email": f"{w.new_id()}@x.test", "password": "faux"}),
    ("POST", "/deconnexion"): Case(expect(LOGIN, 303, 303, 303, 303, 303, 303)),
    ("GET", "/mot-de-passe-oublie"): Case(public()),
    ("POST", "/mot-de-passe-oublie"): Case(public(), body=lambda w: {"email": f"{w.new_id()}@x.test"}),
    ("GET", "/invitation/{secret}"): Case(public(404), params=lambda w: {"secret": "inconnu"}),
    ("POST", "/invitation/{secret}"): Case(
        public(404), params=lambda w: {"secret": "inconnu"}, body=lambda w: {"password": PASSWORD, "confirm": PASSWORD}
    ),
    ("GET", "/deblocage/{secret}"): Case(public(404), params=lambda w: {"secret": "inconnu"}),
    ("POST", "/deblocage/{secret}"): Case(public(404), params=lambda w: {"secret": "inconnu"}),
    ("GET", "/reinitialisation/{secret}"): Case(public(404), params=lambda w: {"secret": "inconnu"}),
    ("POST", "/reinitialisation/{secret}"): Case(
        public(404), params=lambda w: {"secret": "inconnu"}, body=lambda w: {"password": PASSWORD, "confirm": PASSWORD}
    ),
    # my account and my tokens: one's own only
    ("GET", "/compte"): Case(page_signed_in()),
    ("POST", "/compte/nom"): Case(
        page_signed_in(303), body=lambda w: {"command_id": w.new_id(), "name": f"Nom {w.new_id()[:6]}"}
    ),
    ("POST", "/compte/mot-de-passe"): Case(
        page_signed_in(303),
        body=lambda w: {"command_id": w.new_id(), "current": PASSWORD, "password": PASSWORD, "confirm": PASSWORD},
    ),
    ("POST", "/compte/deconnexion-partout"): Case(page_signed_in(303)),
    ("GET", "/compte/jetons"): Case(page_signed_in()),
    ("POST", "/compte/jetons"): Case(page_signed_in(201), body=lambda w: {"name": "matrice"}),
    ("POST", "/compte/jetons/{token_id}/revocation"): Case(
        expect(LOGIN, 404, 303, 404, 404, 404, 404), params=lambda w: {"token_id": w.fresh_token_of("organiser_a")}
    ),
    ("GET", "/api/v1/me"): Case(api_signed_in()),
    ("GET", "/api/v1/me/tokens"): Case(api_signed_in()),
    ("POST", "/api/v1/me/tokens"): Case(api_signed_in(201), body=lambda w: {"name": "matrice"}),
    ("DELETE", "/api/v1/me/tokens/{token_id}"): Case(
        expect(401, 404, 204, 404, 404, 404, 404), params=lambda w: {"token_id": w.fresh_token_of("organiser_a")}
    ),
    # an organisation's people: pages
    ("GET", "/organisations/{slug}/membres"): Case(page_readers(), params=a()),
    ("POST", "/organisations/{slug}/membres"): Case(page_organisers(), params=a(), body=invite_body),
    ("POST", "/organisations/{slug}/membres/{person_id}/role"): Case(
        page_organisers(), params=a(person_id=lambda w: w.fresh_person()), body=lambda w: {"role": "auditor"}
    ),
    ("POST", "/organisations/{slug}/membres/{person_id}/desactivation"): Case(
        page_organisers(), params=a(person_id=lambda w: w.fresh_person())
    ),
    ("POST", "/organisations/{slug}/membres/{person_id}/reactivation"): Case(
        page_organisers(), params=a(person_id=lambda w: w.fresh_person("deactivated"))
    ),
    ("POST", "/organisations/{slug}/membres/{person_id}/invitation"): Case(
        page_organisers(), params=a(person_id=lambda w: w.fresh_person("invited"))
    ),
    # an organisation's people: API
    ("GET", "/api/v1/organisations/{slug}/members"): Case(api_readers(), params=a()),
    ("GET", "/api/v1/organisations/{slug}/members/{person_id}"): Case(
        api_readers(), params=a(person_id=lambda w: w.members["agent_a"].person_id)
    ),
    ("POST", "/api/v1/organisations/{slug}/members"): Case(api_organisers(201), params=a(), body=invite_body),
    ("PUT", "/api/v1/organisations/{slug}/members/{person_id}/role"): Case(
        api_organisers(),
        params=a(person_id=lambda w: w.fresh_person()),
        body=lambda w: {"command_id": w.new_id(), "role": "auditor"},
    ),
    ("POST", "/api/v1/organisations/{slug}/members/{person_id}/deactivation"): Case(
        api_organisers(), params=a(person_id=lambda w: w.fresh_person()), body=command
    ),
    ("POST", "/api/v1/organisations/{slug}/members/{person_id}/reactivation"): Case(
        api_organisers(), params=a(person_id=lambda w: w.fresh_person("deactivated")), body=command
    ),
    ("POST", "/api/v1/organisations/{slug}/members/{person_id}/invitation"): Case(
        api_organisers(), params=a(person_id=lambda w: w.fresh_person("invited")), body=command
    ),
    # administration
    ("GET", "/admin/organisations"): Case(page_admins()),
    ("POST", "/admin/organisations"): Case(
        page_admins(303),
        body=lambda w: {**fresh_org(w), "organiser_name": "Première", "organiser_email": f"o.{w.new_id()[:10]}@x.test"},
    ),
}

SPEC.update(calls_cases())  # calls for ideas and projects
SPEC.update(forums_cases())  # forums and the palmarès (issue 5)
SPEC.update(forum_pages_cases())  # the pages that run a forum (issue 5)
SPEC.update(after_forum_cases())  # pre-incubation, portfolio, practices (issue 6)
SPEC.update(audit_cases())  # auditors: trails, replays, provenance, exports, forum auditors (issue 7)

SKIPPED_METHODS = {"HEAD", "OPTIONS"}  # answered by the framework for every route


def template_of(path: str) -> str:
    """``/x/{slug:str}`` → ``/x/{slug}``: route paths without their parameter types."""
    return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", path)


def endpoints(app: Any) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in handler.http_methods:
                    if method not in SKIPPED_METHODS:
                        found.add((method, template_of(route.path)))
    return found


# --- one app, one database, one world for the whole module ----------------------------------------------


@pytest.fixture(scope="module")
def matrix_db(server: Database, template: str) -> Iterator[Database]:
    name = f"forum_matrix_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with server.connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield server.with_dbname(name)
    with server.connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def world(matrix_db: Database) -> Iterator[tuple[World, TestClient]]:  # type: ignore[type-arg]
    application = ForumApplication(matrix_db, pool_size=2)
    services = Services(settings=Settings(environment="test"), db=matrix_db, app=application)
    members = {
        "agent_a": member(services, A, "agent"),
        "organiser_a": member(services, A, "organiser"),
        "auditor_a": member(services, A, "auditor"),
        "agent_b": member(services, B, "agent"),
        "organiser_b": member(services, B, "organiser"),
        "admin": member(services, PLATFORM, "admin"),
    }
    try:
        with TestClient(app=create_app(services, resources(services.db), run_projector=True)) as client:
            settle(client)
            yield World(services, members, client), client
    finally:
        application.close()


def request(
    world: World,
    *,
    client: TestClient,  # type: ignore[type-arg]
    method: str,
    path: str,
    case: Case,
    visitor: str,
    csrf: str,
) -> Any:
    url = path.format(**case.params(world))
    body = case.body(world) if case.body else None
    headers: dict[str, str] = {}
    client.cookies.clear()
    if path.startswith("/api/"):
        if visitor != "anonymous":
            headers["Authorization"] = f"Bearer {world.members[visitor].token}"
        return client.request(
            method, url, json=body if method != "GET" else None, headers=headers, follow_redirects=False
        )
    cookies = [f"forum_csrf={csrf}"]
    if visitor != "anonymous":
        who = world.members[visitor].actor
        cookies.append(f"forum_session={world.services.auth.open_session(who.person_id, who.organisation)}")
    headers["Cookie"] = "; ".join(cookies)
    form = {**(body or {}), "_csrf_token": csrf} if method != "GET" else None
    return client.request(method, url, data=form, headers=headers, follow_redirects=False)


def matches(response: Any, wanted: Status) -> bool:
    if wanted == LOGIN:
        return response.status_code == 303 and response.headers.get("location", "").startswith("/connexion")
    return bool(response.status_code == wanted)


def test_every_endpoint_has_an_entry_and_every_entry_an_endpoint(world: tuple[World, Any]) -> None:
    _, client = world
    routes = endpoints(client.app)
    missing = sorted(routes - set(SPEC))
    assert not missing, (
        "Endpoints without an entry in tests/web/test_isolation_matrix.py SPEC (add one per endpoint: "
        "who may call it, and a resource of organisation A for its path parameters):\n  "
        + "\n  ".join(f"{m} {p}" for m, p in missing)
    )
    stale = sorted(set(SPEC) - routes)
    assert not stale, "SPEC entries for endpoints that no longer exist:\n  " + "\n  ".join(f"{m} {p}" for m, p in stale)
    for key, case in SPEC.items():
        assert set(case.expect) == set(VISITORS), f"{key}: expect one status per visitor"


def test_every_visitor_gets_the_expected_status_from_every_endpoint(world: tuple[World, Any]) -> None:
    w, client = world
    client.cookies.clear()
    client.get("/connexion")
    csrf = client.cookies.get("forum_csrf")
    assert csrf
    routes = endpoints(client.app)
    failures, cells = [], 0
    for (method, path), case in sorted(SPEC.items()):
        if (method, path) not in routes:
            continue  # reported by the test above
        for visitor in VISITORS:
            wanted = case.expect[visitor]
            response = request(w, client=client, method=method, path=path, case=case, visitor=visitor, csrf=csrf)
            cells += 1
            if not matches(response, wanted):
                detail = response.text[:160].replace("\n", " ")
                failures.append(f"{method} {path} as {visitor}: expected {wanted}, got {response.status_code} {detail}")
    print(f"isolation matrix: {cells} endpoint × visitor cells checked")
    assert cells >= len(VISITORS) * 40
    assert not failures, f"{len(failures)} of {cells} cells differ:\n  " + "\n  ".join(failures)
