"""After the forum: pre-incubation of projects, practices shared between organisations, and who may read what.

Every function takes the application first and carries its command out through
``app.execute``. Stores: a pre-incubation lives in its project's organisation's
store, a practice in its publisher's, an adoption in its adopter's; an adoption
reads the practice (and the adoption it derives from) in their own stores and
writes only into the adopter's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.errors import AlreadyExists, Conflict, Forbidden, Invalid, NotFound
from domain.forum import Forum
from domain.practice import (
    Adoption,
    AdoptionStatus,
    Figure,
    NotAdopted,
    Practice,
    PracticeSheet,
    PracticeStatus,
    make_sheet,
)
from domain.pre_incubation import PreIncubation, Reason
from domain.project import Project
from domain.values import Meta, Role
from forum.access import PLATFORM, Actor, require_member, require_role
from forum.application import Decision, ForumApplication

ORGANISER = Role.ORGANISER.value
AUDITOR = Role.AUDITOR.value


class NotALaureate(Conflict):
    """A pre-incubation « for a laureate » names a forum whose published palmarès lists the project."""

    rule = "not_a_laureate"


class ProjectWithdrawn(Conflict):
    rule = "project_withdrawn"


# ---------------------------------------------------------------------------------------------------------------------
# Loading


def _project(app: ForumApplication, organisation: str, project_id: UUID) -> Project:
    return app.load(Project, project_id, organisation, what=f"Projet introuvable dans « {organisation} ».")


def _pre_incubation(app: ForumApplication, organisation: str, project_id: UUID) -> PreIncubation:
    return app.load(
        PreIncubation,
        PreIncubation.id_for(project_id),
        organisation,
        what="Ce projet n'est pas en pré-incubation.",
    )


def _practice(app: ForumApplication, organisation: str, practice_id: UUID) -> Practice:
    return app.load(Practice, practice_id, organisation, what="Pratique introuvable.")


def _published_elsewhere(app: ForumApplication, publisher: str, practice_id: UUID) -> Practice:
    """A practice as another organisation may see it: a draft is nobody else's business (not found)."""
    practice = _practice(app, publisher, practice_id)
    if practice.status == PracticeStatus.DRAFT:
        raise NotFound("Pratique introuvable.")
    return practice


def _adoption(app: ForumApplication, organisation: str, practice_id: UUID) -> Adoption:
    return app.load(
        Adoption,
        Adoption.id_for(organisation, practice_id),
        organisation,
        what="Cette organisation n'a pas déclaré d'intérêt pour cette pratique.",
    )


def _organiser(actor: Actor, organisation: str) -> str:
    return require_role(actor, organisation, ORGANISER)


# ---------------------------------------------------------------------------------------------------------------------
# Pre-incubation (the project's organisation's store)


def start_pre_incubation(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    project_id: UUID,
    reason: str,
    sponsor: str,
    started_on: date,
    deadline: date | None = None,
    decision: str = "",
    forum_id: UUID | None = None,
    forum_organisation: str | None = None,
    prize_key: str | None = None,
    hours_per_week: Decimal | int = 0,
    budget_cents: int = 0,
    partner: str | None = None,
) -> Any:
    """Start a project's pre-incubation: as a laureate of a forum (``forum_id``, hosted by ``forum_organisation``,
    whose published palmarès lists it — under ``prize_key`` if given), or by decision of its organisation."""
    role = _organiser(actor, organisation)

    def decide(meta: Meta) -> Decision:
        project = _project(app, organisation, project_id)
        if project.status == "withdrawn":
            raise ProjectWithdrawn(f"Le projet « {project.content.title} » a été retiré : il n'est pas accompagné.")
        prize = prize_key
        if reason == Reason.LAUREAT and forum_id is not None:
            prize = _laureate_prize(app, project, forum_id, forum_organisation, prize_key)
        pre_incubation = PreIncubation.start(
            project_id=project_id,
            organisation=organisation,
            reason=reason,
            decision=decision,
            forum_id=forum_id,
            prize_key=prize,
            started_on=started_on,
            deadline=deadline,
            sponsor=sponsor,
            hours_per_week=hours_per_week,
            budget_cents=budget_cents,
            partner=partner,
            meta=meta,
        )
        if app.exists(pre_incubation.id, organisation):
            raise AlreadyExists(
                f"Le projet « {project.content.title} » est déjà en pré-incubation.",
                field="project_id",
                rule="already_pre_incubated",
            )
        return [pre_incubation], _pre_incubation_result(pre_incubation)

    return app.execute(
        actor=actor, role=role, store=organisation, command_id=command_id, name="start_pre_incubation", decide=decide
    )


def _laureate_prize(
    app: ForumApplication, project: Project, forum_id: UUID, host: str | None, prize_key: str | None
) -> str:
    """The key of the prize the project won at the forum (read in the host's store: a palmarès is public)."""
    if not host:
        raise Invalid(
            "Indiquez l'organisation hôte du forum dont le projet est lauréat.",
            field="forum_organisation",
            rule="required",
        )
    forum = app.load(Forum, forum_id, host, what="Forum introuvable.")
    if forum.palmares is None:
        raise NotALaureate(
            f"Le palmarès de « {forum.title} » n'est pas publié : ses lauréats ne sont pas encore connus.",
            field="forum_id",
        )
    for prize in forum.palmares.prizes:
        if prize_key in (None, prize.key) and any(e.project_id == project.id for e in prize.laureates):
            return prize.key
    raise NotALaureate(
        f"Le projet « {project.content.title} » ne figure pas au palmarès de « {forum.title} »"
        + (f" pour le prix « {prize_key} »." if prize_key else "."),
        field="prize_key" if prize_key else "forum_id",
    )


def _pre_incubation_result(p: PreIncubation, **extra: Any) -> dict[str, Any]:
    return {
        "organisation": p.organisation,
        "project_id": str(p.project_id),
        "stage": p.stage,
        "deadline": p.deadline.isoformat(),
        "outcome": p.outcome,
        **extra,
    }


def _on_pre_incubation(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    name: str,
    *,
    organisation: str,
    project_id: UUID,
    act: Any,
) -> Any:
    """Load the project's pre-incubation, apply ``act(pre_incubation, meta)`` and save it."""
    role = _organiser(actor, organisation)

    def decide(meta: Meta) -> Decision:
        pre_incubation = _pre_incubation(app, organisation, project_id)
        extra = act(pre_incubation, meta) or {}
        return [pre_incubation], _pre_incubation_result(pre_incubation, **extra)

    return app.execute(actor=actor, role=role, store=organisation, command_id=command_id, name=name, decide=decide)


def add_milestone(
    app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, project_id: UUID, title: str, due: date
) -> Any:
    def act(p: PreIncubation, meta: Meta) -> dict[str, Any]:
        return {"number": p.add_milestone(title=title, due=due, meta=meta)}

    return _on_pre_incubation(
        app, actor, command_id, "add_milestone", organisation=organisation, project_id=project_id, act=act
    )


def complete_milestone(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    project_id: UUID,
    number: int,
    completed_on: date,
) -> Any:
    def act(p: PreIncubation, meta: Meta) -> None:
        p.complete_milestone(number=number, completed_on=completed_on, meta=meta)

    return _on_pre_incubation(
        app, actor, command_id, "complete_milestone", organisation=organisation, project_id=project_id, act=act
    )


def reschedule_milestone(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    project_id: UUID,
    number: int,
    due: date,
    reason: str,
) -> Any:
    def act(p: PreIncubation, meta: Meta) -> None:
        p.reschedule_milestone(number=number, due=due, reason=reason, meta=meta)

    return _on_pre_incubation(
        app, actor, command_id, "reschedule_milestone", organisation=organisation, project_id=project_id, act=act
    )


def extend_deadline(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    project_id: UUID,
    deadline: date,
    reason: str,
) -> Any:
    def act(p: PreIncubation, meta: Meta) -> None:
        p.extend_deadline(deadline=deadline, reason=reason, meta=meta)

    return _on_pre_incubation(
        app, actor, command_id, "extend_deadline", organisation=organisation, project_id=project_id, act=act
    )


def change_sponsor(
    app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, project_id: UUID, sponsor: str
) -> Any:
    def act(p: PreIncubation, meta: Meta) -> None:
        p.change_sponsor(sponsor=sponsor, meta=meta)

    return _on_pre_incubation(
        app, actor, command_id, "change_sponsor", organisation=organisation, project_id=project_id, act=act
    )


def change_commitments(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    project_id: UUID,
    hours_per_week: Decimal | int,
    budget_cents: int,
    reason: str,
) -> Any:
    def act(p: PreIncubation, meta: Meta) -> None:
        p.change_commitments(hours_per_week=hours_per_week, budget_cents=budget_cents, reason=reason, meta=meta)

    return _on_pre_incubation(
        app, actor, command_id, "change_commitments", organisation=organisation, project_id=project_id, act=act
    )


def note_progress(
    app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, project_id: UUID, text: str
) -> Any:
    def act(p: PreIncubation, meta: Meta) -> None:
        p.note_progress(text=text, meta=meta)

    return _on_pre_incubation(
        app, actor, command_id, "note_progress", organisation=organisation, project_id=project_id, act=act
    )


def raise_vigilance(
    app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, project_id: UUID, text: str
) -> Any:
    def act(p: PreIncubation, meta: Meta) -> dict[str, Any]:
        return {"number": p.raise_vigilance(text=text, meta=meta)}

    return _on_pre_incubation(
        app, actor, command_id, "raise_vigilance", organisation=organisation, project_id=project_id, act=act
    )


def resolve_vigilance(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    project_id: UUID,
    number: int,
    resolution: str,
) -> Any:
    def act(p: PreIncubation, meta: Meta) -> None:
        p.resolve_vigilance(number=number, resolution=resolution, meta=meta)

    return _on_pre_incubation(
        app, actor, command_id, "resolve_vigilance", organisation=organisation, project_id=project_id, act=act
    )


def change_stage(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    project_id: UUID,
    stage: str,
    reason: str,
) -> Any:
    def act(p: PreIncubation, meta: Meta) -> None:
        p.change_stage(stage=stage, reason=reason, meta=meta)

    return _on_pre_incubation(
        app, actor, command_id, "change_stage", organisation=organisation, project_id=project_id, act=act
    )


def record_outcome(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    project_id: UUID,
    outcome: str,
    owner: str | None = None,
    reason: str | None = None,
) -> Any:
    def act(p: PreIncubation, meta: Meta) -> None:
        p.record_outcome(outcome=outcome, owner=owner, reason=reason, meta=meta)

    return _on_pre_incubation(
        app, actor, command_id, "record_outcome", organisation=organisation, project_id=project_id, act=act
    )


# ---------------------------------------------------------------------------------------------------------------------
# Practices (the publisher's store)


def figures_of(items: Iterable[Any]) -> tuple[Figure, ...]:
    """Figures from dicts or structs with ``label``, ``value`` and optional ``unit``."""
    figures = []
    for item in items:
        if isinstance(item, Figure):
            figures.append(item)
            continue
        fields = item if isinstance(item, dict) else {k: getattr(item, k, None) for k in ("label", "value", "unit")}
        figures.append(
            Figure(
                label=str(fields.get("label") or ""),
                value=_decimal(fields.get("value"), "figures.value"),
                unit=str(fields.get("unit") or ""),
            )
        )
    return tuple(figures)


def _decimal(value: Any, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise Invalid(f"« {value} » n'est pas un nombre.", field=field, rule="not_a_number") from None


def sheet_of(
    *,
    title: str,
    problem: str,
    what_was_done: str,
    results: str,
    resources: str,
    contact_role: str,
    reuse_conditions: str,
    themes: Sequence[str],
    stage: str,
    figures: Iterable[Any] = (),
) -> PracticeSheet:
    """A practice sheet, every field checked (``Invalid`` names the field at fault)."""
    return make_sheet(
        title=title,
        problem=problem,
        what_was_done=what_was_done,
        results=results,
        figures=figures_of(figures),
        resources=resources,
        contact_role=contact_role,
        reuse_conditions=reuse_conditions,
        themes=themes,
        stage=stage,
    )


def _practice_result(practice: Practice) -> dict[str, Any]:
    return {
        "practice_id": str(practice.id),
        "organisation": practice.organisation,
        "status": practice.status,
        "title": practice.title,
    }


def draft_practice(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    project_id: UUID,
    title: str,
    practice_id: UUID | None = None,
) -> Any:
    """Start a practice sheet drawn from one of the organisation's projects (not visible to others yet)."""
    role = _organiser(actor, organisation)

    def decide(meta: Meta) -> Decision:
        _project(app, organisation, project_id)
        practice = Practice.draft(
            id=practice_id or uuid.uuid4(), organisation=organisation, project_id=project_id, title=title, meta=meta
        )
        return [practice], _practice_result(practice)

    return app.execute(
        actor=actor, role=role, store=organisation, command_id=command_id, name="draft_practice", decide=decide
    )


def share_practice(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    project_id: UUID,
    sheet: PracticeSheet,
    practice_id: UUID | None = None,
) -> Any:
    """Draft and publish a practice in one command (its two events are saved together)."""
    role = _organiser(actor, organisation)

    def decide(meta: Meta) -> Decision:
        _project(app, organisation, project_id)
        practice = Practice.draft(
            id=practice_id or uuid.uuid4(),
            organisation=organisation,
            project_id=project_id,
            title=sheet.title,
            meta=meta,
        )
        practice.publish(sheet=sheet, meta=meta)
        return [practice], _practice_result(practice)

    return app.execute(
        actor=actor, role=role, store=organisation, command_id=command_id, name="share_practice", decide=decide
    )


def publish_practice(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    practice_id: UUID,
    sheet: PracticeSheet,
) -> Any:
    """Publish a draft (or a withdrawn practice again) with its complete sheet."""
    role = _organiser(actor, organisation)

    def decide(meta: Meta) -> Decision:
        practice = _practice(app, organisation, practice_id)
        practice.publish(sheet=sheet, meta=meta)
        return [practice], _practice_result(practice)

    return app.execute(
        actor=actor, role=role, store=organisation, command_id=command_id, name="publish_practice", decide=decide
    )


def amend_practice(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    practice_id: UUID,
    sheet: PracticeSheet,
    note: str = "",
) -> Any:
    role = _organiser(actor, organisation)

    def decide(meta: Meta) -> Decision:
        practice = _practice(app, organisation, practice_id)
        practice.amend(sheet=sheet, note=note, meta=meta)
        return [practice], _practice_result(practice)

    return app.execute(
        actor=actor, role=role, store=organisation, command_id=command_id, name="amend_practice", decide=decide
    )


def withdraw_practice(
    app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, practice_id: UUID, reason: str
) -> Any:
    role = _organiser(actor, organisation)

    def decide(meta: Meta) -> Decision:
        practice = _practice(app, organisation, practice_id)
        practice.withdraw(reason=reason, meta=meta)
        return [practice], _practice_result(practice)

    return app.execute(
        actor=actor, role=role, store=organisation, command_id=command_id, name="withdraw_practice", decide=decide
    )


# ---------------------------------------------------------------------------------------------------------------------
# Adoptions (the adopter's store; the practice is read in its publisher's)


def _adoption_result(adoption: Adoption) -> dict[str, Any]:
    return {
        "adoption_id": str(adoption.id),
        "organisation": adoption.organisation,
        "practice_id": str(adoption.practice_id),
        "practice_organisation": adoption.practice_organisation,
        "adopted_from": adoption.derived_from_organisation,
        "status": adoption.status,
    }


def declare_interest(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    practice_id: UUID,
    practice_organisation: str,
    adopted_from: str | None = None,
    note: str = "",
    adopt: bool = False,
) -> Any:
    """``organisation`` declares interest in another's published practice (and adopts it at once if ``adopt``).

    ``adopted_from`` names the organisation it learnt the practice from, when that is an
    adopter rather than the publisher; that organisation must have adopted it.
    """
    role = _organiser(actor, organisation)
    if organisation == PLATFORM:
        raise Forbidden("La plateforme n'adopte pas de pratique : une organisation le fait.", rule="platform_adopts")

    def decide(meta: Meta) -> Decision:
        if organisation == practice_organisation:
            # the domain refuses it; the practice is read from our own store (a draft is ours to see)
            practice = _practice(app, practice_organisation, practice_id)
        else:
            practice = _published_elsewhere(app, practice_organisation, practice_id)
        source = adopted_from if adopted_from not in (None, "", practice_organisation, organisation) else None
        if source is not None:
            derived = app.load(
                Adoption,
                Adoption.id_for(source, practice_id),
                source,
                what=f"« {source} » n'a pas adopté cette pratique.",
            )
            if derived.status != AdoptionStatus.ADOPTED:
                raise NotAdopted(
                    f"« {source} » n'a pas (ou plus) adopté cette pratique : adoptez-la auprès d'une organisation "
                    "qui l'a mise en œuvre, ou auprès de celle qui la publie.",
                    field="adopted_from",
                )
        adoption = Adoption.declare_interest(
            organisation=organisation,
            practice_id=practice_id,
            practice_organisation=practice_organisation,
            practice_status=practice.status,
            adopted_from=adopted_from or None,
            note=note,
            meta=meta,
        )
        if app.exists(adoption.id, organisation):
            raise AlreadyExists(
                "Votre organisation a déjà déclaré son intérêt pour cette pratique.",
                field="practice_id",
                rule="interest_already_declared",
            )
        if adopt:
            adoption.adopt(practice_status=practice.status, note=note, meta=meta)
        return [adoption], _adoption_result(adoption)

    return app.execute(
        actor=actor, role=role, store=organisation, command_id=command_id, name="declare_interest", decide=decide
    )


def adopt_practice(
    app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, practice_id: UUID, note: str = ""
) -> Any:
    """Adopt a practice the organisation declared interest in; the practice must still be published."""
    role = _organiser(actor, organisation)

    def decide(meta: Meta) -> Decision:
        adoption = _adoption(app, organisation, practice_id)
        practice = _practice(app, adoption.practice_organisation, practice_id)
        adoption.adopt(practice_status=practice.status, note=note, meta=meta)
        return [adoption], _adoption_result(adoption)

    return app.execute(
        actor=actor, role=role, store=organisation, command_id=command_id, name="adopt_practice", decide=decide
    )


def report_adoption(
    app: ForumApplication,
    actor: Actor,
    command_id: str,
    *,
    organisation: str,
    practice_id: UUID,
    outcome: str,
    text: str,
    figures: Iterable[Any] = (),
) -> Any:
    """Report how the adoption is going (« abandonnee » also records the abandonment)."""
    role = _organiser(actor, organisation)

    def decide(meta: Meta) -> Decision:
        adoption = _adoption(app, organisation, practice_id)
        adoption.submit_report(outcome=outcome, text=text, figures=figures_of(figures), meta=meta)
        return [adoption], _adoption_result(adoption)

    return app.execute(
        actor=actor, role=role, store=organisation, command_id=command_id, name="report_adoption", decide=decide
    )


def abandon_adoption(
    app: ForumApplication, actor: Actor, command_id: str, *, organisation: str, practice_id: UUID, reason: str
) -> Any:
    role = _organiser(actor, organisation)

    def decide(meta: Meta) -> Decision:
        adoption = _adoption(app, organisation, practice_id)
        adoption.abandon(reason=reason, meta=meta)
        return [adoption], _adoption_result(adoption)

    return app.execute(
        actor=actor, role=role, store=organisation, command_id=command_id, name="abandon_adoption", decide=decide
    )


# ---------------------------------------------------------------------------------------------------------------------
# Who may read what (the read side's queries take the answers as filters)


@dataclass(frozen=True)
class PortfolioScope:
    """Which pre-incubations a person's cross-organisation board shows.

    ``everything`` for platform administrators; otherwise the pre-incubations of
    ``organisations`` (their own, as organiser or auditor), those started for
    laureates of forums hosted by ``host_organisations`` or of the ``forum_ids``
    where they hold a host or forum-auditor role, and those ``partners`` support.
    """

    everything: bool = False
    organisations: tuple[str, ...] = ()
    host_organisations: tuple[str, ...] = ()
    forum_ids: tuple[UUID, ...] = ()
    partners: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.everything or self.organisations or self.host_organisations or self.forum_ids or self.partners)


def _reads_for_organisation(actor: Actor) -> bool:
    return ORGANISER in actor.roles or AUDITOR in actor.roles


def _forum_ids(actor: Actor, *roles: str) -> tuple[UUID, ...]:
    ids = []
    for forum_id, role in actor.forum_roles:
        if role in roles:
            try:
                ids.append(UUID(str(forum_id)))
            except ValueError:
                continue
    return tuple(sorted(ids))


def portfolio_scope(actor: Actor) -> PortfolioScope:
    if actor.is_admin:
        return PortfolioScope(everything=True)
    own = (actor.organisation,) if _reads_for_organisation(actor) else ()
    return PortfolioScope(
        organisations=own,
        host_organisations=own,
        forum_ids=_forum_ids(actor, Role.HOST, Role.FORUM_AUDITOR),
        partners=own,
    )


def require_portfolio_reader(actor: Actor, organisation: str) -> str:
    """An organisation's portfolio: its organisers and auditors (others: not found; its agents: forbidden)."""
    return require_role(actor, organisation, ORGANISER, AUDITOR)


def may_read_pre_incubation(
    actor: Actor,
    *,
    organisation: str,
    forum_id: UUID | None = None,
    forum_host: str | None = None,
    partner: str | None = None,
    team: Sequence[str] = (),
) -> bool:
    """A project's path: its organisation's organisers and auditors, its team, the host of the forum that made it
    a laureate, and the partner supporting it."""
    if actor.is_admin or (actor.person_id in team and actor.organisation == organisation):
        return True
    scope = portfolio_scope(actor)
    return (
        organisation in scope.organisations
        or (forum_host is not None and forum_host in scope.host_organisations)
        or (forum_id is not None and forum_id in scope.forum_ids)
        or (partner is not None and partner in scope.partners)
    )


def require_project_path_reader(
    actor: Actor,
    *,
    organisation: str,
    forum_id: UUID | None = None,
    forum_host: str | None = None,
    partner: str | None = None,
    team: Sequence[str] = (),
) -> None:
    if not may_read_pre_incubation(
        actor, organisation=organisation, forum_id=forum_id, forum_host=forum_host, partner=partner, team=team
    ):
        raise NotFound("Projet introuvable.")


def require_convergence_reader(actor: Actor, organisation: str) -> str:
    """Convergent projects are shown to the organisers of the organisations concerned, nobody else."""
    return require_role(actor, organisation, ORGANISER)


def require_funnel_reader(actor: Actor | None, *, host: str, forum_id: UUID, published: bool) -> None:
    """A forum's funnel is public once its palmarès is; before, its host's organisers and auditors only."""
    if published:
        return
    if actor is None:
        raise NotFound("Forum introuvable.")
    if actor.is_admin:
        return
    if forum_id in _forum_ids(actor, Role.HOST, Role.FORUM_AUDITOR):
        return
    require_member(actor, host)
    if not _reads_for_organisation(actor):
        raise NotFound("Forum introuvable.")


def require_own_practices_reader(actor: Actor, organisation: str) -> str:
    """An organisation's drafts and withdrawn practices: its organisers and auditors."""
    return require_role(actor, organisation, ORGANISER, AUDITOR)
