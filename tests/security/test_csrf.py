"""CSRF: every POST of the web UI (every rule of the URL map outside /api/) refuses a
request without a valid CSRF token, from a signed-in person the policy would otherwise
let through, with the Vietnamese message, and changes nothing."""

from __future__ import annotations

import pytest

from isodoc.errors import CSRF_MESSAGE
from tests.security.conftest import PERSONAS, Clients, World, build_world, changed, fingerprint
from tests.security.test_authz_matrix import TABLE, compute_expectations, rules_by_endpoint


@pytest.fixture(autouse=True)
def empty_tables() -> None:
    """The module keeps its one world (overrides tests/conftest.py's emptying)."""


@pytest.fixture(scope="module")
def world(app) -> World:
    return build_world(app)


@pytest.fixture(scope="module")
def clients(app, world) -> Clients:
    return Clients(app).signed_in()


@pytest.fixture(scope="module")
def answers(app, world):
    return compute_expectations(app, world)[0]


def ui_post_endpoints(app) -> list[str]:
    return sorted(e for e, methods in rules_by_endpoint(app).items()
                  if "POST" in methods and not e.startswith(("api.", "api_", "api-")))


def test_the_ui_has_post_endpoints_and_all_are_probed(app):
    endpoints = ui_post_endpoints(app)
    assert len(endpoints) > 40
    assert set(endpoints) <= set(TABLE)


def who_may(answers, endpoint: str, index: int) -> str:
    """A signed-in persona the policy lets through (admin when nobody may, e.g. a step the
    object's state forbids: the CSRF check must come first anyway)."""
    signed_in = [p for p, user in PERSONAS.items() if user]
    return next((p for p in signed_in if answers[(p, endpoint, index)]), "admin")


def test_every_ui_post_refuses_a_missing_or_forged_token(app, world, clients, answers):
    values = world.fmt()
    probed = 0
    for endpoint in ui_post_endpoints(app):
        for index, case in enumerate(TABLE[endpoint]):
            url = case.url.format(**values)
            persona = who_may(answers, endpoint, index)
            client = clients(persona)
            for data in ({}, {"csrf_token": "forged-token"}):
                before = fingerprint(app)
                response = client.post(url, data=data)
                assert response.status_code == 400, (endpoint, persona, response.status_code)
                assert CSRF_MESSAGE in response.get_data(as_text=True), endpoint
                assert changed(before, fingerprint(app)) == [], (endpoint, persona)
                probed += 1
            # still signed in: the refused POST did not end the session
            assert client.get("/account").status_code == 200, persona
    assert probed >= 2 * len(ui_post_endpoints(app))
