"""Settings, read from the environment once and handed down from the composition root.

Every variable is parsed and checked here: an unknown or malformed value is refused with a ``SettingsError`` naming
the variable (``forum serve`` prints it on one line and exits with code 2), never taken for a default. Production
refuses to start without a secret key of its own.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ENVIRONMENTS = ("development", "production", "test")
PROJECTOR_MODES = ("in-process", "separate")  # FORUM_PROJECTOR: in the web process, or `forum projections run`
DEVELOPMENT_SECRET_KEY = "dev-only-secret-key-change-me-in-production-0123456789"  # noqa: S105  # development only
SECRET_KEY_MIN = 32  # characters of a production secret key
SMTP_SCHEMES = ("smtp", "smtp+starttls", "smtps")
DATABASE_SCHEMES = ("postgresql", "postgres")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A setting the service cannot run with; the message names the variable."""

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"{variable} : {message}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    data_dir: Path = Path(".forum-data")
    host: str = "127.0.0.1"
    port: int = 8000
    environment: str = "development"  # development | production | test
    secret_key: str = DEVELOPMENT_SECRET_KEY
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
    # FORUM_TRUSTED_PROXIES: the reverse proxies whose X-Forwarded-For is believed (none by default)
    trusted_proxies: tuple[Network, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.environment not in ENVIRONMENTS:
            raise SettingsError(
                "FORUM_ENV", f"« {self.environment} » inconnu ; valeurs admises : {', '.join(ENVIRONMENTS)}."
            )
        if self.environment == "production":
            if self.secret_key == DEVELOPMENT_SECRET_KEY:
                raise SettingsError(
                    "FORUM_SECRET_KEY",
                    "obligatoire en production (FORUM_ENV=production), et différente de la clé de développement.",
                )
            if len(self.secret_key) < SECRET_KEY_MIN:
                raise SettingsError(
                    "FORUM_SECRET_KEY",
                    f"trop courte pour la production ({len(self.secret_key)} caractères, au moins {SECRET_KEY_MIN}).",
                )

    @property
    def development(self) -> bool:
        return self.environment != "production"

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=_url(env, "DATABASE_URL", DATABASE_SCHEMES),
            data_dir=Path(_text(env, "FORUM_DATA_DIR", ".forum-data")),
            host=_text(env, "FORUM_HOST", "127.0.0.1"),
            port=_int(env, "FORUM_PORT", 8000, low=1, high=65535),
            environment=_choice(env, "FORUM_ENV", "development", ENVIRONMENTS),
            secret_key=_text(env, "FORUM_SECRET_KEY", DEVELOPMENT_SECRET_KEY),
            smtp_url=_url(env, "SMTP_URL", SMTP_SCHEMES),
            mail_from=_text(env, "FORUM_MAIL_FROM", cls.mail_from),
            admin_email=_text(env, "FORUM_ADMIN_EMAIL", cls.admin_email),
            admin_password=env.get("FORUM_ADMIN_PASSWORD") or None,
            link_days=_int(env, "FORUM_LINK_DAYS", 7, low=1, high=365),
            pool_size=_int(env, "FORUM_POOL_SIZE", 4, low=1, high=100),
            projector_in_process=_choice(env, "FORUM_PROJECTOR", "in-process", PROJECTOR_MODES) == "in-process",
            public_url=_url(env, "FORUM_PUBLIC_URL", ("http", "https")) or "",
            audit_key=env.get("FORUM_AUDIT_KEY") or None,
            anchor_every=_float(env, "FORUM_ANCHOR_EVERY", 300.0, low=0.0),
            trusted_proxies=_networks(env, "FORUM_TRUSTED_PROXIES"),
        )


# -- parsing one variable, naming it when it is wrong -------------------------------------------------------


def _raw(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None or value.strip() == "":
        return None
    if any(ord(c) < 32 for c in value):
        raise SettingsError(name, "contient un caractère de contrôle.")
    return value.strip()


def _text(env: Mapping[str, str], name: str, default: str) -> str:
    return _raw(env, name) or default


def _int(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = _raw(env, name)
    if raw is None:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise SettingsError(name, f"« {raw} » n'est pas un nombre entier.") from None
    if not low <= value <= high:
        raise SettingsError(name, f"{value} hors des bornes ({low} à {high}).")
    return value


def _float(env: Mapping[str, str], name: str, default: float, *, low: float) -> float:
    raw = _raw(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(name, f"« {raw} » n'est pas un nombre.") from None
    if not math.isfinite(value) or value < low:
        raise SettingsError(name, f"{raw} : un nombre fini, au moins {low:g}.")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    raw = _raw(env, name)
    if raw is None:
        return default
    if raw not in allowed:
        raise SettingsError(name, f"« {raw} » inconnu ; valeurs admises : {', '.join(allowed)}.")
    return raw


def _url(env: Mapping[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    raw = _raw(env, name)
    if raw is None:
        return None
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018  # raises on a malformed port
    except ValueError as error:
        raise SettingsError(name, f"adresse mal formée ({error}).") from None
    if parts.scheme not in schemes:
        raise SettingsError(
            name, f"le schéma doit être {' ou '.join(s + '://' for s in schemes)} (reçu « {parts.scheme} »)."
        )
    if not parts.hostname and not (name == "DATABASE_URL" and "host=" in parts.query):
        raise SettingsError(name, "il manque le nom du serveur.")
    return raw


def _networks(env: Mapping[str, str], name: str) -> tuple[Network, ...]:
    raw = _raw(env, name)
    if raw is None:
        return ()
    networks = []
    for item in raw.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SettingsError(name, f"« {item} » n'est ni une adresse IP ni un réseau (CIDR).") from None
    return tuple(networks)
