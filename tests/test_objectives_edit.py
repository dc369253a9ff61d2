"""Restating a quality objective: the secretary or an approver changes its measure,
target, owner, frequency or data source; the year and code stay, the values entered stay
and are judged against the new target, and the audit log keeps what each field was."""

from __future__ import annotations

from sqlalchemy import select

from isodoc.audit import AuditEntry
from isodoc.objectives.models import QualityObjective
from tests.conftest import post_form, user_pk
from tests.test_objectives import BASE, YEAR, create, enter, state


def edit(client, objective: int, in_db, **overrides):
    data = {"title": "Giải quyết hồ sơ TTHC đúng hạn", "measure": "Tỷ lệ hồ sơ đúng hạn",
            "comparison": "ge", "target": "95", "unit": "%",
            "owner": str(user_pk(in_db, "stp.soanthao")), "frequency": "monthly",
            "data_source": "Hệ thống một cửa điện tử", **overrides}
    return post_form(client, f"{BASE}/{objective}/edit", data, page=f"{BASE}/{objective}/edit")


def test_the_secretary_restates_an_objective_and_the_log_keeps_the_old_values(desk, in_db):
    objective = create(desk, in_db)
    assert enter(desk("author"), objective, "1", "97").status_code == 302
    page = desk("secretary").get(f"{BASE}/{objective}")
    assert "Sửa mục tiêu" in page.get_data(as_text=True)
    form = desk("secretary").get(f"{BASE}/{objective}/edit").get_data(as_text=True)
    assert 'value="100"' in form and "Sửa mục tiêu MT-" in form
    response = edit(desk("secretary"), objective, in_db, target="95,5",
                    owner=str(user_pk(in_db, "stp.thuky")))
    assert response.status_code == 302
    with in_db() as s:
        restated = s.get(QualityObjective, objective)
        assert (restated.year, restated.seq, restated.target) == (YEAR, 1, 95.5)
        assert restated.owner.username == "stp.thuky"
        assert restated.measurements[0].met  # 97 % now meets ≥ 95,5 %
        summary = s.scalars(select(AuditEntry.summary).where(
            AuditEntry.action == "objective.edit")).one()
        assert "chỉ tiêu: «≥ 100 %» → «≥ 95,5 %»" in summary
        assert "người phụ trách: «Trần Văn Bình» → «Lê Thu Hà»" in summary
        assert "mục tiêu:" not in summary  # unchanged fields are not listed


def test_bad_restatements_change_nothing(desk, in_db):
    objective = create(desk, in_db)
    assert enter(desk("author"), objective, "1", "97").status_code == 302
    before = state(in_db)
    for overrides, message in (
            ({"target": "nhiều"}, "không phải là số hợp lệ"),
            ({"title": ""}, "Vui lòng nhập mục tiêu"),
            ({"frequency": "quarterly"}, "Đã có kết quả tháng 01: không đổi được sang đo "
                                         "hằng quý"),
            ({"owner": str(user_pk(in_db, "syt.thuky"))}, "Lựa chọn không hợp lệ"),
            ({"title": "x" * 301}, "Tối đa 300 ký tự")):
        response = edit(desk("secretary"), objective, in_db, **overrides)
        assert response.status_code == 422, overrides
        assert message in response.get_data(as_text=True), overrides
    assert state(in_db) == before
    with in_db() as s:
        assert s.get(QualityObjective, objective).target == 100


def test_only_the_secretary_or_an_approver_restates(desk, in_db):
    objective = create(desk, in_db)
    for who in ("author", "reader", "auditor", "outsider"):  # the owner too: not a manager
        assert desk(who).get(f"{BASE}/{objective}/edit").status_code == 403, who
        assert edit(desk(who), objective, in_db, target="1").status_code == 403, who
    assert "Sửa mục tiêu" not in desk("author").get(f"{BASE}/{objective}").get_data(
        as_text=True)
    assert edit(desk("approver"), objective, in_db).status_code == 302
