"""The domain's refusals: each names the rule it enforces and, when it has one, the field."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command refused by the domain; nothing is recorded.

    ``rule`` is a stable, machine-readable code (snake_case English);
    ``message`` is the sentence shown to people (French);
    ``field`` names the offending input when there is one.

    A refusal class states its HTTP status and rule in its header, ``class TooLarge(DomainError, status=413,
    rule="body_too_large")``; one that names neither keeps its parent's.
    """

    status = 409
    rule = "refused"

    def __init_subclass__(cls, *, status: int | None = None, rule: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if rule is not None:
            cls.rule = rule

    def __init__(self, message: str, *, field: str | None = None, rule: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if rule is not None:
            self.rule = rule


class Invalid(DomainError, status=422, rule="invalid"):
    """An input breaks a rule on its own (format, length, range, unknown value)."""


class NotFound(DomainError, status=404, rule="not_found"):
    """The thing does not exist, or is not visible to the one asking."""


class Forbidden(DomainError, status=403, rule="forbidden"):
    """The actor may see the thing but not do this to it."""


class Conflict(DomainError, status=409, rule="conflict"):
    """The command contradicts the current state (already done, too late, over a limit)."""


class AlreadyExists(Conflict, rule="already_exists"):
    """Something of that name or id is there already."""


class ConcurrentChange(Conflict, rule="concurrent_change"):
    """Someone else changed the same aggregate first: reload and try again."""
