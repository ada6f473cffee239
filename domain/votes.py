"""Votes: who votes for a prize decided by vote (one ballot each), the count, and the refusals of a ballot.

The count's arithmetic (``count_ballots``, ``VoteCount``) is the jury's, in ``domain.jury``, re-exported here.
"""

import msgspec

from domain.errors import Conflict, Forbidden
from domain.jury import VoteCount, VoteTally, count_ballots

__all__ = [
    "AlreadyVoted",
    "NotInElectorate",
    "OwnOrganisationVote",
    "TieUnresolved",
    "VoteClosed",
    "VoteCount",
    "VoteNotCounted",
    "VoteNotOpen",
    "VoteNotOrganised",
    "VoteStarted",
    "VoteStillOpen",
    "VoteTally",
    "Voter",
    "count_ballots",
]


class Voter(msgspec.Struct, frozen=True):
    person_id: str
    organisation: str


class VoteNotOrganised(Conflict, rule="vote_not_organised"): ...


class VoteStarted(Conflict, rule="vote_started"): ...


class NotInElectorate(Forbidden, rule="not_in_electorate"): ...


class AlreadyVoted(Conflict, rule="already_voted"): ...


class VoteNotOpen(Conflict, rule="vote_not_open"): ...


class VoteClosed(Conflict, rule="vote_closed"): ...


class VoteStillOpen(Conflict, rule="vote_still_open"): ...


class OwnOrganisationVote(Conflict, rule="own_organisation_vote"): ...


class TieUnresolved(Conflict, rule="tie_unresolved"): ...


class VoteNotCounted(Conflict, rule="vote_not_counted"): ...
