"""Two nodes on one PostgreSQL (issue 16): two gunicorn servers on two ports, each with
its own search index folder (`ISODOC_NODE`), one git repository folder, one database.

What one node issues is found through the other's search within a second; a node that
was killed catches up when it starts again; the same document issued through both at
once lands once; wrong passwords sent to both nodes in turn are throttled at the
configured count in total. PostgreSQL only: SQLite is one host's file, not a database
two servers share.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from isodoc import search
from isodoc.auth import services as auth_services
from isodoc.auth.models import User
from isodoc.documents.models import Document, Revision
from isodoc.documents.repos import repo_for
from isodoc.search.models import SearchChange, SearchIndexState
from isodoc.timeutil import today_local
from tests.conftest import CSRF_RE, PASSWORD

API = "/api/v1/agencies/so-tu-phap/documents"
LOGIN_LIMIT = 6
FOUND_WITHIN = 1.0  # seconds from node A's answer to node B's search finding it
BODY = "## 1. Mục đích\n\nQuy định cách làm {word}.\n"

pytestmark = pytest.mark.skipif(
    not os.environ.get("ISODOC_TEST_DATABASE_URL", "").startswith(("postgresql", "postgres")),
    reason="two nodes share a PostgreSQL database: set ISODOC_TEST_DATABASE_URL "
           "(.ci/run does) to run this test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """One app server: `gunicorn isodoc.wsgi:app` with ISODOC_NODE set, in its own
    process group so that killing it kills its workers too."""

    def __init__(self, name: str, env: dict, instance: Path):
        self.name, self.env, self.instance = name, {**env, "ISODOC_NODE": name}, instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.index = instance / "search" / name

    def start(self) -> None:
        self.spawn()
        self.ready()

    def spawn(self) -> None:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.log = (self.instance / f"gunicorn-{self.name}.log").open("a")
        self.proc = subprocess.Popen(
            [gunicorn, "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
             "isodoc.wsgi:app"], env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def ready(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.log.flush()
                    raise RuntimeError((self.instance / f"gunicorn-{self.name}.log")
                                       .read_text()) from None
                time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the master and its workers at once: nothing gets to clean up."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
            self.log.close()


def call(node: Node, method: str, path: str, token: str, body: dict | None = None
         ) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(  # noqa: S310 (http to a node of this test)
        f"{node.url}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:  # noqa: S310
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def found(node: Node, token: str, word: str) -> list[str]:
    status, results = call(node, "GET", f"/api/v1/search?q={word}", token)
    assert status == 200, results
    return [h["code"] for h in results["hits"]]


def wait_found(node: Node, token: str, word: str, code: str, within: float) -> float:
    started = time.monotonic()
    while code not in found(node, token, word):
        assert time.monotonic() - started < within, f"{code} not found on {node.name}"
        time.sleep(0.02)
    return time.monotonic() - started


@pytest.fixture
def tokens(app, staff, in_db) -> dict[str, str]:
    with in_db() as s:
        return {who: auth_services.create_token(user, user, "node-test")
                for who, username in staff.items()
                for user in [s.scalars(select(User).where(User.username == username)).one()]}


@pytest.fixture
def nodes(app, tmp_path, tokens):
    """Nodes A and B on one host: one instance folder (secret key, attachments), the
    test's git store and database; the index folders are <instance>/search/<node>."""
    instance = tmp_path / "instance"
    instance.mkdir()
    env = {**os.environ, "ISODOC_INSTANCE_PATH": str(instance),
           "ISODOC_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "ISODOC_STORE_PATH": app.config["ISODOC_STORE_PATH"],
           "ISODOC_SECRET_KEY": "two-nodes-test-secret",
           "ISODOC_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
           "ISODOC_SEARCH_POLL_SECONDS": "0.2"}
    env.pop("ISODOC_INDEX_PATH", None)
    started = [Node("a", env, instance), Node("b", env, instance)]
    try:
        for node in started:
            node.spawn()
        for node in started:
            node.ready()
        yield started
    finally:
        for node in started:
            node.stop()


def approved(node: Node, tokens: dict, code: str, word: str) -> str:
    """A new document's first draft, approved through the API of `node`: its draft URL."""
    status, created = call(node, "POST", API, tokens["author"], {
        "code": code, "title": f"Quy trình {word}", "kind": "internal",
        "iso_clauses": "8.1", "body": BODY.format(word=word)})
    assert status == 201, created
    url = f"{API}/{code.lower()}/drafts/{created['seq']}"
    for who, step, body in (("author", "submit", {"reviewers": ["stp.danhgia"]}),
                            ("auditor", "review", {"decision": "agreed"}),
                            ("approver", "approve", {})):
        status, answer = call(node, "POST", f"{url}/{step}", tokens[who], body)
        assert status == 200, (step, answer)
    return url


def issue(node: Node, tokens: dict, url: str) -> tuple[int, dict]:
    return call(node, "POST", f"{url}/issue", tokens["secretary"],
                {"effective_date": today_local().isoformat()})


def cursor(node: Node) -> int | None:
    """The cursor in node's index folder (one engine folder per node here)."""
    files = list(node.index.glob(f"*/{search.CURSOR_FILE}"))
    assert len(files) == 1, files
    return int(files[0].read_text())


def index_agrees(app, make_app, node: Node) -> list[str]:
    """`isodoc check`'s search half, run on node's own index folder."""
    other = make_app(ISODOC_INDEX_PATH=str(node.index),
                     ISODOC_STORE_PATH=app.config["ISODOC_STORE_PATH"])
    with other.app_context():
        problems = search.check()
        search._engines.pop((other.config["ISODOC_SEARCH_ENGINE"], str(node.index)), None)
        return problems


def test_two_nodes_on_one_database(app, nodes, tokens, in_db, make_app):
    a, b = nodes
    reader = tokens["reader"]

    # issued through A, found through B's search within a second
    for code, word in (("QT-31", "tiepdan"), ("QT-32", "khieunai")):
        url = approved(a, tokens, code, word)
        status, answer = issue(a, tokens, url)
        assert status == 200 and answer["number"] == 1, answer
        assert wait_found(b, reader, word, code, within=FOUND_WITHIN) < FOUND_WITHIN

    # B killed; A issues on; B started again catches up from the log
    b.kill()
    for code, word in (("QT-33", "totung"), ("QT-34", "thanhtra")):
        status, answer = issue(a, tokens, approved(a, tokens, code, word))
        assert status == 200, answer
    b.start()
    for code, word in (("QT-33", "totung"), ("QT-34", "thanhtra")):
        wait_found(b, reader, word, code, within=5.0)

    # the same document issued through both nodes at once: exactly one issue lands
    url = approved(a, tokens, "QT-35", "hoatiep")
    answers: list[tuple[int, dict]] = []
    barrier = threading.Barrier(2)

    def send(node: Node) -> None:
        barrier.wait()
        answers.append(issue(node, tokens, url))

    threads = [threading.Thread(target=send, args=(n,)) for n in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    statuses = sorted(s for s, _ in answers)
    # the loser is refused: by the claim on the revision (422) or the compare-and-swap on
    # main (409/422) while both are in flight, or, if the winner's commit came first, by
    # finding no draft left to issue (404)
    assert statuses[0] == 200 and statuses[1] in (404, 409, 422), answers
    with in_db() as s:
        document = s.scalars(select(Document).where(Document.code == "QT-35")).one()
        issued = s.scalars(select(Revision).where(Revision.document_id == document.id,
                                                  Revision.state == "issued")).all()
        assert [r.number for r in issued] == [1]
        main_commits = [c for c in repo_for(document.agency).main_log()
                        if c.trailers.get("Document") == "QT-35"]
        assert len(main_commits) == 1
    for node in (a, b):
        wait_found(node, reader, "hoatiep", "QT-35", within=FOUND_WITHIN)

    # both indexes complete, both reported how far they got in the shared database
    with in_db() as s:
        top = s.scalar(select(func.max(SearchChange.id)))
        reported = dict(s.execute(select(SearchIndexState.name,
                                         SearchIndexState.applied_id)).all())
    deadline = time.monotonic() + 5
    while any(cursor(n) != top for n in (a, b)):
        assert time.monotonic() < deadline, "a node's index did not reach the log's end"
        time.sleep(0.05)
    assert {name.split(":")[0] for name in reported} >= {"a", "b"}
    for node in (a, b):
        assert index_agrees(app, make_app, node) == []

    # wrong passwords sent to A and B in turn: throttled at the configured count in total
    jar = http.cookiejar.CookieJar()  # one browser: the signed session works on both
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    answers = []
    for attempt in range(LOGIN_LIMIT + 2):
        node = (a, b)[attempt % 2]
        with browser.open(f"{node.url}/login", timeout=10) as page:
            token = CSRF_RE.search(page.read().decode()).group(1)
        form = urllib.parse.urlencode({"username": "stp.thuky", "password": "sai-" + PASSWORD,
                                       "csrf_token": token}).encode()
        try:
            with browser.open(f"{node.url}/login", data=form, timeout=10) as r:
                answers.append(r.status)
        except urllib.error.HTTPError as e:
            answers.append(e.code)
    assert answers == [401] * LOGIN_LIMIT + [429, 429], answers

