"""What a request may carry before any handler sees it: storable parameters, JSON bodies on the API, a bounded depth.

One middleware, so no route can forget: a query or path parameter with a control character (NUL first of all), or
an integer no PostgreSQL column holds, is refused with 400 naming it; on ``/api/`` a body that is not JSON is
refused with 415, and a JSON document nested deeper than anyone writes is refused with 400 before it is decoded (the
decoder would exhaust the recursion limit).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from domain.errors import DomainError, Invalid
from domain.values import check_storable_text

MAX_JSON_DEPTH = 64  # the deepest body the API describes is 4 levels; 64 leaves room and stays far from recursion
MAX_BODY = 10_000_000  # Litestar's own limit on a request body, kept while this middleware reads it first
MAX_DIGITS = 18  # any integer parameter (a position, an offset) fits a PostgreSQL bigint
_HUGE_NUMBER = re.compile(rf"^\s*[+-]?0*[1-9]\d{{{MAX_DIGITS},}}\s*$")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BadParameter(Invalid, status=400):
    """A query or path parameter that no handler could use (a control character, bytes that are not UTF-8)."""


class UnsupportedMediaType(DomainError, status=415, rule="unsupported_media_type"): ...


class TooLarge(DomainError, status=413, rule="body_too_large"): ...


class TooDeep(DomainError, status=400, rule="json_too_deep"): ...


def check_parameters(scope: Scope) -> None:
    """Every query parameter (name and value) and path parameter must be storable text; the first bad one is named."""
    query = scope.get("query_string", b"")
    if query:
        # bytes that are not UTF-8 become lone surrogates, refused like control characters
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True, errors="surrogateescape"):
            _check_parameter(name, name)
            _check_parameter(value, name)
    for name, value in (scope.get("path_params") or {}).items():
        if isinstance(value, str):
            _check_parameter(value, name)
    _check_parameter(scope.get("path", ""), "path")


def _check_parameter(value: str, field: str) -> None:
    try:
        check_storable_text(value, field)
    except Invalid as refused:
        raise BadParameter(
            f"Le paramètre « {field} » contient un caractère interdit : retirez-le et réessayez.",
            field=field,
            rule=refused.rule,
        ) from None
    if _HUGE_NUMBER.match(value):
        raise BadParameter(
            f"Le paramètre « {field} » est un nombre trop grand (au plus {MAX_DIGITS} chiffres).",
            field=field,
            rule="number_too_large",
        )


def _content_type(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return str(value.decode("latin-1")).split(";", 1)[0].strip().lower()
    return None


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether arrays and objects nest deeper than ``limit`` (brackets inside strings do not count)."""
    if body.count(b"[") + body.count(b"{") <= limit:  # the usual body: too few brackets to be that deep
        return False
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub(b'""', body)):
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


async def _read_body(receive: Receive) -> tuple[bytes, list[ReceiveMessage]]:
    chunks: list[bytes] = []
    messages: list[ReceiveMessage] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_BODY:
            raise TooLarge(f"Le corps de la requête dépasse {MAX_BODY // 1_000_000} Mo.", field="body")
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


def _has_body(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return value.strip() not in (b"", b"0")
        if name == b"transfer-encoding":
            return True
    return False


def input_limits_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        check_parameters(scope)
        if not (scope["path"].startswith("/api/") and scope["method"] in BODY_METHODS and _has_body(scope)):
            await app(scope, receive, send)
            return
        media_type = _content_type(scope)
        if media_type is None or not _is_json(media_type):
            raise UnsupportedMediaType(
                "Le corps de la requête doit être du JSON, envoyé avec l'en-tête Content-Type: application/json"
                + (f" (reçu : {media_type})." if media_type else " (absent)."),
                field="content-type",
            )
        body, messages = await _read_body(receive)
        if json_depth_exceeds(body, MAX_JSON_DEPTH):
            raise TooDeep(
                f"Le document JSON est imbriqué sur plus de {MAX_JSON_DEPTH} niveaux.",
                field="body",
            )
        replay: list[ReceiveMessage] = [{"type": "http.request", "body": body, "more_body": False}]
        replay += [m for m in messages if m["type"] != "http.request"]

        async def receive_again() -> ReceiveMessage:
            return replay.pop(0) if replay else await receive()

        await app(scope, receive_again, send)

    return middleware
