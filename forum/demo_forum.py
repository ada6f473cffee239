"""The two 2019 programmes driven through the application's own commands, at their 2019 times.

``load_forum_2019`` runs the Forum Innovations interdépartemental (Amiens, 28 November 2019) and
``load_impulsions_2019`` the Prix Impulsions 2019 (national jury on 8 November, vote of the académies, ceremony on
28 November), each from its scenario file (``forum.demo.scenario``): organisations, people (enrolled through
``forum.people.People``), each organisation's call for ideas and local selection (``forum.calls``), then the forum
through ``forum.forums``: invitations, nominations, coaching, running order, pitches, jury, scores, ranking,
deliberation, vote and publication. Every command id derives from the scenario, so loading twice changes nothing.

The application's clock is swapped for the scenario's for the duration of a load (the domain refuses a nomination
on the day or a ballot outside its period), then restored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from domain.forum import CoachingSlot, Forum, Prize, coaching_rota, running_order
from domain.jury import Criterion, JuryRules, Ranking
from forum import audit_trail, forums, pipeline
from forum.access import SYSTEM, Actor
from forum.application import Clock, ForumApplication
from forum.calls import CallRef, DraftCall, OrganisationRef, RecordSelection
from forum.coaching import AppointCoach, AssignCoaching, RecordCoachingSession
from forum.demo import load_organisations, scenario
from forum.forums import AcceptForumInvitation, ForumRef, Invite, Nominate, PlanForum, PublishPalmares, SetPrize
from forum.jury import (
    AppointJuror,
    CloseDeliberation,
    ComputeRanking,
    DesignateLaureates,
    OpenDeliberation,
    RecordScore,
    SetRules,
)
from forum.people import People
from forum.pipeline import Command
from forum.projects import (
    AcceptInvitation,
    DecideProject,
    DraftProject,
    InviteCoAuthor,
    ProjectRef,
    SubmissionRef,
    SubmitProject,
    answering,
)
from forum.stage import RecordPitch, SetRunningOrder
from forum.votes import CastVote, CountVotes, OrganiseVote, VoterIn

PARIS = ZoneInfo("Europe/Paris")
FORUM_2019 = "forum-interdepartemental-2019.json"
IMPULSIONS_2019 = "impulsions-2019.json"
DEMO_PASSWORD = "forum-demo-2019"  # every demo person's password (a demonstration, never production)  # noqa: S105
FORUM_2019_AUDITOR = "auditeur-forum-2019@nord.demo.forum.local"  # appointed auditor of the 2019 forum by its host


def paris(day: str | date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.fromisoformat(str(day)).replace(hour=hour, minute=minute, tzinfo=PARIS)


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


class ScenarioClock:
    """The time of the scenario: moved by the loader from one step to the next."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, when: datetime) -> None:
        self.now = when


@contextmanager
def scenario_time(app: ForumApplication, start: datetime) -> Iterator[ScenarioClock]:
    """The application runs on the scenario's clock inside the block (and on its own clock again after it)."""
    clock = ScenarioClock(start)
    previous: Clock = app.clock
    app.clock = clock
    try:
        yield clock
    finally:
        app.clock = previous


@dataclass
class Loader:
    """What a load needs along the way: the application, people, the clock, and deterministic command ids."""

    app: ForumApplication
    people: People
    clock: ScenarioClock
    prefix: str
    password: str
    actors: dict[str, Actor] = field(default_factory=dict)

    def cid(self, *parts: object) -> str:
        return ".".join([self.prefix, *(_ascii(str(p)).strip("-") for p in parts)])[:100]

    def person(self, label: str, organisation: str, role: str, name: str) -> Actor:
        """Enrol (once) a person of ``organisation``; their e-mail address derives from ``label``."""
        if label not in self.actors:
            email = f"{_ascii(label).strip('-')}@{organisation}.demo.forum.local"
            result = self.people.enrol(
                SYSTEM,
                self.cid("person", label),
                organisation=organisation,
                email=email,
                name=name,
                role=role,
                password=self.password,
            )
            self.actors[label] = Actor(result["person_id"], organisation, frozenset({role}), name=name)
        return self.actors[label]

    def in_forum(self, actor: Actor, forum_id: UUID, role: str) -> Actor:
        """The actor as the web layer would see them once granted their forum role."""
        return Actor(
            actor.person_id, actor.organisation, actor.roles, actor.forum_roles | {(str(forum_id), role)}, actor.name
        )

    def at(self, when: datetime) -> Loader:
        self.clock.set(when)
        return self


def _local_round(
    loader: Loader,
    *,
    organisation: str,
    organiser: Actor,
    title: str,
    opens: str,
    closes: str,
    categories: list[str],
    entries: list[dict[str, Any]],
    decided_at: datetime,
) -> list[UUID]:
    """An organisation's call for ideas: drafted and opened, answered by each entry's team, closed, every entry
    selected and the selection recorded. ``entries``: ``title``, ``category``, ``team`` (authors' actors)."""
    app, run = loader.app, pipeline.run
    loader.at(paris(opens) - timedelta(days=6))
    here = OrganisationRef(organisation)
    call = run(
        app,
        organiser,
        DraftCall(
            command_id=loader.cid("call", organisation),
            title=title,
            opens_at=paris(opens),
            closes_at=paris(closes, 23, 59),
            categories=categories,
            open=True,
        ),
        here,
    )
    on_call = CallRef(organisation, UUID(call.id))
    project_ids = []
    for i, entry in enumerate(entries):
        loader.at(paris(opens, 10) + timedelta(days=7, minutes=i))
        author, *co_authors = entry["team"]
        drafted = run(
            app,
            author,
            DraftProject(
                command_id=loader.cid("project", organisation, i),
                title=entry["title"],
                problem=entry["title"],
                solution="Présentée par l'équipe au jury (donnée de démonstration).",
                category=entry.get("category"),
            ),
            answering(author, on_call),
        )
        project = ProjectRef(organisation, UUID(drafted.id))
        for j, co_author in enumerate(co_authors):
            invite = InviteCoAuthor(
                command_id=loader.cid("invite", organisation, i, j),
                person=co_author.person_id,
                organisation=organisation,
            )
            run(app, author, invite, project)
            run(app, co_author, AcceptInvitation(command_id=loader.cid("join", organisation, i, j)), project)
        run(app, author, SubmitProject(command_id=loader.cid("submit", organisation, i)), project)
        project_ids.append(project.project_id)
    loader.at(decided_at)
    for i, project_id in enumerate(project_ids):
        decision = DecideProject(
            command_id=loader.cid("decide", organisation, i),
            outcome="selected",
            reason="Retenu pour représenter l'organisation.",
        )
        run(app, organiser, decision, SubmissionRef(organisation, on_call.call_id, organisation, project_id))
    loader.at(decided_at + timedelta(hours=1))
    selection = RecordSelection(
        command_id=loader.cid("selection", organisation), projects=[(organisation, p) for p in project_ids]
    )
    run(app, organiser, selection, on_call)
    return project_ids


def _summary(loader: Loader, forum_id: UUID, host: str, **extra: Any) -> dict[str, Any]:
    return {"forum_id": str(forum_id), "host": host, "people": len(loader.actors), **extra}


# ---------------------------------------------------------------------------------------------------------------------
# One edition being loaded


@dataclass
class Edition:
    """A forum being loaded: its host, id, organisers, and the way its commands are sent."""

    loader: Loader
    host: str
    forum_id: UUID
    names: dict[str, str]
    organisers: dict[str, Actor] = field(default_factory=dict)
    projects: dict[Any, UUID] = field(default_factory=dict)

    @property
    def the_host(self) -> Actor:
        return self.organisers[self.host]

    def run(self, command: type[Command[Any]] | Callable[..., Any], actor: Actor, step: object, **kwargs: Any) -> Any:
        """Send ``command`` (a command struct's class, or a function of ``forum.forums``) as ``actor``."""
        cid = self.loader.cid(step)
        if isinstance(command, type) and issubclass(command, Command):
            return pipeline.run(
                self.loader.app, actor, command(command_id=cid, **kwargs), ForumRef(self.host, self.forum_id)
            )
        function = cast(Callable[..., Any], command)
        return function(self.loader.app, actor, cid, host=self.host, forum_id=self.forum_id, **kwargs)

    def as_host(self, command: type[Command[Any]] | Callable[..., Any], step: object, **kwargs: Any) -> Any:
        return self.run(command, self.the_host, step, **kwargs)

    def invite_all(self, participants: list[str], invited_at: datetime, accepted_at: datetime) -> None:
        for org in participants:
            self.loader.at(invited_at)
            self.as_host(Invite, ("invite", org), organisation=org)
            self.loader.at(accepted_at)
            self.run(AcceptForumInvitation, self.organisers[org], ("accept", org), organisation=org)

    def nominate(self, organisation: str, ref: Any) -> None:
        """The forum's step and the project's (``forum.forums.nominate``)."""
        nomination = Nominate(command_id=self.loader.cid(("nominate", ref)), project_id=self.projects[ref])
        forums.nominate(self.loader.app, self.organisers[organisation], nomination, ForumRef(self.host, self.forum_id))

    def publish(self) -> None:
        """The palmarès proclaimed, then the host's chain head anchored (``forum.forums.publish``)."""
        command = PublishPalmares(command_id=self.loader.cid("publish"))
        forums.publish(self.loader.app, self.the_host, command, ForumRef(self.host, self.forum_id))

    def plan(self, key: str, **fields: Any) -> None:
        """The host plans the edition (in its organisation: ``forum.forums.ON_HOST``)."""
        planned = PlanForum(command_id=self.loader.cid("plan"), key=key, **fields)
        pipeline.run(self.loader.app, self.the_host, planned, self.host)


# ---------------------------------------------------------------------------------------------------------------------
# Forum Innovations interdépartemental, Amiens, 28 November 2019


def load_forum_2019(
    app: ForumApplication, people: People, *, password: str = DEMO_PASSWORD, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run the interdepartmental forum of 2019 end to end; returns the forum's id, host and key, and counts."""
    data = data or scenario(FORUM_2019)
    spec = data["forum"]
    host, key = spec["host"], "forum-interdepartemental-2019"
    load_organisations(app, data)
    with scenario_time(app, paris("2019-09-02", 9)) as clock:
        loader = Loader(app, people, clock, "demo.f2019", password)
        edition = Edition(loader, host, Forum.id_for(host, key), {o["slug"]: o["name"] for o in data["organisations"]})
        for org in spec["participants"]:
            name = f"Organisateur — {edition.names[org]}"
            edition.organisers[org] = loader.person(f"organisateur-{org}", org, "organiser", name)

        # September: the host plans the day and invites the départements, who accept
        loader.at(paris("2019-09-02", 10))
        edition.plan(
            key, title=spec["title"], kind="forum", starts_on=date.fromisoformat(spec["date"]), place=spec["place"],
            quota=spec["quota_per_organisation"],
        )  # fmt: skip
        prize = Prize("laureats", "Lauréats du forum", "main", laureates=spec["laureates_count"])
        edition.as_host(SetPrize, "prize", prize=prize)
        edition.invite_all(spec["participants"], paris("2019-09-02", 11), paris("2019-09-09", 9))

        # autumn: each département's call for ideas and its local selection; November: the nominations
        _forum_2019_local_rounds(edition, data)
        loader.at(paris("2019-11-04", 10))
        for p in data["projects"]:
            edition.nominate(p["organisation"], p["number"])

        jurors = _forum_2019_jury(edition, data)
        # an auditor of the forum (a Nord auditor), appointed by the host before the day: reads, changes nothing
        auditor = loader.person(FORUM_2019_AUDITOR.partition("@")[0], "nord", "auditor", "Auditrice du forum 2019")
        edition.as_host(audit_trail.appoint_auditor, "auditor", person_id=auditor.person_id, organisation="nord")
        _forum_2019_day(edition, data)
        _forum_2019_deliberation(edition, data, jurors)
        return _summary(loader, edition.forum_id, host, key=key, projects=len(edition.projects))


def _forum_2019_local_rounds(edition: Edition, data: dict[str, Any]) -> None:
    loader = edition.loader
    for local in data["local_calls"]:
        org = local["organisation"]
        entries = []
        for p in (p for p in data["projects"] if p["organisation"] == org):
            team = [
                loader.person(f"agent-{org}-{p['number']}-{i}", org, "agent", member["role"].capitalize())
                for i, member in enumerate(p["team"])
            ]
            entries.append({"title": p["title"], "team": team, "number": p["number"]})
        ids = _local_round(
            loader,
            organisation=org,
            organiser=edition.organisers[org],
            title=local["title"],
            opens=local["opens"],
            closes=local["closes"],
            categories=[],
            entries=entries,
            decided_at=paris(local["closes"], 10) + timedelta(days=3),
        )
        for entry, project_id in zip(entries, ids, strict=True):
            edition.projects[entry["number"]] = project_id


def _forum_2019_jury(edition: Edition, data: dict[str, Any]) -> dict[str, Actor]:
    """Jurors (three colleges per département), the rules declared before the day, and the coaches."""
    loader, spec = edition.loader, data["forum"]
    loader.at(paris("2019-11-18", 10))
    jury = spec["jury"]
    jurors: dict[str, Actor] = {}
    for j in jury["jurors"]:
        org = j["organisation"]
        person = loader.person(f"jure-{j['id']}", org, "agent", f"Juré·e, {j['college']} — {edition.names[org]}")
        edition.as_host(
            AppointJuror, ("juror", j["id"]), person_id=person.person_id, organisation=org, college=j["college"]
        )
        jurors[j["id"]] = loader.in_forum(person, edition.forum_id, forums.JUROR)
    low, high = jury["scale"]
    rules = JuryRules(
        criteria=tuple(Criterion(c["key"], c["label"], c["weight"]) for c in jury["criteria"]),
        scale_min=low,
        scale_max=high,
        quorum=10,
        normalisation="none",
        tie_break=("criteria",),
    )
    edition.as_host(SetRules, "rules", rules=rules)
    return jurors


def _forum_2019_day(edition: Edition, data: dict[str, Any]) -> None:
    """Coaches appointed and assigned; on the day, coaching in the morning and the pitches in the afternoon."""
    loader, spec = edition.loader, data["forum"]
    day, partner = spec["date"], spec["coaching"]["partner"]
    coaches = []
    for i in range(spec["coaching"]["coaches"]):
        coach = loader.person(f"coach-{i + 1}", partner, "agent", f"Coach {i + 1} — {edition.names[partner]}")
        edition.as_host(AppointCoach, ("coach", i), person_id=coach.person_id, organisation=partner)
        coaches.append(loader.in_forum(coach, edition.forum_id, forums.COACH))
    teams = [edition.projects[p["number"]] for p in data["projects"]]
    titles = {edition.projects[p["number"]]: p["title"] for p in data["projects"]}
    loader.at(paris("2019-11-20", 9))
    coach_ids = [c.person_id for c in coaches]
    rota = coaching_rota(teams, coach_ids, starts_at=paris(day, 9), minutes=50)
    edition.as_host(
        AssignCoaching, "coaching", project_ids=teams, coach_ids=coach_ids, starts_at=paris(day, 9), minutes=50
    )
    by_id = {c.person_id: c for c in coaches}
    for slot in rota:
        loader.at(slot.ends_at)
        _coaching_session(edition, by_id[slot.coach_id], slot, titles[slot.project_id])
    loader.at(paris(day, 12))
    pitch = spec["pitch"]
    starts_at, pitch_seconds, questions_seconds = (
        paris(day, 14),
        pitch["pitch_minutes"] * 60,
        pitch["questions_minutes"] * 60,
    )
    order = running_order(teams, starts_at=starts_at, pitch_seconds=pitch_seconds, questions_seconds=questions_seconds)
    edition.as_host(
        SetRunningOrder,
        "running-order",
        project_ids=teams,
        starts_at=starts_at,
        pitch_seconds=pitch_seconds,
        questions_seconds=questions_seconds,
    )
    for pitch_slot in order:
        loader.at(pitch_slot.starts_at + timedelta(seconds=pitch_slot.pitch_seconds))
        edition.as_host(
            RecordPitch,
            ("pitch", pitch_slot.project_id),
            project_id=pitch_slot.project_id,
            duration_seconds=pitch_slot.pitch_seconds,
        )


def _coaching_session(edition: Edition, coach: Actor, slot: CoachingSlot, title: str) -> None:
    edition.run(
        RecordCoachingSession,
        coach,
        ("session", slot.project_id),
        project_id=slot.project_id,
        notes="Problématisation : pour qui, quel irritant, quelle preuve (donnée de démonstration).",
        problem_statement=f"Comment {title[0].lower()}{title[1:]} ?",
        pitch_points=["le problème vécu par l'usager", "la solution testée", "ce qu'il faut pour trois mois"],
    )


def _forum_2019_deliberation(edition: Edition, data: dict[str, Any], jurors: dict[str, Actor]) -> None:
    """The jury scores (never its own département's projects), the ranking is recorded, the jury follows it."""
    loader, spec = edition.loader, data["forum"]
    day = spec["date"]
    for i, s in enumerate(data["scores"]):
        loader.at(paris(day, 16) + timedelta(seconds=20 * i))
        edition.run(
            RecordScore,
            jurors[s["juror"]],
            ("score", s["juror"], s["project"]),
            project_id=edition.projects[s["project"]],
            scores=s["scores"],
        )
    loader.at(paris(day, 17, 30))
    computed = edition.as_host(ComputeRanking, "ranking")
    ranking = msgspec.convert(computed.ranking, Ranking, strict=False)
    laureates, straddling = ranking.top(spec["laureates_count"])
    if straddling:  # the declared rules settle the 2019 tie below the cut; a tie across it would need the jury
        raise RuntimeError(f"a tie straddles the cut: {straddling}")
    loader.at(paris(day, 17, 35))
    edition.as_host(OpenDeliberation, "deliberation-open")
    loader.at(paris(day, 18))
    edition.as_host(DesignateLaureates, "laureates", prize_key="laureats", project_ids=list(laureates))
    loader.at(paris(day, 18, 10))
    edition.as_host(CloseDeliberation, "deliberation-close")
    loader.at(paris(day, 18, 30))
    edition.publish()


# ---------------------------------------------------------------------------------------------------------------------
# Prix Impulsions 2019


def load_impulsions_2019(
    app: ForumApplication, people: People, *, password: str = DEMO_PASSWORD, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run the Prix Impulsions 2019 end to end: local prizes, national jury, vote of the académies, ceremony."""
    data = data or scenario(IMPULSIONS_2019)
    spec = data["edition"]
    host, key = spec["host"], "prix-impulsions-2019"
    load_organisations(app, data)
    with scenario_time(app, paris("2019-02-15", 9)) as clock:
        loader = Loader(app, people, clock, "demo.i2019", password)
        edition = Edition(loader, host, Forum.id_for(host, key), {o["slug"]: o["name"] for o in data["organisations"]})
        # each académie's secretary-general organises its local prize (and votes for the prix des académies)
        for org in spec["participants"]:
            who = "Secrétaire général" if org.startswith("ac-") else "Organisateur"
            edition.organisers[org] = loader.person(f"sg-{org}", org, "organiser", f"{who} — {edition.names[org]}")

        loader.at(paris("2019-02-15", 10))
        edition.plan(
            key, title=spec["title"], kind="prize", starts_on=date.fromisoformat(data["national_jury"]["date"]),
            ends_on=date.fromisoformat(spec["ceremony"]["date"]), place=spec["ceremony"]["place"],
            quota=spec["quota_per_organisation"], categories=spec["categories"],
        )  # fmt: skip
        national = Prize("prix_national", "Prix national", "main", laureates=2, ranked=True)
        edition.as_host(SetPrize, ("prize", "national"), prize=national)
        academies = Prize("prix_des_academies", "Prix des académies", "vote", laureates=1)
        edition.as_host(SetPrize, ("prize", "academies"), prize=academies)
        edition.invite_all(spec["participants"], paris("2019-02-15", 11), paris("2019-02-20", 9))

        # March–May: each local prize; May–October: each local jury chooses its laureate
        finalists = {f["organisation"]: f for f in data["finalists"]}
        for local in data["local_calls"]:
            org = local["organisation"]
            author = loader.person(f"agent-{org}", org, "agent", f"Porteur du projet lauréat — {edition.names[org]}")
            finalist = finalists[org]
            [edition.projects[org]] = _local_round(
                loader,
                organisation=org,
                organiser=edition.organisers[org],
                title=f"Prix Impulsions 2019 — {edition.names[org]}",
                opens=local["opens"],
                closes=local["closes"],
                categories=spec["categories"],
                entries=[{"title": finalist["title"], "category": finalist["category"], "team": [author]}],
                decided_at=paris("2019-10-15", 10),
            )
        # October: each local laureate is nominated (quota 1), in the booklet's order
        loader.at(paris("2019-10-21", 9))
        for f in data["finalists"]:
            edition.nominate(f["organisation"], f["organisation"])

        _impulsions_national_jury(edition, data)
        ballots = _impulsions_vote(edition, data)
        # the ceremony, 28 November: the palmarès is proclaimed
        loader.at(paris(spec["ceremony"]["date"], 18))
        edition.publish()
        return _summary(loader, edition.forum_id, host, key=key, projects=len(edition.projects), ballots=ballots)


def _impulsions_national_jury(edition: Edition, data: dict[str, Any]) -> None:
    """One member per college, the two stated criteria; on 8 November the jury names its two laureates."""
    loader, national, host = edition.loader, data["national_jury"], edition.host
    loader.at(paris("2019-10-25", 9))
    for i, college in enumerate(national["colleges"]):
        member = loader.person(f"jury-national-{i + 1}", host, "agent", f"Membre du jury national, {college}")
        edition.as_host(AppointJuror, ("juror", i), person_id=member.person_id, organisation=host, college=college)
    criteria = tuple(Criterion(c["key"], c["label"]) for c in national["criteria"])
    edition.as_host(SetRules, "rules", rules=JuryRules(criteria=criteria, scale_min=1, scale_max=5))
    day = national["date"]
    loader.at(paris(day, 14))
    edition.as_host(OpenDeliberation, "deliberation-open")
    loader.at(paris(day, 17))
    edition.as_host(
        DesignateLaureates,
        "laureates",
        prize_key="prix_national",
        project_ids=[edition.projects[lau["organisation"]] for lau in national["laureates"]],
        rationale="Délibération du jury national sur les deux critères du règlement.",
    )
    loader.at(paris(day, 17, 30))
    edition.as_host(CloseDeliberation, "deliberation-close")


def _impulsions_vote(edition: Edition, data: dict[str, Any]) -> int:
    """The prix des académies: an online vote of the secretaries-general, never for their own académie."""
    loader = edition.loader
    academies = [o for o in data["edition"]["participants"] if o.startswith("ac-")]
    loader.at(paris(data["national_jury"]["date"], 18))
    edition.as_host(
        OrganiseVote,
        "vote",
        prize_key="prix_des_academies",
        electorate=[VoterIn(edition.organisers[a].person_id, a) for a in academies],
        opens_at=paris("2019-11-12", 9),
        closes_at=paris("2019-11-22", 18),
        allow_own_organisation=False,
        tie_break="draw",
        draw_seed="prix-impulsions-2019",
    )
    votes = data["prix_des_academies"]["votes"]
    for i, ballot in enumerate(votes):
        loader.at(paris("2019-11-13", 9 + i % 8, i))
        voter = loader.in_forum(edition.organisers[ballot["voter"]], edition.forum_id, forums.VOTER)
        edition.run(
            CastVote,
            voter,
            ("ballot", ballot["voter"]),
            prize_key="prix_des_academies",
            project_id=edition.projects[ballot["for_organisation"]],
        )
    loader.at(paris("2019-11-22", 18, 5))
    edition.as_host(CountVotes, "count", prize_key="prix_des_academies")
    return len(votes)


def load(app: ForumApplication, people: People, *, password: str = DEMO_PASSWORD) -> dict[str, dict[str, Any]]:
    """Both programmes (what ``forum demo`` runs after the organisations)."""
    return {
        FORUM_2019: load_forum_2019(app, people, password=password),
        IMPULSIONS_2019: load_impulsions_2019(app, people, password=password),
    }
