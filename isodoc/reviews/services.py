"""Management reviews: record a meeting with its inputs prefilled from the agency's live
data (9.3.2), edit them, record the conclusions and the decisions with their actions
(9.3.3); the actions are reported done by their owner and confirmed, or sent back, by
the secretary or a leader, like corrective actions. Commands ask the policy, flush,
never commit, and write an audit-log row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from isodoc import audit as audit_log
from isodoc import policy
from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.findings.services import agency_member
from isodoc.i18n import _
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
from isodoc.reviews.prefill import live_inputs
from isodoc.textnorm import typed
from isodoc.timeutil import format_date, today_local

SHOWN = 200            # reviews listed (and answered by the API) at most
INPUT_MAX = 20_000     # characters of one input
ACTIONS_MAX = 100      # decisions of one meeting
ATTENDEES_MAX = 200


def _actor(actor) -> User | None:
    return actor if isinstance(actor, User) else None


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
        raise InvalidInput(_("Vui lòng nhập ngày họp (dd/mm/yyyy)."))
    if data.period_start is None or data.period_end is None:
        raise InvalidInput(_("Vui lòng nhập kỳ xem xét: từ ngày, đến ngày (dd/mm/yyyy)."))
    if data.period_end < data.period_start:
        raise InvalidInput(_("Ngày kết thúc kỳ xem xét phải từ ngày bắt đầu trở đi."))
    if (data.period_end - data.period_start).days > 3 * 366:
        raise InvalidInput(_("Một kỳ xem xét dài tối đa 3 năm."))
    if data.held_on < data.period_start:
        raise InvalidInput(_("Ngày họp không được trước kỳ xem xét."))
    if data.chair is None or not agency_member(agency, data.chair):
        raise InvalidInput(_("Người chủ trì phải là thành viên của đơn vị."))
    place = typed(data.place, _("địa điểm"), 300, required=False)
    guests = typed(data.guests, _("khách mời"), 2000, required=False, multiline=True)
    people = list(dict.fromkeys([data.chair, *data.attendees]))
    if len(people) > ATTENDEES_MAX:
        raise InvalidInput(_("Một cuộc họp ghi tối đa %(n)s người tham dự.", n=ATTENDEES_MAX))
    if outsiders := [u.full_name for u in people if not agency_member(agency, u)]:
        raise InvalidInput(_("Người tham dự phải là thành viên của đơn vị (khách mời ghi ở "
                             "mục khách mời): %(names)s.", names=", ".join(outsiders[:5])))
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
                     actor=_actor(actor), summary=f"{review.code}: họp ngày "  # i18n: vi-only
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
            cleaned[item.topic] = typed(texts[item.topic],
                                        _("mục «%(topic)s»", topic=item.topic_enum.label),
                                        INPUT_MAX, required=False, multiline=True)
    conclusion = typed(conclusion, _("kết luận của cuộc họp"), INPUT_MAX, required=False,
                       multiline=True)
    changed = []
    with force_locale("vi"):  # the activity log keeps Vietnamese
        for item in review.inputs:
            if item.topic in cleaned and cleaned[item.topic] != item.content:
                item.content = cleaned[item.topic]
                changed.append(item.topic_enum.label)
    if conclusion != review.conclusion:
        review.conclusion = conclusion
        changed.append("kết luận")  # i18n: vi-only
    db.session.flush()
    audit_log.record("review.inputs", "management_review", review.id,
                     agency_id=review.agency_id, actor=_actor(actor),
                     summary=f"{review.code}: cập nhật "  # i18n: vi-only
                     + (", ".join(changed) or "(không đổi)"))  # i18n: vi-only


def refresh_input(review: ManagementReview, actor: User, topic: str) -> None:
    """Fill one live input again from the data as it is now."""
    policy.require(actor, Action.REVIEW_MANAGE, review.agency)
    if topic not in set(InputTopic) or not InputTopic(topic).live:
        raise InvalidInput(_("Mục này được nhập tay, không lấy từ dữ liệu."))
    fresh = live_inputs(review.agency, review.period_start, review.period_end)[InputTopic(topic)]
    for item in review.inputs:
        if item.topic == topic:
            item.content = fresh
    db.session.flush()
    with force_locale("vi"):  # the activity log keeps Vietnamese
        label = InputTopic(topic).label
    audit_log.record("review.refresh", "management_review", review.id,
                     agency_id=review.agency_id, actor=_actor(actor),
                     summary=f"{review.code}: lấy lại «{label}» từ dữ liệu")  # i18n: vi-only


def add_action(review: ManagementReview, actor: User, kind: str, decision: str,
               owner: User | None, due_date: date | None) -> ReviewAction:
    policy.require(actor, Action.REVIEW_MANAGE, review.agency)
    if kind not in set(OutputKind):
        raise InvalidInput(_("Chọn loại quyết định: cải tiến, thay đổi hệ thống hoặc nguồn lực."))
    text = typed(decision, _("nội dung quyết định, hành động"), 4000, multiline=True)
    if owner is None or not agency_member(review.agency, owner):
        raise InvalidInput(_("Người thực hiện phải là thành viên của đơn vị."))
    if due_date is None:
        raise InvalidInput(_("Vui lòng nhập hạn hoàn thành (dd/mm/yyyy)."))
    if due_date < review.held_on:
        raise InvalidInput(_("Hạn hoàn thành không được trước ngày họp."))
    if len(review.actions) >= ACTIONS_MAX:
        raise InvalidInput(_("Mỗi cuộc họp ghi tối đa %(n)s quyết định.", n=ACTIONS_MAX))
    item = ReviewAction(seq=max((a.seq for a in review.actions), default=0) + 1, kind=kind,
                        decision=text, owner=owner, due_date=due_date,
                        state=ActionState.OPEN)
    review.actions.append(item)
    db.session.flush()
    audit_log.record("review.action", "management_review", review.id,
                     agency_id=review.agency_id, actor=_actor(actor),
                     summary=f"{item.code}: {text[:200]} — {owner.full_name}, hạn "  # i18n: vi-only
                             f"{format_date(due_date)}")
    return item


def report_action(item: ReviewAction, actor: User, result: str) -> None:
    """The owner (or the secretary) records what was done."""
    if item.state != ActionState.OPEN:
        raise InvalidInput(_("Hành động đang ở trạng thái «%(state)s».",
                             state=item.state_enum.label))
    policy.require(actor, Action.REVIEW_ACTION_REPORT, item)
    item.result = typed(result, _("kết quả thực hiện"), 4000, multiline=True)
    item.state, item.done_on, item.reported_by = ActionState.DONE, today_local(), _actor(actor)
    db.session.flush()
    audit_log.record("review.action_report", "management_review", item.review_id,
                     agency_id=item.review.agency_id, actor=_actor(actor),
                     summary=f"{item.code}: đã thực hiện — {item.result[:200]}")  # i18n: vi-only


def verify_action(item: ReviewAction, actor: User, effective: bool, note: str,
                  new_due: date | None = None) -> None:
    """Confirmed done (closed), or sent back to its owner with a new due date."""
    if item.state != ActionState.DONE:
        raise InvalidInput(_("Hành động đang ở trạng thái «%(state)s».",
                             state=item.state_enum.label))
    policy.require(actor, Action.REVIEW_ACTION_VERIFY, item)
    note = typed(note, _("nhận xét"), 4000, required=not effective, multiline=True)
    if effective:
        item.state, item.closed_on = ActionState.CLOSED, today_local()
    else:
        if new_due is None or new_due < today_local():
            raise InvalidInput(_("Trả lại hành động cần hạn hoàn thành mới (từ hôm nay trở đi)."))
        item.state, item.due_date, item.cycles = ActionState.OPEN, new_due, item.cycles + 1
        item.done_on = None
    item.verification, item.verified_by = note, _actor(actor)
    db.session.flush()
    # the activity log keeps Vietnamese
    outcome = ("xác nhận hoàn thành" if effective  # i18n: vi-only
               else f"trả lại, hạn mới {format_date(new_due)}")  # i18n: vi-only
    audit_log.record("review.action_verify", "management_review", item.review_id,
                     agency_id=item.review.agency_id, actor=_actor(actor),
                     summary=f"{item.code}: {outcome}" + (f" — {note[:200]}" if note else ""))


def agency_reviews(agency: Agency) -> list[ManagementReview]:
    return list(db.session.scalars(
        select(ManagementReview).where(ManagementReview.agency_id == agency.id)
        .options(selectinload(ManagementReview.actions).selectinload(ReviewAction.owner),
                 selectinload(ManagementReview.attendees).selectinload(ReviewAttendee.user),
                 selectinload(ManagementReview.inputs), selectinload(ManagementReview.chair))
        .order_by(ManagementReview.held_on.desc(), ManagementReview.id.desc()).limit(SHOWN)))
