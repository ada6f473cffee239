"""The OpenAPI schema says what the service does: problem responses, closed bodies, public operations."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from domain.errors import Invalid
from domain.values import check_storable_text
from web.openapi import STORABLE_TEXT, body_annotation, tuples_as_prefix_items

METHODS = ("get", "put", "post", "patch", "delete")
PROBLEM_REF = "#/components/schemas/Problem"


@pytest.fixture
def schema(client: TestClient) -> dict[str, Any]:  # type: ignore[type-arg]
    response = client.get("/api/schema/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, m, item[m]) for path, item in schema["paths"].items() for m in METHODS if m in item]


def test_every_api_operation_documents_its_problems_as_rfc_9457(schema: dict[str, Any]) -> None:
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    assert {"rule", "field", "errors", "request_id"} <= problem["properties"].keys()
    assert problem["properties"]["errors"]["items"]["required"] == ["field", "message"]
    api = [(p, m, o) for p, m, o in operations(schema) if p.startswith("/api/")]
    assert len(api) > 100
    for path, method, operation in api:
        responses = operation["responses"]
        for status in ("400", "401", "404", "409", "422", "429", "500", "503"):
            assert responses[status]["content"] == {"application/problem+json": {"schema": {"$ref": PROBLEM_REF}}}, (
                method,
                path,
                status,
            )
        # never Litestar's default body of a ValidationException
        assert all("application/json" not in r.get("content", {}) for s, r in responses.items() if s >= "400")
        if method != "get":
            assert {"413", "415"} <= responses.keys(), (method, path)
        assert "WWW-Authenticate" in responses["401"]["headers"]
        assert "Retry-After" in responses["503"]["headers"]


def test_a_problem_the_service_answers_fits_the_documented_shape(client: TestClient, schema: dict[str, Any]) -> None:  # type: ignore[type-arg]
    problem = schema["components"]["schemas"]["Problem"]
    # a body the server refuses (unknown field) and a path that does not exist: both answered as problems
    refused = client.post("/api/v1/organisations", json={"slug": "x", "nope": 1})
    missing = client.get("/api/v1/public/palmares/ce-palmares-n-existe-pas")
    documented = [
        (refused, schema["paths"]["/api/v1/organisations"]["post"]),
        (missing, schema["paths"]["/api/v1/public/palmares/{ref}"]["get"]),
    ]
    for response, operation in documented:
        assert response.status_code >= 400 and str(response.status_code) in operation["responses"]
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert set(problem["required"]) <= body.keys() <= problem["properties"].keys()
        assert body["status"] == response.status_code


def test_bodies_whose_struct_forbids_unknown_fields_are_closed_nested_structs_included(
    client: TestClient,  # type: ignore[type-arg]
    schema: dict[str, Any],
) -> None:
    components = schema["components"]["schemas"]
    handlers = client.app.openapi_config.handlers  # the handler of each operation id, remembered by ContractConfig
    checked = 0
    for _, _, operation in operations(schema):
        annotation = body_annotation(handlers.get(operation["operationId"]))
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if body is None or not isinstance(msgspec.inspect.type_info(annotation), msgspec.inspect.StructType):
            continue
        info = msgspec.inspect.type_info(annotation)
        component = components[body["$ref"].rsplit("/", 1)[1]]
        assert (component.get("additionalProperties") is False) == info.forbid_unknown_fields, operation["operationId"]
        checked += 1
    assert checked > 50
    # nested: the questions of a call, the slots of a running order
    assert components["QuestionIn"]["additionalProperties"] is False
    assert components["PitchSlotIn"]["additionalProperties"] is False


def test_public_operations_need_no_token_and_the_others_do(schema: dict[str, Any]) -> None:
    assert schema["security"] == [{"jeton": []}]
    public = {(p, m) for p, m, o in operations(schema) if o.get("security") == []}
    for path, method, operation in operations(schema):
        if path.startswith("/api/v1/public/") or path == "/health":
            assert operation.get("security") == [], (method, path)
    assert ("/api/v1/organisations", "get") in public and ("/api/v1/announcements", "get") in public
    assert ("/api/v1/audit/key", "get") in public
    assert ("/api/v1/organisations", "post") not in public and ("/api/v1/me", "get") not in public
    assert len(public) >= 14


def test_anonymous_requests_to_public_operations_are_answered_and_to_the_others_refused_401(
    client: TestClient,  # type: ignore[type-arg]
    schema: dict[str, Any],
) -> None:
    gets = [(p, o) for p, m, o in operations(schema) if m == "get" and "{" not in p and p.startswith("/api/")]
    for path, operation in gets:
        status = client.get(path).status_code
        if operation.get("security") == []:
            assert status != 401, path
        else:
            assert status == 401, path


def test_the_parameter_pattern_refuses_exactly_what_the_domain_refuses(schema: dict[str, Any]) -> None:
    import re

    pattern = re.compile(STORABLE_TEXT)
    for code in range(0x80):
        try:
            check_storable_text(chr(code), "x")
            storable = True
        except Invalid:
            storable = False
        assert bool(pattern.match(chr(code))) == storable, hex(code)
    slug = next(p for p in schema["paths"]["/api/v1/organisations/{slug}"]["get"]["parameters"] if p["name"] == "slug")
    assert slug["schema"]["pattern"] == STORABLE_TEXT


def test_a_method_the_resource_does_not_support_is_answered_405_with_its_allow_header(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    response = client.delete("/api/v1/organisations")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["allow"].split(",")}


def test_options_names_every_method_of_a_path_whose_handlers_come_from_several_controllers(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    # the auditors' GET and POST are two handlers; Litestar rebuilds the route when the second joins, and its
    # automatic OPTIONS used to answer the first route's methods only (``Allow: OPTIONS, POST``)
    expected = {"/api/v1/forums/somme/forum-2019/auditors": {"GET", "POST"}, "/api/v1/organisations/somme": {"GET"}}
    for path, methods in expected.items():
        response = client.options(path)
        assert methods | {"OPTIONS"} <= {m.strip() for m in response.headers["allow"].split(",")}, path


def test_tuples_are_written_as_openapi_3_1_says_with_their_length() -> None:
    # a tuple of one type: an array of that type of exactly that length; of several types: prefixItems
    same = {"type": "array", "prefixItems": [{"type": "string"}, {"type": "string"}]}
    mixed = {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]}
    tuples_as_prefix_items(same)
    tuples_as_prefix_items(mixed)
    assert same == {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}
    assert mixed == {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "integer"}],
        "minItems": 2,
        "maxItems": 2,
    }


def test_no_schema_of_the_document_writes_a_tuple_as_a_list_of_items(schema: dict[str, Any]) -> None:
    found: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("items"), list):
                found.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    walk(schema, "")
    assert not found
    facets = schema["components"]["schemas"]["Facets"]["properties"]["organisations"]["items"]
    assert facets == {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}
