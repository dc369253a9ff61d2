"""The smaller defects of issue 8 (defect 8): a never-issued draft's title shown to
anyone signed in, evidence attached by people who only read, the OpenAPI document's
X-Pagination and time stamps without a zone, uploads stored whatever their content."""

from __future__ import annotations

import io
import json
import struct
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from isodoc.auth.models import User
from isodoc.errors import InvalidInput
from isodoc.findings import services as findings
from isodoc.findings.models import Attachment, Finding, FindingSource, FindingType
from isodoc.policy import Action, can
from tests.conftest import agency, api_token, csrf_token, login
from tests.doc_helpers import BASE, create_from_template, issue_qt05

SECRET_TITLE = "Quy trình tiếp công dân (dự thảo mật)"
FINDINGS = "/agencies/so-tu-phap/findings"
OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")



def person(username: str) -> User:
    from isodoc.extensions import db

    return db.session.scalars(select(User).where(User.username == username)).one()


# -- (a) a never-issued draft's title ------------------------------------------------

def test_never_issued_draft_is_hidden_from_people_without_draft_access(staff, desk, in_db,
                                                                      app, make_user, client):
    assert create_from_template(desk("author"), title=SECRET_TITLE).status_code == 302
    urls = [f"{BASE}/qt-05", f"{BASE}/qt-05?print=1", f"{BASE}/qt-05/history",
            f"{BASE}/qt-05/revisions/1", f"{BASE}/qt-05/diff?a=d1&b=d1",
            f"{BASE}/qt-05/changes?a=d1&b=d1"]
    for who in ("reader", "outsider"):
        for url in urls:
            response = desk(who).get(url)
            assert response.status_code in (403, 404), (who, url, response.status_code)
            assert "dự thảo mật" not in response.get_data(as_text=True), (who, url)
        register = desk(who).get(f"{BASE}/").get_data(as_text=True)
        assert "dự thảo mật" not in register and "QT-05" not in register
    # the staff of the agency, and the province overseer, still see the draft
    for who in ("author", "secretary", "approver"):
        page = desk(who).get(f"{BASE}/qt-05")
        assert page.status_code == 200 and SECRET_TITLE in page.get_data(as_text=True), who
    overseer = app.test_client()
    login(overseer, make_user(("ubnd-tinh", "overseer")))
    assert overseer.get(f"{BASE}/qt-05").status_code == 200

    # the API tells a reader nothing either
    reader = api_token(in_db, "stp.congchuc")
    api = "/api/v1/agencies/so-tu-phap/documents"
    for url in (f"{api}/QT-05", f"{api}/QT-05/revisions", api):
        response = client.get(url, headers=reader)
        assert response.status_code in (200, 403, 404), url
        assert "dự thảo mật" not in response.get_data(as_text=True), url
        if response.status_code == 200:
            assert "QT-05" not in response.get_data(as_text=True), url


def test_issued_document_stays_open_to_every_signed_in_user(staff, desk, in_db):
    issue_qt05(desk, in_db)
    for who in ("reader", "outsider"):
        page = desk(who).get(f"{BASE}/qt-05")
        assert page.status_code == 200, who
        assert "Quy trình xem xét của lãnh đạo" in page.get_data(as_text=True)
        assert desk(who).get(f"{BASE}/qt-05/history").status_code == 200


# -- (b) who may attach evidence ---------------------------------------------------------

@pytest.fixture
def finding_id(staff, make_user, in_db) -> int:
    make_user(("ubnd-tinh", "overseer"), username="sokhcn")
    make_user(("ubnd-tinh", "admin"), username="quantri")
    with in_db() as s:
        people = {u.username: u for u in s.scalars(select(User))}
        finding = findings.raise_finding(agency("so-tu-phap"), people["stp.danhgia"],
                                         findings.FindingInput(
            type=FindingType.MINOR, clauses="8.5.1", requirement="Đúng hạn",
            observed="Trễ hạn 2 hồ sơ", source=FindingSource.LATE_DOSSIER, source_note="HS-1"))
        s.flush()
        return finding.id


def upload(client, finding_id: int, name: str, data: bytes):
    return client.post(f"{FINDINGS}/{finding_id}/attachments", data={
        "csrf_token": csrf_token(client, "/"), "attach-file": (io.BytesIO(data), name)},
        content_type="multipart/form-data", follow_redirects=True)


def stored(in_db) -> list[tuple[str, str]]:
    with in_db() as s:
        return [(a.filename, a.content_type) for a in s.scalars(select(Attachment))]


def test_overseer_and_admin_read_findings_but_attach_nothing(app, finding_id, in_db, desk):
    with app.app_context():
        finding = findings.db.session.get(Finding, finding_id)
        for username in ("sokhcn", "quantri"):
            assert can(person(username), Action.QA_VIEW, finding), username
            assert not can(person(username), Action.FINDING_ATTACH, finding), username
        for username in ("stp.thuky", "stp.danhgia", "stp.soanthao", "stp.lanhdao"):
            assert can(person(username), Action.FINDING_ATTACH, finding), username
        for username in ("stp.congchuc", "syt.thuky"):
            assert not can(person(username), Action.FINDING_ATTACH, finding), username
    for username in ("sokhcn", "quantri"):
        client = app.test_client()
        login(client, username)
        page = client.get(f"{FINDINGS}/{finding_id}").get_data(as_text=True)
        assert "Đính kèm</button>" not in page
        response = client.post(f"{FINDINGS}/{finding_id}/attachments", data={
            "csrf_token": csrf_token(client, "/"),
            "attach-file": (io.BytesIO(b"%PDF-1.7\n"), "bien-ban.pdf")},
            content_type="multipart/form-data")
        assert response.status_code == 403, username
    assert stored(in_db) == []
    upload(desk("secretary"), finding_id, "bien-ban.pdf", b"%PDF-1.7\n1 0 obj\n")
    assert stored(in_db) == [("bien-ban.pdf", "application/pdf")]


def test_the_finding_owner_outside_the_staff_roles_may_attach(app, finding_id, make_user):
    owner = make_user(("so-tu-phap", "reader"), username="chu.tri")
    with app.app_context():
        finding = findings.db.session.get(Finding, finding_id)
        assert not can(person(owner), Action.FINDING_ATTACH, finding)
        finding.owner = person(owner)
        findings.db.session.flush()
        assert can(person(owner), Action.FINDING_ATTACH, finding)
        findings.db.session.rollback()


# -- (c) the OpenAPI document and time zones -----------------------------------------------

def test_x_pagination_is_documented_as_a_json_string(client, finding_id, in_db):
    headers = api_token(in_db, "stp.thuky")
    spec = client.get("/api/v1/openapi.json", headers=headers).get_json()
    doc = spec["paths"]["/api/v1/findings"]["get"]["responses"]["200"]["headers"]["X-Pagination"]
    if "$ref" in doc:
        doc = spec["components"]["headers"][doc["$ref"].rsplit("/", 1)[1]]
    # a header is a string: either typed so, or its content declared as JSON text
    if "schema" in doc:
        assert doc["schema"].get("type") == "string", doc
    else:
        media = doc["content"]["application/json"]["schema"]
        name = media["$ref"].rsplit("/", 1)[1]
        assert "total" in spec["components"]["schemas"][name]["properties"]
    response = client.get("/api/v1/findings?page_size=1", headers=headers)
    metadata = json.loads(response.headers["X-Pagination"])
    assert metadata["total"] == 1 and metadata["page"] == 1


def test_api_time_stamps_carry_their_zone(client, finding_id, in_db):
    headers = api_token(in_db, "stp.thuky")
    for row in (client.get(f"/api/v1/findings/{finding_id}", headers=headers).get_json(),
                client.get("/api/v1/findings", headers=headers).get_json()[0]):
        raised = datetime.fromisoformat(row["raised_at"])
        assert raised.utcoffset() is not None, row["raised_at"]
        assert abs(datetime.now(UTC) - raised) < timedelta(minutes=5)  # the instant is right


def test_the_schema_helpers_write_naive_utc_with_an_offset():
    from isodoc.api.schemas import AwareDateTime, iso_datetime

    naive = datetime(2026, 11, 26, 3, 30)
    assert iso_datetime(naive) == "2026-11-26T03:30:00+00:00"
    assert iso_datetime(None) is None
    assert AwareDateTime()._serialize(naive, "at", None) == "2026-11-26T03:30:00+00:00"


# -- (d) evidence by content, not by name ---------------------------------------------------

def zip_bytes(entries: list[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for i, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and i == 0 else zipfile.ZIP_DEFLATED
            z.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


def ooxml(main: str) -> bytes:
    types = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Override PartName="/x/main.xml" ContentType="application/vnd.'
             f'openxmlformats-officedocument.{main}.main+xml"/></Types>')
    return zip_bytes([("[Content_Types].xml", types.encode()), ("x/main.xml", b"<x/>")])


def odf(kind: str) -> bytes:
    return zip_bytes([("mimetype", f"application/vnd.oasis.opendocument.{kind}".encode()),
                      ("content.xml", b"<office:document-content/>")], stored_first=True)


def compound(stream: str) -> bytes:
    """A minimal OLE2 compound file (legacy .doc/.xls): a FAT sector and a directory
    sector holding the root entry and one stream named `stream`."""
    header = bytearray(512)
    header[0:8] = OLE2_MAGIC
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)  # version, byte order, 512 B
    struct.pack_into("<IIII", header, 44, 1, 1, 0, 0x1000)  # 1 FAT sector; directory at 1
    struct.pack_into("<IIII", header, 60, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    header[76:512] = b"\xff" * 436
    struct.pack_into("<I", header, 76, 0)  # the FAT is sector 0
    fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE) + b"\xff" * 504
    directory = bytearray(512)
    none = 0xFFFFFFFF
    for i, (name, kind, child) in enumerate((("Root Entry", 5, 1), (stream, 2, none))):
        raw = name.encode("utf-16-le") + b"\0\0"
        entry = bytearray(128)
        entry[:len(raw)] = raw
        struct.pack_into("<HBBIII", entry, 64, len(raw), kind, 1, none, none, child)
        directory[i * 128:(i + 1) * 128] = entry
    return bytes(header) + fat + bytes(directory)


def docx_from_python_docx() -> bytes:
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


GOOD = [
    ("bien-ban.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
    ("BIEN-BAN.PDF", b"%PDF-1.7\n", "application/pdf"),
    ("anh.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image/png"),
    ("anh.jpg", b"\xff\xd8\xff\xe0\0\x10JFIF\0", "image/jpeg"),
    ("anh.jpeg", b"\xff\xd8\xff\xe1\0\x10Exif\0", "image/jpeg"),
    ("bao-cao.xlsx", ooxml("spreadsheetml.sheet"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("bao-cao.odt", odf("text"), "application/vnd.oasis.opendocument.text"),
    ("so-lieu.ods", odf("spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet"),
    ("cong-van.doc", compound("WordDocument"), "application/msword"),
    ("so-lieu.xls", compound("Workbook"), "application/vnd.ms-excel"),
    ("ghi-chu.txt", "Biên bản họp ngày 26/11/2026\n\tý kiến".encode(), "text/plain"),
]
BAD = [
    ("bien-ban.pdf", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),      # an image named .pdf
    ("anh.png", b"<html><script>alert(1)</script></html>"),  # HTML named .png
    ("anh.jpg", b"%PDF-1.4\n"),
    ("bao-cao.docx", zip_bytes([("word/document.xml", b"<w/>")])),  # a zip, no content types
    ("bao-cao.docx", ooxml("spreadsheetml.sheet")),           # a workbook named .docx
    ("so-lieu.xlsx", ooxml("wordprocessingml.document")),
    ("bao-cao.odt", odf("spreadsheet")),
    ("bao-cao.odt", zip_bytes([("content.xml", b"<x/>"), ("mimetype", b"x")])),
    ("cong-van.doc", compound("Workbook")),
    ("so-lieu.xls", compound("WordDocument")),
    ("cong-van.doc", OLE2_MAGIC + b"\0" * 100),     # a header and nothing else
    ("ghi-chu.txt", b"MZ\x90\0\x03\0\0\0"),                   # a program named .txt
    ("ghi-chu.txt", b"\xff\xfe\xfa broken utf-8"),
    ("virus.exe", b"MZ\x90\0"),
    ("bien-ban", b"%PDF-1.4\n"),                              # no extension
]


@pytest.mark.parametrize("name,data,content_type", GOOD)
def test_listed_types_are_accepted_by_their_content(app, finding_id, name, data, content_type):
    with app.app_context():
        finding = findings.db.session.get(Finding, finding_id)
        item = findings.attach(finding, person("stp.thuky"), name, data, "finding")
        assert item.content_type == content_type
        findings.db.session.rollback()


def test_a_real_word_document_is_accepted(app, finding_id):
    with app.app_context():
        finding = findings.db.session.get(Finding, finding_id)
        item = findings.attach(finding, person("stp.thuky"), "bien-ban.docx",
                               docx_from_python_docx(), "finding")
        assert item.content_type.endswith("wordprocessingml.document")
        findings.db.session.rollback()


@pytest.mark.parametrize("name,data", BAD)
def test_content_that_does_not_match_the_name_is_refused(app, finding_id, name, data):
    with app.app_context():
        finding = findings.db.session.get(Finding, finding_id)
        with pytest.raises(InvalidInput) as refused:
            findings.attach(finding, person("stp.thuky"), name, data, "finding")
        assert "Tệp" in refused.value.message or "tệp" in refused.value.message
        findings.db.session.rollback()


def test_a_mismatch_over_the_web_stores_nothing(app, finding_id, in_db, desk):
    folder = app.config["ISODOC_ATTACHMENTS_PATH"]
    before = sorted(str(p) for p in Path(folder).rglob("*"))
    page = upload(desk("secretary"), finding_id, "bien-ban.pdf",
                  b"<html><script>alert(1)</script></html>").get_data(as_text=True)
    assert "không đúng định dạng" in page
    assert stored(in_db) == []
    assert sorted(str(p) for p in Path(folder).rglob("*")) == before


def test_a_zip_of_too_many_entries_is_refused_before_it_is_parsed():
    from isodoc import filetypes

    crowded = zip_bytes([("[Content_Types].xml", b"<Types/>")] +
                        [(f"x/{i}.xml", b"") for i in range(filetypes.ZIP_MAX_ENTRIES)])
    assert filetypes.sniff(crowded) is None
    assert filetypes.sniff(ooxml("wordprocessingml.document")) is filetypes.DOCX


def test_a_zip_bomb_is_refused_without_inflating_it(app, finding_id):
    huge = b"<Types/>" + b" " * (64 * 1024 * 1024)  # 64 MB of XML, a few dozen KB zipped
    bomb = zip_bytes([("[Content_Types].xml", huge)])
    assert len(bomb) < 1024 * 1024
    with app.app_context():
        finding = findings.db.session.get(Finding, finding_id)
        started = time.monotonic()
        with pytest.raises(InvalidInput):
            findings.attach(finding, person("stp.thuky"), "bao-cao.docx", bomb, "finding")
        assert time.monotonic() - started < 1.0
        findings.db.session.rollback()
