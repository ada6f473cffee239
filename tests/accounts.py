"""People for tests: a member of an organisation with a role, an Actor and an API token (import from any test)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.organisation import Organisation
from forum.access import PLATFORM, SYSTEM, Actor
from forum.application import ForumApplication
from forum.services import Services

PASSWORD = "mot-de-passe-de-test"  # every test member's password


@dataclass(frozen=True)
class Member:
    """A person enrolled for a test: who they are (``actor``), how they sign in, and their API token."""

    actor: Actor
    email: str
    password: str
    token: str

    @property
    def person_id(self) -> str:
        return self.actor.person_id

    @property
    def organisation(self) -> str:
        return self.actor.organisation

    @property
    def headers(self) -> dict[str, str]:
        """``Authorization`` for the JSON API."""
        return {"Authorization": f"Bearer {self.token}"}


def ensure_organisation(
    app: ForumApplication, slug: str, *, name: str | None = None, kind: str = "departement"
) -> None:
    if slug != PLATFORM and not app.exists(Organisation.id_for(slug), slug):
        app.register_organisation(SYSTEM, f"test.org.{slug}", slug=slug, name=name or slug.title(), kind=kind)


def member(
    services: Services,
    organisation: str,
    role: str,
    *,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
) -> Member:
    """Enrol a person of ``organisation`` (registered first if needed) with ``role``, and issue them an API token.

    ``role``: organiser, agent or auditor (``admin`` with organisation ``platform``). Forum roles are granted
    afterwards with ``services.people.grant_forum_role``. Through the web, an API token or session acts with
    the roles of the ``people`` read model: call ``tests.settling.settle(client)`` before the first request.
    """
    ensure_organisation(services.app, organisation)
    email = email or f"{role}.{uuid.uuid4().hex[:8]}@{organisation}.test"
    name = name or f"{role.title()} de {organisation}"
    result = services.people.enrol(
        SYSTEM, uuid.uuid4().hex, organisation=organisation, email=email, name=name, role=role, password=password
    )
    actor = Actor(person_id=result["person_id"], organisation=organisation, roles=frozenset({role}), name=name)
    return Member(
        actor=actor, email=result["email"], password=password, token=services.auth.issue_token(actor, "tests").token
    )
