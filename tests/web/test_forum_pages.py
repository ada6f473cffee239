"""The pages that run a forum, over HTTP against the real app: a host runs a new forum end to end from the pages
(edition, invitations, prizes, nominations, coaching, running order, stage, jury, scores, ranking, deliberation,
vote, palmarès), each refusal shown beside its field with the domain's French message, and who sees what."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import pytest

from domain.forum import Forum
from forum.database import Database
from forum.services import Services
from tests.accounts import Member, member
from tests.builders import selected_projects
from tests.conftest import Clock
from tests.settling import settle
from tests.web.clients import Browser, main_text, refused_beside

KEY = "forum-2019"
BASE = f"/forums/somme/{Forum.id_for('somme', KEY)}"


@dataclass
class Cast:
    host: Member
    nord: Member
    oise: Member
    nord_agent: Member
    oise_agent: Member
    juror_nord: Member
    juror_oise: Member
    coach: Member
    voter_nord: Member
    voter_oise: Member
    auditor: Member
    outsider: Member
    projects: dict[str, str]


@pytest.fixture
def cast(services: Services, browser: Browser, clock: Clock) -> Cast:
    people = {
        "host": member(services, "somme", "organiser", name="Organisatrice de la Somme"),
        "nord": member(services, "nord", "organiser", name="Organisateur du Nord"),
        "oise": member(services, "oise", "organiser", name="Organisatrice de l'Oise"),
        "nord_agent": member(services, "nord", "agent", name="Agente du Nord"),
        "oise_agent": member(services, "oise", "agent", name="Agent de l'Oise"),
        "juror_nord": member(services, "nord", "agent", name="Jurée du Nord"),
        "juror_oise": member(services, "oise", "agent", name="Juré de l'Oise"),
        "coach": member(services, "beta-gouv", "agent", name="Coach de l'incubateur"),
        "voter_nord": member(services, "nord", "agent", name="Votante du Nord"),
        "voter_oise": member(services, "oise", "agent", name="Votant de l'Oise"),
        "auditor": member(services, "somme", "auditor", name="Auditrice de la Somme"),
        "outsider": member(services, "val-doise", "organiser", name="Organisateur du Val-d'Oise"),
    }
    projects = {}
    for org in ("nord", "oise"):
        agent = people[f"{org}_agent"]
        for i, project_id in enumerate(selected_projects(services, clock, people[org], agent, 2), start=1):
            projects[f"{org}-{i}"] = project_id
    clock.set(datetime(2019, 10, 22, 8, tzinfo=UTC))
    settle(browser.client)
    return Cast(**people, projects=projects)


def plan(browser: Browser, cast: Cast) -> str:
    """The host creates the forum from the pages; Nord and Oise are invited and accept."""
    browser.as_(cast.host)
    assert "Créer un forum ou une édition de prix" in browser.page("/forums")
    assert 'name="_csrf_token"' in browser.page("/organisations/somme/forums/nouveau")  # every form carries it
    html = browser.send(
        "/organisations/somme/forums",
        {
            "title": "1er forum Innovations interdépartemental",
            "kind": "forum",
            "starts_on": "2019-11-28",
            "ends_on": "",
            "place": "Amiens",
            "quota": "2",
            "categories": "",
            "budget": "10 000",
            "key": KEY,
        },
        "forum-cree",
    )
    assert "Amiens" in html and "10 000" in main_text(html).replace("\u202f", " ")
    browser.send(f"{BASE}/prix", {"label": "Lauréats du forum", "kind": "main", "laureates": "2"}, "prix")
    browser.send(f"{BASE}/prix", {"label": "Prix du public", "kind": "vote", "laureates": "1"}, "prix")
    for org in ("nord", "oise"):
        browser.send(f"{BASE}/participants", {"organisation": org, "quota": ""}, "invitation")
    for organiser in (cast.nord, cast.oise):
        html = browser.as_(organiser).page(BASE)
        assert "Accepter l'invitation" in html
        browser.send(f"{BASE}/invitation/{organiser.organisation}/acceptation", {}, "acceptee")
    return BASE


def nominate_all(browser: Browser, cast: Cast) -> None:
    for organiser, org in ((cast.nord, "nord"), (cast.oise, "oise")):
        browser.as_(organiser)
        for i in (1, 2):
            html = browser.page(f"{BASE}/propositions")
            assert f"Projet {org} {i}" in html
            browser.send(f"{BASE}/propositions", {"project_id": f"{org}/{cast.projects[f'{org}-{i}']}"}, "proposition")


def test_a_host_runs_a_new_forum_end_to_end_from_the_pages(
    browser: Browser, cast: Cast, clock: Clock, db: Database
) -> None:
    # the edition, the prizes, the participants
    plan(browser, cast)
    nominate_all(browser, cast)
    html = browser.as_(cast.host).page(f"{BASE}/propositions")
    assert all(f"Projet {org} {i}" in html for org in ("nord", "oise") for i in (1, 2))

    # coaching: the coach is appointed by address, the teams shared among coaches; the coach records a session
    browser.send(f"{BASE}/coaching/coachs", {"email": cast.coach.email}, "coach")
    browser.send(
        f"{BASE}/coaching/rotation",
        {"coach_ids": cast.coach.person_id, "rota_date": "2019-11-28", "rota_time": "09:00", "rota_minutes": "40"},
        "rotation",
    )
    html = browser.as_(cast.coach).page(f"{BASE}/coaching")
    assert "Mes équipes" in html and "Projet nord 1" in html and "28/11/2019 à 09:00" in html
    team = f"{BASE}/equipes/{cast.projects['nord-1']}"
    browser.send(
        f"{team}/seances",
        {
            "problem_statement": "Comment réduire le non-recours aux aides ?",
            "pitch_points": "Commencer par un usager\nUn chiffre clé",
            "notes": "Équipe motivée.",
        },
        "seance",
    )
    # the team (its author) reads it; another team's author, a juror or an outsider do not
    html = browser.as_(cast.nord_agent).page(BASE)
    assert "Votre équipe" in html and "Projet nord 1" in html
    assert "Comment réduire le non-recours aux aides ?" in browser.page(team)
    browser.as_(cast.oise_agent).page(team, 403)
    browser.as_(cast.outsider).page(team, 404)

    # the running order, then the jury and its rules
    browser.as_(cast.host)
    order = {f"place_{cast.projects[k]}": str(i) for i, k in enumerate(("nord-1", "oise-1", "nord-2", "oise-2"), 1)}
    html = browser.send(
        f"{BASE}/ordre-de-passage",
        {**order, "starts_date": "2019-11-28", "starts_time": "14:00", "pitch_seconds": "180",
         "questions_seconds": "300", "changeover_seconds": "60"},
        "ordre",
    )  # fmt: skip
    assert "14:09" in html  # the second team: 14:00 + 3 min + 5 min + 1 min
    for juror, college in ((cast.juror_nord, "Élu·e"), (cast.juror_oise, "Agent")):
        browser.send(f"{BASE}/jury/jures", {"email": juror.email, "college": college}, "jure")
    browser.send(
        f"{BASE}/jury/regles",
        {"c0_label": "Utilité pour les usagers", "c0_weight": "2", "c1_label": "Faisabilité", "c1_weight": "1",
         "scale_min": "1", "scale_max": "5", "quorum": "1", "normalisation": "none", "tie_break_1": "criteria",
         "draw_seed": ""},
        "regles",
    )  # fmt: skip

    # the day: the stage shows the team on stage and the next; pitches recorded, one team absent
    clock.set(datetime(2019, 11, 28, 13, 0, tzinfo=UTC))
    html = browser.as_(cast.host).page(f"{BASE}/scene")  # a new session: the last one expired in October
    assert "Projet nord 1" in main_text(html).split("Équipe suivante")[0]
    assert "Équipe suivante : Projet oise 1" in main_text(html)
    browser.send(f"{BASE}/scene/{cast.projects['nord-1']}/pitch", {"duration_seconds": "175"}, "pitch")
    browser.send(f"{BASE}/scene/{cast.projects['oise-1']}/pitch", {"duration_seconds": "190"}, "pitch")
    browser.send(f"{BASE}/scene/{cast.projects['nord-2']}/absence", {}, "absence")
    html = browser.send(f"{BASE}/scene/{cast.projects['oise-2']}/pitch", {"duration_seconds": "181"}, "pitch")
    assert "Tous les passages sont consignés." in html
    html = browser.page(f"{BASE}/ordre-de-passage")
    assert "2 min 55 s" in html and "Absente" in html

    # the jurors score on their sheet: never their own organisation's projects
    sheet = browser.as_(cast.juror_nord).page(f"{BASE}/notation")
    assert main_text(sheet).count("Récusé d'office") == 2
    scores = {"nord-1": (5, 4), "nord-2": (3, 3), "oise-1": (4, 5), "oise-2": (2, 3)}
    for juror, org in ((cast.juror_nord, "oise"), (cast.juror_oise, "nord")):
        browser.as_(juror)
        for i in (1, 2):
            usagers, faisabilite = scores[f"{org}-{i}"]
            html = browser.send(
                f"{BASE}/notation/{cast.projects[f'{org}-{i}']}",
                {"score_utilite_pour_les_usagers": str(usagers), "score_faisabilite": str(faisabilite),
                 "comment": "Clair."},
                "note",
            )  # fmt: skip
        assert html.count("Enregistré (révision 1") == 2
    # a score of the juror's own organisation is refused, with the rule, and nothing recorded
    before = events(db)
    response = browser.post(
        f"{BASE}/notation/{cast.projects['oise-1']}",
        {"score_utilite_pour_les_usagers": "5", "score_faisabilite": "5"},
    )
    assert response.status_code == 409
    assert "Un juré ne note jamais un projet de sa propre organisation" in main_text(response.text)
    assert events(db) == before

    # the host follows the scoring, computes the ranking
    browser.as_(cast.host)
    assert "4 notes enregistrées sur 4 attendues" in main_text(browser.page(f"{BASE}/suivi"))
    html = browser.send(f"{BASE}/classement", {}, "classement")
    rows = re.findall(r"<tr>\s*<td>(\d+)[^<]*</td>\s*<td>([^<]+)<br>", html)
    assert [(rank, title.strip()) for rank, title in rows] == [
        ("1", "Projet nord 1"),
        ("2", "Projet oise 1"),
        ("3", "Projet nord 2"),
        ("4", "Projet oise 2"),
    ]

    # a vote for the public prize: one voter per organisation, who voted visible to the host, not what
    browser.send(
        f"{BASE}/votes/prix_du_public",
        {"electorate": f"{cast.voter_nord.email}\n{cast.voter_oise.email}", "opens_date": "2019-11-28",
         "opens_time": "14:00", "closes_date": "2019-11-28", "closes_time": "18:00", "tie_break": "draw",
         "draw_seed": "amiens-2019"},
        "vote-organise",
    )  # fmt: skip
    clock.set(datetime(2019, 11, 28, 15, 0, tzinfo=UTC))
    html = browser.as_(cast.voter_nord).page(f"{BASE}/vote")
    assert "Projet de votre organisation : exclu par les règles de ce vote." in html
    html = browser.send(f"{BASE}/vote/prix_du_public", {"project_id": cast.projects["oise-1"]}, "vote")
    assert "Votre vote est enregistré : Projet oise 1" in main_text(html)
    assert 'type="radio"' not in html  # one vote: no second ballot offered
    again = browser.post(f"{BASE}/vote/prix_du_public", {"project_id": cast.projects["oise-2"]})
    assert again.status_code == 409 and "Un seul vote par votant" in main_text(again.text)
    browser.as_(cast.voter_oise).send(f"{BASE}/vote/prix_du_public", {"project_id": cast.projects["nord-1"]}, "vote")
    html = browser.as_(cast.host).page(f"{BASE}/votes")
    assert "2 votes sur 2 votants" in main_text(html)
    assert "Bulletins" not in html and "Vote pour" not in html  # the host never sees what each voted
    assert "Bulletins" in browser.as_(cast.auditor).page(f"{BASE}/votes")  # the auditors do

    # the deliberation: departing from the ranking needs a rationale, shown beside the field when missing
    browser.as_(cast.host).send(f"{BASE}/deliberation/ouverture", {}, "deliberation-ouverte")
    choice = {"laureates[]": [cast.projects["nord-1"], cast.projects["nord-2"]]}
    response = browser.post(f"{BASE}/deliberation/prix/laureats_du_forum", choice)
    assert response.status_code == 409
    assert "une motivation écrite est requise" in refused_beside(response.text, "prize-laureats_du_forum-rationale")
    browser.send(
        f"{BASE}/deliberation/prix/laureats_du_forum",
        {**choice, "rationale": "Le jury distingue deux projets complémentaires du Nord."},
        "laureats",
    )
    html = browser.send(
        f"{BASE}/deliberation/prix/laureats_du_forum",
        {"laureates[]": [cast.projects["nord-1"], cast.projects["oise-1"]]},
        "laureats",
    )
    assert "S'écarte du classement" not in html
    browser.send(f"{BASE}/deliberation/cloture", {}, "deliberation-close")

    # the palmarès: publication refused while the vote is not counted, then counted and published
    response = browser.post(f"{BASE}/palmares/publication")
    assert response.status_code == 409 and "n'est pas dépouillé" in main_text(response.text)
    browser.as_(cast.outsider).page(f"/palmares/{Forum.id_for('somme', KEY)}", 404)
    clock.set(datetime(2019, 11, 28, 18, 0, tzinfo=UTC))
    html = browser.as_(cast.host).send(f"{BASE}/votes/prix_du_public/depouillement", {}, "depouillement")
    assert "Dépouillement du" in html
    html = browser.send(f"{BASE}/palmares/publication", {}, "publie")
    assert "Le palmarès est publié" in html
    public = main_text(browser.as_(None).page(f"/palmares/{Forum.id_for('somme', KEY)}"))
    assert "Lauréats du forum" in public and "Projet nord 1" in public and "Projet oise 1" in public
    assert "Prix du public" in public


def events(db: Database) -> int:
    with db.connect(autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM store.forum_events").fetchone()
    assert row is not None
    return int(row[0])


def scores_recorded(db: Database) -> int:
    """How many ``Forum.ScoreRecorded`` events the store holds (every revision is one)."""
    with db.connect(autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM store.forum_events WHERE topic LIKE '%Forum.ScoreRecorded'").fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def scoring(browser: Browser, cast: Cast, clock: Clock) -> Cast:
    """A forum with its nominations, two jurors and rules: scoring is open."""
    plan(browser, cast)
    nominate_all(browser, cast)
    browser.as_(cast.host)
    for juror in (cast.juror_nord, cast.juror_oise):
        browser.send(f"{BASE}/jury/jures", {"email": juror.email, "college": "Agent"}, "jure")
    browser.send(
        f"{BASE}/jury/regles",
        {"c0_label": "Utilité", "c0_weight": "1", "scale_min": "0", "scale_max": "10", "quorum": "1",
         "normalisation": "z_score", "tie_break_1": "draw", "draw_seed": "graine"},
        "regles",
    )  # fmt: skip
    clock.set(datetime(2019, 11, 28, 13, 0, tzinfo=UTC))
    return cast


def test_a_score_sent_by_the_scoring_script_is_answered_in_json_and_saved_once_however_often_it_is_resent(
    browser: Browser, scoring: Cast, db: Database
) -> None:
    browser.as_(scoring.juror_nord)
    project = scoring.projects["oise-1"]
    token = browser.client.cookies.get("forum_csrf")
    form = {"command_id": "0b9a4a4e-8d1f-4c1e-9a57-1f7a3c2d5e60", "score_utilite": "7", "comment": "Solide."}
    headers = {"Accept": "application/json", "X-CSRFToken": token}
    answers = [
        browser.client.post(f"{BASE}/notation/{project}", data=form, headers=headers, follow_redirects=False)
        for _ in range(3)
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/json")
    assert [a.json()["revision"] for a in answers] == [1, 1, 1]
    assert answers[0].json()["saved"] is True and answers[0].json()["scores"] == {"utilite": 7}
    assert scores_recorded(db) == 1
    # a score out of the scale: a problem naming the field, in French
    bad = browser.client.post(
        f"{BASE}/notation/{project}", data={**form, "command_id": "x-2", "score_utilite": "11"}, headers=headers
    )
    assert bad.status_code == 422
    problem = bad.json()
    assert problem["rule"] == "score_out_of_scale" and problem["field"] == "scores.utilite"
    assert "sort de l'échelle 0–10" in problem["detail"]
    # without the CSRF token the same request is refused
    forged = browser.client.post(
        f"{BASE}/notation/{project}", data={**form, "command_id": "x-3"}, headers={"Accept": "application/json"}
    )
    assert forged.status_code == 403 and forged.json()["rule"] == "csrf"


def test_without_javascript_a_refused_score_is_shown_beside_its_criterion(browser: Browser, scoring: Cast) -> None:
    browser.as_(scoring.juror_oise)
    project = scoring.projects["nord-2"]
    response = browser.post(f"{BASE}/notation/{project}", {"score_utilite": "12", "comment": "Trop !"})
    assert response.status_code == 422
    assert "sort de l'échelle 0–10" in refused_beside(response.text, f"s-{project}-utilite")
    assert 'value="12"' in response.text and "Trop !" in response.text  # what the juror typed is kept


def test_once_scoring_began_the_rules_change_only_by_a_reasoned_amendment(browser: Browser, scoring: Cast) -> None:
    browser.as_(scoring.juror_nord).send(
        f"{BASE}/notation/{scoring.projects['oise-1']}", {"score_utilite": "6"}, "note"
    )
    browser.as_(scoring.host)
    html = browser.page(f"{BASE}/jury")
    assert "Amender les règles" in html and "verrouillée depuis la première note" in html
    rules = {"c0_key": "utilite", "c0_label": "Utilité", "c0_weight": "1", "scale_min": "0", "scale_max": "20",
             "quorum": "1", "normalisation": "z_score", "tie_break_1": "draw", "draw_seed": "graine"}  # fmt: skip
    response = browser.post(f"{BASE}/jury/regles", rules)
    assert response.status_code == 422
    assert "obligatoire" in refused_beside(response.text, "rules-reason")
    assert 'value="20"' in response.text  # the amendment typed is kept
    html = browser.send(f"{BASE}/jury/regles", {**rules, "reason": "Échelle sur 20, comme l'an dernier."}, "amendement")
    assert "Version 2" in html and "amendement : Échelle sur 20, comme l'an dernier." in main_text(html)


def test_an_organisation_nominates_within_its_quota_and_withdraws_before_the_day(
    browser: Browser, cast: Cast, services: Services, clock: Clock
) -> None:
    plan(browser, cast)
    browser.as_(cast.host).send(f"{BASE}/participants/nord/quota", {"quota": "1"}, "quota")
    browser.as_(cast.nord)
    browser.send(f"{BASE}/propositions", {"project_id": f"nord/{cast.projects['nord-1']}"}, "proposition")
    html = browser.page(f"{BASE}/propositions")
    assert "1 projet proposé sur un quota de 1" in main_text(html)
    assert "Proposer ce projet" not in html  # the quota is reached: the form is gone
    response = browser.post(f"{BASE}/propositions", {"project_id": f"nord/{cast.projects['nord-2']}"})
    assert response.status_code == 409 and "Quota atteint" in main_text(response.text)
    html = browser.send(
        f"{BASE}/propositions/{cast.projects['nord-1']}/retrait", {"reason": "Équipe indisponible."}, "retrait"
    )
    assert "Retiré le" in html and "Équipe indisponible." in html
    # the host sees the organisation's answer and its nominations; Oise's organiser sees only Oise's
    html = browser.as_(cast.host).page(f"{BASE}/participants")
    assert "Participe" in html
    assert "Projet nord 1" not in browser.as_(cast.oise).page(f"{BASE}/propositions")
    # on the day, withdrawing is too late
    browser.as_(cast.nord).send(f"{BASE}/propositions", {"project_id": f"nord/{cast.projects['nord-2']}"})
    clock.set(datetime(2019, 11, 28, 8, tzinfo=UTC))
    response = browser.as_(cast.nord).post(f"{BASE}/propositions/{cast.projects['nord-2']}/retrait", {"reason": ""})
    assert response.status_code == 409 and "jusqu'à la veille du forum" in main_text(response.text)


def test_a_refused_edition_is_shown_beside_its_field(browser: Browser, cast: Cast) -> None:
    browser.as_(cast.host)
    response = browser.post(
        "/organisations/somme/forums",
        {"title": "Forum", "kind": "forum", "starts_on": "2019-11-28", "ends_on": "2019-11-27", "place": "Amiens",
         "quota": "3"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "ne peut finir (27/11/2019) avant de commencer (28/11/2019)" in refused_beside(response.text, "new-ends_on")
    response = browser.post(
        "/organisations/somme/forums",
        {"title": "Forum", "kind": "forum", "starts_on": "2019-11-28", "place": "Amiens", "quota": "0"},
    )
    assert "Le quota par organisation va de 1 à 100 projets" in refused_beside(response.text, "new-quota")


def test_who_sees_which_forum_page(browser: Browser, cast: Cast) -> None:
    plan(browser, cast)
    # an organisation neither hosting nor invited: the forum does not exist for it
    for path in ("", "/participants", "/jury", "/notation", "/scene", "/vote", "/ordre-de-passage"):
        browser.as_(cast.outsider).page(f"{BASE}{path}", 404)
    # an agent of an invited organisation reads the programme and the running order, not the host's pages
    browser.as_(cast.nord_agent)
    browser.page(BASE)
    browser.page(f"{BASE}/ordre-de-passage")
    for path in ("/participants", "/prix", "/suivi", "/scene", "/votes", "/notation", "/vote"):
        assert "Votre rôle dans ce forum ne permet pas cette action" in browser.page(f"{BASE}{path}", 403)
    # the host organisation's auditor reads the host's pages but gets no form
    html = browser.as_(cast.auditor).page(f"{BASE}/participants")
    assert "Inviter une organisation" not in html
    assert browser.post(f"{BASE}/participants", {"organisation": "aisne"}).status_code == 403
    # anonymous visitors are sent to sign in
    response = browser.as_(None).get(BASE)
    assert response.status_code == 303 and response.headers["location"].startswith("/connexion")


def test_the_forum_list_shows_hosted_invited_and_role_forums(browser: Browser, cast: Cast) -> None:
    plan(browser, cast)
    assert "1er forum Innovations interdépartemental" in browser.as_(cast.nord_agent).page("/forums")
    browser.as_(cast.host).send(f"{BASE}/jury/jures", {"email": cast.outsider.email, "college": "Élu·e"}, "jure")
    html = browser.as_(cast.outsider).page("/forums")
    assert "1er forum Innovations interdépartemental" in html
    assert "Noter les projets" in browser.page(BASE)
    response = browser.as_(cast.host).post(f"{BASE}/jury/jures", {"email": "personne@nulle.part", "college": "Agent"})
    assert response.status_code == 422
    assert "Aucun compte n'a l'adresse personne@nulle.part" in refused_beside(response.text, "juror-email")
    assert UUID(cast.projects["nord-1"])  # the cast is well formed


def test_a_juror_declares_a_conflict_and_no_longer_scores_the_project(browser: Browser, scoring: Cast) -> None:
    browser.as_(scoring.juror_nord)
    project = scoring.projects["oise-2"]
    response = browser.post(f"{BASE}/notation/{project}/conflit", {"reason": " "})
    assert response.status_code == 422
    assert "obligatoire" in refused_beside(response.text, f"conflict-{project}-reason")
    html = browser.send(f"{BASE}/notation/{project}/conflit", {"reason": "Ancienne collègue de l'équipe."}, "conflit")
    shown = main_text(html)
    assert "Conflit déclaré Ancienne collègue de l'équipe." in shown
    assert f'action="{BASE}/notation/{project}"' not in html  # no scoring form for it any more
    response = browser.post(f"{BASE}/notation/{project}", {"score_utilite": "5"})
    assert response.status_code == 409 and "a déclaré un conflit d'intérêts" in main_text(response.text)
    # the host sees the conflict, and the project's scores expected drop by one
    browser.as_(scoring.host)
    assert "Ancienne collègue de l'équipe." in main_text(browser.page(f"{BASE}/jury"))
    assert "3 attendues" in main_text(browser.page(f"{BASE}/suivi"))


def test_the_host_breaks_a_tie_by_the_order_the_jury_decided(browser: Browser, scoring: Cast) -> None:
    rules = {"c0_key": "utilite", "c0_label": "Utilité", "c0_weight": "1", "scale_min": "0", "scale_max": "10",
             "quorum": "1", "normalisation": "none", "tie_break_1": "jury_vote"}  # fmt: skip
    browser.as_(scoring.host).send(f"{BASE}/jury/regles", rules, "regles")
    for juror, marks in ((scoring.juror_nord, {"oise-1": "8", "oise-2": "8"}), (scoring.juror_oise, {"nord-1": "3"})):
        browser.as_(juror)
        for key, mark in marks.items():
            browser.send(f"{BASE}/notation/{scoring.projects[key]}", {"score_utilite": mark}, "note")
    browser.as_(scoring.host)
    html = browser.send(f"{BASE}/classement", {}, "classement")
    assert main_text(html).count("(ex æquo)") == 2 and "Ex æquo à départager" in html
    first, second = scoring.projects["oise-2"], scoring.projects["oise-1"]
    order = {"group": "1", f"place_{first}": "1", f"place_{second}": "2"}
    response = browser.post(f"{BASE}/classement/departage", order)
    assert response.status_code == 422
    assert "obligatoire" in refused_beside(response.text, "tie-1-rationale")
    browser.send(
        f"{BASE}/classement/departage", {**order, "rationale": "Vote à main levée : 4 voix contre 3."}, "departage"
    )
    html = browser.send(f"{BASE}/classement", {}, "classement")
    rows = re.findall(r"<tr>\s*<td>(\d+)[^<]*</td>\s*<td>([^<]+)<br>", html)
    assert [title.strip() for _, title in rows[:2]] == ["Projet oise 2", "Projet oise 1"]
    assert "(ex æquo)" not in main_text(html)
    assert "Vote à main levée : 4 voix contre 3." in main_text(html)


def test_a_tied_vote_is_counted_in_the_order_the_jury_decided(browser: Browser, scoring: Cast, clock: Clock) -> None:
    browser.as_(scoring.host).send(
        f"{BASE}/votes/prix_du_public",
        {"electorate": f"{scoring.voter_nord.email}\n{scoring.voter_oise.email}", "opens_date": "2019-11-28",
         "opens_time": "14:00", "closes_date": "2019-11-28", "closes_time": "18:00", "tie_break": "jury_vote"},
        "vote-organise",
    )  # fmt: skip
    clock.set(datetime(2019, 11, 28, 15, 0, tzinfo=UTC))
    for voter, choice in ((scoring.voter_nord, "oise-1"), (scoring.voter_oise, "nord-1")):
        browser.as_(voter).send(f"{BASE}/vote/prix_du_public", {"project_id": scoring.projects[choice]}, "vote")
    clock.set(datetime(2019, 11, 28, 18, 0, tzinfo=UTC))
    browser.as_(scoring.host)
    response = browser.post(f"{BASE}/votes/prix_du_public/depouillement")
    assert response.status_code == 409
    assert "Égalité de voix pour la dernière place" in main_text(response.text)
    assert '<p class="field-error" id="count-prix_du_public-error">' in response.text
    order = {f"place_{scoring.projects['nord-1']}": "1", f"place_{scoring.projects['oise-1']}": "2"}
    html = browser.send(
        f"{BASE}/votes/prix_du_public/depouillement",
        {**order, "rationale": "Le jury préfère le Nord."},
        "depouillement",
    )
    assert re.search(r"Projet nord 1 : 1 voix — .*lauréat", main_text(html))
    assert "Projet oise 1 : 1 voix" in main_text(html)


def test_a_ranked_special_prize_lists_its_laureates_in_the_order_designated(browser: Browser, scoring: Cast) -> None:
    browser.as_(scoring.host)
    browser.send(
        f"{BASE}/prix",
        {"label": "Podium", "kind": "special", "laureates": "2", "ranked": "oui", "amount": "500"},
        "prix",
    )
    browser.send(f"{BASE}/deliberation/ouverture", {}, "deliberation-ouverte")
    places = {f"place_{scoring.projects['oise-2']}": "1", f"place_{scoring.projects['nord-1']}": "2"}
    html = browser.send(f"{BASE}/deliberation/prix/podium", places, "laureats")
    podium = main_text(html).split("Podium", 1)[1]
    assert podium.index("Projet oise 2") < podium.index("Projet nord 1")
    draft = main_text(browser.page(f"/palmares/{Forum.id_for('somme', KEY)}"))
    assert "1er prix — Projet oise 2" in draft and "2e prix — Projet nord 1" in draft
    # an amount over the budget is refused beside the prize's laureates
    response = browser.post(
        f"{BASE}/deliberation/prix/podium", {**places, f"amount_{scoring.projects['oise-2']}": "20000"}
    )
    assert response.status_code == 409
    assert "au-delà du budget" in main_text(response.text)


def test_malformed_input_is_refused_with_a_message_never_a_server_error(browser: Browser, cast: Cast) -> None:
    plan(browser, cast)
    browser.as_(cast.host)
    cases = [
        (f"{BASE}/budget", {"budget": "1e400"}, "budget-budget"),
        (f"{BASE}/budget", {"budget": "nan"}, "budget-budget"),
        (f"{BASE}/participants/nord/quota", {"quota": "99999999999999999999"}, "quota-nord-quota"),
        (f"{BASE}/prix", {"label": "Prix", "kind": "main", "laureates": "beaucoup"}, "prize-laureates"),
        (f"{BASE}/ordre-de-passage", {"place_pas-un-projet": "1", "starts_date": "2019-11-28"}, None),
        (f"{BASE}/classement/departage", {"place_x": "1", "group": "1", "rationale": "?"}, None),
        (f"{BASE}/deliberation/prix/laureats_du_forum", {"laureates[]": "pas-un-projet"}, None),
        (f"{BASE}/coaching/creneaux", {"project_id": "x", "coach_id": "y", "starts_date": "demain"}, None),
    ]
    for path, form, field_id in cases:
        response = browser.post(path, form)
        assert response.status_code in (400, 409, 422), f"{path} {form}: {response.status_code}"
        assert main_text(response.text), path
        if field_id:
            assert refused_beside(response.text, field_id)
