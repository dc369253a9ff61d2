"""The inputs of a management review (9.3.2) prefilled from the agency's data: they are
stored as the meeting's text and printed in its minutes, an officially filed document, so
they are written in Vietnamese whatever the language of the person recording the meeting."""
# i18n: vietnamese-only (the text of the filed minutes)

from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from isodoc.agencies.models import Agency
from isodoc.extensions import db
from isodoc.reviews.models import InputTopic, ManagementReview, ReviewAction
from isodoc.timeutil import format_date, today_local

LIST_LINES = 30        # rows a prefilled input lists before "… và N mục khác"


def live_inputs(agency: Agency, start: date, end: date) -> dict[InputTopic, str]:
    """The inputs of 9.3.2 as text, from the agency's data for the period: audits,
    findings and their closure, documents issued, objectives, risks, actions of earlier
    reviews. Satisfaction, external providers and resources are typed in the meeting.
    The labels and numbers they quote (states, levels, 97,5) are Vietnamese too."""
    with force_locale("vi"):
        return _live_inputs(agency, start, end)


def satisfaction(agency: Agency, start: date, end: date) -> str:
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


def _more(lines: list[str], empty: str) -> str:
    if not lines:
        return empty
    shown = lines[:LIST_LINES]
    if len(lines) > LIST_LINES:
        shown.append(f"… và {len(lines) - LIST_LINES} mục khác.")
    return "\n".join(shown)


def _live_inputs(agency: Agency, start: date, end: date) -> dict[InputTopic, str]:
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
