"""Forums and prize editions: the host's commands on the edition (planning, amendments, budget, invitations and
quotas, prizes), the invited organisations' answers and nominations, and the palmarès' publication; and what every
forum feature (``forum.jury``, ``forum.coaching``, ``forum.stage``, ``forum.votes``) shares: the standings, the
scopes its commands run on (``ON_FORUM`` …) and the forum roles granted with the host's decisions.

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
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from psycopg.rows import tuple_row

from domain.errors import Forbidden, Invalid, NotFound
from domain.forum import (
    Forum,
    Prize,
    ProjectSnapshot,
    TeamMember,
)
from domain.person import ForumRoles, Person, PersonDeactivated
from domain.project import SELECTED, Project
from domain.values import Meta, Role, check_slug
from forum.access import Actor
from forum.application import ForumApplication
from forum.pipeline import Command, Scope, Unit, handles, run

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

    def standings(self, actor: Actor, roles: Sequence[str]) -> tuple[str, ...]:
        """The standings in the forum that let ``actor`` act where a handler names ``roles``."""
        return tuple(roles)

    def authorise(self, actor: Actor, target: ForumRef, loaded: Forum, roles: Sequence[str]) -> str:
        return require_standing(standing_in(actor, loaded), *self.standings(actor, roles))


ON_FORUM = OnForum()


class OnHost(Scope[str, str]):
    """Commands on a host organisation (planning a forum there): its organisers (administrators anywhere); another
    organisation's people do not find it."""

    def store(self, target: str) -> str:
        return _host_slug(target)

    def admit(self, actor: Actor, target: str, roles: Sequence[str]) -> None:
        store = _host_slug(target)
        if not actor.is_admin and not (actor.organisation == store and Role.ORGANISER in actor.roles):
            if actor.organisation != store:
                raise NotFound(f"Organisation « {store} » introuvable.", rule="not_found")
            raise Forbidden("Seuls les organisateurs de l'organisation planifient un forum.", rule="role_required")

    def load(self, app: ForumApplication, target: str) -> str:
        return _host_slug(target)

    def authorise(self, actor: Actor, target: str, loaded: str, roles: Sequence[str]) -> str:
        return HOST


ON_HOST = OnHost()


class ForParticipants(OnForum):
    """Commands an invited organisation's organisers take in a forum (administrators as its host): recorded as
    ``organiser``."""

    def standings(self, actor: Actor, roles: Sequence[str]) -> tuple[str, ...]:
        return (*roles, HOST) if actor.is_admin else tuple(roles)

    def recorded_role(self, actor: Actor, roles: Sequence[str]) -> str:
        return Role.ADMIN.value if actor.is_admin else Role.ORGANISER.value


ON_PARTICIPANT = ForParticipants()


class NominatedProject(msgspec.Struct, frozen=True):
    """A project in its own store (its author's organisation)."""

    store: str
    project_id: UUID


class OnNominatingProject(Scope[NominatedProject, Project]):
    """The project's side of a nomination or its withdrawal (the second step, after the forum's): seen by the
    organisers of the organisation whose call selected it (administrators: any)."""

    def store(self, target: NominatedProject) -> str:
        return _host_slug(target.store)

    def load(self, app: ForumApplication, target: NominatedProject) -> Project:
        return app.load(Project, target.project_id, _host_slug(target.store), what=PROJECT_NOT_FOUND)

    def authorise(self, actor: Actor, target: NominatedProject, loaded: Project, roles: Sequence[str]) -> str:
        if not actor.is_admin and loaded.call_organisation != actor.organisation:
            raise NotFound(PROJECT_NOT_FOUND, rule="not_found")
        return Role.ORGANISER.value


ON_NOMINATING_PROJECT = OnNominatingProject()

When = Annotated[datetime, msgspec.Meta(tz=True, description="ISO 8601 with an offset, e.g. 2019-11-28T14:00:00+01:00")]


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


class Participation(msgspec.Struct):
    forum_id: str
    organisation: str
    status: str | None = None
    quota: int | None = None


class PrizeDefined(msgspec.Struct):
    forum_id: str
    prize: dict[str, Any]


class Nomination(msgspec.Struct):
    forum_id: str
    project_id: str
    project_store: str
    organisation: str
    title: str
    withdrawn: bool
    nominated: int
    quota: int


class Appointment(msgspec.Struct):
    """A person appointed in the forum (a juror in a college, a coach with the role granted)."""

    forum_id: str
    person_id: str
    organisation: str
    role: str | None = None
    college: str | None = None


class PalmaresPublished(msgspec.Struct):
    forum_id: str
    published_at: datetime
    palmares: dict[str, Any]


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

Cents = Annotated[int, msgspec.Meta(ge=0, description="euro cents")]


class PlanForum(Command[ForumState], frozen=True):
    """Plan a forum (a joint day) or a prize edition hosted by the organisation (its organisers)."""

    key: Annotated[str, msgspec.Meta(description="short name in URLs, e.g. forum-2019: lowercase, digits, hyphens")]
    title: str
    kind: Annotated[str, msgspec.Meta(description="forum or prize")]
    starts_on: date
    place: str
    quota: Annotated[int, msgspec.Meta(description="projects each organisation may nominate (1–100)")]
    ends_on: date | None = None
    categories: list[str] = msgspec.field(default_factory=list)
    budget_cents: Annotated[Cents | None, msgspec.Meta(description="the total no set of awards may exceed")] = None


@handles(PlanForum, on=ON_HOST, roles=(HOST,))
def plan_forum(host: str, command: PlanForum, unit: Unit[str]) -> ForumState:
    """Plan a forum or a prize edition hosted by ``host``; its id derives from (host, ``key``): ``Forum.id_for``."""
    key = check_slug(command.key, field="key")
    try:
        UUID(key)
    except ValueError:
        pass
    else:  # URLs name a forum by its key or its id: a key must not read as an id
        raise Invalid("La clé d'un forum ne peut pas avoir la forme d'un identifiant.", field="key", rule="key_format")
    forum = Forum.plan(
        id=Forum.id_for(host, key),
        host=host,
        title=command.title,
        kind=command.kind,
        starts_on=command.starts_on,
        ends_on=command.ends_on,
        place=command.place,
        quota=command.quota,
        categories=command.categories,
        budget_cents=command.budget_cents,
        meta=unit.meta,
    )
    if unit.app.exists(forum.id, host):
        raise Invalid(f"Un forum de clé « {key} » existe déjà.", field="key", rule="key_taken")
    unit.save(forum)
    state = forum_state(forum)
    state.key = key
    return state


class AmendEdition(Command[ForumState], frozen=True):
    title: str
    place: str
    starts_on: date
    ends_on: date | None = None


@handles(AmendEdition, on=ON_FORUM, roles=(HOST,))
def amend_forum_edition(forum: Forum, command: AmendEdition, unit: Unit[ForumRef]) -> ForumState:
    forum.amend_edition(
        title=command.title, place=command.place, starts_on=command.starts_on, ends_on=command.ends_on, meta=unit.meta
    )
    return forum_state(forum)


class SetBudget(Command[ForumState], frozen=True):
    budget_cents: Cents | None


@handles(SetBudget, on=ON_FORUM, roles=(HOST,))
def set_forum_budget(forum: Forum, command: SetBudget, unit: Unit[ForumRef]) -> ForumState:
    forum.set_budget(budget_cents=command.budget_cents, meta=unit.meta)
    return forum_state(forum)


class Invite(Command[Participation], frozen=True):
    """Invite an organisation (with its own quota, or the forum's)."""

    organisation: str
    quota: Annotated[int | None, msgspec.Meta(description="its own quota; the forum's when absent")] = None


@handles(Invite, on=ON_FORUM, roles=(HOST,))
def invite_to_forum(forum: Forum, command: Invite, unit: Unit[ForumRef]) -> Participation:
    forum.invite(organisation=command.organisation, quota=command.quota, meta=unit.meta)
    return Participation(str(forum.id), command.organisation, status="invited")


class SetQuota(Command[Participation], frozen=True):
    quota: int


class SetOrganisationQuota(SetQuota, frozen=True, kw_only=True):
    """The quota of the organisation the URL names."""

    organisation: str


@handles(SetOrganisationQuota, on=ON_FORUM, roles=(HOST,))
def set_forum_quota(forum: Forum, command: SetOrganisationQuota, unit: Unit[ForumRef]) -> Participation:
    forum.set_quota(organisation=command.organisation, quota=command.quota, meta=unit.meta)
    return Participation(str(forum.id), command.organisation, quota=command.quota)


class DefinePrize(Command[PrizeDefined], frozen=True):
    """A prize (the key is in the path): main (the ranking's first), category, special (the jury's free choice) or
    vote (decided by an online vote); ``amount_cents`` per laureate."""

    label: str
    kind: Annotated[str, msgspec.Meta(description="main, category, special or vote")]
    laureates: int = 1
    category: str | None = None
    amount_cents: Cents | None = None
    ranked: Annotated[bool, msgspec.Meta(description="laureates listed first, second… in the order designated")] = False

    def keyed(self, key: str) -> SetPrize:
        """The command this body makes with the prize's key (from the URL)."""
        fields = {name: getattr(self, name) for name in self.__struct_fields__ if name != "command_id"}
        return SetPrize(command_id=self.command_id, prize=Prize(key=key, **fields))


class SetPrize(Command[PrizeDefined], frozen=True):
    """Define (or redefine, before its laureates) a prize."""

    prize: Prize


@handles(SetPrize, on=ON_FORUM, roles=(HOST,))
def define_prize(forum: Forum, command: SetPrize, unit: Unit[ForumRef]) -> PrizeDefined:
    forum.define_prize(prize=command.prize, meta=unit.meta)
    return PrizeDefined(str(forum.id), msgspec.to_builtins(forum.prizes[command.prize.key]))


# ---------------------------------------------------------------------------------------------------------------------
# Participants: an invited organisation's organisers


def _own_organisation(actor: Actor, organisation: str) -> None:
    """An organiser acts for their own organisation (administrators for any): another organisation's answer or
    nomination is refused, though the forum may be visible."""
    if not actor.is_admin and actor.organisation != organisation:
        raise Forbidden(
            f"Seuls les organisateurs de « {organisation} » agissent pour elle dans ce forum.",
            field="organisation",
            rule="own_organisation_only",
        )


class Accept(Command[Participation], frozen=True):
    pass


class AcceptForumInvitation(Accept, frozen=True, kw_only=True):
    """The answer of the organisation the URL names."""

    organisation: str


@handles(AcceptForumInvitation, on=ON_PARTICIPANT, roles=(PARTICIPANT,))
def accept_forum_invitation(forum: Forum, command: AcceptForumInvitation, unit: Unit[ForumRef]) -> Participation:
    _own_organisation(unit.actor, command.organisation)
    forum.accept_invitation(organisation=command.organisation, meta=unit.meta)
    return Participation(str(forum.id), command.organisation, status="accepted")


class Decline(Command[Participation], frozen=True):
    reason: str = ""


class DeclineForumInvitation(Decline, frozen=True, kw_only=True):
    """The answer of the organisation the URL names."""

    organisation: str


@handles(DeclineForumInvitation, on=ON_PARTICIPANT, roles=(PARTICIPANT,))
def decline_forum_invitation(forum: Forum, command: DeclineForumInvitation, unit: Unit[ForumRef]) -> Participation:
    _own_organisation(unit.actor, command.organisation)
    forum.decline_invitation(organisation=command.organisation, reason=command.reason, meta=unit.meta)
    return Participation(str(forum.id), command.organisation, status="declined")


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


def _nomination(forum: Forum, project_id: UUID, store: str) -> Nomination:
    nomination = forum.nominations[project_id]
    return Nomination(
        forum_id=str(forum.id),
        project_id=str(project_id),
        project_store=store,
        organisation=nomination.project.organisation,
        title=nomination.project.title,
        withdrawn=nomination.withdrawn,
        nominated=forum.nominated_count(nomination.project.organisation),
        quota=forum.quota_of(nomination.project.organisation),
    )


class Nominate(Command[Nomination], frozen=True):
    """Nominate a project the organisation selected locally (its organisers)."""

    project_id: UUID
    project_organisation: Annotated[
        str | None, msgspec.Meta(description="the project's store, when a partner's agent answered the call")
    ] = None


@handles(Nominate, on=ON_PARTICIPANT, roles=(PARTICIPANT,))
def nominate_project(forum: Forum, command: Nominate, unit: Unit[ForumRef]) -> Nomination:
    """The forum's step of a nomination (every rule checked here, the project's included, on a copy)."""
    store = command.project_organisation or unit.actor.organisation
    project = _load_nominating_project(unit.app, unit.actor, store, command.project_id)
    decision = project.decision
    selected = decision is not None and decision.outcome == SELECTED and project.withdrawn_at is None
    forum.nominate(project=project_snapshot(project), selected_locally=selected, meta=unit.meta)
    # the project's own rules (not withdrawn, not already presented elsewhere), checked on this copy now,
    # so that the second step cannot be refused after the first was recorded
    if project.nomination is None or project.nomination.forum_id != forum.id:
        project.nominate(forum_id=forum.id, forum_organisation=forum.host, meta=unit.meta)
    return _nomination(forum, command.project_id, store)


class RecordProjectNomination(Command[Nomination], frozen=True):
    """The project's step of a nomination the forum recorded (``nominate`` sends it): the project names the forum."""

    host: str
    nomination: Nomination


@handles(RecordProjectNomination, on=ON_NOMINATING_PROJECT, roles=(Role.ORGANISER.value,))
def record_project_nomination(
    project: Project, command: RecordProjectNomination, unit: Unit[NominatedProject]
) -> Nomination:
    forum_id = UUID(command.nomination.forum_id)
    if project.nomination is None or project.nomination.forum_id != forum_id:
        project.nominate(forum_id=forum_id, forum_organisation=_host_slug(command.host), meta=unit.meta)
    return command.nomination


def nominate(app: ForumApplication, actor: Actor, command: Nominate, target: ForumRef) -> Nomination:
    """Nominate a project the actor's organisation selected locally; ``project_organisation`` is the project's store
    (its author's organisation: the actor's own unless a partner's agent answered the call).

    Two commands (see the module's docstring): the forum's, then the project's (``<command id>.project``).
    """
    nomination = run(app, actor, command, target)
    second = RecordProjectNomination(
        command_id=_second_step_id(command.command_id, "project"), host=target.host, nomination=nomination
    )
    return run(app, actor, second, NominatedProject(nomination.project_store, command.project_id))


class Withdraw(Command[Nomination], frozen=True):
    reason: str = ""
    project_organisation: str | None = None


class WithdrawNomination(Withdraw, frozen=True, kw_only=True):
    """The withdrawal of the project the URL names."""

    project_id: UUID


@handles(WithdrawNomination, on=ON_PARTICIPANT, roles=(PARTICIPANT,))
def withdraw_nomination(forum: Forum, command: WithdrawNomination, unit: Unit[ForumRef]) -> Nomination:
    """The forum's step of a withdrawal before the day: by the nominating organisation's organisers."""
    nomination = forum.nominations.get(command.project_id)
    if nomination is None:
        raise NotFound("Ce projet n'est pas proposé à ce forum.", field="project_id", rule="not_nominated")
    if not unit.actor.is_admin and nomination.project.organisation != unit.actor.organisation:
        raise Forbidden(
            f"Seuls les organisateurs de « {nomination.project.organisation} » retirent ce projet.",
            rule="own_organisation_only",
        )
    forum.withdraw_nomination(project_id=command.project_id, reason=command.reason, meta=unit.meta)
    return _nomination(forum, command.project_id, command.project_organisation or nomination.project.organisation)


class RecordProjectNominationWithdrawal(Command[Nomination], frozen=True):
    """The project's step of a withdrawal the forum recorded (``withdraw`` sends it)."""

    reason: str
    nomination: Nomination


@handles(RecordProjectNominationWithdrawal, on=ON_NOMINATING_PROJECT, roles=(Role.ORGANISER.value,))
def record_project_nomination_withdrawal(
    project: Project, command: RecordProjectNominationWithdrawal, unit: Unit[NominatedProject]
) -> Nomination:
    if project.nomination is not None and project.nomination.forum_id == UUID(command.nomination.forum_id):
        project.withdraw_nomination(reason=command.reason, meta=unit.meta)
    return command.nomination


def withdraw(app: ForumApplication, actor: Actor, command: WithdrawNomination, target: ForumRef) -> Nomination:
    """Withdraw a nomination: the forum's command, then the project's (``<command id>.project``)."""
    nomination = run(app, actor, command, target)
    second = RecordProjectNominationWithdrawal(
        command_id=_second_step_id(command.command_id, "project"), reason=command.reason, nomination=nomination
    )
    return run(app, actor, second, NominatedProject(nomination.project_store, command.project_id))


# ---------------------------------------------------------------------------------------------------------------------
# The palmarès


class PublishPalmares(Command[PalmaresPublished], frozen=True):
    pass


@handles(PublishPalmares, on=ON_FORUM, roles=(HOST,))
def publish_palmares(forum: Forum, command: PublishPalmares, unit: Unit[ForumRef]) -> PalmaresPublished:
    """Proclaim the palmarès: public from now on."""
    palmares = forum.publish_palmares(meta=unit.meta)
    return PalmaresPublished(str(forum.id), unit.meta.at, msgspec.to_builtins(palmares))


def publish(app: ForumApplication, actor: Actor, command: PublishPalmares, target: ForumRef) -> PalmaresPublished:
    """Publish the palmarès, then anchor the host's chain head so that it covers the publication."""
    published = run(app, actor, command, target)
    anchor_publication(app, _host_slug(target.host), target.forum_id)
    return published


def anchor_publication(app: ForumApplication, host: str, forum_id: UUID) -> None:
    """Record the host's chain head in the platform's anchors (``forum.audit.anchor``), after the publication."""
    from forum import audit  # the audit module (issue 7) depends on the database layer only

    try:
        with app.store.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            audit.anchor(cursor, f"publication du palmarès {forum_id}", organisation=host)
    except Exception:  # the publication is recorded; the next periodic anchor covers it
        log.exception("the chain head of %s could not be anchored after publishing %s", host, forum_id)
