"""OpenAPI is the contract: every error a route can answer is declared with the `ErrorBody` schema.

Declared statuses per operation: 500 always; 422 when the route takes parameters or a body; 400 when it
takes a body (undecodable bytes are refused before validation); plus what
its dependencies (and endpoint) declare with `api.errors.declares`. Routes may also list errors in
`responses=` themselves (`api.errors.error_responses`). FastAPI's own `HTTPValidationError` 422 schema is
replaced by `ErrorBody`, because that is what `api.errors` answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute, iter_route_contexts

from api.errors import DECLARED_ATTR, ErrorBody, error_responses

_REF = "#/components/schemas/"


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def declared_statuses(route: Any) -> set[int]:
    """Statuses for an APIRoute or FastAPI RouteContext wrapping one."""
    statuses = {500}
    if route.body_field is not None or get_flat_params(route.dependant):
        statuses.add(422)
    if route.body_field is not None:
        statuses.add(400)  # a body that is not decodable (e.g. invalid UTF-8) is refused before validation
    for call in (route.endpoint, *_calls(route.dependant)):
        statuses |= set(getattr(call, DECLARED_ATTR, ()))
    return statuses


def _error_response_object(status: int) -> dict[str, Any]:
    entry = error_responses(status)[status]
    out: dict[str, Any] = {
        "description": entry["description"],
        "content": {"application/json": {"schema": {"$ref": _REF + "ErrorBody"}}},
    }
    if "headers" in entry:
        out["headers"] = entry["headers"]
    return out


def _add_error_components(schema: dict[str, Any]) -> None:
    body = ErrorBody.model_json_schema(ref_template=_REF + "{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in body.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault("ErrorBody", body)


def build_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    _add_error_components(schema)
    for ctx in iter_route_contexts(app.routes):
        if not isinstance(ctx.original_route, APIRoute) or not ctx.include_in_schema:
            continue
        path_item = schema["paths"].get(ctx.path_format, {})
        for method in ctx.methods or ():
            operation = path_item.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(declared_statuses(ctx)):
                existing = responses.get(str(status))
                if existing is None or "HTTPValidationError" in json.dumps(existing):
                    responses[str(status)] = _error_response_object(status)
    components = schema["components"]["schemas"]
    if "HTTPValidationError" not in json.dumps(schema["paths"]):
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
    app.openapi_schema = schema
    return schema


def render_openapi(app: FastAPI | None = None) -> str:
    """The OpenAPI document as JSON text (sorted keys, stable diff). Without `app`, an offline one."""
    if app is None:
        from api.app import offline_app

        app = offline_app()
    return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"


def write_openapi(path: str | Path, app: FastAPI | None = None) -> Path:
    """Write the OpenAPI document as JSON (sorted keys, stable diff). Without `app`, builds an offline one."""
    out = Path(path)
    out.write_text(render_openapi(app))
    return out
