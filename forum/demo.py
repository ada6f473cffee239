"""The 2019 programmes, loaded through the application's own commands (never by writing events or rows)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from domain.forum import Forum
from domain.person import Person
from domain.values import Role
from forum.access import SYSTEM, Actor
from forum.application import ForumApplication
from forum.people import People

SCENARIOS = ("forum-interdepartemental-2019.json", "impulsions-2019.json")
KIND_ALIASES = {"partner": "partenaire"}  # the scenario files' word for the State incubator's kind


def scenario(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("forum").joinpath("demo_data", name).read_text("utf-8"))
    return data


def load_organisations(app: ForumApplication, data: dict[str, Any]) -> list[str]:
    """Register the scenario's organisations; command ids derive from the slugs, so a second run changes nothing."""
    slugs = []
    for org in data["organisations"]:
        app.register_organisation(
            SYSTEM,
            f"demo.org.{org['slug']}",
            slug=org["slug"],
            name=org["name"],
            kind=KIND_ALIASES.get(org["kind"], org["kind"]),
        )
        slugs.append(org["slug"])
    return slugs


def load(app: ForumApplication, people: People) -> dict[str, Any]:
    """Load both 2019 programmes end to end (what ``forum demo`` and ``make run`` do); returns a summary."""
    from forum import demo_forum
    from forum.demo_after_forum import load_after_forum_demo

    summary: dict[str, Any] = {}
    for name in SCENARIOS:
        summary[name] = {"organisations": len(load_organisations(app, scenario(name)))}
    for name, loaded in demo_forum.load(app, people).items():
        summary[name].update({k: v for k, v in loaded.items() if isinstance(v, int)})
    after = load_after_forum_demo(
        app,
        forum_id=Forum.id_for("somme", "forum-interdepartemental-2019"),
        host="somme",
        organisers={org: _demo_organiser(f"organisateur-{org}", org) for org in FORUM_2019_DEPARTEMENTS},
    )
    summary[demo_forum.FORUM_2019].update(
        {"pre-incubations": after["pre_incubations"], "outcomes": after["outcomes"], "adopters": len(after["adopters"])}
    )
    return summary


FORUM_2019_DEPARTEMENTS = ("nord", "oise", "pas-de-calais", "somme", "val-doise")


def _demo_organiser(label: str, organisation: str) -> Actor:
    """The organiser the forum's loader enrolled for ``organisation`` (a person's id derives from their address)."""
    email = f"{label}@{organisation}.demo.forum.local"
    return Actor(str(Person.id_for(email)), organisation, frozenset({Role.ORGANISER}))
