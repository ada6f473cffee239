"""The web app against a real database of the test's own, driven over HTTP in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from forum.application import ForumApplication
from forum.database import Database
from forum.entrypoints.bootstrap import resources
from forum.services import Services
from forum.settings import Settings
from tests.conftest import Clock
from tests.web.clients import Api, Browser
from tests.web.worlds import Cast, enrol_cast
from web.app import create_app


@pytest.fixture
def services(db: Database, app: ForumApplication) -> Services:
    return Services(settings=Settings(environment="test"), db=db, app=app)


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(app=create_app(services, resources(services.db), run_projector=True)) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> Api:  # type: ignore[type-arg]
    """The JSON API of ``client``'s app, as test people use it with their tokens."""
    return Api(client)


@pytest.fixture
def browser(client: TestClient, services: Services) -> Browser:  # type: ignore[type-arg]
    """The pages of ``client``'s app, as test people use them with their sessions."""
    return Browser(client, services)


@pytest.fixture
def cast(services: Services, api: Api, clock: Clock) -> Cast:
    """The forum's people and projects for the JSON API tests (``tests.web.worlds.enrol_cast``)."""
    return enrol_cast(services, api, clock)
