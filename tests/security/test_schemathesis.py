"""Schemathesis against /api/v1/openapi.json, through the WSGI app, with the bearer
tokens of the province admin and of a secretary: no 5xx, and every answer matches the
schema the OpenAPI document declares. Path parameters are generated or, half of the
time, those of the world's real objects. Bounded: 10 derandomised examples per operation
and person, no deadline."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.strategies import booleans
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.conftest import OWN, World, build_world

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance,
          response_headers_conformance, status_code_conformance]


@pytest.fixture(autouse=True)
def empty_tables() -> None:
    """The module keeps its one world (overrides tests/conftest.py's emptying)."""


@pytest.fixture(scope="module")
def world(app) -> World:
    return build_world(app)


def real_path(world: World, operation_path: str) -> dict[str, object]:
    """Path parameters of the world's objects, so that answers are real, not only 404s."""
    draft = "/drafts/" in operation_path
    return {"agency_code": OWN, "ref": world.slugs["draft_slug" if draft else "qt01_slug"],
            "seq": world.seqs["draft"], "number": 1, "audit_id": world.ids["audit"],
            "finding_id": world.ids["nc"], "number_": "7.5.3"}


def make_probe(operation, real: dict[str, object], headers: dict[str, str]):
    @given(case=operation.as_strategy(), use_real_path=booleans())
    @settings(max_examples=10, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def probe(case, use_real_path):
        if use_real_path and case.path_parameters:
            case.path_parameters = {k: real.get(k, v) for k, v in case.path_parameters.items()}
        case.call_and_validate(headers=headers, checks=CHECKS)

    return probe


@pytest.mark.parametrize("persona", ["admin", "secretary"])
def test_api_conforms_to_its_openapi_document(app, world, persona):
    """The province admin reaches every read; the Sở's secretary every write."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {world.tokens[persona]}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20

    failures = []
    for operation in operations:
        probe = make_probe(operation, real_path(world, operation.path), headers)
        try:
            probe()
        except (Exception, BaseExceptionGroup) as exc:  # probe all, report every failure
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
