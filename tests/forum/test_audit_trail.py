"""Auditors and the audit trail: who may read which history, the trail read from the log by keyset (never OFFSET),
its sentences, filters and signed exports; replay of any aggregate at a moment, a jury at 16:30, and the provenance
of a laureate. Somme hosts the forum; Nord and Oise take part (``tests.forum.test_forums.build_world``)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID, uuid4

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import Forbidden, NotFound
from domain.organisation import Organisation
from domain.person import ForumRoles
from forum import audit, audit_trail, replay
from forum.access import SYSTEM, Actor
from forum.application import ForumApplication
from forum.audit_sentences import SENTENCES, Names, event_classes, sentence
from forum.audit_trail import AppointAuditor, Filters, ForumFacts, Scope, Stream
from forum.database import Database
from forum.entrypoints.bootstrap import auth_pool, reader_pool
from forum.forums import Invite
from forum.jury import ComputeRanking, RecordScore
from forum.tenancy import store_of
from projections.audit import audit_names
from tests.builders import publishes, sends
from tests.conftest import Clock, command_id
from tests.settling import settle
from tests.worlds.forums import HOST, ON_THE_DAY, World, build_world, deliberated_world, jury_world, score

T = TypeVar("T")
PARIS_1630 = datetime(2019, 11, 28, 15, 30, tzinfo=UTC)  # 16:30 in Paris


def with_pool(db: Database, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(pool)`` on a pool acting as the write side's role (as the web app's audit reads do)."""

    async def main() -> T:
        pool = await auth_pool(db, max_size=2)
        try:
            return await work(pool)
        finally:
            await pool.close()

    return asyncio.run(main())


def names_for(db: Database) -> Callable[[set[str], set[str]], Awaitable[Names]]:
    async def resolve(ids: set[str], slugs: set[str]) -> Names:
        reader = await reader_pool(db, max_size=1)
        try:
            found = await audit_names(reader, ids, slugs)
        finally:
            await reader.close()
        return Names(found.people, found.titles, found.organisations)

    return resolve


def whole(db: Database, scope: Scope, filters: Filters | None = None, *, limit: int = 7, **kwargs: Any) -> list[Any]:
    """Every page of a trail, following ``next_after`` until it ends."""

    async def work(pool: Any) -> list[Any]:
        entries, after = [], 0
        while True:
            page = await audit_trail.read_page(pool, scope, filters or Filters(), after=after, limit=limit, **kwargs)
            entries.extend(page.entries)
            if page.next_after is None:
                return entries
            after = page.next_after

    return with_pool(db, work)


def positions(db: Database, sql: str, *params: Any) -> list[int]:
    with db.connect(autocommit=True) as conn:
        return [row[0] for row in conn.execute(sql, params).fetchall()]  # type: ignore[arg-type]


def forum_facts(world: World) -> ForumFacts:
    return ForumFacts(world.forum_id, HOST, ("nord", "oise", "somme"))


def forum_scope(world: World) -> Scope:
    nominated = [world.projects[f"{org}-{i}"] for org in ("nord", "oise", "somme") for i in (1, 2)]
    return audit_trail.forum_scope(forum_facts(world), [(pid, store) for store, pid in nominated])


@pytest.fixture
def world(app: ForumApplication, clock: Clock, db: Database) -> World:
    return build_world(app, clock, db)


@pytest.fixture
def published(world: World) -> World:
    deliberated_world(world)
    world.run(publishes, world.host)
    return world


# ---------------------------------------------------------------------------------------------------------------------
# Sentences


def test_every_event_class_of_every_aggregate_has_its_sentence() -> None:
    classes = event_classes()
    assert len(classes) >= 80  # every aggregate of domain/: organisations, people, calls, projects, forums, after
    assert sorted(SENTENCES) == sorted(classes), "add a sentence to forum.audit_sentences.SENTENCES"


def test_every_stored_event_of_a_whole_forum_reads_as_a_plain_french_sentence(published: World, db: Database) -> None:
    # given a forum run from its planning to its palmarès, across five stores; and the read models caught up
    settle(db)
    # when every organisation's trail is read
    events = []
    for organisation in ("somme", "nord", "oise", "val-doise", "beta-gouv"):
        entries = whole(db, audit_trail.organisation_scope(organisation), limit=200)
        events += with_pool(db, lambda _, e=entries: audit_trail.described(e, names_for(db)))
    # then each event has its own sentence, naming people and projects rather than ids
    assert len(events) > 100
    kinds = {e.event_type for e in events}
    assert {"Forum.ScoreRecorded", "Project.Submitted", "Person.Invited", "ForumRoles.Granted"} <= kinds
    for e in events:
        assert e.sentence.endswith(".") and " a enregistré « " not in e.sentence, e.sentence
    juror_nord = published["juror-nord"].person_id
    score = next(e for e in events if e.event_type == "Forum.ScoreRecorded" and e.actor == juror_nord)
    assert score.sentence.startswith("Le juré juror-nord a noté le projet « Projet ")
    assert "(usagers " in score.sentence
    assert score.role == "juror" and score.actor_organisation == "nord" and score.organisation == "somme"
    assert score.payload["juror_id"] == juror_nord and score.command_id
    registered = next(e for e in events if e.event_type == "Organisation.Registered" and e.organisation == "nord")
    assert registered.sentence.startswith("Le système a inscrit l'organisation ")
    assert "« Département du Nord »" in registered.sentence


def test_a_sentence_never_fails_for_want_of_a_name(published: World, db: Database) -> None:
    entries = whole(db, forum_scope(published), limit=200)
    for entry in entries:
        text = sentence(entry.event, Names())
        assert text.endswith(".")
    assert any("n° " in sentence(e.event, Names()) for e in entries)


# ---------------------------------------------------------------------------------------------------------------------
# The trail, by keyset


def test_an_organisations_trail_is_its_whole_history_in_log_order_page_after_page(world: World, db: Database) -> None:
    trail = whole(db, audit_trail.organisation_scope("nord"), limit=7)
    expected = positions(db, "SELECT notification_id FROM store.forum_events WHERE organisation = 'nord' ORDER BY 1")
    assert [e.row.position for e in trail] == expected
    assert {e.row.organisation for e in trail} == {"nord"}


def test_a_forums_trail_is_the_forum_its_roles_and_its_nominated_projects_each_read_in_its_own_store(
    published: World, db: Database
) -> None:
    trail = whole(db, forum_scope(published), limit=9)
    nominated = [published.project(f"{o}-{i}") for o in ("nord", "oise", "somme") for i in (1, 2)]
    wanted = [published.forum_id, ForumRoles.id_for(published.forum_id), *nominated]
    expected = positions(
        db,
        "SELECT notification_id FROM store.forum_events WHERE originator_id = ANY(%s) ORDER BY 1",
        wanted,
    )
    assert [e.row.position for e in trail] == expected
    assert {e.row.organisation for e in trail} == {"somme", "nord", "oise"}
    # a project not nominated is not part of it
    assert published.project("nord-3") not in {e.row.originator_id for e in trail}


def test_row_level_security_confines_each_read_to_the_store_it_was_checked_for(published: World, db: Database) -> None:
    # a scope that names Nord's project under Somme's store finds nothing: the read only sees Somme's rows
    wrong = Scope("forum", "x", (Stream("somme", (published.project("nord-1"),)),))
    assert whole(db, wrong) == []
    right = Scope("forum", "x", (Stream("nord", (published.project("nord-1"),)),))
    assert whole(db, right)


def test_filters_by_aggregate_person_event_type_and_time(published: World, db: Database) -> None:
    scope = forum_scope(published)
    juror = published["juror-oise"].person_id
    by_person = whole(db, scope, Filters(person=juror))
    assert by_person and all(e.meta.actor == juror for e in by_person)
    assert {type(e.event).__qualname__ for e in by_person} == {"Forum.ScoreRecorded"}
    scores = whole(db, scope, Filters(event_types=("Forum.ScoreRecorded",)))
    assert len(scores) == 12
    project = published.project("oise-1")
    of_project = whole(db, scope, Filters(aggregate_id=project))
    assert {e.row.originator_id for e in of_project} == {project}
    assert [type(e.event).__qualname__ for e in of_project][:2] == ["Project.Drafted", "Project.Submitted"]
    on_the_day = whole(db, scope, Filters(since=ON_THE_DAY, until=ON_THE_DAY + timedelta(days=1)))
    assert on_the_day and all(ON_THE_DAY <= e.at <= ON_THE_DAY + timedelta(days=1) for e in on_the_day)
    assert len(on_the_day) < len(whole(db, scope, limit=200))


def test_a_filter_checked_on_decoded_events_scans_a_bounded_number_of_rows_per_page(
    published: World, db: Database
) -> None:
    # given a filter no event matches before the end of a long trail
    scope = audit_trail.organisation_scope("somme")
    late = Filters(since=datetime(2030, 1, 1, tzinfo=UTC))

    async def first_page(pool: Any) -> audit_trail.Page:
        return await audit_trail.read_page(pool, scope, late, limit=5, budget=10)

    page = with_pool(db, first_page)
    # then the page comes back empty but says where to go on from, having scanned about its budget
    assert page.entries == []
    assert page.next_after is not None
    assert page.scanned == 10


def test_bad_filters_and_page_sizes_are_refused_with_their_field() -> None:
    with pytest.raises(Exception, match="inconnu") as raised:
        Filters(event_types=("Forum.Nothing",))
    assert getattr(raised.value, "field", None) == "type"
    with pytest.raises(Exception, match="fuseau") as raised:
        Filters(since=datetime(2019, 1, 1))  # the point: no time zone
    assert getattr(raised.value, "field", None) == "since"


# ---------------------------------------------------------------------------------------------------------------------
# Who may audit


def test_an_organisations_auditors_read_its_history_and_nobody_else_of_it_or_outside(world: World) -> None:
    auditor = world["auditor-somme"]
    assert audit_trail.may_audit_organisation(auditor, "somme") == "auditor"
    assert audit_trail.may_audit_organisation(SYSTEM, "somme") == "admin"
    with pytest.raises(Forbidden):
        audit_trail.may_audit_organisation(world.host, "somme")  # an organiser is not an auditor
    with pytest.raises(NotFound):
        audit_trail.may_audit_organisation(auditor, "nord")  # another organisation's history does not exist


def test_a_forums_auditors_are_its_hosts_auditors_and_those_the_host_appoints(world: World, db: Database) -> None:
    facts = forum_facts(world)
    assert audit_trail.may_audit_forum(world["auditor-somme"], facts) == "forum_auditor"
    with pytest.raises(Forbidden):
        audit_trail.may_audit_forum(world.host, facts)
    with pytest.raises(Forbidden):
        audit_trail.may_audit_forum(world["organiser-nord"], facts)
    inspector = world.enrol("inspecteur", "val-doise", "auditor")
    with pytest.raises(NotFound):
        audit_trail.may_audit_forum(inspector, facts)
    # when the host appoints them
    before = world.events()
    sends(AppointAuditor)(
        world.app, world.host, command_id(), host=HOST, forum_id=world.forum_id, person_id=inspector.person_id,
        organisation="val-doise",
    )  # fmt: skip
    assert world.events() > before
    assert world.topics("ForumRoles.Granted")[-1] == ("somme", "domain.person:ForumRoles.Granted")
    appointed = Actor(
        inspector.person_id, "val-doise", inspector.roles, frozenset({(str(world.forum_id), "forum_auditor")})
    )
    assert audit_trail.may_audit_forum(appointed, facts) == "forum_auditor"
    # and they read the forum's aggregates and its nominated projects, in their stores, but nothing else there
    assert audit_trail.may_audit_aggregate(appointed, "nord", [facts]) == "forum_auditor"
    with pytest.raises(NotFound):
        audit_trail.may_audit_aggregate(appointed, "nord", [])  # not in a forum they audit
    with pytest.raises(Forbidden):
        audit_trail.may_audit_aggregate(world.host, "somme", [facts])  # the host reads its own forum elsewhere


def test_only_the_host_appoints_a_forum_auditor_and_a_refusal_records_nothing(world: World) -> None:
    person = world["agent-oise"]
    for who in (world["auditor-somme"], world["organiser-nord"], world["agent-somme"]):
        before = world.events()
        with pytest.raises(Forbidden):
            sends(AppointAuditor)(
                world.app, who, command_id(), host=HOST, forum_id=world.forum_id, person_id=person.person_id,
                organisation="oise",
            )  # fmt: skip
        assert world.events() == before
    with pytest.raises(NotFound):
        sends(AppointAuditor)(
            world.app, world.host, command_id(), host=HOST, forum_id=uuid4(), person_id=person.person_id,
            organisation="oise",
        )  # fmt: skip


def test_auditors_change_nothing_whatever_command_they_try(world: World) -> None:
    deliberated_world(world)
    org_auditor = world["auditor-somme"]
    forum_auditor = Actor(
        world["auditor-somme"].person_id, "somme", frozenset({"auditor"}),
        frozenset({(str(world.forum_id), "forum_auditor")}),
    )  # fmt: skip
    project = world.project("nord-1")
    for auditor in (org_auditor, forum_auditor):
        commands: list[Callable[[], Any]] = [
            lambda a=auditor: world.app.rename_organisation(a, command_id(), slug="somme", name="Autre nom"),
            lambda a=auditor: world.services.people.invite(
                a, command_id(), organisation="somme", email="x@somme.example.org", name="X", role="agent"
            ),
            lambda a=auditor: world.run(sends(ComputeRanking), a),
            lambda a=auditor: world.run(publishes, a),
            lambda a=auditor: world.run(sends(RecordScore), a, project_id=project, scores={"usagers": 5, "pitch": 5}),
            lambda a=auditor: world.run(sends(Invite), a, organisation="val-doise"),
            lambda a=auditor: sends(AppointAuditor)(
                world.app, a, command_id(), host=HOST, forum_id=world.forum_id, person_id=a.person_id,
                organisation="somme",
            ),
        ]  # fmt: skip
        for command in commands:
            before = world.events()
            with pytest.raises(Forbidden):
                command()
            assert world.events() == before


# ---------------------------------------------------------------------------------------------------------------------
# Replay


def test_an_aggregate_before_its_organisation_existed_is_an_empty_state(world: World) -> None:
    state = replay.state_at(world.app, "nord", Organisation.id_for("nord"), at=datetime(2018, 1, 1, tzinfo=UTC))
    assert (state.exists, state.state, state.events, state.version) == (False, {}, 0, 0)
    now = replay.state_at(world.app, "nord", Organisation.id_for("nord"))
    assert now.exists and now.state["name"] == "Département du Nord" and now.aggregate_type == "Organisation"


def test_an_aggregate_as_it_stood_at_a_position_and_at_an_instant(published: World) -> None:
    history = replay.history(published.app, HOST, published.forum_id)
    scored = [r for r in history if r.name == "Forum.ScoreRecorded"]
    at_third = replay.state_at(published.app, HOST, published.forum_id, position=scored[2].position)
    assert (
        len(at_third.state["scores"]) == 3
        and at_third.last_event
        and at_third.last_event.position == scored[2].position
    )
    before_day = replay.state_at(published.app, HOST, published.forum_id, at=ON_THE_DAY - timedelta(seconds=1))
    assert before_day.state["scores"] == {} and before_day.state["palmares"] is None
    # the same aggregate, loaded by the repository at that version, agrees
    with store_of(HOST):
        with_repository = published.app.repository.get(published.forum_id, version=at_third.version)
    assert replay.state_of(with_repository) == at_third.state


def test_the_difference_between_two_instants_and_the_events_between(published: World) -> None:
    history = replay.history(published.app, HOST, published.forum_id)
    scored = [r for r in history if r.name == "Forum.ScoreRecorded"]
    d = replay.state_diff(
        published.app, HOST, published.forum_id, from_position=scored[0].position, to_position=scored[3].position
    )
    added = [c for c in d.changes if c.kind == "added" and c.path.startswith("scores › ")]
    assert len(added) == 3
    assert [e.event_type for e in d.events_between] == ["Forum.ScoreRecorded"] * 3


def test_a_jury_at_an_instant_shows_the_scores_recorded_by_then_and_the_ranking_they_gave(
    world: World, clock: Clock
) -> None:
    # given scores recorded one minute apart from 16:00, and the ranking computed at 17:30
    jury_world(world)
    labels = ["nord-1", "oise-1", "somme-1", "nord-2", "oise-2", "somme-2"]
    minute = 0
    for juror in ("nord", "oise", "somme"):
        for label in labels:
            if not label.startswith(juror):
                clock.set(datetime(2019, 11, 28, 15, 0, tzinfo=UTC) + timedelta(minutes=minute))
                score(world, juror, label, usagers=5 if label == "oise-1" else 3, pitch=3)
                minute += 15
    clock.set(datetime(2019, 11, 28, 16, 30, tzinfo=UTC))
    world.run(sends(ComputeRanking), world.host)
    # when the jury is replayed at 16:30 Paris time
    jury = replay.jury_at(world.app, HOST, world.forum_id, at=PARIS_1630)
    # then only the scores recorded by then count, and the ranking is the one they gave then
    assert len(jury.scores) == 3 and all(s.recorded and s.recorded.at <= PARIS_1630 for s in jury.scores)
    assert jury.recorded_ranking is None  # the host computed it at 17:30
    assert jury.method and jury.method.rules_version == 1 and jury.method.quorum == 1
    top = next(line for line in jury.ranking if line.rank == 1)
    assert top.title == "Projet oise-1"
    assert {r.kind for r in jury.recusals} == {"own_organisation"}
    later = replay.jury_at(world.app, HOST, world.forum_id)
    assert later.recorded_ranking and later.recorded_ranking.recomputed_identical and later.recorded_ranking.current
    assert len(later.scores) == 12


def test_a_forum_before_it_was_planned_has_an_empty_jury(world: World) -> None:
    jury = replay.jury_at(world.app, HOST, world.forum_id, at=datetime(2019, 1, 1, tzinfo=UTC))
    assert (jury.exists, jury.scores, jury.ranking) == (False, [], [])


def test_the_provenance_of_a_laureate_goes_back_from_the_palmares_to_the_rules(published: World) -> None:
    nord_1 = published.project("nord-1")
    found = replay.provenance(published.app, HOST, published.forum_id, nord_1)
    assert found is not None
    assert found.published and found.published.event_type == "Forum.PalmaresPublished"
    [prize] = found.prizes
    assert (prize.key, prize.laureate, prize.departs_from_ranking) == ("laureats", True, False)
    assert prize.decision and prize.decision.event_type == "Forum.LaureatesDesignated"
    assert prize.ranking and prize.ranking.recomputed_identical
    assert prize.ranking.computed.position < prize.decision.position < found.published.position
    assert prize.ranking.method.normalisation == "none" and prize.ranking.method.rules_version == 1
    assert found.row and found.row.rank == 1 and found.row.scored_by == 2
    assert {s.juror_id for s in found.scores} == {published["juror-oise"].person_id, published["juror-somme"].person_id}
    assert all(s.counted for s in found.scores)
    [recusal] = found.recusals
    assert (recusal.juror_id, recusal.kind) == (published["juror-nord"].person_id, "own_organisation")
    assert found.rules_in_force and found.rules_in_force.version == 1
    assert len(found.jurors) == 3


def test_the_provenance_is_as_it_stood_when_the_palmares_was_published(published: World, db: Database) -> None:
    # nothing after the publication changes it (a later event of the same forum is left out)
    found = replay.provenance(published.app, HOST, published.forum_id, published.project("oise-1"))
    assert found and found.as_of and found.published and found.as_of.position == found.published.position
    assert replay.provenance(published.app, HOST, published.forum_id, uuid4()) is None


# ---------------------------------------------------------------------------------------------------------------------
# Signed exports


def export_forum(db: Database, world: World, key: Ed25519PrivateKey, path: Path) -> Path:
    async def work(pool: Any) -> None:
        with path.open("wb") as out:
            async for line in audit_trail.export_lines(pool, forum_scope(world), key, names_for=names_for(db)):
                out.write(line)

    with_pool(db, work)
    return path


def test_a_forums_signed_export_verifies_offline_and_every_tampering_is_named(
    published: World, db: Database, tmp_path: Path
) -> None:
    audit.anchor(db, "test")
    key = Ed25519PrivateKey.generate()
    path = export_forum(db, published, key, tmp_path / "forum.jsonl")
    report = audit_trail.verify_export(path, key.public_key())
    assert report.ok, report.reason
    assert report.events == len(whole(db, forum_scope(published), limit=200))
    assert report.anchors_matched >= 1  # Somme's head is the publication's, anchored
    lines = path.read_bytes().splitlines(keepends=True)

    def variant(name: str, content: bytes) -> Path:
        out = tmp_path / name
        out.write_bytes(content)
        return out

    # a payload edited (and the signature's digest not redone): refused, never a crash
    event_index = next(i for i, line in enumerate(lines) if b'"kind":"event"' in line)
    edited = json.loads(lines[event_index])
    state = bytearray(base64.b64decode(edited["state"]))
    state[-1] ^= 1
    edited["state"] = base64.b64encode(bytes(state)).decode()
    tampered = b"".join([*lines[:event_index], json.dumps(edited).encode() + b"\n", *lines[event_index + 1 :]])
    assert "signature invalide" in audit_trail.verify_export(variant("edited.jsonl", tampered), key.public_key()).reason
    # the same edit re-signed by another key: the signature is refused
    other = Ed25519PrivateKey.generate()
    assert not audit_trail.verify_export(path, other.public_key()).ok
    # truncated, empty, or not JSON at all
    assert not audit_trail.verify_export(variant("cut.jsonl", b"".join(lines[:-3])), key.public_key()).ok
    assert audit_trail.verify_export(variant("empty.jsonl", b""), key.public_key()).reason == "export vide"
    assert not audit_trail.verify_export(variant("junk.jsonl", b"\x00\xff{not json\n"), key.public_key()).ok
    assert not audit_trail.verify_export(tmp_path / "missing.jsonl", key.public_key()).ok


def test_an_export_whose_events_were_rewritten_and_re_signed_fails_on_its_links(
    published: World, db: Database, tmp_path: Path
) -> None:
    # someone with the key rewrites an event's payload and signs again: the chain link no longer fits
    key = Ed25519PrivateKey.generate()
    path = export_forum(db, published, key, tmp_path / "forum.jsonl")
    lines = path.read_bytes().splitlines(keepends=True)[:-1]
    index = next(i for i, line in enumerate(lines) if b"ScoreRecorded" in line)
    item = json.loads(lines[index])
    state = bytearray(base64.b64decode(item["state"]))
    state[-1] ^= 1
    item["state"] = base64.b64encode(bytes(state)).decode()
    lines[index] = json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    import hashlib

    from forum.audit import signed_message

    digest = hashlib.sha256(b"".join(lines)).digest()
    signature = audit.ExportSignature("ed25519", digest.hex(), key.sign(signed_message(digest)), "")
    import msgspec

    resigned = tmp_path / "resigned.jsonl"
    resigned.write_bytes(b"".join(lines) + msgspec.json.encode(signature) + b"\n")
    report = audit_trail.verify_export(resigned, key.public_key())
    assert not report.ok and "chaîne rompue" in report.reason


def test_the_offline_check_runs_from_the_command_line_for_both_kinds_of_export(
    published: World, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = Ed25519PrivateKey.generate()
    path = export_forum(db, published, key, tmp_path / "forum.jsonl")
    public = audit.public_key_text(key)
    assert audit_trail.main(["verify-export", str(path), "--public-key", public]) == 0
    assert "export vérifié" in capsys.readouterr().out
    organisation = tmp_path / "somme.jsonl"
    audit.export(db, "somme", organisation, key)
    assert audit_trail.main(["verify-export", str(organisation), "--public-key", public]) == 0


def test_the_provenance_of_a_prize_by_vote_and_of_a_ranked_national_prize(app: ForumApplication, db: Database) -> None:
    # given the Prix Impulsions 2019 as it ran: a national jury (two ranked laureates) and a vote of the académies
    from forum.entrypoints.demo.impulsions_2019 import load_impulsions_2019
    from forum.services import Services
    from forum.settings import Settings

    services = Services(settings=Settings(environment="test"), db=db, app=app)
    loaded = load_impulsions_2019(app, services.people)
    host, forum_id = loaded["host"], UUID(loaded["forum_id"])
    forum = replay.fold(replay.history(app, host, forum_id))
    assert forum is not None and forum.palmares is not None
    by_vote = forum.palmares.prize("prix_des_academies").laureates[0].project_id
    national = forum.palmares.prize("prix_national").laureates[1].project_id
    # when their provenance is asked
    voted = replay.provenance(app, host, forum_id, by_vote)
    ranked = replay.provenance(app, host, forum_id, national)
    # then the vote's count explains the first, the jury's designation the second (its place included)
    assert voted is not None and ranked is not None
    prize = next(p for p in voted.prizes if p.key == "prix_des_academies")
    assert prize.laureate and prize.vote and prize.vote.ballots == 15 and prize.ranking is None
    assert prize.vote.tallies[0]["votes"] == 6 and prize.decision and prize.decision.event_type == "Forum.VotesCounted"
    national_prize = next(p for p in ranked.prizes if p.key == "prix_national")
    # the national jury deliberated without scoring (as in 2019): its designation and its reasons are the record
    assert national_prize.rank == 2 and national_prize.ranking is None and ranked.row is None and ranked.scores == []
    assert national_prize.decision and national_prize.decision.event_type == "Forum.LaureatesDesignated"
    assert "deux critères" in national_prize.rationale
    assert ranked.rules_in_force and ranked.jurors
