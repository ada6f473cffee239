"""How an edition of 2019 is loaded: the loader (people, clock, deterministic command ids), an organisation's call
for ideas and local selection, and the edition's commands sent through the application (``forum.pipeline``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from forum import forums, pipeline
from forum.access import SYSTEM, Actor
from forum.application import ForumApplication
from forum.calls import CallRef, DraftCall, OrganisationRef, RecordSelection
from forum.entrypoints.demo.scenarios import ScenarioClock, ascii_slug, demo_email, paris
from forum.forums import AcceptForumInvitation, ForumRef, Invite, Nominate, PlanForum, PublishPalmares
from forum.people import People
from forum.pipeline import Command
from forum.projects import (
    AcceptInvitation,
    DecideProject,
    DraftProject,
    InviteCoAuthor,
    ProjectRef,
    SubmissionRef,
    SubmitProject,
    answering,
)


@dataclass
class Loader:
    """What a load needs along the way: the application, people, the clock, and deterministic command ids."""

    app: ForumApplication
    people: People
    clock: ScenarioClock
    prefix: str
    password: str
    actors: dict[str, Actor] = field(default_factory=dict)

    def cid(self, *parts: object) -> str:
        return ".".join([self.prefix, *(ascii_slug(str(p)).strip("-") for p in parts)])[:100]

    def person(self, label: str, organisation: str, role: str, name: str) -> Actor:
        """Enrol (once) a person of ``organisation``; their e-mail address derives from ``label``."""
        if label not in self.actors:
            result = self.people.enrol(
                SYSTEM,
                self.cid("person", label),
                organisation=organisation,
                email=demo_email(label, organisation),
                name=name,
                role=role,
                password=self.password,
            )
            self.actors[label] = Actor(result["person_id"], organisation, frozenset({role}), name=name)
        return self.actors[label]

    def in_forum(self, actor: Actor, forum_id: UUID, role: str) -> Actor:
        """The actor as the web layer would see them once granted their forum role."""
        return Actor(
            actor.person_id, actor.organisation, actor.roles, actor.forum_roles | {(str(forum_id), role)}, actor.name
        )

    def at(self, when: datetime) -> Loader:
        self.clock.set(when)
        return self


def local_round(
    loader: Loader,
    *,
    organisation: str,
    organiser: Actor,
    title: str,
    opens: str,
    closes: str,
    categories: list[str],
    entries: list[dict[str, Any]],
    decided_at: datetime,
) -> list[UUID]:
    """An organisation's call for ideas: drafted and opened, answered by each entry's team, closed, every entry
    selected and the selection recorded. ``entries``: ``title``, ``category``, ``team`` (authors' actors)."""
    app, run = loader.app, pipeline.run
    loader.at(paris(opens) - timedelta(days=6))
    here = OrganisationRef(organisation)
    call = run(
        app,
        organiser,
        DraftCall(
            command_id=loader.cid("call", organisation),
            title=title,
            opens_at=paris(opens),
            closes_at=paris(closes, 23, 59),
            categories=categories,
            open=True,
        ),
        here,
    )
    on_call = CallRef(organisation, UUID(call.id))
    project_ids = []
    for i, entry in enumerate(entries):
        loader.at(paris(opens, 10) + timedelta(days=7, minutes=i))
        author, *co_authors = entry["team"]
        drafted = run(
            app,
            author,
            DraftProject(
                command_id=loader.cid("project", organisation, i),
                title=entry["title"],
                problem=entry["title"],
                solution="Présentée par l'équipe au jury (donnée de démonstration).",
                category=entry.get("category"),
            ),
            answering(author, on_call),
        )
        project = ProjectRef(organisation, UUID(drafted.id))
        for j, co_author in enumerate(co_authors):
            invite = InviteCoAuthor(
                command_id=loader.cid("invite", organisation, i, j),
                person=co_author.person_id,
                organisation=organisation,
            )
            run(app, author, invite, project)
            run(app, co_author, AcceptInvitation(command_id=loader.cid("join", organisation, i, j)), project)
        run(app, author, SubmitProject(command_id=loader.cid("submit", organisation, i)), project)
        project_ids.append(project.project_id)
    loader.at(decided_at)
    for i, project_id in enumerate(project_ids):
        decision = DecideProject(
            command_id=loader.cid("decide", organisation, i),
            outcome="selected",
            reason="Retenu pour représenter l'organisation.",
        )
        run(app, organiser, decision, SubmissionRef(organisation, on_call.call_id, organisation, project_id))
    loader.at(decided_at + timedelta(hours=1))
    selection = RecordSelection(
        command_id=loader.cid("selection", organisation), projects=[(organisation, p) for p in project_ids]
    )
    run(app, organiser, selection, on_call)
    return project_ids


def summary(loader: Loader, forum_id: UUID, host: str, **extra: Any) -> dict[str, Any]:
    return {"forum_id": str(forum_id), "host": host, "people": len(loader.actors), **extra}


@dataclass
class Edition:
    """A forum being loaded: its host, id, organisers, and the way its commands are sent."""

    loader: Loader
    host: str
    forum_id: UUID
    names: dict[str, str]
    organisers: dict[str, Actor] = field(default_factory=dict)
    projects: dict[Any, UUID] = field(default_factory=dict)

    @property
    def the_host(self) -> Actor:
        return self.organisers[self.host]

    def run(self, command: type[Command[Any]] | Callable[..., Any], actor: Actor, step: object, **kwargs: Any) -> Any:
        """Send ``command`` (a command struct's class, or a function of ``forum.forums``) as ``actor``."""
        cid = self.loader.cid(step)
        if isinstance(command, type) and issubclass(command, Command):
            return pipeline.run(
                self.loader.app, actor, command(command_id=cid, **kwargs), ForumRef(self.host, self.forum_id)
            )
        function = cast(Callable[..., Any], command)
        return function(self.loader.app, actor, cid, host=self.host, forum_id=self.forum_id, **kwargs)

    def as_host(self, command: type[Command[Any]] | Callable[..., Any], step: object, **kwargs: Any) -> Any:
        return self.run(command, self.the_host, step, **kwargs)

    def invite_all(self, participants: list[str], invited_at: datetime, accepted_at: datetime) -> None:
        for org in participants:
            self.loader.at(invited_at)
            self.as_host(Invite, ("invite", org), organisation=org)
            self.loader.at(accepted_at)
            self.run(AcceptForumInvitation, self.organisers[org], ("accept", org), organisation=org)

    def nominate(self, organisation: str, ref: Any) -> None:
        """The forum's step and the project's (``forum.forums.nominate``)."""
        nomination = Nominate(command_id=self.loader.cid(("nominate", ref)), project_id=self.projects[ref])
        forums.nominate(self.loader.app, self.organisers[organisation], nomination, ForumRef(self.host, self.forum_id))

    def publish(self) -> None:
        """The palmarès proclaimed, then the host's chain head anchored (``forum.forums.publish``)."""
        command = PublishPalmares(command_id=self.loader.cid("publish"))
        forums.publish(self.loader.app, self.the_host, command, ForumRef(self.host, self.forum_id))

    def plan(self, key: str, **fields: Any) -> None:
        """The host plans the edition (in its organisation: ``forum.forums.ON_HOST``)."""
        planned = PlanForum(command_id=self.loader.cid("plan"), key=key, **fields)
        pipeline.run(self.loader.app, self.the_host, planned, self.host)
