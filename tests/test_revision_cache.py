"""The revision cache: pages showing a revision read git once, then never again; the
cache needs no invalidation because its keys name content that cannot change."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import git.cmd
import pytest

from isodoc.documents import cache, content, repos
from tests.conftest import api_token
from tests.doc_helpers import BASE, draft_form, issue_qt05, post, user_id

API = "/api/v1/agencies/so-tu-phap/documents"


class GitStarted(AssertionError):
    pass


def no_git(monkeypatch) -> None:
    """Fail loudly if anything opens a repository or starts a process."""
    def refuse(*args, **kwargs):
        raise GitStarted(f"git was used: {args[:2]!r}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(git.cmd, "safer_popen", refuse)
    monkeypatch.setattr(repos, "AgencyRepo", refuse)


def article(page: str) -> str:
    return page.split('<article class="card doc-body" translate="no">')[1].split("</article>")[0]


def blob_files(app) -> list[Path]:
    return sorted((Path(app.instance_path) / "cache" / "blobs").glob("*/*.json"))


@pytest.fixture
def token(in_db, staff) -> dict:
    return api_token(in_db, staff["reader"], 'cache')


def test_page_in_force_starts_no_git_once_read(desk, in_db, app, monkeypatch, token):
    issue_qt05(desk, in_db)
    reader = desk("reader")
    first = reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    assert "Mục đích" in article(first)

    no_git(monkeypatch)
    memory = reader.get(f"{BASE}/qt-05").get_data(as_text=True)  # this worker's memory
    assert article(memory) == article(first)
    cache.clear_memory()  # a new worker: the files under instance/cache
    again = reader.get(f"{BASE}/qt-05")
    assert again.status_code == 200 and article(again.get_data(as_text=True)) == article(first)
    assert reader.get(f"{BASE}/qt-05/revisions/1").status_code == 200
    assert reader.get(f"{BASE}/qt-05/history").status_code == 200
    api = reader.get(f"{API}/qt-05", headers=token)
    assert api.status_code == 200
    assert api.get_json()["html"] == str(content.render(api.get_json()["markdown"]))
    assert api.get_json()["front_matter"]["revision"] == 1


def test_a_new_revision_is_a_new_key_and_the_old_one_stays(desk, in_db, monkeypatch):
    issue_qt05(desk, in_db)
    reader = desk("reader")
    assert "Mục đích" in article(reader.get(f"{BASE}/qt-05").get_data(as_text=True))
    post(desk("author"), f"{BASE}/qt-05/revise")
    form = draft_form(desk("author"), seq=2)
    form.update(body=form["body"] + "\n\nĐiều khoản bổ sung lần hai.\n",
                change_summary="Bổ sung", reason="Rà soát")
    assert post(desk("author"), f"{BASE}/qt-05/drafts/2/edit", form).status_code == 302
    post(desk("author"), f"{BASE}/qt-05/drafts/2/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/qt-05/drafts/2/review", {"decision": "agreed"})
    post(desk("approver"), f"{BASE}/qt-05/drafts/2/approve", {"comment": "Đồng ý"})
    from isodoc.timeutil import today_local

    post(desk("secretary"), f"{BASE}/qt-05/drafts/2/issue",
         {"effective_date": today_local().strftime("%d/%m/%Y")})
    page = reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    assert "Điều khoản bổ sung lần hai." in article(page)
    no_git(monkeypatch)
    old = reader.get(f"{BASE}/qt-05/revisions/1").get_data(as_text=True)
    assert "Mục đích" in article(old) and "lần hai" not in article(old)


def test_a_damaged_cache_file_is_ignored_and_git_read_again(desk, in_db, app):
    issue_qt05(desk, in_db)
    reader = desk("reader")
    first = reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    for path in blob_files(app):
        stored = json.loads(path.read_text(encoding="utf-8"))
        stored["text"] = stored["text"].replace("Mục đích", "Nội dung giả mạo")
        stored["html"] = (stored["html"] or "").replace("Mục đích", "Nội dung giả mạo")
        path.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    cache.clear_memory()
    again = reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    assert "giả mạo" not in again and article(again) == article(first)


def test_damaged_html_is_rendered_again(desk, in_db, app):
    issue_qt05(desk, in_db)
    reader = desk("reader")
    first = reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    for path in blob_files(app):
        stored = json.loads(path.read_text(encoding="utf-8"))
        stored["html"] = "<script>alert(1)</script>"
        path.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    cache.clear_memory()
    again = reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    assert "<script>alert" not in again and article(again) == article(first)


def test_html_of_another_renderer_is_rendered_again(desk, in_db, app):
    issue_qt05(desk, in_db)
    reader = desk("reader")
    first = reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    for path in blob_files(app):
        stored = json.loads(path.read_text(encoding="utf-8"))
        stored.update(html="<p>kết quả của bộ làm sạch cũ</p>", renderer="cu")
        path.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    cache.clear_memory()
    assert article(reader.get(f"{BASE}/qt-05").get_data(as_text=True)) == article(first)


def test_draft_pages_are_cached_by_their_head_commit(desk, in_db, monkeypatch):
    from tests.doc_helpers import create_from_template

    create_from_template(desk("author"), body="## Mục đích\n\nBản nháp thứ nhất.\n")
    author = desk("author")
    assert "Bản nháp thứ nhất." in author.get(f"{BASE}/qt-05/drafts/1").get_data(as_text=True)
    form = draft_form(author)
    form["body"] = "## Mục đích\n\nBản nháp thứ hai.\n"
    assert post(author, f"{BASE}/qt-05/drafts/1/edit", form).status_code == 302
    page = author.get(f"{BASE}/qt-05/drafts/1").get_data(as_text=True)
    assert "Bản nháp thứ hai." in page and "thứ nhất" not in page
    no_git(monkeypatch)
    cache.clear_memory()
    assert "Bản nháp thứ hai." in author.get(f"{BASE}/qt-05/drafts/1").get_data(as_text=True)


def test_the_cache_is_keyed_by_the_git_name_of_the_content(app):
    data = "---\ncode: QT-01\n---\n\nNội dung.\n".encode()
    expected = subprocess.run(["git", "hash-object", "--stdin"], input=data,
                              capture_output=True, check=True).stdout.decode().strip()
    assert cache.blob_id(data) == expected
