"""The OpenAPI schema as the contract: problem responses, closed request bodies and public operations, from the code.

Litestar generates the schema from the route handlers; ``ContractConfig`` then walks every operation once, so no
route decorator repeats what the service does everywhere:

* every operation documents the RFC 9457 ``application/problem+json`` answers it can give (``web.errors.problem``
  is their only writer) in place of Litestar's default 400 ``ValidationException`` body;
* a request body whose msgspec struct forbids unknown fields says ``additionalProperties: false``, nested structs
  included, read from the struct's own configuration;
* operations that need nobody signed in (``/health``, everything under ``/api/v1/public/``, and handlers marked
  ``opt=PUBLIC``) carry ``security: []`` instead of inheriting the bearer token requirement;
* a text path or query parameter says which characters it may not hold (``web.limits`` refuses them with 400), and a
  decimal in a body is a number or a decimal string, as msgspec decodes it.
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPI

from web.limits import MAX_DIGITS

PROBLEM = "application/problem+json"
PUBLIC: dict[str, Any] = {"public": True}  # ``opt=PUBLIC`` on a route handler: it answers without anybody signed in
PUBLIC_PREFIXES = ("/api/v1/public/", "/health")
NO_BODY_METHODS = {"get", "head", "options", "trace"}  # web.limits reads a body on the others
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# What each status means to a program; the body is always a problem (see web/errors.py).
PROBLEM_STATUSES: dict[int, str] = {
    400: "Requête invalide : un paramètre ou le corps ne correspond pas au schéma (voir `errors`).",
    401: "Connexion requise, ou jeton d'API inconnu, révoqué ou d'un compte désactivé.",
    403: "Action non autorisée pour ce rôle ou cette organisation.",
    404: "Ressource introuvable, ou privée d'une autre organisation.",
    409: "Action refusée par une règle du domaine (`rule`), ou identifiant de commande déjà utilisé.",
    413: "Corps de requête trop volumineux.",
    415: "Type de contenu non pris en charge : envoyer `application/json`.",
    422: "Saisie à corriger : une valeur enfreint une règle (`rule`) sur un champ (`field`).",
    429: "Trop de tentatives : réessayer plus tard (`Retry-After`).",
    500: "Erreur inattendue ; `request_id` la retrouve dans les journaux.",
    503: "Service momentanément indisponible (base de données injoignable) : réessayer après `Retry-After`.",
}
BODY_ONLY = {413, 415}  # only where a body is read
SIGNED_IN_ONLY = {403}  # public operations refuse nothing to anyone (an unpublished palmarès is a 404)
RETRY_AFTER = {429, 503}
# The characters domain.values.check_storable_text refuses (C0 controls but tab, LF and CR), which web.limits refuses
# in parameters; lone surrogates are refused too but cannot travel in a URL's UTF-8. Checked against the domain's
# own check by tests/web/test_openapi_contract.py.
STORABLE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
DECIMAL_STRING = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Un problème au format RFC 9457.",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "description": "URI du type de problème"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "ce qui a été refusé, en français"},
        "instance": {"type": "string", "description": "le chemin de la requête"},
        "rule": {"type": "string", "description": "la règle enfreinte, stable, pour les programmes"},
        "field": {"type": "string", "description": "le champ en cause"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "request_id": {"type": "string", "description": "la référence de la requête dans les journaux"},
    },
}


def problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": PROBLEM_STATUSES[status],
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    headers: dict[str, Any] = {}
    if status == 401:
        headers["WWW-Authenticate"] = {"schema": {"type": "string"}, "description": "Bearer"}
    if status in RETRY_AFTER:
        headers["Retry-After"] = {"schema": {"type": "string"}, "description": "secondes avant de réessayer"}
    if headers:
        response["headers"] = headers
    return response


def is_public(path: str, handler: Any) -> bool:
    return path.startswith(PUBLIC_PREFIXES) or bool(getattr(handler, "opt", {}).get("public"))


def closed_bodies(schema: dict[str, Any], annotation: Any, components: dict[str, Any]) -> None:
    """Set ``additionalProperties: false`` on every struct of ``annotation`` that forbids unknown fields.

    Walks the generated schema alongside msgspec's view of the type, so nested structs, lists of structs and
    optional structs are closed too, whatever name Litestar gave their component.
    """
    _close(schema, msgspec.inspect.type_info(annotation), components, set())


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return components.get(ref.rsplit("/", 1)[1], schema)  # type: ignore[no-any-return]
    return schema


# msgspec's constraints (``Meta(ge=0)``…) as JSON Schema keywords, for the ones Litestar leaves out.
CONSTRAINTS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusiveMinimum",
    "lt": "exclusiveMaximum",
    "multiple_of": "multipleOf",
    "pattern": "pattern",
}
LENGTHS = {
    "string": ("minLength", "maxLength"),
    "array": ("minItems", "maxItems"),
    "object": ("minProperties", "maxProperties"),
}


KINDS: dict[type[Any], str] = {
    msgspec.inspect.IntType: "integer",
    msgspec.inspect.FloatType: "number",
    msgspec.inspect.StrType: "string",
    msgspec.inspect.ListType: "array",
    msgspec.inspect.SetType: "array",
    msgspec.inspect.FrozenSetType: "array",
    msgspec.inspect.DictType: "object",
}


def _constrain(schema: dict[str, Any], info: Any) -> None:
    kind = KINDS.get(type(info))
    if kind is None or schema.get("type") != kind:
        return
    for attribute, keyword in CONSTRAINTS.items():
        value = getattr(info, attribute, None)
        if value is not None:
            schema.setdefault(keyword, value)
    if kind in LENGTHS:
        for attribute, keyword in zip(("min_length", "max_length"), LENGTHS[kind], strict=True):
            value = getattr(info, attribute, None)
            if value is not None:
                schema.setdefault(keyword, value)


def _close(schema: Any, info: Any, components: dict[str, Any], seen: set[int]) -> None:
    if not isinstance(schema, dict):
        return
    schema = _resolve(schema, components)
    while isinstance(info, msgspec.inspect.Metadata):  # Annotated[…, Meta(…)]
        info = info.type
    if isinstance(info, msgspec.inspect.UnionType):
        alternatives = schema.get("oneOf", []) + schema.get("anyOf", []) or [schema]
        for member in info.types:
            if not isinstance(getattr(member, "type", member), msgspec.inspect.NoneType):
                for alternative in alternatives:
                    _close(alternative, member, components, seen)
        return
    _constrain(schema, info)
    if isinstance(info, msgspec.inspect.StructType):
        if id(schema) not in seen:
            seen.add(id(schema))
            _close_struct(schema, info, components, seen)
    elif isinstance(info, (msgspec.inspect.ListType, msgspec.inspect.SetType, msgspec.inspect.FrozenSetType)):
        _close(schema.get("items"), info.item_type, components, seen)
    elif isinstance(info, msgspec.inspect.DictType):
        if isinstance(info.key_type, msgspec.inspect.UUIDType):
            schema.setdefault("propertyNames", {"format": "uuid"})
        _close(schema.get("additionalProperties"), info.value_type, components, seen)
    elif isinstance(info, msgspec.inspect.DecimalType):
        _decimal(schema)


def _decimal(schema: dict[str, Any]) -> None:
    """msgspec decodes a decimal from a JSON number or a decimal string."""
    description = schema.get("description")
    schema.clear()
    schema["anyOf"] = [{"type": "number"}, {"type": "string", "pattern": DECIMAL_STRING}]
    if description:
        schema["description"] = description


def _close_struct(schema: dict[str, Any], info: Any, components: dict[str, Any], seen: set[int]) -> None:
    if schema.get("type", "object") != "object":
        return
    if info.forbid_unknown_fields:
        schema["additionalProperties"] = False
    properties = schema.get("properties", {})
    for struct_field in info.fields:
        _close(properties.get(struct_field.encode_name), struct_field.type, components, seen)


def storable_parameter(parameter: dict[str, Any]) -> None:
    """A path or query parameter's text may not hold the characters the service refuses in every parameter."""
    if parameter.get("in") not in ("path", "query"):
        return
    schema = parameter.get("schema", {})
    candidates = [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]
    candidates += [c["items"] for c in list(candidates) if isinstance(c.get("items"), dict)]  # ?type=a&type=b
    for candidate in candidates:
        if candidate.get("type") == "string" and not {"pattern", "format", "enum", "const"} & candidate.keys():
            candidate["pattern"] = STORABLE_TEXT
        elif candidate.get("type") == "integer":  # web.limits refuses more digits than a bigint holds
            candidate.setdefault("maximum", 10**MAX_DIGITS - 1)
            candidate.setdefault("minimum", -(10**MAX_DIGITS - 1))


def tuples_as_prefix_items(node: Any) -> None:
    """Litestar writes a tuple's items as a list (OpenAPI 3.0's way) or as ``prefixItems``; OpenAPI 3.1 says
    ``prefixItems`` with the tuple's length. A tuple of one type (``tuple[str, str]``) is said the plain way, an
    array of that type of exactly that length: the same values, and understood by every client."""
    if isinstance(node, dict):
        items = node.pop("items") if isinstance(node.get("items"), list) else node.pop("prefixItems", None)
        if isinstance(items, list):
            node.update(minItems=len(items), maxItems=len(items))
            if items and all(item == items[0] for item in items):
                node["items"] = items[0]
            else:
                node["prefixItems"] = items
        for value in node.values():
            tuples_as_prefix_items(value)
    elif isinstance(node, list):
        for value in node:
            tuples_as_prefix_items(value)


def body_annotation(handler: Any) -> Any:
    """The type of the handler's ``data`` (its JSON body), or None."""
    signature = getattr(handler, "parsed_fn_signature", None)
    parameter = signature.parameters.get("data") if signature else None
    return getattr(parameter, "annotation", None)


def apply_contract(schema: dict[str, Any], handlers: dict[str, Any]) -> dict[str, Any]:
    """The schema Litestar generated, made to say what the service does (see the module's docstring)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = copy.deepcopy(PROBLEM_SCHEMA)
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if not operation:
                continue
            handler = handlers.get(operation.get("operationId", ""))
            public = is_public(path, handler)
            if public:
                operation["security"] = []
            for parameter in operation.get("parameters", []):
                storable_parameter(parameter)
            responses = operation.setdefault("responses", {})
            if path == "/health":
                # the health report itself says what is wrong, with 503 while the service is not healthy
                ok = next((r for s, r in responses.items() if s.startswith("2")), None)
                if ok is not None:
                    responses["503"] = {**copy.deepcopy(ok), "description": "Service dégradé : le rapport dit quoi."}
                responses["500"] = problem_response(500)
                continue
            reads_body = "requestBody" in operation or method not in NO_BODY_METHODS
            for status in PROBLEM_STATUSES:
                if status in BODY_ONLY and not reads_body:
                    continue
                if status in SIGNED_IN_ONLY and public:
                    continue
                responses[str(status)] = problem_response(status)
            annotation = body_annotation(handler)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if annotation is not None and body is not None:
                with contextlib.suppress(TypeError, ValueError):  # a type msgspec cannot describe stays open
                    closed_bodies(body, annotation, components)
    tuples_as_prefix_items(schema)
    return schema


class ContractOpenAPI(OpenAPI):
    """Litestar's OpenAPI document whose ``to_schema()`` applies the contract."""

    def to_schema(self) -> dict[str, Any]:
        handlers: dict[str, Any] = getattr(self, "_contract_handlers", {})
        return apply_contract(super().to_schema(), handlers)


@dataclass
class ContractConfig(OpenAPIConfig):
    """``OpenAPIConfig`` that remembers which handler each operation id names, to post-process the schema."""

    handlers: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        create = self.operation_id_creator

        def remember(route_handler: Any, http_method: Any, path_components: Any) -> str:
            operation_id = create(route_handler, http_method, path_components)
            self.handlers[operation_id] = route_handler
            return operation_id

        self.operation_id_creator = remember

    def to_openapi_schema(self) -> OpenAPI:
        base = super().to_openapi_schema()
        document = ContractOpenAPI(**{f: getattr(base, f) for f in base.__dataclass_fields__})
        object.__setattr__(document, "_contract_handlers", self.handlers)
        return document
