"""GET /v1/vaults/{vault}/kpis over an in-memory NAV provider: strings not floats, 400/404/422 paths."""

from __future__ import annotations

from fractions import Fraction

import pytest
from fastapi.testclient import TestClient

from api.errors import ErrorCode
from api.kpis import YEAR_S, InMemoryNavSeries, NavPoint

VAULT = "0x" + "12" * 20
Q = YEAR_S // 4
E18 = 10**18
POINTS = [
    NavPoint(t, int(Fraction(p) * E18))
    for t, p in [
        (0, 1),
        (Q, Fraction(11, 10)),
        (2 * Q, Fraction(99, 100)),
        (3 * Q, Fraction(1089, 1000)),
        (4 * Q, Fraction(121, 100)),
    ]
]


@pytest.fixture
def kpi_client(make_app) -> TestClient:
    return TestClient(make_app(nav_series=InMemoryNavSeries({VAULT: POINTS})), raise_server_exceptions=False)


def test_kpis__series_a_as_decimal_strings(kpi_client):
    body = kpi_client.get(f"/v1/vaults/{VAULT}/kpis", params={"risk_free_rate": "0.04"}).json()
    assert (
        body["total_return"] == "0.210000000000000000" and body["annualised_return"] == "0.210000000000000000"
    )
    assert body["max_drawdown"] == "0.100000000000000000" and body["drawdown_recovery_s"] == 2 * Q
    assert body["sharpe"].startswith("0.8388") and body["risk_free_rate"] == "0.04"
    assert not any(isinstance(v, float) for v in body.values())


def test_kpis__window_filters_points(kpi_client):
    body = kpi_client.get(f"/v1/vaults/{VAULT}/kpis", params={"start_s": Q, "end_s": 3 * Q}).json()
    assert (body["points"], body["start_s"], body["end_s"]) == (3, Q, 3 * Q)


def test_kpis__errors(kpi_client):
    assert kpi_client.get(f"/v1/vaults/0x{'34' * 20}/kpis").json()["code"] == ErrorCode.VAULT_NOT_FOUND
    assert kpi_client.get("/v1/vaults/not-an-address/kpis").json()["code"] == ErrorCode.VALIDATION_FAILED
    too_few = kpi_client.get(f"/v1/vaults/{VAULT}/kpis", params={"start_s": 4 * Q})
    assert too_few.status_code == 400 and too_few.json()["details"] == {"points": 1}
    backwards = kpi_client.get(f"/v1/vaults/{VAULT}/kpis", params={"start_s": 5, "end_s": 1})
    assert backwards.status_code == 400
    assert kpi_client.get(f"/v1/vaults/{VAULT}/kpis", params={"risk_free_rate": "1e3"}).status_code == 422


def test_kpis__route_absent_without_a_provider(client):
    assert client.get(f"/v1/vaults/{VAULT}/kpis").status_code == 404
