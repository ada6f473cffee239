"""After the forum through the JSON API, against the real PostgreSQL: pre-incubation, portfolio, path, funnel,
convergence, practices and their lineage; the bad inputs of the issue, and who may read or do what."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from forum.database import Database
from forum.services import Services
from tests.accounts import Member, member
from tests.conftest import Clock, command_id
from tests.web.clients import Api
from tests.worlds.laureates import FORUM, SHEET, given_palmares, given_project


@dataclass
class People:
    oise: Member
    oise_auditor: Member
    oise_agent: Member
    somme: Member
    nord: Member
    pdc: Member


@pytest.fixture
def people(services: Services, api: Api) -> People:
    enrolled = People(
        oise=member(services, "oise", "organiser", name="Organisatrice de l'Oise"),
        oise_auditor=member(services, "oise", "auditor"),
        oise_agent=member(services, "oise", "agent"),
        somme=member(services, "somme", "organiser", name="Organisateur de la Somme"),
        nord=member(services, "nord", "organiser"),
        pdc=member(services, "pas-de-calais", "organiser"),
    )
    api.settle()
    return enrolled


PRE = "/api/v1/organisations/oise/pre-incubations"


@dataclass
class Laureates:
    oise: UUID
    somme: UUID
    nord: UUID


def laureates(services: Services, api: Api, people: People) -> Laureates:
    """Oise's canteens (its agent in the team) and Somme's school restaurants win; Nord's interlocutor does not."""
    app = services.app
    oise = given_project(app, "oise", "Communication des cantines des collèges", author=people.oise_agent.person_id)
    somme = given_project(app, "somme", "Transition des cantines scolaires en restaurants scolaires")
    nord = given_project(app, "nord", "Le bon interlocuteur dans le domaine social")
    given_palmares(
        app, [(oise, "oise", "Cantines"), (somme, "somme", "Restaurants"), (nord, "nord", "Social")], [oise, somme]
    )
    api.settle()
    return Laureates(oise, somme, nord)


def start(api: Api, actor: Member, project_id: UUID, organisation: str = "oise", **changes: Any) -> Any:
    body = {
        "project_id": str(project_id),
        "reason": "laureat",
        "forum_id": str(FORUM),
        "sponsor": "directrice de l'éducation",
        "started_on": "2019-12-02",
        "hours_per_week": "7",
        "budget_cents": 500_000,
        "partner": "beta-gouv",
        **changes,
    }
    return api.post(f"/api/v1/organisations/{organisation}/pre-incubations", actor, body)


def test_an_organiser_runs_a_laureates_pre_incubation_and_follows_it(
    services: Services, api: Api, people: People, clock: Clock
) -> None:
    won = laureates(services, api, people)
    # the forum's host is found from the forum when not given
    started = start(api, people.oise, won.oise)
    assert started.status_code == 201, started.text
    assert started.json()["deadline"] == "2020-03-02"
    milestone = api.post(f"{PRE}/{won.oise}/milestones", people.oise, {"title": "Menus en ligne", "due": "2020-01-15"})
    assert (milestone.status_code, milestone.json()["number"]) == (201, 1)
    stage = api.post(f"{PRE}/{won.oise}/stage", people.oise, {"stage": "prototypage", "reason": "Pilote"})
    assert stage.status_code == 200
    vigilance = api.post(f"{PRE}/{won.oise}/vigilance", people.oise, {"text": "La porteuse part en mars."})
    assert vigilance.json()["number"] == 1
    api.settle()
    # then the pre-incubation reads with its flags, for the day asked
    view = api.get(f"{PRE}/{won.oise}", people.oise, params={"today": "2020-02-01"}).json()
    assert (view["stage_label"], view["overdue_milestones"], view["open_vigilance"]) == ("Prototypage", 1, 1)
    assert view["forum_host"] == "somme"
    # the board groups it by stage, for its organisation and for the forum's host
    board = api.get("/api/v1/organisations/oise/portfolio", people.oise_auditor, params={"today": "2020-02-01"}).json()
    assert [c["stage"] for c in board["columns"] if c["cards"]] == ["prototypage"]
    assert board["flagged"] == 1
    host_board = api.get("/api/v1/portfolio", people.somme).json()
    assert [card["project_id"] for col in host_board["columns"] for card in col["cards"]] == [str(won.oise)]
    assert api.get("/api/v1/portfolio", people.nord).json()["total"] == 0
    # its path runs from the call to the pre-incubation, for the team and the organisation
    path = api.get(f"/api/v1/organisations/oise/projects/{won.oise}/path", people.oise_agent)
    assert path.status_code == 200, path.text
    phases = list(dict.fromkeys(step["phase"] for step in path.json()["steps"]))
    assert phases == ["call", "selection", "forum", "prize", "pre_incubation"]
    assert api.get(f"/api/v1/organisations/oise/projects/{won.oise}/path", people.somme).status_code == 200
    # an outcome closes it
    outcome = api.post(f"{PRE}/{won.oise}/outcome", people.oise, {"outcome": "transfere", "owner": "DSI"})
    assert outcome.json()["outcome"] == "transfere"


def test_the_bad_inputs_of_the_issue_are_refused_with_a_message(
    services: Services, api: Api, people: People, db: Database
) -> None:
    won = laureates(services, api, people)
    assert start(api, people.oise, won.oise).status_code == 201
    other = given_project(services.app, "oise", "Covoiturage", nominate_to=None)
    before = _events(db, "oise")
    # an unknown stage
    unknown = api.post(f"{PRE}/{won.oise}/stage", people.oise, {"stage": "incubation", "reason": "?"})
    assert unknown.status_code == 422
    assert (unknown.json()["field"], unknown.headers["content-type"]) == ("stage", "application/problem+json")
    # a milestone due after the deadline without extending it
    late = api.post(f"{PRE}/{won.oise}/milestones", people.oise, {"title": "Bilan", "due": "2020-06-01"})
    assert (late.status_code, late.json()["rule"]) == (409, "milestone_after_deadline")
    assert "prolongez" in late.json()["detail"]
    # an outcome on a project not in pre-incubation
    missing = api.post(f"{PRE}/{other}/outcome", people.oise, {"outcome": "deploye"})
    assert missing.status_code == 404
    # a « laureate » the palmarès does not list
    loser = start(api, people.nord, won.nord, organisation="nord")
    assert (loser.status_code, loser.json()["rule"]) == (409, "not_a_laureate")
    # malformed bodies never reach the application
    assert api.post(f"{PRE}/{won.oise}/stage", people.oise, {"stage": "prototypage"}).status_code == 400
    assert api.post(f"{PRE}/{won.oise}/notes", people.oise, {"text": "x", "extra": 1}).status_code == 400
    # and nothing was recorded
    assert _events(db, "oise") == before


def _events(db: Database, organisation: str) -> int:
    with db.connect(autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM store.forum_events WHERE organisation = %s", (organisation,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_who_may_read_and_act(services: Services, api: Api, people: People) -> None:
    won = laureates(services, api, people)
    start(api, people.oise, won.oise)
    api.settle()
    note = {"text": "Avancement"}
    # anonymous: 401; another organisation's organiser: 404; its auditor and agents: 403
    assert api.post(f"{PRE}/{won.oise}/notes", None, note).status_code == 401
    assert api.post(f"{PRE}/{won.oise}/notes", people.nord, note).status_code == 404
    assert api.post(f"{PRE}/{won.oise}/notes", people.oise_auditor, note).status_code == 403
    assert api.post(f"{PRE}/{won.oise}/notes", people.oise_agent, note).status_code == 403
    # reading: the auditor may, Nord may not, whatever it asks for
    assert api.get(f"{PRE}/{won.oise}", people.oise_auditor).status_code == 200
    assert api.get(f"{PRE}/{won.oise}", people.nord).status_code == 404
    assert api.get("/api/v1/organisations/oise/portfolio", people.nord).status_code == 404
    assert api.get("/api/v1/organisations/oise/portfolio", people.oise_agent).status_code == 403
    assert api.get(f"/api/v1/organisations/oise/projects/{won.oise}/path", people.nord).status_code == 404
    assert api.get(f"/api/v1/organisations/nord/projects/{won.oise}/path", people.nord).status_code == 404
    assert api.get("/api/v1/portfolio").status_code == 401


def test_a_forums_funnel_is_public_once_its_palmares_is(services: Services, api: Api, people: People) -> None:
    oise = given_project(services.app, "oise", "Cantines")
    given_palmares(services.app, [(oise, "oise", "Cantines")], [oise], publish=False)
    api.settle()
    # before the palmarès: the host's organisers only
    assert api.get(f"/api/v1/public/forums/{FORUM}/funnel").status_code == 404
    assert api.get(f"/api/v1/forums/{FORUM}/funnel", people.oise).status_code == 404
    funnel = api.get(f"/api/v1/forums/{FORUM}/funnel", people.somme)
    assert funnel.status_code == 200
    assert {s["key"]: s["count"] for s in funnel.json()["steps"]}["laureate"] == 0


def test_convergent_projects_are_shown_to_the_organisers_concerned(
    services: Services, api: Api, people: People
) -> None:
    won = laureates(services, api, people)
    groups = api.get("/api/v1/organisations/oise/convergences", people.oise).json()
    assert [[p["project_id"] for p in g["projects"]] for g in groups] == [[str(won.oise), str(won.somme)]]
    assert api.get("/api/v1/organisations/somme/convergences", people.somme).json() == groups
    assert api.get("/api/v1/organisations/nord/convergences", people.nord).json() == []
    assert api.get("/api/v1/organisations/oise/convergences", people.oise_auditor).status_code == 403
    assert api.get("/api/v1/organisations/oise/convergences", people.nord).status_code == 404


def sheet(**changes: Any) -> dict[str, Any]:
    return {**SHEET, **changes}


def test_a_practice_is_published_found_in_french_and_adopted_in_a_lineage(
    services: Services, api: Api, people: People
) -> None:
    project = given_project(services.app, "oise", "Cantines", nominate_to=None)
    shared = api.post(
        "/api/v1/organisations/oise/practices", people.oise, {"project_id": str(project), "sheet": sheet()}
    )
    assert shared.status_code == 201, shared.text
    practice_id = shared.json()["practice_id"]
    api.settle()
    # the public finds it by a French word in another inflection, without accents
    found = api.get("/api/v1/public/practices", params={"q": "cantine"}).json()
    assert [p["practice_id"] for p in found] == [practice_id]
    assert api.get("/api/v1/public/practices", params={"q": "cantine famille"}).json() != []
    assert api.get("/api/v1/public/practices", params={"theme": "mobilité"}).json() == []
    assert api.get("/api/v1/public/practices/facets").json()["organisations"] == [["oise", "Oise"]]
    # Nord adopts it (the publisher found from the listing); Pas-de-Calais adopts it from Nord
    nord = api.post("/api/v1/organisations/nord/adoptions", people.nord, {"practice_id": practice_id, "adopt": True})
    assert (nord.status_code, nord.json()["practice_organisation"]) == (201, "oise")
    pdc = api.post(
        "/api/v1/organisations/pas-de-calais/adoptions",
        people.pdc,
        {"practice_id": practice_id, "adopted_from": "nord", "adopt": True},
    )
    assert pdc.status_code == 201, pdc.text
    report = api.post(
        f"/api/v1/organisations/nord/adoptions/{practice_id}/reports",
        people.nord,
        {"outcome": "reussie", "text": "Déployé dans 12 collèges", "figures": [{"label": "collèges", "value": "12"}]},
    )
    assert report.status_code == 201, report.text
    api.settle()
    lineage = api.get(f"/api/v1/public/practices/{practice_id}/lineage").json()
    assert [(n["organisation"], n["parent"], n["depth"]) for n in lineage["nodes"]] == [
        ("oise", None, 0),
        ("nord", "oise", 1),
        ("pas-de-calais", "nord", 2),
    ]
    detail = api.get(f"/api/v1/public/practices/{practice_id}").json()
    assert detail["reports"][0]["text"] == "Déployé dans 12 collèges"
    assert [a["status"] for a in api.get("/api/v1/organisations/nord/adoptions", people.nord).json()] == ["adopted"]


def test_adopting_ones_own_an_unpublished_or_a_withdrawn_practice_is_refused(
    services: Services, api: Api, people: People, db: Database
) -> None:
    project = given_project(services.app, "oise", "Cantines", nominate_to=None)
    practices = "/api/v1/organisations/oise/practices"
    published = api.post(practices, people.oise, {"project_id": str(project), "sheet": sheet()}).json()["practice_id"]
    draft = api.post(practices, people.oise, {"project_id": str(project), "sheet": sheet(), "publish": False})
    draft_id = draft.json()["practice_id"]
    assert draft.json()["status"] == "draft"
    api.settle()
    before = {o: _events(db, o) for o in ("oise", "nord")}
    own = api.post("/api/v1/organisations/oise/adoptions", people.oise, {"practice_id": published})
    assert (own.status_code, own.json()["rule"]) == (409, "own_practice")
    # a draft does not exist for anyone else, in the listing or for adoption
    assert api.get(f"/api/v1/public/practices/{draft_id}").status_code == 404
    hidden = api.post("/api/v1/organisations/nord/adoptions", people.nord, {"practice_id": draft_id})
    assert hidden.status_code == 404
    forced = api.post(
        "/api/v1/organisations/nord/adoptions", people.nord, {"practice_id": draft_id, "practice_organisation": "oise"}
    )
    assert forced.status_code == 404
    # but its organisation reads it
    assert api.get(f"{practices}/{draft_id}", people.oise_auditor).json()["status"] == "draft"
    assert api.get(f"{practices}/{draft_id}", people.nord).status_code == 404
    assert _events(db, "nord") == before["nord"] and _events(db, "oise") == before["oise"]
    # a withdrawn practice
    assert api.post(f"{practices}/{published}/withdraw", people.oise, {"reason": "Obsolète"}).status_code == 200
    api.settle()
    withdrawn = api.post(
        "/api/v1/organisations/nord/adoptions", people.nord, {"practice_id": published, "practice_organisation": "oise"}
    )
    assert (withdrawn.status_code, withdrawn.json()["rule"]) == (409, "practice_not_published")
    assert api.get(f"/api/v1/public/practices/{published}").status_code == 404
    # a bad sheet names its field
    bad = api.post(practices, people.oise, {"project_id": str(project), "sheet": sheet(contact_role="Mme Dupont")})
    assert (bad.status_code, bad.json()["field"]) == (422, "contact_role")


# -- the pages -----------------------------------------------------------------------------------------------------


class Browser:
    """Pages as a signed-in person sees them: a session cookie, and the CSRF token forms carry."""

    def __init__(self, api: Api, services: Services, who: Member | None) -> None:
        self.client, self.cookies = api.client, []
        api.client.cookies.clear()
        api.client.get("/connexion")
        self.csrf = api.client.cookies.get("forum_csrf") or ""
        self.cookies.append(f"forum_csrf={self.csrf}")
        if who is not None:
            secret = services.auth.open_session(who.person_id, who.organisation)
            self.cookies.append(f"forum_session={secret}")

    def get(self, path: str, **params: str) -> Any:
        self.client.cookies.clear()
        return self.client.get(path, params=params, headers={"Cookie": "; ".join(self.cookies)}, follow_redirects=False)

    def post(self, path: str, form: dict[str, str]) -> Any:
        self.client.cookies.clear()
        return self.client.post(
            path,
            data={**form, "_csrf_token": self.csrf, "command_id": command_id()},
            headers={"Cookie": "; ".join(self.cookies)},
            follow_redirects=False,
        )


def test_the_public_practices_page_finds_a_practice_and_draws_its_lineage(
    services: Services, api: Api, people: People
) -> None:
    project = given_project(services.app, "oise", "Cantines", nominate_to=None)
    practice_id = api.post(
        "/api/v1/organisations/oise/practices", people.oise, {"project_id": str(project), "sheet": sheet()}
    ).json()["practice_id"]
    api.settle()
    nord = api.post("/api/v1/organisations/nord/adoptions", people.nord, {"practice_id": practice_id, "adopt": True})
    assert nord.status_code == 201, nord.text
    api.settle()
    anonymous = Browser(api, services, None)
    listing = anonymous.get("/pratiques", q="cantine")
    assert listing.status_code == 200
    assert f'href="/pratiques/{practice_id}"' in listing.text
    assert "Aucune pratique" in anonymous.get("/pratiques", q="hélicoptère").text
    detail = anonymous.get(f"/pratiques/{practice_id}")
    assert detail.status_code == 200
    assert 'role="img"' in detail.text and '<title id="lignee-titre">Lignée de la pratique' in detail.text
    assert "La lignée en texte" in detail.text and "adoptée" in detail.text
    picture = anonymous.get(f"/pratiques/{practice_id}/lignee.svg")
    assert picture.headers["content-type"].startswith("image/svg+xml") and "<svg" in picture.text
    # Pas-de-Calais's organiser takes it up from Nord through the page's form
    pdc = Browser(api, services, people.pdc)
    form = pdc.get(f"/pratiques/{practice_id}").text
    assert 'action="/pratiques/' in form and "Reprendre cette pratique" in form
    taken = pdc.post(f"/pratiques/{practice_id}/interet", {"adopted_from": "nord", "adopt": "oui", "note": ""})
    assert taken.status_code == 303, taken.text
    assert "Votre organisation l'a adoptée" in pdc.get(taken.headers["location"]).text
    # the publisher's own organisers are not offered to adopt it
    assert "Reprendre cette pratique" not in Browser(api, services, people.oise).get(f"/pratiques/{practice_id}").text


def test_an_organiser_follows_the_board_and_acts_on_a_projects_path(
    services: Services, api: Api, people: People
) -> None:
    won = laureates(services, api, people)
    oise = Browser(api, services, people.oise)
    path = f"/portefeuille/oise/{won.oise}"
    # the path page offers to start the pre-incubation as a laureate
    page = oise.get(path)
    assert page.status_code == 200 and "Démarrer la pré-incubation" in page.text and "Lauréats" in page.text
    started = oise.post(
        f"{path}/demarrer",
        {"forum_id": str(FORUM), "started_on": "2019-12-02", "sponsor": "directrice", "hours_per_week": "3,5"},
    )
    assert started.status_code == 303, started.text
    assert oise.post(f"{path}/jalon", {"title": "Menus en ligne", "due": "2020-01-15"}).status_code == 303
    # a milestone after the deadline is refused beside its field, and nothing changes
    late = oise.post(f"{path}/jalon", {"title": "Bilan", "due": "2020-06-01"})
    assert late.status_code == 409 and "prolongez" in late.text
    assert 'aria-invalid="true"' in late.text
    unknown = oise.post(f"{path}/stade", {"stage": "incubation", "reason": "?"})
    assert unknown.status_code == 422 and "Valeur inconnue" in unknown.text
    shown = oise.get(path).text
    assert "Menus en ligne" in shown and "Bilan" not in shown
    assert "Entrée en pré-incubation le 02/12/2019" in shown and "Déposé à l&#39;appel" in shown
    # the board groups it by stage
    board = oise.get("/portefeuille")
    assert board.status_code == 200 and "Exploration" in board.text and str(won.oise) in board.text
    # the forum's funnel, as a chart and a table
    funnel = oise.get(f"/forums/{FORUM}/entonnoir")
    assert funnel.status_code == 200 and "<table>" in funnel.text and "Pré-incubés" in funnel.text
    # convergent projects for Oise's organisers; Nord's agent may not act on Oise's project
    assert "Restaurants" in oise.get("/convergences").text or "restaurants" in oise.get("/convergences").text
    assert Browser(api, services, people.nord).post(f"{path}/avancement", {"text": "x"}).status_code == 404
    assert Browser(api, services, people.oise_agent).post(f"{path}/avancement", {"text": "x"}).status_code == 403
    signin = Browser(api, services, None).get("/portefeuille")
    assert (signin.status_code, signin.headers["location"].split("?")[0]) == (303, "/connexion")


def test_a_budget_typed_in_euros_is_refused_beside_its_field_never_a_500(
    services: Services, api: Api, people: People
) -> None:
    won = laureates(services, api, people)
    oise = Browser(api, services, people.oise)
    path = f"/portefeuille/oise/{won.oise}"
    form = {"forum_id": str(FORUM), "started_on": "2019-12-02", "sponsor": "directrice"}
    # what float() took (1e400 is infinity: a 500), a negative amount, a third decimal, words: refused beside the field
    for typed in ("1e400", "inf", "nan", "-5", "1,234", "beaucoup", "9" * 30):
        refused = oise.post(f"{path}/demarrer", {**form, "budget_euros": typed})
        assert refused.status_code == 422, (typed, refused.status_code)
        assert 'id="f-budget_cents-error"' in refused.text, typed
    assert "Démarrer la pré-incubation" in oise.get(path).text  # nothing was started
    started = oise.post(f"{path}/demarrer", {**form, "budget_euros": "1 500,50"})
    assert started.status_code == 303, started.text
    shown = api.get(f"/api/v1/organisations/oise/pre-incubations/{won.oise}", people.oise).json()
    assert shown["budget_cents"] == 150_050
