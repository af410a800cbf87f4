"""docs/api/openapi.json is the contract: it must match the code, and every /v1 operation documents a
response model and its error statuses (all as `ErrorBody`)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.openapi import render_openapi
from vaultcraft.cli import app as cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"


def test_checked_in_openapi_document_is_current():
    assert DOC.exists(), "run `vaultcraft api openapi`"
    assert DOC.read_text() == render_openapi(), "docs/api/openapi.json is stale: run `vaultcraft api openapi`"


def test_every_v1_operation_has_a_response_model_and_declared_errors():
    schema = json.loads(render_openapi())
    v1 = {(p, m): op for p, item in schema["paths"].items() if p.startswith("/v1") for m, op in item.items()}
    assert len(v1) >= 15
    for (path, method), op in v1.items():
        success = next(op["responses"][code] for code in ("200", "201") if code in op["responses"])
        ok = success["content"]["application/json"]["schema"]
        typed = ok.get("items", {}) if ok.get("type") == "array" else ok
        assert "$ref" in typed, (path, method, ok)  # a named model (or a list of one), not an untyped object
        assert {"429", "500"} <= set(op["responses"]), (path, method)
        assert "422" in op["responses"], (path, method)  # unknown query parameters are refused everywhere
        for status, response in op["responses"].items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorBody"
                }
        if "{vault}" in path:
            assert "404" in op["responses"], path
    assert "403" in schema["paths"]["/v1/vaults/{vault}/positions"]["get"]["responses"]
    statement = schema["paths"]["/v1/vaults/{vault}/statements/{holder}"]["get"]
    assert {"401", "403"} <= set(statement["responses"])
    assert {"401", "403"} <= set(schema["paths"]["/v1/audit-log"]["get"]["responses"])
    assert "409" in schema["paths"]["/v1/auth/login"]["post"]["responses"]
    assert "503" in schema["paths"]["/v1/vaults/{vault}"]["get"]["responses"]
    assert "400" in schema["paths"]["/v1/vaults/{vault}/nav"]["get"]["responses"]


def test_cli_openapi_check_and_write(tmp_path):
    runner = CliRunner()
    out = tmp_path / "openapi.json"
    stale = runner.invoke(cli, ["api", "openapi", "--check", "--out", str(out)])
    assert stale.exit_code == 1 and "out of date" in stale.output
    written = runner.invoke(cli, ["api", "openapi", "--out", str(out)])
    assert written.exit_code == 0 and out.read_text() == render_openapi()
    assert runner.invoke(cli, ["api", "openapi", "--check", "--out", str(out)]).exit_code == 0
