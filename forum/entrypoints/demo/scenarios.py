"""What every part of the demo shares: the 2019 scenario files, their organisations, their people's addresses and
the scenario's clock."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from importlib import resources
from typing import Any

from domain.values import PARIS
from forum.access import SYSTEM
from forum.application import Clock, ForumApplication

FORUM_2019 = "forum-interdepartemental-2019.json"
IMPULSIONS_2019 = "impulsions-2019.json"
SCENARIOS = (FORUM_2019, IMPULSIONS_2019)
DEMO_PASSWORD = "forum-demo-2019"  # every demo person's password (a demonstration, never production)  # noqa: S105
KIND_ALIASES = {"partner": "partenaire"}  # the scenario files' word for the State incubator's kind


def scenario(name: str) -> dict[str, Any]:
    """A scenario file of ``forum/demo_data/`` (shipped with the ``forum`` package), decoded."""
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


def ascii_slug(text: str) -> str:
    """``text`` in lower-case ASCII, every other run of characters a hyphen (what command ids and addresses use)."""
    return re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


def demo_email(label: str, organisation: str) -> str:
    """The address of the demo person ``label`` of ``organisation`` (their person id derives from it)."""
    return f"{ascii_slug(label).strip('-')}@{organisation}.demo.forum.local"


def paris(day: str | date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.fromisoformat(str(day)).replace(hour=hour, minute=minute, tzinfo=PARIS)


class ScenarioClock:
    """The time of the scenario: moved by the loader from one step to the next."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, when: datetime) -> None:
        self.now = when


@contextmanager
def scenario_time(app: ForumApplication, start: datetime) -> Iterator[ScenarioClock]:
    """The application runs on the scenario's clock inside the block (and on its own clock again after it)."""
    clock = ScenarioClock(start)
    previous: Clock = app.clock
    app.clock = clock
    try:
        yield clock
    finally:
        app.clock = previous
