"""Report screens: findings across the agencies a person may see, and the management
review inputs of one agency."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from isodoc.agencies.services import get_by_code
from isodoc.documents.views import agency_or_404
from isodoc.findings import reports
from isodoc.i18n import _
from isodoc.policy import Action, require
from isodoc.timeutil import parse_date

bp = Blueprint("reports", __name__)
LIST_MAX = 300  # rows listed under the report; the CSV has them all


@bp.before_request
@login_required
def signed_in() -> None:
    """Reports need a signed-in user."""


@bp.route("/reports/findings")
def findings():
    code = request.args.get("agency", "")
    if code:
        agency = get_by_code(code)
        if agency is None:
            abort(404)
        require(current_user, Action.QA_VIEW, agency)
        agencies = reports.visible_agencies(current_user, under=agency)
    else:
        agencies = reports.visible_agencies(current_user)
        if agencies is not None and not agencies:
            abort(403)
    query = reports.FindingQuery.from_args(request.args, agencies=agencies)
    if request.args.get("format") == "csv":
        return reports.csv_response(query.run(), "phat-hien.csv")
    summary = reports.summarise(query.facts())
    rows = query.run(limit=LIST_MAX)
    return render_template("findings/report.html", summary=summary, rows=rows,
                           hidden=summary.total - len(rows), query=query, code=code)


PERIOD_YEARS = (2000, 2100)  # a period beyond cannot be turned into UTC bounds


@bp.route("/agencies/<agency_code>/management-review")
def management_review(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.QA_VIEW, agency)
    start, end = reports.default_period()
    problems = []
    try:
        if request.args.get("from"):
            start = parse_date(request.args["from"])
        if request.args.get("to"):
            end = parse_date(request.args["to"])
    except ValueError as exc:
        problems.append(str(exc))
    if not (PERIOD_YEARS[0] <= start.year and end.year <= PERIOD_YEARS[1]):
        problems.append(_("Kỳ xem xét phải nằm trong các năm %(first)s–%(last)s.",
                          first=PERIOD_YEARS[0], last=PERIOD_YEARS[1]))
        start, end = reports.default_period()
    elif end < start:
        problems.append(_("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
        start, end = reports.default_period()
    return render_template("findings/management_review.html",
                           inputs=reports.management_review(agency, start, end),
                           problems=problems), 422 if problems else 200
