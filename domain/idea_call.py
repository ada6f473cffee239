"""The call for ideas an organisation runs among its agents: its form, its dates, its lifecycle, its rules."""

import re
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.domain import event

from domain.aggregate import Aggregate
from domain.errors import Conflict, Forbidden, Invalid
from domain.formatting import moment
from domain.values import PARIS, Meta, check_moment, check_slug, check_text

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
OPTION_MAX = 200  # one theme or one category
OPTIONS_MAX = 20  # themes, or categories, in one call
QUESTIONS_MAX = 50
LABEL_MAX = 500
CHOICES_MAX = 50
SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 20_000
LONG_TEXT_DEFAULT = 5_000
TEAM_MAX = 20
QUOTA_MAX = 100
REASON_MAX = 2_000

_QUESTION_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def paris_start_of_day(day: date) -> datetime:
    """00:00:00 on that day in Paris, as a UTC instant (an opening date given as a day)."""
    return datetime.combine(day, time(0, 0), tzinfo=PARIS).astimezone(UTC)


def paris_end_of_day(day: date) -> datetime:
    """23:59:59 on that day in Paris, as a UTC instant (a closing date given as a day; the closing is inclusive)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=PARIS).astimezone(UTC)


# ---------------------------------------------------------------------------------------------------------------------
# Refusals


class CallClosed(Conflict, rule="call_closed"):
    """A submission, an edit or an opening after the call's closing time (or its early closing)."""

    def __init__(self, closed_at: datetime) -> None:
        super().__init__(f"L'appel est clos depuis le {moment(closed_at)}.")
        self.closed_at = closed_at


class CallNotOpen(Conflict, rule="call_not_open"):
    """The call is not opened yet, or its opening time has not come."""


class CallCancelled(Conflict, rule="call_cancelled"): ...


class CallStillOpen(Conflict, rule="call_still_open"):
    """A selection while projects may still be submitted or edited."""


class SelectionAlreadyRecorded(Conflict, rule="selection_already_recorded"): ...


class NotEligible(Forbidden, rule="not_eligible"):
    """An agent of an organisation the call is not open to."""


class RemovedAfterOpening(Conflict, rule="removed_after_opening"):
    """An amendment after opening may add themes, categories, questions, partners or team places, never take them away
    (projects already drafted rely on them)."""


class NothingChanged(Conflict, rule="nothing_changed"): ...


class AnnouncementAlreadyPublished(Conflict, rule="announcement_already_published"): ...


# ---------------------------------------------------------------------------------------------------------------------
# Values


class QuestionKind(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"


TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


class Question(msgspec.Struct, frozen=True):
    """One question of the call's form: text questions carry their ``max_length``, choice ones their ``choices``."""

    key: str
    label: str
    kind: str
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()


class ForumRound(msgspec.Struct, frozen=True):
    """The forum this call is the local round of, and how many projects the organisation may nominate to it."""

    forum_id: UUID
    forum_organisation: str
    quota: int


class Change(msgspec.Struct, frozen=True):
    """One field an amendment changed, before and after, as people read them."""

    field: str
    before: str
    after: str


class Amendment(msgspec.Struct, frozen=True):
    """An amendment made after the call was opened: visible to everyone the call is open to."""

    at: datetime
    actor: str
    reason: str
    changes: tuple[Change, ...]


Answer = str | tuple[str, ...]


def check_question(question: Question) -> Question:
    """A well-formed question, its label and choices trimmed, its text limit made explicit."""
    key = question.key
    if not _QUESTION_KEY.match(key):
        raise Invalid(
            f"La clé de question « {key} » doit commencer par une lettre minuscule et ne compter que des lettres "
            "minuscules sans accent, des chiffres et des tirets bas (40 caractères au plus).",
            field="questions",
            rule="question_key_format",
        )
    field = f"questions.{key}"
    label = check_text(question.label, f"{field}.label", max_length=LABEL_MAX)
    if question.kind not in tuple(QuestionKind):
        raise Invalid(
            f"Type de question inconnu pour « {key} » : « {question.kind} ». "
            f"Types possibles : {', '.join(QuestionKind)}.",
            field=f"{field}.kind",
            rule="unknown_value",
        )
    kind = QuestionKind(question.kind)
    if kind in TEXT_KINDS:
        if question.choices:
            raise Invalid(
                f"La question « {key} » appelle un texte libre : elle ne propose pas de choix.",
                field=f"{field}.choices",
                rule="choices_on_text",
            )
        ceiling = SHORT_TEXT_MAX if kind is QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
        default = SHORT_TEXT_MAX if kind is QuestionKind.SHORT_TEXT else LONG_TEXT_DEFAULT
        max_length = default if question.max_length is None else question.max_length
        if not 1 <= max_length <= ceiling:
            raise Invalid(
                f"La longueur maximale de la réponse à « {key} » doit être comprise entre 1 et {ceiling}.",
                field=f"{field}.max_length",
                rule="out_of_range",
            )
        return Question(key=key, label=label, kind=kind.value, required=question.required, max_length=max_length)
    if question.max_length is not None:
        raise Invalid(
            f"La question « {key} » est à choix : elle n'a pas de longueur maximale.",
            field=f"{field}.max_length",
            rule="max_length_on_choice",
        )
    choices = _check_options(question.choices, f"{field}.choices", required=True, max_count=CHOICES_MAX)
    if len(choices) < 2:
        raise Invalid(
            f"La question à choix « {key} » doit proposer au moins deux choix.",
            field=f"{field}.choices",
            rule="too_few_choices",
        )
    return Question(key=key, label=label, kind=kind.value, required=question.required, choices=choices)


def _check_options(
    values: tuple[str, ...] | list[str], field: str, *, required: bool = False, max_count: int = OPTIONS_MAX
) -> tuple[str, ...]:
    """Themes, categories or choices: each trimmed and present, none repeated (letter case ignored)."""
    options = tuple(check_text(value, field, max_length=OPTION_MAX) for value in values)
    if required and not options:
        raise Invalid(f"Le champ « {field} » est obligatoire.", field=field, rule="required")
    if len(options) > max_count:
        raise Invalid(
            f"Le champ « {field} » compte {len(options)} valeurs ; {max_count} au plus.", field=field, rule="too_many"
        )
    seen: set[str] = set()
    for option in options:
        if option.casefold() in seen:
            raise Invalid(f"« {option} » figure deux fois dans « {field} ».", field=field, rule="duplicate")
        seen.add(option.casefold())
    return options


def _check_questions(questions: tuple[Question, ...] | list[Question]) -> tuple[Question, ...]:
    if len(questions) > QUESTIONS_MAX:
        raise Invalid(
            f"Le formulaire compte {len(questions)} questions ; {QUESTIONS_MAX} au plus.",
            field="questions",
            rule="too_many",
        )
    checked = tuple(check_question(question) for question in questions)
    keys = [question.key for question in checked]
    for key in keys:
        if keys.count(key) > 1:
            raise Invalid(f"La clé de question « {key} » figure deux fois.", field="questions", rule="duplicate_key")
    return checked


def _check_partners(partners: tuple[str, ...] | list[str], organisation: str) -> tuple[str, ...]:
    checked = tuple(check_slug(slug, "eligible_partners") for slug in partners)
    if organisation in checked:
        raise Invalid(
            "L'organisation qui porte l'appel n'a pas à figurer parmi ses partenaires : ses agents peuvent déjà "
            "déposer.",
            field="eligible_partners",
            rule="own_organisation",
        )
    if len(set(checked)) != len(checked):
        raise Invalid("Un partenaire figure deux fois.", field="eligible_partners", rule="duplicate")
    return checked


def _check_team_size(size: int) -> int:
    if not 1 <= size <= TEAM_MAX:
        raise Invalid(
            f"La taille maximale d'une équipe doit être comprise entre 1 et {TEAM_MAX} ({size}).",
            field="max_team_size",
            rule="out_of_range",
        )
    return size


def _check_moment(at: datetime, field: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise Invalid(
            f"La date « {field} » doit préciser son fuseau horaire (Europe/Paris).", field=field, rule="naive_datetime"
        )
    check_moment(at, field)
    return at.astimezone(UTC)


def _check_dates(opens_at: datetime, closes_at: datetime, now: datetime) -> tuple[datetime, datetime]:
    opens_at = _check_moment(opens_at, "opens_at")
    closes_at = _check_moment(closes_at, "closes_at")
    if closes_at <= opens_at:
        raise Invalid(
            f"La clôture ({moment(closes_at)}) doit suivre l'ouverture ({moment(opens_at)}).",
            field="closes_at",
            rule="closes_before_opening",
        )
    if closes_at <= now:
        raise Invalid(
            f"La clôture ({moment(closes_at)}) est déjà passée.", field="closes_at", rule="closes_in_the_past"
        )
    return opens_at, closes_at


def _check_forum(forum: ForumRound) -> ForumRound:
    check_slug(forum.forum_organisation, "forum_organisation")
    if not 1 <= forum.quota <= QUOTA_MAX:
        raise Invalid(
            f"Le quota de projets présentés au forum doit être compris entre 1 et {QUOTA_MAX} ({forum.quota}).",
            field="quota",
            rule="out_of_range",
        )
    return forum


def _unknown_choice(question: Question, choice: str) -> Invalid:
    return Invalid(
        f"Choix inconnu pour « {question.label} » : « {choice} ». Choix possibles : {', '.join(question.choices)}.",
        field=f"answers.{question.key}",
        rule="unknown_value",
    )


def _check_answer(question: Question, value: Any) -> Answer | None:
    """A trimmed answer, or None when the question was left unanswered."""
    field = f"answers.{question.key}"
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        if isinstance(value, str) or not isinstance(value, tuple | list):
            raise Invalid(f"La réponse à « {question.label} » est une liste de choix.", field=field, rule="wrong_type")
        picked: list[str] = []
        for choice in value:
            if choice not in question.choices:
                raise _unknown_choice(question, choice)
            if choice not in picked:
                picked.append(choice)
        return tuple(picked) or None
    if not isinstance(value, str):
        raise Invalid(f"La réponse à « {question.label} » est un texte.", field=field, rule="wrong_type")
    text = value.strip()
    if not text:
        return None
    if question.kind == QuestionKind.SINGLE_CHOICE:
        if text not in question.choices:
            raise _unknown_choice(question, text)
        return text
    limit = question.max_length or LONG_TEXT_MAX
    if len(text) > limit:
        raise Invalid(
            f"La réponse à « {question.label} » dépasse {limit} caractères ({len(text)}).",
            field=field,
            rule="too_long",
        )
    return text


def _check_pick(value: str | None, options: tuple[str, ...], field: str, *, complete: bool) -> str | None:
    """A theme or a category: one of the call's when it declares some, none when it declares none."""
    value = (value or "").strip() or None
    label = "une catégorie" if field == "category" else "un thème"
    if value is None:
        if complete and options:
            raise Invalid(f"Choisissez {label} parmi : {', '.join(options)}.", field=field, rule="required")
        return None
    if not options:
        raise Invalid(
            f"Cet appel ne propose pas de choix pour « {field} » (« {value} »).", field=field, rule="not_offered"
        )
    if value not in options:
        raise Invalid(
            f"Valeur inconnue pour « {field} » : « {value} ». Valeurs possibles : {', '.join(options)}.",
            field=field,
            rule="unknown_value",
        )
    return value


class CallRules(msgspec.Struct, frozen=True):
    """What a project needs to know of its call, as the call stood when the application loaded it.

    Aggregates never load each other: the application loads the ``IdeaCall``, takes ``call.rules()`` and passes
    it to the ``Project`` commands, which check their content, their team and their timing against it.
    """

    call_id: UUID
    organisation: str
    title: str
    opens_at: datetime
    closes_at: datetime  # inclusive: a submission at exactly this instant is on time
    closed_at: datetime | None  # an early closing by the organiser: from this instant on, nothing is accepted
    opened: bool
    cancelled: bool
    selection_recorded: bool
    themes: tuple[str, ...]
    categories: tuple[str, ...]
    questions: tuple[Question, ...]
    max_team_size: int
    eligible_partners: tuple[str, ...]
    forum: ForumRound | None

    @property
    def deadline(self) -> datetime:
        """The instant from which the call is closed, as shown in messages."""
        if self.closed_at is not None and self.closed_at <= self.closes_at:
            return self.closed_at
        return self.closes_at

    def is_closed(self, at: datetime) -> bool:
        if self.closed_at is not None and at >= self.closed_at:
            return True
        return at > self.closes_at

    def check_open(self, at: datetime) -> None:
        """May a project be drafted, submitted, edited or its team changed at ``at`` (the server's time)?"""
        if self.cancelled:
            raise CallCancelled(f"L'appel « {self.title} » a été annulé.")
        if not self.opened:
            raise CallNotOpen(f"L'appel « {self.title} » n'est pas encore ouvert.")
        if at < self.opens_at:
            raise CallNotOpen(f"L'appel « {self.title} » ouvre le {moment(self.opens_at)}.")
        if self.is_closed(at):
            raise CallClosed(self.deadline)

    def check_closed(self, at: datetime) -> None:
        """May the projects be selected at ``at``? Only once nothing can be submitted or edited any more."""
        if self.cancelled:
            raise CallCancelled(f"L'appel « {self.title} » a été annulé.")
        if not self.opened:
            raise CallNotOpen(f"L'appel « {self.title} » n'a pas été ouvert.")
        if not self.is_closed(at):
            raise CallStillOpen(
                f"L'appel « {self.title} » est ouvert jusqu'au {moment(self.deadline)} : "
                "la sélection se fait après sa clôture."
            )
        if self.selection_recorded:
            raise SelectionAlreadyRecorded(f"La sélection de l'appel « {self.title} » est déjà arrêtée.")

    def check_eligible(self, organisation: str) -> None:
        if organisation != self.organisation and organisation not in self.eligible_partners:
            raise NotEligible(
                f"L'appel « {self.title} » est réservé aux agents de {self.organisation}"
                + (f" et de {', '.join(self.eligible_partners)}" if self.eligible_partners else "")
                + f" ; pas à ceux de {organisation}.",
                field="organisation",
            )

    def check_submission(
        self,
        *,
        category: str | None,
        theme: str | None,
        answers: dict[str, Any],
        complete: bool = True,
    ) -> tuple[str | None, str | None, dict[str, Answer]]:
        """Check a project's category, theme and answers against the call; return them trimmed.

        ``complete=False`` (a draft) checks only what is given; ``complete=True`` (a submission, or an edit of a
        submitted project) also requires a category and a theme when the call declares some, and every required
        answer. Unanswered questions are left out of the returned answers.
        """
        category = _check_pick(category, self.categories, "category", complete=complete)
        theme = _check_pick(theme, self.themes, "theme", complete=complete)
        by_key = {question.key: question for question in self.questions}
        for key in answers:
            if key not in by_key:
                raise Invalid(
                    f"Le formulaire de l'appel n'a pas de question « {key} ».",
                    field=f"answers.{key}",
                    rule="unknown_question",
                )
        checked: dict[str, Answer] = {}
        for question in self.questions:
            answer = _check_answer(question, answers[question.key]) if question.key in answers else None
            if answer is None:
                if complete and question.required:
                    raise Invalid(
                        f"La question « {question.label} » appelle une réponse.",
                        field=f"answers.{question.key}",
                        rule="required",
                    )
                continue
            checked[question.key] = answer
        return category, theme, checked


# ---------------------------------------------------------------------------------------------------------------------
# The aggregate


def _shown(value: Any) -> str:
    """A value of the call as people read it, for the list of amendments."""
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, tuple):
        return " ; ".join(_shown(item) for item in value)
    if isinstance(value, Question):
        return f"{value.label} ({value.key})"
    return str(value)


AMENDABLE = (
    "title",
    "description",
    "themes",
    "categories",
    "opens_at",
    "closes_at",
    "eligible_partners",
    "questions",
    "max_team_size",
)


class IdeaCall(Aggregate):
    """A call for ideas run by one organisation among its agents (and, if it says so, those of named partners).

    Invariants: the closing follows the opening; themes, categories, question keys and partners are unique; a
    submission is accepted only while the call is opened, not cancelled, between ``opens_at`` and ``closes_at``
    inclusive, and before any early closing; amendments after opening name a reason, are kept in ``amendments``
    and never take away a theme, a category, a question, a partner or a team place; once cancelled or once its
    selection is recorded, the call changes no more (but a forum may still take it as a local round).
    """

    @classmethod
    def draft(
        cls,
        *,
        id: UUID,  # noqa: A002 — the aggregate's id, chosen by the application
        organisation: str,
        title: str,
        description: str = "",
        themes: tuple[str, ...] | list[str] = (),
        categories: tuple[str, ...] | list[str] = (),
        opens_at: datetime,
        closes_at: datetime,
        eligible_partners: tuple[str, ...] | list[str] = (),
        questions: tuple[Question, ...] | list[Question] = (),
        max_team_size: int = 5,
        forum: ForumRound | None = None,
        meta: Meta,
    ) -> "IdeaCall":
        check_slug(organisation, "organisation")
        title = check_text(title, "title", max_length=TITLE_MAX)
        description = check_text(description, "description", max_length=DESCRIPTION_MAX, required=False)
        opens_at, closes_at = _check_dates(opens_at, closes_at, meta.at)
        call: IdeaCall = cls._create(
            cls.Drafted,
            id=id,
            organisation=organisation,
            title=title,
            description=description,
            themes=_check_options(themes, "themes"),
            categories=_check_options(categories, "categories"),
            opens_at=opens_at,
            closes_at=closes_at,
            eligible_partners=_check_partners(eligible_partners, organisation),
            questions=_check_questions(questions),
            max_team_size=_check_team_size(max_team_size),
            forum=None if forum is None else _check_forum(forum),
            meta=meta,
        )
        return call

    class Drafted(Aggregate.Created):
        organisation: str
        title: str
        description: str
        themes: tuple[str, ...]
        categories: tuple[str, ...]
        opens_at: datetime
        closes_at: datetime
        eligible_partners: tuple[str, ...]
        questions: tuple[Question, ...]
        max_team_size: int
        forum: ForumRound | None
        meta: Meta

    def __init__(
        self,
        *,
        organisation: str,
        title: str,
        description: str,
        themes: tuple[str, ...],
        categories: tuple[str, ...],
        opens_at: datetime,
        closes_at: datetime,
        eligible_partners: tuple[str, ...],
        questions: tuple[Question, ...],
        max_team_size: int,
        forum: ForumRound | None,
        meta: Meta,
    ) -> None:
        self.organisation = organisation
        self.title = title
        self.description = description
        self.themes = themes
        self.categories = categories
        self.opens_at = opens_at
        self.closes_at = closes_at
        self.eligible_partners = eligible_partners
        self.questions = questions
        self.max_team_size = max_team_size
        self.forum = forum
        self.drafted_at = meta.at
        self.opened_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.cancelled_at: datetime | None = None
        self.cancellation_reason = ""
        self.selection_recorded_at: datetime | None = None
        self.selected: tuple[UUID, ...] = ()
        self.announcement_published_at: datetime | None = None
        self.amendments: tuple[Amendment, ...] = ()

    # -- what the application asks ------------------------------------------------------------------------------------

    def rules(self) -> CallRules:
        return CallRules(
            call_id=self.id,
            organisation=self.organisation,
            title=self.title,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            closed_at=self.closed_at,
            opened=self.opened_at is not None,
            cancelled=self.cancelled_at is not None,
            selection_recorded=self.selection_recorded_at is not None,
            themes=self.themes,
            categories=self.categories,
            questions=self.questions,
            max_team_size=self.max_team_size,
            eligible_partners=self.eligible_partners,
            forum=self.forum,
        )

    def check_open(self, at: datetime) -> None:
        """Raise ``CallCancelled``, ``CallNotOpen`` or ``CallClosed`` unless a submission or an edit may happen at
        ``at`` (the server's time, never the client's)."""
        self.rules().check_open(at)

    def accepts_submissions(self, at: datetime) -> bool:
        try:
            self.check_open(at)
        except (CallCancelled, CallNotOpen, CallClosed):
            return False
        return True

    def check_submission(
        self, *, category: str | None, theme: str | None, answers: dict[str, Any], complete: bool = True
    ) -> tuple[str | None, str | None, dict[str, Answer]]:
        return self.rules().check_submission(category=category, theme=theme, answers=answers, complete=complete)

    def status_at(self, at: datetime) -> str:
        """drafted, scheduled (opened, not yet begun), opened, closed, selection_recorded or cancelled."""
        if self.cancelled_at is not None:
            return "cancelled"
        if self.selection_recorded_at is not None:
            return "selection_recorded"
        if self.opened_at is None:
            return "drafted"
        rules = self.rules()
        if rules.is_closed(at):
            return "closed"
        return "scheduled" if at < self.opens_at else "opened"

    def _refuse_if_final(self) -> None:
        if self.cancelled_at is not None:
            raise CallCancelled(f"L'appel « {self.title} » a été annulé.")
        if self.selection_recorded_at is not None:
            raise SelectionAlreadyRecorded(f"La sélection de l'appel « {self.title} » est déjà arrêtée.")

    # -- commands -----------------------------------------------------------------------------------------------------

    def open(self, *, meta: Meta) -> None:
        """Open the call: from ``opens_at`` to ``closes_at``, its agents may submit."""
        self._refuse_if_final()
        if self.opened_at is not None:
            raise Conflict(f"L'appel « {self.title} » est déjà ouvert.", rule="already_opened")
        if meta.at > self.closes_at:
            raise CallClosed(self.closes_at)
        self._opened(meta=meta)

    @event("Opened")
    def _opened(self, meta: Meta) -> None:
        self.opened_at = meta.at

    def amend(
        self,
        *,
        meta: Meta,
        reason: str = "",
        title: str | None = None,
        description: str | None = None,
        themes: tuple[str, ...] | list[str] | None = None,
        categories: tuple[str, ...] | list[str] | None = None,
        opens_at: datetime | None = None,
        closes_at: datetime | None = None,
        eligible_partners: tuple[str, ...] | list[str] | None = None,
        questions: tuple[Question, ...] | list[Question] | None = None,
        max_team_size: int | None = None,
    ) -> None:
        """Change what the call says. Only the fields given change; after opening, a reason is required."""
        self._refuse_if_final()
        opened = self.opened_at is not None
        if opened and self.rules().is_closed(meta.at):
            raise CallClosed(self.rules().deadline)
        new: dict[str, Any] = {}
        if title is not None:
            new["title"] = check_text(title, "title", max_length=TITLE_MAX)
        if description is not None:
            new["description"] = check_text(description, "description", max_length=DESCRIPTION_MAX, required=False)
        if themes is not None:
            new["themes"] = _check_options(themes, "themes")
        if categories is not None:
            new["categories"] = _check_options(categories, "categories")
        if eligible_partners is not None:
            new["eligible_partners"] = _check_partners(eligible_partners, self.organisation)
        if questions is not None:
            new["questions"] = _check_questions(questions)
        if max_team_size is not None:
            new["max_team_size"] = _check_team_size(max_team_size)
        if opens_at is not None or closes_at is not None:
            new["opens_at"], new["closes_at"] = _check_dates(
                self.opens_at if opens_at is None else opens_at,
                self.closes_at if closes_at is None else closes_at,
                meta.at,
            )
        changed = tuple(name for name in AMENDABLE if name in new and new[name] != getattr(self, name))
        if not changed:
            raise NothingChanged("Cette modification ne change rien à l'appel.")
        reason = check_text(reason, "reason", max_length=REASON_MAX, required=opened)
        if opened:
            self._refuse_removals(new, changed, meta.at)
        # the event carries the new value of each field changed, None for the others
        values = {name: new[name] if name in changed else None for name in AMENDABLE}
        self._amended(**values, changed=changed, reason=reason, meta=meta)

    def _refuse_removals(self, new: dict[str, Any], changed: tuple[str, ...], at: datetime) -> None:
        for name in ("themes", "categories", "eligible_partners"):
            if name in changed:
                gone = [value for value in getattr(self, name) if value not in new[name]]
                if gone:
                    raise RemovedAfterOpening(
                        f"L'appel est ouvert : « {', '.join(gone)} » ne peut plus être retiré de « {name} ».",
                        field=name,
                    )
        if "questions" in changed:
            keys = {question.key for question in new["questions"]}
            gone = [question.key for question in self.questions if question.key not in keys]
            if gone:
                raise RemovedAfterOpening(
                    f"L'appel est ouvert : la question « {', '.join(gone)} » ne peut plus être retirée.",
                    field="questions",
                )
        if "max_team_size" in changed and new["max_team_size"] < self.max_team_size:
            raise RemovedAfterOpening(
                f"L'appel est ouvert : la taille des équipes ne peut plus descendre sous {self.max_team_size}.",
                field="max_team_size",
            )
        if "opens_at" in changed and self.opens_at <= at:
            raise Conflict(
                f"L'appel reçoit des projets depuis le {moment(self.opens_at)} : son ouverture ne bouge plus.",
                field="opens_at",
                rule="already_begun",
            )

    @event("Amended")
    def _amended(
        self,
        *,
        title: str | None,
        description: str | None,
        themes: tuple[str, ...] | None,
        categories: tuple[str, ...] | None,
        opens_at: datetime | None,
        closes_at: datetime | None,
        eligible_partners: tuple[str, ...] | None,
        questions: tuple[Question, ...] | None,
        max_team_size: int | None,
        changed: tuple[str, ...],
        reason: str,
        meta: Meta,
    ) -> None:
        after = {
            "title": title,
            "description": description,
            "themes": themes,
            "categories": categories,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "eligible_partners": eligible_partners,
            "questions": questions,
            "max_team_size": max_team_size,
        }
        changes = tuple(
            Change(field=name, before=_shown(getattr(self, name)), after=_shown(after[name])) for name in changed
        )
        if self.opened_at is not None:
            self.amendments = (
                *self.amendments,
                Amendment(at=meta.at, actor=meta.actor, reason=reason, changes=changes),
            )
        for name in changed:
            setattr(self, name, after[name])

    def close(self, *, meta: Meta) -> None:
        """Close the call now (early, or to record formally that its closing time has passed)."""
        self._refuse_if_final()
        if self.opened_at is None:
            raise CallNotOpen(f"L'appel « {self.title} » n'a pas été ouvert : annulez-le plutôt.")
        if self.closed_at is not None:
            raise Conflict(
                f"L'appel « {self.title} » a déjà été clos le {moment(self.closed_at)}.", rule="already_closed"
            )
        self._closed(meta=meta)

    @event("Closed")
    def _closed(self, meta: Meta) -> None:
        self.closed_at = meta.at

    def record_selection(self, *, selected: tuple[UUID, ...] | list[UUID], meta: Meta) -> None:
        """Record that the local selection is complete, naming the projects it retained (possibly none)."""
        self.rules().check_closed(meta.at)
        selected = tuple(selected)
        if len(set(selected)) != len(selected):
            raise Invalid("Un projet figure deux fois dans la sélection.", field="selected", rule="duplicate")
        self._selection_recorded(selected=selected, meta=meta)

    @event("SelectionRecorded")
    def _selection_recorded(self, selected: tuple[UUID, ...], meta: Meta) -> None:
        self.selected = selected
        self.selection_recorded_at = meta.at

    def cancel(self, *, reason: str, meta: Meta) -> None:
        self._refuse_if_final()
        reason = check_text(reason, "reason", max_length=REASON_MAX)
        self._cancelled(reason=reason, meta=meta)

    @event("Cancelled")
    def _cancelled(self, reason: str, meta: Meta) -> None:
        self.cancelled_at = meta.at
        self.cancellation_reason = reason

    def publish_announcement(self, *, meta: Meta) -> None:
        """Make the call's public page visible: its title, description, dates, themes, categories and amendments."""
        if self.cancelled_at is not None:
            raise CallCancelled(f"L'appel « {self.title} » a été annulé.")
        if self.opened_at is None:
            raise CallNotOpen(f"L'appel « {self.title} » n'est pas encore ouvert : il ne peut pas être annoncé.")
        if self.announcement_published_at is not None:
            raise AnnouncementAlreadyPublished(
                f"L'annonce de l'appel « {self.title} » est publiée depuis le {moment(self.announcement_published_at)}."
            )
        self._announcement_published(meta=meta)

    @event("AnnouncementPublished")
    def _announcement_published(self, meta: Meta) -> None:
        self.announcement_published_at = meta.at

    def attach_to_forum(self, *, forum_id: UUID, forum_organisation: str, quota: int, meta: Meta) -> None:
        """Make the call the local round of a forum, with the number of projects it may nominate (or change that
        number). Possible after the local selection too: a forum may be set up once local laureates are known."""
        if self.cancelled_at is not None:
            raise CallCancelled(f"L'appel « {self.title} » a été annulé.")
        forum = _check_forum(ForumRound(forum_id=forum_id, forum_organisation=forum_organisation, quota=quota))
        if self.forum is not None and self.forum.forum_id != forum_id:
            raise Conflict(
                f"L'appel « {self.title} » est déjà le tour local d'un autre forum.",
                field="forum_id",
                rule="attached_to_another_forum",
            )
        if self.forum == forum:
            raise NothingChanged(f"L'appel « {self.title} » est déjà rattaché à ce forum, avec ce quota.")
        self._attached_to_forum(forum=forum, meta=meta)

    @event("AttachedToForum")
    def _attached_to_forum(self, forum: ForumRound, meta: Meta) -> None:
        self.forum = forum
