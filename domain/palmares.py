"""Prizes and the palmarès: what an edition awards, to whom, and how the proclaimed list is assembled.

``assemble_palmares`` is the one statement of the palmarès' order: the aggregate proclaims what it returns
(``Forum.draft_palmares``, then ``Forum.PalmaresPublished``), and the read side assembles the draft the jury and the
host read before the ceremony with it (``projections.palmares.draft_palmares``).
"""

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from uuid import UUID

import msgspec

from domain.errors import Conflict, Invalid, NotFound
from domain.nominations import ProjectSnapshot


class PrizeKind(StrEnum):
    MAIN = "main"  # decided by the jury, checked against the ranking
    CATEGORY = "category"  # the same, among the projects of one category
    SPECIAL = "special"  # decided by the jury freely (coup de cœur…)
    VOTE = "vote"  # decided by the count of a vote


PRIZE_KIND_LABELS = {  # how people name each kind, on every page and in the audit trail
    PrizeKind.MAIN: "Prix du jury",
    PrizeKind.CATEGORY: "Prix de catégorie",
    PrizeKind.SPECIAL: "Prix spécial du jury",
    PrizeKind.VOTE: "Prix décerné par un vote",
}


class Prize(msgspec.Struct, frozen=True):
    """A prize of the edition; ``amount_cents`` is per laureate, in euro cents.

    ``ranked`` prizes list their laureates first, second… in the order designated; the others
    list them by category, organisation and nomination order.
    """

    key: str
    label: str
    kind: str
    laureates: int = 1
    category: str | None = None
    amount_cents: int | None = None
    ranked: bool = False


class Award(msgspec.Struct, frozen=True):
    project_id: UUID
    amount_cents: int | None = None


class PalmaresEntry(msgspec.Struct, frozen=True):
    project_id: UUID
    organisation: str
    title: str
    summary: str
    category: str | None
    amount_cents: int | None = None
    rank: int | None = None
    votes: int | None = None


class PalmaresPrize(msgspec.Struct, frozen=True):
    key: str
    label: str
    kind: str
    category: str | None
    laureates: tuple[PalmaresEntry, ...]


class Palmares(msgspec.Struct, frozen=True):
    """What is proclaimed: every prize with its laureates, then every finalist (all projects nominated)."""

    title: str
    host: str
    kind: str
    prizes: tuple[PalmaresPrize, ...]
    finalists: tuple[PalmaresEntry, ...]

    def prize(self, key: str) -> PalmaresPrize:
        return next(p for p in self.prizes if p.key == key)


class Nominee(msgspec.Struct, frozen=True):
    """A nominated project as the palmarès reads it: its snapshot, its place in the order of nomination, and
    whether it was withdrawn (a withdrawn project is no finalist)."""

    project: ProjectSnapshot
    sequence: int
    withdrawn: bool = False


def listing_key(nominee: Nominee, categories: Sequence[str]) -> tuple[int, str, int]:
    """Unranked lists read by category (declared order), then organisation, then nomination order."""
    category = nominee.project.category
    index = categories.index(category) if category in categories else len(categories)
    return (index, nominee.project.organisation, nominee.sequence)


def assemble_palmares(
    *,
    title: str,
    host: str,
    kind: str,
    categories: Sequence[str],
    nominees: Mapping[UUID, Nominee],
    prizes: Iterable[Prize],
    designated: Mapping[str, Sequence[Award]],
    voted: Mapping[str, Sequence[Award]],
    tallies: Mapping[str, Mapping[UUID, int]],
) -> Palmares:
    """The palmarès as these facts give it: every prize in the given order with its laureates, then the finalists.

    A vote prize's laureates are its count's awards (``voted``), each with its votes (``tallies``); another prize's
    are the jury's designation (``designated``). A ranked prize lists its laureates in the order awarded, ranked
    from 1; the others, and the finalists (every nominee not withdrawn), by ``listing_key``.
    """

    def entry(project_id: UUID) -> PalmaresEntry:
        p = nominees[project_id].project
        return PalmaresEntry(p.project_id, p.organisation, p.title, p.summary, p.category)

    def listing(project_id: UUID) -> tuple[int, str, int]:
        return listing_key(nominees[project_id], categories)

    assembled = []
    for prize in prizes:
        votes: Mapping[UUID, int] = {}
        if prize.kind == PrizeKind.VOTE:
            awards = tuple(voted.get(prize.key, ()))
            votes = tallies.get(prize.key, {})
        else:
            awards = tuple(designated.get(prize.key, ()))
        if not prize.ranked:
            awards = tuple(sorted(awards, key=lambda a: listing(a.project_id)))
        entries = tuple(
            msgspec.structs.replace(
                entry(award.project_id),
                amount_cents=award.amount_cents,
                rank=i if prize.ranked else None,
                votes=votes.get(award.project_id),
            )
            for i, award in enumerate(awards, start=1)
        )
        assembled.append(PalmaresPrize(prize.key, prize.label, prize.kind, prize.category, entries))
    active = sorted((n for n in nominees.values() if not n.withdrawn), key=lambda n: n.sequence)
    finalists = tuple(entry(n.project.project_id) for n in sorted(active, key=lambda n: listing_key(n, categories)))
    return Palmares(title, host, kind, tuple(assembled), finalists)


class UnknownPrize(NotFound, rule="unknown_prize"): ...


class PrizeAwarded(Conflict, rule="prize_awarded"): ...


class TooManyLaureates(Invalid, rule="too_many_laureates"): ...


class LaureatesMissing(Conflict, rule="laureates_missing"): ...


class BudgetExceeded(Conflict, rule="budget_exceeded"): ...


class PrizeDecidedByVote(Conflict, rule="prize_decided_by_vote"): ...


class PalmaresNotDeliberated(Conflict, rule="palmares_not_deliberated"): ...


class PalmaresAlreadyPublished(Conflict, rule="palmares_published"): ...
