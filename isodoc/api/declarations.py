"""Conformity declarations over the API: every declaration the caller may see, with its
frozen scope and, for an agency's latest, whether it must declare again."""

from __future__ import annotations

from datetime import date

from flask import g
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from isodoc.agencies.models import Agency
from isodoc.agencies.services import get_by_code
from isodoc.api import authenticate_bearer
from isodoc.api.schemas import PAGINATION_HEADER, AwareDateTime, PagedQuerySchema
from isodoc.declarations import services
from isodoc.declarations.models import Declaration
from isodoc.extensions import db
from isodoc.i18n import _, _l
from isodoc.paging import Paging
from isodoc.policy import Action, can, require

blp = Blueprint("api_declarations", __name__, url_prefix="/api/v1",
                description=_l("Công bố HTQLCL phù hợp TCVN ISO 9001:2015"))
blp.before_request(authenticate_bearer)


class DeclaredDocumentSchema(Schema):
    code = fields.String()
    title = fields.String()
    revision = fields.Integer(attribute="revision_number")
    effective_date = fields.Date()


class DeclaredTthcSchema(Schema):
    code = fields.String(attribute="tthc_code")
    name = fields.String()
    covered = fields.Boolean()
    procedure = fields.String(attribute="document_code", allow_none=True)


class DeclarationSchema(Schema):
    id = fields.Integer()
    agency = fields.Function(lambda d: d.agency.code)
    agency_name = fields.Function(lambda d: d.agency.name)
    decision_no = fields.String()
    decided_on = fields.Date()
    signer = fields.String()
    signer_title = fields.String()
    standard = fields.String()
    recorded_at = AwareDateTime()
    latest = fields.Boolean(metadata={"description": _l("lần công bố gần nhất của đơn vị")})
    redeclare = fields.List(fields.String(), metadata={
        "description": _l("lý do phải công bố lại (phạm vi đã thay đổi); rỗng nếu còn phù hợp "
                       "hoặc không phải lần gần nhất")})
    documents = fields.List(fields.Nested(DeclaredDocumentSchema))
    tthc = fields.List(fields.Nested(DeclaredTthcSchema))


class DeclarationQuerySchema(PagedQuerySchema):
    agency = fields.String(validate=validate.Length(max=64),
                           metadata={"description": _l("mã đơn vị: đơn vị đó và các đơn vị "
                                                    "trực thuộc")})
    year = fields.Integer(validate=validate.Range(2000, 2100),
                          metadata={"description": _l("năm ký quyết định")})


class Shown:
    def __init__(self, declaration: Declaration, latest: bool, redeclare: list[str]):
        self._d, self.latest = declaration, latest
        self.redeclare = redeclare if latest else []

    def __getattr__(self, name: str):
        return getattr(self._d, name)


@blp.route("/declarations")
@blp.arguments(DeclarationQuerySchema, location="query")
@blp.response(200, DeclarationSchema(many=True), headers=PAGINATION_HEADER)
def declarations(args):
    """Các quyết định công bố mà người gọi được xem (thành viên đơn vị; Sở KH&CN, quản trị
    tỉnh: mọi đơn vị), mới nhất trước, kèm phạm vi đã ghi tại ngày công bố. Phân trang:
    `page` (≤ 1000), `page_size` (≤ 100); tổng số trong tiêu đề `X-Pagination`."""
    query = select(Declaration).join(Agency, Agency.id == Declaration.agency_id)
    if args.get("agency"):
        root = get_by_code(args["agency"])
        if root is None:
            abort(404, message=_("Không có đơn vị «%(code)s».", code=args["agency"]))
        require(g.api_user, Action.DECLARATION_VIEW, root)
        ids = [a.id for a in _subtree(root)]
        query = query.where(Declaration.agency_id.in_(ids))
    if not can(g.api_user, Action.DECLARATION_PROVINCE):
        visible = [m.agency for m in g.api_user.memberships]
        ids = {a.id for root in visible for a in _subtree(root)
               if can(g.api_user, Action.DECLARATION_VIEW, a)}
        query = query.where(Declaration.agency_id.in_(ids))
    if args.get("year"):
        year = args["year"]
        query = query.where(Declaration.decided_on >= date(year, 1, 1),
                            Declaration.decided_on <= date(year, 12, 31))
    paging = Paging(args["page"], args["page_size"])
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    found = db.session.scalars(query.options(
        selectinload(Declaration.documents), selectinload(Declaration.tthc),
        selectinload(Declaration.agency))
        .order_by(Declaration.decided_on.desc(), Declaration.id.desc())
        .limit(paging.size).offset(paging.offset)).all()
    newest = dict(db.session.execute(
        select(Declaration.agency_id, func.max(Declaration.id))
        .where(Declaration.agency_id.in_({d.agency_id for d in found}))
        .group_by(Declaration.agency_id)).all()) if found else {}
    # why the latest ones must be declared again: the rule's facts loaded once for the page
    reasons = {s.declaration.id: s.reasons for s in services.standings(
        [d for d in found if newest.get(d.agency_id) == d.id])}
    return ([Shown(d, d.id in reasons, reasons.get(d.id, [])) for d in found],
            {"X-Pagination": paging.header(total or 0)})


def _subtree(root: Agency, limit: int = 5_000) -> list[Agency]:
    out, stack = [], [root]
    while stack and len(out) < limit:
        node = stack.pop()
        out.append(node)
        stack.extend(node.children)
    return out
