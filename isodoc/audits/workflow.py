"""The audit state machine: which change may start from which state and where it
leads. Who may make it is the policy module's question; this table is the workflow's."""

from __future__ import annotations

from enum import StrEnum

from isodoc.audits.models import AuditState
from isodoc.errors import InvalidInput
from isodoc.i18n import _l

A = AuditState


class Change(StrEnum):
    EDIT = "edit"              # scope, team, plan, regenerate the checklist
    DECLARE = "declare"        # a member declares a conflict of interest
    DECIDE = "decide"          # the lead decides a conflict
    ADD_ITEM = "add_item"      # one more checklist question
    START = "start"            # planned -> in progress
    FILL = "fill"              # a checklist row's result and evidence
    COMPLETE = "complete"      # in progress -> completed, with a conclusion
    CANCEL = "cancel"          # planned -> cancelled, with a reason


ALLOWED_FROM: dict[Change, frozenset[AuditState]] = {
    Change.EDIT: frozenset({A.PLANNED}),
    Change.DECLARE: frozenset({A.PLANNED, A.IN_PROGRESS}),
    Change.DECIDE: frozenset({A.PLANNED, A.IN_PROGRESS}),
    Change.ADD_ITEM: frozenset({A.PLANNED, A.IN_PROGRESS}),
    Change.START: frozenset({A.PLANNED}),
    Change.FILL: frozenset({A.IN_PROGRESS}),
    Change.COMPLETE: frozenset({A.IN_PROGRESS}),
    Change.CANCEL: frozenset({A.PLANNED}),
}

REFUSALS = {
    Change.EDIT: _l("Chỉ sửa được kế hoạch và danh mục kiểm tra khi cuộc đánh giá chưa bắt đầu."),
    Change.DECLARE: _l("Cuộc đánh giá đã kết thúc: không khai báo thêm."),
    Change.DECIDE: _l("Cuộc đánh giá đã kết thúc: không quyết định thêm."),
    Change.ADD_ITEM: _l("Cuộc đánh giá đã kết thúc: không thêm câu hỏi."),
    Change.START: _l("Cuộc đánh giá không ở trạng thái kế hoạch."),
    Change.FILL: _l("Chỉ ghi kết quả khi cuộc đánh giá đang diễn ra."),
    Change.COMPLETE: _l("Cuộc đánh giá chưa bắt đầu hoặc đã kết thúc."),
    Change.CANCEL: _l("Chỉ huỷ được cuộc đánh giá chưa bắt đầu."),
}


def allowed(change: Change, state: AuditState | str) -> bool:
    return AuditState(state) in ALLOWED_FROM[change]


def require(change: Change, state: AuditState | str) -> None:
    if not allowed(change, state):
        raise InvalidInput(str(REFUSALS[change]))
