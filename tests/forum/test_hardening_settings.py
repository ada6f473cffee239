"""Settings refuse what they cannot run with, naming the variable: production never falls back to the dev key."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from pathlib import Path

import pytest

from forum.settings import DEVELOPMENT_SECRET_KEY, Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
KEY = "k" * 48


def refused(env: dict[str, str]) -> SettingsError:
    with pytest.raises(SettingsError) as error:
        Settings.from_env(env)
    return error.value


def test_production_without_its_own_long_secret_key_refuses_to_start() -> None:
    assert refused({"FORUM_ENV": "production"}).variable == "FORUM_SECRET_KEY"
    assert (
        refused({"FORUM_ENV": "production", "FORUM_SECRET_KEY": DEVELOPMENT_SECRET_KEY}).variable == "FORUM_SECRET_KEY"
    )
    short = refused({"FORUM_ENV": "production", "FORUM_SECRET_KEY": "court"})
    assert short.variable == "FORUM_SECRET_KEY" and "au moins 32" in str(short)
    assert not Settings.from_env({"FORUM_ENV": "production", "FORUM_SECRET_KEY": KEY}).development


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FORUM_ENV", "prod"),
        ("FORUM_PORT", "80a"),
        ("FORUM_PORT", "70000"),
        ("FORUM_PORT", "0"),
        ("FORUM_LINK_DAYS", "sept"),
        ("FORUM_LINK_DAYS", "0"),
        ("FORUM_POOL_SIZE", "-1"),
        ("FORUM_ANCHOR_EVERY", "soon"),
        ("FORUM_ANCHOR_EVERY", "nan"),
        ("FORUM_ANCHOR_EVERY", "-5"),
        ("FORUM_PROJECTOR", "inprocess"),
        ("FORUM_PUBLIC_URL", "forum.example.org"),
        ("FORUM_PUBLIC_URL", "https://forum.example.org:port"),
        ("SMTP_URL", "http://mail.example.org"),
        ("DATABASE_URL", "mysql://db/forum"),
        ("FORUM_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local"),
        ("FORUM_HOST", "127.0.0.1\x00"),
    ],
)
def test_an_invalid_value_is_refused_naming_its_variable(variable: str, value: str) -> None:
    error = refused({variable: value})
    assert error.variable == variable and str(error).startswith(variable)


def test_valid_values_are_typed() -> None:
    settings = Settings.from_env(
        {
            "FORUM_PORT": "8080",
            "FORUM_PROJECTOR": "separate",
            "FORUM_ANCHOR_EVERY": "0",
            "FORUM_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8 ::1",
            "SMTP_URL": "smtp+starttls://u:p@mail.example.org:587",
            "DATABASE_URL": "postgresql://forum:x@db:5432/forum",
            "FORUM_PUBLIC_URL": "https://forum.example.org",
        }
    )
    assert settings.port == 8080 and not settings.projector_in_process and settings.anchor_every == 0
    assert settings.trusted_proxies == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    )
    assert Settings.from_env({}).projector_in_process and Settings.from_env({}).environment == "development"


def forum(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    return subprocess.run(
        [sys.executable, "-m", "forum.entrypoints.cli", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"FORUM_ENV": "production"}, "FORUM_SECRET_KEY"),
        ({"FORUM_ENV": "prod"}, "FORUM_ENV"),
        ({"FORUM_PORT": "80a"}, "FORUM_PORT"),
    ],
)
def test_forum_serve_refuses_to_start_with_one_line_and_exit_code_2(env: dict[str, str], named: str) -> None:
    result = forum("serve", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "Traceback" not in result.stderr
    assert lines[0].startswith("forum: réglage invalide")
