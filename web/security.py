"""Security headers on every response: pages, API, static files, and the errors (404, 405, 500) the router answers.

Wrapped around Litestar's ASGI handler (``secure(app, settings)``), outside its middleware and exception handling, so
no response leaves without them. The policy:

* ``Content-Security-Policy``: scripts from this site only (``web/static/*.js``; no inline script, no ``eval``, no
  ``on…=`` attribute), nothing framed, nothing embedded, forms posted here only, ``frame-ancestors 'none'`` (the jury's
  forms cannot be framed to trick a click). Styles allow ``'unsafe-inline'``: a few templates size bars with a
  ``style`` attribute and carry small ``<style>`` blocks; styles run no code.
* ``X-Frame-Options: DENY`` (older browsers), ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: strict-origin-when-cross-origin`` (a link's secret path never leaves the site),
  ``Cross-Origin-Opener-Policy: same-origin``, ``Permissions-Policy`` (no camera, microphone, geolocation).
* ``Strict-Transport-Security`` in production only (development serves plain HTTP on 127.0.0.1).
* The interactive API pages under ``/api/schema`` (Swagger UI, Scalar) load their code from ``cdn.jsdelivr.net`` and
  Swagger UI starts from an inline script that embeds the schema: those HTML pages get an adapted policy allowing that
  CDN, and the page's own inline scripts by their SHA-256 hash, computed on the page as sent (never
  ``'unsafe-inline'`` for scripts). ``openapi.json`` and every other path get the strict policy.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from forum.settings import Settings

STRICT = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; frame-src 'none'; "
    "object-src 'none'; base-uri 'none'"
)
DOCS_PREFIX = "/api/schema"
DOCS = (
    "default-src 'self'; script-src 'self' https://cdn.jsdelivr.net {hashes}; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "font-src 'self' data: https://cdn.jsdelivr.net https://fonts.scalar.com; connect-src 'self'; "
    "worker-src 'self' blob:; form-action 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
)
HSTS = b"max-age=31536000; includeSubDomains"
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def common_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    ]
    if settings.environment == "production":
        headers.append((b"strict-transport-security", HSTS))
    return headers


def script_hashes(body: bytes) -> str:
    """The CSP source expressions of every inline script of an HTML page."""
    hashes = dict.fromkeys(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in INLINE_SCRIPT.findall(body)
    )
    return " ".join(hashes)


def _with(headers: Iterable[tuple[bytes, bytes]], added: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The response's headers, with ours replacing any of the same name (a handler never weakens them)."""
    names = {name for name, _ in added}
    return [(n, v) for n, v in headers if n.lower() not in names] + added


def secure(app: ASGIApp, settings: Settings) -> ASGIApp:
    """``app`` with the security headers on every HTTP response."""
    common = common_headers(settings)
    strict = [*common, (b"content-security-policy", STRICT.encode())]

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        if scope["path"].startswith(DOCS_PREFIX) and not scope["path"].endswith((".json", ".yaml", ".yml")):
            await app(scope, receive, _docs_sender(send, common))
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _with(message.get("headers", []), strict)}
            await send(message)

        await app(scope, receive, send_secured)

    return middleware


def _docs_sender(send: Send, common: list[tuple[bytes, bytes]]) -> Send:
    """For the interactive API pages: hold the response until its body is whole, then allow its inline scripts."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def send_docs(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body" or not start:
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        policy = DOCS.format(hashes=script_hashes(body)).replace("  ", " ")
        headers = _with(start.get("headers", []), [*common, (b"content-security-policy", policy.encode())])
        await send(cast("Message", {**start, "headers": headers}))
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return send_docs
