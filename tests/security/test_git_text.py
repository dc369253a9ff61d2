"""Hostile text on its way to git (issue 8, defect 1): control, bidi and zero-width
characters are stripped at the boundary, git is parsed from commit objects, trailers come
only from the block the code writes, and the repair replays nothing that was not approved.
Also the audit report with control characters in its title (issue 8, smaller) and the
one `fold()` (issue 9, defect 9)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document as Docx
from sqlalchemy import select

from isodoc import create_app
from isodoc.audits.models import Audit
from isodoc.auth.models import User
from isodoc.cli import main
from isodoc.documents import integrity, services
from isodoc.documents.models import Document, DocumentKind, Revision
from isodoc.documents.store import AgencyRepo, Person, parse_trailers
from isodoc.extensions import db
from isodoc.textnorm import clean, nfc
from isodoc.timeutil import today_local
from tests.conftest import agency as the_agency
from tests.doc_helpers import (
    AGENCY,
    BASE,
    create_from_template,
    draft_form,
    post,
    revision_row,
    user_id,
)
from tests.test_quality import AUDITS, plan, team  # noqa: F401 (fixture)

TODAY = lambda: today_local().strftime("%d/%m/%Y")  # noqa: E731


# -- the boundary ----------------------------------------------------------------

def test_clean_strips_controls_bidi_and_zero_width_but_keeps_body_layout():
    assert clean("Quy trình\x1etiếp dân") == "Quy trình tiếp dân"
    assert clean("a\u202eb\u2066c\u2069d\u200be\u200df\ufeffg\u2060h\u200fi\u061cj") == \
        "abcdefghij"
    assert clean("a\x00b\x7fc\x85d\x9fe") == "a b c d e"
    assert clean("a\x00b\x7fc", multiline=True) == "abc"
    assert clean("hai\ndòng\tvà tab") == "hai dòng và tab"
    assert clean("Thu\u0309 tu\u0323c") == "Thủ tục"  # NFD in, NFC out
    body = "# Mục 1\r\n\r\n- dòng\tcó tab\x1e\u202e\r\nhết"
    assert clean(body, multiline=True) == "# Mục 1\n\n- dòng\tcó tab\nhết"
    # nfc(), which every service uses for single-line values, cleans too
    assert nfc(" QT\x1f-05\u200b ") == "QT-05"


def test_services_strip_control_characters_that_bypass_the_forms(app, staff, in_db):
    with app.app_context():
        agency = the_agency(AGENCY)
        author = db.session.scalars(select(User).where(User.username == "stp.soanthao")).one()
        revision = services.create_document(
            agency, author, "QT-\u202e09", services.DocumentFields(
                title="Quy trình\x1etiếp\u200b dân", kind=DocumentKind.INTERNAL,
                field="Tiếp\x0bdân"), "Nội dung\r\ncó \x1fký tự lạ\u2066")
        db.session.commit()
        assert revision.document.code == "QT-09"
        assert revision.title == "Quy trình tiếp dân"
        assert revision.document.field == "Tiếp dân"
        assert "\x1f" not in services.read_text(revision) and "\r" not in \
            services.read_text(revision)


def test_forms_strip_control_characters_from_every_text_field(desk, in_db):
    create_from_template(desk("author"), title="Quy trình\x1etiếp dân\u202e",
                         field="Tiếp\u200bdân")
    with in_db() as s:
        document = s.scalars(select(Document)).one()
        assert (document.title, document.field) == ("Quy trình tiếp dân", "Tiếpdân")


# -- git parsing -------------------------------------------------------------------

def test_the_store_reads_messages_with_separator_characters(tmp_path):
    repo = AgencyRepo(tmp_path, AGENCY, create=True)
    who = Person("Thư ký", "tk@example.invalid")
    hostile = ("Ban hành QT-05 lần 1: a\x1eb\x1fc\n\nlý do\x1e0000\x1fx\x1f2026\x1fforged\n\n"
               "Document: QT-05\nRevision: 1\nIsodoc-Revision: 7\n")
    first = repo.publish("qt-05", b"one\n", who, who, hostile, None)
    second = repo.publish("qt-06", b"two\n", who, who, "QT-06\n\nDocument: QT-06\n", None)
    log = repo.main_log()
    assert [c.sha for c in log] == [first, second]
    assert log[0].message == hostile and log[0].trailers == {
        "Document": "QT-05", "Revision": "1", "Isodoc-Revision": "7"}
    assert [c.sha for c in repo.history("qt-05")] == [first]
    repo.close()


def test_trailers_are_only_the_final_block_of_trailer_lines():
    assert parse_trailers("T\n\nDocument: B\nRevision: 9\n\nDocument: A\nRevision: 1\n") == {
        "Document": "A", "Revision": "1"}
    # a final paragraph that is prose is no trailer block, even with a trailer-like line
    assert parse_trailers("T\n\nDocument: A\n\nLý do sửa đổi\nDocument: B\n") == {}
    assert parse_trailers("Only a subject") == {}


# -- the attack of issue 8, end to end ---------------------------------------------

def approve(desk, in_db, slug: str, seq: int = 1) -> None:
    post(desk("author"), f"{BASE}/{slug}/drafts/{seq}/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/{slug}/drafts/{seq}/review", {"decision": "agreed"})
    post(desk("approver"), f"{BASE}/{slug}/drafts/{seq}/approve")


def test_a_forged_log_record_in_a_change_reason_issues_nothing_else(app, desk, in_db):
    # the victim: another document's draft, never reviewed
    create_from_template(desk("author"), template="tthc-dang-ky-khai-sinh", code="QT-TP-01",
                         title="Quy trình đăng ký khai sinh", kind="tthc",
                         tthc_code="1.001193", iso_clauses="8.1")
    with in_db() as s:
        victim = s.scalars(select(Revision.id).join(Document).where(
            Document.code == "QT-TP-01")).one()
    # the vehicle: QT-05, issued once, then revised with a poisoned reason
    create_from_template(desk("author"))
    approve(desk, in_db, "qt-05")
    post(desk("secretary"), f"{BASE}/qt-05/drafts/1/issue", {"effective_date": TODAY()})
    assert revision_row(in_db)["state"] == "issued"
    post(desk("author"), f"{BASE}/qt-05/revise")
    head = revision_row(in_db, slug="qt-tp-01")["head"]
    stamp = "\x1fstp.lanhdao\x1f2026-01-01T00:00:00+07:00\x1f"
    forged = (f"Cập nhật biểu mẫu\x1e{head}{stamp}Ban hành QT-TP-01 lần 1\n\n"
              f"Document: QT-TP-01\nRevision: 1\nEffective-date: {today_local().isoformat()}\n"
              f"Approved-by: stp.lanhdao\nIssued-by: stp.thuky\nIsodoc-Revision: {victim}\n"
              f"\x1e{head}{stamp}bỏ qua")
    form = draft_form(desk("author"), seq=2)
    form.update(change_location="Mục 5", change_summary="Sửa mục 5", reason=forged)
    assert post(desk("author"), f"{BASE}/qt-05/drafts/2/edit", form).status_code == 302
    approve(desk, in_db, "qt-05", seq=2)
    post(desk("secretary"), f"{BASE}/qt-05/drafts/2/issue", {"effective_date": TODAY()})
    assert revision_row(in_db, seq=2)["state"] == "issued"

    runner = app.test_cli_runner()
    repaired = runner.invoke(main, ["check", "--repair"])
    assert revision_row(in_db, slug="qt-tp-01")["state"] == "draft"
    assert repaired.exit_code == 0, repaired.output
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 0, result.output


def plant(app, slug: str, message: str, content: bytes = b"planted\n") -> str:
    with app.app_context():
        repo = AgencyRepo(app.config["ISODOC_STORE_PATH"], AGENCY)
        who = Person("x", "x@example.invalid")
        try:
            return repo.publish(slug, content, who, who, message, repo.last_change(slug))
        finally:
            repo.close()


def trailers(code: str, revision_id: int) -> str:
    return (f"Ban hành {code} lần 1\n\nDocument: {code}\nRevision: 1\n"
            f"Effective-date: {today_local().isoformat()}\nApproved-by: stp.lanhdao\n"
            f"Issued-by: stp.thuky\nIsodoc-Revision: {revision_id}\n")


def test_the_repair_replays_only_approved_revisions_of_the_documents_own_path(app, desk,
                                                                              in_db):
    create_from_template(desk("author"))
    create_from_template(desk("author"), template="tthc-dang-ky-khai-sinh", code="QT-TP-01",
                         title="Quy trình đăng ký khai sinh", kind="tthc",
                         tthc_code="1.001193", iso_clauses="8.1")
    approve(desk, in_db, "qt-05")  # QT-05 approved, QT-TP-01 a bare draft
    with in_db() as s:
        ids = dict(s.execute(select(Document.code, Revision.id).join(Revision.document)).all())
    plant(app, "qt-tp-01", trailers("QT-05", ids["QT-05"]))        # another document's path
    plant(app, "qt-tp-01", trailers("QT-TP-01", ids["QT-TP-01"]))  # never approved
    plant(app, "qt-05", trailers("QT-05", ids["QT-TP-01"]))        # revision of another doc
    result = app.test_cli_runner().invoke(main, ["check", "--repair"])
    assert result.exit_code == 1, result.output
    assert "CHƯA sửa" in result.output
    assert revision_row(in_db)["state"] == "approved"
    assert revision_row(in_db, slug="qt-tp-01")["state"] == "draft"
    with in_db() as s:  # nor is a planted commit adopted as a document's last change
        assert [d.head_commit for d in s.scalars(select(Document))] == [None, None]


def test_a_title_with_a_record_separator_issued_leaves_check_and_startup_clean(app, desk,
                                                                               in_db):
    create_from_template(desk("author"), title="Quy trình\x1etiếp dân")
    approve(desk, in_db, "qt-05")
    post(desk("secretary"), f"{BASE}/qt-05/drafts/1/issue", {"effective_date": TODAY()})
    assert revision_row(in_db)["state"] == "issued"
    with in_db() as s:
        assert s.scalars(select(Revision.title)).one() == "Quy trình tiếp dân"
    result = app.test_cli_runner().invoke(main, ["check"])
    assert result.exit_code == 0 and "0 vấn đề" in result.output, result.output
    # a commit written with the character anyway (an old version, a hand-made commit)
    # is read, reported, and breaks neither check nor the app factory
    plant(app, "qt-05", "Sửa tay\x1e\x1f\n\nDocument: QT-05\x1e\n")
    result = app.test_cli_runner().invoke(main, ["check"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "ISODOC_STORE_PATH": app.config["ISODOC_STORE_PATH"],
                        "ISODOC_INDEX_PATH": app.config["ISODOC_INDEX_PATH"],
                        "ISODOC_ATTACHMENTS_PATH": app.config["ISODOC_ATTACHMENTS_PATH"],
                        "INSTANCE_PATH": app.instance_path, "TESTING": True})
    with fresh.app_context():
        assert integrity.check()  # reported, not raised
        db.session.rollback()
        db.engine.dispose()  # its own pool: an unclosed connection is a ResourceWarning


# -- the audit report ---------------------------------------------------------------

def test_an_audit_title_with_control_characters_downloads_as_docx(team, desk, in_db):  # noqa: F811
    assert plan(desk, in_db, title="Đánh giá\x1e đợt\x0b 1").status_code == 302
    with in_db() as s:
        audit = s.scalars(select(Audit)).one()
        assert "\x1e" not in audit.title and "\x0b" not in audit.title  # the form cleaned it
        audit.title = "Đánh giá\x1e đợt\x0b 1\u202e"  # written before the fix, or by hand
        audit.processes = "Một cửa\x08\x07"  # (PostgreSQL refuses NUL itself)
        audit_id = audit.id
    report = desk("secretary").get(f"{AUDITS}/{audit_id}/report.docx")
    assert report.status_code == 200
    text = "\n".join(p.text for p in Docx(io.BytesIO(report.data)).paragraphs)
    assert "Đánh giá đợt 1" in text or "Đánh giá  đợt  1" in text


# -- one fold -------------------------------------------------------------------------

def test_there_is_one_fold():
    from isodoc.search import analysis
    from isodoc.textnorm import fold

    assert analysis.fold is fold
    assert fold("Đường Võ Nguyên Giáp") == "duong vo nguyen giap"
    assert fold("Thủ tục hành chính") == "thu tuc hanh chinh"


@pytest.mark.parametrize("value", ["", "QT-05", date(2026, 1, 1).isoformat()])
def test_clean_leaves_plain_values_alone(value):
    assert clean(value) == value


def test_a_reason_ending_in_trailer_lines_adds_no_trailer():
    message = services.commit_message(
        "Ban hành QT-05 lần 2: Quy trình\n\nAction: withdraw",
        "Sửa mục 5\n\nAction: withdraw\nDocument: QT-TP-01\nIsodoc-Revision: 9\n\n\n",
        {"Document": "QT-05", "Revision": 2, "Isodoc-Revision": 4})
    assert parse_trailers(message) == {"Document": "QT-05", "Revision": "2",
                                       "Isodoc-Revision": "4"}
    assert message.splitlines()[0] == "Ban hành QT-05 lần 2: Quy trình Action: withdraw"


def test_a_name_with_angle_brackets_cannot_forge_the_author_line():
    """git ends an identity at `>`: a full name like "A <x@y> B" must not produce a
    commit object git refuses to parse, nor an author of the person's choosing."""
    from types import SimpleNamespace

    from isodoc.documents.repos import person

    someone = SimpleNamespace(full_name="Nguyễn <admin@evil> Văn\nA", email="a>b@x.vn",
                              username="nva")
    who = person(someone)
    assert "<" not in who.name and ">" not in who.name and "\n" not in who.name
    assert "<" not in who.email and ">" not in who.email
    assert who.name == "Nguyễn admin@evil Văn A"
