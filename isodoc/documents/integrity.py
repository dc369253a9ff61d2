"""`isodoc check [--repair]`: SQL and the git store must tell the same story.

Git is the truth for content: a commit on main that SQL does not know (the process
died between the git commit and the SQL commit) is replayed into SQL from its
trailers. What SQL claims but git lacks cannot be invented and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.documents import services
from isodoc.documents.models import Document, Revision, RevisionState, WithdrawalRequest
from isodoc.documents.repos import repo_for
from isodoc.documents.workflow import OPEN_STATES
from isodoc.extensions import db


@dataclass
class Problem:
    agency: str
    document: str
    message: str
    repaired: bool = False

    def __str__(self) -> str:
        mark = "đã sửa" if self.repaired else "CHƯA sửa"
        return f"[{mark}] {self.agency}/{self.document}: {self.message}"


def agencies_with_repos() -> list[Agency]:
    root = Path(current_app.config["ISODOC_STORE_PATH"])
    codes = {p.name[:-4] for p in root.glob("*.git")}
    with_docs = set(db.session.scalars(select(Agency.code).join(
        Document, Document.agency_id == Agency.id)))
    wanted = codes | with_docs
    return db.session.scalars(select(Agency).where(Agency.code.in_(wanted))
                              .order_by(Agency.code)).all() if wanted else []


def user_named(username: str | None) -> User | None:
    if not username:
        return None
    return db.session.scalar(select(User).where(User.username == username))


def check(repair: bool = False) -> list[Problem]:
    problems: list[Problem] = []
    for agency in agencies_with_repos():
        problems += check_agency(agency, repair)
    if repair:
        db.session.flush()
    return problems


def check_agency(agency: Agency, repair: bool) -> list[Problem]:
    repo = repo_for(agency)
    problems = []
    documents = {d.code: d for d in services.agency_documents(agency)}
    on_main: set[str] = set()
    for commit in repo.main_log():
        t = commit.trailers
        document = documents.get(t.get("Document", ""))
        if document is None:
            problems.append(Problem(agency.code, t.get("Document", "?"),
                                    f"commit {commit.sha[:10]} trên main không có tài liệu "
                                    "tương ứng trong CSDL"))
            continue
        on_main.add(commit.sha)
        if t.get("Action") == "withdraw":
            problems += check_withdrawal(document, commit, t, repair)
        else:
            problems += check_issue(repo, document, commit, t, repair)
    for document in documents.values():
        problems += check_document(repo, document, on_main, repair)
    return problems


def check_issue(repo, document: Document, commit, t: dict, repair: bool) -> list[Problem]:
    rid = t.get("Isodoc-Revision", "")
    revision = db.session.get(Revision, int(rid)) if rid.isdigit() else None
    if revision is None or revision.document_id != document.id:
        return [Problem(document.agency.code, document.code,
                        f"commit {commit.sha[:10]} nhắc tới bản {rid!r} không có trong CSDL")]
    if revision.state == RevisionState.ISSUED and revision.commit_sha == commit.sha:
        return []
    problem = Problem(document.agency.code, document.code,
                      f"lần ban hành {t.get('Revision')} có trên git (commit {commit.sha[:10]}) "
                      "nhưng CSDL chưa ghi nhận")
    if repair and revision.state != RevisionState.ISSUED:
        if revision.approved_by is None:
            revision.approved_by = user_named(t.get("Approved-by"))
        services.record_issue(revision, commit.sha, int(t["Revision"]),
                              date.fromisoformat(t["Effective-date"]),
                              user_named(t.get("Issued-by")))
        problem.repaired = True
    return [problem]


def check_withdrawal(document: Document, commit, t: dict, repair: bool) -> list[Problem]:
    wid = t.get("Isodoc-Withdrawal", "")
    request = db.session.get(WithdrawalRequest, int(wid)) if wid.isdigit() else None
    if request is not None and request.state == "confirmed" and request.commit_sha == commit.sha:
        return []
    problem = Problem(document.agency.code, document.code,
                      f"thu hồi có trên git (commit {commit.sha[:10]}) nhưng CSDL chưa ghi nhận")
    if repair and request is not None:
        request.decided_by = request.decided_by or user_named(t.get("Approved-by"))
        services.record_withdrawal(request, commit.sha)
        problem.repaired = True
    return [problem]


def check_document(repo, document: Document, on_main: set[str], repair: bool) -> list[Problem]:
    problems = []
    code = document.code
    for revision in document.revisions:
        if revision.state == RevisionState.ISSUED:
            if revision.commit_sha not in on_main:
                problems.append(Problem(document.agency.code, code,
                                        f"lần {revision.number}: commit {revision.commit_sha} "
                                        "không có trên main (không thể tự sửa)"))
                continue
            blob = repo.blob_sha(revision.commit_sha, document.slug)
            if blob != revision.blob_sha:
                problem = Problem(document.agency.code, code,
                                  f"lần {revision.number}: nội dung trong CSDL khác git")
                if repair:
                    revision.blob_sha, problem.repaired = blob, True
                problems.append(problem)
        elif revision.state in OPEN_STATES:
            head = repo.ref_sha(f"refs/drafts/{document.slug}/{revision.seq}")
            if head is None:
                problems.append(Problem(document.agency.code, code,
                                        f"dự thảo {revision.seq}: thiếu ref trên git"))
            elif head != revision.head_sha:
                problem = Problem(document.agency.code, code,
                                  f"dự thảo {revision.seq}: CSDL trỏ tới bản cũ, git có bản mới")
                if repair:
                    revision.head_sha, problem.repaired = head, True
                problems.append(problem)
    last = repo.last_change(document.slug)
    if last != document.head_commit and not any(p.repaired for p in problems):
        problem = Problem(document.agency.code, code, "commit cuối trên main không khớp CSDL")
        if repair and last is not None:
            document.head_commit, problem.repaired = last, True
        problems.append(problem)
    return problems


def write_commit_graphs() -> int:
    """`isodoc maintenance`: commit-graph with changed-path Bloom filters keeps
    `git log -- path` (a document's history) fast as repositories grow."""
    count = 0
    for agency in agencies_with_repos():
        repo_for(agency).write_commit_graph()
        count += 1
    return count
