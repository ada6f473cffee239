"""The portfolio read model: given commands carried out by the application, then the board, the path and the funnel."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import asyncpg

from forum.application import ForumApplication
from forum.database import Database
from forum.entrypoints.demo.pre_incubation import load_pre_incubation
from projections import portfolio
from projections import practices as practice_views
from projections.convergence import convergences_for
from projections.portfolio import Portfolio
from projections.practices import Practices
from projections.projector import Projection
from tests import portfolio_builders as af
from tests.conftest import command_id
from tests.projections import builders
from tests.worlds.laureates import FORUM, FORUM_HOST, given_palmares, given_project, organiser, start

T = TypeVar("T")
DEMO = Path(__file__).parents[2] / "forum" / "demo_data"


def read(
    db: Database,
    query: Callable[[asyncpg.Pool], Awaitable[T]],
    *,
    rebuild: str | None = None,
    projections: list[Projection] | None = None,
) -> T:
    """Bring the portfolio up to date (or rebuild one organisation's share), then run ``query`` as a reader."""
    rebuilt = ("portfolio", rebuild) if rebuild else None
    return builders.read(db, query, projections=projections or [Portfolio()], rebuild=rebuilt)


class Story:
    """Oise's canteens (laureate, deployed), Somme's school restaurants (laureate, in prototypage, late),
    Nord's interlocutor (nominated, pitched, not a laureate), Val-d'Oise's toilets (absent on the day)."""

    def __init__(self, app: ForumApplication) -> None:
        self.oise = given_project(app, "oise", "Communication des cantines des collèges avec les familles")
        self.somme = given_project(app, "somme", "Transition de 48 cantines scolaires en restaurants scolaires")
        self.nord = given_project(app, "nord", "Trouver le bon interlocuteur dans le domaine social")
        self.vdo = given_project(app, "val-doise", "La qualité des sanitaires des collèges")
        self.nord_other = given_project(app, "nord", "Guichet unique des subventions", nominate_to=None)
        given_palmares(
            app,
            [
                (self.oise, "oise", "Cantines et familles"),
                (self.somme, "somme", "Restaurants scolaires"),
                (self.nord, "nord", "Le bon interlocuteur"),
                (self.vdo, "val-doise", "Sanitaires"),
            ],
            [self.oise, self.somme],
            absent=(self.vdo,),
        )
        oise, somme = organiser("oise"), organiser("somme")
        start(app, self.oise, "oise")
        start(app, self.somme, "somme", partner=None)
        o = {"organisation": "oise", "project_id": self.oise}
        s = {"organisation": "somme", "project_id": self.somme}
        af.add_milestone(app, oise, command_id(), **o, title="Menus en ligne", due=date(2020, 1, 15))
        af.complete_milestone(app, oise, command_id(), **o, number=1, completed_on=date(2020, 1, 10))
        af.change_stage(app, oise, command_id(), **o, stage="acceleration", reason="Menus en ligne partout")
        af.record_outcome(app, oise, command_id(), **o, outcome="deploye")
        af.add_milestone(app, somme, command_id(), **s, title="Réseau des chefs", due=date(2020, 1, 31))
        af.add_milestone(app, somme, command_id(), **s, title="Carte commune", due=date(2020, 2, 28))
        af.change_stage(app, somme, command_id(), **s, stage="prototypage", reason="Trois cantines pilotes")
        af.raise_vigilance(app, somme, command_id(), **s, text="Le porteur de projet part : il faut un successeur.")


def test_the_board_groups_projects_by_stage_and_flags_what_is_late(app: ForumApplication, db: Database) -> None:
    story = Story(app)
    # when Somme's organiser (also the forum's host) looks at the board on 15 February 2020
    board = read(
        db,
        lambda pool: portfolio.board(
            pool, today=date(2020, 2, 15), organisations=["somme"], host_organisations=["somme"]
        ),
    )
    # then both laureates show, by stage
    by_stage = {c.stage: [card.project_id for card in c.cards] for c in board.columns}
    assert by_stage == {
        "exploration": [],
        "prototypage": [story.somme],
        "acceleration": [story.oise],
        "en_suspens": [],
        "termine": [],
    }
    [somme] = board.columns[1].cards
    # and Somme's first milestone is overdue, its deadline not yet passed, its vigilance point open
    assert (somme.overdue_milestones, somme.deadline_passed, somme.open_vigilance) == (1, False, 1)
    assert somme.title == "Transition de 48 cantines scolaires en restaurants scolaires"
    assert somme.forum_title == "1er forum Innovations interdépartemental"
    [oise] = board.columns[2].cards
    assert (oise.outcome_label, oise.deadline_passed, oise.overdue_milestones) == ("Déployé", False, 0)
    assert board.flagged == 1
    # on 3 March, Somme's deadline (2 March) has passed; Oise's, closed by its outcome, never does
    later = read(db, lambda pool: portfolio.board(pool, today=date(2020, 3, 3), everything=True))
    flags = {c.project_id: (c.deadline_passed, c.overdue_milestones) for col in later.columns for c in col.cards}
    assert flags == {story.somme: (True, 2), story.oise: (False, 0)}


def test_each_reader_sees_only_the_pre_incubations_of_their_scope(app: ForumApplication, db: Database) -> None:
    story = Story(app)

    def ids(**scope: Any) -> set[UUID]:
        b = read(db, lambda pool: portfolio.board(pool, today=date(2020, 2, 15), **scope))
        return {card.project_id for col in b.columns for card in col.cards}

    # Oise sees its own; Nord, whose project won nothing, sees none
    assert ids(**_scope("oise")) == {story.oise}
    assert ids(**_scope("nord")) == set()
    # the partner supporting Oise's sees it; the host sees every laureate of its forum
    assert ids(**_scope("beta-gouv")) == {story.oise}
    assert ids(**_scope("somme")) == {story.oise, story.somme}
    # a board narrowed to one organisation
    assert ids(**_scope("somme"), organisation="oise") == {story.oise}


def _scope(organisation: str) -> dict[str, Any]:
    scope = af.portfolio_scope(organiser(organisation))
    return {
        "organisations": scope.organisations,
        "host_organisations": scope.host_organisations,
        "forum_ids": scope.forum_ids,
        "partners": scope.partners,
    }


def test_a_laureates_timeline_shows_its_whole_path(app: ForumApplication, db: Database) -> None:
    story = Story(app)
    path = read(db, lambda pool: portfolio.project_path(pool, story.oise, today=date(2020, 2, 15)))
    assert path is not None
    # the phases come in order: call, selection, forum, prize, pre-incubation, outcome
    phases = list(dict.fromkeys(step.phase for step in path.steps))
    assert phases == ["call", "selection", "forum", "prize", "pre_incubation", "outcome"]
    labels = [step.label for step in path.steps]
    assert labels[0] == "Déposé à l'appel « Appel à idées des agents »"
    assert "Présenté au forum « 1er forum Innovations interdépartemental »" in labels
    assert "Pitch délivré (2 min 58 s)" in labels
    assert "Lauréat : Lauréats — « 1er forum Innovations interdépartemental »" in labels
    assert "Entrée en pré-incubation le 02/12/2019 (lauréat d'un forum)" in labels
    assert "Jalon atteint le 10/01/2020 : Menus en ligne" in labels
    assert "Stade : Accélération" in labels
    assert labels[-1] == "Issue : Déployé"
    # the facts of the day live in the host's store, the others in Oise's
    assert {s.organisation for s in path.steps if s.phase in ("forum", "prize")} == {FORUM_HOST}
    assert {s.organisation for s in path.steps if s.phase not in ("forum", "prize")} == {"oise"}
    # and what the access rule needs is there
    assert (path.organisation, path.forum_host, path.partner, path.team) == (
        "oise",
        FORUM_HOST,
        "beta-gouv",
        ["agent-oise"],
    )
    # an absent team's path says so; an unknown project has none
    vdo = read(db, lambda pool: portfolio.project_path(pool, story.vdo, today=date(2020, 2, 15)))
    assert vdo is not None and "Équipe absente au pitch" in [s.label for s in vdo.steps]
    assert read(db, lambda pool: portfolio.project_path(pool, FORUM, today=date(2020, 2, 15))) is None


def test_the_funnel_counts_each_step_in_all_and_per_organisation(app: ForumApplication, db: Database) -> None:
    Story(app)
    funnel = read(db, lambda pool: portfolio.funnel(pool, FORUM))
    assert funnel is not None and funnel.published
    assert [(s.key, s.count) for s in funnel.steps] == [
        ("submitted", 4),
        ("selected", 4),
        ("nominated", 4),
        ("pitched", 3),
        ("laureate", 2),
        ("incubated", 2),
        ("deployed", 1),
    ]
    assert funnel.steps[-1].percent_of_first == 25
    rows = {r.organisation: r.counts for r in funnel.by_organisation}
    assert rows["oise"] == dict.fromkeys(["submitted", "selected", "nominated", "pitched", "laureate"], 1) | {
        "incubated": 1,
        "deployed": 1,
    }
    assert rows["val-doise"]["pitched"] == 0
    # Nord's project that went to no forum is not counted
    assert rows["nord"]["submitted"] == 1
    assert [f.forum_id for f in read(db, portfolio.list_forums)] == [FORUM]


def test_no_laureate_is_counted_before_the_palmares_is_published(app: ForumApplication, db: Database) -> None:
    oise = given_project(app, "oise", "Cantines")
    given_palmares(app, [(oise, "oise", "Cantines")], [oise], publish=False)
    funnel = read(db, lambda pool: portfolio.funnel(pool, FORUM))
    assert funnel is not None and not funnel.published
    assert {s.key: s.count for s in funnel.steps}["laureate"] == 0
    assert read(db, portfolio.list_forums) == []


def test_rebuilding_one_organisations_share_gives_the_same_rows(app: ForumApplication, db: Database) -> None:
    Story(app)

    async def rows(pool: asyncpg.Pool) -> dict[str, list[Any]]:
        return {t: sorted(tuple(r) for r in await pool.fetch(f"SELECT * FROM {t}")) for t in Portfolio.tables}

    before = read(db, rows)
    assert all(before[t] for t in Portfolio.tables if t != "read.portfolio_calls") and before["read.portfolio_calls"]
    for organisation in ("somme", "oise"):
        assert read(db, rows, rebuild=organisation) == before


def test_the_canteen_projects_of_oise_and_somme_converge_for_their_organisers_only(
    app: ForumApplication, db: Database
) -> None:
    # given the fifteen projects of the 2019 forum, each selected by its département
    data = json.loads((DEMO / "forum-interdepartemental-2019.json").read_text(encoding="utf-8"))
    ids = {  # (the scenario gives titles only; a title says the problem well enough)
        p["number"]: given_project(app, p["organisation"], p["title"][:200], problem=p["title"], nominate_to=None)
        for p in data["projects"]
    }
    # and a Nord canteen project still in its call (submitted, never selected): not the organisation's yet
    given_project(app, "nord", "Cantines des collèges : réduire le gaspillage alimentaire", select=False)
    # when Oise's and Somme's organisers look for convergent projects
    oise = read(db, lambda pool: convergences_for(pool, "oise"))
    somme = read(db, lambda pool: convergences_for(pool, "somme"))
    # then both see the same group: Oise's canteens (4) beside Somme's school restaurants (12)
    assert [[p.project_id for p in g.projects] for g in oise] == [[ids[4], ids[12]]]
    assert oise == somme
    [group] = oise
    assert group.organisations == ["oise", "somme"]
    assert "cantine" in group.keywords
    # and Nord, which has no project in it, sees nothing
    assert read(db, lambda pool: convergences_for(pool, "nord")) == []


def test_the_2019_scenario_continues_after_the_forum(app: ForumApplication, db: Database) -> None:
    # given the 2019 forum's fifteen projects and its eight laureates in the published palmarès
    data = json.loads((DEMO / "forum-interdepartemental-2019.json").read_text(encoding="utf-8"))
    ids = {p["number"]: given_project(app, p["organisation"], p["title"], problem=p["title"]) for p in data["projects"]}
    given_palmares(
        app,
        [(ids[p["number"]], p["organisation"], p["title"]) for p in data["projects"]],
        [ids[p["number"]] for p in data["projects"] if p["laureate"]],
    )
    # when the scenario continues (twice: the second run records nothing)
    summary = load_pre_incubation(app, forum_id=FORUM, host=FORUM_HOST)
    events = _event_count(db)
    assert load_pre_incubation(app, forum_id=FORUM, host=FORUM_HOST) == summary
    assert _event_count(db) == events
    # then the eight laureates are on the board, five with an outcome, late ones flagged against today
    assert (summary["pre_incubations"], summary["outcomes"]) == (8, 5)

    async def everything(pool: asyncpg.Pool) -> Any:
        board = await portfolio.board(pool, today=date(2020, 11, 1), everything=True)
        found = await practice_views.search_practices(pool, q="cantine")
        detail = await practice_views.get_practice(pool, UUID(summary["practice_id"]))
        groups = await convergences_for(pool, "oise")
        path = await portfolio.project_path(pool, ids[4], today=date(2020, 11, 1))
        return board, found, detail, groups, path

    board, found, detail, groups, path = read(db, everything, projections=[Portfolio(), Practices()])
    assert board.total == 8
    stages = {card.project_id: column.stage for column in board.columns for card in column.cards}
    assert (stages[ids[7]], stages[ids[12]], stages[ids[14]]) == ("en_suspens", "prototypage", "exploration")
    late = {card.project_id for column in board.columns for card in column.cards if card.deadline_passed}
    assert late == {ids[7], ids[12], ids[14]}
    # a practice found by « cantine », adopted by Nord, then by Pas-de-Calais from Nord; Somme interested
    assert [p.title for p in found] == ["Menus des cantines partagés avec les familles"]
    assert detail is not None
    assert [(n.organisation, n.parent, n.status) for n in detail.lineage.nodes] == [
        ("oise", None, "published"),
        ("nord", "oise", "adopted"),
        ("pas-de-calais", "nord", "adopted"),
        ("somme", "oise", "interested"),
    ]
    # the canteen projects of Oise and Somme converge
    assert [[p.project_id for p in g.projects] for g in groups] == [[ids[4], ids[12]]]
    # and Oise's canteens show their whole path, from the call to the outcome
    assert path is not None
    assert list(dict.fromkeys(s.phase for s in path.steps)) == [
        "call",
        "selection",
        "forum",
        "prize",
        "pre_incubation",
        "outcome",
    ]


def _event_count(db: Database) -> int:
    with db.connect(autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM store.forum_events").fetchone()
    assert row is not None
    return int(row[0])
