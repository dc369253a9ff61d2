"""The `isodoc` command: demo seeding, tokens, passwords, registry CSV."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.cli import main
from isodoc.documents.models import Document, Revision
from tests.conftest import login

DEMO_USERS = {"admin", "sokhcn", "stp.congchuc", "stp.soanthao", "stp.thuky", "stp.lanhdao",
              "stp.danhgia", "himlam.congchuc", "himlam.soanthao", "himlam.thuky",
              "himlam.lanhdao", "himlam.danhgia", "namthanh.thuky", "noongbua.thuky",
              "namthanh.lanhdao", "noongbua.lanhdao"}


def run(app, *args, env=None):
    return app.test_cli_runner().invoke(main, list(args), env=env or {})


def test_demo_with_a_given_password(app, in_db):
    result = run(app, "demo", env={"ISODOC_DEMO_PASSWORD": "mat-khau-demo-2026"})
    assert result.exit_code == 0, result.output
    assert "mat-khau-demo-2026" in result.output
    with in_db() as s:
        assert set(s.scalars(select(User.username))) == DEMO_USERS
        assert s.scalar(select(func.count()).select_from(Agency)) == 168
    client = app.test_client()
    assert login(client, "himlam.congchuc", "mat-khau-demo-2026").status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "UBND phường Him Lam" in page and "QT-TP-01" in page  # a revision to acknowledge
    # real documents, issued through the workflow, with history and work in progress
    with in_db() as s:
        states = dict(s.execute(select(Revision.state, func.count()).group_by(Revision.state))
                      .all())
        qt01 = s.scalars(select(Document).join(Agency).where(
            Agency.code == "so-tu-phap", Document.code == "QT-01")).one()
        assert [r.number for r in qt01.revisions if r.number] == [1, 2, 3]
    # the wards that adopted Him Lam's model procedure (isodoc/tthc/demo.py): Nam Thanh's
    # is a draft, Noong Bua issued its own before merging into Nam Thanh
    # (isodoc/succession/demo.py)
    assert states == {"issued": 14, "in_review": 1, "reviewed": 1, "draft": 1}
    history = client.get("/agencies/so-tu-phap/documents/qt-01/history").get_data(as_text=True)
    assert "Rút ngắn chu kỳ xem xét tài liệu còn 06 tháng" in history
    with in_db() as s:
        from isodoc.tthc.models import Adoption, Tthc

        assert s.scalar(select(func.count()).select_from(Tthc)) >= 60
        assert sorted(a.agency.code for a in s.scalars(select(Adoption))) == [
            "dbp-nam-thanh", "dbp-noong-bua"]
    assert app.test_cli_runner().invoke(main, ["check"]).exit_code == 0
    approver = app.test_client()
    login(approver, "himlam.lanhdao", "mat-khau-demo-2026")
    assert "QT-02" in approver.get("/").get_data(as_text=True)  # waiting for approval


def test_demo_without_password_prints_random_ones_once(app):
    result = run(app, "demo")
    assert result.exit_code == 0, result.output
    passwords = dict(re.findall(r"^\s+(\S+)\s+.+?\s(\S{16})$", result.output, re.M))
    assert set(passwords) == DEMO_USERS and len(set(passwords.values())) == len(DEMO_USERS)
    assert login(app.test_client(), "sokhcn", passwords["sokhcn"]).status_code == 302
    again = run(app, "demo", "--if-empty")
    assert "không tạo lại dữ liệu demo" in again.output
    assert passwords["sokhcn"] not in again.output


def test_demo_refuses_a_short_password(app, in_db):
    result = run(app, "demo", env={"ISODOC_DEMO_PASSWORD": "ngan"})
    assert result.exit_code != 0 and "Mật khẩu cần ít nhất 10 ký tự." in result.output
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 0


def test_user_token_prints_a_working_token(app, province, make_user):
    make_user(("ubnd-tinh", "admin"), username="admin")
    result = run(app, "user", "token", "admin")
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("isodoc_")
    response = app.test_client().get("/api/v1/users",
                                     headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    missing = run(app, "user", "token", "khong-co")
    assert missing.exit_code != 0 and "Không có tài khoản «khong-co»." in missing.output


def test_user_create_grant_and_set_password(app, province):
    result = run(app, "user", "create", "cli.nguoi", "--full-name", "Người Dùng CLI")
    assert result.exit_code == 0, result.output
    result = run(app, "user", "grant", "cli.nguoi", "ubnd-tinh", "admin")
    assert result.exit_code == 0 and "Quản trị tại UBND tỉnh Điện Biên." in result.output
    result = run(app, "user", "grant", "cli.nguoi", "so-tu-phap", "overseer")
    assert result.exit_code != 0 and "chỉ gán trên UBND tỉnh" in result.output
    result = app.test_cli_runner().invoke(main, ["user", "set-password", "cli.nguoi"],
                                          input="mat-khau-cli-2026\nmat-khau-cli-2026\n")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert login(client, "cli.nguoi", "mat-khau-cli-2026").status_code == 302
    assert client.get("/admin/people").status_code == 200


def test_registry_export_and_import(app, province, tmp_path):
    exported = run(app, "registry", "export")
    path = tmp_path / "dm.csv"
    path.write_text(exported.output, encoding="utf-8")
    result = run(app, "registry", "import", str(path))
    assert result.exit_code == 0 and "0 mới, 0 cập nhật, 8 không đổi." in result.output
    path.write_text("code,name,kind,parent_code\n../x,X,commune,ubnd-dbp\n", encoding="utf-8")
    result = run(app, "registry", "import", str(path))
    assert result.exit_code != 0 and "Dòng 2: Mã đơn vị «../x» không hợp lệ" in result.output
