"""The oversight areas in English (programme, declarations, inspections, succession):
pages, a refused form and API answers follow the person's language; the plan's
appendices and the declaration's Word files are filed documents and stay Vietnamese,
figures with a decimal comma, whatever the interface's language."""

from __future__ import annotations

import io
import json

import pytest
from docx import Document as open_docx
from openpyxl import load_workbook

from isodoc.extensions import db
from isodoc.programme.models import Plan, PlanTarget
from isodoc.timeutil import today_local
from tests.conftest import api_token, in_english, login, post_form
from tests.doc_helpers import issue_qt05
from tests.test_declarations import BASE, complete_audit, declare, docx_text, issue_document

YEAR = today_local().year


@pytest.fixture
def plan(province, in_db) -> int:
    with in_db() as s:
        p = Plan(number="99/KH-UBND", title="Kế hoạch thử", first_year=YEAR, last_year=YEAR)
        s.add(p)
        s.flush()
        s.add(PlanTarget(plan_id=p.id, year=YEAR, kind="commune", stage="applying",
                         measure="percent", value=50))
        s.flush()
        return p.id


def test_dashboard_and_plan_in_english_and_a_refused_target(plan, overseer, client):
    assert login(client, overseer).status_code == 302
    in_english(client)
    board = client.get(f"/programme/?year={YEAR}").get_data(as_text=True)
    assert '<html lang="en">' in board
    assert f"Province-wide QMS programme — {YEAR}" in board
    assert "Activity in the period" in board and f"Targets {YEAR} and results" in board
    assert "Applying" in board and "Not met" in board  # a stage name, a result
    for vietnamese in ("Chương trình áp dụng HTQLCL", "Hoạt động trong kỳ", "Chưa đạt",
                       "Đang áp dụng", "Phụ lục 03 — Khái toán kinh phí"):
        assert vietnamese not in board, vietnamese
    page = client.get(f"/programme/plans/{plan}").get_data(as_text=True)
    assert "Targets by year" in page and "Add a target" in page
    assert "Documents issued, applying" in page  # the stage choices, built per request
    assert "Whole province" in page and "Share (%)" in page
    assert "Chỉ tiêu theo năm" not in page and "Toàn tỉnh" not in page
    answer = post_form(client, f"/programme/plans/{plan}/targets",
                       {"year": str(YEAR), "kind": "district", "district": "",
                        "stage": "declared", "measure": "percent", "value": "140", "note": ""},
                       page=f"/programme/plans/{plan}")
    assert answer.status_code == 422
    refused = answer.get_data(as_text=True)
    assert "The target must be between 0 and 100." in refused and 'value="140"' in refused
    assert "Giá trị chỉ tiêu" not in refused
    listed = client.get(f"/programme/agencies?year={YEAR}&kind=commune").get_data(as_text=True)
    assert "agencies." in listed and "Not started" in listed and "Chưa xây dựng" not in listed


def test_declarations_pages_refusal_and_api_in_english(desk, in_db, client):
    secretary = desk("secretary")
    in_english(secretary)
    page = secretary.get(BASE + "/new").get_data(as_text=True)
    assert "Record a QMS declaration decision" in page and "No QMS documents issued yet" in page
    assert "Chưa có bộ tài liệu" not in page
    refused = declare(desk, in_db)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Not yet ready to declare the QMS" in text
    assert "No internal audit completed in the period" in text
    assert "Chưa đủ điều kiện" not in text

    issue_qt05(desk, in_db)
    complete_audit(in_db)
    assert declare(desk, in_db).status_code == 302
    issue_document(in_db, "QT-07")  # the scope grew after the declaration
    index = secretary.get(BASE).get_data(as_text=True)
    assert "Re-declaration needed" in index
    assert "Documents issued after the declaration: QT-07." in index
    assert "Cần công bố lại" not in index and "Tài liệu mới ban hành" not in index
    # the declaration's Word files are filed: Vietnamese whatever the interface says
    with in_db() as s:
        from isodoc.declarations.models import Declaration

        ident = s.scalar(db.select(Declaration.id))
    decision = docx_text(secretary.get(f"{BASE}/{ident}/decision.docx").data)
    assert "QUYẾT ĐỊNH" in decision and "Điều 1." in decision

    # the API: machine codes as they are, the reasons in the language asked for, JSON
    answer = client.get("/api/v1/declarations?lang=en", headers=api_token(in_db, "stp.thuky"))
    [row] = answer.get_json()
    assert (row["agency"], row["decision_no"], row["latest"]) == (
        "so-tu-phap", "125/QĐ-STP", True)
    assert row["redeclare"] == ["Documents issued after the declaration: QT-07."]
    json.dumps(row)
    missing = client.get("/api/v1/declarations?agency=khong-co&lang=en",
                         headers=api_token(in_db, "stp.thuky"))
    assert missing.status_code == 404
    assert missing.get_json()["message"] == "There is no agency «khong-co»."
    vi = client.get("/api/v1/declarations?lang=vi", headers=api_token(in_db, "stp.thuky")
                    ).get_json()
    assert vi[0]["redeclare"] == ["Tài liệu mới ban hành sau công bố: QT-07."]
    spec = client.get("/api/v1/openapi.json?lang=en").get_json()
    tags = {t["name"]: t.get("description") for t in spec["tags"]}
    assert tags["api_declarations"] == "QMS declaration of conformity with TCVN ISO 9001:2015"


def test_inspections_consultants_and_succession_in_english(staff, overseer, client):
    assert login(client, overseer).status_code == 302
    in_english(client)
    page = client.get("/inspections/").get_data(as_text=True)
    assert "Inspections of QMS application" in page and "No inspections yet." in page
    assert "Các đợt kiểm tra" not in page
    form = client.get("/inspections/new").get_data(as_text=True)
    assert "On-site inspection" in form and "— choose an agency —" in form
    assert "Kiểm tra tại trụ sở" not in form
    data = {"name": "Công ty Tư vấn A", "kind": "organisation", "contact": "", "note": ""}
    assert post_form(client, "/consultants/", data, page="/consultants/").status_code == 302
    again = post_form(client, "/consultants/", data, page="/consultants/")
    assert again.status_code == 422
    text = again.get_data(as_text=True)
    assert "«Công ty Tư vấn A» is already in the list of consultants." in text
    assert "Consulting organisation" in text and "Tổ chức tư vấn" not in text
    inherited = client.get("/agencies/so-tu-phap/inherited").get_data(as_text=True)
    assert "Documents inherited from merged agencies" in inherited
    assert "No agency was merged into Sở Tư pháp." in inherited  # the name is data


@pytest.fixture
def dien_bien(app, make_user) -> tuple[int, str]:
    from isodoc.agencies import registry_csv
    from isodoc.demo import registry_file
    from isodoc.policy import SYSTEM
    from isodoc.programme import demo

    with app.app_context():
        registry_csv.import_csv(registry_file(), SYSTEM)
        db.session.commit()
    overseer = make_user(("ubnd-tinh", "overseer"), username="sokhcn")
    with app.app_context():
        plan = demo.seed()
        db.session.commit()
        return plan.id, overseer


def test_appendices_stay_vietnamese_with_a_decimal_comma_in_english(dien_bien, client):
    plan, overseer = dien_bien
    assert login(client, overseer).status_code == 302
    in_english(client)
    page = client.get(f"/programme/plans/{plan}/appendices/03").get_data(as_text=True)
    assert "Download .docx" in page and "Tải .docx" not in page  # the page is English
    assert "Tổng cộng" in page and "26,4" in page  # the filed table is not
    cost = open_docx(io.BytesIO(client.get(f"/programme/plans/{plan}/appendices/03.docx").data))
    cells = [c.text for row in cost.tables[-1].rows for c in row.cells]
    assert "Tổng cộng" in cells and "Nội dung" in cells and "Năm 2018" in cells
    assert "26,4" in cells and "26.4" not in cells  # a decimal comma
    assert "Phụ lục 03" in [p.text for p in cost.paragraphs]
    schedule = open_docx(io.BytesIO(client.get(
        f"/programme/plans/{plan}/appendices/01.docx").data))
    text = " ".join(c.text for row in schedule.tables[-1].rows for c in row.cells)
    # the stage names (shared labels the interface shows in English) stay Vietnamese
    assert "đang áp dụng" in text and "Thời gian thực hiện" in text
    assert "applying" not in text.lower() and "Year 2018" not in text
    sheet = load_workbook(io.BytesIO(client.get(
        f"/programme/plans/{plan}/appendices/03.xlsx").data)).active
    values = [str(c.value) for r in sheet.iter_rows() for c in r if c.value is not None]
    assert "Phụ lục 03" in values and "Tổng cộng" in values
    # a page after the downloads is still English (the forced locale did not leak)
    board = client.get("/programme/?year=2018").get_data(as_text=True)
    assert "Province-wide QMS programme — 2018" in board
