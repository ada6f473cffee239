"""The jury: its rules, who may score what (``recusal``), the arithmetic (weighted scores, per-juror normalisation,
ranking with declared tie-breaks, vote counts), and the refusals of scoring and deliberating."""

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any
from uuid import UUID

import msgspec

from domain.errors import Conflict, Forbidden, Invalid
from domain.values import check_text

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def check_key(key: str, field: str) -> str:
    """A criterion's or a prize's key: lowercase ASCII letters, digits and underscores, 1 to 40 characters."""
    if not _KEY.match(key):
        raise Invalid(
            f"La clé « {key} » doit être en minuscules sans accent (lettres, chiffres, tirets bas), "
            "commencer par une lettre et compter 40 caractères au plus.",
            field=field,
            rule="key_format",
        )
    return key


class Normalisation(StrEnum):
    NONE = "none"  # the mean of the jurors' weighted scores
    Z_SCORE = "z_score"  # each juror's weighted scores centred and scaled over the projects they scored


class TieBreak(StrEnum):
    CRITERIA = "criteria"  # the higher mean on the most-weighted criterion, then the next, in declared order
    DRAW = "draw"  # the lower sha256(seed:project id), from a seed published before scoring
    JURY_VOTE = "jury_vote"  # the order the jury decided, recorded by the host (``Forum.TieBroken``)


NORMALISATION_LABELS = {  # how people name each normalisation, on every page and in the audit
    Normalisation.NONE: "Aucune : la moyenne des notes pondérées des jurés",
    Normalisation.Z_SCORE: "Par juré (z-score) : un juré sévère compte autant qu'un juré indulgent",
}
TIE_BREAK_LABELS = {
    TieBreak.CRITERIA: "Le critère le plus pondéré, puis le suivant",
    TieBreak.DRAW: "Un tirage au sort à partir d'une graine publiée à l'avance",
    TieBreak.JURY_VOTE: "Un vote du jury, consigné par l'hôte avec sa motivation",
}
DELIBERATION_LABELS = {"not_opened": "non ouverte", "open": "ouverte", "closed": "close"}  # Forum.deliberation


class Criterion(msgspec.Struct, frozen=True):
    key: str
    label: str
    weight: int = 1


class JuryRules(msgspec.Struct, frozen=True):
    """How the jury scores and how its scores become a ranking, declared before the first score.

    Means are compared, and recorded, rounded to ``precision`` decimal places: two projects
    whose means agree to that many places are tied, and ``tie_break`` rules are applied in
    order to each tied group; a group no rule separates shares its rank.
    """

    criteria: tuple[Criterion, ...]
    scale_min: int
    scale_max: int
    quorum: int = 1
    normalisation: str = Normalisation.NONE.value
    tie_break: tuple[str, ...] = ()
    draw_seed: str | None = None
    precision: int = 6

    def criterion(self, key: str) -> Criterion | None:
        return next((c for c in self.criteria if c.key == key), None)

    def priority(self) -> tuple[Criterion, ...]:
        """Criteria by decreasing weight, then in declared order: the order the ``criteria`` tie-break reads them."""
        order = {c.key: i for i, c in enumerate(self.criteria)}
        return tuple(sorted(self.criteria, key=lambda c: (-c.weight, order[c.key])))


class ScoreSheet(msgspec.Struct, frozen=True):
    """One juror's scores for one project (the last revision), as the ranking reads it."""

    juror_id: str
    project_id: UUID
    scores: dict[str, int]
    rules_version: int


class TieDecision(msgspec.Struct, frozen=True):
    """An order among tied projects decided by the jury, and why."""

    project_ids: tuple[UUID, ...]
    rationale: str


class JurorScore(msgspec.Struct, frozen=True):
    juror_id: str
    weighted: Decimal
    normalised: Decimal | None
    rules_version: int


class RankingRow(msgspec.Struct, frozen=True):
    """A project's line in the ranking: ``rank`` is None below quorum; ``tied`` when it shares its rank."""

    project_id: UUID
    mean: Decimal | None
    scored_by: int
    meets_quorum: bool
    rank: int | None
    tied: bool
    criteria_means: dict[str, Decimal]
    jurors: tuple[JurorScore, ...]


class SetAside(msgspec.Struct, frozen=True):
    """A score sheet the ranking did not count, and why (scored under rules it no longer fits)."""

    juror_id: str
    project_id: UUID
    rules_version: int
    reason: str


class Ranking(msgspec.Struct, frozen=True):
    """The full table and the method that produced it, enough for anyone to recompute it."""

    rules: JuryRules
    rules_version: int
    rows: tuple[RankingRow, ...]
    set_aside: tuple[SetAside, ...] = ()
    tie_decisions: tuple[TieDecision, ...] = ()

    def row(self, project_id: UUID) -> RankingRow | None:
        return next((r for r in self.rows if r.project_id == project_id), None)

    def ranked(self, among: Iterable[UUID] | None = None) -> tuple[RankingRow, ...]:
        """Rows with a rank, best first, optionally only those of ``among`` (ties stay together)."""
        keep = None if among is None else set(among)
        return tuple(r for r in self.rows if r.rank is not None and (keep is None or r.project_id in keep))

    def unresolved_ties(self) -> tuple[tuple[UUID, ...], ...]:
        groups: dict[int, list[UUID]] = {}
        for row in self.rows:
            if row.rank is not None and row.tied:
                groups.setdefault(row.rank, []).append(row.project_id)
        return tuple(tuple(g) for _, g in sorted(groups.items()))

    def top(self, count: int, among: Iterable[UUID] | None = None) -> tuple[tuple[UUID, ...], tuple[UUID, ...]]:
        """The projects certainly in the first ``count`` places, and the tied group straddling the cut (if any)."""
        rows = self.ranked(among)
        sure: list[UUID] = []
        index = 0
        while index < len(rows) and len(sure) < count:
            group = [r.project_id for r in rows if r.rank == rows[index].rank]
            if len(sure) + len(group) <= count:
                sure.extend(group)
            else:
                return tuple(sure), tuple(group)
            index += len(group)
        return tuple(sure), ()


def check_rules(rules: JuryRules) -> JuryRules:
    """Refuse rules that cannot rank anything: no criteria, a bad scale, weights, quorum, or a seedless draw."""
    if not rules.criteria:
        raise Invalid("Le jury doit noter au moins un critère.", field="criteria", rule="no_criteria")
    keys = [c.key for c in rules.criteria]
    for criterion in rules.criteria:
        check_key(criterion.key, "criteria")
        check_text(criterion.label, "criteria", max_length=300)
        if criterion.weight < 1:
            raise Invalid(
                f"Le poids du critère « {criterion.key} » doit être un entier positif (il vaut {criterion.weight}).",
                field="criteria",
                rule="criterion_weight",
            )
    if len(set(keys)) != len(keys):
        raise Invalid("Deux critères portent la même clé.", field="criteria", rule="duplicate_criterion")
    if rules.scale_min >= rules.scale_max:
        raise Invalid(
            "L'échelle de notation doit aller d'un minimum à un maximum plus grand "
            f"({rules.scale_min}–{rules.scale_max}).",
            field="scale",
            rule="scale_order",
        )
    if rules.quorum < 1:
        raise Invalid("Le quorum est d'au moins un juré par projet.", field="quorum", rule="quorum_positive")
    if rules.normalisation not in tuple(Normalisation):
        raise Invalid(
            f"Normalisation inconnue : « {rules.normalisation} » (none ou z_score).",
            field="normalisation",
            rule="unknown_value",
        )
    for rule in rules.tie_break:
        if rule not in tuple(TieBreak):
            raise Invalid(
                f"Règle de départage inconnue : « {rule} » (criteria, draw ou jury_vote).",
                field="tie_break",
                rule="unknown_value",
            )
    if len(set(rules.tie_break)) != len(rules.tie_break):
        raise Invalid("Une règle de départage est déclarée deux fois.", field="tie_break", rule="duplicate_tie_break")
    if TieBreak.DRAW in rules.tie_break and not (rules.draw_seed or "").strip():
        raise Invalid(
            "Un départage par tirage au sort exige une graine publiée à l'avance.",
            field="draw_seed",
            rule="draw_seed_required",
        )
    if not 0 <= rules.precision <= 12:
        raise Invalid("La précision des moyennes va de 0 à 12 décimales.", field="precision", rule="precision_range")
    return rules


def sheet_fits(sheet: ScoreSheet, rules: JuryRules) -> str | None:
    """Why a score sheet cannot be counted under ``rules`` (an amendment changed them), or None if it can."""
    for criterion in rules.criteria:
        value = sheet.scores.get(criterion.key)
        if value is None:
            return f"pas de note pour le critère « {criterion.key} »"
        if not rules.scale_min <= value <= rules.scale_max:
            return f"note {value} hors de l'échelle {rules.scale_min}–{rules.scale_max} pour « {criterion.key} »"
    return None


OWN_ORGANISATION = "own_organisation"  # a juror never scores a project of their own organisation: recused ex officio
DECLARED_CONFLICT = "conflict"  # a conflict of interest the juror declared on the project


def recusal(juror_organisation: str, project_organisation: str, *, conflict_declared: bool) -> str | None:
    """Why a juror may not score a project, or None: ``"own_organisation"`` first (a juror never scores a project of
    their own organisation), then ``"conflict"`` (a conflict of interest they declared).

    The one statement of the rule: the aggregate refuses a score with it (``Forum.record_score``), the replay lists
    recusals with it (``forum.replay``), the read models mark jurors' sheets with it (``projections.jury``)."""
    if juror_organisation == project_organisation:
        return OWN_ORGANISATION
    return DECLARED_CONFLICT if conflict_declared else None


def weighted_score(scores: Mapping[str, int], criteria: Sequence[Criterion]) -> Fraction:
    """sum(weight × score) / sum(weight), exactly."""
    total = sum(c.weight for c in criteria)
    return Fraction(sum(c.weight * scores[c.key] for c in criteria), total)


_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)


def _decimal(value: Fraction | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return _CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))


def _rounded(value: Fraction | Decimal, precision: int) -> Decimal:
    return _decimal(value).quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_EVEN, context=_CONTEXT)


def z_scores(values: Mapping[UUID, Fraction]) -> dict[UUID, Decimal]:
    """Each value centred on the mean and divided by the population standard deviation (0 when they are all equal)."""
    if not values:
        return {}
    mean = sum(values.values(), Fraction(0)) / len(values)
    variance = sum(((v - mean) ** 2 for v in values.values()), Fraction(0)) / len(values)
    if variance == 0:
        return {project: Decimal(0) for project in values}
    deviation = _decimal(variance).sqrt(_CONTEXT)
    return {project: _CONTEXT.divide(_decimal(v - mean), deviation) for project, v in values.items()}


def draw_key(seed: str, project_id: UUID) -> str:
    """The published draw: lower sha256 of "seed:project id" ranks first."""
    return hashlib.sha256(f"{seed}:{project_id}".encode()).hexdigest()


def _split(
    group: list[UUID],
    rules: Sequence[str],
    jury: JuryRules,
    criteria_means: Mapping[UUID, Mapping[str, Decimal]],
    decisions: Sequence[TieDecision],
) -> list[list[UUID]]:
    """Order a tied group by the remaining tie-break rules; what no rule separates stays together."""
    if len(group) == 1 or not rules:
        return [group]
    rule, rest = rules[0], rules[1:]
    keyed: list[tuple[Any, UUID]]
    if rule == TieBreak.CRITERIA:
        priority = jury.priority()
        keyed = [(tuple(-criteria_means[p][c.key] for c in priority), p) for p in group]
    elif rule == TieBreak.DRAW:
        keyed = [(draw_key(jury.draw_seed or "", p), p) for p in group]
    else:
        decision = next((d for d in reversed(decisions) if set(group) <= set(d.project_ids)), None)
        if decision is None:
            return _split(group, rest, jury, criteria_means, decisions)
        keyed = [(decision.project_ids.index(p), p) for p in group]
    keyed.sort(key=lambda kp: (kp[0], str(kp[1])))
    result: list[list[UUID]] = []
    index = 0
    while index < len(keyed):
        same = [p for k, p in keyed[index:] if k == keyed[index][0]]
        result.extend(_split(same, rest, jury, criteria_means, decisions))
        index += len(same)
    return result


def rank(
    rules: JuryRules,
    rules_version: int,
    sheets: Iterable[ScoreSheet],
    candidates: Sequence[UUID],
    tie_decisions: Sequence[TieDecision] = (),
) -> Ranking:
    """Rank ``candidates`` from the counted score sheets (one per juror and project, recusals already removed).

    1. each sheet's weighted score, sum(weight × score) / sum(weight);
    2. with ``z_score`` normalisation, each juror's weighted scores become z-scores over the
       projects that juror scored, so a harsh juror weighs as much as a lenient one;
    3. a project's mean is the mean over its jurors, rounded to ``precision`` places;
    4. projects scored by fewer jurors than the quorum are listed without a rank;
    5. equal means are separated by the declared tie-break rules, in order; else they share a rank.
    """
    counted, set_aside = _partition(sheets, rules, set(candidates))
    weighted = {(s.juror_id, s.project_id): weighted_score(s.scores, rules.criteria) for s in counted}
    normalised = _normalised(weighted) if rules.normalisation == Normalisation.Z_SCORE else {}

    per_project: dict[UUID, list[ScoreSheet]] = {p: [] for p in candidates}
    for sheet in sorted(counted, key=lambda s: s.juror_id):
        per_project[sheet.project_id].append(sheet)
    rows = {p: _row(p, per_project[p], rules, weighted, normalised) for p in candidates}

    eligible = sorted(
        (p for p in candidates if rows[p].meets_quorum),
        key=lambda p: -(rows[p].mean or Decimal(0)),
    )
    criteria_means = {p: rows[p].criteria_means for p in candidates}
    ordered: list[RankingRow] = []
    index = 0
    while index < len(eligible):
        group = [p for p in eligible[index:] if rows[p].mean == rows[eligible[index]].mean]
        for subgroup in _split(group, rules.tie_break, rules, criteria_means, tie_decisions):
            position = len(ordered) + 1
            for project in sorted(subgroup, key=str):
                ordered.append(msgspec.structs.replace(rows[project], rank=position, tied=len(subgroup) > 1))
        index += len(group)
    ranked = set(eligible)
    below = sorted(
        (p for p in candidates if p not in ranked),
        key=lambda p: (rows[p].mean is None, -(rows[p].mean or Decimal(0)), str(p)),
    )
    ordered.extend(rows[p] for p in below)
    return Ranking(
        rules=rules,
        rules_version=rules_version,
        rows=tuple(ordered),
        set_aside=tuple(set_aside),
        tie_decisions=tuple(tie_decisions),
    )


def _partition(
    sheets: Iterable[ScoreSheet], rules: JuryRules, candidates: set[UUID]
) -> tuple[list[ScoreSheet], list[SetAside]]:
    """The sheets of candidates that fit the rules, and those set aside with the reason."""
    counted: list[ScoreSheet] = []
    set_aside: list[SetAside] = []
    for sheet in sheets:
        if sheet.project_id not in candidates:
            continue
        reason = sheet_fits(sheet, rules)
        if reason is None:
            counted.append(sheet)
        else:
            set_aside.append(SetAside(sheet.juror_id, sheet.project_id, sheet.rules_version, reason))
    set_aside.sort(key=lambda a: (a.juror_id, str(a.project_id)))
    return counted, set_aside


def _normalised(weighted: Mapping[tuple[str, UUID], Fraction]) -> dict[tuple[str, UUID], Decimal]:
    """Every juror's weighted scores as z-scores over the projects that juror scored."""
    by_juror: dict[str, dict[UUID, Fraction]] = {}
    for (juror, project), value in weighted.items():
        by_juror.setdefault(juror, {})[project] = value
    return {(juror, project): z for juror, values in by_juror.items() for project, z in z_scores(values).items()}


def _row(
    project: UUID,
    sheets: Sequence[ScoreSheet],
    rules: JuryRules,
    weighted: Mapping[tuple[str, UUID], Fraction],
    normalised: Mapping[tuple[str, UUID], Decimal],
) -> RankingRow:
    n = len(sheets)
    mean: Decimal | None = None
    criteria_means: dict[str, Decimal] = {}
    if n:
        if normalised:
            total = sum((normalised[(s.juror_id, project)] for s in sheets), Decimal(0))
            mean = _rounded(_CONTEXT.divide(total, Decimal(n)), rules.precision)
        else:
            mean = _rounded(sum((weighted[(s.juror_id, project)] for s in sheets), Fraction(0)) / n, rules.precision)
        criteria_means = {
            c.key: _rounded(Fraction(sum(s.scores[c.key] for s in sheets), n), rules.precision) for c in rules.criteria
        }
    return RankingRow(
        project_id=project,
        mean=mean,
        scored_by=n,
        meets_quorum=n >= rules.quorum,
        rank=None,
        tied=False,
        criteria_means=criteria_means,
        jurors=tuple(
            JurorScore(
                juror_id=s.juror_id,
                weighted=_rounded(weighted[(s.juror_id, project)], rules.precision),
                normalised=_rounded(normalised[(s.juror_id, project)], rules.precision) if normalised else None,
                rules_version=s.rules_version,
            )
            for s in sheets
        ),
    )


class VoteTally(msgspec.Struct, frozen=True):
    project_id: UUID
    votes: int


class VoteCount(msgspec.Struct, frozen=True):
    """The count of a vote: tallies best first, the laureates, and a tie at the cut left unresolved (if any)."""

    tallies: tuple[VoteTally, ...]
    laureates: tuple[UUID, ...]
    ballots: int
    electorate: int
    tie_break: str
    draw_seed: str | None
    unresolved: tuple[UUID, ...] = ()
    tie_decision: TieDecision | None = None


def count_ballots(
    ballots: Iterable[UUID],
    candidates: Sequence[UUID],
    *,
    seats: int,
    electorate: int,
    tie_break: str,
    draw_seed: str | None = None,
    tie_decision: TieDecision | None = None,
) -> VoteCount:
    """Count one-per-voter ballots: the ``seats`` projects with the most votes (at least one) win.

    A tie across the last seat is settled by the declared rule: ``draw`` (sha256 of the seed
    published when the vote was organised, and the project id) or ``jury_vote`` (the order in
    ``tie_decision``); without one it is left in ``unresolved`` and nobody from the tie wins.
    """
    tally: dict[UUID, int] = dict.fromkeys(candidates, 0)
    cast = 0
    for project in ballots:
        tally[project] = tally.get(project, 0) + 1
        cast += 1
    order = {p: i for i, p in enumerate(candidates)}

    def tie_key(project: UUID) -> tuple[Any, ...]:
        if tie_break == TieBreak.DRAW and draw_seed:
            return (draw_key(draw_seed, project),)
        if tie_decision is not None and project in tie_decision.project_ids:
            return (0, tie_decision.project_ids.index(project))
        return (1, order.get(project, len(order)), str(project))

    ranked = sorted(tally, key=lambda p: (-tally[p], tie_key(p)))
    voted = [p for p in ranked if tally[p] > 0]
    laureates: list[UUID] = []
    unresolved: tuple[UUID, ...] = ()
    index = 0
    while index < len(voted) and len(laureates) < seats:
        group = [p for p in voted if tally[p] == tally[voted[index]]]
        if len(laureates) + len(group) <= seats:
            laureates.extend(group)
        else:
            resolved = tie_break == TieBreak.DRAW and bool(draw_seed)
            if tie_break == TieBreak.JURY_VOTE and tie_decision is not None:
                resolved = set(group) <= set(tie_decision.project_ids)
            if resolved:
                laureates.extend(group[: seats - len(laureates)])
            else:
                unresolved = tuple(group)
            break
        index += len(group)
    return VoteCount(
        tallies=tuple(VoteTally(p, tally[p]) for p in ranked),
        laureates=tuple(laureates),
        ballots=cast,
        electorate=electorate,
        tie_break=tie_break,
        draw_seed=draw_seed,
        unresolved=unresolved,
        tie_decision=tie_decision,
    )


# ---------------------------------------------------------------------------------------------------------------------
# Refusals of the jury


class NotAJuror(Forbidden, rule="not_a_juror"): ...


class RulesNotSet(Conflict, rule="rules_not_set"): ...


class RulesLocked(Conflict, rule="rules_locked"): ...


class ConflictOfInterest(Conflict, rule="conflict_of_interest"):
    """A score from a juror who declared a conflict of interest on the project."""


class OwnOrganisationRecusal(ConflictOfInterest, rule="own_organisation"):
    """A score from a juror for a project of their own organisation (recused ex officio, nothing declared)."""


class ScoreOutOfScale(Invalid, rule="score_out_of_scale"): ...


class MissingCriterion(Invalid, rule="missing_criterion"): ...


class UnknownCriterion(Invalid, rule="unknown_criterion"): ...


class DeliberationClosed(Conflict, rule="deliberation_closed"): ...


class DeliberationNotOpen(Conflict, rule="deliberation_not_open"): ...


class RankingOutdated(Conflict, rule="ranking_outdated"): ...


class NotTied(Conflict, rule="not_tied"): ...


class DepartsFromRanking(Conflict, rule="departs_from_ranking"): ...
