from datetime import UTC, datetime

from flask_smorest.pagination import PaginationMetadataSchema
from marshmallow import Schema, fields, validate

from isodoc.agencies.models import AgencyKind, QmsStatus
from isodoc.auth.models import Role
from isodoc.i18n import _l
from isodoc.paging import PageField, SizeField
from isodoc.programme.stage import Stage

# a paged list's totals, as a JSON string in a header (flask-smorest's format); the
# OpenAPI document's text is written once, at start-up, in Vietnamese (as its docstrings)
PAGINATION_HEADER = {"X-Pagination": {
    "description": "Thông tin phân trang: chuỗi JSON, ví dụ "  # i18n: vi-only
                   '`{"total": 120, "total_pages": 2, "first_page": 1, "last_page": 2, '
                   '"page": 1, "next_page": 2}`', "schema": {"type": "string"}}}


class PagedQuerySchema(Schema):
    """`page` 1..1000 and `page_size` 1..100, parsed by isodoc.paging like the UI's."""

    page = PageField()
    page_size = SizeField(default=100)


def iso_datetime(value: datetime | None) -> str | None:
    """ISO 8601 with its offset. Stored times are naive UTC (isodoc.timeutil.utcnow), so
    a naive value is UTC: `2026-11-26T03:30:00+00:00`, never a bare local-looking time."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


class AwareDateTime(fields.DateTime):
    """A date-time the API writes with its offset (see iso_datetime); every time stamp
    in the API's schemas uses it."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso_datetime(value)


# An HTTP header is text: X-Pagination carries PaginationMetadata serialised as JSON,
# which OpenAPI 3 says with `content` (a media type) rather than an object `schema`.
PAGINATION_COMPONENT = {
    "description": "Thông tin phân trang: chuỗi JSON, ví dụ "  # i18n: vi-only
                   '`{"total": 120, "total_pages": 2, "first_page": 1, "last_page": 2, '
                   '"page": 1, "next_page": 2}`',
    "content": {"application/json": {"schema": PaginationMetadataSchema}},
}


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
                      metadata={"description":  # i18n: vi-only
                                "Tìm theo tên hoặc mã, có dấu hay không dấu"})  # i18n: vi-only
    kind = fields.String(load_default="", validate=validate.OneOf(["", *AgencyKind]))
    status = fields.String(load_default="", validate=validate.OneOf(["", *QmsStatus]),
                           metadata={"description": _l(
                               "trạng thái ghi trong danh mục đơn vị khi nhập (điểm xuất "
                               "phát, không cập nhật theo hồ sơ); xem `stage`")})
    stage = fields.String(load_default="", validate=validate.OneOf(["", *Stage]),
                          metadata={"description": _l(
                              "giai đoạn HTQLCL suy ra từ hồ sơ trong isodoc (tài liệu, "
                              "đánh giá nội bộ, quyết định công bố), như trang danh mục")})
    plan_year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100))
    include_dissolved = fields.Boolean(load_default=False)
    format = fields.String(load_default="tree", validate=validate.OneOf(["tree", "flat"]))


class UserQuerySchema(PagedQuerySchema):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    agency = fields.String(load_default="", validate=validate.Length(max=64))
