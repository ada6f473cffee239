"""How the facts read in French (fr_FR, Babel): days, moments and hours in Paris, numbers, amounts, plurals.

Written once, for the domain's refusals, the application's sentences, the read models' labels and the pages
(``web.formatting`` registers these functions as the templates' globals). Open data keeps its own numeric forms.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal

from domain.values import PARIS, format_euros

LOCALE = Locale.parse("fr_FR")

__all__ = ["LOCALE", "PARIS", "day", "moment", "money", "number", "plural", "time_of_day"]


def day(value: date | datetime | None, *, long: bool = False) -> str:
    """« 28/11/2019 », or written out (``long``): « 28 novembre 2019 », « 1er décembre 2019 »; a moment's day
    is its day in Paris."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(PARIS).date()
    if not long:
        return format_date(value, "dd/MM/y", locale=LOCALE)
    written = format_date(value, "d MMMM y", locale=LOCALE)
    return "1er" + written[1:] if value.day == 1 else written


def moment(value: datetime | None, *, seconds: bool = False) -> str:
    """« 28/11/2019 à 16:30 » (« 16:30:05 » with ``seconds``), in Paris."""
    if value is None:
        return ""
    pattern = "dd/MM/y 'à' HH:mm:ss" if seconds else "dd/MM/y 'à' HH:mm"
    return format_datetime(value, pattern, tzinfo=PARIS, locale=LOCALE)


def time_of_day(value: datetime | None) -> str:
    """« 09:00 », in Paris."""
    if value is None:
        return ""
    return format_time(value, "HH:mm", tzinfo=PARIS, locale=LOCALE)


def number(value: int | float | Decimal | None, decimals: int | None = None) -> str:
    """« 1 234 », « 2,5 », « 12,345 » (``decimals`` fixes how many digits follow the comma)."""
    if value is None:
        return ""
    if decimals is None:
        return format_decimal(value, format="#,##0.###", locale=LOCALE)
    return format_decimal(value, format="#,##0." + "0" * decimals if decimals else "#,##0", locale=LOCALE)


def money(cents: int | None) -> str:
    """« 1 500 € », « 1 500,50 € » (``domain.values.format_euros``); nothing for no amount."""
    return "" if cents is None else format_euros(cents)


def plural(count: int, one: str, many: str | None = None) -> str:
    """« 1 projet », « 0 projet », « 3 projets » (French counts 0 and 1 in the singular)."""
    word = one if LOCALE.plural_form(count) == "one" else (many or one + "s")
    return f"{number(count)} {word}"
