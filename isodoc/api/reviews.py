"""Management reviews over the API: an agency's meetings with their inputs, attendance,
decisions and the follow-up of each action."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from isodoc.api import authenticate_bearer
from isodoc.api.objectives import agency_or_404
from isodoc.i18n import _l
from isodoc.policy import Action, require
from isodoc.reviews import services
from isodoc.reviews.models import ActionState, InputTopic, OutputKind

blp = Blueprint("api_reviews", __name__, url_prefix="/api/v1/agencies",
                description=_l("Xem xét của lãnh đạo (TCVN ISO 9001:2015, 9.3)"))
blp.before_request(authenticate_bearer)


class ReviewInputSchema(Schema):
    topic = fields.String(metadata={"enum": [t.value for t in InputTopic]})
    label = fields.Function(lambda i: i.topic_enum.label)
    prefilled = fields.Function(lambda i: i.topic_enum.live, metadata={
        "description": _l("false: mục nhập tay (nhà cung cấp bên ngoài, nguồn lực)")})
    content = fields.String()


class ReviewActionSchema(Schema):
    seq = fields.Integer()
    kind = fields.String(metadata={"enum": [k.value for k in OutputKind]})
    decision = fields.String()
    owner = fields.Function(lambda a: a.owner.username)
    due_date = fields.Date()
    state = fields.String(metadata={"enum": [s.value for s in ActionState]})
    result = fields.String()
    done_on = fields.Date(allow_none=True)
    verification = fields.String()
    closed_on = fields.Date(allow_none=True)


class ManagementReviewSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    agency = fields.Function(lambda r: r.agency.code)
    held_on = fields.Date()
    period_start = fields.Date()
    period_end = fields.Date()
    place = fields.String()
    chair = fields.Function(lambda r: r.chair.username)
    attendees = fields.Function(lambda r: [a.user.username for a in r.attendees])
    guests = fields.String()
    inputs = fields.List(fields.Nested(ReviewInputSchema))
    conclusion = fields.String()
    actions = fields.List(fields.Nested(ReviewActionSchema))


@blp.route("/<agency_code>/management-reviews")
@blp.response(200, ManagementReviewSchema(many=True))
def management_reviews(agency_code: str):
    """Các cuộc họp xem xét của lãnh đạo của đơn vị, mới nhất trước (tối đa 200), kèm đầu
    vào, thành phần, kết luận, quyết định và tình trạng thực hiện."""
    agency = agency_or_404(agency_code)
    require(g.api_user, Action.REVIEW_VIEW, agency)
    return services.agency_reviews(agency)
