"""Signing in (issue 8, defect 6): one throttle for all workers, no timing oracle for
user names, and no common, repeated or sequential passwords."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from isodoc.auth import passwords, services, throttle
from isodoc.auth.models import RateLimitCounter, User
from isodoc.errors import InvalidInput
from tests.conftest import PASSWORD, login, post_form

ROOT = Path(__file__).resolve().parents[2]
TOO_MANY = "Bạn đã thử quá nhiều lần"

# A gunicorn worker: its own process and its own app on the shared database. It reads
# "username password" lines and answers each login attempt's status on one line.
WORKER = """
import json, sys
from pathlib import Path
from isodoc import create_app
from tests.conftest import app_config, login

app = create_app(app_config(Path(sys.argv[1]), sys.argv[2],
                            ISODOC_LOGIN_RATE_LIMIT="10 per minute"))
client = app.test_client()
print("ready", flush=True)
for line in sys.stdin:
    username, password = line.split()
    response = login(client, username, password)
    print(json.dumps([response.status_code, sys.argv[3] in response.get_data(as_text=True)]),
          flush=True)
"""


class Worker:
    def __init__(self, app, instance: Path):
        instance.mkdir()
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(instance),
             app.config["SQLALCHEMY_DATABASE_URI"], TOO_MANY],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})

    def ready(self) -> None:
        assert self.process.stdout.readline().strip() == "ready"

    def attempt(self, username: str, password: str) -> tuple[int, bool]:
        self.process.stdin.write(f"{username} {password}\n")
        self.process.stdin.flush()
        status, too_many = json.loads(self.process.stdout.readline())
        return status, too_many

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


def test_two_workers_share_one_login_count(app, province, make_user, tmp_path):
    username = make_user((province["dept"], "reader"))
    workers = [Worker(app, tmp_path / "w1"), Worker(app, tmp_path / "w2")]
    try:
        for worker in workers:
            worker.ready()
        answers = [workers[i % 2].attempt(username, "sai-mat-khau-roi") for i in range(10)]
        assert [status for status, _ in answers] == [401] * 10  # 5 failures in each worker
        status, too_many = workers[0].attempt(username, PASSWORD)  # the 11th, even right
        assert status == 429 and too_many
        assert workers[1].attempt(username, PASSWORD) == (429, True)
    finally:
        for worker in workers:
            worker.stop()


def test_login_count_is_per_client_address(make_app, province, make_user):
    throttled = make_app(ISODOC_LOGIN_RATE_LIMIT="3 per minute")
    username = make_user((province["dept"], "reader"))
    here, elsewhere = throttled.test_client(), throttled.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    for _ in range(3):
        assert login(here, username, "sai-mat-khau-roi").status_code == 401
    assert login(here, username).status_code == 429
    assert login(elsewhere, username).status_code == 302


def test_database_counter_window(app, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    storage = throttle.DatabaseStorage("database://")
    with app.app_context():
        assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
        assert storage.get("k") == 3 and storage.get_expiry("k") == 1_000_060.0
        assert storage.incr("other", 10) == 1
        clock[0] += 30
        assert storage.incr("k", 60, amount=2) == 5  # same window
        clock[0] += 31
        assert storage.get("k") == 0  # the window has ended
        assert storage.incr("k", 60) == 1  # a new one starts
        assert storage.get_expiry("k") == 1_000_121.0
        from isodoc.extensions import db

        # Ended windows of other keys are cleared on the way.
        assert db.session.scalars(select(RateLimitCounter.key)).all() == ["k"]
        storage.clear("k")
        assert storage.get("k") == 0 and storage.check()


@pytest.fixture
def argon2_calls(monkeypatch) -> dict[str, int]:
    calls = {"hash": 0, "verify": 0}
    real_hash, real_verify = PasswordHasher.hash, PasswordHasher.verify

    def counted_hash(self, *args, **kwargs):
        calls["hash"] += 1
        return real_hash(self, *args, **kwargs)

    def counted_verify(self, *args, **kwargs):
        calls["verify"] += 1
        return real_verify(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", counted_hash)
    monkeypatch.setattr(PasswordHasher, "verify", counted_verify)
    return calls


def test_unknown_user_costs_one_verify_and_no_hash(client, province, make_user, argon2_calls):
    username = make_user((province["dept"], "reader"))
    login(client, "khong.ton.tai", "bat-ky-mat-khau")  # warm-up: the dummy hash, once
    for who in ("khong.ton.tai", "ai.do.khac", "KHÔNG HỢP LỆ", username):
        argon2_calls.update(hash=0, verify=0)
        assert login(client, who, "bat-ky-mat-khau").status_code == 401
        assert argon2_calls == {"hash": 0, "verify": 1}, who


@pytest.mark.parametrize(("password", "message"), [
    ("matkhau123", "quá phổ biến"),
    ("MatKhau123", "quá phổ biến"),
    ("123456789a", "quá phổ biến"),
    ("abc@123456", "quá phổ biến"),
    ("password123", "quá phổ biến"),
    ("anhyeuem123", "quá phổ biến"),
    ("admin@2026", "quá phổ biến"),
    ("aaaaaaaaaaaa", "ký tự khác nhau"),
    ("abababababab", "ký tự khác nhau"),
    ("1111111122", "ký tự khác nhau"),
    ("1234567890", "dãy ký tự liền nhau"),
    ("0987654321", "dãy ký tự liền nhau"),
    ("abcdefghij", "dãy ký tự liền nhau"),
    ("QWERTYUIOP", "dãy ký tự liền nhau"),
    ("456789012345", "dãy ký tự liền nhau"),
    ("nguyen.van.an", "chứa tên đăng nhập"),
    ("Nguyen.Van.An-2026", "chứa tên đăng nhập"),
    ("nguyen-2026-x!", "«nguyen», một phần của tên đăng nhập"),
    ("ngan", "ít nhất 10 ký tự"),
])
def test_weak_passwords_are_refused(password, message):
    problem = passwords.password_problem(password, "nguyen.van.an")
    assert problem is not None and message in problem


@pytest.mark.parametrize("password", [PASSWORD, "mat-khau-moi-2026", "mat-khau-demo-2026",
                                      "Trời xanh mây trắng", "k7#Lm2@qPz9w"])
def test_reasonable_passwords_pass(password):
    assert passwords.password_problem(password, "stp.congchuc") is None


def test_random_passwords_meet_the_rules():
    for _ in range(200):
        assert passwords.password_problem(passwords.random_password("abc"), "abc") is None


def test_common_list_ships_in_the_package():
    common = passwords.common_passwords()
    assert len(common) > 1000 and "matkhau123" in common and "123456789a" in common
    assert all(not word.startswith("#") for word in common)
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"isodoc.auth" = ["*.txt"]' in pyproject


def test_own_password_change_refuses_weak_passwords(client, province, make_user):
    username = make_user((province["dept"], "reader"), username="stp.hoangminh")
    login(client, username)
    for new, message in (("matkhau2026", "quá phổ biến"),
                         ("stp.hoangminh-2026", "chứa tên đăng nhập"),
                         ("1111111111", "ký tự khác nhau")):
        post_form(client, "/account/password", {"current": PASSWORD, "new": new,
                                                 "confirm": new})
        assert message in client.get("/account").get_data(as_text=True), new
    post_form(client, "/logout", page="/")
    assert login(client, username).status_code == 302  # nothing changed


def test_service_and_cli_refuse_weak_passwords(app, province, make_user, in_db):
    from isodoc.cli import main
    from isodoc.policy import SYSTEM

    username = make_user((province["dept"], "reader"))
    with in_db() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        with pytest.raises(InvalidInput, match="quá phổ biến"):
            services.reset_password(user, SYSTEM, "password123")
        with pytest.raises(InvalidInput, match="dãy ký tự"):
            services.create_user("stp.moi", "Người Mới", SYSTEM, password="qwertyuiop")
        s.rollback()
    result = app.test_cli_runner().invoke(main, ["user", "set-password", username],
                                          input="abc@123456\nabc@123456\n")
    assert result.exit_code != 0 and "quá phổ biến" in result.output
    assert login(app.test_client(), username).status_code == 302  # unchanged


def test_demo_password_must_meet_the_rules(app, in_db):
    from isodoc.cli import main

    for weak, message in (("matkhau123", "quá phổ biến"),
                          ("congchuc-2026", "một phần của tên đăng nhập")):
        result = app.test_cli_runner().invoke(main, ["demo"],
                                              env={"ISODOC_DEMO_PASSWORD": weak})
        assert result.exit_code != 0 and "ISODOC_DEMO_PASSWORD" in result.output
        assert message in result.output
        with in_db() as s:
            assert s.scalars(select(User)).first() is None
