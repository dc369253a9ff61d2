"""The agency registry from the web UI: tree, pages, create, edit, status, merge."""

from __future__ import annotations

import re

from markupsafe import escape
from sqlalchemy import func, select

from isodoc.agencies.models import Agency
from isodoc.audit import AuditEntry
from tests.conftest import agency, post_form


def count_agencies(in_db) -> int:
    with in_db() as s:
        return s.scalar(select(func.count()).select_from(Agency))


def test_tree_shows_the_province(signed_in, province):
    client = signed_in((province["commune"], "reader"))
    page = client.get("/agencies/").get_data(as_text=True)
    for name in ("UBND tỉnh Điện Biên", "Sở Tư pháp", "Chi cục Thú y", "UBND phường Him Lam",
                 "UBND xã Búng Lao"):
        assert name in page
    assert page.index("UBND thành phố Điện Biên Phủ") < page.index("UBND phường Him Lam")


def test_tree_filter_without_diacritics_keeps_the_path(signed_in, province):
    client = signed_in((province["commune"], "reader"))
    page = client.get("/agencies/?q=bung lao").get_data(as_text=True)
    assert "UBND xã Búng Lao" in page and "UBND huyện Mường Ảng" in page
    assert "UBND phường Him Lam" not in page and "Sở Tư pháp" not in page
    assert "Không có đơn vị nào khớp" in \
        client.get("/agencies/?q=khong-co-dau").get_data(as_text=True)


def test_tree_filters_by_kind_status_and_year(signed_in, province, make_agency):
    make_agency("xa-moi", "commune", parent="ubnd-mang", name="UBND xã Mới", plan_year=2020)
    client = signed_in((province["commune"], "reader"))
    page = client.get("/agencies/?kind=commune&plan_year=2020").get_data(as_text=True)
    assert "UBND xã Mới" in page and "UBND xã Búng Lao" not in page


def test_agency_page_and_404(signed_in, province):
    client = signed_in((province["commune"], "reader"))
    page = client.get("/agencies/dbp-him-lam").get_data(as_text=True)
    assert "UBND phường Him Lam" in page and "UBND cấp xã" in page and "Chưa xây dựng" in page
    assert client.get("/agencies/khong-co").status_code == 404
    assert client.get("/agencies/..%2F..%2Fetc").status_code == 404


def test_admin_creates_a_child_agency(signed_in, province, in_db):
    client = signed_in(("ubnd-tinh", "admin"))
    response = post_form(client, "/agencies/so-tu-phap/children", {
        "code": "tt-tro-giup", "name": "Trung tâm Trợ giúp pháp lý", "kind": "public_unit",
        "plan_year": "2021"}, page="/agencies/so-tu-phap")
    assert response.status_code == 302 and response.location == "/agencies/tt-tro-giup"
    assert "Đã tạo đơn vị Trung tâm Trợ giúp pháp lý." in \
        client.get("/agencies/tt-tro-giup").get_data(as_text=True)
    with in_db() as s:
        created = s.scalars(select(Agency).where(Agency.code == "tt-tro-giup")).one()
        assert created.parent.code == "so-tu-phap" and created.plan_year == 2021
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "agency.create",
                                                   AuditEntry.object_id == "tt-tro-giup")).one()
        assert entry.username.startswith("user") and entry.ip == "127.0.0.1"


def test_bad_agency_input_changes_nothing(signed_in, province, in_db):
    client = signed_in(("ubnd-tinh", "admin"))
    before = count_agencies(in_db)
    cases = [
        ({"code": "../etc/passwd", "name": "X", "kind": "public_unit"},
         "Mã đơn vị «../etc/passwd» không hợp lệ"),
        ({"code": "-x", "name": "X", "kind": "public_unit"}, "không hợp lệ"),
        ({"code": "so-y-te", "name": "X", "kind": "public_unit"},
         "Mã đơn vị «so-y-te» đã tồn tại."),
        ({"code": "ok-code", "name": "X" * 300, "kind": "public_unit"}, "Tối đa 255 ký tự."),
        ({"code": "ok-code", "name": "X", "kind": "commune"}, "Lựa chọn không hợp lệ."),
        ({"code": "ok-code", "name": "X", "kind": "no-such-kind"}, "Lựa chọn không hợp lệ."),
        ({"code": "ok-code", "name": "", "kind": "public_unit"}, "Vui lòng nhập tên đơn vị."),
    ]
    for data, message in cases:
        refused = post_form(client, "/agencies/so-tu-phap/children", data,
                            page="/agencies/so-tu-phap")
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422 and message in page, message
        # the create form is shown again as typed; the edit form keeps the agency's values
        assert f'value="{escape(data["code"])}"' in page
        assert f'name="name" required type="text" value="{escape(data["name"])}"' in page
        assert 'value="Sở Tư pháp"' in page
    assert count_agencies(in_db) == before


def test_no_one_types_the_qms_status_any_more(signed_in, province, in_db):
    """The status dropdown is gone: the stage shown is derived from the agency's records
    (isodoc/programme/stage.py), and posting the old form finds no route."""
    client = signed_in((province["dept"], "secretary"))
    page = client.get("/agencies/so-tu-phap").get_data(as_text=True)
    assert "Cập nhật trạng thái HTQLCL" not in page and 'name="qms_status"' not in page
    assert "Chưa xây dựng" in page and "tính từ hồ sơ" in page
    response = post_form(client, "/agencies/so-tu-phap/status",
                         {"qms_status": "declared_2015", "declared_on": "15/11/2019"},
                         page="/agencies/so-tu-phap")
    assert response.status_code in (404, 405)
    assert "Đã công bố" not in client.get("/agencies/so-tu-phap").get_data(as_text=True)


def test_forms_offer_what_fits_the_agency(signed_in, province):
    client = signed_in(("ubnd-tinh", "admin"))
    page = client.get("/agencies/dbp-him-lam").get_data(as_text=True)
    assert re.search(r"<option selected [^>]*value=\"ubnd-dbp\"", page)  # the parent chosen
    district = client.get("/agencies/ubnd-dbp").get_data(as_text=True)
    kinds = district.split('name="kind"')[-1].split("</select>")[0]  # the create-child form
    assert "UBND cấp xã" in kinds and "Phòng chuyên môn cấp huyện" in kinds
    assert "UBND tỉnh" not in kinds and "Sở, ban, ngành" not in kinds


def test_admin_edits_and_moves_an_agency(signed_in, province, in_db):
    client = signed_in(("ubnd-tinh", "admin"))
    post_form(client, "/agencies/cc-thu-y/edit", {
        "name": "Chi cục Chăn nuôi và Thú y", "kind": "sub_department", "parent": "so-tu-phap",
        "plan_year": "2020"}, page="/agencies/cc-thu-y")
    with in_db() as s:
        moved = s.scalars(select(Agency).where(Agency.code == "cc-thu-y")).one()
        assert (moved.name, moved.parent.code, moved.plan_year) == \
            ("Chi cục Chăn nuôi và Thú y", "so-tu-phap", 2020)
    refused = post_form(client, "/agencies/ubnd-dbp/edit", {
        "name": "UBND TP mới", "kind": "district", "parent": "dbp-him-lam"},
        page="/agencies/ubnd-dbp")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Lựa chọn không hợp lệ." in page
    assert 'value="UBND TP mới"' in page  # the name as typed


def test_merge_keeps_the_old_agency_readable_from_the_successor(signed_in, province, make_user,
                                                                 client, in_db):
    old_reader = make_user((province["commune"], "reader"), username="old.reader")
    admin = signed_in(("ubnd-tinh", "admin"))
    response = post_form(admin, "/agencies/dbp-him-lam/dissolve",
                         {"on": "01/07/2025", "successor": "mang-bung-lao"},
                         page="/agencies/dbp-him-lam")
    assert response.status_code == 302
    page = admin.get("/agencies/dbp-him-lam").get_data(as_text=True)
    assert "Đơn vị đã sáp nhập từ 01/07/2025" in page and "UBND xã Búng Lao" in page
    assert "Sửa thông tin đơn vị" not in page  # read-only now
    successor_page = admin.get("/agencies/mang-bung-lao").get_data(as_text=True)
    assert "Đơn vị đã sáp nhập vào đây" in successor_page
    assert "UBND phường Him Lam" in successor_page
    # gone from the default tree, back with the dissolved filter
    assert "UBND phường Him Lam" not in admin.get("/agencies/").get_data(as_text=True)
    assert "UBND phường Him Lam" in admin.get("/agencies/?dissolved=1").get_data(as_text=True)
    # a second dissolution and any edit are refused
    assert post_form(admin, "/agencies/dbp-him-lam/edit",
                     {"name": "Đổi tên", "kind": "commune", "parent": "ubnd-dbp"},
                     page="/").status_code == 403
    post_form(admin, "/logout", page="/")
    reader = signed_in((province["other_commune"], "reader"))
    assert old_reader in reader.get("/agencies/dbp-him-lam").get_data(as_text=True)


def test_dissolving_a_parent_with_live_children_is_refused(signed_in, province, in_db):
    client = signed_in(("ubnd-tinh", "admin"))
    refused = post_form(client, "/agencies/ubnd-dbp/dissolve",
                        {"on": "01/07/2025", "successor": ""}, page="/agencies/ubnd-dbp")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Còn 1 đơn vị trực thuộc chưa giải thể" in page
    assert 'value="01/07/2025"' in page  # the date as typed
    refused = post_form(client, "/agencies/ubnd-dbp/dissolve",
                        {"on": "31/02/2025", "successor": ""}, page="/agencies/ubnd-dbp")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'value="31/02/2025"' in page
    assert 'class="error" id="on-error"' in page and 'aria-invalid="true"' in page
    with in_db():
        assert agency("ubnd-dbp").dissolved_on is None
