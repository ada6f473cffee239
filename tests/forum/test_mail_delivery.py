"""Mail queued in the outbox (by the projector's notifications) is delivered by SMTP once SMTP_URL is set."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from forum.application import ForumApplication
from forum.mail import Mailer
from forum.settings import Settings


class TinySmtp:
    """A minimal SMTP server on loopback that records what it is sent (enough for smtplib's dialogue)."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        self.messages: list[str] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn, conn.makefile("rwb") as stream:
                stream.write(b"220 tiny ready\r\n")
                stream.flush()
                data: list[str] = []
                in_data = False
                for raw in stream:
                    line = raw.decode().rstrip("\r\n")
                    if in_data:
                        if line == ".":
                            in_data = False
                            self.messages.append("\n".join(data))
                            data = []
                            stream.write(b"250 queued\r\n")
                        else:
                            data.append(line)
                    elif line.upper().startswith("DATA"):
                        in_data = True
                        stream.write(b"354 go on\r\n")
                    elif line.upper().startswith("QUIT"):
                        stream.write(b"221 bye\r\n")
                        stream.flush()
                        break
                    elif line.upper().startswith("EHLO"):
                        stream.write(b"250 tiny\r\n")
                    else:
                        stream.write(b"250 ok\r\n")
                    stream.flush()

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def smtp() -> Iterator[TinySmtp]:
    server = TinySmtp()
    yield server
    server.close()


def queue(app: ForumApplication, body: str) -> None:
    """A message as the projector queues it: written to the outbox, not sent."""
    with app.store.datastore.transaction(commit=True) as curs:
        curs.execute(
            "INSERT INTO store.outbox (organisation, recipient, subject, body, created_at) VALUES (%s, %s, %s, %s, %s)",
            ("nord", "agent@nord.fr", "Votre projet est sélectionné", body, app.clock()),
        )


def test_pending_mail_is_delivered_once_with_absolute_links(app: ForumApplication, smtp: TinySmtp) -> None:
    settings = replace(
        Settings(environment="test"), smtp_url=f"smtp://127.0.0.1:{smtp.port}", public_url="https://forum.example.org"
    )
    mailer = Mailer(app, settings)
    queue(app, "Bonne nouvelle.\n/projets/nord/42")
    # when pending mail is delivered twice
    assert mailer.deliver_pending() == 1
    assert mailer.deliver_pending() == 0
    # then it was sent once, its link made absolute, and the outbox says so
    [message] = smtp.messages
    assert "https://forum.example.org/projets/nord/42" in message
    [mail] = mailer.outbox()
    assert mail.sent_at is not None and mail.error is None


def test_without_smtp_nothing_is_sent_and_mail_stays_pending(app: ForumApplication) -> None:
    mailer = Mailer(app, Settings(environment="test"))
    queue(app, "Bonne nouvelle.")
    assert mailer.deliver_pending() == 0
    assert mailer.outbox()[0].sent_at is None
