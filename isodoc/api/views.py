"""API endpoints: the caller, the agency registry, people (admins)."""

from __future__ import annotations

from flask import abort, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import or_, select

from isodoc import policy, search
from isodoc.agencies import services as agency_services
from isodoc.api import Extended, authenticate_bearer
from isodoc.api.schemas import (
    PAGINATION_HEADER,
    AgencyNodeSchema,
    AgencyQuerySchema,
    UserQuerySchema,
    UserSchema,
)
from isodoc.auth.models import Membership, User
from isodoc.documents.models import DocumentKind
from isodoc.extensions import db
from isodoc.paging import PageField, Paging
from isodoc.policy import Action, require
from isodoc.programme.stage import stages
from isodoc.textnorm import nfc
from isodoc.timeutil import today_local

blp = Blueprint("api", __name__, url_prefix="/api/v1",
                # the OpenAPI document, built once at start-up, in Vietnamese
                description="isodoc JSON API (mã truy cập cá nhân: "  # i18n: vi-only
                            "Authorization: Bearer …)")
blp.before_request(authenticate_bearer)


def node(tree_node: agency_services.TreeNode) -> Extended:
    """An agency with its (filtered) children, as AgencyNodeSchema dumps it."""
    return Extended(tree_node.agency, children=[node(c) for c in tree_node.children])


@blp.route("/me")
@blp.response(200, UserSchema)
def me():
    """Người dùng của mã truy cập, với các vai trò tại từng đơn vị."""
    return g.api_user


@blp.route("/agencies")
@blp.arguments(AgencyQuerySchema, location="query")
@blp.response(200, AgencyNodeSchema(many=True))
def agencies(args):
    """Danh mục đơn vị: dạng cây (mặc định) hoặc danh sách phẳng, có bộ lọc."""
    require(g.api_user, Action.AGENCY_VIEW)
    filters = agency_services.AgencyFilter(
        q=nfc(args["q"]), kind=args["kind"], status=args["status"],
        plan_year=args["plan_year"], include_dissolved=args["include_dissolved"],
        # the derived stage, as the registry page filters it (aggregate queries, only if asked)
        stage=args["stage"], stages={i: s.value for i, s in stages(today_local()).items()}
        if args["stage"] else {})
    roots = agency_services.prune(agency_services.tree(filters))
    if args["format"] == "flat":
        flat, stack = [], list(reversed(roots))
        while stack:
            current = stack.pop()
            if current.match:
                flat.append(Extended(current.agency, children=[]))
            stack.extend(reversed(current.children))
        return flat
    return [node(n) for n in roots]


@blp.route("/users")
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, UserSchema(many=True), headers=PAGINATION_HEADER)
def users(args):
    """Người dùng và vai trò (chỉ quản trị; giới hạn trong phạm vi quản trị). Phân trang:
    `page`, `page_size` (≤ 100); tổng số ở tiêu đề `X-Pagination`."""
    require(g.api_user, Action.PEOPLE_LIST)
    stmt = select(User).order_by(User.username)
    if q := nfc(args["q"]):
        stmt = stmt.where(or_(User.username.ilike(f"%{q}%"), User.full_name.ilike(f"%{q}%")))
    if args["agency"]:
        agency = agency_services.get_by_code(args["agency"])
        if agency is None:
            abort(404)
        stmt = stmt.where(User.memberships.any(Membership.agency_id == agency.id))
    people = db.session.scalars(stmt).all()
    if not policy.is_province_admin(g.api_user):
        people = [p for p in people
                  if any(policy.in_scope(g.api_user, m.agency) for m in p.memberships)]
    paging = Paging(args["page"], args["page_size"])
    return (people[paging.offset:paging.offset + paging.size],
            {"X-Pagination": paging.header(len(people))})


class SearchQuerySchema(Schema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=200),
                      metadata={"description":  # OpenAPI document  # i18n: vi-only
                                "Có dấu hoặc không dấu; \"cụm từ\"; mã tài liệu"})  # i18n: vi-only
    agency = fields.String(load_default="", validate=validate.Length(max=64))
    scope = fields.String(load_default="", validate=validate.OneOf(["", "agency", "district"]))
    kind = fields.String(load_default="", validate=validate.OneOf(["", *DocumentKind]))
    field = fields.String(load_default="", validate=validate.Length(max=120))
    clause = fields.String(load_default="", validate=validate.Length(max=12))
    drafts = fields.Boolean(load_default=False)
    page = PageField()


class SearchHitSchema(Schema):
    code = fields.String()
    title = fields.Function(lambda h: h.title.striptags())
    title_html = fields.Function(lambda h: str(h.title))
    agency = fields.String()
    agency_name = fields.String()
    revision = fields.Integer(allow_none=True)
    effective_date = fields.String()
    snippet_html = fields.Function(lambda h: str(h.snippet))
    url = fields.String()
    draft = fields.Boolean()


class SearchResultSchema(Schema):
    query = fields.String()
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()
    hits = fields.List(fields.Nested(SearchHitSchema))
    facets = fields.Function(lambda r: {name: [{"value": v, "label": label, "count": c}
                                               for v, label, c in values]
                                        for name, values in r.facets.items()})
    did_you_mean = fields.String()
    took_ms = fields.Float()


@blp.route("/search")
@blp.arguments(SearchQuerySchema, location="query")
@blp.response(200, SearchResultSchema)
def search_documents(args):
    """Tìm tài liệu đang hiệu lực (và dự thảo của đơn vị mình nếu `drafts=true`)."""
    filters = search.filters_for(g.api_user, scope=args["scope"], agency=nfc(args["agency"]),
                                 kind=args["kind"], field=nfc(args["field"]),
                                 clause=args["clause"], include_drafts=args["drafts"])
    results = search.search(nfc(args["q"]), filters, args["page"])
    return results
