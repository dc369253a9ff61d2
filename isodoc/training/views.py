"""Training records of an agency (ISO 9001:2015 7.2): courses, attendees, internal-auditor
certificates."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from isodoc.auth.models import Role
from isodoc.auth.services import members_of
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.documents.views import agency_or_404
from isodoc.forms import data_options
from isodoc.i18n import _
from isodoc.policy import Action, can, require
from isodoc.timeutil import today_local
from isodoc.training import services
from isodoc.training.forms import CertificateForm, CourseForm
from isodoc.training.models import CourseKind

bp = Blueprint("training", __name__, url_prefix="/agencies/<agency_code>/training")


@bp.before_request
@login_required
def signed_in() -> None:
    """Every training page needs a signed-in user."""


def forms_for(agency, courses, bound: bool = True) -> tuple[CourseForm, CertificateForm]:
    people = data_options((str(u.id), u.full_name) for u in members_of(agency))
    unbound = {} if bound else {"formdata": None}
    course = CourseForm(prefix="c", **unbound)
    course.attendees.choices = people
    cert = CertificateForm(prefix="k", **unbound)
    cert.person.choices = people
    cert.course.choices = data_options([("", "—")] + [
        (str(c.id), f"{c.title} ({c.held_from.year})") for c in courses
        if c.kind == CourseKind.INTERNAL_AUDITOR])
    return course, cert


def render_index(agency, status: int = 200, course_form=None, cert_form=None):
    courses = services.agency_courses(agency)
    course, cert = forms_for(agency, courses, bound=False)  # the refused one is passed in
    auditors = members_of(agency, Role.AUDITOR)
    held = services.certificates_of(auditors)
    today = today_local()
    return render_template(
        "training/index.html", agency=agency, courses=courses,
        certificates=services.agency_certificates(agency), today=today,
        auditors=[(u, [c for c in held.get(u.id, []) if c.valid_on(today)]) for u in auditors],
        course_form=course_form or course, cert_form=cert_form or cert,
        may_manage=can(current_user, Action.TRAINING_MANAGE, agency)), status


@bp.route("")
def index(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.TRAINING_VIEW, agency)
    return render_index(agency)


@bp.route("/courses", methods=["POST"])
def add_course(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.TRAINING_MANAGE, agency)
    form, _cert_form = forms_for(agency, [])
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_index(agency, 422, course_form=form)
    people = {str(u.id): u for u in members_of(agency)}
    data = services.CourseInput(
        kind=form.kind.data, title=form.title.data or "", provider=form.provider.data or "",
        held_from=form.held_from.date, held_to=form.held_to.date,
        attendees=[people[i] for i in form.attendees.data or [] if i in people])
    _done, error = attempt(services.add_course, agency, current_user, data)
    if error is not None:
        flash(error.message, "error")
        return render_index(agency, 422, course_form=form)
    flash(_("Đã ghi khoá đào tạo."), "success")
    return redirect(url_for("training.index", agency_code=agency.code))


@bp.route("/certificates", methods=["POST"])
def add_certificate(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.TRAINING_MANAGE, agency)
    courses = services.agency_courses(agency)
    _course_form, form = forms_for(agency, courses)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_index(agency, 422, cert_form=form)
    person = next((u for u in members_of(agency) if str(u.id) == form.person.data), None)
    course = next((c for c in courses if str(c.id) == form.course.data), None)
    data = services.CertificateInput(
        person=person, number=form.number.data or "", issuer=form.issuer.data or "",
        issued_on=form.issued_on.date, valid_until=form.valid_until.date, course=course,
        note=form.note.data or "")
    _done, error = attempt(services.add_certificate, agency, current_user, data)
    if error is not None:
        flash(error.message, "error")
        return render_index(agency, 422, cert_form=form)
    flash(_("Đã ghi chứng chỉ đánh giá viên nội bộ."), "success")
    return redirect(url_for("training.index", agency_code=agency.code) + "#certificates")


