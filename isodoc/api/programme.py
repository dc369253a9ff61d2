"""The province's programme over the API: targets against actual by kind and district
(the same computation and policy as the dashboard)."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from isodoc.api import authenticate_bearer
from isodoc.i18n import _l
from isodoc.policy import Action, require
from isodoc.programme import dashboard
from isodoc.programme.stage import Stage

blp = Blueprint("api_programme", __name__, url_prefix="/api/v1",
                description=_l("Chương trình áp dụng HTQLCL của tỉnh: chỉ tiêu và kết quả"))
blp.before_request(authenticate_bearer)


class ProgrammeQuerySchema(Schema):
    year = fields.Integer(validate=validate.Range(2000, 2100),
                          metadata={"description": _l("mặc định: năm nay (hoặc năm đầu của "
                                                   "kế hoạch gần nhất)")})
    as_of = fields.Date(metadata={"description": _l("tính đến ngày (mặc định: hôm nay)")})


class ProgrammePlanSchema(Schema):
    number = fields.String()
    title = fields.String()
    first_year = fields.Integer()
    last_year = fields.Integer()


class ProgrammeTargetSchema(Schema):
    kind = fields.String()
    district = fields.String(allow_none=True, metadata={"description": _l("mã UBND cấp huyện")})
    stage = fields.String(metadata={"enum": [s.value for s in Stage]})
    measure = fields.String(metadata={"enum": ["percent", "count"]})
    target = fields.Integer()
    reached = fields.Integer(metadata={"description": _l("số đơn vị đạt giai đoạn trở lên")})
    total = fields.Integer(metadata={"description": _l("số đơn vị cùng loại (trong huyện)")})
    percent = fields.Float()
    met = fields.Boolean()


class ProgrammeKindSchema(Schema):
    kind = fields.String()
    total = fields.Integer()
    stages = fields.Dict(keys=fields.String(), values=fields.Integer())


class ProgrammeDistrictSchema(Schema):
    district = fields.String()
    name = fields.String()
    communes = fields.Integer()
    scheduled = fields.Integer(metadata={"description": _l("số xã theo kế hoạch năm")})
    applying = fields.Integer(metadata={"description": _l("số xã đang áp dụng trở lên")})
    percent = fields.Float()
    target = fields.Integer(allow_none=True)


class ProgrammeSchema(Schema):
    year = fields.Integer()
    as_of = fields.Date()
    plan = fields.Nested(ProgrammePlanSchema, allow_none=True)
    targets = fields.List(fields.Nested(ProgrammeTargetSchema))
    by_kind = fields.List(fields.Nested(ProgrammeKindSchema))
    districts = fields.List(fields.Nested(ProgrammeDistrictSchema))
    activity = fields.Dict(keys=fields.String(), values=fields.Integer())
    tthc_coverage = fields.Dict()
    declared = fields.Integer()
    reports_submitted = fields.Integer(allow_none=True, metadata={
        "description": _l("null khi chưa có dữ liệu báo cáo năm")})


@blp.route("/programme")
@blp.arguments(ProgrammeQuerySchema, location="query")
@blp.response(200, ProgrammeSchema)
def programme(args):
    """Chỉ tiêu của kế hoạch và kết quả theo loại đơn vị và theo huyện (Sở KH&CN, quản
    trị tỉnh). Giai đoạn HTQLCL tính từ hồ sơ của đơn vị."""
    require(g.api_user, Action.PROGRAMME_VIEW)
    year = args.get("year") or dashboard.default_year(dashboard.plans())
    return dashboard.as_mapping(dashboard.build(year, args.get("as_of")))
