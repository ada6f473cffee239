"""After the forum in a real browser: the public practices page, its French search and its lineage picture; the
portfolio board, a laureate's path, a forum's funnel and convergent projects; axe-core finds nothing on any."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from forum.entrypoints.demo.pre_incubation import load_pre_incubation
from tests.accounts import ensure_organisation, member
from tests.browser.conftest import CheckA11y, Live, SignIn
from tests.conftest import Clock
from tests.worlds.laureates import FORUM, FORUM_HOST, given_palmares, given_project

pytestmark = pytest.mark.browser
DEMO = Path(__file__).parents[2] / "forum" / "demo_data" / "forum-interdepartemental-2019.json"


def the_2019_scenario(live: Live) -> dict[str, Any]:
    """The 2019 forum's projects and palmarès, then the months after it, through the application's commands."""
    app = live.services.app
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    for organisation in data["organisations"]:
        ensure_organisation(app, organisation["slug"], name=organisation["name"], kind="autre")
    ids = {p["number"]: given_project(app, p["organisation"], p["title"], problem=p["title"]) for p in data["projects"]}
    given_palmares(
        app,
        [(ids[p["number"]], p["organisation"], p["title"]) for p in data["projects"]],
        [ids[p["number"]] for p in data["projects"] if p["laureate"]],
    )
    summary = load_pre_incubation(app, forum_id=FORUM, host=FORUM_HOST)
    live.settle()
    return {"ids": ids, "practice_id": UUID(summary["practice_id"])}


def test_the_public_practices_page_finds_cantines_and_draws_the_lineage(
    live: Live, page: Any, check_a11y: CheckA11y, check_phone: CheckA11y
) -> None:
    scenario = the_2019_scenario(live)
    # the listing shows the practice; its search finds « cantines » by « cantine »
    page.goto(live.url + "/pratiques")
    check_a11y(page)
    check_phone(page)
    page.get_by_label("Mots recherchés").fill("cantine")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/pratiques?q=cantine**")
    link = page.get_by_role("link", name="Menus des cantines partagés avec les familles")
    assert link.count() == 1
    check_a11y(page)
    page.get_by_label("Mots recherchés").fill("hélicoptère")
    page.get_by_role("button", name="Rechercher").click()
    assert "Aucune pratique" in page.locator("main").inner_text()
    # the practice's page draws its lineage as an image with a text alternative
    page.goto(f"{live.url}/pratiques/{scenario['practice_id']}")
    picture = page.get_by_role("img", name="Lignée de la pratique « Menus des cantines partagés avec les familles »")
    assert picture.count() == 1
    assert picture.locator("rect").count() == 4  # Oise, Nord, Pas-de-Calais, Somme
    assert "Nord" in (page.locator("svg desc").text_content() or "")
    text = page.locator("main").inner_text()
    assert "La lignée en texte" in text and "adoptée" in text and "intéressée" in text
    check_a11y(page)
    check_phone(page)


def test_an_organiser_reads_the_board_a_laureates_path_the_funnel_and_convergences(  # noqa: PLR0917 — fixtures
    live: Live, clock: Clock, page: Any, sign_in: SignIn, check_a11y: CheckA11y, check_phone: CheckA11y
) -> None:
    scenario = the_2019_scenario(live)
    clock.set(datetime(2020, 11, 2, 9, tzinfo=UTC))  # months after the pre-incubations' deadlines
    host = member(live.services, FORUM_HOST, "organiser")
    live.settle()
    sign_in(page, host.email, host.password)
    # the host's board shows every laureate of its forum, by stage
    page.goto(live.url + "/portefeuille")
    assert page.get_by_role("heading", name="Prototypage").count() == 1
    assert page.get_by_text("Échéance dépassée").count() >= 1
    check_a11y(page)
    check_phone(page)
    # its own canteen project's path, with the forms to act on it
    page.goto(f"{live.url}/portefeuille/somme/{scenario['ids'][12]}")
    assert "Lauréat : Lauréats" in page.locator("main").inner_text()
    check_a11y(page)
    check_phone(page)
    page.get_by_label("Le point").fill("Le chef de cuisine référent part à la retraite en juin.")
    page.get_by_role("button", name="Signaler").click()
    page.wait_for_url("**?ok=enregistre")
    assert "part à la retraite" in page.locator("main").inner_text()
    # the funnel as a chart and a table
    page.goto(f"{live.url}/forums/{FORUM}/entonnoir")
    assert page.get_by_role("table").count() == 1
    check_a11y(page)
    check_phone(page)
    # the canteen projects of Oise and Somme, side by side
    page.goto(live.url + "/convergences")
    text = page.locator("main").inner_text()
    assert "Département" in text or "oise" in text.lower()
    assert page.locator(".convergence").count() == 1
    check_a11y(page)
    check_phone(page)
