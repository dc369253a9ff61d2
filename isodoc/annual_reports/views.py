"""Annual QMS reports: an agency's reports (start, write, send, approve or return,
submit, download), and the Sở KH&CN's overview of the year with its deadline and the
consolidated report. Views parse, call a command, render."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from isodoc.annual_reports import docx, services
from isodoc.annual_reports.forms import (
    ApproveForm,
    DeadlineForm,
    ReportForm,
    ReturnForm,
    StartForm,
)
from isodoc.annual_reports.models import AnnualReport
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.documents.views import agency_or_404
from isodoc.errors import error_response
from isodoc.extensions import db
from isodoc.i18n import _, _l
from isodoc.officedocs.layout import DOCX_MIMETYPE
from isodoc.paging import PagingError, parse_page
from isodoc.policy import Action, can, require
from isodoc.succession.services import must_redeclare
from isodoc.timeutil import format_date

bp = Blueprint("annual_reports", __name__)
PAGE_SIZE = 100
FILTERS = {"": _l("Tất cả"), "submitted": _l("Đã nộp"), "late": _l("Nộp muộn hoặc quá hạn"),
           "missing": _l("Chưa nộp")}


@bp.before_request
@login_required
def signed_in() -> None:
    """Every report page needs a signed-in user."""


def year_arg(default: int | None = None) -> int:
    raw = request.args.get("year", "")
    if not raw:
        return default or services.current_year()
    if not raw.isascii() or not raw.isdigit() or len(raw) != 4 or \
            not services.YEAR_MIN <= int(raw) <= services.YEAR_MAX:
        abort(404)
    return int(raw)


def report_or_404(agency_code: str, year: int) -> AnnualReport:
    agency = agency_or_404(agency_code)
    if not services.YEAR_MIN <= year <= services.YEAR_MAX:
        abort(404)
    report = services.get_report(agency, year)
    if report is None:
        require(current_user, Action.REPORT_VIEW, agency)
        abort(404)
    require(current_user, Action.REPORT_VIEW, report)
    return report


def report_url(report: AnnualReport) -> str:
    return url_for("annual_reports.show", agency_code=report.agency.code, year=report.year)


def render_index(agency, form: StartForm | None = None, status: int = 200):
    if form is None:
        form = StartForm()
        form.year.data = services.current_year()
    reports = db.session.scalars(db.select(AnnualReport).where(
        AnnualReport.agency_id == agency.id).order_by(AnnualReport.year.desc()).limit(100)).all()
    return render_template("annual_reports/index.html", agency=agency, reports=reports,
                           form=form, deadline=services.deadline), status


@bp.route("/agencies/<agency_code>/annual-reports")
def index(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.REPORT_VIEW, agency)
    return render_index(agency)


@bp.route("/agencies/<agency_code>/annual-reports/start", methods=["POST"])
def start(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.REPORT_VIEW, agency)
    require(current_user, Action.REPORT_EDIT, agency)
    form = StartForm()
    if form.validate_on_submit():
        report, error = attempt(services.start_report, agency, form.year.data, current_user)
        if error is None:
            flash(_("Đã lập báo cáo năm %(year)s từ số liệu của đơn vị.", year=report.year),
                  "success")
            return redirect(report_url(report))
        form.year.errors = [*form.year.errors, error.message]
    return render_index(agency_or_404(agency_code), form, 422)


def as_of(figures: dict) -> date | None:
    try:
        return date.fromisoformat(figures.get("as_of", ""))
    except (TypeError, ValueError):
        return None


def render_report(report: AnnualReport, form: ReportForm | None = None, status: int = 200,
                  return_form: ReturnForm | None = None, approve_form: ApproveForm | None = None):
    """A report's page; after a refused form, with that form as typed (422). The others
    show the report as it is and never read the request."""
    if form is None:
        form = ReportForm(formdata=None, obj=report)
    return render_template(
        "annual_reports/show.html", report=report, agency=report.agency, form=form,
        figures=report.figure_data, due_on=services.deadline(report.year),
        as_of=as_of(report.figure_data),
        approve_form=approve_form or ApproveForm(prefix="a", formdata=None),
        return_form=return_form or ReturnForm(prefix="r", formdata=None),
        may_edit=can(current_user, Action.REPORT_EDIT, report),
        may_approve=can(current_user, Action.REPORT_APPROVE, report),
        may_submit=can(current_user, Action.REPORT_SUBMIT, report)), status


@bp.route("/agencies/<agency_code>/annual-reports/<int:year>")
def show(agency_code: str, year: int):
    return render_report(report_or_404(agency_code, year))


@bp.route("/agencies/<agency_code>/annual-reports/<int:year>/save", methods=["POST"])
def save(agency_code: str, year: int):
    report = report_or_404(agency_code, year)
    require(current_user, Action.REPORT_EDIT, report)
    form = ReportForm()
    if not form.validate_on_submit():
        return render_report(report, form, 422)
    texts = {name: getattr(form, name).data or "" for name in services.TEXT_FIELDS}
    _saved, error = attempt(services.save_report, report, current_user, texts)
    if error is not None:
        flash(error.message, "error")
        return render_report(db.session.get(AnnualReport, report.id), form, 422)
    flash(_("Đã lưu báo cáo."), "success")
    return redirect(report_url(report))


def step(agency_code: str, year: int, action: Action, command, *args, message: str,
         refused: dict | None = None):
    """Run a step; when refused, show the report again (with the step's form as typed,
    `refused`)."""
    report = report_or_404(agency_code, year)
    require(current_user, action, report)
    result, error = attempt(command, report, current_user, *args)
    if error is not None:
        flash(error.message, "error")
        return render_report(db.session.get(AnnualReport, report.id), status=422,
                             **(refused or {}))
    flash(message if result is not False else
          _("Đã gửi báo cáo, sau hạn nộp %(due)s: báo cáo được ghi nhận là nộp muộn.",
            due=format_date(report.due_on)), "success" if result is not False else "error")
    return redirect(report_url(report))


@bp.route("/agencies/<agency_code>/annual-reports/<int:year>/refresh", methods=["POST"])
def refresh(agency_code: str, year: int):
    return step(agency_code, year, Action.REPORT_EDIT, services.refresh_figures,
                message=_("Đã cập nhật số liệu từ dữ liệu hiện tại của đơn vị."))


@bp.route("/agencies/<agency_code>/annual-reports/<int:year>/send", methods=["POST"])
def send(agency_code: str, year: int):
    return step(agency_code, year, Action.REPORT_EDIT, services.send,
                message=_("Đã trình lãnh đạo phê duyệt báo cáo."))


@bp.route("/agencies/<agency_code>/annual-reports/<int:year>/approve", methods=["POST"])
def approve(agency_code: str, year: int):
    report = report_or_404(agency_code, year)
    require(current_user, Action.REPORT_APPROVE, report)
    form = ApproveForm(prefix="a")
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_report(report, status=422, approve_form=form)
    return step(agency_code, year, Action.REPORT_APPROVE, services.approve,
                form.comment.data or "", message=_("Đã phê duyệt báo cáo."),
                refused={"approve_form": form})


@bp.route("/agencies/<agency_code>/annual-reports/<int:year>/return", methods=["POST"])
def return_report(agency_code: str, year: int):
    report = report_or_404(agency_code, year)
    require(current_user, Action.REPORT_APPROVE, report)
    form = ReturnForm(prefix="r")
    if not form.validate_on_submit():
        return render_report(report, status=422, return_form=form)
    return step(agency_code, year, Action.REPORT_APPROVE, services.return_report,
                form.comment.data or "", message=_("Đã trả lại báo cáo để sửa."),
                refused={"return_form": form})


@bp.route("/agencies/<agency_code>/annual-reports/<int:year>/submit", methods=["POST"])
def submit(agency_code: str, year: int):
    return step(agency_code, year, Action.REPORT_SUBMIT, services.submit,
                message=_("Đã gửi báo cáo đến Sở KH&CN trong hạn."))


@bp.route("/agencies/<agency_code>/annual-reports/<int:year>/export.docx")
def export_docx(agency_code: str, year: int):
    report = report_or_404(agency_code, year)
    return Response(docx.agency_report(report), mimetype=DOCX_MIMETYPE, headers={
        "Content-Disposition": f"attachment; filename=bao-cao-htqlcl-{report.year}-"
                               f"{report.agency.code}.docx"})


# -- the Sở KH&CN --------------------------------------------------------------------

def overview(year: int, deadline_form: DeadlineForm | None = None, status: int = 200):
    rows = services.standings(year)
    counts = services.summary(rows)
    shown = request.args.get("show", "")
    shown = shown if shown in FILTERS else ""
    filtered = [r for r in rows if shown == "" or (shown == "submitted" and r.submitted) or
                (shown == "late" and r.late) or (shown == "missing" and not r.submitted)]
    try:
        page = parse_page(request.args.get("page"))
    except PagingError as exc:  # before any work: an offset no page can reach
        return error_response(400, exc.message)
    pages = max(1, -(-len(filtered) // PAGE_SIZE))
    if page > pages:
        abort(404)
    if deadline_form is None:
        deadline_form = DeadlineForm(prefix="d")
        deadline_form.year.data = year
        deadline_form.due_on.data = format_date(services.deadline(year))
    return render_template(
        "annual_reports/province.html", year=year, rows=filtered[(page - 1) * PAGE_SIZE:
                                                                  page * PAGE_SIZE],
        page=page, pages=pages, counts=counts, shown=shown, filters=FILTERS,
        due_on=services.deadline(year), deadline_row=services.deadline_row(year),
        deadline_form=deadline_form, redeclare=must_redeclare(),
        may_set=can(current_user, Action.REPORT_DEADLINE)), status


@bp.route("/annual-reports/")
def province():
    require(current_user, Action.REPORT_PROVINCE)
    return overview(year_arg())


@bp.route("/annual-reports/deadline", methods=["POST"])
def set_deadline():
    require(current_user, Action.REPORT_DEADLINE)
    form = DeadlineForm(prefix="d")
    year = form.year.data if isinstance(form.year.data, int) and \
        services.YEAR_MIN <= form.year.data <= services.YEAR_MAX else services.current_year()
    if not form.validate_on_submit():
        return overview(year, form, 422)
    _row, error = attempt(services.set_deadline, form.year.data, form.due_on.date, current_user)
    if error is not None:
        form.due_on.errors = [*form.due_on.errors, error.message]
        return overview(year, form, 422)
    flash(_("Đã đặt hạn nộp báo cáo năm %(year)s: %(due)s.", year=form.year.data,
            due=form.due_on.data), "success")
    return redirect(url_for("annual_reports.province", year=form.year.data))


@bp.route("/annual-reports/<int:year>/consolidated.docx")
def consolidated(year: int):
    require(current_user, Action.REPORT_PROVINCE)
    if not services.YEAR_MIN <= year <= services.YEAR_MAX:
        abort(404)
    from isodoc.agencies.services import root

    rows = services.standings(year)
    data = docx.consolidated(year, root(), rows, services.summary(rows), must_redeclare())
    return Response(data, mimetype=DOCX_MIMETYPE, headers={
        "Content-Disposition": f"attachment; filename=bao-cao-tong-hop-htqlcl-{year}.docx"})
