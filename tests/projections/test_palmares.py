"""The palmarès read model: nothing public before publication; then the proclaimed palmarès at a stable slug,
in the index across organisations and in the open data; a rebuild gives the same tables."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.forum import Prize
from forum.application import ForumApplication
from forum.database import Database
from forum.entrypoints.bootstrap import projector
from forum.forums import AcceptForumInvitation, Invite, SetPrize
from forum.jury import CloseDeliberation, DesignateLaureates, OpenDeliberation
from projections.palmares import (
    draft_palmares,
    find_palmares,
    list_published,
    open_data,
    palmares_slug,
    published_palmares,
    slugify,
)
from tests.builders import nominates, plans, publishes, sends
from tests.conftest import Clock
from tests.projections.builders import query
from tests.worlds.forums import HOST, ON_THE_DAY, World, build_world, deliberated_world


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_slugs_read_like_the_title_with_its_year() -> None:
    assert slugify("1er forum Innovations interdépartemental") == "1er-forum-innovations-interdepartemental"
    assert palmares_slug("Prix Impulsions 2019 de la modernisation", ON_THE_DAY.date()) == (
        "prix-impulsions-2019-de-la-modernisation"
    )
    assert palmares_slug("Forum d'automne", ON_THE_DAY.date()) == "forum-d-automne-2019"


def test_before_publication_nothing_is_public_and_the_draft_follows_the_deliberation(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    # given a forum whose jury designated its two laureates and closed its deliberation
    world = deliberated_world(build_world(app, clock, db))
    # then nothing is published: no index entry, no public palmarès, no open data, no slug
    assert query(db, list_published) == []
    assert query(db, published_palmares, world.forum_id) is None
    assert query(db, open_data) == []
    assert query(db, find_palmares, "1er-forum-innovations-interdepartemental-2019") is None
    # but the draft (for the jury and the host, after their access check) lists the laureates
    draft = query(db, draft_palmares, world.forum_id)
    assert draft.published is False and draft.slug is None
    assert [e.title for e in draft.prizes[0].laureates] == ["Projet nord-1", "Projet oise-1"]
    assert [e.organisation_name for e in draft.prizes[0].laureates] == ["Département du Nord", "Département de l'Oise"]


def publish(world: World) -> None:
    world.clock.set(ON_THE_DAY + timedelta(hours=3))
    world.run(publishes, world.host)


def test_once_published_the_palmares_is_public_at_its_slug_in_the_index_and_in_open_data(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    world = deliberated_world(build_world(app, clock, db))
    # when the host publishes it at the ceremony
    publish(world)
    # then it is found by its slug and by its forum's id
    slug = "1er-forum-innovations-interdepartemental-2019"
    assert query(db, find_palmares, slug) == (world.forum_id, HOST)
    assert query(db, find_palmares, str(world.forum_id)) == (world.forum_id, HOST)
    view = query(db, published_palmares, world.forum_id)
    assert view.published and view.slug == slug and view.host_name == "Département de la Somme"
    [prize] = view.prizes
    assert (prize.key, prize.label) == ("laureats", "Lauréats du forum")
    assert [(e.organisation, e.title, e.summary) for e in prize.laureates] == [
        ("nord", "Projet nord-1", "Le problème que résout nord-1."),
        ("oise", "Projet oise-1", "Le problème que résout oise-1."),
    ]
    assert len(view.finalists) == 6
    # and the draft of the jury is now the published one
    assert query(db, draft_palmares, world.forum_id).prizes == view.prizes
    # and it is in the index, and in the open data line by line
    [entry] = query(db, list_published)
    assert (entry.slug, entry.prizes, entry.laureates) == (slug, 1, 2)
    rows = query(db, open_data)
    assert [(r.palmares, r.prize_key, r.organisation, r.title) for r in rows] == [
        (slug, "laureats", "nord", "Projet nord-1"),
        (slug, "laureats", "oise", "Projet oise-1"),
    ]


def test_a_second_palmares_of_the_same_title_gets_its_hosts_name_in_its_slug(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    world = deliberated_world(build_world(app, clock, db))
    publish(world)
    # given a forum of the same title, the same year, hosted by Oise and published after Somme's
    clock.set(ON_THE_DAY - timedelta(days=60))
    organiser = world["organiser-oise"]
    planned = plans(
        app,
        organiser,
        "plan-oise",
        host="oise",
        key="forum-2019",
        title="1er forum Innovations interdépartemental",
        kind="forum",
        starts_on=ON_THE_DAY.date(),
        place="Beauvais",
        quota=1,
    )
    forum_id = UUID(planned["id"])

    def act(command: Any, **kwargs: Any) -> Any:
        return command(
            app, organiser, f"oise-{command.__name__}-{len(kwargs)}", host="oise", forum_id=forum_id, **kwargs
        )

    act(sends(SetPrize), prize=Prize("coup_de_coeur", "Coup de cœur", "special"))
    act(sends(Invite), organisation="oise")
    sends(AcceptForumInvitation)(app, organiser, "accept", host="oise", forum_id=forum_id, organisation="oise")
    nominates(
        app,
        organiser,
        "nominate",
        host="oise",
        forum_id=forum_id,
        project_id=world.project("oise-3"),
        organisation="oise",
    )
    clock.set(ON_THE_DAY + timedelta(hours=1))
    act(sends(OpenDeliberation))
    act(sends(DesignateLaureates), prize_key="coup_de_coeur", project_ids=[world.project("oise-3")])
    act(sends(CloseDeliberation))
    clock.set(ON_THE_DAY + timedelta(hours=4))
    act(publishes)
    # then both are published, each at its own stable slug
    entries = query(db, list_published)
    assert [e.slug for e in entries] == [
        "1er-forum-innovations-interdepartemental-2019-oise",
        "1er-forum-innovations-interdepartemental-2019",
    ]


def test_a_rebuild_gives_the_same_palmares_tables(app: ForumApplication, clock: Clock, db: Database) -> None:
    world = deliberated_world(build_world(app, clock, db))
    publish(world)

    async def fetch(conn: Any) -> dict[str, list[tuple[Any, ...]]]:
        return {
            table: [tuple(r) for r in await conn.fetch(f"SELECT * FROM {table} ORDER BY 1, 2")]
            for table in ("read.palmares", "read.palmares_laureates", "read.forum_scores", "read.forums")
        }

    def tables() -> Any:
        return query(db, fetch)

    async def rebuild(organisation: str | None) -> None:
        p = await projector(db)
        try:
            await p.rebuild("palmares", organisation)
            await p.rebuild("forums", organisation)
        finally:
            await p.pool.close()

    before = tables()
    run(rebuild(None))
    assert tables() == before
    run(rebuild(HOST))
    assert tables() == before
