"""An objective's monthly values imported from the one-stop-shop system's CSV export:
the two columns are named once and remembered for the next file; a bad row refuses the
whole file with its line; a re-import corrects what changed and nothing else."""

from __future__ import annotations

import io

from sqlalchemy import select

from isodoc.audit import AuditEntry
from isodoc.objectives.models import Measurement, QualityObjective
from tests.conftest import csrf_token
from tests.test_objectives import BASE, YEAR, create, state

EXPORT = (
    "STT;Kỳ báo cáo;Tổng số hồ sơ;Đúng hạn;Tỷ lệ đúng hạn (%)\r\n"
    f"1;01/{YEAR};120;120;100\r\n"
    f"2;Tháng 2/{YEAR};98;96;97,96\r\n"
    f"3;{YEAR}-03;130;130;100\r\n"
    f"4;12/{YEAR - 1};110;109;99,1\r\n"  # last year's row: skipped
)


def upload(client, objective: int, data: str, period: str = "Kỳ báo cáo",
           value: str = "Tỷ lệ đúng hạn (%)", **extra):
    page = f"{BASE}/{objective}"
    fields = {"csrf_token": csrf_token(client, page), "csv-file":
              (io.BytesIO(data.encode("utf-8-sig")), "bao-cao.csv"),
              "csv-period_column": period, "csv-value_column": value, **extra}
    return client.post(f"{page}/import", data=fields, content_type="multipart/form-data")


def values(in_db, objective: int) -> dict[int, float]:
    with in_db() as s:
        return dict(s.execute(select(Measurement.month, Measurement.value).where(
            Measurement.objective_id == objective)).all())


def test_columns_are_mapped_once_and_remembered(desk, in_db):
    objective = create(desk, in_db)
    owner = desk("author")
    response = upload(owner, objective, EXPORT)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert values(in_db, objective) == {1: 100.0, 2: 97.96, 3: 100.0}
    page = owner.get(f"{BASE}/{objective}").get_data(as_text=True)
    assert "Đã nhập từ tệp: 3 kỳ mới, 0 kỳ sửa, 0 kỳ không đổi." in page
    # the next month's file: the columns are already filled in
    assert 'value="Tỷ lệ đúng hạn (%)"' in page and 'value="Kỳ báo cáo"' in page
    with in_db() as s:
        remembered = s.get(QualityObjective, objective)
        assert (remembered.import_period_column, remembered.import_value_column) == (
            "Kỳ báo cáo", "Tỷ lệ đúng hạn (%)")
    corrected = EXPORT.replace("97,96", "98,5") + f"5;04/{YEAR};100;100;100\r\n"
    response = upload(owner, objective, corrected, period="kỳ BÁO CÁO")
    assert response.status_code == 302
    assert values(in_db, objective) == {1: 100.0, 2: 98.5, 3: 100.0, 4: 100.0}
    assert "1 kỳ mới, 1 kỳ sửa, 2 kỳ không đổi" in owner.get(
        f"{BASE}/{objective}").get_data(as_text=True)
    with in_db() as s:
        actions = s.scalars(select(AuditEntry.action).where(
            AuditEntry.action.like("objective.%")).order_by(AuditEntry.id)).all()
        assert actions.count("objective.import") == 2 and "objective.correct" in actions


def test_a_bad_file_is_refused_whole_with_its_lines(desk, in_db):
    objective = create(desk, in_db)
    owner = desk("author")
    before = state(in_db)
    bad = EXPORT + f"5;13/{YEAR};1;1;100\r\n6;05/{YEAR};1;1;chín mươi\r\n7;01/{YEAR};1;1;99\r\n"
    response = upload(owner, objective, bad)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Tệp không được nhập (3 lỗi), chưa có gì thay đổi." in text
    assert "Dòng 6: «13/" in text and "Dòng 7: «chín mươi» không phải là số hợp lệ" in text
    assert f"Dòng 8: tháng 01/{YEAR} đã có ở dòng 2." in text
    missing = upload(owner, objective, EXPORT, value="Tỷ lệ")
    assert missing.status_code == 422
    assert "Tệp không có cột «Tỷ lệ». Các cột của tệp: «stt», «kỳ báo cáo»" in \
        missing.get_data(as_text=True)
    assert upload(owner, objective, "Kỳ báo cáo;Tỷ lệ đúng hạn (%)\r\n01/2001;5\r\n"
                  ).status_code == 422
    assert upload(owner, objective, "\x00\xff garbage").status_code == 422
    huge = "Kỳ báo cáo;Tỷ lệ đúng hạn (%)\r\n" + f"01/{YEAR};100\r\n" * 22_000  # 300 KB
    too_big = upload(owner, objective, huge)
    assert too_big.status_code == 413 and "Tệp CSV quá lớn" in too_big.get_data(as_text=True)
    assert state(in_db) == before


def test_only_the_owner_or_the_secretary_imports(desk, in_db):
    objective = create(desk, in_db)
    assert upload(desk("reader"), objective, EXPORT).status_code == 403
    assert upload(desk("outsider"), objective, EXPORT).status_code == 403
    assert upload(desk("secretary"), objective, EXPORT).status_code == 302


def test_every_bad_row_is_named_a_month_to_come_among_them(desk, in_db):
    """A row of a month still to come is named with its line like any other bad row, not
    left to stop the entering after the check has passed."""
    from isodoc.timeutil import today_local

    coming = today_local().year + 1
    objective = create(desk, in_db, year=str(coming))
    owner = desk("author")
    before = state(in_db)
    bad = ("Kỳ báo cáo;Tỷ lệ đúng hạn (%)\r\n"
           f"02/{coming};100\r\n"           # line 2: a month to come
           f"13/{coming};100\r\n"           # line 3: not a month
           f"03/{coming};chín mươi\r\n"     # line 4: a month to come (named as such first)
           f"02/{coming};99\r\n")           # line 5: a month to come again
    response = upload(owner, objective, bad)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Tệp không được nhập (4 lỗi), chưa có gì thay đổi." in text
    assert f"Dòng 2: Chưa đến kỳ 02/{coming}" in text
    assert f"Dòng 3: «13/{coming}» không phải là tháng" in text
    assert f"Dòng 4: Chưa đến kỳ 03/{coming}" in text
    assert f"Dòng 5: Chưa đến kỳ 02/{coming}" in text
    assert state(in_db) == before
