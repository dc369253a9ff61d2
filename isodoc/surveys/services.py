"""Citizen satisfaction survey: a citizen's answer (public, no account), the results by
period, TTHC and question, and a finding raised in one step from a low score or a
complaint. Commands (see isodoc/commands.py) flush and never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask_babel import force_locale
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from isodoc import policy
from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.findings import services as findings
from isodoc.findings.models import Finding, FindingSource, FindingType
from isodoc.i18n import _
from isodoc.policy import Action
from isodoc.surveys.models import (
    LOW_SCORE,
    SCORES,
    CommentKind,
    Question,
    SurveyResponse,
    SurveyScore,
)
from isodoc.textnorm import clean
from isodoc.timeutil import LOCAL_TZ, today_local, utc_start_of, utcnow
from isodoc.tthc import coverage
from isodoc.tthc.models import CODE_RE as TTHC_CODE_RE
from isodoc.tthc.models import Tthc

COMMENT_MAX = 1000      # characters of a citizen's comment
RECEIPT_RE = re.compile(r"[A-Z0-9][A-Z0-9./-]{3,39}")
TTHC_LIST_MAX = 1000    # TTHC offered on the agency's survey page
LOW_LIST_MAX = 200      # answers listed on the results page (low scores, complaints)
YEAR_MIN, YEAR_MAX = 2000, 2100
PERIOD_RE = re.compile(r"([0-9]{4})(?:-(Q[1-4]|[0-9]{2}))?")


class Refused(InvalidInput):
    """An answer refused because of one field: the page shows the message next to it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def survey_open(agency: Agency | None) -> bool:
    """An agency takes answers while it exists: a dissolved one's page is gone (404)."""
    return agency is not None and not agency.is_dissolved()


def agency_tthcs(agency: Agency) -> list[Tthc]:
    """The TTHC a citizen may name on the agency's survey: those it must cover and those
    its procedures in force name (two queries, bounded)."""
    named = {p.tthc_code for p in coverage.in_force_procedures([agency.id])}
    return list(db.session.scalars(
        select(Tthc).where(or_(coverage.obligation_filter(agency),
                               and_(Tthc.code.in_(named), Tthc.abolished_on.is_(None))))
        .order_by(Tthc.name, Tthc.code).limit(TTHC_LIST_MAX)))


def agency_tthc(agency: Agency, code: str) -> Tthc | None:
    """The TTHC of `code` if the agency's survey offers it; None for any other text."""
    if not isinstance(code, str) or not TTHC_CODE_RE.fullmatch(code):
        return None
    named = {p.tthc_code for p in coverage.in_force_procedures([agency.id])}
    return db.session.scalar(select(Tthc).where(
        Tthc.code == code, or_(coverage.obligation_filter(agency),
                               and_(Tthc.code.in_(named), Tthc.abolished_on.is_(None)))))


def parse_receipt(raw: object) -> str:
    """A dossier receipt number (mã hồ sơ) as printed on the receipt, e.g.
    000.00.12.H18-260301-0001: letters, digits, '.', '-', '/'; spaces dropped, upper
    case. Anything else (a control or invisible character) is refused, never stripped
    into another number."""
    if not isinstance(raw, str) or not raw.strip():
        raise Refused("receipt", _("Vui lòng nhập mã hồ sơ (in trên giấy tiếp nhận, hẹn trả "
                                   "kết quả)."))
    text = raw.strip().replace(" ", "").upper()
    if len(text) > 40:
        raise Refused("receipt", _("Mã hồ sơ quá dài (tối đa 40 ký tự)."))
    if not RECEIPT_RE.fullmatch(text):
        raise Refused("receipt", _("Mã hồ sơ chỉ gồm chữ không dấu, chữ số và các dấu «.», «-», "
                                   "«/» (4–40 ký tự), như in trên giấy hẹn trả kết quả."))
    return text


@dataclass
class Answer:
    receipt: str
    scores: dict[str, object]
    comment: str = ""
    comment_kind: str = ""
    tthc: Tthc | None = None


def parse_score(raw: object, question: Question) -> int:
    if isinstance(raw, str) and raw.strip() in {"1", "2", "3", "4", "5"}:
        return int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and raw in SCORES:
        return raw
    raise Refused(question.value, _("Vui lòng chọn mức đánh giá (1–5) cho «%(question)s».",
                                    question=question.text))


def submit(agency: Agency, answer: Answer, actor: User | None = None) -> SurveyResponse:
    """A citizen's answer: no account, no personal data; one answer per receipt number
    of the agency. The caller (the public page) has rate-limited the request."""
    policy.require(actor, Action.SURVEY_ANSWER, agency)
    receipt = parse_receipt(answer.receipt)
    scores = {q: parse_score(answer.scores.get(q.value), q) for q in Question}
    if answer.comment_kind not in {k.value for k in CommentKind}:
        raise Refused("comment_kind", _("Loại ý kiến không hợp lệ."))
    kind = CommentKind(answer.comment_kind)
    raw = answer.comment if isinstance(answer.comment, str) else ""
    if len(raw) > COMMENT_MAX * 2:  # refused before any work on it
        raise Refused("comment", _("Ý kiến quá dài: tối đa %(max)s ký tự.", max=COMMENT_MAX))
    comment = clean(raw, multiline=True)
    if len(comment) > COMMENT_MAX:
        raise Refused("comment", _("Ý kiến quá dài: tối đa %(max)s ký tự (Ông/Bà đã nhập "
                                   "%(n)s ký tự).", max=COMMENT_MAX, n=len(comment)))
    if kind.is_complaint and not comment:
        raise Refused("comment", _("Vui lòng ghi nội dung %(kind)s.", kind=kind.label.lower()))
    if comment and kind is CommentKind.NONE:
        kind = CommentKind.SUGGESTION
    if answer.tthc is not None and agency_tthc(agency, answer.tthc.code) is None:
        raise Refused("tthc", _("Thủ tục hành chính không thuộc đơn vị này."))
    if answered(agency, receipt):
        raise Refused("receipt", already_answered(receipt))
    now, year = utcnow(), today_local().year
    for _attempt in range(3):
        seq = (db.session.scalar(select(func.max(SurveyResponse.seq)).where(
            SurveyResponse.agency_id == agency.id, SurveyResponse.year == year)) or 0) + 1
        response = SurveyResponse(
            agency=agency, year=year, seq=seq, receipt=receipt,
            tthc_code=answer.tthc.code if answer.tthc else None, comment_kind=kind.value,
            comment=comment, lowest=min(scores.values()), submitted_at=now,
            scores=[SurveyScore(question=q.value, score=s) for q, s in scores.items()])
        try:
            with db.session.begin_nested():
                db.session.add(response)
                db.session.flush()
        except IntegrityError:
            # another answer got in first: the same receipt (refuse) or the same number
            if answered(agency, receipt):
                raise Refused("receipt", already_answered(receipt)) from None
            continue
        return response
    raise InvalidInput(_("Hệ thống đang bận, vui lòng gửi lại sau ít giây."))


def answered(agency: Agency, receipt: str) -> bool:
    return db.session.scalar(select(SurveyResponse.id).where(
        SurveyResponse.agency_id == agency.id, SurveyResponse.receipt == receipt)) is not None


def already_answered(receipt: str) -> str:
    return _("Hồ sơ %(receipt)s đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần; xin cảm ơn "
             "Ông/Bà.", receipt=receipt)


# --- results -------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """A year, a quarter or a month, as typed in a URL: 2026, 2026-Q3, 2026-03."""

    key: str
    label: str
    start: date
    end: date  # exclusive

    def bounds_utc(self) -> tuple[datetime, datetime]:
        """Local midnights as the naive UTC times that are stored."""
        return utc_start_of(self.start), utc_start_of(self.end)


def parse_period(raw: object) -> Period:
    if raw is None or raw == "":
        raw = str(today_local().year)
    found = PERIOD_RE.fullmatch(raw) if isinstance(raw, str) else None
    if found is None or not YEAR_MIN <= int(found.group(1)) <= YEAR_MAX:
        raise InvalidInput(_("Kỳ phải có dạng năm (2026), quý (2026-Q3) hoặc tháng (2026-03)."))
    year, part = int(found.group(1)), found.group(2)
    if part is None:
        return Period(str(year), _("năm %(year)s", year=year), date(year, 1, 1),
                      date(year + 1, 1, 1))
    if part.startswith("Q"):
        q = int(part[1])
        start = date(year, 3 * q - 2, 1)
        end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
        return Period(f"{year}-Q{q}", _("quý %(q)s/%(year)s", q=q, year=year), start, end)
    month = int(part)
    if not 1 <= month <= 12:
        raise InvalidInput(_("Tháng phải từ 01 đến 12."))
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(f"{year}-{month:02d}", _("tháng %(month)s/%(year)s", month=part, year=year),
                  date(year, month, 1), end)


def period_choices(agency: Agency) -> list[tuple[str, str]]:
    """This year and last, their quarters and this year's months so far."""
    today = today_local()
    out: list[tuple[str, str]] = []
    for year in (today.year, today.year - 1):
        out.append((str(year), _("Năm %(year)s", year=year)))
        out += [(f"{year}-Q{q}", _("Quý %(q)s/%(year)s", q=q, year=year)) for q in range(1, 5)
                if year < today.year or 3 * q - 2 <= today.month]
        if year == today.year:
            out += [(f"{year}-{m:02d}", _("Tháng %(month)s/%(year)s", month=str(m).zfill(2),
                                          year=year))
                    for m in range(1, today.month + 1)]
    return out


@dataclass
class QuestionResult:
    question: Question
    count: int = 0
    total: int = 0
    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(SCORES, 0))

    @property
    def average(self) -> float | None:
        return round(self.total / self.count, 2) if self.count else None

    @property
    def satisfied_percent(self) -> float | None:
        """Share of scores 4 and 5: the province reports satisfaction this way."""
        return round(100 * (self.counts[4] + self.counts[5]) / self.count, 1) \
            if self.count else None


@dataclass
class TthcResult:
    code: str
    name: str
    responses: int
    average: float | None
    low: int


@dataclass
class Results:
    agency: Agency
    period: Period
    tthc: Tthc | None
    responses: int
    questions: list[QuestionResult]
    tthcs: list[TthcResult]
    complaints: int
    low: int
    flagged: list[SurveyResponse]   # low scores and complaints, newest first


def results(agency: Agency, period: Period, tthc: Tthc | None = None) -> Results:
    """Counts and averages in SQL (four queries whatever the number of answers)."""
    start, end = period.bounds_utc()
    where = [SurveyResponse.agency_id == agency.id, SurveyResponse.submitted_at >= start,
             SurveyResponse.submitted_at < end]
    if tthc is not None:
        where.append(SurveyResponse.tthc_code == tthc.code)
    in_period = select(SurveyResponse.id).where(*where)
    questions = {q: QuestionResult(q) for q in Question}
    for question, score, count in db.session.execute(
            select(SurveyScore.question, SurveyScore.score, func.count())
            .where(SurveyScore.response_id.in_(in_period))
            .group_by(SurveyScore.question, SurveyScore.score)):
        if question in questions and score in SCORES:
            result = questions[Question(question)]
            result.counts[score] += count
            result.count += count
            result.total += score * count
    responses, complaints, low = db.session.execute(
        select(func.count(), func.count().filter(SurveyResponse.comment_kind.in_(
            [CommentKind.COMPLAINT.value, CommentKind.PETITION.value])),
            func.count().filter(SurveyResponse.lowest <= LOW_SCORE)).where(*where)).one()
    overall = select(SurveyScore.response_id, SurveyScore.score).where(
        SurveyScore.question == Question.OVERALL.value).subquery()
    by_tthc = db.session.execute(
        select(SurveyResponse.tthc_code, func.count(), func.avg(overall.c.score),
               func.count().filter(SurveyResponse.lowest <= LOW_SCORE))
        .join(overall, overall.c.response_id == SurveyResponse.id)
        .where(*where).group_by(SurveyResponse.tthc_code)).all()
    names = {code: name for code, name in db.session.execute(
        select(Tthc.code, Tthc.name).where(Tthc.code.in_([c for c, *_ in by_tthc if c])))}
    tthcs = sorted((TthcResult(code or "", names.get(code, "") if code else "",
                               count, round(float(avg), 2) if avg is not None else None, lows)
                    for code, count, avg, lows in by_tthc),
                   key=lambda r: (-r.responses, r.code))
    flagged = list(db.session.scalars(
        select(SurveyResponse).where(*where, or_(
            SurveyResponse.lowest <= LOW_SCORE,
            SurveyResponse.comment_kind.in_([CommentKind.COMPLAINT.value,
                                             CommentKind.PETITION.value])))
        .options(selectinload(SurveyResponse.scores), selectinload(SurveyResponse.finding))
        .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc())
        .limit(LOW_LIST_MAX)))
    return Results(agency, period, tthc, responses, list(questions.values()), tthcs,
                   complaints, low, flagged)


# --- a finding from an answer --------------------------------------------------------

FINDING_CLAUSES = "9.1.2"


def raise_finding(response: SurveyResponse, actor: User, kind: FindingType) -> Finding:
    """One step from a low score or a complaint to a finding: source «phản ánh, kiến
    nghị» for a complaint or petition, «khảo sát sự hài lòng» for a low score. The
    finding's text is the agency's record (audit reports print it): Vietnamese."""
    if response.finding_id is not None:
        raise InvalidInput(_("Phiếu %(code)s đã có phát hiện %(finding)s.", code=response.code,
                             finding=response.finding.code))
    comment_kind = response.kind
    if not (response.is_low or comment_kind.is_complaint):
        raise InvalidInput(_("Phiếu %(code)s không có điểm thấp hay phản ánh, kiến nghị: không "
                             "có gì để ghi nhận phát hiện.", code=response.code))
    with force_locale("vi"):
        observed = _observed(response)
    finding = findings.raise_finding(response.agency, actor, findings.FindingInput(
        type=kind, clauses=FINDING_CLAUSES,
        requirement="Theo dõi, đánh giá sự hài lòng của tổ chức, cá nhân khi "  # i18n: vi-only
                    "giải quyết thủ tục hành chính và xử lý phản ánh, kiến nghị "  # i18n: vi-only
                    "(TCVN ISO 9001:2015, 9.1.2).",
        observed=observed,
        source=FindingSource.COMPLAINT if comment_kind.is_complaint else FindingSource.SURVEY,
        source_note=f"Phiếu khảo sát {response.code}, hồ sơ {response.receipt}"))  # i18n: vi-only
    response.finding = finding
    db.session.flush()
    return finding


def _observed(response: SurveyResponse) -> str:
    """What the finding records of the answer, in Vietnamese (the caller forces the
    locale for the labels it quotes)."""
    when = response.submitted_at.replace(tzinfo=UTC).astimezone(LOCAL_TZ) \
        .strftime("%d/%m/%Y")
    lows = [f"{Question(s.question).short}: {s.score}/5" for s in response.scores
            if s.score <= LOW_SCORE]
    observed = f"Phiếu khảo sát {response.code} ngày {when}, "  # i18n: vi-only
    observed += f"hồ sơ {response.receipt}"  # i18n: vi-only
    if response.tthc_code:
        observed += f", thủ tục {response.tthc_code}"  # i18n: vi-only
    observed += "."
    if lows:
        observed += " Điểm thấp — " + "; ".join(lows) + "."  # i18n: vi-only
    if response.comment:
        label = response.kind.label
        observed += f" {label} của người dân: «{response.comment}»"  # i18n: vi-only
    return observed


def response_of(agency: Agency, response_id: int) -> SurveyResponse | None:
    response = db.session.get(SurveyResponse, response_id)
    return response if response is not None and response.agency_id == agency.id else None
