"""Registry CSV import/export, and the demo province's data file."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from isodoc import demo
from isodoc.agencies import registry_csv
from isodoc.agencies.models import Agency
from isodoc.policy import SYSTEM
from tests.conftest import post_form

HEADER = "code,name,kind,parent_code,qms_status,declared_on,plan_year,dissolved_on,successor_code\n"


def upload(client, text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return post_form(client, "/agencies/import", {"file": (io.BytesIO(data), "dm.csv")},
                     page="/agencies/", content_type="multipart/form-data")


def codes(in_db) -> set[str]:
    with in_db() as s:
        return set(s.scalars(select(Agency.code)))


def test_export_then_import_changes_nothing(signed_in, province, in_db):
    client = signed_in(("ubnd-tinh", "admin"))
    exported = client.get("/agencies/export.csv")
    assert exported.headers["Content-Type"].startswith("text/csv")
    body = exported.data
    assert body.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    assert "UBND phường Him Lam".encode() in body
    response = upload(client, body)
    assert response.status_code == 302
    page = client.get("/agencies/").get_data(as_text=True)
    assert "0 đơn vị mới, 0 cập nhật, 8 không đổi" in page


def test_import_creates_updates_and_links(signed_in, province, in_db):
    client = signed_in(("ubnd-tinh", "admin"))
    csv = HEADER + (
        "xa-moi,UBND xã Mới,commune,ubnd-mang,declared_2015,20/12/2019,2019,,\n"
        "so-y-te,Sở Y tế tỉnh Điện Biên,department,ubnd-tinh,iso2008,,2019,,\n"
        "mang-bung-lao,UBND xã Búng Lao,commune,ubnd-mang,not_started,,2019,01/07/2025,xa-moi\n")
    assert upload(client, csv).status_code == 302
    with in_db() as s:
        new = s.scalars(select(Agency).where(Agency.code == "xa-moi")).one()
        assert new.declared_on.isoformat() == "2019-12-20"
        merged = s.scalars(select(Agency).where(Agency.code == "mang-bung-lao")).one()
        assert merged.successor.code == "xa-moi"
        assert s.scalars(select(Agency.name).where(Agency.code == "so-y-te")).one() == \
            "Sở Y tế tỉnh Điện Biên"


def test_malformed_rows_are_reported_by_line_and_nothing_is_imported(signed_in, province, in_db):
    client = signed_in(("ubnd-tinh", "admin"))
    before = codes(in_db)
    csv = HEADER + (
        "xa-tot,UBND xã Tốt,commune,ubnd-mang,,,2019,,\n"           # line 2: fine
        "../xa,UBND xã Xấu,commune,ubnd-mang,,,2019,,\n"            # line 3: path characters
        "xa-b,UBND xã B,village,ubnd-mang,,,2019,,\n"               # line 4: unknown kind
        "xa-c,UBND xã C,commune,khong-co,,,2019,,\n"                # line 5: unknown parent
        f"xa-d,{'Dài' * 100},commune,ubnd-mang,,,2019,,\n"          # line 6: name too long
        "xa-e,UBND xã E,commune,ubnd-mang,declared_2015,,2019,,\n"  # line 7: no declaration date
        "xa-f,UBND xã F,commune,ubnd-mang,,,hai nghìn,,\n"          # line 8: year not a number
        "xa-tot,UBND xã Tốt,commune,ubnd-mang,,,2019,,\n")          # line 9: duplicate
    response = upload(client, csv)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Không nhập được: 7 lỗi, chưa có thay đổi nào." in page
    for line in ("Dòng 3: Mã đơn vị «../xa» không hợp lệ", "Dòng 4: loại đơn vị «village»",
                 "Dòng 5: đơn vị cấp trên «khong-co»", "Dòng 6: Tên đơn vị quá dài",
                 "Dòng 7: Trạng thái «đã công bố phù hợp» cần ngày công bố",
                 "Dòng 8: năm kế hoạch", "Dòng 9: mã «xa-tot» lặp lại (đã có ở dòng 2)"):
        assert line in page, line
    assert codes(in_db) == before


def test_a_cycle_or_a_second_root_is_refused(signed_in, province, in_db):
    client = signed_in(("ubnd-tinh", "admin"))
    before = codes(in_db)
    cycle = HEADER + "ubnd-dbp,UBND TP,district,ubnd-tinh,,,,,\n" \
                     "so-tu-phap,Sở Tư pháp,department,cc-thu-y,,,,,\n"
    assert upload(client, cycle).status_code == 422
    second_root = HEADER + "tinh-khac,UBND tỉnh Lai Châu,province,,,,,,\n"
    page = upload(client, second_root).get_data(as_text=True)
    assert "nhiều hơn một gốc" in page
    assert codes(in_db) == before


def test_encoding_and_header_problems_are_explained(signed_in, province):
    client = signed_in(("ubnd-tinh", "admin"))
    page = upload(client, (HEADER + "xa,Xã Ô,commune,ubnd-mang,,,,,\n").encode("latin-1"))
    assert "Tệp CSV phải dùng mã UTF-8" in page.get_data(as_text=True)
    page = upload(client, "ma,ten\nx,y\n")
    assert "Tệp CSV thiếu cột: code, name, kind, parent_code." in page.get_data(as_text=True)
    page = upload(client, HEADER)
    assert "không có dòng dữ liệu nào" in page.get_data(as_text=True)


def test_semicolon_separated_csv_from_excel_is_accepted(signed_in, province, in_db):
    client = signed_in(("ubnd-tinh", "admin"))
    text = HEADER.replace(",", ";") + "xa-moi;UBND xã Mới;commune;ubnd-mang;;;2020;;\n"
    assert upload(client, "\ufeff" + text).status_code == 302
    assert "xa-moi" in codes(in_db)


def test_demo_province_file_follows_the_plan(app, in_db):
    with in_db() as s:
        registry_csv.import_csv(demo.registry_file(), SYSTEM)
    with in_db() as s:
        count = s.scalar(select(func.count()).select_from(Agency))
        by_kind = dict(s.execute(select(Agency.kind, func.count()).group_by(Agency.kind)).all())
        plan_2018 = s.scalar(select(func.count()).where(
            Agency.kind == "commune", Agency.plan_year == 2018))
        plan_2019 = s.scalar(select(func.count()).where(
            Agency.kind == "commune", Agency.plan_year == 2019))
        him_lam = s.scalars(select(Agency).where(Agency.code == "dbp-him-lam")).one()
        assert him_lam.parent.name == "UBND thành phố Điện Biên Phủ"
    assert by_kind["commune"] == 130 and by_kind["district"] == 10
    assert by_kind["department"] == 19 and by_kind["province"] == 1
    assert (plan_2018, plan_2019) == (62, 17)  # Phụ lục 02 and Phụ lục 03
    assert count == 168
