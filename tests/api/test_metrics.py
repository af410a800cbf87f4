"""Per-app Prometheus registry: request counts/latency by route template, rate-limit hits, auth failures."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from api.auth.api_keys import Scope


def sample(app, name: str, **labels: str) -> float:
    value = app.state.services.metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def test_requests_counted_by_route_template_not_raw_path(client, app, issue_key):
    key = issue_key(Scope.READ)
    for oid in ("a", "b", "c"):
        client.get(f"/demo/orders/{oid}", headers={"X-API-Key": key})
    labels = {"method": "GET", "route": "/demo/orders/{client_order_id}", "status": "404"}
    assert sample(app, "vaultcraft_api_requests_total", **labels) == 3
    assert sample(app, "vaultcraft_api_request_duration_seconds_count", **labels) == 3
    client.get("/no/such/path/123")
    assert sample(app, "vaultcraft_api_requests_total", method="GET", route="<unmatched>", status="404") == 1


def test_rate_limit_hits_and_auth_failures_counted(client, app, issue_key):
    key = issue_key(Scope.READ)
    for _ in range(7):
        client.get("/demo/whoami", headers={"X-API-Key": key})
    client.get("/demo/whoami")
    client.get("/demo/whoami", headers={"X-API-Key": "vc_nope"})
    client.post("/demo/orders", headers={"X-API-Key": key}, json={"client_order_id": "a", "size": 1})
    assert sample(app, "vaultcraft_api_rate_limited_total", policy="default", bucket="key") == 2
    assert sample(app, "vaultcraft_api_auth_failures_total", reason="unauthenticated") == 1
    assert sample(app, "vaultcraft_api_auth_failures_total", reason="invalid_api_key") == 1
    assert sample(app, "vaultcraft_api_auth_failures_total", reason="insufficient_scope") == 1


def test_unhandled_errors_counted_as_500(client, app, issue_key):
    client.get("/demo/boom", headers={"X-API-Key": issue_key(Scope.READ)})
    assert sample(app, "vaultcraft_api_requests_total", method="GET", route="/demo/boom", status="500") == 1


def test_metrics_endpoint__text_format_own_registry_only(client, make_app):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert 'vaultcraft_api_requests_total{method="GET",route="/healthz",status="200"} 1.0' in response.text
    other = TestClient(make_app()).get("/metrics").text
    assert 'route="/healthz"' not in other  # a second app starts from zero
    assert (
        REGISTRY.get_sample_value(
            "vaultcraft_api_requests_total", {"method": "GET", "route": "/healthz", "status": "200"}
        )
        is None
    )
