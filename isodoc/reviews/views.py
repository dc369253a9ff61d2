"""Management review meetings of an agency (ISO 9001:2015 9.3)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from isodoc.auth.services import members_of
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.documents.views import agency_or_404, owned_or_404
from isodoc.extensions import db
from isodoc.findings.reports import default_period
from isodoc.forms import ConfirmForm, data_options
from isodoc.i18n import _
from isodoc.officedocs.layout import DOCX_MIMETYPE
from isodoc.policy import Action, can, require
from isodoc.reviews import minutes, services
from isodoc.reviews.forms import ActionForm, InputsForm, MeetingForm, ReportForm, VerifyForm
from isodoc.reviews.models import InputTopic, ManagementReview, ReviewAction
from isodoc.timeutil import format_date, today_local

bp = Blueprint("reviews", __name__, url_prefix="/agencies/<agency_code>/management-reviews")


@bp.before_request
@login_required
def signed_in() -> None:
    """Every management review page needs a signed-in user."""


def review_or_404(agency_code: str, review_id: int) -> ManagementReview:
    review = owned_or_404(ManagementReview, agency_code, review_id)
    require(current_user, Action.REVIEW_VIEW, review.agency)
    return review


def action_or_404(review: ManagementReview, action_id: int) -> ReviewAction:
    item = db.session.get(ReviewAction, action_id)
    if item is None or item.review_id != review.id:
        abort(404)
    return item


def review_url(review: ManagementReview, anchor: str | None = None) -> str:
    return url_for("reviews.show", agency_code=review.agency.code, review_id=review.id,
                   _anchor=anchor)


@bp.route("")
def index(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.REVIEW_VIEW, agency)
    return render_template("reviews/index.html", agency=agency,
                           reviews=services.agency_reviews(agency), today=today_local(),
                           may_manage=can(current_user, Action.REVIEW_MANAGE, agency))


def meeting_form(agency) -> MeetingForm:
    form = MeetingForm()
    people = members_of(agency)
    form.chair.choices = data_options((str(u.id), u.full_name) for u in people)
    form.attendees.choices = data_options((str(u.id), u.full_name) for u in people)
    if request.method == "GET":
        start, end = default_period()
        form.held_on.data = format_date(today_local())
        form.period_start.data, form.period_end.data = format_date(start), format_date(end)
    return form


@bp.route("/new", methods=["GET", "POST"])
def new(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.REVIEW_MANAGE, agency)
    form = meeting_form(agency)
    if request.method == "POST":
        if form.validate_on_submit():
            people = {str(u.id): u for u in members_of(agency)}
            data = services.MeetingInput(
                held_on=form.held_on.date, period_start=form.period_start.date,
                period_end=form.period_end.date, chair=people.get(form.chair.data or ""),
                place=form.place.data or "",
                attendees=[people[i] for i in form.attendees.data or [] if i in people],
                guests=form.guests.data or "")
            review, error = attempt(services.record_meeting, agency, current_user, data)
            if error is None:
                flash(_("Đã ghi cuộc họp %(code)s; các đầu vào được điền sẵn từ dữ liệu "
                        "của kỳ xem xét.", code=review.code), "success")
                return redirect(review_url(review))
            flash(error.message, "error")
        else:
            flash_form_errors(form)
    return render_template("reviews/new.html", agency=agency, form=form), \
        422 if request.method == "POST" else 200


def inputs_form(review: ManagementReview, bound: bool = True) -> InputsForm:
    bound = bound and request.method == "POST"
    form = InputsForm(prefix="i") if bound else InputsForm(prefix="i", formdata=None)
    if not bound:
        for item in review.inputs:
            getattr(form, f"input_{item.topic}").data = item.content
        form.conclusion.data = review.conclusion
    return form


def action_form(review: ManagementReview, bound: bool = True) -> ActionForm:
    form = ActionForm(prefix="a") if bound else ActionForm(prefix="a", formdata=None)
    form.owner.choices = data_options((str(u.id), u.full_name) for u in members_of(review.agency))
    return form


def render_review(review: ManagementReview, status: int = 200, **forms):
    """A review's page; after a refused form, with that form as posted (422). The others
    show the review as it is and never read the request."""
    return render_template(
        "reviews/show.html", review=review, agency=review.agency, topics=list(InputTopic),
        inputs=forms.get("inputs") or inputs_form(review, bound=False),
        action=forms.get("action") or action_form(review, bound=False),
        report=forms.get("report") or ReportForm(prefix="r", formdata=None),
        verify=forms.get("verify") or VerifyForm(prefix="v", formdata=None),
        confirm=ConfirmForm(formdata=None),
        today=today_local(), may_manage=can(current_user, Action.REVIEW_MANAGE, review.agency),
        satisfaction=InputTopic.SATISFACTION), status


@bp.route("/<int:review_id>")
def show(agency_code: str, review_id: int):
    return render_review(review_or_404(agency_code, review_id))


@bp.route("/<int:review_id>/inputs", methods=["POST"])
def save_inputs(agency_code: str, review_id: int):
    review = review_or_404(agency_code, review_id)
    require(current_user, Action.REVIEW_MANAGE, review.agency)
    form = inputs_form(review)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_review(review, 422, inputs=form)
    # only the inputs the form sent (a page that shows some of them changes only those)
    texts = {t.value: getattr(form, f"input_{t.value}").data or "" for t in InputTopic
             if f"i-input_{t.value}" in request.form}
    __, error = attempt(services.save_inputs, review, current_user, texts,
                       form.conclusion.data or "")
    if error is not None:
        flash(error.message, "error")
        return render_review(db.session.get(ManagementReview, review_id), 422, inputs=form)
    flash(_("Đã lưu đầu vào và kết luận của cuộc họp."), "success")
    return redirect(review_url(review, "inputs"))


@bp.route("/<int:review_id>/inputs/<topic>/refresh", methods=["POST"])
def refresh(agency_code: str, review_id: int, topic: str):
    review = review_or_404(agency_code, review_id)
    require(current_user, Action.REVIEW_MANAGE, review.agency)
    if topic not in set(InputTopic) or not ConfirmForm().validate_on_submit():
        abort(400)
    __, error = attempt(services.refresh_input, review, current_user, topic)
    flash(error.message if error else _("Đã lấy lại số liệu từ dữ liệu hiện tại."),
          "error" if error else "success")
    return redirect(review_url(review, "inputs"))


@bp.route("/<int:review_id>/actions", methods=["POST"])
def add_action(agency_code: str, review_id: int):
    review = review_or_404(agency_code, review_id)
    require(current_user, Action.REVIEW_MANAGE, review.agency)
    form = action_form(review)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_review(review, 422, action=form)
    owner = next((u for u in members_of(review.agency) if str(u.id) == form.owner.data), None)
    __, error = attempt(services.add_action, review, current_user, form.kind.data,
                       form.decision.data or "", owner, form.due_date.date)
    if error is not None:
        flash(error.message, "error")
        return render_review(db.session.get(ManagementReview, review_id), 422, action=form)
    flash(_("Đã ghi quyết định và hành động."), "success")
    return redirect(review_url(review, "actions"))


@bp.route("/<int:review_id>/actions/<int:action_id>/report", methods=["POST"])
def report(agency_code: str, review_id: int, action_id: int):
    review = review_or_404(agency_code, review_id)
    item = action_or_404(review, action_id)
    require(current_user, Action.REVIEW_ACTION_REPORT, item)
    form = ReportForm(prefix="r")
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_review(review, 422, report=form)
    __, error = attempt(services.report_action, item, current_user, form.result.data or "")
    if error is not None:
        flash(error.message, "error")
        return render_review(db.session.get(ManagementReview, review_id), 422, report=form)
    flash(_("Đã ghi kết quả thực hiện; chờ xác nhận."), "success")
    return redirect(review_url(review, "actions"))


@bp.route("/<int:review_id>/actions/<int:action_id>/verify", methods=["POST"])
def verify(agency_code: str, review_id: int, action_id: int):
    review = review_or_404(agency_code, review_id)
    item = action_or_404(review, action_id)
    require(current_user, Action.REVIEW_ACTION_VERIFY, item)
    form = VerifyForm(prefix="v")
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_review(review, 422, verify=form)
    __, error = attempt(services.verify_action, item, current_user,
                       form.outcome.data == "closed", form.note.data or "", form.new_due.date)
    if error is not None:
        flash(error.message, "error")
        return render_review(db.session.get(ManagementReview, review_id), 422, verify=form)
    flash(_("Đã xác nhận hoàn thành.") if form.outcome.data == "closed"
          else _("Đã trả lại hành động cho người thực hiện."), "success")
    return redirect(review_url(review, "actions"))


@bp.route("/<int:review_id>/minutes.docx")
def minutes_docx(agency_code: str, review_id: int):
    review = review_or_404(agency_code, review_id)
    data = minutes.build(review)
    name = f"bien-ban-xem-xet-lanh-dao-{review.year}-{review.seq:02d}.docx"
    return Response(data, mimetype=DOCX_MIMETYPE,
                    headers={"Content-Disposition": f"attachment; filename={name}"})
