"""The citizen satisfaction survey (ISO 9001:2015 9.1.2) as citizens and staff use it:
a citizen answers on the public page without an account, once per dossier receipt
number; the agency's members read results by period, TTHC and question and turn a low
score or a complaint into a finding in one step; the abuse cases change nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from isodoc.agencies.services import get_by_code
from isodoc.auth import services as auth_services
from isodoc.auth.models import User
from isodoc.findings.models import Finding
from isodoc.surveys.models import SurveyResponse, SurveyScore
from isodoc.timeutil import today_local
from isodoc.tthc.models import Tthc, TthcBody, TthcBodyMap
from tests.conftest import CSRF_RE, post_form

PUBLIC = "/khao-sat/so-tu-phap"
RESULTS = "/agencies/so-tu-phap/surveys"
TTHC = "1.001193"        # a Sở Tư pháp procedure
OTHER_TTHC = "2.000986"  # a Sở Y tế procedure
GOOD = {"guidance": "5", "attitude": "4", "timeliness": "5", "overall": "4"}


@pytest.fixture
def catalog(staff, in_db):
    """Two province-level TTHC, one executed by each department."""
    with in_db() as s:
        for code, name, agency in ((TTHC, "Cấp phiếu lý lịch tư pháp", "so-tu-phap"),
                                   (OTHER_TTHC, "Cấp giấy phép hành nghề y", "so-y-te")):
            body = TthcBodyMap(key=agency, name=agency, agency=get_by_code(agency))
            tthc = Tthc(code=code, name=name, at_province=True)
            s.add_all([body, tthc, TthcBody(tthc=tthc, body=body)])
    return staff


def page_token(client, url: str = PUBLIC) -> str:
    match = CSRF_RE.search(client.get(url).get_data(as_text=True))
    assert match, url
    return match.group(1)


def answer(client, url: str = PUBLIC, receipt: str = "000.00.12.H18-261101-0001", **fields):
    data = {"csrf_token": page_token(client, url), "receipt": receipt, **GOOD, **fields}
    return client.post(url, data=data)


def count(in_db) -> int:
    with in_db() as s:
        return s.scalar(select(func.count()).select_from(SurveyResponse))


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_citizen_answers_without_an_account_and_staff_read_the_results(
        app, catalog, client, desk, in_db):
    page = client.get(PUBLIC)
    assert page.status_code == 200
    body = text(page)
    assert "Sở Tư pháp" in body and "Mã hồ sơ" in body and "<script" not in body
    assert "Cấp phiếu lý lịch tư pháp (1.001193)" in body   # its TTHC, to choose from
    # nothing internal: no staff, no other agency, no internal number, no menu
    for private in ("Lê Thu Hà", "stp.thuky", "Sở Y tế", OTHER_TTHC, "/agencies/", "isodoc"):
        assert private not in body, private
    response = answer(client, tthc=TTHC, comment_kind="suggestion",
                      comment="Cán bộ hướng dẫn tận tình.")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cam-on")
    assert "Cảm ơn" in text(client.get(response.headers["Location"]))
    # the page of one TTHC (the QR code at its desk) names it
    one = client.get(f"{PUBLIC}/{TTHC}")
    assert one.status_code == 200 and "Cấp phiếu lý lịch tư pháp" in text(one)
    assert answer(client, f"{PUBLIC}/{TTHC}", receipt="000.00.12.H18-261101-0002",
                  overall="1", attitude="2",
                  comment_kind="complaint", comment="Hẹn trả kết quả nhưng phải đi lại 3 lần."
                  ).status_code == 302
    with in_db() as s:
        rows = s.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
        assert [(r.receipt, r.tthc_code, r.lowest, r.comment_kind) for r in rows] == [
            ("000.00.12.H18-261101-0001", TTHC, 4, "suggestion"),
            ("000.00.12.H18-261101-0002", TTHC, 1, "complaint")]
    results = text(desk("reader").get(RESULTS))
    assert "<strong>2</strong> phiếu" in results and "<strong>1</strong> phản ánh" in results
    assert "Hẹn trả kết quả nhưng phải đi lại 3 lần." in results
    assert "/khao-sat/so-tu-phap" in results          # the short link for the desk
    # by question: overall 4 and 1 → average 2,5; by TTHC; by period
    assert re.search(r"Mức độ hài lòng chung của Ông/Bà</th><td>2</td>\s*<td>2,5</td>", results)
    assert "1.001193</a> Cấp phiếu lý lịch tư pháp" in results
    last_year = text(desk("reader").get(f"{RESULTS}?period={today_local().year - 1}"))
    assert "<strong>0</strong> phiếu" in last_year
    assert desk("reader").get(f"{RESULTS}?period=2026-13").status_code == 404
    assert desk("outsider").get(RESULTS).status_code == 403


def test_one_answer_per_receipt_number(app, catalog, client, in_db):
    assert answer(client, receipt="000.00.12.h18-261101-0009").status_code == 302
    for again in ("000.00.12.H18-261101-0009", " 000.00.12.H18-261101-0009 ",
                  "000.00.12.H18 -261101-0009"):
        response = answer(client, receipt=again, overall="1")
        assert response.status_code == 422
        assert "đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần" in text(response)
    assert count(in_db) == 1
    # the same number at another agency is another dossier
    assert answer(client, "/khao-sat/so-y-te", receipt="000.00.12.H18-261101-0009"
                  ).status_code == 302


@pytest.mark.parametrize("fields, message", [
    ({"receipt": ""}, "Vui lòng nhập mã hồ sơ"),
    ({"receipt": "AB\x00CD-1234"}, "Mã hồ sơ chỉ gồm"),
    ({"receipt": "AB\u202eCD-1234"}, "Mã hồ sơ chỉ gồm"),
    ({"receipt": "X" * 41}, "Mã hồ sơ quá dài"),
    ({"receipt": "<script>1</script>"}, "Mã hồ sơ chỉ gồm"),
    ({"overall": ""}, "Vui lòng chọn mức đánh giá (1–5) cho «Mức độ hài lòng chung"),
    ({"overall": "6"}, "Vui lòng chọn mức đánh giá"),
    ({"attitude": "0"}, "Vui lòng chọn mức đánh giá"),
    ({"comment": "x" * 1001}, "Ý kiến quá dài: tối đa 1000 ký tự"),
    ({"comment_kind": "complaint", "comment": ""}, "Vui lòng ghi nội dung phản ánh"),
    ({"comment_kind": "admin"}, "Loại ý kiến không hợp lệ"),
    ({"tthc": OTHER_TTHC}, "Thủ tục hành chính không thuộc đơn vị này"),
    ({"tthc": "1.001193' OR 1=1"}, "Thủ tục hành chính không thuộc đơn vị này"),
])
def test_bad_answers_are_refused_in_vietnamese_and_change_nothing(app, catalog, client, in_db,
                                                                  fields, message):
    response = answer(client, **fields)
    assert response.status_code == 422
    assert message in text(response)
    assert 'role="alert"' in text(response) and "Phiếu chưa được gửi" in text(response)
    # and next to its field, which says it is wrong
    field = re.search(r'<p class="error" id="([a-z_]+)-error">' + re.escape(message),
                      text(response))
    assert field, "no message next to the field"
    assert f'aria-describedby="{field.group(1)}-error"' in text(response)
    assert count(in_db) == 0


def test_control_and_invisible_characters_are_taken_out_of_a_comment(app, catalog, client,
                                                                     in_db):
    assert answer(client, comment="Thái\x07 độ\u200b tốt\u202e.\r\nCảm ơn\x00.").status_code == 302
    with in_db() as s:
        response = s.scalars(select(SurveyResponse)).one()
        assert response.comment == "Thái độ tốt.\nCảm ơn."
        assert response.comment_kind == "suggestion"


def test_an_oversized_request_is_refused_before_it_is_read(app, catalog, client, in_db):
    token = page_token(client)
    response = client.post(PUBLIC, data={"csrf_token": token, "receipt": "AB-1234", **GOOD,
                                         "comment": "ý" * 20_000})
    assert response.status_code == 413
    assert "Nội dung gửi quá dài" in text(response)
    assert count(in_db) == 0


def test_a_form_without_its_token_is_refused_on_the_page(app, catalog, client, in_db):
    from isodoc.errors import CSRF_MESSAGE

    client.get(PUBLIC)
    other = app.test_client()  # a token from another visitor's page
    for response in (client.post(PUBLIC, data={"receipt": "AB-1234", **GOOD}),
                     other.post(PUBLIC, data={"csrf_token": page_token(client),
                                              "receipt": "AB-1234", **GOOD})):
        assert response.status_code == 400
        assert CSRF_MESSAGE in text(response)
        assert "survey.css" in text(response) and "/agencies/" not in text(response)
    assert count(in_db) == 0


@pytest.mark.parametrize("url", [
    "/khao-sat/khong-co-don-vi", "/khao-sat/SO-TU-PHAP", "/khao-sat/so-tu-phap%0A",
    f"/khao-sat/so-tu-phap/{OTHER_TTHC}", "/khao-sat/so-tu-phap/9.999999",
    "/khao-sat/so-tu-phap/1.001193x", "/khao-sat/so-tu-phap/..%2F..%2Fadmin",
    "/khao-sat/" + "a" * 300,
])
def test_forged_agency_and_tthc_codes_are_not_found(app, catalog, client, in_db, url):
    token = page_token(client)
    for response in (client.get(url), client.post(url, data={"csrf_token": token,
                                                              "receipt": "AB-1234", **GOOD})):
        assert response.status_code == 404, url
        assert "Không tìm thấy trang khảo sát" in text(response)
        assert "/agencies/" not in text(response)
    assert count(in_db) == 0


def test_a_dissolved_agency_takes_no_answers(app, catalog, client, in_db):
    from datetime import timedelta

    with in_db():
        get_by_code("so-y-te").dissolved_on = today_local() - timedelta(days=1)
    assert client.get("/khao-sat/so-y-te").status_code == 404
    assert answer(client).status_code == 302


def test_floods_are_throttled_across_two_nodes(app, catalog, make_app, in_db):
    """The count lives in the database: two app servers share it."""
    nodes = [make_app(ISODOC_SURVEY_RATE_LIMIT="3 per minute").test_client() for _ in range(2)]
    statuses = [answer(nodes[i % 2], receipt=f"AB-{i:04d}").status_code for i in range(5)]
    assert statuses[:3] == [302, 302, 302] and statuses[3:] == [429, 429]
    response = answer(nodes[0], receipt="AB-9999", comment="Cần thêm chỗ ngồi chờ.")
    assert "quá nhiều phiếu" in text(response) and "/agencies/" not in text(response)
    # the form comes back with what was typed, to send again later (it was lost before)
    assert 'value="AB-9999"' in text(response) and "Cần thêm chỗ ngồi chờ." in text(response)
    assert count(in_db) == 3


def test_answers_refused_for_a_mistake_do_not_use_up_the_limit(app, catalog, make_app,
                                                                in_db):
    """A citizen who corrects a mistake is not throttled for it: only what is saved (or
    refused for another reason) counts."""
    node = make_app(ISODOC_SURVEY_RATE_LIMIT="2 per minute").test_client()
    for _ in range(3):
        assert answer(node, receipt="").status_code == 422
    assert [answer(node, receipt=f"EF-{i}").status_code for i in range(3)] == [302, 302, 429]
    assert count(in_db) == 2
    # a flood from many addresses meets the agency's own cap
    capped = make_app(ISODOC_SURVEY_AGENCY_LIMIT="2 per hour").test_client()
    statuses = []
    for i in range(4):
        capped.environ_base["REMOTE_ADDR"] = f"10.0.0.{i + 1}"
        statuses.append(answer(capped, "/khao-sat/so-y-te", receipt=f"CD-{i:04d}").status_code)
    assert statuses == [302, 302, 429, 429]


def test_a_low_score_or_a_complaint_becomes_a_finding_in_one_step(app, catalog, client, desk,
                                                                  in_db):
    answer(client, receipt="AB-0001", overall="2")
    answer(client, receipt="AB-0002", comment_kind="petition",
           comment="Đề nghị bố trí thêm ghế chờ.")
    answer(client, receipt="AB-0003")  # all good: nothing to raise
    with in_db() as s:
        ids = {r.receipt: r.id for r in s.scalars(select(SurveyResponse))}
    page = text(desk("auditor").get(RESULTS))
    assert page.count("Ghi nhận phát hiện</button>") == 2
    url = f"{RESULTS}/{ids['AB-0001']}/finding"
    assert post_form(desk("reader"), url, {"f-type": "observation"}, page=RESULTS
                     ).status_code == 403
    assert post_form(desk("outsider"), url, {"f-type": "observation"}).status_code == 403
    response = post_form(desk("auditor"), url, {"f-type": "observation"}, page=RESULTS)
    assert response.status_code == 302 and "/findings/" in response.headers["Location"]
    response = post_form(desk("secretary"), f"{RESULTS}/{ids['AB-0002']}/finding",
                         {"f-type": "minor"}, page=RESULTS)
    assert response.status_code == 302
    again = post_form(desk("auditor"), url, {"f-type": "observation"}, page=RESULTS,
                      follow_redirects=True)
    assert "đã có phát hiện" in text(again)
    refused = post_form(desk("auditor"), f"{RESULTS}/{ids['AB-0003']}/finding",
                        {"f-type": "observation"}, page=RESULTS, follow_redirects=True)
    assert "không có gì để ghi nhận phát hiện" in text(refused)
    with in_db() as s:
        findings = s.scalars(select(Finding).order_by(Finding.id)).all()
        assert [(f.source, f.type) for f in findings] == [("survey", "observation"),
                                                          ("complaint", "minor")]
        assert "Hài lòng chung: 2/5" in findings[0].observed
        assert "Đề nghị bố trí thêm ghế chờ." in findings[1].observed
        assert findings[1].source_note.endswith("hồ sơ AB-0002")
        assert [c.clause for c in findings[0].clauses] == ["9.1.2"]
    page = text(desk("auditor").get(RESULTS))
    assert page.count("Ghi nhận phát hiện</button>") == 0


def test_the_qr_code_and_the_printed_poster(app, catalog, desk, client):
    svg = desk("reader").get(f"{RESULTS}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.get_data(as_text=True).startswith("<svg") and "<script" not in svg.get_data(
        as_text=True)
    poster = text(desk("reader").get(f"{RESULTS}/poster?tthc={TTHC}"))
    assert "/khao-sat/so-tu-phap/1.001193" in poster and "<svg" in poster
    assert desk("reader").get(f"{RESULTS}/poster?tthc={OTHER_TTHC}").status_code == 404
    assert desk("outsider").get(f"{RESULTS}/qr.svg").status_code == 403
    assert client.get(f"{RESULTS}/qr.svg").status_code == 302  # to the login page


def api_token(in_db, username: str) -> dict:
    with in_db() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        return {"Authorization": f"Bearer {auth_services.create_token(user, user, 'api')}"}


def test_the_api_gives_results_by_period_tthc_and_question(app, catalog, client, in_db):
    answer(client, receipt="AB-0001", tthc=TTHC, overall="2")
    answer(client, receipt="AB-0002", overall="5", comment_kind="complaint", comment="Chậm.")
    headers = api_token(in_db, "stp.congchuc")
    year = today_local().year
    body = client.get(f"/api/v1/agencies/so-tu-phap/surveys?period={year}",
                      headers=headers).get_json()
    assert body["answers"] == 2 and body["low"] == 1 and body["complaints"] == 1
    assert body["start"] == f"{year}-01-01" and body["end"] == f"{year + 1}-01-01"
    overall = next(q for q in body["questions"] if q["question"] == "overall")
    assert overall["average"] == 3.5 and overall["counts"]["2"] == 1
    assert overall["satisfied_percent"] == 50.0
    assert {t["code"] or "" for t in body["tthcs"]} == {TTHC, ""}
    one = client.get(f"/api/v1/agencies/so-tu-phap/surveys?tthc={TTHC}",
                     headers=headers).get_json()
    assert one["answers"] == 1 and one["tthc"] == TTHC
    month = today_local().strftime("%Y-%m")
    assert client.get(f"/api/v1/agencies/so-tu-phap/surveys?period={month}",
                      headers=headers).get_json()["answers"] == 2
    bad = client.get("/api/v1/agencies/so-tu-phap/surveys?period=2026-Q5", headers=headers)
    assert bad.status_code == 422 and "Kỳ phải có dạng" in bad.get_json()["message"]
    assert client.get("/api/v1/agencies/so-tu-phap/surveys",
                      headers=api_token(in_db, "syt.thuky")).status_code == 403
    assert client.get("/api/v1/agencies/so-tu-phap/surveys").status_code == 401
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/agencies/{agency_code}/surveys" in spec["paths"]


def test_scores_are_stored_per_question(app, catalog, client, in_db):
    answer(client, receipt="AB-0001", guidance="1", attitude="2", timeliness="3", overall="4")
    with in_db() as s:
        scores = dict(s.execute(select(SurveyScore.question, SurveyScore.score)).all())
        assert scores == {"guidance": 1, "attitude": 2, "timeliness": 3, "overall": 4}


def test_the_demo_has_answers_for_two_agencies_and_a_complaint_made_a_finding(app, in_db):
    from isodoc import demo

    with app.app_context():
        demo.seed("mat-khau-demo-2026")
        from isodoc.extensions import db

        db.session.commit()
    with in_db() as s:
        by_agency = dict(s.execute(select(SurveyResponse.agency_id, func.count())
                                   .group_by(SurveyResponse.agency_id)).all())
        assert sorted(by_agency.values()) == [24, 36]
        with_tthc = s.scalar(select(func.count()).select_from(SurveyResponse).where(
            SurveyResponse.tthc_code.is_not(None)))
        assert with_tthc > 20
        raised = s.scalars(select(Finding).where(Finding.source == "complaint",
                                                 Finding.source_note.like("Phiếu khảo sát%")
                                                 )).all()
        assert len(raised) == 2


def test_an_answer_is_kept_only_when_its_whole_transaction_commits(app, catalog, in_db):
    """The answer is inserted inside a savepoint (a retry on its number). On SQLite a
    savepoint that opened the transaction committed at its release, so a failure later
    in the same request still left the answer behind."""
    from isodoc.extensions import db
    from isodoc.surveys.services import Answer, submit

    with app.app_context():
        agency = get_by_code("so-tu-phap")
        db.session.commit()  # nothing open: the savepoint is the transaction's first write
        submit(agency, Answer(receipt="AB-0009", scores=dict(GOOD)))
        db.session.rollback()  # what the command does when a later step fails
    assert count(in_db) == 0
