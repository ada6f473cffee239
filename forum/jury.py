"""The jury: its rules, jurors' scores and conflicts, the ranking, the deliberation and the laureates it designates.

Each command is a struct and one handler on the forum (``ON_FORUM``): the JSON API, the pages, the demo and the
tests all run it through ``forum.pipeline.run``. The rules themselves are the Forum aggregate's (``domain.forum``,
``domain.jury``): a juror never scores a project of their own organisation, rules lock at the first score, the
deliberation closes the scores.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.forum import Forum
from domain.jury import JuryRules
from forum.forums import (
    HOST,
    JUROR,
    ON_FORUM,
    Appointment,
    ForumRef,
    ForumState,
    _Grants,
    _require_person,
    forum_state,
)
from forum.pipeline import Command, Unit, handles

Cents = Annotated[int, msgspec.Meta(ge=0, le=10**13, description="euro cents")]


# -- the jurors -------------------------------------------------------------------------------------------------------


class AppointJuror(Command[Appointment], frozen=True):
    """Appoint a juror in a college (elected official, director-general, agent, outside personality…)."""

    person_id: str
    organisation: str
    college: str


@handles(AppointJuror, on=ON_FORUM, roles=(HOST,))
def appoint_juror(forum: Forum, command: AppointJuror, unit: Unit[ForumRef]) -> Appointment:
    """Appoint a juror (of any organisation) in a college, and grant them the forum's ``juror`` role in the same
    transaction."""
    _require_person(unit.app, command.person_id, command.organisation)
    forum.appoint_juror(
        person_id=command.person_id, organisation=command.organisation, college=command.college, meta=unit.meta
    )
    grants = _Grants(unit.app, forum, unit.meta)
    grants.grant(command.person_id, command.organisation, JUROR)
    unit.save(*grants.saved())
    return Appointment(str(forum.id), command.person_id, command.organisation, college=command.college)


# -- the rules ---------------------------------------------------------------------------------------------------------


class SetRules(Command["RulesSaved"], frozen=True):
    """The jury's criteria with weights, the scale, the quorum per project and the ranking method."""

    rules: JuryRules


class AmendRules(Command["RulesSaved"], frozen=True):
    rules: JuryRules
    reason: str


class RulesSaved(msgspec.Struct):
    forum_id: str
    rules_version: int
    rules: dict[str, Any]


def _rules_saved(forum: Forum) -> RulesSaved:
    return RulesSaved(str(forum.id), forum.rules_version, msgspec.to_builtins(forum.rules))


@handles(SetRules, on=ON_FORUM, roles=(HOST,))
def set_jury_rules(forum: Forum, command: SetRules, unit: Unit[ForumRef]) -> RulesSaved:
    """Declare the jury's criteria, scale and ranking method: free until the first score, then ``RulesLocked``."""
    forum.set_jury_rules(rules=command.rules, meta=unit.meta)
    return _rules_saved(forum)


@handles(AmendRules, on=ON_FORUM, roles=(HOST,))
def amend_jury_rules(forum: Forum, command: AmendRules, unit: Unit[ForumRef]) -> RulesSaved:
    """Change the rules after scoring began: a visible, reasoned amendment (a new version)."""
    forum.amend_jury_rules(rules=command.rules, reason=command.reason, meta=unit.meta)
    return _rules_saved(forum)


# -- the jurors' scores and conflicts ----------------------------------------------------------------------------------


class Score(Command["ScoreSaved"], frozen=True):
    """The juror's scores for one project, one per criterion; sent again with the same command id after a network
    failure, it is saved once."""

    scores: Annotated[dict[str, int], msgspec.Meta(description="by criterion key, within the scale")]
    comment: str = ""


class RecordScore(Score, frozen=True, kw_only=True):
    """A juror's scores for the project the URL names."""

    project_id: UUID


class ScoreSaved(msgspec.Struct):
    """What the server saved: show it to the juror as saved."""

    forum_id: str
    project_id: str
    juror_id: str
    scores: dict[str, int]
    comment: str
    revision: int
    rules_version: int
    saved_at: datetime


@handles(RecordScore, on=ON_FORUM, roles=(JUROR,))
def record_score(forum: Forum, command: RecordScore, unit: Unit[ForumRef]) -> ScoreSaved:
    """The juror (the actor) scores a project, or revises their scores; resending the same command id is harmless."""
    juror = unit.actor.person_id
    forum.record_score(
        juror_id=juror, project_id=command.project_id, scores=command.scores, comment=command.comment, meta=unit.meta
    )
    sheet = forum.scores[(juror, command.project_id)]
    return ScoreSaved(
        forum_id=str(forum.id),
        project_id=str(command.project_id),
        juror_id=juror,
        scores=dict(sheet.scores),
        comment=command.comment.strip(),
        revision=forum.revisions[(juror, command.project_id)],
        rules_version=sheet.rules_version,
        saved_at=unit.meta.at,
    )


class DeclareConflict(Command["ConflictDeclared"], frozen=True):
    project_id: UUID
    reason: str


class ConflictDeclared(msgspec.Struct):
    forum_id: str
    project_id: str
    juror_id: str


@handles(DeclareConflict, on=ON_FORUM, roles=(JUROR,))
def declare_conflict(forum: Forum, command: DeclareConflict, unit: Unit[ForumRef]) -> ConflictDeclared:
    """The juror (the actor) recuses themself from a project, with a reason."""
    juror = unit.actor.person_id
    forum.declare_conflict(juror_id=juror, project_id=command.project_id, reason=command.reason, meta=unit.meta)
    return ConflictDeclared(str(forum.id), str(command.project_id), juror)


# -- the ranking and the deliberation ----------------------------------------------------------------------------------


class ComputeRanking(Command["RankingComputed"], frozen=True):
    pass


class RankingComputed(msgspec.Struct):
    forum_id: str
    ranking: dict[str, Any]


@handles(ComputeRanking, on=ON_FORUM, roles=(HOST,))
def compute_ranking(forum: Forum, command: ComputeRanking, unit: Unit[ForumRef]) -> RankingComputed:
    """Record the ranking the current scores give, with its method (``Forum.RankingComputed``)."""
    ranking = forum.compute_ranking(meta=unit.meta)
    return RankingComputed(str(forum.id), msgspec.to_builtins(ranking))


class BreakTie(Command["TieBroken"], frozen=True):
    project_ids: Annotated[list[UUID], msgspec.Meta(description="the tied projects in the order the jury decided")]
    rationale: str


class TieBroken(msgspec.Struct):
    forum_id: str
    project_ids: list[str]


@handles(BreakTie, on=ON_FORUM, roles=(HOST,))
def break_tie(forum: Forum, command: BreakTie, unit: Unit[ForumRef]) -> TieBroken:
    forum.break_tie(project_ids=command.project_ids, rationale=command.rationale, meta=unit.meta)
    return TieBroken(str(forum.id), [str(p) for p in command.project_ids])


class OpenDeliberation(Command["ForumState"], frozen=True):
    pass


class CloseDeliberation(Command["ForumState"], frozen=True):
    pass


@handles(OpenDeliberation, on=ON_FORUM, roles=(HOST,))
def open_deliberation(forum: Forum, command: OpenDeliberation, unit: Unit[ForumRef]) -> ForumState:
    forum.open_deliberation(meta=unit.meta)
    return forum_state(forum)


@handles(CloseDeliberation, on=ON_FORUM, roles=(HOST,))
def close_deliberation(forum: Forum, command: CloseDeliberation, unit: Unit[ForumRef]) -> ForumState:
    """Scores are final from now on."""
    forum.close_deliberation(meta=unit.meta)
    return forum_state(forum)


class Designate(Command["LaureatesDesignated"], frozen=True):
    """The jury's laureates for a prize; departing from the ranking needs a written rationale."""

    project_ids: list[UUID]
    rationale: str = ""
    amounts: Annotated[dict[UUID, Cents], msgspec.Meta(description="per laureate, else the prize's amount")] = (
        msgspec.field(default_factory=dict)
    )


class DesignateLaureates(Designate, frozen=True, kw_only=True):
    """The laureates of the prize the URL names."""

    prize_key: str


class LaureatesDesignated(msgspec.Struct):
    forum_id: str
    prize_key: str
    awards: list[dict[str, Any]]
    departs_from_ranking: bool


@handles(DesignateLaureates, on=ON_FORUM, roles=(HOST,))
def designate_laureates(forum: Forum, command: DesignateLaureates, unit: Unit[ForumRef]) -> LaureatesDesignated:
    """Record the jury's laureates for a prize (the host records the deliberation)."""
    forum.designate_laureates(
        prize_key=command.prize_key,
        project_ids=command.project_ids,
        rationale=command.rationale,
        amounts=command.amounts or None,
        meta=unit.meta,
    )
    designation = forum.designations[command.prize_key]
    return LaureatesDesignated(
        forum_id=str(forum.id),
        prize_key=command.prize_key,
        awards=msgspec.to_builtins(designation.awards),
        departs_from_ranking=designation.departs_from_ranking,
    )
