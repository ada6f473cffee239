"""The domain's refusals: each names the rule it enforces and, when it has one, the field."""

from __future__ import annotations


class DomainError(Exception):
    """A command refused by the domain; nothing is recorded.

    ``rule`` is a stable, machine-readable code (snake_case English);
    ``message`` is the sentence shown to people (French);
    ``field`` names the offending input when there is one.
    """

    status = 409
    rule = "refused"

    def __init__(self, message: str, *, field: str | None = None, rule: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if rule is not None:
            self.rule = rule


class Invalid(DomainError):
    """An input breaks a rule on its own (format, length, range, unknown value)."""

    status = 422
    rule = "invalid"


class NotFound(DomainError):
    """The thing does not exist, or is not visible to the one asking."""

    status = 404
    rule = "not_found"


class Forbidden(DomainError):
    """The actor may see the thing but not do this to it."""

    status = 403
    rule = "forbidden"


class Conflict(DomainError):
    """The command contradicts the current state (already done, too late, over a limit)."""

    status = 409
    rule = "conflict"


class AlreadyExists(Conflict):
    rule = "already_exists"


class ConcurrentChange(Conflict):
    """Someone else changed the same aggregate first: reload and try again."""

    rule = "concurrent_change"
