"""The portfolio after the forum: who may read which pre-incubations, project paths, funnels, convergent projects
and an organisation's own practices, and the scope of the commands an organisation's organisers carry out in its
own store (pre-incubations, practices, adoptions).

The read side's queries take these answers as filters; the commands are in ``forum.pre_incubation`` and
``forum.practices``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

import msgspec

from domain.errors import NotFound
from domain.values import Role
from forum.access import Actor, require_member, require_role
from forum.application import ForumApplication
from forum.pipeline import Scope

ORGANISER = Role.ORGANISER.value
AUDITOR = Role.AUDITOR.value

T = TypeVar("T", bound="InOrganisation")
L = TypeVar("L")


# -- the commands' scope -----------------------------------------------------------------------------------------------


class InOrganisation(msgspec.Struct, frozen=True):
    """Where an organisation's own command applies: its store (a pre-incubation, a practice, an adoption)."""

    organisation: str


class OrganisationRef(InOrganisation, frozen=True):
    """The organisation itself: a command that creates something in its store."""


class ByOrganisers(Scope[T, L]):
    """Commands in an organisation's own store, by its organisers (administrators pass). Another organisation's
    people are refused before anything is read (404: nothing is learnt of what it holds), its other members 403."""

    def store(self, target: T) -> str:
        return target.organisation

    def admit(self, actor: Actor, target: T, roles: Sequence[str]) -> None:
        require_role(actor, target.organisation, *roles)

    def authorise(self, actor: Actor, target: T, loaded: L, roles: Sequence[str]) -> str:
        return require_role(actor, target.organisation, *roles)


class OnOrganisation(ByOrganisers[OrganisationRef, OrganisationRef]):
    """A command creating an aggregate in the organisation's store: nothing to load (the handler saves it)."""

    def load(self, app: ForumApplication, target: OrganisationRef) -> OrganisationRef:
        return target


ON_ORGANISATION = OnOrganisation()


# -- who may read what -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioScope:
    """Which pre-incubations a person's cross-organisation board shows.

    ``everything`` for platform administrators; otherwise the pre-incubations of
    ``organisations`` (their own, as organiser or auditor), those started for
    laureates of forums hosted by ``host_organisations`` or of the ``forum_ids``
    where they hold a host or forum-auditor role, and those ``partners`` support.
    """

    everything: bool = False
    organisations: tuple[str, ...] = ()
    host_organisations: tuple[str, ...] = ()
    forum_ids: tuple[UUID, ...] = ()
    partners: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.everything or self.organisations or self.host_organisations or self.forum_ids or self.partners)


def _reads_for_organisation(actor: Actor) -> bool:
    return ORGANISER in actor.roles or AUDITOR in actor.roles


def _forum_ids(actor: Actor, *roles: str) -> tuple[UUID, ...]:
    ids = []
    for forum_id, role in actor.forum_roles:
        if role in roles:
            try:
                ids.append(UUID(str(forum_id)))
            except ValueError:
                continue
    return tuple(sorted(ids))


def portfolio_scope(actor: Actor) -> PortfolioScope:
    if actor.is_admin:
        return PortfolioScope(everything=True)
    own = (actor.organisation,) if _reads_for_organisation(actor) else ()
    return PortfolioScope(
        organisations=own,
        host_organisations=own,
        forum_ids=_forum_ids(actor, Role.HOST, Role.FORUM_AUDITOR),
        partners=own,
    )


def require_portfolio_reader(actor: Actor, organisation: str) -> str:
    """An organisation's portfolio: its organisers and auditors (others: not found; its agents: forbidden)."""
    return require_role(actor, organisation, ORGANISER, AUDITOR)


def may_read_pre_incubation(
    actor: Actor,
    *,
    organisation: str,
    forum_id: UUID | None = None,
    forum_host: str | None = None,
    partner: str | None = None,
    team: Sequence[str] = (),
) -> bool:
    """A project's path: its organisation's organisers and auditors, its team, the host of the forum that made it
    a laureate, and the partner supporting it."""
    if actor.is_admin or (actor.person_id in team and actor.organisation == organisation):
        return True
    scope = portfolio_scope(actor)
    return (
        organisation in scope.organisations
        or (forum_host is not None and forum_host in scope.host_organisations)
        or (forum_id is not None and forum_id in scope.forum_ids)
        or (partner is not None and partner in scope.partners)
    )


def require_project_path_reader(
    actor: Actor,
    *,
    organisation: str,
    forum_id: UUID | None = None,
    forum_host: str | None = None,
    partner: str | None = None,
    team: Sequence[str] = (),
) -> None:
    if not may_read_pre_incubation(
        actor, organisation=organisation, forum_id=forum_id, forum_host=forum_host, partner=partner, team=team
    ):
        raise NotFound("Projet introuvable.")


def require_convergence_reader(actor: Actor, organisation: str) -> str:
    """Convergent projects are shown to the organisers of the organisations concerned, nobody else."""
    return require_role(actor, organisation, ORGANISER)


def require_funnel_reader(actor: Actor | None, *, host: str, forum_id: UUID, published: bool) -> None:
    """A forum's funnel is public once its palmarès is; before, its host's organisers and auditors only."""
    if published:
        return
    if actor is None:
        raise NotFound("Forum introuvable.")
    if actor.is_admin:
        return
    if forum_id in _forum_ids(actor, Role.HOST, Role.FORUM_AUDITOR):
        return
    require_member(actor, host)
    if not _reads_for_organisation(actor):
        raise NotFound("Forum introuvable.")


def require_own_practices_reader(actor: Actor, organisation: str) -> str:
    """An organisation's drafts and withdrawn practices: its organisers and auditors."""
    return require_role(actor, organisation, ORGANISER, AUDITOR)
