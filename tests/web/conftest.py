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
from web.app import create_app


@pytest.fixture
def services(db: Database, app: ForumApplication) -> Services:
    return Services(settings=Settings(environment="test"), db=db, app=app)


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(app=create_app(services, resources(services.db), run_projector=True)) as test_client:
        yield test_client
