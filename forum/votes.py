"""Votes: a prize decided by an online vote — its electorate and period, each voter's one ballot, the count.

Each command is a struct and one handler on the forum (``ON_FORUM``), run by ``forum.pipeline.run``. The rules are
the Forum aggregate's (``domain.forum``): one ballot per voter within the period, never for one's own organisation
unless the vote allows it, a tie settled by a published draw or the jury's order. Organising a vote also grants
each voter the forum's ``voter`` role (and revokes it from people no vote of the forum counts any more), in the
same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.forum import Forum, Voter
from forum.forums import HOST, ON_FORUM, VOTER, ForumRef, When, _Grants, _require_person
from forum.pipeline import Command, Unit, handles

# -- organising a vote -------------------------------------------------------------------------------------------------


class VoterIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    person_id: str
    organisation: str


class Vote(Command["VoteOrganised"], frozen=True):
    """Who votes (one ballot each), when, whether for their own organisation, and how a tie is settled."""

    electorate: list[VoterIn]
    opens_at: When
    closes_at: When
    allow_own_organisation: bool = False
    tie_break: Annotated[str, msgspec.Meta(description="draw (with a seed published now) or jury_vote")] = "draw"
    draw_seed: str | None = None


class OrganiseVote(Vote, frozen=True, kw_only=True):
    """The vote of the prize the URL names."""

    prize_key: str


class VoteOrganised(msgspec.Struct):
    forum_id: str
    prize_key: str
    electorate: int
    opens_at: datetime
    closes_at: datetime


@handles(OrganiseVote, on=ON_FORUM, roles=(HOST,))
def organise_vote(forum: Forum, command: OrganiseVote, unit: Unit[ForumRef]) -> VoteOrganised:
    """Declare a prize's vote (electorate, period, tie-break) and grant each voter the forum's ``voter`` role
    (revoking it from people no vote of the forum counts any more)."""
    electorate = [Voter(v.person_id, v.organisation) for v in command.electorate]
    for voter in electorate:
        _require_person(unit.app, voter.person_id, voter.organisation, field="electorate")
    forum.organise_vote(
        prize_key=command.prize_key,
        electorate=electorate,
        opens_at=command.opens_at,
        closes_at=command.closes_at,
        allow_own_organisation=command.allow_own_organisation,
        tie_break=command.tie_break,
        draw_seed=command.draw_seed,
        meta=unit.meta,
    )
    grants = _Grants(unit.app, forum, unit.meta)
    voting = {p for vote in forum.votes.values() for p in vote.electorate}
    for person_id, _ in grants.roles.holders(VOTER):
        if person_id not in voting:
            grants.revoke(person_id, VOTER)
    for voter in electorate:
        grants.grant(voter.person_id, voter.organisation, VOTER)
    unit.save(*grants.saved())
    return VoteOrganised(str(forum.id), command.prize_key, len(electorate), command.opens_at, command.closes_at)


# -- the voter's ballot ------------------------------------------------------------------------------------------------


class Ballot(Command["BallotCast"], frozen=True):
    project_id: UUID


class CastVote(Ballot, frozen=True, kw_only=True):
    """The voter's (the actor's) one ballot in the vote of the prize the URL names."""

    prize_key: str


class BallotCast(msgspec.Struct):
    forum_id: str
    prize_key: str
    voted: bool
    cast_at: datetime


@handles(CastVote, on=ON_FORUM, roles=(VOTER,))
def cast_vote(forum: Forum, command: CastVote, unit: Unit[ForumRef]) -> BallotCast:
    """The voter (the actor) casts their one ballot."""
    forum.cast_vote(
        prize_key=command.prize_key, voter_id=unit.actor.person_id, project_id=command.project_id, meta=unit.meta
    )
    return BallotCast(str(forum.id), command.prize_key, True, unit.meta.at)


# -- the count ---------------------------------------------------------------------------------------------------------


class Count(Command["VotesCounted"], frozen=True):
    tie_order: Annotated[list[UUID], msgspec.Meta(description="a tie under jury_vote: the jury's order")] = (
        msgspec.field(default_factory=list)
    )
    rationale: str = ""


class CountVotes(Count, frozen=True, kw_only=True):
    """The count of the vote of the prize the URL names, once it closed."""

    prize_key: str


class VotesCounted(msgspec.Struct):
    forum_id: str
    prize_key: str
    count: dict[str, Any]


@handles(CountVotes, on=ON_FORUM, roles=(HOST,))
def count_votes(forum: Forum, command: CountVotes, unit: Unit[ForumRef]) -> VotesCounted:
    count = forum.count_votes(
        prize_key=command.prize_key, tie_order=command.tie_order, rationale=command.rationale, meta=unit.meta
    )
    return VotesCounted(str(forum.id), command.prize_key, msgspec.to_builtins(count))
