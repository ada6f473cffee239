"""Votes' JSON API: a prize's vote (its electorate, period and tie-break), the voters' ballots and the count.

Each command route is a path and one call: the body is the command of ``forum.votes`` (with the prize the URL
names), carried out by ``forum.pipeline``. Reads come from the read models, with the same standings as the commands:
the host sees who voted, only auditors what each voted.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody

from forum.forums import AUDITOR, HOST, VOTER, ForumRef
from forum.votes import (
    Ballot,
    BallotCast,
    CastVote,
    Count,
    CountVotes,
    OrganiseVote,
    Vote,
    VoteOrganised,
    VotesCounted,
)
from projections import forums as views
from projections.forums import VoterBallot, VoteView
from web.api.forums import ON_FORUM_URL, ForumPath, HostPath, require
from web.commands import command, with_path
from web.context import reader


class VotesApi(Controller):
    """A forum's votes: organised by its host, cast by its voters, counted by its host."""

    path = "/api/v1/forums"
    tags = ["forums"]
    dependencies = ON_FORUM_URL

    @get("/{host:str}/{forum:str}/votes", summary="Votes: who voted (host); what each voted (auditors only)")
    async def votes(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> list[VoteView]:
        forum_id, _, held = await require(request, host, forum, HOST, AUDITOR)
        return await views.votes(reader(request), forum_id, with_ballots=AUDITOR in held)

    @put(
        "/{host:str}/{forum:str}/votes/{prize_key:str}",
        summary="Organise a prize's vote: electorate, period, tie-break (host); grants the voter role",
        sync_to_thread=True,
    )
    def organise_vote(
        self, request: Request[Any, Any, Any], target: ForumRef, prize_key: FromPath[str], data: JSONBody[Vote]
    ) -> VoteOrganised:
        return command(request, with_path(data, OrganiseVote, prize_key=prize_key), target)

    @get("/{host:str}/{forum:str}/my-ballots", summary="The votes one may cast, the candidates, one's ballot (a voter)")
    async def my_ballots(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> list[VoterBallot]:
        forum_id, actor, _ = await require(request, host, forum, VOTER)
        return await views.voter_ballots(reader(request), forum_id, actor.person_id, actor.organisation)

    @post(
        "/{host:str}/{forum:str}/votes/{prize_key:str}/ballots",
        summary="Cast one's one ballot, within the period (a voter)",
        sync_to_thread=True,
        status_code=201,
    )
    def cast_vote(
        self, request: Request[Any, Any, Any], target: ForumRef, prize_key: FromPath[str], data: JSONBody[Ballot]
    ) -> BallotCast:
        return command(request, with_path(data, CastVote, prize_key=prize_key), target)

    @post(
        "/{host:str}/{forum:str}/votes/{prize_key:str}/count",
        summary="Count a closed vote (host); a tie under jury_vote needs the jury's order",
        sync_to_thread=True,
        status_code=200,
    )
    def count_votes(
        self, request: Request[Any, Any, Any], target: ForumRef, prize_key: FromPath[str], data: JSONBody[Count]
    ) -> VotesCounted:
        return command(request, with_path(data, CountVotes, prize_key=prize_key), target)
