"""Word in: import a .docx as a new document (or a new draft revision of an existing
one), and save a draft edited in Word back onto it.

Both are commands (see isodoc/commands.py). Import always creates drafts, never an
issued revision: review and approval follow as for any draft. Every imported file is
recorded by its SHA-256 (`DocxImport`), so importing the same file into the same
agency again changes nothing. Conversion itself (`docx_safety.convert`) happens before
the command, outside the transaction: it reads only the uploaded bytes.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

from sqlalchemy import select

from isodoc import audit, policy
from isodoc.agencies.models import Agency
from isodoc.auth.models import Membership, Role, User
from isodoc.documents import attachments as attachments_of
from isodoc.documents import services
from isodoc.documents.docx_safety import Converted
from isodoc.documents.models import Document, DocumentKind, DocxImport, Revision, RevisionState
from isodoc.documents.repos import repo_for
from isodoc.documents.workflow import Transition
from isodoc.documents.workflow import require as require_state
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.policy import Action
from isodoc.textnorm import clean

HEX64 = re.compile(r"^[0-9a-f]{64}$")
CONTROL_KEYS = ("revision", "date", "drafted_by", "drafted_title", "reviewed_by",
                "reviewed_title", "approved_by", "approved_title")
# a code in a file name: "QT-07 Kiem soat ho so.docx", "QT.07_kiem-soat.docx"
FILENAME_CODE = re.compile(r"^((?:QT|HD|QD|STCL|BM|CS|MT|KH|TTHC)[ ._-]?\d{1,3}"
                           r"(?:[./_-][A-Z0-9]{1,10})*)", re.I)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def already_imported(agency: Agency, digest: str) -> DocxImport | None:
    return db.session.scalar(select(DocxImport).where(DocxImport.agency_id == agency.id,
                                                      DocxImport.sha256 == digest))


def code_from_filename(filename: str) -> str:
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    match = FILENAME_CODE.match(stem.strip())
    if not match:
        return ""
    code = match.group(1).upper().replace("_", "-")
    return re.sub(r"^([A-Z]+)[ .]?(\d)", r"\1-\2", code)


def title_from_filename(filename: str) -> str:
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = stem[len(FILENAME_CODE.match(stem).group(1)):] if FILENAME_CODE.match(stem) else stem
    return " ".join(re.sub(r"[_]+", " ", stem).strip(" -.").split())[:300]


def clean_control(control: dict) -> dict:
    """The control block's values as the front matter keeps them (dates ISO)."""
    out: dict = {}
    for key in CONTROL_KEYS:
        value = control.get(key)
        if value in (None, ""):
            continue
        if key == "revision":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise InvalidInput(_("Lần ban hành phải là một số (vd. 2).")) from None
            if not 1 <= value <= 999:
                raise InvalidInput(_("Lần ban hành phải từ 1 đến 999."))
        elif key == "date":
            value = value.isoformat() if isinstance(value, date) else clean(str(value))[:10]
            try:
                date.fromisoformat(value)
            except ValueError:
                raise InvalidInput(_("Ngày ban hành trong tệp không hợp lệ.")) from None
        else:
            value = clean(str(value))[:120]
        out[key] = value
    return out


def import_docx(agency: Agency, actor: User, *, digest: str, filename: str, code: str,
                fields: services.DocumentFields, body: str, control: dict,
                existing: Document | None = None, attachments: list[dict] | None = None
                ) -> Revision:
    """A new draft from an imported Word file: a new document, or the next revision of
    `existing` (which must be issued and have no open draft). The control block read
    from the file goes into the front matter under `imported`."""
    policy.require(actor, Action.DOC_CREATE, agency)
    if not HEX64.match(digest or ""):
        raise InvalidInput(_("Thiếu dấu vân tay của tệp; hãy tải tệp lên lại."))
    prior = already_imported(agency, digest)
    if prior is not None:
        raise InvalidInput(_("Tệp này đã được nhập trước đó thành %(code)s (%(title)s): "
                             "không nhập lại.", code=prior.document.code,
                             title=prior.document.title))
    # what the draft records of its source (and its change table prints): Vietnamese
    imported = {"file": clean(filename)[:255] or "tệp Word", "sha256": digest,  # i18n: vi-only
                **clean_control(control)}
    if existing is None:
        revision = services.create_document(agency, actor, code, fields, body,
                                            imported=imported, attachments=attachments)
    else:
        if existing.agency_id != agency.id:
            raise InvalidInput(_("Tài liệu không thuộc đơn vị này."))
        revision = services.start_revision(existing, actor)
        services.save_draft(revision, actor, revision.head_sha or "", fields, body,
                            change_location="Toàn bộ tài liệu",  # i18n: vi-only
                            change_summary=f"Nhập từ tệp Word {imported['file']}",  # i18n: vi-only
                            reason="", imported=imported, attachments=attachments)
    db.session.add(DocxImport(agency_id=agency.id, sha256=digest, document=revision.document,
                              revision=revision, filename=imported["file"],
                              imported_by_id=actor.id))
    audit.record("document.import_docx", "document",
                 f"{agency.code}/{revision.document.code}", actor=actor, agency_id=agency.id,
                 summary=f"nhập từ {imported['file']} (sha256 {digest[:12]}), "  # i18n: vi-only
                         f"dự thảo {revision.seq}")  # i18n: vi-only
    db.session.flush()
    return revision


def upload_to_draft(revision: Revision, actor: User, converted: Converted) -> str | None:
    """A draft edited in Word, saved back as the draft's next save. Refused as a stale
    save (StaleDraft, with the newer text) when the file says it was exported from
    another head than the draft's; None when it changes nothing (no new commit)."""
    require_state(Transition.SAVE, revision.state)
    policy.require(actor, Action.DOC_EDIT, revision)
    document = revision.document
    props = converted.properties
    if props.get("isodoc-code") and props["isodoc-code"] != document.code:
        raise InvalidInput(_("Tệp này là của tài liệu %(other)s, không phải %(code)s: hãy tải "
                             "lên đúng dự thảo.", other=props["isodoc-code"][:48],
                             code=document.code))
    meta, body = services.read_parts(revision)
    base = props.get("isodoc-base", "")
    if base and base != revision.head_sha:
        raise services.StaleDraft(revision.head_sha, body)
    new_body = services.check_body(converted.markdown)
    known = {a["blob"] for a in attachments_of.checked(meta.get("attachments"))}
    files = attachments_of.stored(repo_for(document.agency), converted.attachments) \
        if converted.attachments else []
    new_files = [f for f in files if f["blob"] not in known]
    if new_body.strip() == body.strip() and not new_files:
        return None
    fields = services.DocumentFields(
        title=revision.title, kind=DocumentKind(revision.kind),
        tthc_code=revision.tthc_code or "", field=revision.field or "",
        iso_clauses=revision.iso_clauses, review_months=revision.review_months)
    return services.save_draft(revision, actor, revision.head_sha or "", fields, new_body,
                               change_location=revision.change_location,
                               change_summary=revision.change_summary, reason=revision.reason,
                               attachments=new_files)


def default_author(agency: Agency) -> User | None:
    """Who the command line imports as when not told: the agency's first active
    secretary, else its first active author."""
    for role in (Role.SECRETARY, Role.AUTHOR):
        user = db.session.scalar(select(User).join(Membership).where(
            Membership.agency_id == agency.id, Membership.role == role,
            User.active.is_(True)).order_by(User.id).limit(1))
        if user is not None:
            return user
    return None


def fields_of(converted: Converted, title: str, kind: str | None = None
              ) -> services.DocumentFields:
    try:
        kind_enum = DocumentKind(kind or converted.kind)
    except ValueError:
        kind_enum = DocumentKind.INTERNAL
    return services.DocumentFields(title=title, kind=kind_enum,
                                   tthc_code=converted.tthc_code)


def import_file(agency: Agency, actor: User, path, tracked: str | None
                ) -> tuple[str, str]:
    """One file of a folder import: ("imported" | "skipped" | "failed", what to say).
    Each import is its own command (one commit), so a failure leaves the others. What it
    says is for the operator's console (`isodoc import-docx`), in Vietnamese."""
    from isodoc import commands
    from isodoc.documents import docx_safety
    from isodoc.documents.store import StoreError

    limit = docx_safety.max_bytes()
    if path.stat().st_size > limit:
        return "failed", "lỗi vì " + docx_safety.too_large_message(limit)  # i18n: vi-only
    data = path.read_bytes()
    digest = sha256(data)
    prior = already_imported(agency, digest)
    if prior is not None:
        return "skipped", f"bỏ qua vì đã nhập trước đó thành {prior.document.code}"  # i18n: vi-only
    try:
        converted = docx_safety.convert(data, tracked or "ask")
    except InvalidInput as exc:
        message = exc.message
        if "track changes" in message:
            message += " (dùng --tracked-changes accept hoặc reject)"  # i18n: vi-only
        return "failed", "lỗi vì " + message  # i18n: vi-only
    code = converted.code or code_from_filename(path.name)
    if not code:
        return "failed", ("lỗi vì không tìm thấy mã hiệu trong tệp (khối kiểm soát) hay tên "
                          "tệp (vd. «QT-07 Kiểm soát hồ sơ.docx»)")  # i18n: vi-only
    try:
        code = services.check_code(code)
    except InvalidInput as exc:
        return "failed", "lỗi vì " + exc.message  # i18n: vi-only
    clash = db.session.scalar(select(Document).where(Document.agency_id == agency.id,
                                                     Document.code == code))
    if clash is not None:
        return "skipped", f"bỏ qua vì đơn vị đã có tài liệu {code} ({clash.title})"  # i18n: vi-only
    title = converted.title or title_from_filename(path.name) or code
    try:
        files = attachments_of.stored(repo_for(agency), converted.attachments)
        revision = commands.run(import_docx, agency, actor, digest=digest, filename=path.name,
                                code=code, fields=fields_of(converted, title),
                                body=converted.markdown, control=converted.control,
                                attachments=files)
    except InvalidInput as exc:
        return "failed", "lỗi vì " + exc.message  # i18n: vi-only
    except StoreError as exc:
        return "failed", f"lỗi vì kho tài liệu đang bận hoặc gặp lỗi: {exc}"  # i18n: vi-only
    text = f"đã nhập thành {code} — {title} (dự thảo {revision.seq})"  # i18n: vi-only
    if converted.not_imported:
        text += "; chưa nhập: " + "; ".join(converted.not_imported)  # i18n: vi-only
    return "imported", text


def record_history(revision: Revision, actor: User, number: int, effective_date: date,
                   reason: str) -> str:
    """History migration: an imported draft recorded as the document's lần ban hành
    `number`, in force from `effective_date` (a past day), without the review and
    approval it had on paper before isodoc; the secretary's explicit action, with its
    reason in the commit and the audit log. One commit on main, as issuing writes."""
    from isodoc.documents import content
    from isodoc.documents.repos import person
    from isodoc.documents.store import DocumentMoved
    from isodoc.timeutil import today_local

    if revision.state != RevisionState.DRAFT:
        raise InvalidInput(_("Chỉ ghi nhận lần ban hành cũ cho dự thảo chưa trình xem xét."))
    policy.require(actor, Action.DOC_RECORD_HISTORY, revision)
    document = revision.document
    meta, body = services.read_parts(revision)
    imported = meta.get("imported")
    if not isinstance(imported, dict):
        raise InvalidInput(_("Chỉ dự thảo nhập từ tệp Word mới được ghi nhận là lần ban "
                             "hành cũ; bản mới phải qua xem xét và phê duyệt."))
    reason = clean(reason, multiline=True)[:2000]
    if not reason:
        raise InvalidInput(_("Hãy ghi lý do ghi nhận (vd. chuyển hồ sơ tài liệu giấy lên hệ "
                             "thống, Quyết định ban hành số ...)."))
    if not 1 <= number <= 999:
        raise InvalidInput(_("Lần ban hành phải từ 1 đến 999."))
    if effective_date > today_local():
        raise InvalidInput(_("Ngày hiệu lực của lần ban hành cũ phải là hôm nay hoặc trước "
                             "đó; ban hành mới thì theo quy trình xem xét, phê duyệt."))
    if document.withdrawn_on is not None or services.open_revision(document) is not revision:
        raise InvalidInput(_("Dự thảo này không còn mở."))
    earlier = services.issued(document)
    if earlier and number <= max(r.number or 0 for r in earlier):
        raise InvalidInput(_("%(code)s đã có lần ban hành %(number)s: lần ghi nhận phải lớn "
                             "hơn.", code=document.code,
                             number=max(r.number or 0 for r in earlier)))
    line = services.effective_line(document)
    if line and effective_date <= line[-1].effective_date:
        raise InvalidInput(_("Ngày hiệu lực phải sau ngày hiệu lực của lần %(number)s "
                             "(%(date)s).", number=line[-1].number,
                             date=line[-1].effective_date.strftime("%d/%m/%Y")))
    services.check_tthc_unique(document.agency, revision.tthc_code, document)
    on_paper = clean(str(imported.get("approved_by") or ""))[:120]
    meta.update(revision=number, effective_date=effective_date.isoformat(),
                approved_by=on_paper, supersedes=[],
                reviewed_by=[clean(str(imported["reviewed_by"]))[:120]]
                if imported.get("reviewed_by") else [])
    trailers = {"Document": document.code, "Revision": number,
                "Effective-date": effective_date.isoformat(), "Action": "record-history",
                **({"Approved-on-paper": on_paper} if on_paper else {}),
                "Issued-by": actor.username, "Isodoc-Revision": revision.id}
    message = services.commit_message(
        f"Ghi nhận {document.code} lần {number} (ban hành trước khi dùng isodoc, hiệu lực "
        f"từ {effective_date.strftime('%d/%m/%Y')}): {revision.title}",  # i18n: vi-only
        reason, trailers)
    try:
        sha = repo_for(document.agency).publish(
            document.slug, content.compose(meta, body), person(revision.author), person(actor),
            message, document.head_commit)
    except DocumentMoved:  # an earlier attempt wrote git and died before SQL
        landed = services._landed_on_main(document, {"Isodoc-Revision": str(revision.id),
                                                     "Action": "record-history"})
        if landed is None:
            raise InvalidInput(_("%(code)s vừa thay đổi; tải lại trang.",
                                 code=document.code)) from None
        sha, number = landed.sha, int(landed.trailers["Revision"])
        effective_date = date.fromisoformat(landed.trailers["Effective-date"])
    services.record_issue(revision, sha, number, effective_date, actor)
    audit.record("document.record_history", "document", f"{document.agency.code}/"
                 f"{document.code}", actor=actor, agency_id=document.agency_id,
                 summary=f"lần {number}, hiệu lực từ {effective_date.strftime('%d/%m/%Y')} "
                         f"(nhập từ {imported.get('file', 'tệp Word')}): "  # i18n: vi-only
                         f"{reason[:300]}")
    return sha
