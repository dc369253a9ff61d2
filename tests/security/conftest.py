"""Shared fixtures of the security probes: one realistic world, built once per module.

The world is the demo province (registry, the Sở Tư pháp and UBND phường Him Lam with
every role, the province admin and the Sở KH&CN overseer, issued documents, drafts,
audits and findings), made through the services, plus a few objects whose text must
never reach someone who may not see them (the private markers).

Tests that use `world` override the function-scoped `empty_tables` of tests/conftest.py
with `keep_tables` so that the world survives from one test to the next; the world
fixture empties everything itself before building.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select, text

from isodoc.extensions import db
from isodoc.policy import SYSTEM
from tests.conftest import PASSWORD, login

OWN = "so-tu-phap"
OTHER = "dbp-him-lam"
ROLES = ("reader", "author", "secretary", "approver", "auditor")
DEMO_SUFFIX = {"reader": "congchuc", "author": "soanthao", "secretary": "thuky",
               "approver": "lanhdao", "auditor": "danhgia"}
# Who asks: None is anonymous; "other_<role>" holds that role in another agency.
PERSONAS: dict[str, str | None] = {
    "anonymous": None,
    **{role: f"stp.{DEMO_SUFFIX[role]}" for role in ROLES},
    **{f"other_{role}": f"himlam.{DEMO_SUFFIX[role]}" for role in ROLES},
    "overseer": "sokhcn",
    "admin": "admin",
}
# Text that only some people may see: never-issued draft titles per agency, and the
# observed text of a finding (quality records of the Sở Tư pháp).
SECRET_DRAFT = {OWN: "Dự thảo mật Kappa-7319 của Sở", OTHER: "Dự thảo mật Lambda-8426 phường"}
SECRET_FINDING = "Bằng chứng nội bộ Sigma-5531"


def reset_everything(app: Flask) -> None:
    """What tests/conftest.py's empty_tables does, callable from a wider-scoped fixture."""
    from isodoc import search

    shutil.rmtree(app.config["ISODOC_STORE_PATH"], ignore_errors=True)
    os.makedirs(app.config["ISODOC_STORE_PATH"])
    for (_, path), engine in list(search._engines.items()):
        if path == app.config["ISODOC_INDEX_PATH"] and engine.count():
            engine.clear()
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()


@dataclass
class World:
    """Ids and names of the world's objects (plain values: no session is shared)."""

    ids: dict[str, int] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)
    seqs: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)   # persona -> bearer token
    values: dict[str, str] = field(default_factory=dict)   # anything else a URL needs

    def fmt(self) -> dict[str, object]:
        return {**self.ids, **self.slugs, **{f"{k}_seq": v for k, v in self.seqs.items()},
                **self.values, "own": OWN, "other": OTHER}


def build_world(app: Flask) -> World:
    from isodoc import demo, search
    from isodoc.agencies.services import get_by_code
    from isodoc.audits import services as audits
    from isodoc.audits.models import Audit
    from isodoc.auth import services as auth
    from isodoc.documents import library
    from isodoc.documents import services as docs
    from isodoc.documents.demo import people
    from isodoc.documents.models import Decision, Document, Revision
    from isodoc.findings import services as findings
    from isodoc.findings.models import Finding, FindingSource, FindingType
    from isodoc.timeutil import today_local

    reset_everything(app)
    world = World()
    with app.app_context():
        demo.seed(PASSWORD)
        stp, agency = people("stp"), get_by_code(OWN)
        himlam, commune = people("himlam"), get_by_code(OTHER)

        def doc(code: str, agency_id: int) -> Document:
            return db.session.scalar(select(Document).where(Document.code == code,
                                                            Document.agency_id == agency_id))

        def secret_draft(where, staff, code: str, title: str, until: str) -> Revision:
            revision = docs.create_document(where, staff["soanthao"], code, docs.DocumentFields(
                title, library.DocumentKind.INTERNAL, field="Hành chính",
                iso_clauses="7.5"), library.BLANK_STRUCTURE)
            if until in ("reviewed", "approved"):
                docs.submit(revision, staff["soanthao"], [staff["danhgia"]])
                docs.review(revision, staff["danhgia"], Decision.AGREED, "")
            if until == "approved":
                docs.approve(revision, staff["lanhdao"], "Đồng ý")
            return revision

        # never issued: one waiting for approval, one approved and waiting to be issued
        reviewed = secret_draft(agency, stp, "QT-90", SECRET_DRAFT[OWN], "reviewed")
        approved = secret_draft(agency, stp, "QT-91", SECRET_DRAFT[OWN] + " (2)", "approved")
        plain = secret_draft(agency, stp, "QT-93", SECRET_DRAFT[OWN] + " (3)", "draft")
        other_draft = secret_draft(commune, himlam, "QT-92", SECRET_DRAFT[OTHER], "draft")
        qt01, hd01 = doc("QT-01", agency.id), doc("HD-01", agency.id)
        for name, revision in (("reviewed", reviewed), ("approved", approved), ("draft", plain),
                               ("other_draft", other_draft),
                               ("hd01", next(r for r in hd01.revisions))):
            world.slugs[f"{name}_slug"] = revision.document.slug
            world.seqs[name] = revision.seq
            world.ids[f"{name}_rev"] = revision.id
            world.values[f"{name}_head"] = revision.head_sha or ""
        world.slugs["qt01_slug"] = qt01.slug
        world.ids["qt01_doc"] = qt01.id
        world.ids["qt01_latest"] = max(r.number for r in qt01.revisions if r.number)
        world.ids["qt01_latest_rev"] = next(r.id for r in qt01.revisions
                                            if r.number == world.ids["qt01_latest"])

        # a planned audit of the Sở (lead stp.danhgia) next to the demo's completed one
        today = today_local()
        planned = audits.plan_audit(agency, stp["danhgia"], audits.AuditPlan(
            "Đánh giá nội bộ đợt 2", today + timedelta(days=7), today + timedelta(days=8),
            stp["danhgia"], [], "7.5.3 8.5.1", [qt01], "Văn phòng Sở", "Phỏng vấn"))
        audits.generate_checklist(planned, stp["danhgia"])
        db.session.flush()
        world.ids["audit"] = planned.id
        world.ids["done_audit"] = db.session.scalar(select(Audit.id).where(
            Audit.agency_id == agency.id, Audit.state == "completed"))
        world.ids["audit_item"] = planned.items[0].id
        conflict = next(iter(planned.conflicts), None)
        if conflict is None:
            conflict = audits.declare_conflict(planned, stp["danhgia"], "7.5.3",
                                               "Đã xem xét QT-01")
            db.session.flush()
        world.ids["conflict"] = conflict.id

        # findings: the demo's accepted nonconformity (with QT-01) and its open OFI
        nc = db.session.scalar(select(Finding).where(Finding.agency_id == agency.id,
                                                     Finding.state == "accepted"))
        ofi = db.session.scalar(select(Finding).where(Finding.agency_id == agency.id,
                                                      Finding.type == FindingType.OFI))
        secret = findings.raise_finding(agency, stp["danhgia"], findings.FindingInput(
            FindingType.OFI, "7.1.6", "Tri thức của tổ chức (7.1.6)", SECRET_FINDING,
            source=FindingSource.COMPLAINT, source_note="Phản ánh qua đường dây nóng"))
        item = findings.attach(nc, stp["thuky"], "bien-ban.txt", b"Bien ban thu hoi mau cu\n",
                               findings.stage_for(nc.state))
        db.session.flush()
        world.ids.update(nc=nc.id, ofi=ofi.id, secret_finding=secret.id, attachment=item.id)

        # the demo's objective whose owner is the author (owner or secretary enter values)
        from isodoc.objectives.models import QualityObjective

        objective = db.session.scalar(select(QualityObjective).where(
            QualityObjective.agency_id == agency.id, QualityObjective.owner_id ==
            stp["soanthao"].id))
        world.ids["objective"] = objective.id
        world.values["objective_period"] = f"{objective.year}-01"

        # the demo's risk register: a risk with an open action (owner stp.lanhdao)
        from isodoc.risks.models import Risk

        risk = db.session.scalar(select(Risk).where(Risk.agency_id == agency.id,
                                                    Risk.seq == 1, Risk.kind == "risk"))
        world.ids["risk"], world.ids["risk_action"] = risk.id, risk.actions[0].id

        # the demo's management review: an open action (owner stp.thuky) and one reported
        # done (by its owner stp.lanhdao), waiting for confirmation
        from isodoc.reviews.models import ManagementReview

        review = db.session.scalar(select(ManagementReview).where(
            ManagementReview.agency_id == agency.id))
        world.ids["review"] = review.id
        world.ids["review_action"] = next(a.id for a in review.actions if a.state == "open")
        world.ids["review_action_done"] = next(a.id for a in review.actions
                                               if a.state == "done")
        # the demo's annual report of the Sở (submitted)
        from isodoc.annual_reports.models import AnnualReport

        report = db.session.scalar(select(AnnualReport).where(
            AnnualReport.agency_id == agency.id))
        world.ids["report"] = report.id
        world.values["report_year"] = str(report.year)
        # the demo's survey answers: one with a low score and no finding yet, and a TTHC
        # the agency's public survey offers
        from isodoc.surveys import services as surveys
        from isodoc.surveys.models import SurveyResponse

        world.ids["survey_response"] = db.session.scalar(select(SurveyResponse.id).where(
            SurveyResponse.agency_id == agency.id, SurveyResponse.finding_id.is_(None),
            SurveyResponse.lowest <= 2).limit(1)) or db.session.scalar(
            select(func.min(SurveyResponse.id)).where(SurveyResponse.agency_id == agency.id))
        world.values["survey_tthc"] = surveys.agency_tthcs(agency)[0].code

        # the API's bearer tokens, one per persona, and a spare token of the secretary
        for persona, username in PERSONAS.items():
            if username:
                world.tokens[persona] = auth.create_token(auth.get_user(username), SYSTEM,
                                                           "probes")
        auth.create_token(stp["thuky"], SYSTEM, "spare")
        db.session.flush()
        from isodoc.auth.models import ApiToken, Membership

        world.ids["spare_token"] = db.session.scalar(select(ApiToken.id).where(
            ApiToken.name == "spare"))
        from isodoc.tthc.models import Adoption, TthcBodyMap, TthcImport

        world.ids["tthc_import"] = db.session.scalar(select(func.min(TthcImport.id)))
        world.ids["body_map"] = db.session.scalar(select(func.min(TthcBodyMap.id)))
        world.ids["adoption"] = db.session.scalar(select(func.min(Adoption.id)))
        world.ids["himlam_model"] = db.session.scalar(select(Document.id).where(
            Document.slug == "qt-tp-01", Document.agency_id == get_by_code(OTHER).id))
        from isodoc.programme.models import Plan, PlanTarget

        world.ids["plan"] = db.session.scalar(select(func.min(Plan.id)))
        world.ids["plan_target"] = db.session.scalar(select(func.max(PlanTarget.id)))
        # the demo's declaration (Sở Tư pháp), the overseer's inspection of Him Lam, the
        # consultant and its engagement there
        from isodoc.declarations.models import Declaration
        from isodoc.inspections.models import Consultant, Engagement, Inspection

        world.ids["declaration"] = db.session.scalar(select(func.min(Declaration.id)))
        world.ids["inspection"] = db.session.scalar(select(func.min(Inspection.id)))
        world.ids["consultant"] = db.session.scalar(select(func.min(Consultant.id)))
        world.ids["engagement"] = db.session.scalar(select(func.max(Engagement.id)))
        reader = auth.get_user(PERSONAS["reader"])
        world.values["reader_name"] = reader.username
        world.ids["reader_membership"] = db.session.scalar(select(Membership.id).where(
            Membership.user_id == reader.id))
        db.session.commit()
        search.drain()
    return world


class Clients:
    """One test client per persona, signed in once and reused."""

    def __init__(self, app: Flask):
        self.app, self.clients = app, {}

    def signed_in(self) -> Clients:
        """Sign everyone in now, so that later sign-ins do not show up as changes."""
        for persona in PERSONAS:
            self(persona)
        return self

    def __call__(self, persona: str) -> FlaskClient:
        if persona not in self.clients:
            client = self.app.test_client()
            username = PERSONAS[persona]
            if username:
                response = login(client, username)
                assert response.status_code == 302, (persona, response.status_code)
            self.clients[persona] = client
        return self.clients[persona]


CSRF_META_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def form_token(client: FlaskClient) -> str:
    """The CSRF token of the client's session, read from a page that has a form."""
    for page in ("/account", "/login"):
        response = client.get(page)
        if response.status_code == 200:
            found = CSRF_META_RE.search(response.get_data(as_text=True))
            if found:
                return found.group(1)
    raise AssertionError("no page with a CSRF token")


# Columns that legitimately move while nobody changes anything.
VOLATILE = {("api_token", "last_used_at"), ("user_account", "last_login_at")}
# Where each search index (any served node's, the browser tests' gunicorn included) last
# reported its place in the change log: it moves on a timer, not by what a request did.
# The data version (isodoc/pagecache.py) follows every other write, the volatile columns'
# too (a token's first use in a minute): what changed is in the table that changed.
VOLATILE_TABLES = {"search_index", "data_version"}


def fingerprint(app: Flask) -> dict[str, str]:
    """A digest of every table's rows (but volatile columns) and of every agency
    repository's refs: equal fingerprints mean nothing changed."""
    out = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in VOLATILE_TABLES:
                continue
            columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
            rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns))
            out[table.name] = hashlib.sha256(repr(rows.all()).encode()).hexdigest()
        db.session.rollback()
    store = Path(app.config["ISODOC_STORE_PATH"])
    for repo in sorted(store.glob("*.git")):
        refs = subprocess.run(["git", "-C", str(repo), "for-each-ref",
                               "--format=%(refname) %(objectname)"],
                              capture_output=True, text=True, check=True).stdout
        out[f"git:{repo.name}"] = refs
    return out


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def sql(app: Flask, statement: str, **params) -> list:
    with app.app_context():
        rows = db.session.execute(text(statement), params).all()
        db.session.rollback()
        return rows
