"""The risks and opportunities register (ISO 9001:2015 6.1) through the web forms and the
API: kept apart, levelled by the agency's own scale, actions followed; bad input and
other agencies change nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from isodoc.auth import services as auth_services
from isodoc.auth.models import User
from isodoc.risks.models import Risk, RiskAction, RiskScale
from isodoc.timeutil import format_date, today_local
from tests.conftest import post_form, user_pk

BASE = "/agencies/so-tu-phap/risks"
TODAY = today_local()



def state(in_db) -> tuple:
    with in_db() as s:
        return (s.execute(select(Risk.id, Risk.likelihood, Risk.impact, Risk.level,
                                 Risk.status).order_by(Risk.id)).all(),
                s.execute(select(RiskAction.id, RiskAction.done_on)).all(),
                s.scalar(select(func.count()).select_from(RiskScale)))


def new_risk(client, **overrides):
    data = {"kind": "risk", "process_name": "Chứng thực bản sao", "document": "",
            "description": "Trả kết quả trễ hạn", "cause": "Thiếu người", "likelihood": "4",
            "impact": "3", "review_date": format_date(TODAY + timedelta(days=30)),
            **overrides}
    return post_form(client, BASE + "/new", data, page=BASE + "/new")


def test_register_kept_apart_levelled_by_the_agencys_scale(desk, in_db):
    secretary = desk("secretary")
    risk = new_risk(secretary)
    assert risk.status_code == 302
    assert new_risk(secretary, kind="opportunity", process_name="Tiếp nhận hồ sơ",
                    description="Dịch vụ công trực tuyến", likelihood="1",
                    impact="2").status_code == 302
    page = secretary.get(BASE).get_data(as_text=True)
    risks_part, opportunities_part = page.split('id="risk"')[1].split('id="opportunity"')
    assert "RR-001" in risks_part and "CH-001" not in risks_part
    assert "CH-001" in opportunities_part
    # the default scale: medium from 5, high from 12 — 4 × 3 = 12 is high
    assert "12 (4 × 3)" in risks_part and "risk-high" in risks_part
    with in_db() as s:
        assert s.scalars(select(Risk.level).order_by(Risk.id)).all() == ["high", "low"]
    # the agency's own scale re-levels what is registered
    response = post_form(secretary, BASE + "/scale", {
        "s-likelihood_max": "4", "s-impact_max": "4", "s-medium_from": "4",
        "s-high_from": "13"}, page=BASE)
    assert response.status_code == 302
    with in_db() as s:
        assert s.scalars(select(Risk.level).order_by(Risk.id)).all() == ["medium", "low"]
    # beyond the new scale: refused in Vietnamese, nothing changed
    before = state(in_db)
    refused = new_risk(secretary, likelihood="5")
    assert refused.status_code == 422
    assert "Khả năng xảy ra: từ 1 đến 4" in refused.get_data(as_text=True)
    assert state(in_db) == before


def test_bad_input_forged_ids_and_other_agencies_change_nothing(desk, in_db):
    secretary = desk("secretary")
    assert new_risk(secretary).status_code == 302
    before = state(in_db)
    for overrides, message in (
            ({"likelihood": "abc"}, "Giá trị phải là số nguyên"),
            ({"review_date": "31/02/2026"}, "Ngày không hợp lệ"),
            ({"review_date": ""}, "ngày xem xét lại"),
            ({"document": "999999"}, "Lựa chọn không hợp lệ"),
            ({"kind": "threat"}, "Lựa chọn không hợp lệ"),
            ({"process_name": "\x00\u200b "}, "Vui lòng nhập quá trình"),
            ({"description": "x" * 4001}, "Tối đa 4000 ký tự")):
        response = new_risk(secretary, **overrides)
        assert response.status_code == 422, overrides
        assert message in response.get_data(as_text=True), overrides
    scale = post_form(secretary, BASE + "/scale", {
        "s-likelihood_max": "5", "s-impact_max": "5", "s-medium_from": "20",
        "s-high_from": "10"}, page=BASE)
    assert scale.status_code == 422
    answer = scale.get_data(as_text=True)
    assert "Ngưỡng mức trung bình" in answer
    assert 'name="s-medium_from" type="number" value="20"' in answer  # as typed
    assert 'name="s-high_from" type="number" value="10"' in answer
    typo = post_form(secretary, BASE + "/scale", {
        "s-likelihood_max": "5", "s-impact_max": "năm", "s-medium_from": "5",
        "s-high_from": "12"}, page=BASE)
    assert typo.status_code == 422 and 'value="năm"' in typo.get_data(as_text=True)
    assert 'id="s-impact_max-error"' in typo.get_data(as_text=True)
    with in_db() as s:
        risk_id = s.scalar(select(Risk.id))
    outsider = desk("outsider")
    assert outsider.get(BASE).status_code == 403
    assert outsider.get(f"{BASE}/{risk_id}").status_code == 403
    assert desk("author").get(BASE + "/new").status_code == 403
    assert desk("reader").get(f"{BASE}/{risk_id}").status_code == 200
    assert secretary.get(f"/agencies/so-y-te/risks/{risk_id}").status_code == 404
    assert post_form(outsider, f"{BASE}/{risk_id}/actions", {
        "a-action": "X", "a-owner": str(user_pk(in_db, "syt.thuky")),
        "a-due_date": format_date(TODAY)}, page="/account").status_code == 403
    assert state(in_db) == before


def test_actions_with_owner_and_due_date_done_by_the_owner(desk, in_db, client):
    secretary = desk("secretary")
    location = new_risk(secretary).headers["Location"]
    risk_id = int(location.rsplit("/", 1)[1])
    url = f"{BASE}/{risk_id}/actions"
    past = post_form(secretary, url, {"a-action": "Bố trí thêm người",
                                      "a-owner": str(user_pk(in_db, "stp.soanthao")),
                                      "a-due_date": format_date(TODAY - timedelta(days=1))},
                     page=f"{BASE}/{risk_id}")
    assert past.status_code == 422 and "không được ở quá khứ" in past.get_data(as_text=True)
    outsider = post_form(secretary, url, {"a-action": "X",
                                          "a-owner": str(user_pk(in_db, "syt.thuky")),
                                          "a-due_date": format_date(TODAY)},
                         page=f"{BASE}/{risk_id}")
    assert outsider.status_code == 422
    assert post_form(secretary, url, {"a-action": "Bố trí thêm người",
                                      "a-owner": str(user_pk(in_db, "stp.soanthao")),
                                      "a-due_date": format_date(TODAY + timedelta(days=7))},
                     page=f"{BASE}/{risk_id}").status_code == 302
    with in_db() as s:
        action_id = s.scalar(select(RiskAction.id))
    done = f"{BASE}/{risk_id}/actions/{action_id}/done"
    assert post_form(desk("reader"), done, page="/account").status_code == 403
    assert post_form(desk("author"), done, page="/account").status_code == 302  # the owner
    assert post_form(desk("author"), done, page="/account").status_code == 403  # once
    with in_db() as s:
        risk = s.get(Risk, risk_id)
        assert risk.actions[0].done_on == TODAY and risk.status == "treated"

    with in_db() as s:
        user = s.scalars(select(User).where(User.username == "stp.thuky")).one()
        headers = {"Authorization": f"Bearer {auth_services.create_token(user, user, 'api')}"}
    body = client.get("/api/v1/agencies/so-tu-phap/risks", headers=headers).get_json()
    assert body["scale"] == {"likelihood_max": 5, "impact_max": 5, "medium_from": 5,
                             "high_from": 12}
    assert [(r["code"], r["score"], r["level"], r["status"]) for r in body["risks"]] == [
        ("RR-001", 12, "high", "treated")]
    assert body["risks"][0]["actions"][0]["owner"] == "stp.soanthao"
    assert body["opportunities"] == []
    with in_db() as s:
        outsider = s.scalars(select(User).where(User.username == "syt.thuky")).one()
        other = {"Authorization":
                 f"Bearer {auth_services.create_token(outsider, outsider, 'api')}"}
    assert client.get("/api/v1/agencies/so-tu-phap/risks", headers=other).status_code == 403


def test_overdue_reviews_and_actions_are_flagged(desk, in_db):
    secretary = desk("secretary")
    risk_id = int(new_risk(secretary).headers["Location"].rsplit("/", 1)[1])
    with in_db() as s:
        risk = s.get(Risk, risk_id)
        risk.review_date = TODAY - timedelta(days=1)
        risk.actions.append(RiskAction(action="Rà soát", owner_id=user_pk(in_db, "stp.thuky"),
                                       due_date=TODAY - timedelta(days=2)))
    page = secretary.get(BASE).get_data(as_text=True)
    assert "quá hạn" in page and "hành động quá hạn" in page
    # on the work list: the review for the secretary, the action for its owner; the
    # header counts them
    home = secretary.get("/").get_data(as_text=True)
    assert "Rủi ro, cơ hội đến hạn xem xét lại" in home
    assert "Hành động xử lý rủi ro, cơ hội của tôi" in home
    assert f'href="{BASE}/{risk_id}/edit"' in home
    assert "QUÁ HẠN từ" in home
    assert "Rủi ro, cơ hội đến hạn xem xét lại" not in desk("author").get("/").get_data(
        as_text=True)


def test_reassessment_relevels_and_moves_the_review_date(desk, in_db):
    """Xem xét lại: a new assessment, the next review date, the status; audited; a past
    review date or an assessment beyond the scale is refused and changes nothing; the
    reader and another agency get 403."""
    from isodoc.audit import AuditEntry

    secretary = desk("secretary")
    risk_id = int(new_risk(secretary).headers["Location"].rsplit("/", 1)[1])
    url = f"{BASE}/{risk_id}/edit"
    form = {"process_name": "Chứng thực bản sao", "document": "",
            "description": "Trả kết quả trễ hạn", "cause": "Thiếu người", "likelihood": "2",
            "impact": "2", "review_date": format_date(TODAY + timedelta(days=180)),
            "status": "treated"}
    before = state(in_db)
    for overrides, message in (
            ({"review_date": format_date(TODAY - timedelta(days=1))}, "không được ở quá khứ"),
            ({"likelihood": "6"}, "Khả năng xảy ra: từ 1 đến 5"),
            ({"description": " \x07 "}, "Vui lòng nhập mô tả"),
            ({"status": "gone"}, "Lựa chọn không hợp lệ")):
        response = post_form(secretary, url, {**form, **overrides}, page=url)
        assert response.status_code == 422, overrides
        assert message in response.get_data(as_text=True), overrides
    assert state(in_db) == before
    assert post_form(desk("reader"), url, form, page="/account").status_code == 403
    assert post_form(desk("outsider"), url, form, page="/account").status_code == 403
    assert desk("reader").get(url).status_code == 403
    assert post_form(secretary, url, form, page=url).status_code == 302
    with in_db() as s:
        risk = s.get(Risk, risk_id)
        assert (risk.likelihood, risk.impact, risk.level, risk.status, risk.reviewed_on,
                risk.review_date) == (2, 2, "low", "treated", TODAY,
                                      TODAY + timedelta(days=180))
        summary = s.scalar(select(AuditEntry.summary).where(
            AuditEntry.action == "risk.reassess"))
    assert summary.startswith("RR-001: 4 × 3 (Cao), đang theo dõi → 2 × 2 (Thấp), đã xử lý")


def test_findings_raised_from_or_linked_to_a_risk(desk, in_db):
    """A finding raised from a risk in one step follows the corrective-action workflow
    and names the risk; an existing finding of the agency can be linked (another
    agency's cannot); the finding page shows the risk."""
    from isodoc.findings.models import Finding

    secretary = desk("secretary")
    risk_id = int(new_risk(secretary).headers["Location"].rsplit("/", 1)[1])
    page = f"{BASE}/{risk_id}"
    raised = post_form(secretary, f"{page}/finding", {"f-type": "minor"}, page=page)
    assert raised.status_code == 302
    finding_page = secretary.get(raised.headers["Location"]).get_data(as_text=True)
    assert "Rủi ro, cơ hội — RR-001" in finding_page
    assert f'href="{page}"' in finding_page  # the risk, from the finding
    with in_db() as s:
        finding = s.scalars(select(Finding)).one()
        assert (finding.source, finding.state, finding.type) == ("risk", "open", "minor")
        assert [c.clause for c in finding.clauses] == ["6.1"]
        assert [f.id for f in s.get(Risk, risk_id).findings] == [finding.id]
        first = finding.id
    # a second risk links the same finding; forged ids are refused
    other = int(new_risk(secretary, process_name="Tiếp nhận").headers["Location"]
                .rsplit("/", 1)[1])
    assert post_form(secretary, f"{BASE}/{other}/findings", {"l-finding": "999999"},
                     page=f"{BASE}/{other}").status_code == 422
    assert post_form(secretary, f"{BASE}/{other}/findings", {"l-finding": str(first)},
                     page=f"{BASE}/{other}").status_code == 302
    assert post_form(desk("reader"), f"{BASE}/{other}/findings", {"l-finding": str(first)},
                     page="/account").status_code == 403
    with in_db() as s:
        assert [f.id for f in s.get(Risk, other).findings] == [first]
    unlink = f"{BASE}/{other}/findings/{first}/unlink"
    assert post_form(secretary, unlink, page=f"{BASE}/{other}").status_code == 302
    assert post_form(secretary, unlink, page=f"{BASE}/{other}").status_code == 404
    with in_db() as s:
        assert s.get(Risk, other).findings == []
        assert len(s.get(Risk, risk_id).findings) == 1
