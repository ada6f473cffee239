"""Laureates of Somme's forum of 28 November 2019 given as facts (projects selected and nominated, the palmarès
published), for what comes after the forum: pre-incubation, practices, the portfolio."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.forum import Forum, Prize, ProjectSnapshot, running_order
from domain.idea_call import IdeaCall
from domain.project import Project
from domain.values import PARIS, Meta
from forum.access import Actor
from forum.application import Decision, ForumApplication
from tests import portfolio_builders as af
from tests.conftest import command_id

FORUM_HOST = "somme"
FORUM = Forum.id_for(FORUM_HOST, "test-2019")


def organiser(organisation: str) -> Actor:
    return Actor(person_id=f"orga-{organisation}", organisation=organisation, roles=frozenset({"organiser"}))


def auditor(organisation: str) -> Actor:
    return Actor(person_id=f"audit-{organisation}", organisation=organisation, roles=frozenset({"auditor"}))


def agent(organisation: str) -> Actor:
    return Actor(person_id=f"agent-{organisation}", organisation=organisation, roles=frozenset({"agent"}))


def given_project(
    app: ForumApplication,
    organisation: str,
    title: str,
    *,
    problem: str = "Un problème que rencontrent les usagers.",
    nominate_to: UUID | None = FORUM,
    forum_host: str = FORUM_HOST,
    author: str | None = None,
    select: bool = True,
) -> UUID:
    """A project submitted to a call of its organisation, selected locally (unless not ``select``) and (by default)
    nominated to the forum.

    The call is opened, the project submitted, the call closed early and the project selected in one command,
    all at the clock's current time, through the domain's own commands.
    """
    project_id = uuid.uuid4()
    actor = organiser(organisation)

    def decide(meta: Meta) -> Decision:
        call = IdeaCall.draft(
            id=uuid.uuid4(),
            organisation=organisation,
            title="Appel à idées des agents",
            opens_at=meta.at,
            closes_at=meta.at + timedelta(days=30),
            meta=meta,
        )
        call.open(meta=meta)
        project = Project.draft(
            id=project_id,
            rules=call.rules(),
            author=author or f"agent-{organisation}",
            organisation=organisation,
            title=title,
            problem=problem,
            solution="Une solution simple.",
            meta=meta,
        )
        project.submit(rules=call.rules(), meta=meta)
        if not select:
            return [call, project], {}
        call.close(meta=meta)
        project.select(rules=call.rules(), reason="Retenu par le comité", meta=meta)
        if nominate_to is not None:
            project.nominate(forum_id=nominate_to, forum_organisation=forum_host, meta=meta)
        return [call, project], {"project_id": str(project_id)}

    app.execute(actor=actor, role="organiser", store=organisation, command_id=command_id(), name="test", decide=decide)
    return project_id


def forum_meta(when: datetime, organisation: str = FORUM_HOST) -> Meta:
    return Meta(
        actor=f"orga-{organisation}",
        role="host",
        organisation=FORUM_HOST,
        actor_organisation=organisation,
        at=when,
        command_id="forum",
        correlation_id="forum",
    )


def given_palmares(
    app: ForumApplication,
    nominees: list[tuple[UUID, str, str]],
    laureates: list[UUID],
    *,
    absent: tuple[UUID, ...] = (),
    publish: bool = True,
) -> UUID:
    """Somme's forum of 28 November 2019: the nominees (project id, organisation, title) pitch (but the absent),
    and the jury's prize « Lauréats » goes to ``laureates``; the palmarès is published unless told otherwise."""
    day = datetime(2019, 11, 28, 14, tzinfo=PARIS)
    forum = Forum.plan(
        id=FORUM,
        host=FORUM_HOST,
        title="1er forum Innovations interdépartemental",
        kind="forum",
        starts_on=day.date(),
        place="Amiens",
        quota=3,
        meta=forum_meta(datetime(2019, 9, 2, 10, tzinfo=PARIS)),
    )
    for organisation in sorted({o for _, o, _ in nominees}):
        forum.invite(organisation=organisation, meta=forum_meta(datetime(2019, 9, 2, 10, tzinfo=PARIS)))
        forum.accept_invitation(
            organisation=organisation, meta=forum_meta(datetime(2019, 9, 3, 10, tzinfo=PARIS), organisation)
        )
    forum.define_prize(
        prize=Prize("laureats", "Lauréats", "main", laureates=len(laureates)),
        meta=forum_meta(datetime(2019, 9, 2, 10, tzinfo=PARIS)),
    )
    for project_id, organisation, title in nominees:
        forum.nominate(
            project=ProjectSnapshot(project_id=project_id, organisation=organisation, title=title),
            selected_locally=True,
            meta=forum_meta(datetime(2019, 11, 4, 10, tzinfo=PARIS), organisation),
        )
    ids = [project_id for project_id, _, _ in nominees]
    forum.set_running_order(
        slots=running_order(ids, starts_at=day, pitch_seconds=180, questions_seconds=300),
        meta=forum_meta(datetime(2019, 11, 20, 10, tzinfo=PARIS)),
    )
    for project_id in ids:
        if project_id in absent:
            forum.record_absence(project_id=project_id, meta=forum_meta(day))
        else:
            forum.record_pitch(project_id=project_id, duration_seconds=178, meta=forum_meta(day))
    evening = day + timedelta(hours=4)
    forum.open_deliberation(meta=forum_meta(evening))
    forum.designate_laureates(prize_key="laureats", project_ids=laureates, meta=forum_meta(evening))
    forum.close_deliberation(meta=forum_meta(evening))
    if publish:
        forum.publish_palmares(meta=forum_meta(evening + timedelta(minutes=30)))
    app.execute(
        actor=organiser(FORUM_HOST),
        role="organiser",
        store=FORUM_HOST,
        command_id=command_id(),
        name="test",
        decide=lambda meta: ([forum], {}),
    )
    return FORUM


def given_laureate(app: ForumApplication, organisation: str = "oise", title: str = "Cantines et familles") -> UUID:
    project_id = given_project(app, organisation, title)
    given_palmares(app, [(project_id, organisation, title)], [project_id])
    return project_id


def start(app: ForumApplication, project_id: UUID, organisation: str = "oise", **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "organisation": organisation,
        "project_id": project_id,
        "reason": "laureat",
        "forum_id": FORUM,
        "forum_organisation": FORUM_HOST,
        "prize_key": "laureats",
        "started_on": date(2019, 12, 2),
        "sponsor": "directrice de l'éducation et de la jeunesse",
        "hours_per_week": Decimal("7"),
        "budget_cents": 500_000,
        "partner": "beta-gouv",
    }
    fields.update(changes)
    return af.start_pre_incubation(app, organiser(organisation), command_id(), **fields)


SHEET = {
    "title": "Menus des cantines partagés avec les familles",
    "problem": "Les familles ignoraient les menus des cantines ; un tiers des repas finissait à la poubelle.",
    "what_was_done": "Menus publiés chaque semaine, inscription au repas la veille, pesée des restes.",
    "results": "Le gaspillage a nettement baissé dans les collèges pilotes.",
    "figures": [{"label": "restes par repas", "value": "-35", "unit": "%"}],
    "resources": "Un chef de cuisine à mi-temps pendant trois mois.",
    "contact_role": "chef de cuisine dans un collège",
    "reuse_conditions": "Modèles de menus sous licence ouverte.",
    "themes": ["restauration scolaire", "gaspillage alimentaire"],
    "stage": "acceleration",
}
