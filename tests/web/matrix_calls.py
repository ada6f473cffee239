"""The isolation matrix's entries for calls for ideas and projects (issue 4), registered in
``tests/web/test_isolation_matrix.py`` by ``SPEC.update(calls_cases())``.

Resources are made through the application as organisation A's people would (its organiser drafts and opens calls,
its agent answers them); commands that change their target get a fresh one per cell. A's calls name no partner, so
B's people are strangers to them. Times are the application's clock (the real one here): calls open yesterday and
close in a month, or are closed early by their organiser.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.builders import calls
from tests.web.matrix import (
    LOGIN,
    A,
    Case,
    World,
    api_members,
    api_organisers,
    api_readers,
    api_signed_in,
    command,
    expect,
    page_organisers,
    page_readers,
    page_signed_in,
    public,
)


def calls_cases() -> dict[tuple[str, str], Any]:
    def organiser(w: World) -> Any:
        return w.members["organiser_a"].actor

    def agent(w: World) -> Any:
        return w.members["agent_a"].actor

    def new_call(w: World, *, opened: bool = True, closed: bool = False, announced: bool = False) -> str:
        now = w.services.app.clock()
        result = calls.draft_call(
            w.services.app,
            organiser(w),
            w.new_id(),
            organisation=A,
            title=f"Appel {w.new_id()[:6]}",
            themes=("services aux usagers",),
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=30),
            max_team_size=3,
            open_now=opened,
        )
        call_id = str(result["id"])
        if announced:
            calls.publish_announcement(w.services.app, organiser(w), w.new_id(), organisation=A, call_id=call_id)
        if closed:
            calls.close_call(w.services.app, organiser(w), w.new_id(), organisation=A, call_id=call_id)
        return call_id

    def answer(w: World, call_id: str, *, submit: bool = True) -> str:
        result = calls.draft_project(
            w.services.app,
            agent(w),
            w.new_id(),
            call_organisation=A,
            call_id=call_id,
            title=f"Projet {w.new_id()[:6]}",
            problem="Un problème.",
            solution="Une solution.",
            theme="services aux usagers",
            submit=submit,
        )
        return str(result["id"])

    def shared_call(w: World) -> str:
        return str(w.ensure("call", lambda: new_call(w, announced=True)))

    def shared_project(w: World) -> str:
        """A submitted project of A's agent, edited once (two versions)."""

        def make() -> str:
            project_id = answer(w, shared_call(w))
            calls.edit_project(
                w.services.app, agent(w), w.new_id(), organisation=A, project_id=project_id, changes={"title": "V2"}
            )
            return project_id

        return str(w.ensure("project", make))

    def closed_call_and_project(w: World) -> tuple[str, str]:
        def make() -> tuple[str, str]:
            call_id = new_call(w)
            project_id = answer(w, call_id)
            calls.close_call(w.services.app, organiser(w), w.new_id(), organisation=A, call_id=call_id)
            return call_id, project_id

        found: tuple[str, str] = w.ensure("closed", make)
        return found

    def with_invitation(w: World, invitee: str, *, submit: bool) -> str:
        project_id = answer(w, shared_call(w), submit=submit)
        calls.invite_co_author(
            w.services.app,
            agent(w),
            w.new_id(),
            organisation=A,
            project_id=project_id,
            person=invitee,
            person_organisation=A,
        )
        return project_id

    # -- path parameters --------------------------------------------------------------------------------------------

    def on_call(make: Any) -> Any:
        def params(w: World) -> dict[str, str]:
            call_id = make(w)
            w.settle()
            return {"slug": A, "organisation": A, "call_id": call_id}

        return params

    def on_project(make: Any) -> Any:
        def params(w: World) -> dict[str, str]:
            project_id = make(w)
            w.settle()
            return {"organisation": A, "slug": A, "project_id": project_id}

        return params

    shared = on_call(shared_call)
    fresh_drafted = on_call(lambda w: new_call(w, opened=False))
    fresh_opened = on_call(new_call)
    fresh_closed = on_call(lambda w: new_call(w, closed=True))
    closed = on_call(lambda w: closed_call_and_project(w)[0])
    project = on_project(shared_project)
    fresh_draft_project = on_project(lambda w: answer(w, shared_call(w), submit=False))
    fresh_project = on_project(lambda w: answer(w, shared_call(w)))
    invited_organiser = on_project(
        lambda w: with_invitation(w, w.members["organiser_a"].person_id, submit=False)
    )  # a draft: its organisers do not see it

    # -- bodies -----------------------------------------------------------------------------------------------------

    def call_body(w: World) -> dict[str, Any]:
        now = w.services.app.clock()
        return {
            "command_id": w.new_id(),
            "title": f"Appel {w.new_id()[:6]}",
            "opens_at": (now + timedelta(days=1)).isoformat(),
            "closes_at": (now + timedelta(days=30)).isoformat(),
        }

    def call_form(w: World) -> dict[str, str]:
        now = w.services.app.clock()
        return {
            "command_id": w.new_id(),
            "title": f"Appel {w.new_id()[:6]}",
            "opens_date": (now + timedelta(days=1)).date().isoformat(),
            "closes_date": (now + timedelta(days=30)).date().isoformat(),
            "max_team_size": "4",
        }

    def answer_body(w: World) -> dict[str, Any]:
        return {
            "command_id": w.new_id(),
            "title": f"Projet {w.new_id()[:6]}",
            "problem": "Un problème.",
            "solution": "Une solution.",
            "theme": "services aux usagers",
            "submit": True,
        }

    def answer_form(w: World) -> dict[str, str]:
        body = answer_body(w)
        return {**{k: v for k, v in body.items() if k != "submit"}, "action": "submit"}

    def decision(w: World) -> dict[str, str]:
        _, project_id = closed_call_and_project(w)
        reason = f"Motif {w.new_id()[:8]}"  # a new reason each time: the same decision twice changes nothing
        return {"command_id": w.new_id(), "project_organisation": A, "project_id": project_id,
                "outcome": "selected", "reason": reason}  # fmt: skip

    def decision_form(w: World) -> dict[str, str]:
        body = decision(w)
        return {"command_id": body["command_id"], "outcome": "selected", "reason": body["reason"]}

    def invitee(w: World) -> dict[str, str]:
        return {"command_id": w.new_id(), "person": w.members["organiser_a"].person_id, "organisation": A}

    # -- who gets what ----------------------------------------------------------------------------------------------

    api = "/api/v1/organisations/{slug}/calls"
    project_api = "/api/v1/projects/{organisation}/{project_id}"
    call_page = "/appels/{organisation}/{call_id}"
    project_page = "/projets/{organisation}/{project_id}"
    api_team = expect(401, 200, 403, 403, 404, 404, 200)  # the project's team (its author here) and administrators
    page_team = expect(LOGIN, 303, 403, 403, 404, 404, 303)
    api_answerers = expect(401, 201, 201, 403, 404, 404, 403)  # agents and organisers of A; an admin is no agent
    # the invitation is the organiser's (409: the author is already in the team; an admin has no invitation)
    api_invited = expect(401, 409, 200, 403, 404, 404, 409)
    page_invited = expect(LOGIN, 409, 303, 403, 404, 404, 409)
    readers_of_project = expect(401, 200, 200, 200, 404, 404, 200)  # its team, its call's organisers and auditors

    return {
        # the organisation's calls: its organisers run them, its auditors read them
        ("GET", api): Case(api_readers(), params=lambda w: {"slug": A}),
        ("POST", api): Case(api_organisers(201), params=lambda w: {"slug": A}, body=call_body),
        ("GET", f"{api}/{{call_id}}"): Case(api_members(), params=shared),
        ("PATCH", f"{api}/{{call_id}}"): Case(
            api_organisers(), params=fresh_drafted, body=lambda w: {"command_id": w.new_id(), "title": "Nouveau titre"}
        ),
        ("POST", f"{api}/{{call_id}}/open"): Case(api_organisers(), params=fresh_drafted, body=command),
        ("POST", f"{api}/{{call_id}}/close"): Case(api_organisers(), params=fresh_opened, body=command),
        ("POST", f"{api}/{{call_id}}/cancel"): Case(
            api_organisers(), params=fresh_opened, body=lambda w: {"command_id": w.new_id(), "reason": "Budget gelé."}
        ),
        ("POST", f"{api}/{{call_id}}/announcement"): Case(api_organisers(), params=fresh_opened, body=command),
        ("GET", f"{api}/{{call_id}}/submissions"): Case(api_readers(), params=shared),
        ("GET", f"{api}/{{call_id}}/submissions.csv"): Case(api_readers(), params=shared),
        ("GET", f"{api}/{{call_id}}/figures"): Case(api_readers(), params=shared),
        ("POST", f"{api}/{{call_id}}/decisions"): Case(api_organisers(), params=closed, body=decision),
        ("POST", f"{api}/{{call_id}}/selection"): Case(api_organisers(), params=fresh_closed, body=command),
        ("POST", f"{api}/{{call_id}}/projects"): Case(api_answerers, params=shared, body=answer_body),
        # a project: its team changes it; its call's organisers and auditors read it once submitted
        ("GET", project_api): Case(readers_of_project, params=project),
        ("GET", f"{project_api}/compare"): Case(readers_of_project, params=project),
        ("PATCH", project_api): Case(
            api_team, params=project, body=lambda w: {"command_id": w.new_id(), "benefits_agents": w.new_id()}
        ),
        ("POST", f"{project_api}/submit"): Case(api_team, params=fresh_draft_project, body=command),
        ("POST", f"{project_api}/withdraw"): Case(api_team, params=fresh_project, body=command),
        ("POST", f"{project_api}/invitations"): Case(api_team, params=fresh_project, body=invitee),
        ("POST", f"{project_api}/invitations/withdraw"): Case(
            api_team,
            params=on_project(lambda w: with_invitation(w, w.members["organiser_a"].person_id, submit=True)),
            body=lambda w: {"command_id": w.new_id(), "person": w.members["organiser_a"].person_id},
        ),
        ("POST", f"{project_api}/invitation/accept"): Case(api_invited, params=invited_organiser, body=command),
        ("POST", f"{project_api}/invitation/decline"): Case(api_invited, params=invited_organiser, body=command),
        # what concerns the signed-in person, and what is public
        ("GET", "/api/v1/me/calls"): Case(api_signed_in()),
        ("GET", "/api/v1/me/projects"): Case(api_signed_in()),
        ("GET", "/api/v1/me/notifications"): Case(api_signed_in()),
        ("GET", "/api/v1/announcements"): Case(public()),
        ("GET", "/api/v1/announcements/{organisation}/{call_id}"): Case(
            public(), params=lambda w: {"organisation": A, "call_id": shared_call(w)}
        ),
        # pages: the organisers'
        ("GET", "/organisations/{slug}/appels"): Case(page_readers(), params=lambda w: {"slug": A}),
        ("GET", "/organisations/{slug}/appels/nouveau"): Case(page_organisers(200), params=lambda w: {"slug": A}),
        ("POST", "/organisations/{slug}/appels"): Case(page_organisers(), params=lambda w: {"slug": A}, body=call_form),
        ("GET", call_page): Case(expect(LOGIN, 200, 200, 200, 404, 404, 200), params=shared),
        ("GET", f"{call_page}/modifier"): Case(page_organisers(200), params=shared),
        ("POST", f"{call_page}/modifier"): Case(page_organisers(), params=fresh_drafted, body=call_form),
        ("POST", f"{call_page}/ouvrir"): Case(page_organisers(), params=fresh_drafted, body=command),
        ("POST", f"{call_page}/clore"): Case(page_organisers(), params=fresh_opened, body=command),
        ("POST", f"{call_page}/annuler"): Case(
            page_organisers(), params=fresh_opened, body=lambda w: {"command_id": w.new_id(), "reason": "Budget gelé."}
        ),
        ("POST", f"{call_page}/annoncer"): Case(page_organisers(), params=fresh_opened, body=command),
        ("POST", f"{call_page}/selection"): Case(page_organisers(), params=fresh_closed, body=command),
        ("GET", f"{call_page}/projets"): Case(page_readers(), params=shared),
        ("GET", f"{call_page}/projets.csv"): Case(page_readers(), params=shared),
        ("GET", f"{call_page}/chiffres"): Case(page_readers(), params=shared),
        # pages: answering, and projects
        ("GET", f"{call_page}/repondre"): Case(expect(LOGIN, 200, 200, 403, 404, 404, 200), params=shared),
        ("POST", f"{call_page}/repondre"): Case(
            expect(LOGIN, 303, 303, 403, 404, 404, 403), params=shared, body=answer_form
        ),
        ("GET", project_page): Case(expect(LOGIN, 200, 200, 200, 404, 404, 200), params=project),
        ("GET", f"{project_page}/comparer"): Case(expect(LOGIN, 200, 200, 200, 404, 404, 200), params=project),
        ("GET", f"{project_page}/modifier"): Case(expect(LOGIN, 200, 403, 403, 404, 404, 200), params=project),
        ("POST", f"{project_page}/modifier"): Case(
            page_team,
            params=project,
            body=lambda w: {
                "command_id": w.new_id(),
                "title": f"Projet {w.new_id()[:6]}",
                "problem": "Un problème.",
                "solution": "Une solution.",
                "theme": "services aux usagers",
            },
        ),
        ("POST", f"{project_page}/deposer"): Case(page_team, params=fresh_draft_project, body=command),
        ("POST", f"{project_page}/retirer"): Case(page_team, params=fresh_project, body=command),
        ("POST", f"{project_page}/inviter"): Case(
            page_team,
            params=fresh_project,
            body=lambda w: {"command_id": w.new_id(), "person": w.members["organiser_a"].person_id},
        ),
        ("POST", f"{project_page}/invitation/retirer"): Case(
            page_team,
            params=on_project(lambda w: with_invitation(w, w.members["organiser_a"].person_id, submit=True)),
            body=lambda w: {"command_id": w.new_id(), "person": w.members["organiser_a"].person_id},
        ),
        ("POST", f"{project_page}/invitation/accepter"): Case(page_invited, params=invited_organiser, body=command),
        ("POST", f"{project_page}/invitation/decliner"): Case(page_invited, params=invited_organiser, body=command),
        ("POST", f"{project_page}/decision"): Case(
            page_organisers(),
            params=on_project(lambda w: closed_call_and_project(w)[1]),
            body=decision_form,
        ),
        ("GET", "/appels"): Case(page_signed_in()),
        ("GET", "/mes-projets"): Case(page_signed_in()),
        ("GET", "/notifications"): Case(page_signed_in()),
        ("GET", "/annonces"): Case(public()),
        ("GET", "/annonces/{organisation}/{call_id}"): Case(public(), params=shared),
    }
