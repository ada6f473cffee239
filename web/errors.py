"""Domain refusals mapped to HTTP once: RFC 9457 problem details for programs, a French page for people."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import asyncpg
import psycopg
from eventsourcing import persistence
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.response import Template

from domain.errors import DomainError

log = logging.getLogger("forum.web")

TITLES = {
    400: "Requête invalide",
    401: "Connexion requise",
    403: "Action non autorisée",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    409: "Action refusée",
    422: "Saisie à corriger",
    429: "Trop de tentatives",
    500: "Erreur inattendue",
    503: "Service momentanément indisponible",
}


def wants_json(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def problem(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    *,
    rule: str | None = None,
    field: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    request_id: str | None = None,
) -> Response[Any]:
    if wants_json(request):
        body: dict[str, Any] = {
            "type": f"https://forum.example/problems/{rule or status}",
            "title": TITLES.get(status, "Erreur"),
            "status": status,
            "detail": detail,
            "instance": request.url.path,
        }
        if rule:
            body["rule"] = rule
        if field:
            body["field"] = field
        if errors:
            body["errors"] = errors
        if request_id:
            body["request_id"] = request_id
        return Response(body, status_code=status, media_type="application/problem+json")
    return Template(  # type: ignore[return-value]
        template_name="error.html",
        context={
            "status": status,
            "title": TITLES.get(status, "Erreur"),
            "detail": detail,
            "field": field,
            "errors": errors or [],
            "request_id": request_id,
        },
        status_code=status,
        media_type=MediaType.HTML,
    )


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return problem(request, exc.status, exc.message, rule=exc.rule, field=exc.field)


def validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            key = str(item.get("key") or item.get("source") or "")
            errors.append({"field": key, "message": str(item.get("message", ""))})
    fields = ", ".join(e["field"] for e in errors if e["field"])
    detail = "Certaines valeurs sont invalides" + (f" : {fields}." if fields else ".")
    if errors and errors[0]["message"]:
        detail += " " + errors[0]["message"]
    return problem(request, 400, detail, rule="validation", field=errors[0]["field"] if errors else None, errors=errors)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    detail = exc.detail if status != 404 else "Cette page n'existe pas, ou vous n'y avez pas accès."
    if isinstance(exc, NotFoundException):
        detail = "Cette page n'existe pas, ou vous n'y avez pas accès."
    response = problem(request, status, str(detail), rule="http_" + str(status))
    response.headers.update(exc.headers or {})  # e.g. the ``Allow`` of a 405, required by RFC 9110
    return response


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    request_id = request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex[:12]
    log.exception("unexpected error", extra={"request_id": request_id, "path": request.url.path})
    return problem(
        request,
        500,
        f"Une erreur inattendue s'est produite. Référence : {request_id}.",
        rule="internal",
        request_id=request_id,
    )


# -- the database unreachable: 503 with Retry-After, never a traceback -------------------------------------------

RETRY_AFTER_SECONDS = 5
# What the drivers raise while PostgreSQL is down, restarting or refusing connections: psycopg and its pool (a
# pool timeout is an OperationalError), the same wrapped by eventsourcing, asyncpg on the read side.
OUTAGES: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    persistence.OperationalError,
    persistence.InterfaceError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionFailureError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.InterfaceError,
)


def is_database_outage(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database cannot be reached right now. A bare ``OSError``
    counts only when a database driver raised it (asyncpg connecting to a server that is down)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OUTAGES):
            return True
        if isinstance(current, OSError) and _raised_by_a_driver(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _raised_by_a_driver(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.startswith(("asyncpg", "psycopg")):
            return True
        tb = tb.tb_next
    return False


def database_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if not is_database_outage(exc):
        return unexpected_error(request, exc)
    request_id = request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex[:12]
    log.warning(
        "database unavailable: %s: %s",
        type(exc).__name__,
        str(exc).splitlines()[0] if str(exc) else "",
        extra={"request_id": request_id, "path": request.url.path},
    )
    response = problem(
        request,
        503,
        "Le service est momentanément indisponible : la base de données ne répond pas. "
        f"Réessayez dans quelques secondes. Référence : {request_id}.",
        rule="database_unavailable",
        request_id=request_id,
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


HANDLERS: dict[Any, Any] = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: database_unavailable,  # a database outage is a 503; anything else stays an unexpected 500
}
