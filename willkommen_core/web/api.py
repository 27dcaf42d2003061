"""The JSON API under ``/api/v1/``: typed routes and their OpenAPI document.

An :class:`ApiRoute` names its request and response models (pydantic); the
core validates the body, enforces access (bearer token from
``willkommen token create``, or a staff session plus the CSRF header for
state-changing calls) and builds ``/api/openapi.json`` from the same models,
so the document cannot drift from the code.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, FloatConvertor, IntegerConvertor
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from .routing import CSRF_HEADER, SAFE_METHODS

MAX_JSON_BODY = 256 * 1024
MAX_JSON_DEPTH = 32
MAX_ID = 2**63 - 1  # largest integer SQLite and PostgreSQL (bigint) can bind


class ApiError(Exception):
    """A client error with a specific message; rendered as ``{"error": ...}``."""

    def __init__(
        self, status: int, message: str, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []


class ErrorBody(BaseModel):
    error: str
    details: list[dict[str, Any]] = []


def error_response(
    status: int, message: str, details: list[dict[str, Any]] | None = None
) -> JSONResponse:
    return JSONResponse({"error": message, "details": details or []}, status_code=status)


class ApiRoute(Route):
    """A JSON endpoint. The endpoint receives the request and, with a
    ``request_model``, the validated body; it returns a model, a dict/list or
    a :class:`Response`."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str] = ("GET",),
        roles: Sequence[str] | None = None,
        public: bool = False,
        summary: str = "",
        request_model: type[BaseModel] | None = None,
        response_model: type[BaseModel] | None = None,
        status_code: int = 200,
        query: dict[str, str] | None = None,
        name: str | None = None,
    ) -> None:
        self.public = public
        self.roles = tuple(roles) if roles else None
        self.summary = summary
        self.request_model = request_model
        self.response_model = response_model
        self.status_code = status_code
        self.query = query or {}
        self.csrf = True
        super().__init__(
            path, self._wrap(endpoint), methods=list(methods), name=name or endpoint.__name__
        )

    def _wrap(self, endpoint: Callable[..., Any]) -> Callable[[Request], Awaitable[Response]]:
        is_async = asyncio.iscoroutinefunction(endpoint)

        async def wrapped(request: Request) -> Response:
            try:
                user = request.state.user
                if not self.public:
                    if user is None:
                        return error_response(
                            401, "authentication required (bearer token or login)"
                        )
                    if self.roles and not user.has_role(*self.roles):
                        return error_response(403, f"role {user.role!r} may not use this endpoint")
                    if request.method not in SAFE_METHODS and not user.via_token:
                        expected = request.session.get("csrf", "")
                        if not expected or request.headers.get(CSRF_HEADER) != expected:
                            return error_response(403, "CSRF token missing or invalid")
                if any(isinstance(v, int) and v > MAX_ID for v in request.path_params.values()):
                    # No row has such an id, and the database driver cannot even bind it.
                    return error_response(404, "not found")
                args: list[Any] = [request]
                if self.request_model is not None:
                    args.append(await _parse_body(request, self.request_model))
                result = (
                    await endpoint(*args) if is_async else await run_in_threadpool(endpoint, *args)
                )
            except ApiError as exc:
                return error_response(exc.status, exc.message, exc.details)
            if isinstance(result, Response):
                return result
            if isinstance(result, BaseModel):
                result = result.model_dump(mode="json")
            return JSONResponse(result, status_code=self.status_code)

        return wrapped


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _depth(data: Any) -> int:
    """How deeply lists and objects nest in ``data`` (without recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, level + 1) for child in children)
    return deepest


async def _parse_body(request: Request, model: type[BaseModel]) -> BaseModel:
    if not _is_json(request.headers.get("content-type", "")):
        raise ApiError(415, "the request body must be JSON (Content-Type: application/json)")
    body = await request.body()
    if len(body) > MAX_JSON_BODY:
        raise ApiError(413, f"request body larger than {MAX_JSON_BODY} bytes")
    try:
        data = json.loads(body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"malformed JSON: {exc}") from exc
    except RecursionError as exc:
        raise ApiError(400, f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from exc
    if _depth(data) > MAX_JSON_DEPTH:
        raise ApiError(400, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]) or "(body)", "message": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        first = details[0]
        raise ApiError(
            422, f"invalid request: {first['field']}: {first['message']}", details
        ) from exc


def _walk(routes: Sequence[BaseRoute], prefix: str = "") -> list[tuple[str, ApiRoute]]:
    found = []
    for route in routes:
        if isinstance(route, ApiRoute):
            # path_format: "{id}", not Starlette's "{id:int}" (invalid OpenAPI templating)
            found.append((prefix + route.path_format, route))
        elif isinstance(route, Mount):
            found.extend(_walk(route.routes, prefix + route.path))
    return found


def _param_schema(convertor: Convertor[Any]) -> dict[str, Any]:
    if isinstance(convertor, IntegerConvertor):
        return {"type": "integer", "minimum": 0, "maximum": MAX_ID}
    if isinstance(convertor, FloatConvertor):
        return {"type": "number"}
    return {"type": "string"}


def openapi_document(routes: Sequence[BaseRoute], title: str, version: str) -> dict[str, Any]:
    """OpenAPI 3.1 for every :class:`ApiRoute` below ``routes``."""
    paths: dict[str, dict[str, Any]] = {}
    walked = list(_walk(routes))
    models = {ErrorBody} | {
        m for _p, r in walked for m in (r.request_model, r.response_model) if m is not None
    }
    # All at once: pydantic names two modules' models of the same name apart
    # (e.g. both a "GroupOut") instead of one silently replacing the other.
    refs, document = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: (m.__module__, m.__qualname__))],
        ref_template="#/components/schemas/{model}",
    )
    schemas: dict[str, Any] = document.get("$defs", {})

    def ref(model: type[BaseModel]) -> dict[str, str]:
        return {"$ref": refs[(model, "validation")]["$ref"]}

    error_ref = ref(ErrorBody)
    for path, route in walked:
        params = [
            {"name": p, "in": "path", "required": True, "schema": _param_schema(c)}
            for p, c in route.param_convertors.items()
        ] + [
            {
                "name": q,
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": d,
            }
            for q, d in route.query.items()
        ]
        ok: dict[str, Any] = {"description": "OK"}
        if route.response_model is not None:
            ok["content"] = {"application/json": {"schema": ref(route.response_model)}}
        err = {"content": {"application/json": {"schema": error_ref}}}
        responses: dict[str, Any] = {str(route.status_code): ok}
        for code, text in (
            ("400", "Malformed request"),
            ("415", "The body is not JSON"),
            ("422", "Invalid request"),
        ):
            if route.request_model is not None:
                responses[code] = {"description": text, **err}
        if not route.public:
            responses["401"] = {"description": "Not authenticated", **err}
            responses["403"] = {"description": "Not allowed", **err}
        for method in sorted((route.methods or set()) - {"HEAD"}):
            op: dict[str, Any] = {
                "summary": route.summary or route.name,
                "operationId": f"{method.lower()}_{route.name}",
                "parameters": params,
                "responses": responses,
            }
            if route.request_model is not None:
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": ref(route.request_model)}},
                }
            if not route.public:
                op["security"] = [{"bearer": []}]
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
