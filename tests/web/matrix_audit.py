"""The isolation matrix's entries for audit (issue 7), registered in ``tests/web/test_isolation_matrix.py`` by
``SPEC.update(audit_cases())``.

Organisation A (``nord``) hosts a forum with one of its projects nominated; B (``oise``) is not invited. Only A's
auditor (and administrators) read A's history, its forum's and its aggregates': A's organiser and agent are A's
people without the role (403), B's people do not see A's histories at all (404). The forum's host (A's organiser)
appoints and dismisses the forum's auditors and lists them with the auditors. The service's public key is public.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.organisation import Organisation
from forum.access import SYSTEM
from forum.audit_trail import AppointAuditor
from forum.forums import AcceptForumInvitation, Invite
from tests.builders import calls, nominates, plans, sends
from tests.web.matrix import LOGIN, A, Case, World, command, expect, page_signed_in, public


def audit_cases() -> dict[tuple[str, str], Any]:
    api_auditors = expect(401, 403, 403, 200, 404, 404, 200)
    page_auditors = expect(LOGIN, 403, 403, 200, 404, 404, 200)

    def the_forum(w: World) -> dict[str, str]:
        """A forum hosted by A, A invited and accepted, one of A's selected projects nominated."""

        def make() -> dict[str, str]:
            app, host = w.services.app, w.members["organiser_a"].actor
            now = app.clock()
            call = calls.draft_call(
                app, host, w.new_id(), organisation=A, title="Appel audité", opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=30), open_now=True,
            )  # fmt: skip
            call_id = UUID(call["id"])
            project = calls.draft_project(
                app, w.members["agent_a"].actor, w.new_id(), call_organisation=A, call_id=call_id,
                title="Projet audité", problem="Un problème.", solution="Une solution.", submit=True,
            )["id"]  # fmt: skip
            calls.close_call(app, host, w.new_id(), organisation=A, call_id=call_id)
            calls.decide_project(
                app, host, w.new_id(), call_organisation=A, call_id=call_id, organisation=A,
                project_id=UUID(project), outcome="selected",
            )  # fmt: skip
            key = f"audit-{w.new_id()[:10]}"
            planned = plans(
                app, host, w.new_id(), host=A, key=key, title=f"Forum {key}", kind="forum",
                starts_on=(now + timedelta(days=30)).date(), place="Lille", quota=3,
            )  # fmt: skip
            forum_id = UUID(planned["id"])
            sends(Invite)(app, host, w.new_id(), host=A, forum_id=forum_id, organisation=A)
            sends(AcceptForumInvitation)(app, host, w.new_id(), host=A, forum_id=forum_id, organisation=A)
            nominates(app, host, w.new_id(), host=A, forum_id=forum_id, project_id=UUID(project))
            w.settle()
            return {"forum": key, "forum_id": str(forum_id), "project_id": project}

        found: dict[str, str] = w.ensure("audit-forum", make)
        return found

    def on_forum(**extra: str) -> Any:
        def params(w: World) -> dict[str, str]:
            forum = the_forum(w)
            return {"host": A, "forum": forum["forum"], **{name: forum[field] for name, field in extra.items()}}

        return params

    def on_aggregate(w: World) -> dict[str, str]:
        return {"store": A, "aggregate_id": the_forum(w)["forum_id"]}

    def on_organisation_aggregate(w: World) -> dict[str, str]:
        return {"store": A, "aggregate_id": str(Organisation.id_for(A))}

    def fresh_person(w: World) -> tuple[str, str]:
        """A new auditor of B (a person of any organisation may audit a forum): (person id, e-mail)."""
        email = f"auditrice.{w.new_id()[:10]}@oise.test"
        result = w.services.people.enrol(
            SYSTEM, w.new_id(), organisation="oise", email=email, name="Auditrice", role="auditor",
            password="mot-de-passe-de-test",
        )  # fmt: skip
        return str(result["person_id"]), email

    def appoint_body(w: World) -> dict[str, str]:
        person_id, _ = fresh_person(w)
        return {"command_id": w.new_id(), "person_id": person_id, "organisation": "oise"}

    def appoint_form(w: World) -> dict[str, str]:
        _, email = fresh_person(w)
        w.settle()
        return {"command_id": w.new_id(), "email": email}

    def appointed(w: World) -> dict[str, str]:
        """The forum and a person its host has just appointed auditor (to dismiss)."""
        forum = the_forum(w)
        person_id, _ = fresh_person(w)
        sends(AppointAuditor)(
            w.services.app, w.members["organiser_a"].actor, w.new_id(), host=A, forum_id=UUID(forum["forum_id"]),
            person_id=person_id, organisation="oise",
        )  # fmt: skip
        return {"host": A, "forum": forum["forum"], "person_id": person_id}

    org = lambda w: {"slug": A}  # noqa: E731  # a table of one-liners
    return {
        # the API
        ("GET", "/api/v1/audit/key"): Case(public()),
        ("GET", "/api/v1/audit/organisations/{slug}"): Case(api_auditors, params=org),
        ("GET", "/api/v1/audit/organisations/{slug}/events"): Case(api_auditors, params=org),
        ("GET", "/api/v1/audit/organisations/{slug}/export"): Case(api_auditors, params=org),
        ("GET", "/api/v1/audit/forums/{host}/{forum}"): Case(api_auditors, params=on_forum()),
        ("GET", "/api/v1/audit/forums/{host}/{forum}/events"): Case(api_auditors, params=on_forum()),
        ("GET", "/api/v1/audit/forums/{host}/{forum}/export"): Case(api_auditors, params=on_forum()),
        ("GET", "/api/v1/audit/forums/{host}/{forum}/jury"): Case(api_auditors, params=on_forum()),
        ("GET", "/api/v1/audit/forums/{host}/{forum}/provenance/{project_id}"): Case(
            api_auditors, params=on_forum(project_id="project_id")
        ),
        ("GET", "/api/v1/audit/aggregates/{store}/{aggregate_id}/events"): Case(api_auditors, params=on_aggregate),
        ("GET", "/api/v1/audit/aggregates/{store}/{aggregate_id}/export"): Case(api_auditors, params=on_aggregate),
        ("GET", "/api/v1/audit/aggregates/{store}/{aggregate_id}/state"): Case(
            api_auditors, params=on_organisation_aggregate
        ),
        ("GET", "/api/v1/audit/aggregates/{store}/{aggregate_id}/diff"): Case(api_auditors, params=on_aggregate),
        ("GET", "/api/v1/forums/{host}/{forum}/auditors"): Case(
            expect(401, 403, 200, 200, 404, 404, 200), params=on_forum()
        ),
        ("POST", "/api/v1/forums/{host}/{forum}/auditors"): Case(
            expect(401, 403, 201, 403, 404, 404, 201), params=on_forum(), body=appoint_body
        ),
        ("POST", "/api/v1/forums/{host}/{forum}/auditors/{person_id}/dismissal"): Case(
            expect(401, 403, 200, 403, 404, 404, 200), params=appointed, body=command
        ),
        # the pages
        ("GET", "/audit"): Case(page_signed_in()),
        ("GET", "/audit/organisations/{slug}"): Case(page_auditors, params=org),
        ("GET", "/audit/organisations/{slug}/telechargement"): Case(page_auditors, params=org),
        ("GET", "/audit/forums/{host}/{forum}"): Case(page_auditors, params=on_forum()),
        ("GET", "/audit/forums/{host}/{forum}/telechargement"): Case(page_auditors, params=on_forum()),
        ("GET", "/audit/forums/{host}/{forum}/jury"): Case(page_auditors, params=on_forum()),
        ("GET", "/audit/forums/{host}/{forum}/provenance/{project_id}"): Case(
            page_auditors, params=on_forum(project_id="project_id")
        ),
        ("GET", "/audit/forums/{host}/{forum}/auditeurs"): Case(
            expect(LOGIN, 403, 200, 200, 404, 404, 200), params=on_forum()
        ),
        ("POST", "/audit/forums/{host}/{forum}/auditeurs"): Case(
            expect(LOGIN, 403, 303, 403, 404, 404, 303), params=on_forum(), body=appoint_form
        ),
        ("GET", "/audit/objets/{store}/{aggregate_id}"): Case(page_auditors, params=on_aggregate),
        ("GET", "/audit/objets/{store}/{aggregate_id}/telechargement"): Case(page_auditors, params=on_aggregate),
        ("GET", "/audit/objets/{store}/{aggregate_id}/etat"): Case(page_auditors, params=on_aggregate),
    }
