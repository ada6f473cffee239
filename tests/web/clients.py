"""The web as test people use it: the JSON API with a token (``Api``), the pages with a session (``Browser``), the
forms' CSRF token, and the checks every web test makes of an answer (``refused``, ``main_text``, ``refused_beside``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from litestar.testing import TestClient

from forum.database import Database
from forum.services import Services
from tests.accounts import PASSWORD, Member
from tests.conftest import command_id
from tests.settling import settle

Client = TestClient  # type: ignore[type-arg]


@dataclass
class Api:
    """The JSON API as each test person uses it, with their API token; a command gets a fresh ``command_id``."""

    client: TestClient  # type: ignore[type-arg]

    def request(self, method: str, path: str, who: Member | None, **kwargs: Any) -> Any:
        return self.client.request(method, path, headers=who.headers if who else {}, **kwargs)

    def get(self, path: str, who: Member | None = None, **kwargs: Any) -> Any:
        return self.request("GET", path, who, **kwargs)

    def send(self, method: str, path: str, who: Member | None, body: dict[str, Any] | None = None) -> Any:
        return self.request(method, path, who, json={"command_id": command_id(), **(body or {})})

    def post(self, path: str, who: Member | None, body: dict[str, Any] | None = None) -> Any:
        return self.send("POST", path, who, body)

    def put(self, path: str, who: Member | None, body: dict[str, Any] | None = None) -> Any:
        return self.send("PUT", path, who, body)

    def patch(self, path: str, who: Member | None, body: dict[str, Any]) -> Any:
        return self.send("PATCH", path, who, body)

    def ok(self, response: Any, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json()

    def settle(self) -> None:
        """Until the read models show every command so far (tokens act with the roles of the people read model)."""
        settle(self.client)


@dataclass
class Browser:
    """A person's browser: their session cookie, and the CSRF token every form carries."""

    client: TestClient  # type: ignore[type-arg]
    services: Services

    def as_(self, who: Member | None) -> Browser:
        self.client.cookies.clear()
        self.client.get("/connexion")
        if who is not None:
            self.client.cookies.set("forum_session", self.services.auth.open_session(who.person_id, who.organisation))
        return self

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, follow_redirects=False, **kwargs)

    def page(self, path: str, status: int = 200) -> str:
        response = self.get(path)
        assert response.status_code == status, f"{path}: {response.status_code} {response.text[:400]}"
        return str(response.text)

    def post(self, path: str, form: dict[str, Any] | None = None) -> Any:
        data = {"command_id": command_id(), **(form or {}), "_csrf_token": self.client.cookies.get("forum_csrf")}
        return self.client.post(path, data=data, follow_redirects=False)

    def send(self, path: str, form: dict[str, Any] | None = None, notice: str = "") -> str:
        """Post a form that must succeed (303, POST-redirect-GET), and read the page it leads to."""
        response = self.post(path, form)
        assert response.status_code == 303, f"{path}: {response.status_code} {main_text(response.text)[:600]}"
        location = response.headers["location"]
        if notice:
            assert f"ok={notice}" in location, location
        return self.page(location.split("#")[0])


def csrf(client: Client, path: str = "/connexion") -> str:
    """The CSRF token a page hands out (the form's hidden field carries the same)."""
    if not client.cookies.get("forum_csrf"):
        client.get(path)
    token = client.cookies.get("forum_csrf")
    assert token
    return token


def post_form(client: Client, path: str, data: dict[str, str], **kwargs: Any) -> Any:
    return client.post(path, data={**data, "_csrf_token": csrf(client)}, follow_redirects=False, **kwargs)


def sign_in(client: Client, email: str, password: str = PASSWORD) -> Any:
    return post_form(client, "/connexion", {"email": email, "password": password, "suite": "/compte"})


def refused(response: Any, status: int, rule: str, field: str | None = None) -> dict[str, Any]:
    """A problem+json naming the rule (and the field), with a French sentence."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["rule"] == rule, problem
    assert problem["detail"]
    if field is not None:
        assert problem.get("field") == field, problem
    return problem


def store_count(db: Database) -> int:
    with db.connect(autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM store.forum_events").fetchone()
    assert row is not None
    return int(row[0])


def main_text(html: str) -> str:
    """The page's main content as text (tags dropped, spaces squeezed)."""
    found = re.search(r"<main[^>]*>(.*)</main>", html, re.S)
    text = re.sub(r"<[^>]+>", " ", found.group(1) if found else html)
    return re.sub(r"\s+", " ", text.replace("&#39;", "'").replace("&amp;", "&").replace("&nbsp;", " ")).strip()


def refused_beside(html: str, field_id: str) -> str:
    """The error shown beside the field ``field_id`` (linked by aria-describedby), as text."""
    found = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error"[^>]*>([^<]*)</p>', html)
    assert found, f"no error beside {field_id}: {main_text(html)[:800]}"
    assert f'id="{field_id}"' in html
    return found.group(1).replace("&#39;", "'")
