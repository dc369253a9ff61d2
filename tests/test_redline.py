"""Changes as a document (documents/redline.py, the `changes` page): reviewers and
approvers see the revision rendered, with insertions and deletions marked inside its
headings, list items and table cells, and the sections that changed."""

from __future__ import annotations

import difflib

import lxml.html
import pytest

from isodoc.documents import content, redline
from isodoc.timeutil import today_local
from tests.doc_helpers import BASE, create_from_template, draft_form, post, user_id

OLD = """## 1. Mục đích

Quy định cách tiếp nhận và xử lý đơn thư.

## 2. Trình tự

1. Tiếp nhận đơn thư
2. Phân loại

| Bước | Người thực hiện |
| --- | --- |
| Tiếp nhận | Văn thư |
| Ký | Lãnh đạo |

## 3. Lưu hồ sơ

Hồ sơ lưu tại văn thư.

Thời hạn lưu 5 năm.
"""
NEW = (OLD.replace("## 2. Trình tự", "## 2. Trình tự thực hiện")
       .replace("2. Phân loại", "2. Phân loại\n3. Trả kết quả cho người gửi")
       .replace("| Văn thư |", "| Bộ phận một cửa |")
       .replace("Thời hạn lưu 5 năm.\n", ""))


def issue_then_revise(desk, in_db) -> None:
    """QT-05 issued with OLD, then draft 2 edited to NEW and sent to review."""
    author = desk("author")
    assert create_from_template(author, body=OLD).status_code == 302
    post(author, f"{BASE}/qt-05/drafts/1/submit", {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/qt-05/drafts/1/review", {"decision": "agreed"})
    post(desk("approver"), f"{BASE}/qt-05/drafts/1/approve", {"comment": "Đồng ý"})
    post(desk("secretary"), f"{BASE}/qt-05/drafts/1/issue",
         {"effective_date": today_local().strftime("%d/%m/%Y")})
    assert post(author, f"{BASE}/qt-05/revise").status_code == 302
    form = draft_form(author, seq=2)
    form.update(body=NEW, change_location="Mục 2", change_summary="Bổ sung trả kết quả",
                reason="Ý kiến người dân")
    assert post(author, f"{BASE}/qt-05/drafts/2/edit", form).status_code == 302
    post(author, f"{BASE}/qt-05/drafts/2/submit", {"reviewers": user_id(in_db, "stp.danhgia")})


def test_reviewer_and_approver_read_the_changes_inside_the_rendered_document(desk, in_db):
    issue_then_revise(desk, in_db)
    for who in ("auditor", "approver"):
        draft = desk(who).get(f"{BASE}/qt-05/drafts/2").get_data(as_text=True)
        link = f"{BASE}/qt-05/changes?a=1&amp;b=d2"
        assert link in draft and "Xem thay đổi so với lần 1" in draft, who
        response = desk(who).get(f"{BASE}/qt-05/changes?a=1&b=d2")
        assert response.status_code == 200, who
        page = lxml.html.fromstring(response.get_data(as_text=True))
        body = page.xpath("//article[contains(@class, 'redline')]")[0]
        # the changed heading: the added words inside the <h2>
        heading = body.xpath(".//h2")[1]
        assert heading.text_content() == "2. Trình tự thực hiện"
        assert [e.text for e in heading.xpath(".//ins")] == ["thực hiện"]
        # the inserted list item: a whole <li> of the numbered list, inserted
        items = body.xpath(".//ol/li")
        assert [li.text_content() for li in items] == [
            "Tiếp nhận đơn thư", "Phân loại", "Trả kết quả cho người gửi"]
        assert [e.text for e in items[2].xpath(".//ins")] == ["Trả kết quả cho người gửi"]
        assert not items[0].xpath(".//ins | .//del") and not items[1].xpath(".//ins | .//del")
        # the changed table cell: old and new words inside that <td>, the rest untouched
        cells = body.xpath(".//table/tbody/tr/td")
        assert [e.text for e in cells[1].xpath(".//del")] == ["Văn thư"]
        assert [e.text for e in cells[1].xpath(".//ins")] == ["Bộ phận một cửa"]
        assert sum(len(c.xpath(".//ins | .//del")) for c in cells) == 2
        assert [th.text_content() for th in body.xpath(".//table/thead/tr/th")] == \
            ["Bước", "Người thực hiện"]
        # the removed paragraph, struck in place
        assert [e.text for e in body.xpath(".//p/del")] == ["Thời hạn lưu 5 năm."]
        # the summary names the changed sections only
        summary = page.xpath("//section[contains(@class, 'changes-summary')]//li")
        assert [li.text_content().split(":")[0] for li in summary] == \
            ["2. Trình tự thực hiện", "3. Lưu hồ sơ"]
        assert "1 đoạn bỏ" in summary[1].text_content()
        assert "1 đoạn thêm" in summary[0].text_content()
        # the word diff of the source is one link away, and links back
        source = page.xpath("//a[contains(@href, '/diff?')]")[0].get("href")
        assert source == f"{BASE}/qt-05/diff?a=1&b=d2"
        assert f"{BASE}/qt-05/changes?a=1&amp;b=d2" in desk(who).get(source).get_data(
            as_text=True)


def test_changes_are_shown_to_whom_the_diff_is_shown(desk, in_db):
    issue_then_revise(desk, in_db)
    for who in ("reader", "outsider"):
        assert desk(who).get(f"{BASE}/qt-05/changes?a=1&b=d2").status_code == 403, who
        assert desk(who).get(f"{BASE}/qt-05/diff?a=1&b=d2").status_code == 403, who
    assert desk("reader").get(f"{BASE}/qt-05/changes?a=1&b=1").status_code == 200
    # the history's compare form offers both views of the same two revisions
    history = desk("secretary").get(f"{BASE}/qt-05/history").get_data(as_text=True)
    assert f'formaction="{BASE}/qt-05/changes"' in history and "So sánh mã nguồn" in history
    assert desk("author").get(f"{BASE}/qt-05/changes?a=1&b=9").status_code == 404
    assert desk("author").get(f"{BASE}/qt-05/changes?a=x&b=d2").status_code == 404


def test_unchanged_revision_says_so():
    result = redline.redline(OLD, OLD)
    assert result.sections == [] and result.changed == 0 and "<ins>" not in result.html


def test_markup_in_the_text_stays_text():
    result = redline.redline("Đoạn một.\n",
                             "Đoạn <script>alert(1)</script> [x](javascript:a) một.\n")
    html = str(result.html)  # a Markup escapes what `in` looks for
    assert "<script" not in html and "href" not in html
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:a)</ins>" in html


class RecordingMatcher(difflib.SequenceMatcher):
    sizes: list[tuple[int, int]] = []

    def __init__(self, isjunk=None, a="", b="", autojunk=True):
        RecordingMatcher.sizes.append((len(a), len(b)))
        super().__init__(isjunk, a, b, autojunk)


@pytest.fixture
def matcher(monkeypatch):
    RecordingMatcher.sizes = []
    monkeypatch.setattr(difflib, "SequenceMatcher", RecordingMatcher)
    return RecordingMatcher


def test_many_changed_blocks_are_cut_with_a_notice(matcher):
    old = "\n".join(f"- mục {i} cũ" for i in range(6_000))
    new = "\n".join(f"- mục {i} mới" for i in range(6_000))
    result = redline.redline(old, new)
    assert redline.BLOCKS_TOO_MANY in result.notes
    assert all(a <= content.DIFF_MAX_LINES and b <= content.DIFF_MAX_LINES
               for a, b in matcher.sizes)
    # shown as every old item removed, then every new one inserted: linear work
    assert result.changed == 12_000
    assert str(result.html).count("<li><del>") == 6_000
    assert str(result.html).count("<li><ins>") == 6_000


def test_long_changed_paragraphs_share_the_word_budget(matcher):
    old = "\n\n".join(" ".join(f"a{i}x{j}" for j in range(400)) for i in range(20))
    new = "\n\n".join(" ".join(f"b{i}x{j}" for j in range(400)) for i in range(20))
    result = redline.redline(old, new)
    word_sizes = [max(a, b) for a, b in matcher.sizes if max(a, b) > 20]
    assert sum(word_sizes) <= content.DIFF_MAX_TOKENS
    assert redline.WORDS_TOO_MANY in result.notes and result.changed == 20


def test_a_body_beyond_the_rendering_bound_is_cut_with_a_notice(matcher):
    huge = "Đoạn văn.\n\n" * 100_000
    result = redline.redline(huge, huge + "Thêm.\n")
    assert redline.TOO_LONG in result.notes
    assert len(result.html) < 2 * content.RENDER_MAX_CHARS
