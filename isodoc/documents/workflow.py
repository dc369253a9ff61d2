"""The revision state machine: which transition may start from which state.
Who may make it is the policy module's question; this table is the workflow's."""

from __future__ import annotations

from enum import StrEnum

from isodoc.documents.models import RevisionState
from isodoc.errors import InvalidInput
from isodoc.i18n import _l

S = RevisionState


class Transition(StrEnum):
    SAVE = "save"          # any save returns the revision to draft: approvals reset
    SUBMIT = "submit"      # draft -> in review, with named reviewers
    REVIEW = "review"      # a reviewer agrees or requests changes
    APPROVE = "approve"    # reviewed -> approved, by an approver who did not write it
    REJECT = "reject"      # back to draft with the approver's comment
    ISSUE = "issue"        # approved -> issued: one commit on main
    CANCEL = "cancel"      # the draft is abandoned (its ref stays for the record)


ALLOWED_FROM: dict[Transition, frozenset[RevisionState]] = {
    Transition.SAVE: frozenset({S.DRAFT, S.IN_REVIEW, S.REVIEWED, S.APPROVED}),
    Transition.SUBMIT: frozenset({S.DRAFT}),
    Transition.REVIEW: frozenset({S.IN_REVIEW}),
    Transition.APPROVE: frozenset({S.REVIEWED}),
    Transition.REJECT: frozenset({S.IN_REVIEW, S.REVIEWED}),
    Transition.ISSUE: frozenset({S.APPROVED}),
    Transition.CANCEL: frozenset({S.DRAFT, S.IN_REVIEW, S.REVIEWED, S.APPROVED}),
}

OPEN_STATES = frozenset({S.DRAFT, S.IN_REVIEW, S.REVIEWED, S.APPROVED})


def allowed(transition: Transition, state: RevisionState | str) -> bool:
    return RevisionState(state) in ALLOWED_FROM[transition]


REFUSALS = {
    Transition.SAVE: _l("Chỉ sửa được dự thảo chưa ban hành và chưa bị huỷ."),
    Transition.SUBMIT: _l("Chỉ trình xem xét được dự thảo đang soạn thảo."),
    Transition.REVIEW: _l("Dự thảo không ở bước xem xét."),
    Transition.APPROVE: _l("Chỉ phê duyệt được dự thảo đã được xem xét đồng ý."),
    Transition.REJECT: _l("Chỉ trả lại được dự thảo đang chờ xem xét hoặc chờ phê duyệt."),
    Transition.ISSUE: _l("Chỉ ban hành được dự thảo đã được phê duyệt."),
    Transition.CANCEL: _l("Chỉ huỷ được dự thảo chưa ban hành."),
}


def require(transition: Transition, state: RevisionState | str) -> None:
    """Refuse a transition the table does not allow from `state` (nothing is changed)."""
    if not allowed(transition, state):
        raise InvalidInput(str(REFUSALS[transition]))
