"""Logging: one record per request with its id, user and endpoint; an unhandled error
logged at ERROR with its traceback; no secrets in the log."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from isodoc.auth import services
from isodoc.auth.models import User
from tests.conftest import login

REQUEST_LOGGER = "isodoc.request"


def request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == REQUEST_LOGGER and hasattr(r, "status")]


def test_one_record_per_request_with_id_user_and_endpoint(app, client, make_user, caplog):
    username = make_user()
    assert login(client, username).status_code == 302
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="isodoc"):
        response = client.get("/account?token=bi-mat-khong-ghi", headers={
            "X-Request-ID": "proxy-1234", "Authorization": "Bearer bi-mat-header"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "proxy-1234"
    [record] = request_records(caplog)
    assert record.levelno == logging.INFO
    assert (record.request_id, record.method, record.path, record.status) == \
        ("proxy-1234", "GET", "/account", 200)
    assert record.username == username and isinstance(record.user_id, int)
    assert record.endpoint and record.endpoint != "-"
    assert isinstance(record.duration_ms, float) and record.duration_ms >= 0
    text = caplog.text
    assert "bi-mat-khong-ghi" not in text and "bi-mat-header" not in text


@pytest.mark.parametrize("header", ["", "x" * 200, "a b", "mã-yêu-cầu", "<script>"])
def test_an_insane_request_id_is_replaced_by_a_fresh_one(client, caplog, header):
    with caplog.at_level(logging.INFO, logger="isodoc"):
        response = client.get("/login", headers={"X-Request-ID": header} if header else {})
    rid = response.headers["X-Request-ID"]
    assert rid != header and len(rid) == 32 and rid.isalnum()
    [record] = request_records(caplog)
    assert record.request_id == rid and record.username == "-" and record.user_id is None


def test_an_unhandled_exception_is_logged_with_its_traceback(make_app, caplog):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/__boom")
    def boom():
        raise RuntimeError("nổ thử")

    with caplog.at_level(logging.INFO, logger="isodoc"):
        response = app.test_client().get("/__boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-500"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    [error] = errors
    assert error.exc_info and error.exc_info[0] is RuntimeError
    assert error.request_id == "req-500" and error.path == "/__boom"
    assert "nổ thử" in caplog.text and "Traceback" in caplog.text
    [line] = request_records(caplog)
    assert line.status == 500 and line.request_id == "req-500"


def test_level_comes_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("ISODOC_LOG_LEVEL", "warning")
    make_app()
    assert logging.getLogger("isodoc").level == logging.WARNING
    monkeypatch.setenv("ISODOC_LOG_LEVEL", "no-such-level")
    make_app()
    assert logging.getLogger("isodoc").level == logging.INFO


def test_an_api_request_is_logged_with_its_token_user_and_not_the_token(client, make_user,
                                                                         in_db, caplog):
    username = make_user()
    with in_db() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        token = services.create_token(user, user, "nhật ký")
    with caplog.at_level(logging.INFO, logger="isodoc"):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    [record] = request_records(caplog)
    assert (record.path, record.status, record.username) == ("/api/v1/me", 200, username)
    assert token not in caplog.text
