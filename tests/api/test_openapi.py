"""OpenAPI is the contract: every error response a route can answer is declared, with `ErrorBody`."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from api.auth.api_keys import Scope
from api.openapi import write_openapi

ERROR_REF = "#/components/schemas/ErrorBody"


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            yield path, method, op


def test_write_openapi__offline_document_is_stable_json(tmp_path):
    out = write_openapi(tmp_path / "openapi.json")
    schema = json.loads(out.read_text())
    assert schema["info"]["title"] == "VaultCraft API"
    assert "ErrorBody" in schema["components"]["schemas"] and "ErrorCode" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in out.read_text()
    again = write_openapi(tmp_path / "again.json")
    assert again.read_text() == out.read_text()


def test_every_error_response_uses_error_body_and_500_is_always_declared(app):
    schema = app.openapi()
    assert list(operations(schema))
    for path, method, op in operations(schema):
        assert "500" in op["responses"], (path, method)
        for status, response in op["responses"].items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, (
                    path,
                    status,
                )


def test_authenticated_routes_declare_401_403_429_and_security(app):
    schema = app.openapi()
    secured = [(p, m, op) for p, m, op in operations(schema) if op.get("security")]
    assert {p for p, _, _ in secured} >= {"/demo/whoami", "/demo/orders", "/demo/admin/pause"}
    for path, _, op in secured:
        assert {"401", "403", "429"} <= set(op["responses"]), path
        assert ("422" in op["responses"]) == bool(op.get("parameters") or op.get("requestBody")), path
        assert "Retry-After" in op["responses"]["429"]["headers"]
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_route_specific_errors_are_declared(app):
    paths = app.openapi()["paths"]
    assert "409" in paths["/demo/orders"]["post"]["responses"]
    assert "404" in paths["/demo/orders/{client_order_id}"]["get"]["responses"]
    assert "503" in paths["/readyz"]["get"]["responses"]
    assert "422" not in paths["/healthz"]["get"]["responses"]  # no parameters, no validation error


def test_every_status_observed_in_tests_is_declared(app, issue_key, mono_clock):
    """Drive error paths, then compare what the metrics saw (route template x status) with the schema."""
    client = TestClient(app, raise_server_exceptions=False)
    read = issue_key(Scope.READ)
    trade = issue_key(Scope.TRADE, owner="desk-2")
    admin = issue_key(Scope.ADMIN, owner="ops")
    auth = lambda k: {"X-API-Key": k}  # noqa: E731
    client.get("/demo/whoami")
    client.get("/demo/whoami", headers=auth("vc_bad"))
    client.post("/demo/orders", headers=auth(read), json={"client_order_id": "x", "size": 1})
    client.post("/demo/orders", headers=auth(trade), json={"client_order_id": "x", "size": 0})
    client.post("/demo/orders", headers=auth(trade), json={"client_order_id": "x", "size": 1})
    client.post("/demo/orders", headers=auth(trade), json={"client_order_id": "x", "size": 1})
    client.get("/demo/orders/nope", headers=auth(read))
    client.get("/demo/boom", headers=auth(read))
    client.get("/demo/login/challenge", params={"address": "0x1"})
    client.post("/demo/login", json={"message": "m", "signature": "0x" + "11" * 65})
    for _ in range(3):
        client.post("/demo/admin/pause", headers=auth(admin), json={})
    for _ in range(6):
        client.get("/demo/whoami", headers=auth(read))
    client.get("/readyz")

    schema = app.openapi()
    registry = app.state.services.metrics.registry
    seen = {
        (s.labels["method"].lower(), s.labels["route"], s.labels["status"])
        for metric in registry.collect()
        if metric.name == "vaultcraft_api_requests"
        for s in metric.samples
        if s.name.endswith("_total")
    }
    errors = {x for x in seen if int(x[2]) >= 400}
    assert {x[2] for x in errors} >= {"400", "401", "403", "404", "409", "422", "429", "500"}
    for method, route, status in errors:
        assert status in schema["paths"][route][method]["responses"], (method, route, status)
