"""The first web surface: health, the home page listing organisations, the public directory API."""

from __future__ import annotations

import time
from typing import Any

from litestar.testing import TestClient

from forum.access import Actor
from forum.application import ForumApplication
from tests.conftest import command_id


def wait_for(client: TestClient, path: str, predicate: Any, timeout: float = 10.0) -> Any:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(path).json()
        if predicate(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_health_reports_the_database_and_the_projectors_lag(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert {p["name"] for p in body["projections"]} >= {"directory"}
    assert body["projector"]["in_process"] and body["projector"]["alive"]
    assert all(p["status"] == "ok" for p in body["projections"])


def test_the_home_page_lists_organisations_registered_through_the_application(
    client: TestClient, app: ForumApplication, admin: Actor
) -> None:  # type: ignore[type-arg]
    app.register_organisation(
        admin, command_id(), slug="val-doise", name="Département du Val-d'Oise", kind="departement"
    )
    # the in-process projector is woken by the store's notification
    wait_for(client, "/api/v1/organisations", lambda body: len(body) == 1)
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="fr"' in page.text
    assert "Département du Val-d&#39;Oise" in page.text or "Département du Val-d'Oise" in page.text
    assert client.get("/api/v1/organisations/val-doise").json()["kind"] == "departement"


def test_an_unknown_organisation_is_a_404_problem(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.get("/api/v1/organisations/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_registering_through_the_api_needs_a_signed_in_administrator(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.post(
        "/api/v1/organisations", json={"command_id": "c1", "slug": "nord", "name": "Nord", "kind": "departement"}
    )
    assert response.status_code == 401


def test_the_openapi_schema_is_served(client: TestClient) -> None:  # type: ignore[type-arg]
    schema = client.get("/api/schema/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/organisations" in schema.json()["paths"]
