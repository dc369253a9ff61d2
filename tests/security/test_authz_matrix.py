"""The authorisation matrix: every endpoint of the URL map × every kind of person.

The expected answer is never written by hand: each endpoint names the policy checks its
view makes (an Action and the object it is asked about), and the test asks
`policy.can()` for each person. Allowed → an answer (not 401/403, never 500); refused →
403 (anonymous: the login page on the UI, 401 on the API) carrying none of the private
text. Forbidden POSTs carry a valid CSRF token and change nothing. A route missing from
the table fails `test_every_route_is_in_the_table`, so a new route cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from isodoc.policy import Action
from isodoc.timeutil import today_local
from tests.security.conftest import (
    OTHER,
    OWN,
    PERSONAS,
    SECRET_DRAFT,
    SECRET_FINDING,
    Clients,
    World,
    build_world,
    changed,
    fingerprint,
    form_token,
)

A = Action
PUBLIC = "public"        # anyone, signed in or not
SIGNED_IN = "signed-in"  # any signed-in person (the view filters what they see)


@dataclass(frozen=True)
class Case:
    url: str
    checks: str | tuple[tuple[Action, str | None], ...]
    body: dict | None = None  # JSON body of an API POST (valid, so the check is reached)
    # the answer may be allowed by policy yet withheld by the view (e.g. a document that
    # has only drafts): only "never 500, no private text, refused means 403" is checked
    lenient: bool = False


def on(*checks: tuple[Action, str | None]) -> tuple[tuple[Action, str | None], ...]:
    return checks


D = "/agencies/{own}/documents"
AU = "/agencies/{own}/audits"
F = "/agencies/{own}/findings"
API = "/api/v1"
APID = "/api/v1/agencies/{own}/documents"
QA_AUDIT = (A.QA_VIEW, "audit")
MT = "/agencies/{own}/objectives"
OBJ = (A.OBJECTIVE_VIEW, "objective")
RK = "/agencies/{own}/risks"
PG = "/programme/plans/{plan}"
MR = "/agencies/{own}/management-reviews"
MR_VIEW = (A.REVIEW_VIEW, "agency:own")
AR = "/agencies/{own}/annual-reports"
REPORT = (A.REPORT_VIEW, "report")
DC = "/agencies/{own}/declarations"
INSP = (A.INSPECTION_VIEW, "inspection")
CONSULT = (A.CONSULTANT_MANAGE, None)
SV = "/agencies/{own}/surveys"

# endpoint -> the requests made to it and the checks its view makes
TABLE: dict[str, list[Case]] = {
    "static": [Case("/static/style.css", PUBLIC)],
    "main.healthz": [Case("/healthz", PUBLIC)],
    "main.home": [Case("/", SIGNED_IN)],
    # one's own work: every list is the person's, whoever asks sees only theirs
    "main.work_list": [Case("/viec/acknowledge", SIGNED_IN), Case("/viec/approve", SIGNED_IN)],
    "auth.login": [Case("/login", PUBLIC)],
    "auth.logout": [Case("/logout", SIGNED_IN)],
    "auth.account": [Case("/account", SIGNED_IN)],
    "auth.change_password": [Case("/account/password", SIGNED_IN)],
    "auth.create_token": [Case("/account/tokens", SIGNED_IN)],
    "auth.revoke_token": [Case("/account/tokens/{spare_token}/revoke",
                               on((A.TOKEN_REVOKE, "token:spare_token")))],
    "auth.set_language": [Case("/language/vi", PUBLIC)],
    "mail.preference": [Case("/account/mail", SIGNED_IN)],
    "mail.outbox": [Case("/admin/mail", on((A.MAIL_OUTBOX, None)))],
    "preview.preview": [Case("/preview", SIGNED_IN)],
    "search.results": [Case("/search/?q=quy+trình", SIGNED_IN),
                       Case("/search/?q=Kappa-7319", SIGNED_IN),
                       Case("/search/?q=Lambda-8426&scope=", SIGNED_IN)],
    "search.suggest": [Case("/search/suggest?q=Kappa", SIGNED_IN)],
    "standards.index": [Case("/clauses/", SIGNED_IN)],
    "standards.show": [Case("/clauses/7.5.3", SIGNED_IN)],
    "standards.correspondence": [Case("/clauses/2008", SIGNED_IN)],
    "standards.options": [Case("/clauses/options.json?q=7.5", SIGNED_IN)],
    # administration
    "admin.audit_log": [Case("/admin/audit", on((A.AUDIT_VIEW, None)))],
    "admin.people": [Case("/admin/people", on((A.PEOPLE_LIST, None)))],
    "admin.create_person": [Case("/admin/people", on((A.PEOPLE_LIST, None)))],
    "admin.import_people": [Case("/admin/people/import", on((A.PEOPLE_LIST, None)))],
    "admin.person": [Case("/admin/people/{reader_name}", on((A.PEOPLE_MANAGE, "user:reader")))],
    "admin.set_active": [Case("/admin/people/{reader_name}/active",
                              on((A.PEOPLE_MANAGE, "user:reader")))],
    "admin.set_job_title": [Case("/admin/people/{reader_name}/job-title",
                                 on((A.PEOPLE_MANAGE, "user:reader")))],
    "admin.reset_password": [Case("/admin/people/{reader_name}/reset-password",
                                  on((A.PEOPLE_MANAGE, "user:reader")))],
    "admin.add_membership": [Case("/admin/people/{reader_name}/memberships",
                                  on((A.PEOPLE_MANAGE, "user:reader")))],
    "admin.remove_membership": [Case(
        "/admin/people/{reader_name}/memberships/{reader_membership}/remove",
        on((A.PEOPLE_MANAGE, "agency:own")))],
    # the registry
    "agencies.index": [Case("/agencies/", SIGNED_IN)],
    "agencies.detail": [Case("/agencies/{own}", on((A.AGENCY_VIEW, "agency:own"))),
                        Case("/agencies/{other}", on((A.AGENCY_VIEW, "agency:other")))],
    "agencies.export": [Case("/agencies/export.csv", on((A.REGISTRY_EXPORT, None)))],
    "agencies.import_registry": [Case("/agencies/import", on((A.REGISTRY_IMPORT, None)))],
    "agencies.create_child": [Case("/agencies/{own}/children",
                                   on((A.AGENCY_CREATE_CHILD, "agency:own")))],
    "agencies.edit": [Case("/agencies/{own}/edit", on((A.AGENCY_EDIT, "agency:own")))],
    "agencies.dissolve": [Case("/agencies/{own}/dissolve",
                               on((A.AGENCY_REORGANIZE, "agency:own")))],
    # documents
    "documents.register": [Case(D + "/", SIGNED_IN),
                           Case("/agencies/{other}/documents/", SIGNED_IN)],
    "documents.export": [Case(D + "/export.csv", SIGNED_IN)],
    "documents.export_docx": [Case(D + "/export.docx", SIGNED_IN),
                              Case("/agencies/{other}/documents/export.docx", SIGNED_IN)],
    "documents.export_xlsx": [Case(D + "/export.xlsx", SIGNED_IN)],
    "documents.new": [Case(D + "/new", on((A.DOC_CREATE, "agency:own")))],
    "documents.show": [Case(D + "/{qt01_slug}", on((A.DOC_READ, "doc:qt01_doc"))),
                       Case(D + "/{draft_slug}", on((A.DOC_READ, "doc:draft")), lenient=True),
                       Case("/agencies/{other}/documents/{other_draft_slug}",
                            on((A.DOC_READ, "doc:other_draft")), lenient=True)],
    "documents.revision": [Case(D + "/{qt01_slug}/revisions/1",
                                on((A.DOC_READ, "doc:qt01_doc")))],
    "documents.revision_docx": [Case(D + "/{qt01_slug}/revisions/1/export.docx",
                                     on((A.DOC_READ, "doc:qt01_doc")))],
    # no revision of the world names this blob: a 404 to readers, a 403 to the others
    "documents.attachment": [Case(D + "/{qt01_slug}/attachments/" + "0" * 40 + "/hinh-1.png",
                                  on((A.DOC_READ, "doc:qt01_doc")), lenient=True),
                             Case("/agencies/{other}/documents/{other_draft_slug}/attachments/"
                                  + "0" * 40 + "/hinh-1.png",
                                  on((A.DOC_READ, "doc:other_draft")), lenient=True)],
    "documents.draft_docx": [Case(D + "/{reviewed_slug}/drafts/{reviewed_seq}/export.docx",
                                  on((A.DOC_VIEW_DRAFTS, "rev:reviewed"))),
                             Case("/agencies/{other}/documents/{other_draft_slug}/drafts/"
                                  "{other_draft_seq}/export.docx",
                                  on((A.DOC_VIEW_DRAFTS, "rev:other_draft")))],
    "documents.history": [Case(D + "/{qt01_slug}/history", on((A.DOC_READ, "doc:qt01_doc"))),
                          Case(D + "/{reviewed_slug}/history",
                               on((A.DOC_READ, "doc:reviewed")), lenient=True)],
    "documents.diff": [Case(D + "/{qt01_slug}/diff?a=1&b=2", on((A.DOC_READ, "doc:qt01_doc")))],
    "documents.changes": [Case(D + "/{qt01_slug}/changes?a=1&b=2",
                               on((A.DOC_READ, "doc:qt01_doc")))],
    "documents.readers": [Case(D + "/{qt01_slug}/readers/{qt01_latest}",
                               on((A.DOC_READERS, "doc:qt01_doc")))],
    "documents.draft": [Case(D + "/{reviewed_slug}/drafts/{reviewed_seq}",
                             on((A.DOC_VIEW_DRAFTS, "rev:reviewed"))),
                        Case("/agencies/{other}/documents/{other_draft_slug}/drafts/"
                             "{other_draft_seq}", on((A.DOC_VIEW_DRAFTS, "rev:other_draft")))],
    "documents.edit": [Case(D + "/{draft_slug}/drafts/{draft_seq}/edit",
                            on((A.DOC_VIEW_DRAFTS, "rev:draft"), (A.DOC_EDIT, "rev:draft")))],
    "documents.submit": [Case(D + "/{draft_slug}/drafts/{draft_seq}/submit",
                              on((A.DOC_VIEW_DRAFTS, "rev:draft"), (A.DOC_SUBMIT, "rev:draft")))],
    "documents.cancel": [Case(D + "/{draft_slug}/drafts/{draft_seq}/cancel",
                              on((A.DOC_VIEW_DRAFTS, "rev:draft"), (A.DOC_CANCEL, "rev:draft")))],
    "documents.review": [Case(D + "/{hd01_slug}/drafts/{hd01_seq}/review",
                              on((A.DOC_VIEW_DRAFTS, "rev:hd01"), (A.DOC_REVIEW, "rev:hd01")))],
    "documents.approve": [Case(D + "/{reviewed_slug}/drafts/{reviewed_seq}/approve",
                               on((A.DOC_VIEW_DRAFTS, "rev:reviewed"),
                                  (A.DOC_APPROVE, "rev:reviewed")))],
    "documents.reject": [Case(D + "/{reviewed_slug}/drafts/{reviewed_seq}/reject",
                              on((A.DOC_VIEW_DRAFTS, "rev:reviewed"),
                                 (A.DOC_REJECT, "rev:reviewed")))],
    "documents.issue": [Case(D + "/{approved_slug}/drafts/{approved_seq}/issue",
                             on((A.DOC_VIEW_DRAFTS, "rev:approved"),
                                (A.DOC_ISSUE, "rev:approved")))],
    "documents.revise": [Case(D + "/{qt01_slug}/revise", on((A.DOC_CREATE, "agency:own")))],
    "documents.withdraw": [Case(D + "/{qt01_slug}/withdraw",
                                on((A.DOC_WITHDRAW_REQUEST, "doc:qt01_doc")))],
    "documents.decide_withdrawal": [Case(D + "/{qt01_slug}/withdraw/decide",
                                         on((A.DOC_WITHDRAW_CONFIRM, "doc:qt01_doc")))],
    "documents.acknowledge": [Case(D + "/{qt01_slug}/acknowledge/{qt01_latest}",
                                   on((A.DOC_ACKNOWLEDGE, "rev:qt01_latest")))],
    "documents.periodic_review": [Case(D + "/{qt01_slug}/periodic-review",
                                       on((A.DOC_PERIODIC_REVIEW, "doc:qt01_doc")))],
    "documents.import_docx": [Case(D + "/import", on((A.DOC_CREATE, "agency:own")))],
    "documents.import_confirm": [Case(D + "/import/confirm", on((A.DOC_CREATE, "agency:own")))],
    "documents.record_history": [Case(D + "/{draft_slug}/drafts/{draft_seq}/record-history",
                                      on((A.DOC_VIEW_DRAFTS, "rev:draft"),
                                         (A.DOC_RECORD_HISTORY, "rev:draft")))],
    "documents.upload_draft": [Case(D + "/{draft_slug}/drafts/{draft_seq}/upload",
                                    on((A.DOC_VIEW_DRAFTS, "rev:draft"),
                                       (A.DOC_EDIT, "rev:draft")))],
    # internal audits
    "audits.programme": [Case(AU, on((A.QA_VIEW, "agency:own")))],
    "audits.objectives": [Case(AU + "/objectives", on((A.AUDIT_PLAN, "agency:own")))],
    "audits.new": [Case(AU + "/new", on((A.AUDIT_PLAN, "agency:own")))],
    "audits.show": [Case(AU + "/{audit}", on(QA_AUDIT)),
                    Case(AU + "/{done_audit}", on((A.QA_VIEW, "audit:done_audit")))],
    "audits.report_docx": [Case(AU + "/{done_audit}/report.docx",
                                on((A.QA_VIEW, "audit:done_audit")))],
    "audits.edit": [Case(AU + "/{audit}/edit", on(QA_AUDIT, (A.AUDIT_EDIT, "audit")))],
    "audits.regenerate": [Case(AU + "/{audit}/checklist", on(QA_AUDIT, (A.AUDIT_EDIT, "audit")))],
    "audits.add_item": [Case(AU + "/{audit}/items", on(QA_AUDIT, (A.AUDIT_EDIT, "audit")))],
    "audits.start": [Case(AU + "/{audit}/start", on(QA_AUDIT, (A.AUDIT_LEAD, "audit")))],
    "audits.complete": [Case(AU + "/{audit}/complete", on(QA_AUDIT, (A.AUDIT_LEAD, "audit")))],
    "audits.cancel": [Case(AU + "/{audit}/cancel", on(QA_AUDIT, (A.AUDIT_LEAD, "audit")))],
    "audits.decide": [Case(AU + "/{audit}/conflicts/{conflict}",
                           on(QA_AUDIT, (A.AUDIT_LEAD, "audit")))],
    "audits.declare": [Case(AU + "/{audit}/declare", on(QA_AUDIT, (A.AUDIT_DECLARE, "audit")))],
    "audits.fill": [Case(AU + "/{audit}/items/{audit_item}",
                         on(QA_AUDIT, (A.AUDIT_FILL, "audit")))],
    # findings and reports
    "findings.index": [Case(F, on((A.QA_VIEW, "agency:own")))],
    "findings.new": [Case(F + "/new", on((A.FINDING_RAISE, "agency:own")))],
    "findings.show": [Case(F + "/{secret_finding}", on((A.QA_VIEW, "finding:secret_finding")))],
    "findings.step": [Case(F + "/{ofi}/propose", on((A.QA_VIEW, "finding:ofi"),
                                                    (A.FINDING_PROPOSE, "finding:ofi")))],
    "findings.revise": [Case(F + "/{nc}/revise", on((A.QA_VIEW, "finding:nc"),
                                                    (A.FINDING_REVISE_DOC, "finding:nc")))],
    "findings.attach": [Case(F + "/{ofi}/attachments", on((A.QA_VIEW, "finding:ofi"),
                                                          (A.FINDING_ATTACH, "finding:ofi")))],
    "findings.attachment": [Case(F + "/{nc}/attachments/{attachment}",
                                 on((A.QA_VIEW, "finding:nc")))],
    "reports.findings": [Case("/reports/findings?agency={own}", on((A.QA_VIEW, "agency:own")))],
    "reports.management_review": [Case("/agencies/{own}/management-review",
                                       on((A.QA_VIEW, "agency:own")))],
    # administrative procedures (TTHC): catalog, import, coverage
    "tthc.catalog": [Case("/tthc/?q=khai+sinh", SIGNED_IN)],
    "tthc.picker": [Case("/tthc/options.json?q=khai&agency={other}", SIGNED_IN)],
    "tthc.show": [Case("/tthc/1.001193", SIGNED_IN)],
    "tthc.upload": [Case("/tthc/import", on((A.TTHC_MANAGE, None)))],
    "tthc.preview": [Case("/tthc/imports/{tthc_import}", on((A.TTHC_MANAGE, None)))],
    "tthc.apply": [Case("/tthc/imports/{tthc_import}/apply", on((A.TTHC_MANAGE, None)))],
    "tthc.bodies": [Case("/tthc/bodies", on((A.TTHC_MANAGE, None)))],
    "tthc.map_body": [Case("/tthc/bodies/{body_map}", on((A.TTHC_MANAGE, None)))],
    "tthc.province": [Case("/tthc/coverage", on((A.COVERAGE_PROVINCE, None)))],
    "tthc.province_csv": [Case("/tthc/coverage.csv", on((A.COVERAGE_PROVINCE, None)))],
    "tthc.agency": [Case("/agencies/{own}/coverage", on((A.COVERAGE_VIEW, "agency:own"))),
                    Case("/agencies/{other}/coverage", on((A.COVERAGE_VIEW, "agency:other")))],
    "tthc.agency_csv": [Case("/agencies/{other}/coverage.csv",
                             on((A.COVERAGE_VIEW, "agency:other")))],
    "tthc.draft": [Case("/agencies/{other}/coverage/1.000894/draft",
                        on((A.DOC_CREATE, "agency:other")))],
    "tthc.publish_model": [Case("/tthc/1.001193/model?document={other}/qt-tp-01",
                                on((A.MODEL_PUBLISH, "doc:himlam_model")))],
    "tthc.models": [Case("/tthc/models", on((A.COVERAGE_PROVINCE, None)))],
    "tthc.adopt": [Case("/agencies/{other}/coverage/1.001193/adopt",
                        on((A.DOC_CREATE, "agency:other")))],
    "tthc.adoptions": [Case("/agencies/{other}/models", on((A.COVERAGE_VIEW, "agency:other")))],
    "tthc.follow": [Case("/agencies/{other}/models/{adoption}/follow",
                         on((A.DOC_CREATE, "agency:other")))],
    "api_tthc.catalog": [Case(API + "/tthc?level=xa", SIGNED_IN)],
    "api_tthc.one": [Case(API + "/tthc/1.001193", SIGNED_IN)],
    "api_tthc.agency_coverage": [Case(API + "/agencies/{other}/coverage",
                                      on((A.COVERAGE_VIEW, "agency:other")))],
    "api_tthc.province_coverage": [Case(API + "/coverage", on((A.COVERAGE_PROVINCE, None)))],
    # quality objectives
    "objectives.index": [Case(MT, on((A.OBJECTIVE_VIEW, "agency:own"))),
                         Case("/agencies/{other}/objectives",
                              on((A.OBJECTIVE_VIEW, "agency:other")))],
    "objectives.new": [Case(MT + "/new", on((A.OBJECTIVE_MANAGE, "agency:own")))],
    "objectives.show": [Case(MT + "/{objective}", on(OBJ))],
    "objectives.measure": [Case(MT + "/{objective}/measurements",
                                on(OBJ, (A.OBJECTIVE_MEASURE, "objective")))],
    "objectives.edit": [Case(MT + "/{objective}/edit",
                             on(OBJ, (A.OBJECTIVE_MANAGE, "agency:own")))],
    "objectives.import_values": [Case(MT + "/{objective}/import",
                                      on(OBJ, (A.OBJECTIVE_MEASURE, "objective")))],
    "objectives.raise_finding": [Case(MT + "/{objective}/measurements/1/finding",
                                      on(OBJ, (A.FINDING_RAISE, "agency:own")))],
    # risks and opportunities
    "risks.index": [Case(RK, on((A.RISK_VIEW, "agency:own"))),
                    Case("/agencies/{other}/risks", on((A.RISK_VIEW, "agency:other")))],
    "risks.new": [Case(RK + "/new", on((A.RISK_MANAGE, "agency:own")))],
    "risks.scale": [Case(RK + "/scale", on((A.RISK_MANAGE, "agency:own")))],
    "risks.show": [Case(RK + "/{risk}", on((A.RISK_VIEW, "agency:own")))],
    "risks.add_action": [Case(RK + "/{risk}/actions", on((A.RISK_VIEW, "agency:own"),
                                                         (A.RISK_MANAGE, "agency:own")))],
    "risks.complete_action": [Case(RK + "/{risk}/actions/{risk_action}/done",
                                   on((A.RISK_VIEW, "agency:own"),
                                      (A.RISK_ACTION_DONE, "risk_action")))],
    "risks.reassess": [Case(RK + "/{risk}/edit", on((A.RISK_VIEW, "agency:own"),
                                                    (A.RISK_MANAGE, "agency:own")))],
    "risks.link_finding": [Case(RK + "/{risk}/findings", on((A.RISK_VIEW, "agency:own"),
                                                            (A.RISK_MANAGE, "agency:own")))],
    "risks.unlink_finding": [Case(RK + "/{risk}/findings/{nc}/unlink",
                                  on((A.RISK_VIEW, "agency:own"),
                                     (A.RISK_MANAGE, "agency:own")))],
    "risks.raise_finding": [Case(RK + "/{risk}/finding", on((A.RISK_VIEW, "agency:own"),
                                                            (A.FINDING_RAISE, "agency:own")))],
    # the province's programme (Sở KH&CN)
    "programme.index": [Case("/programme/?year=2018", on((A.PROGRAMME_VIEW, None)))],
    "programme.agencies": [Case("/programme/agencies?year=2018&kind=commune",
                                on((A.PROGRAMME_VIEW, None)))],
    "programme.records": [Case("/programme/records/issued?year=2018",
                               on((A.PROGRAMME_VIEW, None)))],
    "programme.plans": [Case("/programme/plans?new=1", on((A.PROGRAMME_VIEW, None)))],
    "programme.create_plan": [Case("/programme/plans", on((A.PROGRAMME_MANAGE, None)))],
    "programme.plan": [Case(PG, on((A.PROGRAMME_VIEW, None)))],
    "programme.add_target": [Case(PG + "/targets", on((A.PROGRAMME_MANAGE, None)))],
    "programme.remove_target": [Case(PG + "/targets/{plan_target}/delete",
                                     on((A.PROGRAMME_MANAGE, None)))],
    "programme.set_rates": [Case(PG + "/rates", on((A.PROGRAMME_MANAGE, None)))],
    "programme.import_plan": [Case(PG + "/import", on((A.PROGRAMME_MANAGE, None)))],
    "programme.export_plan": [Case(PG + "/export.csv", on((A.PROGRAMME_VIEW, None)))],
    "programme.appendix": [Case(PG + "/appendices/02?year=2018", on((A.PROGRAMME_VIEW, None)))],
    "programme.appendix_file": [Case(PG + "/appendices/03.xlsx", on((A.PROGRAMME_VIEW, None)))],
    # management review, training, records register
    "reviews.index": [Case(MR, on(MR_VIEW)),
                      Case("/agencies/{other}/management-reviews",
                           on((A.REVIEW_VIEW, "agency:other")))],
    "reviews.new": [Case(MR + "/new", on((A.REVIEW_MANAGE, "agency:own")))],
    "reviews.show": [Case(MR + "/{review}", on(MR_VIEW))],
    "reviews.minutes_docx": [Case(MR + "/{review}/minutes.docx", on(MR_VIEW))],
    "reviews.save_inputs": [Case(MR + "/{review}/inputs",
                                 on(MR_VIEW, (A.REVIEW_MANAGE, "agency:own")))],
    "reviews.refresh": [Case(MR + "/{review}/inputs/audits/refresh",
                             on(MR_VIEW, (A.REVIEW_MANAGE, "agency:own")))],
    "reviews.add_action": [Case(MR + "/{review}/actions",
                                on(MR_VIEW, (A.REVIEW_MANAGE, "agency:own")))],
    "reviews.report": [Case(MR + "/{review}/actions/{review_action}/report",
                            on(MR_VIEW, (A.REVIEW_ACTION_REPORT, "review_action")))],
    "reviews.verify": [Case(MR + "/{review}/actions/{review_action_done}/verify",
                            on(MR_VIEW, (A.REVIEW_ACTION_VERIFY, "review_action_done")))],
    "training.index": [Case("/agencies/{own}/training", on((A.TRAINING_VIEW, "agency:own"))),
                       Case("/agencies/{other}/training",
                            on((A.TRAINING_VIEW, "agency:other")))],
    "training.add_course": [Case("/agencies/{own}/training/courses",
                                 on((A.TRAINING_MANAGE, "agency:own")))],
    "training.add_certificate": [Case("/agencies/{own}/training/certificates",
                                      on((A.TRAINING_MANAGE, "agency:own")))],
    "records.index": [Case("/agencies/{own}/records", on((A.RECORDS_VIEW, "agency:own"))),
                      Case("/agencies/{other}/records",
                           on((A.RECORDS_VIEW, "agency:other")))],
    "records.place": [Case("/agencies/{own}/records/place",
                           on((A.RECORDS_MANAGE, "agency:own")))],
    # annual QMS reports
    "annual_reports.index": [Case(AR, on((A.REPORT_VIEW, "agency:own"))),
                             Case("/agencies/{other}/annual-reports",
                                  on((A.REPORT_VIEW, "agency:other")))],
    "annual_reports.start": [Case(AR + "/start", on((A.REPORT_VIEW, "agency:own"),
                                                    (A.REPORT_EDIT, "agency:own")))],
    "annual_reports.show": [Case(AR + "/{report_year}", on(REPORT))],
    "annual_reports.save": [Case(AR + "/{report_year}/save",
                                 on(REPORT, (A.REPORT_EDIT, "report")))],
    "annual_reports.refresh": [Case(AR + "/{report_year}/refresh",
                                    on(REPORT, (A.REPORT_EDIT, "report")))],
    "annual_reports.send": [Case(AR + "/{report_year}/send",
                                 on(REPORT, (A.REPORT_EDIT, "report")))],
    "annual_reports.approve": [Case(AR + "/{report_year}/approve",
                                    on(REPORT, (A.REPORT_APPROVE, "report")))],
    "annual_reports.return_report": [Case(AR + "/{report_year}/return",
                                          on(REPORT, (A.REPORT_APPROVE, "report")))],
    "annual_reports.submit": [Case(AR + "/{report_year}/submit",
                                   on(REPORT, (A.REPORT_SUBMIT, "report")))],
    "annual_reports.export_docx": [Case(AR + "/{report_year}/export.docx", on(REPORT))],
    "annual_reports.province": [Case("/annual-reports/", on((A.REPORT_PROVINCE, None)))],
    "annual_reports.set_deadline": [Case("/annual-reports/deadline",
                                         on((A.REPORT_DEADLINE, None)))],
    "annual_reports.consolidated": [Case("/annual-reports/{report_year}/consolidated.docx",
                                         on((A.REPORT_PROVINCE, None)))],
    # the reorganisation: a successor's inherited documents
    "succession.index": [Case("/agencies/{own}/inherited", SIGNED_IN)],
    "succession.adopt": [Case("/agencies/{own}/inherited/{qt01_doc}/adopt",
                              on((A.DOC_CREATE, "agency:own")))],
    # conformity declarations, inspections, consultants
    "declarations.index": [Case(DC, on((A.DECLARATION_VIEW, "agency:own"))),
                           Case("/agencies/{other}/declarations",
                                on((A.DECLARATION_VIEW, "agency:other")))],
    "declarations.new": [Case(DC + "/new", on((A.DECLARATION_RECORD, "agency:own")))],
    "declarations.show": [Case(DC + "/{declaration}", on((A.DECLARATION_VIEW, "agency:own")))],
    "declarations.decision_docx": [Case(DC + "/{declaration}/decision.docx",
                                        on((A.DECLARATION_VIEW, "agency:own")))],
    "declarations.notice_docx": [Case(DC + "/{declaration}/notice.docx",
                                      on((A.DECLARATION_VIEW, "agency:own")))],
    "declarations.province": [Case("/declarations/", on((A.DECLARATION_PROVINCE, None)))],
    "inspections.index": [Case("/inspections/", on((A.DECLARATION_PROVINCE, None)))],
    "inspections.new": [Case("/inspections/new", on((A.INSPECTION_MANAGE, None)))],
    "inspections.show": [Case("/inspections/{inspection}", on(INSP))],
    "inspections.conclude": [Case("/inspections/{inspection}/conclude",
                                  on(INSP, (A.INSPECTION_LEAD, "inspection")))],
    "inspections.raise_finding": [Case("/inspections/{inspection}/findings/new",
                                       on(INSP, (A.INSPECTION_FINDING, "inspection")))],
    "inspections.consultants": [Case("/consultants/", on(CONSULT))],
    "inspections.consultant": [Case("/consultants/{consultant}", on(CONSULT))],
    "inspections.engage": [Case("/consultants/{consultant}/engagements", on(CONSULT))],
    "inspections.trace": [Case("/consultants/{consultant}/engagements/{engagement}/findings",
                               on(CONSULT))],
    "inspections.visit": [Case("/consultants/{consultant}/engagements/{engagement}/visits",
                               on(CONSULT))],
    "api_declarations.declarations": [
        Case(API + "/declarations", SIGNED_IN),
        Case(API + "/declarations?agency={own}", on((A.DECLARATION_VIEW, "agency:own")))],
    # the citizen satisfaction survey: the public page, and the agency's results
    "survey_public.answer": [Case("/khao-sat/{own}", PUBLIC)],
    "survey_public.answer_tthc": [Case("/khao-sat/{own}/{survey_tthc}", PUBLIC)],
    "survey_public.thanks": [Case("/khao-sat/{own}/cam-on", PUBLIC)],
    "survey_public.not_found": [Case("/khao-sat/{own}/khong/co", PUBLIC, lenient=True)],
    "surveys.index": [Case(SV, on((A.SURVEY_VIEW, "agency:own"))),
                      Case("/agencies/{other}/surveys", on((A.SURVEY_VIEW, "agency:other")))],
    "surveys.qr_svg": [Case(SV + "/qr.svg", on((A.SURVEY_VIEW, "agency:own")))],
    "surveys.poster": [Case(SV + "/poster", on((A.SURVEY_VIEW, "agency:own")))],
    "surveys.raise_finding": [Case(SV + "/{survey_response}/finding",
                                   on((A.SURVEY_VIEW, "agency:own"),
                                      (A.FINDING_RAISE, "agency:own")))],
    "api_surveys.surveys": [Case("/api/v1/agencies/{own}/surveys",
                                 on((A.SURVEY_VIEW, "agency:own")))],
    # the JSON API
    "api-docs.openapi_json": [Case(API + "/openapi.json", PUBLIC)],
    "api.me": [Case(API + "/me", SIGNED_IN)],
    "api.agencies": [Case(API + "/agencies", SIGNED_IN)],
    "api.users": [Case(API + "/users", on((A.PEOPLE_LIST, None)))],
    "api.search_documents": [Case(API + "/search?q=Kappa-7319", SIGNED_IN),
                             Case(API + "/search?q=Lambda-8426&drafts=true", SIGNED_IN)],
    "api_documents.list_documents": [Case(APID, SIGNED_IN),
                                     Case("/api/v1/agencies/{other}/documents", SIGNED_IN)],
    "api_documents.create_document": [Case(APID, on((A.DOC_CREATE, "agency:own")), body={
        "code": "QT-99", "title": "Quy trình thử", "kind": "internal"})],
    "api_documents.in_force": [Case(APID + "/{qt01_slug}", on((A.DOC_READ, "doc:qt01_doc")))],
    "api_documents.revisions": [Case(APID + "/{qt01_slug}/revisions",
                                     on((A.DOC_READ, "doc:qt01_doc")))],
    "api_documents.revision": [Case(APID + "/{qt01_slug}/revisions/1",
                                    on((A.DOC_READ, "doc:qt01_doc")))],
    "api_documents.draft": [Case(APID + "/{draft_slug}/drafts/{draft_seq}",
                                 on((A.DOC_VIEW_DRAFTS, "rev:draft")))],
    "api_documents.revision_docx": [Case(APID + "/{qt01_slug}/revisions/1/export.docx",
                                         on((A.DOC_READ, "doc:qt01_doc")))],
    "api_documents.draft_docx": [Case(APID + "/{draft_slug}/drafts/{draft_seq}/export.docx",
                                      on((A.DOC_VIEW_DRAFTS, "rev:draft"))),
                                 Case("/api/v1/agencies/{other}/documents/{other_draft_slug}/"
                                      "drafts/{other_draft_seq}/export.docx",
                                      on((A.DOC_VIEW_DRAFTS, "rev:other_draft")))],
    "api_documents.save": [Case(APID + "/{draft_slug}/drafts/{draft_seq}",
                                on((A.DOC_VIEW_DRAFTS, "rev:draft"), (A.DOC_EDIT, "rev:draft")),
                                body={"title": "Tiêu đề mới", "kind": "internal",
                                      "base_sha": "{draft_head}"})],
    "api_documents.submit": [Case(APID + "/{draft_slug}/drafts/{draft_seq}/submit",
                                  on((A.DOC_VIEW_DRAFTS, "rev:draft"),
                                     (A.DOC_SUBMIT, "rev:draft")),
                                  body={"reviewers": ["stp.danhgia"]})],
    "api_documents.review": [Case(APID + "/{hd01_slug}/drafts/{hd01_seq}/review",
                                  on((A.DOC_VIEW_DRAFTS, "rev:hd01"), (A.DOC_REVIEW, "rev:hd01")),
                                  body={"decision": "agreed"})],
    "api_documents.approve": [Case(APID + "/{reviewed_slug}/drafts/{reviewed_seq}/approve",
                                   on((A.DOC_VIEW_DRAFTS, "rev:reviewed"),
                                      (A.DOC_APPROVE, "rev:reviewed")), body={})],
    "api_documents.reject": [Case(APID + "/{reviewed_slug}/drafts/{reviewed_seq}/reject",
                                  on((A.DOC_VIEW_DRAFTS, "rev:reviewed"),
                                     (A.DOC_REJECT, "rev:reviewed")), body={})],
    "api_documents.issue": [Case(APID + "/{approved_slug}/drafts/{approved_seq}/issue",
                                 on((A.DOC_VIEW_DRAFTS, "rev:approved"),
                                    (A.DOC_ISSUE, "rev:approved")),
                                 body={"effective_date": "{today}"})],
    "api_documents.revise": [Case(APID + "/{qt01_slug}/revise",
                                  on((A.DOC_CREATE, "agency:own")), body={})],
    "api_documents.withdraw": [Case(APID + "/{qt01_slug}/withdraw",
                                    on((A.DOC_WITHDRAW_REQUEST, "doc:qt01_doc")),
                                    body={"reason": "Không còn áp dụng"})],
    "api_documents.decide_withdrawal": [Case(APID + "/{qt01_slug}/withdraw/decide",
                                             on((A.DOC_WITHDRAW_CONFIRM, "doc:qt01_doc")),
                                             body={"confirm": True})],
    "api_quality.clauses": [Case(API + "/clauses", SIGNED_IN)],
    "api_quality.clause": [Case(API + "/clauses/7.5.3", SIGNED_IN)],
    "api_quality.findings": [Case(API + "/findings", SIGNED_IN)],
    "api_quality.finding": [Case(API + "/findings/{secret_finding}",
                                 on((A.QA_VIEW, "finding:secret_finding")))],
    "api_quality.audit_list": [Case(API + "/audits?agency={own}", on((A.QA_VIEW, "agency:own")))],
    "api_quality.audit_detail": [Case(API + "/audits/{audit}", on(QA_AUDIT))],
    "api_objectives.objectives": [Case("/api/v1/agencies/{own}/objectives",
                                       on((A.OBJECTIVE_VIEW, "agency:own")))],
    "api_objectives.add_measurement": [Case(
        "/api/v1/agencies/{own}/objectives/{objective}/measurements",
        on((A.OBJECTIVE_MEASURE, "objective")),
        body={"period": "{objective_period}", "value": 50})],
    "api_programme.programme": [Case(API + "/programme?year=2018",
                                     on((A.PROGRAMME_VIEW, None)))],
    "api_objectives.risks": [Case("/api/v1/agencies/{own}/risks",
                                  on((A.RISK_VIEW, "agency:own")))],
    "api_reviews.management_reviews": [Case("/api/v1/agencies/{own}/management-reviews",
                                            on(MR_VIEW))],
    "api_reports.reports": [Case(API + "/reports", SIGNED_IN),
                            Case(API + "/reports?year={report_year}", SIGNED_IN)],
}


@pytest.fixture(autouse=True)
def empty_tables() -> None:
    """The module keeps its one world (overrides tests/conftest.py's emptying)."""


@pytest.fixture(scope="module")
def world(app) -> World:
    return build_world(app)


@pytest.fixture(scope="module")
def clients(app, world) -> Clients:
    return Clients(app).signed_in()


@pytest.fixture(scope="module")
def expected(app, world) -> Callable[[str, str, int], bool]:
    """(persona, endpoint, case index) -> allowed?, from policy.can() on the world."""
    answers, secrets = compute_expectations(app, world)
    expected_answer = lambda *key: answers[key]  # noqa: E731
    expected_answer.secrets = secrets  # type: ignore[attr-defined]
    return expected_answer


def compute_expectations(app, world: World, only: str | None = None
                         ) -> tuple[dict[tuple[str, str, int], bool], dict[str, list[str]]]:
    """Each (persona, endpoint, case index)'s answer from policy.can() on the world's
    objects (as they are now), and the private text each persona must never be shown."""
    from isodoc import policy
    from isodoc.agencies.services import get_by_code
    from isodoc.annual_reports.models import AnnualReport
    from isodoc.audits.models import Audit
    from isodoc.auth.models import ApiToken, User
    from isodoc.documents.models import Document, Revision
    from isodoc.extensions import db
    from isodoc.findings.models import Finding
    from isodoc.inspections.models import Inspection
    from isodoc.objectives.models import QualityObjective
    from isodoc.reviews.models import ReviewAction
    from isodoc.risks.models import RiskAction

    def target(session, key: str | None):
        if key is None:
            return None
        kind, _, name = key.partition(":")
        name = name or kind
        if kind == "agency":
            return get_by_code({"own": OWN, "other": OTHER}[name])
        if kind == "user":
            return session.scalar(select(User).where(User.username == PERSONAS[name]))
        if kind == "doc":
            ident = world.ids.get(name) or world.ids[f"{name}_rev"]
            return session.get(Document, ident) if name in world.ids else \
                session.get(Revision, ident).document
        model = {"rev": Revision, "audit": Audit, "finding": Finding, "token": ApiToken,
                 "objective": QualityObjective, "risk_action": RiskAction,
                 "review_action": ReviewAction, "review_action_done": ReviewAction,
                 "report": AnnualReport, "inspection": Inspection}[kind]
        return session.get(model, world.ids.get(f"{name}_rev", world.ids.get(name)))

    answers: dict[tuple[str, str, int], bool] = {}
    secrets: dict[str, list[str]] = {}
    with app.app_context():
        users = {p: db.session.scalar(select(User).where(User.username == u)) if u else None
                 for p, u in PERSONAS.items()}
        for endpoint, cases in TABLE.items():
            if only and endpoint != only:
                continue
            for index, case in enumerate(cases):
                for persona, user in users.items():
                    if case.checks == PUBLIC:
                        ok = True
                    elif case.checks == SIGNED_IN:
                        ok = user is not None
                    else:
                        ok = all(policy.can(user, action, target(db.session, key))
                                 for action, key in case.checks)
                    answers[(persona, endpoint, index)] = ok
        for persona, user in users.items():
            hidden = [SECRET_DRAFT[code] for code in (OWN, OTHER)
                      if not policy.can(user, A.DOC_VIEW_DRAFTS, get_by_code(code))]
            if not policy.can(user, A.QA_VIEW, get_by_code(OWN)):
                hidden.append(SECRET_FINDING)
            secrets[persona] = hidden
        db.session.rollback()
    return answers, secrets


def rules_by_endpoint(app) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        out.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return out


def test_every_route_is_in_the_table(app):
    """A new route fails here until its policy checks are written into TABLE."""
    endpoints = set(rules_by_endpoint(app))
    assert sorted(endpoints - set(TABLE)) == [], "routes missing from the matrix"
    assert sorted(set(TABLE) - endpoints) == [], "the matrix names routes that are gone"


def body_text(response) -> str:
    if response.mimetype.startswith(("text/", "application/json")):
        return response.get_data(as_text=True)
    return ""


def check_leaks(response, persona: str, secrets: dict[str, list[str]], what: str) -> None:
    text = body_text(response)
    leaked = [s for s in secrets[persona] if s in text]
    assert not leaked, f"{what} as {persona}: shows {leaked}"


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def refused(response, persona: str, api: bool) -> bool:
    if persona == "anonymous":
        return response.status_code == 401 if api else is_login_redirect(response) or \
            response.status_code == 401
    return response.status_code == 403


@pytest.mark.parametrize("endpoint", sorted(TABLE))
def test_matrix(endpoint, app, world, clients, expected):
    methods = rules_by_endpoint(app)[endpoint]
    api = endpoint.startswith(("api.", "api_", "api-"))
    values = {**world.fmt(), "today": today_local().isoformat()}
    secrets = expected.secrets
    tokens: dict[str, str] = {}
    before = fingerprint(app) if "POST" in methods else None
    for index, case in enumerate(TABLE[endpoint]):
        url = case.url.format(**values)
        for persona in PERSONAS:
            allowed = expected(persona, endpoint, index)
            what = f"{endpoint} {url}"
            headers = {}
            if api and persona != "anonymous":
                headers["Authorization"] = f"Bearer {world.tokens[persona]}"
            client = app.test_client() if api else clients(persona)
            if "GET" in methods:
                response = client.get(url, headers=headers)
                assert response.status_code < 500, f"GET {what} as {persona}: 500"
                check_leaks(response, persona, secrets, f"GET {what}")
                if not allowed:
                    assert refused(response, persona, api), \
                        f"GET {what} as {persona}: {response.status_code}, expected a refusal"
                elif not case.lenient:
                    assert response.status_code < 400, \
                        f"GET {what} as {persona}: {response.status_code}, expected an answer"
            if "POST" in methods and not allowed:
                # only refused people post: an allowed post would change the world
                if api:
                    body = {k: v.format(**values) if isinstance(v, str) else v
                            for k, v in (case.body or {}).items()}
                    response = client.post(url, json=body, headers=headers)
                else:
                    if persona not in tokens:
                        tokens[persona] = form_token(client)
                    response = client.post(url, data={"csrf_token": tokens[persona]})
                assert response.status_code < 500, f"POST {what} as {persona}: 500"
                assert refused(response, persona, api), \
                    f"POST {what} as {persona}: {response.status_code}, expected a refusal"
                check_leaks(response, persona, secrets, f"POST {what}")
    if before is not None:
        assert changed(before, fingerprint(app)) == [], f"refused POSTs to {endpoint} changed"


# Allowed posts change the world, so they run last, each endpoint's expectation computed
# afresh just before; logging out would end the persona's shared session.
NOT_POSTED = {"auth.logout"}


def test_allowed_posts_are_answered_not_refused(app, world, clients):
    """Allowed → an answer: done (2xx/3xx) or a bad form (4xx other than 401/403)."""
    values = {**world.fmt(), "today": today_local().isoformat()}
    posts = sorted(e for e, methods in rules_by_endpoint(app).items()
                   if "POST" in methods and e not in NOT_POSTED)
    tokens: dict[str, str] = {}
    answered = 0
    for endpoint in posts:
        api = endpoint.startswith(("api.", "api_", "api-"))
        answers, _ = compute_expectations(app, world, only=endpoint)
        for index, case in enumerate(TABLE[endpoint]):
            url = case.url.format(**values)
            for persona in PERSONAS:
                if persona == "anonymous" or not answers[(persona, endpoint, index)]:
                    continue
                if api:
                    body = {k: v.format(**values) if isinstance(v, str) else v
                            for k, v in (case.body or {}).items()}
                    response = app.test_client().post(url, json=body, headers={
                        "Authorization": f"Bearer {world.tokens[persona]}"})
                else:
                    client = clients(persona)
                    if persona not in tokens:
                        tokens[persona] = form_token(client)
                    response = client.post(url, data={"csrf_token": tokens[persona]})
                assert response.status_code < 500, f"POST {url} as {persona}: 500"
                assert response.status_code not in (401, 403), \
                    f"POST {url} as {persona}: {response.status_code}, allowed by policy"
                answered += 1
                break  # one allowed person per case: the first post may change the state
    assert answered >= 25, answered


def test_ids_out_of_range_are_not_found_not_a_crash(app, world, clients):
    """Every <int:…> of the URL map, given a number no column can hold, is a 404."""
    values = {**world.fmt(), "today": today_local().isoformat()}
    probed = 0
    for endpoint, cases in TABLE.items():
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        if "<int:" not in rule.rule or "GET" not in rule.methods:
            continue
        path, _, query = cases[0].url.format(**values).partition("?")
        segments = path.split("/")
        template = rule.rule.split("/")
        assert len(segments) == len(template), (endpoint, path)
        api = endpoint.startswith(("api.", "api_", "api-"))
        client = app.test_client() if api else clients("admin")
        headers = {"Authorization": f"Bearer {world.tokens['admin']}"} if api else {}
        for huge in (2**31, 2**63, 10**20):
            url = "/".join(str(huge) if t.startswith("<int:") else s
                           for s, t in zip(segments, template, strict=True))
            response = client.get(url + (f"?{query}" if query else ""), headers=headers)
            assert response.status_code == 404, (url, response.status_code)
            probed += 1
    assert probed >= 30, probed
