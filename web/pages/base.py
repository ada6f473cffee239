"""What every page module shares: the read models' pool, the application's clock, the page drawn with its defaults
(who is looking, no refusal, the notice its ``?ok=`` names, a fresh command id for its forms), and how a page's form
runs one command on the target its URL names (``On.sends``: a forum, a call, a project, a pre-incubation, an
adoption, an organisation)."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from litestar import Request, post
from litestar.handlers import HTTPRouteHandler
from litestar.response import Redirect, Template

from forum import pipeline
from forum.pipeline import Command
from web import commands
from web.commands import FIELD_REFUSALS, command_id_of, form_of, targets
from web.context import maybe_actor, services_of

Form = dict[str, Any]
Page = Template | Redirect


def now(request: Request[Any, Any, Any]) -> datetime:
    """The application's clock."""
    moment: datetime = services_of(request).app.clock()
    return moment


def page(
    request: Request[Any, Any, Any],
    template: str,
    notices: Mapping[str, str] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> Template:
    """``template`` with ``context`` over the defaults every page draws with."""
    context.setdefault("actor", maybe_actor(request))
    context.setdefault("errors", {})
    context.setdefault("problem", None)
    context.setdefault("notice", (notices or {}).get(request.query_params.get("ok", "")))
    context.setdefault("command_id", uuid.uuid4().hex)
    return Template(template, context=context, status_code=status, headers=dict(headers or {}))


# -- a page's command --------------------------------------------------------------------------------------------------


class Opened(Protocol):
    """What a page's command is sent on: the target the command names, and the page ``then`` is relative to."""

    @property
    def target(self) -> Any: ...

    @property
    def base(self) -> str: ...


@dataclass(frozen=True)
class At:
    """A target and its page, as they are (no reading needed before the form)."""

    target: Any
    base: str


Opens = Callable[[Request[Any, Any, Any], Any, type[Command[Any]]], Awaitable[Opened]]  # (request, the target the
# URL names, the command) → what the command is sent on, refused (404, 403) before the form is read
Fields = Callable[[Form, Any], Mapping[str, Any] | Awaitable[Mapping[str, Any]]]  # (form, opened) → the values
Redraw = Callable[..., Awaitable[Template]]  # a page controller's own drawing, called (controller, request, opened,
# **refused) to show a refusal beside its field


@dataclass(frozen=True)
class On:
    """A kind of target pages send commands on: the dependency that makes it from the URL's parameters (``named``,
    as the JSON API's ``web.commands.targets``), what is checked and read first (``opens``, else the target with
    its page at ``base``), the read models a redirect waits for and the form's names for the commands' fields."""

    named: Callable[..., Any]
    projections: tuple[str, ...]
    opens: Opens | None = None
    base: Callable[[Any], str] = lambda target: ""
    aliases: Mapping[str, str] = field(default_factory=dict)

    def at(self, target: Any) -> At:
        """The target with its page."""
        return At(target, self.base(target))

    async def open(self, request: Request[Any, Any, Any], target: Any, kind: type[Command[Any]]) -> Opened:
        return await self.opens(request, target, kind) if self.opens else self.at(target)

    def sending(self, kind: type[Command[Any]], **how: Any) -> Sends:
        """How a handler that looks something up first (or chooses the command) runs ``kind``: ``.run`` it."""
        return Sends(kind, on=self, **how)

    def sends(self, path: str, kind: type[Command[Any]], **how: Any) -> HTTPRouteHandler:
        """A page's POST route that runs ``kind`` on the target the URL names (``Sends`` says how); the URL's other
        parameters that are fields of the command are given to it (``{organisation}``, ``{project_id}`` …)."""
        spec = self.sending(kind, **how)

        async def sending(controller: Any, request: Request[Any, Any, Any], target: Any) -> Page:
            return await spec(controller, request, target)

        sending.__name__ = sending.__qualname__ = pipeline.handler_of(kind).name
        return post(path, dependencies=targets(self.named))(sending)


def typed(form: Form, kind: type[Command[Any]]) -> dict[str, Any]:
    """The form's values named as the command's fields (``from_form`` reads numbers and dates from them)."""
    return {name: form[name] for name in kind.__struct_fields__ if name in form and name != "command_id"}


@dataclass(frozen=True)
class Sends:
    """How a page runs one command: ``fields`` makes its values from the form (else the form's values named alike),
    the URL's own parameters join them; then the page at ``then`` (under the opened target's page, formatted with
    the URL's parameters; or where ``then`` of the result points) with ``notice``, or ``again`` with the refusal
    beside the field of the form ``failed`` names."""

    kind: type[Command[Any]]
    then: str | Callable[[Any], str]
    notice: str | Callable[[Form], str]
    again: Redraw
    on: On
    failed: str | Callable[[Form], str] = ""
    fields: Fields | None = None
    through: commands.Carry | None = None

    async def __call__(self, controller: Any, request: Request[Any, Any, Any], target: Any) -> Page:
        opened = await self.on.open(request, target, self.kind)
        return await self.run(controller, request, opened, await form_of(request), **request.path_params)

    async def run(
        self, controller: Any, request: Request[Any, Any, Any], opened: Opened, form: Form, **path: Any
    ) -> Page:
        """Send the command on the target already opened, with ``form`` (``path``: the URL's parameters)."""

        async def again(refused: dict[str, Any]) -> Template:
            return await self.again(controller, request, opened, **refused)

        failed = self.failed.format(**path) if isinstance(self.failed, str) else self.failed(form)
        try:
            found = typed(form, self.kind) if self.fields is None else self.fields(form, opened)
            values = await found if inspect.isawaitable(found) else found
        except FIELD_REFUSALS as error:
            return await again(commands.refusal(error, failed, form, self.on.aliases))
        given = {name: value for name, value in path.items() if name in self.kind.__struct_fields__}
        sent = {**values, **given, "command_id": command_id_of(form)}
        then = self.then
        return await commands.submit(
            request,
            lambda: commands.from_form(self.kind, sent),
            opened.target,
            then=opened.base + then.format(**path) if isinstance(then, str) else then,
            notice=self.notice if isinstance(self.notice, str) else self.notice(form),
            again=again,
            failed=failed,
            form=form,
            aliases=self.on.aliases,
            projections=self.on.projections,
            through=self.through,
        )
