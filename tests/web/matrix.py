"""The isolation matrix's vocabulary, shared by ``test_isolation_matrix.py`` and its ``matrix_*.py`` entries: the
visitors, the expected statuses (cell by cell or by preset), the ``World`` every cell runs against, and a
``Case``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar.testing import TestClient

from forum.access import SYSTEM
from forum.services import Services
from tests.accounts import PASSWORD, Member
from tests.builders import calls
from tests.settling import settle

A, B = "nord", "oise"
VISITORS = ("anonymous", "agent_a", "organiser_a", "auditor_a", "agent_b", "organiser_b", "admin")
LOGIN = "login"  # a page sends anonymous visitors to /connexion (303)
Status = int | str


def expect(  # noqa: PLR0917  # one status per visitor, in VISITORS order: each entry reads as a table row
    anonymous: Status,
    agent_a: Status,
    organiser_a: Status,
    auditor_a: Status,
    agent_b: Status,
    organiser_b: Status,
    admin: Status,
) -> dict[str, Status]:
    return dict(zip(VISITORS, (anonymous, agent_a, organiser_a, auditor_a, agent_b, organiser_b, admin), strict=True))


# Presets, named for who may: the API answers anonymous visitors 401, pages send them to sign in.
def public(ok: int = 200) -> dict[str, Status]:
    return expect(ok, ok, ok, ok, ok, ok, ok)


def api_signed_in(ok: int = 200) -> dict[str, Status]:
    return expect(401, ok, ok, ok, ok, ok, ok)


def api_members(ok: int = 200) -> dict[str, Status]:
    """Any member of A (and administrators); B does not see A's private resources."""
    return expect(401, ok, ok, ok, 404, 404, ok)


def api_readers(ok: int = 200) -> dict[str, Status]:
    """A's organisers and auditors."""
    return expect(401, 403, ok, ok, 404, 404, ok)


def api_organisers(ok: int = 200) -> dict[str, Status]:
    return expect(401, 403, ok, 403, 404, 404, ok)


def api_admins(ok: int = 200) -> dict[str, Status]:
    return expect(401, 403, 403, 403, 403, 403, ok)


def page_signed_in(ok: int = 200) -> dict[str, Status]:
    return expect(LOGIN, ok, ok, ok, ok, ok, ok)


def page_readers(ok: int = 200) -> dict[str, Status]:
    return expect(LOGIN, 403, ok, ok, 404, 404, ok)


def page_organisers(ok: int = 303) -> dict[str, Status]:
    return expect(LOGIN, 403, ok, 403, 404, 404, ok)


def page_admins(ok: int = 200) -> dict[str, Status]:
    return expect(LOGIN, 403, 403, 403, 403, 403, ok)


@dataclass
class World:
    """The data every cell runs against: organisations A and B, one person per visitor, helpers for fresh data, and
    the app's client (to wait for its read models)."""

    services: Services
    members: dict[str, Member]
    client: TestClient  # type: ignore[type-arg]
    shared: dict[str, Any] = field(default_factory=dict)

    def settle(self) -> None:
        """Until every read model shows what was written (the pages, and the forum roles sessions and tokens carry)."""
        settle(self.client)

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def ensure(self, key: str, make: Callable[[], Any]) -> Any:
        """A resource made once for the whole matrix (for reads)."""
        if key not in self.shared:
            self.shared[key] = make()
        return self.shared[key]

    def fresh_person(self, status: str = "active", organisation: str = A) -> str:
        """A new person of ``organisation``: ``active``, ``invited`` (not joined) or ``deactivated``."""
        people, email = self.services.people, f"p.{self.new_id()[:10]}@{organisation}.test"
        if status == "invited":
            return str(
                people.invite(
                    SYSTEM, self.new_id(), organisation=organisation, email=email, name="Invitée", role="agent"
                )["person_id"]
            )
        person_id = str(
            people.enrol(
                SYSTEM,
                self.new_id(),
                organisation=organisation,
                email=email,
                name="Nouvelle",
                role="agent",
                password=PASSWORD,
            )["person_id"]
        )
        if status == "deactivated":
            people.deactivate(SYSTEM, self.new_id(), organisation=organisation, person_id=person_id)
        return person_id

    def selected_project(self, organiser: Member, author: Member, batch: int = 30) -> str:
        """A project of ``author``'s, selected by ``organiser`` — taken from a batch (selection needs a closed call)."""
        pool: list[str] = self.ensure(f"selected-projects-{organiser.person_id}", list)
        if not pool:
            app, organisation = self.services.app, organiser.organisation
            now = app.clock()
            call = calls.draft_call(
                app,
                organiser.actor,
                self.new_id(),
                organisation=organisation,
                title=f"Appel {self.new_id()[:6]}",
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=30),
                open_now=True,
            )
            call_id = UUID(call["id"])
            projects = [
                calls.draft_project(
                    app,
                    author.actor,
                    self.new_id(),
                    call_organisation=organisation,
                    call_id=call_id,
                    title=f"Projet {self.new_id()[:6]}",
                    problem="Un problème.",
                    solution="Une solution.",
                    submit=True,
                )["id"]
                for _ in range(batch)
            ]
            calls.close_call(app, organiser.actor, self.new_id(), organisation=organisation, call_id=call_id)
            for project_id in projects:
                calls.decide_project(
                    app,
                    organiser.actor,
                    self.new_id(),
                    call_organisation=organisation,
                    call_id=call_id,
                    organisation=organisation,
                    project_id=UUID(project_id),
                    outcome="selected",
                )
            pool.extend(projects)
        return pool.pop()

    def fresh_token_of(self, visitor: str) -> str:
        """The id of a new API token of ``visitor`` (to revoke)."""
        return self.services.auth.issue_token(self.members[visitor].actor, "à révoquer").id


def a(**extra: Callable[[World], str]) -> Callable[[World], dict[str, str]]:
    """Path parameters: ``slug`` is organisation A, plus ``extra`` computed per cell."""
    return lambda w: {"slug": A, **{name: make(w) for name, make in extra.items()}}


def no_params(_: World) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class Case:
    expect: dict[str, Status]
    params: Callable[[World], dict[str, str]] = no_params
    body: Callable[[World], Any] | None = None


def command(w: World) -> dict[str, str]:
    return {"command_id": w.new_id()}
