"""Calls for ideas: the organisers' commands on a call (draft, amend, open, close, cancel, announce, record the local
selection), who may see and answer a call, and the scopes their commands run on.

Stores. A call lives in the store of the organisation that runs it (``CallRef(organisation, call_id)``); a call is
drafted in its organisation (``OrganisationRef``). The projects answering it are ``forum.projects``'.

Who may act. The organisers of the call's organisation run the call and its selection. Agents (and organisers) of
that organisation, and of the partner organisations it names, answer an opened call; until it is opened, a call is
visible to its organisers only. Another organisation's call answers ``NotFound`` (existence does not leak); a call
of one's own organisation that the role may not touch answers ``Forbidden``.

Time. Every command is stamped by ``app.clock()`` (``meta.at``): the closing time is checked against the server's
clock, never the client's.

The outcome of the local selection reaches the teams when the organisers record (and so publish) the selection:
until then the decisions, which may still be revised, are the organisers' working notes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec

from domain.errors import Conflict, Forbidden, NotFound
from domain.idea_call import IdeaCall, Question
from domain.project import SELECTED, Project
from domain.values import Role
from forum.access import Actor, require_role
from forum.application import ForumApplication
from forum.pipeline import Command, Scope, Unit, handles

_IDS = uuid5(NAMESPACE_URL, "https://forum.example/ids/calls")

ORGANISER = Role.ORGANISER.value
ORGANISING = (Role.ORGANISER,)
READING_CALLS = (Role.ORGANISER, Role.AUDITOR)
ANSWERING = (Role.AGENT, Role.ORGANISER)

CALL_NOT_FOUND = "Appel introuvable."
PROJECT_NOT_FOUND = "Projet introuvable."

When = Annotated[datetime, msgspec.Meta(description="ISO 8601 with an offset, e.g. 2019-10-31T23:59:59+01:00")]


class UndecidedProjects(Conflict):
    """The selection is recorded only once every project still submitted to the call has a decision."""

    rule = "undecided_projects"


def new_id(kind: str, organisation: str, actor: Actor, command_id: str) -> UUID:
    """The id of what a command creates, derived from the command: sending it again names the same thing."""
    return uuid5(_IDS, f"{kind}:{organisation}:{actor.person_id}:{command_id}")


# ---------------------------------------------------------------------------------------------------------------------
# Who may see and do what (used by the scopes below, and by the web layer on read models)


def require_organiser(actor: Actor, organisation: str) -> str:
    """The organisers of ``organisation`` run its calls and their selection."""
    return require_role(actor, organisation, *ORGANISING)


def require_call_reader(actor: Actor, organisation: str) -> str:
    """The organisation's calls as its organisers see them (drafts, submissions, figures): organisers and auditors."""
    return require_role(actor, organisation, *READING_CALLS)


def may_see_call(
    actor: Actor | None,
    *,
    organisation: str,
    eligible_partners: Collection[str],
    opened: bool,
    announced: bool = False,
) -> bool:
    """Whether ``actor`` may read the call (its description, dates and form, not its projects)."""
    if announced:
        return True
    if actor is None:
        return False
    if actor.is_admin:
        return True
    if actor.organisation == organisation and any(role in actor.roles for role in READING_CALLS):
        return True
    return opened and (actor.organisation == organisation or actor.organisation in eligible_partners)


def answering_role(actor: Actor, *, organisation: str, eligible_partners: Collection[str], opened: bool) -> str:
    """The role in which ``actor`` answers the call: ``NotFound`` if the call is not theirs to see, ``Forbidden`` if
    they may see it but their role does not let them answer (an auditor)."""
    if actor.is_admin:
        return Role.ADMIN
    if not may_see_call(actor, organisation=organisation, eligible_partners=eligible_partners, opened=opened):
        raise NotFound(CALL_NOT_FOUND, rule="not_found")
    if actor.organisation != organisation and actor.organisation not in eligible_partners:
        raise NotFound(CALL_NOT_FOUND, rule="not_found")
    for role in ANSWERING:
        if role in actor.roles:
            return role
    raise Forbidden("Seuls les agents répondent à un appel à idées.", rule="role_required")


def load_call(app: ForumApplication, organisation: str, call_id: UUID) -> IdeaCall:
    return app.load(IdeaCall, call_id, organisation, what=CALL_NOT_FOUND)


# ---------------------------------------------------------------------------------------------------------------------
# Where the organisers' commands apply


class OrganisationRef(msgspec.Struct, frozen=True):
    """An organisation, where a call is drafted."""

    organisation: str


class CallRef(msgspec.Struct, frozen=True):
    """A call as a URL names it: the organisation running it and its id."""

    organisation: str
    call_id: UUID


class OnOrganisation(Scope[OrganisationRef, None]):
    """Commands creating a call: its organisation's organisers, in its store (another organisation's: not found)."""

    def store(self, target: OrganisationRef) -> str:
        return target.organisation

    def admit(self, actor: Actor, target: OrganisationRef, roles: Sequence[str]) -> None:
        require_role(actor, target.organisation, *roles)

    def load(self, app: ForumApplication, target: OrganisationRef) -> None:
        return None

    def authorise(self, actor: Actor, target: OrganisationRef, loaded: None, roles: Sequence[str]) -> str:
        return require_role(actor, target.organisation, *roles)


class OnCall(Scope[CallRef, IdeaCall]):
    """Commands on a call: its organisation's organisers (checked before the call is read: 403 for another role,
    404 from another organisation), in its store."""

    def store(self, target: CallRef) -> str:
        return target.organisation

    def admit(self, actor: Actor, target: CallRef, roles: Sequence[str]) -> None:
        require_role(actor, target.organisation, *roles)

    def load(self, app: ForumApplication, target: CallRef) -> IdeaCall:
        return load_call(app, target.organisation, target.call_id)

    def authorise(self, actor: Actor, target: CallRef, loaded: IdeaCall, roles: Sequence[str]) -> str:
        return require_role(actor, target.organisation, *roles)


ON_ORGANISATION = OnOrganisation()
ON_CALL = OnCall()


# ---------------------------------------------------------------------------------------------------------------------
# Results: what a command answers (stored with the command and answered again on a retry)


class CallResult(msgspec.Struct):
    id: str
    organisation: str
    status: str
    title: str
    selected: list[str] | None = None


def call_result(call: IdeaCall, at: datetime) -> CallResult:
    return CallResult(id=str(call.id), organisation=call.organisation, status=call.status_at(at), title=call.title)


# ---------------------------------------------------------------------------------------------------------------------
# The call: its organisers' commands


class QuestionIn(msgspec.Struct, forbid_unknown_fields=True):
    """One question of the call's form."""

    key: Annotated[str, msgspec.Meta(description="a-z, 0-9 and _, starting with a letter; 40 characters at most")]
    label: str
    kind: Annotated[str, msgspec.Meta(description="short_text, long_text, single_choice or multiple_choice")]
    required: bool = False
    max_length: Annotated[int | None, msgspec.Meta(description="text questions: the longest answer")] = None
    choices: Annotated[list[str], msgspec.Meta(description="choice questions: at least two")] = msgspec.field(
        default_factory=list
    )

    def question(self) -> Question:
        return Question(
            key=self.key,
            label=self.label,
            kind=self.kind,
            required=self.required,
            max_length=self.max_length,
            choices=tuple(self.choices),
        )


class DraftCall(Command[CallResult], frozen=True):
    """Draft a call for ideas of the organisation (its organisers)."""

    title: str
    opens_at: When
    closes_at: Annotated[When, msgspec.Meta(description="inclusive: a submission at this very second is on time")]
    description: str = ""
    themes: list[str] = msgspec.field(default_factory=list)
    categories: list[str] = msgspec.field(default_factory=list)
    eligible_partners: Annotated[
        list[str], msgspec.Meta(description="slugs of partner organisations whose agents may answer too")
    ] = msgspec.field(default_factory=list)
    questions: list[QuestionIn] = msgspec.field(default_factory=list)
    max_team_size: Annotated[int, msgspec.Meta(description="author, co-authors and pending invitations")] = 5
    open: Annotated[bool, msgspec.Meta(description="open the call at once")] = False


@handles(DraftCall, on=ON_ORGANISATION, roles=ORGANISING)
def draft_call(loaded: None, command: DraftCall, unit: Unit[OrganisationRef]) -> CallResult:
    """Draft a call (and, with ``open``, open it in the same command)."""
    organisation = unit.target.organisation
    call = IdeaCall.draft(
        id=new_id("call", organisation, unit.actor, command.command_id),
        organisation=organisation,
        title=command.title,
        description=command.description,
        themes=tuple(command.themes),
        categories=tuple(command.categories),
        opens_at=command.opens_at,
        closes_at=command.closes_at,
        eligible_partners=tuple(command.eligible_partners),
        questions=tuple(q.question() for q in command.questions),
        max_team_size=command.max_team_size,
        meta=unit.meta,
    )
    if command.open:
        call.open(meta=unit.meta)
    unit.save(call)
    return call_result(call, unit.meta.at)


class AmendCall(Command[CallResult], frozen=True):
    """Change what the call says: only the fields given change. Once opened, a reason is required, the change is
    shown on the call, and nothing may be taken away (themes, categories, questions, partners, team places)."""

    reason: str = ""
    title: str | None = None
    description: str | None = None
    themes: list[str] | None = None
    categories: list[str] | None = None
    opens_at: When | None = None
    closes_at: When | None = None
    eligible_partners: list[str] | None = None
    questions: list[QuestionIn] | None = None
    max_team_size: int | None = None

    def changes(self) -> dict[str, Any]:
        """The fields of ``IdeaCall.amend`` given."""
        fields: dict[str, Any] = {}
        for name in ("title", "description", "opens_at", "closes_at", "max_team_size"):
            if (value := getattr(self, name)) is not None:
                fields[name] = value
        for name in ("themes", "categories", "eligible_partners"):
            if (value := getattr(self, name)) is not None:
                fields[name] = tuple(value)
        if self.questions is not None:
            fields["questions"] = tuple(q.question() for q in self.questions)
        return fields


@handles(AmendCall, on=ON_CALL, roles=ORGANISING)
def amend_call(call: IdeaCall, command: AmendCall, unit: Unit[CallRef]) -> CallResult:
    call.amend(meta=unit.meta, reason=command.reason, **command.changes())
    return call_result(call, unit.meta.at)


class OpenCall(Command[CallResult], frozen=True):
    pass


@handles(OpenCall, on=ON_CALL, roles=ORGANISING)
def open_call(call: IdeaCall, command: OpenCall, unit: Unit[CallRef]) -> CallResult:
    call.open(meta=unit.meta)
    return call_result(call, unit.meta.at)


class CloseCall(Command[CallResult], frozen=True):
    pass


@handles(CloseCall, on=ON_CALL, roles=ORGANISING)
def close_call(call: IdeaCall, command: CloseCall, unit: Unit[CallRef]) -> CallResult:
    call.close(meta=unit.meta)
    return call_result(call, unit.meta.at)


class CancelCall(Command[CallResult], frozen=True):
    reason: str = ""


@handles(CancelCall, on=ON_CALL, roles=ORGANISING)
def cancel_call(call: IdeaCall, command: CancelCall, unit: Unit[CallRef]) -> CallResult:
    call.cancel(reason=command.reason, meta=unit.meta)
    return call_result(call, unit.meta.at)


class PublishAnnouncement(Command[CallResult], frozen=True):
    pass


@handles(PublishAnnouncement, on=ON_CALL, roles=ORGANISING, name="publish_call_announcement")
def publish_announcement(call: IdeaCall, command: PublishAnnouncement, unit: Unit[CallRef]) -> CallResult:
    """Make the call's public page visible (its text and dates, never its projects)."""
    call.publish_announcement(meta=unit.meta)
    return call_result(call, unit.meta.at)


class Selection(Command[CallResult], frozen=True):
    """Record the local selection of the call (the projects are those its submissions list shows)."""


class RecordSelection(Selection, frozen=True, kw_only=True):
    """The selection, with the (organisation, id) of the projects submitted to the call."""

    projects: list[tuple[str, UUID]]


@handles(RecordSelection, on=ON_CALL, roles=ORGANISING)
def record_selection(call: IdeaCall, command: RecordSelection, unit: Unit[CallRef]) -> CallResult:
    """Close the local selection and make its outcome known to the teams.

    Each project is loaded: every one still submitted must have a decision, and those selected are named in the
    call's ``SelectionRecorded`` event.
    """
    selected: list[UUID] = []
    undecided: list[str] = []
    for project_organisation, project_id in dict.fromkeys(command.projects):
        project = unit.app.load(Project, project_id, project_organisation, what=PROJECT_NOT_FOUND)
        if project.call_id != call.id:
            raise NotFound(PROJECT_NOT_FOUND, rule="not_found")
        if project.withdrawn_at is not None or project.submitted_at is None:
            continue
        decision = project.decision
        if decision is None:
            undecided.append(project.content.title)
        elif decision.outcome == SELECTED:
            selected.append(project.id)
    if undecided:
        raise UndecidedProjects(
            f"{len(undecided)} projet(s) déposé(s) attendent encore une décision : " + " ; ".join(undecided) + "."
        )
    call.record_selection(selected=tuple(selected), meta=unit.meta)
    result = call_result(call, unit.meta.at)
    result.selected = [str(project_id) for project_id in selected]
    return result
