"""What a process hands its handlers: the settings, the database, the application and the services built on it."""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field

from forum.application import ForumApplication
from forum.auth import Auth
from forum.database import Database
from forum.mail import Mailer
from forum.people import People
from forum.settings import Settings


@dataclass
class Services:
    """Everything the write side needs, built once by the composition root (``forum.entrypoints.bootstrap``).

    ``mailer`` is passed in (a fake in a test); without one, mail goes to ``store.outbox`` through ``Mailer``.
    """

    settings: Settings
    db: Database
    app: ForumApplication
    mailer: InitVar[Mailer | None] = None
    mail: Mailer = field(init=False)
    auth: Auth = field(init=False)
    people: People = field(init=False)

    def __post_init__(self, mailer: Mailer | None) -> None:
        self.mail = mailer if mailer is not None else Mailer(self.app, self.settings)
        self.auth = Auth(self.app, self.settings)
        self.auth.mailer = self.mail  # unlock links for an account being guessed at
        self.people = People(self.app, self.auth, self.mail, self.settings)

    def close(self) -> None:
        self.app.close()
