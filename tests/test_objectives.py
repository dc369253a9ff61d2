"""Quality objectives (ISO 9001:2015 6.2, 9.1) the way people use them: the secretary
sets an objective through the form, its owner enters monthly values (or another system
pushes them over the API), a correction is kept in the audit log, a missed target is
marked red and becomes a finding in one step; bad input changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from isodoc.audit import AuditEntry
from isodoc.findings.models import Finding
from isodoc.objectives.models import Measurement, QualityObjective
from isodoc.timeutil import today_local
from tests.conftest import api_token, post_form, user_pk

BASE = "/agencies/so-tu-phap/objectives"
YEAR = today_local().year - 1  # every month of last year has passed




def state(in_db) -> tuple:
    """What a refused request must leave as it was."""
    with in_db() as s:
        rows = s.execute(select(Measurement.objective_id, Measurement.month, Measurement.value,
                                Measurement.note, Measurement.corrections)
                         .order_by(Measurement.id)).all()
        return (rows, s.scalar(select(func.count()).select_from(QualityObjective)),
                s.scalar(select(func.count()).select_from(Finding)),
                s.scalar(select(func.count()).select_from(AuditEntry).where(
                    AuditEntry.action.like("objective.%"))))


def create(desk, in_db, **overrides) -> int:
    data = {"year": str(YEAR), "title": "Giải quyết hồ sơ TTHC đúng hạn",
            "measure": "Tỷ lệ hồ sơ giải quyết đúng hạn", "comparison": "ge",
            "target": "100", "unit": "%", "owner": str(user_pk(in_db, "stp.soanthao")),
            "frequency": "monthly", "data_source": "Hệ thống một cửa điện tử", **overrides}
    response = post_form(desk("secretary"), BASE + "/new", data, page=BASE + "/new")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def enter(client, objective: int, month: str, value: str, note: str = ""):
    return post_form(client, f"{BASE}/{objective}/measurements",
                     {"m-month": month, "m-value": value, "m-note": note},
                     page=f"{BASE}/{objective}")


def flashed(response) -> str:
    return response.get_data(as_text=True)


def test_owner_enters_values_a_miss_is_red_and_a_correction_is_logged(desk, in_db):
    objective = create(desk, in_db)
    author = desk("author")  # the owner
    assert enter(author, objective, "1", "100").status_code == 302
    assert enter(author, objective, "2", "97,5", "02 hồ sơ trễ").status_code == 302

    page = author.get(f"{BASE}?year={YEAR}").get_data(as_text=True)
    assert f"MT-{YEAR}-01" in page and "≥ 100 %" in page
    assert "97,5 %" in page and "Không đạt" in page  # the latest value, marked red
    svg = re.search(r"<svg class=\"trend\".*?</svg>", page, re.S).group(0)
    assert svg.count('class="missed"') == 1 and svg.count('class="met"') == 1
    assert "<script" not in svg
    # the same values as a table, for screen readers and print
    assert re.search(r'<tr class="missed">\s*<th scope="row">02/' + str(YEAR), page)

    # a second entry for February corrects it; the old value stays in the audit log
    assert enter(author, objective, "2", "100", "đã rà soát lại").status_code == 302
    with in_db() as s:
        rows = s.scalars(select(Measurement).where(Measurement.objective_id == objective)
                         .order_by(Measurement.month)).all()
        assert [(m.month, m.value, m.corrections) for m in rows] == [(1, 100, 0), (2, 100, 1)]
        logged = s.scalars(select(AuditEntry.summary).where(
            AuditEntry.action == "objective.correct")).all()
    assert logged == [f"MT-{YEAR}-01 kỳ 02/{YEAR}: sửa 97,5 → 100 % — đã rà soát lại"]
    assert "Không đạt" not in author.get(f"{BASE}?year={YEAR}").get_data(as_text=True)


@pytest.mark.parametrize("value, message", [
    ("abc", "không phải là số hợp lệ"),
    ("12,34567", "không phải là số hợp lệ"),
    ("99999999999", "không phải là số hợp lệ"),
    ("1e12", "không phải là số hợp lệ"),
    ("9\x007", "không phải là số hợp lệ"),
    ("٩٧", "không phải là số hợp lệ"),
    ("", "Vui lòng nhập kết quả"),
    ("1" * 25, "Tối đa 20 ký tự"),
])
def test_bad_values_on_the_form_change_nothing(desk, in_db, value, message):
    objective = create(desk, in_db)
    before = state(in_db)
    response = enter(desk("secretary"), objective, "1", value)
    assert response.status_code == 422
    assert message in flashed(response)
    assert state(in_db) == before


def test_forged_months_ids_owners_and_other_agencies(desk, in_db, make_user, client):
    objective = create(desk, in_db)
    quarterly = create(desk, in_db, frequency="quarterly", title="Mục tiêu quý")
    before = state(in_db)
    secretary = desk("secretary")
    assert enter(secretary, objective, "13", "5").status_code == 422
    response = enter(secretary, quarterly, "2", "5")  # not a quarter's last month
    assert response.status_code == 422 and "Lựa chọn không hợp lệ" in flashed(response)
    # an objective of the Sở reached through another agency's URL does not exist there
    forged = post_form(secretary, f"/agencies/so-y-te/objectives/{objective}/measurements",
                       {"m-month": "1", "m-value": "1"}, page=f"{BASE}/{objective}")
    assert forged.status_code == 404
    assert secretary.get(f"{BASE}/{2**31}").status_code == 404
    # the owner must be a member of the agency
    outsider_id = user_pk(in_db, "syt.thuky")
    response = post_form(secretary, BASE + "/new", {
        "year": str(YEAR), "title": "X", "measure": "Y", "comparison": "ge", "target": "1",
        "unit": "%", "owner": str(outsider_id), "frequency": "monthly"}, page=BASE + "/new")
    assert response.status_code == 422 and "Lựa chọn không hợp lệ" in flashed(response)
    response = post_form(secretary, BASE + "/new", {
        "year": str(YEAR), "title": "X", "measure": "Y", "comparison": "ge", "target": "vô hạn",
        "unit": "%", "owner": str(user_pk(in_db, "stp.thuky")), "frequency": "monthly"},
        page=BASE + "/new")
    assert response.status_code == 422 and "không phải là số hợp lệ" in flashed(response)
    # another agency's secretary, a reader, an auditor: no entry; the outsider sees nothing
    outsider = desk("outsider")
    assert outsider.get(BASE).status_code == 403
    assert outsider.get(f"{BASE}/{objective}").status_code == 403
    assert enter(outsider, objective, "1", "5").status_code == 403
    for who in ("reader", "auditor", "approver"):  # not the owner, not the secretary
        assert enter(desk(who), objective, "1", "5").status_code == 403
    assert desk("reader").get(BASE).status_code == 200  # members read
    assert desk("author").get(BASE + "/new").status_code == 403
    assert desk("approver").get(BASE + "/new").status_code == 200
    assert state(in_db) == before


def test_months_to_come_are_refused(desk, in_db, client):
    this_year = today_local().year
    objective = create(desk, in_db, year=str(this_year + 1))
    before = state(in_db)
    response = enter(desk("secretary"), objective, "1", "99,5", "Số liệu tạm tính")
    assert response.status_code == 422
    assert f"Chưa đến kỳ 01/{this_year + 1}" in flashed(response)
    # what was typed stays; the CSV form below keeps its remembered column, not the post
    assert 'value="99,5"' in flashed(response) and "Số liệu tạm tính" in flashed(response)
    assert 'value="Kỳ báo cáo"' in flashed(response)
    api = client.post(f"/api/v1/agencies/so-tu-phap/objectives/{objective}/measurements",
                      json={"period": f"{this_year + 1}-01", "value": 1},
                      headers=api_token(in_db, "stp.thuky"))
    assert api.status_code == 422 and "Chưa đến kỳ" in api.get_json()["message"]
    assert state(in_db) == before


def test_a_missed_target_becomes_a_finding_in_one_step(desk, in_db):
    objective = create(desk, in_db)
    secretary = desk("secretary")
    assert enter(secretary, objective, "1", "100").status_code == 302
    assert enter(secretary, objective, "2", "96", "04 hồ sơ trễ").status_code == 302
    show = secretary.get(f"{BASE}/{objective}").get_data(as_text=True)
    assert show.count("Ghi nhận phát hiện</button>") == 1  # only beside the missed month

    before = state(in_db)
    met = post_form(secretary, f"{BASE}/{objective}/measurements/1/finding",
                    {"f-type": "observation"}, page=f"{BASE}/{objective}")
    assert met.status_code == 422 and "đạt chỉ tiêu" in flashed(met)
    assert post_form(secretary, f"{BASE}/{objective}/measurements/5/finding",
                     {"f-type": "observation"}, page=f"{BASE}/{objective}").status_code == 404
    assert post_form(desk("reader"), f"{BASE}/{objective}/measurements/2/finding",
                     {"f-type": "minor"}, page=f"{BASE}/{objective}").status_code == 403
    assert state(in_db) == before

    raised = post_form(secretary, f"{BASE}/{objective}/measurements/2/finding",
                       {"f-type": "observation"}, page=f"{BASE}/{objective}")
    assert raised.status_code == 302 and "/findings/" in raised.headers["Location"]
    with in_db() as s:
        finding = s.scalars(select(Finding)).one()
        assert (finding.type, finding.source) == ("observation", "objective")
        assert finding.source_note == f"MT-{YEAR}-01 kỳ 02/{YEAR}"
        assert "đạt 96 %" in finding.observed and "04 hồ sơ trễ" in finding.observed
        assert finding.clause_list == ["6.2", "9.1.3"]
        code = finding.code
    assert code in secretary.get(f"{BASE}/{objective}").get_data(as_text=True)
    again = post_form(secretary, f"{BASE}/{objective}/measurements/2/finding",
                      {"f-type": "minor"}, page=f"{BASE}/{objective}")
    assert again.status_code == 422 and f"đã có phát hiện {code}" in flashed(again)
    # the manual finding form does not offer "objective" as a source
    assert 'value="objective"' not in secretary.get(
        "/agencies/so-tu-phap/findings/new").get_data(as_text=True)


def test_api_lists_objectives_and_takes_monthly_values(desk, in_db, client, make_user):
    objective = create(desk, in_db)
    owner = api_token(in_db, "stp.soanthao")
    url = f"/api/v1/agencies/so-tu-phap/objectives/{objective}/measurements"
    response = client.post(url, json={"period": f"{YEAR}-03", "value": 98.5}, headers=owner)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["code"] == f"MT-{YEAR}-01"
    assert body["measurements"][0] | {"entered_at": None} == {
        "period": f"{YEAR}-03", "value": 98.5, "met": False, "note": "", "corrections": 0,
        "entered_by": "stp.soanthao", "entered_at": None, "finding": None}
    # sent again unchanged (a retried push): nothing moves; a new value is a correction
    assert client.post(url, json={"period": f"{YEAR}-03", "value": 98.5},
                       headers=owner).get_json()["measurements"][0]["corrections"] == 0
    corrected = client.post(url, json={"period": f"{YEAR}-03", "value": "100"}, headers=owner)
    assert corrected.get_json()["measurements"][0] | {"entered_at": None} == {
        "period": f"{YEAR}-03", "value": 100.0, "met": True, "note": "", "corrections": 1,
        "entered_by": "stp.soanthao", "entered_at": None, "finding": None}

    overseer = make_user(("ubnd-tinh", "overseer"), username="sokhcn")
    listed = client.get(f"/api/v1/agencies/so-tu-phap/objectives?year={YEAR}",
                        headers=api_token(in_db, overseer)).get_json()
    assert [(o["code"], o["target_text"], o["owner"], [m["period"] for m in o["measurements"]])
            for o in listed] == [(f"MT-{YEAR}-01", "≥ 100 %", "stp.soanthao", [f"{YEAR}-03"])]
    assert client.get("/api/v1/agencies/so-tu-phap/objectives?year=1990",
                      headers=owner).status_code == 422
    assert client.get("/api/v1/agencies/so-y-te/objectives", headers=owner).status_code == 403
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/agencies/{agency_code}/objectives/{objective_id}/measurements" in \
        spec["paths"]


@pytest.mark.parametrize("body, status, message", [
    ({"period": f"{YEAR}-04", "value": "abc"}, 422, "không phải là số hợp lệ"),
    ({"period": f"{YEAR}-04", "value": True}, 422, "là một số"),
    ({"period": f"{YEAR}-04", "value": None}, 422, "là một số"),
    ({"period": f"{YEAR}-04", "value": [1]}, 422, "là một số"),
    ({"period": f"{YEAR}-04", "value": 10**400}, 422, "phải trong khoảng"),
    ({"period": f"{YEAR}-04", "value": 1e300}, 422, "phải trong khoảng"),
    ({"period": f"{YEAR}-04", "value": "NaN"}, 422, "không phải là số hợp lệ"),
    ({"period": f"{YEAR}-04", "value": "9\u202e7"}, 422, "không phải là số hợp lệ"),
    ({"period": f"{YEAR}-04"}, 422, "Thiếu kết quả đo"),
    ({"period": f"{YEAR}-13", "value": 1}, 422, "Kỳ đo phải có dạng"),
    ({"period": f"{YEAR}-4", "value": 1}, 422, "Kỳ đo phải có dạng"),
    ({"period": f"{YEAR - 1}-04", "value": 1}, 422, f"năm {YEAR}"),
    ({"period": f"{YEAR}-04", "value": 1, "note": "x" * 501}, 422, None),
])
def test_api_refuses_bad_values_and_changes_nothing(desk, in_db, client, body, status,
                                                    message):
    objective = create(desk, in_db)
    before = state(in_db)
    response = client.post(f"/api/v1/agencies/so-tu-phap/objectives/{objective}/measurements",
                           json=body, headers=api_token(in_db, "stp.thuky"))
    assert response.status_code == status, response.get_json()
    if message:
        assert message in str(response.get_json())
    assert state(in_db) == before


def test_api_other_agency_readers_and_forged_ids(desk, in_db, client):
    objective = create(desk, in_db)
    before = state(in_db)
    body = {"period": f"{YEAR}-04", "value": 1}
    url = f"/api/v1/agencies/so-tu-phap/objectives/{objective}/measurements"
    for who in ("syt.thuky", "stp.congchuc", "stp.danhgia"):
        assert client.post(url, json=body, headers=api_token(in_db, who)).status_code == 403
    assert client.post(url, json=body).status_code == 401
    secretary = api_token(in_db, "stp.thuky")
    assert client.post(f"/api/v1/agencies/so-y-te/objectives/{objective}/measurements",
                       json=body, headers=secretary).status_code == 404
    assert client.post(f"/api/v1/agencies/so-tu-phap/objectives/{2**31}/measurements",
                       json=body, headers=secretary).status_code == 404
    assert state(in_db) == before


def test_demo_has_a_year_of_objectives_with_a_missed_target_made_a_finding(app, client):
    from isodoc import demo
    from isodoc.extensions import db
    from tests.conftest import PASSWORD, login

    with app.app_context():
        demo.seed(PASSWORD)
        db.session.commit()
        objectives = db.session.scalars(select(QualityObjective).order_by(
            QualityObjective.seq)).all()
        assert [o.agency.code for o in objectives] == ["so-tu-phap"] * 3
        assert all(o.year == today_local().year for o in objectives)
        first = objectives[0]
        assert len(first.measurements) == today_local().month
        missed = [m for o in objectives for m in o.measurements if not m.met]
        assert len(missed) == 1 and missed[0].finding is not None
        assert missed[0].finding.source == "objective"
        from isodoc.risks.models import Risk

        register = db.session.scalars(select(Risk).order_by(Risk.kind, Risk.seq)).all()
        assert [(r.code, r.level) for r in register] == [
            ("CH-001", "high"), ("RR-001", "high"), ("RR-002", "medium")]
        demo.seed(PASSWORD)  # a second run adds nothing
        assert db.session.scalar(select(func.count()).select_from(QualityObjective)) == 3
        assert db.session.scalar(select(func.count()).select_from(Risk)) == 3
        db.session.rollback()
    login(client, "stp.congchuc")
    page = client.get(BASE).get_data(as_text=True)
    assert "Không đạt" in page and page.count("<svg") == 3
