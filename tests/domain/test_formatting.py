"""French forms stated once: days, moments, hours, numbers, amounts and plurals (domain.formatting), the time zone
of the facts (domain.values.PARIS) and one label table per enum of the domain's vocabulary."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from domain import formatting
from domain.forum import FORUM_KIND_LABELS, ForumKind
from domain.jury import NORMALISATION_LABELS, TIE_BREAK_LABELS, Normalisation, TieBreak
from domain.palmares import PRIZE_KIND_LABELS, PrizeKind
from domain.values import format_euros, parse_euros

ROOT = Path(__file__).resolve().parents[2]
NNBSP, NBSP = "\u202f", "\u00a0"


def test_amounts_read_in_french_with_a_narrow_no_break_space_between_thousands() -> None:
    assert format_euros(150_050) == f"1{NNBSP}500,50{NBSP}€"
    assert format_euros(500_000) == f"5{NNBSP}000{NBSP}€"
    assert format_euros(7) == f"0,07{NBSP}€"
    assert format_euros(123_456_789_00) == f"123{NNBSP}456{NNBSP}789{NBSP}€"
    assert formatting.money(None) == ""


@pytest.mark.parametrize("cents", [0, 7, 150_050, 500_000, 123_456_789_01])
def test_an_amount_written_reads_back_as_the_same_cents(cents: int) -> None:
    assert parse_euros(format_euros(cents), "amount") == cents


def test_days_moments_and_hours_are_read_in_paris_whatever_the_zone_of_the_moment() -> None:
    late = datetime(2019, 11, 30, 23, 30, 5, tzinfo=UTC)  # already 1 December in Paris
    assert formatting.day(late) == "01/12/2019"
    assert formatting.day(late, long=True) == "1er décembre 2019"
    assert formatting.day(date(2019, 11, 28), long=True) == "28 novembre 2019"
    assert formatting.moment(late) == "01/12/2019 à 00:30"
    assert formatting.moment(late, seconds=True) == "01/12/2019 à 00:30:05"
    assert formatting.time_of_day(datetime(2019, 6, 1, 7, 0, tzinfo=UTC)) == "09:00"  # summer time
    assert formatting.day(None) == formatting.moment(None) == formatting.time_of_day(None) == ""


def test_numbers_and_plurals_follow_french_rules() -> None:
    assert formatting.number(1_234_567) == f"1{NNBSP}234{NNBSP}567"
    assert formatting.number(Decimal("4.50")) == "4,5"
    assert formatting.number(12.3456, 3) == "12,346"
    assert formatting.plural(0, "votant") == "0 votant"  # French counts zero in the singular
    assert formatting.plural(1, "projet retenu", "projets retenus") == "1 projet retenu"
    assert formatting.plural(1500, "vote") == f"1{NNBSP}500 votes"


@pytest.mark.parametrize(
    ("enum", "labels"),
    [
        (ForumKind, FORUM_KIND_LABELS),
        (PrizeKind, PRIZE_KIND_LABELS),
        (Normalisation, NORMALISATION_LABELS),
        (TieBreak, TIE_BREAK_LABELS),
    ],
)
def test_every_value_of_an_enum_has_its_one_label(enum: type, labels: dict[object, str]) -> None:
    assert set(labels) == set(enum)  # type: ignore[call-overload]
    assert all(labels.get(member.value) for member in enum)  # type: ignore[attr-defined]  # codes read back as strings


def _sources() -> list[Path]:
    return [p for folder in ("domain", "forum", "projections", "web") for p in (ROOT / folder).rglob("*.py")]


def test_the_time_zone_of_the_facts_is_defined_once() -> None:
    defined = [p for p in _sources() if re.search(r'ZoneInfo\(\s*["\']Europe/Paris["\']', p.read_text())]
    assert [p.relative_to(ROOT).as_posix() for p in defined] == ["domain/values.py"]


def test_no_module_writes_days_amounts_or_moments_by_hand() -> None:
    by_hand = re.compile(r'(strftime\(\s*"|:)%d/%m/%Y|def (euros|fr_day|paris_time|french_date)\(|:,\}"\.replace')
    offenders = [p.relative_to(ROOT).as_posix() for p in _sources() if by_hand.search(p.read_text())]
    assert offenders == ["domain/values.py"]  # format_euros, the one formatter of amounts
