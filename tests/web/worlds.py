"""Worlds the web tests share: a call's JSON body, and the forum's cast (people and selected projects) with the
steps of a forum run through the JSON API (``plan``, ``nominate``, ``prepare_jury``, ``score``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from forum.services import Services
from tests.accounts import Member, member
from tests.builders import selected_projects
from tests.conftest import Clock
from tests.web.clients import Api

CALL = {
    "title": "Appel à idées innovantes 2019",
    "description": "Vos idées pour le service public départemental.",
    "themes": ["services aux usagers", "organisation du travail"],
    "categories": ["idée", "projet en cours"],
    "opens_at": "2019-09-16T00:00:00+02:00",
    "closes_at": "2019-10-31T23:59:59+01:00",
    "eligible_partners": ["pas-de-calais"],
    "questions": [
        {"key": "public_vise", "label": "Public visé", "kind": "short_text", "required": True, "max_length": 100},
        {"key": "etat", "label": "État du projet", "kind": "single_choice", "required": True,
         "choices": ["idée", "prototype"]},
    ],
    "max_team_size": 3,
    "open": True,
}  # fmt: skip

FORUM = "/api/v1/forums/somme/forum-2019"
DAY = datetime(2019, 11, 28, 13, 0, tzinfo=UTC)  # 14:00 in Amiens


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


def enrol_cast(services: Services, api: Api, clock: Clock) -> Cast:
    """Somme hosts; Nord and Oise take part with two selected projects each; jurors, voters, a coach, an auditor and an
    outsider (Val-d'Oise); the read models caught up."""
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
