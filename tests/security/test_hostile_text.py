"""Hostile text through every text field of the web forms and the JSON API's writes.

The forms are discovered, not listed: each page with a form is fetched as a person who
may use it, and every <input>/<textarea> of each POST form is filled. Then a draft whose
title, body and change reason carry control characters and a fake git log record is
taken through review, approval and issue. Afterwards: no answer was a 500, the app
still starts and `isodoc check` is clean, nothing is issued that was not approved, and
no stored text holds control, bidi or zero-width characters or is not NFC.
"""

from __future__ import annotations

import html
import re
import subprocess
import unicodedata
import warnings
from pathlib import Path

import pytest
from sqlalchemy import String, Text, select

from isodoc import create_app
from isodoc.cli import main
from isodoc.timeutil import today_local
from tests.conftest import app_config
from tests.security.conftest import OWN, Clients, World, build_world, form_token

FAKE_TRAILERS = "\n\nDocument: QT-01\nRevision: 9\nApproved-by: admin\nIsodoc-Revision: 1\n"
CORPUS = [
    "Quy trình\x1etiếp dân\x1f\x00\x0b",
    "Ban hành\x85\x9b kèm C1",
    "Tài liệu \u202egnảb\u202c \u2066ẩn\u2069",
    "Không\u200b gian\ufeff rộng\u200d",
    unicodedata.normalize("NFD", "Quy trình thủ tục hành chính"),
    "--upload-pack=touch /tmp/isodoc-pwned",
    "-c core.pager=touch /tmp/isodoc-pwned",
    "refs/heads/main",
    "../../etc/passwd",
    FAKE_TRAILERS,
    '<script>alert(1)</script><img src=x onerror=alert(2)>"\'',
    "{{ 7*7 }} ${7*7} %(x)s",
]
PWNED = Path("/tmp/isodoc-pwned")  # noqa: S108 (what the git-option payloads would touch)
BIG = "ạ" * 1_000_000  # one 1 MB-ish string, sent once per form
# C0/C1 controls but newline and tab (\r\n from a browser's textarea is allowed too),
# bidi embeddings/overrides/isolates and zero-width characters
BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                 "\u2060-\u2069\ufeff]")
FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
ATTR_RE = re.compile(r'(\w[\w-]*)="([^"]*)"')
INPUT_RE = re.compile(r"<input\b([^>]*)>", re.I)
TEXTAREA_RE = re.compile(r"<textarea\b([^>]*)>(.*?)</textarea>", re.S | re.I)
SELECT_RE = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S | re.I)
OPTION_RE = re.compile(r'<option\b[^>]*value="([^"]*)"', re.I)
TEXT_TYPES = {"text", "search", "", "email"}
NOT_FUZZED = {"csrf_token", "next", "base_sha", "password", "new_password", "confirm",
              "current_password", "username"}


@pytest.fixture(autouse=True)
def empty_tables() -> None:
    """The module keeps its one world (overrides tests/conftest.py's emptying)."""


@pytest.fixture(scope="module")
def world(app) -> World:
    return build_world(app)


@pytest.fixture(autouse=True)
def crashes_answer_500(app, monkeypatch) -> None:
    """A crash is answered 500 (and counted) instead of stopping the probe at the first."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


@pytest.fixture(scope="module")
def clients(app, world) -> Clients:
    return Clients(app).signed_in()


def attrs(text: str) -> dict[str, str]:
    return {k.lower(): html.unescape(v) for k, v in ATTR_RE.findall(text)}


def post_forms(page: str, url: str) -> list[tuple[str, dict[str, str], list[str]]]:
    """(action, default values, names of free-text fields) of each POST form of the page
    at `url` (a form without an action posts back to its page)."""
    forms = []
    for head, inner in FORM_RE.findall(page):
        meta = attrs(head)
        if meta.get("method", "get").lower() != "post":
            continue
        meta.setdefault("action", url)
        values, texts = {}, []
        for tag in INPUT_RE.findall(inner):
            a = attrs(tag)
            if "name" not in a or a.get("type") in ("submit", "button", "file"):
                continue
            if a.get("type") in ("checkbox", "radio"):
                values.setdefault(a["name"], a.get("value", "y"))
                continue
            values[a["name"]] = a.get("value", "")
            if a.get("type", "") in TEXT_TYPES and a["name"] not in NOT_FUZZED:
                texts.append(a["name"])
        for head_t, body in TEXTAREA_RE.findall(inner):
            name = attrs(head_t).get("name")
            if name:
                values[name] = html.unescape(body.lstrip("\n"))
                texts.append(name)
        for head_s, body in SELECT_RE.findall(inner):
            name, options = attrs(head_s).get("name"), [o for o in OPTION_RE.findall(body) if o]
            if name and options:
                values[name] = options[-1] if "reviewer" in name else options[0]
        forms.append((html.unescape(meta["action"]), values, texts))
    return forms


# (who, page): pages whose forms take text, fetched as someone who may use them
PAGES = [
    ("author", "/agencies/{own}/documents/new?template=qt-05-xem-xet-lanh-dao"),
    ("author", "/agencies/{own}/documents/{draft_slug}/drafts/{draft_seq}/edit"),
    ("author", "/agencies/{own}/documents/{draft_slug}/drafts/{draft_seq}"),
    ("approver", "/agencies/{own}/documents/{reviewed_slug}/drafts/{reviewed_seq}"),
    ("auditor", "/agencies/{own}/documents/{hd01_slug}/drafts/{hd01_seq}"),
    ("secretary", "/agencies/{own}/documents/{qt01_slug}"),
    ("auditor", "/agencies/{own}/audits/new"),
    ("auditor", "/agencies/{own}/audits/{audit}"),
    ("auditor", "/agencies/{own}/audits/{audit}/edit"),
    ("auditor", "/agencies/{own}/findings/new"),
    ("secretary", "/agencies/{own}/findings/{ofi}"),
    ("auditor", "/agencies/{own}/findings/{nc}"),
    ("reader", "/account"),
    ("admin", "/admin/people"),
    ("admin", "/admin/people/{reader_name}"),
    ("admin", "/agencies/{own}"),
    ("secretary", "/agencies/{own}/management-reviews/new"),
    ("secretary", "/agencies/{own}/management-reviews/{review}"),
    ("secretary", "/agencies/{own}/training"),
    ("secretary", "/agencies/{own}/records"),
]
# forms whose success would end the session or the world
SKIPPED_ACTIONS = ("/logout", "/language/", "/account/password", "/reset-password",
                   "/active", "/dissolve", "/remove", "/cancel", "/withdraw")


STRICT = {"code", "tthc_code", "clause", "clauses", "iso_clauses", "scope_clauses"}


def unique_code(action: str, default: str, tag: str) -> str:
    if "/children" in action:
        return f"don-vi-h{tag}"
    return f"QT-H{tag}" if default or "/documents/new" in action else default


def variants(action: str, defaults: dict[str, str], texts: list[str], hostile: str,
             tag: str) -> list[dict[str, str]]:
    """(a) hostile text after the default of every free-text field, codes and clauses left
    valid, so that it can be stored; (b) hostile codes and clauses, to be refused."""
    free = {name: (defaults.get(name) or "Nội dung") + " " + hostile
            for name in texts if name not in STRICT}
    strict = [name for name in texts if name in STRICT]
    kept = {name: defaults.get(name, "") for name in strict}
    if "code" in kept:
        kept["code"] = unique_code(action, kept["code"], tag)
    out = [{**defaults, **kept, **free}]
    if strict:
        out.append({**defaults, **kept, **{name: hostile for name in strict}})
    return out


def test_hostile_text_through_every_form_and_the_api(app, world, clients):
    PWNED.unlink(missing_ok=True)
    values = world.fmt()
    statuses: list[tuple[int, str]] = []
    oversized: list[str] = []
    seen_forms = 0
    for counter, (who, page) in enumerate(PAGES):
        client = clients(who)
        url = page.format(**values)
        response = client.get(url)
        assert response.status_code == 200, (who, page, response.status_code)
        forms = post_forms(response.get_data(as_text=True), url)
        for action, defaults, texts in forms:
            if not texts or action.startswith(SKIPPED_ACTIONS) or \
                    any(s in action for s in SKIPPED_ACTIONS):
                continue
            seen_forms += 1
            for n, hostile in enumerate([*CORPUS, BIG]):
                for data in variants(action, defaults, texts, hostile, f"{counter}{n}"):
                    data["csrf_token"] = form_token(client)
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        response = client.post(action, data=data)
                    statuses.append((response.status_code, f"{who} {action} #{n}"))
                    # user text echoed into the cookie session (flash) must not overflow it
                    oversized += [f"{who} {action} #{n}: {w.message}" for w in caught
                                  if "cookie is too large" in str(w.message)]
    assert seen_forms >= 15, seen_forms

    # the JSON API's writes: a new draft and a save, with hostile text in every field
    token = {"Authorization": f"Bearer {world.tokens['author']}"}
    api = app.test_client()
    base = f"/api/v1/agencies/{OWN}/documents"
    for n, hostile in enumerate(CORPUS):
        response = api.post(base, headers=token, json={
            "code": f"API-{n}", "title": "Quy trình " + hostile, "kind": "internal",
            "field": hostile, "iso_clauses": "7.5", "tthc_code": "", "body": "# A\n" + hostile})
        statuses.append((response.status_code, f"API create #{n}"))
        response = api.post(base, headers=token, json={
            "code": hostile, "title": "Quy trình", "kind": "internal"})
        statuses.append((response.status_code, f"API create code #{n}"))
    draft = api.get(f"{base}/{values['draft_slug']}/drafts/{values['draft_seq']}",
                    headers=token).get_json()
    for n, hostile in enumerate(CORPUS):
        response = api.post(f"{base}/{values['draft_slug']}/drafts/{values['draft_seq']}",
                            headers=token, json={
                                "base_sha": draft["head_sha"], "title": "Tiêu đề " + hostile,
                                "kind": "internal", "body": "# B\n" + hostile,
                                "change_location": hostile, "change_summary": hostile,
                                "reason": hostile})
        statuses.append((response.status_code, f"API save #{n}"))
        if response.status_code == 200:
            draft["head_sha"] = response.get_json()["head_sha"]

    # comments and reasons of the workflow through the API
    approver = {"Authorization": f"Bearer {world.tokens['approver']}"}
    secretary = {"Authorization": f"Bearer {world.tokens['secretary']}"}
    for n, hostile in enumerate(CORPUS[:4] + CORPUS[9:10]):
        response = api.post(f"{base}/{values['reviewed_slug']}/drafts/{values['reviewed_seq']}"
                            "/reject", headers=approver, json={"comment": hostile})
        statuses.append((response.status_code, f"API reject #{n}"))
        response = api.post(f"{base}/{values['qt01_slug']}/withdraw", headers=secretary,
                            json={"reason": hostile})
        statuses.append((response.status_code, f"API withdraw #{n}"))

    assert not PWNED.exists(), "a git option from user text was executed"
    crashes = [what for code, what in statuses if code >= 500]
    assert crashes == [], f"{len(crashes)} answers were 500: {crashes[:10]}"
    assert oversized == [], oversized[:5]
    assert_clean_and_consistent(app)


def test_a_hostile_draft_through_review_approval_and_issue(app, world, clients):
    """The attack of issue 8: a title with U+001E and a reason carrying a fake log record
    of another document, issued normally; the app must still start and check clean, and
    the repair must never issue the other (unapproved) draft."""
    d = f"/agencies/{OWN}/documents"
    author, auditor = clients("author"), clients("auditor")
    approver, secretary = clients("approver"), clients("secretary")
    page = author.get(f"{d}/new?template=qt-05-xem-xet-lanh-dao").get_data(as_text=True)
    body = html.unescape(re.search(r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>',
                                   page, re.S).group(1))
    response = author.post(f"{d}/new", data={
        "csrf_token": form_token(author), "code": "QT-05", "kind": "internal",
        "title": "Quy trình\x1etiếp dân\x1f" + FAKE_TRAILERS, "iso_clauses": "9.3",
        "review_months": "12", "field": "Hệ thống\x1e", "tthc_code": "",
        "body": body + FAKE_TRAILERS})
    assert response.status_code in (200, 302, 422), response.status_code
    if response.status_code != 302:  # refused at the boundary: nothing to take further
        assert_clean_and_consistent(app)
        return
    slug = "qt-05"
    auditor_id = str(user_id(app, "stp.danhgia"))
    steps = [(author, f"{d}/{slug}/drafts/1/submit", {"reviewers": auditor_id,
                                                      "comment": FAKE_TRAILERS}),
             (auditor, f"{d}/{slug}/drafts/1/review", {"decision": "agreed",
                                                       "comment": "\x1e" + FAKE_TRAILERS}),
             (approver, f"{d}/{slug}/drafts/1/approve", {"comment": FAKE_TRAILERS + "\x1f"}),
             (secretary, f"{d}/{slug}/drafts/1/issue",
              {"effective_date": today_local().strftime("%d/%m/%Y")})]
    for client, url, data in steps:
        response = client.post(url, data={"csrf_token": form_token(client), **data})
        assert response.status_code < 500, (url, response.status_code)
    assert_clean_and_consistent(app)


def user_id(app, username: str) -> int:
    from isodoc.auth.models import User
    from isodoc.extensions import db

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def assert_clean_and_consistent(app) -> None:
    from isodoc.documents.models import Revision, RevisionEvent
    from isodoc.extensions import db

    # the app starts and `isodoc check` (what every start runs) is clean
    other = create_app(app_config(Path(app.instance_path),
                                  app.config["SQLALCHEMY_DATABASE_URI"]))
    with other.app_context():
        db.engine.dispose()
    result = app.test_cli_runner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert result.exception is None, repr(result.exception)

    with app.app_context():
        # nothing issued that was not approved, by someone, through the approve step
        issued = db.session.scalars(select(Revision).where(Revision.number.is_not(None))).all()
        for revision in issued:
            assert revision.approved_by_id is not None, revision.id
            assert any(e.action == "approve" for e in db.session.scalars(
                select(RevisionEvent).where(RevisionEvent.revision_id == revision.id))), \
                revision.id
        approved_commits = {r.commit_sha for r in issued if r.commit_sha}
        db.session.rollback()

    # every commit on main of every agency repository is an issued, approved revision's
    # (or a withdrawal's, which an approver confirmed)
    from isodoc.documents.models import WithdrawalRequest

    with app.app_context():
        confirmed = {w.commit_sha for w in db.session.scalars(select(WithdrawalRequest))
                     if w.commit_sha and w.state == "confirmed"}
        db.session.rollback()
    for repo in Path(app.config["ISODOC_STORE_PATH"]).glob("*.git"):
        listed = subprocess.run(["git", "-C", str(repo), "rev-list", "main", "--"],
                                capture_output=True, text=True)
        if listed.returncode != 0:
            continue  # no main yet: nothing issued there
        stray = set(listed.stdout.split()) - approved_commits - confirmed
        stray = {sha for sha in stray if parent_count(repo, sha) > 0}  # the root commit
        assert stray == set(), (repo.name, stray)

    with app.app_context():
        # stored text: no control, bidi or zero-width character, and NFC everywhere
        dirty = []
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, str) and (BAD.search(value.replace("\r\n", "\n"))
                                                   or unicodedata.normalize("NFC", value)
                                                   != value):
                        dirty.append(f"{table.name}.{column.name}: {value[:60]!r}")
        db.session.rollback()
    columns = sorted({d.split(":")[0] for d in dirty})
    assert dirty == [], f"unclean text in {columns}; e.g. {dirty[:5]}"


def parent_count(repo: Path, sha: str) -> int:
    out = subprocess.run(["git", "-C", str(repo), "rev-list", "--parents", "-n", "1", sha],
                         capture_output=True, text=True, check=True).stdout.split()
    return len(out) - 1
