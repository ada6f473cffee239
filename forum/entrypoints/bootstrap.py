"""The composition root: settings → database → migrations → application → mailer → services, and the
factories of the asyncpg pools and the projector that the web app opens in its own event loop."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from forum import database
from forum.application import Clock, ForumApplication, system_clock
from forum.database import APP_ROLE, PROJECTOR_ROLE, READER_ROLE, STORE_MIGRATIONS, Database, locate
from forum.mail import Mailer
from forum.services import Services
from forum.settings import Settings
from projections import schema
from projections.projector import Projector, connect_pool
from projections.registry import all_projections

if TYPE_CHECKING:
    from web.app import Resources

log = logging.getLogger(__name__)

MIGRATIONS: database.MigrationDirs = (STORE_MIGRATIONS, schema.MIGRATIONS)  # the store first, then the read side


def migrate(db: Database) -> list[str]:
    """Every package's migrations not yet applied; returns the ids applied now."""
    return database.migrate(db, MIGRATIONS)


def bootstrap(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    clock: Clock = system_clock,
    mailer: Mailer | None = None,
    apply_migrations: bool = True,
) -> Services:
    """The write side of a process, built once; ``mailer`` replaces the outbox's (a fake, in a test)."""
    settings = settings or Settings.from_env()
    db = db or locate(settings)
    if apply_migrations:
        migrate(db)
    app = ForumApplication(db, clock=clock, pool_size=settings.pool_size)
    if backfilled := app.backfill_who_acts():  # people and forum roles stored before migration 0005: once
        log.info("who acts rebuilt from the events of %d people and forums", backfilled)
    return Services(settings=settings, db=db, app=app, mailer=mailer)  # without one, Services writes to the outbox


async def reader_pool(db: Database, *, max_size: int = 8) -> Any:
    """The web's pool for the read models."""
    return await connect_pool(db.asyncpg_kwargs(), role=READER_ROLE, min_size=1, max_size=max_size)


async def auth_pool(db: Database, *, max_size: int = 4) -> Any:
    """The web's pool for resolving sessions and tokens (acts as the write side's role, owns nothing)."""
    return await connect_pool(db.asyncpg_kwargs(), role=APP_ROLE, min_size=1, max_size=max_size)


async def projector_pool(db: Database, *, max_size: int = 3) -> Any:
    return await connect_pool(db.asyncpg_kwargs(), role=PROJECTOR_ROLE, min_size=1, max_size=max_size)


async def projector(db: Database, **kwargs: Any) -> Projector:
    """A projector over every read model, with its own pool."""
    return Projector(await projector_pool(db), all_projections(), **kwargs)


def resources(db: Database) -> Resources:
    """What the web app opens at start-up and closes at shut-down, over ``db``."""
    from web.app import Resources  # the web's modules load only for the commands that serve

    return Resources(
        reader=lambda: reader_pool(db),
        auth_pool=lambda: auth_pool(db),
        projector=lambda: projector(db),
    )
