"""The revision state machine: which transition may start from which state.
Who may make it is the policy module's question; this table is the workflow's."""

from __future__ import annotations

from enum import StrEnum

from isodoc.documents.models import RevisionState

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
