"""Builders shared by the tests: commands sent the way every test module sends them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import msgspec

from forum import pipeline
from forum.access import Actor
from forum.application import ForumApplication
from forum.forums import ForumRef
from forum.pipeline import Command


def sends(kind: type[Command[Any]]) -> Callable[..., Any]:
    """A forum command as a function of ``(app, actor, command_id, host=…, forum_id=…, **fields)`` answering its
    result as JSON-like builtins (what a client reads), for the tests' ``run`` helpers."""

    def send(app: ForumApplication, actor: Actor, command_id: str, *, host: str, forum_id: UUID, **fields: Any) -> Any:
        result = pipeline.run(app, actor, kind(command_id=command_id, **fields), ForumRef(host, forum_id))
        return msgspec.to_builtins(result)

    send.__name__ = kind.__name__
    return send
