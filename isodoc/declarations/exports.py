"""The declaration decision (quyết định công bố HTQLCL phù hợp TCVN ISO 9001:2015) and
its notice to the Sở KH&CN (thông báo), as .docx in the administrative layout of every
document isodoc writes (isodoc/officedocs/layout.py). Both are filed: they stay
Vietnamese whatever the interface's language, built under force_locale("vi") so the
shared helpers they call stay Vietnamese too."""
# i18n: vietnamese-only (the declaration decision and notice, officially filed documents)

from __future__ import annotations

import re
from datetime import date

from docx.shared import Pt
from flask_babel import force_locale

from isodoc.agencies.models import Agency
from isodoc.declarations.models import Declaration
from isodoc.officedocs import layout
from isodoc.timeutil import format_date

BASIS = (
    "Căn cứ Quyết định số 19/2014/QĐ-TTg ngày 05/3/2014 của Thủ tướng Chính phủ về việc áp "
    "dụng Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2008 vào hoạt "
    "động của các cơ quan, tổ chức thuộc hệ thống hành chính nhà nước;",
    "Căn cứ Thông tư số 26/2014/TT-BKHCN ngày 10/10/2014 của Bộ Khoa học và Công nghệ quy "
    "định chi tiết thi hành Quyết định số 19/2014/QĐ-TTg;",
    "Căn cứ Quyết định số 4109/QĐ-BKHCN ngày 31/12/2015 của Bộ trưởng Bộ Khoa học và Công "
    "nghệ công bố Tiêu chuẩn quốc gia TCVN ISO 9001:2015 Hệ thống quản lý chất lượng - Các "
    "yêu cầu;",
)
SUBJECT = "Về việc công bố Hệ thống quản lý chất lượng phù hợp Tiêu chuẩn quốc gia {standard}"


def province_of(agency: Agency) -> str:
    """"tỉnh Điện Biên" from the registry's root ("UBND tỉnh Điện Biên")."""
    root = agency.lineage()[-1].name
    return re.sub(r"^(UBND|Ủy ban nhân dân)\s+", "", root).strip()


def full_name(agency: Agency) -> str:
    return re.sub(r"^UBND\b", "Ủy ban nhân dân", agency.name.strip())


def signer_of(title: str, name: str) -> str:
    """The signer's title before the agency's name, without saying a word twice where
    they meet ("Giám đốc Sở" + "Sở Tư pháp" → "Giám đốc Sở Tư pháp")."""
    words, named = title.split(), name.split()
    for n in range(min(len(words), len(named)), 0, -1):
        if [w.lower() for w in words[-n:]] == [w.lower() for w in named[:n]]:
            return " ".join(words[:-n] + named)
    return f"{title} {name}".strip()


def place(agency: Agency) -> str:
    return re.sub(r"^(tỉnh|thành phố)\s+", "", province_of(agency))


def place_date(agency: Agency, on: date) -> str:
    return f"{place(agency)}, ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"


def _numbered(doc, text: str, bold: str = "") -> None:
    p = layout.paragraph(doc, "")
    if bold:
        p.add_run(layout.x(bold)).bold = True
    p.add_run(layout.x(text))


def _scope(doc, declaration: Declaration) -> None:
    layout.page_break(doc)
    layout.title_block(doc, ["PHỤ LỤC", "PHẠM VI ÁP DỤNG HỆ THỐNG QUẢN LÝ CHẤT LƯỢNG"])
    layout.centred(doc, f"(Kèm theo Quyết định số {declaration.decision_no} ngày "
                        f"{format_date(declaration.decided_on)})", italic=True,
                   space_after=Pt(6))
    layout.paragraph(doc, "1. Tài liệu của hệ thống đang có hiệu lực", bold=True, indent=False)
    layout.table(doc, ["TT", "Mã hiệu", "Tên tài liệu", "Lần ban hành", "Ngày hiệu lực"],
                 [[str(i), d.code, d.title, str(d.revision_number),
                   format_date(d.effective_date)]
                  for i, d in enumerate(declaration.documents, start=1)],
                 widths=layout.shares(doc, [7, 18, 47, 12, 16]), centre_columns=(0, 3, 4))
    layout.paragraph(doc, "", space_after=Pt(6))
    layout.paragraph(doc, "2. Thủ tục hành chính thuộc phạm vi", bold=True, indent=False)
    if declaration.tthc:
        layout.table(doc, ["TT", "Mã TTHC", "Tên thủ tục hành chính", "Quy trình"],
                     [[str(i), t.tthc_code, t.name, t.document_code or "Chưa có"]
                      for i, t in enumerate(declaration.tthc, start=1)],
                     widths=layout.shares(doc, [7, 15, 58, 20]), centre_columns=(0,))
    else:
        layout.paragraph(doc, "Đơn vị không có thủ tục hành chính phải giải quyết theo danh "
                              "mục TTHC của tỉnh tại thời điểm công bố.")


def _properties(doc, declaration: Declaration, title: str) -> None:
    core = doc.core_properties
    core.title = title
    core.subject = layout.x(declaration.agency.name)[:255]
    core.author = core.last_modified_by = layout.x(declaration.agency.name)[:255]
    core.comments = "Xuất từ ISO điện tử"
    layout.set_custom_properties(doc, {"isodoc-agency": declaration.agency.code,
                                       "isodoc-declaration": declaration.decision_no})


def decision_docx(declaration: Declaration) -> bytes:
    with force_locale("vi"):
        return _decision_docx(declaration)


def notice_docx(declaration: Declaration) -> bytes:
    with force_locale("vi"):
        return _notice_docx(declaration)


def _decision_docx(declaration: Declaration) -> bytes:
    agency = declaration.agency
    doc = layout.new_document()
    layout.page_headers(doc)
    layout.header_block(doc, agency, place_date=place_date(agency, declaration.decided_on))
    layout.centred(doc, f"Số: {declaration.decision_no}", size=Pt(13), space_after=Pt(6))
    layout.title_block(doc, ["QUYẾT ĐỊNH", SUBJECT.format(standard=declaration.standard)])
    layout.centred(doc, signer_of(declaration.signer_title, full_name(agency)).upper(),
                   bold=True, space_after=Pt(6))
    for line in BASIS:
        layout.paragraph(doc, line, italic=True)
    layout.paragraph(doc, f"Xét đề nghị của Ban chỉ đạo ISO {agency.name},", italic=True)
    layout.centred(doc, "QUYẾT ĐỊNH:", bold=True, space_after=Pt(6))
    _numbered(doc, f" Công bố Hệ thống quản lý chất lượng của {agency.name} phù hợp Tiêu "
                   f"chuẩn quốc gia {declaration.standard}, áp dụng cho "
                   f"{len(declaration.documents)} tài liệu của hệ thống và "
                   f"{len(declaration.covered_tthc)} thủ tục hành chính có quy trình giải "
                   "quyết (phạm vi tại Phụ lục kèm theo).", "Điều 1.")
    _numbered(doc, " Quyết định này có hiệu lực kể từ ngày ký.", "Điều 2.")
    _numbered(doc, " Ban chỉ đạo ISO, các phòng, bộ phận và cán bộ, công chức thuộc "
                   f"{agency.name} chịu trách nhiệm thi hành Quyết định này.", "Điều 3.")
    layout.signature_block(doc, ["Như Điều 3;",
                                 f"Sở Khoa học và Công nghệ {province_of(agency)} (để báo cáo);",
                                 "Lưu: VT."], declaration.signer_title, declaration.signer)
    _scope(doc, declaration)
    _properties(doc, declaration, "Quyết định công bố HTQLCL")
    return layout.save(doc)


def _notice_docx(declaration: Declaration) -> bytes:
    agency = declaration.agency
    doc = layout.new_document()
    layout.page_headers(doc)
    layout.header_block(doc, agency, place_date=place_date(agency, declaration.decided_on))
    layout.centred(doc, "Số: ....../TB", size=Pt(13), space_after=Pt(6))
    layout.title_block(doc, ["THÔNG BÁO", SUBJECT.format(standard=declaration.standard)])
    layout.centred(doc, f"Kính gửi: Sở Khoa học và Công nghệ {province_of(agency)}.",
                   space_after=Pt(6))
    layout.paragraph(doc, f"Thực hiện Quyết định số 19/2014/QĐ-TTg ngày 05/3/2014 của Thủ "
                          f"tướng Chính phủ và Thông tư số 26/2014/TT-BKHCN ngày 10/10/2014 "
                          f"của Bộ Khoa học và Công nghệ, {agency.name} thông báo đã xây "
                          "dựng, áp dụng và công bố Hệ thống quản lý chất lượng phù hợp Tiêu "
                          f"chuẩn quốc gia {declaration.standard} theo Quyết định số "
                          f"{declaration.decision_no} ngày {format_date(declaration.decided_on)}"
                          f" của {signer_of(declaration.signer_title, agency.name)}.")
    layout.paragraph(doc, f"Phạm vi áp dụng: {len(declaration.documents)} tài liệu của hệ "
                          f"thống đang có hiệu lực; {len(declaration.covered_tthc)}/"
                          f"{len(declaration.tthc)} thủ tục hành chính đơn vị phải giải quyết "
                          "có quy trình (danh mục kèm theo).")
    layout.paragraph(doc, f"{agency.name} cam kết duy trì, cải tiến Hệ thống quản lý chất "
                          "lượng và thông báo lại khi phạm vi áp dụng thay đổi.")
    layout.paragraph(doc, f"Gửi kèm: Quyết định số {declaration.decision_no} ngày "
                          f"{format_date(declaration.decided_on)}.", italic=True)
    layout.signature_block(doc, ["Như trên;", "Lưu: VT."], declaration.signer_title,
                           declaration.signer)
    _scope(doc, declaration)
    _properties(doc, declaration, "Thông báo công bố HTQLCL")
    return layout.save(doc)
