"""Who acts on each request: a session cookie for pages, a bearer token for ``/api/``; logs say who acted."""

from __future__ import annotations

import ipaddress
import json
import logging
import time
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect
from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Message, Receive, Scope, Send

from forum.auth import SESSION_COOKIE, SESSION_MAX, actor_for_session, actor_for_token, log_context
from forum.settings import Settings
from web.errors import http_error, problem, wants_json

log = logging.getLogger("forum.web.requests")

SIGN_IN = "/connexion"


def session_secret(scope: Scope) -> str | None:
    """The session cookie's value, if the request carries one."""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar = SimpleCookie(value.decode("latin-1"))
            except CookieError:
                return None
            morsel = jar.get(SESSION_COOKIE)
            if morsel is not None and morsel.value:
                return morsel.value
    return None


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


async def _unauthorised(scope: Scope, send: Send, detail: str) -> None:
    body = json.dumps(
        {
            "type": "https://forum.example/problems/invalid_token",
            "title": "Connexion requise",
            "status": 401,
            "detail": detail,
            "instance": scope["path"],
            "rule": "invalid_token",
        },
        ensure_ascii=False,
    ).encode()
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 401,
        "headers": [
            (b"content-type", b"application/problem+json"),
            (b"www-authenticate", b'Bearer error="invalid_token"'),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    whole: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(start)
    await send(whole)


def authentication_middleware(app: ASGIApp) -> ASGIApp:
    """Puts the acting person (or None) in ``scope["state"]["actor"]``, and who/which request in the logs.

    ``/api/`` requests are identified by ``Authorization: Bearer <token>`` only (never by cookie, so the API
    needs no CSRF token); an unknown or revoked token is answered 401 at once. Pages use the session cookie.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith("/static/"):
            await app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        litestar_app = scope["litestar_app"]
        services = litestar_app.state.services
        pool = getattr(litestar_app.state, "auth_pool", None)
        actor = None
        if pool is not None:
            now = services.app.clock()
            if scope["path"].startswith("/api/"):
                authorization = _header(scope, b"authorization")
                if authorization:
                    scheme, _, token = authorization.partition(" ")
                    async with pool.acquire() as conn:
                        actor = await actor_for_token(conn, token.strip(), now) if scheme.lower() == "bearer" else None
                    if actor is None:
                        await _unauthorised(scope, send, "Jeton d'API inconnu ou révoqué, ou compte désactivé.")
                        return
            elif secret := session_secret(scope):
                async with pool.acquire() as conn:
                    actor = await actor_for_session(conn, secret, now)
        state["actor"] = actor
        context = {
            "request_id": state.get("request_id", "-"),
            "person": actor.person_id if actor else "-",
            "organisation": actor.organisation if actor else "-",
        }
        reset = log_context.set(context)
        started, status = time.perf_counter(), [0]

        async def send_noting_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_noting_status)
        finally:
            # Failures at INFO; successes at DEBUG: an access line per request through the logging queue cost a
            # third of the throughput of a cached page (bench 6), and the reverse proxy keeps access logs anyway.
            level = logging.INFO if status[0] >= 400 else logging.DEBUG
            if log.isEnabledFor(level):
                elapsed = 1000 * (time.perf_counter() - started)
                log.log(level, "%s %s %s %.1f ms", scope["method"], scope["path"], status[0], elapsed)
            log_context.reset(reset)

    return middleware


# -- pages: cookies, redirects, where people come from ------------------------------------------------------


def safe_next(value: str | None, default: str = "/compte") -> str:
    """A local path to go back to after signing in (never another site)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def session_cookie(secret: str, settings: Settings) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=secret,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production",
        max_age=int(SESSION_MAX.total_seconds()),
    )


def expired_session_cookie(settings: Settings) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value="",
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production",
        max_age=0,
    )


def client_address(request: Request[Any, Any, Any]) -> str:
    """The address a request comes from: its peer's, or, when the peer is a configured reverse proxy
    (``FORUM_TRUSTED_PROXIES``), the right-most hop of ``X-Forwarded-For`` that is not one of those proxies.

    Nobody else's ``X-Forwarded-For`` is believed, so a client cannot pick a new address for each sign-in attempt.
    """
    peer = request.client.host if request.client else ""
    trusted = request.app.state.services.settings.trusted_proxies
    return forwarded_for(peer, request.headers.getall("x-forwarded-for", []), trusted)


def forwarded_for(peer: str, headers: list[str], trusted: tuple[Any, ...]) -> str:
    def is_trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in trusted)

    if not trusted or not is_trusted(peer):
        return peer
    hops = [hop.strip() for header in headers for hop in header.split(",") if hop.strip()]
    address = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a malformed hop: the last address a trusted proxy vouched for
        address = hop
        if not is_trusted(hop):
            return hop
    return address


def not_signed_in(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    """401: a problem for programs (with ``WWW-Authenticate``), a redirect to the sign-in page for people."""
    if wants_json(request):
        response = problem(request, 401, str(exc.detail), rule="sign_in_required")
        response.headers["www-authenticate"] = "Bearer"
        return response
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"{SIGN_IN}?suite={quote(target, safe='/')}", status_code=303)  # type: ignore[return-value]


def permission_denied(request: Request[Any, Any, Any], exc: PermissionDeniedException) -> Response[Any]:
    """A form without a valid CSRF token says so in French; any other 403 as usual."""
    if "CSRF" in str(exc.detail):
        return problem(
            request,
            403,
            "Ce formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez.",
            rule="csrf",
        )
    return http_error(request, exc)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    NotAuthorizedException: not_signed_in,
    PermissionDeniedException: permission_denied,
}
