"""The corrective-action state machine: which transition starts from which state and
where it leads. Who may make it is the policy module's question."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import pgettext

from isodoc.findings.models import FindingState
from isodoc.i18n import _

F = FindingState


class Step(StrEnum):
    PROPOSE = "propose"          # the auditee proposes correction, cause and action plan
    RETURN = "return"            # the auditor sends the proposal back for rework
    ACCEPT = "accept"            # the auditor accepts the plan and sets when to verify
    IMPLEMENT = "implement"      # the auditee reports the action done, with evidence
    VERIFY = "verify"            # the auditor finds the action effective
    INEFFECTIVE = "ineffective"  # the auditor finds it ineffective: back to planning
    CLOSE = "close"              # closed after verification
    DISMISS = "dismiss"          # an observation or OFI closed without an action

    @property
    def label(self) -> str:
        return {"propose": _("Đề xuất hành động"), "return": _("Trả lại đề xuất"),
                "accept": _("Chấp nhận hành động"), "implement": _("Báo cáo đã thực hiện"),
                "verify": _("Xác minh: có hiệu lực"),
                "ineffective": _("Xác minh: không hiệu lực"),
                "close": pgettext("finding step", "Đóng"),  # the button: "Close", not "Closed"
                "dismiss": _("Đóng, không cần hành động")}[self.value]


STEPS: dict[Step, tuple[frozenset[FindingState], FindingState]] = {
    Step.PROPOSE: (frozenset({F.OPEN}), F.PROPOSED),
    Step.RETURN: (frozenset({F.PROPOSED}), F.OPEN),
    Step.ACCEPT: (frozenset({F.PROPOSED}), F.ACCEPTED),
    Step.IMPLEMENT: (frozenset({F.ACCEPTED}), F.IMPLEMENTED),
    Step.VERIFY: (frozenset({F.IMPLEMENTED}), F.VERIFIED),
    Step.INEFFECTIVE: (frozenset({F.IMPLEMENTED}), F.OPEN),
    Step.CLOSE: (frozenset({F.VERIFIED}), F.CLOSED),
    Step.DISMISS: (frozenset({F.OPEN}), F.CLOSED),
}

OPEN_STATES = frozenset(set(F) - {F.CLOSED})


def allowed(step: Step, state: FindingState | str) -> bool:
    return FindingState(state) in STEPS[step][0]


def target(step: Step) -> FindingState:
    return STEPS[step][1]
