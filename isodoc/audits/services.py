"""Internal audits: plan, detect conflicts of interest, generate and fill the checklist,
start, complete, cancel.

Every change is a command (see isodoc/commands.py): it asks the policy and the audit
state table itself, flushes, never commits, and is audit-logged."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale
from sqlalchemy import func, select

from isodoc import audit as audit_log
from isodoc import policy, standards
from isodoc.agencies.models import Agency
from isodoc.audits.models import (
    Audit,
    AuditConflict,
    AuditMember,
    AuditProgramme,
    AuditState,
    ChecklistItem,
    CheckResult,
    ConflictDecision,
)
from isodoc.audits.workflow import Change
from isodoc.audits.workflow import require as require_state
from isodoc.auth.models import Role, User
from isodoc.auth.services import members_of
from isodoc.documents import services as documents
from isodoc.documents.models import Document
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.i18n import _, ngettext
from isodoc.policy import Action
from isodoc.textnorm import nfc
from isodoc.timeutil import format_date, interface_locale, utcnow
from isodoc.training.services import uncertified

A = AuditState


def _log(audit: Audit, action: str, summary: str) -> None:
    """The activity log keeps Vietnamese summaries whatever the interface's language: it is
    the agency's record (the summaries below are marked vi-only)."""
    audit_log.record(f"audit.{action}", "audit", audit.id, agency_id=audit.agency_id,
                     summary=f"{audit.code}: {summary}")


def parse_clauses(text: str) -> list[str]:
    """Clause numbers typed as "7.5.3, 8.5.1": each must be a clause of ISO 9001:2015."""
    numbers = list(dict.fromkeys(c for c in nfc(text).replace(",", " ").replace(";", " ")
                                 .split() if c))
    if bad := standards.check_numbers(numbers):
        raise InvalidInput(_("Không có điều khoản %(numbers)s trong TCVN ISO 9001:2015 "
                             "(vd. 7.5.3, 8.5.1).", numbers=", ".join(bad[:5])))
    return numbers


def clause_title(number: str) -> str:
    """A clause's title in the interface's language (the catalog has both)."""
    clause = standards.current().get(number)
    if clause is None:
        return ""
    return clause.en if interface_locale() == "en" and clause.en else clause.vi


def auditors_of(agency: Agency) -> list[User]:
    """People who may sit on the agency's audit team: its internal auditors."""
    return members_of(agency, Role.AUDITOR)


@dataclass
class AuditPlan:
    title: str
    planned_start: date
    planned_end: date
    lead: User
    team: list[User] = field(default_factory=list)
    scope_clauses: str = ""
    documents: list[Document] = field(default_factory=list)
    processes: str = ""
    plan: str = ""
    # the lead's reason for a member without a valid internal-auditor certificate
    uncertified_reason: str = ""

    def checked(self, agency: Agency, actor: User | None = None) -> AuditPlan:
        title = nfc(self.title)
        if not title:
            raise InvalidInput(_("Vui lòng nhập tên cuộc đánh giá."))
        if len(title) > 300:
            raise InvalidInput(_("Tên cuộc đánh giá quá dài (tối đa 300 ký tự)."))
        if self.planned_end < self.planned_start:
            raise InvalidInput(_("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
        if (self.planned_end - self.planned_start).days > 60:
            raise InvalidInput(_("Một cuộc đánh giá kéo dài tối đa 60 ngày."))
        clauses = parse_clauses(self.scope_clauses)
        if not clauses and not self.documents:
            raise InvalidInput(_("Phạm vi đánh giá cần ít nhất một điều khoản hoặc một tài liệu."))
        if any(d.agency_id != agency.id for d in self.documents):
            raise InvalidInput(_("Chỉ đánh giá được tài liệu của chính đơn vị."))
        eligible = {u.id for u in auditors_of(agency)}
        team = list(dict.fromkeys([self.lead, *self.team]))
        if outsiders := [u.full_name for u in team if u.id not in eligible]:
            raise InvalidInput(_("Chỉ đánh giá viên nội bộ của đơn vị được vào đoàn đánh giá: "
                                 "%(names)s không phải.", names=", ".join(outsiders)))
        reason = nfc(self.uncertified_reason)[:2000]
        if missing := uncertified(team, self.planned_start, self.planned_end):
            names = ", ".join(u.full_name for u in missing)
            if not reason:
                raise InvalidInput(_(
                    "%(names)s chưa có chứng chỉ chuyên gia đánh giá nội bộ còn hiệu lực trong "
                    "thời gian đánh giá: ghi chứng chỉ ở trang Đào tạo, hoặc trưởng đoàn ghi "
                    "lý do đưa vào đoàn.", names=names))
            if actor is not policy.SYSTEM and getattr(actor, "id", None) != self.lead.id:
                raise InvalidInput(_("Chỉ trưởng đoàn được ghi lý do đưa người chưa có chứng "
                                     "chỉ đánh giá viên nội bộ vào đoàn (%(names)s).",
                                     names=names))
        return AuditPlan(title, self.planned_start, self.planned_end, self.lead, team,
                         " ".join(clauses), list(dict.fromkeys(self.documents)),
                         nfc(self.processes)[:5000], nfc(self.plan)[:20000],
                         reason if missing else "")


def programme(agency: Agency, year: int, create: bool = False) -> AuditProgramme | None:
    found = db.session.scalars(select(AuditProgramme).where(
        AuditProgramme.agency_id == agency.id, AuditProgramme.year == year)).first()
    if found is None and create:
        found = AuditProgramme(agency=agency, year=year)
        db.session.add(found)
        db.session.flush()
    return found


def set_objectives(agency: Agency, actor: User, year: int, text: str) -> AuditProgramme:
    policy.require(actor, Action.AUDIT_PLAN, agency)
    if not 2000 <= year <= 2100:
        raise InvalidInput(_("Năm của chương trình đánh giá không hợp lệ."))
    prog = programme(agency, year, create=True)
    prog.objectives = nfc(text)[:5000]
    audit_log.record("audit.programme", "audit_programme", prog.id, agency_id=agency.id,
                     summary=f"Chương trình đánh giá nội bộ {year}")  # i18n: vi-only
    return prog


def _apply(audit: Audit, plan: AuditPlan) -> None:
    audit.title, audit.planned_start, audit.planned_end = plan.title, plan.planned_start, \
        plan.planned_end
    audit.lead = plan.lead
    audit.scope_clauses, audit.processes, audit.plan = plan.scope_clauses, plan.processes, \
        plan.plan
    audit.documents = plan.documents
    keep = {m.user_id: m for m in audit.members}
    audit.members = [keep.get(u.id) or AuditMember(user=u) for u in plan.team]
    missing = {u.id for u in uncertified(plan.team, plan.planned_start, plan.planned_end)}
    for member in audit.members:
        member.certificate_note = plan.uncertified_reason if member.user_id in missing else ""


def plan_audit(agency: Agency, actor: User, plan: AuditPlan) -> Audit:
    policy.require(actor, Action.AUDIT_PLAN, agency)
    if agency.is_dissolved():
        raise InvalidInput(_("Đơn vị đã giải thể hoặc sáp nhập: không lập kế hoạch đánh giá mới."))
    plan = plan.checked(agency, actor)
    prog = programme(agency, plan.planned_start.year, create=True)
    seq = (db.session.scalar(select(func.max(Audit.seq)).where(
        Audit.programme_id == prog.id)) or 0) + 1
    audit = Audit(programme=prog, agency=agency, seq=seq, created_by=actor, lead=plan.lead,
                  title=plan.title, planned_start=plan.planned_start,
                  planned_end=plan.planned_end)
    db.session.add(audit)
    _apply(audit, plan)
    db.session.flush()
    detect_conflicts(audit)
    _log(audit, "plan", f"lập kế hoạch «{audit.title}» từ "  # i18n: vi-only
         f"{format_date(audit.planned_start)}" + _note_summary(audit))
    return audit


def update_audit(audit: Audit, actor: User, plan: AuditPlan) -> None:
    require_state(Change.EDIT, audit.state)
    policy.require(actor, Action.AUDIT_EDIT, audit)
    plan = plan.checked(audit.agency, actor)
    if plan.planned_start.year != audit.programme.year:
        raise InvalidInput(_("Cuộc đánh giá thuộc chương trình năm %(year)s: ngày bắt đầu "
                             "phải trong năm đó.", year=audit.programme.year))
    _apply(audit, plan)
    member_ids = {u.id for u in plan.team}
    doc_ids = {d.id for d in plan.documents}
    audit.conflicts = [c for c in audit.conflicts if c.user_id in member_ids and
                       (c.document_id is None or c.document_id in doc_ids)]
    db.session.flush()
    detect_conflicts(audit)
    if audit.items and not any(i.result for i in audit.items):
        _fill_checklist(audit)  # the scope changed: the untouched checklist follows it
    _log(audit, "edit", "sửa kế hoạch" + _note_summary(audit))  # i18n: vi-only


def _note_summary(audit: Audit) -> str:
    noted = [m for m in audit.members if m.certificate_note]
    if not noted:
        return ""
    return (f"; trưởng đoàn ghi lý do đưa {', '.join(m.user.full_name for m in noted)} "
            f"(chưa có chứng chỉ đánh giá viên nội bộ) vào đoàn: "  # i18n: vi-only
            f"{noted[0].certificate_note}")


def responsibilities(user: User, document: Document) -> list[str]:
    """Why `user` is responsible for `document`: from its record, not from guesses. In
    Vietnamese: the words are stored in the conflict's reason, part of the audit record."""
    reasons = []
    revisions = document.revisions
    if any(r.author_id == user.id for r in revisions):
        reasons.append("soạn thảo")  # i18n: vi-only
    if any(r.approved_by_id == user.id for r in revisions):
        reasons.append("phê duyệt")  # i18n: vi-only
    if any(a.reviewer_id == user.id for r in revisions for a in r.reviews):
        reasons.append("xem xét")  # i18n: vi-only
    return reasons


def detect_conflicts(audit: Audit) -> list[AuditConflict]:
    """Flag every team member responsible for a document in scope (once)."""
    known = {(c.user_id, c.document_id) for c in audit.conflicts}
    added = []
    for member in audit.members:
        for document in audit.documents:
            if (member.user_id, document.id) in known:
                continue
            if reasons := responsibilities(member.user, document):
                conflict = AuditConflict(
                    user=member.user, document=document,
                    reason=f"Đã {', '.join(reasons)} tài liệu {document.code}")  # i18n: vi-only
                audit.conflicts.append(conflict)
                added.append(conflict)
    db.session.flush()
    return added


def declare_conflict(audit: Audit, actor: User, clause: str, reason: str) -> AuditConflict:
    """A member declares being responsible for part of the scope (a clause)."""
    require_state(Change.DECLARE, audit.state)
    policy.require(actor, Action.AUDIT_DECLARE, audit)
    numbers = parse_clauses(clause)
    if len(numbers) != 1:
        raise InvalidInput(_("Ghi một điều khoản mà bạn có liên quan (vd. 8.5.1)."))
    reason = nfc(reason)
    if not reason:
        raise InvalidInput(_("Vui lòng ghi rõ bạn chịu trách nhiệm gì ở phần này."))
    conflict = AuditConflict(user=actor, clause=numbers[0], reason=reason[:2000])
    audit.conflicts.append(conflict)
    db.session.flush()
    _log(audit, "declare_conflict",
         f"{actor.full_name} khai báo liên quan {numbers[0]}")  # i18n: vi-only
    return conflict


def decide_conflict(conflict: AuditConflict, actor: User, decision: ConflictDecision,
                    note: str) -> None:
    require_state(Change.DECIDE, conflict.audit.state)
    policy.require(actor, Action.AUDIT_LEAD, conflict.audit)
    note = nfc(note)
    if decision == ConflictDecision.PENDING:
        raise InvalidInput(_("Chọn cho phép hoặc không cho đánh giá phần này."))
    if not note:
        raise InvalidInput(_("Trưởng đoàn cần ghi lý do quyết định (được lưu vào hồ sơ)."))
    conflict.decision, conflict.decision_note = decision, note[:2000]
    conflict.decided_by, conflict.decided_at = actor, utcnow()
    with force_locale("vi"):  # the activity log's summary
        _log(conflict.audit, "decide_conflict",
             f"{conflict.user.full_name}: {ConflictDecision(decision).label} — {note}")


def blocking_conflict(audit: Audit, user: User, item: ChecklistItem) -> AuditConflict | None:
    for c in audit.conflicts:
        if c.user_id != user.id or c.decision == ConflictDecision.ALLOWED:
            continue
        if item.document_id is not None and c.document_id == item.document_id:
            return c
        if c.clause and item.clause and standards.addressed_by(c.clause, [item.clause]):
            return c
    return None


def clause_question(number: str) -> str:
    """In Vietnamese: the checklist is stored and filed with the audit report."""
    clause = standards.current().get(number)
    if clause.question:
        return clause.question
    return (f"Đơn vị đáp ứng yêu cầu của điều khoản {number} «{clause.vi}» như thế nào? "
            "Nêu bằng chứng (tài liệu, hồ sơ, phỏng vấn).")  # i18n: vi-only


def document_question(document: Document) -> str:
    current = documents.in_force(document)
    number = f" (lần ban hành {current.number})" if current else ""  # i18n: vi-only
    return (f"{document.code} «{document.title}»{number}: quy trình có được thực hiện đúng các "
            "bước, trách nhiệm, thời hạn; biểu mẫu đúng phiên bản; hồ sơ ở mục 7 được lưu "
            "đủ?")  # i18n: vi-only


def generate_checklist(audit: Audit, actor: User) -> None:
    """One row per clause and per document of the scope, in that order."""
    require_state(Change.EDIT, audit.state)
    policy.require(actor, Action.AUDIT_EDIT, audit)
    _fill_checklist(audit)
    _log(audit, "checklist",
         f"tạo danh mục kiểm tra ({len(audit.items)} câu hỏi)")  # i18n: vi-only


def _fill_checklist(audit: Audit) -> None:
    audit.items = []
    db.session.flush()
    rows = [ChecklistItem(clause=n, question=clause_question(n)) for n in audit.clause_list]
    rows += [ChecklistItem(document=d, clause=(d.clause_list or [None])[0],
                           question=document_question(d)) for d in audit.documents]
    for position, row in enumerate(rows, 1):
        row.position = position
        audit.items.append(row)
    db.session.flush()


def add_item(audit: Audit, actor: User, clause: str, question: str) -> ChecklistItem:
    require_state(Change.ADD_ITEM, audit.state)
    policy.require(actor, Action.AUDIT_FILL if audit.state == A.IN_PROGRESS
                   else Action.AUDIT_EDIT, audit)
    numbers = parse_clauses(clause) if clause.strip() else []
    question = nfc(question)
    if not question:
        raise InvalidInput(_("Vui lòng nhập câu hỏi kiểm tra."))
    if len(numbers) > 1:
        raise InvalidInput(_("Mỗi câu hỏi gắn với một điều khoản."))
    item = ChecklistItem(clause=numbers[0] if numbers else None, question=question[:2000],
                         position=max((i.position for i in audit.items), default=0) + 1)
    audit.items.append(item)
    db.session.flush()
    _log(audit, "add_item", f"thêm câu hỏi {item.position}")  # i18n: vi-only
    return item


def start(audit: Audit, actor: User) -> None:
    require_state(Change.START, audit.state)
    policy.require(actor, Action.AUDIT_LEAD, audit)
    if pending := [c for c in audit.conflicts if c.decision == ConflictDecision.PENDING]:
        raise InvalidInput(ngettext(
            "Còn %(num)d trường hợp đánh giá viên có liên quan đến phần được đánh giá chưa "
            "được trưởng đoàn quyết định.",
            "Còn %(num)d trường hợp đánh giá viên có liên quan đến phần được đánh giá chưa "
            "được trưởng đoàn quyết định.", len(pending)))
    if not audit.items:
        _fill_checklist(audit)
    audit.state, audit.started_at = A.IN_PROGRESS, utcnow()
    _log(audit, "start", "bắt đầu đánh giá")  # i18n: vi-only


def fill_item(item: ChecklistItem, actor: User, result: CheckResult | None,
              evidence: str) -> None:
    audit = item.audit
    require_state(Change.FILL, audit.state)
    policy.require(actor, Action.AUDIT_FILL, audit)
    if conflict := blocking_conflict(audit, actor, item):
        what = _("chưa được trưởng đoàn quyết định") if \
            conflict.decision == ConflictDecision.PENDING else _("trưởng đoàn đã giao người khác")
        raise InvalidInput(_("Bạn không đánh giá câu hỏi %(n)s: %(reason)s (%(why)s).",
                             n=item.position, reason=conflict.reason, why=what))
    evidence = nfc(evidence)
    if len(evidence) > 10_000:
        raise InvalidInput(_("Bằng chứng quá dài (tối đa 10.000 ký tự)."))
    if result in (CheckResult.NONCONFORM, CheckResult.RECOMMENDATION) and not evidence:
        raise InvalidInput(_("Câu hỏi %(n)s: ghi bằng chứng cho kết quả «%(result)s».",
                             n=item.position, result=result.label))
    if result is None and any(f for f in findings_of(item)):
        raise InvalidInput(_("Câu hỏi %(n)s đã có phát hiện: không xoá kết quả.",
                             n=item.position))
    item.result = result.value if result else None
    item.evidence, item.auditor, item.updated_at = evidence, actor, utcnow()
    with force_locale("vi"):  # the activity log's summary
        _log(audit, "fill", f"câu hỏi {item.position}: "  # i18n: vi-only
             f"{result.label if result else 'chưa có'}")  # i18n: vi-only


def findings_of(item: ChecklistItem) -> list:
    from isodoc.findings.models import Finding

    return list(db.session.scalars(select(Finding).where(Finding.checklist_item_id == item.id)))


def complete(audit: Audit, actor: User, conclusion: str) -> None:
    require_state(Change.COMPLETE, audit.state)
    policy.require(actor, Action.AUDIT_LEAD, audit)
    if open_rows := [i.position for i in audit.items if not i.result]:
        raise InvalidInput(_("Còn câu hỏi chưa có kết quả: %(numbers)s.",
                             numbers=", ".join(map(str, open_rows[:10]))))
    if missing := [i.position for i in audit.items
                   if i.result == CheckResult.NONCONFORM and not findings_of(i)]:
        raise InvalidInput(_("Câu hỏi «không phù hợp» chưa được lập phát hiện: %(numbers)s.",
                             numbers=", ".join(map(str, missing[:10]))))
    conclusion = nfc(conclusion)
    if not conclusion:
        raise InvalidInput(_("Vui lòng nhập kết luận của cuộc đánh giá."))
    audit.conclusion, audit.state, audit.completed_at = conclusion[:20000], A.COMPLETED, utcnow()
    _log(audit, "complete", "hoàn thành đánh giá")  # i18n: vi-only


def cancel(audit: Audit, actor: User, reason: str) -> None:
    require_state(Change.CANCEL, audit.state)
    policy.require(actor, Action.AUDIT_LEAD, audit)
    reason = nfc(reason)
    if not reason:
        raise InvalidInput(_("Vui lòng nhập lý do huỷ."))
    # the conclusion is the audit's record: Vietnamese whoever cancels it
    audit.state, audit.conclusion = A.CANCELLED, f"Huỷ: {reason[:2000]}"  # i18n: vi-only
    _log(audit, "cancel", reason)


@dataclass
class ClauseResult:
    clause: str
    title: str
    counts: Counter


def results_by_clause(audit: Audit) -> list[ClauseResult]:
    """Checklist results summed per clause (rows without a clause under "—")."""
    edition = standards.current()
    grouped: dict[str, Counter] = {}
    for item in audit.items:
        grouped.setdefault(item.clause or "", Counter())[item.result or "none"] += 1
    order = list(edition.clauses)
    keys = sorted(grouped, key=lambda n: order.index(n) if n in edition.clauses else 10_000)
    return [ClauseResult(k or "—", clause_title(k) if k in edition.clauses else _("Khác"),
                         grouped[k]) for k in keys]


def agency_audits(agency: Agency, year: int | None = None) -> list[Audit]:
    query = select(Audit).where(Audit.agency_id == agency.id)
    if year:
        query = query.join(AuditProgramme).where(AuditProgramme.year == year)
    return list(db.session.scalars(query.order_by(Audit.planned_start)))


def visible_audits(agencies: list[Agency] | None, year: int | None = None, *,
                   member: User | None = None, limit: int, offset: int = 0
                   ) -> tuple[list[Audit], int]:
    """One page of the audits of `agencies` (None: every agency) and of those `member`
    is on the team of, by planned start; with the total. `agencies` comes from
    `findings.reports.visible_agencies`, i.e. from policy."""
    query = select(Audit)
    if agencies is not None:
        where = Audit.agency_id.in_([a.id for a in agencies])
        if member is not None:
            where = where | Audit.members.any(AuditMember.user_id == member.id)
        query = query.where(where)
    if year:
        query = query.where(Audit.programme.has(AuditProgramme.year == year))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = db.session.scalars(query.order_by(Audit.planned_start, Audit.id)
                              .offset(offset).limit(limit)).all()
    return list(page), total
