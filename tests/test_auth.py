"""Signing in and out, sessions, CSRF, throttling, one's own password."""

from __future__ import annotations

import re
import time
import unicodedata

from sqlalchemy import select

from isodoc.audit import AuditEntry
from isodoc.auth.models import RateLimitCounter, Role, User
from tests.conftest import PASSWORD, csrf_token, login, post_form


def test_reader_signs_in_and_sees_my_work(client, province, make_user):
    make_user((province["commune"], Role.READER), username="himlam.congchuc",
              full_name="Lò Thị Xuân")
    response = login(client, "himlam.congchuc")
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Việc của tôi" in page and "Lò Thị Xuân" in page
    assert "Công chức — " in page and "UBND phường Him Lam" in page
    assert "Người dùng" not in page  # no admin navigation for a reader


def test_wrong_password_is_refused_in_vietnamese_and_logged(client, province, make_user, in_db):
    make_user((province["dept"], Role.READER), username="stp.congchuc")
    response = login(client, "stp.congchuc", "sai-mat-khau-roi")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out
    with in_db() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login_failed")).one()
        assert entry.object_id == "stp.congchuc" and entry.ip == "127.0.0.1"


def test_unknown_user_gets_the_same_message(client, province):
    response = login(client, "khong.ton.tai", "bat-ky-mat-khau")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_disabled_account_cannot_sign_in(client, province, make_user):
    make_user((province["dept"], Role.READER), username="da.nghi", active=False)
    assert login(client, "da.nghi").status_code == 401


def test_empty_fields_get_vietnamese_messages(client):
    response = client.post("/login", data={"csrf_token": csrf_token(client)})
    page = response.get_data(as_text=True)
    assert "Vui lòng nhập tên đăng nhập." in page and "Vui lòng nhập mật khẩu." in page


def test_missing_csrf_token_is_refused_and_signs_nobody_in(client, province, make_user):
    make_user((province["dept"], Role.READER), username="stp.congchuc")
    response = client.post("/login", data={"username": "stp.congchuc", "password": PASSWORD})
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn hoặc biểu mẫu thiếu mã bảo mật" in \
        response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_next_goes_only_to_our_own_host(client, province, make_user):
    username = make_user((province["dept"], Role.READER))
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        response = login(client, username, next=target)
        assert response.location == "/", target
        post_form(client, "/logout", page="/")
    response = login(client, username, next="/agencies/?q=him")
    assert response.location == "/agencies/?q=him"


def test_protected_page_redirects_to_login_with_next(client):
    response = client.get("/agencies/")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_session_cookie_is_httponly_and_samesite_lax(client, province, make_user):
    username = make_user((province["dept"], Role.READER))
    response = login(client, username)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_when_configured(make_app, province, make_user):
    secure = make_app(SESSION_COOKIE_SECURE=True)
    username = make_user((province["dept"], Role.READER))
    client = secure.test_client()
    response = login(client, username)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie


def test_logout_ends_the_session(client, province, make_user):
    login(client, make_user((province["dept"], Role.READER)))
    response = post_form(client, "/logout", page="/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_logout_needs_post(client, province, make_user):
    login(client, make_user((province["dept"], Role.READER)))
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_login_is_throttled(make_app, province, make_user):
    throttled = make_app(ISODOC_LOGIN_RATE_LIMIT="3 per minute")
    username = make_user((province["dept"], Role.READER))
    client = throttled.test_client()
    for _ in range(3):
        assert login(client, username, "sai-mat-khau-roi").status_code == 401
    response = login(client, username)  # even the right password waits
    assert response.status_code == 429
    assert "Bạn đã thử quá nhiều lần" in response.get_data(as_text=True)


def test_failed_sign_ins_are_limited_per_account_from_any_address(
        make_app, province, make_user, in_db, monkeypatch):
    """A password guessed from many addresses: each address stays under its own limit,
    the account's failures are counted together, in every spelling of the name."""
    from types import SimpleNamespace

    from isodoc.auth import throttle

    limited = make_app(ISODOC_PROXIES=1, ISODOC_LOGIN_RATE_LIMIT="2 per minute",
                       ISODOC_LOGIN_ACCOUNT_RATE_LIMIT="3 per hour")
    client = limited.test_client()
    target = make_user((province["dept"], Role.READER), username="stp.ketoan")
    other = make_user((province["dept"], Role.READER))

    def attempt(address: int, username: str, password: str | None = None):
        return login(client, username, password or "sai-mat-khau-roi",
                     headers={"X-Forwarded-For": f"203.0.113.{address}"})

    for address, spelling in enumerate(["stp.ketoan", "  STP.KeToan ", "stp.ke\u200btoan"]):
        assert attempt(address, spelling).status_code == 401
    refused = attempt(10, target, PASSWORD)  # even the right password waits
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "nhập sai mật khẩu quá nhiều lần nên tạm thời bị khoá" in page
    assert refused.headers["Retry-After"]
    assert attempt(11, target, PASSWORD).status_code == 429
    # another account signs in from the same address
    assert login(limited.test_client(), other,
                 headers={"X-Forwarded-For": "203.0.113.10"}).status_code == 302
    with in_db() as s:
        locked = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "auth.login_locked")).all()
        assert [(e.object_id, e.ip) for e in locked] == [("stp.ketoan", "203.0.113.10")]
        # in the database storage, where every worker and node counts (test_login.py)
        keys = s.scalars(select(RateLimitCounter.key)).all()
        assert [k for k in keys if "/stp.ketoan/" in k and not k.startswith("breach/")]
    # once the window has passed, the owner signs in with the right password
    later = time.time() + 3601
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: later))
    assert attempt(13, target, PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_count_against_the_account(make_app, province, make_user):
    limited = make_app(ISODOC_LOGIN_ACCOUNT_RATE_LIMIT="2 per hour")
    username = make_user((province["dept"], Role.READER))
    for _ in range(3):
        client = limited.test_client()
        assert login(client, username).status_code == 302


def test_account_limit_does_not_tell_which_names_exist(make_app, province, make_user):
    limited = make_app(ISODOC_LOGIN_ACCOUNT_RATE_LIMIT="2 per hour")
    client = limited.test_client()
    known = make_user((province["dept"], Role.READER))
    pages = []
    for name in (known, "nguyễn.văn.a"):  # an account, and a name without one
        for _ in range(2):
            assert login(client, name, "sai-mat-khau-roi").status_code == 401
        response = login(client, name, "sai-mat-khau-roi")
        assert response.status_code == 429
        pages.append(unsigned(response.get_data(as_text=True)))
    # the same name in NFD, as some keyboards send it, has no fresh count
    response = login(client, unicodedata.normalize("NFD", "Nguyễn.Văn.A"), "sai-mat-khau-roi")
    assert response.status_code == 429
    pages.append(unsigned(response.get_data(as_text=True)))
    assert "tạm thời bị khoá" in pages[0] and pages[0] == pages[1] == pages[2]


def unsigned(page: str) -> str:
    """The page without its CSRF tokens: signed with the second they were made, they
    differ between two pages a second apart whoever asked."""
    return re.sub(r'(name="csrf_token" value=")[^"]*"', r'\1"', page)


def test_account_lockout_is_told_in_the_chosen_language(make_app):
    limited = make_app(ISODOC_LOGIN_ACCOUNT_RATE_LIMIT="1 per hour")
    client = limited.test_client()
    post_form(client, "/language/en", {"next": "/login"}, page="/login")
    assert login(client, "ai.do", "sai-mat-khau-roi").status_code == 401
    response = login(client, "ai.do", "sai-mat-khau-roi")
    assert response.status_code == 429
    assert "signing in with it is blocked for a while" in response.get_data(as_text=True)


def test_change_own_password(client, province, make_user):
    username = make_user((province["dept"], Role.READER))
    login(client, username)
    response = post_form(client, "/account/password", {
        "current": PASSWORD, "new": "mat-khau-moi-2026", "confirm": "mat-khau-moi-2026"})
    assert response.status_code == 302
    assert "Đã đổi mật khẩu." in client.get("/account").get_data(as_text=True)
    post_form(client, "/logout", page="/")
    assert login(client, username).status_code == 401
    assert login(client, username, "mat-khau-moi-2026").status_code == 302


def test_change_password_refusals_change_nothing(client, province, make_user):
    username = make_user((province["dept"], Role.READER))
    login(client, username)
    cases = [
        ({"current": "sai-mat-khau", "new": "mat-khau-moi-2026", "confirm": "mat-khau-moi-2026"},
         "Mật khẩu hiện tại không đúng."),
        ({"current": PASSWORD, "new": "mat-khau-moi-2026", "confirm": "khac-nhau-2026"},
         "Mật khẩu nhập lại không khớp"),
        ({"current": PASSWORD, "new": "ngan", "confirm": "ngan"},
         "Mật khẩu cần ít nhất 10 ký tự."),
    ]
    for data, message in cases:
        post_form(client, "/account/password", data)
        assert message in client.get("/account").get_data(as_text=True)
    post_form(client, "/logout", page="/")
    assert login(client, username).status_code == 302


def test_reset_password_ends_other_sessions(app, client, province, make_user, in_db):
    username = make_user((province["dept"], Role.READER))
    login(client, username)
    from isodoc.auth import services
    from isodoc.policy import SYSTEM

    with in_db() as s:
        services.reset_password(s.scalars(select(User).where(User.username == username)).one(),
                                SYSTEM, "mat-khau-dat-lai-2026")
    assert client.get("/").status_code == 302  # the old session is gone


def test_language_switch_keeps_vietnamese_default(client, province, make_user):
    login(client, make_user((province["dept"], Role.READER)))
    assert "Việc của tôi" in client.get("/").get_data(as_text=True)
    post_form(client, "/language/en", {"next": "/"}, page="/")
    page = client.get("/").get_data(as_text=True)
    assert "My work" in page and '<html lang="en">' in page
    post_form(client, "/language/vi", {"next": "/"}, page="/")
    assert "Việc của tôi" in client.get("/").get_data(as_text=True)


def test_expired_session_asks_to_sign_in_again(make_app, province, make_user):
    from datetime import timedelta

    short = make_app(PERMANENT_SESSION_LIFETIME=timedelta(seconds=1))
    client = short.test_client()
    login(client, make_user((province["dept"], "reader")))
    assert client.get("/").status_code == 200
    time.sleep(2.1)  # itsdangerous timestamps have one-second resolution
    response = client.get("/", follow_redirects=True)
    assert "Vui lòng đăng nhập để tiếp tục." in response.get_data(as_text=True)


def test_client_address_behind_a_trusted_proxy(make_app, province, make_user, in_db):
    proxied = make_app(ISODOC_PROXIES=1)
    client = proxied.test_client()
    username = make_user((province["dept"], "reader"))
    login(client, username, headers={"X-Forwarded-For": "203.0.113.9"})
    with in_db() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login")).one()
        assert entry.ip == "203.0.113.9"


def test_unexpected_error_shows_a_vietnamese_500_page(make_app):
    broken = make_app(TESTING=False)

    @broken.route("/hong")
    def hong():
        raise RuntimeError("boom")

    response = broken.test_client().get("/hong")
    assert response.status_code == 500
    assert "Hệ thống gặp lỗi không mong muốn." in response.get_data(as_text=True)
    assert "boom" not in response.get_data(as_text=True)
