"""Management reviews: record a meeting with its inputs prefilled from the agency's live
data (9.3.2), edit them, record the conclusions and the decisions with their actions
(9.3.3); the actions are reported done by their owner and confirmed, or sent back, by
the secretary or a leader, like corrective actions. Commands ask the policy, flush,
never commit, and write an audit-log row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from isodoc import audit as audit_log
from isodoc import policy
from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.findings.services import agency_member
from isodoc.policy import Action
from isodoc.reviews.models import (
    ActionState,
    InputTopic,
    ManagementReview,
    OutputKind,
    ReviewAction,
    ReviewAttendee,
    ReviewInput,
)
from isodoc.textnorm import typed
from isodoc.timeutil import format_date, today_local

SHOWN = 200            # reviews listed (and answered by the API) at most
INPUT_MAX = 20_000     # characters of one input
ACTIONS_MAX = 100      # decisions of one meeting
ATTENDEES_MAX = 200
LIST_LINES = 30        # rows a prefilled input lists before "… và N mục khác"


def satisfaction(agency, start: date, end: date) -> str:
    """The citizen satisfaction survey of the period (isodoc/surveys): answers, complaints,
    low scores and each question's average and share of 4–5 scores."""
    from datetime import timedelta

    from isodoc.objectives.models import format_number
    from isodoc.surveys.services import Period, results

    found = results(agency, Period("", "", start, end + timedelta(days=1)))
    if not found.responses:
        return ("Không có phiếu khảo sát sự hài lòng nào trong kỳ; phản ánh, kiến nghị nhận "
                "ngoài khảo sát: ghi thêm tại đây.")
    lines = [f"Phiếu khảo sát sự hài lòng trong kỳ: {found.responses}; phản ánh, kiến nghị: "
             f"{found.complaints}; phiếu có điểm thấp (≤ 2): {found.low}."]
    lines += [f"- {q.question.text}: điểm trung bình {format_number(q.average)}/5, hài lòng "
              f"(4–5 điểm) {format_number(q.satisfied_percent)}%"
              for q in found.questions if q.count]
    return "\n".join(lines)


def _actor(actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _more(lines: list[str], empty: str) -> str:
    if not lines:
        return empty
    shown = lines[:LIST_LINES]
    if len(lines) > LIST_LINES:
        shown.append(f"… và {len(lines) - LIST_LINES} mục khác.")
    return "\n".join(shown)


def live_inputs(agency: Agency, start: date, end: date) -> dict[InputTopic, str]:
    """The inputs of 9.3.2 as text, from the agency's data for the period: audits,
    findings and their closure, documents issued, objectives, risks, actions of earlier
    reviews. Satisfaction, external providers and resources are typed in the meeting."""
    from isodoc.findings.models import FindingType
    from isodoc.findings.reports import management_review
    from isodoc.objectives.services import agency_objectives
    from isodoc.risks.models import RiskKind
    from isodoc.risks.services import agency_risks, overdue

    facts = management_review(agency, start, end)
    out: dict[InputTopic, str] = {}

    earlier = list(db.session.scalars(
        select(ReviewAction).join(ManagementReview).where(
            ManagementReview.agency_id == agency.id, ManagementReview.held_on < end)
        .options(selectinload(ReviewAction.review), selectinload(ReviewAction.owner))
        .order_by(ManagementReview.held_on, ReviewAction.seq)))
    today = today_local()
    out[InputTopic.PREVIOUS_ACTIONS] = _more([
        f"- {a.code}: {a.decision[:200]} — {a.owner.full_name}, hạn {format_date(a.due_date)}"
        f": {a.state_enum.label}" + (" (QUÁ HẠN)" if a.overdue(today) else "")
        for a in earlier], "Không có hành động nào từ các lần xem xét trước.")

    changes = [f"- {r.document.code} «{r.title}» lần {r.number}, hiệu lực "
               f"{format_date(r.effective_date)}" for r in facts.issued]
    out[InputTopic.CHANGES] = "Tài liệu ban hành, sửa đổi trong kỳ:\n" + _more(
        changes, "Không có.")
    out[InputTopic.SATISFACTION] = satisfaction(agency, start, end)

    objective_lines = []
    for year in range(start.year, end.year + 1):
        for o in agency_objectives(agency, year):
            values = [m for m in o.measurements
                      if start <= date(o.year, m.month, 1) <= end]
            if not values:
                objective_lines.append(f"- {o.code} {o.title} (chỉ tiêu {o.target_text}): "
                                       "chưa có kết quả đo trong kỳ.")
                continue
            missed = [m.period_label for m in values if not m.met]
            objective_lines.append(
                f"- {o.code} {o.title} (chỉ tiêu {o.target_text}): {len(values)} kỳ đo, "
                + (f"KHÔNG ĐẠT các kỳ {', '.join(missed)}" if missed else "đạt tất cả các kỳ"))
    out[InputTopic.OBJECTIVES] = _more(objective_lines, "Chưa có mục tiêu chất lượng.")

    counts = ", ".join(f"{t.label.lower()} {facts.by_type.get(t.value, 0)}"
                       for t in FindingType)
    out[InputTopic.PERFORMANCE] = (
        f"Phát hiện phát sinh trong kỳ theo loại: {counts}."
        + (" Theo điều khoản: " + ", ".join(f"{n} ({sum(c.values())})"
                                             for n, _, c in facts.by_clause) + "."
           if facts.by_clause else ""))
    out[InputTopic.FINDINGS] = (
        f"Phát sinh {len(facts.raised)}; đã đóng {len(facts.closed)}; đang mở "
        f"{len(facts.open_now)}; quá hạn {len(facts.overdue)}; hành động khắc phục không "
        f"hiệu lực {len(facts.ineffective)}.\n" + _more(
            [f"- {f.code} ({f.type_enum.label}, {f.state_enum.label}): {f.observed[:160]}"
             for f in facts.open_now], "Không có phát hiện đang mở."))
    audit_lines = [f"- {a.code} {a.title}: {a.state_enum.label}" + (
        f" — kết luận: {a.conclusion[:300]}" if a.conclusion else "") for a in facts.audits]
    results = facts.audit_results
    out[InputTopic.AUDITS] = _more(audit_lines, "Không có cuộc đánh giá nội bộ trong kỳ.") + (
        f"\nCâu hỏi kiểm tra: phù hợp {results.get('conform', 0)}, không phù hợp "
        f"{results.get('nonconform', 0)}, khuyến nghị {results.get('recommendation', 0)}."
        if facts.audits else "")
    out[InputTopic.PROVIDERS] = ""
    out[InputTopic.RESOURCES] = ""
    risk_lines = []
    for kind in RiskKind:
        for r in agency_risks(agency, kind):
            late = overdue(r, today)
            done = sum(1 for a in r.actions if a.done_on)
            risk_lines.append(
                f"- {r.code} {r.process}: mức {r.level_label}, {r.status_enum.label}; hành "
                f"động {done}/{len(r.actions)} hoàn thành"
                + (" (quá hạn xem xét lại)" if late["review"] else "")
                + (" (có hành động quá hạn)" if late["actions"] else ""))
    out[InputTopic.RISKS] = _more(risk_lines, "Chưa có sổ đăng ký rủi ro và cơ hội.")
    ofi = [f"- {f.code}: {f.observed[:200]}" for f in facts.open_now
           if f.type == FindingType.OFI]
    chances = [f"- {r.code} {r.description[:200]}" for r in
               agency_risks(agency, RiskKind.OPPORTUNITY) if r.status != "closed"]
    out[InputTopic.IMPROVEMENT] = _more(ofi + chances, "Chưa ghi nhận cơ hội cải tiến.")
    return out


@dataclass
class MeetingInput:
    held_on: date | None
    period_start: date | None
    period_end: date | None
    chair: User | None
    place: str = ""
    attendees: list[User] = field(default_factory=list)
    guests: str = ""


def _checked_meeting(agency: Agency, data: MeetingInput) -> tuple[str, str, list[User]]:
    if data.held_on is None:
        raise InvalidInput("Vui lòng nhập ngày họp (dd/mm/yyyy).")
    if data.period_start is None or data.period_end is None:
        raise InvalidInput("Vui lòng nhập kỳ xem xét: từ ngày, đến ngày (dd/mm/yyyy).")
    if data.period_end < data.period_start:
        raise InvalidInput("Ngày kết thúc kỳ xem xét phải từ ngày bắt đầu trở đi.")
    if (data.period_end - data.period_start).days > 3 * 366:
        raise InvalidInput("Một kỳ xem xét dài tối đa 3 năm.")
    if data.held_on < data.period_start:
        raise InvalidInput("Ngày họp không được trước kỳ xem xét.")
    if data.chair is None or not agency_member(agency, data.chair):
        raise InvalidInput("Người chủ trì phải là thành viên của đơn vị.")
    place = typed(data.place, "địa điểm", 300, required=False)
    guests = typed(data.guests, "khách mời", 2000, required=False, multiline=True)
    people = list(dict.fromkeys([data.chair, *data.attendees]))
    if len(people) > ATTENDEES_MAX:
        raise InvalidInput(f"Một cuộc họp ghi tối đa {ATTENDEES_MAX} người tham dự.")
    if outsiders := [u.full_name for u in people if not agency_member(agency, u)]:
        raise InvalidInput("Người tham dự phải là thành viên của đơn vị (khách mời ghi ở "
                           f"mục khách mời): {', '.join(outsiders[:5])}.")
    return place, guests, people


def record_meeting(agency: Agency, actor: User, data: MeetingInput) -> ManagementReview:
    """A new meeting record, its inputs prefilled from the data of its period."""
    policy.require(actor, Action.REVIEW_MANAGE, agency)
    place, guests, people = _checked_meeting(agency, data)
    year = data.held_on.year
    seq = (db.session.scalar(select(func.max(ManagementReview.seq)).where(
        ManagementReview.agency_id == agency.id, ManagementReview.year == year)) or 0) + 1
    review = ManagementReview(
        agency=agency, year=year, seq=seq, held_on=data.held_on,
        period_start=data.period_start, period_end=data.period_end, place=place,
        chair=data.chair, secretary=_actor(actor), guests=guests,
        created_by_id=getattr(_actor(actor), "id", None),
        attendees=[ReviewAttendee(user=u) for u in people])
    prefilled = live_inputs(agency, data.period_start, data.period_end)
    review.inputs = [ReviewInput(topic=t.value, position=n, content=prefilled.get(t, ""))
                     for n, t in enumerate(InputTopic, 1)]
    db.session.add(review)
    db.session.flush()
    audit_log.record("review.record", "management_review", review.id, agency_id=agency.id,
                     actor=_actor(actor), summary=f"{review.code}: họp ngày "
                     f"{format_date(data.held_on)}, kỳ {format_date(data.period_start)} – "
                     f"{format_date(data.period_end)}, {len(people)} người tham dự")
    return review


def save_inputs(review: ManagementReview, actor: User, texts: dict[str, str],
                conclusion: str) -> None:
    """The inputs as discussed (each topic's text) and the meeting's conclusions."""
    policy.require(actor, Action.REVIEW_MANAGE, review.agency)
    cleaned = {}
    for item in review.inputs:
        if item.topic in texts:
            cleaned[item.topic] = typed(texts[item.topic], f"mục «{item.topic_enum.label}»",
                                        INPUT_MAX, required=False, multiline=True)
    conclusion = typed(conclusion, "kết luận của cuộc họp", INPUT_MAX, required=False,
                       multiline=True)
    changed = []
    for item in review.inputs:
        if item.topic in cleaned and cleaned[item.topic] != item.content:
            item.content = cleaned[item.topic]
            changed.append(item.topic_enum.label)
    if conclusion != review.conclusion:
        review.conclusion = conclusion
        changed.append("kết luận")
    db.session.flush()
    audit_log.record("review.inputs", "management_review", review.id,
                     agency_id=review.agency_id, actor=_actor(actor),
                     summary=f"{review.code}: cập nhật " + (", ".join(changed) or "(không đổi)"))


def refresh_input(review: ManagementReview, actor: User, topic: str) -> None:
    """Fill one live input again from the data as it is now."""
    policy.require(actor, Action.REVIEW_MANAGE, review.agency)
    if topic not in set(InputTopic) or not InputTopic(topic).live:
        raise InvalidInput("Mục này được nhập tay, không lấy từ dữ liệu.")
    fresh = live_inputs(review.agency, review.period_start, review.period_end)[InputTopic(topic)]
    for item in review.inputs:
        if item.topic == topic:
            item.content = fresh
    db.session.flush()
    audit_log.record("review.refresh", "management_review", review.id,
                     agency_id=review.agency_id, actor=_actor(actor),
                     summary=f"{review.code}: lấy lại «{InputTopic(topic).label}» từ dữ liệu")


def add_action(review: ManagementReview, actor: User, kind: str, decision: str,
               owner: User | None, due_date: date | None) -> ReviewAction:
    policy.require(actor, Action.REVIEW_MANAGE, review.agency)
    if kind not in set(OutputKind):
        raise InvalidInput("Chọn loại quyết định: cải tiến, thay đổi hệ thống hoặc nguồn lực.")
    text = typed(decision, "nội dung quyết định, hành động", 4000, multiline=True)
    if owner is None or not agency_member(review.agency, owner):
        raise InvalidInput("Người thực hiện phải là thành viên của đơn vị.")
    if due_date is None:
        raise InvalidInput("Vui lòng nhập hạn hoàn thành (dd/mm/yyyy).")
    if due_date < review.held_on:
        raise InvalidInput("Hạn hoàn thành không được trước ngày họp.")
    if len(review.actions) >= ACTIONS_MAX:
        raise InvalidInput(f"Mỗi cuộc họp ghi tối đa {ACTIONS_MAX} quyết định.")
    item = ReviewAction(seq=max((a.seq for a in review.actions), default=0) + 1, kind=kind,
                        decision=text, owner=owner, due_date=due_date,
                        state=ActionState.OPEN)
    review.actions.append(item)
    db.session.flush()
    audit_log.record("review.action", "management_review", review.id,
                     agency_id=review.agency_id, actor=_actor(actor),
                     summary=f"{item.code}: {text[:200]} — {owner.full_name}, hạn "
                             f"{format_date(due_date)}")
    return item


def report_action(item: ReviewAction, actor: User, result: str) -> None:
    """The owner (or the secretary) records what was done."""
    if item.state != ActionState.OPEN:
        raise InvalidInput(f"Hành động đang ở trạng thái «{item.state_enum.label}».")
    policy.require(actor, Action.REVIEW_ACTION_REPORT, item)
    item.result = typed(result, "kết quả thực hiện", 4000, multiline=True)
    item.state, item.done_on, item.reported_by = ActionState.DONE, today_local(), _actor(actor)
    db.session.flush()
    audit_log.record("review.action_report", "management_review", item.review_id,
                     agency_id=item.review.agency_id, actor=_actor(actor),
                     summary=f"{item.code}: đã thực hiện — {item.result[:200]}")


def verify_action(item: ReviewAction, actor: User, effective: bool, note: str,
                  new_due: date | None = None) -> None:
    """Confirmed done (closed), or sent back to its owner with a new due date."""
    if item.state != ActionState.DONE:
        raise InvalidInput(f"Hành động đang ở trạng thái «{item.state_enum.label}».")
    policy.require(actor, Action.REVIEW_ACTION_VERIFY, item)
    note = typed(note, "nhận xét", 4000, required=not effective, multiline=True)
    if effective:
        item.state, item.closed_on = ActionState.CLOSED, today_local()
    else:
        if new_due is None or new_due < today_local():
            raise InvalidInput("Trả lại hành động cần hạn hoàn thành mới (từ hôm nay trở đi).")
        item.state, item.due_date, item.cycles = ActionState.OPEN, new_due, item.cycles + 1
        item.done_on = None
    item.verification, item.verified_by = note, _actor(actor)
    db.session.flush()
    audit_log.record("review.action_verify", "management_review", item.review_id,
                     agency_id=item.review.agency_id, actor=_actor(actor),
                     summary=f"{item.code}: " + ("xác nhận hoàn thành" if effective else
                                                 f"trả lại, hạn mới {format_date(new_due)}")
                     + (f" — {note[:200]}" if note else ""))


def agency_reviews(agency: Agency) -> list[ManagementReview]:
    return list(db.session.scalars(
        select(ManagementReview).where(ManagementReview.agency_id == agency.id)
        .options(selectinload(ManagementReview.actions).selectinload(ReviewAction.owner),
                 selectinload(ManagementReview.attendees).selectinload(ReviewAttendee.user),
                 selectinload(ManagementReview.inputs), selectinload(ManagementReview.chair))
        .order_by(ManagementReview.held_on.desc(), ManagementReview.id.desc()).limit(SHOWN)))
