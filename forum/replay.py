"""Replay: any aggregate as it stood at an instant or a position, the difference between two instants, a jury's
scores and ranking at a moment, and the provenance of a palmarès entry.

An aggregate at a cut-off is its events up to the cut-off folded by the library's own projector
(``eventsourcing.domain.project_aggregate``, what ``app.repository.get(id, version=...)`` does): the events are read
through the write side's connection pool, as ``forum_app`` under the store's row-level security, by the primary key
``(originator_id, originator_version)``, so the cost follows the aggregate's own history, never the log's size. A
cut-off by position keeps the events stored at or before it; by instant, those that happened (``meta.at``) at or
before it. Before the aggregate (or its organisation) existed, the state is empty: ``exists`` is False.

A jury at an instant is the Forum at that instant, its ranking recomputed with ``domain.jury.rank`` from the scores
counted then. The provenance of a laureate follows the chain backwards from the palmarès as published: the
deliberation's designation (or the vote's count) → the ranking the designation was checked against, with its method
(normalisation, tie-breaks, seed, rules version, quorum) and whether recomputing it from the scores gives the same
table → the scores of every juror for the project → the jurors and their recusals → the rules version in force.
Access is checked by the caller (``forum.audit_trail.may_audit_*``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.application import project_aggregate

from domain.codec import decode_event
from domain.forum import Forum
from domain.jury import OWN_ORGANISATION, JuryRules, Ranking, rank, recusal
from domain.values import Meta
from forum.application import ForumApplication
from forum.tenancy import store_of

_HISTORY = (
    "SELECT originator_version, notification_id, topic, state, recorded_at FROM store.forum_events"
    " WHERE originator_id = %s ORDER BY originator_version"
)
_HISTORY_UNTIL = (
    "SELECT originator_version, notification_id, topic, state, recorded_at FROM store.forum_events"
    " WHERE originator_id = %s AND notification_id <= %s ORDER BY originator_version"
)


# ---------------------------------------------------------------------------------------------------------------------
# Reading an aggregate's history and folding it


@dataclass(frozen=True)
class Recorded:
    """One event of an aggregate's history, with where and when the log stored it."""

    position: int
    version: int
    recorded_at: datetime
    event: Any

    @property
    def name(self) -> str:
        return type(self.event).__qualname__

    @property
    def meta(self) -> Meta | None:
        meta = getattr(self.event, "meta", None)
        return meta if isinstance(meta, Meta) else None

    @property
    def at(self) -> datetime:
        meta = self.meta
        return meta.at if meta is not None else self.recorded_at


def history(app: ForumApplication, store: str, aggregate_id: UUID, *, position: int | None = None) -> list[Recorded]:
    """The aggregate's events in ``store`` (up to ``position`` when given), in version order; [] if none."""
    recorder = app.store
    with (
        store_of(store),
        recorder.datastore.get_connection() as conn,
        conn.transaction(),
        conn.cursor() as curs,
    ):
        curs.execute(recorder.set_store, (store,), prepare=True)
        if position is None:
            curs.execute(_HISTORY, (aggregate_id,), prepare=True)
        else:
            curs.execute(_HISTORY_UNTIL, (aggregate_id, position), prepare=True)
        rows = curs.fetchall()
    return [
        Recorded(
            position=row["notification_id"],
            version=row["originator_version"],
            recorded_at=row["recorded_at"],
            event=decode_event(row["topic"], bytes(row["state"]), aggregate_id, row["originator_version"]),
        )
        for row in rows
    ]


def cut(events: Sequence[Recorded], *, at: datetime | None = None, position: int | None = None) -> list[Recorded]:
    """The prefix of a history standing at an instant and/or a position (an aggregate's state is always a prefix)."""
    kept: list[Recorded] = []
    for recorded in events:
        if position is not None and recorded.position > position:
            break
        if at is not None and recorded.at > at:
            break
        kept.append(recorded)
    return kept


def fold(events: Iterable[Recorded]) -> Any | None:
    """The aggregate the events make (None when there are none): the repository's own projector."""
    return project_aggregate(None, [r.event for r in events])


# ---------------------------------------------------------------------------------------------------------------------
# States as plain data, and their differences


def _key(value: Any) -> str:
    if isinstance(value, tuple):
        return " · ".join(_key(v) for v in value)
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def plain(value: Any) -> Any:  # noqa: PLR0911  # one return per kind of value
    """Any state as JSON-able data: structs and objects as mappings, tuple keys joined with « · »."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, msgspec.Struct):
        return {name: plain(getattr(value, name)) for name in value.__struct_fields__}
    if isinstance(value, Mapping):
        return {_key(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "__dict__"):
        return {k: plain(v) for k, v in vars(value).items() if not k.startswith("_")}
    return str(value)


def state_of(aggregate: Any | None) -> dict[str, Any]:
    """An aggregate's attributes as plain data (empty before it existed)."""
    if aggregate is None:
        return {}
    state: dict[str, Any] = {
        "id": str(aggregate.id),
        "version": aggregate.version,
        "created_on": aggregate.created_on.isoformat(),
        "modified_on": aggregate.modified_on.isoformat(),
    }
    for name, value in vars(aggregate).items():
        if not name.startswith("_"):
            state[name] = plain(value)
    return state


class Change(msgspec.Struct, frozen=True):
    path: str  # « scores › <juror> · <project> › scores › usagers »
    kind: str  # added | removed | changed
    before: Any = None
    after: Any = None


def diff(before: Any, after: Any, path: str = "") -> list[Change]:
    """What changed between two plain states, field by field (mappings recursively, lists as a whole unless of the
    same length)."""
    if isinstance(before, dict) and isinstance(after, dict):
        changes: list[Change] = []
        for key in list(before) + [k for k in after if k not in before]:
            where = f"{path} › {key}" if path else str(key)
            if key not in after:
                changes.append(Change(where, "removed", before=before[key]))
            elif key not in before:
                changes.append(Change(where, "added", after=after[key]))
            else:
                changes.extend(diff(before[key], after[key], where))
        return changes
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        changes = []
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            changes.extend(diff(b, a, f"{path} › {i + 1}"))
        return changes
    if before != after:
        return [Change(path or "état", "changed", before=before, after=after)]
    return []


# ---------------------------------------------------------------------------------------------------------------------
# Any aggregate at a moment


class EventRef(msgspec.Struct, frozen=True):
    """Where a fact comes from: the event, its position and time, who recorded it and under which command."""

    position: int
    version: int
    event_type: str
    at: datetime
    actor: str
    role: str
    command_id: str


def event_ref(recorded: Recorded) -> EventRef:
    meta = recorded.meta
    return EventRef(
        position=recorded.position,
        version=recorded.version,
        event_type=recorded.name,
        at=recorded.at,
        actor=meta.actor if meta else "",
        role=meta.role if meta else "",
        command_id=meta.command_id if meta else "",
    )


class StateAt(msgspec.Struct, frozen=True):
    """An aggregate as it stood at a cut-off (``exists`` False: it did not exist yet, and ``state`` is empty)."""

    store: str
    aggregate_id: UUID
    aggregate_type: str
    at: datetime | None
    position: int | None
    exists: bool
    version: int
    events: int  # events applied
    last_event: EventRef | None
    state: dict[str, Any]


def _aggregate_type(events: Sequence[Recorded]) -> str:
    return events[0].name.partition(".")[0] if events else ""


def state_at(
    app: ForumApplication, store: str, aggregate_id: UUID, *, at: datetime | None = None, position: int | None = None
) -> StateAt:
    """The aggregate as it stood at ``at`` and/or ``position`` (now, without either)."""
    events = history(app, store, aggregate_id, position=position)
    return _state(store, aggregate_id, events, cut(events, at=at), at=at, position=position)


def _state(
    store: str,
    aggregate_id: UUID,
    events: list[Recorded],
    kept: list[Recorded],
    *,
    at: datetime | None,
    position: int | None,
) -> StateAt:
    """The aggregate folded from ``kept``, the part of its history ``events`` up to a cut-off (``at``, ``position``)."""
    aggregate = fold(kept)
    return StateAt(
        store=store,
        aggregate_id=aggregate_id,
        aggregate_type=_aggregate_type(events),
        at=at,
        position=position,
        exists=aggregate is not None,
        version=aggregate.version if aggregate is not None else 0,
        events=len(kept),
        last_event=event_ref(kept[-1]) if kept else None,
        state=state_of(aggregate),
    )


class StateDiff(msgspec.Struct, frozen=True):
    before: StateAt
    after: StateAt
    changes: list[Change]
    events_between: list[EventRef]


def state_diff(
    app: ForumApplication,
    store: str,
    aggregate_id: UUID,
    *,
    from_at: datetime | None = None,
    from_position: int | None = None,
    to_at: datetime | None = None,
    to_position: int | None = None,
) -> StateDiff:
    """The aggregate at two cut-offs, what changed between them, and the events that changed it (one read)."""
    events = history(app, store, aggregate_id)

    def at_cut(at: datetime | None, position: int | None) -> tuple[StateAt, list[Recorded]]:
        kept = cut(events, at=at, position=position)
        return _state(store, aggregate_id, events, kept, at=at, position=position), kept

    before, kept_before = at_cut(from_at, from_position)
    after, kept_after = at_cut(to_at, to_position)
    low, high = sorted((len(kept_before), len(kept_after)))
    return StateDiff(
        before=before,
        after=after,
        changes=diff(before.state, after.state),
        events_between=[event_ref(r) for r in events[low:high]],
    )


# ---------------------------------------------------------------------------------------------------------------------
# A jury at a moment


class Method(msgspec.Struct, frozen=True):
    """How scores became a ranking: declared in the rules, recorded with every ranking."""

    rules_version: int
    criteria: list[dict[str, Any]]  # key, label, weight
    scale_min: int
    scale_max: int
    quorum: int
    normalisation: str
    tie_break: list[str]
    draw_seed: str | None
    precision: int


def method_of(rules: JuryRules, version: int) -> Method:
    return Method(
        rules_version=version,
        criteria=[{"key": c.key, "label": c.label, "weight": c.weight} for c in rules.criteria],
        scale_min=rules.scale_min,
        scale_max=rules.scale_max,
        quorum=rules.quorum,
        normalisation=rules.normalisation,
        tie_break=list(rules.tie_break),
        draw_seed=rules.draw_seed,
        precision=rules.precision,
    )


class Juror(msgspec.Struct, frozen=True):
    person_id: str
    organisation: str
    college: str


class Score(msgspec.Struct, frozen=True):
    """A juror's last scores for a project, and whether the ranking counts them."""

    juror_id: str
    project_id: UUID
    scores: dict[str, int]
    comment: str
    revision: int
    rules_version: int
    recorded: EventRef | None
    counted: bool
    not_counted_because: str


class Recusal(msgspec.Struct, frozen=True):
    juror_id: str
    project_id: UUID
    kind: str  # declared | own_organisation (``domain.jury.recusal``)
    reason: str
    declared: EventRef | None


class RankingLine(msgspec.Struct, frozen=True):
    rank: int | None
    tied: bool
    project_id: UUID
    title: str
    organisation: str
    mean: str | None
    scored_by: int
    meets_quorum: bool
    criteria_means: dict[str, str]
    jurors: list[dict[str, Any]]  # juror_id, weighted, normalised, rules_version


def ranking_lines(ranking: Ranking, forum: Forum) -> list[RankingLine]:
    def title(project_id: UUID) -> tuple[str, str]:
        nomination = forum.nominations.get(project_id)
        return (nomination.project.title, nomination.project.organisation) if nomination else (str(project_id), "")

    return [
        RankingLine(
            rank=row.rank,
            tied=row.tied,
            project_id=row.project_id,
            title=title(row.project_id)[0],
            organisation=title(row.project_id)[1],
            mean=None if row.mean is None else str(row.mean),
            scored_by=row.scored_by,
            meets_quorum=row.meets_quorum,
            criteria_means={k: str(v) for k, v in row.criteria_means.items()},
            jurors=[
                {
                    "juror_id": j.juror_id,
                    "weighted": str(j.weighted),
                    "normalised": None if j.normalised is None else str(j.normalised),
                    "rules_version": j.rules_version,
                }
                for j in row.jurors
            ],
        )
        for row in ranking.rows
    ]


class RecordedRanking(msgspec.Struct, frozen=True):
    """The last ranking the host recorded, and whether recomputing it from its moment's scores gives it again."""

    computed: EventRef
    method: Method
    lines: list[RankingLine]
    recomputed_identical: bool
    current: bool  # no score, recusal, rule or tie decision since


class JuryAt(msgspec.Struct, frozen=True):
    """A jury at a moment: rules, jurors, scores, recusals, the ranking they give then, and the one recorded."""

    forum_id: UUID
    host: str
    title: str
    at: datetime | None
    position: int | None
    exists: bool
    last_event: EventRef | None
    deliberation: str
    method: Method | None
    jurors: list[Juror]
    scores: list[Score]
    recusals: list[Recusal]
    ranking: list[RankingLine]  # recomputed with domain.jury.rank from the scores counted at that moment
    recorded_ranking: RecordedRanking | None


def _last_events(events: Sequence[Recorded], name: str) -> dict[tuple[str, UUID], Recorded]:
    """The last event of ``name`` (ScoreRecorded, ConflictDeclared) for each (juror, project)."""
    return {(r.event.juror_id, r.event.project_id): r for r in events if r.name == name}


def recompute(forum: Forum) -> Ranking | None:
    """The ranking the forum's counted scores give under its rules (None before rules were set)."""
    if forum.rules is None:
        return None
    candidates = [p.project_id for p in forum.active_nominations()]
    return rank(forum.rules, forum.rules_version, forum.counted_sheets(), candidates, forum.tie_decisions)


def _scores(forum: Forum, events: Sequence[Recorded], project_id: UUID | None = None) -> list[Score]:
    recorded = _last_events(events, "Forum.ScoreRecorded")
    counted = {(s.juror_id, s.project_id) for s in forum.counted_sheets()}
    lines = []
    for (juror, project), sheet in forum.scores.items():
        if project_id is not None and project != project_id:
            continue
        because = ""
        if (juror, project) in forum.conflicts:
            because = "le juré s'est récusé après l'avoir noté"
        elif forum.nominations[project].withdrawn:
            because = "projet retiré"
        lines.append(
            Score(
                juror_id=juror,
                project_id=project,
                scores=dict(sheet.scores),
                comment=recorded[(juror, project)].event.comment if (juror, project) in recorded else "",
                revision=forum.revisions.get((juror, project), 1),
                rules_version=sheet.rules_version,
                recorded=event_ref(recorded[(juror, project)]) if (juror, project) in recorded else None,
                counted=(juror, project) in counted,
                not_counted_because=because,
            )
        )
    return lines


def _recusals(forum: Forum, events: Sequence[Recorded], project_id: UUID | None = None) -> list[Recusal]:
    declared = _last_events(events, "Forum.ConflictDeclared")
    found = [
        Recusal(
            juror,
            project,
            "declared",
            reason,
            event_ref(declared[(juror, project)]) if (juror, project) in declared else None,
        )
        for (juror, project), reason in forum.conflicts.items()
        if project_id is None or project == project_id
    ]
    for juror, (organisation, _) in forum.jurors.items():
        for nomination in forum.nominations.values():
            project = nomination.project
            if project_id is not None and project.project_id != project_id:
                continue
            if recusal(organisation, project.organisation, conflict_declared=False) == OWN_ORGANISATION:
                found.append(
                    Recusal(
                        juror,
                        project.project_id,
                        OWN_ORGANISATION,
                        f"projet de sa propre organisation ({organisation}) : récusé d'office",
                        None,
                    )
                )
    return found


def _recorded_ranking(forum: Forum, events: Sequence[Recorded]) -> RecordedRanking | None:
    index = next((i for i in range(len(events) - 1, -1, -1) if events[i].name == "Forum.RankingComputed"), None)
    if index is None or forum.ranking is None:
        return None
    ranking: Ranking = events[index].event.ranking
    before = fold(events[:index])
    again = recompute(before) if before is not None else None
    return RecordedRanking(
        computed=event_ref(events[index]),
        method=method_of(ranking.rules, ranking.rules_version),
        lines=ranking_lines(ranking, forum),
        recomputed_identical=again == ranking,
        current=forum.ranking_current,
    )


def jury_at(
    app: ForumApplication, host: str, forum_id: UUID, *, at: datetime | None = None, position: int | None = None
) -> JuryAt:
    """The jury of the forum as it stood at ``at`` / ``position``: its scores and the ranking they gave then."""
    events = cut(history(app, host, forum_id, position=position), at=at)
    forum = fold(events)
    if not isinstance(forum, Forum):
        return JuryAt(forum_id, host, "", at, position, False, None, "not_opened", None, [], [], [], [], None)
    again = recompute(forum)
    return JuryAt(
        forum_id=forum_id,
        host=host,
        title=forum.title,
        at=at,
        position=position,
        exists=True,
        last_event=event_ref(events[-1]),
        deliberation=forum.deliberation,
        method=method_of(forum.rules, forum.rules_version) if forum.rules else None,
        jurors=[Juror(p, org, college) for p, (org, college) in forum.jurors.items()],
        scores=_scores(forum, events),
        recusals=_recusals(forum, events),
        ranking=ranking_lines(again, forum) if again else [],
        recorded_ranking=_recorded_ranking(forum, events),
    )


# ---------------------------------------------------------------------------------------------------------------------
# Provenance of a palmarès entry


class RulesVersion(msgspec.Struct, frozen=True):
    version: int
    recorded: EventRef
    reason: str
    method: Method


class VoteRecord(msgspec.Struct, frozen=True):
    organised: EventRef | None
    counted: EventRef
    electorate: int
    ballots: int
    opens_at: datetime | None
    closes_at: datetime | None
    tie_break: str
    draw_seed: str | None
    tallies: list[dict[str, Any]]  # project_id, title, votes
    unresolved: list[str]


class PrizeProvenance(msgspec.Struct, frozen=True):
    """Why the project won this prize: the decision, and what it rested on."""

    key: str
    label: str
    kind: str
    laureate: bool
    rank: int | None  # its place among the prize's laureates, for a ranked prize
    amount_cents: int | None
    decision: EventRef | None  # the designation (jury prizes) or the count (vote prizes)
    departs_from_ranking: bool
    rationale: str
    ranking: RecordedRanking | None  # the ranking the designation was checked against
    vote: VoteRecord | None


class Provenance(msgspec.Struct, frozen=True):
    """From a palmarès entry back to the rules: as it stood when the palmarès was published (or now, if not yet)."""

    forum_id: UUID
    host: str
    title: str
    project_id: UUID
    project_title: str
    project_organisation: str
    published: EventRef | None
    as_of: EventRef | None
    prizes: list[PrizeProvenance]
    row: RankingLine | None  # the project's line in the ranking the decision rested on
    scores: list[Score]
    jurors: list[Juror]
    recusals: list[Recusal]
    rules_in_force: RulesVersion | None
    rules_history: list[RulesVersion]


def _rules_history(events: Sequence[Recorded]) -> list[RulesVersion]:
    return [
        RulesVersion(
            version=r.event.version,
            recorded=event_ref(r),
            reason=getattr(r.event, "reason", ""),
            method=method_of(r.event.rules, r.event.version),
        )
        for r in events
        if r.name in ("Forum.RulesSet", "Forum.RulesAmended")
    ]


def _index_of_last(events: Sequence[Recorded], name: str, before: int, **fields: Any) -> int | None:
    for i in range(min(before, len(events)) - 1, -1, -1):
        r = events[i]
        if r.name == name and all(getattr(r.event, k) == v for k, v in fields.items()):
            return i
    return None


def provenance(app: ForumApplication, host: str, forum_id: UUID, project_id: UUID) -> Provenance | None:
    """Why ``project_id`` stands where it does in the forum's palmarès; None when the forum or the project is
    unknown to it."""
    events = history(app, host, forum_id)
    published_index = _index_of_last(events, "Forum.PalmaresPublished", len(events))
    upto = events[: published_index + 1] if published_index is not None else events
    forum = fold(upto)
    if not isinstance(forum, Forum) or project_id not in forum.nominations:
        return None
    project = forum.nominations[project_id].project
    places: dict[str, tuple[int | None, int | None]] = {}
    if forum.palmares is not None:
        for prize in forum.palmares.prizes:
            for entry in prize.laureates:
                if entry.project_id == project_id:
                    places[prize.key] = (entry.rank, entry.amount_cents)

    prizes: list[PrizeProvenance] = []
    ranking_used: RecordedRanking | None = None
    basis_index = len(upto)  # the moment whose scores explain the decision: the ranking used, else the end
    for key in forum.prizes:
        found = _prize_provenance(forum, upto, key, project_id, places.get(key))
        if found is None:
            continue
        prizes.append(found[0])
        if ranking_used is None and found[0].ranking is not None:
            ranking_used, basis_index = found[0].ranking, found[1]
    basis_events = upto[:basis_index]
    basis = fold(basis_events)
    assert isinstance(basis, Forum)  # noqa: S101  # a prefix of the forum's own history
    if ranking_used is None and basis.ranking is not None:
        ranking_used = _recorded_ranking(basis, basis_events)
    row = next((line for line in ranking_used.lines if line.project_id == project_id), None) if ranking_used else None
    history_of_rules = _rules_history(basis_events)
    return Provenance(
        forum_id=forum_id,
        host=host,
        title=forum.title,
        project_id=project_id,
        project_title=project.title,
        project_organisation=project.organisation,
        published=event_ref(upto[published_index]) if published_index is not None else None,
        as_of=event_ref(upto[-1]) if upto else None,
        prizes=prizes,
        row=row,
        scores=_scores(basis, basis_events, project_id),
        jurors=[Juror(p, org, college) for p, (org, college) in basis.jurors.items()],
        recusals=_recusals(basis, basis_events, project_id),
        rules_in_force=next((v for v in reversed(history_of_rules) if v.version == basis.rules_version), None),
        rules_history=history_of_rules,
    )


def _prize_provenance(
    forum: Forum, upto: Sequence[Recorded], key: str, project_id: UUID, place: tuple[int | None, int | None] | None
) -> tuple[PrizeProvenance, int] | None:
    """The prize's decision about the project and what it rested on (None when it concerns the project not at
    all), with the length of the history prefix whose scores explain it."""
    prize = forum.prizes[key]
    designation = forum.designations.get(key)
    vote = forum.votes.get(key)
    awarded = [a.project_id for a in designation.awards] if designation else []
    if vote is not None and vote.count is not None:
        awarded = [a.project_id for a in vote.awards]
    laureate = project_id in awarded
    if not laureate and place is None:
        return None
    decision_index = _index_of_last(upto, "Forum.LaureatesDesignated", len(upto), prize_key=key)
    count_index = _index_of_last(upto, "Forum.VotesCounted", len(upto), prize_key=key)
    ranking: RecordedRanking | None = None
    vote_record: VoteRecord | None = None
    decision: EventRef | None = None
    basis = len(upto)
    if prize.kind == "vote" and count_index is not None:
        decision = event_ref(upto[count_index])
        vote_record = _vote_record(upto, count_index, key, forum)
    elif decision_index is not None:
        decision = event_ref(upto[decision_index])
        ranking_index = _index_of_last(upto, "Forum.RankingComputed", decision_index)
        if ranking_index is not None:
            at_ranking = fold(upto[: ranking_index + 1])
            assert isinstance(at_ranking, Forum)  # noqa: S101  # the forum's own history
            ranking = _recorded_ranking(at_ranking, upto[: ranking_index + 1])
            basis = ranking_index + 1
    rank_place, amount = place or (None, None)
    return (
        PrizeProvenance(
            key=key,
            label=prize.label,
            kind=prize.kind,
            laureate=laureate,
            rank=rank_place,
            amount_cents=amount,
            decision=decision,
            departs_from_ranking=designation.departs_from_ranking if designation else False,
            rationale=designation.rationale if designation else "",
            ranking=ranking,
            vote=vote_record,
        ),
        basis,
    )


def _vote_record(events: Sequence[Recorded], count_index: int, key: str, forum: Forum) -> VoteRecord:
    counted = events[count_index]
    organised_index = _index_of_last(events, "Forum.VoteOrganised", count_index, prize_key=key)
    organised = events[organised_index] if organised_index is not None else None
    count = counted.event.count

    def title(project: UUID) -> str:
        n = forum.nominations.get(project)
        return n.project.title if n else str(project)

    return VoteRecord(
        organised=event_ref(organised) if organised else None,
        counted=event_ref(counted),
        electorate=count.electorate,
        ballots=count.ballots,
        opens_at=organised.event.opens_at if organised else None,
        closes_at=organised.event.closes_at if organised else None,
        tie_break=count.tie_break,
        draw_seed=count.draw_seed,
        tallies=[
            {"project_id": str(t.project_id), "title": title(t.project_id), "votes": t.votes} for t in count.tallies
        ],
        unresolved=[str(p) for p in count.unresolved],
    )
