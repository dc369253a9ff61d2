"""`isodoc check [--repair]`: SQL and the git store must tell the same story.

Git is the truth for content: a commit on main that SQL does not know (the process
died between the git commit and the SQL commit) is replayed into SQL from its
trailers, but only if it changes that document's own file, its trailers name that
document and one of its revisions, and SQL shows that revision approved. Git is
read from commit objects, never split on characters a user could type. What SQL
claims but git lacks cannot be invented and is reported, as are issued metadata
that differ from the front matter in git and evidence files missing or altered.
The start-up repair (`repair_once`) runs once per start of the server.
"""
# i18n: vietnamese-only (the operator's console and log: `isodoc check`, the start-up repair)

from __future__ import annotations

import fcntl
import hashlib
import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import select, text

from isodoc import audit, policy, search
from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.documents import content, services
from isodoc.documents.models import Document, Revision, RevisionState, WithdrawalRequest
from isodoc.documents.repos import repo_for
from isodoc.documents.store import document_path
from isodoc.documents.workflow import OPEN_STATES
from isodoc.extensions import db
from isodoc.policy import Action


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


def check(repair: bool = False, thorough: bool = True) -> list[Problem]:
    """Every agency's store against SQL. Not `thorough` (the start-up repair): only what
    a process that died mid-write can leave behind (commits on main SQL does not know,
    draft refs ahead of SQL, a document's last commit); not each issued revision's
    content and front matter, which no crash changes and whose reading took minutes
    for a province of 50,000 documents, during which the server did not answer."""
    problems: list[Problem] = []
    for agency in agencies_with_repos():
        problems += check_agency(agency, repair, thorough)
    problems += check_attachments(thorough)
    if repair:
        db.session.flush()
    return problems


def check_agency(agency: Agency, repair: bool, thorough: bool = True) -> list[Problem]:
    repo = repo_for(agency)
    problems = []
    documents = {d.code: d for d in services.agency_documents(agency)}
    last_changes = repo.last_changes()
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
            problems += check_withdrawal(repo, document, commit, t, repair)
        else:
            problems += check_issue(repo, document, commit, t, repair)
    for document in documents.values():
        problems += check_document(repo, document, on_main, repair, thorough,
                                   last_changes.get(document_path(document.slug)))
    return problems


def check_issue(repo, document: Document, commit, t: dict, repair: bool) -> list[Problem]:
    """A commit on main that issues a revision. Replayed into SQL only if it changes the
    document's own file, its trailers name the document and one of its revisions, and
    SQL shows that revision approved: git is the truth for content, never for consent."""
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
    if t.get("Action") == "record-history":
        return [replay_history(repo, document, commit, revision, t, problem, repair)]
    refusal = replay_refusal(repo, document, commit, revision, t)
    if refusal:
        problem.message += f" — không tự ghi nhận: {refusal}"
    elif repair:
        services.record_issue(revision, commit.sha, int(t["Revision"]),
                              date.fromisoformat(t["Effective-date"]),
                              user_named(t.get("Issued-by")), services.supersedes_of(t))
        problem.repaired = True
    return [problem]


def replay_refusal(repo, document: Document, commit, revision: Revision, t: dict) -> str:
    """Why the commit may not be replayed into SQL, or "" if it may."""
    if not repo.changes(commit.sha, document.slug):
        return f"commit không sửa tệp {document.slug}.md của tài liệu"
    if revision.state == RevisionState.ISSUED:
        return f"bản này đã được ghi nhận với commit {(revision.commit_sha or '')[:10]}"
    if revision.state != RevisionState.APPROVED or revision.approved_by_id is None:
        return "bản này chưa được phê duyệt trong CSDL"
    try:
        if int(t.get("Revision", "")) < 1:
            raise ValueError
        date.fromisoformat(t.get("Effective-date", ""))
    except ValueError:
        return "trailer Revision hoặc Effective-date không hợp lệ"
    return ""


def replay_history(repo, document: Document, commit, revision: Revision, t: dict,
                   problem: Problem, repair: bool) -> Problem:
    """A history-migration commit ("lần ban hành N ghi nhận") whose SQL half was lost:
    its consent is the secretary's own action, so it is replayed only if the commit
    names an imported draft still open in SQL and a person who may record history on
    it; the audit entry the lost transaction held is written again, saying so."""
    refusal = ""
    actor = user_named(t.get("Issued-by"))
    if not repo.changes(commit.sha, document.slug):
        refusal = f"commit không sửa tệp {document.slug}.md của tài liệu"
    elif revision.state != RevisionState.DRAFT:
        refusal = "bản này không còn là dự thảo trong CSDL"
    elif actor is None or not policy.can(actor, Action.DOC_RECORD_HISTORY, revision):
        refusal = "người ghi nhận không có quyền ghi nhận lần ban hành cũ"
    elif not isinstance(content.split(repo.read(commit.sha, document.slug) or b"")[0]
                        .get("imported"), dict):
        refusal = "bản trên git không phải bản nhập từ tệp Word"
    else:
        try:
            number, effective = int(t["Revision"]), date.fromisoformat(t["Effective-date"])
        except (KeyError, ValueError):
            refusal = "trailer Revision hoặc Effective-date không hợp lệ"
    if refusal:
        problem.message += f" — không tự ghi nhận: {refusal}"
    elif repair:
        services.record_issue(revision, commit.sha, number, effective, actor)
        audit.record("document.record_history", "document",
                     f"{document.agency.code}/{document.code}", actor=actor,
                     agency_id=document.agency_id,
                     summary=f"lần {number}, hiệu lực từ {effective.strftime('%d/%m/%Y')} "
                             f"(ghi nhận lại từ commit {commit.sha[:10]} khi sửa chữa): "
                             f"{reason_of(commit.message)}")
        problem.repaired = True
    return problem


def reason_of(message: str) -> str:
    """The reason paragraph of a commit message written by `services.commit_message`."""
    parts = message.strip().split("\n\n")
    return "\n\n".join(parts[1:-1])[:300]


def check_withdrawal(repo, document: Document, commit, t: dict, repair: bool
                     ) -> list[Problem]:
    wid = t.get("Isodoc-Withdrawal", "")
    request = db.session.get(WithdrawalRequest, int(wid)) if wid.isdigit() else None
    if request is not None and request.state == "confirmed" and request.commit_sha == commit.sha:
        return []
    problem = Problem(document.agency.code, document.code,
                      f"thu hồi có trên git (commit {commit.sha[:10]}) nhưng CSDL chưa ghi nhận")
    if request is None or request.document_id != document.id or request.state != "pending":
        problem.message += " — không tự ghi nhận: không có đề nghị thu hồi đang chờ tương ứng"
    elif not repo.changes(commit.sha, document.slug) or \
            repo.blob_sha(commit.sha, document.slug) is not None:
        problem.message += " — không tự ghi nhận: commit không xoá tệp của tài liệu"
    elif repair:
        request.decided_by = request.decided_by or user_named(t.get("Approved-by"))
        services.record_withdrawal(request, commit.sha)
        problem.repaired = True
    return [problem]


def check_document(repo, document: Document, on_main: set[str], repair: bool,
                   thorough: bool = True, last: str | None = None) -> list[Problem]:
    """`last`: main's newest commit touching the document, as the agency's one walk of
    main found it (read here, per document, when it does not match SQL)."""
    problems = []
    code = document.code
    for revision in document.revisions:
        if revision.state == RevisionState.ISSUED:
            if revision.commit_sha not in on_main:
                problems.append(Problem(document.agency.code, code,
                                        f"lần {revision.number}: commit {revision.commit_sha} "
                                        "không có trên main (không thể tự sửa)"))
                continue
            if not thorough:
                continue
            blob = repo.blob_sha(revision.commit_sha, document.slug)
            if blob != revision.blob_sha:
                problem = Problem(document.agency.code, code,
                                  f"lần {revision.number}: nội dung trong CSDL khác git")
                if repair:
                    revision.blob_sha, problem.repaired = blob, True
                problems.append(problem)
            problems += check_metadata(repo, document, revision)
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
    if last != document.head_commit:
        last = repo.last_change(document.slug)  # the walk's answer, confirmed
    if last != document.head_commit and not any(p.repaired for p in problems):
        problem = Problem(document.agency.code, code, "commit cuối trên main không khớp CSDL")
        known = {r.commit_sha for r in document.revisions if r.commit_sha} | \
            {w.commit_sha for w in document.withdrawal_requests if w.commit_sha}
        if repair and last is not None and last in known:  # never adopt an unknown commit
            document.head_commit, problem.repaired = last, True
        problems.append(problem)
    return problems


def check_metadata(repo, document: Document, revision: Revision) -> list[Problem]:
    """What SQL says of an issued revision against the front matter issued in git."""
    data = repo.read(revision.commit_sha, document.slug)
    if data is None:
        return [Problem(document.agency.code, document.code,
                        f"lần {revision.number}: commit {revision.commit_sha[:10]} không chứa "
                        "tệp của tài liệu")]
    try:
        meta, _ = content.split(data)
    except (UnicodeDecodeError, yaml.YAMLError):
        meta = {}
    effective = revision.effective_date.isoformat() if revision.effective_date else None
    pairs = [("mã tài liệu", "code", document.code), ("tên tài liệu", "title", revision.title),
             ("số lần ban hành", "revision", revision.number),
             ("ngày hiệu lực", "effective_date", effective),
             ("đơn vị", "agency", document.agency.code),
             # what belongs to the revision, as its columns hold it (DESIGN invariant 8)
             ("loại tài liệu", "kind", revision.kind),
             ("mã TTHC", "tthc_code", revision.tthc_code),
             ("lĩnh vực", "field", revision.field),
             ("điều khoản ISO", "iso_clauses", revision.iso_clauses),
             ("chu kỳ xem xét (tháng)", "review_interval_months", revision.review_months)]
    problems = []
    for label, key, in_sql in pairs:
        in_git = meta.get(key)
        if isinstance(in_git, list):  # clauses are a YAML list in git, a string in SQL
            in_git = " ".join(map(str, in_git))
        if _text(in_git) != _text(in_sql):
            problems.append(Problem(document.agency.code, document.code,
                                    f"lần {revision.number}: {label} trong CSDL («{in_sql}») "
                                    f"khác git («{in_git}»)"))
    return problems


def _text(value) -> str:
    return "" if value is None else (value.isoformat() if isinstance(value, date)
                                     else str(value))


def check_attachments(thorough: bool = True) -> list[Problem]:
    """Every evidence file is where its row says, with the SHA-256 it was stored under
    (not `thorough`: only that it is there; the file is on disk and renamed into place
    before its row commits, so a crash or a power cut leaves no short one, and hashing
    every file is the thorough check's work). Nothing here can be repaired: a lost or
    altered file is reported."""
    from isodoc.findings.models import Attachment, Finding
    from isodoc.findings.services import attachment_path

    problems = []
    rows = db.session.execute(select(Attachment, Finding, Agency.code)
                              .join(Finding, Attachment.finding_id == Finding.id)
                              .join(Agency, Finding.agency_id == Agency.id)
                              .order_by(Attachment.id)).all()
    for item, finding, agency_code in rows:
        path = attachment_path(item)
        where = f"{finding.code} «{item.filename}»"
        if not path.is_file():
            problems.append(Problem(agency_code, where, f"thiếu tệp bằng chứng {path.name[:12]}"))
            continue
        if not thorough:
            continue
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != item.sha256:
            problems.append(Problem(agency_code, where,
                                    "tệp bằng chứng bị thay đổi (SHA-256 không khớp)"))
    return problems


STAMP = "startup-repair"


def _is_gunicorn(pid: int) -> bool:
    try:
        return b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _started(pid: int) -> str:
    """The process's start time in clock ticks since boot: with the pid, it names one
    process for good (pids are reused, start times are not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "0"


def start_key() -> str:
    """One start of the server: the gunicorn master when we are one of its workers (each
    worker imports the app), else this process (`isodoc serve`, which becomes the master
    by exec, or gunicorn --preload, whose master imports the app itself)."""
    return start_key_of(os.getppid() if _is_gunicorn(os.getppid()) else os.getpid())


def start_key_of(pid: int) -> str:
    return f"{pid}:{_started(pid)}"


REPAIR_LOCK = 0x150D0C_4E9A  # PostgreSQL advisory lock: one repair at a time, all nodes
REPAIR_WAIT_LOG = 2.0        # seconds before saying that another node's repair is awaited


@contextmanager
def one_repair_at_a_time(app) -> Iterator[None]:
    """Across nodes (several app servers on one PostgreSQL, each with its own instance
    folder): a session-level advisory lock on a connection of its own, taken with
    pg_try_advisory_lock so a node that waits says why. PostgreSQL drops it if the
    process dies. SQLite is one host's file: the instance folder's lock is enough."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    with db.engine.connect() as connection:
        started, told = time.monotonic(), False
        while not connection.scalar(text("SELECT pg_try_advisory_lock(:k)"),
                                    {"k": REPAIR_LOCK}):
            connection.rollback()
            if not told and time.monotonic() - started > REPAIR_WAIT_LOG:
                app.logger.warning("isodoc: another node is running its start-up repair; "
                                   "waiting for it")
                told = True
            time.sleep(0.1)
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": REPAIR_LOCK})
            connection.commit()


def repair_once(app, key: str | None = None) -> list[Problem] | None:
    """`check --repair` once per start of the server, however it is served: the first
    worker to get the lock in the instance folder repairs, the others wait for it, see
    the start already stamped, and go on (None). Each node (ISODOC_NODE) has its own
    stamp, and on PostgreSQL two nodes never repair at once (`one_repair_at_a_time`):
    a node that starts while another repairs waits, then repairs what is left."""
    key = key or start_key()
    folder = Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    node = app.config.get("ISODOC_NODE") or ""
    name = f"{STAMP}-{node}" if node else STAMP
    with open(folder / f"{name}.lock", "a+", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        stamp = folder / f"{name}.done"
        if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == key:
            return None
        with app.app_context():
            with one_repair_at_a_time(app):
                try:
                    problems = check(repair=True, thorough=False)
                    db.session.commit()
                except Exception:
                    db.session.rollback()
                    raise
            search.catch_up(wait=math.inf)  # this node's index, at start
        stamp.write_text(key, encoding="utf-8")
    for problem in problems:
        (app.logger.warning if not problem.repaired else app.logger.info)(str(problem))
    return problems


def write_commit_graphs() -> int:
    """`isodoc maintenance`: commit-graph with changed-path Bloom filters keeps
    `git log -- path` (a document's history) fast as repositories grow."""
    count = 0
    for agency in agencies_with_repos():
        repo_for(agency).write_commit_graph()
        count += 1
    return count
