"""The practices read model: French full-text search, filters, lineage across organisations, adoption reports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

import asyncpg

from forum.application import ForumApplication
from forum.database import Database
from projections import practices as views
from projections.practices import Practices
from tests import portfolio_builders as af
from tests.conftest import Clock, command_id
from tests.projections import builders
from tests.worlds.laureates import SHEET, given_project, organiser

T = TypeVar("T")


def read(db: Database, query: Callable[[asyncpg.Pool], Awaitable[T]], *, rebuild: str | None = None) -> T:
    """The practices read model alone, up to date (or one organisation's share rebuilt), read as the web reads."""
    return builders.read(db, query, projections=[Practices()], rebuild=("practices", rebuild) if rebuild else None)


def share(app: ForumApplication, organisation: str, **changes: Any) -> UUID:
    project_id = given_project(app, organisation, "Un projet", nominate_to=None)
    result = af.share_practice(
        app, organiser(organisation), command_id(), organisation=organisation, project_id=project_id,
        sheet={**SHEET, **changes},
    )  # fmt: skip
    return UUID(result["practice_id"])


def interest(app: ForumApplication, organisation: str, practice_id: UUID, publisher: str, **kw: Any) -> None:
    af.declare_interest(
        app, organiser(organisation), command_id(), organisation=organisation, practice_id=practice_id,
        practice_organisation=publisher, **kw,
    )  # fmt: skip


class Story:
    """Oise's canteen menus (adopted by Nord, then by Pas-de-Calais from Nord; Somme interested), Nord's
    carpooling, and a Somme draft nobody else may see."""

    def __init__(self, app: ForumApplication, clock: Clock) -> None:
        self.canteens = share(app, "oise")
        clock.advance(days=1)
        self.carpool = share(
            app,
            "nord",
            title="Covoiturage entre agents",
            problem="Les déplacements professionnels coûtent cher et polluent.",
            what_was_done="Une plateforme de covoiturage interne, des places réservées.",
            results="Un tiers des trajets partagés.",
            themes=["mobilité"],
            stage="termine",
        )
        draft_project = given_project(app, "somme", "Brouillon", nominate_to=None)
        self.draft = UUID(
            af.draft_practice(
                app, organiser("somme"), command_id(), organisation="somme", project_id=draft_project,
                title="Cantines en circuit court",
            )["practice_id"]
        )  # fmt: skip
        interest(app, "nord", self.canteens, "oise", adopt=True)
        interest(app, "pas-de-calais", self.canteens, "oise", adopted_from="nord", adopt=True)
        interest(app, "somme", self.canteens, "oise", note="Nos restaurants scolaires aussi")
        af.report_adoption(
            app, organiser("nord"), command_id(), organisation="nord", practice_id=self.canteens, outcome="reussie",
            text="Menus publiés dans 12 collèges", figures=[{"label": "collèges", "value": "12"}],
        )  # fmt: skip


def titles(found: list[views.PracticeSummary]) -> list[str]:
    return [p.title for p in found]


def test_french_search_ignores_inflections_and_accents(app: ForumApplication, db: Database, clock: Clock) -> None:
    Story(app, clock)

    def search(**kw: Any) -> list[str]:
        return titles(read(db, lambda pool: views.search_practices(pool, **kw)))

    # « cantine » finds the practice whose text says « cantines »
    assert search(q="cantine") == ["Menus des cantines partagés avec les familles"]
    # accents do not matter, either way
    assert search(q="mobilite") == ["Covoiturage entre agents"]
    assert search(q="déplacement") == ["Covoiturage entre agents"]
    assert search(q="GASPILLAGES") == ["Menus des cantines partagés avec les familles"]
    # several words must all be there; an unknown word finds nothing
    assert search(q="cantine covoiturage") == []
    assert search(q="hélicoptère") == []
    # a draft is never listed, even when it matches
    assert "Cantines en circuit court" not in search(q="cantines")
    # no query: every published practice, newest first
    assert search() == ["Covoiturage entre agents", "Menus des cantines partagés avec les familles"]


def test_filters_by_theme_organisation_and_stage(app: ForumApplication, db: Database, clock: Clock) -> None:
    Story(app, clock)

    def search(**kw: Any) -> list[str]:
        return titles(read(db, lambda pool: views.search_practices(pool, **kw)))

    assert search(theme="mobilité") == ["Covoiturage entre agents"]
    assert search(organisation="oise") == ["Menus des cantines partagés avec les familles"]
    assert search(stage="termine") == ["Covoiturage entre agents"]
    assert search(stage="termine", q="cantine") == []
    facets = read(db, views.facets)
    assert facets.themes == ["gaspillage alimentaire", "mobilité", "restauration scolaire"]
    assert [slug for slug, _ in facets.organisations] == ["nord", "oise"]
    assert facets.stages == [("acceleration", "Accélération"), ("termine", "Terminé")]


def test_the_lineage_shows_who_adopted_from_whom(app: ForumApplication, db: Database, clock: Clock) -> None:
    story = Story(app, clock)
    detail = read(db, lambda pool: views.get_practice(pool, story.canteens))
    assert detail is not None
    nodes = [(n.organisation, n.parent, n.depth, n.status) for n in detail.lineage.nodes]
    assert nodes == [
        ("oise", None, 0, "published"),
        ("nord", "oise", 1, "adopted"),
        ("pas-de-calais", "nord", 2, "adopted"),
        ("somme", "oise", 1, "interested"),
    ]
    assert [n.organisation for n in detail.lineage.children("oise")] == ["nord", "somme"]
    # the adopters' reports come with the sheet
    [report] = detail.reports
    assert (report.organisation, report.outcome_label, report.text) == (
        "nord",
        "Réussie",
        "Menus publiés dans 12 collèges",
    )
    assert [(f.label, str(f.value)) for f in report.figures] == [("collèges", "12")]
    assert [(f.label, str(f.value), f.unit) for f in detail.figures] == [("restes par repas", "-35", "%")]
    summary = next(p for p in read(db, views.search_practices) if p.practice_id == story.canteens)
    assert (summary.adopters, summary.interested) == (2, 1)


def test_a_draft_or_withdrawn_practice_is_its_organisations_alone(
    app: ForumApplication, db: Database, clock: Clock
) -> None:
    story = Story(app, clock)
    af.withdraw_practice(
        app, organiser("nord"), command_id(), organisation="nord", practice_id=story.carpool, reason="Obsolète"
    )
    assert read(db, lambda pool: views.get_practice(pool, story.draft)) is None
    assert read(db, lambda pool: views.get_practice(pool, story.draft, viewer_organisation="nord")) is None
    own = read(db, lambda pool: views.get_practice(pool, story.draft, viewer_organisation="somme"))
    assert own is not None and own.status == "draft"
    assert read(db, lambda pool: views.get_practice(pool, story.carpool)) is None
    assert titles(read(db, views.search_practices)) == ["Menus des cantines partagés avec les familles"]
    assert [p.status for p in read(db, lambda pool: views.organisation_practices(pool, "nord"))] == ["withdrawn"]
    assert read(db, lambda pool: views.practice_publisher(pool, story.draft)) is None
    assert read(db, lambda pool: views.practice_publisher(pool, story.canteens)) == "oise"
    adopted = read(db, lambda pool: views.organisation_adoptions(pool, "pas-de-calais"))
    assert [(a.practice_title, a.adopted_from, a.status) for a in adopted] == [
        ("Menus des cantines partagés avec les familles", "nord", "adopted")
    ]


def test_an_amended_sheet_is_searched_by_its_new_words(app: ForumApplication, db: Database, clock: Clock) -> None:
    story = Story(app, clock)
    af.amend_practice(
        app, organiser("oise"), command_id(), organisation="oise", practice_id=story.canteens,
        sheet={**SHEET, "results": "Les familles réservent désormais par téléphone."},
    )  # fmt: skip
    assert titles(read(db, lambda pool: views.search_practices(pool, q="telephone"))) == [
        "Menus des cantines partagés avec les familles"
    ]


def test_rebuilding_one_organisations_share_gives_the_same_rows(
    app: ForumApplication, db: Database, clock: Clock
) -> None:
    Story(app, clock)

    async def rows(pool: asyncpg.Pool) -> dict[str, list[Any]]:
        return {t: sorted(map(str, await pool.fetch(f"SELECT * FROM {t}"))) for t in Practices.tables}

    before = read(db, rows)
    assert all(before.values())
    for organisation in ("oise", "nord"):
        assert read(db, rows, rebuild=organisation) == before
