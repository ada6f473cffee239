"""Calls for ideas through the JSON API, against the real PostgreSQL: the whole path of two teams, the bad inputs of
the issue, and who gets what."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from forum.database import Database
from forum.services import Services
from tests.accounts import Member, member
from tests.conftest import Clock
from tests.web.clients import Api
from tests.web.worlds import CALL
from tests.worlds.calls import AFTER, CONTENT, DURING


@dataclass
class People:
    """Nord runs the call, open to its partner Pas-de-Calais; Somme is a stranger to it."""

    organiser: Member
    agent: Member
    colleague: Member
    third: Member
    auditor: Member
    partner: Member
    somme_agent: Member
    somme_organiser: Member


@pytest.fixture
def people(services: Services, api: Api) -> People:
    enrolled = People(
        organiser=member(services, "nord", "organiser", name="Organisatrice du Nord"),
        agent=member(services, "nord", "agent", name="Agent de la MDPH"),
        colleague=member(services, "nord", "agent", name="Agente des collèges"),
        third=member(services, "nord", "agent", name="Agent des routes"),
        auditor=member(services, "nord", "auditor", name="Auditrice du Nord"),
        partner=member(services, "pas-de-calais", "agent", name="Agent du Pas-de-Calais"),
        somme_agent=member(services, "somme", "agent", name="Agent de la Somme"),
        somme_organiser=member(services, "somme", "organiser", name="Organisateur de la Somme"),
    )
    api.settle()  # tokens act with the roles of the people read model
    return enrolled


CALLS = "/api/v1/organisations/nord/calls"


def open_call(api: Api, people: People, clock: Clock, **overrides: Any) -> str:
    response = api.post(CALLS, people.organiser, {**CALL, **overrides})
    assert response.status_code == 201, response.text
    clock.set(DURING)
    api.settle()
    return str(response.json()["id"])


def answer(api: Api, actor: Member, call_id: str, **overrides: Any) -> Any:
    return api.post(f"{CALLS}/{call_id}/projects", actor, {**CONTENT, "submit": True, **overrides})


def store_count(db: Database, topic: str) -> int:
    with db.connect(autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM store.forum_events WHERE topic LIKE %s", (f"%{topic}",)).fetchone()
    assert row is not None
    return int(row[0])


# -- the whole path ----------------------------------------------------------------------------------------------------


def test_an_organiser_opens_a_call_two_teams_answer_one_is_selected_and_each_team_sees_its_outcome(
    api: Api, people: People, clock: Clock
) -> None:
    call_id = open_call(api, people, clock)
    # a Nord agent answers alone; a second answers with a colleague who accepts the invitation
    canteen = answer(api, people.agent, call_id)
    assert canteen.status_code == 201, canteen.text
    assert canteen.json()["status"] == "submitted"
    clock.advance(hours=2)
    roads = answer(api, people.colleague, call_id, title="Nids-de-poule signalés", category="projet en cours").json()
    roads_path = f"/api/v1/projects/nord/{roads['id']}"
    invited = api.post(
        f"{roads_path}/invitations", people.colleague, {"person": people.third.person_id, "organisation": "nord"}
    )
    assert invited.status_code == 200, invited.text
    assert api.post(f"{roads_path}/invitation/accept", people.third).status_code == 200
    api.settle()
    assert [p["title"] for p in api.get("/api/v1/me/projects", people.third).json()] == ["Nids-de-poule signalés"]
    assert api.get("/api/v1/me/notifications", people.third).json()[0]["kind"] == "invited"

    # the organiser follows the submissions, filters them, exports them, counts them
    submissions = api.get(f"{CALLS}/{call_id}/submissions", people.organiser).json()
    assert [s["title"] for s in submissions] == ["Cantine sans gaspillage", "Nids-de-poule signalés"]
    filtered = api.get(f"{CALLS}/{call_id}/submissions", people.organiser, params={"category": "projet en cours"})
    assert [s["title"] for s in filtered.json()] == ["Nids-de-poule signalés"]
    exported = api.get(f"{CALLS}/{call_id}/submissions.csv", people.organiser)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "Cantine sans gaspillage" in exported.text and "Public visé" in exported.text
    figures = api.get(f"{CALLS}/{call_id}/figures", people.organiser).json()
    assert figures["total"] == 2 and {"label": "idée", "count": 1} in figures["by_category"]

    # after the closing, the organiser decides, then records the selection
    clock.set(AFTER)
    for project, outcome, reason in (
        (canteen.json(), "selected", "Un gain immédiat pour les familles."),
        (roads, "not_selected", "Déjà prévu par la direction des routes."),
    ):
        decided = api.post(
            f"{CALLS}/{call_id}/decisions",
            people.organiser,
            {"project_organisation": "nord", "project_id": project["id"], "outcome": outcome, "reason": reason},
        )
        assert decided.status_code == 200, decided.text
    api.settle()
    recorded = api.post(f"{CALLS}/{call_id}/selection", people.organiser)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["selected"] == [canteen.json()["id"]]
    api.settle()

    # each team sees its outcome and its reason
    [mine] = api.get("/api/v1/me/projects", people.agent).json()
    assert (mine["decision"], mine["decision_reason"]) == ("selected", "Un gain immédiat pour les familles.")
    for teammate in (people.colleague, people.third):
        [theirs] = api.get("/api/v1/me/projects", teammate).json()
        assert theirs["decision"] == "not_selected"
        assert theirs["decision_reason"] == "Déjà prévu par la direction des routes."
        assert api.get("/api/v1/me/notifications", teammate).json()[0]["kind"] == "not_selected"


def test_a_partner_agent_answers_and_the_organiser_reads_the_project(api: Api, people: People, clock: Clock) -> None:
    call_id = open_call(api, people, clock)
    offered = api.get("/api/v1/me/calls", people.partner).json()
    assert [c["id"] for c in offered] == [call_id]
    assert api.get("/api/v1/me/calls", people.somme_agent).json() == []
    project = answer(api, people.partner, call_id).json()
    assert project["organisation"] == "pas-de-calais"
    api.settle()
    path = f"/api/v1/projects/pas-de-calais/{project['id']}"
    assert api.get(path, people.organiser).json()["title"] == "Cantine sans gaspillage"
    assert api.get(path, people.somme_organiser).status_code == 404
    assert api.get(path, people.agent).status_code == 404


# -- bad input ---------------------------------------------------------------------------------------------------------


def test_a_submission_after_the_closing_time_is_refused_with_the_time_and_nothing_is_recorded(
    api: Api, people: People, clock: Clock, db: Database
) -> None:
    call_id = open_call(api, people, clock)
    clock.set(AFTER)
    response = answer(api, people.agent, call_id)
    assert response.status_code == 409
    problem = response.json()
    assert problem["rule"] == "call_closed"
    assert "31/10/2019 à 23:59" in problem["detail"]
    assert store_count(db, "Project.Drafted") == 0
    api.settle()
    assert api.get("/api/v1/me/projects", people.agent).json() == []


def test_an_edit_after_the_closing_time_is_refused_and_nothing_is_recorded(
    api: Api, people: People, clock: Clock, db: Database
) -> None:
    call_id = open_call(api, people, clock)
    project = answer(api, people.agent, call_id).json()
    clock.set(AFTER)
    response = api.patch(f"/api/v1/projects/nord/{project['id']}", people.agent, {"title": "Trop tard"})
    assert response.status_code == 409 and response.json()["rule"] == "call_closed"
    assert "31/10/2019 à 23:59" in response.json()["detail"]
    assert store_count(db, "Project.Edited") == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "prototype financé"}, "category"),
        ({"theme": "espace"}, "theme"),
        ({"answers": {"etat": "idée"}}, "answers.public_vise"),
        ({"answers": {"public_vise": "x" * 101, "etat": "idée"}}, "answers.public_vise"),
        ({"answers": {"public_vise": "collégiens", "etat": "peut-être"}}, "answers.etat"),
        ({"title": "x" * 301}, "title"),
        ({"problem": ""}, "problem"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_records_nothing(
    api: Api, people: People, clock: Clock, db: Database, *, overrides: dict[str, Any], field: str
) -> None:
    call_id = open_call(api, people, clock)
    response = answer(api, people.agent, call_id, **overrides)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert response.headers["content-type"].startswith("application/problem+json")
    assert store_count(db, "Project.Drafted") == 0


def test_an_unknown_status_filter_is_a_422_naming_it(api: Api, people: People, clock: Clock) -> None:
    call_id = open_call(api, people, clock)
    response = api.get(f"{CALLS}/{call_id}/submissions", people.organiser, params={"status": "perdu"})
    assert response.status_code == 422 and response.json()["field"] == "status"


def test_an_unknown_json_field_is_a_400_naming_it(api: Api, people: People, clock: Clock) -> None:
    call_id = open_call(api, people, clock)
    response = answer(api, people.agent, call_id, colour="bleu")
    assert response.status_code == 400
    assert "colour" in response.json()["detail"]


def test_a_naive_closing_time_is_refused_naming_the_field(api: Api, people: People) -> None:
    response = api.post(CALLS, people.organiser, {**CALL, "closes_at": "2019-10-31T23:59:59"})
    assert response.status_code == 422 and response.json()["field"] == "closes_at"


def test_a_co_author_from_another_organisation_or_too_many_co_authors_are_refused(
    api: Api, people: People, clock: Clock
) -> None:
    call_id = open_call(api, people, clock)  # teams of three
    project = answer(api, people.agent, call_id).json()
    path = f"/api/v1/projects/nord/{project['id']}/invitations"
    foreign = api.post(path, people.agent, {"person": people.somme_agent.person_id, "organisation": "somme"})
    assert foreign.status_code == 409 and foreign.json()["rule"] == "co_author_from_another_organisation"
    for colleague in (people.colleague, people.third):
        assert api.post(path, people.agent, {"person": colleague.person_id, "organisation": "nord"}).status_code == 200
    full = api.post(path, people.agent, {"person": "2b1f0c3e-0d5a-4c47-9a8e-000000000004", "organisation": "nord"})
    assert full.status_code == 409 and full.json()["rule"] == "team_full"


def test_the_same_command_id_sent_twice_makes_one_project(api: Api, people: People, clock: Clock, db: Database) -> None:
    call_id = open_call(api, people, clock)
    body = {"command_id": "answer-canteen-1", **CONTENT, "submit": True}
    first = api.request("POST", f"{CALLS}/{call_id}/projects", people.agent, json=body)
    again = api.request("POST", f"{CALLS}/{call_id}/projects", people.agent, json=body)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert store_count(db, "Project.Drafted") == 1
    api.settle()
    assert len(api.get("/api/v1/me/projects", people.agent).json()) == 1


def test_versions_are_compared_after_an_edit(api: Api, people: People, clock: Clock) -> None:
    call_id = open_call(api, people, clock)
    project = answer(api, people.agent, call_id).json()
    path = f"/api/v1/projects/nord/{project['id']}"
    assert api.patch(path, people.agent, {"title": "Zéro gaspillage"}).json()["version"] == 2
    api.settle()
    comparison = api.get(f"{path}/compare", people.agent, params={"before": 1, "after": 2}).json()
    assert comparison["changes"] == [
        {"field": "title", "label": "titre", "before": "Cantine sans gaspillage", "after": "Zéro gaspillage"}
    ]
    assert api.get(f"{path}/compare", people.agent, params={"before": 1, "after": 9}).status_code == 404


# -- who gets what -----------------------------------------------------------------------------------------------------


def test_rights_on_a_call_and_its_submissions(api: Api, people: People, clock: Clock) -> None:
    call_id = open_call(api, people, clock)
    answer(api, people.agent, call_id)
    api.settle()
    submissions = f"{CALLS}/{call_id}/submissions"
    assert api.get(submissions, None).status_code == 401
    assert api.get(submissions, people.agent).status_code == 403
    assert api.get(submissions, people.auditor).status_code == 200
    assert api.get(submissions, people.somme_organiser).status_code == 404
    assert api.get(f"{CALLS}/{call_id}", people.agent).status_code == 200  # opened: its agents read it
    assert api.get(f"{CALLS}/{call_id}", people.partner).status_code == 200
    assert api.get(f"{CALLS}/{call_id}", people.somme_agent).status_code == 404
    assert api.post(f"{CALLS}/{call_id}/close", people.agent).status_code == 403
    assert api.post(f"{CALLS}/{call_id}/close", people.somme_organiser).status_code == 404
    assert api.post(CALLS, people.auditor, CALL).status_code == 403
    assert api.get("/api/v1/organisations/somme/calls", people.organiser).status_code == 404


def test_a_drafted_call_is_its_organisers_alone(api: Api, people: People) -> None:
    call_id = api.post(CALLS, people.organiser, {**CALL, "open": False}).json()["id"]
    api.settle()
    assert api.get(f"{CALLS}/{call_id}", people.organiser).json()["status"] == "drafted"
    assert api.get(f"{CALLS}/{call_id}", people.agent).status_code == 403
    assert api.get(f"{CALLS}/{call_id}", people.partner).status_code == 404
    assert api.get("/api/v1/me/calls", people.agent).json() == []


def test_the_announcement_is_public_once_published_and_shows_no_project(api: Api, people: People, clock: Clock) -> None:
    call_id = open_call(api, people, clock)
    answer(api, people.agent, call_id)
    api.settle()
    public = f"/api/v1/announcements/nord/{call_id}"
    assert api.get(public).status_code == 404
    assert api.post(f"{CALLS}/{call_id}/announcement", people.organiser).status_code == 200
    api.settle()
    page = api.get(public)
    assert page.status_code == 200
    assert page.json()["title"] == "Appel à idées innovantes 2019"
    assert "Cantine" not in page.text
    assert [a["id"] for a in api.get("/api/v1/announcements").json()] == [call_id]


def test_an_amendment_after_opening_is_shown_on_the_call(api: Api, people: People, clock: Clock) -> None:
    call_id = open_call(api, people, clock)
    refused = api.patch(f"{CALLS}/{call_id}", people.organiser, {"max_team_size": 4})
    assert refused.status_code == 422 and refused.json()["field"] == "reason"
    amended = api.patch(f"{CALLS}/{call_id}", people.organiser, {"max_team_size": 4, "reason": "Comme l'an dernier."})
    assert amended.status_code == 200, amended.text
    api.settle()
    [amendment] = api.get(f"{CALLS}/{call_id}", people.agent).json()["amendments"]
    assert amendment["reason"] == "Comme l'an dernier."
    assert amendment["changes"] == [{"field": "max_team_size", "before": "3", "after": "4"}]


def test_every_calls_endpoint_is_described_in_the_openapi_schema(api: Api, people: People) -> None:
    paths = api.get("/api/schema/openapi.json").json()["paths"]
    for path in (
        "/api/v1/organisations/{slug}/calls",
        "/api/v1/organisations/{slug}/calls/{call_id}/submissions.csv",
        "/api/v1/organisations/{slug}/calls/{call_id}/selection",
        "/api/v1/projects/{organisation}/{project_id}/invitation/accept",
        "/api/v1/me/projects",
        "/api/v1/announcements/{organisation}/{call_id}",
    ):
        assert path in paths, path
