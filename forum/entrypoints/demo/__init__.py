"""The demo: the 2019 programmes loaded through the application's own commands (never by writing events or rows),
what ``forum demo`` and ``make run`` do. Loading twice changes nothing: every command id derives from the scenario.

``scenarios`` holds what every part shares (the files of ``forum/demo_data/``, organisations, addresses, the
scenario's clock), ``editions`` the way an edition is loaded; ``forum_2019``, ``impulsions_2019`` and
``pre_incubation`` (the forum's laureates afterwards) each load one story.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.person import Person
from domain.values import Role
from forum.access import Actor
from forum.application import ForumApplication
from forum.entrypoints.demo.forum_2019 import FORUM_2019_AUDITOR, load_forum_2019
from forum.entrypoints.demo.impulsions_2019 import load_impulsions_2019
from forum.entrypoints.demo.pre_incubation import load_pre_incubation
from forum.entrypoints.demo.scenarios import (
    DEMO_PASSWORD,
    FORUM_2019,
    IMPULSIONS_2019,
    SCENARIOS,
    demo_email,
    load_organisations,
    scenario,
)
from forum.people import People

__all__ = ["DEMO_PASSWORD", "FORUM_2019_AUDITOR", "load", "load_programmes"]


def load_programmes(
    app: ForumApplication, people: People, *, password: str = DEMO_PASSWORD
) -> dict[str, dict[str, Any]]:
    """Both programmes, each's summary by scenario file (the forum's, then the prize's)."""
    return {
        FORUM_2019: load_forum_2019(app, people, password=password),
        IMPULSIONS_2019: load_impulsions_2019(app, people, password=password),
    }


def load(app: ForumApplication, people: People) -> dict[str, Any]:
    """Load both 2019 programmes end to end, then the forum's laureates in pre-incubation; returns counts by file."""
    summary: dict[str, Any] = {}
    for name in SCENARIOS:
        summary[name] = {"organisations": len(load_organisations(app, scenario(name)))}
    programmes = load_programmes(app, people)
    for name, loaded in programmes.items():
        summary[name].update({k: v for k, v in loaded.items() if isinstance(v, int)})
    forum = programmes[FORUM_2019]
    organisers = {org: _organiser(org) for org in scenario(FORUM_2019)["forum"]["participants"]}
    after = load_pre_incubation(app, forum_id=UUID(forum["forum_id"]), host=forum["host"], organisers=organisers)
    summary[FORUM_2019].update(
        {"pre-incubations": after["pre_incubations"], "outcomes": after["outcomes"], "adopters": len(after["adopters"])}
    )
    return summary


def _organiser(organisation: str) -> Actor:
    """The organiser ``forum_2019`` enrolled for ``organisation`` (a person's id derives from their address)."""
    email = demo_email(f"organisateur-{organisation}", organisation)
    return Actor(str(Person.id_for(email)), organisation, frozenset({Role.ORGANISER}))
