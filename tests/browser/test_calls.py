"""Calls for ideas in a real browser: on a phone, an agent answers the Nord call; the organiser selects the project;
the agent reads the outcome. Every page on the way is checked by axe-core."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from tests.accounts import member
from tests.browser.conftest import PHONE, CheckA11y, Live, SignIn, phone_overflow
from tests.builders import calls
from tests.conftest import Clock, command_id
from tests.worlds.calls import AFTER, CATEGORIES, CLOSES, DURING, OPENS, QUESTIONS, THEMES

pytestmark = pytest.mark.browser


def test_on_a_phone_an_agent_answers_a_call_and_the_organiser_selects_the_project(
    live: Live, clock: Clock, page: Any, *, new_page: Any, sign_in: SignIn, check_a11y: CheckA11y
) -> None:
    organiser = member(live.services, "nord", "organiser", name="Organisatrice du Nord")
    agent = member(live.services, "nord", "agent", name="Agent de la MDPH")
    call_id = UUID(
        calls.draft_call(
            live.services.app,
            organiser.actor,
            command_id(),
            organisation="nord",
            title="Appel à idées innovantes 2019",
            description="Vos idées pour le service public départemental.",
            themes=THEMES,
            categories=CATEGORIES,
            opens_at=OPENS,
            closes_at=CLOSES,
            questions=QUESTIONS,
            max_team_size=3,
            open_now=True,
        )["id"]
    )
    clock.set(DURING)
    live.settle()

    # the agent, on a phone, finds the call and answers it
    page.set_viewport_size(PHONE)
    sign_in(page, agent.email, agent.password)
    page.goto(live.url + "/appels")
    check_a11y(page)
    page.get_by_role("link", name="Appel à idées innovantes 2019").click()
    check_a11y(page)
    page.get_by_role("link", name="Répondre à l'appel").click()
    check_a11y(page)
    assert phone_overflow(page) <= 0
    page.get_by_label("Titre du projet").fill("Cantine sans gaspillage")
    page.get_by_label("Le problème").fill("Trop de repas jetés dans les collèges.")
    page.get_by_label("La solution proposée").fill("Réserver son repas la veille depuis l'ENT.")
    page.get_by_label("Bénéfices pour les usagers").fill("Des repas à la carte.")
    page.get_by_label("Catégorie").select_option("idée")
    page.get_by_label("Thème").select_option("services aux usagers")
    page.get_by_label("Public visé").fill("collégiens")
    page.get_by_label("prototype").check()
    page.get_by_role("button", name="Déposer le projet").click()
    page.wait_for_load_state()
    assert "Votre projet est déposé." in page.locator("main").inner_text(), page.url + page.locator("main").inner_text()
    project_url = page.url.split("?")[0]
    check_a11y(page)
    assert phone_overflow(page) <= 0
    # an edit while the call is open makes a second version, compared with the first
    page.get_by_role("link", name="Modifier le projet").click()
    check_a11y(page)
    page.get_by_label("Bénéfices pour les agents").fill("Moins de préparation perdue.")
    page.get_by_role("button", name="Enregistrer la modification").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Comparer").click()
    page.wait_for_load_state()
    assert "Moins de préparation perdue." in page.locator("main").inner_text()
    check_a11y(page)
    assert phone_overflow(page) <= 0
    page.goto(live.url + "/mes-projets")
    assert "Cantine sans gaspillage" in page.locator("main").inner_text()
    check_a11y(page)

    # after the closing, the organiser (at a desk) reads the submissions and the figures, selects the project, and
    # records the selection
    clock.set(AFTER)
    desk = new_page()
    sign_in(desk, organiser.email, organiser.password)
    desk.goto(f"{live.url}/appels/nord/{call_id}/projets")
    check_a11y(desk)
    desk.goto(f"{live.url}/appels/nord/{call_id}/chiffres")
    check_a11y(desk)
    desk.goto(f"{live.url}/organisations/nord/appels")
    check_a11y(desk)
    desk.goto(f"{live.url}/organisations/nord/appels/nouveau")
    check_a11y(desk)
    desk.goto(f"{live.url}/appels/nord/{call_id}/projets")
    desk.get_by_role("link", name="Cantine sans gaspillage").click()
    check_a11y(desk)
    desk.get_by_label("Retenu", exact=True).check()
    desk.get_by_label("Motif, lu par l'équipe").fill("Un gain immédiat pour les familles.")
    desk.get_by_role("button", name="Enregistrer la décision").click()
    desk.wait_for_load_state()
    assert "La décision est enregistrée" in desk.get_by_role("status").first.inner_text()
    desk.get_by_role("link", name="Appel à idées innovantes 2019").click()
    check_a11y(desk)
    desk.get_by_role("button", name="Arrêter la sélection").click()
    desk.wait_for_load_state()
    assert "La sélection est arrêtée" in desk.get_by_role("status").first.inner_text()

    # the agent (signed in again: a month went by) reads the outcome on the project and among their notifications
    sign_in(page, agent.email, agent.password)
    page.goto(project_url)
    outcome = page.locator("main").inner_text()
    assert "Projet retenu" in outcome and "Un gain immédiat pour les familles." in outcome
    check_a11y(page)
    page.goto(live.url + "/notifications")
    assert "votre projet est retenu" in page.locator("main").inner_text()
    check_a11y(page)

    # the announcement, once published, is public (without the projects)
    calls.publish_announcement(live.services.app, organiser.actor, command_id(), organisation="nord", call_id=call_id)
    live.settle()
    visitor = new_page()
    visitor.set_viewport_size(PHONE)
    visitor.goto(f"{live.url}/annonces/nord/{call_id}")
    shown = visitor.locator("main").inner_text()
    assert "Appel à idées innovantes 2019" in shown and "Cantine" not in shown
    check_a11y(visitor)
    visitor.goto(f"{live.url}/annonces")
    check_a11y(visitor)
