"""Benchmark of document control on a grown agency repository (prints figures).

    .venv/bin/python bench/issue.py [--documents 300] [--commits 5000] [--samples 200]

Builds, in a temporary instance, one agency whose repository holds `--documents`
documents and `--commits` commits on main (SQL rows to match), then measures with the
real services: issue end to end (git commit + SQL commit: what the person waits for),
then separately the search index update the worker makes after the response; save a
draft, read the revision in force (SQL + git + render), list a document's history
(`git log -- path`, before and after `isodoc maintenance` writes the commit-graph), diff
two revisions. Not a test: figures vary with the machine.
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from isodoc import create_app, migrate, search
from isodoc.agencies import services as agencies
from isodoc.agencies.models import AgencyKind
from isodoc.auth import services as people
from isodoc.auth.models import Role
from isodoc.commands import run
from isodoc.documents import content, services
from isodoc.documents.models import Decision, Document, DocumentKind, Revision
from isodoc.documents.repos import person, repo_for
from isodoc.extensions import db
from isodoc.policy import SYSTEM
from isodoc.timeutil import today_local, utcnow

WORDS = (
    "tiếp", "nhận", "hồ", "sơ", "thủ", "tục", "hành", "chính", "đăng", "ký", "khai", "sinh",
    "kết", "hôn", "chứng", "thực", "bản", "sao", "công", "chức", "tư", "pháp", "hộ", "tịch",
    "ủy", "ban", "nhân", "dân", "xã", "phường", "thị", "trấn", "thời", "hạn", "giải", "quyết",
    "lệ", "phí", "thành", "phần", "số", "lượng", "bản", "chính", "bản", "sao", "trả", "kết",
    "quả", "lưu", "trữ", "kiểm", "tra", "thẩm", "định", "phê", "duyệt", "ký", "ban", "hành",
    "quy", "trình", "biểu", "mẫu", "trách", "nhiệm", "lãnh", "đạo", "thư", "ký",
)


def body(rng: random.Random, n: int) -> str:
    """~3 KB of Vietnamese in the standard structure."""
    parts = []
    for section in ("1. Mục đích", "2. Phạm vi", "3. Tài liệu viện dẫn", "5. Nội dung quy trình",
                    "7. Hồ sơ cần lưu"):
        text = " ".join(rng.choice(WORDS) for _ in range(90))
        parts.append(f"## {section}\n\n{text.capitalize()} (bản {n}).\n")
    return "\n".join(parts)


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return statistics.median(ordered), p95, ordered[-1]


def timed(fn, n: int) -> list[float]:
    out = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def grow(agency, author, documents: int, commits: int, rng: random.Random
         ) -> list[tuple[int, str]]:
    """History through the store's own publish (one commit per issued revision) with the
    SQL rows that issue() would write; cheaper than the full workflow 5,000 times."""
    repo, who = repo_for(agency), person(author)
    docs = []
    started = time.perf_counter()
    for i in range(commits):
        if i < documents:
            code = f"QT-{i + 1:03d}"
            doc = Document(agency=agency, code=code, slug=services.slugify(code),
                           title=f"Quy trình số {i + 1}", kind=DocumentKind.TTHC)
            db.session.add(doc)
            docs.append(doc)
            number = 1
        else:
            doc = docs[i % documents]
            number = len(doc.revisions) + 1
        meta = {"code": doc.code, "title": doc.title, "revision": number}
        sha = repo.publish(doc.slug, content.compose(meta, body(rng, number)), who, who,
                           f"Ban hành {doc.code} lần {number}\n\nRevision: {number}\n"
                           f"Document: {doc.code}\n", doc.head_commit)
        revision = Revision(document=doc, seq=number, number=number, state="issued",
                            author=author, title=doc.title, commit_sha=sha,
                            effective_date=today_local() - timedelta(days=commits - i),
                            issued_at=utcnow())
        db.session.add(revision)
        doc.head_commit = sha
        if i % 500 == 499:
            db.session.commit()
            rate = (i + 1) / (time.perf_counter() - started)
            print(f"  {i + 1}/{commits} commits ({rate:.0f}/s)", file=sys.stderr)
    db.session.commit()
    return [(d.id, d.slug) for d in docs]


class FastImportAnchor:
    """The floor for issuing: one `git fast-import` process writing one commit that
    changes one document of the same grown repository (on a ref of its own, from
    main's tip), then one row written and committed in SQLite. One sample is taken
    right after each issue, so both see the same machine."""

    def __init__(self, tmp: Path, store: str, rng: random.Random):
        self.repo, self.rng, self.n = Path(store) / "so-tu-phap.git", rng, 0
        self.parent = subprocess.run(
            ["git", "-C", str(self.repo), "rev-parse", "refs/heads/main"],
            capture_output=True, text=True, check=True).stdout.strip()
        self.db = sqlite3.connect(tmp / "anchor.sqlite3")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS issued (id INTEGER PRIMARY KEY, "
                        "sha TEXT, at TEXT)")
        self.db.commit()

    def sample(self) -> float:
        data = body(self.rng, 1000 + self.n).encode()
        message = f"Anchor {self.n}\n\nRevision: {self.n}\n".encode()
        stamp = int(time.time())
        stream = (b"commit refs/bench/anchor\n"
                  b"committer Bench <bench@isodoc.invalid> %d +0000\n"
                  b"data %d\n%s\nfrom %s\n"
                  b"M 100644 inline documents/qt-%03d.md\ndata %d\n%s\n\n"
                  % (stamp, len(message), message, self.parent.encode(),
                     (self.n * 7) % 300 + 1, len(data), data))
        started = time.perf_counter()
        subprocess.run(["git", "-C", str(self.repo), "fast-import", "--quiet", "--force"],
                       input=stream, check=True, capture_output=True)
        self.db.execute("INSERT INTO issued (sha, at) VALUES (?, ?)", (self.parent, str(stamp)))
        self.db.commit()
        elapsed = (time.perf_counter() - started) * 1000
        self.parent, self.n = "refs/bench/anchor^0", self.n + 1  # its own last commit
        return elapsed

    def close(self) -> None:
        self.db.close()
        subprocess.run(["git", "-C", str(self.repo), "update-ref", "-d", "refs/bench/anchor"],
                       check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", action="store_true",
                        help="print a pyinstrument profile of the issues "
                             "(pip install pyinstrument)")
    args = parser.parse_args()
    rng = random.Random(2018)
    tmp = Path(tempfile.mkdtemp(prefix="isodoc-bench-"))
    atexit.register(shutil.rmtree, tmp, True)  # 130 MB of repositories a run otherwise
    url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("ISODOC_SECRET_KEY", "bench")
    app = create_app({"INSTANCE_PATH": str(tmp), "SQLALCHEMY_DATABASE_URI": url,
                      "ISODOC_STORE_PATH": str(tmp / "repos"),
                      "ISODOC_ARGON2": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}})
    migrate.drop_everything(app)
    migrate.upgrade(app)
    with app.app_context():
        root = agencies.create_agency(agencies.AgencyData("ubnd-tinh", "UBND tỉnh",
                                                          AgencyKind.PROVINCE, None), SYSTEM)
        agency = agencies.create_agency(agencies.AgencyData("so-tu-phap", "Sở Tư pháp",
                                                            AgencyKind.DEPARTMENT, root), SYSTEM)
        staff = {}
        for role in (Role.AUTHOR, Role.SECRETARY, Role.APPROVER, Role.AUDITOR):
            user, _ = people.create_user(f"bench.{role.value}", f"Người {role.label}",
                                         SYSTEM, password="mat-khau-do-hieu-nang-2026")
            people.add_membership(user, SYSTEM, agency, role)
            staff[role] = user
        db.session.commit()
        staff = {role: user.id for role, user in staff.items()}
        author = db.session.get(type(user), staff[Role.AUTHOR])
        print(f"Growing {args.documents} documents / {args.commits} commits…", file=sys.stderr)
        t0 = time.perf_counter()
        docs = grow(agency, author, args.documents, args.commits, rng)
        build_s = time.perf_counter() - t0

    results = []

    def measure(name, fn, n, target=None, setup=None):
        with app.app_context():
            state = setup() if setup else None
            samples = timed(lambda i: fn(i, state), n)
        p50, p95, worst = percentiles(samples)
        results.append((name, n, p50, p95, worst, target))

    def staff_in_session(role):
        from isodoc.auth.models import User

        return db.session.get(User, staff[role])

    def prepared_revisions(count: int):
        """Drafts taken to 'approved' through the workflow, ready to issue."""
        ready = []
        author, auditor = staff_in_session(Role.AUTHOR), staff_in_session(Role.AUDITOR)
        for i in range(count):
            doc = db.session.get(Document, docs[(i * 7) % len(docs)][0])
            revision = run(services.start_revision, doc, author)
            run(services.save_draft, revision, author, revision.head_sha,
                services.DocumentFields(doc.title, DocumentKind.TTHC), body(rng, 999),
                change_summary="Cập nhật", reason="Bench")
            run(services.submit, revision, author, [auditor])
            run(services.review, revision, auditor, Decision.AGREED, "")
            run(services.approve, revision, staff_in_session(Role.APPROVER))
            ready.append(revision.id)
        return ready

    issue_n = min(args.samples, args.documents)  # one open draft per document at a time

    def issue(i, ready):
        revision = db.session.get(Revision, ready[i])
        run(services.issue, revision, staff_in_session(Role.SECRETARY), today_local())

    with app.app_context():
        ready = prepared_revisions(issue_n)
    issue_times, index_times, anchor_times = [], [], []
    anchor = FastImportAnchor(tmp, app.config["ISODOC_STORE_PATH"], rng)
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    for i in range(issue_n):
        with app.app_context():  # one request each: its own repository and session
            started = time.perf_counter()
            if profiler:
                profiler.start()
            issue(i, ready)
            if profiler:
                profiler.stop()
            issued = time.perf_counter()
        with app.app_context():
            search.drain()  # what the worker does once the response has gone out
        issue_times.append((issued - started) * 1000)
        index_times.append((time.perf_counter() - issued) * 1000)
        anchor_times.append(anchor.sample())
    anchor.close()
    if profiler:
        print(profiler.output_text(unicode=True, color=False), file=sys.stderr)
    for name, samples, target in (("issue (git + SQL)", issue_times, 100),
                                  ("anchor: fast-import + SQLite", anchor_times, None),
                                  ("search update after issue", index_times, None)):
        results.append((name, issue_n, *percentiles(samples), target))

    def save_setup():
        doc = db.session.get(Document, docs[1][0])
        revision = run(services.start_revision, doc, staff_in_session(Role.AUTHOR))
        return revision.id

    def save(i, revision_id):
        revision = db.session.get(Revision, revision_id)
        run(services.save_draft, revision, staff_in_session(Role.AUTHOR), revision.head_sha,
            services.DocumentFields(revision.title, DocumentKind.TTHC), body(rng, i))

    measure("save draft", save, args.samples, None, save_setup)
    slugs = [slug for _, slug in docs]

    def read(i, _):
        """What the document page reads: the document, the revision in force, its front
        matter and sanitised HTML (a new request: nothing left in the SQL session)."""
        db.session.expire_all()
        doc = services.load_document("so-tu-phap", rng.choice(slugs))
        found = services.read_entry(services.in_force(doc))
        _ = (found.meta, found.html)

    measure("read in force", read, args.samples * 5, 5)

    def history_page(i, _):
        """What the history page and API list: SQL rows with approvals and reasons."""
        from isodoc.documents.views import HISTORY_OPTIONS

        db.session.expire_all()
        doc = services.load_document("so-tu-phap", rng.choice(slugs), *HISTORY_OPTIONS)
        for revision in services.issued(doc):
            _ = (revision.author.full_name, revision.approved_by, list(revision.reviews))

    def git_log(i, _):
        """`git log main -- documents/<slug>.md`, what a clone of the repository shows."""
        repo_for(agencies.get_by_code("so-tu-phap")).history(rng.choice(slugs))

    measure("history page (SQL)", history_page, args.samples, 5)
    measure("git log -- path (no graph)", git_log, args.samples, None)
    with app.app_context():
        t0 = time.perf_counter()
        repo_for(agencies.get_by_code("so-tu-phap")).write_commit_graph()
        graph_s = time.perf_counter() - t0
    measure("git log -- path (graph)", git_log, args.samples, None)  # not on a page

    def diff(i, _):
        db.session.expire_all()
        doc = services.get_document(agencies.get_by_code("so-tu-phap"), rng.choice(slugs))
        revisions = services.issued(doc)
        old, new = services.read_parts(revisions[0])[1], services.read_parts(revisions[-1])[1]
        content.word_diff(old, new)

    measure("diff two revisions", diff, args.samples, None)

    print(f"\nisodoc document-control benchmark — {args.documents} documents, "
          f"{args.commits} commits on main, {url.split(':')[0]}")
    print(f"history built in {build_s:.1f} s ({args.commits / build_s:.0f} commits/s); "
          f"commit-graph written in {graph_s * 1000:.0f} ms\n")
    print(f"{'operation':<28}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}  target p95")
    for name, n, p50, p95, worst, target in results:
        verdict = "" if target is None else (f"≤ {target} ms " +
                                             ("ok" if p95 <= target else "MISSED"))
        print(f"{name:<28}{n:>6}{p50:>10.2f}{p95:>10.2f}{worst:>10.2f}  {verdict}")
    p50s = {name: p50 for name, _, p50, _, _, _ in results}
    p95s = {name: p95 for name, _, _, p95, _, _ in results}
    issue_ratio = p95s["issue (git + SQL)"] / p95s["anchor: fast-import + SQLite"]
    print(f"\nissue p95 / anchor p95 (git fast-import of one commit on the same history + "
          f"one SQLite write): {issue_ratio:.2f}× (goal ≤ 1.5×)")
    ratio = p50s["git log -- path (no graph)"] / max(p50s["git log -- path (graph)"], 0.001)
    print(f"\ncommit-graph (isodoc maintenance) speeds up `git log -- path` p50 {ratio:.1f}×")
    from summary import write_rows

    # `make bench`'s table: the issue against its anchor, reads against their 5 ms target
    write_rows("issue", [
        {"figure": f"issue p95 ms, {args.commits} commits", "unit": "ms", "goal": 1.5,
         "value": p95s["issue (git + SQL)"], "anchor": p95s["anchor: fast-import + SQLite"]},
        {"figure": "read in force p95 ms (target 5)", "unit": "ms", "goal": 1.0,
         "value": p95s["read in force"], "anchor": 5.0},
        {"figure": "history page p95 ms (target 5)", "unit": "ms", "goal": 1.0,
         "value": p95s["history page (SQL)"], "anchor": 5.0},
    ])


if __name__ == "__main__":
    main()
