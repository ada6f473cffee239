"""People's pages in a real browser: the newcomer's journey, each page checked by axe-core and on a phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from forum.access import PLATFORM
from tests.accounts import PASSWORD, member
from tests.browser.conftest import CheckA11y, Live, SignIn

pytestmark = pytest.mark.browser


def test_the_public_pages_are_accessible_on_a_desktop_and_a_phone(
    live: Live, page: Any, check_a11y: CheckA11y, check_phone: CheckA11y
) -> None:
    for path in [
        "/",
        "/connexion",
        "/mot-de-passe-oublie",
        "/accessibilite",
        "/invitation/lien-inconnu",
        "/reinitialisation/lien-inconnu",
    ]:
        page.goto(live.url + path)
        assert page.locator("html").get_attribute("lang") == "fr"
        check_a11y(page)
        check_phone(page)
    assert "Ce lien n'est pas valable" in page.locator("h1").inner_text()


def test_the_skip_link_comes_first_and_leads_to_the_content(live: Live, page: Any) -> None:
    page.goto(live.url + "/connexion")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.url.endswith("#contenu")


def test_a_refused_sign_in_is_announced_beside_the_form(live: Live, page: Any, check_a11y: CheckA11y) -> None:
    agent = member(live.services, "nord", "agent")
    page.goto(live.url + "/connexion")
    page.get_by_label("Adresse électronique").fill(agent.email)
    page.get_by_label("Mot de passe", exact=True).fill("mauvais mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    assert "incorrect" in page.get_by_role("alert").inner_text()
    check_a11y(page)
    # and anonymous visitors of a private page are sent to sign in, then back
    page.goto(live.url + "/compte/jetons")
    assert "/connexion?suite=/compte/jetons" in page.url
    page.get_by_label("Adresse électronique").fill(agent.email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/compte/jetons$"))


def test_a_newcomer_administers_invites_and_the_organiser_sees_only_their_organisation(  # noqa: PLR0917  # fixtures
    live: Live, page: Any, new_page: Callable[[], Any], sign_in: SignIn, check_a11y: CheckA11y, check_phone: CheckA11y
) -> None:
    # given the administrator printed at start, and Nord with its organiser
    admin = member(live.services, PLATFORM, "admin", email="admin@forum.local")
    member(live.services, "nord", "organiser")
    live.settle()
    # the administrator signs in and registers Somme, inviting its first organiser
    sign_in(page, admin.email, admin.password)
    page.get_by_role("link", name="Administration", exact=True).click()
    check_a11y(page)
    check_phone(page)
    page.get_by_label("Nom de l'organisation").fill("Département de la Somme")
    page.get_by_label("Identifiant court").fill("somme")
    page.get_by_label("Type").select_option("departement")
    page.get_by_label("Nom de l'organisateur").fill("Sophie Durand")
    page.get_by_label("Adresse électronique de l'organisateur").fill("sophie.durand@somme.fr")
    page.get_by_role("button", name="Inscrire et inviter").click()
    assert "Organisation inscrite" in page.get_by_role("status").inner_text()
    assert page.get_by_role("cell", name="Département de la Somme", exact=True).is_visible()
    check_a11y(page)

    # the organiser opens the link read from the outbox, in her own browser
    sophie = new_page()
    sophie.goto(live.outbox_link("sophie.durand@somme.fr"))
    assert "Département de la Somme" in sophie.locator("main").inner_text()
    check_a11y(sophie)
    check_phone(sophie)
    sophie.get_by_label("Mot de passe", exact=True).fill("court")
    sophie.get_by_label("Confirmez le mot de passe").fill("court")
    sophie.get_by_role("button", name="Accepter l'invitation").click()
    assert "au moins 12 caractères" in sophie.get_by_role("alert").inner_text()
    check_a11y(sophie)  # the refused form, with its error linked to the field
    sophie.get_by_label("Mot de passe", exact=True).fill("une phrase de passe sûre")
    sophie.get_by_label("Confirmez le mot de passe").fill("une phrase de passe sûre")
    sophie.get_by_role("button", name="Accepter l'invitation").click()
    sophie.wait_for_url(re.compile(r"/compte\?ok=bienvenue$"))
    assert "Bienvenue" in sophie.get_by_role("status").inner_text()
    check_a11y(sophie)
    check_phone(sophie)

    # she invites an agent from her members' page
    sophie.get_by_role("link", name="Membres", exact=True).click()
    check_a11y(sophie)
    check_phone(sophie)
    sophie.get_by_label("Nom", exact=True).fill("Jean Petit")
    sophie.get_by_label("Adresse électronique").fill("jean.petit@somme.fr")
    sophie.get_by_label("Rôle", exact=True).select_option("agent")
    sophie.get_by_role("button", name="Envoyer l'invitation").click()
    assert "Invitation envoyée" in sophie.get_by_role("status").inner_text()
    assert sophie.get_by_role("cell", name="jean.petit@somme.fr").is_visible()
    check_a11y(sophie)

    # she creates an API token, shown once
    sophie.goto(live.url + "/compte/jetons")
    check_a11y(sophie)
    sophie.get_by_label("Nom du jeton").fill("tableur")
    sophie.get_by_role("button", name="Créer le jeton").click()
    token = sophie.locator("code.secret").inner_text()
    assert token.startswith("forum_")
    check_a11y(sophie)
    check_phone(sophie)

    # and Nord's members are not found, neither by page nor by API
    assert sophie.goto(live.url + "/organisations/nord/membres").status == 404
    check_a11y(sophie)
    api = sophie.request.get(
        live.url + "/api/v1/organisations/nord/members", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status == 404
    assert (
        sophie.request.get(
            live.url + "/api/v1/organisations/somme/members", headers={"Authorization": f"Bearer {token}"}
        ).status
        == 200
    )

    # signing out from the header
    sophie.get_by_role("button", name="Se déconnecter").click()
    sophie.wait_for_url(re.compile(r"/connexion\?ok=deconnecte$"))
    assert sophie.goto(live.url + "/compte").url.startswith(live.url + "/connexion")


def test_a_forgotten_password_is_reset_through_the_mailed_link(live: Live, page: Any, check_a11y: CheckA11y) -> None:
    agent = member(live.services, "nord", "agent")
    live.settle()
    page.goto(live.url + "/mot-de-passe-oublie")
    page.get_by_label("Adresse électronique").fill(agent.email)
    page.get_by_role("button", name="Recevoir un lien").click()
    assert "un lien vient de lui être envoyé" in page.get_by_role("status").inner_text()
    page.goto(live.outbox_link(agent.email, "reinitialisation"))
    check_a11y(page)
    page.get_by_label("Mot de passe", exact=True).fill("nouvelle phrase de passe")
    page.get_by_label("Confirmez le mot de passe").fill("nouvelle phrase de passe")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.wait_for_url(re.compile(r"/compte\?ok=mot-de-passe$"))
    check_a11y(page)


def test_an_organiser_manages_roles_on_the_members_page(
    live: Live, page: Any, sign_in: SignIn, check_a11y: CheckA11y
) -> None:
    organiser = member(live.services, "nord", "organiser")
    agent = member(live.services, "nord", "agent", name="Agnès Martin")
    live.settle()
    sign_in(page, organiser.email, organiser.password)
    page.goto(live.url + "/organisations/nord/membres")
    page.get_by_label("Nouveau rôle de Agnès Martin").select_option("auditor")
    page.get_by_role("button", name="Changer le rôle de Agnès Martin").click()
    assert "Rôle changé" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Désactiver Agnès Martin").click()
    assert page.get_by_role("button", name="Réactiver Agnès Martin").is_visible()
    check_a11y(page)
    assert live.services.auth.account(agent.person_id) == ("nord", True)
