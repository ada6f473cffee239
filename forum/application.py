"""The application: one eventsourcing application for every organisation; ``execute``, how every command is recorded
exactly once (``forum.pipeline.run`` calls it); and the organisations' own commands (register, rename)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from uuid import UUID

import msgspec
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate as _Aggregate
from eventsourcing.persistence import IntegrityError, Recording

from domain.errors import AlreadyExists, ConcurrentChange, Conflict, DomainError, Invalid, NotFound
from domain.organisation import Organisation
from domain.values import Meta
from forum.access import PLATFORM, Actor, require_admin, require_role
from forum.database import Database
from forum.eventstore import CommandRecord, ForumPostgresFactory, PriorCommand, TenantRecorder, WhoActs
from forum.tenancy import store_of

A = TypeVar("A", bound=_Aggregate)
Clock = Callable[[], datetime]
Decision = tuple[Sequence[_Aggregate], Any]

_COMMAND_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
# Seconds a command waits for a database connection before it is answered "unavailable" (503): while
# PostgreSQL is down the pool has none to lend; once it is back, a checked connection is lent at once.
CONNECTION_WAIT = 5


def system_clock() -> datetime:
    return datetime.now(UTC)


class ForumApplication(Application[UUID]):
    """Every organisation's commands, through one application and one connection pool.

    The name is deliberate and permanent: the library derives the events table
    (``store.forum_events``) from it.
    """

    name = "Forum"

    def __init__(self, db: Database, *, clock: Clock = system_clock, pool_size: int = 4) -> None:
        self.clock = clock
        super().__init__(
            env={
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": db.dbname,
                "POSTGRES_HOST": db.host,
                "POSTGRES_PORT": str(db.port),
                "POSTGRES_USER": db.user,
                "POSTGRES_PASSWORD": db.password,
                "POSTGRES_SCHEMA": "store",
                "POSTGRES_POOL_SIZE": str(pool_size),
                "POSTGRES_MAX_OVERFLOW": "0",
                "POSTGRES_LOCK_TIMEOUT": "10",
                "POSTGRES_CONNECT_TIMEOUT": str(CONNECTION_WAIT),
                "CREATE_TABLE": "n",
                "MAPPER_TOPIC": "forum.eventstore:MsgspecMapper",
                "APPLICATION_RECORDER_TOPIC": "forum.eventstore:TenantRecorder",
            }
        )

    def construct_factory(self, env: Any) -> ForumPostgresFactory:  # type: ignore[override]
        return ForumPostgresFactory(env)

    @property
    def store(self) -> TenantRecorder:
        return cast(TenantRecorder, self.recorder)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save, which also writes who acts after the people and forum roles it changes, in the same
        statement as their events (``WhoActs``): a role granted counts from the next request, projected or not."""
        kwargs.setdefault("who_acts", WhoActs.of(objs))
        return super().save(*objs, **kwargs)

    def backfill_who_acts(self) -> int:
        """Who acts after the people and forum roles stored before migration 0005 (listed by it): built from their
        events, once (an aggregate saved since keeps its newer state); returns how many aggregates were read."""
        listed = self.store.who_acts_backfill()
        for organisation, aggregate_id in listed:
            with store_of(organisation):
                try:
                    aggregate: Any = self.repository.get(aggregate_id)
                except AggregateNotFoundError:
                    aggregate = None
                self.store.backfill_who_acts(aggregate_id, WhoActs.of([aggregate], changed_only=False))
        return len(listed)

    # -- the one way a command is carried out -------------------------------------------------

    def execute(
        self,
        *,
        actor: Actor,
        role: str,
        store: str,
        command_id: str,
        name: str,
        decide: Callable[[Meta], Decision],
        correlation_id: str | None = None,
        target: str | None = None,
    ) -> Any:
        """Carry out a command in ``store``'s history: exactly once per (actor, command id).

        ``decide`` loads what it needs, calls domain commands (which raise to refuse) and
        returns the aggregates to save and a result. The events and the command's record are
        written in one transaction; the same command sent again with its id returns the first result.

        The command is its name and its target in ``store``: ``target`` when the caller names it, else the
        aggregates it changes that existed before it (not the ones it creates, whose ids are new each time).
        The id sent again with another name or target is refused (``command_id_reused``), recording nothing.
        """
        if not _COMMAND_ID.match(command_id):
            raise Invalid(
                "L'identifiant de commande doit compter 1 à 100 caractères parmi lettres, chiffres et . _ : -",
                field="command_id",
                rule="command_id_format",
            )
        with store_of(store):
            with self.store.reading():  # the look-up and the loads share one read transaction
                prior = self.store.select_command(actor.person_id, command_id)
                if prior is not None:
                    _check_same_command(prior, name, target)
                    if target is not None or prior.target is None:
                        return msgspec.json.decode(prior.result)
                meta = Meta(
                    actor=actor.person_id,
                    role=role,
                    organisation=store,
                    actor_organisation=actor.organisation,
                    at=self.clock(),
                    command_id=command_id,
                    correlation_id=correlation_id or command_id,
                )
                try:
                    aggregates, result = decide(meta)
                except DomainError:
                    # The first command, sent again, may no longer be decided (the call it opened is open): answer
                    # it. It may also have been recorded by another request since the look-up (read committed).
                    prior = prior or self.store.select_command(actor.person_id, command_id)
                    if prior is None:
                        raise
                    _check_same_command(prior, name, target)
                    return msgspec.json.decode(prior.result)
                fingerprint = target if target is not None else _changed_aggregates(aggregates)
                if prior is not None:  # the same name, with a target known only once decided
                    _check_same_command(prior, name, fingerprint)
                    return msgspec.json.decode(prior.result)
            encoded = msgspec.json.encode(result)
            creating = any(a.version == len(a.pending_events) for a in aggregates if a.pending_events)
            record = CommandRecord(actor.person_id, command_id, name, encoded, target=fingerprint)
            try:
                self.save(*aggregates, command=record)
            except IntegrityError as error:
                if "commands_pkey" in str(error):  # the same id, recorded meanwhile by another request
                    prior = self.store.select_command(actor.person_id, command_id)
                    if prior is not None:
                        _check_same_command(prior, name, fingerprint)
                        return msgspec.json.decode(prior.result)
                if creating:
                    raise AlreadyExists("Cela existe déjà.", rule="already_exists") from error
                raise ConcurrentChange(
                    "Quelqu'un d'autre a modifié la même chose au même moment : rechargez et recommencez.",
                ) from error
            return msgspec.json.decode(encoded)

    def load(self, cls: type[A], aggregate_id: UUID, store: str, *, what: str = "Introuvable.") -> A:
        """An aggregate of ``store``; another organisation's (or a missing one) is not found."""
        with store_of(store):
            try:
                aggregate: Any = self.repository.get(aggregate_id)
            except AggregateNotFoundError:
                raise NotFound(what) from None
        if not isinstance(aggregate, cls):
            raise NotFound(what)
        return aggregate

    def exists(self, aggregate_id: UUID, store: str) -> bool:
        with store_of(store):
            return aggregate_id in self.repository

    # -- organisations ------------------------------------------------------------------------

    def register_organisation(self, actor: Actor, command_id: str, *, slug: str, name: str, kind: str) -> Any:
        role = require_admin(actor)

        def decide(meta: Meta) -> Decision:
            org = Organisation.register(slug=slug, name=name, kind=kind, meta=meta)
            if slug == PLATFORM:  # the pseudo-organisation of platform administrators
                raise AlreadyExists(f"L'identifiant « {slug} » est réservé.", field="slug", rule="slug_reserved")
            if self.exists(org.id, slug):
                raise AlreadyExists(f"L'identifiant « {slug} » est déjà pris.", field="slug", rule="slug_taken")
            return [org], {"slug": slug, "id": str(org.id)}

        return self.execute(
            actor=actor,
            role=role,
            store=_store_for_new(slug),
            command_id=command_id,
            name="register_organisation",
            decide=decide,
        )

    def rename_organisation(self, actor: Actor, command_id: str, *, slug: str, name: str) -> Any:
        role = require_role(actor, slug, "organiser")

        def decide(meta: Meta) -> Decision:
            org = self.load(Organisation, Organisation.id_for(slug), slug, what=f"Organisation « {slug} » introuvable.")
            org.rename(name=name, meta=meta)
            return [org], {"slug": slug, "name": org.name}

        return self.execute(
            actor=actor, role=role, store=slug, command_id=command_id, name="rename_organisation", decide=decide
        )


def _changed_aggregates(aggregates: Sequence[_Aggregate]) -> str:
    """The target of a command that names none: the aggregates it changes that existed before it."""
    changed = sorted({str(a.id) for a in aggregates if a.pending_events and a.version > len(a.pending_events)})
    return "aggregates:" + ",".join(changed)


def _check_same_command(prior: PriorCommand, name: str, target: str | None) -> None:
    """Refuses a command id already used for another command. A row recorded before targets has none; one whose
    target was found from the aggregates it changed (``aggregates:…``) cannot be compared with a target the caller
    names: both are compared by name only."""
    comparable = target is not None and prior.target is not None
    if comparable and (prior.target or "").startswith("aggregates:") != (target or "").startswith("aggregates:"):
        comparable = False
    same_target = not comparable or prior.target == target
    if prior.name != name or not same_target:
        raise Conflict(
            "Cet identifiant de commande a déjà servi pour une autre action : "
            "envoyez cette action avec un nouvel identifiant.",
            field="command_id",
            rule="command_id_reused",
        )


def _store_for_new(slug: str) -> str:
    # A malformed slug must be refused by the domain with its rule, not by the store's check.
    return slug if slug.strip() else "-"
