"""After the forum, through the application: pre-incubation, practices and adoptions across stores, who may act."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.errors import AlreadyExists, Forbidden, Invalid, NotFound
from domain.practice import Adoption, OwnPractice, Practice, PracticeNotPublished
from domain.pre_incubation import MilestoneAfterDeadline, PreIncubation
from forum.access import Actor
from forum.application import ForumApplication
from tests import portfolio_builders as af
from tests.conftest import command_id
from tests.worlds.laureates import (
    FORUM,
    SHEET,
    agent,
    auditor,
    given_laureate,
    given_palmares,
    given_project,
    organiser,
    start,
)


def versions(app: ForumApplication, cls: type, aggregate_id: UUID, store: str) -> int:
    return app.load(cls, aggregate_id, store).version


def share(app: ForumApplication, organisation: str = "oise", project_id: UUID | None = None) -> UUID:
    project_id = project_id or given_project(app, organisation, "Communication des cantines avec les familles")
    result = af.share_practice(
        app, organiser(organisation), command_id(), organisation=organisation, project_id=project_id,
        sheet=SHEET,
    )  # fmt: skip
    return UUID(result["practice_id"])


# --- pre-incubation ------------------------------------------------------------------------------------------------


def test_a_laureate_enters_pre_incubation_in_its_own_organisations_store(app: ForumApplication) -> None:
    # given Oise's canteen project, laureate of the forum
    project_id = given_laureate(app)
    # when Oise's organiser starts its pre-incubation
    result = start(app, project_id)
    # then it lives in Oise's store, three months long, at the exploration stage
    assert result == {
        "organisation": "oise",
        "project_id": str(project_id),
        "stage": "exploration",
        "deadline": "2020-03-02",
        "outcome": None,
    }
    pre_incubation = app.load(PreIncubation, PreIncubation.id_for(project_id), "oise")
    assert pre_incubation.partner == "beta-gouv"
    # and no other organisation's store knows it
    with pytest.raises(NotFound):
        app.load(PreIncubation, PreIncubation.id_for(project_id), "somme")


def test_milestones_stages_vigilance_and_an_outcome_are_recorded_in_order(app: ForumApplication) -> None:
    project_id = given_laureate(app)
    start(app, project_id)
    actor = organiser("oise")
    where = {"organisation": "oise", "project_id": project_id}
    # when the organiser plans two milestones, completes one, moves the stage on, raises and resolves a point
    first = af.add_milestone(app, actor, command_id(), **where, title="Menus en ligne", due=date(2020, 1, 15))
    second = af.add_milestone(app, actor, command_id(), **where, title="Pesées", due=date(2020, 2, 28))
    af.complete_milestone(app, actor, command_id(), **where, number=1, completed_on=date(2020, 1, 10))
    af.change_stage(app, actor, command_id(), **where, stage="prototypage", reason="Premiers menus publiés")
    vigilance = af.raise_vigilance(app, actor, command_id(), **where, text="Le porteur de projet part en mars.")
    af.resolve_vigilance(app, actor, command_id(), **where, number=1, resolution="Une remplaçante est nommée.")
    af.note_progress(app, actor, command_id(), **where, text="Deux collèges pilotes.")
    af.extend_deadline(app, actor, command_id(), **where, deadline=date(2020, 4, 30), reason="Confinement")
    af.reschedule_milestone(app, actor, command_id(), **where, number=2, due=date(2020, 4, 15), reason="Report")
    af.change_sponsor(app, actor, command_id(), **where, sponsor="directeur général adjoint")
    af.change_commitments(
        app, actor, command_id(), **where, hours_per_week=Decimal("10.5"), budget_cents=800_000, reason="Extension"
    )
    outcome = af.record_outcome(
        app, actor, command_id(), **where, outcome="transfere", owner="direction de l'éducation"
    )
    # then each step answered what it did
    assert (first["number"], second["number"], vigilance["number"]) == (1, 2, 1)
    assert outcome["outcome"] == "transfere"
    # and the aggregate holds it all
    pre_incubation = app.load(PreIncubation, PreIncubation.id_for(project_id), "oise")
    assert pre_incubation.stage == "prototypage"
    assert pre_incubation.milestones[2].due == date(2020, 4, 15)
    assert pre_incubation.deadline == date(2020, 4, 30)
    assert pre_incubation.owner == "direction de l'éducation"
    assert pre_incubation.hours_per_week == Decimal("10.5")


def test_the_same_command_sent_twice_records_once(app: ForumApplication) -> None:
    project_id = given_project(app, "oise", "Communication des cantines avec les familles")
    given_palmares(app, [(project_id, "oise", "Cantines")], [project_id])
    start(app, project_id)
    where = {"organisation": "oise", "project_id": project_id}
    again = command_id()
    first = af.add_milestone(app, organiser("oise"), again, **where, title="Menus en ligne", due=date(2020, 1, 15))
    second = af.add_milestone(app, organiser("oise"), again, **where, title="Menus en ligne", due=date(2020, 1, 15))
    assert first == second
    assert len(app.load(PreIncubation, PreIncubation.id_for(project_id), "oise").milestones) == 1


def test_bad_input_is_refused_and_nothing_is_recorded(app: ForumApplication) -> None:
    project_id = given_project(app, "oise", "Communication des cantines avec les familles")
    runner_up = given_project(app, "nord", "Le bon interlocuteur")
    given_palmares(app, [(project_id, "oise", "Cantines"), (runner_up, "nord", "Interlocuteur")], [project_id])
    start(app, project_id)
    pid = PreIncubation.id_for(project_id)
    before = versions(app, PreIncubation, pid, "oise")
    where = {"organisation": "oise", "project_id": project_id}
    actor = organiser("oise")
    # an unknown stage
    with pytest.raises(Invalid) as unknown:
        af.change_stage(app, actor, command_id(), **where, stage="incubation", reason="?")
    assert unknown.value.field == "stage"
    # a milestone after the deadline, without extending it
    with pytest.raises(MilestoneAfterDeadline):
        af.add_milestone(app, actor, command_id(), **where, title="Bilan", due=date(2020, 6, 1))
    assert versions(app, PreIncubation, pid, "oise") == before
    # an outcome on a project not in pre-incubation
    other = given_project(app, "oise", "Covoiturage entre agents", nominate_to=None)
    with pytest.raises(NotFound) as not_found:
        af.record_outcome(app, actor, command_id(), organisation="oise", project_id=other, outcome="deploye")
    assert "pas en pré-incubation" in not_found.value.message
    assert not app.exists(PreIncubation.id_for(other), "oise")
    # a second start
    with pytest.raises(AlreadyExists):
        start(app, project_id)
    # « laureate » of a forum whose palmarès does not list it, or of a prize it did not win
    with pytest.raises(af.NotALaureate):
        start(app, runner_up, organisation="nord")
    with pytest.raises(af.NotALaureate):
        start(app, project_id, organisation="oise", prize_key="coup-de-coeur")
    with pytest.raises(Invalid):
        start(app, other, forum_organisation=None)
    with pytest.raises(NotFound):
        start(app, other, forum_organisation="nord")
    assert not app.exists(PreIncubation.id_for(other), "oise")
    assert not app.exists(PreIncubation.id_for(runner_up), "nord")
    # but any project may start by decision of its organisation
    start(app, other, reason="decision", decision="Projet prioritaire du mandat", forum_id=None, prize_key=None)
    assert app.exists(PreIncubation.id_for(other), "oise")


def test_only_the_projects_organisers_run_its_pre_incubation(app: ForumApplication) -> None:
    project_id = given_laureate(app)
    start(app, project_id)
    where = {"organisation": "oise", "project_id": project_id, "text": "Note"}
    # another organisation's organiser does not even learn that it exists
    with pytest.raises(NotFound):
        af.note_progress(app, organiser("somme"), command_id(), **where)
    # its own auditor and agents read, but do not act
    with pytest.raises(Forbidden):
        af.note_progress(app, auditor("oise"), command_id(), **where)
    with pytest.raises(Forbidden):
        af.note_progress(app, agent("oise"), command_id(), **where)
    # nor does anyone start one for a project of another organisation, even naming their own store
    with pytest.raises(NotFound):
        af.start_pre_incubation(
            app, organiser("somme"), command_id(), organisation="somme", project_id=project_id, reason="decision",
            decision="x", sponsor="x", started_on=date(2019, 12, 2),
        )  # fmt: skip
    assert app.load(PreIncubation, PreIncubation.id_for(project_id), "oise").notes == []


# --- practices and adoptions ---------------------------------------------------------------------------------------


def test_a_practice_is_published_in_its_publishers_store_and_adopted_in_the_adopters(app: ForumApplication) -> None:
    # given Oise publishes its canteen practice
    practice_id = share(app)
    assert app.load(Practice, practice_id, "oise").status == "published"
    # when Nord declares interest, then adopts it; Pas-de-Calais adopts it from Nord at once
    af.declare_interest(
        app, organiser("nord"), command_id(), organisation="nord", practice_id=practice_id,
        practice_organisation="oise", note="Nos collèges ont le même problème",
    )  # fmt: skip
    af.adopt_practice(app, organiser("nord"), command_id(), organisation="nord", practice_id=practice_id)
    result = af.declare_interest(
        app, organiser("pas-de-calais"), command_id(), organisation="pas-de-calais", practice_id=practice_id,
        practice_organisation="oise", adopted_from="nord", adopt=True,
    )  # fmt: skip
    af.report_adoption(
        app, organiser("nord"), command_id(), organisation="nord", practice_id=practice_id, outcome="reussie",
        text="Déployé dans 12 collèges", figures=[{"label": "collèges", "value": 12}],
    )  # fmt: skip
    # then each adoption is its adopter's own record, naming the source
    assert result["status"] == "adopted"
    assert result["adopted_from"] == "nord"
    nord = app.load(Adoption, Adoption.id_for("nord", practice_id), "nord")
    assert (nord.status, nord.practice_organisation, nord.reports) == ("adopted", "oise", 1)
    pdc = app.load(Adoption, Adoption.id_for("pas-de-calais", practice_id), "pas-de-calais")
    assert pdc.derived_from == nord.id
    # and the publisher's store records nothing of it
    assert app.load(Practice, practice_id, "oise").version == 2
    with pytest.raises(NotFound):
        app.load(Adoption, Adoption.id_for("nord", practice_id), "oise")


def test_adopting_an_unpublished_practice_or_ones_own_is_refused_and_nothing_recorded(app: ForumApplication) -> None:
    practice_id = share(app)
    project_id = given_project(app, "oise", "Covoiturage entre agents", nominate_to=None)
    draft = af.draft_practice(
        app, organiser("oise"), command_id(), organisation="oise", project_id=project_id, title="Covoiturage"
    )
    draft_id = UUID(draft["practice_id"])

    def interest(organisation: str, pid: UUID, **kw: Any) -> Any:
        return af.declare_interest(
            app, organiser(organisation), command_id(), organisation=organisation, practice_id=pid,
            practice_organisation="oise", **kw,
        )  # fmt: skip

    # by the publisher itself
    with pytest.raises(OwnPractice):
        interest("oise", practice_id)
    assert not app.exists(Adoption.id_for("oise", practice_id), "oise")
    # a draft is not even visible to another organisation
    with pytest.raises(NotFound):
        interest("nord", draft_id)
    # a withdrawn practice is refused
    af.withdraw_practice(app, organiser("oise"), command_id(), organisation="oise", practice_id=practice_id, reason="x")
    with pytest.raises(PracticeNotPublished):
        interest("nord", practice_id)
    assert not app.exists(Adoption.id_for("nord", practice_id), "nord")
    # from an organisation that never adopted it
    af.publish_practice(app, organiser("oise"), command_id(), organisation="oise", practice_id=practice_id, sheet=SHEET)
    with pytest.raises(NotFound):
        interest("nord", practice_id, adopted_from="somme")
    assert not app.exists(Adoption.id_for("nord", practice_id), "nord")
    # twice
    interest("nord", practice_id)
    with pytest.raises(AlreadyExists):
        interest("nord", practice_id)
    # from one that only declared interest
    with pytest.raises(Exception, match="pas \\(ou plus\\) adopté"):
        interest("somme", practice_id, adopted_from="nord")
    assert not app.exists(Adoption.id_for("somme", practice_id), "somme")


def test_adopting_after_the_practice_was_withdrawn_is_refused(app: ForumApplication) -> None:
    practice_id = share(app)
    af.declare_interest(
        app, organiser("nord"), command_id(), organisation="nord", practice_id=practice_id, practice_organisation="oise"
    )
    af.withdraw_practice(app, organiser("oise"), command_id(), organisation="oise", practice_id=practice_id, reason="x")
    with pytest.raises(PracticeNotPublished):
        af.adopt_practice(app, organiser("nord"), command_id(), organisation="nord", practice_id=practice_id)
    assert app.load(Adoption, Adoption.id_for("nord", practice_id), "nord").status == "interested"


def test_only_organisers_publish_and_adopt_and_a_bad_sheet_names_its_field(app: ForumApplication) -> None:
    project_id = given_project(app, "oise", "Communication des cantines avec les familles")
    with pytest.raises(Forbidden):
        af.share_practice(
            app, auditor("oise"), command_id(), organisation="oise", project_id=project_id,
            sheet=SHEET,
        )  # fmt: skip
    with pytest.raises(NotFound):
        af.share_practice(
            app, organiser("somme"), command_id(), organisation="oise", project_id=project_id,
            sheet=SHEET,
        )  # fmt: skip
    with pytest.raises(Invalid) as bad:
        af.sheet_of(**{**SHEET, "contact_role": "Mme Claire Dupont"})
    assert bad.value.field == "contact_role"
    with pytest.raises(Invalid) as nan:
        af.sheet_of(**{**SHEET, "figures": [{"label": "x", "value": "beaucoup"}]})
    assert nan.value.field == "figures.value"
    practice_id = share(app, project_id=project_id)
    with pytest.raises(Forbidden):
        af.declare_interest(
            app, agent("nord"), command_id(), organisation="nord", practice_id=practice_id,
            practice_organisation="oise",
        )  # fmt: skip


# --- who reads what ------------------------------------------------------------------------------------------------


def test_portfolio_scopes() -> None:
    assert af.portfolio_scope(organiser("oise")) == af.PortfolioScope(
        organisations=("oise",), host_organisations=("oise",), partners=("oise",)
    )
    assert af.portfolio_scope(agent("oise")).empty
    host = Actor("h", "ministere", frozenset(), frozenset({(str(FORUM), "host")}))
    assert af.portfolio_scope(host).forum_ids == (FORUM,)
    # a project's path: its team, its organisation, the forum's host, the partner; nobody else
    assert af.may_read_pre_incubation(agent("oise"), organisation="oise", team=("agent-oise",))
    assert not af.may_read_pre_incubation(agent("oise"), organisation="oise", team=("someone",))
    assert af.may_read_pre_incubation(organiser("somme"), organisation="oise", forum_host="somme")
    assert af.may_read_pre_incubation(organiser("beta-gouv"), organisation="oise", partner="beta-gouv")
    assert not af.may_read_pre_incubation(organiser("nord"), organisation="oise", forum_host="somme")
    with pytest.raises(NotFound):
        af.require_project_path_reader(organiser("nord"), organisation="oise")
    # convergence: organisers only
    with pytest.raises(Forbidden):
        af.require_convergence_reader(auditor("oise"), "oise")
    # a forum's funnel before its palmarès: its host's organisers and auditors
    af.require_funnel_reader(auditor("somme"), host="somme", forum_id=FORUM, published=False)
    with pytest.raises(NotFound):
        af.require_funnel_reader(organiser("oise"), host="somme", forum_id=FORUM, published=False)
    with pytest.raises(NotFound):
        af.require_funnel_reader(None, host="somme", forum_id=FORUM, published=False)
    af.require_funnel_reader(None, host="somme", forum_id=FORUM, published=True)
