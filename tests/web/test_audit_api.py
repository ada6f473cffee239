"""Auditors through the JSON API: an organisation's auditor and a forum's auditor (appointed by the host) read trails
page by page, export them (CSV, JSON, signed and checked offline), replay the jury at 16:30 and a laureate's
provenance; every command they try is refused (403) and records nothing."""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.organisation import Organisation
from forum import audit, audit_trail
from forum.access import Actor
from forum.services import Services
from tests.builders import publishes
from tests.conftest import Clock
from tests.settling import settle
from tests.worlds.forums import HOST, World, build_world, deliberated_world

FORUM = "forum-2019"


def token(services: Services, actor: Actor) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.auth.issue_token(actor, 'tests').token}"}


def events(services: Services) -> int:
    with services.db.connect(autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM store.forum_events").fetchone()
    return int(row[0]) if row else 0


@pytest.fixture
def world(services: Services, clock: Clock, client: TestClient) -> World:  # type: ignore[type-arg]
    built = build_world(services.app, clock, services.db)
    deliberated_world(built)
    built.run(publishes, built.host)
    settle(client)
    return built


@pytest.fixture
def inspector(world: World, services: Services, client: TestClient) -> Actor:  # type: ignore[type-arg]
    """A Val-d'Oise auditor the host appoints auditor of the forum, through the API."""
    person = world.enrol("inspectrice", "val-doise", "auditor")
    settle(client)
    response = client.post(
        f"/api/v1/forums/{HOST}/{FORUM}/auditors",
        json={"command_id": uuid.uuid4().hex, "person_id": person.person_id, "organisation": "val-doise"},
        headers=token(services, world.host),
    )
    assert response.status_code == 201, response.text
    settle(client)
    return person


def all_pages(client: TestClient, url: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    found, after = [], 0
    while True:
        response = client.get(url, params={**params, "after": after, "limit": 10}, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        found += page["events"]
        if page["next_after"] is None:
            return found
        after = page["next_after"]


def test_an_organisations_auditor_reads_its_whole_history_page_by_page_and_nothing_of_others(
    world: World,
    services: Services,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    headers = token(services, world["auditor-somme"])
    trail = all_pages(client, "/api/v1/audit/organisations/somme/events", headers)
    with services.db.connect(autocommit=True) as conn:
        expected = [r[0] for r in conn.execute(
            "SELECT notification_id FROM store.forum_events WHERE organisation = 'somme' ORDER BY 1"
        )]  # fmt: skip
    assert [e["position"] for e in trail] == expected
    score = next(e for e in trail if e["event_type"] == "Forum.ScoreRecorded")
    assert score["sentence"].startswith("Le juré juror-") and score["role"] == "juror" and score["command_id"]
    assert score["payload"]["scores"] and score["actor_name"].startswith("juror-")
    # filters: by type, by person
    published = all_pages(client, "/api/v1/audit/organisations/somme/events", headers, type="Forum.PalmaresPublished")
    assert [e["event_type"] for e in published] == ["Forum.PalmaresPublished"]
    juror = world["juror-oise"].person_id
    by_juror = all_pages(client, "/api/v1/audit/organisations/somme/events", headers, person=juror)
    assert by_juror and {e["actor"] for e in by_juror} == {juror}
    # the chain head and the anchors (the publication anchored Somme's head)
    summary = client.get("/api/v1/audit/organisations/somme", headers=headers).json()
    assert summary["chain"]["heads"][0]["position"] == expected[-1]
    assert any(a["reason"].startswith("publication du palmarès") for a in summary["chain"]["anchors"])
    # another organisation's history does not exist for them; an organiser of Somme is not an auditor
    assert client.get("/api/v1/audit/organisations/nord/events", headers=headers).status_code == 404
    organiser = token(services, world.host)
    assert client.get("/api/v1/audit/organisations/somme/events", headers=organiser).status_code == 403
    assert client.get("/api/v1/audit/organisations/somme/events").status_code == 401


def test_bad_filters_are_refused_naming_the_field(
    world: World,
    services: Services,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    headers = token(services, world["auditor-somme"])
    for params, field in (
        ({"type": "Forum.Rien"}, "type"),
        ({"since": "hier"}, "since"),
        ({"person": "quelqu'un"}, "person"),
        ({"limit": 100000}, "limit"),
    ):
        response = client.get("/api/v1/audit/organisations/somme/events", params=params, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field


def test_exports_as_csv_and_json_carry_every_filtered_event(
    world: World,
    services: Services,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    headers = token(services, world["auditor-somme"])
    params = {"type": "Forum.ScoreRecorded"}
    response = client.get(
        "/api/v1/audit/organisations/somme/export", params={**params, "format": "csv"}, headers=headers
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 12 and {r["event_type"] for r in rows} == {"Forum.ScoreRecorded"}
    assert rows[0]["sentence"].startswith("Le juré ") and json.loads(rows[0]["payload"])["scores"]
    response = client.get(
        "/api/v1/audit/organisations/somme/export", params={**params, "format": "json"}, headers=headers
    )
    document = response.json()
    assert document["scope"] == "organisation" and len(document["events"]) == 12
    assert (
        client.get("/api/v1/audit/organisations/somme/export", params={"format": "pdf"}, headers=headers).status_code
        == 422
    )


def test_an_organisations_signed_export_verifies_offline_with_the_published_key(
    world: World,
    services: Services,
    client: TestClient,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    headers = token(services, world["auditor-somme"])
    response = client.get("/api/v1/audit/organisations/somme/export", params={"format": "signed"}, headers=headers)
    assert response.status_code == 200, response.text
    path = tmp_path / "somme.jsonl"
    path.write_bytes(response.content)
    key = client.get("/api/v1/audit/key").json()["public_key"]
    report = audit.verify_export(path, audit.load_public_key(key))
    assert report.ok and report.organisation == "somme", report.reason


def test_a_forum_auditor_appointed_by_the_host_reads_the_forum_and_its_projects_and_nothing_else(
    world: World,
    inspector: Actor,
    services: Services,
    client: TestClient,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    headers = token(services, Actor(inspector.person_id, "val-doise", frozenset({"auditor"})))
    auditors = client.get(f"/api/v1/forums/{HOST}/{FORUM}/auditors", headers=headers).json()
    assert [a["person_id"] for a in auditors] == [inspector.person_id]
    trail = all_pages(client, f"/api/v1/audit/forums/{HOST}/{FORUM}/events", headers)
    assert {e["organisation"] for e in trail} == {"somme", "nord", "oise"}
    assert trail[0]["event_type"] == "Project.Drafted" or trail[0]["organisation"] in ("nord", "oise", "somme")
    summary = client.get(f"/api/v1/audit/forums/{HOST}/{FORUM}", headers=headers).json()
    assert len(summary["projects"]) == 6 and set(summary["stores"]) == {"somme", "nord", "oise"}
    # a nominated project's state, in its own store; a project not nominated is not theirs to read
    nominated, other = world.project("nord-1"), world.project("nord-3")
    state = client.get(f"/api/v1/audit/aggregates/nord/{nominated}/state", headers=headers).json()
    assert state["exists"] and state["aggregate_type"] == "Project"
    assert client.get(f"/api/v1/audit/aggregates/nord/{other}/state", headers=headers).status_code == 404
    assert client.get("/api/v1/audit/organisations/somme/events", headers=headers).status_code == 404
    # the signed export of the forum's history verifies offline
    response = client.get(f"/api/v1/audit/forums/{HOST}/{FORUM}/export", params={"format": "signed"}, headers=headers)
    assert response.status_code == 200
    path = tmp_path / "forum.jsonl"
    path.write_bytes(response.content)
    key = client.get("/api/v1/audit/key").json()["public_key"]
    report = audit_trail.verify_export(path, audit.load_public_key(key))
    assert report.ok and report.events == len(trail), report.reason


def test_the_jury_at_1630_and_a_laureates_provenance(
    world: World,
    inspector: Actor,
    services: Services,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    headers = token(services, Actor(inspector.person_id, "val-doise", frozenset({"auditor"})))
    base = f"/api/v1/audit/forums/{HOST}/{FORUM}"
    before = client.get(f"{base}/jury", params={"at": "2019-11-28T15:59"}, headers=headers).json()
    after = client.get(f"{base}/jury", params={"at": "2019-11-28T16:30"}, headers=headers).json()
    assert (len(before["scores"]), len(after["scores"])) == (0, 12)
    assert after["method"]["rules_version"] == 1 and after["ranking"][0]["title"] == "Projet nord-1"
    laureate = world.project("nord-1")
    provenance = client.get(f"{base}/provenance/{laureate}", headers=headers).json()
    [prize] = provenance["prizes"]
    assert prize["laureate"] and prize["ranking"]["recomputed_identical"]
    assert prize["ranking"]["method"]["normalisation"] == "none"
    assert provenance["row"]["rank"] == 1 and len(provenance["scores"]) == 2
    assert [r["kind"] for r in provenance["recusals"]] == ["own_organisation"]
    assert client.get(f"{base}/provenance/{uuid.uuid4()}", headers=headers).status_code == 404
    # before the organisation existed: an empty state, not an error
    empty = client.get(
        f"/api/v1/audit/aggregates/{HOST}/{Organisation.id_for(HOST)}/state",
        params={"at": "2001-01-01T00:00"},
        headers=token(services, world["auditor-somme"]),
    ).json()
    assert (empty["exists"], empty["state"]) == (False, {})


def test_the_difference_between_two_instants(
    world: World,
    services: Services,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    headers = token(services, world["auditor-somme"])
    response = client.get(
        f"/api/v1/audit/aggregates/{HOST}/{world.forum_id}/diff",
        params={"from_at": "2019-11-28T15:00", "to_at": "2019-11-28T17:00"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    d = response.json()
    assert sum(1 for c in d["changes"] if c["path"].startswith("scores › ")) == 12
    assert {e["event_type"] for e in d["events_between"]} >= {"Forum.ScoreRecorded"}


def test_auditors_change_nothing_whatever_command_they_send(
    world: World,
    inspector: Actor,
    services: Services,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    project = world.project("oise-1")
    forum = f"/api/v1/forums/{HOST}/{FORUM}"

    def body(**fields: Any) -> dict[str, Any]:
        return {"command_id": uuid.uuid4().hex, **fields}

    commands = [
        ("PATCH", f"/api/v1/organisations/{HOST}", body(name="Autre nom")),
        ("POST", f"/api/v1/organisations/{HOST}/members", body(email="x@somme.test", name="X", role="agent")),
        ("POST", f"/api/v1/forums/{HOST}", body(key="autre", title="Autre", kind="forum", starts_on="2020-01-01",
                                                 place="Amiens", quota=2)),
        ("POST", f"{forum}/invitations", body(organisation="val-doise")),
        ("PUT", f"{forum}/scores/{project}", body(scores={"usagers": 5, "pitch": 5})),
        ("POST", f"{forum}/ranking", body()),
        ("POST", f"{forum}/deliberation/open", body()),
        ("POST", f"{forum}/palmares/publish", body()),
        ("POST", f"{forum}/auditors", body(person_id=inspector.person_id, organisation="val-doise")),
        ("POST", f"{forum}/auditors/{inspector.person_id}/dismissal", body()),
    ]  # fmt: skip
    org_auditor = token(services, world["auditor-somme"])
    forum_auditor = token(services, Actor(inspector.person_id, "val-doise", frozenset({"auditor"})))
    for headers in (org_auditor, forum_auditor):
        for method, url, payload in commands:
            before = events(services)
            response = client.request(method, url, json=payload, headers=headers)
            # within the forum: forbidden; the host's own affairs are another organisation's to the forum auditor
            wanted = 404 if headers is forum_auditor and not url.startswith(forum) else 403
            assert response.status_code == wanted, (method, url, response.text)
            assert events(services) == before, (method, url)


def test_the_web_app_anchors_chain_heads_periodically_beside_the_projector(services: Services) -> None:
    import time
    from dataclasses import replace

    from forum.access import SYSTEM
    from forum.entrypoints.bootstrap import resources
    from web.app import create_app

    services.app.register_organisation(SYSTEM, "org.somme", slug="somme", name="Somme", kind="departement")
    quick = Services(settings=replace(services.settings, anchor_every=0.05), db=services.db, app=services.app)
    with TestClient(app=create_app(quick, resources(quick.db), run_projector=True)):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with services.db.connect(autocommit=True) as conn:
                anchored = conn.execute("SELECT organisation, reason FROM store.anchors").fetchall()
            if anchored:
                break
            time.sleep(0.05)
        # a second organisation's events while it runs: anchored at the next period
        services.app.register_organisation(SYSTEM, "org.nord", slug="nord", name="Nord", kind="departement")
        while time.monotonic() < deadline:
            with services.db.connect(autocommit=True) as conn:
                anchored = conn.execute("SELECT organisation, reason FROM store.anchors").fetchall()
            if {a[0] for a in anchored} == {"somme", "nord"}:
                break
            time.sleep(0.05)
    assert {(a[0], a[1]) for a in anchored} == {("somme", audit.PERIODIC), ("nord", audit.PERIODIC)}
    assert len(anchored) == 2  # heads that did not move are not anchored again


def test_settings_carry_the_audit_key_and_the_anchoring_period() -> None:
    from forum.settings import Settings

    settings = Settings.from_env({"FORUM_AUDIT_KEY": "/secret/key.pem", "FORUM_ANCHOR_EVERY": "60"})
    assert (settings.audit_key, settings.anchor_every) == ("/secret/key.pem", 60.0)
    assert Settings.from_env({}).anchor_every == 300.0
