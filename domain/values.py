"""Values shared by every aggregate: who acted and when, slugs, roles, checks on inputs."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

import msgspec

from domain.errors import Invalid

PARIS = ZoneInfo("Europe/Paris")  # the time zone of the facts: days and hours are read there


class Meta(msgspec.Struct, frozen=True):
    """Who did it, in which role, for which organisation's store, when, and under which command.

    Every event carries one. ``organisation`` is the store the event lives in;
    ``actor_organisation`` is where the acting person belongs (a Nord juror
    scoring in a forum hosted by Somme acts in Somme's store).
    """

    actor: str
    role: str
    organisation: str
    actor_organisation: str
    at: datetime
    command_id: str
    correlation_id: str


class Role(StrEnum):
    """Roles a person may hold: within their organisation, or within one forum."""

    ADMIN = "admin"  # platform administrator
    ORGANISER = "organiser"
    AGENT = "agent"
    AUDITOR = "auditor"
    # forum-scoped roles, granted by a forum's host
    HOST = "host"
    JUROR = "juror"
    COACH = "coach"
    VOTER = "voter"
    FORUM_AUDITOR = "forum_auditor"
    SYSTEM = "system"


ORGANISATION_ROLES = (Role.ORGANISER, Role.AGENT, Role.AUDITOR)
FORUM_ROLES = (Role.HOST, Role.JUROR, Role.COACH, Role.VOTER, Role.FORUM_AUDITOR)

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def is_slug(value: str) -> bool:
    """Whether ``value`` can name an organisation (``check_slug``'s rule, as a test)."""
    return 2 <= len(value) <= 63 and _SLUG.match(value) is not None


def check_slug(slug: str, field: str = "slug") -> str:
    """Lowercase ASCII letters, digits and hyphens, 2 to 63 characters, no hyphen at either end."""
    if not 2 <= len(slug) <= 63:
        raise Invalid(
            f"L'identifiant « {slug} » doit compter de 2 à 63 caractères (il en a {len(slug)}).",
            field=field,
            rule="slug_length",
        )
    if not _SLUG.match(slug):
        raise Invalid(
            f"L'identifiant « {slug} » ne peut contenir que des lettres minuscules sans accent, "
            "des chiffres et des tirets, sans tiret au début ni à la fin.",
            field=field,
            rule="slug_format",
        )
    return slug


# What PostgreSQL cannot store in text or jsonb (NUL), and what has no business in a person's text: the other C0
# control characters (tab, line feed and carriage return are text), and lone surrogates (JSON's "\ud800" decodes to
# one, and no UTF-8 encoder can write it).
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def check_storable_text(value: str, field: str) -> str:
    """Refuse a text holding a character that cannot be stored or shown: NUL, other control characters, surrogates."""
    found = _UNSTORABLE.search(value)
    if found is not None:
        raise Invalid(
            f"Le champ « {field} » contient un caractère invisible interdit (U+{ord(found.group()):04X}) : "
            "retirez-le et réessayez.",
            field=field,
            rule="text_not_storable",
        )
    return value


def make_storable(value: str) -> str:
    """The text with each character ``check_storable_text`` refuses replaced by U+FFFD, for what is kept as received
    rather than refused (a browser's user agent, a client's address)."""
    return _UNSTORABLE.sub("\ufffd", value)


_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2200
_Moment = TypeVar("_Moment", bound=date)


def check_moment(value: _Moment, field: str) -> _Moment:
    """A date or time within the years the service can reckon with (1900 to 2200): no year 1 nor 9999."""
    if not _EARLIEST_YEAR <= value.year <= _LATEST_YEAR:
        raise Invalid(
            f"Le champ « {field} » doit être une date entre {_EARLIEST_YEAR} et {_LATEST_YEAR} (année {value.year}).",
            field=field,
            rule="date_out_of_range",
        )
    return value


DAY_SECONDS = 24 * 3600
LARGEST_NUMBER = 2**53 - 1  # the largest integer every JSON reader (and a PostgreSQL bigint) holds exactly


def check_bounded(value: int, field: str, low: int, high: int) -> int:
    """An integer between ``low`` and ``high`` inclusive."""
    if not low <= value <= high:
        raise Invalid(
            f"Le champ « {field} » doit être compris entre {low} et {high} ({value}).",
            field=field,
            rule="out_of_range",
        )
    return value


def check_storable(value: object, field: str) -> None:
    """Check every text, date and integer inside ``value`` (sequences, mappings, structs and dataclasses included),
    naming the path of the first bad one (``questions[1].label``)."""
    if isinstance(value, str):
        check_storable_text(value, field)
    elif isinstance(value, int) and not isinstance(value, bool):
        if not -LARGEST_NUMBER <= value <= LARGEST_NUMBER:
            check_bounded(value, field, -LARGEST_NUMBER, LARGEST_NUMBER)
    elif isinstance(value, date):
        check_moment(value, field)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            check_storable(item, f"{field}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_storable(key, field)
            check_storable(item, f"{field}.{key}" if isinstance(key, str) else f"{field}[{key!r}]")
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            check_storable(getattr(value, name), f"{field}.{name}" if field else name)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            check_storable(getattr(value, item.name), f"{field}.{item.name}" if field else item.name)


def check_text(value: str, field: str, *, max_length: int, required: bool = True) -> str:
    """Trim a free text and check it is storable, present (if required) and not too long."""
    value = check_storable_text(value, field).strip()
    if required and not value:
        raise Invalid(f"Le champ « {field} » est obligatoire.", field=field, rule="required")
    if len(value) > max_length:
        raise Invalid(
            f"Le champ « {field} » dépasse {max_length} caractères ({len(value)}).",
            field=field,
            rule="too_long",
        )
    return value


def check_choice(value: str, field: str, choices: tuple[str, ...] | list[str]) -> str:
    if value not in choices:
        raise Invalid(
            f"Valeur inconnue pour « {field} » : « {value} ». Valeurs possibles : {', '.join(choices)}.",
            field=field,
            rule="unknown_value",
        )
    return value


def format_euros(cents: int) -> str:
    """Cents as people read an amount: « 1\u202f500\u00a0€ », « 1\u202f500,50\u00a0€ » (a narrow no-break space
    groups thousands, a no-break space keeps the sign beside its number)."""
    whole, rest = divmod(abs(cents), 100)
    text = f"{whole:,}".replace(",", "\u202f") + (f",{rest:02d}" if rest else "")
    return f"{'-' if cents < 0 else ''}{text}\u00a0€"


_EUROS = re.compile(r"^(-?)([0-9]+)(?:\.([0-9]*))?$")


def parse_euros(text: str, field: str, *, default: int | None = None) -> int:
    """An amount typed in euros (« 1 500 », « 1500,50 », « 12 € ») as cents; blank is ``default`` (else refused).

    Refused with ``Invalid`` naming ``field``: words, infinities, NaN and exponents (``1e400``), a negative amount,
    more than two decimals, more cents than an integer every JSON reader holds exactly."""
    typed = re.sub(r"[\s\u00a0\u202f€]", "", text or "").replace(",", ".")
    if not typed:
        if default is not None:
            return default
        raise Invalid("Indiquez un montant en euros.", field=field, rule="required")
    match = _EUROS.match(typed)
    if match is None:
        raise Invalid("Indiquez un montant en euros (par exemple 1500 ou 1500,50).", field=field, rule="invalid_amount")
    sign, units, decimals = match.groups()
    if sign:
        raise Invalid("Un montant ne peut être négatif.", field=field, rule="negative_amount")
    if decimals and len(decimals) > 2:
        raise Invalid("Un montant s'exprime au centime près (deux décimales).", field=field, rule="too_precise")
    if len(units.lstrip("0")) > 16:
        raise Invalid("Ce montant est trop grand.", field=field, rule="out_of_range")
    cents = int(units) * 100 + int((decimals or "").ljust(2, "0"))
    if cents > LARGEST_NUMBER:
        raise Invalid("Ce montant est trop grand.", field=field, rule="out_of_range")
    return cents
