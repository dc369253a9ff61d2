"""The TTHC catalog (import, re-import diff, encodings, .xlsx), coverage (covered,
missing, stale), drafts from a TTHC, permissions and the API."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from isodoc.auth.models import User
from isodoc.cli import main
from isodoc.documents import services as doc_services
from isodoc.documents.models import Decision, Document, DocumentKind, Revision
from isodoc.errors import InvalidInput
from isodoc.policy import SYSTEM
from isodoc.timeutil import today_local
from isodoc.tthc import importer
from isodoc.tthc import services as tthc_services
from isodoc.tthc.models import Tthc, TthcBodyMap, TthcImport
from tests.conftest import agency, api_token, csrf_token, login

HEADER = ["Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cấp thực hiện", "Cơ quan thực hiện",
          "Thời hạn giải quyết", "Phí/lệ phí", "Căn cứ pháp lý", "Quyết định công bố",
          "Ngày quyết định"]
ROWS = [
    ["1.001193", "Đăng ký khai sinh", "Hộ tịch", "Cấp xã", "UBND cấp xã", "Trong ngày",
     "Miễn", "Luật Hộ tịch năm 2014; Nghị định số 123/2015/NĐ-CP", "QĐ 1/QĐ-UBND",
     "01/02/2025"],
    ["1.000894", "Đăng ký kết hôn", "Hộ tịch", "xã", "UBND cấp xã", "5 ngày", "Miễn",
     "Luật Hộ tịch năm 2014", "QĐ 1/QĐ-UBND", "01/02/2025"],
    ["1.000656", "Đăng ký khai tử", "Hộ tịch", "Cap xa", "UBND cấp xã", "Trong ngày", "Miễn",
     "Luật Hộ tịch năm 2014", "QĐ 1/QĐ-UBND", "01/02/2025"],
    ["2.000815", "Chứng thực bản sao từ bản chính", "Chứng thực", "Cấp huyện",
     "Phòng Tư pháp", "Trong ngày", "2.000 đồng/trang", "Nghị định số 23/2015/NĐ-CP",
     "QĐ 1/QĐ-UBND", "01/02/2025"],
    ["2.001023", "Cấp Phiếu lý lịch tư pháp", "Lý lịch tư pháp", "Cấp tỉnh", "Sở Tư pháp",
     "10 ngày làm việc", "200.000 đồng", "Luật Lý lịch tư pháp năm 2009", "QĐ 1/QĐ-UBND",
     "01/02/2025"],
    ["1.002464", "Cấp giấy phép hoạt động phòng khám", "Khám bệnh, chữa bệnh", "Tỉnh",
     "Sở Y tế; Sở Không Có Thật", "60 ngày", "5.700.000 đồng", "Luật Khám bệnh, chữa bệnh",
     "QĐ 1/QĐ-UBND", "01/02/2025"],
]


def csv_bytes(rows=ROWS, header=HEADER, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows=ROWS, header=HEADER) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["DANH MỤC THỦ TỤC HÀNH CHÍNH (tiêu đề của tệp xuất)"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cp1258(text: str) -> bytes:
    """As Windows writes Vietnamese in Windows-1258: letters with circumflex, breve or
    horn precomposed, tone marks as combining characters after them."""
    out = b""
    for c in text:
        try:
            out += c.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", c)
            tone = next(m for m in decomposed if m in "\u0300\u0301\u0303\u0309\u0323")
            out += unicodedata.normalize("NFC", decomposed.replace(tone, "")) \
                .encode("cp1258") + tone.encode("cp1258")
    return out


def post_file(client, url, data: bytes, name="danh-muc.csv", page="/tthc/import"):
    return client.post(url, data={"csrf_token": csrf_token(client, page),
                                  "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def client_for(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def load(app, data: bytes = None, decision="QĐ 1/QĐ-UBND ngày 01/02/2025", name="a.csv"):
    """Stage and apply a list through the commands (as the CLI does)."""
    from isodoc.commands import run

    with app.app_context():
        staged = run(tthc_services.stage_import, data or csv_bytes(), name, SYSTEM)
        run(tthc_services.apply_import, staged, SYSTEM, decision)
        return staged.id


# -- import -------------------------------------------------------------------------

def test_admin_uploads_previews_and_applies_then_a_reimport_shows_the_diff(app, people,
                                                                          in_db):
    admin = client_for(app, "admin")
    response = post_file(admin, "/tthc/import", csv_bytes())
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>6</strong> thủ tục mới" in page
    assert "Sở Không Có Thật" in page  # an executing body no agency matches, listed
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(Tthc)) == 0  # preview only
    import_id = int(response.headers["Location"].rsplit("/", 1)[1])
    typed = "Quyết định số 1/QĐ-UBND" + " rất dài" * 500
    refused = admin.post(f"/tthc/imports/{import_id}/apply", data={
        "csrf_token": csrf_token(admin, f"/tthc/imports/{import_id}"), "decision": typed})
    answer = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Tối đa 4000 ký tự." in answer
    assert f"{typed}</textarea>" in answer and 'id="decision-error"' in answer  # as typed
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(Tthc)) == 0
    response = admin.post(f"/tthc/imports/{import_id}/apply", data={
        "csrf_token": csrf_token(admin, f"/tthc/imports/{import_id}"),
        "decision": "Quyết định số 1/QĐ-UBND ngày 01/02/2025"})
    assert response.status_code == 302
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(Tthc)) == 6
        applied = s.get(TthcImport, import_id)
        assert applied.state == "applied" and applied.decision.startswith("Quyết định số 1")
        assert s.scalars(select(User.username).where(User.id == applied.applied_by_id)) \
            .one() == "admin"
        assert s.scalars(select(Tthc).where(Tthc.code == "1.000656")).one().at_commune
        # bodies: Sở Tư pháp matched the registry; the unknown one is remembered unmapped
        maps = {m.name: m.agency_id for m in s.scalars(select(TthcBodyMap))}
        assert maps["Sở Tư pháp"] == agency("so-tu-phap").id
        assert maps["Sở Không Có Thật"] is None
    # a newer list: a time limit shortened, a TTHC added, one abolished
    newer = [r[:] for r in ROWS if r[0] != "1.000656"]
    newer[1][5] = "3 ngày"
    newer.append(["1.001022", "Đăng ký nhận cha, mẹ, con", "Hộ tịch", "Cấp xã", "UBND cấp xã",
                  "3 ngày", "", "", "", ""])
    response = post_file(admin, "/tthc/import", csv_bytes(newer))
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>1</strong> thủ tục mới, <strong>1</strong> thay đổi, <strong>1</strong> " \
           "bãi bỏ, 4 không đổi" in page
    assert re.search(r"Thời hạn giải quyết</td><td>5 ngày</td><td>3 ngày", page)
    assert "1.000656" in page
    second = int(response.headers["Location"].rsplit("/", 1)[1])
    admin.post(f"/tthc/imports/{second}/apply", data={
        "csrf_token": csrf_token(admin, f"/tthc/imports/{second}"), "decision": "QĐ 2"})
    with in_db() as s:
        marriage = s.scalars(select(Tthc).where(Tthc.code == "1.000894")).one()
        assert marriage.time_limit == "3 ngày" and marriage.changed_at is not None
        assert "«5 ngày» → «3 ngày»" in marriage.change_note
        gone = s.scalars(select(Tthc).where(Tthc.code == "1.000656")).one()
        assert gone.abolished_on == today_local()
    # the catalog lists what is in force, accent-insensitively
    page = admin.get("/tthc/?q=dang+ky+ket+hon").get_data(as_text=True)
    assert "1.000894" in page and "1.001193" not in page


def test_a_bad_list_is_refused_whole_with_line_column_and_reason(app, people, in_db):
    bad = [r[:] for r in ROWS]
    bad[0][0] = ""            # line 2: missing code
    bad[1][0] = "9.99999"     # line 3: bad format
    bad[2][0] = "2.000815"    # line 4: duplicate of line 5
    bad[4][3] = "Trung ương x"  # line 6: unknown level
    admin = client_for(app, "admin")
    response = post_file(admin, "/tthc/import", csv_bytes(bad))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Dòng 2, cột 1 (Mã thủ tục): thiếu mã thủ tục." in page
    assert "Dòng 3, cột 1 (Mã thủ tục): mã «9.99999» sai định dạng" in page
    assert "Dòng 5, cột 1 (Mã thủ tục): mã 2.000815 trùng với dòng 4." in page
    assert "Dòng 6, cột 4 (Cấp thực hiện): cấp thực hiện «Trung ương x» không rõ" in page
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(Tthc)) == 0
        assert s.scalar(select(func.count()).select_from(TthcImport)) == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258"])
def test_headers_in_any_form_and_encodings_are_recognised(app, encoding):
    header = ["STT", "ma_thu_tuc", "TEN THU TUC", "Cap", "Ghi chú riêng", "lĩnh vực"]
    rows = [["1", "1.001193", "Đăng ký khai sinh", "Cấp xã", "x", "Hộ tịch"]]
    text = csv_bytes(rows, header, "utf-8").decode()
    data = cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    parsed = importer.parse(data, "x.csv")
    assert parsed.encoding == ("utf-8" if encoding.startswith("utf") else "cp1258")
    assert parsed.rows[0].name == "Đăng ký khai sinh" and parsed.rows[0].field == "Hộ tịch"
    assert parsed.rows[0].levels == ["xa"]
    assert parsed.unknown_columns == ["Ghi chú riêng"]


def test_cp1252_and_ma_tthc_header(app):
    data = "Ma TTHC;TEN THU TUC;Cap thuc hien;Phi\n1.004227;Café Nông;Tinh;5 €\n" \
        .encode("cp1252")
    parsed = importer.parse(data, "x.csv")
    assert parsed.encoding == "cp1252"
    assert parsed.rows[0].code == "1.004227" and parsed.rows[0].fee == "5 €"
    assert parsed.rows[0].name == "Café Nông" and parsed.rows[0].levels == ["tinh"]


def test_bounds_are_checked_before_parsing(app):
    with pytest.raises(InvalidInput, match="quá lớn"):
        importer.parse(b"x" * (importer.MAX_BYTES + 1), "x.csv")
    many = [[f"1.{i:06d}", "Tên", "", "xã"] for i in range(importer.MAX_ROWS + 5)]
    with pytest.raises(InvalidInput, match="quá nhiều dòng"):
        importer.parse(csv_bytes(many, HEADER[:4]), "x.csv")
    with pytest.raises(InvalidInput, match="thiếu cột: Cấp thực hiện"):
        importer.parse(csv_bytes([r[:2] for r in ROWS], HEADER[:2]), "x.csv")


def test_cli_imports_an_xlsx_with_a_progress_bar(app, people, in_db, tmp_path):
    path = tmp_path / "export.xlsx"
    # a code typed as a number: Excel keeps 1.00119 (the trailing zero is lost)
    path.write_bytes(xlsx_bytes(ROWS + [[1.00119, "Thủ tục nhập dạng số", "", "Cấp xã"]]))
    result = app.test_cli_runner().invoke(main, ["tthc", "import", str(path), "--yes",
                                                 "--decision", "QĐ 9/QĐ-UBND"])
    assert result.exit_code == 0, result.output
    assert "7 thủ tục (xlsx): 7 mới" in result.output
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(Tthc)) == 7
        assert s.scalars(select(Tthc.name).where(Tthc.code == "1.001190")).one() == \
            "Thủ tục nhập dạng số"
        assert s.scalars(select(Tthc.fee).where(Tthc.code == "2.001023")).one() == \
            "200.000 đồng"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes([["1.0012345", "x", "", "xã"]], HEADER[:4]))
    result = app.test_cli_runner().invoke(main, ["tthc", "import", str(bad), "--yes"])
    assert result.exit_code == 1 and "Dòng 3, cột 1 (Mã thủ tục)" in result.output


# -- permissions --------------------------------------------------------------------

def test_only_the_admin_and_overseer_manage_the_catalog(app, people, in_db):
    commune = client_for(app, "himlam.thuky")
    assert commune.get("/tthc/import").status_code == 403
    assert post_file(commune, "/tthc/import", csv_bytes(), page="/tthc/").status_code == 403
    assert commune.get("/tthc/coverage").status_code == 403
    assert commune.get("/tthc/bodies").status_code == 403
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(TthcImport)) == 0
    overseer = client_for(app, "sokhcn")
    assert post_file(overseer, "/tthc/import", csv_bytes()).status_code == 302
    assert overseer.get("/tthc/coverage").status_code == 200
    # coverage of an agency: its members, the overseer, the admin; not another commune
    load(app)
    assert commune.get("/agencies/dbp-him-lam/coverage").status_code == 200
    assert commune.get("/agencies/mang-bung-lao/coverage").status_code == 403
    assert commune.post("/agencies/mang-bung-lao/coverage/1.001193/draft", data={
        "csrf_token": csrf_token(commune, "/")}).status_code == 403
    assert overseer.get("/agencies/mang-bung-lao/coverage").status_code == 200
    assert client_for(app, "admin").get("/agencies/mang-bung-lao/coverage.csv") \
        .status_code == 200


def test_admin_maps_an_unmatched_body_and_it_is_remembered(app, people, in_db):
    load(app)
    admin = client_for(app, "admin")
    with in_db() as s:
        map_id = s.scalars(select(TthcBodyMap.id).where(
            TthcBodyMap.name == "Sở Không Có Thật")).one()
    page = admin.get("/tthc/bodies").get_data(as_text=True)
    assert "Sở Không Có Thật" in page and "chưa gán" in page
    admin.post(f"/tthc/bodies/{map_id}", data={
        "csrf_token": csrf_token(admin, "/tthc/bodies"), "agency": "so-y-te"})
    load(app)  # the same list again: the mapping stays
    with in_db() as s:
        assert s.get(TthcBodyMap, map_id).agency_id == agency("so-y-te").id
        from isodoc.tthc.coverage import agency_coverage

        codes = [i.tthc.code for i in agency_coverage(agency("so-y-te")).items]
        assert codes == ["1.002464"]


# -- coverage -----------------------------------------------------------------------

def issue_procedure(app, code: str, tthc_code: str, on_day=None):
    with app.app_context():
        from isodoc.extensions import db

        staff = {k: db.session.scalars(select(User).where(User.username == u)).one()
                 for k, u in (("author", "himlam.soanthao"), ("reviewer", "himlam.danhgia"),
                              ("approver", "himlam.lanhdao"), ("secretary", "himlam.thuky"))}
        revision = doc_services.create_document(
            agency("dbp-him-lam"), staff["author"], code,
            doc_services.DocumentFields(f"Quy trình {code}", DocumentKind.TTHC, tthc_code),
            "## 1. Mục đích\n")
        doc_services.submit(revision, staff["author"], [staff["reviewer"]])
        doc_services.review(revision, staff["reviewer"], Decision.AGREED, "")
        doc_services.approve(revision, staff["approver"])
        doc_services.issue(revision, staff["secretary"], on_day or today_local())
        db.session.commit()


def test_coverage_states_covered_missing_and_stale(app, people, in_db, token_for):
    load(app)
    issue_procedure(app, "QT-KS", "1.001193")
    issue_procedure(app, "QT-KH", "1.000894")
    # the marriage TTHC changes after its procedure took effect: stale
    changed = [r[:] for r in ROWS]
    changed[1][5] = "3 ngày"
    load(app, csv_bytes(changed), decision="QĐ 2")
    secretary = client_for(app, "himlam.thuky")
    page = secretary.get("/agencies/dbp-him-lam/coverage").get_data(as_text=True)
    assert "<strong>3</strong> TTHC: <strong>1</strong> đã có (33,3%), <strong>1</strong> " \
           "cần sửa đổi, <strong>1</strong> chưa có" in page
    assert "«5 ngày» → «3 ngày»" in page
    home = secretary.get("/").get_data(as_text=True)
    assert "TTHC đã thay đổi: cần sửa đổi quy trình" in home and "QT-KH" in home
    api = app.test_client().get("/api/v1/agencies/dbp-him-lam/coverage",
                                headers=token_for("himlam.thuky")).get_json()
    assert api["counts"] == {"must": 3, "covered": 1, "stale": 1, "missing": 1,
                             "percent": 33.3}
    states = {i["code"]: i["state"] for i in api["items"]}
    assert states == {"1.001193": "covered", "1.000894": "stale", "1.000656": "missing"}
    assert app.test_client().get("/api/v1/agencies/mang-bung-lao/coverage",
                                 headers=token_for("himlam.thuky")).status_code == 403
    # the province, by district, over the API and in CSV
    province = app.test_client().get("/api/v1/coverage", headers=token_for("sokhcn")).get_json()
    assert province["by_level"]["xa"] == {"must": 6, "covered": 1, "stale": 1, "missing": 4,
                                          "percent": 16.7}
    district = {d["district"]: d for d in province["districts"]}
    assert district["ubnd-dbp"]["counts"]["must"] == 4  # the district's TTHC + its commune's
    assert app.test_client().get("/api/v1/coverage", headers=token_for("himlam.thuky")) \
        .status_code == 403
    csv_text = client_for(app, "sokhcn").get("/tthc/coverage.csv").get_data(as_text=True)
    assert "UBND phường Him Lam,UBND thành phố Điện Biên Phủ,3,1,1,1,33.3" in csv_text
    assert "Bao phủ" in client_for(app, "sokhcn").get("/agencies/dbp-him-lam") \
        .get_data(as_text=True)


def test_a_procedure_issued_after_the_change_is_current(app, people, in_db):
    load(app)
    changed = [r[:] for r in ROWS]
    changed[1][5] = "3 ngày"
    load(app, csv_bytes(changed), decision="QĐ 2")
    issue_procedure(app, "QT-KH", "1.000894", today_local() + timedelta(days=1))
    with in_db():
        from isodoc.tthc.coverage import agency_coverage

        view = agency_coverage(agency("dbp-him-lam"), today_local() + timedelta(days=1))
        assert view.counts.covered == 1 and view.counts.stale == 0


# -- documents pick their TTHC from the catalog -------------------------------------

def test_tthc_procedures_must_name_a_catalog_tthc_the_agency_covers(app, people, in_db):
    load(app)
    author = client_for(app, "himlam.soanthao")

    def create(code, tthc):
        return author.post("/agencies/dbp-him-lam/documents/new", data={
            "csrf_token": csrf_token(author, "/"), "code": code, "title": "Quy trình",
            "kind": "tthc", "tthc_code": tthc, "review_months": "12", "body": "x"})

    assert "không có trong danh mục" in create("QT-A", "9.999999").get_data(as_text=True)
    assert "không thuộc các thủ tục" in create("QT-B", "2.001023").get_data(as_text=True)
    assert "cần chọn mã TTHC" in create("QT-C", "").get_data(as_text=True)
    assert create("QT-D", "1.001193").status_code == 302
    options = author.get("/tthc/options.json?q=khai+sinh&agency=dbp-him-lam").get_json()
    assert [o["code"] for o in options] == ["1.001193"]
    issue_procedure(app, "QT-E", "1.000656")
    with pytest.raises(InvalidInput, match="chỉ có một quy trình"):
        issue_procedure(app, "QT-F", "1.000656")


def test_one_click_draft_from_a_missing_tthc(app, people, in_db):
    load(app)
    author = client_for(app, "himlam.soanthao")
    page = author.get("/agencies/dbp-him-lam/coverage?state=missing").get_data(as_text=True)
    assert "Soạn quy trình" in page
    response = author.post("/agencies/dbp-him-lam/coverage/1.001193/draft",
                           data={"csrf_token": csrf_token(author, "/")})
    assert response.status_code == 302 and "/drafts/1" in response.headers["Location"]
    with in_db() as s:
        revision = s.scalars(select(Revision).join(Document).where(
            Document.code == "QT-TTHC-1.001193")).one()
        assert revision.tthc_code == "1.001193" and revision.kind == "tthc"
        meta, body = doc_services.read_parts(revision)
    assert "Trong ngày" in body and "- Nghị định số 123/2015/NĐ-CP" in body
    assert "### 5.7. Quy trình xử lý công việc" in body and "Miễn" in body
    editor = author.get(response.headers["Location"] + "/edit").get_data(as_text=True)
    assert 'data-picker="/tthc/options.json?agency=dbp-him-lam"' in editor
    # not one the commune must cover
    response = author.post("/agencies/dbp-him-lam/coverage/2.001023/draft",
                           data={"csrf_token": csrf_token(author, "/")})
    assert response.status_code == 302
    assert "không phải thực hiện" in author.get(response.headers["Location"]) \
        .get_data(as_text=True)


# -- API catalog --------------------------------------------------------------------

def test_api_catalog_filters_and_detail(app, people, token_for):
    load(app)
    api, headers = app.test_client(), token_for("himlam.soanthao")
    response = api.get("/api/v1/tthc?level=xa&page_size=2", headers=headers)
    assert response.status_code == 200 and len(response.get_json()) == 2
    assert '"total": 3' in response.headers["X-Pagination"]
    found = api.get("/api/v1/tthc?q=ly lich", headers=headers).get_json()
    assert [t["code"] for t in found] == ["2.001023"]
    detail = api.get("/api/v1/tthc/2.001023", headers=token_for("sokhcn")).get_json()
    assert detail["agencies"] == [{"agency": "so-tu-phap", "agency_name": "Sở Tư pháp",
                                   "procedure": None}]
    # a commune's author sees the TTHC, not other agencies' coverage (COVERAGE_VIEW)
    assert api.get("/api/v1/tthc/2.001023", headers=headers).get_json()["agencies"] == []
    assert api.get("/api/v1/tthc/9.999999", headers=headers).status_code == 404
    assert api.get("/api/v1/tthc?level=quoc-gia", headers=headers).status_code == 422
    spec = api.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/tthc", "/api/v1/tthc/{code}", "/api/v1/coverage",
            "/api/v1/agencies/{agency}/coverage"} <= set(spec["paths"])


@pytest.fixture
def token_for(app, in_db):
    def make(username: str) -> dict[str, str]:
        return api_token(in_db, username, "kiểm thử")

    return make


def test_demo_catalog_spans_the_three_levels(app, province, in_db):
    from isodoc.tthc import demo

    parsed = importer.parse(demo.catalog_file(), "demo_tthc.csv")
    assert len(parsed.rows) >= 60
    assert {lv for r in parsed.rows for lv in r.levels} == {"tinh", "huyen", "xa"}
    with app.app_context():
        from isodoc.commands import run

        assert run(demo.seed) == len(parsed.rows)
        assert run(demo.seed) == 0  # once
        from isodoc.tthc.coverage import agency_coverage

        assert agency_coverage(agency("dbp-him-lam")).counts.must >= 20
        assert agency_coverage(agency("so-tu-phap")).counts.must >= 5  # matched by name


# -- model procedures -----------------------------------------------------------------

def test_a_model_is_published_adopted_and_followed(app, people, make_user, in_db,
                                                   token_for):
    load(app)
    make_user(("mang-bung-lao", "author"), username="bunglao.soanthao")
    make_user(("mang-bung-lao", "approver"), username="bunglao.lanhdao")
    make_user(("mang-bung-lao", "auditor"), username="bunglao.danhgia")
    issue_procedure(app, "QT-KS", "1.001193")
    with in_db() as s:
        s.execute(Document.__table__.update().values(title="Quy trình QT-KS"))
    # a commune secretary may not publish; the overseer may
    page = client_for(app, "himlam.thuky").get("/tthc/1.001193").get_data(as_text=True)
    assert "Công bố quy trình mẫu" not in page
    commune = client_for(app, "himlam.thuky")
    assert commune.post("/tthc/1.001193/model", data={
        "csrf_token": csrf_token(commune, "/"), "document": "dbp-him-lam/qt-ks"}) \
        .status_code == 403
    overseer = client_for(app, "sokhcn")
    assert "Công bố quy trình mẫu" in overseer.get("/tthc/1.001193").get_data(as_text=True)
    overseer.post("/tthc/1.001193/model", data={
        "csrf_token": csrf_token(overseer, "/"), "document": "dbp-him-lam/qt-ks"})
    # another commune adopts: its own draft, its own name
    other = client_for(app, "bunglao.thuky")
    page = other.get("/agencies/mang-bung-lao/coverage").get_data(as_text=True)
    assert "Áp dụng quy trình mẫu" in page
    response = other.post("/agencies/mang-bung-lao/coverage/1.001193/adopt",
                          data={"csrf_token": csrf_token(other, "/")})
    assert response.status_code == 302 and "/agencies/mang-bung-lao/documents/qt-ks/drafts/1" \
        in response.headers["Location"]
    # it cannot touch the model's own document (another commune's procedure)
    assert other.post("/agencies/dbp-him-lam/documents/qt-ks/revise",
                      data={"csrf_token": csrf_token(other, "/")}).status_code == 403
    with app.app_context():
        from isodoc.extensions import db
        from isodoc.tthc.models import Adoption

        found = db.session.scalars(select(Adoption)).one()
        assert found.model_number == 1 and found.agency.code == "mang-bung-lao"
        # the adopter issues its procedure through its own workflow
        staff = {u: db.session.scalars(select(User).where(User.username == u)).one()
                 for u in ("bunglao.thuky", "bunglao.danhgia", "bunglao.lanhdao")}
        revision = found.revision
        doc_services.submit(revision, staff["bunglao.thuky"], [staff["bunglao.danhgia"]])
        doc_services.review(revision, staff["bunglao.danhgia"], Decision.AGREED, "")
        doc_services.approve(revision, staff["bunglao.lanhdao"])
        doc_services.issue(revision, staff["bunglao.thuky"], today_local())
        # the model is revised (lần 2)
        model_doc = db.session.scalars(select(Document).where(Document.code == "QT-KS",
                                                              Document.agency_id == agency(
                                                                  "dbp-him-lam").id)).one()
        himlam = {u: db.session.scalars(select(User).where(User.username == u)).one()
                  for u in ("himlam.soanthao", "himlam.danhgia", "himlam.lanhdao",
                            "himlam.thuky")}
        draft = doc_services.start_revision(model_doc, himlam["himlam.soanthao"])
        fields = doc_services.DocumentFields("Quy trình QT-KS", DocumentKind.TTHC, "1.001193")
        doc_services.save_draft(draft, himlam["himlam.soanthao"], draft.head_sha, fields,
                                "## 1. Mục đích\n\nBước mới: trả kết quả qua bưu chính.\n",
                                change_summary="Thêm bước", reason="Nghị định mới")
        doc_services.submit(draft, himlam["himlam.soanthao"], [himlam["himlam.danhgia"]])
        doc_services.review(draft, himlam["himlam.danhgia"], Decision.AGREED, "")
        doc_services.approve(draft, himlam["himlam.lanhdao"])
        doc_services.issue(draft, himlam["himlam.thuky"], today_local())
        db.session.commit()
        adoption_id = found.id
    home = other.get("/").get_data(as_text=True)
    assert "Quy trình mẫu đã sửa đổi" in home and "lần 1 → lần 2" in home
    page = other.get("/agencies/mang-bung-lao/models").get_data(as_text=True)
    assert "/agencies/dbp-him-lam/documents/qt-ks/diff?a=1&amp;b=2" in page
    # overseer's view: who adopted which revision
    models = overseer.get("/tthc/models").get_data(as_text=True)
    assert "UBND xã Búng Lao" in models and "mẫu đã có lần 2" in models
    detail = app.test_client().get("/api/v1/tthc/1.001193",
                                   headers=token_for("bunglao.thuky")).get_json()
    assert detail["model"] == {"agency": "dbp-him-lam", "code": "QT-KS", "revision": 2,
                               "adopted_by": [{"agency": "mang-bung-lao", "revision": 1,
                                               "issued_revision": 1}]}
    response = other.post(f"/agencies/mang-bung-lao/models/{adoption_id}/follow",
                          data={"csrf_token": csrf_token(other, "/")})
    assert response.status_code == 302 and "/drafts/2" in response.headers["Location"]
    with in_db() as s:
        from isodoc.tthc.models import Adoption

        numbers = sorted(a.model_number for a in s.scalars(select(Adoption)))
        assert numbers == [1, 2]
        followed = s.scalars(select(Revision).join(Document).where(
            Document.agency_id == agency("mang-bung-lao").id, Revision.seq == 2)).one()
        assert "bưu chính" in doc_services.read_text(followed)
        assert followed.change_summary.startswith("Áp dụng quy trình mẫu QT-KS lần 2")
    assert "Quy trình mẫu đã sửa đổi" not in other.get("/").get_data(as_text=True)


def test_a_preview_made_stale_by_another_import_is_refused(app, people, in_db):
    from isodoc.commands import run

    with app.app_context():
        first = run(tthc_services.stage_import, csv_bytes(), "a.csv", SYSTEM)
        second = run(tthc_services.stage_import, csv_bytes(ROWS[:2]), "b.csv", SYSTEM)
        run(tthc_services.apply_import, first, SYSTEM, "QĐ 1")
        with pytest.raises(InvalidInput, match="đã thay đổi sau khi xem trước"):
            run(tthc_services.apply_import, second, SYSTEM, "QĐ 2")
        with pytest.raises(InvalidInput, match="đã được áp dụng"):
            run(tthc_services.apply_import, first, SYSTEM, "QĐ 1")
        with pytest.raises(InvalidInput, match="quyết định công bố"):
            run(tthc_services.apply_import,
                run(tthc_services.stage_import, csv_bytes(), "c.csv", SYSTEM), SYSTEM, " ")
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(Tthc)) == 6


def test_an_unissued_adoption_follows_the_model_in_its_own_draft(app, people, in_db):
    """The demo's case: two wards adopted lần 1 as drafts, the model is at lần 2."""
    load(app)
    issue_procedure(app, "QT-KS", "1.001193")
    with app.app_context():
        from isodoc.extensions import db
        from isodoc.tthc import adoption

        def user(name):
            return db.session.scalars(select(User).where(User.username == name)).one()

        model = adoption.publish(tthc_services.get("1.001193"),
                                 db.session.scalars(select(Document)).one(), SYSTEM)
        draft = adoption.adopt(model, agency("mang-bung-lao"), user("bunglao.thuky"))
        seq = draft.seq
        himlam = db.session.scalars(select(Document)).first()
        revision = doc_services.start_revision(himlam, user("himlam.soanthao"))
        doc_services.save_draft(
            revision, user("himlam.soanthao"), revision.head_sha,
            doc_services.DocumentFields("Quy trình QT-KS", DocumentKind.TTHC, "1.001193"),
            "## 1. Mục đích\n\nLần 2 của mẫu.\n", change_summary="Sửa", reason="Lý do")
        doc_services.submit(revision, user("himlam.soanthao"), [user("himlam.danhgia")])
        doc_services.review(revision, user("himlam.danhgia"), Decision.AGREED, "")
        doc_services.approve(revision, user("himlam.lanhdao"))
        doc_services.issue(revision, user("himlam.thuky"), today_local())
        db.session.commit()
        found = model.adoptions[0]
        followed = adoption.follow(found, user("bunglao.thuky"))
        db.session.commit()
        assert followed.seq == seq and "Lần 2 của mẫu." in doc_services.read_text(followed)
        assert sorted(a.model_number for a in model.adoptions) == [1, 2]
        with pytest.raises(InvalidInput, match="chưa có bản mới hơn"):
            adoption.follow(found, user("bunglao.thuky"))
        db.session.rollback()
