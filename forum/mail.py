"""Outgoing mail: every message is written to the outbox, then sent through SMTP when ``SMTP_URL`` is set."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import unquote, urlparse

from forum.application import ForumApplication
from forum.settings import Settings

log = logging.getLogger("forum.mail")


@dataclass(frozen=True)
class Mail:
    id: int
    organisation: str
    recipient: str
    subject: str
    body: str
    created_at: datetime
    sent_at: datetime | None
    error: str | None


class Mailer:
    """Writes each message to ``store.outbox``; sends it by SMTP if configured, logs it in development."""

    def __init__(self, app: ForumApplication, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def send(self, *, to: str, subject: str, body: str, organisation: str) -> int:
        now = self.app.clock()
        with self.app.store.datastore.transaction(commit=True) as curs:
            curs.execute(
                "INSERT INTO store.outbox (organisation, recipient, subject, body, created_at)"
                " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (organisation, to, subject, body, now),
            )
            row = curs.fetchone()
        mail_id: int = row["id"] if row else 0
        if self.settings.smtp_url:
            self._deliver(mail_id, to, subject, body, now)
        elif self.settings.development:
            log.info("courriel (non envoyé, pas de SMTP_URL) à %s — %s\n%s", to, subject, body)
        return mail_id

    def _deliver(self, mail_id: int, to: str, subject: str, body: str, now: datetime) -> None:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid(domain="forum.local")
        message.set_content(body)
        error: str | None = None
        try:
            send_by_smtp(self.settings.smtp_url or "", message)
        except (OSError, smtplib.SMTPException) as failure:
            error = f"{type(failure).__name__}: {failure}"
            log.warning("courriel %s à %s non envoyé : %s", mail_id, to, error)
        with self.app.store.datastore.transaction(commit=True) as curs:
            curs.execute(
                "UPDATE store.outbox SET sent_at = %s, error = %s WHERE id = %s",
                (None if error else self.app.clock(), error, mail_id),
            )

    def deliver_pending(self, *, limit: int = 100) -> int:
        """Send, through SMTP, the outbox messages not sent yet (those queued by the projector's notifications,
        and earlier failures); returns how many were attempted. Without ``SMTP_URL`` it does nothing."""
        if not self.settings.smtp_url:
            return 0
        with self.app.store.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT id, recipient, subject, body FROM store.outbox WHERE sent_at IS NULL ORDER BY id LIMIT %s",
                (limit,),
            )
            pending: list[Any] = curs.fetchall()
        for row in pending:
            self._deliver(row["id"], row["recipient"], row["subject"], self._absolute(row["body"]), self.app.clock())
        return len(pending)

    def _absolute(self, body: str) -> str:
        """Links queued by the projector are paths (it does not know the public address): make them absolute."""
        base = self.settings.base_url.rstrip("/")
        return "\n".join(base + line if line.startswith("/") else line for line in body.split("\n"))

    def outbox(self, *, limit: int = 20, recipient: str | None = None) -> list[Mail]:
        """The latest messages, newest first (all organisations: this is the operator's view)."""
        with self.app.store.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT id, organisation, recipient, subject, body, created_at, sent_at, error FROM store.outbox"
                " WHERE %s::text IS NULL OR recipient = lower(%s) ORDER BY id DESC LIMIT %s",
                (recipient, recipient, limit),
            )
            rows: list[Any] = curs.fetchall()
        return [Mail(**row) for row in rows]


def send_by_smtp(url: str, message: EmailMessage) -> None:
    """``smtp://user:pass@host:25``, ``smtp+starttls://…:587`` or ``smtps://…:465``."""
    parts = urlparse(url)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=15, context=ssl.create_default_context()
        )
    elif parts.scheme in ("smtp", "smtp+starttls"):
        client = smtplib.SMTP(host, parts.port or (587 if parts.scheme == "smtp+starttls" else 25), timeout=15)
    else:
        raise smtplib.SMTPException(f"SMTP_URL: schéma inconnu {parts.scheme!r} (smtp, smtp+starttls ou smtps)")
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
