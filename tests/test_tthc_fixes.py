"""Defects found testing the TTHC feature: crafted .xlsx uploads (zip bombs, huge rows),
coverage shown to agencies that may not see it, second drafts for one TTHC, English
validation messages."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from sqlalchemy import func, select

from isodoc.errors import InvalidInput
from isodoc.tthc import importer
from isodoc.tthc.models import TthcImport
from tests import test_tthc
from tests.test_tthc import ROWS, client_for, load, post_file, xlsx_bytes

token_for = test_tthc.token_for  # a fixture shared with the TTHC tests


# -- D1: crafted .xlsx ---------------------------------------------------------------

def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """A copy of the .xlsx `data` with part `name` replaced by `content`."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, content if item.filename == name
                         else src.read(item.filename))
    return out.getvalue()


def lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """Set the uncompressed size the central directory declares for `name` (as a crafted
    file that inflates to gigabytes does) without making the content that large."""
    buf = bytearray(data)
    encoded = name.encode()
    at = 0
    while (at := buf.find(b"PK\x01\x02", at)) >= 0:
        length = struct.unpack_from("<H", buf, at + 28)[0]
        if bytes(buf[at + 46:at + 46 + length]) == encoded:
            struct.pack_into("<I", buf, at + 24, size)
            return bytes(buf)
        at += 4
    raise AssertionError(name)


def deflate_bomb(data: bytes, name: str, size: int) -> bytes:
    """Part `name` as `size` bytes of one repeated letter inside one cell: tiny deflated,
    a real compression ratio of ~1000."""
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/' \
        b'spreadsheetml/2006/main"><sheetData><row r="1"><c t="inlineStr"><is><t>'
    return with_part(data, name, head + b"a" * size +
                     b"</t></is></c></row></sheetData></worksheet>")


def wide_row(cells: int) -> bytes:
    row = b"".join(b'<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(cells))
    return b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/' \
        b'spreadsheetml/2006/main"><sheetData><row r="1">' + row + \
        b"</row></sheetData></worksheet>"


CRAFTED = {
    "declared 2 GB sheet": lambda d: lie_about_size(d, "xl/worksheets/sheet1.xml",
                                                    2_000_000_000),
    "declared 40 MB styles": lambda d: lie_about_size(d, "xl/styles.xml", 40 * 1024 * 1024),
    "ratio 1000 cell": lambda d: deflate_bomb(d, "xl/worksheets/sheet1.xml", 3 * 1024 * 1024),
}


@pytest.mark.parametrize("craft", CRAFTED.values(), ids=CRAFTED.keys())
def test_a_crafted_xlsx_is_refused_before_openpyxl_reads_it(app, craft, monkeypatch):
    data = craft(xlsx_bytes())
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not read a refused file")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(InvalidInput, match="bom nén"):
        importer.parse(data, "x.xlsx")


def test_a_row_with_a_huge_number_of_cells_is_refused(app):
    data = with_part(xlsx_bytes(), "xl/worksheets/sheet1.xml",
                     wide_row(importer.XLSX_MAX_CELLS_IN_ROW + 1))
    assert len(data) < 100_000  # small on disk: the point is what openpyxl would build
    with pytest.raises(InvalidInput, match="dòng quá nhiều ô"):
        importer.parse(data, "x.xlsx")


def test_a_zip_with_too_many_entries_is_refused(app):
    out = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
        for i in range(importer.XLSX_MAX_ENTRIES):
            dst.writestr(f"xl/media/x{i}.bin", b"")
    with pytest.raises(InvalidInput, match="quá nhiều thành phần"):
        importer.parse(out.getvalue(), "x.xlsx")


def test_a_crafted_xlsx_upload_is_a_422_in_vietnamese_and_nothing_is_staged(app, people,
                                                                           in_db):
    admin = client_for(app, "admin")
    data = lie_about_size(xlsx_bytes(), "xl/worksheets/sheet1.xml", 2_000_000_000)
    response = post_file(admin, "/tthc/import", data, name="bom.xlsx")
    assert response.status_code == 422
    assert "bom nén" in response.get_data(as_text=True)
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(TthcImport)) == 0
    # a real export still reads
    assert importer.parse(xlsx_bytes(), "x.xlsx").rows[0].code == ROWS[0][0]


def test_the_generalised_zip_check_still_guards_docx(app):
    from isodoc.documents import docx_safety

    entry = zipfile.ZipInfo("word/document.xml")
    entry.file_size, entry.compress_size = 300 * 1024 * 1024, 1024
    with pytest.raises(InvalidInput, match="bom nén"):
        docx_safety.check_zip_entries([entry])


# -- D2: a TTHC's page shows other agencies' coverage only to the province's view ------

def test_tthc_page_and_api_show_other_agencies_coverage_only_to_the_province(app, people,
                                                                             token_for):
    load(app)
    author = client_for(app, "himlam.soanthao")
    page = author.get("/tthc/1.001193").get_data(as_text=True)
    assert "Đăng ký khai sinh" in page and "UBND phường Him Lam" in page
    assert "UBND xã Búng Lao" not in page
    page = author.get("/tthc/2.001023").get_data(as_text=True)  # a province TTHC
    assert "Sở Tư pháp" in page  # the TTHC's own executing body, from the catalog
    assert "/agencies/so-tu-phap" not in page
    admin = client_for(app, "admin")
    page = admin.get("/tthc/1.001193").get_data(as_text=True)
    assert "UBND phường Him Lam" in page and "UBND xã Búng Lao" in page

    api = app.test_client()
    detail = api.get("/api/v1/tthc/1.001193", headers=token_for("himlam.soanthao")).get_json()
    assert [a["agency"] for a in detail["agencies"]] == ["dbp-him-lam"]
    assert api.get("/api/v1/tthc/2.001023",
                   headers=token_for("himlam.soanthao")).get_json()["agencies"] == []
    detail = api.get("/api/v1/tthc/1.001193", headers=token_for("sokhcn")).get_json()
    assert {a["agency"] for a in detail["agencies"]} == {"dbp-him-lam", "mang-bung-lao"}


# -- D3: one draft in progress per TTHC ----------------------------------------------

def test_a_tthc_with_a_draft_in_progress_offers_it_and_refuses_a_second(app, people,
                                                                        in_db):
    from isodoc.documents.models import Document, Revision
    from tests.conftest import csrf_token

    load(app)
    author = client_for(app, "himlam.soanthao")
    first = author.post("/agencies/dbp-him-lam/coverage/1.001193/draft",
                        data={"csrf_token": csrf_token(author, "/")})
    assert first.status_code == 302
    draft_path = first.headers["Location"]
    page = author.get("/agencies/dbp-him-lam/coverage?state=missing").get_data(as_text=True)
    row = page[page.index(">1.001193<"):]
    row = row[:row.index("</tr>")]
    assert "Đang soạn" in row and draft_path in row
    assert "Soạn quy trình" not in row and "Áp dụng quy trình mẫu" not in row
    assert "Soạn quy trình" in page  # the other missing TTHC still offer it

    second = author.post("/agencies/dbp-him-lam/coverage/1.001193/draft",
                         data={"csrf_token": csrf_token(author, "/")}, follow_redirects=True)
    text = second.get_data(as_text=True)
    assert "đã có dự thảo QT-TTHC-1.001193" in text and draft_path in text
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(Revision).join(Document).where(
            Revision.tthc_code == "1.001193")) == 1


# -- D4: API validation messages in Vietnamese ---------------------------------------

def test_an_unknown_level_is_refused_in_vietnamese(app, people, token_for):
    response = app.test_client().get("/api/v1/tthc?level=thon",
                                     headers=token_for("himlam.soanthao"))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Must be one of" not in text and ", tinh" not in text
    assert response.get_json()["errors"]["query"]["level"] == [
        "Cấp thực hiện không hợp lệ «thon»: chỉ nhận tinh, huyen, xa (tỉnh, huyện, xã); bỏ "
        "trống để lấy mọi cấp."]


# -- D5: smaller defects -------------------------------------------------------------

def test_csv_charset_once_paging_message_obsolete_previews_and_vietnamese_percent(
        app, people):
    from tests.conftest import csrf_token

    load(app)
    admin = client_for(app, "admin")
    for url in ("/tthc/coverage.csv", "/agencies/dbp-him-lam/coverage.csv"):
        assert admin.get(url).headers["Content-Type"] == "text/csv; charset=utf-8"

    response = admin.get("/tthc/?page=0")
    assert response.status_code == 400
    assert "Số trang phải là số nguyên từ 1 đến" in response.get_data(as_text=True)

    first = post_file(admin, "/tthc/import", xlsx_bytes(ROWS[:5]), name="a.xlsx")
    second = post_file(admin, "/tthc/import", xlsx_bytes(ROWS[:4]), name="b.xlsx")
    second_path = second.headers["Location"]
    assert admin.post(second_path + "/apply", data={
        "csrf_token": csrf_token(admin, second_path), "decision": "QĐ 2"}).status_code == 302
    page = admin.get(first.headers["Location"]).get_data(as_text=True)
    assert "đã lỗi thời" in page and "Áp dụng danh mục</button>" not in page
    listing = admin.get("/tthc/import").get_data(as_text=True)
    assert "Chờ áp dụng" not in listing and "Đã lỗi thời" in listing

    from tests.test_tthc import issue_procedure

    issue_procedure(app, "QT-01", "1.001193")
    page = admin.get("/agencies/dbp-him-lam/coverage").get_data(as_text=True)
    assert "(33,3%)" in page and "33.3%" not in page


def test_adopting_a_model_and_one_click_drafting_refuse_each_other(app, people, in_db):
    from isodoc.auth.models import User
    from isodoc.documents.models import Document
    from isodoc.policy import SYSTEM
    from isodoc.tthc import adoption, drafting
    from isodoc.tthc import services as tthc_services
    from tests.conftest import agency
    from tests.test_tthc import issue_procedure

    load(app)
    issue_procedure(app, "QT-KS", "1.001193")
    with app.app_context():
        from isodoc.extensions import db

        def user(name):
            return db.session.scalars(select(User).where(User.username == name)).one()

        tthc = tthc_services.get("1.001193")
        model = adoption.publish(tthc, db.session.scalars(select(Document)).one(), SYSTEM)
        bunglao = agency("mang-bung-lao")
        drafting.draft_from_tthc(bunglao, tthc, user("bunglao.thuky"))
        db.session.commit()
        with pytest.raises(InvalidInput, match="đã có dự thảo QT-TTHC-1.001193"):
            adoption.adopt(model, bunglao, user("bunglao.thuky"))
        db.session.rollback()
    page = client_for(app, "bunglao.thuky").get("/agencies/mang-bung-lao/coverage") \
        .get_data(as_text=True)
    row = page[page.index(">1.001193<"):]
    row = row[:row.index("</tr>")]
    assert "Đang soạn" in row and "Áp dụng quy trình mẫu" not in row
