"""Tamper evidence: the hash chain written with the events, its anchors, verification, and signed exports."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import ConcurrentChange
from domain.organisation import Organisation
from domain.values import Meta
from forum import audit
from forum.access import Actor
from forum.application import ForumApplication
from forum.database import APP_ROLE, READER_ROLE, Database
from forum.entrypoints.bootstrap import MIGRATIONS, migrate
from forum.tenancy import store_of
from tests.conftest import command_id

META = Meta(
    actor="system",
    role="admin",
    organisation="nord",
    actor_organisation="platform",
    at=datetime(2019, 11, 28, 9, 0, tzinfo=UTC),
    command_id="c1",
    correlation_id="c1",
)

# -- helpers ---------------------------------------------------------------------------------------------------


def rows(db: Database, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with db.connect(autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def tamper(db: Database, *statements: str) -> None:
    """What an attacker with the owner's password does: switch the triggers off, then rewrite with SQL."""
    with db.connect() as conn:
        conn.execute("SET session_replication_role = replica")
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def edit_state(position: int, old: str, new: str) -> str:
    """SQL replacing ``old`` by ``new`` (as long) inside the stored payload at ``position``."""
    assert len(old) == len(new)
    return (
        f"UPDATE store.forum_events SET state = overlay(state PLACING '{new}'::bytea"
        f" FROM position('{old}'::bytea IN state) FOR {len(old)}) WHERE notification_id = {position}"
    )


def given_two_interleaved_histories(app: ForumApplication, admin: Actor) -> None:
    """nord: positions 1, 3, 4, 6; oise: positions 2, 5."""
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    app.register_organisation(admin, command_id(), slug="oise", name="Oise", kind="departement")
    app.rename_organisation(admin, command_id(), slug="nord", name="Département du Nord")
    app.rename_organisation(admin, command_id(), slug="nord", name="Conseil départemental du Nord")
    app.rename_organisation(admin, command_id(), slug="oise", name="Département de l'Oise")
    app.rename_organisation(admin, command_id(), slug="nord", name="Nord (59)")


def report_of(db: Database, organisation: str) -> audit.ChainReport:
    [report] = audit.verify(db, organisation)
    return report


def first_break(db: Database, organisation: str) -> tuple[int, str]:
    report = report_of(db, organisation)
    assert report.first_break is not None, report
    return report.first_break.position, report.first_break.kind


def recompute(db: Database, organisation: str) -> list[tuple[int, bytes]]:
    """The chain computed here from the raw rows, independently of forum.audit's streaming."""
    link, links = audit.GENESIS, []
    for position, originator_id, version, topic, state, recorded_at in rows(
        db,
        "SELECT notification_id, originator_id, originator_version, topic, state, recorded_at"
        " FROM store.forum_events WHERE organisation = %s ORDER BY notification_id",
        organisation,
    ):
        canonical = audit.canonical_row(
            organisation,
            position,
            originator_id=originator_id,
            originator_version=version,
            topic=topic,
            state=state,
            recorded_at=recorded_at,
        )
        link = audit.chain_link(link, canonical)
        links.append((position, link))
    return links


# -- the chain is written with the events ----------------------------------------------------------------------


def test_each_event_is_chained_in_log_order_within_its_organisation(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    # given two organisations whose histories interleave in the one log
    given_two_interleaved_histories(app, admin)
    # then every event has its link, computed over its own organisation's previous link only
    stored = rows(db, "SELECT organisation, position, link FROM store.chain ORDER BY position")
    assert [(o, p) for o, p, _ in stored] == [
        ("nord", 1),
        ("oise", 2),
        ("nord", 3),
        ("nord", 4),
        ("oise", 5),
        ("nord", 6),
    ]
    for organisation in ("nord", "oise"):
        assert recompute(db, organisation) == [(p, bytes(link)) for o, p, link in stored if o == organisation]
    # and the database's SQL and the verifier's Python agree byte for byte
    nord, oise = audit.verify(db)
    assert (nord.organisation, nord.ok, nord.events, nord.head_position) == ("nord", True, 4, 6)
    assert (oise.organisation, oise.ok, oise.events, oise.head_position) == ("oise", True, 2, 5)
    assert nord.head == bytes(stored[-1][2])


def test_no_committed_event_is_ever_without_its_link_even_with_concurrent_writers(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    for slug in ("nord", "oise", "somme"):
        app.register_organisation(admin, command_id(), slug=slug, name=slug.title(), kind="departement")
    unchained: list[int] = []

    def writer(slug: str, number: int) -> None:
        for n in range(15):
            while True:
                try:
                    app.rename_organisation(admin, command_id(), slug=slug, name=f"{slug.title()} {number}.{n}")
                    break
                except ConcurrentChange:
                    continue  # two writers on one aggregate: the second reloads and tries again

    def watcher() -> None:
        # a reader polling while the writers commit never sees an event without its link
        for _ in range(40):
            unchained.extend(
                row[0]
                for row in rows(
                    db,
                    "SELECT e.notification_id FROM store.forum_events e LEFT JOIN store.chain c"
                    " ON c.organisation = e.organisation AND c.position = e.notification_id WHERE c.link IS NULL",
                )
            )

    threads = [
        threading.Thread(target=writer, args=(slug, number))
        for number, slug in enumerate(("nord", "oise", "somme", "nord"))
    ]
    threads.append(threading.Thread(target=watcher))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert unchained == []
    assert rows(db, "SELECT count(*) FROM store.chain") == rows(db, "SELECT count(*) FROM store.forum_events")
    assert rows(db, "SELECT count(*) FROM store.forum_events") == [(63,)]
    assert all(report.ok for report in audit.verify(db))


def test_the_service_can_neither_write_nor_change_a_link(app: ForumApplication, admin: Actor, db: Database) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    with db.connect() as conn:
        conn.execute(f"SET ROLE {APP_ROLE}")
        conn.execute("SELECT set_config('forum.organisation', 'nord', true)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO store.chain VALUES ('nord', 99, sha256('x'))")
    for statement in ("UPDATE store.chain SET link = sha256('x')", "DELETE FROM store.chain", "TRUNCATE store.chain"):
        # even the owner, unless it switches the triggers off first
        with db.connect() as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(statement)  # type: ignore[arg-type]
    assert rows(db, "SELECT count(*) FROM store.chain") == [(1,)]


def test_an_organisation_reads_only_its_own_links(app: ForumApplication, admin: Actor, db: Database) -> None:
    given_two_interleaved_histories(app, admin)
    with db.connect() as conn:
        conn.execute(f"SET ROLE {APP_ROLE}")
        conn.execute("SELECT set_config('forum.organisation', 'oise', true)")
        assert conn.execute("SELECT organisation, position FROM store.chain ORDER BY position").fetchall() == [
            ("oise", 2),
            ("oise", 5),
        ]
    with db.connect() as conn:
        conn.execute(f"SET ROLE {READER_ROLE}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM store.chain")


def test_an_event_that_would_be_chained_out_of_log_order_is_refused(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    # given a position left free in the log (a rolled-back transaction does that) and a later event of nord
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    [(free,)] = rows(db, "SELECT nextval('store.forum_events_notification_id_seq')")
    app.rename_organisation(admin, command_id(), slug="nord", name="Département du Nord")
    # when a writer that bypassed the recorder's lock inserts an event of nord at the free position
    with db.connect() as conn, pytest.raises(psycopg.errors.SerializationFailure, match="chained after"):
        conn.execute(
            "INSERT INTO store.forum_events (originator_id, originator_version, topic, state, organisation,"
            " notification_id) VALUES (gen_random_uuid(), 1, 't', '\\x00', 'nord', %s)",
            (free,),
        )
    # then the event is refused rather than mis-chained
    assert rows(db, "SELECT count(*) FROM store.forum_events") == [(2,)]
    assert report_of(db, "nord").ok


def test_events_recorded_before_the_chain_existed_are_chained_by_its_migration(
    server: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uuid

    import forum.database

    name = f"forum_test_{uuid.uuid4().hex[:12]}"
    with server.connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = server.with_dbname(name)
    try:
        # given a store migrated up to, but not including, the chain, with events in it
        every = forum.database.migrations(MIGRATIONS)
        monkeypatch.setattr(
            forum.database, "migrations", lambda dirs: [m for m in every if m[0] != "store/0003_audit_chain"]
        )
        migrate(db)
        application = ForumApplication(db, pool_size=1)
        try:
            given_two_interleaved_histories(application, admin)
            assert rows(db, "SELECT to_regclass('store.chain')") == [(None,)]
            # when the chain's migration runs
            monkeypatch.setattr(forum.database, "migrations", lambda dirs: every)
            migrate(db)
            # then the past is chained, and what comes next follows it
            application.rename_organisation(admin, command_id(), slug="oise", name="Oise (60)")
        finally:
            application.close()
        reports = audit.verify(db)
        assert [(r.organisation, r.ok, r.events) for r in reports] == [("nord", True, 4), ("oise", True, 3)]
    finally:
        with server.connect(autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- each tampering is caught at the right position ------------------------------------------------------------


def test_an_edited_payload_is_caught_at_its_position(app: ForumApplication, admin: Actor, db: Database) -> None:
    given_two_interleaved_histories(app, admin)
    # when an attacker rewrites the name in nord's event at position 4
    tamper(db, edit_state(4, "Conseil", "Comites"))
    assert rows(db, "SELECT count(*) FROM store.forum_events WHERE position('Comites'::bytea IN state) > 0") == [(1,)]
    # then verification points at position 4, and oise is untouched
    assert first_break(db, "nord") == (4, "altered")
    assert report_of(db, "oise").ok


def test_a_deleted_event_is_caught_at_its_position(app: ForumApplication, admin: Actor, db: Database) -> None:
    given_two_interleaved_histories(app, admin)
    tamper(db, "DELETE FROM store.forum_events WHERE notification_id = 3")
    assert first_break(db, "nord") == (3, "missing")


def test_a_deleted_event_with_its_link_is_caught_at_the_next_position(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    given_two_interleaved_histories(app, admin)
    tamper(db, "DELETE FROM store.forum_events WHERE notification_id = 3", "DELETE FROM store.chain WHERE position = 3")
    # nord's next event (4) was chained on top of the one deleted
    assert first_break(db, "nord") == (4, "altered")


def test_an_inserted_event_is_caught_at_its_position(app: ForumApplication, admin: Actor, db: Database) -> None:
    # given nord's history with a free position in the middle (from a rolled-back transaction)
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    [(free,)] = rows(db, "SELECT nextval('store.forum_events_notification_id_seq')")
    app.rename_organisation(admin, command_id(), slug="nord", name="Département du Nord")
    # when an attacker slips an event (a copy of the first, renamed) into the free position
    tamper(
        db,
        "INSERT INTO store.forum_events (originator_id, originator_version, topic, state, organisation,"
        f" notification_id) SELECT gen_random_uuid(), 1, topic, state, 'nord', {free}"
        " FROM store.forum_events WHERE notification_id = 1",
    )
    assert first_break(db, "nord") == (free, "unchained")


def test_an_inserted_event_with_a_forged_link_is_caught_at_the_next_position(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    [(free,)] = rows(db, "SELECT nextval('store.forum_events_notification_id_seq')")
    app.rename_organisation(admin, command_id(), slug="nord", name="Département du Nord")
    # the attacker even computes a correct link for the inserted event
    tamper(
        db,
        "INSERT INTO store.forum_events (originator_id, originator_version, topic, state, organisation,"
        f" notification_id) SELECT gen_random_uuid(), 1, topic, state, 'nord', {free}"
        " FROM store.forum_events WHERE notification_id = 1",
        "INSERT INTO store.chain SELECT 'nord', e.notification_id, sha256(c.link || store.canonical_event("
        " e.organisation, e.notification_id, e.originator_id, e.originator_version, e.topic, e.state,"
        f" e.recorded_at)) FROM store.forum_events e, store.chain c WHERE e.notification_id = {free}"
        " AND c.position = 1",
    )
    # the link of the event after it no longer follows
    assert first_break(db, "nord") == (free + 1, "altered")


def test_two_swapped_events_are_caught_at_the_first_of_them(app: ForumApplication, admin: Actor, db: Database) -> None:
    given_two_interleaved_histories(app, admin)
    # when an attacker swaps the contents of nord's events at positions 3 and 6
    tamper(
        db,
        "UPDATE store.forum_events SET state = CASE notification_id WHEN 3 THEN"
        " (SELECT state FROM store.forum_events WHERE notification_id = 6) ELSE"
        " (SELECT state FROM store.forum_events WHERE notification_id = 3) END WHERE notification_id IN (3, 6)",
    )
    assert first_break(db, "nord") == (3, "altered")
    assert report_of(db, "oise").ok


def test_two_events_swapped_in_the_log_are_caught_at_the_first_of_them(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    given_two_interleaved_histories(app, admin)
    tamper(
        db,
        "UPDATE store.forum_events SET notification_id = -notification_id WHERE notification_id IN (4, 6)",
        "UPDATE store.forum_events SET notification_id = CASE notification_id WHEN -4 THEN 6 ELSE 4 END"
        " WHERE notification_id IN (-4, -6)",
    )
    assert first_break(db, "nord") == (4, "altered")


def given_a_long_history(app: ForumApplication, admin: Actor, renames: int) -> None:
    """nord registered, then renamed ``renames`` times, saved 500 events per transaction."""
    app.register_organisation(admin, command_id(), slug="nord", name="Nord", kind="departement")
    organisation = app.load(Organisation, Organisation.id_for("nord"), "nord")
    for n in range(renames):
        organisation.rename(name=f"Département du Nord, version {n}", meta=META)
        if (n + 1) % 500 == 0 or n + 1 == renames:
            with store_of("nord"):
                app.save(organisation)


def test_a_long_history_streamed_in_many_pieces_is_verified_and_an_edit_deep_inside_found(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    given_a_long_history(app, admin, renames=3000)
    report = report_of(db, "nord")
    assert (report.ok, report.events, report.head_position) == (True, 3001, 3001)
    tamper(db, edit_state(2345, "version", "VERSION"))
    assert first_break(db, "nord") == (2345, "altered")


def test_the_stream_is_split_into_rows_whatever_the_size_of_the_pieces_it_arrives_in(
    app: ForumApplication, admin: Actor, db: Database
) -> None:

    given_a_long_history(app, admin, renames=40)
    audit.anchor(db, "publication du palmarès")
    tamper(db, edit_state(17, "version", "VERSION"))

    async def received() -> bytes:
        conn = await audit._connect(db)
        pieces: list[bytes] = []

        async def keep(piece: bytes) -> None:
            pieces.append(piece)

        try:
            await conn.copy_from_query(audit._STREAM, "nord", output=keep, format="binary")
        finally:
            await conn.close()
        return b"".join(pieces)

    whole = audit._run(received())
    anchored = audit.anchor(db, "après coup")

    async def split(size: int) -> tuple[Any, ...]:
        report = audit.ChainReport("nord")
        stream = audit._ChainStream("nord", audit._AnchorCheck(anchored, report), None)
        for start in range(0, len(whole), size):
            await stream(whole[start : start + size])
        assert stream.finished
        assert stream.pending == b""
        return (stream.events, stream.last, stream.first_break, report.anchors_checked, report.anchor_breaks)

    found = [audit._run(split(size)) for size in (1, 2, 7, 64, 1000, len(whole))]
    # the head anchored after the edit kept the stored links, which the recomputed chain contradicts
    assert found == [(41, 41, audit.Break(17, "altered", audit.REASONS["altered"]), 1, 1)] * 6


# -- anchors ---------------------------------------------------------------------------------------------------


def test_anchors_record_every_head_and_periodic_ones_only_heads_that_moved(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    given_two_interleaved_histories(app, admin)
    first = audit.anchor(db, audit.PERIODIC)
    assert [(a.organisation, a.position) for a in first] == [("nord", 6), ("oise", 5)]
    assert first[0].head == report_of(db, "nord").head.hex()  # type: ignore[union-attr]
    # nothing moved: a periodic anchor records nothing
    assert audit.anchor(db, audit.PERIODIC) == []
    # oise moves: only its head is anchored
    app.rename_organisation(admin, command_id(), slug="oise", name="Oise (60)")
    assert [(a.organisation, a.position) for a in audit.anchor(db, audit.PERIODIC)] == [("oise", 7)]
    # a publication anchors its organisation's head even when it is already anchored
    published = audit.anchor(db, "publication du palmarès", organisation="oise")
    assert [(a.organisation, a.position, a.reason) for a in published] == [("oise", 7, "publication du palmarès")]
    # the anchors are public: the read models' role reads them, nobody rewrites them
    with db.connect() as conn:
        conn.execute(f"SET ROLE {READER_ROLE}")
        assert conn.execute("SELECT count(*) FROM store.anchors").fetchone() == (4,)
    with db.connect() as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        conn.execute("DELETE FROM store.anchors")
    assert all(r.ok and r.anchors_checked == {"nord": 1, "oise": 3}[r.organisation] for r in audit.verify(db))


def test_the_periodic_anchorer_anchors_moved_heads_until_stopped_and_public_pages_can_list_them(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    import asyncio

    import asyncpg

    given_two_interleaved_histories(app, admin)

    async def scenario() -> list[audit.Anchor]:
        writer = await asyncpg.connect(**db.asyncpg_kwargs(), server_settings={"role": APP_ROLE})
        reader = await asyncpg.connect(**db.asyncpg_kwargs(), server_settings={"role": READER_ROLE})
        try:
            stop = asyncio.Event()
            task = asyncio.create_task(audit.anchor_periodically(writer, stop, every=0.05))
            await asyncio.sleep(0.2)  # a few periods: the heads have not moved, so they are anchored once
            stop.set()
            await asyncio.wait_for(task, timeout=5)
            return await audit.list_anchors(reader, "nord")
        finally:
            await writer.close()
            await reader.close()

    listed = audit._run(scenario())
    assert [(a.organisation, a.position, a.reason) for a in listed] == [("nord", 6, audit.PERIODIC)]
    assert rows(db, "SELECT count(*) FROM store.anchors") == [(2,)]


def test_a_rewrite_that_recomputes_every_link_contradicts_the_anchored_head(
    app: ForumApplication, admin: Actor, db: Database
) -> None:
    given_two_interleaved_histories(app, admin)
    audit.anchor(db, "publication du palmarès")
    # when an attacker edits nord's event at position 3 and recomputes every later link of nord
    tamper(
        db,
        edit_state(3, "partement", "PARTEMENT"),
        "DELETE FROM store.chain WHERE organisation = 'nord' AND position >= 3",
    )
    for position, recomputed in recompute(db, "nord"):
        if position >= 3:
            tamper(db, f"INSERT INTO store.chain VALUES ('nord', {position}, '\\x{recomputed.hex()}')")
    # then the chain alone looks sound, but the head anchored at publication (position 6) contradicts it
    report = report_of(db, "nord")
    assert report.first_break is None
    assert report.first_anchor_break is not None
    assert (report.first_anchor_break.position, report.first_anchor_break.kind) == (6, "anchor_mismatch")
    assert "publication du palmarès" in report.first_anchor_break.reason


def test_a_truncated_tail_contradicts_the_anchor_beyond_it(app: ForumApplication, admin: Actor, db: Database) -> None:
    given_two_interleaved_histories(app, admin)
    audit.anchor(db, audit.PERIODIC)
    # the last event of nord and its link disappear: what is left is a well-formed chain
    tamper(db, "DELETE FROM store.forum_events WHERE notification_id = 6", "DELETE FROM store.chain WHERE position = 6")
    report = report_of(db, "nord")
    assert report.first_break is None
    assert report.first_anchor_break is not None
    assert (report.first_anchor_break.position, report.first_anchor_break.kind) == (6, "anchor_orphan")


# -- the command line ------------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("FORUM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("FORUM_AUDIT_KEY", raising=False)
    return tmp_path


def test_forum_audit_verify_exits_non_zero_and_names_the_first_position(
    app: ForumApplication, admin: Actor, db: Database, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from forum.entrypoints.cli import main

    given_two_interleaved_histories(app, admin)
    assert main(["audit", "verify"]) == 0
    assert "nord" in capsys.readouterr().out
    tamper(db, "DELETE FROM store.forum_events WHERE notification_id = 4")
    assert main(["audit", "verify", "--organisation", "oise"]) == 0
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "position 4" in out
    assert "supprimé" in out


# -- signed exports --------------------------------------------------------------------------------------------


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def exported(db: Database, key: Ed25519PrivateKey, tmp_path: Path, organisation: str = "nord") -> Path:
    path = tmp_path / f"{organisation}.jsonl"
    audit.export(db, organisation, path, key)
    return path


def test_an_export_holds_the_history_its_chain_and_anchors_and_verifies_offline(
    app: ForumApplication, admin: Actor, db: Database, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    given_two_interleaved_histories(app, admin)
    audit.anchor(db, "publication du palmarès")
    path = exported(db, key, tmp_path)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["kind"] for line in lines] == [
        "header",
        "anchor",
        "event",
        "event",
        "event",
        "event",
        "end",
        "signature",
    ]
    header, anchor_line, *events, end, _ = lines
    assert header["organisation"] == "nord"
    assert anchor_line["position"] == 6
    assert anchor_line["reason"] == "publication du palmarès"
    # events with their metadata, payload decoded for people, the stored bytes and the link
    assert [e["position"] for e in events] == [1, 3, 4, 6]
    assert events[2]["payload"]["name"] == "Conseil départemental du Nord"
    assert events[2]["payload"]["meta"]["actor"] == admin.person_id
    assert events[2]["topic"] == "domain.organisation:Organisation.Renamed"
    assert base64.b64decode(events[0]["state"])
    head = report_of(db, "nord").head
    assert head is not None
    assert end == {"kind": "end", "events": 4, "head_position": 6, "head": head.hex()}
    # checked without the database
    report = audit.verify_export(path, key.public_key())
    assert report.ok, report.reason
    assert (report.organisation, report.events, report.head_position, report.head, report.anchors) == (
        "nord",
        4,
        6,
        head.hex(),
        1,
    )


@pytest.fixture
def anchored_export(app: ForumApplication, admin: Actor, db: Database, key: Ed25519PrivateKey, tmp_path: Path) -> Path:
    """nord's export: an anchor at position 6, then events 1, 3, 4, 6 (lines 2 to 5), the end (line 6)."""
    given_two_interleaved_histories(app, admin)
    audit.anchor(db, "publication du palmarès")
    return exported(db, key, tmp_path)


def _rewrite_line(path: Path, index: int, change: Any) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    record = json.loads(lines[index])
    change(record)
    lines[index] = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    path.write_bytes(b"".join(lines))


def _resign(path: Path, key: Ed25519PrivateKey) -> None:
    """What a forger holding the key would do after editing: sign the edited bytes again."""
    import hashlib

    lines = path.read_bytes().splitlines(keepends=True)
    body = b"".join(lines[:-1])
    digest = hashlib.sha256(body).digest()
    signature = {
        "kind": "signature",
        "algorithm": "ed25519",
        "sha256": digest.hex(),
        "signature": base64.b64encode(key.sign(b"forum-audit-export/1\n" + digest)).decode(),
        "public_key": audit.public_key_text(key),
    }
    path.write_bytes(body + json.dumps(signature).encode() + b"\n")


def test_a_tampered_export_fails_on_its_signature(
    app: ForumApplication, admin: Actor, db: Database, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    given_two_interleaved_histories(app, admin)
    path = exported(db, key, tmp_path)
    _rewrite_line(path, 3, lambda r: r["payload"].update(name="Comité du Nord"))
    report = audit.verify_export(path, key.public_key())
    assert not report.ok
    assert "signature invalide" in report.reason


def test_an_export_checked_with_another_key_fails(
    app: ForumApplication, admin: Actor, db: Database, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    given_two_interleaved_histories(app, admin)
    path = exported(db, key, tmp_path)
    report = audit.verify_export(path, Ed25519PrivateKey.generate().public_key())
    assert not report.ok
    assert "pas été signé par cette clé" in report.reason


@pytest.mark.parametrize(
    "case",
    [
        (3, lambda r: r.update(state=base64.b64encode(b"\x80").decode()), "position 3 ne correspond pas"),
        (3, lambda r: r["payload"].update(name="Comité du Nord"), "contenu lisible de la position 3"),
        (3, lambda r: r.update(position=2), "position 2 ne correspond pas"),
        (1, lambda r: r.update(head="0" * 64), "contredit le maillon recalculé à la position 6"),
        (1, lambda r: r.update(position=5), "position 5, absente"),
        (6, lambda r: r.update(events=3), "la fin annonce 3 événements"),
        (
            2,
            lambda r: r.update(recorded_at="2019-11-28T10:00:00"),
            "ligne 3 : l'heure d'enregistrement n'a pas de fuseau",
        ),
        (2, lambda r: r.update(originator_id="pas-un-uuid"), "ligne 3 : illisible"),
        (0, lambda r: r.update(version=2), "v2 inconnu"),
    ],
)
def test_a_resigned_export_is_still_checked_against_its_own_chain(
    anchored_export: Path, key: Ed25519PrivateKey, case: tuple[int, Any, str]
) -> None:
    line, change, expected = case
    path = anchored_export
    # an edit followed by a valid signature (the key holder, or a bug): the rows must still recompute the chain
    _rewrite_line(path, line, change)
    _resign(path, key)
    report = audit.verify_export(path, key.public_key())
    assert not report.ok
    assert expected in report.reason


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "export vide"),
        (b"\x00\xff\xfe garbage\n", "signature absente ou illisible"),
        (b"not json\n{]\n", "signature absente ou illisible"),
        (b'{"kind": "signature"}\n', "signature absente ou illisible"),
        (
            b'[1, 2, 3]\n{"kind":"signature","algorithm":"rsa","sha256":"","signature":"","public_key":""}\n',
            "algorithme de signature 'rsa' inconnu",
        ),
        (
            b'{"kind":"header"}\n{"kind":"signature","algorithm":"ed25519","sha256":"00","signature":"AA==",'
            b'"public_key":""}\n',
            "modifié après la signature",
        ),
    ],
)
def test_a_malformed_export_fails_with_a_reason_and_never_crashes(
    key: Ed25519PrivateKey, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(content)
    report = audit.verify_export(path, key.public_key())
    assert not report.ok
    assert expected in report.reason


def test_a_truncated_export_fails(
    app: ForumApplication, admin: Actor, db: Database, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    given_two_interleaved_histories(app, admin)
    path = exported(db, key, tmp_path)
    content = path.read_bytes()
    for cut in (len(content) // 3, len(content) - 5):
        path.write_bytes(content[:cut])
        report = audit.verify_export(path, key.public_key())
        assert not report.ok
        assert report.reason
    path.write_bytes(b"".join(content.splitlines(keepends=True)[:3]) + content.splitlines(keepends=True)[-1])
    assert not audit.verify_export(path, key.public_key()).ok
    assert not audit.verify_export(tmp_path / "absent.jsonl", key.public_key()).ok


def test_a_broken_history_is_not_exported(
    app: ForumApplication, admin: Actor, db: Database, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    given_two_interleaved_histories(app, admin)
    tamper(db, "DELETE FROM store.forum_events WHERE notification_id = 3")
    with pytest.raises(audit.ChainBroken, match="position 3"):
        exported(db, key, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_exporting_an_unknown_organisation_is_refused(db: Database, key: Ed25519PrivateKey, tmp_path: Path) -> None:
    from domain.errors import NotFound

    with pytest.raises(NotFound):
        exported(db, key, tmp_path, organisation="atlantis")


def test_the_signing_key_is_created_on_first_use_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = audit.signing_key_path(tmp_path / "data")
    assert path == tmp_path / "data" / "audit-ed25519.pem"
    key = audit.load_or_create_signing_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    again = audit.load_or_create_signing_key(path)
    assert audit.public_key_text(again) == audit.public_key_text(key)
    assert audit.signing_key_path(tmp_path, "/etc/forum/key.pem") == Path("/etc/forum/key.pem")


def test_a_public_key_is_read_as_base64_pem_or_a_file(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    text = audit.public_key_text(key)
    pem = audit.public_key_pem(key)
    (tmp_path / "key.pem").write_text(pem, encoding="utf-8")
    (tmp_path / "key.txt").write_text(text + "\n", encoding="utf-8")
    for spec in (text, pem, str(tmp_path / "key.pem"), str(tmp_path / "key.txt")):
        assert audit.public_key_text(audit.load_public_key(spec)) == text
    for bad in ("AAAA", str(tmp_path / "absent.pem"), "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----"):
        with pytest.raises(audit.UnreadableKey):
            audit.load_public_key(bad)


def test_export_and_offline_check_from_the_command_line(
    app: ForumApplication, admin: Actor, db: Database, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from forum.entrypoints.cli import main

    given_two_interleaved_histories(app, admin)
    assert main(["audit", "anchor"]) == 0
    assert main(["audit", "public-key"]) == 0
    public_key = capsys.readouterr().out.strip().splitlines()[-1]
    output = cli_env / "oise.jsonl"
    assert main(["audit", "export", "--organisation", "oise", "--output", str(output)]) == 0
    assert (cli_env / "data" / "audit-ed25519.pem").exists()
    assert main(["audit", "verify-export", str(output), "--public-key", public_key]) == 0
    assert "export vérifié : oise, 2 événements" in capsys.readouterr().out
    # the same check with no database at all: a separate process with nothing configured
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FORUM_DATA_DIR")}
    checked = subprocess.run(
        [sys.executable, "-m", "forum.audit", "verify-export", str(output), "--public-key", public_key],
        capture_output=True,
        text=True,
        cwd=cli_env,
        env=env,
        check=False,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
    assert "export vérifié" in checked.stdout
    assert not (cli_env / ".forum-data").exists()
    # tampered: refused with its reason, exit code 1
    output.write_bytes(output.read_bytes().replace(b"Oise", b"OISE", 1))
    assert main(["audit", "verify-export", str(output), "--public-key", public_key]) == 1
    assert "NON VÉRIFIÉ" in capsys.readouterr().out
