"""Property-based fuzzing of the JSON API from its own OpenAPI document.

Schemathesis generates requests for every operation in /api/openapi.json and
sends them, as an admin with a bearer token, to the app of a demo instance
(every built-in module, demo content). No response may be a server error and
every response must match the schema the document declares for it.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from willkommen_core import accounts
from willkommen_core.demo import prepare_demo
from willkommen_core.web.app import create_app

MAX_EXAMPLES = 25  # per operation: keeps the whole run well under two minutes


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    instance, _ = prepare_demo(tmp_path_factory.mktemp("fuzz") / "demo")
    token = accounts.create_token(instance.db, "fuzz-admin", "admin")
    yield create_app(instance), token
    instance.db.engine.dispose()


def _fuzz(operation, mode: GenerationMode, token: str) -> str | None:
    """Run one operation's examples in one generation mode; the failure, if any."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples every run: no flaky failures
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        case.call_and_validate(
            headers={"authorization": f"Bearer {token}"},
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # collected and reported per operation
        return f"{operation.label} ({mode.value}): {exc}"
    return None


def test_every_api_operation_answers_without_5xx_and_as_documented(demo_app):
    app, token = demo_app
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, "the document lists the API of every built-in module"
    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := _fuzz(operation, mode, token)) is not None
    ]
    assert failures == [], "\n\n".join(failures)


def test_an_id_beyond_64_bits_is_not_found_not_a_server_error(demo_app):
    from starlette.testclient import TestClient

    app, token = demo_app
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get(
            f"/api/v1/fortbildung/catalogue/{2**64}",
            headers={"authorization": f"Bearer {token}"},
        )
    assert response.status_code == 404
    assert response.json()["error"]


# Requests the generator rarely finds: those that return the demo's data (its
# training plan is of 2014), so every field of the full responses is checked too.
EXAMPLES = [
    ("/api/v1/fortbildung/plan", {}, {"year": 2014}),
    ("/api/v1/fortbildung/catalogue", {}, {}),
    ("/api/v1/fortbildung/catalogue/{entry_id}", {"entry_id": 3}, {}),
    ("/api/v1/partner/partners", {}, {}),
    ("/api/v1/partner/partners/{partner_id}", {"partner_id": 14}, {}),
    ("/api/v1/partner/public", {}, {}),
    ("/api/v1/prozesse/steps", {}, {}),
    ("/api/v1/prozesse/status", {}, {}),
    ("/api/v1/selbstcheck/rounds/{id}/results", {"id": 1}, {}),
    ("/api/v1/selbstcheck/rounds/{id}/results", {"id": 2}, {"perspective": "leitung"}),
]


@pytest.mark.parametrize(("path", "params", "query"), EXAMPLES)
def test_responses_full_of_demo_data_match_the_document(demo_app, path, params, query):
    app, token = demo_app
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    case = schema[path]["GET"].Case(path_parameters=params, query=query)
    response = case.call_and_validate(
        headers={"authorization": f"Bearer {token}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
    assert response.status_code == 200


def test_two_modules_models_of_the_same_name_each_keep_their_own_schema(demo_app):
    """The plan's and the training plan's answers are both a "plan" model: each
    operation's schema is its own model's, not whichever module was documented last."""
    app, _token = demo_app
    from starlette.testclient import TestClient

    with TestClient(app, base_url="https://testserver") as client:
        doc = client.get("/api/openapi.json").json()
    schemas = doc["components"]["schemas"]

    def fields(path: str) -> set[str]:
        op = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        return set(schemas[op["schema"]["$ref"].rsplit("/", 1)[1]]["properties"])

    assert {"groups"} <= fields("/api/v1/plan/")
    assert {"year", "sessions", "targets"} <= fields("/api/v1/fortbildung/plan")
