"""The command pipeline: a target naming no possible organisation is not found, and nothing is recorded."""

from __future__ import annotations

import uuid

import pytest

from domain.errors import NotFound
from forum import pipeline
from forum.access import Actor
from forum.application import ForumApplication
from forum.database import Database
from forum.forums import ForumRef
from forum.jury import ComputeRanking
from forum.projects import DecideProject, SubmissionRef
from tests.conftest import command_id


def recorded(db: Database) -> tuple[int, int]:
    with db.connect() as conn:
        events = conn.execute("SELECT count(*) FROM store.forum_events").fetchone()
        commands = conn.execute("SELECT count(*) FROM store.commands").fetchone()
    return (events[0] if events else 0, commands[0] if commands else 0)


@pytest.mark.parametrize("store", ["", "x", "Not A Slug", "-"])
def test_a_target_naming_no_possible_organisation_is_not_found_and_records_nothing(
    app: ForumApplication, admin: Actor, db: Database, store: str
) -> None:
    before = recorded(db)
    # a forum whose host is no organisation (a URL's host, a body's organisation)
    with pytest.raises(NotFound):
        pipeline.run(app, admin, ComputeRanking(command_id=command_id()), ForumRef(store, uuid.uuid4()))
    # a submitted project of no organisation (the body of an organisers' decision)
    decision = DecideProject(command_id=command_id(), outcome="selected", reason="")
    with pytest.raises(NotFound):
        pipeline.run(app, admin, decision, SubmissionRef("nord", uuid.uuid4(), store, uuid.uuid4()))
    assert recorded(db) == before
