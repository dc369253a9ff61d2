from marshmallow import Schema, fields, validate

from isodoc.agencies.models import AgencyKind, QmsStatus
from isodoc.auth.models import Role
from isodoc.paging import PageField, SizeField

# a paged list's totals, as a JSON string in a header (flask-smorest's format)
PAGINATION_HEADER = {"X-Pagination": {
    "description": "JSON: total, total_pages, first_page, last_page, page, previous_page, "
                   "next_page", "schema": {"type": "string"}}}


class PagedQuerySchema(Schema):
    """`page` 1..1000 and `page_size` 1..100, parsed by isodoc.paging like the UI's."""

    page = PageField()
    page_size = SizeField(default=100)


class AgencyRefSchema(Schema):
    code = fields.String()
    name = fields.String()


class MembershipSchema(Schema):
    agency = fields.Nested(AgencyRefSchema)
    role = fields.String(metadata={"enum": [r.value for r in Role]})
    role_label = fields.Function(lambda m: m.role_enum.label)


class UserSchema(Schema):
    username = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True)
    active = fields.Boolean()
    memberships = fields.List(fields.Nested(MembershipSchema))


class AgencySchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"enum": [k.value for k in AgencyKind]})
    kind_label = fields.Function(lambda a: a.kind_enum.label)
    parent_code = fields.Function(lambda a: a.parent.code if a.parent else None)
    qms_status = fields.String(metadata={"enum": [s.value for s in QmsStatus]})
    qms_status_label = fields.Function(lambda a: a.status_enum.label)
    declared_on = fields.Date(allow_none=True)
    plan_year = fields.Integer(allow_none=True)
    dissolved_on = fields.Date(allow_none=True)
    successor_code = fields.Function(lambda a: a.successor.code if a.successor else None)


class AgencyNodeSchema(AgencySchema):
    children = fields.List(fields.Nested(lambda: AgencyNodeSchema()))


class AgencyQuerySchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=100),
                      metadata={"description": "Tìm theo tên hoặc mã, có dấu hay không dấu"})
    kind = fields.String(load_default="", validate=validate.OneOf(["", *AgencyKind]))
    status = fields.String(load_default="", validate=validate.OneOf(["", *QmsStatus]))
    plan_year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100))
    include_dissolved = fields.Boolean(load_default=False)
    format = fields.String(load_default="tree", validate=validate.OneOf(["tree", "flat"]))


class UserQuerySchema(PagedQuerySchema):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    agency = fields.String(load_default="", validate=validate.Length(max=64))
