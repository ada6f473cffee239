"""Votes' pages: the host organises a prize's vote and counts it; a voter casts their one ballot.

Every command goes through ``submit`` (``forum.votes`` through ``forum.pipeline``): a refusal is shown beside its
field, with the form as typed; every list reads ``projections.forums``.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from domain.errors import Invalid
from domain.forum import PrizeKind
from domain.jury import TIE_BREAK_LABELS, TieBreak
from forum.forums import AUDITOR, HOST, VOTER
from forum.votes import CastVote, CountVotes, OrganiseVote, VoterIn
from projections import forums as views
from projections.people import get_member
from web.context import reader
from web.pages.base import Form, Page, now
from web.pages.forums import (
    ForumPage,
    Sends,
    forum_organisations,
    lines,
    moment,
    open_for,
    open_forum,
    page,
    person_by_email,
    project_uuid,
    sends,
    text,
)
from web.pages.jury import ordered, titles_of

VOTE_TIE_BREAK_LABELS = {
    TieBreak.DRAW.value: TIE_BREAK_LABELS[TieBreak.DRAW],
    TieBreak.JURY_VOTE.value: "Un vote du jury (l'hôte consigne l'ordre et sa motivation au dépouillement)",
}


def count_of(form: Form, f: ForumPage) -> dict[str, Any]:
    return {"tie_order": ordered(form, "place_", "tie_order"), "rationale": text(form, "rationale")}


def ballot_of(form: Form, f: ForumPage) -> dict[str, Any]:
    choice = text(form, "project_id").strip()
    if not choice:
        raise Invalid("Choisissez le projet pour lequel vous votez.", field="project_id", rule="required")
    return {"project_id": project_uuid(choice)}


class VotesPages(Controller):
    """The votes of a forum's prizes: organised and counted by the host, cast by the voters."""

    include_in_schema = False
    path = "/forums/{host:str}/{forum:str}"

    # -- the host's side -----------------------------------------------------------------------------------------------

    @get("/votes")
    async def votes(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        f = await open_forum(request, host, forum, HOST, AUDITOR)
        return await self._votes(request, f)

    async def _votes(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        db = reader(request)
        found = {v.prize_key: v for v in await views.votes(db, f.forum_id, with_ballots=AUDITOR in f.held)}
        nominations = await views.nominations(db, f.forum_id, active_only=True)
        emails: dict[str, str] = {}
        for vote in found.values():
            for voter in vote.voters:
                member = await get_member(db, voter.organisation, voter.person_id)
                emails[voter.person_id] = member.email if member else ""
        items = [
            {
                "prize": prize,
                "vote": found.get(prize.key),
                "candidates": [n for n in nominations if prize.category is None or n.category == prize.category],
            }
            for prize in f.summary.prizes
            if prize.kind == PrizeKind.VOTE.value
        ]
        status = context.pop("status", 200)
        return page(
            request,
            "votes.html",
            f,
            status=status,
            items=items,
            emails=emails,
            projects=titles_of(nominations),
            moment_now=now(request),
            tie_breaks=VOTE_TIE_BREAK_LABELS,
            **context,
        )

    @post("/votes/{prize_key:str}")
    async def organise_vote(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str], prize_key: FromPath[str]
    ) -> Page:
        f, form = await open_for(request, host, forum, OrganiseVote)

        async def vote(form: Form, f: ForumPage) -> dict[str, Any]:
            # the electorate by e-mail address, looked up in the read models first
            electorate = [
                VoterIn(*await person_by_email(request, address, "electorate", forum_organisations(f)))
                for address in lines(text(form, "electorate"))
            ]
            return {
                "electorate": electorate,
                "opens_at": moment(form, "opens", "opens_at"),
                "closes_at": moment(form, "closes", "closes_at"),
                "allow_own_organisation": text(form, "allow_own_organisation") == "oui",
                "tie_break": text(form, "tie_break") or TieBreak.DRAW.value,
                "draw_seed": text(form, "draw_seed").strip() or None,
            }

        organising = Sends(
            OrganiseVote,
            then="/votes#vote-{prize_key}",
            notice="vote-organise",
            again=VotesPages._votes,
            failed="vote-{prize_key}",
            fields=vote,
        )
        return await organising.run(self, request, f, form, prize_key=prize_key)

    count = sends(
        "/votes/{prize_key:str}/depouillement",
        CountVotes,
        fields=count_of,
        then="/votes#vote-{prize_key}",
        notice="depouillement",
        again=_votes,
        failed="count-{prize_key}",
    )

    # -- the voter's ballot --------------------------------------------------------------------------------------------

    @get("/vote")
    async def ballot(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        f = await open_forum(request, host, forum, VOTER)
        return await self._ballot(request, f)

    async def _ballot(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        ballots = await views.voter_ballots(reader(request), f.forum_id, f.actor.person_id, f.actor.organisation)
        status = context.pop("status", 200)
        return page(request, "ballot.html", f, status=status, ballots=ballots, moment_now=now(request), **context)

    cast = sends(
        "/vote/{prize_key:str}",
        CastVote,
        fields=ballot_of,
        then="/vote#vote-{prize_key}",
        notice="vote",
        again=_ballot,
        failed="ballot-{prize_key}",
    )
