"""Several nodes on one database (issue 16), in one process: each search index follows
the change log with its own cursor, the log is pruned once every live index has passed
it, an index behind the pruned rows is rebuilt from the database; log rows commit in
id order and the start-up repair runs on one node at a time (PostgreSQL); the node
names its index folder. The two-server proof is tests/reliability/test_two_nodes.py."""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from isodoc import create_app, search
from isodoc.cli import main
from isodoc.documents import integrity
from isodoc.documents.models import Document
from isodoc.extensions import db
from isodoc.search.models import SearchChange, SearchIndexState, SearchLogHorizon
from isodoc.timeutil import utcnow
from tests.doc_helpers import BASE, issue_qt05, post

ON_POSTGRES = os.environ.get("ISODOC_TEST_DATABASE_URL", "").startswith(("postgresql",
                                                                          "postgres"))
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only: set "
                                   "ISODOC_TEST_DATABASE_URL to run it")


def log_ids(in_db) -> list[int]:
    with in_db() as s:
        return list(s.scalars(select(SearchChange.id).order_by(SearchChange.id)))


def cursor_of(node_app) -> int | None:
    with node_app.app_context():
        return search.read_cursor(search.engine())


@pytest.fixture
def node_b(app, make_app, tmp_path):
    """A second node's app: same database and git store, its own index folder."""
    other = make_app(ISODOC_NODE="b", ISODOC_INDEX_PATH=str(tmp_path / "search" / "b"),
                     ISODOC_STORE_PATH=app.config["ISODOC_STORE_PATH"])
    yield other
    search._engines.pop((other.config["ISODOC_SEARCH_ENGINE"],
                         other.config["ISODOC_INDEX_PATH"]), None)


def test_each_index_follows_the_log_and_old_rows_are_pruned(app, node_b, desk, in_db,
                                                            caplog):
    issue_qt05(desk, in_db)  # node A (the test app) applies what its requests change
    first = log_ids(in_db)
    assert first and cursor_of(app) == first[-1]
    with node_b.app_context():  # a new index is built from the database, not the log
        search.catch_up()
        assert search.check() == []
    assert cursor_of(node_b) == first[-1]

    post(desk("author"), f"{BASE}/qt-05/revise")  # through A only
    later = [i for i in log_ids(in_db) if i > first[-1]]
    assert later and cursor_of(app) == later[-1]
    with app.app_context():  # B reported first[-1]: nothing past it may go
        assert search.prune() == len(first)
        db.session.commit()
    assert log_ids(in_db) == later
    with node_b.app_context():
        assert search.behind()
        assert search.catch_up() == 1  # QT-05, from the log
        assert not search.behind() and search.check() == []

    # B not seen for longer than the log keeps: A prunes past it; B comes back, rebuilds
    with in_db() as s:
        s.execute(update(SearchIndexState).where(SearchIndexState.name.startswith("b:"))
                  .values(seen_at=utcnow() - timedelta(days=30)))
    with node_b.app_context():
        search.engine().clear()  # whatever B holds, the rebuild must put it right
    post(desk("author"), f"{BASE}/qt-05/drafts/2/cancel")
    top = log_ids(in_db)[-1]
    with app.app_context():
        assert search.prune() > 0
        db.session.commit()
    with in_db() as s:
        assert s.get(SearchLogHorizon, 1).pruned_through == top
        assert s.scalar(select(func.count()).select_from(SearchChange)) == 0
    with node_b.app_context():
        search.catch_up()
        assert search.check() == []
    assert cursor_of(node_b) == top
    assert "behind the change log" in caplog.text


def test_no_row_is_pruned_before_any_index_reported(app, in_db, desk):
    issue_qt05(desk, in_db)
    with in_db() as s:
        s.execute(SearchIndexState.__table__.delete())
    with app.app_context():
        assert search.prune() == 0
    assert log_ids(in_db)


def test_log_rows_are_written_with_the_commit_and_not_after_a_rollback(app, desk, in_db):
    issue_qt05(desk, in_db)
    before = log_ids(in_db)
    with app.app_context():
        document = db.session.scalars(select(Document)).one()
        search.enqueue(document)
        db.session.rollback()
        assert log_ids(in_db) == before
        document = db.session.scalars(select(Document)).one()
        search.enqueue(document, "withdraw")
        db.session.commit()
    with in_db() as s:
        row = s.scalars(select(SearchChange).order_by(SearchChange.id.desc())).first()
        assert row.id > before[-1] and row.change == "withdraw"


def test_a_new_index_schema_folder_has_no_cursor_and_is_rebuilt(app, desk, in_db):
    issue_qt05(desk, in_db)
    with app.app_context():
        eng = search.engine()
        (Path(eng.path) / search.CURSOR_FILE).unlink()
        eng.clear()
        assert search.behind()
        search.catch_up()
        assert search.check() == [] and not search.behind()


@postgres_only
def test_log_rows_commit_in_the_order_of_their_ids(app, desk, in_db):
    """A transaction that wrote its log row and has not committed holds the log lock:
    a later one waits for it, so a follower never sees id n + 1 before id n."""
    issue_qt05(desk, in_db)
    done = threading.Event()

    def later_change() -> None:
        with app.app_context():
            search.enqueue(db.session.scalars(select(Document)).one())
            db.session.commit()
        done.set()

    with app.app_context(), db.engine.connect() as earlier:
        earlier.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": search.LOG_LOCK})
        thread = threading.Thread(target=later_change)
        thread.start()
        assert not done.wait(0.5)  # waits for the earlier transaction
        earlier.rollback()
    thread.join(10)
    assert done.is_set()


@postgres_only
def test_two_nodes_never_repair_at_the_same_time(app, node_b):
    """Node B starting while another node repairs waits for it, then repairs once."""
    result: list = []
    with app.app_context(), db.engine.connect() as other_node:
        assert other_node.scalar(text("SELECT pg_try_advisory_lock(:k)"),
                                 {"k": integrity.REPAIR_LOCK})
        other_node.commit()
        thread = threading.Thread(
            target=lambda: result.append(integrity.repair_once(node_b, "b-start-1")))
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive() and not result
        other_node.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": integrity.REPAIR_LOCK})
        other_node.commit()
        thread.join(30)
    assert result == [[]]  # repaired (nothing to do), not skipped
    assert integrity.repair_once(node_b, "b-start-1") is None  # its second worker
    # node A's stamp is its own: B's start did not count as A's
    assert integrity.repair_once(app, "b-start-1") == []


def test_the_node_names_its_index_folder(app, tmp_path, monkeypatch):
    monkeypatch.setenv("ISODOC_NODE", "b")
    monkeypatch.delenv("ISODOC_INDEX_PATH", raising=False)
    named = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert named.config["ISODOC_INDEX_PATH"] == str(tmp_path / "search" / "b")
    with named.app_context():
        assert search.index_name().startswith("b:")
    search._engines.pop((named.config["ISODOC_SEARCH_ENGINE"],
                         named.config["ISODOC_INDEX_PATH"]), None)
    monkeypatch.setenv("ISODOC_NODE", "../x")
    with pytest.raises(ValueError, match="ISODOC_NODE"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})


def test_serve_with_a_node_name(app, staff, monkeypatch):
    monkeypatch.delenv("ISODOC_NODE", raising=False)
    execs = []
    monkeypatch.setattr(os, "execv", lambda path, args: execs.append(args))
    refused = app.test_cli_runner().invoke(main, ["serve", "--node", "B 2"])
    assert refused.exit_code == 2 and "--node" in refused.output and not execs
    monkeypatch.delenv("ISODOC_NODE", raising=False)
    for key in ("ISODOC_NODE", "ISODOC_INDEX_PATH"):
        monkeypatch.setitem(app.config, key, app.config[key])
    result = app.test_cli_runner().invoke(main, ["serve", "--node", "b", "--port", "5998"])
    assert result.exit_code == 0, result.output
    assert os.environ["ISODOC_NODE"] == "b"  # gunicorn's workers inherit it
    assert "isodoc.wsgi:app" in execs[0]
    assert app.config["ISODOC_INDEX_PATH"] == str(Path(app.instance_path) / "search" / "b")
    search._engines.pop((app.config["ISODOC_SEARCH_ENGINE"], app.config["ISODOC_INDEX_PATH"]),
                        None)


def test_a_served_node_catches_up_on_its_timer_and_after_any_response(app, node_b, desk,
                                                                      in_db):
    from isodoc.search import follower

    with node_b.app_context():
        search.catch_up()
    issue_qt05(desk, in_db)  # through node A
    top = log_ids(in_db)[-1]
    assert cursor_of(node_b) < top
    assert follower.tick(node_b) > 0  # the timer's look at the log
    assert cursor_of(node_b) == top

    post(desk("author"), f"{BASE}/qt-05/revise")  # through node A again
    node_b.config.update(ISODOC_SEARCH_FOLLOW=True, ISODOC_SEARCH_POLL_SECONDS=0.0)
    assert cursor_of(node_b) < log_ids(in_db)[-1]
    node_b.test_client().get("/healthz")  # any response of a served node looks
    assert cursor_of(node_b) == log_ids(in_db)[-1]


def test_an_index_ahead_of_the_log_is_rebuilt(app, node_b, desk, in_db, caplog):
    """A database restored from a backup hands out again ids an index has applied: an
    index whose cursor is past every id the log knows is rebuilt, not trusted."""
    with node_b.app_context():
        search.catch_up()
        search.write_cursor(search.engine(), 10_000_000)
    issue_qt05(desk, in_db)  # through node A: ids below B's cursor
    with node_b.app_context():
        search.catch_up()
        assert search.check() == []
    assert cursor_of(node_b) == log_ids(in_db)[-1]
    assert "ahead of the change log" in caplog.text


KILLED_CATCH_UP = """
import os, sys
from isodoc import create_app, search
app = create_app()
when = sys.argv[1]
if when == "before-cursor":   # the index committed, the cursor not written yet
    search.write_cursor = lambda eng, applied: os._exit(9)
else:                          # killed inside the index update, before its commit
    real = search.engine
    def engine():
        eng = real()
        eng.replace = lambda docs, ids: os._exit(9)
        return eng
    search.engine = engine
with app.app_context():
    search.catch_up()
"""


@pytest.mark.parametrize("when", ["before-cursor", "mid-update"])
def test_a_worker_killed_while_catching_up_loses_nothing(app, node_b, desk, in_db, when):
    import subprocess
    import sys

    with node_b.app_context():
        search.catch_up()
    issue_qt05(desk, in_db)  # through node A; B has not applied it
    before = cursor_of(node_b)
    env = {**os.environ, "ISODOC_INSTANCE_PATH": node_b.instance_path,
           "ISODOC_DATABASE_URL": node_b.config["SQLALCHEMY_DATABASE_URI"],
           "ISODOC_STORE_PATH": node_b.config["ISODOC_STORE_PATH"],
           "ISODOC_INDEX_PATH": node_b.config["ISODOC_INDEX_PATH"],
           "ISODOC_NODE": "b", "ISODOC_SECRET_KEY": "x"}
    killed = subprocess.run([sys.executable, "-c", KILLED_CATCH_UP, when], env=env,
                            capture_output=True, text=True, timeout=60)
    assert killed.returncode == 9, killed.stderr
    assert cursor_of(node_b) == before  # the cursor never runs ahead of the index
    with node_b.app_context():
        search.catch_up()  # the next worker applies the same rows again
        assert search.check() == []
    assert cursor_of(node_b) == log_ids(in_db)[-1]
