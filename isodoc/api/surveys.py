"""Citizen satisfaction results over the API (ISO 9001:2015 9.1.2): by period, TTHC and
question, for the agency's members (the answers themselves stay on the results page)."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from isodoc.agencies.services import get_by_code
from isodoc.api import authenticate_bearer
from isodoc.i18n import _, _l
from isodoc.policy import Action, require
from isodoc.surveys import services
from isodoc.surveys.models import Question
from isodoc.tthc import services as tthc_services

blp = Blueprint("api_surveys", __name__, url_prefix="/api/v1/agencies",
                description=_l("Khảo sát sự hài lòng của người dân, tổ chức (TCVN ISO "
                               "9001:2015, 9.1.2)"))
blp.before_request(authenticate_bearer)


class SurveyQuerySchema(Schema):
    period = fields.String(load_default="", validate=validate.Length(max=7), metadata={
        "description": _l("năm (2026), quý (2026-Q3) hoặc tháng (2026-03); mặc định: năm nay")})
    tthc = fields.String(load_default="", validate=validate.Length(max=16),
                         metadata={"description": _l("mã thủ tục hành chính, vd. 1.001193")})


class QuestionResultSchema(Schema):
    question = fields.Function(lambda r: r.question.value,
                               metadata={"enum": [q.value for q in Question]})
    text = fields.Function(lambda r: r.question.text)
    answers = fields.Integer(attribute="count")
    average = fields.Float(allow_none=True)
    satisfied_percent = fields.Float(allow_none=True,
                                     metadata={"description": _l("tỷ lệ phiếu chấm 4 hoặc 5")})
    counts = fields.Function(lambda r: {str(k): v for k, v in r.counts.items()},
                             metadata={"description": _l("số phiếu theo từng mức 1–5")})


class TthcResultSchema(Schema):
    code = fields.String(allow_none=True, metadata={
        "description": _l("rỗng: phiếu không ghi thủ tục")})
    name = fields.String()
    answers = fields.Integer(attribute="responses")
    average = fields.Float(allow_none=True, metadata={
        "description": _l("điểm hài lòng chung trung bình")})
    low = fields.Integer(metadata={"description": _l("phiếu có điểm ≤ 2")})


class SurveyResultsSchema(Schema):
    agency = fields.Function(lambda r: r.agency.code)
    period = fields.Function(lambda r: r.period.key)
    start = fields.Function(lambda r: r.period.start.isoformat())
    end = fields.Function(lambda r: r.period.end.isoformat(),
                          metadata={"description": _l("ngày đầu kỳ sau (không tính)")})
    tthc = fields.Function(lambda r: r.tthc.code if r.tthc else None)
    answers = fields.Integer(attribute="responses")
    low = fields.Integer(metadata={"description": _l("phiếu có ít nhất một điểm ≤ 2")})
    complaints = fields.Integer(metadata={"description": _l("phản ánh, kiến nghị")})
    questions = fields.List(fields.Nested(QuestionResultSchema))
    tthcs = fields.List(fields.Nested(TthcResultSchema))


@blp.route("/<agency_code>/surveys")
@blp.arguments(SurveyQuerySchema, location="query")
@blp.response(200, SurveyResultsSchema)
def surveys(args, agency_code: str):
    """Kết quả khảo sát sự hài lòng của đơn vị trong kỳ: số phiếu, điểm trung bình và
    phân bố theo câu hỏi, theo thủ tục; số phiếu điểm thấp và phản ánh, kiến nghị."""
    agency = get_by_code(agency_code)
    if agency is None:
        abort(404)
    require(g.api_user, Action.SURVEY_VIEW, agency)
    period = services.parse_period(args["period"])  # refused: 422 with the message
    tthc = None
    if args["tthc"]:
        tthc = tthc_services.get(args["tthc"])
        if tthc is None:
            abort(404, message=_("Không có thủ tục hành chính mã này trong danh mục."))
    return services.results(agency, period, tthc)
