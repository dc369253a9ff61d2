"""Who may take each corrective-action step and each audit action, state by state,
written out by hand (the policy module answers; the services refuse the rest)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from isodoc.audits import services as audits
from isodoc.auth.models import User
from isodoc.extensions import db
from isodoc.findings import services as findings
from isodoc.findings.models import FindingSource, FindingType
from isodoc.policy import Action, can
from isodoc.timeutil import today_local
from tests.conftest import agency, certify

A = Action
OWN = "so-tu-phap"
HOLDERS = {
    "reader": [(OWN, "reader")], "author": [(OWN, "author")],
    "secretary": [(OWN, "secretary")], "approver": [(OWN, "approver")],
    "auditor": [(OWN, "auditor")], "auditor2": [(OWN, "auditor")],
    # a small agency's secretary is often also an internal auditor
    "dual": [(OWN, "secretary"), (OWN, "auditor")],
    "other_auditor": [("so-y-te", "auditor")], "overseer": [("ubnd-tinh", "overseer")],
}
STEPS = [A.FINDING_PROPOSE, A.FINDING_RETURN, A.FINDING_ACCEPT, A.FINDING_IMPLEMENT,
         A.FINDING_VERIFY, A.FINDING_INEFFECTIVE, A.FINDING_CLOSE, A.FINDING_DISMISS]
AUDITORS = {"auditor", "auditor2"}
VIEWERS = {"author", "secretary", "approver", "auditor", "auditor2", "dual", "overseer"}
ATTACHERS = VIEWERS - {"overseer"}  # the overseer reads, it does not add evidence
# state -> action -> who may; the proposer is "dual", the owner "author", the
# implementer "secretary": nobody accepts or verifies their own action.
FINDING_MATRIX = {
    "open": {A.FINDING_PROPOSE: {"author", "secretary", "approver", "dual"},
             A.FINDING_ATTACH: ATTACHERS},
    "proposed": {A.FINDING_RETURN: AUDITORS, A.FINDING_ACCEPT: AUDITORS,
                 A.FINDING_ATTACH: ATTACHERS},
    "accepted": {A.FINDING_IMPLEMENT: {"author", "secretary", "dual"},
                 A.FINDING_ATTACH: ATTACHERS},
    "implemented": {A.FINDING_VERIFY: AUDITORS, A.FINDING_INEFFECTIVE: AUDITORS,
                    A.FINDING_ATTACH: ATTACHERS},
    "verified": {A.FINDING_CLOSE: AUDITORS | {"dual"}, A.FINDING_ATTACH: ATTACHERS},
    "closed": {},
}
AUDIT_MATRIX = {  # lead and creator "auditor", team "auditor" + "auditor2"
    "planned": {A.AUDIT_EDIT: {"auditor"}, A.AUDIT_LEAD: {"auditor"},
                A.AUDIT_DECLARE: AUDITORS},
    "in_progress": {A.AUDIT_LEAD: {"auditor"}, A.AUDIT_FILL: AUDITORS,
                    A.AUDIT_DECLARE: AUDITORS, A.FINDING_RAISE: AUDITORS},
    "completed": {},
}
AUDIT_ACTIONS = [A.AUDIT_EDIT, A.AUDIT_LEAD, A.AUDIT_FILL, A.AUDIT_DECLARE, A.FINDING_RAISE]


@pytest.fixture
def holders(province, make_user) -> dict[str, str]:
    return {label: make_user(*memberships, username=f"q-{label.replace('_', '-')}")
            for label, memberships in HOLDERS.items()}


def person(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def walk_finding(state: str, holders: dict[str, str]):
    p = {k: person(v) for k, v in holders.items()}
    finding = findings.raise_finding(agency(OWN), p["auditor"], findings.FindingInput(
        type=FindingType.MINOR, clauses="8.5.1", requirement="Đúng hạn", observed="Trễ",
        source=FindingSource.COMPLAINT, source_note="PA-1"))
    order = ["open", "proposed", "accepted", "implemented", "verified", "closed"]
    today = today_local()
    steps = [
        lambda: findings.propose(finding, p["dual"], correction="c", root_cause="r", whys="",
                                 action_plan="a", owner=p["author"],
                                 due_date=today + timedelta(days=5)),
        lambda: findings.accept(finding, p["auditor"], today, "đồng ý"),
        lambda: findings.implement(finding, p["secretary"], "done"),
        lambda: findings.verify(finding, p["auditor2"], True, "ok"),
        lambda: findings.close(finding, p["auditor"], ""),
    ]
    for step in steps[:order.index(state)]:
        step()
    db.session.flush()
    assert finding.state == state
    return finding


@pytest.mark.parametrize("state", list(FINDING_MATRIX))
def test_finding_steps(app, holders, state):
    with app.app_context():
        finding = walk_finding(state, holders)
        for action in [*STEPS, A.FINDING_ATTACH, A.FINDING_REVISE_DOC]:
            allowed = FINDING_MATRIX[state].get(action, set())
            for label, username in holders.items():
                assert can(person(username), action, finding) is (label in allowed), \
                    (state, action, label)
        for label, username in holders.items():
            assert can(person(username), A.QA_VIEW, finding) is (label in VIEWERS), label
        db.session.rollback()


def walk_audit(state: str, holders: dict[str, str]):
    p = {k: person(v) for k, v in holders.items()}
    today = today_local()
    certify(p["auditor"].username, p["auditor2"].username)
    audit = audits.plan_audit(agency(OWN), p["auditor"], audits.AuditPlan(
        "Đợt 1", today, today, p["auditor"], [p["auditor2"]], "7.5.3"))
    if state != "planned":
        audits.start(audit, p["auditor"])
    if state == "completed":
        audits.fill_item(audit.items[0], p["auditor2"], audits.CheckResult.CONFORM, "")
        audits.complete(audit, p["auditor"], "Phù hợp")
    db.session.flush()
    assert audit.state == state
    return audit


@pytest.mark.parametrize("state", list(AUDIT_MATRIX))
def test_audit_actions(app, holders, state):
    with app.app_context():
        audit = walk_audit(state, holders)
        for action in AUDIT_ACTIONS:
            allowed = AUDIT_MATRIX[state].get(action, set())
            for label, username in holders.items():
                assert can(person(username), action, audit) is (label in allowed), \
                    (state, action, label)
        db.session.rollback()


def test_services_refuse_out_of_order_steps(app, holders):
    from isodoc.errors import InvalidInput

    with app.app_context():
        finding = walk_finding("open", holders)
        with pytest.raises(InvalidInput, match="Không thể «Chấp nhận hành động»"):
            findings.accept(finding, person(holders["auditor"]), today_local(), "đồng ý")
        with pytest.raises(InvalidInput, match="Sự không phù hợp phải có hành động"):
            findings.dismiss(finding, person(holders["auditor"]), "x")
        db.session.rollback()


def step_commands(finding, today):
    """Each corrective-action step as its command, with plausible input."""
    from isodoc.findings.models import Finding  # noqa: F401  (typing only)

    return {
        A.FINDING_PROPOSE: lambda who: findings.propose(
            finding, who, correction="c", root_cause="r", whys="", action_plan="a",
            owner=who, due_date=today + timedelta(days=5)),
        A.FINDING_RETURN: lambda who: findings.return_proposal(finding, who, "làm lại"),
        A.FINDING_ACCEPT: lambda who: findings.accept(finding, who, today, "đồng ý"),
        A.FINDING_IMPLEMENT: lambda who: findings.implement(finding, who, "đã làm"),
        A.FINDING_VERIFY: lambda who: findings.verify(finding, who, True, "ok"),
        A.FINDING_INEFFECTIVE: lambda who: findings.verify(finding, who, False, "chưa"),
        A.FINDING_CLOSE: lambda who: findings.close(finding, who, ""),
        A.FINDING_DISMISS: lambda who: findings.dismiss(finding, who, "x"),
        A.FINDING_ATTACH: lambda who: findings.attach(finding, who, "a.txt", b"bien ban\n",
                                                      "action"),
    }


@pytest.mark.parametrize("state", list(FINDING_MATRIX))
def test_finding_commands_refuse_by_themselves(app, holders, state):
    """The same matrix through the commands, called directly: whoever the policy
    refuses is refused by the command itself, and nothing changes."""
    from isodoc.errors import Forbidden, InvalidInput

    with app.app_context():
        finding = walk_finding(state, holders)
        commands = step_commands(finding, today_local())
        for action, command in commands.items():
            allowed = FINDING_MATRIX[state].get(action, set())
            for label, username in holders.items():
                if label in allowed:
                    continue
                with pytest.raises((Forbidden, InvalidInput)):
                    command(person(username))
                assert finding.state == state and not db.session.dirty, (action, label)
        db.session.rollback()


@pytest.mark.parametrize("state", list(AUDIT_MATRIX))
def test_audit_commands_refuse_by_themselves(app, holders, state):
    from isodoc.errors import Forbidden, InvalidInput

    with app.app_context():
        audit = walk_audit(state, holders)
        if not audit.items:  # a planned audit's checklist, made by its lead
            audits.generate_checklist(audit, person(holders["auditor"]))
            db.session.flush()
        today = today_local()
        commands = {
            A.AUDIT_EDIT: lambda who: audits.generate_checklist(audit, who),
            A.AUDIT_LEAD: lambda who: audits.cancel(audit, who, "huỷ")
            if audit.state == "planned" else audits.complete(audit, who, "xong"),
            A.AUDIT_FILL: lambda who: audits.fill_item(audit.items[0], who,
                                                       audits.CheckResult.CONFORM, ""),
            A.AUDIT_DECLARE: lambda who: audits.declare_conflict(audit, who, "7.5.3", "tôi"),
            A.FINDING_RAISE: lambda who: findings.raise_finding(
                agency(OWN), who, findings.FindingInput(
                    type=FindingType.OFI, clauses="7.5.3", requirement="r", observed="o",
                    audit=audit, response_due=today)),
        }
        for action, command in commands.items():
            allowed = AUDIT_MATRIX[state].get(action, set())
            for label, username in holders.items():
                if label in allowed:
                    continue
                with pytest.raises((Forbidden, InvalidInput)):
                    command(person(username))
                assert audit.state == state and not db.session.new, (action, label)
        db.session.rollback()
