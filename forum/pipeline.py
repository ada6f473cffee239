"""The one way a command runs: a msgspec struct, one registered handler, exactly once per command id.

A feature module declares its commands as structs and each handler once::

    class RecordScore(Command):
        project_id: UUID
        scores: dict[str, int]
        comment: str = ""

    @handles(RecordScore, on=ON_FORUM, roles=(JUROR,))
    def record_score(forum: Forum, command: RecordScore, unit: Unit) -> ScoreSaved:
        forum.record_score(juror_id=unit.actor.person_id, ..., meta=unit.meta)
        return ScoreSaved(...)

and every caller (the JSON API, a page's form, the CLI, the demo, a test) runs it the same way:
``run(app, actor, RecordScore(...), ForumRef(host, forum_id))``. Idempotency (the command id), the refusal of an id
reused for another command, retries of a concurrent change, who may act (404 for no standing at all, 403 for the
wrong role), the role recorded in the events and the typed result all happen here, once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar, get_type_hints

import msgspec
from eventsourcing.domain import Aggregate as _Aggregate
from eventsourcing.persistence import IntegrityError

from domain.errors import AlreadyExists, ConcurrentChange, NotFound
from domain.values import Meta, Role, is_slug
from forum.access import Actor
from forum.application import Decision, ForumApplication

log = logging.getLogger("forum.pipeline")

CommandId = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._:-]{1,100}$",
        description="Client-chosen id (1–100 of A-Z a-z 0-9 . _ : -); sending it again is harmless.",
    ),
]


R = TypeVar("R")  # what a command answers
T = TypeVar("T")  # where a command applies: a forum, a call, an organisation …
L = TypeVar("L")  # what its handler decides on (the loaded aggregate)


Slug = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
        min_length=2,
        max_length=63,
        description="an organisation's short name (lowercase letters, digits, hyphens), e.g. nord",
    ),
]


class Command(msgspec.Struct, Generic[R], frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a person asks for, answered by an ``R``. Sent again with the same ``command_id``, it answers its first
    result."""

    command_id: CommandId


C = TypeVar("C", bound=Command[Any])


@dataclass
class Unit(Generic[T]):
    """What a handler may use besides its aggregate and its command: who acts, the command's ``Meta``, the
    target it was sent to, the application (to load another aggregate) and ``also`` (more aggregates to save in
    the same transaction)."""

    app: ForumApplication
    actor: Actor
    meta: Meta
    target: T
    also: list[_Aggregate] = field(default_factory=list)

    def save(self, *aggregates: _Aggregate) -> None:
        self.also.extend(aggregates)


class Scope(Generic[T, L]):
    """A kind of target: the store it names, what a command on it loads, and who may act there.

    ``authorise`` runs on the loaded aggregate (a forum's standing depends on its participants); it raises
    ``NotFound`` for one with no standing at all and ``Forbidden`` for the wrong role, and returns the role used.
    """

    retries = 1  # attempts of a command refused as a concurrent change (an aggregate many people write to: more)

    def store(self, target: T) -> str:
        raise NotImplementedError

    def admit(self, actor: Actor, target: T, roles: Sequence[str]) -> None:
        """Refuse, before anything is read, one who may never act on such a target (no role there, another
        organisation's); the default admits everyone and leaves it to ``authorise``."""

    def load(self, app: ForumApplication, target: T) -> L:
        raise NotImplementedError

    def authorise(self, actor: Actor, target: T, loaded: L, roles: Sequence[str]) -> str:
        raise NotImplementedError

    def recorded_role(self, actor: Actor, roles: Sequence[str]) -> str:
        """The role written in the events' meta: ``admin`` for an administrator, else the first role allowed."""
        return Role.ADMIN.value if actor.is_admin else str(roles[0])


@dataclass(frozen=True)
class Handler(Generic[T, L, C, R]):
    command: type[C]
    name: str  # the name stored with the command (``store.commands.name``): part of the data, never renamed
    scope: Scope[T, L]
    roles: tuple[str, ...]
    result: type[R]
    decide: Callable[[L, C, Unit[T]], R]


_HANDLERS: dict[type[Command[Any]], Handler[Any, Any, Any, Any]] = {}


def handles(
    command: type[C], *, on: Scope[T, L], roles: Sequence[str], name: str | None = None
) -> Callable[[Callable[[L, C, Unit[T]], R]], Callable[[L, C, Unit[T]], R]]:
    """Register ``decide`` as the one handler of ``command`` on targets of ``on``, for people holding ``roles``."""

    def register(decide: Callable[[L, C, Unit[T]], R]) -> Callable[[L, C, Unit[T]], R]:
        if command in _HANDLERS:
            raise TypeError(f"{command.__name__} already has a handler")
        result = get_type_hints(decide).get("return")
        if result is None:
            raise TypeError(f"{decide.__name__} must declare the type of its result")
        _HANDLERS[command] = Handler(
            command=command, name=name or decide.__name__, scope=on, roles=tuple(roles), result=result, decide=decide
        )
        return decide

    return register


def handler_of(command: type[C]) -> Handler[Any, Any, C, Any]:
    try:
        return _HANDLERS[command]
    except KeyError:
        raise LookupError(f"no handler registered for {command.__name__}") from None


def target_key(target: Any) -> str:
    """How a command's target is recorded with it, so that its id sent again for another target is refused."""
    encoded = msgspec.json.encode(target).decode() if isinstance(target, msgspec.Struct) else repr(target)
    return f"{type(target).__name__}:{encoded}"


def run(app: ForumApplication, actor: Actor, command: Command[R], target: Any) -> R:
    """Carry out ``command`` on ``target`` as ``actor``; returns its handler's typed result (the first one, for a
    command id already carried out)."""
    handler = handler_of(type(command))
    scope = handler.scope
    store = scope.store(target)
    if not is_slug(store):  # a target naming no possible organisation (a URL, a body) names nothing
        raise NotFound("Introuvable.", rule="not_found")
    scope.admit(actor, target, handler.roles)

    def decide(meta: Meta) -> Decision:
        loaded = scope.load(app, target)
        scope.authorise(actor, target, loaded, handler.roles)
        unit = Unit(app=app, actor=actor, meta=meta, target=target)
        result = handler.decide(loaded, command, unit)
        saved = [loaded] if isinstance(loaded, _Aggregate) else []
        return [*saved, *unit.also], result

    attempts = max(1, scope.retries)
    for attempt in range(1, attempts + 1):
        try:
            answer = app.execute(
                actor=actor,
                role=scope.recorded_role(actor, handler.roles),
                store=store,
                command_id=command.command_id,
                name=handler.name,
                decide=decide,
                target=target_key(target),
            )
        except (ConcurrentChange, AlreadyExists) as error:
            raced = isinstance(error, ConcurrentChange) or isinstance(error.__cause__, IntegrityError)
            if not raced or attempt == attempts:
                raise
            log.info("%s: changed concurrently, deciding again (%d)", handler.name, attempt)
            time.sleep(random.uniform(0, 0.01 * attempt))  # noqa: S311  # jitter, not cryptography
            continue
        result: R = msgspec.convert(answer, handler.result)
        return result
    raise AssertionError("unreachable")  # pragma: no cover
