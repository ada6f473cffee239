"""Settings, read from the environment once and handed down from the composition root."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    data_dir: Path = Path(".forum-data")
    host: str = "127.0.0.1"
    port: int = 8000
    environment: str = "development"  # development | production | test
    secret_key: str = "dev-only-secret-key-change-me-in-production-0123456789"  # noqa: S105  # development only
    smtp_url: str | None = None
    mail_from: str = "Forum <ne-pas-repondre@forum.local>"
    admin_email: str = "admin@forum.local"  # the development administrator created at start
    admin_password: str | None = None  # FORUM_ADMIN_PASSWORD: that administrator's password (development)
    link_days: int = 7  # invitation and password-reset links expire after this many days
    pool_size: int = 4
    projector_in_process: bool = True
    public_url: str = ""
    audit_key: str | None = None  # FORUM_AUDIT_KEY: the PEM file of the Ed25519 key signing audit exports
    anchor_every: float = 300.0  # FORUM_ANCHOR_EVERY: seconds between periodic anchors of chain heads (0: never)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def development(self) -> bool:
        return self.environment != "production"

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(env.get("FORUM_DATA_DIR", ".forum-data")),
            host=env.get("FORUM_HOST", "127.0.0.1"),
            port=int(env.get("FORUM_PORT", "8000")),
            environment=env.get("FORUM_ENV", "development"),
            secret_key=env.get("FORUM_SECRET_KEY", cls.secret_key),
            smtp_url=env.get("SMTP_URL") or None,
            mail_from=env.get("FORUM_MAIL_FROM", cls.mail_from),
            admin_email=env.get("FORUM_ADMIN_EMAIL", cls.admin_email),
            admin_password=env.get("FORUM_ADMIN_PASSWORD") or None,
            link_days=int(env.get("FORUM_LINK_DAYS", "7")),
            pool_size=int(env.get("FORUM_POOL_SIZE", "4")),
            projector_in_process=env.get("FORUM_PROJECTOR", "in-process") == "in-process",
            public_url=env.get("FORUM_PUBLIC_URL", ""),
            audit_key=env.get("FORUM_AUDIT_KEY") or None,
            anchor_every=float(env.get("FORUM_ANCHOR_EVERY", "300")),
        )
