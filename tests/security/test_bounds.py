"""Every request costs a bounded amount: page numbers and sizes are refused before any
work, the word diff and the Markdown rendering hand their libraries bounded input."""

from __future__ import annotations

import difflib
import json
import re

import pytest
from sqlalchemy import select

from isodoc import search
from isodoc.audits import services as audits
from isodoc.auth.models import User
from isodoc.documents import content
from isodoc.search.base import RawResults
from isodoc.timeutil import today_local
from isodoc.training.models import AuditorCertificate
from tests.conftest import agency, api_token, certify, login, post_form

HUGE = ["1000000000", "1" + "0" * 20, "9223372036854775807", "0", "-1", "1001", "abc",
        "²", "٣", "1e3", " "]



class RecordingEngine:
    """Stands for the search engine: records the offsets it was asked for."""

    def __init__(self):
        self.calls: list[tuple[int, int]] = []

    def search(self, parsed, filters, offset, limit):
        self.calls.append((offset, limit))
        return RawResults([], 0, {})

    def suggest(self, words, prefix, filters, limit):
        self.calls.append((0, limit))
        return []

    def vocabulary(self):
        return []

    def stamp(self):
        return ()


@pytest.fixture
def engine(monkeypatch) -> RecordingEngine:
    fake = RecordingEngine()
    monkeypatch.setattr(search, "engine", lambda: fake)
    return fake


# -- page and size parameters ------------------------------------------------------------

@pytest.mark.parametrize("page", HUGE)
def test_search_page_out_of_bounds_is_refused_before_the_engine(signed_in, engine, page):
    client = signed_in()
    answer = client.get("/search/", query_string={"q": "quy trinh", "page": page})
    assert answer.status_code == 400
    assert "Số trang phải là số nguyên từ 1 đến 1000" in answer.get_data(as_text=True)
    assert engine.calls == []


def test_search_pages_within_bounds_reach_the_engine(signed_in, engine):
    client = signed_in()
    assert client.get("/search/?q=quy+trinh&page=3").status_code == 200
    assert client.get("/search/?q=quy+trinh&page=1000").status_code == 200
    assert client.get("/search/?q=quy+trinh").status_code == 200
    assert engine.calls == [(20, 10), (9990, 10), (0, 10)]


def test_search_pages_shown_never_exceed_the_bound():
    assert search.page_count(10 ** 9, 10) == 1000
    assert search.page_count(11, 10) == 2 and search.page_count(0, 10) == 0


@pytest.mark.parametrize("page", HUGE)
def test_search_api_page_out_of_bounds_is_a_422(client, staff, in_db, engine, page):
    answer = client.get("/api/v1/search", query_string={"q": "quy trinh", "page": page},
                        headers=api_token(in_db, "stp.thuky"))
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["code"] == 422 and "Số trang" in json.dumps(body, ensure_ascii=False)
    assert engine.calls == []


def test_suggest_is_bounded(signed_in, engine):
    client = signed_in()
    answer = client.get("/search/suggest", query_string={"q": "quy " * 10_000 + "tr"})
    assert answer.status_code == 200
    assert all(limit <= 16 for _, limit in engine.calls)


@pytest.mark.parametrize("page", HUGE)
def test_findings_api_page_out_of_bounds_is_a_422(client, staff, in_db, page):
    answer = client.get("/api/v1/findings", query_string={"page": page},
                        headers=api_token(in_db, "stp.thuky"))
    assert answer.status_code == 422
    assert "Số trang" in json.dumps(answer.get_json(), ensure_ascii=False)


@pytest.mark.parametrize("size", ["0", "101", "1000", "1" + "0" * 20, "x"])
def test_findings_api_page_size_out_of_bounds_is_a_422(client, staff, in_db, size):
    answer = client.get("/api/v1/findings", query_string={"page_size": size},
                        headers=api_token(in_db, "stp.thuky"))
    assert answer.status_code == 422
    assert "Số mục mỗi trang" in json.dumps(answer.get_json(), ensure_ascii=False)


def plan(in_db, code: str, lead: str, title: str) -> None:
    with in_db() as s:
        user = s.scalars(select(User).where(User.username == lead)).one()
        today = today_local()
        if not user.id or not s.scalar(select(AuditorCertificate.id).where(
                AuditorCertificate.user_id == user.id)):
            certify(lead)
        audits.plan_audit(agency(code), user, audits.AuditPlan(
            title, today, today, user, [], "7.5.3"))


def test_audits_api_without_agency_lists_what_the_caller_may_see(client, staff, in_db,
                                                                  make_user):
    make_user(("so-y-te", "auditor"), username="syt.danhgia")
    plan(in_db, "so-tu-phap", "stp.danhgia", "Đợt 1")
    plan(in_db, "so-tu-phap", "stp.danhgia", "Đợt 2")
    plan(in_db, "so-y-te", "syt.danhgia", "Đợt Y tế")
    secretary, outsider = api_token(in_db, "stp.thuky"), api_token(in_db, "syt.thuky")
    mine = client.get("/api/v1/audits", headers=secretary)
    assert mine.status_code == 200
    assert sorted(a["title"] for a in mine.get_json()) == ["Đợt 1", "Đợt 2"]
    assert json.loads(mine.headers["X-Pagination"])["total"] == 2
    theirs = client.get("/api/v1/audits", headers=outsider).get_json()
    assert [a["title"] for a in theirs] == ["Đợt Y tế"]
    second = client.get("/api/v1/audits?page=2&page_size=1", headers=secretary)
    assert len(second.get_json()) == 1
    assert json.loads(second.headers["X-Pagination"])["page"] == 2
    assert client.get("/api/v1/audits?page=3&page_size=1", headers=secretary).get_json() == []
    reader = api_token(in_db, "stp.congchuc")
    assert client.get("/api/v1/audits", headers=reader).get_json() == []
    for page in ("0", "1" + "0" * 20):
        assert client.get(f"/api/v1/audits?page={page}", headers=secretary).status_code == 422


def test_documents_and_users_apis_are_paged(client, staff, in_db, make_user):
    admin = make_user(("ubnd-tinh", "admin"), username="qt.tinh")
    headers = api_token(in_db, admin)
    users = client.get("/api/v1/users?page_size=2", headers=headers)
    assert users.status_code == 200 and len(users.get_json()) == 2
    assert json.loads(users.headers["X-Pagination"])["total"] == 7
    assert client.get("/api/v1/users?page=2000", headers=headers).status_code == 422
    docs = client.get("/api/v1/agencies/so-tu-phap/documents?page=1&page_size=5", headers=headers)
    assert docs.status_code == 200 and json.loads(docs.headers["X-Pagination"])["total"] == 0
    assert client.get("/api/v1/agencies/so-tu-phap/documents?page_size=500", headers=headers
                      ).status_code == 422


@pytest.mark.parametrize("page", ["1" + "0" * 20, "0", "abc", "1001"])
def test_admin_audit_log_page_out_of_bounds_is_a_400(client, province, make_user, page):
    login(client, make_user(("ubnd-tinh", "admin")))
    answer = client.get("/admin/audit", query_string={"page": page})
    assert answer.status_code == 400
    assert "Số trang" in answer.get_data(as_text=True)


# -- word diff ---------------------------------------------------------------------------

class RecordingMatcher(difflib.SequenceMatcher):
    sizes: list[tuple[int, int]] = []

    def __init__(self, isjunk=None, a="", b="", autojunk=True):
        RecordingMatcher.sizes.append((len(a), len(b)))
        assert len(a) <= 5_000 and len(b) <= 5_000, "difflib handed unbounded input"
        super().__init__(isjunk, a, b, autojunk)


@pytest.fixture
def matcher(monkeypatch):
    RecordingMatcher.sizes = []
    monkeypatch.setattr(difflib, "SequenceMatcher", RecordingMatcher)
    return RecordingMatcher


def test_word_diff_of_large_bodies_hands_difflib_bounded_input(matcher):
    old = " ".join(f"a{i}" for i in range(100_000))[:500_000]
    new = " ".join(f"b{i}" for i in range(100_000))[:500_000]
    left, right, changed = content.word_diff(old, new)
    assert changed > 0 and "<del>" in left and "<ins>" in right
    assert "quá lớn để so sánh từng từ" in left
    assert matcher.sizes and all(a <= 5_000 and b <= 5_000 for a, b in matcher.sizes)


def test_word_diff_of_many_lines_is_bounded(matcher):
    old = "\n".join(f"dòng {i} cũ" for i in range(60_000))
    new = "\n".join(f"dòng {i} mới" for i in range(60_000))
    left, right, changed = content.word_diff(old, new)
    assert changed > 0 and "quá lớn để so sánh từng từ" in right
    assert all(a <= 5_000 and b <= 5_000 for a, b in matcher.sizes)


def test_word_diff_of_a_small_change_in_a_large_body_stays_word_level(matcher):
    body = "Quy trình tiếp nhận hồ sơ.\n" * 20_000
    left, right, changed = content.word_diff(body + "cũ", body + "mới")
    assert changed == 1 and left.endswith("<del>cũ</del>") and right.endswith("<ins>mới</ins>")
    assert "quá lớn" not in left


def test_word_diff_of_ordinary_text_is_unchanged():
    left, right, changed = content.word_diff("Quy trình tiếp dân", "Quy trình tiếp công dân")
    assert changed == 2
    assert right == "Quy trình tiếp <ins>công </ins>dân"
    assert left == "Quy trình tiếp dân"


# -- Markdown rendering ------------------------------------------------------------------

PATHOLOGICAL = ["[" * 400_000, "![" * 200_000, "*" * 400_000, ">" * 100_000, "`" * 400_000,
                "[a](" * 100_000, "_" * 400_000, "*a" * 200_000, "- " * 200_000,
                ("[" * 2_000 + "\n\n") * 200]


@pytest.fixture
def inline_budget(monkeypatch):
    """Counts the markup characters the inline parser is handed, failing fast when it is
    handed more than a bounded amount (before the fix: the whole 400k)."""
    seen = {"markup": 0}
    original = content._md.inline.parse

    def parse(src, md, env, tokens):
        seen["markup"] += sum(src.count(c) for c in "[]!`*_<>~&\\")
        assert seen["markup"] <= 40_000, "inline parser handed unbounded markup"
        return original(src, md, env, tokens)

    monkeypatch.setattr(content._md.inline, "parse", parse)
    content._cache.clear()
    return seen


@pytest.mark.parametrize("body", PATHOLOGICAL, ids=lambda b: repr(b[:6]))
def test_pathological_markdown_renders_with_bounded_inline_work(inline_budget, body):
    html = content.render(body)
    assert str(html)
    assert inline_budget["markup"] <= content.INLINE_MARKUP_BUDGET


def test_render_cuts_what_exceeds_the_size_limit():
    body = "Đoạn văn bình thường.\n\n" * 40_000  # 920 000 characters
    html = str(content.render(body))
    assert "quá dài" in html and html.count("<p>") <= 500_000 // 23 + 2


def test_ordinary_markdown_is_rendered_in_full():
    html = str(content.render("# Tiêu đề\n\nMột [liên kết](https://example.vn) và *nhấn*."))
    assert '<a href="https://example.vn"' in html and "<em>nhấn</em>" in html


def test_preview_of_pathological_input_answers(signed_in, inline_budget):
    client = signed_in()
    answer = post_form(client, "/preview", {"body": "[" * 400_000})
    assert answer.status_code in (200, 400)


def test_render_cache_is_bounded_in_size():
    content._cache.clear()
    for i in range(60):
        content.render(f"Đoạn {i}\n\n" + "chữ " * 100_000)
    assert content._cache.chars <= content._cache.max_chars


def test_render_cuts_what_exceeds_the_line_limit():
    html = str(content.render("dòng\n" * 50_000))
    assert "quá dài" in html and html.count("dòng") <= 10_000 + 2  # + the two notes


@pytest.mark.parametrize("body", ["&" * 400_000, "    " + "&" * 400_000,
                                  "```\n" + "x&" * 200_000 + "\n```"],
                         ids=["text", "code", "fence"])
def test_sanitiser_is_never_handed_a_long_text_node(monkeypatch, body):
    """nh3 is quadratic in the "&" of one text node (400,000: 4.9 s)."""
    longest = []
    original = content.nh3.clean

    def clean(html, **kwargs):
        longest.append(max(len(run) for run in re.findall(r">([^<]*)", html)))
        return original(html, **kwargs)

    monkeypatch.setattr(content.nh3, "clean", clean)
    content._cache.clear()
    assert "&amp;" in str(content.render(body))
    assert longest and longest[0] <= 5 * content.TEXT_PIECE  # 2,000 "&amp;" at most


def test_did_you_mean_looks_up_a_bounded_number_of_words(monkeypatch):
    looked_up = []
    monkeypatch.setattr(search, "vocabulary", lambda: ["quy", "trinh"])
    monkeypatch.setattr(search.difflib, "get_close_matches",
                        lambda word, *args, **kwargs: looked_up.append(word) or [])
    parsed = search.bounded(search.parse(" ".join(f"tu{i:03d}" for i in range(60))))
    search.did_you_mean(parsed)
    assert len(parsed.words) <= 32 and len(looked_up) <= 8


def test_word_diff_in_line_mode_still_marks_small_changes_by_word(matcher):
    old = [f"dòng {i} a" for i in range(1_500)]
    new = ["dòng 0 b", *old[1:-1], "dòng 1499 b"]
    left, right, changed = content.word_diff("\n".join(old), "\n".join(new))
    assert "quá lớn để so sánh từng từ" in left  # more than 2,000 tokens differ between
    assert "dòng 0 <del>a</del>" in left and "dòng 1499 <ins>b</ins>" in right
    assert changed == 2
    assert sum(max(a, b) for a, b in matcher.sizes[1:]) <= content.DIFF_MAX_TOKENS


@pytest.mark.parametrize("url", ["/api/v1/findings/{n}", "/api/v1/audits/{n}",
                                 "/api/v1/agencies/so-tu-phap/documents/qt-01/drafts/{n}"])
def test_an_id_past_the_column_range_is_a_404(client, staff, in_db, url):
    answer = client.get(url.format(n="9" * 25), headers=api_token(in_db, "stp.thuky"))
    assert answer.status_code == 404
    assert client.get(url.format(n=2**31), headers=api_token(in_db, "stp.thuky")
                      ).status_code == 404
