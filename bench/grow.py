"""Grow an instance into a province of N issued documents, for bench/load.py --documents.

    ISODOC_INSTANCE_PATH=... .venv/bin/python bench/grow.py --documents 50000

Every agency of the registry gets an equal share of issued TTHC procedures. Each one is
what issuing writes: a commit on the agency's main whose tree replaces one file, with the
file's front matter, the commit message and the trailers of `services.issue`, and the
Document and Revision rows pointing at that commit and blob. The commits are written by
one `git fast-import` per agency instead of 50,000 runs of the workflow (hours); then the
search index is rebuilt with `isodoc reindex`. The instance must be migrated and may
hold the demo already. Figures' scaffolding, not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search import ACTIONS, CLAUSES, FIELDS, OBJECTS, WORDS  # noqa: E402

AUTHOR = "bench.tacgia"
BATCH = 2000


def body(rng: random.Random, action: str, obj: str) -> str:
    sections = []
    for title in ("1. Mục đích", "2. Phạm vi", "3. Tài liệu viện dẫn", "5. Nội dung",
                  "7. Hồ sơ cần lưu"):
        words = " ".join(rng.choice(WORDS) for _ in range(85))
        sections.append(f"## {title}\n\n{action} {obj}. {words.capitalize()}.")
    return "\n\n".join(sections)


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 (git's id)


def fast_import(repo: Path, parent: str | None, commits: list[tuple[str, bytes, str]],
                who: str, when: int) -> list[str]:
    """One commit on main per (slug, content, message), in order; their shas."""
    marks = repo / "bench-marks"
    stream = bytearray()
    for i, (slug, data, message) in enumerate(commits, start=1):
        msg = message.encode()
        stream += b"commit refs/heads/main\nmark :%d\n" % i
        stream += f"author {who} {when} +0700\ncommitter {who} {when} +0700\n".encode()
        stream += b"data %d\n%s\n" % (len(msg), msg)
        if i == 1 and parent:
            stream += f"from {parent}\n".encode()
        stream += f"M 100644 inline documents/{slug}.md\n".encode()
        stream += b"data %d\n%s\n" % (len(data), data)
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet",
                    f"--export-marks={marks}"], input=bytes(stream), check=True)
    by_mark = dict(line.split() for line in marks.read_text().splitlines())
    marks.unlink()
    return [by_mark[f":{i}"] for i in range(1, len(commits) + 1)]


def grow(documents: int, seed: int = 2018) -> int:
    from sqlalchemy import select

    from isodoc.agencies.models import Agency
    from isodoc.auth.models import User
    from isodoc.documents import content, services
    from isodoc.documents.models import Document, DocumentKind, Revision, RevisionState
    from isodoc.documents.repos import person, repo_for
    from isodoc.extensions import db
    from isodoc.timeutil import utcnow

    rng = random.Random(seed)
    author = db.session.scalar(select(User).where(User.username == AUTHOR))
    if author is None:
        author = User(username=AUTHOR, full_name="Người soạn thảo (số liệu đo)",
                      password_hash="!", active=False)  # cannot sign in
        db.session.add(author)
        db.session.flush()
    who = person(author)
    ident = f"{who.name} <{who.email}>"
    author_id, author_name = author.id, author.full_name
    agencies = [(a.id, a.code) for a in db.session.scalars(select(Agency).order_by(Agency.id))]
    share, extra = divmod(documents, len(agencies))
    effective = date.today() - timedelta(days=30)
    made, started = 0, time.perf_counter()
    for n, (agency_id, agency_code) in enumerate(agencies):
        count = share + (1 if n < extra else 0)
        if not count:
            continue
        repo = repo_for(db.session.get(Agency, agency_id))
        rows = []
        for i in range(1, count + 1):
            action, obj = rng.choice(ACTIONS), rng.choice(OBJECTS)
            code = f"QT-B{i:05d}"
            tthc = f"1.{100000 + (made + i) % 900000:06d}"
            clauses = rng.sample(CLAUSES, 2)
            doc = Document(agency_id=agency_id, code=code, slug=services.slugify(code),
                           title=f"Quy trình {action.lower()} {obj}", kind=DocumentKind.TTHC,
                           tthc_code=tthc, field=rng.choice(FIELDS),
                           iso_clauses=" ".join(clauses), review_months=12)
            revision = Revision(document=doc, seq=1, number=1, state=RevisionState.ISSUED,
                                author_id=author_id, title=doc.title, kind=doc.kind,
                                tthc_code=tthc, field=doc.field, iso_clauses=doc.iso_clauses,
                                approved_by_id=author_id, approved_at=utcnow(),
                                issued_by_id=author_id, issued_at=utcnow(),
                                effective_date=effective)
            rows.append((doc, revision, body(rng, action, obj), clauses))
        db.session.add_all([r for row in rows for r in row[:2]])
        db.session.flush()  # revision ids for the trailers
        commits = []
        for doc, revision, text, clauses in rows:
            meta = {"code": doc.code, "title": doc.title, "kind": str(doc.kind),
                    "agency": agency_code, "tthc_code": doc.tthc_code, "field": doc.field,
                    "iso_clauses": clauses, "review_interval_months": 12,
                    "drafted_by": author_name, "revision": 1,
                    "effective_date": effective.isoformat(), "approved_by": author_name}
            data = content.compose(meta, text)
            message = services.commit_message(
                f"Ban hành {doc.code} lần 1: {doc.title}", None, {
                    "Document": doc.code, "Revision": 1,
                    "Effective-date": effective.isoformat(), "Approved-by": AUTHOR,
                    "Issued-by": AUTHOR, "Isodoc-Revision": revision.id})
            commits.append((doc.slug, data, message))
            revision.blob_sha = blob_sha(data)
        shas = fast_import(repo.path, repo.main_sha(), commits, ident, int(time.time()))
        for (doc, revision, *_), sha in zip(rows, shas, strict=True):
            revision.commit_sha = doc.head_commit = sha
        db.session.commit()
        db.session.expunge_all()
        made += count
        rate = made / (time.perf_counter() - started)
        print(f"  {made}/{documents} tài liệu ({rate:.0f}/s)", file=sys.stderr, flush=True)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, required=True)
    args = parser.parse_args()
    from isodoc import create_app

    app = create_app()
    with app.app_context():
        made = grow(args.documents)
    print(f"Đã thêm {made} tài liệu; dựng lại chỉ mục tìm kiếm …", flush=True)
    subprocess.run([str(Path(sys.executable).parent / "isodoc"), "reindex"], check=True)


if __name__ == "__main__":
    main()
