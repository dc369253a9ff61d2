"""Helpers for document-control tests: requests as the agency's people would make them."""

from __future__ import annotations

import html
import re
from contextlib import contextmanager
from datetime import date

from sqlalchemy import select, text

from isodoc.documents.models import Document, Revision
from isodoc.timeutil import today_local
from tests.conftest import csrf_token

AGENCY = "so-tu-phap"
BASE = f"/agencies/{AGENCY}/documents"


def user_id(in_db, username: str) -> str:
    from isodoc.auth.models import User

    with in_db() as s:
        return str(s.scalars(select(User.id).where(User.username == username)).one())


def post(client, url: str, data: dict | None = None):
    return client.post(url, data={"csrf_token": csrf_token(client, "/"), **(data or {})})


def create_from_template(client, template="qt-05-xem-xet-lanh-dao", **overrides):
    page = client.get(f"{BASE}/new?template={template}").get_data(as_text=True)
    body = re.search(r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', page, re.S).group(1)
    data = {"code": "QT-05", "title": "Quy trình xem xét của lãnh đạo", "kind": "internal",
            "iso_clauses": "9.3", "review_months": "12", "body": html.unescape(body),
            "field": "Hệ thống quản lý chất lượng", "tthc_code": "", **overrides}
    return post(client, f"{BASE}/new", data)


def draft_form(client, seq: int = 1, slug: str = "qt-05") -> dict:
    page = client.get(f"{BASE}/{slug}/drafts/{seq}/edit").get_data(as_text=True)
    values = {name: html.unescape(value) for name, value in
              re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page)}
    values["body"] = html.unescape(re.search(
        r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', page, re.S).group(1))
    for name in ("change_location", "change_summary", "reason"):
        found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', page, re.S)
        values[name] = html.unescape(found.group(1)) if found else ""
    values["kind"] = re.search(r'<option selected value="(\w+)"', page).group(1)
    values.pop("csrf_token", None)
    return values


def revision_row(in_db, seq: int = 1, slug: str = "qt-05") -> dict:
    with in_db() as s:
        r = s.scalars(select(Revision).join(Document).where(Document.slug == slug,
                                                             Revision.seq == seq)).one()
        return {"state": r.state, "number": r.number, "commit": r.commit_sha,
                "effective": r.effective_date, "head": r.head_sha}


def issue_qt05(desk, in_db, effective: date | None = None) -> None:
    """Draft → review → approve → issue, the happy path."""
    assert create_from_template(desk("author")).status_code == 302
    post(desk("author"), f"{BASE}/qt-05/drafts/1/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/qt-05/drafts/1/review", {"decision": "agreed"})
    post(desk("approver"), f"{BASE}/qt-05/drafts/1/approve", {"comment": "Đồng ý ban hành"})
    day = (effective or today_local()).strftime("%d/%m/%Y")
    post(desk("secretary"), f"{BASE}/qt-05/drafts/1/issue", {"effective_date": day})


@contextmanager
def older_database(tmp_path, revision: str):
    """A database of its own at migration `revision`, holding agency 1 (Sở Tư pháp) and
    user 1: the test writes rows as that schema had them, then upgrades to head with
    `command.upgrade(cfg, "head")`. Yields (connection, cfg)."""
    from alembic import command

    from isodoc import create_app, migrate
    from isodoc.extensions import db
    from tests.conftest import app_config

    other = create_app(app_config(tmp_path, f"sqlite:///{tmp_path / 'migrate.sqlite3'}"))
    try:
        with other.app_context(), db.engine.begin() as connection:
            cfg = migrate.alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
            connection.execute(text(
                "INSERT INTO agency (id, code, name, kind, qms_status, created_at) VALUES "
                "(1, 'so-tu-phap', 'Sở Tư pháp', 'department', 'not_started', '2026-01-01')"))
            connection.execute(text(
                "INSERT INTO user_account (id, username, full_name, password_hash, active, "
                "session_version, created_at) VALUES (1, 'a', 'A', 'x', 1, 0, '2026-01-01')"))
            yield connection, cfg
    finally:
        with other.app_context():
            db.engine.dispose()
