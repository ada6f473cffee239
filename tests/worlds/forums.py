"""A forum hosted by Somme, with Nord, Oise and Somme taking part (locally selected projects, people of each), and
the steps that bring it to its jury and its deliberation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from domain.forum import Prize
from domain.idea_call import paris_end_of_day, paris_start_of_day
from domain.jury import Criterion, JuryRules
from forum.access import SYSTEM, Actor
from forum.application import ForumApplication
from forum.database import Database
from forum.forums import AcceptForumInvitation, Invite, SetPrize
from forum.jury import (
    AppointJuror,
    CloseDeliberation,
    ComputeRanking,
    DesignateLaureates,
    OpenDeliberation,
    RecordScore,
    SetRules,
)
from forum.services import Services
from forum.settings import Settings
from forum.votes import CastVote, OrganiseVote, VoterIn
from tests.builders import calls, nominates, plans, sends
from tests.conftest import Clock, command_id

HOST = "somme"
CRITERIA = (Criterion("usagers", "Utilité pour les usagers", 3), Criterion("pitch", "Clarté du pitch", 1))
RULES = JuryRules(criteria=CRITERIA, scale_min=1, scale_max=5, quorum=1)
DAY = date(2019, 11, 28)
NOMINATING = datetime(2019, 11, 4, 9, tzinfo=UTC)
ON_THE_DAY = datetime(2019, 11, 28, 15, tzinfo=UTC)


def paris_day(day: date) -> tuple[datetime, datetime]:
    return paris_start_of_day(day), paris_end_of_day(day)


@dataclass
class World:
    """Somme hosts a forum; Nord, Oise and Somme take part with locally selected projects; people of each exist."""

    app: ForumApplication
    clock: Clock
    db: Database
    services: Services
    people: dict[str, Actor] = field(default_factory=dict)
    projects: dict[str, tuple[str, UUID]] = field(default_factory=dict)  # label -> (store, id)
    forum_id: UUID = field(default_factory=lambda: UUID(int=0))

    # -- people -------------------------------------------------------------------------------------------------------

    def enrol(self, label: str, organisation: str, role: str = "agent") -> Actor:
        result = self.services.people.enrol(
            SYSTEM,
            f"enrol.{label}",
            organisation=organisation,
            email=f"{label}@{organisation}.example.org",
            name=label,
            role=role,
            password="un mot de passe de test",
        )
        actor = Actor(result["person_id"], organisation, frozenset({role}), name=label)
        self.people[label] = actor
        return actor

    def __getitem__(self, label: str) -> Actor:
        return self.people[label]

    def in_forum(self, label: str, *roles: str) -> Actor:
        """The person as the web layer would see them once granted forum roles."""
        actor = self.people[label]
        granted = frozenset((str(self.forum_id), role) for role in roles)
        return Actor(actor.person_id, actor.organisation, actor.roles, actor.forum_roles | granted, actor.name)

    @property
    def host(self) -> Actor:
        return self.people["host"]

    def juror(self, organisation: str) -> Actor:
        return self.in_forum(f"juror-{organisation}", "juror")

    # -- commands -----------------------------------------------------------------------------------------------------

    def run(self, command: Callable[..., Any], actor: Actor, **kwargs: Any) -> Any:
        kwargs.setdefault("host", HOST)
        kwargs.setdefault("forum_id", self.forum_id)
        return command(self.app, actor, command_id(), **kwargs)

    def project(self, label: str) -> UUID:
        return self.projects[label][1]

    def nominate(self, label: str, actor: Actor | None = None, cid: str | None = None) -> Any:
        store, project_id = self.projects[label]
        organiser = actor or self.people[f"organiser-{store}"]
        return nominates(
            self.app,
            organiser,
            cid or command_id(),
            host=HOST,
            forum_id=self.forum_id,
            project_id=project_id,
            organisation=store,
        )

    def events(self) -> int:
        with self.db.connect(autocommit=True) as conn:
            row = conn.execute("SELECT count(*) FROM store.forum_events").fetchone()
        return int(row[0]) if row else 0

    def topics(self, suffix: str) -> list[tuple[str, str]]:
        with self.db.connect(autocommit=True) as conn:
            rows = conn.execute(
                "SELECT organisation, topic FROM store.forum_events WHERE topic LIKE %s ORDER BY notification_id",
                (f"%{suffix}",),
            ).fetchall()
        return [(r[0], r[1]) for r in rows]


def build_world(app: ForumApplication, clock: Clock, db: Database, *, selected: int = 3, quota: int = 2) -> World:
    """Given the organisations, their people, each one's call with ``selected`` selected projects (and one not),
    and Somme's forum of 28 November 2019 to which Nord, Oise and Somme accepted their invitation."""
    services = Services(settings=Settings(environment="test"), db=db, app=app)
    world = World(app=app, clock=clock, db=db, services=services)
    clock.set(datetime(2019, 9, 2, 8, tzinfo=UTC))
    for slug, name, kind in (
        ("somme", "Département de la Somme", "departement"),
        ("nord", "Département du Nord", "departement"),
        ("oise", "Département de l'Oise", "departement"),
        ("val-doise", "Département du Val-d'Oise", "departement"),
        ("beta-gouv", "beta.gouv.fr", "partenaire"),
    ):
        app.register_organisation(SYSTEM, f"org.{slug}", slug=slug, name=name, kind=kind)
    world.people["host"] = world.enrol("host-somme", "somme", "organiser")
    for org in ("nord", "oise", "somme", "val-doise"):
        organiser = world.people.get("host") if org == "somme" else world.enrol(f"organiser-{org}", org, "organiser")
        assert organiser is not None
        world.people[f"organiser-{org}"] = organiser
        world.enrol(f"agent-{org}", org)
        world.enrol(f"juror-{org}", org)
        world.enrol(f"voter-{org}", org)
    world.enrol("auditor-somme", "somme", "auditor")
    world.enrol("coach-1", "beta-gouv")
    world.enrol("coach-2", "beta-gouv")

    # each département's call for ideas, autumn 2019: ``selected`` projects selected, one not
    opens, _ = paris_day(date(2019, 9, 16))
    _, closes = paris_day(date(2019, 10, 18))
    for org in ("nord", "oise", "somme"):
        clock.set(datetime(2019, 9, 2, 9, tzinfo=UTC))
        call = calls.draft_call(
            app,
            world[f"organiser-{org}"],
            f"call.{org}",
            organisation=org,
            title="Appel à idées des agents 2019",
            opens_at=opens,
            closes_at=closes,
            open_now=True,
        )
        clock.set(datetime(2019, 10, 1, 9, tzinfo=UTC))
        labels = [f"{org}-{i}" for i in range(1, selected + 2)]
        for label in labels:
            result = calls.draft_project(
                app,
                world[f"agent-{org}"],
                f"project.{label}",
                call_organisation=org,
                call_id=UUID(call["id"]),
                title=f"Projet {label}",
                problem=f"Le problème que résout {label}.",
                solution="Une solution simple.",
                submit=True,
            )
            world.projects[label] = (org, UUID(result["id"]))
        clock.set(datetime(2019, 10, 21, 9, tzinfo=UTC))
        for i, label in enumerate(labels):
            calls.decide_project(
                app,
                world[f"organiser-{org}"],
                f"decide.{label}",
                call_organisation=org,
                call_id=UUID(call["id"]),
                organisation=org,
                project_id=world.project(label),
                outcome="selected" if i < selected else "not_selected",
                reason="" if i < selected else "Hors du champ de l'appel.",
            )

    # the forum, planned by Somme in September; the départements invited accept
    clock.set(datetime(2019, 9, 3, 8, tzinfo=UTC))
    planned = plans(
        app,
        world.host,
        "plan",
        host=HOST,
        key="forum-2019",
        title="1er forum Innovations interdépartemental",
        kind="forum",
        starts_on=DAY,
        place="Amiens",
        quota=quota,
    )
    world.forum_id = UUID(planned["id"])
    world.run(sends(SetPrize), world.host, prize=Prize("laureats", "Lauréats du forum", "main", laureates=2))
    for org in ("nord", "oise", "somme"):
        world.run(sends(Invite), world.host, organisation=org)
        world.run(sends(AcceptForumInvitation), world[f"organiser-{org}"], organisation=org)
    clock.set(NOMINATING)
    return world


def nominated_world(world: World, per_organisation: int = 2) -> World:
    for org in ("nord", "oise", "somme"):
        for i in range(1, per_organisation + 1):
            world.nominate(f"{org}-{i}")
    return world


def jury_world(world: World, rules: JuryRules = RULES) -> World:
    """Nominations in, one juror per département appointed, rules declared, and the clock on the day."""
    nominated_world(world)
    for org in ("nord", "oise", "somme"):
        juror = world[f"juror-{org}"]
        world.run(sends(AppointJuror), world.host, person_id=juror.person_id, organisation=org, college="élu")
    world.run(sends(SetRules), world.host, rules=rules)
    world.clock.set(ON_THE_DAY)
    return world


def score(world: World, juror_org: str, label: str, usagers: int = 4, pitch: int = 3, **kwargs: Any) -> Any:
    return world.run(
        sends(RecordScore),
        world.juror(juror_org),
        project_id=world.project(label),
        scores={"usagers": usagers, "pitch": pitch},
        **kwargs,
    )


def score_everything(world: World) -> None:
    """Every juror scores every project not of their own département: Nord's first project comes out on top."""
    values = {"nord-1": 5, "nord-2": 2, "oise-1": 4, "oise-2": 2, "somme-1": 3, "somme-2": 1}
    for juror_org in ("nord", "oise", "somme"):
        for label, value in values.items():
            if not label.startswith(juror_org):
                score(world, juror_org, label, usagers=value, pitch=value)


def deliberated_world(world: World) -> World:
    jury_world(world)
    score_everything(world)
    world.run(sends(ComputeRanking), world.host)
    world.run(sends(OpenDeliberation), world.host)
    world.run(
        sends(DesignateLaureates),
        world.host,
        prize_key="laureats",
        project_ids=[world.project("nord-1"), world.project("oise-1")],
    )
    world.run(sends(CloseDeliberation), world.host)
    return world


def organise_vote(world: World, opens_at: datetime, closes_at: datetime) -> None:
    world.run(sends(SetPrize), world.host, prize=Prize("public", "Prix du public", "vote", laureates=1))
    world.run(
        sends(OrganiseVote),
        world.host,
        prize_key="public",
        electorate=[VoterIn(world[f"voter-{org}"].person_id, org) for org in ("nord", "oise", "somme")],
        opens_at=opens_at,
        closes_at=closes_at,
        draw_seed="graine-publiee-2019",
    )


def vote(world: World, voter_org: str, label: str) -> Any:
    return world.run(
        sends(CastVote),
        world.in_forum(f"voter-{voter_org}", "voter"),
        prize_key="public",
        project_id=world.project(label),
    )
