"""Sessions end everywhere on logout, password change and admin reset (issue 8, defect 4).

Each test replays what an attacker holding a copy of a cookie or a token would send.
"""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from isodoc.auth import services
from isodoc.auth.models import ApiToken, User
from tests.conftest import PASSWORD, login, post_form

NEW_PASSWORD = "doi-mat-khau-moi-2026"


def replay(app, cookies: dict[str, str]) -> FlaskClient:
    """A fresh browser holding only the given cookies (an attacker's copy)."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def cookie(client: FlaskClient, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def test_session_cookie_copied_before_logout_is_dead_after_it(app, client, province, make_user):
    login(client, make_user((province["dept"], "reader")))
    copy = {"session": cookie(client, "session")}
    assert replay(app, copy).get("/account").status_code == 200  # the copy works...
    post_form(client, "/logout", page="/")
    response = replay(app, copy).get("/account")  # ...until the owner signs out
    assert response.status_code == 302 and response.location.startswith("/login")


def test_remember_me_cookie_is_dead_after_logout(app, client, province, make_user):
    login(client, make_user((province["dept"], "reader")), remember="y")
    copy = {"remember_token": cookie(client, "remember_token")}
    assert replay(app, copy).get("/account").status_code == 200  # restores a session alone
    post_form(client, "/logout", page="/")
    response = replay(app, copy).get("/account")
    assert response.status_code == 302 and response.location.startswith("/login")


def shift_clock(monkeypatch, seconds: float) -> None:
    """The server's clock `seconds` later (what ages remember-me sign-ins)."""
    now = services.clock()
    monkeypatch.setattr(services, "clock", lambda: now + seconds)


def test_remember_me_cookie_is_refused_once_older_than_its_duration(app, province, make_user,
                                                                    monkeypatch):
    """A browser ignoring Max-Age, or a thief who wrote a later expiry on a stolen copy,
    still presents the cookie: the server refuses it all the same."""
    browser = app.test_client()
    login(browser, make_user((province["dept"], "reader")), remember="y")
    copy = {"remember_token": cookie(browser, "remember_token")}
    duration = app.config["REMEMBER_COOKIE_DURATION"].total_seconds()
    shift_clock(monkeypatch, duration - 60)
    assert replay(app, copy).get("/account").status_code == 200
    shift_clock(monkeypatch, duration + 60)
    response = replay(app, copy).get("/account")
    assert response.status_code == 302 and response.location.startswith("/login")
    # the browser's own session, which the cookie would restore, ends with it
    assert browser.get("/account").status_code == 302


def test_a_session_without_remember_me_is_not_aged_by_the_remember_duration(
        app, client, province, make_user, monkeypatch):
    login(client, make_user((province["dept"], "reader")))
    shift_clock(monkeypatch, app.config["REMEMBER_COOKIE_DURATION"].total_seconds() + 60)
    assert client.get("/account").status_code == 200  # PERMANENT_SESSION_LIFETIME rules it


def test_remember_me_cookie_without_a_sign_in_date_is_refused(app, province, make_user, in_db):
    """What the cookie carried before sign-ins were dated ("id:version"): it could not be
    aged, so it signs nobody in."""
    from flask_login.utils import encode_cookie

    username = make_user((province["dept"], "reader"))
    with in_db() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        undated = f"{user.id}:{user.session_version}"
    with app.test_request_context():
        legacy = encode_cookie(undated)
    response = replay(app, {"remember_token": legacy}).get("/account")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_password_change_ends_the_other_sessions_and_keeps_this_one(app, province, make_user):
    username = make_user((province["dept"], "reader"))
    office, home = app.test_client(), app.test_client()
    login(office, username)
    login(home, username, remember="y")
    home_remember = {"remember_token": cookie(home, "remember_token")}
    response = post_form(office, "/account/password", {
        "current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Đã đổi mật khẩu." in office.get("/account").get_data(as_text=True)
    response = home.get("/account")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert replay(app, home_remember).get("/account").status_code == 302


def test_password_change_keeps_remember_me_of_this_browser(app, province, make_user):
    username = make_user((province["dept"], "reader"))
    office = app.test_client()
    login(office, username, remember="y")
    post_form(office, "/account/password", {
        "current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    # The browser that changed the password is given a fresh remember-me cookie.
    assert replay(app, {"remember_token": cookie(office, "remember_token")}) \
        .get("/account").status_code == 200


def test_admin_reset_ends_sessions_and_revokes_api_tokens(app, signed_in, province, make_user,
                                                          in_db):
    username = make_user((province["dept"], "reader"))
    person = app.test_client()
    login(person, username, remember="y")
    remembered = {"remember_token": cookie(person, "remember_token")}
    with in_db() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        token = services.create_token(user, user, "Cổng dịch vụ công")
    bearer = {"Authorization": f"Bearer {token}"}
    api = app.test_client()
    assert api.get("/api/v1/me", headers=bearer).status_code == 200
    admin = signed_in(("ubnd-tinh", "admin"))
    response = post_form(admin, f"/admin/people/{username}/reset-password",
                         page=f"/admin/people/{username}")
    assert response.status_code == 200
    assert f"Mọi phiên đăng nhập và mã truy cập API của {username} đã bị huỷ." in \
        response.get_data(as_text=True)
    response = api.get("/api/v1/me", headers=bearer)
    assert response.status_code == 401 and "message" in response.get_json()
    assert person.get("/account").status_code == 302
    assert replay(app, remembered).get("/account").status_code == 302
    with in_db() as s:
        assert all(t.revoked_at is not None for t in s.scalars(select(ApiToken)))


def test_cli_set_password_revokes_tokens_too(app, province, make_user, in_db):
    from isodoc.cli import main

    username = make_user((province["dept"], "reader"))
    with in_db() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        token = services.create_token(user, user, "CLI")
    result = app.test_cli_runner().invoke(main, ["user", "set-password", username],
                                          input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401


def test_logout_in_one_browser_signs_out_the_others(app, province, make_user):
    username = make_user((province["dept"], "reader"))
    office, home = app.test_client(), app.test_client()
    login(office, username)
    login(home, username)
    response = post_form(office, "/logout", page="/", follow_redirects=True)
    assert "Mọi phiên đăng nhập khác của bạn cũng đã kết thúc." in response.get_data(as_text=True)
    assert home.get("/account").status_code == 302
    assert login(office, username).status_code == 302  # signing in again works
    assert office.get("/account").status_code == 200


def test_session_of_a_disabled_account_is_refused_on_the_next_request(app, client, province,
                                                                      make_user, in_db):
    username = make_user((province["dept"], "reader"))
    login(client, username)
    with in_db() as s:
        # Disabled directly in SQL (no version bump): the loader still refuses the session.
        s.scalars(select(User).where(User.username == username)).one().active = False
    assert client.get("/account").status_code == 302
