"""Benchmark of the document register page of a large agency (prints figures).

    .venv/bin/python bench/register.py [--documents 1000] [--requests 50]
                                       [--database-url postgresql://...]

Builds, in a temporary instance, one agency with `--documents` documents: each one a
git commit on main through the store (the file as issue() writes it) and the SQL rows
issue() would write (every fifth document also has a revision to take effect next week,
every seventh an open draft with other metadata, every tenth was never issued). Then
GETs the register as the agency's secretary through the Flask test client `--requests`
times and prints the median and p95 time and the number of SQL statements per request,
and the same for the document API list and the work list. Not a test: figures vary
with the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from isodoc import create_app, migrate  # noqa: E402
from isodoc.agencies import services as agencies  # noqa: E402
from isodoc.agencies.models import AgencyKind  # noqa: E402
from isodoc.auth import services as people  # noqa: E402
from isodoc.auth.models import Role  # noqa: E402
from isodoc.documents import content, services  # noqa: E402
from isodoc.documents.models import Document, Revision  # noqa: E402
from isodoc.documents.repos import person, repo_for  # noqa: E402
from isodoc.extensions import db  # noqa: E402
from isodoc.policy import SYSTEM  # noqa: E402
from isodoc.timeutil import today_local, utcnow  # noqa: E402

PASSWORD = "mat-khau-bench-2026"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
BODY = ("## 1. Mục đích\n\nQuy định trình tự tiếp nhận, giải quyết hồ sơ thủ tục hành "
        "chính đúng hạn.\n\n## 2. Phạm vi\n\nÁp dụng tại bộ phận một cửa.\n")


def grow(agency, author, count: int) -> None:
    repo, who = repo_for(agency), person(author)
    today = today_local()
    started = time.perf_counter()
    for i in range(count):
        code = f"QT-{i + 1:04d}"
        title = f"Quy trình giải quyết thủ tục hành chính số {i + 1}"
        tthc = f"1.{i:06d}"
        document = Document(agency=agency, code=code, slug=services.slugify(code), title=title,
                            kind="tthc", tthc_code=tthc, iso_clauses="8.1 8.5.1")
        db.session.add(document)
        if i % 10 == 9:  # never issued: only a draft
            document.revisions.append(Revision(
                seq=1, state="draft", author=author, title=title, kind="tthc",
                tthc_code=tthc, iso_clauses="8.1"))
            continue
        issues = [(1, today - timedelta(days=400 + i))]
        if i % 5 == 0:
            issues.append((2, today + timedelta(days=7)))
        for number, effective in issues:
            meta = {"code": code, "title": title, "kind": "tthc", "agency": agency.code,
                    "revision": number, "effective_date": effective.isoformat(),
                    "tthc_code": tthc, "iso_clauses": ["8.1", "8.5.1"]}
            sha = repo.publish(document.slug, content.compose(meta, BODY), who, who,
                               f"Ban hành {code} lần {number}: {title}\n\n"
                               f"Document: {code}\nRevision: {number}\n"
                               f"Effective-date: {effective.isoformat()}\n",
                               document.head_commit)
            document.revisions.append(Revision(
                seq=number, number=number, state="issued", author=author, title=title,
                kind="tthc", tthc_code=tthc, iso_clauses="8.1 8.5.1", commit_sha=sha,
                effective_date=effective, issued_at=utcnow()))
            document.head_commit = sha
        if i % 7 == 3:
            document.revisions.append(Revision(
                seq=len(document.revisions) + 1, state="draft", author=author, title=title,
                kind="internal", iso_clauses="7.5", review_months=6,
                last_comment="Bổ sung lưu đồ"))
        if i % 200 == 199:
            db.session.commit()
            rate = (i + 1) / (time.perf_counter() - started)
            print(f"  {i + 1}/{count} documents ({rate:.0f}/s)", file=sys.stderr)
    db.session.commit()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="isodoc-bench-register-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("ISODOC_SECRET_KEY", "bench")
    app = create_app({"INSTANCE_PATH": str(tmp), "SQLALCHEMY_DATABASE_URI": url,
                      "ISODOC_STORE_PATH": str(tmp / "repos"),
                      "ISODOC_INDEX_PATH": str(tmp / "index"),
                      "ISODOC_LOGIN_RATE_LIMIT": "1000 per minute",
                      "ISODOC_ARGON2": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}})
    migrate.drop_everything(app)
    migrate.upgrade(app)
    with app.app_context():
        root = agencies.create_agency(agencies.AgencyData("ubnd-tinh", "UBND tỉnh",
                                                          AgencyKind.PROVINCE, None), SYSTEM)
        agency = agencies.create_agency(agencies.AgencyData("so-tu-phap", "Sở Tư pháp",
                                                            AgencyKind.DEPARTMENT, root), SYSTEM)
        users = {}
        for role in (Role.AUTHOR, Role.SECRETARY):
            user, _ = people.create_user(f"bench.{role.value}", f"Người {role.label}",
                                         SYSTEM, password=PASSWORD)
            people.add_membership(user, SYSTEM, agency, role)
            users[role] = user
        token = people.create_token(users[Role.SECRETARY], SYSTEM, "bench")
        db.session.commit()
        print(f"Creating {args.documents} documents…", file=sys.stderr)
        t0 = time.perf_counter()
        grow(agency, users[Role.AUTHOR], args.documents)
        build_s = time.perf_counter() - t0
        engine = db.engine

    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: statements.append(statement))

    def signed_in(username: str):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf_token": CSRF.search(page).group(1)})
        return client

    secretary, author = signed_in("bench.secretary"), signed_in("bench.author")
    cases = [
        ("register page (secretary)", secretary, "/agencies/so-tu-phap/documents/", {}),
        ("register CSV export", secretary, "/agencies/so-tu-phap/documents/export.csv", {}),
        ("API document list", app.test_client(), "/api/v1/agencies/so-tu-phap/documents",
         {"Authorization": f"Bearer {token}"}),
        ("work list (author)", author, "/", {}),
    ]
    print(f"\nisodoc register benchmark — {args.documents} documents in one agency, "
          f"{url.split(':')[0]}; built in {build_s:.1f} s\n")
    print(f"{'request':<28}{'n':>5}{'median ms':>11}{'p95 ms':>9}{'SQL/req':>9}")
    for name, client, path, headers in cases:
        response = client.get(path, headers=headers)  # warm up (templates, caches)
        assert response.status_code == 200, (path, response.status_code)
        samples, counts = [], []
        for _ in range(args.requests):
            statements.clear()
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
            counts.append(len(statements))
            assert response.status_code == 200
        median, p95 = percentiles(samples)
        print(f"{name:<28}{args.requests:>5}{median:>11.1f}{p95:>9.1f}{max(counts):>9}")


if __name__ == "__main__":
    main()
