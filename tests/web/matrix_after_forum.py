"""The isolation matrix's entries for what comes after the forum (issue 6): pre-incubations, the portfolio, paths,
funnels, convergences, practices and adoptions; registered in ``tests/web/test_isolation_matrix.py`` by
``SPEC.update(after_forum_cases())``.

A's resources (``nord``): a selected project in pre-incubation by decision of its organisation (nobody's team
among the visitors), a forum it hosts whose palmarès is not published, its practices. B's (``oise``) practices
are what A's organiser takes up. Commands that use up their target (an outcome, a withdrawal, an adoption) get a
fresh one per cell.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from domain.forum import Forum
from domain.pre_incubation import PreIncubation, Stage
from domain.values import Meta
from forum.access import SYSTEM
from forum.application import Decision
from tests import portfolio_builders as af
from tests.web.matrix import (
    LOGIN,
    A,
    B,
    Case,
    World,
    api_organisers,
    api_readers,
    api_signed_in,
    expect,
    page_signed_in,
    public,
)
from tests.worlds.laureates import SHEET, given_project


def after_forum_cases() -> dict[tuple[str, str], Any]:  # one entry per endpoint: a long table
    path_readers = expect(401, 404, 200, 200, 404, 404, 200)  # A's organisers and auditors (agents: not their team)
    page_path_readers = expect(LOGIN, 404, 200, 200, 404, 404, 200)
    organisers_201 = api_organisers(201)
    organisers_200 = api_organisers(200)
    page_acts = expect(LOGIN, 403, 303, 403, 404, 404, 303)
    convergence = expect(401, 403, 200, 403, 404, 404, 200)
    # a form acting for the visitor's own organisation on B's practice: A's organiser may; B's is its publisher
    take_up = expect(LOGIN, 403, 303, 403, 403, 409, 403)
    own_adoption = expect(LOGIN, 403, 303, 403, 403, 404, 404)

    def app(w: World) -> Any:
        return w.services.app

    def today(w: World) -> date:
        return w.services.app.clock().date()

    def project(w: World, organisation: str = A) -> str:
        return str(given_project(app(w), organisation, f"Projet {w.new_id()[:6]}", nominate_to=None))

    def pre_incubated(w: World) -> str:
        project_id = project(w)
        af.start_pre_incubation(
            app(w), SYSTEM, w.new_id(), organisation=A, project_id=uuid.UUID(project_id), reason="decision",
            decision="Priorité du mandat", sponsor="directrice générale des services", started_on=today(w),
        )  # fmt: skip
        return project_id

    def shared_pre(w: World) -> str:
        return str(w.ensure("after_forum.pre_incubation", lambda: pre_incubated(w)))

    def milestone(w: World) -> str:
        result = af.add_milestone(
            app(w), SYSTEM, w.new_id(), organisation=A, project_id=uuid.UUID(shared_pre(w)), title="Jalon",
            due=today(w) + timedelta(days=30),
        )  # fmt: skip
        return str(result["number"])

    def vigilance(w: World) -> str:
        result = af.raise_vigilance(
            app(w), SYSTEM, w.new_id(), organisation=A, project_id=uuid.UUID(shared_pre(w)), text="Un point"
        )
        return str(result["number"])

    def other_stage(w: World) -> str:
        current = app(w).load(PreIncubation, PreIncubation.id_for(uuid.UUID(shared_pre(w))), A).stage
        return next(s.value for s in Stage if s.value != current)

    def counter(w: World, key: str) -> int:
        w.shared[key] = w.shared.get(key, 0) + 1
        return int(w.shared[key])

    def practice(w: World, organisation: str = A, *, publish: bool = True) -> str:
        project_id = uuid.UUID(project(w, organisation))
        if publish:
            result = af.share_practice(
                app(w), SYSTEM, w.new_id(), organisation=organisation, project_id=project_id,
                sheet=SHEET,
            )  # fmt: skip
        else:
            result = af.draft_practice(
                app(w), SYSTEM, w.new_id(), organisation=organisation, project_id=project_id, title="Brouillon"
            )
        return str(result["practice_id"])

    def shared_practice(w: World) -> str:
        return str(w.ensure("after_forum.practice", lambda: practice(w)))

    def interest_of_a(w: World, *, adopt: bool = False) -> str:
        """A fresh practice of B in which A declared interest (and adopted it, if asked)."""
        practice_id = practice(w, B)
        af.declare_interest(
            app(w), SYSTEM, w.new_id(), organisation=A, practice_id=uuid.UUID(practice_id), practice_organisation=B,
            adopt=adopt,
        )  # fmt: skip
        return practice_id

    def forum(w: World) -> str:
        def make() -> str:
            forum_id = uuid.uuid4()

            def decide(meta: Meta) -> Decision:
                planned = Forum.plan(
                    id=forum_id, host=A, title="Forum de la matrice", kind="forum", starts_on=today(w) + timedelta(60),
                    place="Lille", quota=3, meta=meta,
                )  # fmt: skip
                return [planned], {}

            app(w).execute(actor=SYSTEM, role="admin", store=A, command_id=w.new_id(), name="test", decide=decide)
            return str(forum_id)

        return str(w.ensure("after_forum.forum", make))

    # -- path parameters --------------------------------------------------------------------------------------------

    def on(**makers: Any) -> Any:
        def params(w: World) -> dict[str, str]:
            found = {name: make(w) for name, make in makers.items()}
            w.settle()
            return {"organisation": A, **found}

        return params

    pre = on(project_id=shared_pre)
    fresh_pre = on(project_id=pre_incubated)
    on_practice = on(practice_id=shared_practice)

    def cmd(**fields: Any) -> Any:
        return lambda w: {"command_id": w.new_id(), **{k: v(w) if callable(v) else v for k, v in fields.items()}}

    def sheet(w: World) -> dict[str, Any]:
        return {**SHEET, "title": f"Menus des cantines {w.new_id()[:6]}"}

    base = "/api/v1/organisations/{organisation}/pre-incubations/{project_id}"
    practices = "/api/v1/organisations/{organisation}/practices"
    adoptions = "/api/v1/organisations/{organisation}/adoptions"
    return {
        # pre-incubation: A's organisers act, its organisers and auditors read
        ("POST", "/api/v1/organisations/{organisation}/pre-incubations"): Case(
            organisers_201,
            params=on(),
            body=cmd(
                project_id=project,
                reason="decision",
                decision="Priorité",
                sponsor="DGS",
                started_on=lambda w: str(today(w)),
            ),
        ),
        ("GET", base): Case(path_readers, params=pre),
        ("POST", f"{base}/milestones"): Case(
            organisers_201, params=pre, body=cmd(title="Jalon", due=lambda w: str(today(w) + timedelta(days=20)))
        ),
        ("POST", f"{base}/milestones/{{number}}/complete"): Case(
            organisers_200,
            params=on(project_id=shared_pre, number=milestone),
            body=cmd(completed_on=lambda w: str(today(w))),
        ),
        ("POST", f"{base}/milestones/{{number}}/reschedule"): Case(
            organisers_200,
            params=on(project_id=shared_pre, number=milestone),
            body=cmd(due=lambda w: str(today(w) + timedelta(days=25)), reason="Report"),
        ),
        ("POST", f"{base}/deadline"): Case(
            organisers_200,
            params=pre,
            body=cmd(
                deadline=lambda w: str(today(w) + timedelta(days=400 + counter(w, "after_forum.deadline"))),
                reason="Plus",
            ),
        ),
        ("POST", f"{base}/sponsor"): Case(
            organisers_200, params=pre, body=cmd(sponsor=lambda w: f"Parrain {w.new_id()}")
        ),
        ("POST", f"{base}/commitments"): Case(
            organisers_200,
            params=pre,
            body=cmd(hours_per_week="1", budget_cents=lambda w: counter(w, "after_forum.budget") * 100, reason="Revu"),
        ),
        ("POST", f"{base}/notes"): Case(organisers_201, params=pre, body=cmd(text="Avancement")),
        ("POST", f"{base}/vigilance"): Case(organisers_201, params=pre, body=cmd(text="Un point")),
        ("POST", f"{base}/vigilance/{{number}}/resolve"): Case(
            organisers_200, params=on(project_id=shared_pre, number=vigilance), body=cmd(resolution="Levé")
        ),
        ("POST", f"{base}/stage"): Case(organisers_200, params=pre, body=cmd(stage=other_stage, reason="Avancée")),
        ("POST", f"{base}/outcome"): Case(organisers_200, params=fresh_pre, body=cmd(outcome="deploye")),
        # portfolio, paths, funnels, convergences
        ("GET", "/api/v1/portfolio"): Case(api_signed_in()),
        ("GET", "/api/v1/organisations/{organisation}/portfolio"): Case(api_readers(), params=on()),
        ("GET", "/api/v1/organisations/{organisation}/projects/{project_id}/path"): Case(path_readers, params=pre),
        ("GET", "/api/v1/forums/{forum_id}/funnel"): Case(path_readers, params=on(forum_id=forum)),
        ("GET", "/api/v1/organisations/{organisation}/convergences"): Case(convergence, params=on()),
        # practices and adoptions of A
        ("GET", practices): Case(api_readers(), params=on()),
        ("POST", practices): Case(organisers_201, params=on(), body=cmd(project_id=project, sheet=sheet)),
        ("GET", f"{practices}/{{practice_id}}"): Case(api_readers(), params=on_practice),
        ("POST", f"{practices}/{{practice_id}}/publish"): Case(
            organisers_200, params=on(practice_id=lambda w: practice(w, publish=False)), body=cmd(sheet=sheet)
        ),
        ("POST", f"{practices}/{{practice_id}}/amend"): Case(
            organisers_200, params=on_practice, body=cmd(sheet=sheet, note="Mise à jour")
        ),
        ("POST", f"{practices}/{{practice_id}}/withdraw"): Case(
            organisers_200, params=on(practice_id=practice), body=cmd(reason="Obsolète")
        ),
        ("GET", adoptions): Case(api_readers(), params=on()),
        ("POST", adoptions): Case(
            organisers_201, params=on(), body=cmd(practice_id=lambda w: practice(w, B), practice_organisation=B)
        ),
        ("POST", f"{adoptions}/{{practice_id}}/adopt"): Case(
            organisers_200, params=on(practice_id=interest_of_a), body=cmd()
        ),
        ("POST", f"{adoptions}/{{practice_id}}/reports"): Case(
            organisers_201,
            params=on(practice_id=lambda w: w.ensure("after_forum.adopted", lambda: interest_of_a(w, adopt=True))),
            body=cmd(outcome="en_cours", text="Ça avance"),
        ),
        ("POST", f"{adoptions}/{{practice_id}}/abandon"): Case(
            organisers_200, params=on(practice_id=interest_of_a), body=cmd(reason="Pas le moment")
        ),
        # public
        ("GET", "/api/v1/public/practices"): Case(public()),
        ("GET", "/api/v1/public/practices/facets"): Case(public()),
        ("GET", "/api/v1/public/practices/{practice_id}"): Case(public(), params=on_practice),
        ("GET", "/api/v1/public/practices/{practice_id}/lineage"): Case(public(), params=on_practice),
        ("GET", "/api/v1/public/forums/{forum_id}/funnel"): Case(public(404), params=on(forum_id=forum)),
        # pages
        ("GET", "/pratiques"): Case(public()),
        ("GET", "/pratiques/{practice_id}"): Case(public(), params=on_practice),
        ("GET", "/pratiques/{practice_id}/lignee.svg"): Case(public(), params=on_practice),
        ("POST", "/pratiques/{practice_id}/interet"): Case(
            take_up, params=on(practice_id=lambda w: practice(w, B)), body=lambda w: {"command_id": w.new_id()}
        ),
        ("POST", "/pratiques/{practice_id}/adoption"): Case(
            own_adoption, params=on(practice_id=interest_of_a), body=lambda w: {"command_id": w.new_id()}
        ),
        ("POST", "/pratiques/{practice_id}/compte-rendu"): Case(
            own_adoption,
            params=on(practice_id=lambda w: w.ensure("after_forum.adopted", lambda: interest_of_a(w, adopt=True))),
            body=lambda w: {"command_id": w.new_id(), "outcome": "en_cours", "text": "Ça avance"},
        ),
        ("GET", "/portefeuille"): Case(page_signed_in()),
        ("GET", "/portefeuille/{organisation}/{project_id}"): Case(page_path_readers, params=pre),
        ("POST", "/portefeuille/{organisation}/{project_id}/{action}"): Case(
            page_acts,
            params=lambda w: {**pre(w), "action": "avancement"},
            body=lambda w: {"command_id": w.new_id(), "text": "Avancement"},
        ),
        ("GET", "/forums/{forum_id}/entonnoir"): Case(
            expect(404, 404, 200, 200, 404, 404, 200), params=on(forum_id=forum)
        ),
        ("GET", "/convergences"): Case(expect(LOGIN, 403, 200, 403, 403, 200, 200)),
    }
