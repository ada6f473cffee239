"""The forum through the JSON API, against the real PostgreSQL: a forum run end to end with API tokens, every bad
input answered as problem+json naming its rule (and field), and the palmarès a 404 for outsiders until published."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import TestClient

from domain.idea_call import paris_end_of_day, paris_start_of_day
from forum.database import Database
from forum.entrypoints.bootstrap import resources
from forum.services import Services
from tests.accounts import Member, member
from tests.builders import calls
from tests.conftest import Clock, command_id
from web.app import create_app

FORUM = "/api/v1/forums/somme/forum-2019"
PUBLIC = "/api/v1/public/palmares"
DAY = datetime(2019, 11, 28, 13, 0, tzinfo=UTC)  # 14:00 in Amiens


@dataclass
class Api:
    client: TestClient  # type: ignore[type-arg]

    def request(self, method: str, path: str, who: Member | None, **kwargs: Any) -> Any:
        return self.client.request(method, path, headers=who.headers if who else {}, **kwargs)

    def get(self, path: str, who: Member | None = None, **kwargs: Any) -> Any:
        return self.request("GET", path, who, **kwargs)

    def send(self, method: str, path: str, who: Member | None, body: dict[str, Any] | None = None) -> Any:
        body = {"command_id": command_id(), **(body or {})}
        return self.request(method, path, who, json=body)

    def post(self, path: str, who: Member | None, body: dict[str, Any] | None = None) -> Any:
        return self.send("POST", path, who, body)

    def put(self, path: str, who: Member | None, body: dict[str, Any] | None = None) -> Any:
        return self.send("PUT", path, who, body)

    def ok(self, response: Any, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json()

    def settle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            projections = self.client.get("/health").json()["projections"]
            if all(p["behind_events"] == 0 for p in projections):
                return
            time.sleep(0.02)
        raise TimeoutError("the projector did not catch up")


def refused(response: Any, status: int, rule: str, field: str | None = None) -> dict[str, Any]:
    """A problem+json naming the rule (and the field), with a French sentence."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["rule"] == rule, problem
    assert problem["detail"]
    if field is not None:
        assert problem.get("field") == field, problem
    return problem


def store_count(db: Database) -> int:
    with db.connect(autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM store.forum_events").fetchone()
    assert row is not None
    return int(row[0])


@dataclass
class Cast:
    host: Member
    nord: Member
    oise: Member
    nord_agent: Member
    juror_nord: Member
    juror_oise: Member
    voter_nord: Member
    voter_oise: Member
    coach: Member
    auditor: Member
    outsider: Member
    projects: dict[str, str]


@pytest.fixture
def api(services: Services, clock: Clock) -> Iterator[Api]:
    clock.set(datetime(2019, 9, 2, 8, tzinfo=UTC))
    with TestClient(app=create_app(services, resources(services.db), run_projector=True)) as client:
        yield Api(client)


def selected_projects(services: Services, clock: Clock, organiser: Member, agent: Member, count: int) -> list[str]:
    """The organisation's autumn call: ``count`` projects selected, then one not."""
    org = organiser.organisation
    clock.set(datetime(2019, 9, 2, 9, tzinfo=UTC))
    call = calls.draft_call(
        services.app,
        organiser.actor,
        command_id(),
        organisation=org,
        title="Appel à idées des agents 2019",
        opens_at=paris_start_of_day(date(2019, 9, 16)),
        closes_at=paris_end_of_day(date(2019, 10, 18)),
        open_now=True,
    )
    clock.set(datetime(2019, 10, 1, 9, tzinfo=UTC))
    ids = []
    for i in range(count + 1):
        project = calls.draft_project(
            services.app,
            agent.actor,
            command_id(),
            call_organisation=org,
            call_id=UUID(call["id"]),
            title=f"Projet {org} {i + 1}",
            problem=f"Le problème {i + 1} de {org}.",
            solution="Une solution simple.",
            submit=True,
        )
        ids.append(project["id"])
    clock.set(datetime(2019, 10, 21, 9, tzinfo=UTC))
    for i, project_id in enumerate(ids):
        calls.decide_project(
            services.app,
            organiser.actor,
            command_id(),
            call_organisation=org,
            call_id=UUID(call["id"]),
            organisation=org,
            project_id=UUID(project_id),
            outcome="selected" if i < count else "not_selected",
            reason="" if i < count else "Hors champ.",
        )
    return ids


@pytest.fixture
def cast(services: Services, api: Api, clock: Clock) -> Cast:
    people = {
        "host": member(services, "somme", "organiser"),
        "nord": member(services, "nord", "organiser"),
        "oise": member(services, "oise", "organiser"),
        "nord_agent": member(services, "nord", "agent"),
        "juror_nord": member(services, "nord", "agent"),
        "juror_oise": member(services, "oise", "agent"),
        "voter_nord": member(services, "nord", "agent"),
        "voter_oise": member(services, "oise", "agent"),
        "coach": member(services, "beta-gouv", "agent"),
        "auditor": member(services, "somme", "auditor"),
        "outsider": member(services, "val-doise", "organiser"),
    }
    projects = {}
    for org, organiser in (("nord", people["nord"]), ("oise", people["oise"])):
        agent = people["nord_agent"] if org == "nord" else people["voter_oise"]
        for i, project_id in enumerate(selected_projects(services, clock, organiser, agent, 2), start=1):
            projects[f"{org}-{i}"] = project_id
    clock.set(datetime(2019, 9, 3, 8, tzinfo=UTC))
    api.settle()
    return Cast(**people, projects=projects)


def plan(api: Api, cast: Cast, clock: Clock) -> None:
    """Somme plans the forum, invites Nord and Oise (who accept), defines the prizes; the clock reaches November."""
    api.ok(
        api.post(
            "/api/v1/forums/somme",
            cast.host,
            {
                "key": "forum-2019",
                "title": "1er forum Innovations interdépartemental",
                "kind": "forum",
                "starts_on": "2019-11-28",
                "place": "Amiens",
                "quota": 2,
                "budget_cents": 1_000_000,
            },
        ),
        201,
    )
    api.ok(
        api.put(f"{FORUM}/prizes/laureats", cast.host, {"label": "Lauréats du forum", "kind": "main", "laureates": 2})
    )
    api.ok(api.put(f"{FORUM}/prizes/public", cast.host, {"label": "Prix du public", "kind": "vote"}))
    for org in ("nord", "oise"):
        api.ok(api.post(f"{FORUM}/invitations", cast.host, {"organisation": org}), 201)
    api.settle()
    api.ok(api.post(f"{FORUM}/invitations/nord/accept", cast.nord))
    api.ok(api.post(f"{FORUM}/invitations/oise/accept", cast.oise))
    clock.set(datetime(2019, 11, 4, 9, tzinfo=UTC))


def nominate(api: Api, cast: Cast, label: str) -> Any:
    organiser = cast.nord if label.startswith("nord") else cast.oise
    return api.post(f"{FORUM}/nominations", organiser, {"project_id": cast.projects[label]})


def prepare_jury(api: Api, cast: Cast, clock: Clock) -> None:
    plan(api, cast, clock)
    for label in ("nord-1", "nord-2", "oise-1", "oise-2"):
        api.ok(nominate(api, cast, label), 201)
    for juror in (cast.juror_nord, cast.juror_oise):
        body = {"person_id": juror.person_id, "organisation": juror.organisation, "college": "agent"}
        api.ok(api.post(f"{FORUM}/jurors", cast.host, body), 201)
    rules = {
        "criteria": [
            {"key": "usagers", "label": "Utilité pour les usagers", "weight": 3},
            {"key": "pitch", "label": "Clarté du pitch", "weight": 1},
        ],
        "scale_min": 1,
        "scale_max": 5,
    }
    api.ok(api.put(f"{FORUM}/jury/rules", cast.host, {"rules": rules}))
    clock.set(DAY)
    api.settle()  # the jurors' tokens now carry their forum role


def score(api: Api, juror: Member, cast: Cast, label: str, *, usagers: Any = 4, pitch: Any = 3, **extra: Any) -> Any:
    body = {"scores": {"usagers": usagers, "pitch": pitch}, **extra}
    return api.put(f"{FORUM}/scores/{cast.projects[label]}", juror, body)


# ---------------------------------------------------------------------------------------------------------------------


def test_a_forum_runs_end_to_end_through_the_api_and_its_palmares_is_public_only_once_published(
    api: Api, cast: Cast, clock: Clock
) -> None:
    prepare_jury(api, cast, clock)
    forum = api.ok(api.get(FORUM, cast.nord))
    assert [(p["organisation"], p["status"], p["nominated"]) for p in forum["participants"]] == [
        ("nord", "accepted", 2),
        ("oise", "accepted", 2),
    ]

    # jurors score from their phones; a resend with the same command id is saved once
    sheet = api.ok(api.get(f"{FORUM}/my-scores", cast.juror_nord))
    assert {line["title"]: line["status"] for line in sheet["lines"]} == {
        "Projet nord 1": "recused",
        "Projet nord 2": "recused",
        "Projet oise 1": "to_score",
        "Projet oise 2": "to_score",
    }
    body = {"command_id": "phone-nord-oise-1", "scores": {"usagers": 5, "pitch": 4}, "comment": "Clair."}
    path = f"{FORUM}/scores/{cast.projects['oise-1']}"
    first = api.ok(api.request("PUT", path, cast.juror_nord, json=body))
    again = api.ok(api.request("PUT", path, cast.juror_nord, json=body))
    assert first == again and first["revision"] == 1
    api.ok(score(api, cast.juror_nord, cast, "oise-2", usagers=2, pitch=2))
    api.ok(score(api, cast.juror_oise, cast, "nord-1", usagers=5, pitch=5))
    api.ok(score(api, cast.juror_oise, cast, "nord-2", usagers=3, pitch=1))
    api.settle()
    progress = api.ok(api.get(f"{FORUM}/progress", cast.host))
    assert (progress["scores"], progress["expected"]) == (4, 4)

    # before publication the palmarès is a 404 to anyone but the jury and the host
    forum_id = forum["forum_id"]
    for outsider in (None, cast.outsider, cast.nord, cast.nord_agent, cast.coach):
        refused(api.get(f"{PUBLIC}/{forum_id}", outsider), 404, "not_found")
    assert api.get(f"/palmares/{forum_id}").status_code == 404
    assert api.ok(api.get(f"{PUBLIC}/{forum_id}", cast.juror_oise))["published"] is False
    assert api.ok(api.get(f"{FORUM}/palmares", cast.host))["published"] is False
    refused(api.get(f"{FORUM}/palmares", cast.nord), 403, "forum_role_required")

    # the host ranks, deliberates, the vote prize is counted, then the palmarès is published at the ceremony
    ranking = api.ok(api.post(f"{FORUM}/ranking", cast.host), 201)["ranking"]
    assert [row["rank"] for row in ranking["rows"]] == [1, 2, 3, 4]
    api.ok(api.post(f"{FORUM}/deliberation/open", cast.host))
    winners = [cast.projects["nord-1"], cast.projects["oise-1"]]
    designated = api.ok(
        api.put(f"{FORUM}/deliberation/laureats", cast.host, {"project_ids": winners, "amounts": {winners[0]: 500_000}})
    )
    assert designated["departs_from_ranking"] is False
    api.ok(api.post(f"{FORUM}/deliberation/close", cast.host))
    electorate = [
        {"person_id": v.person_id, "organisation": v.organisation} for v in (cast.voter_nord, cast.voter_oise)
    ]
    opens = DAY + timedelta(hours=1)
    api.ok(
        api.put(
            f"{FORUM}/votes/public",
            cast.host,
            {
                "electorate": electorate,
                "opens_at": opens.isoformat(),
                "closes_at": (opens + timedelta(hours=1)).isoformat(),
                "draw_seed": "amiens-2019",
            },
        )
    )
    clock.set(opens + timedelta(minutes=5))
    api.settle()
    ballots = api.ok(api.get(f"{FORUM}/my-ballots", cast.voter_nord))
    assert [c["own_organisation"] for c in ballots[0]["candidates"]] == [True, True, False, False]
    api.ok(api.post(f"{FORUM}/votes/public/ballots", cast.voter_nord, {"project_id": cast.projects["oise-2"]}), 201)
    api.ok(api.post(f"{FORUM}/votes/public/ballots", cast.voter_oise, {"project_id": cast.projects["nord-2"]}), 201)
    clock.set(opens + timedelta(hours=2))
    counted = api.ok(api.post(f"{FORUM}/votes/public/count", cast.host))
    assert len(counted["count"]["laureates"]) == 1  # a tie settled by the draw published with the vote
    published = api.ok(api.post(f"{FORUM}/palmares/publish", cast.host))
    assert [e["title"] for e in published["palmares"]["prizes"][0]["laureates"]] == ["Projet nord 1", "Projet oise 1"]
    api.settle()

    # then it is public, at its slug, in the index, in open data, in the feed and on its page
    slug = "1er-forum-innovations-interdepartemental-2019"
    public = api.ok(api.get(f"{PUBLIC}/{slug}"))
    assert public["published"] is True and public["host_name"] == "Somme"
    laureats = public["prizes"][0]
    assert [(e["organisation"], e["title"], e["summary"], e["amount_cents"]) for e in laureats["laureates"]] == [
        ("nord", "Projet nord 1", "Le problème 1 de nord.", 500_000),
        ("oise", "Projet oise 1", "Le problème 1 de oise.", None),
    ]
    assert api.ok(api.get(f"{PUBLIC}/{forum_id}"))["slug"] == slug
    assert [e["slug"] for e in api.ok(api.get(PUBLIC))] == [slug]
    rows = api.ok(api.get("/api/v1/public/open-data/palmares.json"))
    assert [(r["prize_key"], r["title"], r["amount_euros"]) for r in rows][:2] == [
        ("laureats", "Projet nord 1", "5000.00"),
        ("laureats", "Projet oise 1", None),
    ]
    exported = api.get(f"{PUBLIC}/{slug}/laureates.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert exported.text.lstrip("\ufeff").splitlines()[0].startswith("palmares,forum_id,edition")
    assert "Projet oise 1" in exported.text
    page = api.get(f"/palmares/{slug}")
    assert page.status_code == 200 and 'lang="fr"' in page.text
    assert "Projet nord 1" in page.text and "5\u202f000\u00a0€" in page.text
    feed = api.get("/palmares/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert f"/palmares/{slug}" in feed.text and "<entry>" in feed.text
    index = api.get("/palmares")
    assert index.status_code == 200 and f'href="/palmares/{slug}"' in index.text

    # who voted is the host's to see, what each voted only the auditors'
    [vote] = api.ok(api.get(f"{FORUM}/votes", cast.host))
    assert vote["voted"] == 2 and vote["ballots"] is None
    [audited] = api.ok(api.get(f"{FORUM}/votes", cast.auditor))
    assert {b["project_id"] for b in audited["ballots"]} == {cast.projects["oise-2"], cast.projects["nord-2"]}


def test_every_bad_input_is_refused_with_its_rule_and_nothing_is_recorded(
    api: Api, cast: Cast, clock: Clock, db: Database
) -> None:
    prepare_jury(api, cast, clock)

    def unchanged(response: Any, status: int, rule: str, field: str | None = None) -> None:
        refused(response, status, rule, field)

    before = store_count(db)
    # a score outside the scale, naming the criterion
    unchanged(score(api, cast.juror_nord, cast, "oise-1", usagers=6), 422, "score_out_of_scale", "scores.usagers")
    # a score from a recused juror (their own département's project)
    unchanged(score(api, cast.juror_nord, cast, "nord-1"), 409, "own_organisation", "project_id")
    # a score that is not a number is a validation error naming the field
    response = score(api, cast.juror_nord, cast, "oise-1", usagers="cinq")
    assert response.status_code == 400 and "scores" in response.json()["detail"]
    # a nomination over quota, and of a project not selected locally
    clock.set(datetime(2019, 11, 4, 9, tzinfo=UTC))
    unchanged(nominate(api, cast, "nord-3"), 409, "not_selected_locally")
    api.ok(api.post(f"{FORUM}/nominations/{cast.projects['nord-2']}/withdraw", cast.nord))
    api.ok(nominate(api, cast, "nord-2"), 201)
    before = store_count(db)
    unchanged(nominate(api, cast, "nord-3"), 409, "not_selected_locally")
    clock.set(DAY)
    # a change of criteria after scoring began, without an amendment
    api.ok(score(api, cast.juror_nord, cast, "oise-1"))
    before = store_count(db)
    rules = {"criteria": [{"key": "usagers", "label": "Usagers"}], "scale_min": 1, "scale_max": 10}
    unchanged(api.put(f"{FORUM}/jury/rules", cast.host, {"rules": rules}), 409, "rules_locked", "rules")
    # a publication before deliberation
    unchanged(api.post(f"{FORUM}/palmares/publish", cast.host), 409, "palmares_not_deliberated")
    # an award over the budget (10 000 €)
    api.ok(score(api, cast.juror_nord, cast, "oise-2", usagers=1, pitch=1))
    for label, value in (("nord-1", 5), ("nord-2", 2)):
        api.ok(score(api, cast.juror_oise, cast, label, usagers=value, pitch=value))
    api.ok(api.post(f"{FORUM}/ranking", cast.host), 201)
    api.ok(api.post(f"{FORUM}/deliberation/open", cast.host))
    before = store_count(db)
    winners = [cast.projects["nord-1"], cast.projects["oise-1"]]
    over = {"project_ids": winners, "amounts": {winners[0]: 600_000, winners[1]: 500_000}}
    unchanged(api.put(f"{FORUM}/deliberation/laureats", cast.host, over), 409, "budget_exceeded", "amounts")
    assert store_count(db) == before
    api.ok(api.put(f"{FORUM}/deliberation/laureats", cast.host, {"project_ids": winners}))
    api.ok(api.post(f"{FORUM}/deliberation/close", cast.host))
    # a score after deliberation closed
    before = store_count(db)
    unchanged(score(api, cast.juror_nord, cast, "oise-1", usagers=5), 409, "deliberation_closed")
    # a vote outside its period, then a second vote
    electorate = [{"person_id": cast.voter_nord.person_id, "organisation": "nord"}]
    opens = DAY + timedelta(hours=2)
    closes = opens + timedelta(hours=1)
    vote = {"electorate": electorate, "opens_at": opens.isoformat(), "closes_at": closes.isoformat(), "draw_seed": "s"}
    api.ok(api.put(f"{FORUM}/votes/public", cast.host, vote))
    api.settle()
    before = store_count(db)
    ballot = {"project_id": cast.projects["oise-1"]}
    unchanged(api.post(f"{FORUM}/votes/public/ballots", cast.voter_nord, ballot), 409, "vote_not_open")
    clock.set(opens + timedelta(minutes=1))
    api.ok(api.post(f"{FORUM}/votes/public/ballots", cast.voter_nord, ballot), 201)
    before = store_count(db)
    unchanged(api.post(f"{FORUM}/votes/public/ballots", cast.voter_nord, ballot), 409, "already_voted", "voter_id")
    clock.set(opens + timedelta(hours=1))
    unchanged(api.post(f"{FORUM}/votes/public/ballots", cast.voter_nord, ballot), 409, "vote_closed")
    assert store_count(db) == before


def test_who_may_see_and_do_what(api: Api, cast: Cast, clock: Clock) -> None:
    plan(api, cast, clock)
    api.settle()
    # anonymous: 401; another organisation's forum: 404; the forum of one's organisation but not one's role: 403
    assert api.get(FORUM).status_code == 401
    refused(api.get(FORUM, cast.outsider), 404, "not_found")
    refused(api.post(f"{FORUM}/invitations", cast.outsider, {"organisation": "val-doise"}), 404, "not_found")
    refused(api.post(f"{FORUM}/invitations", cast.nord, {"organisation": "val-doise"}), 403, "forum_role_required")
    refused(api.get(f"{FORUM}/overview", cast.nord), 403, "forum_role_required")
    refused(api.post(f"{FORUM}/invitations/oise/decline", cast.nord), 403, "own_organisation_only")
    by_agent = api.post(f"{FORUM}/nominations", cast.nord_agent, {"project_id": cast.projects["nord-1"]})
    refused(by_agent, 403, "forum_role_required")
    refused(api.post("/api/v1/forums/somme", cast.nord, {"key": "x", "title": "X", "kind": "forum",
            "starts_on": "2019-11-28", "place": "Amiens", "quota": 1}), 404, "not_found")  # fmt: skip
    # a participant's organiser sees their own nominations only; the host sees all
    api.ok(nominate(api, cast, "nord-1"), 201)
    api.ok(nominate(api, cast, "oise-1"), 201)
    api.settle()
    assert [n["organisation"] for n in api.ok(api.get(f"{FORUM}/nominations", cast.nord))] == ["nord"]
    assert len(api.ok(api.get(f"{FORUM}/nominations", cast.host))) == 2
    assert api.ok(api.get(f"{FORUM}/overview", cast.auditor))["forum"]["title"]
    # the forum is named by its id as well as its key
    forum_id = api.ok(api.get(FORUM, cast.host))["forum_id"]
    assert api.ok(api.get(f"/api/v1/forums/somme/{forum_id}", cast.host))["forum_id"] == forum_id
    refused(api.get(f"/api/v1/forums/nord/{forum_id}", cast.host), 404, "not_found")
    # coaching sessions are private to the team, its coach and the host
    api.ok(
        api.post(f"{FORUM}/coaches", cast.host, {"person_id": cast.coach.person_id, "organisation": "beta-gouv"}), 201
    )
    rota = {"project_ids": [cast.projects["nord-1"]], "coach_ids": [cast.coach.person_id], "starts_at": DAY.isoformat()}
    api.ok(api.put(f"{FORUM}/coaching", cast.host, rota))
    api.settle()
    session = {"notes": "Notes.", "problem_statement": "Comment mieux orienter l'usager ?", "pitch_points": ["un"]}
    api.ok(api.post(f"{FORUM}/coaching/{cast.projects['nord-1']}/sessions", cast.coach, session), 201)
    api.settle()
    sessions = f"{FORUM}/coaching/{cast.projects['nord-1']}"
    for allowed in (cast.coach, cast.nord_agent, cast.host):
        assert len(api.ok(api.get(sessions, allowed))) == 1
    refused(api.get(sessions, cast.nord), 403, "coaching_private")
    refused(api.get(sessions, cast.outsider), 404, "not_found")
    assert [s["title"] for s in api.ok(api.get(f"{FORUM}/coaching", cast.coach))] == ["Projet nord 1"]
    # jurors only score: a participant's organiser is refused
    refused(score(api, cast.nord, cast, "oise-1"), 403, "forum_role_required")


# ---------------------------------------------------------------------------------------------------------------------
# The two 2019 programmes, loaded through the application's commands, end with the palmarès they published


def test_both_2019_programmes_end_with_the_published_palmares_as_the_public_api_shows_it(
    api: Api, services: Services
) -> None:
    from forum.entrypoints.demo.forum_2019 import load_forum_2019
    from forum.entrypoints.demo.impulsions_2019 import load_impulsions_2019
    from forum.entrypoints.demo.scenarios import scenario

    forum = load_forum_2019(services.app, services.people)
    impulsions = load_impulsions_2019(services.app, services.people)
    # and loading again changes nothing (every command id derives from the scenario)
    events = store_count(services.db)
    assert load_forum_2019(services.app, services.people) == forum
    assert store_count(services.db) == events
    api.settle()

    expected = scenario("forum-interdepartemental-2019.json")
    published = api.ok(api.get(f"{PUBLIC}/1er-forum-innovations-interdepartemental-2019"))
    assert published["forum_id"] == forum["forum_id"] and published["published"]
    numbers = {p["title"]: p["number"] for p in expected["projects"]}
    [laureats] = published["prizes"]
    assert [
        {"number": numbers[e["title"]], "organisation": e["organisation"], "title": e["title"]}
        for e in laureats["laureates"]
    ] == expected["expected_palmares"]
    assert len(published["finalists"]) == 15

    expected = scenario("impulsions-2019.json")["expected_palmares"]
    published = api.ok(api.get(f"{PUBLIC}/{impulsions['forum_id']}"))
    prizes = {p["key"]: p["laureates"] for p in published["prizes"]}
    assert [{"organisation": e["organisation"], "title": e["title"]} for e in prizes["prix_national"]] == expected[
        "prix_national"
    ]
    assert [e["rank"] for e in prizes["prix_national"]] == [1, 2]
    assert [{"organisation": e["organisation"], "title": e["title"]} for e in prizes["prix_des_academies"]] == (
        expected["prix_des_academies"]
    )
    assert prizes["prix_des_academies"][0]["votes"] == 6
    assert [
        {"organisation": e["organisation"], "title": e["title"], "category": e["category"]}
        for e in published["finalists"]
    ] == expected["laureats_academiques"]
    # both are in the public index, and the host's overview shows the jury's work
    assert {e["forum_id"] for e in api.ok(api.get(PUBLIC))} == {forum["forum_id"], impulsions["forum_id"]}
