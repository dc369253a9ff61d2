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
        refused = post_form(admin, "/admin/people", data, page="/admin/people")
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422 and message in page, message
        # the form is shown again as typed (the name escaped, as every value)
        assert f'value="{data["full_name"]}"' in page
    assert people_count(in_db) == before


def test_agency_admin_sees_and_manages_only_their_subtree(signed_in, province, make_user):
    make_user((province["commune"], "reader"), username="himlam.congchuc")
    make_user((province["other_commune"], "reader"), username="bunglao.congchuc")
    admin = signed_in((province["district"], "admin"))
    page = admin.get("/admin/people").get_data(as_text=True)
    assert "himlam.congchuc" in page and "bunglao.congchuc" not in page
    assert admin.get("/admin/people/himlam.congchuc").status_code == 200
    assert admin.get("/admin/people/bunglao.congchuc").status_code == 403
    refused = post_form(admin, "/admin/people", {
        "username": "x.moi", "full_name": "X", "agency": "so-tu-phap", "role": "reader"},
        page="/admin/people")  # Sở Tư pháp is not among the district admin's choices
    assert "Đơn vị: Lựa chọn không hợp lệ." in refused.get_data(as_text=True)
    assert "x.moi" not in admin.get("/admin/people").get_data(as_text=True)


def test_memberships_are_added_and_removed(signed_in, province, make_user, in_db):
    username = make_user((province["dept"], "reader"), username="stp.congchuc")
    admin = signed_in(("ubnd-tinh", "admin"))
    post_form(admin, f"/admin/people/{username}/memberships",
              {"agency": "so-tu-phap", "role": "secretary"}, page=f"/admin/people/{username}")
    page = admin.get(f"/admin/people/{username}").get_data(as_text=True)
    assert "Đã gán vai trò." in page and "Thư ký ISO" in page
    refused = post_form(admin, f"/admin/people/{username}/memberships",
                        {"agency": "so-tu-phap", "role": "secretary"},
                        page=f"/admin/people/{username}")
    assert refused.status_code == 422
    assert "đã có vai trò Thư ký ISO" in refused.get_data(as_text=True)
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


def test_people_import_reads_an_optional_job_title(signed_in, province, in_db):
    admin = signed_in(("ubnd-tinh", "admin"))
    csv = ("username,full_name,email,agency_code,roles,job_title\n"
           "stp.tranb,Trần Thị B,,so-tu-phap,approver,Phó Giám đốc Sở\n"
           "himlam.loc,Lò Văn C,,dbp-him-lam,secretary,\n")
    post_form(admin, "/admin/people/import", {"file": (io.BytesIO(csv.encode()), "nguoi.csv")},
              page="/admin/people", content_type="multipart/form-data")
    with in_db() as s:
        titles = dict(s.execute(select(User.username, User.job_title).where(
            User.username.in_(["stp.tranb", "himlam.loc"]))).all())
    assert titles == {"stp.tranb": "Phó Giám đốc Sở", "himlam.loc": None}


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
    post_form(admin, "/agencies/so-tu-phap/edit",
              {"name": "Sở Tư pháp tỉnh", "kind": "department", "parent": "ubnd-tinh"},
              page="/agencies/so-tu-phap")
    page = admin.get("/admin/audit?agency=so-tu-phap&action=agency.").get_data(as_text=True)
    assert "agency.edit" in page and "quantri" in page and "membership.add" not in page
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


def account(username: str) -> User:
    """Inside an app context: the person with that username."""
    from isodoc.extensions import db

    return db.session.scalars(select(User).where(User.username == username)).one()


def people_state() -> tuple:
    """Everything a people command could change, to show that a refusal changed nothing."""
    from isodoc.auth.models import ApiToken
    from isodoc.extensions import db

    return (
        db.session.execute(select(User.username, User.password_hash, User.session_version,
                                  User.active).order_by(User.username)).all(),
        db.session.execute(select(Membership.user_id, Membership.agency_id, Membership.role)
                           .order_by(Membership.id)).all(),
        db.session.execute(select(ApiToken.id, ApiToken.revoked_at).order_by(ApiToken.id)).all(),
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def test_people_commands_refuse_an_agency_admin_outside_their_subtree(app, province, make_user):
    """The commands ask the policy themselves: called directly, not through a view."""
    import pytest

    from isodoc.auth import services
    from isodoc.auth.models import Role
    from isodoc.errors import Forbidden
    from isodoc.extensions import db
    from tests.conftest import agency

    make_user((province["other_commune"], "reader"), username="bunglao.congchuc")
    make_user((province["commune"], "reader"), username="himlam.congchuc")
    make_user((province["district"], "admin"), username="dbp.quantri")
    with app.app_context():
        admin, outsider = account("dbp.quantri"), account("bunglao.congchuc")
        ours, theirs = agency(province["commune"]), agency(province["other_commune"])
        before = people_state()
        refused = {
            "reset": lambda: services.reset_password(outsider, admin, "mat-khau-moi-2026"),
            "lock": lambda: services.set_active(outsider, admin, False),
            "grant to an outsider": lambda: services.add_membership(outsider, admin, ours,
                                                                    Role.AUTHOR),
            "grant outside": lambda: services.add_membership(account("himlam.congchuc"), admin,
                                                             theirs, Role.AUTHOR),
            "remove outside": lambda: services.remove_membership(outsider.memberships[0], admin),
            "create outside": lambda: services.create_person(
                "bunglao.moi", "Người Mới", "", theirs, Role.READER, admin),
            "create with no agency": lambda: services.create_user("ai.do", "Ai Đó", admin),
        }
        for what, command in refused.items():
            with pytest.raises(Forbidden):
                command()
                pytest.fail(what)
        assert people_state() == before  # refused before anything was written
        # inside the subtree the same admin may act: the refusals above are about scope
        services.set_active(account("himlam.congchuc"), admin, False)
        assert people_state() != before
        db.session.rollback()


def test_a_reader_cannot_revoke_or_use_someone_elses_account(app, province, make_user):
    import pytest

    from isodoc.auth import services
    from isodoc.auth.models import ApiToken
    from isodoc.errors import Forbidden
    from isodoc.extensions import db
    from tests.conftest import PASSWORD

    owner = make_user((province["dept"], "reader"), username="stp.chu")
    other = make_user((province["dept"], "reader"), username="stp.khac")
    with app.app_context():
        services.create_token(account(owner), account(owner), "Cổng dịch vụ công")
        db.session.commit()
        token = db.session.scalars(select(ApiToken)).one()
        intruder, victim = account(other), account(owner)
        before = people_state()
        for command in (lambda: services.revoke_token(token, intruder),
                        lambda: services.create_token(victim, intruder, "của tôi"),
                        lambda: services.change_password(victim, intruder, PASSWORD,
                                                         "mat-khau-moi-2026"),
                        lambda: services.logout(victim, intruder)):
            with pytest.raises(Forbidden):
                command()
        assert people_state() == before and token.revoked_at is None
        services.revoke_token(token, victim)  # the owner may
        assert token.revoked_at is not None
        db.session.rollback()


def test_import_does_not_grant_roles_to_a_person_the_admin_does_not_manage(
        signed_in, province, make_user, in_db):
    make_user((province["other_commune"], "reader"), username="bunglao.congchuc")
    admin = signed_in((province["district"], "admin"))
    with in_db() as s:
        before = s.scalar(select(func.count()).select_from(Membership))
    csv = PEOPLE_HEADER + "bunglao.congchuc,Nguyễn Văn Thử,,dbp-him-lam,author\n"
    response = post_form(admin, "/admin/people/import",
                         {"file": (io.BytesIO(csv.encode()), "nguoi.csv")},
                         page="/admin/people", content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Dòng 2: bạn không có quyền quản lý tài khoản «bunglao.congchuc»" in \
        response.get_data(as_text=True)
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(Membership)) == before


def test_nobody_locks_themself_out_whatever_the_interface(app, signed_in, province, in_db):
    import pytest

    from isodoc.auth import services
    from isodoc.errors import InvalidInput

    admin = signed_in(("ubnd-tinh", "admin"), username="quantri")
    post_form(admin, "/admin/people/quantri/active", page="/admin/people/quantri")
    assert "Bạn không thể tự khoá tài khoản của mình." in \
        admin.get("/admin/people/quantri").get_data(as_text=True)
    with in_db() as s:
        me = account("quantri")
        with pytest.raises(InvalidInput, match="tự khoá"):
            services.set_active(me, me, False)
        s.rollback()
        assert me.active


def test_job_title_is_set_by_whoever_manages_the_person(signed_in, province, make_user, in_db):
    """Chức vụ, printed under the name in a procedure's sign-off table: set on creation
    or on the person's page, checked, audited."""
    make_user((province["dept"], "approver"), username="stp.lanhdao")
    admin = signed_in(("ubnd-tinh", "admin"))
    post_form(admin, "/admin/people", {
        "username": "stp.pgd", "full_name": "Vũ Văn Phó", "agency": "so-tu-phap",
        "role": "approver", "job_title": "Phó Giám đốc Sở"}, page="/admin/people")
    page = "/admin/people/stp.lanhdao"
    post_form(admin, f"{page}/job-title", {"job_title": "  Giám đốc\x07 Sở "}, page=page)
    refused = post_form(admin, f"{page}/job-title", {"job_title": "X" * 121}, page=page)
    assert refused.status_code == 422 and "Tối đa 120 ký tự." in refused.get_data(as_text=True)
    assert 'value="' + "X" * 121 + '"' in refused.get_data(as_text=True)  # as typed
    with in_db() as s:
        titles = dict(s.execute(select(User.username, User.job_title)).all())
        logged = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "user.job_title"))
    assert titles["stp.pgd"] == "Phó Giám đốc Sở"
    assert titles["stp.lanhdao"] == "Giám đốc Sở"  # control character and spaces gone
    assert logged == 1


def test_job_title_outside_ones_subtree_is_403(signed_in, province, make_user, in_db):
    make_user((province["other_commune"], "reader"), username="bunglao.congchuc")
    district = signed_in((province["district"], "admin"))
    assert post_form(district, "/admin/people/bunglao.congchuc/job-title",
                     {"job_title": "Trưởng thôn"}, page="/").status_code == 403
    with in_db() as s:
        assert s.scalar(select(User.job_title).where(
            User.username == "bunglao.congchuc")) is None
