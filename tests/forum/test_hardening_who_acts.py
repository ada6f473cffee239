"""Who acts comes from the write side: a forum role granted or withdrawn, an organisation role changed, a person
deactivated, counts from the very next request with no projection at all; people and forum roles stored before
the write side kept them are rebuilt from their events at start-up."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import TestClient

from domain.codec import encode_event
from domain.person import ForumRoles, Person
from domain.values import Meta
from forum.access import Actor
from forum.application import ForumApplication
from forum.auth import actor_for_session, actor_for_token
from forum.database import STORE_MIGRATIONS, Database
from forum.database import migrate as migrate_dirs
from forum.entrypoints.bootstrap import auth_pool, bootstrap, migrate, resources
from forum.eventstore import WhoActs
from forum.jury import AppointJuror, SetRules
from forum.settings import Settings
from forum.tenancy import store_of
from tests.builders import sends
from tests.conftest import Clock, command_id
from tests.worlds.forums import HOST, ON_THE_DAY, RULES, World, build_world, nominated_world
from web.app import create_app


def count(db: Database, sql: str, *params: Any) -> int:
    with db.connect(autocommit=True) as conn:
        row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
    return int(row[0]) if row else 0


def who(db: Database, *, session: str | None = None, token: str | None = None, now: datetime) -> Actor | None:
    """Who a session cookie or an API token acts as, on the auth pool, with no projector anywhere."""

    async def run() -> Actor | None:
        pool = await auth_pool(db, max_size=1)
        try:
            async with pool.acquire() as conn:
                if session is not None:
                    return await actor_for_session(conn, session, now)
                return await actor_for_token(conn, token or "", now)
        finally:
            await pool.close()

    return asyncio.run(run())


@pytest.fixture
def world(app: ForumApplication, clock: Clock, db: Database) -> World:
    world = nominated_world(build_world(app, clock, db))
    world.run(sends(SetRules), world.host, rules=RULES)
    clock.set(ON_THE_DAY)
    return world


@pytest.fixture
def unprojected(world: World) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """The web app with its projector stopped: no read model is ever written."""
    with TestClient(app=create_app(world.services, resources(world.db), run_projector=False)) as client:
        yield client


def test_a_juror_appointed_by_the_host_scores_at_once_with_no_projection_and_a_withdrawn_role_stops_at_once(
    world: World,
    unprojected: TestClient,  # type: ignore[type-arg]
) -> None:
    juror = world["juror-oise"]
    phone = {"Authorization": f"Bearer {world.services.auth.issue_token(juror, 'téléphone').token}"}
    path = f"/api/v1/forums/{HOST}/{world.forum_id}/scores/{world.project('nord-1')}"

    def score(cid: str) -> Any:
        return unprojected.put(path, headers=phone, json={"command_id": cid, "scores": {"usagers": 4, "pitch": 3}})

    # not yet of the jury: refused
    before = score("phone-0")
    assert before.status_code == 403 and before.json()["rule"] == "forum_role_required", before.text
    # the host appoints the juror; at once, the juror's phone scores
    world.run(sends(AppointJuror), world.host, person_id=juror.person_id, organisation="oise", college="agent")
    scored = score("phone-1")
    assert scored.status_code == 200, scored.text
    assert scored.json()["revision"] == 1
    # the host withdraws the role: the next score is refused at once
    world.services.people.revoke_forum_role(
        world.host, command_id(), forum_id=world.forum_id, host=HOST, person_id=juror.person_id, role="juror"
    )
    after = score("phone-2")
    assert after.status_code == 403 and after.json()["rule"] == "forum_role_required", after.text
    # and no projection ran at any point
    assert count(world.db, "SELECT count(*) FROM read.people") == 0
    assert count(world.db, "SELECT count(*) FROM read.forum_roles") == 0


def test_a_role_changed_counts_at_once_and_a_deactivated_person_is_refused_at_once(world: World, clock: Clock) -> None:
    services, db = world.services, world.db
    agent = world["agent-nord"]
    session = services.auth.sign_in("agent-nord@nord.example.org", "un mot de passe de test")
    token = services.auth.issue_token(agent, "script").token
    now = clock()
    seen = who(db, session=session, now=now)
    assert seen is not None and (seen.roles, seen.name) == (frozenset({"agent"}), "agent-nord")
    # an organiser makes the agent an organiser: the next request acts as one
    services.people.change_role(
        world["organiser-nord"], command_id(), organisation="nord", person_id=agent.person_id, role="organiser"
    )
    for resolved in (who(db, session=session, now=now), who(db, token=token, now=now)):
        assert resolved is not None and resolved.roles == frozenset({"organiser"})
    # deactivated: neither the session nor the token acts any more
    services.people.deactivate(world["organiser-nord"], command_id(), organisation="nord", person_id=agent.person_id)
    assert who(db, session=session, now=now) is None
    assert who(db, token=token, now=now) is None
    assert count(db, "SELECT count(*) FROM read.people") == 0


def test_a_deactivated_person_is_refused_by_their_status_on_the_write_side(world: World, clock: Clock) -> None:
    """Even with credentials left enabled (the account's tables are updated after the event), the status that was
    written with the event refuses the person."""
    services, db = world.services, world.db
    agent = world["agent-oise"]
    session = services.auth.sign_in("agent-oise@oise.example.org", "un mot de passe de test")
    services.people.deactivate(world["organiser-oise"], command_id(), organisation="oise", person_id=agent.person_id)
    services.auth.enable(agent.person_id)  # as if the account's update had not happened yet …
    reopened = services.auth.open_session(agent.person_id, "oise")  # … and a session were still open
    assert who(db, session=reopened, now=clock()) is None
    assert who(db, session=session, now=clock()) is None


def test_an_older_state_never_overwrites_a_newer_one(world: World) -> None:
    app, agent = world.app, world["agent-somme"]
    with store_of("somme"):
        older = app.repository.get(UUID(agent.person_id))
    world.services.people.change_role(
        world.host, command_id(), organisation="somme", person_id=agent.person_id, role="auditor"
    )
    with store_of("somme"):
        app.store.backfill_who_acts(older.id, WhoActs.of([older], changed_only=False))
    assert count(world.db, "SELECT count(*) FROM store.people WHERE role = 'auditor' AND person_id = %s", older.id) == 1


# -- events stored before migration 0005 ----------------------------------------------------------------------------


def meta(at: datetime, organisation: str) -> Meta:
    return Meta(
        actor="system",
        role="admin",
        organisation=organisation,
        actor_organisation="platform",
        at=at,
        command_id=command_id(),
        correlation_id="before",
    )


@pytest.fixture
def former(server: Database, tmp_path: Path) -> Iterator[Database]:
    """A database migrated by the store's migrations before 0005 only (no read side)."""
    name = f"forum_test_{uuid.uuid4().hex[:12]}"
    with server.connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = server.with_dbname(name)
    folder = tmp_path / "migrations"
    folder.mkdir()
    for path in sorted(STORE_MIGRATIONS[1].glob("*.sql")):
        if path.name < "0005":
            shutil.copy(path, folder / path.name)
    migrate_dirs(db, [("store", folder)])
    yield db
    with server.connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def store_as_before(db: Database, organisation: str, *aggregates: Any) -> None:
    """Events written as the former save wrote them: nothing but the events."""
    with db.connect() as conn, conn.transaction():
        conn.execute("SELECT set_config('forum.organisation', %s, true)", (organisation,))
        for aggregate in aggregates:
            for event in aggregate.collect_events():
                topic, originator_id, version, state = encode_event(event)
                conn.execute(
                    "INSERT INTO store.forum_events (originator_id, originator_version, topic, state)"
                    " VALUES (%s, %s, %s, %s)",
                    (originator_id, version, topic, state),
                )


def test_people_and_forum_roles_stored_before_are_rebuilt_from_their_events_at_start_up(
    former: Database, clock: Clock
) -> None:
    at = datetime(2019, 9, 2, 8, tzinfo=UTC)
    person = Person.invite(
        email="jure@nord.example.org", name="Juré", role="agent", organisation="nord", meta=meta(at, "nord")
    )
    person.join(meta=meta(at, "nord"), name="Juré du Nord")
    person.change_role(role="organiser", meta=meta(at, "nord"))
    gone = Person.invite(
        email="parti@nord.example.org", name="Parti", role="agent", organisation="nord", meta=meta(at, "nord")
    )
    gone.deactivate(meta=meta(at, "nord"))
    forum_id = uuid.uuid4()
    roles = ForumRoles.open(forum_id=forum_id, meta=meta(at, "somme"))
    roles.grant(person_id=str(person.id), person_organisation="nord", role="juror", meta=meta(at, "somme"))
    roles.grant(person_id=str(person.id), person_organisation="nord", role="voter", meta=meta(at, "somme"))
    roles.revoke(person_id=str(person.id), role="voter", meta=meta(at, "somme"))
    store_as_before(former, "nord", person, gone)
    store_as_before(former, "somme", roles)

    # the migration lists them; start-up builds their rows from their events, once
    migrate(former)
    assert count(former, "SELECT count(*) FROM store.who_acts_backfill") == 3
    services = bootstrap(Settings(environment="test"), db=former, clock=clock)
    try:
        assert count(former, "SELECT count(*) FROM store.who_acts_backfill") == 0
        assert services.app.backfill_who_acts() == 0
        with former.connect(autocommit=True) as conn:
            people = conn.execute("SELECT person_id, organisation, role, status, name FROM store.people ORDER BY name")
            assert people.fetchall() == [
                (person.id, "nord", "organiser", "active", "Juré du Nord"),
                (gone.id, "nord", "agent", "deactivated", "Parti"),
            ]
            grants = conn.execute("SELECT person_id, forum_id, role, organisation FROM store.forum_roles").fetchall()
            assert grants == [(person.id, forum_id, "juror", "somme")]
        # and who acts is read from them: the juror's session carries the forum role, with no projection
        services.auth.set_password(str(person.id), "nord", "un mot de passe de test")
        session = services.auth.open_session(str(person.id), "nord")
        actor = who(former, session=session, now=clock())
        assert actor is not None
        assert (actor.roles, actor.forum_roles) == (frozenset({"organiser"}), frozenset({(str(forum_id), "juror")}))
        assert count(former, "SELECT count(*) FROM read.people") == 0
    finally:
        services.close()
