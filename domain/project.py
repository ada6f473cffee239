"""A project agents submit to a call for ideas: its content and versions, its team, its local selection, its forum."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.domain import event

from domain.aggregate import Aggregate
from domain.errors import Conflict
from domain.idea_call import Answer, CallRules, NothingChanged
from domain.values import Meta, check_slug, check_text

TITLE_MAX = 300  # real titles run long: one of the 2019 forum's has 207 characters
PROBLEM_MAX = 5_000
SOLUTION_MAX = 5_000
BENEFITS_MAX = 3_000
REASON_MAX = 2_000
PERSON_MAX = 100

SELECTED = "selected"
NOT_SELECTED = "not_selected"


# ---------------------------------------------------------------------------------------------------------------------
# Refusals


class CoAuthorFromAnotherOrganisation(Conflict, rule="co_author_from_another_organisation"):
    """A team gathers colleagues of one organisation: the project lives in that organisation's store."""


class TeamFull(Conflict, rule="team_full"):
    """The team (author, co-authors and pending invitations) would outgrow the call's maximum."""


class AlreadyInTeam(Conflict, rule="already_in_team"): ...


class NoInvitation(Conflict, rule="no_invitation"): ...


class ProjectWithdrawn(Conflict, rule="project_withdrawn"): ...


class AlreadySubmitted(Conflict, rule="already_submitted"): ...


class NotSubmitted(Conflict, rule="not_submitted"): ...


class NotLocallySelected(Conflict, rule="not_locally_selected"): ...


class AlreadyNominated(Conflict, rule="already_nominated"): ...


class NotNominated(Conflict, rule="not_nominated"): ...


# ---------------------------------------------------------------------------------------------------------------------
# Values


class ProjectContent(msgspec.Struct, frozen=True):
    """What the team writes. ``category`` and ``theme`` are None when the call declares none (or in a draft)."""

    title: str
    problem: str
    solution: str
    benefits_users: str
    benefits_agents: str
    category: str | None
    theme: str | None
    answers: dict[str, Answer]


class Version(msgspec.Struct, frozen=True):
    """The content of a submitted project as it stood: version 1 at submission, one more at each later edit."""

    number: int
    at: datetime
    content: ProjectContent


class Decision(msgspec.Struct, frozen=True):
    """A local selection decision, with the reason the team reads."""

    outcome: str  # SELECTED or NOT_SELECTED
    reason: str
    at: datetime
    actor: str


class Nomination(msgspec.Struct, frozen=True):
    forum_id: UUID
    forum_organisation: str
    at: datetime


CONTENT_FIELDS = ("title", "problem", "solution", "benefits_users", "benefits_agents", "category", "theme")


def _flat(content: ProjectContent) -> dict[str, Any]:
    flat: dict[str, Any] = {name: getattr(content, name) for name in CONTENT_FIELDS}
    flat.update({f"answers.{key}": value for key, value in content.answers.items()})
    return flat


def diff_versions(before: ProjectContent, after: ProjectContent) -> dict[str, tuple[Any, Any]]:
    """What changed from one content to the other: field → (before, after); answers appear as ``answers.<key>``,
    and an answer absent on one side is None there."""
    old, new = _flat(before), _flat(after)
    keys = list(old) + [key for key in new if key not in old]
    return {key: (old.get(key), new.get(key)) for key in keys if old.get(key) != new.get(key)}


def _check_content(
    rules: CallRules,
    *,
    title: str,
    problem: str,
    solution: str,
    benefits_users: str,
    benefits_agents: str,
    category: str | None,
    theme: str | None,
    answers: dict[str, Any],
    complete: bool,
) -> ProjectContent:
    """A draft needs a title; a submitted project also states its problem and solution, and answers what the call
    requires."""
    title = check_text(title, "title", max_length=TITLE_MAX)
    problem = check_text(problem, "problem", max_length=PROBLEM_MAX, required=complete)
    solution = check_text(solution, "solution", max_length=SOLUTION_MAX, required=complete)
    benefits_users = check_text(benefits_users, "benefits_users", max_length=BENEFITS_MAX, required=False)
    benefits_agents = check_text(benefits_agents, "benefits_agents", max_length=BENEFITS_MAX, required=False)
    category, theme, checked = rules.check_submission(
        category=category, theme=theme, answers=answers, complete=complete
    )
    return ProjectContent(
        title=title,
        problem=problem,
        solution=solution,
        benefits_users=benefits_users,
        benefits_agents=benefits_agents,
        category=category,
        theme=theme,
        answers=checked,
    )


# ---------------------------------------------------------------------------------------------------------------------
# The aggregate


class Project(Aggregate):
    """A project submitted by an agent (its author), with colleagues of the same organisation, to one call.

    Invariants: the project lives in its author's organisation, and so does every co-author; the team (author,
    co-authors, pending invitations) never outgrows the call's maximum; it is drafted, submitted and edited only
    while its call is open (checked against the ``CallRules`` the application passes in, with the server's time
    in ``meta.at``); a submitted project is complete, and every edit of it records a new version in ``versions``;
    a withdrawn project changes no more; only a submitted project is selected or not, only after its call has
    closed and before the call's selection is recorded (a decision may be revised until then); only a selected
    project is nominated to a forum, once.

    Who may act (author, co-author, organiser) is checked by the application, not here.
    """

    @classmethod
    def draft(
        cls,
        *,
        id: UUID,  # noqa: A002 — the aggregate's id, chosen by the application
        rules: CallRules,
        author: str,
        organisation: str,
        title: str,
        problem: str = "",
        solution: str = "",
        benefits_users: str = "",
        benefits_agents: str = "",
        category: str | None = None,
        theme: str | None = None,
        answers: dict[str, Any] | None = None,
        meta: Meta,
    ) -> "Project":
        author = check_text(author, "author", max_length=PERSON_MAX)
        check_slug(organisation, "organisation")
        rules.check_eligible(organisation)
        rules.check_open(meta.at)
        content = _check_content(
            rules,
            title=title,
            problem=problem,
            solution=solution,
            benefits_users=benefits_users,
            benefits_agents=benefits_agents,
            category=category,
            theme=theme,
            answers=answers or {},
            complete=False,
        )
        project: Project = cls._create(
            cls.Drafted,
            id=id,
            call_id=rules.call_id,
            call_organisation=rules.organisation,
            organisation=organisation,
            author=author,
            content=content,
            meta=meta,
        )
        return project

    class Drafted(Aggregate.Created):
        call_id: UUID
        call_organisation: str
        organisation: str
        author: str
        content: ProjectContent
        meta: Meta

    def __init__(
        self,
        *,
        call_id: UUID,
        call_organisation: str,
        organisation: str,
        author: str,
        content: ProjectContent,
        meta: Meta,
    ) -> None:
        self.call_id = call_id
        self.call_organisation = call_organisation
        self.organisation = organisation
        self.author = author
        self.content = content
        self.drafted_at = meta.at
        self.submitted_at: datetime | None = None
        self.withdrawn_at: datetime | None = None
        self.withdrawal_reason = ""
        self.versions: tuple[Version, ...] = ()
        self.co_authors: tuple[str, ...] = ()
        self.invitations: tuple[str, ...] = ()
        self.decisions: tuple[Decision, ...] = ()
        self.nomination: Nomination | None = None

    # -- what the application asks ------------------------------------------------------------------------------------

    @property
    def status(self) -> str:
        """drafted, submitted or withdrawn."""
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "submitted" if self.submitted_at is not None else "drafted"

    @property
    def team(self) -> tuple[str, ...]:
        return (self.author, *self.co_authors)

    @property
    def team_size(self) -> int:
        """Author, co-authors and pending invitations: the places taken."""
        return 1 + len(self.co_authors) + len(self.invitations)

    @property
    def decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    def submitted_version(self, number: int) -> Version:
        for version in self.versions:
            if version.number == number:
                return version
        raise KeyError(number)

    def compare(self, before: int, after: int) -> dict[str, tuple[Any, Any]]:
        """What changed between two submitted versions, by their numbers."""
        return diff_versions(self.submitted_version(before).content, self.submitted_version(after).content)

    def _check_call(self, rules: CallRules) -> None:
        if rules.call_id != self.call_id:
            # the application passed another call's rules: a bug, not a user's mistake
            msg = f"rules of call {rules.call_id} given for a project of call {self.call_id}"
            raise ValueError(msg)

    def _refuse_if_withdrawn(self) -> None:
        if self.withdrawn_at is not None:
            raise ProjectWithdrawn(f"Le projet « {self.content.title} » a été retiré : il ne change plus.")

    # -- content ------------------------------------------------------------------------------------------------------

    def submit(self, *, rules: CallRules, meta: Meta) -> None:
        """Submit the project as it stands: it becomes version 1, and must be complete."""
        self._check_call(rules)
        self._refuse_if_withdrawn()
        if self.submitted_at is not None:
            raise AlreadySubmitted(
                f"Le projet « {self.content.title} » est déposé : ses modifications sont enregistrées au fil de l'eau."
            )
        rules.check_eligible(self.organisation)
        rules.check_open(meta.at)
        content = self._revised(rules, {}, complete=True)
        self._submitted(version=len(self.versions) + 1, content=content, meta=meta)

    @event("Submitted")
    def _submitted(self, version: int, content: ProjectContent, meta: Meta) -> None:
        self.content = content
        self.submitted_at = meta.at
        self.versions = (*self.versions, Version(number=version, at=meta.at, content=content))

    def edit(
        self,
        *,
        rules: CallRules,
        meta: Meta,
        title: str | None = None,
        problem: str | None = None,
        solution: str | None = None,
        benefits_users: str | None = None,
        benefits_agents: str | None = None,
        category: str | None = None,
        theme: str | None = None,
        answers: dict[str, Any] | None = None,
    ) -> None:
        """Change the fields given (None leaves a field as it is; "" empties it). ``answers`` are merged into the
        current ones (an empty answer removes one). A submitted project stays complete and gets a new version."""
        self._check_call(rules)
        self._refuse_if_withdrawn()
        rules.check_open(meta.at)
        given = {
            "title": title,
            "problem": problem,
            "solution": solution,
            "benefits_users": benefits_users,
            "benefits_agents": benefits_agents,
            "category": category,
            "theme": theme,
        }
        changes: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
        if answers is not None:
            changes["answers"] = {**self.content.answers, **answers}
        content = self._revised(rules, changes, complete=self.submitted_at is not None)
        changed = tuple(diff_versions(self.content, content))
        if not changed:
            raise NothingChanged(f"Cette modification ne change rien au projet « {self.content.title} ».")
        version = len(self.versions) + 1 if self.submitted_at is not None else None
        self._edited(content=content, changed=changed, version=version, meta=meta)

    def _revised(self, rules: CallRules, changes: dict[str, Any], *, complete: bool) -> ProjectContent:
        current: dict[str, Any] = {name: getattr(self.content, name) for name in CONTENT_FIELDS}
        current["answers"] = self.content.answers
        current.update(changes)
        return _check_content(rules, **current, complete=complete)

    @event("Edited")
    def _edited(self, content: ProjectContent, changed: tuple[str, ...], version: int | None, meta: Meta) -> None:
        self.content = content
        if version is not None:
            self.versions = (*self.versions, Version(number=version, at=meta.at, content=content))

    def withdraw(self, *, reason: str = "", meta: Meta) -> None:
        self._refuse_if_withdrawn()
        if self.nomination is not None:
            raise Conflict(
                f"Le projet « {self.content.title} » est présenté à un forum : sa candidature doit d'abord être "
                "retirée.",
                rule="nominated",
            )
        reason = check_text(reason, "reason", max_length=REASON_MAX, required=False)
        self._withdrawn(reason=reason, meta=meta)

    @event("Withdrawn")
    def _withdrawn(self, reason: str, meta: Meta) -> None:
        self.withdrawn_at = meta.at
        self.withdrawal_reason = reason

    # -- team ---------------------------------------------------------------------------------------------------------

    def invite(self, *, rules: CallRules, person: str, organisation: str, meta: Meta) -> None:
        """Invite a colleague of the same organisation; they take a place in the team until they answer."""
        self._check_call(rules)
        self._refuse_if_withdrawn()
        rules.check_open(meta.at)
        person = check_text(person, "person", max_length=PERSON_MAX)
        if organisation != self.organisation:
            raise CoAuthorFromAnotherOrganisation(
                f"Un coauteur est un collègue de la même organisation ({self.organisation}), pas de {organisation}.",
                field="organisation",
            )
        if person in self.team or person in self.invitations:
            raise AlreadyInTeam("Cette personne fait déjà partie de l'équipe ou y est déjà invitée.", field="person")
        if self.team_size + 1 > rules.max_team_size:
            raise TeamFull(
                f"Une équipe compte au plus {rules.max_team_size} personnes pour l'appel « {rules.title} » "
                "(auteur, coauteurs et invitations en attente).",
                field="person",
            )
        self._co_author_invited(person=person, organisation=organisation, meta=meta)

    @event("CoAuthorInvited")
    def _co_author_invited(self, person: str, organisation: str, meta: Meta) -> None:
        self.invitations = (*self.invitations, person)

    def accept_invitation(self, *, rules: CallRules, person: str, meta: Meta) -> None:
        """The invited colleague joins the team (while the call is open: the team is part of what is submitted)."""
        self._check_call(rules)
        self._refuse_if_withdrawn()
        self._refuse_without_invitation(person)
        rules.check_open(meta.at)
        self._co_author_accepted(person=person, meta=meta)

    @event("CoAuthorAccepted")
    def _co_author_accepted(self, person: str, meta: Meta) -> None:
        self._drop_invitation(person)
        self.co_authors = (*self.co_authors, person)

    def decline_invitation(self, *, person: str, meta: Meta) -> None:
        """The invited colleague declines; always possible, it frees a place."""
        self._refuse_without_invitation(person)
        self._co_author_declined(person=person, meta=meta)

    @event("CoAuthorDeclined")
    def _co_author_declined(self, person: str, meta: Meta) -> None:
        self._drop_invitation(person)

    def withdraw_invitation(self, *, person: str, meta: Meta) -> None:
        """The team takes back a pending invitation, freeing its place."""
        self._refuse_without_invitation(person)
        self._invitation_withdrawn(person=person, meta=meta)

    @event("InvitationWithdrawn")
    def _invitation_withdrawn(self, person: str, meta: Meta) -> None:
        self._drop_invitation(person)

    def _drop_invitation(self, person: str) -> None:
        self.invitations = tuple(invited for invited in self.invitations if invited != person)

    def _refuse_without_invitation(self, person: str) -> None:
        if person not in self.invitations:
            if person in self.team:
                raise AlreadyInTeam("Cette personne fait déjà partie de l'équipe.", field="person")
            raise NoInvitation("Aucune invitation en attente pour cette personne.", field="person")

    # -- local selection ----------------------------------------------------------------------------------------------

    def select(self, *, rules: CallRules, reason: str = "", meta: Meta) -> None:
        """The organisation retains the project in its local selection."""
        reason = check_text(reason, "reason", max_length=REASON_MAX, required=False)
        self._check_decision(rules, SELECTED, reason, meta.at)
        self._selected(reason=reason, meta=meta)

    @event("Selected")
    def _selected(self, reason: str, meta: Meta) -> None:
        self.decisions = (*self.decisions, Decision(outcome=SELECTED, reason=reason, at=meta.at, actor=meta.actor))

    def mark_not_selected(self, *, rules: CallRules, reason: str, meta: Meta) -> None:
        """The organisation does not retain the project, and tells the team why."""
        reason = check_text(reason, "reason", max_length=REASON_MAX)
        self._check_decision(rules, NOT_SELECTED, reason, meta.at)
        if self.nomination is not None:
            raise Conflict(
                f"Le projet « {self.content.title} » est présenté à un forum : sa candidature doit d'abord être "
                "retirée.",
                rule="nominated",
            )
        self._not_selected(reason=reason, meta=meta)

    @event("NotSelected")
    def _not_selected(self, reason: str, meta: Meta) -> None:
        self.decisions = (
            *self.decisions,
            Decision(outcome=NOT_SELECTED, reason=reason, at=meta.at, actor=meta.actor),
        )

    def _check_decision(self, rules: CallRules, outcome: str, reason: str, at: datetime) -> None:
        self._check_call(rules)
        self._refuse_if_withdrawn()
        if self.submitted_at is None:
            raise NotSubmitted(f"Le projet « {self.content.title} » n'a pas été déposé : il n'entre pas en sélection.")
        rules.check_closed(at)
        current = self.decision
        if current is not None and (current.outcome, current.reason) == (outcome, reason):
            raise NothingChanged("Cette décision est déjà enregistrée.")

    # -- forum --------------------------------------------------------------------------------------------------------

    def nominate(self, *, forum_id: UUID, forum_organisation: str, meta: Meta) -> None:
        """Present the locally selected project to a forum (the quota is the forum's to enforce)."""
        self._refuse_if_withdrawn()
        check_slug(forum_organisation, "forum_organisation")
        decision = self.decision
        if decision is None or decision.outcome != SELECTED:
            raise NotLocallySelected(
                f"Le projet « {self.content.title} » n'a pas été retenu localement : il ne peut pas être présenté."
            )
        if self.nomination is not None:
            raise AlreadyNominated(f"Le projet « {self.content.title} » est déjà présenté à un forum.")
        self._nominated(forum_id=forum_id, forum_organisation=forum_organisation, meta=meta)

    @event("Nominated")
    def _nominated(self, forum_id: UUID, forum_organisation: str, meta: Meta) -> None:
        self.nomination = Nomination(forum_id=forum_id, forum_organisation=forum_organisation, at=meta.at)

    def withdraw_nomination(self, *, reason: str = "", meta: Meta) -> None:
        if self.nomination is None:
            raise NotNominated(f"Le projet « {self.content.title} » n'est présenté à aucun forum.")
        reason = check_text(reason, "reason", max_length=REASON_MAX, required=False)
        self._nomination_withdrawn(forum_id=self.nomination.forum_id, reason=reason, meta=meta)

    @event("NominationWithdrawn")
    def _nomination_withdrawn(self, forum_id: UUID, reason: str, meta: Meta) -> None:
        self.nomination = None
