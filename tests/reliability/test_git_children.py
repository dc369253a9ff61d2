"""Requests that touch git leave no git process behind: none still running (GitPython's
persistent `cat-file` processes are stopped at teardown) and none finished but
unreaped (a zombie per request piles up in a long-lived gunicorn worker)."""

from __future__ import annotations

import os
from pathlib import Path

from isodoc.cli import main
from tests.doc_helpers import BASE, draft_form, issue_qt05, post


def children() -> list[tuple[int, str, str]]:
    """(pid, command, state) of this process's children, from /proc (no psutil)."""
    found = []
    for listing in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        for pid in listing.read_text().split():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except FileNotFoundError:
                continue
            command = stat[stat.index("(") + 1:stat.rindex(")")]
            found.append((int(pid), command, stat[stat.rindex(")") + 2]))
    return found


def git_children() -> list[tuple[int, str, str]]:
    return [c for c in children() if c[1].startswith("git") or c[2] == "Z"]


def nothing_to_reap() -> bool:
    try:
        return os.waitpid(-1, os.WNOHANG) == (0, 0)
    except ChildProcessError:  # no child at all
        return True


def test_requests_that_touch_git_leave_no_git_process(desk, in_db):
    assert git_children() == []
    issue_qt05(desk, in_db)
    for _ in range(3):
        for page in ("", "/history", "/revisions/1"):
            desk("reader").get(f"{BASE}/qt-05{page}")
    assert post(desk("author"), f"{BASE}/qt-05/revise").status_code == 302
    form = draft_form(desk("author"), 2)
    for n in range(3):
        data = {**form, "body": form["body"] + f"\n\nSửa lần {n}.", "change_summary": "Sửa",
                "reason": "Rà soát"}
        response = post(desk("author"), f"{BASE}/qt-05/drafts/2/edit", data)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        form = draft_form(desk("author"), 2)
        desk("author").get(f"{BASE}/qt-05/drafts/2")
    assert git_children() == []
    assert nothing_to_reap()


def test_serve_hands_gunicorn_no_git_process(app, desk, in_db, monkeypatch):
    """`isodoc serve` repairs and drains, then execs gunicorn in the same process: a
    git process still open then outlives its pipes and stays a zombie of gunicorn's
    master (which only reaps its workers)."""
    issue_qt05(desk, in_db)  # people exist (no demo seeding); the repair reads git
    seen: dict[str, list] = {}

    def execv(path, argv):
        seen["children"] = git_children()
        raise SystemExit(0)

    monkeypatch.setattr(os, "execv", execv)
    result = app.test_cli_runner().invoke(main, ["serve", "--port", "5999"])
    assert "children" in seen, result.output
    assert seen["children"] == []
