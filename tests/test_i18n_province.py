"""The province's areas in English: mail written in each recipient's language (also when
composed outside a request), the action log's sentences, TTHC and annual-report pages,
refusals and API answers; the filed annual report stays Vietnamese."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import select

from isodoc import activity
from isodoc.audit import AuditEntry
from isodoc.auth import services as auth_services
from isodoc.auth.models import User
from isodoc.cli import main
from isodoc.timeutil import today_local
from tests import test_mail
from tests.conftest import in_english, login, post_form
from tests.doc_helpers import BASE, create_from_template, issue_qt05, post, user_id
from tests.test_annual_reports import REPORTS, THIS_YEAR, docx_text
from tests.test_mail import by_recipient
from tests.test_tthc import ROWS, client_for, csv_bytes, load, post_file

# the loopback SMTP server and addresses of tests/test_mail.py
smtp_server, smtp, with_email = test_mail.smtp_server, test_mail.smtp, test_mail.with_email


def bearer(in_db, username: str) -> dict[str, str]:
    with in_db() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        token = auth_services.create_token(user, user, "kiểm thử")
    return {"Authorization": f"Bearer {token}"}


TITLE = "Quy trình xem xét của lãnh đạo"


def speaks(in_db, username: str, language: str | None) -> None:
    with in_db() as s:
        s.scalars(select(User).where(User.username == username)).one().language = language


# -- mail ----------------------------------------------------------------------------------

def test_each_recipient_reads_the_mail_in_their_own_language(app, desk, in_db, staff, smtp,
                                                             with_email):
    speaks(in_db, staff["auditor"], "en")
    assert create_from_template(desk("author")).status_code == 302
    post(desk("author"), f"{BASE}/qt-05/drafts/1/submit",
         {"reviewers": user_id(in_db, staff["auditor"])})
    got = by_recipient(smtp.take())
    subject, text, html = got[with_email["auditor"]]
    assert subject == f"[isodoc] Please review the draft QT-05: {TITLE}"
    assert "Dear Đỗ Minh Tâm," in text and "Dear Đỗ Minh Tâm," in html
    assert (f"Trần Văn Bình submitted the draft QT-05 “{TITLE}” of Sở Tư pháp and asks you "
            "to review it.") in text
    assert "See all your work" in text and '<html lang="en">' in html
    assert "Kính gửi" not in text and "Xem mọi việc" not in html

    # the English-speaking reviewer's act: the Vietnamese author and leader read Vietnamese
    post(desk("auditor"), f"{BASE}/qt-05/drafts/1/review", {"decision": "agreed"})
    got = by_recipient(smtp.take())
    subject, text, html = got[with_email["author"]]
    assert subject == "[isodoc] Dự thảo QT-05 của bạn đã được xem xét xong"
    assert "Kính gửi Trần Văn Bình," in text and '<html lang="vi">' in html
    assert (f"Mọi người xem xét đã đồng ý với dự thảo QT-05 «{TITLE}»; dự thảo đang chờ "
            "lãnh đạo phê duyệt.") in text
    assert "Xem mọi việc của bạn" in text and "Dear" not in text and "Dear" not in html
    assert got[with_email["approver"]][0] == "[isodoc] Dự thảo QT-05 chờ bạn phê duyệt"


def test_the_daily_digest_outside_a_request_is_in_the_recipients_language(
        app, desk, in_db, staff, smtp, with_email):
    speaks(in_db, staff["author"], "en")
    author = desk("author")
    assert post_form(author, "/account/mail", {"mode": "digest"}).status_code == 302
    issue_qt05(desk, in_db)
    smtp.take()
    result = app.test_cli_runner().invoke(main, ["mail", "daily"])  # no request: a job
    assert result.exit_code == 0, result.output
    got = by_recipient(smtp.take())
    day = today_local().strftime("%d/%m/%Y")
    subject, text, html = got[with_email["author"]]
    assert subject == f"[isodoc] Digest for {day}: 3 items of your work"
    assert "Dear Trần Văn Bình," in text and "Today's notices:" in text
    for told in ("Your draft QT-05 has been reviewed", "Your draft QT-05 has been approved",
                 "QT-05 revision 1 has been issued"):
        assert told in text and told in html
    assert "Kính gửi" not in text
    # the Vietnamese secretary's mail of the same run stays Vietnamese
    subject, text, _html = got[with_email["secretary"]]
    assert subject.startswith(f"[isodoc] Nhắc việc ngày {day}: ") and "Kính gửi Lê Thu Hà," in text


def test_the_mail_setting_and_the_outbox_in_english(app, desk, in_db, staff, make_user,
                                                    with_email):
    author = in_english(desk("author"))
    response = post_form(author, "/account/mail", {"mode": "digest"})
    assert response.status_code == 302
    page = author.get("/account").get_data(as_text=True)
    assert "How you receive mail was saved: one digest a day." in page
    admin = app.test_client()
    login(admin, make_user(("ubnd-tinh", "admin")))
    in_english(admin)
    page = admin.get("/admin/mail").get_data(as_text=True)
    assert "Queued notification mail" in page and "Held for the daily digest" in page
    assert "Thư thông báo đã xếp hàng" not in page


# -- the action log --------------------------------------------------------------------------

def test_the_action_log_reads_as_whole_english_sentences(app, desk, in_db, staff, make_user):
    issue_qt05(desk, in_db)
    admin = app.test_client()
    login(admin, make_user(("ubnd-tinh", "admin")))
    day = today_local().strftime("%d/%m/%Y")
    page = admin.get("/admin/audit?action=document.").get_data(as_text=True)
    assert f"Lê Thu Hà ban hành QT-05 lần 1, hiệu lực từ {day}" in page
    page = in_english(admin).get("/admin/audit?action=document.").get_data(as_text=True)
    assert f"Lê Thu Hà issued QT-05 revision 1, in force from {day}" in page
    assert "Trần Văn Bình submitted QT-05 for review (draft 1)" in page
    assert "Phạm Quốc Hùng approved QT-05 (draft 1) — Đồng ý ban hành" in page
    assert "ban hành QT-05" not in page


def test_log_rows_of_every_shape_are_worded(app):
    def row(action, summary="", object_type="document", object_id="so-tu-phap/QT-03",
            username="cli"):
        return AuditEntry(at=datetime(2026, 1, 1), user_id=None, username=username,
                          action=action, object_type=object_type, object_id=object_id,
                          summary=summary)

    with app.test_request_context("/"), force_locale("en"):
        said = [activity.sentence(r, {}, {}) for r in (
            row("document.acknowledge", "lần 2"),
            row("document.periodic_review", "xem xét định kỳ, không thay đổi"),
            row("document.record_history", "lần 3, hiệu lực từ 01/12/2025 (ghi nhận lại)"),
            row("finding.close", "PH-01: bản 2: open → closed — xong", "finding", "7"),
            row("auth.login", "", "user", "quantri", username="web"),
            row("something.new", "ghi chú", "x", "1"))]
    assert said == [
        "Administrator (command line) confirmed having read QT-03, revision 2",
        "Administrator (command line) carried out the periodic review of QT-03: periodic "
        "review, no change",
        "Administrator (command line) recorded an earlier revision of QT-03, revision 3, in "
        "force from 01/12/2025 (ghi nhận lại)",
        "Administrator (command line) closed PH-01 (draft 2) — xong",
        "Someone not signed in signed in",
        "Administrator (command line) something.new 1: ghi chú"]


# -- TTHC ----------------------------------------------------------------------------------

def test_tthc_pages_refusals_and_api_in_english(app, people, in_db):
    admin = in_english(client_for(app, "admin"))
    bad = [["", "Không mã", "Hộ tịch", "Cấp xã", "", "", "", "", "", ""], *ROWS[1:]]
    response = post_file(admin, "/tthc/import", csv_bytes(bad))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The file has 1 error: nothing was imported." in page
    assert "Row 2, column 1 (Mã thủ tục): the procedure code is missing." in page
    load(app)
    changed = [[*ROWS[1][:5], "3 ngày", *ROWS[1][6:]], *ROWS[:1], *ROWS[2:]]
    response = post_file(admin, "/tthc/import", csv_bytes(changed))
    preview = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Catalog preview: danh-muc.csv" in preview
    assert "Processing time</td><td>5 ngày</td><td>3 ngày" in preview
    assert "Apply the catalog</button>" in preview and "Xem trước danh mục" not in preview
    page = admin.get("/tthc/").get_data(as_text=True)
    assert "Catalog of administrative procedures" in page and "Commune level" in page
    assert "Danh mục thủ tục hành chính" not in page and "Đăng ký khai sinh" in page
    author = in_english(client_for(app, "himlam.soanthao"))
    page = author.get("/agencies/dbp-him-lam/coverage").get_data(as_text=True)
    assert "Administrative procedure coverage" in page and "Draft a procedure" in page
    assert "Procedures required for <strong>3</strong> TTHC" in page
    assert "Bao phủ thủ tục hành chính" not in page
    csv_text = author.get("/agencies/dbp-him-lam/coverage.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].lstrip("\ufeff").startswith("TTHC code,Procedure name")
    answer = app.test_client().get("/api/v1/tthc?level=thon&lang=en",
                                   headers=bearer(in_db, "himlam.thuky"))
    assert answer.status_code == 422
    assert "Invalid level “thon”: only tinh, huyen, xa" in str(answer.get_json())
    tags = {t["name"]: t.get("description") for t in app.test_client().get(
        "/api/v1/openapi.json?lang=en").get_json()["tags"]}
    assert tags["api_tthc"].startswith("The catalog of administrative procedures (TTHC)")


# -- annual reports ----------------------------------------------------------------------

def test_annual_report_pages_in_english_and_the_filed_report_in_vietnamese(app, people):
    load(app)
    secretary = in_english(client_for(app, "himlam.thuky"))
    response = post_form(secretary, f"{REPORTS}/start", {"year": str(THIS_YEAR + 1)},
                         page=REPORTS)
    assert response.status_code == 422
    assert f"The year {THIS_YEAR + 1} has not come yet" in response.get_data(as_text=True)
    response = post_form(secretary, f"{REPORTS}/start", {"year": str(THIS_YEAR)}, page=REPORTS)
    assert response.status_code == 302
    page = secretary.get(response.headers["Location"]).get_data(as_text=True)
    assert f"The {THIS_YEAR} report was started from the agency" in page
    assert f"QMS report {THIS_YEAR}" in page and "Send to the leader for approval" in page
    assert "Being drafted" in page and "Save report" in page and "report started" in page
    assert "Trình lãnh đạo phê duyệt" not in page and "lập báo cáo" not in page
    text = docx_text(secretary.get(f"{REPORTS}/{THIS_YEAR}/export.docx").data)
    assert "BÁO CÁO" in text and "Quy trình giải quyết thủ tục hành chính" in text
    assert "Administrative procedure" not in text and "Report" not in text
    overseer = in_english(client_for(app, "sokhcn"))
    page = overseer.get(f"/annual-reports/?year={THIS_YEAR}").get_data(as_text=True)
    assert f"Agencies' QMS reports for {THIS_YEAR}" in page and "Being drafted" in page


def test_the_command_line_reimport_words_the_changes_in_vietnamese(app, people, tmp_path):
    """The preview keeps each change's field and values; the console words them (in
    Vietnamese: no request, no chosen language)."""
    load(app)
    path = tmp_path / "moi.csv"
    changed = [[*ROWS[0][:3], "Cấp xã, cấp huyện", *ROWS[0][4:]], *ROWS[1:]]
    path.write_bytes(csv_bytes(changed))
    result = app.test_cli_runner().invoke(main, ["tthc", "import", str(path), "--yes",
                                                 "--decision", "QĐ 2/QĐ-UBND"])
    assert result.exit_code == 0, result.output
    assert "~ 1.001193: Cấp thực hiện: «Cấp xã» → «Cấp xã, Cấp huyện»" in result.output
