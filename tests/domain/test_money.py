"""One money parser: an amount typed in euros becomes cents, or is refused naming its field."""

from __future__ import annotations

import pytest

from domain.errors import Invalid
from domain.values import LARGEST_NUMBER, parse_euros


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("1500", 150_000), ("1 500,50", 150_050), ("1\u202f500,5 €", 150_050), ("0.07", 7), ("0", 0), ("12.", 1200)],
)
def test_an_amount_in_euros_becomes_cents(typed: str, cents: int) -> None:
    assert parse_euros(typed, "budget_cents") == cents


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("1e400", "invalid_amount"),
        ("inf", "invalid_amount"),
        ("NaN", "invalid_amount"),
        ("deux cents", "invalid_amount"),
        ("-5", "negative_amount"),
        ("1,234", "too_precise"),
        ("9" * 30, "out_of_range"),
        (str(LARGEST_NUMBER), "out_of_range"),
        ("", "required"),
    ],
)
def test_what_is_not_an_amount_is_refused_naming_the_field(typed: str, rule: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_euros(typed, "budget_cents")
    assert (refused.value.field, refused.value.rule) == ("budget_cents", rule)


def test_a_blank_amount_may_default() -> None:
    assert parse_euros("  ", "budget_cents", default=0) == 0
