"""Schemathesis against /api/v1/openapi.json, through the WSGI app, with a bearer token
of the province admin (who reaches every operation): no 5xx, and every answer matches
the schema the OpenAPI document declares. Bounded: a few derandomised examples per
operation, no deadline."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.conftest import World, build_world

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance,
          response_headers_conformance, status_code_conformance]


@pytest.fixture(autouse=True)
def empty_tables() -> None:
    """The module keeps its one world (overrides tests/conftest.py's emptying)."""


@pytest.fixture(scope="module")
def world(app) -> World:
    return build_world(app)


def test_api_conforms_to_its_openapi_document(app, world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {world.tokens['admin']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20

    failures = []
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=6, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def probe(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            probe()
        except (Exception, BaseExceptionGroup) as exc:  # probe all, report every failure
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
