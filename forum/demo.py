"""The 2019 programmes, loaded through the application's own commands (never by writing events or rows)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from forum.access import SYSTEM
from forum.application import ForumApplication

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


def load(app: ForumApplication) -> dict[str, Any]:
    """Load both 2019 programmes; returns what was loaded, for the command's summary."""
    summary: dict[str, Any] = {}
    for name in SCENARIOS:
        data = scenario(name)
        summary[name] = {"organisations": len(load_organisations(app, data))}
    return summary
