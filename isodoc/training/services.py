"""Training records: courses with their attendees, internal-auditor certificates, and the
question the audit plan asks (who on a team holds a valid certificate). Commands ask the
policy, flush, never commit, and write an audit-log row."""

from __future__ import annotations

from collections.abc import Iterable
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
from isodoc.i18n import _
from isodoc.policy import Action
from isodoc.textnorm import typed
from isodoc.timeutil import format_date
from isodoc.training.models import Attendance, AuditorCertificate, Course, CourseKind

SHOWN = 500          # courses and certificates listed (and answered by the API) at most
ATTENDEES_MAX = 200  # people on one course


def agency_member(agency: Agency, user: User | None) -> bool:
    return user is not None and user.active and bool(user.roles_on(agency))


def _actor(actor) -> User | None:
    return actor if isinstance(actor, User) else None


@dataclass
class CourseInput:
    kind: str
    title: str
    provider: str
    held_from: date | None
    held_to: date | None
    attendees: list[User] = field(default_factory=list)


def add_course(agency: Agency, actor: User, data: CourseInput) -> Course:
    policy.require(actor, Action.TRAINING_MANAGE, agency)
    if data.kind not in set(CourseKind):
        raise InvalidInput(_("Chọn loại khoá đào tạo."))
    title = typed(data.title, _("tên khoá đào tạo"), 300)
    provider = typed(data.provider, _("đơn vị đào tạo"), 300, required=False)
    if data.held_from is None or data.held_to is None:
        raise InvalidInput(_("Vui lòng nhập thời gian đào tạo (dd/mm/yyyy)."))
    if data.held_to < data.held_from:
        raise InvalidInput(_("Ngày kết thúc khoá đào tạo phải từ ngày bắt đầu trở đi."))
    people = list(dict.fromkeys(data.attendees))
    if not people:
        raise InvalidInput(_("Chọn ít nhất một người tham dự."))
    if len(people) > ATTENDEES_MAX:
        raise InvalidInput(_("Một khoá đào tạo ghi tối đa %(num)s người tham dự.",
                             num=ATTENDEES_MAX))
    if outsiders := [u.full_name for u in people if not agency_member(agency, u)]:
        raise InvalidInput(_("Người tham dự phải là thành viên của đơn vị: %(names)s không "
                             "phải.", names=", ".join(outsiders[:5])))
    course = Course(agency=agency, kind=data.kind, title=title, provider=provider,
                    held_from=data.held_from, held_to=data.held_to,
                    created_by_id=getattr(_actor(actor), "id", None),
                    attendances=[Attendance(user=u) for u in people])
    db.session.add(course)
    db.session.flush()
    audit_log.record("training.course", "training_course", course.id, agency_id=agency.id,
                     actor=_actor(actor), summary=f"{title} ({format_date(data.held_from)} – "
                     f"{format_date(data.held_to)}), {len(people)} người tham dự")  # i18n: vi-only
    return course


@dataclass
class CertificateInput:
    person: User | None
    number: str
    issuer: str
    issued_on: date | None
    valid_until: date | None = None
    course: Course | None = None
    note: str = ""


def add_certificate(agency: Agency, actor: User, data: CertificateInput) -> AuditorCertificate:
    policy.require(actor, Action.TRAINING_MANAGE, agency)
    if data.person is None or not agency_member(agency, data.person):
        raise InvalidInput(_("Người được cấp chứng chỉ phải là thành viên của đơn vị."))
    number = typed(data.number, _("số chứng chỉ"), 64)
    issuer = typed(data.issuer, _("đơn vị cấp"), 300)
    note = typed(data.note, _("ghi chú"), 2000, required=False, multiline=True)
    if data.issued_on is None:
        raise InvalidInput(_("Vui lòng nhập ngày cấp (dd/mm/yyyy)."))
    if data.valid_until is not None and data.valid_until < data.issued_on:
        raise InvalidInput(_("Ngày hết hiệu lực phải sau ngày cấp."))
    if data.course is not None and (data.course.agency_id != agency.id or data.course.kind
                                    != CourseKind.INTERNAL_AUDITOR):
        raise InvalidInput(_("Khoá đào tạo phải là khoá chuyên gia đánh giá nội bộ của đơn vị."))
    # compared in Python: SQLite's lower() folds ASCII only ("Đ" stays)
    held = db.session.execute(select(AuditorCertificate.number, AuditorCertificate.issuer)
                              .where(AuditorCertificate.user_id == data.person.id)
                              .limit(200)).all()
    if (number.casefold(), issuer.casefold()) in {(n.casefold(), i.casefold())
                                                  for n, i in held}:
        raise InvalidInput(_("%(name)s đã có chứng chỉ số %(number)s của %(issuer)s: không ghi "
                             "lại lần nữa.", name=data.person.full_name, number=number,
                             issuer=issuer))
    cert = AuditorCertificate(agency=agency, user=data.person, number=number, issuer=issuer,
                              issued_on=data.issued_on, valid_until=data.valid_until,
                              course=data.course, note=note,
                              created_by_id=getattr(_actor(actor), "id", None))
    db.session.add(cert)
    db.session.flush()
    until = format_date(data.valid_until) if data.valid_until else "không thời hạn"  # i18n: vi-only
    audit_log.record("training.certificate", "auditor_certificate", cert.id,
                     agency_id=agency.id, actor=_actor(actor),
                     summary=f"Chứng chỉ đánh giá viên nội bộ {number} của "  # i18n: vi-only
                             f"{data.person.full_name}: từ {format_date(data.issued_on)}, "
                             f"đến {until}")
    return cert


def certificates_of(users: Iterable[User]) -> dict[int, list[AuditorCertificate]]:
    ids = [u.id for u in users if u.id is not None]
    found: dict[int, list[AuditorCertificate]] = {i: [] for i in ids}
    if ids:
        for cert in db.session.scalars(select(AuditorCertificate).where(
                AuditorCertificate.user_id.in_(ids)).order_by(AuditorCertificate.issued_on)):
            found[cert.user_id].append(cert)
    return found


def uncertified(users: Iterable[User], start: date, end: date) -> list[User]:
    """Those of `users` without an internal-auditor certificate valid from `start`
    through `end` (the audit's dates)."""
    users = list(users)
    held = certificates_of(users)
    return [u for u in users
            if not any(c.valid_on(start) and c.valid_on(end) for c in held.get(u.id, []))]


def agency_courses(agency: Agency) -> list[Course]:
    return list(db.session.scalars(
        select(Course).where(Course.agency_id == agency.id)
        .options(selectinload(Course.attendances).selectinload(Attendance.user))
        .order_by(Course.held_from.desc(), Course.id.desc()).limit(SHOWN)))


def agency_certificates(agency: Agency) -> list[AuditorCertificate]:
    return list(db.session.scalars(
        select(AuditorCertificate).where(AuditorCertificate.agency_id == agency.id)
        .options(selectinload(AuditorCertificate.user))
        .order_by(AuditorCertificate.issued_on.desc(), AuditorCertificate.id.desc())
        .limit(SHOWN)))


def year_summary(agency: Agency, year: int) -> str | None:
    """The training section of the agency's annual report: the year's courses with their
    attendance, certificates issued, internal auditors certified at the year's end (three
    queries); None when the year has nothing."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    courses = db.session.execute(
        select(Course.title, Course.kind, Course.held_from, Course.held_to,
               func.count(Attendance.id))
        .outerjoin(Attendance, Attendance.course_id == Course.id)
        .where(Course.agency_id == agency.id, Course.held_from <= end, Course.held_to >= start)
        .group_by(Course.id).order_by(Course.held_from, Course.id).limit(50)).all()
    issued = db.session.scalar(select(func.count()).select_from(AuditorCertificate).where(
        AuditorCertificate.agency_id == agency.id, AuditorCertificate.issued_on >= start,
        AuditorCertificate.issued_on <= end)) or 0
    valid = db.session.scalar(select(func.count(func.distinct(AuditorCertificate.user_id)))
                              .where(AuditorCertificate.agency_id == agency.id,
                                     AuditorCertificate.issued_on <= end,
                                     (AuditorCertificate.valid_until.is_(None))
                                     | (AuditorCertificate.valid_until >= end))) or 0
    if not courses and not issued and not valid:
        return None
    # the annual report is an officially filed document: Vietnamese, labels included
    with force_locale("vi"):
        lines = [f"- {title} ({CourseKind(kind).label}), {format_date(held_from)}"
                 + (f"–{format_date(held_to)}" if held_to != held_from else "")
                 + f": {attended} người tham dự"  # i18n: vi-only
                 for title, kind, held_from, held_to, attended in courses]
    return "\n".join([f"Năm {year} đơn vị tổ chức hoặc cử người tham gia "  # i18n: vi-only
                      f"{len(courses)} khoá đào tạo:" if courses  # i18n: vi-only
                      else f"Năm {year} không có khoá đào tạo nào.",  # i18n: vi-only
                      *lines,
                      f"Chứng chỉ chuyên gia đánh giá nội bộ cấp trong năm: "  # i18n: vi-only
                      f"{issued}; số người có chứng chỉ còn hiệu lực đến "  # i18n: vi-only
                      f"31/12/{year}: {valid}."])
