"""The TTHC catalog and coverage over the API: the same queries and policy as the UI."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from isodoc.agencies.services import get_by_code
from isodoc.api import authenticate_bearer
from isodoc.api.schemas import PAGINATION_HEADER, AwareDateTime, PagedQuerySchema
from isodoc.extensions import db
from isodoc.i18n import _l
from isodoc.paging import Paging
from isodoc.policy import Action, require
from isodoc.textnorm import nfc
from isodoc.tthc import coverage, drafting, services
from isodoc.tthc.models import Level

blp = Blueprint("api_tthc", __name__, url_prefix="/api/v1",
                description=_l("Danh mục thủ tục hành chính (TTHC) và mức độ bao phủ quy trình"))
blp.before_request(authenticate_bearer)


class TthcSchema(Schema):
    code = fields.String()
    name = fields.String()
    field = fields.String()
    levels = fields.Function(lambda t: [lv.value for lv in t.levels],
                             metadata={"description": "tinh, huyen, xa"})
    executing_body = fields.String()
    time_limit = fields.String()
    fee = fields.String()
    legal_basis = fields.String()
    decision_no = fields.String()
    decision_date = fields.Date(allow_none=True)
    abolished_on = fields.Date(allow_none=True)
    changed_at = AwareDateTime(allow_none=True)
    change_note = fields.String()


class ProcedureSchema(Schema):
    code = fields.String()
    title = fields.String()
    revision = fields.Integer(attribute="number")
    effective_date = fields.Date()


class CovererSchema(Schema):
    agency = fields.Function(lambda c: c.agency.code)
    agency_name = fields.Function(lambda c: c.agency.name)
    procedure = fields.Nested(ProcedureSchema, allow_none=True)


def _model(tthc) -> dict | None:
    from isodoc.documents.services import in_force
    from isodoc.tthc.adoption import model_for, standings

    model = model_for(tthc)
    if model is None:
        return None
    current = in_force(model.document)
    return {"agency": model.document.agency.code, "code": model.document.code,
            "revision": current.number if current else None,
            "adopted_by": [{"agency": s.adoption.agency.code, "revision": s.taken,
                            "issued_revision": s.issued}
                           for s in drafting.visible_standings(standings(model), g.api_user)]}


class TthcDetailSchema(TthcSchema):
    model = fields.Function(_model, metadata={
        "description": _l("quy trình mẫu của tỉnh và các đơn vị đã áp dụng (bản mẫu nào)")})
    agencies = fields.Function(
        lambda t: CovererSchema(many=True).dump(drafting.visible_coverers(t, g.api_user)[0]),
        metadata={"description": _l("đơn vị phải thực hiện và quy trình đang hiệu lực của mỗi "
                                    "đơn vị: tất cả với quyền xem bao phủ toàn tỉnh, nếu "
                                    "không chỉ các đơn vị của người dùng")})


class TthcQuerySchema(PagedQuerySchema):
    level = fields.String(load_default="", validate=validate.OneOf(
        ["", *Level], error=_l("Cấp thực hiện không hợp lệ «{input}»: chỉ nhận %(levels)s "
                               "(tỉnh, huyện, xã); bỏ trống để lấy mọi cấp.",
                               levels=", ".join(Level))))
    field = fields.String(load_default="", validate=validate.Length(max=255))
    q = fields.String(load_default="", validate=validate.Length(max=100),
                      metadata={"description": _l("mã hoặc tên, có dấu hay không dấu")})


class CountsSchema(Schema):
    must = fields.Integer()
    covered = fields.Integer()
    stale = fields.Integer()
    missing = fields.Integer()
    percent = fields.Float()


class CoverageItemSchema(Schema):
    code = fields.Function(lambda i: i.tthc.code)
    name = fields.Function(lambda i: i.tthc.name)
    field = fields.Function(lambda i: i.tthc.field)
    state = fields.String(metadata={"enum": [coverage.COVERED, coverage.STALE,
                                             coverage.MISSING]})
    procedure = fields.Nested(ProcedureSchema, allow_none=True)
    change_note = fields.Function(lambda i: i.tthc.change_note if i.state == coverage.STALE
                                  else "")


class AgencyCoverageSchema(Schema):
    agency = fields.Function(lambda v: v.agency.code)
    agency_name = fields.Function(lambda v: v.agency.name)
    counts = fields.Nested(CountsSchema)
    items = fields.List(fields.Nested(CoverageItemSchema))


class RowSchema(Schema):
    agency = fields.String(attribute="code")
    agency_name = fields.String(attribute="name")
    kind = fields.String()
    counts = fields.Nested(CountsSchema)


class DistrictSchema(Schema):
    district = fields.Function(lambda d: d[0].code)
    district_name = fields.Function(lambda d: d[0].name)
    agencies = fields.Function(lambda d: d[2])
    counts = fields.Function(lambda d: d[1].as_dict())


class ProvinceCoverageSchema(Schema):
    total = fields.Nested(CountsSchema)
    province_level = fields.Nested(CountsSchema)
    by_level = fields.Function(lambda v: {k: c.as_dict() for k, c in v.by_level.items()})
    districts = fields.List(fields.Nested(DistrictSchema))
    agencies = fields.List(fields.Nested(RowSchema))
    catalog = fields.Dict(keys=fields.String(), values=fields.Integer())


@blp.route("/tthc")
@blp.arguments(TthcQuerySchema, location="query")
@blp.response(200, TthcSchema(many=True), headers=PAGINATION_HEADER)
def catalog(args):
    """Danh mục TTHC đang áp dụng; lọc theo cấp, lĩnh vực, mã hoặc tên. Phân trang: `page`,
    `page_size` (≤ 100); tổng số ở tiêu đề `X-Pagination`."""
    stmt = services.catalog_query(args["level"], nfc(args["field"]), nfc(args["q"]))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    paging = Paging(args["page"], args["page_size"])
    items = db.session.scalars(stmt.limit(paging.size).offset(paging.offset)).all()
    return items, {"X-Pagination": paging.header(total)}


@blp.route("/tthc/<code>")
@blp.response(200, TthcDetailSchema)
def one(code: str):
    """Một TTHC, với các đơn vị phải thực hiện và quy trình đang hiệu lực của từng đơn vị."""
    tthc = services.get(code)
    if tthc is None:
        abort(404)
    return tthc


@blp.route("/agencies/<agency>/coverage")
@blp.response(200, AgencyCoverageSchema)
def agency_coverage(agency: str):
    """Bao phủ TTHC của một đơn vị: mỗi TTHC phải có quy trình là đã có (covered), chưa có
    (missing) hay cần sửa đổi vì TTHC đã thay đổi (stale)."""
    target = get_by_code(agency)
    if target is None:
        abort(404)
    require(g.api_user, Action.COVERAGE_VIEW, target)
    return coverage.agency_coverage(target)


@blp.route("/coverage")
@blp.response(200, ProvinceCoverageSchema)
def province_coverage():
    """Bao phủ TTHC toàn tỉnh: tổng, theo cấp, theo huyện và theo đơn vị (Sở KH&CN, quản
    trị)."""
    require(g.api_user, Action.COVERAGE_PROVINCE)
    return coverage.province_coverage()
