"""How the web carries out a command: the JSON API hands the decoded struct to ``forum.pipeline.run``; a page's form
does the same through ``submit``, which re-renders the form with every refusal beside its field, or redirects to the
page once the read models show what was just written."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.concurrency import sync_to_thread
from litestar.di import Provide
from litestar.response import Redirect, Template

from domain.errors import Conflict, DomainError, Invalid
from forum import pipeline
from forum.access import Actor
from forum.application import ForumApplication
from forum.forums import ForumRef, forum_id_for
from forum.pipeline import Command
from web.context import actor_of, services_of

C = TypeVar("C", bound=Command[Any])
R = TypeVar("R")
FIELD_REFUSALS = (Invalid, Conflict)  # shown beside the form; NotFound and Forbidden are error pages


def forum_ref(host: str, forum: str) -> ForumRef:
    """The forum a URL names (by its key or its id)."""
    return ForumRef(host, forum_id_for(host, forum))


Carry = Callable[[ForumApplication, Actor, Any, Any], Any]  # how a command is carried out: ``pipeline.run``, or a
# feature's function of the same shape running it with its next step (a nomination's, a publication's anchor)


def command(request: Request[Any, Any, Any], command: Command[R], target: Any, *, through: Carry | None = None) -> R:
    """Run ``command`` on ``target`` as the signed-in person (in a worker thread: declare ``sync_to_thread=True``),
    by ``pipeline.run`` or ``through``."""
    carry = through or pipeline.run
    result: R = carry(services_of(request).app, actor_of(request), command, target)
    return result


def targets(named_by_url: Callable[..., Any]) -> dict[str, Provide]:
    """A controller's ``dependencies``: the ``target`` of its commands, made from the path parameters the URL names
    (``named_by_url`` declares them, with their descriptions, so the schema documents them once)."""
    return {"target": Provide(named_by_url, sync_to_thread=False)}


def with_path(body: Command[Any], kind: type[C], **path: Any) -> C:
    """The command a route's body and path make together (``Score`` + the project in the URL = ``RecordScore``)."""
    return kind(**{name: getattr(body, name) for name in body.__struct_fields__}, **path)


# -- pages -------------------------------------------------------------------------------------------------------------


async def form_of(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The form's fields: a text each, a list where a name repeats or ends with ``[]``."""
    form = await request.form()
    fields: dict[str, Any] = {}
    for key in form:
        values = [value for value in form.getall(key) if isinstance(value, str)]
        fields[key] = values if len(values) > 1 or key.endswith("[]") else (values[0] if values else "")
    return fields


def command_id_of(form: dict[str, Any]) -> str:
    """The form's command id (set when the form was drawn, so a double submission records once), else a new one."""
    value = form.get("command_id")
    return value if isinstance(value, str) and value else uuid.uuid4().hex


def from_form(kind: type[C], values: dict[str, Any]) -> C:
    """A command from a form's values (texts: numbers and dates are read from them); a value of the wrong type is
    refused naming its field."""
    try:
        made: C = msgspec.convert(values, kind, strict=False)
    except msgspec.ValidationError as error:
        message = str(error)
        field = message.rsplit("at `$.", 1)[1].rstrip("`").split("[")[0] if "at `$." in message else None
        raise Invalid("Cette valeur n'est pas valide.", field=field, rule="invalid_value") from None
    return made


def refusal(
    error: DomainError, failed: str, form: dict[str, Any] | None = None, aliases: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What shows a refusal beside the form that was sent: its message by field (named as the form names it, where
    ``aliases`` says it differs from the command's field), the form as typed, the status."""
    field = (aliases or {}).get(error.field or "", error.field)
    return {
        "errors": {field: error.message} if field else {},
        "problem": error.message,
        "failed": failed,
        "form": form or {},
        "status": error.status,
    }


async def settled(request: Request[Any, Any, Any], projections: Iterable[str] = (), patience: float = 3.0) -> None:
    """Wait (briefly) until the read models (``projections``, or all) show what was just written."""
    names = set(projections)
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        statuses = await request.app.state.projector.status()
        waiting = [s for s in statuses if (not names or s.projection in names) and not getattr(s, "error", None)]
        if all(s.behind_events == 0 for s in waiting):
            return
        await asyncio.sleep(0.02)


async def done(request: Request[Any, Any, Any], target: str, notice: str, projections: Iterable[str] = ()) -> Redirect:
    """Back to ``target`` with ``notice`` once the read models show the change (``#anchor`` kept last)."""
    await settled(request, projections)
    target, _, anchor = target.partition("#")
    return Redirect(f"{target}?ok={notice}" + (f"#{anchor}" if anchor else ""), status_code=303)


async def submit(
    request: Request[Any, Any, Any],
    make: Callable[[], Command[Any]],
    target: Any,
    *,
    then: str | Callable[[Any], str],
    notice: str,
    again: Callable[[dict[str, Any]], Awaitable[Template]],
    failed: str = "",
    form: dict[str, Any] | None = None,
    aliases: Mapping[str, str] | None = None,
    projections: Iterable[str] = (),
    through: Carry | None = None,
) -> Template | Redirect:
    """A page's command: build it from the form (``make``), run it (``through``: see ``command``), and redirect to
    ``then`` (or where ``then`` of the result points) with ``notice``; a refusal re-renders the page (``again``) with
    the message beside its field and the form as typed."""
    try:
        made = make()
        result = await sync_to_thread(lambda: command(request, made, target, through=through))
    except FIELD_REFUSALS as error:
        return await again(refusal(error, failed, form, aliases))
    return await done(request, then if isinstance(then, str) else then(result), notice, projections)
