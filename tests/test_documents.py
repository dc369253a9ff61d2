"""Document control from the web UI, as the people of one agency would use it."""

from __future__ import annotations

import re
import subprocess
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import func, select

from isodoc.documents import services
from isodoc.documents.models import Document
from isodoc.timeutil import today_local
from tests.doc_helpers import (
    AGENCY,
    BASE,
    create_from_template,
    draft_form,
    issue_qt05,
    post,
    revision_row,
    user_id,
)


def test_the_whole_journey_of_qt05(desk, in_db, monkeypatch):
    author, reviewer = desk("author"), desk("auditor")
    # the author drafts QT-05 from the starter library
    response = create_from_template(author)
    assert response.status_code == 302 and response.location.endswith("/qt-05/drafts/1")
    page = author.get(f"{BASE}/qt-05/drafts/1").get_data(as_text=True)
    assert "DỰ THẢO" in page and "Đầu vào của cuộc xem xét" in page
    # a reviewer is named, and requests a change
    post(author, f"{BASE}/qt-05/drafts/1/submit", {"reviewers": user_id(in_db, "stp.danhgia")})
    assert revision_row(in_db)["state"] == "in_review"
    post(reviewer, f"{BASE}/qt-05/drafts/1/review",
         {"decision": "changes_requested", "comment": "Bổ sung đầu vào về kết quả TTHC trễ hạn"})
    assert revision_row(in_db)["state"] == "draft"
    assert "Bổ sung đầu vào về kết quả TTHC trễ hạn" in \
        author.get(f"{BASE}/qt-05/drafts/1").get_data(as_text=True)
    # the author fixes it and submits again
    form = draft_form(author)
    form["body"] = form["body"].replace("kết quả giải quyết thủ tục hành chính",
                                        "kết quả giải quyết thủ tục hành chính, hồ sơ trễ hạn")
    assert post(author, f"{BASE}/qt-05/drafts/1/edit", form).status_code == 302
    post(author, f"{BASE}/qt-05/drafts/1/submit", {"reviewers": user_id(in_db, "stp.danhgia")})
    post(reviewer, f"{BASE}/qt-05/drafts/1/review", {"decision": "agreed"})
    assert revision_row(in_db)["state"] == "reviewed"
    # the author may not approve; the approver approves; the secretary issues today
    assert post(author, f"{BASE}/qt-05/drafts/1/approve").status_code == 403
    post(desk("approver"), f"{BASE}/qt-05/drafts/1/approve")
    assert revision_row(in_db)["state"] == "approved"
    today = today_local()
    post(desk("secretary"), f"{BASE}/qt-05/drafts/1/issue",
         {"effective_date": today.strftime("%d/%m/%Y")})
    first = revision_row(in_db)
    assert (first["state"], first["number"], first["effective"]) == ("issued", 1, today)

    reader = desk("reader")
    page = reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    assert "Lần ban hành 1" in page and f"Hiệu lực từ {today:%d/%m/%Y}" in page
    assert "hồ sơ trễ hạn" in page

    # revision 2, effective next week: revision 1 stays in force until then
    assert post(author, f"{BASE}/qt-05/revise").status_code == 302
    form = draft_form(author, seq=2)
    form["body"] = form["body"].replace("ít nhất một lần mỗi năm", "ít nhất hai lần mỗi năm")
    form.update(change_location="Mục 2", change_summary="Họp xem xét hai lần mỗi năm",
                reason="Kết luận xem xét của lãnh đạo năm 2026")
    post(author, f"{BASE}/qt-05/drafts/2/edit", form)
    post(author, f"{BASE}/qt-05/drafts/2/submit", {"reviewers": user_id(in_db, "stp.danhgia")})
    post(reviewer, f"{BASE}/qt-05/drafts/2/review", {"decision": "agreed"})
    post(desk("approver"), f"{BASE}/qt-05/drafts/2/approve")
    next_week = today + timedelta(days=7)
    post(desk("secretary"), f"{BASE}/qt-05/drafts/2/issue",
         {"effective_date": next_week.strftime("%d/%m/%Y")})
    assert revision_row(in_db, 2)["number"] == 2

    page = reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    assert "Lần ban hành 1" in page and "ít nhất một lần mỗi năm" in page
    assert "ít nhất hai lần mỗi năm" not in page
    assert f"sẽ thay thế bản này từ {next_week:%d/%m/%Y}" in page
    upcoming = reader.get(f"{BASE}/qt-05/revisions/2").get_data(as_text=True)
    assert "chưa có hiệu lực" in upcoming

    # history and diff show both, the diff marks the changed syllable only
    history = reader.get(f"{BASE}/qt-05/history").get_data(as_text=True)
    assert "Họp xem xét hai lần mỗi năm" in history and "Kết luận xem xét" in history
    diff = reader.get(f"{BASE}/qt-05/diff?a=1&b=2").get_data(as_text=True)
    assert "<del>một</del>" in diff and "<ins>hai</ins>" in diff
    assert "1 từ (âm tiết) thay đổi" in diff

    # a week later revision 2 is in force and revision 1 is shown as obsolete
    monkeypatch.setattr(services, "today_local", lambda: next_week)
    page = reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    assert "Lần ban hành 2" in page and "ít nhất hai lần mỗi năm" in page
    old = reader.get(f"{BASE}/qt-05/revisions/1").get_data(as_text=True)
    assert "ĐÃ HẾT HIỆU LỰC" in old


def test_reader_never_sees_a_draft(desk, in_db):
    create_from_template(desk("author"))
    reader = desk("reader")
    assert reader.get(f"{BASE}/qt-05/drafts/1").status_code == 403
    assert reader.get(f"{BASE}/qt-05/diff?a=d1&b=d1").status_code == 403
    register = reader.get(f"{BASE}/").get_data(as_text=True)
    assert "QT-05" not in register  # drafts that were never issued stay with the staff
    page = reader.get(f"{BASE}/qt-05")  # not even the title of a never-issued document
    assert page.status_code == 403 and "Quy trình xem xét" not in page.get_data(as_text=True)
    outsider = desk("outsider")
    assert outsider.get(f"{BASE}/qt-05/drafts/1").status_code == 403


def test_refusals_of_the_workflow(desk, in_db):
    author, approver = desk("author"), desk("approver")
    create_from_template(author)
    # nothing happens out of order
    assert post(approver, f"{BASE}/qt-05/drafts/1/approve").status_code == 403
    assert post(desk("secretary"), f"{BASE}/qt-05/drafts/1/issue",
                {"effective_date": "01/01/2030"}).status_code == 403
    assert post(desk("auditor"), f"{BASE}/qt-05/drafts/1/review",
                {"decision": "agreed"}).status_code == 403
    # wrong agency, wrong role
    assert post(desk("outsider"), f"{BASE}/qt-05/drafts/1/submit").status_code == 403
    assert post(desk("reader"), f"{BASE}/qt-05/drafts/1/edit", {"body": "x"}).status_code == 403
    assert desk("reader").get(f"{BASE}/new").status_code == 403
    # submitting needs a reviewer, and the author cannot review their own draft
    refused = post(author, f"{BASE}/qt-05/drafts/1/submit", {"comment": "Nhờ xem gấp"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="reviewers-error">Cần chọn ít nhất một người xem xét.</small>' in page
    assert "Nhờ xem gấp</textarea>" in page  # what was typed is kept
    post(author, f"{BASE}/qt-05/drafts/1/submit", {"reviewers": user_id(in_db, "stp.soanthao")})
    assert revision_row(in_db)["state"] == "draft"
    # a reviewer who saved the draft may not approve it
    post(author, f"{BASE}/qt-05/drafts/1/submit", {"reviewers": user_id(in_db, "stp.lanhdao")})
    refused = post(approver, f"{BASE}/qt-05/drafts/1/review",
                   {"decision": "changes_requested", "comment": ""})
    assert refused.status_code == 422  # the page again, the choice kept, the message shown
    assert "Hãy ghi nội dung cần sửa." in refused.get_data(as_text=True)
    assert re.search(r'<option selected value="changes_requested">|'
                     r'value="changes_requested"[^>]*(checked|selected)',
                     refused.get_data(as_text=True))  # the choice kept
    post(approver, f"{BASE}/qt-05/drafts/1/review", {"decision": "agreed"})
    assert revision_row(in_db)["state"] == "reviewed"
    form = draft_form(desk("secretary"))
    post(desk("secretary"), f"{BASE}/qt-05/drafts/1/edit", form)  # any edit resets approvals
    assert revision_row(in_db)["state"] == "draft"
    # issue: not in the past
    post(author, f"{BASE}/qt-05/drafts/1/submit", {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/qt-05/drafts/1/review", {"decision": "agreed"})
    long_reason = "Lý do trả lại rất dài " * 400
    refused = post(approver, f"{BASE}/qt-05/drafts/1/reject", {"comment": long_reason})
    assert refused.status_code == 422 and long_reason.strip()[:300] in refused.get_data(
        as_text=True)
    assert post(approver, f"{BASE}/qt-05/drafts/1/approve").status_code == 302
    yesterday = (today_local() - timedelta(days=1)).strftime("%d/%m/%Y")
    refused = post(desk("secretary"), f"{BASE}/qt-05/drafts/1/issue",
                   {"effective_date": yesterday})
    assert refused.status_code == 422
    assert "Ngày hiệu lực không được trước hôm nay." in refused.get_data(as_text=True)
    assert f'value="{yesterday}"' in refused.get_data(as_text=True)  # the date typed, kept
    assert revision_row(in_db)["state"] == "approved"


def test_secretary_saving_makes_them_a_contributor_who_cannot_approve(desk, in_db, make_user):
    both = make_user((AGENCY, "secretary"), (AGENCY, "approver"), username="stp.kiemnhiem")
    desk.staff["both"] = both
    create_from_template(desk("author"))
    form = draft_form(desk("both"))
    post(desk("both"), f"{BASE}/qt-05/drafts/1/edit", form)
    post(desk("author"), f"{BASE}/qt-05/drafts/1/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/qt-05/drafts/1/review", {"decision": "agreed"})
    assert post(desk("both"), f"{BASE}/qt-05/drafts/1/approve").status_code == 403


def test_second_revision_needs_a_reason_and_summary(desk, in_db):
    issue_qt05(desk, in_db)
    author = desk("author")
    post(author, f"{BASE}/qt-05/revise")
    post(author, f"{BASE}/qt-05/drafts/2/submit", {"reviewers": user_id(in_db, "stp.danhgia")})
    assert "cần ghi nội dung sửa đổi và lý do" in \
        author.get(f"{BASE}/qt-05/drafts/2").get_data(as_text=True)
    assert revision_row(in_db, 2)["state"] == "draft"
    # only one open revision at a time
    post(author, f"{BASE}/qt-05/revise")
    assert "đang có một dự thảo chưa ban hành" in author.get(f"{BASE}/qt-05").get_data(
        as_text=True)


def test_stale_save_is_refused_with_the_newer_text_and_a_diff(desk, in_db):
    create_from_template(desk("author"))
    first = draft_form(desk("author"))
    second = draft_form(desk("secretary"))
    second["body"] = second["body"].replace("Mục đích", "Mục đích và yêu cầu")
    assert post(desk("secretary"), f"{BASE}/qt-05/drafts/1/edit", second).status_code == 302
    saved = revision_row(in_db)["head"]
    first["body"] = first["body"].replace("Phạm vi", "Phạm vi áp dụng")
    response = post(desk("author"), f"{BASE}/qt-05/drafts/1/edit", first)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "bản của bạn CHƯA được lưu" in page
    assert "Mục đích và yêu cầu" in page  # the newer text
    assert "áp dụng</ins>" in page  # the author's own change
    assert revision_row(in_db)["head"] == saved  # nothing overwritten
    assert f'value="{saved}"' in page  # the form now rebases on the newer text


def test_bad_document_input_changes_nothing(desk, in_db):
    author = desk("author")
    cases = [
        ({"code": "../../etc/passwd"}, "Mã tài liệu «../../ETC/PASSWD» không hợp lệ"),
        ({"code": "--upload-pack=x"}, "không hợp lệ"),
        ({"title": "T" * 301}, "Tối đa 300 ký tự."),
        ({"iso_clauses": "9.3 abc"}, "Điều khoản ISO không hợp lệ: abc"),
        ({"tthc_code": "1.00 4227;rm"}, "Mã TTHC «1.00 4227;rm» không hợp lệ"),
        ({"review_months": "0"}, "Chu kỳ xem xét phải từ 1 đến 60 tháng."),
        ({"kind": "virus"}, "Lựa chọn không hợp lệ."),
    ]
    for overrides, message in cases:
        response = create_from_template(author, **overrides)
        assert message in response.get_data(as_text=True), message
    with in_db() as s:
        assert s.scalars(select(Document)).all() == []
    assert create_from_template(author).status_code == 302
    response = create_from_template(author, code="qt 05")  # same slug, other spelling
    assert "Đơn vị đã có tài liệu mã «QT-05»" in response.get_data(as_text=True) or \
        "Đơn vị đã có tài liệu mã" in response.get_data(as_text=True)


def test_code_with_spaces_and_slashes_gets_a_safe_slug(desk, in_db):
    response = create_from_template(desk("author"), code="QT 02/CX-HCTP")
    assert response.location.endswith("/qt-02-cx-hctp/drafts/1")


def test_register_lists_filters_and_exports(desk, in_db):
    issue_qt05(desk, in_db)
    create_from_template(desk("author"), template="tthc-dang-ky-khai-sinh", code="QT-TP-01",
                         title="Quy trình đăng ký khai sinh", kind="tthc", tthc_code="1.001193",
                         iso_clauses="8.1")
    staff_view = desk("secretary").get(f"{BASE}/").get_data(as_text=True)
    assert "QT-05" in staff_view and "QT-TP-01" in staff_view and "Dự thảo: Dự thảo" in staff_view
    reader_view = desk("reader").get(f"{BASE}/?q=xem xet").get_data(as_text=True)
    assert "QT-05" in reader_view and "QT-TP-01" not in reader_view
    csv = desk("reader").get(f"{BASE}/export.csv").data.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Mã hiệu,Tên tài liệu")
    assert "QT-05,Quy trình xem xét của lãnh đạo,Quy trình nội bộ,1," in csv


def test_withdrawal_takes_a_secretary_and_an_approver(desk, in_db):
    issue_qt05(desk, in_db)
    secretary, approver = desk("secretary"), desk("approver")
    assert post(approver, f"{BASE}/qt-05/withdraw", {"reason": "x"}).status_code == 403
    post(secretary, f"{BASE}/qt-05/withdraw", {"reason": "Quy trình được thay bằng QT-07"})
    assert post(secretary, f"{BASE}/qt-05/withdraw/decide",
                {"decision": "confirm"}).status_code == 403  # not the one who proposed
    post(approver, f"{BASE}/qt-05/withdraw/decide", {"decision": "confirm"})
    page = desk("reader").get(f"{BASE}/qt-05").get_data(as_text=True)
    assert "ĐÃ HẾT HIỆU LỰC" in page and "Quy trình được thay bằng QT-07" in page
    assert "ĐÃ HẾT HIỆU LỰC" in desk("reader").get(f"{BASE}/qt-05/revisions/1").get_data(
        as_text=True)
    assert post(desk("author"), f"{BASE}/qt-05/revise").status_code == 302
    assert "Dự thảo đang mở" not in desk("author").get(f"{BASE}/qt-05").get_data(as_text=True)


def test_members_acknowledge_and_the_secretary_sees_who_has_not(desk, in_db):
    issue_qt05(desk, in_db)
    reader = desk("reader")
    home = reader.get("/").get_data(as_text=True)
    assert "QT-05" in home
    post(reader, f"{BASE}/qt-05/acknowledge/1")
    assert "Bạn đã xác nhận đã đọc" in reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    assert "QT-05" not in reader.get("/").get_data(as_text=True).split("xác nhận đã đọc")[-1] \
        .split("</section>")[0]
    report = desk("secretary").get(f"{BASE}/qt-05/readers/1").get_data(as_text=True)
    missing = report.split("Chưa xác nhận")[1].split("Đã xác nhận")[0]
    assert "Trần Văn Bình" in missing and "Nguyễn Thị Hoa" not in missing
    assert desk("reader").get(f"{BASE}/qt-05/readers/1").status_code == 403


def test_overdue_periodic_review_is_listed_for_the_secretary(desk, in_db, monkeypatch):
    issue_qt05(desk, in_db)
    later = today_local() + timedelta(days=400)
    monkeypatch.setattr(services, "today_local", lambda: later)
    from isodoc.documents import views

    monkeypatch.setattr(views, "today_local", lambda: later)
    secretary = desk("secretary")
    assert "Quá hạn xem xét" in secretary.get(f"{BASE}/?status=overdue").get_data(as_text=True)
    assert "QT-05" in secretary.get("/").get_data(as_text=True).split("xem xét định kỳ")[-1]
    post(secretary, f"{BASE}/qt-05/periodic-review")
    table = secretary.get(f"{BASE}/?status=overdue").get_data(as_text=True).split("<tbody>")[1]
    assert "QT-05" not in table.split("</tbody>")[0]


def test_work_lists_on_my_work(desk, in_db):
    create_from_template(desk("author"))
    post(desk("author"), f"{BASE}/qt-05/drafts/1/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    assert "QT-05" in desk("auditor").get("/").get_data(as_text=True)
    post(desk("auditor"), f"{BASE}/qt-05/drafts/1/review", {"decision": "agreed"})
    assert "QT-05" in desk("approver").get("/").get_data(as_text=True)
    post(desk("approver"), f"{BASE}/qt-05/drafts/1/approve")
    assert "QT-05" in desk("secretary").get("/").get_data(as_text=True)


def test_rendered_markdown_is_sanitised(desk, in_db):
    create_from_template(desk("author"), body="## Mục đích\n\n<script>alert(1)</script>\n\n"
                         "[bấm](javascript:alert(1)) <img src=x onerror=alert(1)>\n")
    page = desk("author").get(f"{BASE}/qt-05/drafts/1").get_data(as_text=True)
    article = page.split('<article class="card doc-body" translate="no">')[1].split("</article>")[0]
    assert "<h2>Mục đích</h2>" in article
    assert "<script" not in article and "<img" not in article
    assert 'href="javascript' not in article
    response = post(desk("author"), "/preview", {"body": "**đậm** <script>x</script>"})
    assert response.get_json()["html"].startswith("<p><strong>đậm</strong>")
    assert "<script>" not in response.get_json()["html"]


def test_issued_history_is_plain_git(desk, in_db, app, tmp_path):
    issue_qt05(desk, in_db)
    repo = f"{app.config['ISODOC_STORE_PATH']}/{AGENCY}.git"
    subprocess.run(["git", "clone", "-q", repo, str(tmp_path / "clone")], check=True)
    log = subprocess.run(["git", "-C", str(tmp_path / "clone"), "log",
                          "--format=%an|%s|%(trailers:key=Revision,valueonly)",
                          "--", "documents/qt-05.md"],
                         capture_output=True, text=True, check=True).stdout
    assert log.strip() == "Trần Văn Bình|Ban hành QT-05 lần 1: Quy trình xem xét của lãnh đạo|1"
    text = (tmp_path / "clone" / "documents" / "qt-05.md").read_text(encoding="utf-8")
    assert text.startswith("---\ncode: QT-05\n") and "approved_by: Phạm Quốc Hùng" in text


# -- issue 9: the git store busy or failing answers 503, never a bare 500 --------------

@contextmanager
def store_busy(app, monkeypatch):
    """Another writer holds the agency repository's lock for longer than we wait."""
    import fcntl

    from isodoc.documents import store

    monkeypatch.setattr(store, "LOCK_TIMEOUT", 0.05)
    repo = store.AgencyRepo(app.config["ISODOC_STORE_PATH"], AGENCY, create=True)
    with open(repo._lock_path, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
            repo.close()


def events_of(in_db, seq: int = 1) -> int:
    from isodoc.documents.models import Revision, RevisionEvent

    with in_db() as s:
        return s.scalar(select(func.count()).select_from(RevisionEvent).join(Revision)
                        .where(Revision.seq == seq))


def test_saving_while_the_store_is_busy_answers_503_and_changes_nothing(
        app, desk, in_db, monkeypatch):
    create_from_template(desk("author"))
    form = draft_form(desk("author"))
    form["body"] += "\nBổ sung khi kho đang bận.\n"
    before, events = revision_row(in_db), events_of(in_db)
    with store_busy(app, monkeypatch):
        response = post(desk("author"), f"{BASE}/qt-05/drafts/1/edit", form)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "Kho tài liệu đang bận. Chưa có thay đổi nào được lưu" in page
    assert "Bổ sung khi kho đang bận." in page  # the editor again, with what was typed
    assert f'value="{before["head"]}"' in page
    assert revision_row(in_db) == before and events_of(in_db) == events
    with store_busy(app, monkeypatch):  # a new document too
        created = create_from_template(desk("author"), code="QT-06", title="Quy trình mới")
    assert created.status_code == 503 and created.headers["Retry-After"] == "5"
    assert 'value="QT-06"' in created.get_data(as_text=True)
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 1
    # once the store is free, the same save goes through
    assert post(desk("author"), f"{BASE}/qt-05/drafts/1/edit", form).status_code == 302


def test_a_git_failure_while_issuing_answers_503_and_issues_nothing(
        app, desk, in_db, monkeypatch):
    from isodoc.documents.store import AgencyRepo, StoreError

    create_from_template(desk("author"))
    post(desk("author"), f"{BASE}/qt-05/drafts/1/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/qt-05/drafts/1/review", {"decision": "agreed"})
    post(desk("approver"), f"{BASE}/qt-05/drafts/1/approve")
    assert revision_row(in_db)["state"] == "approved"
    events = events_of(in_db)

    def failing(self, *args, **kwargs):
        raise StoreError("git update-ref refs/heads/main failed: cannot lock ref")

    monkeypatch.setattr(AgencyRepo, "publish", failing)
    response = post(desk("secretary"), f"{BASE}/qt-05/drafts/1/issue",
                    {"effective_date": today_local().strftime("%d/%m/%Y")})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Kho tài liệu đang bận" in response.get_data(as_text=True)
    row = revision_row(in_db)
    assert (row["state"], row["number"], row["commit"]) == ("approved", None, None)
    assert events_of(in_db) == events


def test_two_withdrawal_requests_at_once_leave_one_pending(app, desk, in_db):
    """Both requests find none pending, the first commits: the second is refused with
    the message and writes nothing (a unique index: at most one pending a document)."""
    import pytest

    from isodoc.auth.models import User
    from isodoc.commands import run
    from isodoc.documents.models import WithdrawalRequest
    from isodoc.errors import InvalidInput
    from isodoc.extensions import db

    issue_qt05(desk, in_db)
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.code == "QT-05"))
        secretary = db.session.scalar(select(User).where(User.username == "stp.thuky"))
        assert document.withdrawal_requests == []  # what this request has seen
        with in_db() as other:  # another request, committed in between
            other.add(WithdrawalRequest(document_id=document.id, requested_by_id=secretary.id,
                                        reason="Trước"))
        with pytest.raises(InvalidInput, match="QT-05 đã có đề nghị thu hồi đang chờ"):
            run(services.request_withdrawal, document, secretary, "Sau")
    with in_db() as s:
        assert s.execute(select(WithdrawalRequest.reason, WithdrawalRequest.state)).all() == \
            [("Trước", "pending")]


def test_the_migration_keeps_the_oldest_of_two_pending_withdrawals(tmp_path):
    """Written twice before the index existed: the oldest stays pending, the later one
    is kept as a duplicate; another document's request is untouched."""
    from alembic import command
    from sqlalchemy import text

    from tests.doc_helpers import older_database

    with older_database(tmp_path, "0016_language") as (connection, cfg):
        for doc in (1, 2):
            connection.execute(text(
                "INSERT INTO document (id, agency_id, code, slug, title, kind, field, "
                "iso_clauses, review_months, created_at) VALUES (:id, 1, :code, :slug, "
                "'Khai sinh', 'tthc', '', '', 12, '2026-01-01')"),
                {"id": doc, "code": f"QT-0{doc}", "slug": f"qt-0{doc}"})
        for rid, doc in ((1, 1), (2, 1), (3, 2)):
            connection.execute(text(
                "INSERT INTO withdrawal_request (id, document_id, requested_by_id, reason, "
                "requested_at, state) VALUES (:id, :doc, 1, 'x', '2026-01-01', 'pending')"),
                {"id": rid, "doc": doc})
        command.upgrade(cfg, "head")
        assert connection.execute(text(
            "SELECT id, state FROM withdrawal_request ORDER BY id")).all() == \
            [(1, "pending"), (2, "duplicate"), (3, "pending")]
