"""Forums and prize editions: the application's commands on the Forum aggregate, who may carry out each, and where.

Store. A forum lives in the store of its host organisation. Commands by people of other organisations (a Nord
organiser nominating, a Nord juror scoring, an académie's voter voting) are written into the host's store once
their access is checked: ``meta.organisation`` is the host, ``meta.actor_organisation`` theirs.

Who may act (``standing``). The host organisation's organisers (and people granted ``host`` in the forum) run the
forum; an organiser of an invited organisation answers the invitation and nominates its projects; jurors score
and declare conflicts; coaches record their teams' sessions; voters vote; forum auditors (and the host
organisation's auditors) read. A forum one has no standing in does not exist (``NotFound``); a forum one may see
but not act upon in this way answers ``Forbidden``.

Forum roles. Appointing a juror or a coach, or organising a vote, also grants the person the matching forum role
(``domain.person.ForumRoles``, the people module's aggregate, kept in the host's store) in the same transaction:
both are the host's decisions, and the role is what lets the person in.

Nomination spans two stores: the forum (host's store) records what was nominated, the project (its own store)
records that it was. One transaction cannot write two stores, so ``nominate`` carries out two commands in order:
first the forum's (every rule is checked there, the project's included, on a copy), then the project's
(``<command id>.project``). If the second fails after the first was written, sending the same command id again
completes it: the first answers its recorded result, the second runs (and does nothing if the project already
names this forum). The forum's record is the authority; the project's follows it. Withdrawal works the same way.

Concurrency. Every score is an event of the one Forum aggregate, so jurors scoring at the same moment collide on
its version: a command refused as a concurrent change is decided again on the fresh forum (a few times).
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import IntegrityError
from psycopg.rows import tuple_row

from domain.errors import AlreadyExists, ConcurrentChange, Forbidden, Invalid, NotFound
from domain.forum import (
    CoachingSlot,
    Forum,
    PitchSlot,
    Prize,
    ProjectSnapshot,
    TeamMember,
    Voter,
)
from domain.person import ForumRoles, Person, PersonDeactivated
from domain.project import SELECTED, Project
from domain.values import Meta, Role, check_slug
from forum.access import Actor
from forum.application import Decision, ForumApplication
from forum.pipeline import Scope

log = logging.getLogger("forum.forums")

FORUM_NOT_FOUND = "Forum introuvable."
PROJECT_NOT_FOUND = "Projet introuvable."
RETRIES = 12  # attempts of a command whose forum another command changed meanwhile (with a growing random pause)

# Standings: how a person stands towards one forum (the forum-scoped roles of ``domain.values.Role``, and two more)
HOST = Role.HOST.value
JUROR = Role.JUROR.value
COACH = Role.COACH.value
VOTER = Role.VOTER.value
AUDITOR = Role.FORUM_AUDITOR.value
PARTICIPANT = "participant"  # an organiser of an invited organisation
MEMBER = "member"  # anyone of the host or of an invited organisation: sees the forum's programme

LABELS = {
    HOST: "hôte du forum",
    JUROR: "juré",
    COACH: "coach",
    VOTER: "votant",
    AUDITOR: "auditeur du forum",
    PARTICIPANT: "organisateur d'une organisation invitée",
    MEMBER: "membre d'une organisation du forum",
}


# ---------------------------------------------------------------------------------------------------------------------
# Who may see and do what (used by the commands below, and by the web layer on read models)


def forum_id_for(host: str, ref: str) -> UUID:
    """The forum a URL names: its id, or the key it was planned with (``forum-2019``)."""
    try:
        return UUID(ref)
    except ValueError:
        return Forum.id_for(host, ref)


def standing(actor: Actor | None, *, forum_id: UUID | str, host: str, invited: Collection[str]) -> frozenset[str]:
    """Every standing ``actor`` has in the forum hosted by ``host`` with ``invited`` organisations (empty: none)."""
    if actor is None:
        return frozenset()
    held: set[str] = set()
    if actor.is_admin:
        held |= {HOST, AUDITOR, MEMBER}
    key = str(forum_id)
    for role in (HOST, JUROR, COACH, VOTER, AUDITOR):
        if actor.in_forum(key, role):
            held.add(role)
    if actor.organisation == host:
        held.add(MEMBER)
        if Role.ORGANISER in actor.roles:
            held.add(HOST)
        if Role.AUDITOR in actor.roles:
            held.add(AUDITOR)
    if actor.organisation in invited:
        held.add(MEMBER)
        if Role.ORGANISER in actor.roles:
            held.add(PARTICIPANT)
    return frozenset(held)


def require_standing(held: Collection[str], *allowed: str, what: str = FORUM_NOT_FOUND) -> str:
    """The first of ``allowed`` the actor holds; ``NotFound`` when they have no standing at all, else ``Forbidden``."""
    if not held:
        raise NotFound(what, rule="not_found")
    for role in allowed:
        if role in held:
            return role
    raise Forbidden(
        "Votre rôle dans ce forum ne permet pas cette action (rôle requis : "
        + " ou ".join(LABELS.get(r, r) for r in allowed)
        + ").",
        rule="forum_role_required",
    )


def standing_in(actor: Actor, forum: Forum) -> frozenset[str]:
    return standing(actor, forum_id=forum.id, host=forum.host, invited=forum.participants)


def _meta_role(actor: Actor, role: str) -> str:
    """The role recorded in the events' meta: ``admin`` for an administrator, else the forum role acted in."""
    return Role.ADMIN.value if actor.is_admin else role


def _host_slug(host: str) -> str:
    """A host named in a URL that cannot be an organisation is simply not found."""
    try:
        return check_slug(host, field="host")
    except Invalid:
        raise NotFound(FORUM_NOT_FOUND, rule="not_found") from None


def load_forum(app: ForumApplication, host: str, forum_id: UUID) -> Forum:
    return app.load(Forum, forum_id, _host_slug(host), what=FORUM_NOT_FOUND)


class ForumRef(msgspec.Struct, frozen=True):
    """A forum as a URL names it: its host organisation and its id."""

    host: str
    forum_id: UUID


class OnForum(Scope[ForumRef, Forum]):
    """Commands on a forum: written in its host's store, allowed by the actor's standing in the loaded forum.

    Every score and ballot is an event of the one Forum aggregate, so concurrent commands are decided again."""

    retries = RETRIES

    def store(self, target: ForumRef) -> str:
        return _host_slug(target.host)

    def load(self, app: ForumApplication, target: ForumRef) -> Forum:
        return load_forum(app, target.host, target.forum_id)

    def authorise(self, actor: Actor, target: ForumRef, loaded: Forum, roles: Sequence[str]) -> str:
        return require_standing(standing_in(actor, loaded), *roles)


ON_FORUM = OnForum()


# ---------------------------------------------------------------------------------------------------------------------
# Results (JSON-able: stored with the command and answered again on a retry)


class ForumState(msgspec.Struct):
    id: str
    host: str
    title: str
    deliberation: str
    published: bool
    key: str | None = None


def forum_state(forum: Forum) -> ForumState:
    return ForumState(str(forum.id), forum.host, forum.title, forum.deliberation, forum.palmares is not None)


def forum_result(forum: Forum) -> dict[str, Any]:
    result: dict[str, Any] = msgspec.to_builtins(forum_state(forum))
    result.pop("key")
    return result


def _builtins(value: Any) -> Any:
    return msgspec.to_builtins(value)


# ---------------------------------------------------------------------------------------------------------------------
# The one way a forum command runs


def _run(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    name: str,
    allowed: Sequence[str],
    role: str,
    act: Callable[[Forum, Meta], Any],
    also: Callable[[Forum, Meta], Sequence[Any]] | None = None,
) -> Any:
    """Load the forum, check ``actor`` holds one of ``allowed``, apply ``act`` and save (with ``also``'s aggregates).

    A concurrent change to the forum (another juror's score at the same moment) is decided again on the fresh forum.
    """
    store = _host_slug(host)

    def decide(meta: Meta) -> Decision:
        forum = load_forum(app, store, forum_id)
        require_standing(standing_in(actor, forum), *allowed)
        result = act(forum, meta)
        extra = list(also(forum, meta)) if also is not None else []
        return [forum, *extra], result if result is not None else forum_result(forum)

    for attempt in range(1, RETRIES + 1):
        try:
            return app.execute(
                actor=actor,
                role=_meta_role(actor, role),
                store=store,
                command_id=command_id,
                name=name,
                decide=decide,
            )
        except (ConcurrentChange, AlreadyExists) as error:
            # a forum changed meanwhile; or its roles, opened by two first appointments at once: decide again
            raced = isinstance(error, ConcurrentChange) or isinstance(error.__cause__, IntegrityError)
            if not raced or attempt == RETRIES:
                raise
            log.info("forum %s changed concurrently during %s: deciding again (%d)", forum_id, name, attempt)
            time.sleep(random.uniform(0, 0.01 * attempt))  # noqa: S311  # jitter, not cryptography
    raise AssertionError("unreachable")  # pragma: no cover


def _host_command(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    name: str,
    act: Callable[[Forum, Meta], Any],
    also: Callable[[Forum, Meta], Sequence[Any]] | None = None,
) -> Any:
    return _run(
        app,
        actor,
        command_id,
        host=host,
        forum_id=forum_id,
        name=name,
        allowed=(HOST,),
        role=HOST,
        act=act,
        also=also,
    )


# ---------------------------------------------------------------------------------------------------------------------
# Forum roles granted with the host's decisions (``domain.person.ForumRoles``, in the host's store)


def _require_person(app: ForumApplication, person_id: str, organisation: str, field: str = "person_id") -> None:
    """The person exists in ``organisation`` and is not deactivated."""
    try:
        key = UUID(person_id)
    except ValueError:
        raise NotFound("Personne introuvable.", field=field, rule="person_not_found") from None
    check_slug(organisation, field="organisation")
    if not app.exists(key, organisation):
        raise NotFound(
            f"Personne introuvable dans l'organisation « {organisation} ».", field=field, rule="person_not_found"
        )
    person = app.load(Person, key, organisation, what="Personne introuvable.")
    if person.deactivated:
        raise PersonDeactivated(f"Le compte de {person.name} est désactivé.", field=field)


class _Grants:
    """The forum's roles, opened on first use, to save with the Forum in one transaction."""

    def __init__(self, app: ForumApplication, forum: Forum, meta: Meta) -> None:
        roles_id = ForumRoles.id_for(forum.id)
        if app.exists(roles_id, forum.host):
            self.roles = app.load(ForumRoles, roles_id, forum.host)
        else:
            self.roles = ForumRoles.open(forum_id=forum.id, meta=meta)
        self.meta = meta

    def grant(self, person_id: str, organisation: str, role: str) -> None:
        if not self.roles.holds(person_id, role):
            self.roles.grant(person_id=person_id, person_organisation=organisation, role=role, meta=self.meta)

    def revoke(self, person_id: str, role: str) -> None:
        if self.roles.holds(person_id, role):
            self.roles.revoke(person_id=person_id, role=role, meta=self.meta)

    def saved(self) -> list[ForumRoles]:
        return [self.roles] if self.roles.pending_events else []


# ---------------------------------------------------------------------------------------------------------------------
# The edition: its host's commands


def plan_forum(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    key: str,
    title: str,
    kind: str,
    starts_on: date,
    place: str,
    quota: int,
    ends_on: date | None = None,
    categories: Sequence[str] = (),
    budget_cents: int | None = None,
) -> Any:
    """Plan a forum or a prize edition hosted by ``host``; its id derives from (host, ``key``): ``Forum.id_for``."""
    store = _host_slug(host)
    if not actor.is_admin and not (actor.organisation == store and Role.ORGANISER in actor.roles):
        if actor.organisation != store:
            raise NotFound(f"Organisation « {store} » introuvable.", rule="not_found")
        raise Forbidden("Seuls les organisateurs de l'organisation planifient un forum.", rule="role_required")
    check_slug(key, field="key")
    try:
        UUID(key)
    except ValueError:
        pass
    else:  # URLs name a forum by its key or its id: a key must not read as an id
        raise Invalid("La clé d'un forum ne peut pas avoir la forme d'un identifiant.", field="key", rule="key_format")

    def decide(meta: Meta) -> Decision:
        forum = Forum.plan(
            id=Forum.id_for(store, key),
            host=store,
            title=title,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            place=place,
            quota=quota,
            categories=categories,
            budget_cents=budget_cents,
            meta=meta,
        )
        if app.exists(forum.id, store):
            raise Invalid(f"Un forum de clé « {key} » existe déjà.", field="key", rule="key_taken")
        return [forum], {**forum_result(forum), "key": key}

    return app.execute(
        actor=actor, role=_meta_role(actor, HOST), store=store, command_id=command_id, name="plan_forum", decide=decide
    )


def amend_edition(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    title: str,
    place: str,
    starts_on: date,
    ends_on: date | None = None,
) -> Any:
    return _host_command(
        app,
        actor,
        command_id,
        host=host,
        forum_id=forum_id,
        name="amend_forum_edition",
        act=lambda f, m: f.amend_edition(title=title, place=place, starts_on=starts_on, ends_on=ends_on, meta=m),
    )


def set_budget(
    app: ForumApplication, actor: Actor, command_id: str, *, host: str, forum_id: UUID, budget_cents: int | None
) -> Any:
    return _host_command(
        app,
        actor,
        command_id,
        host=host,
        forum_id=forum_id,
        name="set_forum_budget",
        act=lambda f, m: f.set_budget(budget_cents=budget_cents, meta=m),
    )


def invite(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    organisation: str,
    quota: int | None = None,
) -> Any:
    """Invite an organisation (with its own quota, or the forum's)."""

    def act(forum: Forum, meta: Meta) -> Any:
        forum.invite(organisation=organisation, quota=quota, meta=meta)
        return {"forum_id": str(forum.id), "organisation": organisation, "status": "invited"}

    return _host_command(app, actor, command_id, host=host, forum_id=forum_id, name="invite_to_forum", act=act)


def set_quota(
    app: ForumApplication, actor: Actor, command_id: str, *, host: str, forum_id: UUID, organisation: str, quota: int
) -> Any:
    def act(forum: Forum, meta: Meta) -> Any:
        forum.set_quota(organisation=organisation, quota=quota, meta=meta)
        return {"forum_id": str(forum.id), "organisation": organisation, "quota": quota}

    return _host_command(app, actor, command_id, host=host, forum_id=forum_id, name="set_forum_quota", act=act)


def define_prize(
    app: ForumApplication, actor: Actor, command_id: str, *, host: str, forum_id: UUID, prize: Prize
) -> Any:
    def act(forum: Forum, meta: Meta) -> Any:
        forum.define_prize(prize=prize, meta=meta)
        return {"forum_id": str(forum.id), "prize": _builtins(forum.prizes[prize.key])}

    return _host_command(app, actor, command_id, host=host, forum_id=forum_id, name="define_prize", act=act)


# ---------------------------------------------------------------------------------------------------------------------
# Participants: an invited organisation's organisers


def _participant_command(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    organisation: str,
    name: str,
    act: Callable[[Forum, Meta], Any],
) -> Any:
    """A command an organiser takes for their own organisation (administrators for any)."""
    if not actor.is_admin and actor.organisation != organisation:
        # another organisation's answer or nomination: the forum may be visible, the act is not theirs
        def refuse(forum: Forum, meta: Meta) -> Any:
            raise Forbidden(
                f"Seuls les organisateurs de « {organisation} » agissent pour elle dans ce forum.",
                field="organisation",
                rule="own_organisation_only",
            )

        act = refuse
    return _run(
        app,
        actor,
        command_id,
        host=host,
        forum_id=forum_id,
        name=name,
        allowed=(PARTICIPANT, HOST) if actor.is_admin else (PARTICIPANT,),
        role=Role.ORGANISER.value,
        act=act,
    )


def accept_invitation(
    app: ForumApplication, actor: Actor, command_id: str, *, host: str, forum_id: UUID, organisation: str
) -> Any:
    def act(forum: Forum, meta: Meta) -> Any:
        forum.accept_invitation(organisation=organisation, meta=meta)
        return {"forum_id": str(forum.id), "organisation": organisation, "status": "accepted"}

    return _participant_command(
        app,
        actor,
        command_id,
        host=host,
        forum_id=forum_id,
        organisation=organisation,
        name="accept_forum_invitation",
        act=act,
    )


def decline_invitation(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    organisation: str,
    reason: str = "",
) -> Any:
    def act(forum: Forum, meta: Meta) -> Any:
        forum.decline_invitation(organisation=organisation, reason=reason, meta=meta)
        return {"forum_id": str(forum.id), "organisation": organisation, "status": "declined"}

    return _participant_command(
        app,
        actor,
        command_id,
        host=host,
        forum_id=forum_id,
        organisation=organisation,
        name="decline_forum_invitation",
        act=act,
    )


def project_snapshot(project: Project) -> ProjectSnapshot:
    """The project as the forum keeps it: nominated by the organisation whose call selected it."""
    content = project.content
    summary = (content.problem or content.solution).strip()
    if summary == content.title.strip():  # a problem that only repeats the title summarises nothing
        summary = ""
    if len(summary) > 4000:
        summary = summary[:3999].rsplit(" ", 1)[0] + "…"
    team = (TeamMember(project.author, "auteur"), *(TeamMember(p, "coauteur") for p in project.co_authors))
    return ProjectSnapshot(
        project_id=project.id,
        organisation=project.call_organisation,
        title=content.title,
        summary=summary,
        category=content.category,
        team=team,
    )


def _second_step_id(command_id: str, step: str) -> str:
    derived = f"{command_id}.{step}"
    if len(derived) <= 100:
        return derived
    return f"{hashlib.sha256(command_id.encode()).hexdigest()[:64]}.{step}"


def _load_nominating_project(app: ForumApplication, actor: Actor, organisation: str, project_id: UUID) -> Project:
    """The project, seen by an organiser of the organisation whose call selected it (or an administrator)."""
    project = app.load(Project, project_id, _host_slug(organisation), what=PROJECT_NOT_FOUND)
    if not actor.is_admin and project.call_organisation != actor.organisation:
        raise NotFound(PROJECT_NOT_FOUND, rule="not_found")
    return project


def nominate(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    project_id: UUID,
    organisation: str | None = None,
) -> Any:
    """Nominate a project the actor's organisation selected locally; ``organisation`` is the project's store
    (its author's organisation: the actor's own unless a partner's agent answered the call).

    Two commands (see the module's docstring): the forum's, then the project's ``Nominated``.
    """
    store = organisation or actor.organisation

    def act(forum: Forum, meta: Meta) -> Any:
        project = _load_nominating_project(app, actor, store, project_id)
        decision = project.decision
        selected = decision is not None and decision.outcome == SELECTED and project.withdrawn_at is None
        forum.nominate(project=project_snapshot(project), selected_locally=selected, meta=meta)
        # the project's own rules (not withdrawn, not already presented elsewhere), checked on this copy now,
        # so that the second step cannot be refused after the first was recorded
        if project.nomination is None or project.nomination.forum_id != forum.id:
            project.nominate(forum_id=forum.id, forum_organisation=forum.host, meta=meta)
        return _nomination_result(forum, project_id, store)

    result = _run(
        app,
        actor,
        command_id,
        host=host,
        forum_id=forum_id,
        name="nominate_project",
        allowed=(PARTICIPANT, HOST) if actor.is_admin else (PARTICIPANT,),
        role=Role.ORGANISER.value,
        act=act,
    )

    def decide_project(meta: Meta) -> Decision:
        project = app.load(Project, project_id, store, what=PROJECT_NOT_FOUND)
        if project.nomination is not None and project.nomination.forum_id == forum_id:
            return [], result
        project.nominate(forum_id=forum_id, forum_organisation=_host_slug(host), meta=meta)
        return [project], result

    app.execute(
        actor=actor,
        role=_meta_role(actor, Role.ORGANISER.value),
        store=store,
        command_id=_second_step_id(command_id, "project"),
        name="record_project_nomination",
        decide=decide_project,
    )
    return result


def _nomination_result(forum: Forum, project_id: UUID, store: str) -> dict[str, Any]:
    nomination = forum.nominations[project_id]
    return {
        "forum_id": str(forum.id),
        "project_id": str(project_id),
        "project_store": store,
        "organisation": nomination.project.organisation,
        "title": nomination.project.title,
        "withdrawn": nomination.withdrawn,
        "nominated": forum.nominated_count(nomination.project.organisation),
        "quota": forum.quota_of(nomination.project.organisation),
    }


def withdraw_nomination(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    project_id: UUID,
    reason: str = "",
    organisation: str | None = None,
) -> Any:
    """Withdraw a nomination before the day: by the nominating organisation's organisers; then the project's record."""
    stores: list[str] = []

    def act(forum: Forum, meta: Meta) -> Any:
        nomination = forum.nominations.get(project_id)
        if nomination is None:
            raise NotFound("Ce projet n'est pas proposé à ce forum.", field="project_id", rule="not_nominated")
        if not actor.is_admin and nomination.project.organisation != actor.organisation:
            raise Forbidden(
                f"Seuls les organisateurs de « {nomination.project.organisation} » retirent ce projet.",
                rule="own_organisation_only",
            )
        forum.withdraw_nomination(project_id=project_id, reason=reason, meta=meta)
        stores.append(organisation or nomination.project.organisation)
        return _nomination_result(forum, project_id, stores[-1])

    result = _run(
        app,
        actor,
        command_id,
        host=host,
        forum_id=forum_id,
        name="withdraw_nomination",
        allowed=(PARTICIPANT, HOST) if actor.is_admin else (PARTICIPANT,),
        role=Role.ORGANISER.value,
        act=act,
    )
    store = result.get("project_store") or (stores[-1] if stores else actor.organisation)

    def decide_project(meta: Meta) -> Decision:
        project = app.load(Project, project_id, store, what=PROJECT_NOT_FOUND)
        if project.nomination is None or project.nomination.forum_id != forum_id:
            return [], result
        project.withdraw_nomination(reason=reason, meta=meta)
        return [project], result

    app.execute(
        actor=actor,
        role=_meta_role(actor, Role.ORGANISER.value),
        store=store,
        command_id=_second_step_id(command_id, "project"),
        name="record_project_nomination_withdrawal",
        decide=decide_project,
    )
    return result


# ---------------------------------------------------------------------------------------------------------------------
# Coaching


def appoint_coach(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    person_id: str,
    organisation: str,
) -> Any:
    """Appoint a coach (a person of a partner organisation) and grant them the forum's ``coach`` role."""
    grants: list[_Grants] = []

    def act(forum: Forum, meta: Meta) -> Any:
        _require_person(app, person_id, organisation)
        forum.appoint_coach(person_id=person_id, organisation=organisation, meta=meta)
        grants.append(_Grants(app, forum, meta))
        grants[-1].grant(person_id, organisation, COACH)
        return {"forum_id": str(forum.id), "person_id": person_id, "organisation": organisation, "role": COACH}

    return _host_command(
        app,
        actor,
        command_id,
        host=host,
        forum_id=forum_id,
        name="appoint_coach",
        act=act,
        also=lambda f, m: grants[-1].saved(),
    )


def assign_coaching(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    slots: Sequence[CoachingSlot],
) -> Any:
    """Give teams a coach and a time slot (one or a whole rota, ``domain.forum.coaching_rota``), in one command."""
    if not slots:
        raise Invalid("Indiquez au moins un créneau de coaching.", field="slots", rule="required")

    def act(forum: Forum, meta: Meta) -> Any:
        for slot in slots:
            minutes = (slot.ends_at - slot.starts_at).total_seconds() / 60
            if minutes != int(minutes):
                raise Invalid(
                    "Un créneau de coaching dure un nombre entier de minutes.", field="slots", rule="slot_length"
                )
            forum.assign_coaching(
                project_id=slot.project_id,
                coach_id=slot.coach_id,
                starts_at=slot.starts_at,
                minutes=int(minutes),
                meta=meta,
            )
        return {"forum_id": str(forum.id), "assigned": len(slots)}

    return _host_command(app, actor, command_id, host=host, forum_id=forum_id, name="assign_coaching", act=act)


def record_coaching_session(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    project_id: UUID,
    notes: str,
    problem_statement: str,
    pitch_points: Sequence[str] = (),
) -> Any:
    """The coach assigned to the team records a session (the actor is the coach)."""

    def act(forum: Forum, meta: Meta) -> Any:
        forum.record_coaching_session(
            coach_id=actor.person_id,
            project_id=project_id,
            notes=notes,
            problem_statement=problem_statement,
            pitch_points=pitch_points,
            meta=meta,
        )
        return {
            "forum_id": str(forum.id),
            "project_id": str(project_id),
            "sessions": forum.coaching_sessions.get(project_id, 0),
        }

    return _run(
        app,
        actor,
        command_id,
        host=host,
        forum_id=forum_id,
        name="record_coaching_session",
        allowed=(COACH,),
        role=COACH,
        act=act,
    )


# ---------------------------------------------------------------------------------------------------------------------
# Pitches


def set_running_order(
    app: ForumApplication, actor: Actor, command_id: str, *, host: str, forum_id: UUID, slots: Sequence[PitchSlot]
) -> Any:
    """Set (or change, until the first pitch) the running order: ``domain.forum.running_order`` builds one."""

    def act(forum: Forum, meta: Meta) -> Any:
        forum.set_running_order(slots=slots, meta=meta)
        return {"forum_id": str(forum.id), "slots": len(forum.running_order)}

    return _host_command(app, actor, command_id, host=host, forum_id=forum_id, name="set_running_order", act=act)


def record_pitch(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    project_id: UUID,
    duration_seconds: int,
) -> Any:
    def act(forum: Forum, meta: Meta) -> Any:
        forum.record_pitch(project_id=project_id, duration_seconds=duration_seconds, meta=meta)
        return {"forum_id": str(forum.id), "project_id": str(project_id), "duration_seconds": duration_seconds}

    return _host_command(app, actor, command_id, host=host, forum_id=forum_id, name="record_pitch", act=act)


def record_absence(
    app: ForumApplication, actor: Actor, command_id: str, *, host: str, forum_id: UUID, project_id: UUID
) -> Any:
    def act(forum: Forum, meta: Meta) -> Any:
        forum.record_absence(project_id=project_id, meta=meta)
        return {"forum_id": str(forum.id), "project_id": str(project_id), "absent": True}

    return _host_command(app, actor, command_id, host=host, forum_id=forum_id, name="record_absence", act=act)


# ---------------------------------------------------------------------------------------------------------------------
# The jury


def appoint_juror(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    person_id: str,
    organisation: str,
    college: str,
) -> Any:
    """Appoint a juror (of any organisation) in a college, and grant them the forum's ``juror`` role."""
    grants: list[_Grants] = []

    def act(forum: Forum, meta: Meta) -> Any:
        _require_person(app, person_id, organisation)
        forum.appoint_juror(person_id=person_id, organisation=organisation, college=college, meta=meta)
        grants.append(_Grants(app, forum, meta))
        grants[-1].grant(person_id, organisation, JUROR)
        return {"forum_id": str(forum.id), "person_id": person_id, "organisation": organisation, "college": college}

    return _host_command(
        app,
        actor,
        command_id,
        host=host,
        forum_id=forum_id,
        name="appoint_juror",
        act=act,
        also=lambda f, m: grants[-1].saved(),
    )


# ---------------------------------------------------------------------------------------------------------------------
# Votes


def organise_vote(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    prize_key: str,
    electorate: Sequence[Voter],
    opens_at: datetime,
    closes_at: datetime,
    allow_own_organisation: bool = False,
    tie_break: str = "draw",
    draw_seed: str | None = None,
) -> Any:
    """Declare a prize's vote (electorate, period, tie-break) and grant each voter the forum's ``voter`` role
    (revoking it from people no vote of the forum counts any more)."""
    grants: list[_Grants] = []

    def act(forum: Forum, meta: Meta) -> Any:
        for voter in electorate:
            _require_person(app, voter.person_id, voter.organisation, field="electorate")
        forum.organise_vote(
            prize_key=prize_key,
            electorate=electorate,
            opens_at=opens_at,
            closes_at=closes_at,
            allow_own_organisation=allow_own_organisation,
            tie_break=tie_break,
            draw_seed=draw_seed,
            meta=meta,
        )
        grant = _Grants(app, forum, meta)
        voting = {p for vote in forum.votes.values() for p in vote.electorate}
        for person_id, _ in grant.roles.holders(VOTER):
            if person_id not in voting:
                grant.revoke(person_id, VOTER)
        for voter in electorate:
            grant.grant(voter.person_id, voter.organisation, VOTER)
        grants.append(grant)
        return {
            "forum_id": str(forum.id),
            "prize_key": prize_key,
            "electorate": len(electorate),
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
        }

    return _host_command(
        app,
        actor,
        command_id,
        host=host,
        forum_id=forum_id,
        name="organise_vote",
        act=act,
        also=lambda f, m: grants[-1].saved(),
    )


def cast_vote(
    app: ForumApplication, actor: Actor, command_id: str, *, host: str, forum_id: UUID, prize_key: str, project_id: UUID
) -> Any:
    """The voter (the actor) casts their one ballot."""

    def act(forum: Forum, meta: Meta) -> Any:
        forum.cast_vote(prize_key=prize_key, voter_id=actor.person_id, project_id=project_id, meta=meta)
        return {"forum_id": str(forum.id), "prize_key": prize_key, "voted": True, "cast_at": meta.at.isoformat()}

    return _run(
        app,
        actor,
        command_id,
        host=host,
        forum_id=forum_id,
        name="cast_vote",
        allowed=(VOTER,),
        role=VOTER,
        act=act,
    )


def count_votes(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    host: str,
    forum_id: UUID,
    prize_key: str,
    tie_order: Sequence[UUID] = (),
    rationale: str = "",
) -> Any:
    def act(forum: Forum, meta: Meta) -> Any:
        count = forum.count_votes(prize_key=prize_key, tie_order=tie_order, rationale=rationale, meta=meta)
        return {"forum_id": str(forum.id), "prize_key": prize_key, "count": _builtins(count)}

    return _host_command(app, actor, command_id, host=host, forum_id=forum_id, name="count_votes", act=act)


# ---------------------------------------------------------------------------------------------------------------------
# The palmarès


def publish_palmares(app: ForumApplication, actor: Actor, command_id: str, *, host: str, forum_id: UUID) -> Any:
    """Proclaim the palmarès (public from now on), then anchor the host's chain head so it covers the publication."""

    def act(forum: Forum, meta: Meta) -> Any:
        palmares = forum.publish_palmares(meta=meta)
        return {"forum_id": str(forum.id), "published_at": meta.at.isoformat(), "palmares": _builtins(palmares)}

    result = _host_command(app, actor, command_id, host=host, forum_id=forum_id, name="publish_palmares", act=act)
    anchor_publication(app, _host_slug(host), forum_id)
    return result


def anchor_publication(app: ForumApplication, host: str, forum_id: UUID) -> None:
    """Record the host's chain head in the platform's anchors (``forum.audit.anchor``), after the publication."""
    from forum import audit  # the audit module (issue 7) depends on the database layer only

    try:
        with app.store.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            audit.anchor(cursor, f"publication du palmarès {forum_id}", organisation=host)
    except Exception:  # the publication is recorded; the next periodic anchor covers it
        log.exception("the chain head of %s could not be anchored after publishing %s", host, forum_id)
