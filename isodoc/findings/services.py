"""Findings and corrective actions: raise, propose, return, accept, implement, verify
(effective or not), close, dismiss; link a document revision; attach evidence.

Every change is a command (see isodoc/commands.py): it asks the policy and the
corrective-action state table itself, flushes, never commits, and records an event
and an audit-log row."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import and_, func, or_, select

from isodoc import audit as audit_log
from isodoc import filetypes, policy
from isodoc.agencies.models import Agency
from isodoc.atomicfile import write_atomically
from isodoc.audits.models import Audit, AuditState, ChecklistItem, CheckResult
from isodoc.audits.services import parse_clauses
from isodoc.auth.models import User
from isodoc.documents import services as documents
from isodoc.documents.models import Document, Revision, RevisionState
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.findings.models import (
    Attachment,
    Finding,
    FindingClause,
    FindingEvent,
    FindingSource,
    FindingState,
    FindingType,
)
from isodoc.findings.workflow import Step, allowed, target
from isodoc.i18n import _
from isodoc.inspections.models import Inspection
from isodoc.policy import STEP_ACTIONS, Action
from isodoc.textnorm import nfc
from isodoc.timeutil import format_date, today_local, utcnow

F = FindingState
TEXT_MAX = 10_000
RESPONSE_DAYS = 15  # default time to propose an action, as agencies' QT "KPH" procedures set
ATTACHMENT_MAX = 10 * 1024 * 1024


def _text(value: str, what: str, required: bool = True) -> str:
    """`what` names the field in the refusal, already in the interface's language."""
    value = nfc(value)
    if required and not value:
        raise InvalidInput(_("Vui lòng nhập %(what)s.", what=what))
    if len(value) > TEXT_MAX:
        raise InvalidInput(_("%(what)s quá dài (tối đa 10.000 ký tự).",
                             what=what[:1].upper() + what[1:]))
    return value


def _event(finding: Finding, actor: User | None, action: str, from_state: str,
           comment: str = "") -> None:
    finding.events.append(FindingEvent(actor=actor, action=action, from_state=from_state,
                                       to_state=finding.state, comment=comment))
    finding.updated_at = utcnow()
    with force_locale("vi"):  # the activity log keeps Vietnamese summaries: the record
        summary = f"{finding.code}: {F(from_state).label} → {F(finding.state).label}"
    audit_log.record(f"finding.{action}", "finding", finding.id, agency_id=finding.agency_id,
                     summary=summary + (f" — {comment}" if comment else ""))


def _authorise(finding: Finding, actor: User, step: Step) -> None:
    """The two questions every step asks first: does the state table allow it from
    here (a message the person can act on), and may this person make it (403)?"""
    if not allowed(step, finding.state):
        raise InvalidInput(_("Không thể «%(step)s» khi phát hiện đang ở trạng thái "
                             "«%(state)s».", step=step.label, state=finding.state_enum.label))
    policy.require(actor, STEP_ACTIONS[step], finding)


def _move(finding: Finding, actor: User, step: Step, comment: str = "") -> None:
    _authorise(finding, actor, step)
    before = finding.state
    finding.state = target(step)
    _event(finding, actor, step.value, before, comment)


def agency_member(agency: Agency, user: User | None) -> bool:
    return user is not None and user.active and bool(user.roles_on(agency))


@dataclass
class FindingInput:
    type: FindingType
    clauses: str
    requirement: str
    observed: str
    documents: list[Document] = field(default_factory=list)
    source: FindingSource = FindingSource.AUDIT
    source_note: str = ""
    response_due: date | None = None
    audit: Audit | None = None
    checklist_item: ChecklistItem | None = None
    inspection: Inspection | None = None  # raised by the overseer leading the Sở's inspection


def raise_finding(agency: Agency, actor: User, data: FindingInput) -> Finding:
    if data.inspection is not None:
        policy.require(actor, Action.INSPECTION_FINDING, data.inspection)
        if data.inspection.agency_id != agency.id or data.audit is not None:
            raise InvalidInput(_("Phát hiện của đợt kiểm tra phải ghi cho đơn vị được kiểm tra."))
    else:
        policy.require(actor, Action.FINDING_RAISE, data.audit or agency)
    if agency.is_dissolved():
        raise InvalidInput(_("Đơn vị đã giải thể hoặc sáp nhập: không ghi nhận phát hiện mới."))
    clauses = parse_clauses(data.clauses)
    if not clauses:
        raise InvalidInput(_("Phát hiện phải gắn với ít nhất một điều khoản ISO 9001:2015."))
    requirement = _text(data.requirement, _("yêu cầu (căn cứ)"))
    observed = _text(data.observed, _("nội dung phát hiện (điều đã thấy)"))
    if any(d.agency_id != agency.id for d in data.documents):
        raise InvalidInput(_("Tài liệu liên quan phải là tài liệu của đơn vị."))
    revisions: list[Revision] = []
    for document in data.documents:
        current = documents.in_force(document) or (documents.issued(document) or [None])[-1]
        if current is None:
            raise InvalidInput(_("%(code)s chưa được ban hành lần nào.", code=document.code))
        revisions.append(current)
    source, audit, item = data.source, data.audit, data.checklist_item
    if audit is not None:
        if audit.agency_id != agency.id or audit.state != AuditState.IN_PROGRESS:
            raise InvalidInput(_("Chỉ ghi phát hiện vào cuộc đánh giá đang diễn ra của đơn vị."))
        source = FindingSource.AUDIT
        if item is not None and (item.audit_id != audit.id or item.result not in (
                CheckResult.NONCONFORM, CheckResult.RECOMMENDATION)):
            raise InvalidInput(_("Câu hỏi kiểm tra chưa được ghi kết quả «không phù hợp» "
                                 "hoặc «khuyến nghị»."))
    elif source == FindingSource.AUDIT:
        raise InvalidInput(_("Phát hiện ngoài đánh giá: chọn nguồn (phản ánh, hồ sơ trễ hạn…)."))
    if data.inspection is not None:
        source = FindingSource.INSPECTION
    elif source == FindingSource.INSPECTION:
        raise InvalidInput(_("Chỉ đoàn kiểm tra của Sở KH&CN ghi phát hiện nguồn «kiểm tra»."))
    note = nfc(data.source_note)[:300] or (data.inspection.code if data.inspection else "")
    if source in (FindingSource.COMPLAINT, FindingSource.LATE_DOSSIER, FindingSource.OTHER,
                  FindingSource.OBJECTIVE, FindingSource.RISK, FindingSource.SURVEY) \
            and not note:
        raise InvalidInput(_("Ghi rõ nguồn phát hiện (vd. số phiếu phản ánh, mã hồ sơ trễ hạn)."))
    today = today_local()
    due = data.response_due or today + timedelta(days=RESPONSE_DAYS)
    if due < today:
        raise InvalidInput(_("Hạn đề xuất hành động không được ở quá khứ."))
    year = today.year
    seq = (db.session.scalar(select(func.max(Finding.seq)).where(
        Finding.agency_id == agency.id, Finding.year == year)) or 0) + 1
    finding = Finding(agency=agency, year=year, seq=seq, type=data.type.value,
                      source=source.value, source_note=note, audit=audit, checklist_item=item,
                      inspection=data.inspection,
                      requirement=requirement, observed=observed, raised_by=actor,
                      response_due=due, state=F.OPEN,
                      clauses=[FindingClause(clause=c) for c in clauses], revisions=revisions)
    db.session.add(finding)
    db.session.flush()
    with force_locale("vi"):  # the event's comment is part of the record
        comment = f"{data.type.label}, điều khoản {', '.join(clauses)}"  # i18n: vi-only
    _event(finding, actor, "raise", F.OPEN, comment)
    return finding


def propose(finding: Finding, actor: User, *, correction: str, root_cause: str, whys: str,
            action_plan: str, owner: User | None, due_date: date | None) -> None:
    _authorise(finding, actor, Step.PROPOSE)
    nonconformity = finding.type_enum.is_nonconformity
    correction = _text(correction, _("hành động khắc phục tức thời (sửa chữa)"),
                       nonconformity)
    root_cause = _text(root_cause, _("nguyên nhân gốc rễ"), nonconformity)
    whys = "\n".join(line.strip() for line in _text(whys, _("5 câu hỏi tại sao"), False)
                     .splitlines() if line.strip())
    action_plan = _text(action_plan, _("kế hoạch hành động khắc phục"))
    if owner is None or not agency_member(finding.agency, owner):
        raise InvalidInput(_("Người chịu trách nhiệm phải là thành viên của đơn vị."))
    if due_date is None:
        raise InvalidInput(_("Vui lòng nhập hạn hoàn thành (dd/mm/yyyy)."))
    if due_date < today_local():
        raise InvalidInput(_("Hạn hoàn thành không được ở quá khứ."))
    finding.correction, finding.root_cause, finding.whys = correction, root_cause, whys
    finding.action_plan, finding.owner, finding.due_date = action_plan, owner, due_date
    finding.proposed_by = actor
    _move(finding, actor, Step.PROPOSE, f"người thực hiện {owner.full_name}, hạn "
                                        f"{format_date(due_date)}")  # i18n: vi-only


def return_proposal(finding: Finding, actor: User, comment: str) -> None:
    _move(finding, actor, Step.RETURN, _text(comment, _("lý do trả lại")))


def accept(finding: Finding, actor: User, verify_after: date | None, comment: str) -> None:
    """Accept the proposed action: the auditor says when its effectiveness will be
    verified and why the plan is accepted; neither is guessed."""
    _authorise(finding, actor, Step.ACCEPT)
    if verify_after is None:
        raise InvalidInput(_("Vui lòng nhập ngày bắt đầu xác minh hiệu lực."))
    if verify_after < today_local():
        raise InvalidInput(_("Ngày bắt đầu xác minh hiệu lực không được ở quá khứ."))
    comment = _text(comment, _("ý kiến khi chấp nhận"))
    finding.accepted_by, finding.verify_after = actor, verify_after
    _move(finding, actor, Step.ACCEPT,
          f"{comment} (xác minh hiệu lực từ {format_date(verify_after)})")  # i18n: vi-only


def implement(finding: Finding, actor: User, report: str) -> None:
    _authorise(finding, actor, Step.IMPLEMENT)
    report = _text(report, _("kết quả thực hiện (bằng chứng)"))
    linked = finding.revision
    if linked is not None and linked.state not in (RevisionState.ISSUED,
                                                   RevisionState.CANCELLED):
        raise InvalidInput(_("Sửa đổi %(code)s (dự thảo %(seq)s) chưa được ban hành: hành "
                             "động chưa thể coi là đã thực hiện.",
                             code=linked.document.code, seq=linked.seq))
    finding.implementation, finding.implemented_by = report, actor
    finding.implemented_on = today_local()
    _move(finding, actor, Step.IMPLEMENT)


def verify(finding: Finding, actor: User, effective: bool, note: str) -> None:
    _authorise(finding, actor, Step.VERIFY if effective else Step.INEFFECTIVE)
    note = _text(note, _("kết quả xác minh hiệu lực"))
    if finding.verify_after and today_local() < finding.verify_after:
        raise InvalidInput(_("Chưa đến ngày xác minh hiệu lực (%(date)s).",
                             date=format_date(finding.verify_after)))
    finding.verification, finding.verified_by = note, actor
    if effective:
        finding.verified_on = today_local()
        _move(finding, actor, Step.VERIFY, note)
    else:  # back to planning: a new cycle of cause analysis and action
        finding.cycles += 1
        finding.proposed_by = finding.accepted_by = finding.implemented_by = None
        finding.response_due = today_local() + timedelta(days=RESPONSE_DAYS)
        _move(finding, actor, Step.INEFFECTIVE, note)


def close(finding: Finding, actor: User, comment: str) -> None:
    _authorise(finding, actor, Step.CLOSE)
    finding.closed_by, finding.closed_on = actor, today_local()
    _move(finding, actor, Step.CLOSE, _text(comment, _("ý kiến khi đóng"), False))


def dismiss(finding: Finding, actor: User, comment: str) -> None:
    if finding.type_enum.is_nonconformity:
        raise InvalidInput(_("Sự không phù hợp phải có hành động khắc phục."))
    _authorise(finding, actor, Step.DISMISS)
    finding.closed_by, finding.closed_on = actor, today_local()
    _move(finding, actor, Step.DISMISS, _text(comment, _("lý do đóng")))


def start_document_revision(finding: Finding, actor: User, document: Document) -> Revision:
    """The corrective action changes a procedure: open its draft from here, linked."""
    policy.require(actor, Action.FINDING_REVISE_DOC, finding)
    if finding.state != F.ACCEPTED:
        raise InvalidInput(_("Chỉ sửa đổi tài liệu khi hành động khắc phục đã được chấp nhận."))
    if document.id not in {r.document_id for r in finding.revisions}:
        raise InvalidInput(_("Chỉ sửa đổi tài liệu liên quan đến phát hiện."))
    revision = documents.open_revision(document) or documents.start_revision(document, actor)
    if not revision.reason:
        # the revision's reason is part of the document's record: Vietnamese
        revision.reason = (f"Hành động khắc phục {finding.code}: "  # i18n: vi-only
                           f"{finding.action_plan}")[:4000]
    finding.revision = revision
    _event(finding, actor, "revise_document", finding.state,
           f"{document.code}: dự thảo {revision.seq}")  # i18n: vi-only
    return revision


def attachments_dir() -> Path:
    return Path(current_app.config["ISODOC_ATTACHMENTS_PATH"])


SAFE_NAME_RE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


def attach(finding: Finding, actor: User, filename: str, data: bytes, stage: str) -> Attachment:
    """Store evidence whose content is of the type its name says (filetypes: magic
    bytes and structure, checked within the size limit); anything else stores nothing."""
    policy.require(actor, Action.FINDING_ATTACH, finding)
    name = SAFE_NAME_RE.sub("_", nfc(Path(filename or "").name)).strip(" .")[:200]
    expected = filetypes.BY_SUFFIX.get(Path(name).suffix.lower())
    if not name or expected is None:
        raise InvalidInput(_("Chỉ nhận tệp PDF, ảnh JPG/PNG, Word, Excel (kể cả .doc, .xls), "
                             "OpenDocument hoặc văn bản (.txt)."))
    if not data:
        raise InvalidInput(_("Tệp rỗng."))
    if len(data) > ATTACHMENT_MAX:
        raise InvalidInput(_("Tệp đính kèm tối đa 10 MB."))
    found = filetypes.sniff(data)
    if found is not expected:
        actual = _("nội dung là %(kind)s", kind=found.label) if found else \
            _("không nhận ra nội dung")
        raise InvalidInput(_("Tệp «%(name)s» không đúng định dạng %(kind)s (%(actual)s). "
                             "Vui lòng chọn đúng tệp gốc, không đổi tên phần mở rộng.",
                             name=name, kind=expected.label, actual=actual))
    digest = hashlib.sha256(data).hexdigest()
    path = attachments_dir() / digest[:2] / digest
    if not path.exists():
        # on disk before any row points at it: a power cut leaves the whole file or none
        # (the start-up check then only looks for it)
        write_atomically(path, data, durable=True)
    item = Attachment(finding=finding, stage=stage, filename=name, size=len(data),
                      content_type=expected.content_type,
                      sha256=digest, uploaded_by=actor)
    db.session.add(item)
    audit_log.record("finding.attach", "finding", finding.id, agency_id=finding.agency_id,
                     summary=f"{finding.code}: đính kèm {name}")  # i18n: vi-only
    return item


def attachment_path(item: Attachment) -> Path:
    return attachments_dir() / item.sha256[:2] / item.sha256


def overdue_since(finding: Finding, today: date | None = None) -> date | None:
    """The date a pending response or action fell due, if it has passed."""
    today = today or today_local()
    due = {F.OPEN: finding.response_due, F.PROPOSED: finding.response_due,
           F.ACCEPTED: finding.due_date}.get(F(finding.state))
    return due if due is not None and due < today else None


def overdue_condition(today: date):
    """`overdue_since` as an SQL condition, for reports over many findings."""
    return or_(and_(Finding.state.in_([F.OPEN, F.PROPOSED]), Finding.response_due < today),
               and_(Finding.state == F.ACCEPTED, Finding.due_date < today))


def stage_for(state: str) -> str:
    return {F.ACCEPTED: "implementation", F.IMPLEMENTED: "verification"}.get(F(state),
                                                                            "finding")


def revision_issued(finding: Finding) -> Revision | None:
    """The linked revision once issued: the finding shows when the change took effect."""
    linked = finding.revision
    return linked if linked is not None and linked.state == RevisionState.ISSUED else None


def agency_findings(agency: Agency) -> list[Finding]:
    return list(db.session.scalars(select(Finding).where(Finding.agency_id == agency.id)
                                   .order_by(Finding.year.desc(), Finding.seq.desc())))


def open_counts(agency: Agency) -> dict[str, int]:
    """Open findings of the agency and how many are overdue: the dashboard's flag."""
    rows = db.session.scalars(select(Finding).where(
        Finding.agency_id == agency.id, Finding.state != F.CLOSED)).all()
    return {"open": len(rows), "overdue": sum(1 for f in rows if overdue_since(f))}
