"""Admin pages: people, memberships, password resets, people import, the audit log."""

from __future__ import annotations

import io
import re
from datetime import datetime

from sqlalchemy import func, select

from isodoc.audit import AuditEntry
from isodoc.auth.models import Membership, User
from tests.conftest import login, post_form

PEOPLE_HEADER = "username,full_name,email,agency_code,roles\n"


def shown_passwords(page: str) -> dict[str, str]:
    return dict(re.findall(r"<td>([a-z0-9._-]+)</td><td><code class=\"password\">([^<]+)</code>",
                           page))


def people_count(in_db) -> int:
    with in_db() as s:
        return s.scalar(select(func.count()).select_from(User))


def test_admin_creates_a_person_who_can_then_sign_in(app, signed_in, province, in_db):
    admin = signed_in(("ubnd-tinh", "admin"))
    response = post_form(admin, "/admin/people", {
        "username": "stp.nguyenvana", "full_name": "Nguyễn Văn A", "email": "a@stp.gov.vn",
        "agency": "so-tu-phap", "role": "author"}, page="/admin/people")
    assert response.status_code == 200
    password = shown_passwords(response.get_data(as_text=True))["stp.nguyenvana"]
    post_form(admin, "/logout", page="/")
    newcomer = app.test_client()
    assert login(newcomer, "stp.nguyenvana", password).status_code == 302
    assert "Soạn thảo — " in newcomer.get("/").get_data(as_text=True)


def test_bad_person_input_changes_nothing(signed_in, province, make_user, in_db):
    make_user((province["dept"], "reader"), username="da.co")
    admin = signed_in(("ubnd-tinh", "admin"))
    before = people_count(in_db)
    cases = [
        ({"username": "../../x", "full_name": "X", "agency": "so-tu-phap", "role": "reader"},
         "Tên đăng nhập «../../x» không hợp lệ"),
        ({"username": "da.co", "full_name": "X", "agency": "so-tu-phap", "role": "reader"},
         "Tên đăng nhập «da.co» đã có người dùng."),
        ({"username": "moi.nguoi", "full_name": "X" * 300, "agency": "so-tu-phap",
          "role": "reader"}, "Tối đa 255 ký tự."),
        ({"username": "moi.nguoi", "full_name": "X", "agency": "so-tu-phap",
          "role": "overseer"}, "chỉ gán trên UBND tỉnh"),
        ({"username": "moi.nguoi", "full_name": "X", "email": "khong-phai-email",
          "agency": "so-tu-phap", "role": "reader"}, "Địa chỉ email «khong-phai-email»"),
    ]
    for data, message in cases:
        post_form(admin, "/admin/people", data, page="/admin/people")
        assert message in admin.get("/admin/people").get_data(as_text=True), message
    assert people_count(in_db) == before


def test_agency_admin_sees_and_manages_only_their_subtree(signed_in, province, make_user):
    make_user((province["commune"], "reader"), username="himlam.congchuc")
    make_user((province["other_commune"], "reader"), username="bunglao.congchuc")
    admin = signed_in((province["district"], "admin"))
    page = admin.get("/admin/people").get_data(as_text=True)
    assert "himlam.congchuc" in page and "bunglao.congchuc" not in page
    assert admin.get("/admin/people/himlam.congchuc").status_code == 200
    assert admin.get("/admin/people/bunglao.congchuc").status_code == 403
    post_form(admin, "/admin/people", {
        "username": "x.moi", "full_name": "X", "agency": "so-tu-phap", "role": "reader"},
        page="/admin/people")  # Sở Tư pháp is not among the district admin's choices
    assert "Đơn vị: Lựa chọn không hợp lệ." in admin.get("/admin/people").get_data(as_text=True)
    assert "x.moi" not in admin.get("/admin/people").get_data(as_text=True)


def test_memberships_are_added_and_removed(signed_in, province, make_user, in_db):
    username = make_user((province["dept"], "reader"), username="stp.congchuc")
    admin = signed_in(("ubnd-tinh", "admin"))
    post_form(admin, f"/admin/people/{username}/memberships",
              {"agency": "so-tu-phap", "role": "secretary"}, page=f"/admin/people/{username}")
    page = admin.get(f"/admin/people/{username}").get_data(as_text=True)
    assert "Đã gán vai trò." in page and "Thư ký ISO" in page
    post_form(admin, f"/admin/people/{username}/memberships",
              {"agency": "so-tu-phap", "role": "secretary"}, page=f"/admin/people/{username}")
    assert "đã có vai trò Thư ký ISO" in admin.get(f"/admin/people/{username}").get_data(
        as_text=True)
    with in_db() as s:
        secretary = s.scalars(select(Membership).where(Membership.role == "secretary")).one()
        membership_id = secretary.id
    post_form(admin, f"/admin/people/{username}/memberships/{membership_id}/remove",
              page=f"/admin/people/{username}")
    with in_db() as s:
        roles = s.scalars(select(Membership.role).join(User)
                          .where(User.username == username)).all()
    assert roles == ["reader"]


def test_reset_password_shows_a_new_one_once(app, signed_in, province, make_user):
    username = make_user((province["dept"], "reader"))
    admin = signed_in(("ubnd-tinh", "admin"))
    response = post_form(admin, f"/admin/people/{username}/reset-password",
                         page=f"/admin/people/{username}")
    password = shown_passwords(response.get_data(as_text=True))[username]
    assert login(app.test_client(), username, password).status_code == 302


def test_disabled_person_is_signed_out(app, signed_in, province, make_user):
    username = make_user((province["dept"], "reader"))
    person = app.test_client()
    login(person, username)
    admin = signed_in(("ubnd-tinh", "admin"))
    post_form(admin, f"/admin/people/{username}/active", page=f"/admin/people/{username}")
    assert person.get("/").status_code == 302
    assert login(person, username).status_code == 401


def test_people_import(signed_in, province, in_db):
    admin = signed_in(("ubnd-tinh", "admin"))
    csv = PEOPLE_HEADER + ("stp.tranb,Trần Thị B,b@stp.gov.vn,so-tu-phap,reader;author\n"
                           "himlam.loc,Lò Văn C,,dbp-him-lam,secretary\n")
    response = post_form(admin, "/admin/people/import",
                         {"file": (io.BytesIO(csv.encode()), "nguoi.csv")},
                         page="/admin/people", content_type="multipart/form-data")
    passwords = shown_passwords(response.get_data(as_text=True))
    assert set(passwords) == {"stp.tranb", "himlam.loc"}
    with in_db() as s:
        roles = s.scalars(select(Membership.role).join(User)
                          .where(User.username == "stp.tranb")).all()
    assert sorted(roles) == ["author", "reader"]


def test_people_import_with_errors_imports_nobody(signed_in, province, in_db):
    admin = signed_in(("ubnd-tinh", "admin"))
    before = people_count(in_db)
    csv = PEOPLE_HEADER + ("ok.nguoi,Người Tốt,,so-tu-phap,reader\n"
                           "Sai Ten,Người Xấu,,so-tu-phap,reader\n"
                           "ok.hai,Người Hai,,khong-co,reader\n"
                           "ok.ba,Người Ba,,so-tu-phap,boss\n"
                           "ok.bon,Người Bốn,,so-tu-phap,\n")
    response = post_form(admin, "/admin/people/import",
                         {"file": (io.BytesIO(csv.encode()), "nguoi.csv")},
                         page="/admin/people", content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for line in ("Dòng 3: Tên đăng nhập «sai ten» không hợp lệ",
                 "Dòng 4: không có đơn vị mã «khong-co»", "Dòng 5: vai trò «boss» không hợp lệ",
                 "Dòng 6: cần ít nhất một vai trò"):
        assert line in page, line
    assert people_count(in_db) == before


def test_audit_log_lists_and_filters(signed_in, province, make_user, in_db):
    make_user((province["dept"], "reader"), username="stp.congchuc")
    admin = signed_in(("ubnd-tinh", "admin"), username="quantri")
    post_form(admin, "/agencies/so-tu-phap/status", {"qms_status": "converting"},
              page="/agencies/so-tu-phap")
    page = admin.get("/admin/audit?agency=so-tu-phap&action=agency.").get_data(as_text=True)
    assert "agency.set_status" in page and "quantri" in page and "membership.add" not in page
    page = admin.get("/admin/audit?user=quantri").get_data(as_text=True)
    assert "auth.login" in page
    page = admin.get("/admin/audit?from=32/13/2026").get_data(as_text=True)
    assert "Ngày không hợp lệ: «32/13/2026»" in page


def test_audit_log_shows_vietnam_time(signed_in, province, in_db):
    admin = signed_in(("ubnd-tinh", "admin"))
    with in_db() as s:
        s.add(AuditEntry(at=datetime(2026, 3, 1, 20, 30), username="cli", action="test.midnight",
                         object_type="x", object_id="1"))
    page = admin.get("/admin/audit?action=test.").get_data(as_text=True)
    assert "02/03/2026 03:30" in page  # 20:30 UTC is 03:30 the next day in Hà Nội
    assert "02/03/2026 03:30" in admin.get("/admin/audit?action=test.&from=02/03/2026"
                                           ).get_data(as_text=True)
    assert "03:30" not in admin.get("/admin/audit?action=test.&to=01/03/2026"
                                    ).get_data(as_text=True)
