"""Prizes decided by vote: each vote's electorate and period, who voted, what each voted (auditors only), the count.

Who voted is the host's to see; what each voted only the forum's auditors'. Check access before answering.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.forum import Forum
from projections.dispatch import Conn, EventProjection, EventsOf, from_json, on, to_json
from projections.projector import Envelope

F = EventsOf(Forum)


class Votes(EventProjection):
    name = "votes"
    tables = ("read.forum_votes", "read.forum_ballots")

    @on(F.VoteOrganised)
    async def vote_organised(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forum_votes (forum_id, prize_key, organisation, electorate, opens_at, closes_at,"
            " allow_own_organisation, tie_break, draw_seed, organised_at)"
            " VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10) ON CONFLICT (forum_id, prize_key)"
            " DO UPDATE SET electorate = EXCLUDED.electorate, opens_at = EXCLUDED.opens_at,"
            " closes_at = EXCLUDED.closes_at, allow_own_organisation = EXCLUDED.allow_own_organisation,"
            " tie_break = EXCLUDED.tie_break, draw_seed = EXCLUDED.draw_seed,"
            " organised_at = EXCLUDED.organised_at",
            envelope.originator_id,
            e.prize_key,
            envelope.organisation,
            to_json(e.electorate),
            e.opens_at,
            e.closes_at,
            e.allow_own_organisation,
            e.tie_break,
            e.draw_seed,
            e.meta.at,
        )

    @on(F.VoteCast)
    async def vote_cast(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "INSERT INTO read.forum_ballots (forum_id, prize_key, voter_id, organisation, voter_organisation,"
            " project_id, cast_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            envelope.originator_id,
            e.prize_key,
            e.voter_id,
            envelope.organisation,
            e.meta.actor_organisation,
            e.project_id,
            e.meta.at,
        )

    @on(F.VotesCounted)
    async def votes_counted(self, conn: asyncpg.Connection, envelope: Envelope, e: Any) -> None:
        await conn.execute(
            "UPDATE read.forum_votes SET count = $3::jsonb, awards = $4::jsonb, counted_at = $5"
            " WHERE forum_id = $1 AND prize_key = $2",
            envelope.originator_id,
            e.prize_key,
            to_json(e.count),
            to_json(e.awards),
            e.meta.at,
        )


class VoterStatus(msgspec.Struct, frozen=True):
    person_id: str
    name: str
    organisation: str
    voted: bool
    cast_at: datetime | None


class Ballot(msgspec.Struct, frozen=True):
    voter_id: str
    voter_organisation: str
    project_id: UUID
    cast_at: datetime


class VoteView(msgspec.Struct, frozen=True):
    """A prize's vote: who voted is the host's to see; ``ballots`` (what each voted) only the auditors'."""

    prize_key: str
    label: str
    opens_at: datetime
    closes_at: datetime
    allow_own_organisation: bool
    tie_break: str
    draw_seed: str | None
    electorate: int
    voted: int
    voters: list[VoterStatus]
    count: dict[str, Any] | None
    counted_at: datetime | None
    ballots: list[Ballot] | None = None


class Candidate(msgspec.Struct, frozen=True):
    project_id: UUID
    title: str
    organisation: str
    organisation_name: str
    category: str | None
    own_organisation: bool


class VoterBallot(msgspec.Struct, frozen=True):
    """A voter's page for one prize: the period, the candidates, and their own ballot once cast."""

    prize_key: str
    label: str
    opens_at: datetime
    closes_at: datetime
    allow_own_organisation: bool
    candidates: list[Candidate]
    voted_for: UUID | None
    cast_at: datetime | None


async def votes(conn: Conn, forum_id: UUID, *, with_ballots: bool = False) -> list[VoteView]:
    """Every vote of the forum with who voted; what each voted only ``with_ballots`` (auditors)."""
    rows = await conn.fetch(
        "SELECT v.prize_key, p.label, v.opens_at, v.closes_at, v.allow_own_organisation, v.tie_break, v.draw_seed,"
        " v.electorate, v.count, v.counted_at FROM read.forum_votes v"
        " JOIN read.forum_prizes p ON p.forum_id = v.forum_id AND p.key = v.prize_key"
        " WHERE v.forum_id = $1 ORDER BY p.position",
        forum_id,
    )
    ballots = await conn.fetch(
        "SELECT prize_key, voter_id, voter_organisation, project_id, cast_at FROM read.forum_ballots"
        " WHERE forum_id = $1 ORDER BY cast_at",
        forum_id,
    )
    names = {
        str(r[0]): r[1]
        for r in await conn.fetch(
            "SELECT person_id, name FROM read.people WHERE person_id::text IN (SELECT jsonb_array_elements(electorate)"
            "->>'person_id' FROM read.forum_votes WHERE forum_id = $1)",
            forum_id,
        )
    }
    views = []
    for r in rows:
        electorate = msgspec.json.decode(r["electorate"])
        cast = {b["voter_id"]: b for b in ballots if b["prize_key"] == r["prize_key"]}
        voters = [
            VoterStatus(
                person_id=v["person_id"],
                name=names.get(v["person_id"], ""),
                organisation=v["organisation"],
                voted=v["person_id"] in cast,
                cast_at=cast[v["person_id"]]["cast_at"] if v["person_id"] in cast else None,
            )
            for v in electorate
        ]
        views.append(
            VoteView(
                prize_key=r["prize_key"],
                label=r["label"],
                opens_at=r["opens_at"],
                closes_at=r["closes_at"],
                allow_own_organisation=r["allow_own_organisation"],
                tie_break=r["tie_break"],
                draw_seed=r["draw_seed"],
                electorate=len(electorate),
                voted=len(cast),
                voters=voters,
                count=from_json(r["count"]),
                counted_at=r["counted_at"],
                ballots=[Ballot(b[1], b[2], b[3], b[4]) for b in cast.values()] if with_ballots else None,
            )
        )
    return views


async def voter_ballots(conn: Conn, forum_id: UUID, voter_id: str, voter_organisation: str) -> list[VoterBallot]:
    """The votes ``voter_id`` may cast in the forum, with the candidates and their own ballot once cast."""
    rows = await conn.fetch(
        "SELECT v.prize_key, p.label, p.category, v.opens_at, v.closes_at, v.allow_own_organisation,"
        " b.project_id, b.cast_at FROM read.forum_votes v"
        " JOIN read.forum_prizes p ON p.forum_id = v.forum_id AND p.key = v.prize_key"
        " LEFT JOIN read.forum_ballots b ON b.forum_id = v.forum_id AND b.prize_key = v.prize_key"
        " AND b.voter_id = $2"
        " WHERE v.forum_id = $1 AND v.electorate @> $3::jsonb ORDER BY p.position",
        forum_id,
        voter_id,
        to_json([{"person_id": voter_id}]),
    )
    candidates = await conn.fetch(
        "SELECT n.project_id, n.title, n.project_organisation, coalesce(o.name, n.project_organisation), n.category"
        " FROM read.forum_nominations n LEFT JOIN read.organisations o ON o.slug = n.project_organisation"
        " WHERE n.forum_id = $1 AND n.withdrawn_at IS NULL ORDER BY n.sequence",
        forum_id,
    )
    return [
        VoterBallot(
            prize_key=r["prize_key"],
            label=r["label"],
            opens_at=r["opens_at"],
            closes_at=r["closes_at"],
            allow_own_organisation=r["allow_own_organisation"],
            candidates=[
                Candidate(c[0], c[1], c[2], c[3], c[4], c[2] == voter_organisation)
                for c in candidates
                if r["category"] is None or c[4] == r["category"]
            ],
            voted_for=r["project_id"],
            cast_at=r["cast_at"],
        )
        for r in rows
    ]
