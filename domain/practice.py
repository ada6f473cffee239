"""Practices and their adoption elsewhere ("essaimage"): a publisher's sheet, and each adopter's own record.

Each organisation's facts live in its own store, so a practice and its adoptions are
two aggregates: ``Practice`` in the publisher's store, ``Adoption`` in the adopter's.
The lineage (who adopted from whom, and who adopted next from those) is read from
the adopters' ``InterestDeclared`` events, which name the practice and, when adopting
from an adopter, the adoption they derive from; the publisher's store records nothing
when someone adopts, so no command ever writes into two stores.
"""

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import event

from domain.aggregate import Aggregate
from domain.errors import Conflict, Invalid
from domain.pre_incubation import Stage
from domain.values import Meta, check_choice, check_slug, check_text

MAX_FIGURES = 20
MAX_THEMES = 5


class PracticeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class AdoptionStatus(StrEnum):
    INTERESTED = "interested"
    ADOPTED = "adopted"
    ABANDONED = "abandoned"


class ReportOutcome(StrEnum):
    """How an adoption is going, as its adopter reports it."""

    EN_COURS = "en_cours"
    REUSSIE = "reussie"
    ABANDONNEE = "abandonnee"


REPORT_OUTCOME_LABELS = {
    ReportOutcome.EN_COURS: "En cours",
    ReportOutcome.REUSSIE: "Réussie",
    ReportOutcome.ABANDONNEE: "Abandonnée",
}


class Figure(msgspec.Struct, frozen=True):
    """A result in figures: « repas jetés par jour », 120, « kg »."""

    label: str
    value: Decimal
    unit: str = ""


class PracticeSheet(msgspec.Struct, frozen=True):
    """What a published practice says ("fiche pratique"). ``contact_role`` is a job title, never a name."""

    title: str
    problem: str
    what_was_done: str
    results: str
    figures: tuple[Figure, ...]
    resources: str
    contact_role: str
    reuse_conditions: str
    themes: tuple[str, ...]
    stage: str


class PracticeNotPublished(Conflict, rule="practice_not_published"): ...


class AlreadyPublished(Conflict, rule="already_published"): ...


class NothingChanged(Conflict, rule="nothing_changed"): ...


class OwnPractice(Conflict, rule="own_practice"): ...


class AlreadyAdopted(Conflict, rule="already_adopted"): ...


class NotAdopted(Conflict, rule="not_adopted"): ...


class AdoptionAbandoned(Conflict, rule="adoption_abandoned"): ...


# a civility before a name (« Mme Durand »), not before a title (« Madame la rectrice »)
_CIVILITY = re.compile(
    r"^(?:m\.|mm\.|mme|mmes|mlle|mr|dr|pr|monsieur|madame|mademoiselle|docteur)(?:\s+(?!l[ae]\s|l')|$)"
)
_PHONE = re.compile(r"(?:\d[\s.-]?){8,}")
_FIRST_NAME = re.compile(r"^[A-Z][a-z]+(?:-[A-Z][a-z]+)*$")
_NAME_WORD = re.compile(r"^(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)*|[A-Z]{2,}(?:-[A-Z]{2,})*)$")
# a word starting with one of these makes a text a role or a team, even Capitalised (« Directeur Général »)
_ROLE_WORDS = """
    academi accueil adjoint administrat agent animat assistant attache bureau cadre cellule charge chef college
    conseill controleu coordinat correspondant daaf dane dasen delegue departement direct division drh dsden dsi
    ecole educat enseignant equipe gestionnaire ingenieu innovation inspect intendant lab lycee mission numerique
    pilote pole principal professeu projet proviseu recteu rectorat referent responsable secretaire service standard
    technicien
"""
_ROLE_STEMS = tuple(_ROLE_WORDS.split())


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def check_contact_role(value: str, field: str = "contact_role") -> str:
    """A contact is given by a job title (« cheffe de projet innovation »); names, e-mails and phones are refused.

    The check is a heuristic on the usual shapes of a personal contact: a civility
    (« Mme », « M. »), an e-mail address, a phone number, or two to four Capitalised
    words (« Claire Dupont », « Jean DURAND ») none of which is a job word.
    """
    value = check_text(value, field, max_length=200)
    words = _plain(value).split()
    looks_like_a_name = (
        bool(_CIVILITY.match(_plain(value).lower()))
        or "@" in value
        or bool(_PHONE.search(value))
        or (
            2 <= len(words) <= 4
            and all(_NAME_WORD.match(w) for w in words)
            and any(_FIRST_NAME.match(w) for w in words)
            and not any(w.lower().startswith(_ROLE_STEMS) for w in words)
        )
    )
    if looks_like_a_name:
        raise Invalid(
            f"Le contact « {value} » doit être une fonction (par exemple « cheffe de projet innovation »), "
            "jamais le nom, l'adresse ou le téléphone d'une personne.",
            field=field,
            rule="contact_not_a_role",
        )
    return value


def check_figures(figures: Sequence[Figure], field: str = "figures") -> tuple[Figure, ...]:
    if len(figures) > MAX_FIGURES:
        raise Invalid(f"Au plus {MAX_FIGURES} chiffres clés ({len(figures)} reçus).", field=field, rule="too_many")
    checked = []
    for figure in figures:
        if not figure.value.is_finite():
            raise Invalid(
                f"Le chiffre « {figure.label} » doit être un nombre (reçu : {figure.value}).",
                field=field,
                rule="not_a_number",
            )
        checked.append(
            Figure(
                label=check_text(figure.label, f"{field}.label", max_length=120),
                value=figure.value,
                unit=check_text(figure.unit, f"{field}.unit", max_length=30, required=False),
            )
        )
    return tuple(checked)


def check_themes(themes: Sequence[str], field: str = "themes") -> tuple[str, ...]:
    checked: list[str] = []
    for raw in themes:
        theme = check_text(raw, field, max_length=100)
        if theme not in checked:
            checked.append(theme)
    if not 1 <= len(checked) <= MAX_THEMES:
        raise Invalid(
            f"Une pratique relève de 1 à {MAX_THEMES} thèmes ({len(checked)} reçus).", field=field, rule="count"
        )
    return tuple(checked)


def make_sheet(
    *,
    title: str,
    problem: str,
    what_was_done: str,
    results: str,
    figures: Sequence[Figure] = (),
    resources: str,
    contact_role: str,
    reuse_conditions: str,
    themes: Sequence[str],
    stage: str,
) -> PracticeSheet:
    """Check every field of a practice sheet and return it trimmed."""
    return PracticeSheet(
        title=check_text(title, "title", max_length=200),
        problem=check_text(problem, "problem", max_length=5000),
        what_was_done=check_text(what_was_done, "what_was_done", max_length=5000),
        results=check_text(results, "results", max_length=5000),
        figures=check_figures(figures),
        resources=check_text(resources, "resources", max_length=2000),
        contact_role=check_contact_role(contact_role),
        reuse_conditions=check_text(reuse_conditions, "reuse_conditions", max_length=2000),
        themes=check_themes(themes),
        stage=check_choice(stage, "stage", [s.value for s in Stage]),
    )


class Practice(Aggregate):
    """A practice drafted from one of its organisation's projects, then published for others to adopt.

    Invariants: only a draft or a withdrawn practice is published; only a published
    one is amended or withdrawn; a published sheet is complete and names its contact
    by a job title.
    """

    @classmethod
    def draft(cls, *, id: UUID, organisation: str, project_id: UUID, title: str, meta: Meta) -> "Practice":  # noqa: A002
        check_slug(organisation, "organisation")
        title = check_text(title, "title", max_length=200)
        practice: Practice = cls._create(
            cls.Drafted, id=id, organisation=organisation, project_id=project_id, title=title, meta=meta
        )
        return practice

    class Drafted(Aggregate.Created):
        organisation: str
        project_id: UUID
        title: str
        meta: Meta

    def __init__(self, *, organisation: str, project_id: UUID, title: str, meta: Meta) -> None:
        self.organisation = organisation
        self.project_id = project_id
        self.title = title
        self.status = PracticeStatus.DRAFT.value
        self.sheet: PracticeSheet | None = None
        self.published_at: datetime | None = None

    def publish(self, *, sheet: PracticeSheet, meta: Meta) -> None:
        """Publish a draft, or publish again a withdrawn practice; ``sheet`` comes from ``make_sheet``."""
        if self.status == PracticeStatus.PUBLISHED:
            raise AlreadyPublished(f"La pratique « {self.title} » est déjà publiée : modifiez-la plutôt.")
        self._published(sheet=_rechecked(sheet), meta=meta)

    @event("Published")
    def _published(self, sheet: PracticeSheet, meta: Meta) -> None:
        self.status = PracticeStatus.PUBLISHED.value
        self.sheet = sheet
        self.title = sheet.title
        self.published_at = meta.at

    def amend(self, *, sheet: PracticeSheet, note: str = "", meta: Meta) -> None:
        """Replace the published sheet; ``note`` says what changed."""
        if self.status != PracticeStatus.PUBLISHED:
            raise PracticeNotPublished(
                f"La pratique « {self.title} » n'est pas publiée : publiez-la au lieu de la modifier."
            )
        sheet = _rechecked(sheet)
        if sheet == self.sheet:
            raise NothingChanged("La fiche est identique à celle publiée.")
        note = check_text(note, "note", max_length=1000, required=False)
        self._amended(sheet=sheet, note=note, meta=meta)

    @event("Amended")
    def _amended(self, sheet: PracticeSheet, note: str, meta: Meta) -> None:
        self.sheet = sheet
        self.title = sheet.title

    def withdraw(self, *, reason: str, meta: Meta) -> None:
        if self.status != PracticeStatus.PUBLISHED:
            raise PracticeNotPublished(f"La pratique « {self.title} » n'est pas publiée : rien à retirer.")
        reason = check_text(reason, "reason", max_length=1000)
        self._withdrawn(reason=reason, meta=meta)

    @event("Withdrawn")
    def _withdrawn(self, reason: str, meta: Meta) -> None:
        self.status = PracticeStatus.WITHDRAWN.value


def _rechecked(sheet: PracticeSheet) -> PracticeSheet:
    """A sheet built without ``make_sheet`` is checked all the same."""
    return make_sheet(**msgspec.structs.asdict(sheet))


class Adoption(Aggregate):
    """One organisation's adoption of another's practice, in the ADOPTING organisation's store.

    Invariants: one per (adopting organisation, practice) — the id derives from the
    pair, so a second declaration collides in the store; an organisation never
    adopts its own practice; interest is declared and adoption made only while the
    practice is published; adopted once; reports only after adoption; nothing after
    abandonment.
    """

    @staticmethod
    def id_for(organisation: str, practice_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"forum:adoption:{organisation}:{practice_id}")

    @classmethod
    def declare_interest(
        cls,
        *,
        organisation: str,
        practice_id: UUID,
        practice_organisation: str,
        practice_status: str,
        adopted_from: str | None = None,
        note: str = "",
        meta: Meta,
    ) -> "Adoption":
        """Declare interest in a practice, directly from its publisher or from ``adopted_from``, an adopter.

        The application passes the practice's current ``practice_status`` (read
        from the publisher) and checks that an adoption by ``adopted_from`` exists.
        """
        check_slug(organisation, "organisation")
        check_slug(practice_organisation, "practice_organisation")
        if organisation == practice_organisation:
            raise OwnPractice(
                "Une organisation n'adopte pas sa propre pratique : elle la porte déjà.", field="practice_id"
            )
        _check_published(practice_status)
        if adopted_from == practice_organisation:
            adopted_from = None  # adopting from the publisher is a direct adoption
        if adopted_from is not None:
            check_slug(adopted_from, "adopted_from")
            if adopted_from == organisation:
                raise Invalid(
                    "Une organisation n'adopte pas une pratique auprès d'elle-même.",
                    field="adopted_from",
                    rule="adopted_from_self",
                )
        note = check_text(note, "note", max_length=2000, required=False)
        adoption: Adoption = cls._create(
            cls.InterestDeclared,
            id=cls.id_for(organisation, practice_id),
            organisation=organisation,
            practice_id=practice_id,
            practice_organisation=practice_organisation,
            derived_from=None if adopted_from is None else cls.id_for(adopted_from, practice_id),
            derived_from_organisation=adopted_from,
            note=note,
            meta=meta,
        )
        return adoption

    class InterestDeclared(Aggregate.Created):
        organisation: str
        practice_id: UUID
        practice_organisation: str
        derived_from: UUID | None
        derived_from_organisation: str | None
        note: str
        meta: Meta

    def __init__(
        self,
        *,
        organisation: str,
        practice_id: UUID,
        practice_organisation: str,
        derived_from: UUID | None,
        derived_from_organisation: str | None,
        note: str,
        meta: Meta,
    ) -> None:
        self.organisation = organisation
        self.practice_id = practice_id
        self.practice_organisation = practice_organisation
        self.derived_from = derived_from
        self.derived_from_organisation = derived_from_organisation
        self.status = AdoptionStatus.INTERESTED.value
        self.adopted_at: datetime | None = None
        self.last_outcome: str | None = None
        self.reports = 0

    def _check_not_abandoned(self) -> None:
        if self.status == AdoptionStatus.ABANDONED:
            raise AdoptionAbandoned("Cette adoption a été abandonnée : plus rien ne peut y être enregistré.")

    def adopt(self, *, practice_status: str, note: str = "", meta: Meta) -> None:
        self._check_not_abandoned()
        if self.status == AdoptionStatus.ADOPTED:
            raise AlreadyAdopted("Cette pratique est déjà adoptée par l'organisation.")
        _check_published(practice_status)
        note = check_text(note, "note", max_length=2000, required=False)
        self._adopted(note=note, meta=meta)

    @event("Adopted")
    def _adopted(self, note: str, meta: Meta) -> None:
        self.status = AdoptionStatus.ADOPTED.value
        self.adopted_at = meta.at

    def submit_report(self, *, outcome: str, text: str, figures: Sequence[Figure] = (), meta: Meta) -> None:
        """Report how the adoption went; a report « abandonnée » also records the abandonment."""
        self._check_not_abandoned()
        if self.status != AdoptionStatus.ADOPTED:
            raise NotAdopted("Un compte rendu suit une adoption : adoptez d'abord la pratique.")
        check_choice(outcome, "outcome", [o.value for o in ReportOutcome])
        text = check_text(text, "text", max_length=5000)
        self._report_submitted(outcome=outcome, text=text, figures=check_figures(figures), meta=meta)
        if outcome == ReportOutcome.ABANDONNEE:
            self._abandoned(reason=text, meta=meta)

    @event("ReportSubmitted")
    def _report_submitted(self, outcome: str, text: str, figures: tuple[Figure, ...], meta: Meta) -> None:
        self.last_outcome = outcome
        self.reports += 1

    def abandon(self, *, reason: str, meta: Meta) -> None:
        self._check_not_abandoned()
        reason = check_text(reason, "reason", max_length=2000)
        self._abandoned(reason=reason, meta=meta)

    @event("Abandoned")
    def _abandoned(self, reason: str, meta: Meta) -> None:
        self.status = AdoptionStatus.ABANDONED.value


_NOT_PUBLISHED: dict[str, str] = {PracticeStatus.DRAFT: "encore en brouillon", PracticeStatus.WITHDRAWN: "retirée"}


def _check_published(practice_status: str) -> None:
    if practice_status != PracticeStatus.PUBLISHED:
        state = _NOT_PUBLISHED.get(practice_status, "non publiée")
        raise PracticeNotPublished(
            f"Cette pratique est {state} : seule une pratique publiée peut être adoptée.", field="practice_id"
        )
