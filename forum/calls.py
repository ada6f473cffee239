"""Calls for ideas and their projects: the application's commands, who may carry them out, in which store.

Stores. A call lives in the store of the organisation that runs it. A project lives in the store of its author's
organisation — also when the author is an agent of a partner organisation named by the call: the project, its team
(colleagues of that same organisation) and its history belong to the partner, and the call's organisers record
their decision on it in the partner's store (``meta.organisation`` is the partner, ``meta.actor_organisation`` the
organisation running the call), exactly as a juror acts in a forum host's store.

Who may act. The organisers of the call's organisation run the call and its selection. Agents (and organisers) of
that organisation, and of the partner organisations it names, answer an opened call; until it is opened, a call is
visible to its organisers only. Only the author and the co-authors change a project; an invited colleague accepts
or declines. Another organisation's call or project answers ``NotFound`` (existence does not leak); a resource of
one's own organisation that the role may not touch answers ``Forbidden``.

Time. Every command is stamped by ``app.clock()`` (``meta.at``): the closing time is checked against the server's
clock, never the client's.

The outcome of the local selection reaches the teams when the organisers record (and so publish) the selection:
until then the decisions, which may still be revised, are the organisers' working notes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.errors import Conflict, Forbidden, NotFound
from domain.idea_call import IdeaCall, Question
from domain.project import NOT_SELECTED, SELECTED, Project
from domain.values import Meta, Role, check_choice
from forum.access import Actor, require_role
from forum.application import Decision, ForumApplication

_IDS = uuid5(NAMESPACE_URL, "https://forum.example/ids/calls")

ORGANISING = (Role.ORGANISER,)
READING_CALLS = (Role.ORGANISER, Role.AUDITOR)
ANSWERING = (Role.AGENT, Role.ORGANISER)
OUTCOMES = (SELECTED, NOT_SELECTED)

CALL_NOT_FOUND = "Appel introuvable."
PROJECT_NOT_FOUND = "Projet introuvable."


class UndecidedProjects(Conflict):
    """The selection is recorded only once every project still submitted to the call has a decision."""

    rule = "undecided_projects"


class TeamOnly(Forbidden):
    """A project is changed by its team (author and co-authors) only."""

    rule = "team_only"


def new_id(kind: str, organisation: str, actor: Actor, command_id: str) -> UUID:
    """The id of what a command creates, derived from the command: sending it again names the same thing."""
    return uuid5(_IDS, f"{kind}:{organisation}:{actor.person_id}:{command_id}")


# ---------------------------------------------------------------------------------------------------------------------
# Who may see and do what (used by the commands below, and by the web layer on read models)


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


def _load_call(app: ForumApplication, organisation: str, call_id: UUID) -> IdeaCall:
    return app.load(IdeaCall, call_id, organisation, what=CALL_NOT_FOUND)


def _load_project(app: ForumApplication, actor: Actor, organisation: str, project_id: UUID) -> Project:
    """The project, if ``actor`` could see it at all (a project of an organisation one cannot reach is not found)."""
    if not actor.is_admin and actor.organisation != organisation:
        # the only people of other organisations who see a project are its call's organisers: they load it
        # through the call (``decide_project``), never through this path
        raise NotFound(PROJECT_NOT_FOUND, rule="not_found")
    return app.load(Project, project_id, organisation, what=PROJECT_NOT_FOUND)


def _require_team(actor: Actor, project: Project) -> None:
    access = project_access(
        actor,
        organisation=project.organisation,
        call_organisation=project.call_organisation,
        team=project.team,
        invited=project.invitations,
        submitted=project.submitted_at is not None,
    )
    if access == "admin":
        return
    if actor.person_id not in project.team:
        raise TeamOnly("Seuls l'auteur et les coauteurs du projet peuvent faire cela.")


def _team_role(actor: Actor) -> str:
    if actor.is_admin:
        return Role.ADMIN
    for role in ANSWERING:
        if role in actor.roles:
            return role
    return Role.AGENT


# ---------------------------------------------------------------------------------------------------------------------
# Results: what a command answers (JSON-able, stored with the command and answered again on a retry)


def call_result(call: IdeaCall, at: datetime) -> dict[str, Any]:
    return {"id": str(call.id), "organisation": call.organisation, "status": call.status_at(at), "title": call.title}


def project_result(project: Project) -> dict[str, Any]:
    decision = project.decision
    return {
        "id": str(project.id),
        "organisation": project.organisation,
        "call_id": str(project.call_id),
        "call_organisation": project.call_organisation,
        "status": project.status,
        "version": len(project.versions),
        "decision": decision.outcome if decision else None,
    }


# ---------------------------------------------------------------------------------------------------------------------
# The call: its organisers' commands


def draft_call(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
    themes: Sequence[str] = (),
    categories: Sequence[str] = (),
    eligible_partners: Sequence[str] = (),
    questions: Sequence[Question] = (),
    max_team_size: int = 5,
    open_now: bool = False,
) -> Any:
    """Draft a call (and, with ``open_now``, open it in the same command)."""
    role = require_organiser(actor, organisation)

    def decide(meta: Meta) -> Decision:
        call = IdeaCall.draft(
            id=new_id("call", organisation, actor, command_id),
            organisation=organisation,
            title=title,
            description=description,
            themes=tuple(themes),
            categories=tuple(categories),
            opens_at=opens_at,
            closes_at=closes_at,
            eligible_partners=tuple(eligible_partners),
            questions=tuple(questions),
            max_team_size=max_team_size,
            meta=meta,
        )
        if open_now:
            call.open(meta=meta)
        return [call], call_result(call, meta.at)

    return app.execute(
        actor=actor, role=role, store=organisation, command_id=command_id, name="draft_call", decide=decide
    )


def _on_call(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    call_id: UUID,
    name: str,
    act: Callable[[IdeaCall, Meta], None],
) -> Any:
    role = require_organiser(actor, organisation)

    def decide(meta: Meta) -> Decision:
        call = _load_call(app, organisation, call_id)
        act(call, meta)
        return [call], call_result(call, meta.at)

    return app.execute(actor=actor, role=role, store=organisation, command_id=command_id, name=name, decide=decide)


def open_call(app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, call_id: UUID) -> Any:
    return _on_call(
        app,
        actor,
        command_id,
        organisation=organisation,
        call_id=call_id,
        name="open_call",
        act=lambda call, meta: call.open(meta=meta),
    )


def amend_call(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    call_id: UUID,
    reason: str = "",
    changes: Mapping[str, Any],
) -> Any:
    """Change what the call says (``changes``: the fields of ``IdeaCall.amend``); a reason once it is opened."""
    fields = dict(changes)
    for name in ("themes", "categories", "eligible_partners", "questions"):
        if fields.get(name) is not None:
            fields[name] = tuple(fields[name])
    return _on_call(
        app,
        actor,
        command_id,
        organisation=organisation,
        call_id=call_id,
        name="amend_call",
        act=lambda call, meta: call.amend(meta=meta, reason=reason, **fields),
    )


def close_call(app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, call_id: UUID) -> Any:
    return _on_call(
        app,
        actor,
        command_id,
        organisation=organisation,
        call_id=call_id,
        name="close_call",
        act=lambda call, meta: call.close(meta=meta),
    )


def cancel_call(
    app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, call_id: UUID, reason: str
) -> Any:
    return _on_call(
        app,
        actor,
        command_id,
        organisation=organisation,
        call_id=call_id,
        name="cancel_call",
        act=lambda call, meta: call.cancel(reason=reason, meta=meta),
    )


def publish_announcement(
    app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, call_id: UUID
) -> Any:
    """Make the call's public page visible (its text and dates, never its projects)."""
    return _on_call(
        app,
        actor,
        command_id,
        organisation=organisation,
        call_id=call_id,
        name="publish_call_announcement",
        act=lambda call, meta: call.publish_announcement(meta=meta),
    )


def decide_project(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    call_organisation: str,
    call_id: UUID,
    organisation: str,
    project_id: UUID,
    outcome: str,
    reason: str = "",
) -> Any:
    """Record (or revise, until the selection is recorded) the local decision on one submitted project.

    The event lives in the project's store (its author's organisation), stamped with the organiser's organisation.
    """
    role = require_organiser(actor, call_organisation)
    check_choice(outcome, "outcome", OUTCOMES)

    def decide(meta: Meta) -> Decision:
        call = _load_call(app, call_organisation, call_id)
        project = app.load(Project, project_id, organisation, what=PROJECT_NOT_FOUND)
        if project.call_id != call.id or project.submitted_at is None:
            # a draft is its team's alone: to the organisers it does not exist
            raise NotFound(PROJECT_NOT_FOUND, rule="not_found")
        if outcome == SELECTED:
            project.select(rules=call.rules(), reason=reason, meta=meta)
        else:
            project.mark_not_selected(rules=call.rules(), reason=reason, meta=meta)
        return [project], project_result(project)

    return app.execute(
        actor=actor, role=role, store=organisation, command_id=command_id, name="decide_project", decide=decide
    )


def record_selection(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    call_id: UUID,
    projects: Iterable[tuple[str, UUID]],
) -> Any:
    """Close the local selection and make its outcome known to the teams.

    ``projects`` are the (organisation, id) of the projects submitted to the call, as the submissions list shows
    them; each is loaded: every one still submitted must have a decision, and those selected are named in the call's
    ``SelectionRecorded`` event.
    """
    role = require_organiser(actor, organisation)
    refs = list(dict.fromkeys(projects))

    def decide(meta: Meta) -> Decision:
        call = _load_call(app, organisation, call_id)
        selected: list[UUID] = []
        undecided: list[str] = []
        for project_organisation, project_id in refs:
            project = app.load(Project, project_id, project_organisation, what=PROJECT_NOT_FOUND)
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
        call.record_selection(selected=tuple(selected), meta=meta)
        return [call], {**call_result(call, meta.at), "selected": [str(project_id) for project_id in selected]}

    return app.execute(
        actor=actor, role=role, store=organisation, command_id=command_id, name="record_selection", decide=decide
    )


# ---------------------------------------------------------------------------------------------------------------------
# Projects: the agents' commands


def draft_project(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    call_organisation: str,
    call_id: UUID,
    title: str,
    problem: str = "",
    solution: str = "",
    benefits_users: str = "",
    benefits_agents: str = "",
    category: str | None = None,
    theme: str | None = None,
    answers: Mapping[str, Any] | None = None,
    submit: bool = False,
) -> Any:
    """Answer a call: draft a project in the author's organisation (and, with ``submit``, submit it at once)."""
    store = actor.organisation
    role = _team_role(actor)

    def decide(meta: Meta) -> Decision:
        call = _load_call(app, call_organisation, call_id)
        answering_role(
            actor,
            organisation=call.organisation,
            eligible_partners=call.eligible_partners,
            opened=call.opened_at is not None,
        )
        rules = call.rules()
        project = Project.draft(
            id=new_id("project", store, actor, command_id),
            rules=rules,
            author=actor.person_id,
            organisation=store,
            title=title,
            problem=problem,
            solution=solution,
            benefits_users=benefits_users,
            benefits_agents=benefits_agents,
            category=category,
            theme=theme,
            answers=dict(answers or {}),
            meta=meta,
        )
        if submit:
            project.submit(rules=rules, meta=meta)
        return [project], project_result(project)

    return app.execute(actor=actor, role=role, store=store, command_id=command_id, name="draft_project", decide=decide)


def _on_project(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    project_id: UUID,
    name: str,
    act: Callable[[Project, IdeaCall, Meta], None],
    team_only: bool = True,
) -> Any:
    def decide(meta: Meta) -> Decision:
        project = _load_project(app, actor, organisation, project_id)
        if team_only:
            _require_team(actor, project)
        else:
            project_access(
                actor,
                organisation=project.organisation,
                call_organisation=project.call_organisation,
                team=project.team,
                invited=project.invitations,
                submitted=project.submitted_at is not None,
            )
        call = _load_call(app, project.call_organisation, project.call_id)
        act(project, call, meta)
        return [project], project_result(project)

    return app.execute(
        actor=actor, role=_team_role(actor), store=organisation, command_id=command_id, name=name, decide=decide
    )


def submit_project(app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, project_id: UUID) -> Any:
    return _on_project(
        app,
        actor,
        command_id,
        organisation=organisation,
        project_id=project_id,
        name="submit_project",
        act=lambda project, call, meta: project.submit(rules=call.rules(), meta=meta),
    )


def edit_project(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    project_id: UUID,
    changes: Mapping[str, Any],
) -> Any:
    """Change the fields given (see ``Project.edit``): a new version when the project is already submitted."""
    fields = {name: value for name, value in changes.items() if value is not None}
    if "answers" in fields:
        fields["answers"] = dict(fields["answers"])
    return _on_project(
        app,
        actor,
        command_id,
        organisation=organisation,
        project_id=project_id,
        name="edit_project",
        act=lambda project, call, meta: project.edit(rules=call.rules(), meta=meta, **fields),
    )


def withdraw_project(
    app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, project_id: UUID, reason: str = ""
) -> Any:
    return _on_project(
        app,
        actor,
        command_id,
        organisation=organisation,
        project_id=project_id,
        name="withdraw_project",
        act=lambda project, call, meta: project.withdraw(reason=reason, meta=meta),
    )


def invite_co_author(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    project_id: UUID,
    person: str,
    person_organisation: str,
) -> Any:
    """Invite a colleague (``person``, of ``person_organisation``): the domain refuses one of another organisation."""
    return _on_project(
        app,
        actor,
        command_id,
        organisation=organisation,
        project_id=project_id,
        name="invite_co_author",
        act=lambda project, call, meta: project.invite(
            rules=call.rules(), person=person, organisation=person_organisation, meta=meta
        ),
    )


def withdraw_invitation(
    app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, project_id: UUID, person: str
) -> Any:
    return _on_project(
        app,
        actor,
        command_id,
        organisation=organisation,
        project_id=project_id,
        name="withdraw_invitation",
        act=lambda project, call, meta: project.withdraw_invitation(person=person, meta=meta),
    )


def accept_invitation(
    app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, project_id: UUID
) -> Any:
    """The signed-in person accepts the invitation they received: they join the team."""
    return _on_project(
        app,
        actor,
        command_id,
        organisation=organisation,
        project_id=project_id,
        name="accept_invitation",
        act=lambda project, call, meta: project.accept_invitation(
            rules=call.rules(), person=actor.person_id, meta=meta
        ),
        team_only=False,
    )


def decline_invitation(
    app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, project_id: UUID
) -> Any:
    return _on_project(
        app,
        actor,
        command_id,
        organisation=organisation,
        project_id=project_id,
        name="decline_invitation",
        act=lambda project, call, meta: project.decline_invitation(person=actor.person_id, meta=meta),
        team_only=False,
    )
