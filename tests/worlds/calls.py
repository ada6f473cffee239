"""The Nord call for ideas of autumn 2019 (open to a partner, Pas-de-Calais): its dates, its people and a project's
content, with the steps that open it and answer it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from domain.idea_call import Question, paris_end_of_day, paris_start_of_day
from forum.access import Actor
from forum.application import ForumApplication
from tests.builders import calls
from tests.conftest import Clock, command_id

# The Nord département's call of autumn 2019 (see forum/demo_data/forum-interdepartemental-2019.json), open to the
# agents of Nord and, here, of a partner (Pas-de-Calais).
OPENS = paris_start_of_day(date(2019, 9, 16))
CLOSES = paris_end_of_day(date(2019, 10, 31))
DURING = datetime(2019, 10, 1, 8, 0, tzinfo=UTC)
AFTER = datetime(2019, 11, 4, 9, 0, tzinfo=UTC)
THEMES = ("services aux usagers", "organisation du travail")
CATEGORIES = ("idée", "projet en cours")
QUESTIONS = (
    Question(key="public_vise", label="Public visé", kind="short_text", required=True, max_length=100),
    Question(key="etat", label="État du projet", kind="single_choice", required=True, choices=("idée", "prototype")),
)

NORD_ORGANISER = Actor("organiser-nord", "nord", frozenset({"organiser"}), name="Organisatrice du Nord")
NORD_AGENT = Actor("agent-nord-1", "nord", frozenset({"agent"}), name="Agent de la MDPH")
NORD_COLLEAGUE = Actor("agent-nord-2", "nord", frozenset({"agent"}), name="Agente des collèges")
NORD_THIRD = Actor("agent-nord-3", "nord", frozenset({"agent"}), name="Agent des routes")
NORD_AUDITOR = Actor("auditor-nord", "nord", frozenset({"auditor"}), name="Auditrice du Nord")
PARTNER_AGENT = Actor("agent-pdc-1", "pas-de-calais", frozenset({"agent"}), name="Agent du Pas-de-Calais")
SOMME_AGENT = Actor("agent-somme-1", "somme", frozenset({"agent"}), name="Agent de la Somme")
SOMME_ORGANISER = Actor("organiser-somme", "somme", frozenset({"organiser"}), name="Organisateur de la Somme")

CONTENT: dict[str, Any] = {
    "title": "Cantine sans gaspillage",
    "problem": "Trop de repas jetés dans les collèges.",
    "solution": "Réserver son repas la veille depuis l'ENT.",
    "benefits_users": "Des repas à la carte.",
    "benefits_agents": "Moins de préparation perdue.",
    "category": "idée",
    "theme": "services aux usagers",
    "answers": {"public_vise": "collégiens", "etat": "idée"},
}


def open_nord_call(app: ForumApplication, clock: Clock, **overrides: Any) -> UUID:
    """The organiser drafts and opens the call in early September; the clock then stands during the call."""
    fields: dict[str, Any] = {
        "organisation": "nord",
        "title": "Appel à idées innovantes 2019",
        "description": "Vos idées pour le service public départemental.",
        "themes": THEMES,
        "categories": CATEGORIES,
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "eligible_partners": ("pas-de-calais",),
        "questions": QUESTIONS,
        "max_team_size": 3,
        "open_now": True,
    }
    fields.update(overrides)
    result = calls.draft_call(app, NORD_ORGANISER, command_id(), **fields)
    clock.set(DURING)
    return UUID(result["id"])


def submit(app: ForumApplication, actor: Actor, call_id: UUID, **overrides: Any) -> dict[str, Any]:
    content = {**CONTENT, **overrides}
    cmd = content.pop("command_id", command_id())
    return calls.draft_project(app, actor, cmd, call_organisation="nord", call_id=call_id, submit=True, **content)  # type: ignore[no-any-return]
