"""Fixtures: one app per test session on SQLite, or on PostgreSQL when
ISODOC_TEST_DATABASE_URL is set; every test starts from empty tables.

Factories (`make_agency`, `make_user`) work in their own app context and return
plain values, so that requests made by the test client never share a session
with the test itself: what a request sees is what was committed.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete

from isodoc import create_app, migrate
from isodoc.agencies import services as agency_services
from isodoc.agencies.models import Agency, AgencyKind, QmsStatus
from isodoc.auth import services as auth_services
from isodoc.auth.models import Role
from isodoc.extensions import db
from isodoc.policy import SYSTEM

PASSWORD = "mat-khau-thu-nghiem"
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# `make test` runs each file whole on one of two workers (--dist loadfile), handing out
# files in the order they are collected. The slowest (measured: each a minute or more on
# a slow machine) go first, so that none starts when the other worker is nearly done.
SLOW_FIRST = ("tests/browser/test_accessibility.py", "tests/browser/test_english.py",
              "tests/security/test_hostile_text.py", "tests/security/test_authz_matrix.py",
              "tests/reliability/test_kill_issue.py", "tests/security/test_csrf.py",
              "tests/test_docx_import.py", "tests/browser/test_sign_in_journey.py",
              "tests/browser/test_visual_editor.py", "tests/security/test_schemathesis.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@pytest.fixture(autouse=True)
def _today_is_the_day_the_test_runs(request) -> None:
    """Test modules keep `TODAY = today_local()` for brevity. A run that crosses
    midnight in Vietnam (17:00 UTC) must compare with the day each test runs, as the app
    does, not with the day the module was imported."""
    from datetime import date

    from isodoc.timeutil import today_local

    module = request.module
    if isinstance(getattr(module, "TODAY", None), date):
        module.TODAY = today_local()


class ServerLikeClient(FlaskClient):
    """Reads the whole response and closes it, as a WSGI server does: work the app
    schedules for after the response (the search index update) runs, as in production."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("ISODOC_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # `make test` runs two workers
    return worker_database(url, worker) if worker else url


def worker_database(url: str, worker: str) -> str:
    """Each test worker gets its own PostgreSQL database beside the given one (`test` →
    `test_gw0`), created on first use: every test empties the tables it runs on."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from isodoc.config import normalise_database_url

    base = make_url(normalise_database_url(url))
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                     {"n": name}):
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def app_config(tmp_path, url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "ISODOC_STORE_PATH": str(tmp_path / "repos"),
        "ISODOC_INDEX_PATH": str(tmp_path / "index"),
        "ISODOC_ARGON2": FAST_ARGON2,
        "ISODOC_LOGIN_RATE_LIMIT": "1000 per minute",
        **extra,
    }


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> Iterator[Flask]:
    from isodoc.config import normalise_database_url

    url = normalise_database_url(database_url(tmp_path_factory))
    app = create_app(app_config(tmp_path_factory.mktemp("instance"), url))
    app.test_client_class = ServerLikeClient
    migrate.drop_everything(app)
    migrate.upgrade(app)  # the schema under test is the one the migrations build
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def make_app(app: Flask, tmp_path) -> Iterator[Callable[..., Flask]]:
    """Another app on the same database with some settings changed; disposed after."""
    made: list[Flask] = []

    def make(**settings) -> Flask:
        other = create_app(app_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"],
                                      **settings))
        other.test_client_class = ServerLikeClient
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def empty_tables(app: Flask) -> None:
    """Empty tables, an empty git store and empty search indexes before every test."""
    shutil.rmtree(app.config["ISODOC_STORE_PATH"], ignore_errors=True)
    os.makedirs(app.config["ISODOC_STORE_PATH"])
    from isodoc import search

    for (_, path), engine in list(search._engines.items()):
        if path == app.config["ISODOC_INDEX_PATH"] and engine.count():
            engine.clear()
    search._vocabulary.clear()  # "did you mean" remembers the words per index commit
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def in_db(app: Flask) -> Callable:
    """`with in_db() as s:` — a fresh session to arrange or check the database."""

    @contextmanager
    def session():
        with app.app_context():
            yield db.session
            db.session.commit()

    return session


@pytest.fixture
def make_agency(app: Flask) -> Callable[..., str]:
    def make(code: str, kind: AgencyKind | str = AgencyKind.DEPARTMENT,
             parent: str | None = "ubnd-tinh", name: str | None = None,
             status: QmsStatus = QmsStatus.NOT_STARTED, plan_year: int | None = 2019) -> str:
        with app.app_context():
            agency_services.create_agency(agency_services.AgencyData(
                code=code, name=name or f"Đơn vị {code}", kind=AgencyKind(kind),
                parent=agency_services.get_by_code(parent) if parent else None,
                qms_status=status, plan_year=plan_year), SYSTEM)
            db.session.commit()
        return code

    return make


@pytest.fixture
def province(make_agency) -> dict[str, str]:
    """A small province: two departments, two districts with a commune each."""
    make_agency("ubnd-tinh", AgencyKind.PROVINCE, parent=None, name="UBND tỉnh Điện Biên")
    make_agency("so-tu-phap", name="Sở Tư pháp")
    make_agency("so-y-te", name="Sở Y tế")
    make_agency("cc-thu-y", AgencyKind.SUB_DEPARTMENT, parent="so-y-te", name="Chi cục Thú y")
    make_agency("ubnd-dbp", AgencyKind.DISTRICT, name="UBND thành phố Điện Biên Phủ")
    make_agency("ubnd-mang", AgencyKind.DISTRICT, name="UBND huyện Mường Ảng")
    make_agency("dbp-him-lam", AgencyKind.COMMUNE, parent="ubnd-dbp", name="UBND phường Him Lam")
    make_agency("mang-bung-lao", AgencyKind.COMMUNE, parent="ubnd-mang", name="UBND xã Búng Lao")
    return {"root": "ubnd-tinh", "dept": "so-tu-phap", "other_dept": "so-y-te",
            "district": "ubnd-dbp", "commune": "dbp-him-lam", "other_commune": "mang-bung-lao"}


@pytest.fixture
def make_user(app: Flask) -> Callable[..., str]:
    counter = iter(range(1, 10_000))

    def make(*roles: tuple[str, Role | str], username: str | None = None,
             password: str = PASSWORD, full_name: str = "Nguyễn Văn Thử",
             active: bool = True) -> str:
        username = username or f"user{next(counter)}"
        with app.app_context():
            user, _ = auth_services.create_user(username, full_name, SYSTEM, password=password)
            for code, role in roles:
                auth_services.add_membership(user, SYSTEM, agency_services.get_by_code(code),
                                            Role(role))
            user.active = active
            db.session.commit()
        return username

    return make


def csrf_token(client: FlaskClient, page: str = "/login") -> str:
    match = CSRF_RE.search(client.get(page).get_data(as_text=True))
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD, headers=None, **extra):
    data = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/login", data={**data, **extra}, headers=headers)


def post_form(client: FlaskClient, url: str, data: dict | None = None, page: str = "/account",
              **kwargs):
    """Submit a form the way a browser does: with the CSRF token of the session."""
    return client.post(url, data={"csrf_token": csrf_token(client, page), **(data or {})},
                       **kwargs)


def in_english(client: FlaskClient) -> FlaskClient:
    """This browser chooses English, as the footer's switch does."""
    response = post_form(client, "/language/en", {"next": "/"}, page="/")
    assert response.status_code == 302
    return client


def user_pk(in_db, username: str) -> int:
    from isodoc.auth.models import User

    with in_db() as s:
        return s.scalar(db.select(User.id).where(User.username == username))


def api_token(in_db, username: str, label: str = "api") -> dict[str, str]:
    """The Authorization header of a new personal API token of `username`."""
    from isodoc.auth.models import User

    with in_db() as s:
        user = s.scalars(db.select(User).where(User.username == username)).one()
        return {"Authorization": f"Bearer {auth_services.create_token(user, user, label)}"}


@pytest.fixture
def signed_in(client: FlaskClient, make_user) -> Callable[..., FlaskClient]:
    def sign_in(*roles, **kwargs) -> FlaskClient:
        username = make_user(*roles, **kwargs)
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in


def agency(code: str) -> Agency:
    """Inside an app context: the agency with that code."""
    found = agency_services.get_by_code(code)
    assert found is not None, code
    return found


DOC_AGENCY = "so-tu-phap"


@pytest.fixture
def staff(province, make_user) -> dict[str, str]:
    return {
        "reader": make_user((DOC_AGENCY, "reader"), username="stp.congchuc",
                            full_name="Nguyễn Thị Hoa"),
        "author": make_user((DOC_AGENCY, "author"), username="stp.soanthao",
                            full_name="Trần Văn Bình"),
        "secretary": make_user((DOC_AGENCY, "secretary"), username="stp.thuky",
                               full_name="Lê Thu Hà"),
        "approver": make_user((DOC_AGENCY, "approver"), username="stp.lanhdao",
                              full_name="Phạm Quốc Hùng"),
        "auditor": make_user((DOC_AGENCY, "auditor"), username="stp.danhgia",
                             full_name="Đỗ Minh Tâm"),
        "outsider": make_user(("so-y-te", "secretary"), username="syt.thuky",
                              full_name="Người Sở Y tế"),
    }


class Desk:
    """One browser-like client per person, signing in as needed."""

    def __init__(self, app, staff):
        self.app, self.staff, self.clients = app, staff, {}

    def __call__(self, who: str):
        if who not in self.clients:
            client = self.app.test_client()
            assert login(client, self.staff[who]).status_code == 302
            self.clients[who] = client
        return self.clients[who]


@pytest.fixture
def desk(app, staff) -> Desk:
    return Desk(app, staff)


def certify(*usernames: str) -> None:
    """Inside an app context: give each person a valid internal-auditor certificate (an
    audit team needs one, isodoc/training), recorded at their first agency."""
    from datetime import date

    from sqlalchemy import select

    from isodoc.auth.models import User
    from isodoc.training.models import AuditorCertificate

    for username in usernames:
        user = db.session.scalars(select(User).where(User.username == username)).one()
        db.session.add(AuditorCertificate(
            agency_id=user.memberships[0].agency_id, user=user, number=f"TEST-{username}",
            issuer="Trung tâm TĐC", issued_on=date(2000, 1, 1), valid_until=None))
    db.session.flush()


@pytest.fixture
def overseer(make_user) -> str:
    """The Sở KH&CN's overseer, under its demo name."""
    return make_user(("ubnd-tinh", "overseer"), username="sokhcn")


@pytest.fixture
def people(province, make_user) -> dict[str, str]:
    """The province's people of the TTHC tests, under their demo names."""
    return {
        "admin": make_user(("ubnd-tinh", "admin"), username="admin"),
        "overseer": make_user(("ubnd-tinh", "overseer"), username="sokhcn"),
        "author": make_user(("dbp-him-lam", "author"), username="himlam.soanthao"),
        "secretary": make_user(("dbp-him-lam", "secretary"), username="himlam.thuky"),
        "approver": make_user(("dbp-him-lam", "approver"), username="himlam.lanhdao"),
        "auditor": make_user(("dbp-him-lam", "auditor"), username="himlam.danhgia"),
        "other": make_user(("mang-bung-lao", "secretary"), username="bunglao.thuky"),
    }
