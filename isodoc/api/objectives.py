"""Quality objectives over the API: read an agency's objectives with their values, and
push a month's value from another system (same command and policy as the web form)."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from isodoc.agencies.services import get_by_code
from isodoc.api import authenticate_bearer
from isodoc.api.schemas import AwareDateTime
from isodoc.commands import run
from isodoc.extensions import db
from isodoc.i18n import _l
from isodoc.objectives import services
from isodoc.objectives.models import Comparison, Frequency, QualityObjective
from isodoc.policy import Action, require
from isodoc.risks import services as risk_services
from isodoc.risks.models import RiskKind, RiskStatus
from isodoc.timeutil import today_local

blp = Blueprint("api_objectives", __name__, url_prefix="/api/v1/agencies",
                description=_l("Mục tiêu chất lượng và kết quả đo (TCVN ISO 9001:2015, 6.2, "
                               "9.1); rủi ro và cơ hội (6.1)"))
blp.before_request(authenticate_bearer)


class MeasurementSchema(Schema):
    period = fields.String(metadata={"description": _l("năm-tháng, vd. 2026-03")})
    value = fields.Float()
    met = fields.Boolean()
    note = fields.String()
    corrections = fields.Integer(metadata={"description": _l("số lần kết quả kỳ này được sửa")})
    entered_by = fields.Function(lambda m: m.entered_by.username if m.entered_by else None)
    entered_at = AwareDateTime()
    finding = fields.Function(lambda m: m.finding.code if m.finding else None)


class ObjectiveSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    agency = fields.Function(lambda o: o.agency.code)
    year = fields.Integer()
    title = fields.String()
    measure = fields.String()
    comparison = fields.String(metadata={"enum": [c.value for c in Comparison]})
    target = fields.Float()
    unit = fields.String()
    target_text = fields.String()
    owner = fields.Function(lambda o: o.owner.username)
    frequency = fields.String(metadata={"enum": [f.value for f in Frequency]})
    data_source = fields.String()
    measurements = fields.List(fields.Nested(MeasurementSchema))


class ObjectiveQuerySchema(Schema):
    year = fields.Integer(validate=validate.Range(services.YEAR_MIN, services.YEAR_MAX),
                          metadata={"description": _l("mặc định: năm nay")})


class MeasurementInputSchema(Schema):
    period = fields.String(required=True, validate=validate.Length(max=7),
                           metadata={"description": _l("năm-tháng, vd. 2026-03")},
                           error_messages={"required": _l("Thiếu kỳ đo (period, vd. 2026-03).")})
    # parsed by the service, so a bad value gets the same Vietnamese message as the form
    value = fields.Raw(required=True, allow_none=True, metadata={"type": "number", "example": 97.5},
                       error_messages={"required": _l("Thiếu kết quả đo (value).")})
    note = fields.String(load_default="", validate=validate.Length(max=500))


def agency_or_404(agency_code: str):
    agency = get_by_code(agency_code)
    if agency is None:
        abort(404)
    return agency


@blp.route("/<agency_code>/objectives")
@blp.arguments(ObjectiveQuerySchema, location="query")
@blp.response(200, ObjectiveSchema(many=True))
def objectives(args, agency_code: str):
    """Mục tiêu chất lượng của đơn vị trong năm, kèm kết quả từng kỳ (tối đa 50 mục tiêu)."""
    agency = agency_or_404(agency_code)
    require(g.api_user, Action.OBJECTIVE_VIEW, agency)
    return services.agency_objectives(agency, args.get("year") or today_local().year)


@blp.route("/<agency_code>/objectives/<int:objective_id>/measurements", methods=["POST"])
@blp.arguments(MeasurementInputSchema)
@blp.response(200, ObjectiveSchema)
def add_measurement(data, agency_code: str, objective_id: int):
    """Ghi kết quả một kỳ (tháng). Gửi lại cùng kỳ là sửa kết quả: giá trị cũ được ghi
    trong nhật ký. Người phụ trách mục tiêu hoặc thư ký ISO của đơn vị."""
    agency = agency_or_404(agency_code)
    objective = db.session.get(QualityObjective, objective_id)
    if objective is None or objective.agency_id != agency.id:
        abort(404)
    require(g.api_user, Action.OBJECTIVE_MEASURE, objective)
    month = services.parse_period(data["period"], objective.year)
    run(services.record_value, objective, g.api_user, month, data["value"], data["note"])
    return objective


class RiskActionSchema(Schema):
    action = fields.String()
    owner = fields.Function(lambda a: a.owner.username)
    due_date = fields.Date()
    done_on = fields.Date(allow_none=True)


class RiskSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    kind = fields.String(metadata={"enum": [k.value for k in RiskKind]})
    process = fields.String()
    document = fields.Function(lambda r: r.document.code if r.document else None)
    description = fields.String()
    cause = fields.String()
    likelihood = fields.Integer()
    impact = fields.Integer()
    score = fields.Integer()
    level = fields.String(metadata={"enum": ["low", "medium", "high"]})
    review_date = fields.Date()
    reviewed_on = fields.Date(allow_none=True, metadata={"description": "last reassessment"})
    status = fields.String(metadata={"enum": [s.value for s in RiskStatus]})
    actions = fields.List(fields.Nested(RiskActionSchema))
    findings = fields.Function(lambda r: [f.code for f in r.findings],
                               metadata={"description": "codes of the linked findings"})


class RiskRegisterSchema(Schema):
    scale = fields.Function(lambda r: {
        "likelihood_max": r["scale"].likelihood_max, "impact_max": r["scale"].impact_max,
        "medium_from": r["scale"].medium_from, "high_from": r["scale"].high_from})
    risks = fields.List(fields.Nested(RiskSchema))
    opportunities = fields.List(fields.Nested(RiskSchema))


@blp.route("/<agency_code>/risks")
@blp.response(200, RiskRegisterSchema)
def risks(agency_code: str):
    """Sổ đăng ký rủi ro và cơ hội của đơn vị (tách riêng), kèm thang đánh giá và hành
    động (tối đa 500 mỗi loại)."""
    agency = agency_or_404(agency_code)
    require(g.api_user, Action.RISK_VIEW, agency)
    return {"scale": risk_services.scale_of(agency),
            "risks": risk_services.agency_risks(agency, RiskKind.RISK),
            "opportunities": risk_services.agency_risks(agency, RiskKind.OPPORTUNITY)}
