"""Practices shared between organisations, and their adoptions.

A practice lives in its publisher's store, an adoption in its adopter's: each command is a struct and one
handler, on the organisation (``ON_ORGANISATION``: drafting, sharing, declaring interest), on one of its practices
(``ON_PRACTICE``) or on one of its adoptions (``ON_ADOPTION``), by the organisation's organisers. An adoption reads
the practice (and the adoption it derives from) in their own stores and writes only into the adopter's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.errors import AlreadyExists, Forbidden, Invalid, NotFound
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
from domain.project import Project
from forum.access import PLATFORM, Actor
from forum.application import ForumApplication
from forum.pipeline import Command, CommandId, Unit, handles
from forum.portfolio import ON_ORGANISATION, ORGANISER, ByOrganisers, InOrganisation, OrganisationRef

PRACTICE_NOT_FOUND = "Pratique introuvable."


# -- the sheet ---------------------------------------------------------------------------------------------------------


class FigureIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A result in figures: « restes par repas », -35, « % »."""

    label: str
    value: Decimal
    unit: str = ""


class SheetIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A practice sheet: every field is required but ``figures``; the contact is a job title, never a name."""

    title: str
    problem: str
    what_was_done: str
    results: str
    resources: str
    contact_role: str
    reuse_conditions: str
    themes: list[str]
    stage: Annotated[str, msgspec.Meta(description="exploration, prototypage, acceleration, en_suspens or termine")]
    figures: list[FigureIn] = msgspec.field(default_factory=list)

    def sheet(self) -> PracticeSheet:
        """The sheet, every field checked (``Invalid`` names the field at fault)."""
        fields = msgspec.structs.asdict(self)
        fields["figures"] = figures_of(self.figures)
        return sheet_of(**fields)


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


# -- practices (the publisher's store) ---------------------------------------------------------------------------------


class PracticeRef(InOrganisation, frozen=True):
    """One of the organisation's practices."""

    practice_id: UUID


class OnPractice(ByOrganisers[PracticeRef, Practice]):
    def load(self, app: ForumApplication, target: PracticeRef) -> Practice:
        return app.load(Practice, target.practice_id, target.organisation, what=PRACTICE_NOT_FOUND)


ON_PRACTICE = OnPractice()


class PracticeResult(msgspec.Struct):
    practice_id: UUID
    organisation: str
    status: str
    title: str


def _practice_result(practice: Practice) -> PracticeResult:
    return PracticeResult(practice.id, practice.organisation, practice.status, practice.title)


class SharePractice(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Publish a practice drawn from one of the organisation's projects (or keep it as a draft)."""

    command_id: CommandId
    project_id: UUID
    sheet: SheetIn
    publish: Annotated[bool, msgspec.Meta(description="false: only a draft, visible to the organisation")] = True

    def command(self) -> PublishNewPractice | DraftPractice:
        """The command this asks for: a published practice, or only its draft."""
        if self.publish:
            return PublishNewPractice(command_id=self.command_id, project_id=self.project_id, sheet=self.sheet)
        return DraftPractice(command_id=self.command_id, project_id=self.project_id, title=self.sheet.title)


class DraftPractice(Command[PracticeResult], frozen=True):
    """Start a practice sheet drawn from one of the organisation's projects (not visible to others yet)."""

    project_id: UUID
    title: str
    practice_id: UUID | None = None


class PublishNewPractice(Command[PracticeResult], frozen=True):
    """Draft and publish a practice in one command (its two events are saved together)."""

    project_id: UUID
    sheet: SheetIn
    practice_id: UUID | None = None


def _project_of(unit: Unit[OrganisationRef], project_id: UUID) -> None:
    organisation = unit.target.organisation
    unit.app.load(Project, project_id, organisation, what=f"Projet introuvable dans « {organisation} ».")


@handles(DraftPractice, on=ON_ORGANISATION, roles=(ORGANISER,))
def draft_practice(where: OrganisationRef, command: DraftPractice, unit: Unit[OrganisationRef]) -> PracticeResult:
    _project_of(unit, command.project_id)
    practice = Practice.draft(
        id=command.practice_id or uuid.uuid4(),
        organisation=where.organisation,
        project_id=command.project_id,
        title=command.title,
        meta=unit.meta,
    )
    unit.save(practice)
    return _practice_result(practice)


@handles(PublishNewPractice, on=ON_ORGANISATION, roles=(ORGANISER,))
def share_practice(where: OrganisationRef, command: PublishNewPractice, unit: Unit[OrganisationRef]) -> PracticeResult:
    _project_of(unit, command.project_id)
    sheet = command.sheet.sheet()
    practice = Practice.draft(
        id=command.practice_id or uuid.uuid4(),
        organisation=where.organisation,
        project_id=command.project_id,
        title=sheet.title,
        meta=unit.meta,
    )
    practice.publish(sheet=sheet, meta=unit.meta)
    unit.save(practice)
    return _practice_result(practice)


class PublishPractice(Command[PracticeResult], frozen=True):
    """Publish a draft (or a withdrawn practice again) with its complete sheet."""

    sheet: SheetIn


@handles(PublishPractice, on=ON_PRACTICE, roles=(ORGANISER,))
def publish_practice(practice: Practice, command: PublishPractice, unit: Unit[PracticeRef]) -> PracticeResult:
    practice.publish(sheet=command.sheet.sheet(), meta=unit.meta)
    return _practice_result(practice)


class AmendPractice(Command[PracticeResult], frozen=True):
    sheet: SheetIn
    note: str = ""


@handles(AmendPractice, on=ON_PRACTICE, roles=(ORGANISER,))
def amend_practice(practice: Practice, command: AmendPractice, unit: Unit[PracticeRef]) -> PracticeResult:
    practice.amend(sheet=command.sheet.sheet(), note=command.note, meta=unit.meta)
    return _practice_result(practice)


class WithdrawPractice(Command[PracticeResult], frozen=True):
    reason: str


@handles(WithdrawPractice, on=ON_PRACTICE, roles=(ORGANISER,))
def withdraw_practice(practice: Practice, command: WithdrawPractice, unit: Unit[PracticeRef]) -> PracticeResult:
    practice.withdraw(reason=command.reason, meta=unit.meta)
    return _practice_result(practice)


# -- adoptions (the adopter's store; the practice is read in its publisher's) ------------------------------------------


class AdoptionRef(InOrganisation, frozen=True):
    """The organisation's adoption of a practice (of another organisation)."""

    practice_id: UUID


class OnAdoption(ByOrganisers[AdoptionRef, Adoption]):
    def load(self, app: ForumApplication, target: AdoptionRef) -> Adoption:
        return app.load(
            Adoption,
            Adoption.id_for(target.organisation, target.practice_id),
            target.organisation,
            what="Cette organisation n'a pas déclaré d'intérêt pour cette pratique.",
        )


ON_ADOPTION = OnAdoption()


class AdoptionResult(msgspec.Struct):
    adoption_id: UUID
    organisation: str
    practice_id: UUID
    practice_organisation: str
    adopted_from: str | None
    status: str


def _adoption_result(adoption: Adoption) -> AdoptionResult:
    return AdoptionResult(
        adoption_id=adoption.id,
        organisation=adoption.organisation,
        practice_id=adoption.practice_id,
        practice_organisation=adoption.practice_organisation,
        adopted_from=adoption.derived_from_organisation,
        status=adoption.status,
    )


def _practice(app: ForumApplication, organisation: str, practice_id: UUID) -> Practice:
    return app.load(Practice, practice_id, organisation, what=PRACTICE_NOT_FOUND)


def _published_elsewhere(app: ForumApplication, publisher: str, practice_id: UUID) -> Practice:
    """A practice as another organisation may see it: a draft is nobody else's business (not found)."""
    practice = _practice(app, publisher, practice_id)
    if practice.status == PracticeStatus.DRAFT:
        raise NotFound(PRACTICE_NOT_FOUND)
    return practice


class DeclareInterest(Command[AdoptionResult], frozen=True):
    """The organisation declares interest in another's published practice (and adopts it at once if ``adopt``)."""

    practice_id: UUID
    practice_organisation: Annotated[str | None, msgspec.Meta(description="the publisher (found if omitted)")] = None
    adopted_from: Annotated[
        str | None, msgspec.Meta(description="the adopter it learnt the practice from, if not the publisher")
    ] = None
    note: str = ""
    adopt: bool = False


class OnAdopter(ByOrganisers[OrganisationRef, OrganisationRef]):
    """The organisation taking a practice up: the platform itself never does."""

    def admit(self, actor: Actor, target: OrganisationRef, roles: Sequence[str]) -> None:
        super().admit(actor, target, roles)
        if target.organisation == PLATFORM:
            raise Forbidden(
                "La plateforme n'adopte pas de pratique : une organisation le fait.", rule="platform_adopts"
            )

    def load(self, app: ForumApplication, target: OrganisationRef) -> OrganisationRef:
        return target


ON_ADOPTER = OnAdopter()


@handles(DeclareInterest, on=ON_ADOPTER, roles=(ORGANISER,))
def declare_interest(where: OrganisationRef, command: DeclareInterest, unit: Unit[OrganisationRef]) -> AdoptionResult:
    """``organisation`` declares interest in another's published practice (and adopts it at once if ``adopt``).

    ``adopted_from`` names the organisation it learnt the practice from, when that is an adopter rather than the
    publisher; that organisation must have adopted it.
    """
    organisation, app, publisher = where.organisation, unit.app, command.practice_organisation
    if not publisher:
        raise NotFound(PRACTICE_NOT_FOUND)
    if organisation == publisher:
        # the domain refuses it; the practice is read from our own store (a draft is ours to see)
        practice = _practice(app, publisher, command.practice_id)
    else:
        practice = _published_elsewhere(app, publisher, command.practice_id)
    adopted_from = command.adopted_from
    source = adopted_from if adopted_from not in (None, "", publisher, organisation) else None
    if source is not None:
        derived = app.load(
            Adoption,
            Adoption.id_for(source, command.practice_id),
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
        practice_id=command.practice_id,
        practice_organisation=publisher,
        practice_status=practice.status,
        adopted_from=adopted_from or None,
        note=command.note,
        meta=unit.meta,
    )
    if app.exists(adoption.id, organisation):
        raise AlreadyExists(
            "Votre organisation a déjà déclaré son intérêt pour cette pratique.",
            field="practice_id",
            rule="interest_already_declared",
        )
    if command.adopt:
        adoption.adopt(practice_status=practice.status, note=command.note, meta=unit.meta)
    unit.save(adoption)
    return _adoption_result(adoption)


class AdoptPractice(Command[AdoptionResult], frozen=True):
    note: str = ""


@handles(AdoptPractice, on=ON_ADOPTION, roles=(ORGANISER,))
def adopt_practice(adoption: Adoption, command: AdoptPractice, unit: Unit[AdoptionRef]) -> AdoptionResult:
    """Adopt a practice the organisation declared interest in; the practice must still be published."""
    practice = _practice(unit.app, adoption.practice_organisation, adoption.practice_id)
    adoption.adopt(practice_status=practice.status, note=command.note, meta=unit.meta)
    return _adoption_result(adoption)


class ReportAdoption(Command[AdoptionResult], frozen=True):
    outcome: Annotated[str, msgspec.Meta(description="en_cours, reussie or abandonnee (which ends the adoption)")]
    text: str
    figures: list[FigureIn] = msgspec.field(default_factory=list)


@handles(ReportAdoption, on=ON_ADOPTION, roles=(ORGANISER,))
def report_adoption(adoption: Adoption, command: ReportAdoption, unit: Unit[AdoptionRef]) -> AdoptionResult:
    """Report how the adoption is going (« abandonnee » also records the abandonment)."""
    adoption.submit_report(
        outcome=command.outcome, text=command.text, figures=figures_of(command.figures), meta=unit.meta
    )
    return _adoption_result(adoption)


class AbandonAdoption(Command[AdoptionResult], frozen=True):
    reason: str


@handles(AbandonAdoption, on=ON_ADOPTION, roles=(ORGANISER,))
def abandon_adoption(adoption: Adoption, command: AbandonAdoption, unit: Unit[AdoptionRef]) -> AdoptionResult:
    adoption.abandon(reason=command.reason, meta=unit.meta)
    return _adoption_result(adoption)
