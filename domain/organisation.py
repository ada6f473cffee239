"""The organisation: the tenant whose store holds its own events."""

from enum import StrEnum
from typing import cast
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import Aggregate
from domain.errors import Conflict
from domain.values import Meta, check_choice, check_slug, check_text


class Kind(StrEnum):
    DEPARTEMENT = "departement"
    ACADEMIE = "academie"
    MINISTERE = "ministere"
    PARTENAIRE = "partenaire"
    AUTRE = "autre"


KIND_LABELS = {
    Kind.DEPARTEMENT: "Département",
    Kind.ACADEMIE: "Académie",
    Kind.MINISTERE: "Ministère",
    Kind.PARTENAIRE: "Partenaire",
    Kind.AUTRE: "Autre",
}


class Organisation(Aggregate):
    """A département, an académie, a ministry, a partner.

    Invariants: the slug is well-formed and unique (the id derives from it, so a
    second registration of the same slug collides in the store); the name is
    1 to 200 characters; the kind is one of ``Kind``.
    """

    @staticmethod
    def id_for(slug: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"forum:organisation:{slug}")

    @classmethod
    def register(cls, *, slug: str, name: str, kind: str, meta: Meta) -> "Organisation":
        check_slug(slug)
        name = check_text(name, "name", max_length=200)
        check_choice(kind, "kind", [k.value for k in Kind])
        created = cls._create(cls.Registered, id=cls.id_for(slug), slug=slug, name=name, kind=kind, meta=meta)
        return cast(Organisation, created)

    class Registered(Aggregate.Created):
        slug: str
        name: str
        kind: str
        meta: Meta

    def __init__(self, *, slug: str, name: str, kind: str, meta: Meta) -> None:
        self.slug = slug
        self.name = name
        self.kind = kind
        self.registered_at = meta.at

    def rename(self, *, name: str, meta: Meta) -> None:
        name = check_text(name, "name", max_length=200)
        if name == self.name:
            raise Conflict(f"L'organisation s'appelle déjà « {name} ».", field="name", rule="same_name")
        self._renamed(name=name, meta=meta)

    class Renamed(Aggregate.Event):
        name: str
        meta: Meta

    @event(Renamed)
    def _renamed(self, name: str, meta: Meta) -> None:
        self.name = name
