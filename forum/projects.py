"""Projects answering a call for ideas: the team's commands (draft, submit, edit, withdraw, invite, accept or decline
an invitation), the organisers' decision on a submitted project, and who may see a project.

Stores. A project lives in the store of its author's organisation — also when the author is an agent of a partner
organisation named by the call: the project, its team (colleagues of that same organisation) and its history belong
to the partner, and the call's organisers record their decision on it in the partner's store (``meta.organisation``
is the partner, ``meta.actor_organisation`` the organisation running the call), exactly as a juror acts in a forum
host's store.

Who may act. Only the author and the co-authors change a project; an invited colleague accepts or declines. Another
organisation's project answers ``NotFound`` (existence does not leak); a project of one's own organisation that is
another team's answers ``Forbidden``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.errors import Forbidden, NotFound
from domain.idea_call import IdeaCall
from domain.project import NOT_SELECTED, SELECTED, Project
from domain.values import Role, check_choice
from forum.access import Actor, require_role
from forum.application import ForumApplication
from forum.calls import (
    ANSWERING,
    ORGANISING,
    PROJECT_NOT_FOUND,
    READING_CALLS,
    CallRef,
    answering_role,
    load_call,
    new_id,
)
from forum.pipeline import Command, Scope, Slug, Unit, handles

OUTCOMES = (SELECTED, NOT_SELECTED)
TEAM = (Role.AGENT, Role.ORGANISER)  # the roles a team acts in (recorded as the first its member holds)


class TeamOnly(Forbidden):
    """A project is changed by its team (author and co-authors) only."""

    rule = "team_only"


def project_access(
    actor: Actor,
    *,
    organisation: str,
    call_organisation: str,
    team: Collection[str],
    invited: Collection[str] = (),
    submitted: bool,
) -> str:
    """How ``actor`` sees a project: ``team`` (author, co-author or invited colleague), ``organiser`` (of the call,
    once the project is submitted), ``admin``; otherwise ``Forbidden`` within the project's organisation and
    ``NotFound`` from elsewhere."""
    if actor.is_admin:
        return "admin"
    if actor.organisation == organisation and (actor.person_id in team or actor.person_id in invited):
        return "team"
    if submitted and actor.organisation == call_organisation and any(role in actor.roles for role in READING_CALLS):
        return "organiser"
    if actor.organisation == organisation:
        raise Forbidden("Ce projet est celui d'une autre équipe.", rule="team_only")
    raise NotFound(PROJECT_NOT_FOUND, rule="not_found")


def _access(actor: Actor, project: Project) -> str:
    return project_access(
        actor,
        organisation=project.organisation,
        call_organisation=project.call_organisation,
        team=project.team,
        invited=project.invitations,
        submitted=project.submitted_at is not None,
    )


def _team_role(actor: Actor) -> str:
    if actor.is_admin:
        return Role.ADMIN.value
    for role in ANSWERING:
        if role in actor.roles:
            return str(role)
    return Role.AGENT.value


# ---------------------------------------------------------------------------------------------------------------------
# Where the commands apply


class ProjectRef(msgspec.Struct, frozen=True):
    """A project as a URL names it: its organisation (its author's, its store) and its id."""

    organisation: str
    project_id: UUID


class AnswerRef(msgspec.Struct, frozen=True):
    """A call answered from an organisation: the new project lives in ``organisation`` (its author's)."""

    organisation: str
    call_organisation: str
    call_id: UUID


def answering(actor: Actor, call: CallRef) -> AnswerRef:
    """Where ``actor``'s answer to ``call`` is written: their own organisation."""
    return AnswerRef(actor.organisation, call.organisation, call.call_id)


class SubmissionRef(msgspec.Struct, frozen=True):
    """A project submitted to a call, as the call's organisers decide on it."""

    call_organisation: str
    call_id: UUID
    organisation: str
    project_id: UUID


class OnProject(Scope[ProjectRef, Project]):
    """The team's commands: in the project's store; another organisation's project is not found (the only people
    of other organisations who see a project are its call's organisers, who decide through ``ON_SUBMISSION``),
    another team's is forbidden."""

    def __init__(self, *, team_only: bool) -> None:
        self.team_only = team_only

    def store(self, target: ProjectRef) -> str:
        return target.organisation

    def admit(self, actor: Actor, target: ProjectRef, roles: Sequence[str]) -> None:
        if not actor.is_admin and actor.organisation != target.organisation:
            raise NotFound(PROJECT_NOT_FOUND, rule="not_found")

    def load(self, app: ForumApplication, target: ProjectRef) -> Project:
        return app.load(Project, target.project_id, target.organisation, what=PROJECT_NOT_FOUND)

    def authorise(self, actor: Actor, target: ProjectRef, loaded: Project, roles: Sequence[str]) -> str:
        access = _access(actor, loaded)
        if self.team_only and access != "admin" and actor.person_id not in loaded.team:
            raise TeamOnly("Seuls l'auteur et les coauteurs du projet peuvent faire cela.")
        return _team_role(actor)

    def recorded_role(self, actor: Actor, roles: Sequence[str]) -> str:
        return _team_role(actor)


class OnAnswer(Scope[AnswerRef, IdeaCall]):
    """Answering a call: the agents (and organisers) it is open to, in their own organisation's store."""

    def store(self, target: AnswerRef) -> str:
        return target.organisation

    def admit(self, actor: Actor, target: AnswerRef, roles: Sequence[str]) -> None:
        if actor.organisation != target.organisation:
            raise NotFound(PROJECT_NOT_FOUND, rule="not_found")

    def load(self, app: ForumApplication, target: AnswerRef) -> IdeaCall:
        return load_call(app, target.call_organisation, target.call_id)

    def authorise(self, actor: Actor, target: AnswerRef, loaded: IdeaCall, roles: Sequence[str]) -> str:
        return answering_role(
            actor,
            organisation=loaded.organisation,
            eligible_partners=loaded.eligible_partners,
            opened=loaded.opened_at is not None,
        )

    def recorded_role(self, actor: Actor, roles: Sequence[str]) -> str:
        return _team_role(actor)


@dataclass
class Submitted:
    """A submitted project and the call it answers."""

    call: IdeaCall
    project: Project


class OnSubmission(Scope[SubmissionRef, Submitted]):
    """The organisers' decision on a submitted project: the call's organisers (checked before anything is read), in
    the project's store; a draft, or a project of another call, is not found."""

    def store(self, target: SubmissionRef) -> str:
        return target.organisation

    def admit(self, actor: Actor, target: SubmissionRef, roles: Sequence[str]) -> None:
        require_role(actor, target.call_organisation, *roles)

    def load(self, app: ForumApplication, target: SubmissionRef) -> Submitted:
        call = load_call(app, target.call_organisation, target.call_id)
        project = app.load(Project, target.project_id, target.organisation, what=PROJECT_NOT_FOUND)
        if project.call_id != call.id or project.submitted_at is None:
            # a draft is its team's alone: to the organisers it does not exist
            raise NotFound(PROJECT_NOT_FOUND, rule="not_found")
        return Submitted(call, project)

    def authorise(self, actor: Actor, target: SubmissionRef, loaded: Submitted, roles: Sequence[str]) -> str:
        return require_role(actor, target.call_organisation, *roles)


ON_PROJECT = OnProject(team_only=True)
ON_INVITATION = OnProject(team_only=False)  # the invited colleague too
ON_ANSWER = OnAnswer()
ON_SUBMISSION = OnSubmission()


# ---------------------------------------------------------------------------------------------------------------------
# Results (stored with the command and answered again on a retry)


class ProjectResult(msgspec.Struct):
    id: str
    organisation: str
    call_id: str
    call_organisation: str
    status: str
    version: int
    decision: str | None


def project_result(project: Project) -> ProjectResult:
    decision = project.decision
    return ProjectResult(
        id=str(project.id),
        organisation=project.organisation,
        call_id=str(project.call_id),
        call_organisation=project.call_organisation,
        status=project.status,
        version=len(project.versions),
        decision=decision.outcome if decision else None,
    )


def _call_of(unit: Unit[Any], project: Project) -> IdeaCall:
    return load_call(unit.app, project.call_organisation, project.call_id)


# ---------------------------------------------------------------------------------------------------------------------
# The team's commands

AnswerValue = str | list[str]


class DraftProject(Command[ProjectResult], frozen=True):
    """Answer a call: a project drafted in the agent's organisation, submitted at once with ``submit``."""

    title: str
    problem: str = ""
    solution: str = ""
    benefits_users: str = ""
    benefits_agents: str = ""
    category: str | None = None
    theme: str | None = None
    answers: Annotated[
        dict[str, AnswerValue], msgspec.Meta(description="by question key: a text, or a list for multiple choice")
    ] = msgspec.field(default_factory=dict)
    submit: bool = False


@handles(DraftProject, on=ON_ANSWER, roles=TEAM)
def draft_project(call: IdeaCall, command: DraftProject, unit: Unit[AnswerRef]) -> ProjectResult:
    """Draft a project in the author's organisation (and, with ``submit``, submit it at once)."""
    store = unit.target.organisation
    rules = call.rules()
    project = Project.draft(
        id=new_id("project", store, unit.actor, command.command_id),
        rules=rules,
        author=unit.actor.person_id,
        organisation=store,
        title=command.title,
        problem=command.problem,
        solution=command.solution,
        benefits_users=command.benefits_users,
        benefits_agents=command.benefits_agents,
        category=command.category,
        theme=command.theme,
        answers=dict(command.answers),
        meta=unit.meta,
    )
    if command.submit:
        project.submit(rules=rules, meta=unit.meta)
    unit.save(project)
    return project_result(project)


class SubmitProject(Command[ProjectResult], frozen=True):
    pass


@handles(SubmitProject, on=ON_PROJECT, roles=TEAM)
def submit_project(project: Project, command: SubmitProject, unit: Unit[ProjectRef]) -> ProjectResult:
    project.submit(rules=_call_of(unit, project).rules(), meta=unit.meta)
    return project_result(project)


class EditProject(Command[ProjectResult], frozen=True):
    """Change the fields given ("" empties one); ``answers`` are merged into the current ones. A submitted project
    gets a new version."""

    title: str | None = None
    problem: str | None = None
    solution: str | None = None
    benefits_users: str | None = None
    benefits_agents: str | None = None
    category: str | None = None
    theme: str | None = None
    answers: dict[str, AnswerValue] | None = None


@handles(EditProject, on=ON_PROJECT, roles=TEAM)
def edit_project(project: Project, command: EditProject, unit: Unit[ProjectRef]) -> ProjectResult:
    """Change the fields given (see ``Project.edit``): a new version when the project is already submitted."""
    fields: dict[str, Any] = {}
    for name in command.__struct_fields__:
        value = getattr(command, name)
        if name != "command_id" and value is not None:
            fields[name] = dict(value) if name == "answers" else value
    project.edit(rules=_call_of(unit, project).rules(), meta=unit.meta, **fields)
    return project_result(project)


class WithdrawProject(Command[ProjectResult], frozen=True):
    reason: str = ""


@handles(WithdrawProject, on=ON_PROJECT, roles=TEAM)
def withdraw_project(project: Project, command: WithdrawProject, unit: Unit[ProjectRef]) -> ProjectResult:
    _call_of(unit, project)
    project.withdraw(reason=command.reason, meta=unit.meta)
    return project_result(project)


class InviteCoAuthor(Command[ProjectResult], frozen=True):
    person: Annotated[str, msgspec.Meta(description="the colleague's person id")]
    organisation: Annotated[str, msgspec.Meta(description="the colleague's organisation: the project's own")]


@handles(InviteCoAuthor, on=ON_PROJECT, roles=TEAM)
def invite_co_author(project: Project, command: InviteCoAuthor, unit: Unit[ProjectRef]) -> ProjectResult:
    """Invite a colleague: the domain refuses one of another organisation."""
    rules = _call_of(unit, project).rules()
    project.invite(rules=rules, person=command.person, organisation=command.organisation, meta=unit.meta)
    return project_result(project)


class WithdrawInvitation(Command[ProjectResult], frozen=True):
    person: str


@handles(WithdrawInvitation, on=ON_PROJECT, roles=TEAM)
def withdraw_invitation(project: Project, command: WithdrawInvitation, unit: Unit[ProjectRef]) -> ProjectResult:
    _call_of(unit, project)
    project.withdraw_invitation(person=command.person, meta=unit.meta)
    return project_result(project)


class AcceptInvitation(Command[ProjectResult], frozen=True):
    pass


@handles(AcceptInvitation, on=ON_INVITATION, roles=TEAM)
def accept_invitation(project: Project, command: AcceptInvitation, unit: Unit[ProjectRef]) -> ProjectResult:
    """The signed-in person accepts the invitation they received: they join the team."""
    rules = _call_of(unit, project).rules()
    project.accept_invitation(rules=rules, person=unit.actor.person_id, meta=unit.meta)
    return project_result(project)


class DeclineInvitation(Command[ProjectResult], frozen=True):
    pass


@handles(DeclineInvitation, on=ON_INVITATION, roles=TEAM)
def decline_invitation(project: Project, command: DeclineInvitation, unit: Unit[ProjectRef]) -> ProjectResult:
    _call_of(unit, project)
    project.decline_invitation(person=unit.actor.person_id, meta=unit.meta)
    return project_result(project)


# ---------------------------------------------------------------------------------------------------------------------
# The organisers' decision


class DecideProject(Command[ProjectResult], frozen=True):
    """The organisers' decision on the submitted project the target names."""

    outcome: Annotated[str, msgspec.Meta(description="selected or not_selected")]
    reason: Annotated[str, msgspec.Meta(description="read by the team; required when not selected")] = ""


class Decide(DecideProject, frozen=True, kw_only=True):
    """The organisers' decision on one submitted project; revisable until the selection is recorded, and shown to
    the team when it is."""

    project_organisation: Annotated[Slug, msgspec.Meta(description="the project's organisation (its store)")]
    project_id: UUID

    def on(self, call: CallRef) -> tuple[DecideProject, SubmissionRef]:
        """The decision and the submission it is on, the call named by the URL."""
        decision = DecideProject(command_id=self.command_id, outcome=self.outcome, reason=self.reason)
        return decision, SubmissionRef(call.organisation, call.call_id, self.project_organisation, self.project_id)


@handles(DecideProject, on=ON_SUBMISSION, roles=ORGANISING)
def decide_project(submitted: Submitted, command: DecideProject, unit: Unit[SubmissionRef]) -> ProjectResult:
    """Record (or revise, until the selection is recorded) the local decision on one submitted project.

    The event lives in the project's store (its author's organisation), stamped with the organiser's organisation.
    """
    check_choice(command.outcome, "outcome", OUTCOMES)
    call, project = submitted.call, submitted.project
    if command.outcome == SELECTED:
        project.select(rules=call.rules(), reason=command.reason, meta=unit.meta)
    else:
        project.mark_not_selected(rules=call.rules(), reason=command.reason, meta=unit.meta)
    unit.save(project)
    return project_result(project)
