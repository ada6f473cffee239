"""The jury's arithmetic: weighted scores, normalisation, quorum, declared tie-breaks, vote counts."""

import hashlib
from decimal import Decimal
from fractions import Fraction
from uuid import UUID, uuid5

import pytest

from domain.errors import Invalid
from domain.jury import (
    Criterion,
    JuryRules,
    ScoreSheet,
    TieDecision,
    check_rules,
    count_ballots,
    draw_key,
    rank,
    weighted_score,
    z_scores,
)

NS = UUID("6f0f3c5e-0000-4000-8000-000000000000")
A, B, C, D = (uuid5(NS, name) for name in "ABCD")
TWO = (Criterion("usagers", "Utilité pour les usagers", 3), Criterion("pitch", "Clarté du pitch", 1))


def rules(**overrides: object) -> JuryRules:
    base: dict[str, object] = {"criteria": TWO, "scale_min": 1, "scale_max": 5}
    base.update(overrides)
    return JuryRules(**base)  # type: ignore[arg-type]


def sheet(juror: str, project: UUID, usagers: int, pitch: int, version: int = 1) -> ScoreSheet:
    return ScoreSheet(juror, project, {"usagers": usagers, "pitch": pitch}, version)


def ranks(ranking_rows: object) -> dict[UUID, int | None]:
    return {row.project_id: row.rank for row in ranking_rows}  # type: ignore[attr-defined]


def test_a_weighted_score_is_the_exact_weighted_mean_of_the_criteria() -> None:
    assert weighted_score({"usagers": 4, "pitch": 2}, TWO) == Fraction(3 * 4 + 1 * 2, 4)


def test_the_ranking_orders_projects_by_the_mean_of_their_jurors_weighted_scores() -> None:
    sheets = [sheet("j1", A, 5, 5), sheet("j2", A, 4, 4), sheet("j1", B, 3, 5), sheet("j2", B, 4, 1)]
    ranking = rank(rules(), 1, sheets, [A, B])
    assert [r.project_id for r in ranking.rows] == [A, B]
    assert ranking.row(A).mean == Decimal("4.500000")  # type: ignore[union-attr]
    assert ranking.row(B).mean == Decimal("3.375000")  # type: ignore[union-attr]
    # each juror's weighted score is in the table, so anyone can recompute the mean
    assert [(j.juror_id, j.weighted) for j in ranking.row(B).jurors] == [  # type: ignore[union-attr]
        ("j1", Decimal("3.500000")),
        ("j2", Decimal("3.250000")),
    ]


def test_z_score_normalisation_makes_a_harsh_juror_count_as_much_as_a_lenient_one() -> None:
    # a harsh juror scored A and B, a lenient one C and D
    sheets = [sheet("harsh", A, 2, 2), sheet("harsh", B, 1, 1), sheet("lenient", C, 5, 5), sheet("lenient", D, 4, 4)]
    raw = rank(rules(), 1, sheets, [A, B, C, D])
    assert ranks(raw.rows) == {C: 1, D: 2, A: 3, B: 4}
    # normalised, each juror's favourite stands equal: A and C share first place, B and D third
    normalised = rank(rules(normalisation="z_score"), 1, sheets, [A, B, C, D])
    assert ranks(normalised.rows) == {A: 1, C: 1, B: 3, D: 3}
    assert normalised.row(A).jurors[0].normalised == Decimal("1.000000")  # type: ignore[union-attr]


def test_a_juror_who_gives_everyone_the_same_score_contributes_zero_after_normalisation() -> None:
    assert z_scores({A: Fraction(3), B: Fraction(3)}) == {A: Decimal(0), B: Decimal(0)}


def test_a_project_scored_by_fewer_jurors_than_the_quorum_gets_no_rank() -> None:
    sheets = [sheet("j1", A, 1, 1), sheet("j2", A, 1, 1), sheet("j1", B, 5, 5)]
    ranking = rank(rules(quorum=2), 1, sheets, [A, B, C])
    assert ranks(ranking.rows) == {A: 1, B: None, C: None}
    assert [r.project_id for r in ranking.rows] == [A, B, C]  # unranked below, the scored one first
    assert ranking.row(B).scored_by == 1  # type: ignore[union-attr]


def test_ties_with_no_declared_rule_share_their_rank_and_the_next_rank_is_skipped() -> None:
    sheets = [sheet("j1", A, 4, 4), sheet("j1", B, 4, 4), sheet("j1", C, 2, 2)]
    ranking = rank(rules(), 1, sheets, [A, B, C])
    assert ranks(ranking.rows) == {A: 1, B: 1, C: 3}
    assert ranking.unresolved_ties() == ((A, B),) or ranking.unresolved_ties() == ((B, A),)
    assert ranking.top(1) == ((), tuple(r.project_id for r in ranking.rows[:2]))
    assert ranking.top(2)[0] in {(A, B), (B, A)}


def test_the_criteria_rule_prefers_the_higher_mean_on_the_most_weighted_criterion() -> None:
    # same weighted mean (3×4+1×1 = 3×3+1×4 = 13), A better on usagers (weight 3)
    sheets = [sheet("j1", A, 4, 1), sheet("j1", B, 3, 4)]
    ranking = rank(rules(tie_break=("criteria",)), 1, sheets, [B, A])
    assert ranks(ranking.rows) == {A: 1, B: 2}
    assert not any(r.tied for r in ranking.rows)


def test_the_draw_rule_follows_the_sha256_of_the_published_seed_and_the_project_id() -> None:
    sheets = [sheet("j1", p, 3, 3) for p in (A, B, C, D)]
    ranking = rank(rules(tie_break=("draw",), draw_seed="graine-2019"), 1, sheets, [A, B, C, D])
    expected = sorted([A, B, C, D], key=lambda p: hashlib.sha256(f"graine-2019:{p}".encode()).hexdigest())
    assert [r.project_id for r in ranking.rows] == expected
    assert [r.rank for r in ranking.rows] == [1, 2, 3, 4]
    assert draw_key("graine-2019", A) == hashlib.sha256(f"graine-2019:{A}".encode()).hexdigest()
    # the same seed always gives the same order
    again = rank(rules(tie_break=("draw",), draw_seed="graine-2019"), 1, list(reversed(sheets)), [D, C, B, A])
    assert [r.project_id for r in again.rows] == expected


def test_tie_break_rules_apply_in_their_declared_order() -> None:
    # A and B tie on every criterion, C is separated from them by usagers
    sheets = [sheet("j1", A, 4, 1), sheet("j1", B, 4, 1), sheet("j1", C, 3, 4)]
    ranking = rank(rules(tie_break=("criteria", "draw"), draw_seed="s"), 1, sheets, [A, B, C])
    first_two = sorted([A, B], key=lambda p: draw_key("s", p))
    assert [r.project_id for r in ranking.rows] == [*first_two, C]


def test_a_jury_vote_decision_orders_the_tied_projects_it_covers() -> None:
    sheets = [sheet("j1", A, 3, 3), sheet("j1", B, 3, 3)]
    undecided = rank(rules(tie_break=("jury_vote",)), 1, sheets, [A, B])
    assert ranks(undecided.rows) == {A: 1, B: 1}
    decided = rank(rules(tie_break=("jury_vote",)), 1, sheets, [A, B], [TieDecision((B, A), "vote à main levée")])
    assert ranks(decided.rows) == {B: 1, A: 2}
    assert decided.tie_decisions[0].rationale == "vote à main levée"


def test_means_are_compared_and_recorded_at_the_declared_precision() -> None:
    # A: 10/3 = 3.333…, B: 13/4 = 3.25
    criteria = (Criterion("note", "Note", 1),)
    sheets = [ScoreSheet(j, A, {"note": v}, 1) for j, v in (("a", 3), ("b", 3), ("c", 4))]
    sheets += [ScoreSheet(j, B, {"note": v}, 1) for j, v in (("a", 3), ("b", 3), ("c", 3), ("d", 4))]
    two_places = rank(JuryRules(criteria, 1, 5, precision=2), 1, sheets, [A, B])
    assert ranks(two_places.rows) == {A: 1, B: 2}
    assert two_places.row(A).mean == Decimal("3.33")  # type: ignore[union-attr]
    # rounded to units both are 3: a tie, by the declared rule
    units = rank(JuryRules(criteria, 1, 5, precision=0), 1, sheets, [A, B])
    assert ranks(units.rows) == {A: 1, B: 1}


def test_a_sheet_that_no_longer_fits_amended_rules_is_set_aside_with_the_reason() -> None:
    three = (*TWO, Criterion("faisabilite", "Faisabilité", 2))
    sheets = [sheet("j1", A, 4, 4, version=1), ScoreSheet("j2", A, {"usagers": 3, "pitch": 3, "faisabilite": 3}, 2)]
    ranking = rank(JuryRules(three, 1, 5), 2, sheets, [A])
    assert ranking.row(A).scored_by == 1  # type: ignore[union-attr]
    [aside] = ranking.set_aside
    assert (aside.juror_id, aside.rules_version) == ("j1", 1)
    assert "faisabilite" in aside.reason


@pytest.mark.parametrize(
    ("bad", "field", "rule"),
    [
        ({"criteria": ()}, "criteria", "no_criteria"),
        ({"criteria": (Criterion("x", "X", 0),)}, "criteria", "criterion_weight"),
        ({"criteria": (Criterion("x", "X"), Criterion("x", "Y"))}, "criteria", "duplicate_criterion"),
        ({"criteria": (Criterion("Usagers", "U"),)}, "criteria", "key_format"),
        ({"scale_min": 5, "scale_max": 1}, "scale", "scale_order"),
        ({"quorum": 0}, "quorum", "quorum_positive"),
        ({"normalisation": "rank"}, "normalisation", "unknown_value"),
        ({"tie_break": ("age",)}, "tie_break", "unknown_value"),
        ({"tie_break": ("draw",)}, "draw_seed", "draw_seed_required"),
    ],
)
def test_rules_that_cannot_rank_are_refused_naming_the_field(bad: dict[str, object], field: str, rule: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_rules(rules(**bad))
    assert (refused.value.field, refused.value.rule) == (field, rule)


def test_a_vote_count_gives_the_seat_to_the_most_votes() -> None:
    count = count_ballots([A, A, B, A, C], [A, B, C, D], seats=1, electorate=6, tie_break="draw", draw_seed="s")
    assert count.laureates == (A,)
    assert [(t.project_id, t.votes) for t in count.tallies][:1] == [(A, 3)]
    assert {t.project_id: t.votes for t in count.tallies}[D] == 0
    assert (count.ballots, count.electorate) == (5, 6)


def test_a_tie_for_the_last_seat_is_drawn_from_the_published_seed() -> None:
    count = count_ballots([A, B], [A, B], seats=1, electorate=2, tie_break="draw", draw_seed="s")
    assert count.laureates == (min([A, B], key=lambda p: draw_key("s", p)),)
    assert count.unresolved == ()


def test_a_tie_for_the_last_seat_under_jury_vote_waits_for_the_jurys_order() -> None:
    undecided = count_ballots([A, B, C, C], [A, B, C], seats=2, electorate=4, tie_break="jury_vote")
    assert undecided.laureates == (C,)
    assert set(undecided.unresolved) == {A, B}
    decided = count_ballots(
        [A, B, C, C],
        [A, B, C],
        seats=2,
        electorate=4,
        tie_break="jury_vote",
        tie_decision=TieDecision((B, A), "le jury préfère B"),
    )
    assert decided.laureates == (C, B)


def test_a_project_without_a_vote_never_wins_a_seat() -> None:
    count = count_ballots([A], [A, B], seats=2, electorate=3, tie_break="draw", draw_seed="s")
    assert count.laureates == (A,)
