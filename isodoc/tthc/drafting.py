"""From the catalog to procedures: a draft started from a TTHC in the standard structure,
who covers a TTHC, and the secretaries' work list when a TTHC changed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import has_request_context, url_for
from sqlalchemy import or_, select

from isodoc import policy
from isodoc.agencies.models import Agency, AgencyKind
from isodoc.auth.models import Role, User
from isodoc.documents import services as documents
from isodoc.documents.models import Document, DocumentKind, Revision, RevisionState
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.policy import Action
from isodoc.tthc import coverage
from isodoc.tthc.models import Tthc, TthcBody, TthcBodyMap

LEVEL_PLACE = {"xa": "UBND cấp xã", "huyen": "UBND cấp huyện",  # i18n: vi-only
               "tinh": "cơ quan cấp tỉnh"}  # i18n: vi-only


def document_code(tthc: Tthc) -> str:
    return f"QT-TTHC-{tthc.code}"


def references(legal_basis: str) -> list[str]:
    """Căn cứ pháp lý as a list: one reference per line or per `;`."""
    parts = [p.strip(" -•\t") for p in re.split(r"[;\n]", legal_basis or "")]
    return [p for p in parts if p]


def draft_body(tthc: Tthc, agency: Agency) -> str:
    """The standard structure of a TTHC procedure, filled from the catalog: the author
    completes conditions, dossier, steps, forms and records. The procedure's own text:
    in Vietnamese whatever the author's interface language."""
    refs = "\n".join(f"- {r}" for r in references(tthc.legal_basis)) or "- "
    place = agency.name
    purpose = (f"Quy định trình tự, thủ tục giải quyết thủ tục hành chính «{tthc.name}» "
               f"(mã {tthc.code}) tại {place}, bảo đảm đúng pháp luật và đúng thời "
               "hạn.")  # i18n: vi-only
    scope = (f"Áp dụng cho việc giải quyết thủ tục «{tthc.name}» thuộc thẩm quyền của "
             f"{place}; lĩnh vực: {tthc.field or '…'}.")  # i18n: vi-only
    decision = (f"- Quyết định công bố: {tthc.decision_no}."  # i18n: vi-only
                if tthc.decision_no else "")
    time_limit = tthc.time_limit or \
        "(Ghi thời hạn giải quyết theo quyết định công bố.)"  # i18n: vi-only
    fee = tthc.fee or "Không."  # i18n: vi-only
    return f"""## 1. Mục đích

{purpose}

## 2. Phạm vi

{scope}

## 3. Tài liệu viện dẫn

{refs}
- TCVN ISO 9001:2015.
{decision}

## 4. Định nghĩa, viết tắt

- **TTHC**: thủ tục hành chính.
- **TN&TKQ**: tiếp nhận và trả kết quả.

## 5. Nội dung quy trình

### 5.1. Điều kiện thực hiện

(Ghi điều kiện theo quyết định công bố; không có thì ghi «Không».)

### 5.2. Thành phần hồ sơ

| TT | Thành phần hồ sơ | Bản chính | Bản sao |
|---|---|---|---|
| 1 |  |  |  |

### 5.3. Số lượng hồ sơ

01 (một) bộ.

### 5.4. Thời gian xử lý

{time_limit}

### 5.5. Nơi tiếp nhận và trả kết quả

Bộ phận tiếp nhận và trả kết quả của {place} hoặc qua Cổng dịch vụ công.

### 5.6. Lệ phí

{fee}

### 5.7. Quy trình xử lý công việc

| Bước | Nội dung công việc | Trách nhiệm | Thời gian | Biểu mẫu/Kết quả |
|---|---|---|---|---|
| B1 | Tiếp nhận, kiểm tra hồ sơ; hướng dẫn bổ sung | Bộ phận TN&TKQ |  | Phiếu tiếp nhận |
| B2 | Thẩm định hồ sơ, dự thảo kết quả | Công chức chuyên môn |  |  |
| B3 | Phê duyệt, ký kết quả | Lãnh đạo |  |  |
| B4 | Trả kết quả | Bộ phận TN&TKQ |  |  |

## 6. Biểu mẫu

| TT | Mã hiệu | Tên biểu mẫu |
|---|---|---|
| 1 |  |  |

## 7. Hồ sơ cần lưu

| TT | Hồ sơ lưu | Trách nhiệm lưu | Thời gian lưu |
|---|---|---|---|
| 1 | Hồ sơ giải quyết TTHC | Công chức chuyên môn |  |
"""  # i18n: vi-only


def must_cover(agency: Agency, tthc: Tthc) -> bool:
    return db.session.scalar(select(Tthc.id).where(Tthc.id == tthc.id,
                                                   coverage.obligation_filter(agency))) \
        is not None


OPEN_STATES = (RevisionState.DRAFT, RevisionState.IN_REVIEW, RevisionState.REVIEWED,
               RevisionState.APPROVED)


def open_drafts(agency: Agency, tthc_code: str | None = None) -> dict[str, Revision]:
    """The agency's revisions not yet issued nor cancelled, by the TTHC they name (one
    per TTHC: the earliest), whether written from scratch, one-click or adopted."""
    stmt = select(Revision).join(Document, Revision.document_id == Document.id).where(
        Document.agency_id == agency.id, Document.withdrawn_on.is_(None),
        Revision.tthc_code.is_not(None), Revision.state.in_(OPEN_STATES)) \
        .order_by(Revision.id)
    if tthc_code is not None:
        stmt = stmt.where(Revision.tthc_code == tthc_code)
    out: dict[str, Revision] = {}
    for revision in db.session.scalars(stmt):
        out.setdefault(revision.tthc_code, revision)
    return out


def draft_url(revision: Revision) -> str:
    return url_for("documents.draft", agency_code=revision.document.agency.code,
                   slug=revision.document.slug, seq=revision.seq)


def refuse_second_draft(agency: Agency, tthc: Tthc) -> None:
    """One procedure in progress per TTHC and agency: a second would compete with it."""
    if found := open_drafts(agency, tthc.code).get(tthc.code):
        names = {"agency": agency.name, "code": found.document.code, "seq": found.seq,
                 "tthc": tthc.code}
        if has_request_context():
            raise InvalidInput(_("%(agency)s đã có dự thảo %(code)s (dự thảo %(seq)s) đang soạn "
                                 "cho TTHC %(tthc)s: hãy tiếp tục dự thảo đó tại %(url)s thay "
                                 "vì tạo thêm.", url=draft_url(found), **names))
        raise InvalidInput(_("%(agency)s đã có dự thảo %(code)s (dự thảo %(seq)s) đang soạn "
                             "cho TTHC %(tthc)s: hãy tiếp tục dự thảo đó thay vì tạo thêm.",
                             **names))  # the command line: no URL


def draft_from_tthc(agency: Agency, tthc: Tthc, actor: User) -> Revision:
    """A new TTHC procedure draft for a TTHC the agency must cover, through the usual
    document-creation command (same checks, same workflow afterwards)."""
    policy.require(actor, Action.DOC_CREATE, agency)
    if tthc.abolished_on is not None:
        raise InvalidInput(_("TTHC %(code)s đã bị bãi bỏ.", code=tthc.code))
    if not must_cover(agency, tthc):
        raise InvalidInput(_("%(agency)s không phải thực hiện TTHC %(code)s.",
                             agency=agency.name, code=tthc.code))
    refuse_second_draft(agency, tthc)
    fields = documents.DocumentFields(
        title=f"Quy trình giải quyết TTHC: {tthc.name}"[:300],  # i18n: vi-only
        kind=DocumentKind.TTHC,
        tthc_code=tthc.code, field=tthc.field[:120], iso_clauses="8.1 8.2 8.5.1")
    return documents.create_document(agency, actor, document_code(tthc), fields,
                                     draft_body(tthc, agency))


@dataclass
class Coverer:
    agency: Agency
    procedure: coverage.Procedure | None
    state: str


def who_covers(tthc: Tthc) -> list[Coverer]:
    """The agencies that must cover the TTHC, each with its procedure in force."""
    if tthc.abolished_on is not None:
        return []
    conditions = [Agency.id.in_(select(TthcBodyMap.agency_id).join(TthcBody).where(
        TthcBody.tthc_id == tthc.id))] if tthc.at_province else []
    if tthc.at_commune:
        conditions.append(Agency.kind == AgencyKind.COMMUNE)
    if tthc.at_district:
        conditions.append(Agency.kind == AgencyKind.DISTRICT)
    if not conditions:
        return []
    agencies = db.session.scalars(select(Agency).where(
        Agency.dissolved_on.is_(None), or_(*conditions)).order_by(Agency.name)).all()
    procedures = {p.agency_id: p for p in coverage.in_force_procedures([a.id for a in agencies])
                  if p.tthc_code == tthc.code}
    return [Coverer(a, procedures.get(a.id), coverage.state_of(tthc, procedures.get(a.id)))
            for a in agencies]


def visible_coverers(tthc: Tthc, user: User) -> tuple[list[Coverer], bool]:
    """`who_covers` as `user` may see it (policy COVERAGE_VIEW): every agency for those who
    see the province's coverage, else only the agencies whose coverage the user may see.
    The flag says whether the list is the whole one."""
    rows = who_covers(tthc)
    if policy.can(user, Action.COVERAGE_PROVINCE):
        return rows, True
    return [r for r in rows if policy.can(user, Action.COVERAGE_VIEW, r.agency)], False


def visible_standings(standings: list, user: User) -> list:
    """A model's adopters, filtered as `visible_coverers`."""
    if policy.can(user, Action.COVERAGE_PROVINCE):
        return standings
    return [s for s in standings if policy.can(user, Action.COVERAGE_VIEW, s.adoption.agency)]


def has_catalog() -> bool:
    return db.session.scalar(select(Tthc.id).limit(1)) is not None


def catalog_requires(agency: Agency, tthc_code: str, previous: str | None) -> None:
    """A TTHC procedure names a TTHC of the catalog that the agency must cover (once the
    province has a catalog; a code an earlier revision already had is kept, so documents
    written before the catalog stay editable)."""
    if not tthc_code or tthc_code == previous:
        return
    if not has_catalog():
        return  # no catalog imported yet: the code's form is all that can be checked
    tthc = db.session.scalar(select(Tthc).where(Tthc.code == tthc_code))
    if tthc is None:
        raise InvalidInput(_("Mã TTHC %(code)s không có trong danh mục TTHC của tỉnh: hãy "
                             "chọn thủ tục từ danh mục.", code=tthc_code))
    if tthc.abolished_on is not None:
        raise InvalidInput(_("TTHC %(code)s đã bị bãi bỏ, không thể gắn quy trình mới.",
                             code=tthc_code))
    if not must_cover(agency, tthc):
        raise InvalidInput(_("TTHC %(code)s (%(name)s) không thuộc các thủ tục %(agency)s phải "
                             "thực hiện.", code=tthc_code, name=tthc.name[:120],
                             agency=agency.name))


@dataclass
class StaleItem:
    code: str
    title: str
    agency: str
    url: str
    note: str


def stale_work(user: User) -> list[StaleItem]:
    """"TTHC đã thay đổi: cần sửa đổi quy trình": the procedures in force, in agencies
    where `user` is the secretary, whose TTHC changed after they took effect."""
    agencies = {m.agency_id: m.agency for m in user.memberships if m.role == Role.SECRETARY}
    if not agencies:
        return []
    procedures = coverage.in_force_procedures(list(agencies))
    codes = {p.tthc_code for p in procedures}
    changed = {t.code: t for t in db.session.scalars(select(Tthc).where(
        Tthc.code.in_(codes), Tthc.changed_at.is_not(None)))} if codes else {}
    out = []
    for p in procedures:
        tthc = changed.get(p.tthc_code)
        if tthc is not None and coverage.state_of(tthc, p) == coverage.STALE:
            agency = agencies[p.agency_id]
            out.append(StaleItem(p.code, p.title, agency.name, url_for(
                "documents.show", agency_code=agency.code, slug=p.slug),
                _("TTHC đã thay đổi: cần sửa đổi quy trình — %(note)s",
                  note=tthc.change_note[:300])))
    return out
