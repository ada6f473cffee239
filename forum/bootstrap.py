"""The composition root: settings → database → migrations → application, and the read side's pools."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from forum.application import Clock, ForumApplication, system_clock
from forum.auth import Auth
from forum.database import APP_ROLE, PROJECTOR_ROLE, READER_ROLE, Database, locate, migrate
from forum.mail import Mailer
from forum.people import People
from forum.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything a process needs, built once, handed down (nothing is built at import time)."""

    settings: Settings
    db: Database
    app: ForumApplication
    extras: dict[str, Any] = field(default_factory=dict)
    auth: Auth = field(init=False)
    mail: Mailer = field(init=False)
    people: People = field(init=False)

    def __post_init__(self) -> None:
        self.auth = Auth(self.app, self.settings)
        self.mail = Mailer(self.app, self.settings)
        self.auth.mailer = self.mail  # unlock links for an account being guessed at
        self.people = People(self.app, self.auth, self.mail, self.settings)

    def close(self) -> None:
        self.app.close()


def bootstrap(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    clock: Clock = system_clock,
    apply_migrations: bool = True,
) -> Services:
    settings = settings or Settings.from_env()
    db = db or locate(settings)
    if apply_migrations:
        migrate(db)
    app = ForumApplication(db, clock=clock, pool_size=settings.pool_size)
    return Services(settings=settings, db=db, app=app)


async def reader_pool(db: Database, *, max_size: int = 8) -> Any:
    from projections.projector import connect_pool

    return await connect_pool(db.asyncpg_kwargs(), role=READER_ROLE, min_size=1, max_size=max_size)


async def auth_pool(db: Database, *, max_size: int = 4) -> Any:
    """The web's pool for resolving sessions and tokens (acts as the write side's role, owns nothing)."""
    from projections.projector import connect_pool

    return await connect_pool(db.asyncpg_kwargs(), role=APP_ROLE, min_size=1, max_size=max_size)


async def projector_pool(db: Database, *, max_size: int = 3) -> Any:
    from projections.projector import connect_pool

    return await connect_pool(db.asyncpg_kwargs(), role=PROJECTOR_ROLE, min_size=1, max_size=max_size)


async def projector(db: Database, **kwargs: Any) -> Any:
    """A projector over every read model, with its own pool."""
    from projections.projector import Projector
    from projections.registry import all_projections

    return Projector(await projector_pool(db), all_projections(), **kwargs)
