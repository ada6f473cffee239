"""What the templates write with, registered once as Jinja globals: ``domain.formatting`` (days, moments, hours,
numbers, amounts, plurals in French) and the values form fields hold (a day, a moment, an amount as typed)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar.plugins.jinja import JinjaTemplateEngine

from domain.formatting import day, moment, money, number, plural, time_of_day
from domain.values import PARIS


def days(starts_on: date, ends_on: date) -> str:
    """« le 28 novembre 2019 », « du 6 mars 2019 au 3 mai 2019 »."""
    if starts_on == ends_on:
        return f"le {day(starts_on, long=True)}"
    return f"du {day(starts_on, long=True)} au {day(ends_on, long=True)}"


def day_input(value: date | datetime | None) -> str:
    """A day as a date field holds it (« 2019-11-28 »; a moment's day in Paris)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(PARIS).date()
    return value.isoformat()


def moment_input(value: datetime | None) -> str:
    """A moment as a ``datetime-local`` field holds it, in Paris (« 2019-11-28T16:30 »)."""
    return value.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M") if value else ""


def money_input(cents: int | None) -> str:
    """An amount as typed in a form, without grouping (« 1500 », « 1500,50 »), which ``parse_euros`` reads back."""
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}" if cents % 100 else str(cents // 100)


def duration(seconds: int | None) -> str:
    """« 3 min 05 s », « 45 s », « 2 min »."""
    if seconds is None:
        return ""
    minutes, rest = divmod(int(seconds), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"


GLOBALS: dict[str, Any] = {
    "day": day,
    "days": days,
    "moment": moment,
    "time_of_day": time_of_day,
    "number": number,
    "money": money,
    "plural": plural,
    "day_input": day_input,
    "moment_input": moment_input,
    "money_input": money_input,
    "duration": duration,
}


def register(engine: JinjaTemplateEngine) -> None:
    """Give every template these functions, as globals (macros imported without context see them too)."""
    engine.engine.globals.update(GLOBALS)
