"""Signing in, sessions, CSRF, tokens and the newcomer's journey, over HTTP against the real app."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from forum.access import PLATFORM
from forum.auth import LOG_FORMAT, LogContext
from forum.entrypoints.bootstrap import resources
from forum.services import Services
from forum.settings import Settings
from tests.accounts import PASSWORD, member
from tests.settling import settle
from tests.web.clients import post_form, sign_in
from web.app import create_app

Client = TestClient  # type: ignore[type-arg]


def link_in_outbox(services: Services, to: str, kind: str = "invitation") -> str:
    [mail, *_] = services.mail.outbox(recipient=to)
    found = re.search(rf"/{kind}/(\S+)", mail.body)
    assert found, mail.body
    return f"/{kind}/{found.group(1)}"


# --- sign-in and sessions ---------------------------------------------------------------------------


def test_signing_in_sets_a_server_side_session_in_an_httponly_lax_cookie(client: Client, services: Services) -> None:
    agent = member(services, "nord", "agent")
    settle(client)
    page = client.get("/connexion")
    assert page.status_code == 200 and 'name="_csrf_token"' in page.text
    response = sign_in(client, agent.email)
    assert response.status_code == 303 and response.headers["location"] == "/compte"
    cookie = response.headers["set-cookie"]
    assert "forum_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # outside production
    account = client.get("/compte")
    assert account.status_code == 200 and agent.email in account.text


def test_a_wrong_password_is_answered_on_the_page_without_saying_which_part_was_wrong(
    client: Client, services: Services
) -> None:
    agent = member(services, "nord", "agent")
    response = sign_in(client, agent.email, "mauvais mot de passe")
    assert response.status_code == 400
    assert "Adresse électronique ou mot de passe incorrect" in response.text
    assert "forum_session" not in response.headers.get("set-cookie", "")


def test_the_sixth_wrong_attempt_is_throttled(client: Client, services: Services) -> None:
    agent = member(services, "nord", "agent")
    for _ in range(5):
        assert sign_in(client, agent.email, "mauvais mot de passe").status_code == 400
    throttled = sign_in(client, agent.email)
    assert throttled.status_code == 429 and "Trop de tentatives" in throttled.text


def test_cookies_are_secure_in_production(services: Services) -> None:
    production = Services(
        settings=Settings(environment="production", secret_key="s" * 40), db=services.db, app=services.app
    )
    agent = member(services, "nord", "agent")
    with TestClient(
        app=create_app(production, resources(production.db), run_projector=True), base_url="https://testserver.local"
    ) as client:
        response = sign_in(client, agent.email)
        assert response.status_code == 303
        assert "Secure" in response.headers["set-cookie"]


def test_a_form_without_its_csrf_token_is_refused_in_french(client: Client, services: Services) -> None:
    agent = member(services, "nord", "agent")
    response = client.post("/connexion", data={"email": agent.email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403
    assert "Ce formulaire a expiré" in response.text


def test_anonymous_people_are_sent_to_the_sign_in_page_and_back(client: Client, services: Services) -> None:
    response = client.get("/organisations/nord/membres?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/connexion?suite=/organisations/nord/membres%3Fx%3D1"
    organiser = member(services, "nord", "organiser")
    settle(client)
    back = post_form(
        client,
        "/connexion",
        {"email": organiser.email, "password": PASSWORD, "suite": "/organisations/nord/membres?x=1"},
    )
    assert back.headers["location"] == "/organisations/nord/membres?x=1"
    # and never to another site
    away = post_form(
        client, "/connexion", {"email": organiser.email, "password": PASSWORD, "suite": "//ailleurs.example/"}
    )
    assert away.headers["location"] == "/compte"


def test_signing_out_ends_the_session_and_signing_out_everywhere_ends_them_all(services: Services) -> None:
    agent = member(services, "nord", "agent")
    # two devices: two clients (each with its own app: a Litestar app runs one lifespan at a time)
    with (
        TestClient(app=create_app(services, resources(services.db), run_projector=True)) as laptop,
        TestClient(app=create_app(services, resources(services.db), run_projector=False)) as phone,
    ):
        settle(laptop)
        sign_in(laptop, agent.email)
        sign_in(phone, agent.email)
        assert phone.get("/compte", follow_redirects=False).status_code == 200
        # signing out everywhere from the laptop
        done = post_form(laptop, "/compte/deconnexion-partout", {})
        assert done.status_code == 303 and done.headers["location"] == "/connexion?ok=partout"
        # ends the phone's session too
        assert phone.get("/compte", follow_redirects=False).status_code == 303
        sign_in(phone, agent.email)
        assert post_form(phone, "/deconnexion", {}).status_code == 303
        assert phone.get("/compte", follow_redirects=False).status_code == 303


# --- the API: bearer tokens ----------------------------------------------------------------------------


def test_the_api_answers_401_problems_to_anonymous_and_unknown_tokens(client: Client) -> None:
    anonymous = client.get("/api/v1/me")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert anonymous.headers["www-authenticate"] == "Bearer"
    forged = client.get("/api/v1/organisations", headers={"Authorization": "Bearer forum_faux"})
    assert forged.status_code == 401 and forged.json()["rule"] == "invalid_token"


def test_the_api_ignores_session_cookies(client: Client, services: Services) -> None:
    agent = member(services, "nord", "agent")
    settle(client)
    sign_in(client, agent.email)
    assert client.get("/compte").status_code == 200
    assert client.get("/api/v1/me").status_code == 401  # a cookie is no credential for the API (no CSRF there)


def test_tokens_are_shown_once_and_stop_working_when_revoked(client: Client, services: Services) -> None:
    agent = member(services, "nord", "agent")
    settle(client)
    created = client.post("/api/v1/me/tokens", json={"name": "export"}, headers=agent.headers)
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("forum_")
    listed = client.get("/api/v1/me/tokens", headers=agent.headers).json()
    assert sorted(t["name"] for t in listed) == ["export", "tests"] and token not in str(listed)
    mine = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=mine).json()["organisation"] == "nord"
    assert client.delete(f"/api/v1/me/tokens/{created.json()['id']}", headers=agent.headers).status_code == 204
    assert client.get("/api/v1/me", headers=mine).status_code == 401


def test_a_deactivated_persons_token_stops_at_once(client: Client, services: Services) -> None:
    organiser = member(services, "nord", "organiser")
    agent = member(services, "nord", "agent")
    settle(client)
    assert client.get("/api/v1/me", headers=agent.headers).status_code == 200
    done = client.post(
        f"/api/v1/organisations/nord/members/{agent.person_id}/deactivation",
        json={"command_id": "d1"},
        headers=organiser.headers,
    )
    assert done.status_code == 200 and done.json()["status"] == "deactivated"
    assert client.get("/api/v1/me", headers=agent.headers).status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"command_id": "c", "email": "pas-une-adresse", "name": "X", "role": "agent"}, 422, "email"),
        ({"command_id": "c", "email": "x@nord.fr", "name": "X" * 201, "role": "agent"}, 422, "name"),
        ({"command_id": "c", "email": "x@nord.fr", "name": "X", "role": "chef"}, 422, "role"),
        ({"command_id": "c", "email": "x@nord.fr", "name": "X", "role": "agent", "admin": True}, 400, "admin"),
    ],
)
def test_bad_invitations_are_problems_naming_the_field(
    client: Client, services: Services, body: dict[str, Any], status: int, field: str
) -> None:
    organiser = member(services, "nord", "organiser")
    settle(client)
    response = client.post("/api/v1/organisations/nord/members", json=body, headers=organiser.headers)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in (response.json().get("field") or "") + str(response.json().get("errors", ""))


def test_the_openapi_schema_documents_bearer_tokens(client: Client) -> None:
    schema = client.get("/api/schema/openapi.json").json()
    assert schema["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"
    assert "/api/v1/organisations/{slug}/members" in schema["paths"]
    assert client.get("/api/schema/").status_code == 200  # the interactive page


def test_logs_say_which_request_person_and_organisation(
    client: Client, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    agent = member(services, "nord", "agent")
    settle(client)
    caplog.handler.addFilter(LogContext())
    with caplog.at_level(logging.DEBUG, logger="forum.web.requests"):
        response = client.get("/api/v1/me", headers=agent.headers)
    [record] = [r for r in caplog.records if r.name == "forum.web.requests" and "/api/v1/me" in r.getMessage()]
    assert record.person == agent.person_id  # type: ignore[attr-defined]
    assert record.organisation == "nord"  # type: ignore[attr-defined]
    assert record.request_id == response.headers["x-request-id"]  # type: ignore[attr-defined]
    assert "person=" in LOG_FORMAT


# --- the newcomer's journey ----------------------------------------------------------------------------


@pytest.fixture
def admin_client(services: Services) -> Iterator[Client]:
    admin = member(services, PLATFORM, "admin", email="admin@forum.local")
    with TestClient(app=create_app(services, resources(services.db), run_projector=True)) as client:
        settle(client)
        assert sign_in(client, admin.email).status_code == 303
        yield client


def test_an_administrator_registers_an_organisation_whose_organiser_joins_and_sees_only_it(
    admin_client: Client, services: Services
) -> None:
    # given Nord exists, with an organiser
    nord = member(services, "nord", "organiser")
    # when the administrator registers Somme and invites its first organiser
    page = admin_client.get("/admin/organisations")
    assert page.status_code == 200
    done = post_form(
        admin_client,
        "/admin/organisations",
        {
            "command_id": "somme-1",
            "name": "Département de la Somme",
            "slug": "somme",
            "kind": "departement",
            "organiser_name": "Sophie Durand",
            "organiser_email": "sophie.durand@somme.fr",
        },
    )
    assert done.status_code == 303, done.text
    assert "Département de la Somme" in admin_client.get("/admin/organisations").text
    # then the organiser reads the link in the outbox, and joins
    link = link_in_outbox(services, "sophie.durand@somme.fr")
    with TestClient(app=create_app(services, resources(services.db), run_projector=True)) as sophie:
        invitation = sophie.get(link)
        assert invitation.status_code == 200 and "Département de la Somme" in invitation.text
        mismatch = post_form(
            sophie, link, {"name": "Sophie Durand", "password": "un mot de passe sûr", "confirm": "un autre"}
        )
        assert mismatch.status_code == 422 and "différents" in mismatch.text
        joined = post_form(
            sophie, link, {"name": "Sophie Durand", "password": "un mot de passe sûr", "confirm": "un mot de passe sûr"}
        )
        assert joined.status_code == 303 and joined.headers["location"] == "/compte?ok=bienvenue"
        account = sophie.get(joined.headers["location"])
        assert "Bienvenue" in account.text and "Département de la Somme" in account.text
        # she sees her organisation's members
        members = sophie.get("/organisations/somme/membres")
        assert members.status_code == 200 and "sophie.durand@somme.fr" in members.text
        # and not Nord's: 404, on the page and in the API
        assert sophie.get("/organisations/nord/membres").status_code == 404
        token = post_form(sophie, "/compte/jetons", {"name": "script"})
        assert token.status_code == 201
        secret = re.search(r"(forum_[A-Za-z0-9_-]+)", token.text)
        assert secret
        api = {"Authorization": f"Bearer {secret.group(1)}"}
        assert sophie.get("/api/v1/organisations/somme/members", headers=api).status_code == 200
        assert sophie.get("/api/v1/organisations/nord/members", headers=api).status_code == 404
        assert sophie.get(f"/api/v1/organisations/nord/members/{nord.person_id}", headers=api).status_code == 404
        # and the link served once
        again = sophie.get(link)
        assert again.status_code == 404 and "déjà servi" in again.text


def test_an_unknown_invitation_link_is_a_clear_page_and_changes_nothing(client: Client) -> None:
    response = client.get("/invitation/nimportequoi")
    assert response.status_code == 404
    assert "Ce lien n'est pas valable" in response.text and "Rien n'a été modifié" in response.text
    posted = post_form(client, "/invitation/nimportequoi", {"password": "x" * 12, "confirm": "x" * 12})
    assert posted.status_code == 404


def test_an_organiser_manages_members_through_the_page(client: Client, services: Services) -> None:
    organiser = member(services, "nord", "organiser")
    settle(client)
    sign_in(client, organiser.email)
    # a malformed address is refused beside the field, keeping what was typed
    refused = post_form(client, "/organisations/nord/membres", {"name": "Jean", "email": "jean", "role": "agent"})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text and 'value="Jean"' in refused.text
    invited = post_form(
        client,
        "/organisations/nord/membres",
        {"name": "Jean Petit", "email": "jean@nord.fr", "role": "agent", "command_id": "inv-1"},
    )
    assert invited.status_code == 303
    listing = client.get(invited.headers["location"])
    assert "Invitation envoyée" in listing.text and "jean@nord.fr" in listing.text
    person_id = re.search(r"/organisations/nord/membres/([0-9a-f-]{36})/invitation", listing.text)
    assert person_id
    changed = post_form(client, f"/organisations/nord/membres/{person_id.group(1)}/role", {"role": "auditor"})
    assert changed.status_code == 303
    deactivated = post_form(client, f"/organisations/nord/membres/{person_id.group(1)}/desactivation", {})
    assert deactivated.status_code == 303
    final = client.get("/organisations/nord/membres").text
    assert "Auditeur" in final and "Désactivé" in final


def test_a_forgotten_password_is_reset_by_mail(client: Client, services: Services) -> None:
    agent = member(services, "nord", "agent")
    settle(client)
    asked = post_form(client, "/mot-de-passe-oublie", {"email": agent.email})
    assert asked.status_code == 200 and "un lien vient de lui être envoyé" in asked.text
    link = link_in_outbox(services, agent.email, "reinitialisation")
    assert client.get(link).status_code == 200
    reset = post_form(client, link, {"password": "nouveau mot de passe", "confirm": "nouveau mot de passe"})
    assert reset.status_code == 303 and reset.headers["location"] == "/compte?ok=mot-de-passe"
    assert client.get("/compte").status_code == 200
    assert sign_in(client, agent.email, "nouveau mot de passe").status_code == 303
