"""The forum through the JSON API, against the real PostgreSQL: a forum run end to end with API tokens, every bad
input answered as problem+json naming its rule (and field), and the palmarès a 404 for outsiders until published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from forum.database import Database
from forum.services import Services
from tests.conftest import Clock
from tests.web.clients import Api, refused, store_count
from tests.web.worlds import DAY, FORUM, Cast, nominate, plan, prepare_jury, score

PUBLIC = "/api/v1/public/palmares"


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
