"""Builders shared by the tests: commands sent the way every test module sends them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import msgspec

from domain.idea_call import paris_end_of_day, paris_start_of_day
from forum import forums, pipeline
from forum.access import Actor
from forum.application import ForumApplication
from forum.calls import (
    AmendCall,
    CallRef,
    CancelCall,
    CloseCall,
    DraftCall,
    OpenCall,
    OrganisationRef,
    PublishAnnouncement,
    RecordSelection,
    UndecidedProjects,
)
from forum.forums import ForumRef
from forum.pipeline import Command
from forum.projects import (
    AcceptInvitation,
    AnswerRef,
    DecideProject,
    DeclineInvitation,
    DraftProject,
    EditProject,
    InviteCoAuthor,
    ProjectRef,
    SubmissionRef,
    SubmitProject,
    WithdrawInvitation,
    WithdrawProject,
)
from forum.services import Services
from tests.accounts import Member
from tests.conftest import Clock, command_id


def sends(kind: type[Command[Any]]) -> Callable[..., Any]:
    """A forum command as a function of ``(app, actor, command_id, host=…, forum_id=…, **fields)`` answering its
    result as JSON-like builtins (what a client reads), for the tests' ``run`` helpers."""

    def send(app: ForumApplication, actor: Actor, command_id: str, *, host: str, forum_id: UUID, **fields: Any) -> Any:
        result = pipeline.run(app, actor, kind(command_id=command_id, **fields), ForumRef(host, forum_id))
        return msgspec.to_builtins(result)

    send.__name__ = kind.__name__
    return send


def sends_to(
    kind: type[Command[Any]], ref: type[msgspec.Struct], *, spread: str | None = None, **renames: str
) -> Callable[..., Any]:
    """A command on another kind of target (a call, a project …) as a function of ``(app, actor, command_id,
    **fields)``: the fields named as ``ref``'s build the target (an ``organisation`` not given is the actor's), the
    others the command (``renames``: an old keyword → the command's field; ``spread``: a keyword whose mapping holds
    fields), decoded as the API decodes a body; it answers its result as JSON-like builtins."""

    def send(app: ForumApplication, actor: Actor, command_id: str, **fields: Any) -> Any:
        if spread is not None:
            fields = {**{k: v for k, v in fields.items() if k != spread}, **fields.get(spread, {})}
        where = {name: fields.pop(name) for name in ref.__struct_fields__ if name in fields}
        if "organisation" in ref.__struct_fields__:
            where.setdefault("organisation", actor.organisation)
        body = {renames.get(name, name): value for name, value in fields.items()}
        if unknown := set(body) - set(kind.__struct_fields__):  # as the struct's constructor says it
            raise TypeError(f"{kind.__name__} has no field {', '.join(sorted(unknown))}")
        command = msgspec.convert({"command_id": command_id, **msgspec.to_builtins(body)}, kind)
        result = pipeline.run(app, actor, command, msgspec.convert(msgspec.to_builtins(where), ref))
        return msgspec.to_builtins(result)

    send.__name__ = kind.__name__
    return send


# The calls' and projects' commands with the keywords the tests have always sent them (``calls.draft_call(app, actor,
# command_id, organisation=…, …)``): ``from tests.builders import calls``.
calls = SimpleNamespace(
    draft_call=sends_to(DraftCall, OrganisationRef, open_now="open"),
    amend_call=sends_to(AmendCall, CallRef, spread="changes"),
    open_call=sends_to(OpenCall, CallRef),
    close_call=sends_to(CloseCall, CallRef),
    cancel_call=sends_to(CancelCall, CallRef),
    publish_announcement=sends_to(PublishAnnouncement, CallRef),
    record_selection=sends_to(RecordSelection, CallRef),
    draft_project=sends_to(DraftProject, AnswerRef),
    submit_project=sends_to(SubmitProject, ProjectRef),
    edit_project=sends_to(EditProject, ProjectRef, spread="changes"),
    withdraw_project=sends_to(WithdrawProject, ProjectRef),
    invite_co_author=sends_to(InviteCoAuthor, ProjectRef, person_organisation="organisation"),
    withdraw_invitation=sends_to(WithdrawInvitation, ProjectRef),
    accept_invitation=sends_to(AcceptInvitation, ProjectRef),
    decline_invitation=sends_to(DeclineInvitation, ProjectRef),
    decide_project=sends_to(DecideProject, SubmissionRef),
    UndecidedProjects=UndecidedProjects,
)


def sends_to(kind: type[Command[Any]], target: type[msgspec.Struct]) -> Callable[..., Any]:
    """A command on another kind of target (a pre-incubation, a practice …) as a function of ``(app, actor,
    command_id, **fields)``: the target's fields (``organisation``, ``project_id`` …) are taken from ``fields`` by
    name, the rest make the command (converted as a client's JSON would be); answers builtins, like ``sends``."""
    names = target.__struct_fields__

    def send(app: ForumApplication, actor: Actor, command_id: str, **fields: Any) -> Any:
        where = target(**{name: fields.pop(name) for name in names})
        sent = msgspec.convert({"command_id": command_id, **fields}, kind, strict=False)
        return msgspec.to_builtins(pipeline.run(app, actor, sent, where))

    send.__name__ = kind.__name__
    return send


def carried(kind: type[Command[Any]], through: Callable[..., Any], **renames: str) -> Callable[..., Any]:
    """Like ``sends``, for a forum command its feature carries out with a next step (``forums.nominate``: the forum's
    command, then the project's; ``forums.publish``: then the anchor); ``renames``: an old keyword → the field."""

    def send(app: ForumApplication, actor: Actor, command_id: str, *, host: str, forum_id: UUID, **fields: Any) -> Any:
        body = {renames.get(name, name): value for name, value in fields.items()}
        return msgspec.to_builtins(through(app, actor, kind(command_id=command_id, **body), ForumRef(host, forum_id)))

    send.__name__ = kind.__name__
    return send


nominates = carried(forums.Nominate, forums.nominate, organisation="project_organisation")
withdraws = carried(forums.WithdrawNomination, forums.withdraw, organisation="project_organisation")
publishes = carried(forums.PublishPalmares, forums.publish)


def plans(app: ForumApplication, actor: Actor, command_id: str, *, host: str, **fields: Any) -> Any:
    """A forum planned in ``host`` (its target is the host organisation: ``forum.forums.ON_HOST``), as builtins."""
    planned = forums.PlanForum(command_id=command_id, **fields)
    return msgspec.to_builtins(pipeline.run(app, actor, planned, host))


def selected_projects(services: Services, clock: Clock, organiser: Member, agent: Member, count: int) -> list[str]:
    """The organisation's autumn call: ``count`` projects selected, then one not."""
    org = organiser.organisation
    clock.set(datetime(2019, 9, 2, 9, tzinfo=UTC))
    call = calls.draft_call(
        services.app,
        organiser.actor,
        command_id(),
        organisation=org,
        title="Appel à idées des agents 2019",
        opens_at=paris_start_of_day(date(2019, 9, 16)),
        closes_at=paris_end_of_day(date(2019, 10, 18)),
        open_now=True,
    )
    clock.set(datetime(2019, 10, 1, 9, tzinfo=UTC))
    ids = []
    for i in range(count + 1):
        project = calls.draft_project(
            services.app,
            agent.actor,
            command_id(),
            call_organisation=org,
            call_id=UUID(call["id"]),
            title=f"Projet {org} {i + 1}",
            problem=f"Le problème {i + 1} de {org}.",
            solution="Une solution simple.",
            submit=True,
        )
        ids.append(project["id"])
    clock.set(datetime(2019, 10, 21, 9, tzinfo=UTC))
    for i, project_id in enumerate(ids):
        calls.decide_project(
            services.app,
            organiser.actor,
            command_id(),
            call_organisation=org,
            call_id=UUID(call["id"]),
            organisation=org,
            project_id=UUID(project_id),
            outcome="selected" if i < count else "not_selected",
            reason="" if i < count else "Hors champ.",
        )
    return ids
