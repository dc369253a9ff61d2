"""Annual QMS reports over the API: who submitted the year's report, who is late, and
the figures of each submitted report."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from isodoc.annual_reports import services
from isodoc.annual_reports.models import ReportState
from isodoc.api import authenticate_bearer
from isodoc.api.schemas import AwareDateTime
from isodoc.i18n import _l
from isodoc.policy import Action, can

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1",
                description=_l("Báo cáo tình hình áp dụng, duy trì và cải tiến HTQLCL hằng năm"))
blp.before_request(authenticate_bearer)


class ReportQuerySchema(Schema):
    year = fields.Integer(validate=validate.Range(services.YEAR_MIN, services.YEAR_MAX),
                          metadata={"description": _l("năm báo cáo; mặc định: năm nay (từ tháng "
                                                      "7), năm trước (trước tháng 7)")})


class StandingSchema(Schema):
    agency = fields.Function(lambda s: s.agency.code)
    agency_name = fields.Function(lambda s: s.agency.name)
    kind = fields.Function(lambda s: s.agency.kind)
    state = fields.String(metadata={"enum": [services.NOT_STARTED, *ReportState]})
    state_label = fields.String(attribute="label")
    submitted = fields.Boolean()
    late = fields.Boolean(metadata={
        "description": _l("nộp sau hạn, hoặc chưa nộp khi đã quá hạn")})
    submitted_at = AwareDateTime(attribute="report.submitted_at", allow_none=True)
    approved_by = fields.Function(lambda s: s.report.approved_by.username
                                  if s.report and s.report.approved_by else None,
                                  allow_none=True)
    figures = fields.Function(lambda s: s.report.figure_data if s.submitted else None,
                              allow_none=True, metadata={
                                  "type": "object", "description": _l(
                                      "số liệu của báo cáo đã gửi: documents, tthc, audits, "
                                      "findings")})


class SummarySchema(Schema):
    total = fields.Integer()
    submitted = fields.Integer()
    on_time = fields.Integer()
    late = fields.Integer()
    missing = fields.Integer()
    overdue = fields.Integer()


class ReportsSchema(Schema):
    year = fields.Integer()
    deadline = fields.Date()
    summary = fields.Nested(SummarySchema)
    agencies = fields.List(fields.Nested(StandingSchema))


@blp.route("/reports")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportsSchema)
def reports(args):
    """Báo cáo HTQLCL của năm: mỗi đơn vị đã nộp (đúng hạn hay muộn) hay chưa, kèm số
    liệu của báo cáo đã gửi. Sở KH&CN và quản trị tỉnh thấy mọi đơn vị; người khác thấy
    các đơn vị mà họ được xem báo cáo."""
    year = args.get("year") or services.current_year()
    user = g.api_user
    agencies = services.reporting_agencies()
    if not can(user, Action.REPORT_PROVINCE):
        agencies = [a for a in agencies if can(user, Action.REPORT_VIEW, a)]
    rows = services.standings(year, agencies)
    return {"year": year, "deadline": services.deadline(year),
            "summary": services.summary(rows), "agencies": rows}
