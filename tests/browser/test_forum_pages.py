"""Running a forum in a real browser: the host runs a small forum from the pages (the stage's countdown included),
and a juror scores on a phone through flaky wifi — offline, the score is kept and resent with the same command id,
and saved exactly once. axe-core checks every page on the way, on a desktop and on a phone."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.forum import Forum, Prize
from domain.jury import Criterion, JuryRules
from forum.access import Actor
from forum.database import Database
from forum.forums import AcceptForumInvitation, Invite, SetPrize
from forum.jury import AppointJuror, RecordScore, SetRules
from tests.accounts import Member, member
from tests.browser.conftest import PHONE, CheckA11y, Live, SignIn, phone_overflow
from tests.builders import nominates, plans, selected_projects, sends
from tests.conftest import Clock, command_id

pytestmark = pytest.mark.browser

FORUM_ID = Forum.id_for("somme", "forum-amiens")
BASE = f"/forums/somme/{FORUM_ID}"
DESKTOP = {"width": 1280, "height": 800}


def scores_recorded(db: Database) -> int:
    """Every ``Forum.ScoreRecorded`` in the store (each revision is one)."""
    with db.connect(autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM store.forum_events WHERE topic LIKE '%Forum.ScoreRecorded'").fetchone()
    assert row is not None
    return int(row[0])


def main(page: Any) -> str:
    return str(page.locator("main").inner_text())


def submit(page: Any, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def checked(page: Any, check_a11y: CheckA11y, check_phone: CheckA11y) -> None:
    """The page as it is now, then at a phone's width: no WCAG violation, nothing scrolling sideways."""
    check_a11y(page)
    check_phone(page)


def as_juror(who: Member) -> Actor:
    """The juror as a command sees them: with the forum's juror role (granted by the appointment)."""
    return replace(who.actor, forum_roles=frozenset({(str(FORUM_ID), "juror")}))


def projects_of(live: Live, clock: Clock, organisers: dict[str, Member], agents: dict[str, Member]) -> dict[str, str]:
    projects = {}
    for org, organiser in organisers.items():
        for i, project_id in enumerate(selected_projects(live.services, clock, organiser, agents[org], 2), start=1):
            projects[f"{org}-{i}"] = project_id
    return projects


def test_a_host_runs_a_small_forum_from_the_pages(
    live: Live,
    clock: Clock,
    page: Any,
    *,
    new_page: Any,
    sign_in: SignIn,
    check_a11y: CheckA11y,
    check_phone: CheckA11y,
) -> None:
    host = member(live.services, "somme", "organiser", name="Organisatrice de la Somme")
    organisers = {org: member(live.services, org, "organiser", name=f"Organisateur {org}") for org in ("nord", "oise")}
    agents = {org: member(live.services, org, "agent", name=f"Agent {org}") for org in ("nord", "oise")}
    coach = member(live.services, "beta-gouv", "agent", name="Coach de l'incubateur")
    jurors = {org: member(live.services, org, "agent", name=f"Juré {org}") for org in ("nord", "oise")}
    voter = member(live.services, "oise", "agent", name="Votante de l'Oise")
    projects = projects_of(live, clock, organisers, agents)
    clock.set(datetime(2019, 10, 22, 8, tzinfo=UTC))
    live.settle()

    # the host creates the forum
    sign_in(page, host.email, host.password)
    page.goto(live.url + "/forums")
    checked(page, check_a11y, check_phone)
    page.get_by_role("link", name="Créer un forum ou une édition de prix").click()
    checked(page, check_a11y, check_phone)
    page.get_by_label("Titre").fill("Forum des innovations d'Amiens")
    page.get_by_label("Premier jour").fill("2019-11-28")
    page.get_by_label("Dernier jour").fill("2019-11-27")
    page.get_by_label("Lieu").fill("Amiens")
    submit(page, "Créer")  # refused: the error beside its field, the form as typed
    assert page.get_by_label("Dernier jour").get_attribute("aria-invalid") == "true"
    assert "avant de commencer" in main(page)
    checked(page, check_a11y, check_phone)
    page.get_by_label("Dernier jour").fill("")
    page.get_by_label("Lieu").fill("Amiens")
    page.get_by_label("Quota de projets par organisation").fill("2")
    page.get_by_label("Budget total des dotations (euros)").fill("6000")
    page.get_by_label("Identifiant court dans les adresses").fill("forum-amiens")
    submit(page, "Créer")
    assert "Le forum est créé." in main(page)
    checked(page, check_a11y, check_phone)

    # prizes, then the invitations
    page.get_by_role("link", name="Prix et budget").first.click()
    checked(page, check_a11y, check_phone)
    page.get_by_label("Nom du prix").fill("Lauréats du forum")
    page.get_by_label("Nombre de lauréats").fill("2")
    page.get_by_label("Dotation par lauréat (euros)").fill("2000")
    submit(page, "Ajouter le prix")
    page.get_by_label("Nom du prix").fill("Prix du public")
    page.get_by_label("Décerné par").select_option("vote")
    submit(page, "Ajouter le prix")
    assert "Prix du public" in main(page)
    page.get_by_role("link", name="Participants").first.click()
    for org in ("nord", "oise"):
        page.get_by_label("Organisation", exact=True).select_option(org)
        submit(page, "Inviter")
    assert "L'invitation est envoyée." in main(page)
    checked(page, check_a11y, check_phone)

    # Nord's organiser accepts and nominates its two selected projects; Oise does the same through the API's commands
    desk = new_page()
    sign_in(desk, organisers["nord"].email, organisers["nord"].password)
    desk.goto(live.url + BASE)
    checked(desk, check_a11y, check_phone)
    submit(desk, "Accepter l'invitation")
    checked(desk, check_a11y, check_phone)
    for title in ("Projet nord 1", "Projet nord 2"):
        desk.get_by_label("Projet sélectionné par votre appel à idées").select_option(label=title)
        submit(desk, "Proposer ce projet")
    assert "2 projets proposés sur un quota de 2." in main(desk)
    checked(desk, check_a11y, check_phone)
    app, oise = live.services.app, organisers["oise"].actor
    sends(AcceptForumInvitation)(app, oise, command_id(), host="somme", forum_id=FORUM_ID, organisation="oise")
    for key in ("oise-1", "oise-2"):
        nominates(app, oise, command_id(), host="somme", forum_id=FORUM_ID, project_id=UUID(projects[key]))
    live.settle()

    # coaching: a coach appointed by address, every team shared out; the coach records a session
    page.goto(live.url + BASE + "/coaching")
    page.get_by_label("Adresse électronique du coach").fill(coach.email)
    submit(page, "Nommer coach")
    page.get_by_label("Durée de chaque créneau (minutes)").fill("40")
    submit(page, "Répartir les 4 équipes")
    assert "Les créneaux de coaching sont enregistrés." in main(page)
    checked(page, check_a11y, check_phone)
    page.goto(live.url + BASE + "/propositions")
    checked(page, check_a11y, check_phone)
    coaching = new_page()
    sign_in(coaching, coach.email, coach.password)
    coaching.goto(live.url + BASE + "/coaching")
    checked(coaching, check_a11y, check_phone)
    coaching.get_by_role("link", name="Projet oise 1").click()
    coaching.get_by_label("Problématique reformulée").fill("Comment éviter les repas jetés ?")
    coaching.get_by_label("Points pour le pitch").fill("Un chiffre : 30 % jetés\nUn témoignage")
    submit(coaching, "Consigner la séance")
    assert "Comment éviter les repas jetés ?" in main(coaching)
    checked(coaching, check_a11y, check_phone)

    # the running order (as proposed), the jury and its rules
    page.goto(live.url + BASE + "/ordre-de-passage")
    checked(page, check_a11y, check_phone)
    submit(page, "Enregistrer l'ordre de passage")
    assert "L'ordre de passage est enregistré." in main(page)
    page.goto(live.url + BASE + "/jury")
    for org, college in (("nord", "Élu·e"), ("oise", "Agent")):
        page.get_by_label("Adresse électronique du juré").fill(jurors[org].email)
        page.get_by_label("Collège").fill(college)
        submit(page, "Nommer juré")
    page.get_by_label("Critère 1", exact=True).fill("Utilité pour les usagers")
    page.get_by_label("Poids du critère 1").fill("2")
    page.get_by_label("Critère 2", exact=True).fill("Faisabilité")
    submit(page, "Enregistrer les règles")
    assert "Les règles du jury sont enregistrées." in main(page)
    checked(page, check_a11y, check_phone)
    page.goto(live.url + BASE + "/edition")
    checked(page, check_a11y, check_phone)

    # the day: the stage counts the pitch down, measures it, records it; one team is absent
    clock.set(datetime(2019, 11, 28, 13, 0, tzinfo=UTC))
    sign_in(page, host.email, host.password)
    page.goto(live.url + BASE + "/scene")
    stage = page.get_by_role("region", name=re.compile("Sur scène"))
    assert "Projet nord 1" in stage.inner_text()
    assert page.get_by_role("timer").inner_text() == "3:00"
    checked(page, check_a11y, check_phone)
    page.get_by_role("button", name="Démarrer le pitch").click()
    # a function, not an expression: Playwright evaluates an expression with eval, which the pages' CSP forbids
    page.wait_for_function("() => document.querySelector('[data-countdown]').textContent !== '3:00'", timeout=5000)
    assert "Pitch en cours" in stage.inner_text()
    page.get_by_role("button", name="Fin du pitch : questions").click()
    assert "Questions du jury" in stage.inner_text()
    assert int(page.get_by_label("Durée réelle du pitch (secondes)").input_value()) >= 1
    check_a11y(page)
    submit(page, "Pitch délivré")
    assert "Le passage est consigné." in main(page)
    assert "Projet nord 2" in page.get_by_role("region", name=re.compile("Sur scène")).inner_text()
    submit(page, "Équipe absente")
    for _ in range(2):
        submit(page, "Pitch délivré")
    assert "Tous les passages sont consignés." in main(page)
    checked(page, check_a11y, check_phone)

    # the jurors score (their sheet is tested on a phone below); the host follows and ranks
    rules_keys = ("utilite_pour_les_usagers", "faisabilite")
    for org, other in (("nord", "oise"), ("oise", "nord")):
        for i, scores in ((1, (5, 4)), (2, (3, 3))):
            sends(RecordScore)(
                app, as_juror(jurors[org]), command_id(), host="somme", forum_id=FORUM_ID,
                project_id=UUID(projects[f"{other}-{i}"]), scores=dict(zip(rules_keys, scores, strict=True)),
            )  # fmt: skip
    live.settle()
    page.goto(live.url + BASE + "/suivi")
    assert "4 notes enregistrées sur 4 attendues" in main(page)
    checked(page, check_a11y, check_phone)
    page.goto(live.url + BASE + "/classement")
    submit(page, "Calculer le classement")
    assert "Le classement est calculé" in main(page)
    checked(page, check_a11y, check_phone)

    # the public prize's vote: organised, cast by a voter on a phone, who voted visible to the host
    page.goto(live.url + BASE + "/votes")
    page.get_by_label("Corps électoral : une adresse électronique par ligne").fill(voter.email)
    page.locator("#vote-prix_du_public-opens_date").fill("2019-11-28")
    page.locator("#vote-prix_du_public-opens_time").fill("14:00")
    page.locator("#vote-prix_du_public-closes_date").fill("2019-11-28")
    page.locator("#vote-prix_du_public-closes_time").fill("18:00")
    page.get_by_label("Graine du tirage au sort").fill("amiens-2019")
    submit(page, "Organiser le vote")
    assert "Le vote est organisé." in main(page)
    checked(page, check_a11y, check_phone)
    clock.set(datetime(2019, 11, 28, 15, 0, tzinfo=UTC))
    ballot = new_page()
    ballot.set_viewport_size(PHONE)
    sign_in(ballot, voter.email, voter.password)
    ballot.goto(live.url + BASE + "/vote")
    check_a11y(ballot)
    assert ballot.get_by_label(re.compile("Projet oise 1")).is_disabled()  # own organisation: excluded by the rules
    ballot.get_by_label(re.compile("Projet nord 2")).check()
    submit(ballot, "Voter pour ce projet")
    assert "Votre vote est enregistré : Projet nord 2" in main(ballot)
    check_a11y(ballot)
    assert phone_overflow(ballot) <= 0
    ballot.set_viewport_size(DESKTOP)
    check_a11y(ballot)

    # the deliberation: the ranking's suggestion is pre-checked; then closed, the vote counted, the palmarès published
    sign_in(page, host.email, host.password)
    page.goto(live.url + BASE + "/votes")
    assert "1 vote sur 1 votant" in main(page)
    page.goto(live.url + BASE + "/deliberation")
    submit(page, "Ouvrir la délibération")
    checked(page, check_a11y, check_phone)
    submit(page, "Enregistrer les lauréats")
    assert "Les lauréats sont enregistrés." in main(page)
    submit(page, "Clore la délibération")
    assert "La délibération est close" in main(page)
    checked(page, check_a11y, check_phone)
    clock.set(datetime(2019, 11, 28, 18, 0, tzinfo=UTC))
    sign_in(page, host.email, host.password)
    page.goto(live.url + BASE + "/votes")
    submit(page, "Dépouiller le vote")
    assert "Le vote est dépouillé." in main(page)
    checked(page, check_a11y, check_phone)
    page.goto(live.url + BASE + "/palmares")
    checked(page, check_a11y, check_phone)
    submit(page, "Publier le palmarès")
    assert "Le palmarès est publié" in main(page)
    page.get_by_role("link", name=f"/palmares/{FORUM_ID}").click()
    palmares = main(page)
    assert "Lauréats du forum" in palmares and "Projet nord 1" in palmares and "Projet oise 1" in palmares
    assert "Prix du public" in palmares and "Projet nord 2" in palmares
    page.goto(live.url + BASE)
    checked(page, check_a11y, check_phone)


def test_a_juror_scores_on_a_phone_through_flaky_wifi_and_each_score_is_saved_once(
    live: Live, clock: Clock, page: Any, *, sign_in: SignIn, check_a11y: CheckA11y
) -> None:
    host = member(live.services, "somme", "organiser")
    organisers = {org: member(live.services, org, "organiser") for org in ("nord", "oise")}
    agents = {org: member(live.services, org, "agent") for org in ("nord", "oise")}
    juror = member(live.services, "nord", "agent", name="Jurée du Nord")
    projects = projects_of(live, clock, organisers, agents)
    clock.set(datetime(2019, 10, 22, 8, tzinfo=UTC))
    app = live.services.app

    def run(command: Any, actor: Any = host.actor, **kwargs: Any) -> Any:
        return command(app, actor, command_id(), host="somme", forum_id=FORUM_ID, **kwargs)

    plans(
        app, host.actor, command_id(), host="somme", key="forum-amiens", title="Forum d'Amiens", kind="forum",
        starts_on=datetime(2019, 11, 28).date(), place="Amiens", quota=2,
    )  # fmt: skip
    run(sends(SetPrize), prize=Prize("laureats", "Lauréats", "main", laureates=2))
    for org, organiser in organisers.items():
        run(sends(Invite), organisation=org)
        run(sends(AcceptForumInvitation), organiser.actor, organisation=org)
        for i in (1, 2):
            run(nominates, organiser.actor, project_id=UUID(projects[f"{org}-{i}"]))
    run(sends(AppointJuror), person_id=juror.person_id, organisation="nord", college="Élu·e")
    criteria = (Criterion("impact", "Impact pour les usagers", 2), Criterion("faisabilite", "Faisabilité", 1))
    run(sends(SetRules), rules=JuryRules(criteria=criteria, scale_min=0, scale_max=10))
    clock.set(datetime(2019, 11, 28, 15, 0, tzinfo=UTC))
    live.settle()

    # on a phone: the sheet lists the projects, the juror's own organisation's as recused
    page.set_viewport_size(PHONE)
    sign_in(page, juror.email, juror.password)
    page.goto(live.url + BASE)
    page.get_by_role("link", name="Noter les projets").first.click()
    assert main(page).count("Récusé d'office") == 2
    check_a11y(page)
    assert phone_overflow(page) <= 0
    first, second = (page.locator(f"#projet-{projects[f'oise-{i}']}") for i in (1, 2))

    # online: saved, and shown as saved
    first.get_by_label("Impact pour les usagers").fill("8")
    first.get_by_label("Faisabilité").fill("6")
    first.get_by_label("Commentaire").fill("Très concret.")
    first.get_by_role("button", name="Enregistrer la note").click()
    first.get_by_text(re.compile(r"Enregistré \(révision 1")).wait_for()
    assert scores_recorded(live.services.db) == 1

    # offline: kept on the phone, and said so
    page.context.set_offline(True)
    second.get_by_label("Impact pour les usagers").fill("5")
    second.get_by_label("Faisabilité").fill("7")
    second.get_by_role("button", name="Enregistrer la note").click()
    second.get_by_text(re.compile("pas de réseau")).wait_for()
    assert "1 note attend d'être envoyée" in page.get_by_role("status").first.inner_text()
    kept = json.loads(page.evaluate("Object.values(localStorage)[0]"))
    command = kept[projects["oise-2"]]["command_id"]
    assert re.fullmatch(r"[0-9a-f-]{36}", command)
    check_a11y(page)
    assert scores_recorded(live.services.db) == 1

    # back online: resent with the same command id, saved once
    page.context.set_offline(False)
    second.get_by_text(re.compile(r"Enregistré \(révision 1")).wait_for(timeout=15_000)
    assert scores_recorded(live.services.db) == 2
    assert page.evaluate("Object.values(localStorage)[0]") == "{}"

    # a revision whose answer is lost on the way back: the server saved it; the resend, same id, is not saved again
    lost: list[str] = []

    def lose_the_answer(route: Any) -> None:
        if not lost:
            lost.append(route.request.post_data or "")
            route.fetch()  # the server receives and records it …
            route.abort()  # … but the phone never hears back
        else:
            route.continue_()

    page.route(f"**{BASE}/notation/{projects['oise-1']}", lose_the_answer)
    first.get_by_label("Impact pour les usagers").fill("9")
    first.get_by_role("button", name="Réviser la note").click()
    first.get_by_text(re.compile("pas de réseau")).wait_for()
    assert scores_recorded(live.services.db) == 3  # recorded, though the phone does not know yet
    page.evaluate("window.dispatchEvent(new Event('online'))")
    first.get_by_text(re.compile(r"Enregistré \(révision 2")).wait_for(timeout=15_000)
    assert scores_recorded(live.services.db) == 3  # the resend was answered from the first, nothing new
    assert "command_id=" in lost[0]

    # a refusal is shown beside its criterion, and not kept for resending
    second.get_by_label("Faisabilité").fill("11")
    second.get_by_role("button", name="Réviser la note").click()
    second.get_by_text(re.compile("sort de l'échelle 0–10")).first.wait_for()
    assert second.get_by_label("Faisabilité").get_attribute("aria-invalid") == "true"
    assert page.evaluate("Object.values(localStorage)[0]") == "{}"
    check_a11y(page)

    # the sheet read again shows what is saved
    page.reload()
    assert "Enregistré (révision 2" in first.inner_text() and "Enregistré (révision 1" in second.inner_text()
    assert first.get_by_label("Impact pour les usagers").input_value() == "9"
    check_a11y(page)
    assert phone_overflow(page) <= 0
    page.set_viewport_size(DESKTOP)
    check_a11y(page)
