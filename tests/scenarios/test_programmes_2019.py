"""Both 2019 programmes run end to end through the HTTP API, as their people would, at their 2019 times.

An administrator (created as the operator would, then signed in on the pages) registers the organisations and
invites their first organisers; organisers invite their agents, jurors and coaches; each person accepts the link
mailed to them (read from the outbox), signs in and creates an API token on their account page; everything else is
JSON over HTTP with each person's own token: calls for ideas, projects and co-authors, local selections, the forum
or prize edition, invitations, nominations, coaching, running order, pitches, jury, scores, ranking, deliberation,
the secretaries-general's vote and the publication. Each published palmarès, read from the public API, must equal
the scenario file's ``expected_palmares``. Between steps the application's clock is set to the scenario's time
(the domain refuses a nomination on the day or a ballot outside its period), as ``forum.entrypoints.demo`` does.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.values import PARIS
from forum.application import ForumApplication
from forum.database import Database
from forum.entrypoints.bootstrap import resources
from forum.entrypoints.demo.scenarios import scenario
from forum.services import Services
from forum.settings import Settings
from tests.conftest import Clock
from tests.settling import settle
from web.app import create_app

PASSWORD = "scenario-2019-mot-de-passe"  # every person's password in this test
PUBLIC = "/api/v1/public/palmares"
KINDS = {"partner": "partenaire"}  # the scenario files' word for the State incubator's kind
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
SECRET_TOKEN = re.compile(r'<code class="secret"[^>]*>([^<]+)</code>')
INVITATION_LINK = re.compile(r"/invitation/(\S+)")


def paris(day: str | date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.fromisoformat(str(day)).replace(hour=hour, minute=minute, tzinfo=PARIS)


@dataclass(frozen=True)
class Person:
    """Someone of the scenario, as the API knows them, with the token they created for themselves."""

    person_id: str
    organisation: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Service:
    """The service over HTTP, the scenario's clock, and the people who have joined so far."""

    client: TestClient  # type: ignore[type-arg]
    services: Services
    clock: Clock
    people: dict[str, Person] = field(default_factory=dict)
    ids: Iterator[int] = field(default_factory=itertools.count)

    # -- time and the read models -------------------------------------------------------------------------

    def at(self, when: datetime) -> None:
        self.clock.set(when)

    def settle(self) -> None:
        """Wait until the read models (which follow the commands asynchronously) have caught up."""
        settle(self.client, timeout=20.0)

    # -- JSON ---------------------------------------------------------------------------------------------

    def get(self, path: str, who: Person | None = None, status: int = 200) -> Any:
        response = self.client.get(path, headers=who.headers if who else {})
        assert response.status_code == status, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    def send(self, method: str, path: str, who: Person, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        """A command, with a fresh command id, as ``who``."""
        payload = {"command_id": f"scenario.{next(self.ids)}", **(body or {})}
        response = self.client.request(method, path, headers=who.headers, json=payload)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    def post(self, path: str, who: Person, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        return self.send("POST", path, who, body, status)

    def put(self, path: str, who: Person, body: dict[str, Any] | None = None) -> Any:
        return self.send("PUT", path, who, body)

    # -- people: invited by e-mail, joined on the pages, acting with their own API token ------------------

    def _token_page(self, csrf: str) -> str:
        """On « Mes jetons d'API », create a token; its value is shown once."""
        page = self.client.post("/compte/jetons", data={"_csrf_token": csrf, "name": "scénario 2019"})
        assert page.status_code == 201, page.text
        found = SECRET_TOKEN.search(page.text)
        assert found, page.text
        return found.group(1)

    def administrator(self, email: str) -> Person:
        """The operator creates the first administrator (``forum admin create``), who signs in on the pages."""
        person_id = self.services.people.create_admin(email, password=PASSWORD)
        self.settle()  # a session or token acts with the roles the people read model shows
        self.client.cookies.clear()
        form = self.client.get("/connexion")
        csrf = CSRF.search(form.text)
        assert csrf, form.text
        signed_in = self.client.post(
            "/connexion",
            data={"_csrf_token": csrf.group(1), "email": email, "password": PASSWORD, "suite": "/compte"},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303, signed_in.text
        person = Person(person_id, "platform", email, self._token_page(csrf.group(1)))
        self.client.cookies.clear()
        return person

    def invite(self, by: Person, label: str, organisation: str, role: str, name: str) -> Person:
        """``by`` invites a person; they open the link mailed to them, choose a password and create a token."""
        if label in self.people:
            return self.people[label]
        email = f"{label}@{organisation}.scenario.test"
        invited = self.post(
            f"/api/v1/organisations/{organisation}/members",
            by,
            {"email": email, "name": name, "role": role},
            status=201,
        )
        [mail] = self.services.mail.outbox(recipient=email, limit=1)
        link = INVITATION_LINK.search(mail.body)
        assert link, mail.body
        secret = link.group(1)
        self.client.cookies.clear()
        form = self.client.get(f"/invitation/{secret}")
        csrf = CSRF.search(form.text)
        assert form.status_code == 200 and csrf, form.text
        joined = self.client.post(
            f"/invitation/{secret}",
            data={"_csrf_token": csrf.group(1), "name": name, "password": PASSWORD, "confirm": PASSWORD},
            follow_redirects=False,
        )
        assert joined.status_code == 303, joined.text
        person = Person(invited["person_id"], organisation, email, self._token_page(csrf.group(1)))
        self.client.cookies.clear()
        self.settle()  # the token acts with the roles the people read model shows
        assert self.get("/api/v1/me", person)["person_id"] == person.person_id
        self.people[label] = person
        return person

    def register_organisations(self, admin: Person, data: dict[str, Any]) -> dict[str, str]:
        names = {}
        for org in data["organisations"]:
            body = {"slug": org["slug"], "name": org["name"], "kind": KINDS.get(org["kind"], org["kind"])}
            self.post("/api/v1/organisations", admin, body, status=201)
            names[org["slug"]] = org["name"]
        return names


@pytest.fixture
def service(db: Database, app: ForumApplication, clock: Clock) -> Iterator[Service]:
    """The real app in-process, its projector running; ``clock`` is the application's (``services.app.clock``)."""
    services = Services(settings=Settings(environment="test"), db=db, app=app)
    assert services.app.clock is clock
    clock.set(paris("2019-01-07", 9))
    with TestClient(app=create_app(services, resources(services.db), run_projector=True)) as client:
        yield Service(client, services, clock)


# ---------------------------------------------------------------------------------------------------------------------
# An organisation's call for ideas and its local selection


@dataclass(frozen=True)
class Entry:
    """A project to submit to a local call: its team (author first) and what they write."""

    ref: Any
    title: str
    team: tuple[Person, ...]
    category: str | None = None


def local_round(
    service: Service,
    organiser: Person,
    *,
    title: str,
    opens: str,
    closes: str,
    categories: list[str],
    entries: list[Entry],
    decided_at: datetime,
) -> dict[Any, str]:
    """The organiser opens a call; each team drafts its project, invites its co-authors (who accept) and submits
    it; after the closing the organiser selects every project and records the selection. Returns project ids."""
    org = organiser.organisation
    service.at(paris(opens) - timedelta(days=6))
    call = service.post(
        f"/api/v1/organisations/{org}/calls",
        organiser,
        {
            "title": title,
            "opens_at": paris(opens).isoformat(),
            "closes_at": paris(closes, 23, 59).isoformat(),
            "categories": categories,
            "open": True,
        },
        status=201,
    )
    calls = f"/api/v1/organisations/{org}/calls/{call['id']}"
    projects: dict[Any, str] = {}
    for i, entry in enumerate(entries):
        service.at(paris(opens, 10) + timedelta(days=7, minutes=i))
        author, *co_authors = entry.team
        body = {
            "title": entry.title,
            "problem": entry.title,
            "solution": "Présentée par l'équipe au jury.",
            "category": entry.category,
        }
        drafted = service.post(f"{calls}/projects", author, body, status=201)
        project = f"/api/v1/projects/{org}/{drafted['id']}"
        for colleague in co_authors:
            service.post(f"{project}/invitations", author, {"person": colleague.person_id, "organisation": org})
            service.post(f"{project}/invitation/accept", colleague)
        assert service.post(f"{project}/submit", author)["status"] == "submitted"
        projects[entry.ref] = drafted["id"]
    service.at(decided_at)
    for project_id in projects.values():
        decision = {
            "project_organisation": org,
            "project_id": project_id,
            "outcome": "selected",
            "reason": "Retenu pour représenter l'organisation.",
        }
        service.post(f"{calls}/decisions", organiser, decision)
    service.at(decided_at + timedelta(hours=1))
    service.settle()  # the selection reads the submissions' read model
    selection = service.post(f"{calls}/selection", organiser)
    assert sorted(selection["selected"] or []) == sorted(projects.values()), selection
    return projects


def published(service: Service, slug: str) -> dict[str, Any]:
    """The published palmarès from the public API; it is in the index, on its public page, and unchanged it
    answers ``304 Not Modified`` to a client that holds it."""
    service.settle()
    palmares: dict[str, Any] = service.get(f"{PUBLIC}/{slug}")
    assert palmares["published"]
    assert slug in {entry["slug"] for entry in service.get(PUBLIC)}
    page = service.client.get(f"/palmares/{slug}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for prize in palmares["prizes"]:
        for laureate in prize["laureates"]:
            assert laureate["title"] in text, laureate["title"]
    for path in (f"{PUBLIC}/{slug}", f"/palmares/{slug}"):
        etag = service.client.get(path).headers["etag"]
        assert service.client.get(path, headers={"If-None-Match": etag}).status_code == 304
    return palmares


# ---------------------------------------------------------------------------------------------------------------------
# Forum Innovations interdépartemental, Amiens, 28 November 2019


def test_the_interdepartmental_forum_of_2019_run_through_the_api_publishes_its_palmares(service: Service) -> None:
    data = scenario("forum-interdepartemental-2019.json")
    spec = data["forum"]
    host, day, slug = spec["host"], spec["date"], "1er-forum-innovations-interdepartemental-2019"
    forum = f"/api/v1/forums/{host}/forum-interdepartemental-2019"

    # the platform: an administrator registers the organisations and invites each one's first organiser
    service.at(paris("2019-09-02", 9))
    admin = service.administrator("admin@scenario.test")
    names = service.register_organisations(admin, data)
    organisers = {
        org: service.invite(admin, f"organisateur-{org}", org, "organiser", f"Organisateur — {names[org]}")
        for org in spec["participants"]
    }
    the_host = organisers[host]

    # September: the host plans the day, defines the prize and invites the départements, who accept
    service.at(paris("2019-09-02", 10))
    planned = service.post(
        f"/api/v1/forums/{host}",
        the_host,
        {
            "key": "forum-interdepartemental-2019",
            "title": spec["title"],
            "kind": "forum",
            "starts_on": day,
            "place": spec["place"],
            "quota": spec["quota_per_organisation"],
        },
        status=201,
    )
    prize = {"label": "Lauréats du forum", "kind": "main", "laureates": spec["laureates_count"]}
    service.put(f"{forum}/prizes/laureats", the_host, prize)
    for org in spec["participants"]:
        service.at(paris("2019-09-02", 11))
        service.post(f"{forum}/invitations", the_host, {"organisation": org}, status=201)
        service.at(paris("2019-09-09", 9))
        assert service.post(f"{forum}/invitations/{org}/accept", organisers[org])["status"] == "accepted"

    # autumn: each département's organiser invites its agents, runs its call for ideas and selects three projects
    projects: dict[int, str] = {}
    for local in data["local_calls"]:
        org = local["organisation"]
        service.at(paris(local["opens"]) - timedelta(days=7))
        entries = []
        for p in (p for p in data["projects"] if p["organisation"] == org):
            team = tuple(
                service.invite(organisers[org], f"agent-{org}-{p['number']}-{i}", org, "agent", m["role"].capitalize())
                for i, m in enumerate(p["team"])
            )
            entries.append(Entry(p["number"], p["title"], team))
        projects |= local_round(
            service,
            organisers[org],
            title=local["title"],
            opens=local["opens"],
            closes=local["closes"],
            categories=[],
            entries=entries,
            decided_at=paris(local["closes"], 10) + timedelta(days=3),
        )

    # November: each département nominates its three projects
    service.at(paris("2019-11-04", 10))
    for p in data["projects"]:
        nominated = service.post(
            f"{forum}/nominations", organisers[p["organisation"]], {"project_id": projects[p["number"]]}, status=201
        )
        assert nominated["title"] == p["title"]

    # the jury: three colleges per département, invited by their département, appointed by the host; the rules
    service.at(paris("2019-11-18", 10))
    jury = spec["jury"]
    jurors = {}
    for j in jury["jurors"]:
        org = j["organisation"]
        name = f"Juré·e, {j['college']} — {names[org]}"
        jurors[j["id"]] = juror = service.invite(organisers[org], f"jure-{j['id']}", org, "agent", name)
        appointed = {"person_id": juror.person_id, "organisation": org, "college": j["college"]}
        service.post(f"{forum}/jurors", the_host, appointed, status=201)
    low, high = jury["scale"]
    rules = {
        "criteria": [{"key": c["key"], "label": c["label"], "weight": c["weight"]} for c in jury["criteria"]],
        "scale_min": low,
        "scale_max": high,
        "quorum": 10,
        "normalisation": "none",
        "tie_break": ["criteria"],
    }
    service.put(f"{forum}/jury/rules", the_host, {"rules": rules})

    # the coaches of the State's incubator (enrolled by the administrator), appointed and assigned a rota
    partner = spec["coaching"]["partner"]
    coaches = {}
    for i in range(spec["coaching"]["coaches"]):
        coach = service.invite(admin, f"coach-{i + 1}", partner, "agent", f"Coach {i + 1} — {names[partner]}")
        service.post(f"{forum}/coaches", the_host, {"person_id": coach.person_id, "organisation": partner}, status=201)
        coaches[coach.person_id] = coach
    teams = [projects[p["number"]] for p in data["projects"]]
    service.at(paris("2019-11-20", 9))
    rota = {"project_ids": teams, "coach_ids": list(coaches), "starts_at": paris(day, 9).isoformat(), "minutes": 50}
    assert service.put(f"{forum}/coaching", the_host, rota)["assigned"] == len(teams)
    service.settle()

    # the day, morning: each coach records the session of each team assigned to them
    titles = {projects[p["number"]]: p["title"] for p in data["projects"]}
    for slot in sorted(service.get(f"{forum}/coaching", the_host), key=lambda s: s["ends_at"]):
        service.at(datetime.fromisoformat(slot["ends_at"]))
        title = titles[slot["project_id"]]
        session = {
            "notes": "Problématisation : pour qui, quel irritant, quelle preuve.",
            "problem_statement": f"Comment {title[0].lower()}{title[1:]} ?",
            "pitch_points": ["le problème vécu par l'usager", "la solution testée", "ce qu'il faut pour trois mois"],
        }
        service.post(f"{forum}/coaching/{slot['project_id']}/sessions", coaches[slot["coach_id"]], session, status=201)

    # the afternoon: the running order, then each team's three minutes on stage
    service.at(paris(day, 12))
    pitch = spec["pitch"]
    order = {
        "project_ids": teams,
        "starts_at": paris(day, 14).isoformat(),
        "pitch_seconds": pitch["pitch_minutes"] * 60,
        "questions_seconds": pitch["questions_minutes"] * 60,
    }
    service.put(f"{forum}/running-order", the_host, order)
    service.settle()
    for slot in service.get(f"{forum}/running-order", the_host):
        service.at(datetime.fromisoformat(slot["starts_at"]) + timedelta(seconds=slot["pitch_seconds"]))
        delivered = {"duration_seconds": slot["pitch_seconds"]}
        service.post(f"{forum}/pitches/{slot['project_id']}", the_host, delivered, status=201)

    # the jurors score on their phones, each with their own token (never a project of their own département)
    for i, s in enumerate(data["scores"]):
        service.at(paris(day, 16) + timedelta(seconds=20 * i))
        saved = service.put(f"{forum}/scores/{projects[s['project']]}", jurors[s["juror"]], {"scores": s["scores"]})
        assert saved["scores"] == s["scores"] and saved["juror_id"] == jurors[s["juror"]].person_id
    # the palmarès is secret until the ceremony
    service.settle()
    service.get(f"{PUBLIC}/{slug}", status=404)
    service.get(f"{PUBLIC}/{planned['id']}", status=404)

    # the ranking, then the deliberation follows it: the first eight are the laureates
    service.at(paris(day, 17, 30))
    ranking = service.post(f"{forum}/ranking", the_host, status=201)["ranking"]
    laureates = top(ranking, spec["laureates_count"])
    service.at(paris(day, 17, 35))
    service.post(f"{forum}/deliberation/open", the_host)
    service.at(paris(day, 18))
    service.put(f"{forum}/deliberation/laureats", the_host, {"project_ids": laureates})
    service.at(paris(day, 18, 10))
    service.post(f"{forum}/deliberation/close", the_host)
    service.at(paris(day, 18, 30))
    service.post(f"{forum}/palmares/publish", the_host)

    # the public palmarès is the one the forum published in 2019
    palmares = published(service, slug)
    assert palmares["forum_id"] == planned["id"]
    numbers = {p["title"]: p["number"] for p in data["projects"]}
    [prize_laureates] = palmares["prizes"]
    assert [
        {"number": numbers[e["title"]], "organisation": e["organisation"], "title": e["title"]}
        for e in prize_laureates["laureates"]
    ] == data["expected_palmares"]
    assert len(palmares["finalists"]) == len(data["projects"])


def top(ranking: dict[str, Any], count: int) -> list[str]:
    """The first ``count`` projects of a recorded ranking; a tie across the cut would need the jury."""
    rows = sorted((r for r in ranking["rows"] if r["rank"] is not None), key=lambda r: r["rank"])
    chosen = [r["project_id"] for r in rows[:count]]
    if len(rows) > count:
        assert rows[count]["rank"] != rows[count - 1]["rank"], "a tie straddles the cut"
    return chosen


# ---------------------------------------------------------------------------------------------------------------------
# Prix Impulsions 2019


def test_the_prix_impulsions_2019_run_through_the_api_publishes_its_palmares(service: Service) -> None:
    data = scenario("impulsions-2019.json")
    spec, national = data["edition"], data["national_jury"]
    host, slug = spec["host"], "prix-impulsions-2019-de-la-modernisation-administrative"
    forum = f"/api/v1/forums/{host}/prix-impulsions-2019"

    # the platform: the administrator registers the académies and the ministry, and invites their organisers
    # (each académie's secretary-general, who runs its local prize and votes for the prix des académies)
    service.at(paris("2019-02-15", 9))
    admin = service.administrator("admin@scenario.test")
    names = service.register_organisations(admin, data)
    organisers = {}
    for org in spec["participants"]:
        who = "Secrétaire général" if org.startswith("ac-") else "Organisateur"
        organisers[org] = service.invite(admin, f"sg-{org}", org, "organiser", f"{who} — {names[org]}")
    the_host = organisers[host]

    # February: the ministry plans the edition and its two prizes, and invites the académies, who accept
    service.at(paris("2019-02-15", 10))
    planned = service.post(
        f"/api/v1/forums/{host}",
        the_host,
        {
            "key": "prix-impulsions-2019",
            "title": spec["title"],
            "kind": "prize",
            "starts_on": national["date"],
            "ends_on": spec["ceremony"]["date"],
            "place": spec["ceremony"]["place"],
            "quota": spec["quota_per_organisation"],
            "categories": spec["categories"],
        },
        status=201,
    )
    service.put(
        f"{forum}/prizes/prix_national",
        the_host,
        {"label": "Prix national", "kind": "main", "laureates": 2, "ranked": True},
    )
    service.put(f"{forum}/prizes/prix_des_academies", the_host, {"label": "Prix des académies", "kind": "vote"})
    for org in spec["participants"]:
        service.at(paris("2019-02-15", 11))
        service.post(f"{forum}/invitations", the_host, {"organisation": org}, status=201)
        service.at(paris("2019-02-20", 9))
        assert service.post(f"{forum}/invitations/{org}/accept", organisers[org])["status"] == "accepted"

    # March–October: each local prize; its laureate's author submits, the local jury selects it
    finalists = {f["organisation"]: f for f in data["finalists"]}
    projects: dict[str, str] = {}
    for local in data["local_calls"]:
        org = local["organisation"]
        service.at(paris(local["opens"]) - timedelta(days=7))
        author = service.invite(
            organisers[org], f"agent-{org}", org, "agent", f"Porteur du projet lauréat — {names[org]}"
        )
        finalist = finalists[org]
        projects |= local_round(
            service,
            organisers[org],
            title=f"Prix Impulsions 2019 — {names[org]}",
            opens=local["opens"],
            closes=local["closes"],
            categories=spec["categories"],
            entries=[Entry(org, finalist["title"], (author,), finalist["category"])],
            decided_at=paris("2019-10-15", 10),
        )

    # October: each local laureate is nominated (quota 1), in the booklet's order
    service.at(paris("2019-10-21", 9))
    for f in data["finalists"]:
        nominated = service.post(
            f"{forum}/nominations", organisers[f["organisation"]], {"project_id": projects[f["organisation"]]}, 201
        )
        assert nominated["title"] == f["title"]

    # the national jury, one member per college, on the two stated criteria; on 8 November, its two laureates
    service.at(paris("2019-10-25", 9))
    for i, college in enumerate(national["colleges"]):
        member = service.invite(
            the_host, f"jury-national-{i + 1}", host, "agent", f"Membre du jury national, {college}"
        )
        appointed = {"person_id": member.person_id, "organisation": host, "college": college}
        service.post(f"{forum}/jurors", the_host, appointed, status=201)
    criteria = [{"key": c["key"], "label": c["label"]} for c in national["criteria"]]
    service.put(f"{forum}/jury/rules", the_host, {"rules": {"criteria": criteria, "scale_min": 1, "scale_max": 5}})
    service.at(paris(national["date"], 14))
    service.post(f"{forum}/deliberation/open", the_host)
    service.at(paris(national["date"], 17))
    designated = {
        "project_ids": [projects[lau["organisation"]] for lau in national["laureates"]],
        "rationale": "Délibération du jury national sur les deux critères du règlement.",
    }
    service.put(f"{forum}/deliberation/prix_national", the_host, designated)
    service.at(paris(national["date"], 17, 30))
    service.post(f"{forum}/deliberation/close", the_host)

    # the prix des académies: an online vote of the secretaries-general, never for their own académie
    academies = [org for org in spec["participants"] if org.startswith("ac-")]
    service.at(paris(national["date"], 18))
    vote = {
        "electorate": [{"person_id": organisers[a].person_id, "organisation": a} for a in academies],
        "opens_at": paris("2019-11-12", 9).isoformat(),
        "closes_at": paris("2019-11-22", 18).isoformat(),
        "allow_own_organisation": False,
        "tie_break": "draw",
        "draw_seed": "prix-impulsions-2019",
    }
    assert service.put(f"{forum}/votes/prix_des_academies", the_host, vote)["electorate"] == len(academies)
    service.settle()  # the voters' tokens carry their new role once the people read model has it
    votes = data["prix_des_academies"]["votes"]
    for i, ballot in enumerate(votes):
        service.at(paris("2019-11-13", 9 + i % 8, i))
        voter = organisers[ballot["voter"]]
        cast = {"project_id": projects[ballot["for_organisation"]]}
        assert service.post(f"{forum}/votes/prix_des_academies/ballots", voter, cast, status=201)["voted"]
    service.settle()
    [counted] = service.get(f"{forum}/votes", the_host)
    assert counted["voted"] == len(votes) and counted["ballots"] is None, counted  # who voted, never for what
    service.at(paris("2019-11-22", 18, 5))
    service.post(f"{forum}/votes/prix_des_academies/count", the_host)
    # nothing is public before the ceremony
    service.settle()
    service.get(f"{PUBLIC}/{slug}", status=404)

    # the ceremony, 28 November: the palmarès is proclaimed, and it is the one of 2019
    service.at(paris(spec["ceremony"]["date"], 18))
    service.post(f"{forum}/palmares/publish", the_host)
    palmares = published(service, slug)
    assert palmares["forum_id"] == planned["id"]
    expected = data["expected_palmares"]
    prizes = {p["key"]: p["laureates"] for p in palmares["prizes"]}
    assert [{"organisation": e["organisation"], "title": e["title"]} for e in prizes["prix_national"]] == expected[
        "prix_national"
    ]
    assert [e["rank"] for e in prizes["prix_national"]] == [1, 2]
    assert [{"organisation": e["organisation"], "title": e["title"]} for e in prizes["prix_des_academies"]] == (
        expected["prix_des_academies"]
    )
    assert [
        {"organisation": e["organisation"], "title": e["title"], "category": e["category"]}
        for e in palmares["finalists"]
    ] == expected["laureats_academiques"]
