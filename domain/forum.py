"""The forum or prize edition: the ``Forum`` aggregate and its events (participants, nominations, coaching, pitches,
the jury, votes and the palmarès).

Its values and refusals live in modules named for their concept, re-exported here so that ``domain.forum`` still
answers every name it always did: ``domain.nominations`` (participation, the nominated project), ``domain.coaching``,
``domain.stage`` (the running order), ``domain.jury`` (rules, recusal, ranking, the jury's refusals),
``domain.votes`` and ``domain.palmares`` (prizes, awards, the palmarès' assembly). The aggregate and its nested event
classes stay here: their topics (``domain.forum:Forum.ScoreRecorded``) are stored with every event. Events encode
their values by field name, never by class path (``domain.codec``), so the values' move changes no stored byte.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import cast
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import event

from domain.aggregate import Aggregate
from domain.coaching import CoachingSlot, NotACoach, NotAssignedCoach, coaching_rota
from domain.errors import AlreadyExists, Conflict, Invalid
from domain.formatting import day, moment, money
from domain.jury import (
    OWN_ORGANISATION,
    ConflictOfInterest,
    DeliberationClosed,
    DeliberationNotOpen,
    DepartsFromRanking,
    JuryRules,
    MissingCriterion,
    NotAJuror,
    NotTied,
    OwnOrganisationRecusal,
    Ranking,
    RankingOutdated,
    RulesLocked,
    RulesNotSet,
    ScoreOutOfScale,
    ScoreSheet,
    TieBreak,
    TieDecision,
    UnknownCriterion,
    VoteCount,
    check_key,
    check_rules,
    count_ballots,
    rank,
    recusal,
)
from domain.nominations import (
    AlreadyNominated,
    InvitationAnswered,
    NominationsClosed,
    NotInvited,
    NotNominated,
    NotParticipant,
    NotSelectedLocally,
    ProjectSnapshot,
    QuotaExceeded,
    TeamMember,
    UnknownCategory,
    WithdrawalTooLate,
    check_snapshot,
)
from domain.palmares import (
    Award,
    BudgetExceeded,
    LaureatesMissing,
    Nominee,
    Palmares,
    PalmaresAlreadyPublished,
    PalmaresEntry,
    PalmaresNotDeliberated,
    PalmaresPrize,
    Prize,
    PrizeAwarded,
    PrizeDecidedByVote,
    PrizeKind,
    TooManyLaureates,
    UnknownPrize,
    assemble_palmares,
)
from domain.stage import (
    NotInRunningOrder,
    PitchAlreadyRecorded,
    PitchesStarted,
    PitchSlot,
    SlotOverlaps,
    overlap,
    running_order,
)
from domain.values import PARIS, Meta, check_choice, check_slug, check_text
from domain.votes import (
    AlreadyVoted,
    NotInElectorate,
    OwnOrganisationVote,
    TieUnresolved,
    VoteClosed,
    VoteNotCounted,
    VoteNotOpen,
    VoteNotOrganised,
    Voter,
    VoteStarted,
    VoteStillOpen,
)

__all__ = [  # the aggregate, and every name importers of ``domain.forum`` used before the values moved out
    "PARIS",
    "AlreadyNominated",
    "AlreadyVoted",
    "Award",
    "BudgetExceeded",
    "CoachingSlot",
    "ConflictOfInterest",
    "DeliberationClosed",
    "DeliberationNotOpen",
    "DepartsFromRanking",
    "Forum",
    "ForumKind",
    "InvitationAnswered",
    "LaureatesMissing",
    "MissingCriterion",
    "NominationsClosed",
    "NotACoach",
    "NotAJuror",
    "NotAssignedCoach",
    "NotInElectorate",
    "NotInRunningOrder",
    "NotInvited",
    "NotNominated",
    "NotParticipant",
    "NotSelectedLocally",
    "NotTied",
    "OwnOrganisationRecusal",
    "OwnOrganisationVote",
    "Palmares",
    "PalmaresAlreadyPublished",
    "PalmaresEntry",
    "PalmaresNotDeliberated",
    "PalmaresPrize",
    "PitchAlreadyRecorded",
    "PitchSlot",
    "PitchesStarted",
    "Prize",
    "PrizeAwarded",
    "PrizeDecidedByVote",
    "PrizeKind",
    "ProjectSnapshot",
    "QuotaExceeded",
    "RankingOutdated",
    "RulesLocked",
    "RulesNotSet",
    "ScoreOutOfScale",
    "SlotOverlaps",
    "TeamMember",
    "TieUnresolved",
    "TooManyLaureates",
    "UnknownCategory",
    "UnknownCriterion",
    "UnknownPrize",
    "VoteClosed",
    "VoteNotCounted",
    "VoteNotOpen",
    "VoteNotOrganised",
    "VoteStarted",
    "VoteStillOpen",
    "Voter",
    "WithdrawalTooLate",
    "coaching_rota",
    "running_order",
]


class ForumKind(StrEnum):
    FORUM = "forum"  # a joint day: coaching, pitches, a jury
    PRIZE = "prize"  # a prize edition: finalists, a national jury, perhaps a vote


FORUM_KIND_LABELS = {ForumKind.FORUM: "Forum", ForumKind.PRIZE: "Prix"}


# ---------------------------------------------------------------------------------------------------------------------
# State kept between events (never stored: rebuilt from the events)


class _Participation(msgspec.Struct):
    status: str  # invited, accepted, declined
    quota: int | None


class _Nomination(msgspec.Struct):
    project: ProjectSnapshot
    sequence: int
    withdrawn: bool = False


class _Designation(msgspec.Struct):
    awards: tuple[Award, ...]
    departs_from_ranking: bool
    rationale: str


class _Vote(msgspec.Struct):
    electorate: dict[str, Voter]
    opens_at: datetime
    closes_at: datetime
    allow_own_organisation: bool
    tie_break: str
    draw_seed: str | None
    ballots: dict[str, UUID]
    count: VoteCount | None = None
    awards: tuple[Award, ...] = ()


# ---------------------------------------------------------------------------------------------------------------------
# The aggregate


class Forum(Aggregate):
    """A forum or a prize edition, owned by its host organisation and stored in the host's store.

    Invariants:
    * only organisations that accepted their invitation nominate, within their quota, projects
      they selected locally, each once; a nomination is withdrawn only before the first day;
    * only the coach a team is assigned to records its coaching sessions; a coach's slots never overlap;
    * the running order changes only before the first pitch;
    * a juror never scores a project of their own organisation nor one they declared a conflict on;
      scores cover every criterion, within the scale, and are revisable until deliberation closes;
      once a score is recorded the jury's rules change only by a reasoned amendment (new version);
    * laureates of jury prizes follow the last ranking unless a written rationale says why not;
      the amounts awarded never exceed the total budget;
    * one ballot per voter of the electorate, within the vote's period, for a nominated project;
    * the palmarès is published once, after deliberation closed and every vote prize was counted.
    """

    @staticmethod
    def id_for(host: str, key: str) -> UUID:
        """A deterministic id for an edition with a natural key (``somme``, ``forum-2019``)."""
        return uuid5(NAMESPACE_URL, f"forum:forum:{host}:{key}")

    # -- the edition ---------------------------------------------------------------------------------------------

    @classmethod
    def plan(
        cls,
        *,
        id: UUID,  # noqa: A002
        host: str,
        title: str,
        kind: str,
        starts_on: date,
        ends_on: date | None = None,
        place: str,
        quota: int,
        categories: Sequence[str] = (),
        budget_cents: int | None = None,
        meta: Meta,
    ) -> "Forum":
        check_slug(host, field="host")
        title = check_text(title, "title", max_length=300)
        check_choice(kind, "kind", [k.value for k in ForumKind])
        place = check_text(place, "place", max_length=300)
        ends_on = ends_on or starts_on
        _check_dates(starts_on, ends_on)
        _check_quota(quota)
        labels = _check_categories(categories)
        _check_budget(budget_cents)
        forum = cls._create(
            cls.Planned,
            id=id,
            host=host,
            title=title,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            place=place,
            quota=quota,
            categories=labels,
            budget_cents=budget_cents,
            meta=meta,
        )
        return cast("Forum", forum)

    class Planned(Aggregate.Created):
        host: str
        title: str
        kind: str
        starts_on: date
        ends_on: date
        place: str
        quota: int
        categories: tuple[str, ...]
        budget_cents: int | None
        meta: Meta

    def __init__(
        self,
        *,
        host: str,
        title: str,
        kind: str,
        starts_on: date,
        ends_on: date,
        place: str,
        quota: int,
        categories: tuple[str, ...],
        budget_cents: int | None,
        meta: Meta,
    ) -> None:
        self.host = host
        self.title = title
        self.kind = kind
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.place = place
        self.quota = quota
        self.categories = tuple(categories)
        self.budget_cents = budget_cents
        self.planned_at = meta.at
        self.participants: dict[str, _Participation] = {}
        self.prizes: dict[str, Prize] = {}
        self.nominations: dict[UUID, _Nomination] = {}
        self.coaches: dict[str, str] = {}
        self.coaching: dict[UUID, CoachingSlot] = {}
        self.problem_statements: dict[UUID, str] = {}  # the last refined statement of each team
        self.coaching_sessions: dict[UUID, int] = {}
        self.running_order: tuple[PitchSlot, ...] = ()
        self.pitches: dict[UUID, int | None] = {}  # seconds spoken, None when the team was absent
        self.jurors: dict[str, tuple[str, str]] = {}  # person id -> (organisation, college)
        self.rules: JuryRules | None = None
        self.rules_version = 0
        self.first_score_at: datetime | None = None
        self.conflicts: dict[tuple[str, UUID], str] = {}
        self.scores: dict[tuple[str, UUID], ScoreSheet] = {}
        self.revisions: dict[tuple[str, UUID], int] = {}
        self.tie_decisions: list[TieDecision] = []
        self.ranking: Ranking | None = None
        self.ranking_current = False
        self.deliberation = "not_opened"  # open, closed
        self.designations: dict[str, _Designation] = {}
        self.votes: dict[str, _Vote] = {}
        self.palmares: Palmares | None = None

    def amend_edition(
        self, *, title: str, place: str, starts_on: date, ends_on: date | None = None, meta: Meta
    ) -> None:
        self._require_not_published()
        title = check_text(title, "title", max_length=300)
        place = check_text(place, "place", max_length=300)
        ends_on = ends_on or starts_on
        _check_dates(starts_on, ends_on)
        self._edition_amended(title=title, place=place, starts_on=starts_on, ends_on=ends_on, meta=meta)

    @event("EditionAmended")
    def _edition_amended(self, *, title: str, place: str, starts_on: date, ends_on: date, meta: Meta) -> None:
        self.title, self.place, self.starts_on, self.ends_on = title, place, starts_on, ends_on

    def set_budget(self, *, budget_cents: int | None, meta: Meta) -> None:
        _check_budget(budget_cents)
        self._require_not_published()
        awarded = self._awarded_cents()
        if budget_cents is not None and awarded > budget_cents:
            raise BudgetExceeded(
                f"Le budget total ne peut descendre à {money(budget_cents)} : {money(awarded)} sont déjà attribués.",
                field="budget_cents",
            )
        self._budget_set(budget_cents=budget_cents, meta=meta)

    @event("BudgetSet")
    def _budget_set(self, *, budget_cents: int | None, meta: Meta) -> None:
        self.budget_cents = budget_cents

    # -- participants ----------------------------------------------------------------------------------------------

    def invite(self, *, organisation: str, meta: Meta, quota: int | None = None) -> None:
        check_slug(organisation, field="organisation")
        if quota is not None:
            _check_quota(quota)
        self._require_not_published()
        current = self.participants.get(organisation)
        if current is not None and current.status != "declined":
            raise AlreadyExists(
                f"L'organisation « {organisation} » est déjà invitée à ce forum.",
                field="organisation",
                rule="already_invited",
            )
        self._organisation_invited(organisation=organisation, quota=quota, meta=meta)

    @event("OrganisationInvited")
    def _organisation_invited(self, *, organisation: str, quota: int | None, meta: Meta) -> None:
        self.participants[organisation] = _Participation(status="invited", quota=quota)

    def accept_invitation(self, *, organisation: str, meta: Meta) -> None:
        self._require_pending_invitation(organisation)
        self._invitation_accepted(organisation=organisation, meta=meta)

    @event("InvitationAccepted")
    def _invitation_accepted(self, *, organisation: str, meta: Meta) -> None:
        self.participants[organisation].status = "accepted"

    def decline_invitation(self, *, organisation: str, reason: str, meta: Meta) -> None:
        reason = check_text(reason, "reason", max_length=2000, required=False)
        self._require_pending_invitation(organisation)
        self._invitation_declined(organisation=organisation, reason=reason, meta=meta)

    @event("InvitationDeclined")
    def _invitation_declined(self, *, organisation: str, reason: str, meta: Meta) -> None:
        self.participants[organisation].status = "declined"

    def set_quota(self, *, organisation: str, quota: int, meta: Meta) -> None:
        _check_quota(quota)
        if organisation not in self.participants:
            raise NotInvited(f"L'organisation « {organisation} » n'est pas invitée à ce forum.", field="organisation")
        nominated = self.nominated_count(organisation)
        if quota < nominated:
            raise QuotaExceeded(
                f"Le quota de « {organisation} » ne peut descendre à {quota} : "
                f"elle a déjà proposé {nominated} projet(s).",
                field="quota",
            )
        self._quota_set(organisation=organisation, quota=quota, meta=meta)

    @event("QuotaSet")
    def _quota_set(self, *, organisation: str, quota: int, meta: Meta) -> None:
        self.participants[organisation].quota = quota

    def quota_of(self, organisation: str) -> int:
        participation = self.participants.get(organisation)
        if participation is None or participation.quota is None:
            return self.quota
        return participation.quota

    def nominated_count(self, organisation: str) -> int:
        return sum(1 for n in self.nominations.values() if n.project.organisation == organisation and not n.withdrawn)

    # -- prizes ------------------------------------------------------------------------------------------------------

    def define_prize(self, *, prize: Prize, meta: Meta) -> None:
        """Define a prize, or redefine one of the same key that has no laureate yet."""
        check_key(prize.key, "key")
        label = check_text(prize.label, "label", max_length=300)
        check_choice(prize.kind, "kind", [k.value for k in PrizeKind])
        if not 1 <= prize.laureates <= 1000:
            raise Invalid("Un prix compte de 1 à 1000 lauréats.", field="laureates", rule="laureates_count")
        if prize.kind == PrizeKind.CATEGORY and prize.category is None:
            raise Invalid("Un prix de catégorie nomme sa catégorie.", field="category", rule="category_required")
        if prize.category is not None:
            self._check_category(prize.category)
        if prize.amount_cents is not None and prize.amount_cents < 0:
            raise Invalid("Le montant d'un prix ne peut être négatif.", field="amount_cents", rule="negative_amount")
        self._require_not_published()
        if prize.key in self.designations or (prize.key in self.votes and self.votes[prize.key].count is not None):
            raise PrizeAwarded(f"Le prix « {prize.key} » a déjà ses lauréats : il ne peut plus changer.", field="key")
        if prize.kind != PrizeKind.VOTE and self.deliberation == "closed":
            raise DeliberationClosed("La délibération est close : plus de nouveau prix du jury.", field="key")
        self._prize_defined(prize=msgspec.structs.replace(prize, label=label), meta=meta)

    @event("PrizeDefined")
    def _prize_defined(self, *, prize: Prize, meta: Meta) -> None:
        self.prizes[prize.key] = prize

    # -- nominations -------------------------------------------------------------------------------------------------

    def nominate(self, *, project: ProjectSnapshot, selected_locally: bool, meta: Meta) -> None:
        """Record an organisation's nomination, keeping the project as it stands now."""
        project = check_snapshot(project)
        if project.category is not None and self.categories:
            self._check_category(project.category)
        self._require_not_published()
        if self.deliberation != "not_opened" or meta.at.astimezone(PARIS).date() >= self.starts_on:
            raise NominationsClosed(
                f"Les propositions de projets sont closes depuis le {day(self.starts_on)}.", field="project"
            )
        participation = self.participants.get(project.organisation)
        if participation is None or participation.status != "accepted":
            raise NotParticipant(
                f"L'organisation « {project.organisation} » ne participe pas à ce forum "
                "(invitation absente, en attente ou déclinée).",
                field="organisation",
            )
        if not selected_locally:
            raise NotSelectedLocally(
                f"Le projet « {project.title} » n'a pas été retenu par la sélection locale de "
                f"« {project.organisation} » : seule une organisation peut proposer ses projets sélectionnés.",
                field="project",
            )
        existing = self.nominations.get(project.project_id)
        if existing is not None and not existing.withdrawn:
            raise AlreadyNominated(f"Le projet « {project.title} » est déjà proposé à ce forum.", field="project")
        quota = self.quota_of(project.organisation)
        if self.nominated_count(project.organisation) >= quota:
            raise QuotaExceeded(
                f"Quota atteint : « {project.organisation} » a déjà proposé {quota} projet(s), "
                f"le maximum pour ce forum.",
                field="project",
            )
        self._project_nominated(project=project, meta=meta)

    @event("ProjectNominated")
    def _project_nominated(self, *, project: ProjectSnapshot, meta: Meta) -> None:
        self.nominations[project.project_id] = _Nomination(project=project, sequence=len(self.nominations))
        self.ranking_current = False

    def withdraw_nomination(self, *, project_id: UUID, reason: str, meta: Meta) -> None:
        reason = check_text(reason, "reason", max_length=2000, required=False)
        nomination = self._nomination(project_id)
        if meta.at.astimezone(PARIS).date() >= self.starts_on or self.deliberation != "not_opened":
            raise WithdrawalTooLate(
                f"Un projet ne peut être retiré que jusqu'à la veille du forum (le {day(self.starts_on)}).",
                field="project",
            )
        self._nomination_withdrawn(project_id=nomination.project.project_id, reason=reason, meta=meta)

    @event("NominationWithdrawn")
    def _nomination_withdrawn(self, *, project_id: UUID, reason: str, meta: Meta) -> None:
        self.nominations[project_id].withdrawn = True
        self.ranking_current = False

    def active_nominations(self) -> tuple[ProjectSnapshot, ...]:
        """The projects in competition, in the order they were nominated."""
        return tuple(n.project for n in sorted(self.nominations.values(), key=lambda n: n.sequence) if not n.withdrawn)

    # -- coaching ----------------------------------------------------------------------------------------------------

    def appoint_coach(self, *, person_id: str, organisation: str, meta: Meta) -> None:
        person_id = check_text(person_id, "person_id", max_length=100)
        check_slug(organisation, field="organisation")
        if person_id in self.coaches:
            raise AlreadyExists("Cette personne est déjà coach de ce forum.", field="person_id", rule="already_coach")
        self._coach_appointed(person_id=person_id, organisation=organisation, meta=meta)

    @event("CoachAppointed")
    def _coach_appointed(self, *, person_id: str, organisation: str, meta: Meta) -> None:
        self.coaches[person_id] = organisation

    def assign_coaching(
        self, *, project_id: UUID, coach_id: str, starts_at: datetime, minutes: int, meta: Meta
    ) -> None:
        """Give a team a coach and a time slot (a new assignment replaces the team's previous one)."""
        if not 5 <= minutes <= 480:
            raise Invalid("Un créneau de coaching dure de 5 à 480 minutes.", field="minutes", rule="slot_length")
        self._active(project_id)
        if coach_id not in self.coaches:
            raise NotACoach("Cette personne n'est pas coach de ce forum.", field="coach_id")
        ends_at = starts_at + timedelta(minutes=minutes)
        for other in self.coaching.values():
            if (
                other.coach_id == coach_id
                and other.project_id != project_id
                and overlap(starts_at, ends_at, other.starts_at, other.ends_at)
            ):
                raise SlotOverlaps(
                    f"Ce coach accompagne déjà une autre équipe de {moment(other.starts_at)} "
                    f"à {moment(other.ends_at)}.",
                    field="starts_at",
                )
        self._coaching_assigned(
            project_id=project_id, coach_id=coach_id, starts_at=starts_at, ends_at=ends_at, meta=meta
        )

    @event("CoachingAssigned")
    def _coaching_assigned(
        self, *, project_id: UUID, coach_id: str, starts_at: datetime, ends_at: datetime, meta: Meta
    ) -> None:
        self.coaching[project_id] = CoachingSlot(project_id, coach_id, starts_at, ends_at)

    def record_coaching_session(
        self,
        *,
        coach_id: str,
        project_id: UUID,
        notes: str,
        problem_statement: str,
        pitch_points: Sequence[str] = (),
        meta: Meta,
    ) -> None:
        notes = check_text(notes, "notes", max_length=10000, required=False)
        problem_statement = check_text(problem_statement, "problem_statement", max_length=2000)
        points = tuple(check_text(p, "pitch_points", max_length=500) for p in pitch_points)
        self._active(project_id)
        slot = self.coaching.get(project_id)
        if slot is None or slot.coach_id != coach_id:
            raise NotAssignedCoach(
                "Seul le coach assigné à cette équipe peut consigner ses séances de coaching.", field="coach_id"
            )
        self._coaching_session_recorded(
            coach_id=coach_id,
            project_id=project_id,
            notes=notes,
            problem_statement=problem_statement,
            pitch_points=points,
            meta=meta,
        )

    @event("CoachingSessionRecorded")
    def _coaching_session_recorded(
        self,
        *,
        coach_id: str,
        project_id: UUID,
        notes: str,
        problem_statement: str,
        pitch_points: tuple[str, ...],
        meta: Meta,
    ) -> None:
        self.problem_statements[project_id] = problem_statement
        self.coaching_sessions[project_id] = self.coaching_sessions.get(project_id, 0) + 1

    # -- pitches -----------------------------------------------------------------------------------------------------

    def set_running_order(self, *, slots: Sequence[PitchSlot], meta: Meta) -> None:
        """Set, or change until the first pitch, the order and times of the pitches."""
        if not slots:
            raise Invalid("L'ordre de passage compte au moins une équipe.", field="slots", rule="required")
        seen: set[UUID] = set()
        previous: PitchSlot | None = None
        for slot in slots:
            self._active(slot.project_id)
            if slot.project_id in seen:
                raise Invalid(
                    "Une équipe figure deux fois dans l'ordre de passage.", field="slots", rule="duplicate_slot"
                )
            seen.add(slot.project_id)
            if not 1 <= slot.pitch_seconds <= 3600 or not 0 <= slot.questions_seconds <= 3600:
                raise Invalid(
                    "Un pitch dure de 1 s à 1 h, les questions de 0 à 1 h.", field="slots", rule="slot_length"
                )
            if previous is not None and slot.starts_at < previous.ends_at:
                raise SlotOverlaps(
                    f"Le passage de {moment(slot.starts_at)} commence avant la fin du précédent "
                    f"({moment(previous.ends_at)}).",
                    field="slots",
                )
            previous = slot
        if self.pitches:
            raise PitchesStarted("Les pitchs ont commencé : l'ordre de passage ne peut plus changer.", field="slots")
        self._running_order_set(slots=tuple(slots), meta=meta)

    @event("RunningOrderSet")
    def _running_order_set(self, *, slots: tuple[PitchSlot, ...], meta: Meta) -> None:
        self.running_order = tuple(slots)

    def record_pitch(self, *, project_id: UUID, duration_seconds: int, meta: Meta) -> None:
        if not 1 <= duration_seconds <= 3600:
            raise Invalid("La durée d'un pitch va de 1 s à 1 h.", field="duration_seconds", rule="pitch_length")
        self._require_in_running_order(project_id)
        self._pitch_delivered(project_id=project_id, duration_seconds=duration_seconds, meta=meta)

    @event("PitchDelivered")
    def _pitch_delivered(self, *, project_id: UUID, duration_seconds: int, meta: Meta) -> None:
        self.pitches[project_id] = duration_seconds

    def record_absence(self, *, project_id: UUID, meta: Meta) -> None:
        self._require_in_running_order(project_id)
        self._team_absent(project_id=project_id, meta=meta)

    @event("TeamAbsent")
    def _team_absent(self, *, project_id: UUID, meta: Meta) -> None:
        self.pitches[project_id] = None

    # -- the jury ----------------------------------------------------------------------------------------------------

    def appoint_juror(self, *, person_id: str, organisation: str, college: str, meta: Meta) -> None:
        person_id = check_text(person_id, "person_id", max_length=100)
        check_slug(organisation, field="organisation")
        college = check_text(college, "college", max_length=200)
        self._require_deliberation_not_closed()
        if person_id in self.jurors:
            raise AlreadyExists("Cette personne est déjà membre du jury.", field="person_id", rule="already_juror")
        self._juror_appointed(person_id=person_id, organisation=organisation, college=college, meta=meta)

    @event("JurorAppointed")
    def _juror_appointed(self, *, person_id: str, organisation: str, college: str, meta: Meta) -> None:
        self.jurors[person_id] = (organisation, college)

    def set_jury_rules(self, *, rules: JuryRules, meta: Meta) -> None:
        """Declare criteria, weights, scale, quorum and ranking method; free until the first score."""
        check_rules(rules)
        self._require_deliberation_not_closed()
        if self.first_score_at is not None:
            raise RulesLocked(
                f"Les règles du jury sont verrouillées depuis la première note ({moment(self.first_score_at)}) : "
                "toute modification passe par un amendement motivé.",
                field="rules",
            )
        self._rules_set(rules=rules, version=self.rules_version + 1, meta=meta)

    @event("RulesSet")
    def _rules_set(self, *, rules: JuryRules, version: int, meta: Meta) -> None:
        self.rules = rules
        self.rules_version = version
        self.ranking_current = False

    def amend_jury_rules(self, *, rules: JuryRules, reason: str, meta: Meta) -> None:
        """Change the rules visibly, with a reason: a new version, and scores that no longer fit are set aside."""
        check_rules(rules)
        reason = check_text(reason, "reason", max_length=2000)
        self._require_rules()
        self._require_deliberation_not_closed()
        self._rules_amended(rules=rules, version=self.rules_version + 1, reason=reason, meta=meta)

    @event("RulesAmended")
    def _rules_amended(self, *, rules: JuryRules, version: int, reason: str, meta: Meta) -> None:
        self.rules = rules
        self.rules_version = version
        self.ranking_current = False

    def declare_conflict(self, *, juror_id: str, project_id: UUID, reason: str, meta: Meta) -> None:
        """A juror recuses themself from a project: their scores for it stop counting, and no more are taken."""
        reason = check_text(reason, "reason", max_length=2000)
        organisation = self._juror(juror_id)
        project = self._active(project_id)
        self._require_deliberation_not_closed()
        if recusal(organisation, project.organisation, conflict_declared=False) == OWN_ORGANISATION:
            raise ConflictOfInterest(
                f"Ce juré est déjà récusé d'office pour les projets de son organisation (« {organisation} »).",
                field="project_id",
                rule="already_recused",
            )
        if (juror_id, project_id) in self.conflicts:
            raise AlreadyExists(
                "Ce conflit d'intérêts est déjà déclaré.", field="project_id", rule="conflict_already_declared"
            )
        self._conflict_declared(juror_id=juror_id, project_id=project_id, reason=reason, meta=meta)

    @event("ConflictDeclared")
    def _conflict_declared(self, *, juror_id: str, project_id: UUID, reason: str, meta: Meta) -> None:
        self.conflicts[(juror_id, project_id)] = reason
        self.ranking_current = False

    def record_score(
        self, *, juror_id: str, project_id: UUID, scores: Mapping[str, int], comment: str = "", meta: Meta
    ) -> None:
        """Record (or revise) a juror's scores for a project, one per criterion, within the scale."""
        comment = check_text(comment, "comment", max_length=4000, required=False)
        organisation = self._juror(juror_id)
        project = self._active(project_id)
        declared = (juror_id, project_id) in self.conflicts
        recused = recusal(organisation, project.organisation, conflict_declared=declared)
        if recused == OWN_ORGANISATION:
            raise OwnOrganisationRecusal(
                f"Un juré ne note jamais un projet de sa propre organisation (« {organisation} »).",
                field="project_id",
            )
        if recused is not None:
            raise ConflictOfInterest(
                "Ce juré a déclaré un conflit d'intérêts sur ce projet : il ne peut plus le noter "
                f"(« {self.conflicts[(juror_id, project_id)]} »).",
                field="project_id",
            )
        rules = self._require_rules()
        self._require_deliberation_not_closed()
        for key in scores:
            if rules.criterion(key) is None:
                raise UnknownCriterion(
                    f"Critère inconnu : « {key} ». Critères : {', '.join(c.key for c in rules.criteria)}.",
                    field=f"scores.{key}",
                )
        for criterion in rules.criteria:
            if criterion.key not in scores:
                raise MissingCriterion(
                    f"Il manque la note du critère « {criterion.label} » : tous les critères sont notés.",
                    field=f"scores.{criterion.key}",
                )
            value = scores[criterion.key]
            if isinstance(value, bool) or not isinstance(value, int):
                raise Invalid(
                    f"La note du critère « {criterion.label} » est un nombre entier.",
                    field=f"scores.{criterion.key}",
                    rule="score_not_integer",
                )
            if not rules.scale_min <= value <= rules.scale_max:
                raise ScoreOutOfScale(
                    f"La note {value} du critère « {criterion.label} » sort de l'échelle "
                    f"{rules.scale_min}–{rules.scale_max}.",
                    field=f"scores.{criterion.key}",
                )
        self._score_recorded(
            juror_id=juror_id,
            project_id=project_id,
            scores={c.key: scores[c.key] for c in rules.criteria},
            comment=comment,
            rules_version=self.rules_version,
            revision=self.revisions.get((juror_id, project_id), 0) + 1,
            meta=meta,
        )

    @event("ScoreRecorded")
    def _score_recorded(
        self,
        *,
        juror_id: str,
        project_id: UUID,
        scores: dict[str, int],
        comment: str,
        rules_version: int,
        revision: int,
        meta: Meta,
    ) -> None:
        self.scores[(juror_id, project_id)] = ScoreSheet(juror_id, project_id, dict(scores), rules_version)
        self.revisions[(juror_id, project_id)] = revision
        if self.first_score_at is None:
            self.first_score_at = meta.at
        self.ranking_current = False

    def counted_sheets(self) -> tuple[ScoreSheet, ...]:
        """The last revision of every score, less those of recused jurors and withdrawn projects."""
        return tuple(
            sheet
            for key, sheet in self.scores.items()
            if key not in self.conflicts and not self.nominations[sheet.project_id].withdrawn
        )

    def preview_ranking(self) -> Ranking:
        """The ranking the current scores give (not recorded: ``compute_ranking`` records it)."""
        rules = self._require_rules()
        candidates = [p.project_id for p in self.active_nominations()]
        return rank(rules, self.rules_version, self.counted_sheets(), candidates, self.tie_decisions)

    def compute_ranking(self, *, meta: Meta) -> Ranking:
        """Record the ranking with its full table and method, so that anyone can recompute it."""
        ranking = self.preview_ranking()
        self._ranking_computed(ranking=ranking, meta=meta)
        return ranking

    @event("RankingComputed")
    def _ranking_computed(self, *, ranking: Ranking, meta: Meta) -> None:
        self.ranking = ranking
        self.ranking_current = True

    def break_tie(self, *, project_ids: Sequence[UUID], rationale: str, meta: Meta) -> None:
        """Record the jury's order among projects that are tied, where the rules declare ``jury_vote``."""
        rationale = check_text(rationale, "rationale", max_length=4000)
        rules = self._require_rules()
        self._require_deliberation_not_closed()
        if TieBreak.JURY_VOTE not in rules.tie_break:
            raise Conflict(
                "Les règles du jury ne prévoient pas de départage par vote du jury "
                f"(départage déclaré : {', '.join(rules.tie_break) or 'aucun'}).",
                field="project_ids",
                rule="tie_break_not_declared",
            )
        order = tuple(project_ids)
        if len(set(order)) != len(order):
            raise Invalid(
                "Un projet figure deux fois dans le départage.", field="project_ids", rule="duplicate_project"
            )
        if set(order) not in [set(group) for group in self.preview_ranking().unresolved_ties()]:
            raise NotTied("Ces projets ne sont pas ex æquo dans le classement actuel.", field="project_ids")
        self._tie_broken(project_ids=order, rationale=rationale, meta=meta)

    @event("TieBroken")
    def _tie_broken(self, *, project_ids: tuple[UUID, ...], rationale: str, meta: Meta) -> None:
        self.tie_decisions.append(TieDecision(tuple(project_ids), rationale))
        self.ranking_current = False

    # -- deliberation ------------------------------------------------------------------------------------------------

    def open_deliberation(self, *, meta: Meta) -> None:
        if self.deliberation != "not_opened":
            raise Conflict("La délibération est déjà ouverte ou close.", rule="deliberation_already_opened")
        self._deliberation_opened(meta=meta)

    @event("DeliberationOpened")
    def _deliberation_opened(self, *, meta: Meta) -> None:
        self.deliberation = "open"

    def designate_laureates(
        self,
        *,
        prize_key: str,
        project_ids: Sequence[UUID],
        meta: Meta,
        rationale: str = "",
        amounts: Mapping[UUID, int] | None = None,
    ) -> None:
        """Designate a jury prize's laureates (again, until deliberation closes).

        For a main or category prize, once projects were scored the designation is checked
        against the last recorded ranking (which must be up to date): choosing other projects,
        or another order for a ranked prize, needs a written rationale.
        """
        rationale = check_text(rationale, "rationale", max_length=4000, required=False)
        prize = self._prize(prize_key)
        if prize.kind == PrizeKind.VOTE:
            raise PrizeDecidedByVote(
                f"Le prix « {prize.label} » est décerné par un vote, pas par le jury.", field="prize_key"
            )
        if self.deliberation != "open":
            raise DeliberationNotOpen(
                "Les lauréats se désignent pendant la délibération (ouverte, non close).", field="prize_key"
            )
        chosen = self._check_laureates(prize, project_ids)
        departs = self._departs_from_ranking(prize, chosen, rationale)
        awards = _awards(prize, chosen, amounts or {})
        self._check_budget_for(prize_key, awards)
        self._laureates_designated(
            prize_key=prize_key, awards=awards, departs_from_ranking=departs, rationale=rationale, meta=meta
        )

    def _check_laureates(self, prize: Prize, project_ids: Sequence[UUID]) -> tuple[UUID, ...]:
        chosen = tuple(project_ids)
        if not chosen:
            raise Invalid("Désignez au moins un lauréat.", field="project_ids", rule="required")
        if len(set(chosen)) != len(chosen):
            raise Invalid(
                "Un projet figure deux fois parmi les lauréats.", field="project_ids", rule="duplicate_project"
            )
        if len(chosen) > prize.laureates:
            raise TooManyLaureates(
                f"Le prix « {prize.label} » compte {prize.laureates} lauréat(s), pas {len(chosen)}.",
                field="project_ids",
            )
        for project_id in chosen:
            project = self._active(project_id)
            if prize.category is not None and project.category != prize.category:
                raise Invalid(
                    f"« {project.title} » n'est pas de la catégorie « {prize.category} ».",
                    field="project_ids",
                    rule="outside_category",
                )
        return chosen

    def _departs_from_ranking(self, prize: Prize, chosen: tuple[UUID, ...], rationale: str) -> bool:
        """Whether ``chosen`` departs from the last ranking (refused without a rationale); False where none applies."""
        if prize.kind not in (PrizeKind.MAIN, PrizeKind.CATEGORY) or not self.counted_sheets():
            return False
        if self.ranking is None or not self.ranking_current:
            raise RankingOutdated(
                "Le classement n'est pas à jour des dernières notes : calculez-le avant de désigner les lauréats.",
                field="prize_key",
            )
        among = [
            p.project_id for p in self.active_nominations() if prize.category is None or p.category == prize.category
        ]
        sure, straddling = self.ranking.top(prize.laureates, among)
        follows = not straddling and set(chosen) == set(sure)
        if follows and prize.ranked:
            follows = chosen == sure
        if not follows and not rationale:
            tied = f" puis un ex æquo parmi {self._titles(straddling)}" if straddling else ""
            raise DepartsFromRanking(
                f"Ces lauréats s'écartent du classement du jury (qui désigne, dans l'ordre : {self._titles(sure)}"
                f"{tied}) : une motivation écrite est requise.",
                field="rationale",
            )
        return not follows

    @event("LaureatesDesignated")
    def _laureates_designated(
        self, *, prize_key: str, awards: tuple[Award, ...], departs_from_ranking: bool, rationale: str, meta: Meta
    ) -> None:
        self.designations[prize_key] = _Designation(tuple(awards), departs_from_ranking, rationale)

    def close_deliberation(self, *, meta: Meta) -> None:
        if self.deliberation != "open":
            raise DeliberationNotOpen("Seule une délibération ouverte peut être close.")
        missing = [p.label for p in self.prizes.values() if p.kind != PrizeKind.VOTE and p.key not in self.designations]
        if missing:
            raise LaureatesMissing(
                f"La délibération ne peut être close sans lauréats pour : {', '.join(missing)}.", field="prize_key"
            )
        self._deliberation_closed(meta=meta)

    @event("DeliberationClosed")
    def _deliberation_closed(self, *, meta: Meta) -> None:
        self.deliberation = "closed"

    # -- votes -------------------------------------------------------------------------------------------------------

    def organise_vote(
        self,
        *,
        prize_key: str,
        electorate: Sequence[Voter],
        opens_at: datetime,
        closes_at: datetime,
        meta: Meta,
        allow_own_organisation: bool = False,
        tie_break: str = TieBreak.DRAW.value,
        draw_seed: str | None = None,
    ) -> None:
        """Declare who votes (one ballot each), when, whether for their own organisation, and how a tie is settled."""
        prize = self._prize(prize_key)
        if prize.kind != PrizeKind.VOTE:
            raise Conflict(
                f"Le prix « {prize.label} » n'est pas décerné par un vote.", field="prize_key", rule="prize_not_by_vote"
            )
        voters = tuple(electorate)
        if not voters:
            raise Invalid("Le corps électoral compte au moins un votant.", field="electorate", rule="required")
        for voter in voters:
            check_text(voter.person_id, "electorate", max_length=100)
            check_slug(voter.organisation, field="electorate")
        if len({v.person_id for v in voters}) != len(voters):
            raise Invalid(
                "Un votant figure deux fois dans le corps électoral.", field="electorate", rule="duplicate_voter"
            )
        if opens_at >= closes_at:
            raise Invalid(
                f"Le vote doit ouvrir avant de fermer ({moment(opens_at)} – {moment(closes_at)}).",
                field="closes_at",
                rule="period_order",
            )
        check_choice(tie_break, "tie_break", [TieBreak.DRAW.value, TieBreak.JURY_VOTE.value])
        if tie_break == TieBreak.DRAW and not (draw_seed or "").strip():
            raise Invalid(
                "Un départage par tirage au sort exige une graine publiée à l'avance.",
                field="draw_seed",
                rule="draw_seed_required",
            )
        self._require_not_published()
        current = self.votes.get(prize_key)
        if current is not None and (current.ballots or current.count is not None):
            raise VoteStarted(
                "Des bulletins sont déjà déposés : le vote ne peut plus être réorganisé.", field="prize_key"
            )
        self._vote_organised(
            prize_key=prize_key,
            electorate=voters,
            opens_at=opens_at,
            closes_at=closes_at,
            allow_own_organisation=allow_own_organisation,
            tie_break=tie_break,
            draw_seed=draw_seed,
            meta=meta,
        )

    @event("VoteOrganised")
    def _vote_organised(
        self,
        *,
        prize_key: str,
        electorate: tuple[Voter, ...],
        opens_at: datetime,
        closes_at: datetime,
        allow_own_organisation: bool,
        tie_break: str,
        draw_seed: str | None,
        meta: Meta,
    ) -> None:
        self.votes[prize_key] = _Vote(
            electorate={v.person_id: v for v in electorate},
            opens_at=opens_at,
            closes_at=closes_at,
            allow_own_organisation=allow_own_organisation,
            tie_break=tie_break,
            draw_seed=draw_seed,
            ballots={},
        )

    def cast_vote(self, *, prize_key: str, voter_id: str, project_id: UUID, meta: Meta) -> None:
        vote = self._vote(prize_key)
        voter = vote.electorate.get(voter_id)
        if voter is None:
            raise NotInElectorate("Cette personne ne fait pas partie du corps électoral de ce prix.", field="voter_id")
        if meta.at < vote.opens_at:
            raise VoteNotOpen(f"Le vote n'ouvre que le {moment(vote.opens_at)}.", field="prize_key")
        if meta.at >= vote.closes_at or vote.count is not None:
            raise VoteClosed(f"Le vote est clos depuis le {moment(vote.closes_at)}.", field="prize_key")
        if voter_id in vote.ballots:
            raise AlreadyVoted("Un seul vote par votant : ce votant a déjà voté.", field="voter_id")
        project = self._candidate(prize_key, project_id)
        if project.organisation == voter.organisation and not vote.allow_own_organisation:
            raise OwnOrganisationVote(
                f"Les règles de ce vote excluent de voter pour un projet de sa propre organisation "
                f"(« {voter.organisation} »).",
                field="project_id",
            )
        self._vote_cast(prize_key=prize_key, voter_id=voter_id, project_id=project_id, meta=meta)

    @event("VoteCast")
    def _vote_cast(self, *, prize_key: str, voter_id: str, project_id: UUID, meta: Meta) -> None:
        self.votes[prize_key].ballots[voter_id] = project_id

    def tally(self, prize_key: str, tie_decision: TieDecision | None = None) -> VoteCount:
        """The count as it would stand now (pure: the same ballots always give the same count)."""
        vote = self._vote(prize_key)
        prize = self.prizes[prize_key]
        candidates = [
            p.project_id for p in self.active_nominations() if prize.category is None or p.category == prize.category
        ]
        ballots = [vote.ballots[v] for v in sorted(vote.ballots) if not self.nominations[vote.ballots[v]].withdrawn]
        return count_ballots(
            ballots,
            candidates,
            seats=prize.laureates,
            electorate=len(vote.electorate),
            tie_break=vote.tie_break,
            draw_seed=vote.draw_seed,
            tie_decision=tie_decision,
        )

    def count_votes(
        self, *, prize_key: str, meta: Meta, tie_order: Sequence[UUID] = (), rationale: str = ""
    ) -> VoteCount:
        """Count a closed vote; a tie on the last seat needs ``tie_order`` (and a rationale) under ``jury_vote``."""
        vote = self._vote(prize_key)
        if meta.at < vote.closes_at:
            raise VoteStillOpen(f"Le vote reste ouvert jusqu'au {moment(vote.closes_at)}.", field="prize_key")
        if vote.count is not None:
            raise AlreadyExists("Ce vote est déjà dépouillé.", field="prize_key", rule="already_counted")
        decision = None
        if tie_order:
            decision = TieDecision(tuple(tie_order), check_text(rationale, "rationale", max_length=4000))
        count = self.tally(prize_key, decision)
        if count.unresolved:
            raise TieUnresolved(
                f"Égalité de voix pour la dernière place entre {self._titles(count.unresolved)} : "
                "le jury doit les départager (ordre et motivation).",
                field="tie_order",
            )
        prize = self.prizes[prize_key]
        awards = tuple(Award(p, prize.amount_cents) for p in count.laureates)
        self._check_budget_for(prize_key, awards)
        self._votes_counted(prize_key=prize_key, count=count, awards=awards, meta=meta)
        return count

    @event("VotesCounted")
    def _votes_counted(self, *, prize_key: str, count: VoteCount, awards: tuple[Award, ...], meta: Meta) -> None:
        self.votes[prize_key].count = count
        self.votes[prize_key].awards = tuple(awards)

    # -- the palmarès ------------------------------------------------------------------------------------------------

    def publish_palmares(self, *, meta: Meta) -> Palmares:
        """Proclaim the palmarès: after deliberation closed and every vote prize was counted; once."""
        self._require_not_published()
        if self.deliberation != "closed":
            raise PalmaresNotDeliberated("Le palmarès ne peut être publié avant la clôture de la délibération du jury.")
        for prize in self.prizes.values():
            if prize.kind == PrizeKind.VOTE and (prize.key not in self.votes or self.votes[prize.key].count is None):
                raise VoteNotCounted(f"Le vote du prix « {prize.label} » n'est pas dépouillé.", field="prize_key")
        palmares = self.draft_palmares()
        self._palmares_published(palmares=palmares, meta=meta)
        return palmares

    @event("PalmaresPublished")
    def _palmares_published(self, *, palmares: Palmares, meta: Meta) -> None:
        self.palmares = palmares

    def draft_palmares(self) -> Palmares:
        """The palmarès as it stands (secret until published: the read side shows only the published one)."""
        return assemble_palmares(
            title=self.title,
            host=self.host,
            kind=self.kind,
            categories=self.categories,
            nominees={p: Nominee(n.project, n.sequence, n.withdrawn) for p, n in self.nominations.items()},
            prizes=self.prizes.values(),
            designated={key: d.awards for key, d in self.designations.items()},
            voted={key: v.awards for key, v in self.votes.items()},
            tallies={
                key: {t.project_id: t.votes for t in v.count.tallies}
                for key, v in self.votes.items()
                if v.count is not None
            },
        )

    # -- helpers -----------------------------------------------------------------------------------------------------

    def _titles(self, project_ids: Iterable[UUID]) -> str:
        return ", ".join(f"« {self.nominations[p].project.title} »" for p in project_ids) or "aucun projet"

    def _awarded_cents(self, leaving_out: str | None = None) -> int:
        awards = [a for k, d in self.designations.items() if k != leaving_out for a in d.awards]
        awards += [a for k, v in self.votes.items() if k != leaving_out for a in v.awards]
        return sum(a.amount_cents or 0 for a in awards)

    def _check_budget_for(self, prize_key: str, awards: Sequence[Award]) -> None:
        if self.budget_cents is None:
            return
        total = self._awarded_cents(leaving_out=prize_key) + sum(a.amount_cents or 0 for a in awards)
        if total > self.budget_cents:
            raise BudgetExceeded(
                f"Ces dotations porteraient le total attribué à {money(total)}, au-delà du budget "
                f"de {money(self.budget_cents)}.",
                field="amounts",
            )

    def _check_category(self, category: str) -> None:
        if category not in self.categories:
            raise UnknownCategory(
                f"Catégorie inconnue : « {category} ». Catégories : {', '.join(self.categories) or 'aucune'}.",
                field="category",
            )

    def _require_pending_invitation(self, organisation: str) -> None:
        participation = self.participants.get(organisation)
        if participation is None:
            raise NotInvited(f"L'organisation « {organisation} » n'est pas invitée à ce forum.", field="organisation")
        if participation.status != "invited":
            raise InvitationAnswered(
                f"L'organisation « {organisation} » a déjà répondu à l'invitation.", field="organisation"
            )

    def _nomination(self, project_id: UUID) -> _Nomination:
        nomination = self.nominations.get(project_id)
        if nomination is None or nomination.withdrawn:
            raise NotNominated("Ce projet n'est pas (ou plus) proposé à ce forum.", field="project_id")
        return nomination

    def _active(self, project_id: UUID) -> ProjectSnapshot:
        return self._nomination(project_id).project

    def _juror(self, juror_id: str) -> str:
        juror = self.jurors.get(juror_id)
        if juror is None:
            raise NotAJuror("Cette personne n'est pas membre du jury de ce forum.", field="juror_id")
        return juror[0]

    def _require_rules(self) -> JuryRules:
        if self.rules is None:
            raise RulesNotSet("Les critères et l'échelle de notation du jury ne sont pas encore fixés.")
        return self.rules

    def _require_deliberation_not_closed(self) -> None:
        if self.deliberation == "closed":
            raise DeliberationClosed("La délibération du jury est close : plus rien ne change dans ses notes.")

    def _require_not_published(self) -> None:
        if self.palmares is not None:
            raise PalmaresAlreadyPublished("Le palmarès est publié : l'édition est close.")

    def _require_in_running_order(self, project_id: UUID) -> None:
        self._active(project_id)
        if project_id not in {s.project_id for s in self.running_order}:
            raise NotInRunningOrder("Cette équipe ne figure pas dans l'ordre de passage.", field="project_id")
        if project_id in self.pitches:
            raise PitchAlreadyRecorded("Le passage de cette équipe est déjà consigné.", field="project_id")

    def _prize(self, prize_key: str) -> Prize:
        prize = self.prizes.get(prize_key)
        if prize is None:
            raise UnknownPrize(f"Prix inconnu : « {prize_key} ».", field="prize_key")
        return prize

    def _vote(self, prize_key: str) -> _Vote:
        self._prize(prize_key)
        vote = self.votes.get(prize_key)
        if vote is None:
            raise VoteNotOrganised("Aucun vote n'est organisé pour ce prix.", field="prize_key")
        return vote

    def _candidate(self, prize_key: str, project_id: UUID) -> ProjectSnapshot:
        project = self._active(project_id)
        category = self.prizes[prize_key].category
        if category is not None and project.category != category:
            raise Invalid(
                f"« {project.title} » ne concourt pas dans la catégorie « {category} ».",
                field="project_id",
                rule="outside_category",
            )
        return project


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Invalid(
            f"L'édition ne peut finir ({day(ends_on)}) avant de commencer ({day(starts_on)}).",
            field="ends_on",
            rule="dates_order",
        )


def _check_quota(quota: int) -> None:
    if not 1 <= quota <= 100:
        raise Invalid(f"Le quota par organisation va de 1 à 100 projets ({quota}).", field="quota", rule="quota_range")


def _check_budget(budget_cents: int | None) -> None:
    if budget_cents is not None and budget_cents < 0:
        raise Invalid("Le budget ne peut être négatif.", field="budget_cents", rule="negative_amount")


def _check_categories(categories: Sequence[str]) -> tuple[str, ...]:
    labels = tuple(check_text(c, "categories", max_length=200) for c in categories)
    if len(set(labels)) != len(labels):
        raise Invalid("Deux catégories portent le même nom.", field="categories", rule="duplicate_category")
    return labels


def _awards(prize: Prize, chosen: Sequence[UUID], amounts: Mapping[UUID, int]) -> tuple[Award, ...]:
    """Each laureate's amount: the one given for it, else the prize's amount per laureate."""
    for project_id, amount in amounts.items():
        if project_id not in chosen:
            raise Invalid(
                "Un montant est donné pour un projet qui n'est pas lauréat.",
                field="amounts",
                rule="amount_without_laureate",
            )
        if amount < 0:
            raise Invalid("Un montant ne peut être négatif.", field="amounts", rule="negative_amount")
    return tuple(Award(p, amounts.get(p, prize.amount_cents)) for p in chosen)
