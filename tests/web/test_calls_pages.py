"""The pages of calls for ideas, over HTTP against the real app: the forms people fill in, what each page shows."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from forum.services import Services
from tests.accounts import Member, member
from tests.conftest import Clock
from tests.settling import settle
from tests.web.clients import Browser
from tests.worlds.calls import AFTER, DURING


@dataclass
class People:
    organiser: Member
    agent: Member
    colleague: Member
    auditor: Member
    stranger: Member


@pytest.fixture
def people(services: Services, browser: Browser) -> People:
    enrolled = People(
        organiser=member(services, "nord", "organiser", name="Organisatrice du Nord"),
        agent=member(services, "nord", "agent", name="Agent de la MDPH"),
        colleague=member(services, "nord", "agent", name="Agente des collèges"),
        auditor=member(services, "nord", "auditor", name="Auditrice du Nord"),
        stranger=member(services, "somme", "agent", name="Agent de la Somme"),
    )
    settle(browser.client)
    return enrolled


CALL_FORM = {
    "title": "Appel à idées innovantes 2019",
    "description": "Vos idées pour le service public départemental.",
    "themes": "services aux usagers\norganisation du travail",
    "categories": "idée\nprojet en cours",
    "opens_date": "2019-09-16",
    "opens_time": "00:00",
    "closes_date": "2019-10-31",
    "closes_time": "23:59",
    "partners": "",
    "max_team_size": "3",
    "q1_label": "Public visé",
    "q1_kind": "short_text",
    "q1_required": "oui",
    "q1_max_length": "100",
    "q2_label": "État du projet",
    "q2_kind": "single_choice",
    "q2_required": "oui",
    "q2_choices": "idée\nprototype",
    "q3_label": "",
    "open_now": "oui",
}
ANSWER_FORM = {
    "title": "Cantine sans gaspillage",
    "problem": "Trop de repas jetés dans les collèges.",
    "solution": "Réserver son repas la veille depuis l'ENT.",
    "benefits_users": "Des repas à la carte.",
    "benefits_agents": "Moins de préparation perdue.",
    "category": "idée",
    "theme": "services aux usagers",
    "answer_public_vise": "collégiens",
    "answer_etat_du_projet": "idée",
    "action": "submit",
}


def create_call(browser: Browser, people: People, clock: Clock) -> str:
    browser.as_(people.organiser)
    response = browser.post("/organisations/nord/appels", CALL_FORM)
    assert response.status_code == 303, re.findall(r"role=\"alert\"><p>[^<]*", response.text)
    location = response.headers["location"]
    assert location.endswith("?ok=appel-cree")
    clock.set(DURING)
    browser.as_(people.organiser)  # a session opened a month ago has expired: sign in again
    return str(location.split("?")[0])


def test_an_organiser_creates_a_call_with_its_form_and_an_agent_answers_it_on_the_pages(
    browser: Browser, people: People, clock: Clock
) -> None:
    call_page = create_call(browser, people, clock)
    page = browser.get(call_page)
    assert page.status_code == 200
    assert "Public visé" in page.text and "choix unique" in page.text
    # the agent finds the call among those open to them, and answers it
    browser.as_(people.agent)
    assert call_page in browser.get("/appels").text
    form = browser.get(f"{call_page}/repondre")
    assert form.status_code == 200 and 'name="answer_public_vise"' in form.text
    assert 'name="_csrf_token"' in form.text  # every form carries its CSRF token
    answered = browser.post(f"{call_page}/repondre", ANSWER_FORM)
    assert answered.status_code == 303, answered.text
    project_page = answered.headers["location"].split("?")[0]
    shown = browser.get(project_page)
    assert "Cantine sans gaspillage" in shown.text and "déposé" in shown.text
    assert "Cantine sans gaspillage" in browser.get("/mes-projets").text


def test_a_missing_required_answer_is_shown_beside_its_field_and_the_form_keeps_what_was_typed(
    browser: Browser, people: People, clock: Clock
) -> None:
    call_page = create_call(browser, people, clock)
    browser.as_(people.agent)
    refused = browser.post(f"{call_page}/repondre", {**ANSWER_FORM, "answer_public_vise": ""})
    assert refused.status_code == 422
    assert 'id="f-answer_public_vise-error"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert "Trop de repas jetés dans les collèges." in refused.text


def test_after_the_closing_the_answer_form_is_refused_with_the_closing_time(
    browser: Browser, people: People, clock: Clock
) -> None:
    call_page = create_call(browser, people, clock)
    clock.set(AFTER)
    browser.as_(people.agent)
    refused = browser.post(f"{call_page}/repondre", ANSWER_FORM)
    assert refused.status_code == 409
    assert "31/10/2019 à 23:59" in refused.text


def test_the_organiser_filters_submissions_downloads_them_and_reads_the_figures(
    browser: Browser, people: People, clock: Clock
) -> None:
    call_page = create_call(browser, people, clock)
    browser.as_(people.agent)
    browser.post(f"{call_page}/repondre", ANSWER_FORM)
    browser.as_(people.colleague)
    browser.post(
        f"{call_page}/repondre", {**ANSWER_FORM, "title": "Nids-de-poule signalés", "category": "projet en cours"}
    )
    browser.as_(people.organiser)
    listed = browser.get(f"{call_page}/projets")
    assert "Cantine sans gaspillage" in listed.text and "Nids-de-poule signalés" in listed.text
    filtered = browser.get(f"{call_page}/projets", params={"categorie": "projet en cours"})
    assert "Nids-de-poule signalés" in filtered.text and "Cantine sans gaspillage" not in filtered.text
    assert "projets.csv?category=projet en cours" in filtered.text.replace("%20", " ").replace("+", " ")
    exported = browser.get(f"{call_page}/projets.csv", params={"category": "projet en cours"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert "Nids-de-poule signalés" in exported.text and "Cantine sans gaspillage" not in exported.text
    figures = browser.get(f"{call_page}/chiffres")
    assert figures.status_code == 200
    assert re.search(r"<th scope=\"row\">projet en cours</th><td>1</td>", figures.text)
    browser.as_(people.agent)
    assert browser.get(f"{call_page}/projets").status_code == 403
    browser.as_(people.stranger)
    assert browser.get(f"{call_page}/projets").status_code == 404


def test_the_organiser_decides_records_the_selection_and_the_team_reads_its_outcome(
    browser: Browser, people: People, clock: Clock
) -> None:
    call_page = create_call(browser, people, clock)
    browser.as_(people.agent)
    project_page = browser.post(f"{call_page}/repondre", ANSWER_FORM).headers["location"].split("?")[0]
    clock.set(AFTER)
    browser.as_(people.organiser)
    decided = browser.post(f"{project_page}/decision", {"outcome": "selected", "reason": "Un gain immédiat."})
    assert decided.status_code == 303, decided.text
    assert "Arrêter la sélection" in browser.get(call_page).text
    browser.as_(people.agent)
    assert "Un gain immédiat." not in browser.get(project_page).text  # not published yet
    browser.as_(people.organiser)
    assert browser.post(f"{call_page}/selection", {}).status_code == 303
    browser.as_(people.agent)
    shown = browser.get(project_page).text
    assert "Projet retenu" in shown and "Un gain immédiat." in shown
    assert "Sélection de l" in browser.get("/notifications").text


def test_a_team_invites_a_colleague_who_accepts_and_versions_are_compared(
    browser: Browser, people: People, clock: Clock
) -> None:
    call_page = create_call(browser, people, clock)
    browser.as_(people.agent)
    project_page = browser.post(f"{call_page}/repondre", ANSWER_FORM).headers["location"].split("?")[0]
    page = browser.get(project_page).text
    assert "Agente des collèges" in page  # offered as a colleague to invite
    assert browser.post(f"{project_page}/inviter", {"person": people.colleague.person_id}).status_code == 303
    browser.as_(people.colleague)
    assert "Vous êtes invité(e) dans l'équipe" in browser.get(project_page).text
    assert browser.post(f"{project_page}/invitation/accepter", {}).status_code == 303
    edited = browser.post(f"{project_page}/modifier", {**ANSWER_FORM, "title": "Zéro gaspillage"})
    assert edited.status_code == 303, edited.text
    compared = browser.get(f"{project_page}/comparer", params={"avant": 1, "apres": 2})
    assert compared.status_code == 200
    assert "Cantine sans gaspillage" in compared.text and "Zéro gaspillage" in compared.text


def test_the_public_announcement_page_appears_only_once_published(
    browser: Browser, people: People, clock: Clock
) -> None:
    call_page = create_call(browser, people, clock)
    public_page = call_page.replace("/appels/", "/annonces/")
    browser.as_(None)
    assert browser.get(public_page).status_code == 404
    browser.as_(people.organiser)
    assert browser.post(f"{call_page}/annoncer", {}).status_code == 303
    browser.as_(None)
    shown = browser.get(public_page)
    assert shown.status_code == 200 and "Appel à idées innovantes 2019" in shown.text
    assert "Appel à idées innovantes 2019" in browser.get("/annonces").text


def test_an_amendment_after_opening_asks_for_a_reason_and_is_shown_on_the_call(
    browser: Browser, people: People, clock: Clock
) -> None:
    call_page = create_call(browser, people, clock)
    form = browser.get(f"{call_page}/modifier")
    assert form.status_code == 200 and 'value="Public visé"' in form.text
    amended = {**CALL_FORM, "max_team_size": "4", "q1_key": "public_vise", "q2_key": "etat_du_projet"}
    refused = browser.post(f"{call_page}/modifier", amended)
    assert refused.status_code == 422 and 'id="f-reason-error"' in refused.text
    done = browser.post(f"{call_page}/modifier", {**amended, "reason": "Comme l'an dernier."})
    assert done.status_code == 303, re.sub(r"\s+", " ", done.text)[-800:]
    assert "Comme l&#39;an dernier." in browser.get(call_page).text
