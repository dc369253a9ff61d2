"""Notification mail, as people receive it: a real SMTP server on loopback (aiosmtpd, one
per test session) receives what the app sends after its responses; the tests decode each
message as a mail reader would and follow its links as the person it was sent to."""

from __future__ import annotations

import email
import email.policy
import logging
import re
import socket
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from isodoc import mail
from isodoc.auth.models import User
from isodoc.cli import main
from isodoc.documents import services
from isodoc.mail.models import MailOutbox, MailState
from isodoc.timeutil import today_local, utcnow
from tests.conftest import post_form
from tests.doc_helpers import BASE, create_from_template, issue_qt05, post, user_id

BASE_URL = "https://iso.dienbien.example/app"


class Inbox:
    """What the SMTP server received: envelope recipients and the parsed message."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def take(self) -> list[tuple[list[str], email.message.EmailMessage]]:
        with self.lock:
            taken, self.messages = self.messages, []
        return taken


@pytest.fixture(scope="session")
def smtp_server():
    inbox = Inbox()
    # aiosmtpd checks its server by connecting to the port it was given: not 0
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.hostname, controller.port, inbox
    controller.stop()


@pytest.fixture
def smtp(app, smtp_server, monkeypatch):
    host, port, inbox = smtp_server
    inbox.take()
    inbox.port = port
    for key, value in {"ISODOC_SMTP_HOST": host, "ISODOC_SMTP_PORT": port,
                       "ISODOC_SMTP_TLS": "none", "ISODOC_BASE_URL": BASE_URL,
                       "ISODOC_MAIL_FROM": "ISO điện tử <iso@dienbien.example>"}.items():
        monkeypatch.setitem(app.config, key, value)
    return inbox


@pytest.fixture
def with_email(in_db, staff):
    """Every person of `staff` gets an address: username@dienbien.example."""
    with in_db() as s:
        for user in s.scalars(select(User)):
            user.email = f"{user.username}@dienbien.example"
    return {who: f"{name}@dienbien.example" for who, name in staff.items()}


def decoded(message) -> tuple[str, str, str]:
    """Subject, plain text and HTML, decoded as a mail reader does."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return str(message["Subject"]), text, html


def by_recipient(messages) -> dict[str, tuple[str, str, str]]:
    found = {}
    for rcpts, message in messages:
        assert len(rcpts) == 1, rcpts
        assert rcpts[0] not in found, f"two mails to {rcpts[0]}"
        found[rcpts[0]] = decoded(message)
    return found


def links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def follow(client, url: str):
    """Open a link from a mail with the test client: it must point into the app."""
    assert url.startswith(BASE_URL + "/"), url
    return client.get(urlsplit(url).path.removeprefix("/app"))


def test_each_step_mails_whoever_it_now_waits_for(app, desk, in_db, smtp, with_email):
    addr = with_email
    assert create_from_template(desk("author")).status_code == 302
    assert smtp.take() == []  # a saved draft waits for nobody
    post(desk("author"), f"{BASE}/qt-05/drafts/1/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    got = by_recipient(smtp.take())
    assert set(got) == {addr["auditor"]}
    subject, text, html = got[addr["auditor"]]
    assert subject == ("[isodoc] Mời bạn xem xét dự thảo QT-05: "
                       "Quy trình xem xét của lãnh đạo")
    assert "Kính gửi Đỗ Minh Tâm," in text and "Trần Văn Bình đã trình dự thảo QT-05" in text
    assert "Kính gửi Đỗ Minh Tâm," in html and "<a href=" in html
    link = f"{BASE_URL}/agencies/so-tu-phap/documents/qt-05/drafts/1"
    assert link in links(text) and f'href="{link}"' in html
    page = follow(desk("auditor"), link)
    assert page.status_code == 200 and "Đồng ý" in page.get_data(as_text=True)

    post(desk("auditor"), f"{BASE}/qt-05/drafts/1/review", {"decision": "agreed"})
    got = by_recipient(smtp.take())
    assert set(got) == {addr["approver"], addr["author"]}
    assert got[addr["approver"]][0] == "[isodoc] Dự thảo QT-05 chờ bạn phê duyệt"
    assert got[addr["author"]][0] == "[isodoc] Dự thảo QT-05 của bạn đã được xem xét xong"
    page = follow(desk("approver"), links(got[addr["approver"]][1])[0])
    assert "Phê duyệt" in page.get_data(as_text=True)

    post(desk("approver"), f"{BASE}/qt-05/drafts/1/approve", {"comment": "Đồng ý"})
    got = by_recipient(smtp.take())
    assert set(got) == {addr["secretary"], addr["author"]}
    assert got[addr["secretary"]][0] == "[isodoc] QT-05 đã được phê duyệt, chờ ban hành"
    assert got[addr["author"]][0] == "[isodoc] Dự thảo QT-05 của bạn đã được phê duyệt"
    assert "Ban hành" in follow(desk("secretary"), links(got[addr["secretary"]][1])[0]
                                ).get_data(as_text=True)

    day = today_local().strftime("%d/%m/%Y")
    post(desk("secretary"), f"{BASE}/qt-05/drafts/1/issue", {"effective_date": day})
    got = by_recipient(smtp.take())
    # the agency's members, never the one who issued it, never another agency's people
    assert set(got) == {addr["author"], addr["reader"], addr["approver"], addr["auditor"]}
    assert addr["outsider"] not in got
    assert got[addr["reader"]][0] == f"[isodoc] Văn bản mới: QT-05 lần 1, hiệu lực từ {day}"
    assert got[addr["author"]][0] == "[isodoc] QT-05 lần 1 đã được ban hành"
    reader_link = links(got[addr["reader"]][1])[0]
    assert reader_link == f"{BASE_URL}/agencies/so-tu-phap/documents/qt-05"
    assert "Xác nhận đã đọc" in follow(desk("reader"), reader_link).get_data(as_text=True)


def test_a_returned_draft_tells_its_author_why(app, desk, in_db, smtp, with_email):
    create_from_template(desk("author"))
    post(desk("author"), f"{BASE}/qt-05/drafts/1/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    smtp.take()
    post(desk("auditor"), f"{BASE}/qt-05/drafts/1/review",
         {"decision": "changes_requested",
          "comment": "Bổ sung bước lưu hồ sơ điện tử\n<img src=x onerror=alert(1)>"})
    got = by_recipient(smtp.take())
    subject, text, html = got[with_email["author"]]
    assert subject == "[isodoc] Dự thảo QT-05 của bạn được đề nghị sửa"
    assert "> Bổ sung bước lưu hồ sơ điện tử\n> <img src=x" in text
    assert "Bổ sung bước lưu hồ sơ điện tử<br>&lt;img src=x" in html and "<img" not in html
    assert set(got) == {with_email["author"]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_smtp_down_never_fails_the_request_and_the_mail_goes_later(
        app, desk, in_db, smtp, with_email, monkeypatch):
    create_from_template(desk("author"))
    monkeypatch.setitem(app.config, "ISODOC_SMTP_PORT", free_port())  # nobody listens
    response = post(desk("author"), f"{BASE}/qt-05/drafts/1/submit",
                    {"reviewers": user_id(in_db, "stp.danhgia")})
    assert response.status_code == 302
    with in_db() as s:
        row = s.scalars(select(MailOutbox)).one()
        assert (row.state, row.attempts) == (MailState.QUEUED, 1)
        assert "Connection" in row.last_error or "refused" in row.last_error.lower()
        assert row.next_attempt_at > utcnow()  # backoff: not before its time
    assert app.test_cli_runner().invoke(main, ["mail", "drain"]).exit_code == 0
    with in_db() as s:
        assert s.scalars(select(MailOutbox.attempts)).one() == 1  # not due yet
    monkeypatch.setitem(app.config, "ISODOC_SMTP_PORT", smtp.port)
    with in_db() as s:
        s.execute(update(MailOutbox).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    result = app.test_cli_runner().invoke(main, ["mail", "drain"])
    assert result.exit_code == 0 and "Đã gửi 1 thư" in result.output
    got = by_recipient(smtp.take())
    assert got[with_email["auditor"]][0].startswith("[isodoc] Mời bạn xem xét dự thảo QT-05")
    with in_db() as s:
        row = s.scalars(select(MailOutbox)).one()
        assert (row.state, row.attempts, row.last_error) == (MailState.SENT, 2, None)


def test_gives_up_after_the_last_attempt_and_the_admin_sees_it(
        app, desk, in_db, smtp, with_email, monkeypatch, make_user):
    create_from_template(desk("author"))
    monkeypatch.setitem(app.config, "ISODOC_SMTP_PORT", free_port())
    post(desk("author"), f"{BASE}/qt-05/drafts/1/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    for _ in range(mail.MAX_ATTEMPTS - 1):
        with in_db() as s:
            s.execute(update(MailOutbox).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        app.test_cli_runner().invoke(main, ["mail", "drain"])
    with in_db() as s:
        row = s.scalars(select(MailOutbox)).one()
        assert (row.state, row.attempts) == (MailState.FAILED, mail.MAX_ATTEMPTS)
    admin = make_user(("ubnd-tinh", "admin"), username="quantri")
    from tests.conftest import login

    client = app.test_client()
    assert login(client, admin).status_code == 302
    page = client.get("/admin/mail?state=failed").get_data(as_text=True)
    assert "Mời bạn xem xét dự thảo QT-05" in page and "Gửi không được" in page
    assert "stp.danhgia@dienbien.example" in page and "ConnectionRefusedError" in page
    assert client.get("/admin/mail?page=0").status_code == 400
    # an agency's own administrator does not read every agency's mail
    assert desk("secretary").get("/admin/mail").status_code == 403


def test_without_smtp_mails_are_written_as_eml_files(app, desk, in_db, with_email,
                                                     monkeypatch, caplog, tmp_path):
    monkeypatch.setitem(app.config, "ISODOC_SMTP_HOST", "")
    monkeypatch.setitem(app.config, "ISODOC_MAIL_PATH", str(tmp_path / "mail"))
    monkeypatch.setattr(mail, "_eml_logged", False)
    create_from_template(desk("author"))
    with caplog.at_level(logging.WARNING, logger="isodoc.mail"):
        post(desk("author"), f"{BASE}/qt-05/drafts/1/submit",
             {"reviewers": [user_id(in_db, "stp.danhgia"), user_id(in_db, "stp.thuky")]})
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    messages = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
                for f in files]
    assert {m["To"].addresses[0].addr_spec for m in messages} == {
        with_email["auditor"], with_email["secretary"]}
    subject, text, _ = decoded(messages[0])
    assert subject.startswith("[isodoc] Mời bạn xem xét dự thảo QT-05")
    assert "Quy trình xem xét của lãnh đạo" in text
    said = [r for r in caplog.records if "ISODOC_SMTP_HOST is not set" in r.getMessage()]
    assert len(said) == 1  # once, not once per mail
    with in_db() as s:
        assert set(s.scalars(select(MailOutbox.state))) == {MailState.SENT}


def choose(client, mode: str):
    return post_form(client, "/account/mail", {"mode": mode})


def test_digest_and_none_as_each_person_prefers(app, desk, in_db, smtp, with_email):
    author, approver = desk("author"), desk("approver")
    assert choose(author, "digest").status_code == 302
    assert "Gộp thành một bản tin mỗi ngày" in author.get("/account").get_data(as_text=True)
    choose(approver, "none")
    assert choose(approver, "hàng tuần").status_code == 302  # refused: nothing changed
    issue_qt05(desk, in_db)
    got = {rcpts[0] for rcpts, _ in smtp.take()}
    assert with_email["author"] not in got and with_email["approver"] not in got
    assert {with_email["secretary"], with_email["reader"]} <= got

    result = app.test_cli_runner().invoke(main, ["mail", "daily"])
    assert result.exit_code == 0, result.output
    assert "1 bản tin hằng ngày" in result.output
    got = by_recipient(smtp.take())
    # the digest, and the secretary who issued it is asked to read it like every member
    assert set(got) == {with_email["author"], with_email["secretary"]}
    subject, text, html = got[with_email["author"]]
    assert subject == (f"[isodoc] Bản tin ngày {today_local().strftime('%d/%m/%Y')}: "
                       "3 việc của bạn")
    for told in ("Dự thảo QT-05 của bạn đã được xem xét xong",
                 "Dự thảo QT-05 của bạn đã được phê duyệt", "QT-05 lần 1 đã được ban hành"):
        assert told in text and told in html
    assert f"{BASE_URL}/agencies/so-tu-phap/documents/qt-05" in links(text)
    # the same day again: nothing new to tell
    result = app.test_cli_runner().invoke(main, ["mail", "daily"])
    assert "0 thư nhắc việc, 0 bản tin" in result.output
    assert smtp.take() == []


def test_daily_reminds_of_an_overdue_periodic_review_once_a_day(
        app, desk, in_db, smtp, with_email, monkeypatch):
    issue_qt05(desk, in_db)
    smtp.take()
    later = today_local() + timedelta(days=400)
    monkeypatch.setattr(services, "today_local", lambda: later)
    result = app.test_cli_runner().invoke(main, ["mail", "daily"])
    assert result.exit_code == 0, result.output
    got = by_recipient(smtp.take())
    assert set(got) == {with_email["secretary"]}  # whose work list shows it
    subject, text, _ = got[with_email["secretary"]]
    assert subject == (f"[isodoc] Nhắc việc ngày {later.strftime('%d/%m/%Y')}: "
                       "1 việc đến hạn hoặc quá hạn")
    assert "QT-05: Quy trình xem xét của lãnh đạo — xem xét định kỳ" in text
    page = follow(desk("secretary"), links(text)[0]).get_data(as_text=True)
    assert "Xem xét định kỳ" in page or "xem xét định kỳ" in page
    app.test_cli_runner().invoke(main, ["mail", "daily"])
    assert smtp.take() == []  # never twice a day
    monkeypatch.setattr(services, "today_local", lambda: later + timedelta(days=1))
    app.test_cli_runner().invoke(main, ["mail", "daily"])
    assert set(by_recipient(smtp.take())) == {with_email["secretary"]}  # the next day again


def agree(app, staff) -> dict[str, int]:
    """For each person: the header's count equals the items of "Việc của tôi" (its
    audits aside), both computed now; returns the counts."""
    from isodoc.documents.worklist import listed_work, work_for
    from isodoc.extensions import db
    from isodoc.findings.worklist import finding_work
    from isodoc.main import waiting
    from isodoc.reviews.worklist import review_work as review_action_work
    from isodoc.risks.worklist import action_work, review_work

    counts = {}
    with app.test_request_context("/"):
        for who, username in staff.items():
            user = db.session.scalar(select(User).where(User.username == username))
            work = work_for(user)
            listed = sum(len(v) for k, v in work.items() if k not in ("actions", "audits"))
            listed += len(finding_work(user)) + len(review_work(user)) + len(action_work(user))
            listed += len(review_action_work(user))
            counts[who] = waiting.count_for(user)
            assert counts[who] == listed, (who, counts[who], {
                k: [i.code for i in v] for k, v in work.items()})
            # the home page's lists, chosen in SQL a page at a time, are the same lists
            for size in (1, 1000):
                for name, found in listed_work(user, size).items():
                    expected = sorted((i.code, i.url, i.note, i.due) for i in work[name])
                    assert found.total == len(expected), (who, name)
                    got = sorted((i.code, i.url, i.note, i.due) for i in found.items)
                    assert got == expected if size == 1000 else \
                        len(got) == min(1, len(expected)) and set(got) <= set(expected), \
                        (who, name, got, expected)
        db.session.rollback()
    return counts


def test_the_header_count_agrees_with_my_work(app, desk, in_db, staff, monkeypatch):
    create_from_template(desk("author"))
    post(desk("author"), f"{BASE}/qt-05/drafts/1/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    assert agree(app, staff)["auditor"] == 1
    post(desk("auditor"), f"{BASE}/qt-05/drafts/1/review",
         {"decision": "changes_requested", "comment": "Sửa bước 3"})
    assert agree(app, staff)["author"] == 1  # returned to its author

    create_from_template(desk("author"), code="QT-06", title="Quy trình thứ sáu")
    post(desk("author"), f"{BASE}/qt-06/drafts/1/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/qt-06/drafts/1/review", {"decision": "agreed"})
    assert agree(app, staff)["approver"] == 1
    post(desk("approver"), f"{BASE}/qt-06/drafts/1/approve")
    assert agree(app, staff)["secretary"] == 1
    post(desk("secretary"), f"{BASE}/qt-06/drafts/1/issue",
         {"effective_date": today_local().strftime("%d/%m/%Y")})
    counts = agree(app, staff)
    assert counts["reader"] == 1 and counts["outsider"] == 0  # QT-06 to read, here only

    post(desk("secretary"), f"{BASE}/qt-06/withdraw", {"reason": "Không còn áp dụng"})
    assert agree(app, staff)["approver"] == 1 + 1  # the withdrawal, and QT-06 to read
    r = post(desk("secretary"), "/agencies/so-tu-phap/findings/new", {
        "type": "minor", "clauses": "8.5.1", "source": "late_dossier",
        "source_note": "Hồ sơ 000.12.34.H17-261101-0003",
        "requirement": "Trả kết quả đúng hạn", "observed": "Trễ 2 ngày"})
    assert r.status_code == 302
    counts = agree(app, staff)  # a finding to propose an action for
    assert counts["author"] == 1 + 1 + 1 and counts["auditor"] == 1

    later = today_local() + timedelta(days=400)
    monkeypatch.setattr(services, "today_local", lambda: later)
    assert agree(app, staff)["secretary"] >= 2  # the periodic review is overdue too


def test_daily_reminds_of_a_finding_step_due_to_whoever_must_act(
        app, desk, in_db, smtp, with_email):
    soon = (today_local() + timedelta(days=1)).strftime("%d/%m/%Y")
    r = post(desk("secretary"), "/agencies/so-tu-phap/findings/new", {
        "type": "minor", "clauses": "8.5.1", "source": "late_dossier",
        "source_note": "Hồ sơ 000.12.34.H17-261101-0003", "response_due": soon,
        "requirement": "Trả kết quả đúng hạn", "observed": "Trễ 2 ngày"})
    assert r.status_code == 302
    assert smtp.take() == []  # raising it mails nobody: the daily job tells when it is due
    result = app.test_cli_runner().invoke(main, ["mail", "daily"])
    assert result.exit_code == 0, result.output
    got = by_recipient(smtp.take())
    # those who may propose the action (the agency's author, secretary, approver)
    assert set(got) == {with_email["author"], with_email["secretary"], with_email["approver"]}
    subject, text, html = got[with_email["author"]]
    assert "Nhắc việc ngày" in subject and "1 việc đến hạn hoặc quá hạn" in subject
    assert f"đề xuất hành động · hạn {soon}" in text and "Trễ 2 ngày" in html
    page = follow(desk("author"), links(text)[0])
    assert page.status_code == 200 and "Đề xuất hành động" in page.get_data(as_text=True)
    app.test_cli_runner().invoke(main, ["mail", "daily"])
    assert smtp.take() == []


def test_a_revision_issued_for_later_is_told_to_read_on_the_day_it_takes_effect(
        app, desk, in_db, smtp, with_email, monkeypatch):
    tomorrow = today_local() + timedelta(days=1)
    issue_qt05(desk, in_db, effective=tomorrow)
    got = by_recipient([m for m in smtp.take() if "QT-05 lần 1" in str(m[1]["Subject"])])
    assert set(got) == {with_email["author"]}  # not in force yet: nobody is asked to read
    assert "Xác nhận đã đọc" not in got[with_email["author"]][1]
    app.test_cli_runner().invoke(main, ["mail", "daily"])
    assert smtp.take() == []  # today it is not in force
    monkeypatch.setattr(services, "today_local", lambda: tomorrow)
    result = app.test_cli_runner().invoke(main, ["mail", "daily"])
    assert result.exit_code == 0, result.output
    got = by_recipient(smtp.take())
    assert set(got) == {with_email[w] for w in ("reader", "author", "secretary", "approver",
                                                "auditor")}
    subject, text, _ = got[with_email["reader"]]
    assert subject.startswith(f"[isodoc] Nhắc việc ngày {tomorrow.strftime('%d/%m/%Y')}")
    assert "QT-05: Quy trình xem xét của lãnh đạo — có hiệu lực từ hôm nay" in text
    assert links(text)[0] == f"{BASE_URL}/agencies/so-tu-phap/documents/qt-05"


def test_a_revision_in_force_at_once_is_told_once(app, desk, in_db, smtp, with_email):
    issue_qt05(desk, in_db)
    told = [rcpts[0] for rcpts, m in smtp.take() if "QT-05 lần 1" in str(m["Subject"])]
    assert sorted(told) == sorted(with_email[w] for w in ("reader", "author", "approver",
                                                          "auditor"))
    result = app.test_cli_runner().invoke(main, ["mail", "daily"])
    # only the secretary, who issued it, hears of it from the daily job
    assert set(by_recipient(smtp.take())) == {with_email["secretary"]}, result.output


def test_a_wrong_tls_setting_is_the_mails_error_and_old_sent_mail_goes(
        app, desk, in_db, smtp, with_email, monkeypatch):
    monkeypatch.setitem(app.config, "ISODOC_SMTP_TLS", "tls1.3")
    create_from_template(desk("author"))
    assert post(desk("author"), f"{BASE}/qt-05/drafts/1/submit",
                {"reviewers": user_id(in_db, "stp.danhgia")}).status_code == 302
    with in_db() as s:
        row = s.scalars(select(MailOutbox)).one()
        assert row.state == MailState.QUEUED and "ISODOC_SMTP_TLS" in row.last_error
        row.state, row.created_at = MailState.SENT, utcnow() - timedelta(days=91)
    app.test_cli_runner().invoke(main, ["mail", "daily"])
    with in_db() as s:
        assert s.scalars(select(MailOutbox)).all() == []
