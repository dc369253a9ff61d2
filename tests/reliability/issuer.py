"""The process the reliability tests kill: it starts the app as a server start does
(create_app, migrations, the start-up repair, the outbox drain), then walks documents
through the workflow — create, save, submit, review, approve, issue, and later
revisions — one "request" per step: the services inside an app context, one commit,
then the search outbox drained after the "response", as the web adapter does.

It keeps no state of its own: after a restart it continues whatever revision SQL
shows open. `run(config, options, log_path)` is the process's target (the tests start
it through a multiprocessing forkserver that has imported this module, so that a
restart costs a fork rather than an interpreter start). Options:

- seed: seed of its random choices;
- kill_after_publish: SIGKILL itself right after the git commit of the first issue,
  before the SQL commit (the window a crash between git and SQL leaves);
- startup: "serve" runs the start-up repair as `isodoc serve` does; "none" does not
  (a worker that was already running when another one died);
- finish: finish every open revision and return instead of looping.

It writes "started" once the app exists, "ready" once the start-up is done, and each
step's name; a refused step (a 422 of the web) is written as "refused <message>" and
ends it with status 3: the workflow must never refuse to go on after a crash.
"""

from __future__ import annotations

import os
import random
import signal
import sys

from sqlalchemy import func, select

from isodoc import create_app, migrate, policy, search
from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.documents import integrity
from isodoc.documents import services as docs
from isodoc.documents.models import Decision, Document, DocumentKind, Revision, RevisionState
from isodoc.documents.store import AgencyRepo
from isodoc.documents.workflow import OPEN_STATES
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.timeutil import today_local

S = RevisionState
Action = policy.Action
AGENCIES = ("so-tu-phap", "dbp-him-lam")
ROLES = ("author", "reviewer", "approver", "secretary")
MAX_DOCUMENTS = 6  # per agency; then later revisions of issued documents


_log = None


def say(line: str) -> None:
    _log.write(line + "\n")
    _log.flush()


def person(agency: Agency, role: str) -> User:
    return db.session.scalars(select(User).where(User.username == f"{agency.code}.{role}")).one()


def allowed(user: User, action: Action, target) -> None:
    if not policy.can(user, action, target):
        raise AssertionError(f"{user.username} may not {action} {target}")


def fields_of(revision: Revision, n: int) -> docs.DocumentFields:
    document = revision.document
    return docs.DocumentFields(title=f"{revision.title.split(' (')[0]} ({n})",
                               kind=DocumentKind(document.kind),
                               iso_clauses=document.iso_clauses or "7.5.3",
                               review_months=document.review_months)


def save(revision: Revision, author: User, base: str | None, body: str) -> None:
    docs.save_draft(revision, author, base or "", fields_of(revision, 1), body,
                    change_location="Mục 5", change_summary="Bổ sung bước kiểm tra",
                    reason="Rà soát định kỳ")


def advance(revision: Revision) -> str:
    """The next step of an open revision, as the person whose turn it is."""
    agency = revision.document.agency
    if revision.state == S.DRAFT:
        saves = sum(1 for e in revision.events if e.action == "save")
        if saves == 0:
            author = person(agency, "author")
            allowed(author, Action.DOC_EDIT, revision)
            _, body = docs.read_parts(revision)
            body += f"\n\nBổ sung lần lưu {revision.seq}.\n"
            base = revision.head_sha
            try:
                save(revision, author, base, body)
            except docs.StaleDraft as exc:
                # The save of a killed process reached git, not SQL: the editor shows the
                # newer text and the person saves again on it, as the web lets them.
                save(revision, author, exc.current_sha, body)
                return "save-stale"
            return "save"
        author = person(agency, "author")
        allowed(author, Action.DOC_SUBMIT, revision)
        docs.submit(revision, author, [person(agency, "reviewer")])
        return "submit"
    if revision.state == S.IN_REVIEW:
        reviewer = person(agency, "reviewer")
        allowed(reviewer, Action.DOC_REVIEW, revision)
        docs.review(revision, reviewer, Decision.AGREED, "Đồng ý")
        return "review"
    if revision.state == S.REVIEWED:
        approver = person(agency, "approver")
        allowed(approver, Action.DOC_APPROVE, revision)
        docs.approve(revision, approver, "Đồng ý ban hành")
        return "approve"
    secretary = person(agency, "secretary")
    allowed(secretary, Action.DOC_ISSUE, revision)
    docs.issue(revision, secretary, today_local())
    return "issue"


def begin(rng: random.Random) -> str:
    """New work when nothing is open: a new document, or a revision of an issued one."""
    agency = db.session.scalars(select(Agency).where(Agency.code == rng.choice(AGENCIES))).one()
    count = db.session.scalar(select(func.count()).select_from(Document)
                              .where(Document.agency_id == agency.id))
    author = person(agency, "author")
    if count < MAX_DOCUMENTS:
        code = f"QT-{count + 1:02d}"
        allowed(author, Action.DOC_CREATE, agency)
        docs.create_document(agency, author, code, docs.DocumentFields(
            title=f"Quy trình số {count + 1} của {agency.name}", kind=DocumentKind.INTERNAL,
            iso_clauses="7.5.3 8.5.1"), f"# Quy trình {code}\n\n1. Tiếp nhận hồ sơ.\n")
        return "create"
    documents = db.session.scalars(select(Document).where(Document.agency_id == agency.id)
                                   .order_by(Document.id)).all()
    document = rng.choice(documents)
    allowed(author, Action.DOC_CREATE, agency)
    docs.start_revision(document, author)
    return "revise"


def request(app, work) -> str:
    """One request: the work, one commit (or a rollback), then the outbox drained after
    the response."""
    with app.app_context():
        try:
            done = work()
            db.session.commit()
        except InvalidInput:
            db.session.rollback()
            raise
    with app.app_context():
        search.drain()
    return done


def open_revisions() -> list[int]:
    return list(db.session.scalars(select(Revision.id).where(Revision.state.in_(
        [s.value for s in OPEN_STATES])).order_by(Revision.id)))


def step(app, rng: random.Random) -> str:
    def work() -> str:
        ids = open_revisions()
        if ids:
            return advance(db.session.get(Revision, ids[0]))
        return begin(rng)
    return request(app, work)


def start_up(app) -> None:
    """What `isodoc serve` does before it serves (see cli.serve_command)."""
    with app.app_context():
        migrate.upgrade(app)
        integrity.check(repair=True)
        db.session.commit()
        search.drain()


def kill_after_publish() -> None:
    publish = AgencyRepo.publish

    def publish_then_die(self, *args, **kwargs):
        publish(self, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)

    AgencyRepo.publish = publish_then_die


def run(config: dict, options: dict, log_path: str) -> None:
    global _log
    _log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 — lives as long as the process
    rng = random.Random(options.get("seed", 0))
    if options.get("kill_after_publish"):
        kill_after_publish()
    app = create_app(config)
    say("started")
    if options.get("startup", "serve") == "serve":
        start_up(app)
    say("ready")
    while True:
        if options.get("finish"):
            with app.app_context():
                if not open_revisions():
                    return
        try:
            say(step(app, rng))
        except InvalidInput as exc:
            say(f"refused {exc.message}")
            sys.exit(3)


def setup(config: dict) -> None:
    """Two agencies with one person per role (run once, by the test)."""
    from isodoc.agencies import services as agencies
    from isodoc.agencies.models import AgencyKind
    from isodoc.auth import services as auth
    from isodoc.auth.models import Role

    app = create_app(config)
    with app.app_context():
        migrate.upgrade(app)
        root = agencies.create_agency(agencies.AgencyData(
            "ubnd-tinh", "UBND tỉnh Điện Biên", AgencyKind.PROVINCE, None), policy.SYSTEM)
        parents = {"so-tu-phap": root}
        district = agencies.create_agency(agencies.AgencyData(
            "ubnd-dbp", "UBND thành phố Điện Biên Phủ", AgencyKind.DISTRICT, root), policy.SYSTEM)
        parents["dbp-him-lam"] = district
        names = {"so-tu-phap": ("Sở Tư pháp", AgencyKind.DEPARTMENT),
                 "dbp-him-lam": ("UBND phường Him Lam", AgencyKind.COMMUNE)}
        roles = {"author": Role.AUTHOR, "reviewer": Role.AUDITOR, "approver": Role.APPROVER,
                 "secretary": Role.SECRETARY}
        for code in AGENCIES:
            name, kind = names[code]
            agency = agencies.create_agency(agencies.AgencyData(code, name, kind, parents[code]),
                                            policy.SYSTEM)
            for role in ROLES:
                user, _ = auth.create_user(f"{code}.{role}", f"Người {role} {name}",
                                           policy.SYSTEM, password="mat-khau-thu-nghiem")
                auth.add_membership(user, policy.SYSTEM, agency, roles[role])
        db.session.commit()
        db.engine.dispose()
