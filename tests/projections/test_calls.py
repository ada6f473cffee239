"""The calls read models: given commands carried out by the application, then these rows and answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

import asyncpg

from forum.access import Actor
from forum.application import ForumApplication
from forum.database import Database
from forum.entrypoints.bootstrap import projector
from projections import calls as views
from projections.notifications import notifications_for
from tests.builders import calls
from tests.conftest import Clock, command_id
from tests.projections.builders import read
from tests.worlds.calls import (
    AFTER,
    DURING,
    NORD_AGENT,
    NORD_COLLEAGUE,
    NORD_ORGANISER,
    NORD_THIRD,
    PARTNER_AGENT,
    SOMME_AGENT,
    open_nord_call,
    submit,
)

T = TypeVar("T")


def decide(app: ForumApplication, call_id: UUID, ref: tuple[str, UUID], outcome: str, reason: str) -> None:
    calls.decide_project(
        app,
        NORD_ORGANISER,
        command_id(),
        call_organisation="nord",
        call_id=call_id,
        organisation=ref[0],
        project_id=ref[1],
        outcome=outcome,
        reason=reason,
    )


def invite(app: ForumApplication, ref: tuple[str, UUID], author: Actor, colleague: Actor) -> None:
    calls.invite_co_author(
        app,
        author,
        command_id(),
        organisation=ref[0],
        project_id=ref[1],
        person=colleague.person_id,
        person_organisation=colleague.organisation,
    )


def ref(result: dict[str, Any]) -> tuple[str, UUID]:
    return result["organisation"], UUID(result["id"])


# -- calls -------------------------------------------------------------------------------------------------------------


def test_the_organisations_calls_with_their_status_and_amendments(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id = open_nord_call(app, clock)
    draft = UUID(
        calls.draft_call(
            app,
            NORD_ORGANISER,
            command_id(),
            organisation="nord",
            title="Appel 2020 (brouillon)",
            opens_at=datetime(2020, 9, 1, tzinfo=UTC),
            closes_at=datetime(2020, 10, 1, tzinfo=UTC),
        )["id"]
    )
    calls.amend_call(
        app,
        NORD_ORGANISER,
        command_id(),
        organisation="nord",
        call_id=call_id,
        reason="Un thème de plus.",
        changes={"themes": ["services aux usagers", "organisation du travail", "numérique"]},
    )
    listed = read(db, lambda pool: views.list_calls(pool, "nord", DURING))
    assert [(c.title, c.status) for c in listed] == [
        ("Appel 2020 (brouillon)", "drafted"),
        ("Appel à idées innovantes 2019", "opened"),
    ]
    assert read(db, lambda pool: views.list_calls(pool, "somme", DURING)) == []
    call = read(db, lambda pool: views.get_call(pool, "nord", call_id, DURING))
    assert call is not None and call.themes[-1] == "numérique"
    [amendment] = call.amendments
    assert amendment.reason == "Un thème de plus."
    assert amendment.changes == [
        {
            "field": "themes",
            "before": "services aux usagers ; organisation du travail",
            "after": "services aux usagers ; organisation du travail ; numérique",
        }
    ]
    assert [q.key for q in call.questions] == ["public_vise", "etat"]
    # a call of Nord is not found under another organisation
    assert read(db, lambda pool: views.get_call(pool, "somme", call_id, DURING)) is None
    assert read(db, lambda pool: views.get_call(pool, "nord", draft, DURING)).amendments == []  # type: ignore[union-attr]


def test_open_calls_are_those_an_agents_organisation_may_answer(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id = open_nord_call(app, clock)
    calls.draft_call(
        app,
        NORD_ORGANISER,
        command_id(),
        organisation="nord",
        title="Pas encore ouvert",
        opens_at=datetime(2019, 11, 1, tzinfo=UTC),
        closes_at=datetime(2019, 12, 1, tzinfo=UTC),
    )
    for organisation, expected in (("nord", [call_id]), ("pas-de-calais", [call_id]), ("somme", [])):
        found = read(db, lambda pool, o=organisation: views.open_calls_for(pool, o, DURING))  # type: ignore[misc]
        assert [c.id for c in found] == expected, organisation
    # after the closing time, nobody is offered the call any more
    assert read(db, lambda pool: views.open_calls_for(pool, "nord", AFTER)) == []


def test_an_announcement_is_public_only_once_published_and_never_shows_projects(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id = open_nord_call(app, clock)
    submit(app, NORD_AGENT, call_id)
    assert read(db, lambda pool: views.get_announcement(pool, "nord", call_id, DURING)) is None
    assert read(db, lambda pool: views.list_announcements(pool, DURING)) == []
    calls.publish_announcement(app, NORD_ORGANISER, command_id(), organisation="nord", call_id=call_id)
    announcement = read(db, lambda pool: views.get_announcement(pool, "nord", call_id, DURING))
    assert announcement is not None and announcement.title == "Appel à idées innovantes 2019"
    assert announcement.status == "opened"
    assert not hasattr(announcement, "submissions") and "projects" not in announcement.__struct_fields__


# -- submissions -------------------------------------------------------------------------------------------------------


def given_three_submissions(app: ForumApplication, clock: Clock) -> tuple[UUID, list[tuple[str, UUID]]]:
    """Nord's call: a canteen project (Nord, with a co-author), a roads project (the partner's), a printing project
    (Nord, withdrawn), and a draft that never was submitted."""
    call_id = open_nord_call(app, clock)
    canteen = ref(submit(app, NORD_AGENT, call_id))
    invite(app, canteen, NORD_AGENT, NORD_COLLEAGUE)
    calls.accept_invitation(app, NORD_COLLEAGUE, command_id(), organisation="nord", project_id=canteen[1])
    clock.advance(days=2)
    roads = ref(
        submit(
            app,
            PARTNER_AGENT,
            call_id,
            title="=Signalement des nids-de-poule",
            category="projet en cours",
            theme="organisation du travail",
        )
    )
    clock.advance(hours=1)
    printing = ref(submit(app, NORD_THIRD, call_id, title="Moins d'impressions", theme="organisation du travail"))
    calls.withdraw_project(app, NORD_THIRD, command_id(), organisation="nord", project_id=printing[1])
    calls.draft_project(app, NORD_COLLEAGUE, command_id(), call_organisation="nord", call_id=call_id, title="Brouillon")
    return call_id, [canteen, roads, printing]


def test_a_calls_submissions_filtered_by_status_category_and_theme(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id, (canteen, _, _) = given_three_submissions(app, clock)
    clock.set(AFTER)
    decide(app, call_id, canteen, "selected", "Un gain immédiat.")

    def titles(**filters: Any) -> list[str]:
        found = read(db, lambda pool: views.list_submissions(pool, call_id, **filters))
        return [s.title for s in found]

    assert titles() == ["Cantine sans gaspillage", "=Signalement des nids-de-poule", "Moins d'impressions"]
    assert titles(status="submitted") == ["Cantine sans gaspillage", "=Signalement des nids-de-poule"]
    assert titles(status="withdrawn") == ["Moins d'impressions"]
    assert titles(status="selected") == ["Cantine sans gaspillage"]
    assert titles(status="undecided") == ["=Signalement des nids-de-poule"]
    assert titles(category="projet en cours") == ["=Signalement des nids-de-poule"]
    assert titles(theme="organisation du travail") == ["=Signalement des nids-de-poule", "Moins d'impressions"]
    assert titles(status="submitted", theme="services aux usagers") == ["Cantine sans gaspillage"]
    [first, *_] = read(db, lambda pool: views.list_submissions(pool, call_id))
    assert [m.person for m in first.team] == [NORD_AGENT.person_id, NORD_COLLEAGUE.person_id]
    assert first.organisation == "nord" and first.decision == "selected"


def test_the_csv_export_has_a_column_per_question_and_keeps_formulas_inert(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id, _ = given_three_submissions(app, clock)
    call = read(db, lambda pool: views.get_call(pool, "nord", call_id, DURING))
    assert call is not None
    rows = read(db, lambda pool: views.list_submissions(pool, call_id, status="submitted"))
    text = views.submissions_csv(call, rows)
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].split(";")[:3] == ["identifiant", "organisation", "titre"]
    assert lines[0].split(";")[-2:] == ["Public visé", "État du projet"]
    assert len(lines) == 3
    assert ";'=Signalement des nids-de-poule;" in lines[2]
    assert lines[1].endswith(";collégiens;idée")


def test_the_figures_count_submissions_per_category_theme_and_day(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id, _ = given_three_submissions(app, clock)
    call = read(db, lambda pool: views.get_call(pool, "nord", call_id, DURING))
    assert call is not None
    figures = read(db, lambda pool: views.call_figures(pool, call))
    assert figures.total == 2 and figures.withdrawn == 1
    assert [(c.label, c.count) for c in figures.by_category] == [("idée", 1), ("projet en cours", 1)]
    assert [(c.label, c.count) for c in figures.by_theme] == [
        ("services aux usagers", 1),
        ("organisation du travail", 1),
    ]
    assert [(d.day, d.count) for d in figures.by_day] == [(date(2019, 10, 1), 1), (date(2019, 10, 3), 1)]


# -- an agent's projects -----------------------------------------------------------------------------------------------


def test_my_projects_show_status_and_history_and_the_outcome_only_once_the_selection_is_recorded(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id, (canteen, roads, printing) = given_three_submissions(app, clock)
    clock.set(AFTER)
    decide(app, call_id, canteen, "selected", "Un gain immédiat.")
    decide(app, call_id, roads, "not_selected", "Déjà prévu par la direction des routes.")

    def mine(actor: Actor) -> list[views.ProjectView]:
        return read(db, lambda pool: views.my_projects(pool, actor.person_id, actor.organisation, AFTER))

    [project] = mine(NORD_COLLEAGUE)[-1:]  # the co-author sees the canteen project (and their own draft)
    assert project.title == "Cantine sans gaspillage" and project.status == "submitted"
    assert project.decision is None  # the organisers' decision is not published yet
    assert [h.kind for h in project.history] == ["drafted", "submitted", "invited", "accepted"]
    assert project.call_status == "closed"
    assert [p.title for p in mine(SOMME_AGENT)] == []
    calls.record_selection(
        app, NORD_ORGANISER, command_id(), organisation="nord", call_id=call_id, projects=[canteen, roads, printing]
    )
    [canteen_view] = [p for p in mine(NORD_AGENT) if p.id == canteen[1]]
    assert (canteen_view.decision, canteen_view.decision_reason) == ("selected", "Un gain immédiat.")
    [roads_view] = mine(PARTNER_AGENT)
    assert roads_view.decision_label == "non retenu"
    assert roads_view.organisation == "pas-de-calais" and roads_view.call_organisation == "nord"
    assert "selected" not in [h.kind for h in canteen_view.history]  # deliberation stays the organisers'
    [withdrawn] = mine(NORD_THIRD)
    assert withdrawn.status == "withdrawn" and withdrawn.decision is None


def test_the_versions_of_a_submitted_project_can_be_compared(app: ForumApplication, clock: Clock, db: Database) -> None:
    call_id = open_nord_call(app, clock)
    organisation, project_id = ref(submit(app, NORD_AGENT, call_id))
    clock.advance(hours=3)
    calls.edit_project(
        app,
        NORD_AGENT,
        command_id(),
        organisation=organisation,
        project_id=project_id,
        changes={"title": "Zéro gaspillage", "answers": {"etat": "prototype"}},
    )
    project = read(db, lambda pool: views.get_project(pool, "nord", project_id, DURING))
    assert project is not None and project.version == 2
    assert [v.number for v in project.versions] == [1, 2]
    assert project.history[-1].detail == "titre, réponse « etat »"
    comparison = views.compare_versions(project, 1, 2)
    assert comparison is not None
    assert [(c["label"], c["before"], c["after"]) for c in comparison.changes] == [
        ("titre", "Cantine sans gaspillage", "Zéro gaspillage"),
        ("réponse « etat »", "idée", "prototype"),
    ]
    assert views.compare_versions(project, 1, 3) is None
    assert read(db, lambda pool: views.get_project(pool, "somme", project_id, DURING)) is None


# -- notifications -----------------------------------------------------------------------------------------------------


def test_a_colleague_learns_of_the_invitation_and_the_author_of_the_answer(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id = open_nord_call(app, clock)
    canteen = ref(submit(app, NORD_AGENT, call_id))
    invite(app, canteen, NORD_AGENT, NORD_COLLEAGUE)
    [note] = read(db, lambda pool: notifications_for(pool, NORD_COLLEAGUE.person_id, "nord"))
    assert note.kind == "invited" and "Cantine sans gaspillage" in note.subject
    assert note.link == f"/projets/nord/{canteen[1]}"
    calls.accept_invitation(app, NORD_COLLEAGUE, command_id(), organisation="nord", project_id=canteen[1])
    [joined] = read(db, lambda pool: notifications_for(pool, NORD_AGENT.person_id, "nord"))
    assert joined.kind == "co_author_joined"


def test_each_team_learns_its_outcome_when_the_selection_is_recorded(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id, (canteen, roads, printing) = given_three_submissions(app, clock)
    clock.set(AFTER)
    decide(app, call_id, canteen, "selected", "Un gain immédiat.")
    decide(app, call_id, roads, "not_selected", "Déjà prévu par la direction des routes.")

    def kinds(actor: Actor) -> list[str]:
        found = read(db, lambda pool: notifications_for(pool, actor.person_id, actor.organisation))
        return [n.kind for n in found]

    assert "selected" not in kinds(NORD_AGENT)  # decisions are not news until the selection is recorded
    calls.record_selection(
        app, NORD_ORGANISER, command_id(), organisation="nord", call_id=call_id, projects=[canteen, roads, printing]
    )
    assert kinds(NORD_AGENT)[0] == "selected"
    assert kinds(NORD_COLLEAGUE)[0] == "selected"
    [partner_note] = read(db, lambda pool: notifications_for(pool, PARTNER_AGENT.person_id, "pas-de-calais"))
    assert partner_note.kind == "not_selected" and "Déjà prévu par la direction des routes." in partner_note.body
    assert kinds(NORD_THIRD) == []  # a withdrawn project gets no outcome


def test_a_cancelled_call_is_news_to_every_team_answering_it(app: ForumApplication, clock: Clock, db: Database) -> None:
    call_id = open_nord_call(app, clock)
    submit(app, NORD_AGENT, call_id)
    calls.cancel_call(app, NORD_ORGANISER, command_id(), organisation="nord", call_id=call_id, reason="Budget gelé.")
    [note] = read(db, lambda pool: notifications_for(pool, NORD_AGENT.person_id, "nord"))
    assert note.kind == "call_cancelled" and "Budget gelé." in note.body


def test_a_notification_is_mailed_through_the_outbox_once_even_when_the_notifications_are_rebuilt(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    colleague = Actor(str(uuid4()), "nord", frozenset({"agent"}), name="Agente des collèges")
    with db.connect(autocommit=True) as conn:  # given a colleague known to the people read model
        conn.execute(
            "INSERT INTO read.people (person_id, organisation, email, name, role, status, invited_at, updated_at)"
            " VALUES (%s, 'nord', 'agente.colleges@nord.example', 'Agente des collèges', 'agent', 'active', %s, %s)",
            (colleague.person_id, clock(), clock()),
        )
    call_id = open_nord_call(app, clock)
    canteen = ref(submit(app, NORD_AGENT, call_id))
    invite(app, canteen, NORD_AGENT, colleague)

    async def rebuild_notifications() -> int:
        p = await projector(db)
        try:
            await p.rebuild("notifications")
            async with p.pool.acquire() as conn:
                return int(await conn.fetchval("SELECT count(*) FROM read.notifications"))
        finally:
            await p.pool.close()

    expected = [
        ("agente.colleges@nord.example", "Invitation à rejoindre l'équipe du projet « Cantine sans gaspillage »")
    ]
    assert len(read(db, lambda pool: notifications_for(pool, colleague.person_id, "nord"))) == 1
    assert asyncio.run(owner_outbox(db)) == expected
    # when the notifications are rebuilt from the log, nobody is mailed twice
    assert asyncio.run(rebuild_notifications()) == 1
    assert asyncio.run(owner_outbox(db)) == expected


async def owner_outbox(db: Database) -> list[tuple[str, str]]:
    conn = await asyncpg.connect(**db.asyncpg_kwargs())
    try:
        rows = await conn.fetch("SELECT recipient, subject FROM store.outbox ORDER BY id")
        return [(r["recipient"], r["subject"]) for r in rows]
    finally:
        await conn.close()


def test_rebuilding_the_calls_from_the_log_or_one_organisations_share_gives_the_same_rows(
    app: ForumApplication, clock: Clock, db: Database
) -> None:
    call_id, (canteen, roads, _) = given_three_submissions(app, clock)
    clock.set(AFTER)
    decide(app, call_id, canteen, "selected", "Un gain immédiat.")
    decide(app, call_id, roads, "not_selected", "Déjà prévu.")  # in the partner's store
    tables = ("read.calls", "read.call_amendments", "read.projects", "read.project_members",
              "read.project_versions", "read.project_history")  # fmt: skip

    async def snapshot(pool: asyncpg.Pool) -> dict[str, list[tuple[Any, ...]]]:
        return {table: sorted(map(tuple, await pool.fetch(f"SELECT * FROM {table}")), key=repr) for table in tables}

    before = read(db, snapshot)
    assert len(before["read.projects"]) == 4

    async def rebuild(organisation: str | None) -> None:
        p = await projector(db)
        try:
            await p.rebuild("calls", organisation)
        finally:
            await p.pool.close()

    for organisation in ("pas-de-calais", "nord", None):
        asyncio.run(rebuild(organisation))
        assert read(db, snapshot) == before, organisation
