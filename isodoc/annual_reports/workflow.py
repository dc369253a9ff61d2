"""The annual report's state machine: which step starts from which state and where it
leads. Who may take it is the policy module's question."""

from __future__ import annotations

from enum import StrEnum

from isodoc.annual_reports.models import ReportState
from isodoc.errors import InvalidInput
from isodoc.i18n import _, _l

R = ReportState


class Step(StrEnum):
    EDIT = "edit"        # the secretary edits the text and refreshes the figures
    SEND = "send"        # the secretary sends it to the leader
    RETURN = "return"    # the leader sends it back with a comment
    APPROVE = "approve"  # the leader approves it
    SUBMIT = "submit"    # sent to the Sở KH&CN (late if after the deadline)

    @property
    def label(self) -> str:
        return {"edit": _("Lưu báo cáo"), "send": _("Trình lãnh đạo phê duyệt"),
                "return": _("Trả lại để sửa"), "approve": _("Phê duyệt"),
                "submit": _("Gửi Sở KH&CN")}[self.value]


STEPS: dict[Step, tuple[frozenset[ReportState], ReportState]] = {
    Step.EDIT: (frozenset({R.DRAFT}), R.DRAFT),
    Step.SEND: (frozenset({R.DRAFT}), R.PENDING),
    Step.RETURN: (frozenset({R.PENDING, R.APPROVED}), R.DRAFT),
    Step.APPROVE: (frozenset({R.PENDING}), R.APPROVED),
    Step.SUBMIT: (frozenset({R.APPROVED}), R.SUBMITTED),
}

REFUSALS = {
    Step.EDIT: _l("Chỉ sửa được báo cáo đang soạn (báo cáo đã trình hoặc đã gửi thì không)."),
    Step.SEND: _l("Chỉ trình được báo cáo đang soạn."),
    Step.RETURN: _l("Chỉ trả lại được báo cáo đang chờ phê duyệt hoặc đã phê duyệt mà chưa "
                    "gửi."),
    Step.APPROVE: _l("Chỉ phê duyệt được báo cáo đang chờ phê duyệt."),
    Step.SUBMIT: _l("Chỉ gửi được báo cáo đã được lãnh đạo phê duyệt."),
}


def allowed(step: Step, state: ReportState | str) -> bool:
    return ReportState(state) in STEPS[step][0]


def target(step: Step) -> ReportState:
    return STEPS[step][1]


def require(step: Step, state: ReportState | str) -> None:
    """Refuse a step the table does not allow from `state` (nothing is changed)."""
    if not allowed(step, state):
        raise InvalidInput(str(REFUSALS[step]))
