"""Clauses, audits and findings through the JSON API: the same data and rules as the UI."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from isodoc.audits import services as audits
from isodoc.auth.models import User
from isodoc.findings import services as findings
from isodoc.findings.models import FindingSource, FindingType
from isodoc.timeutil import today_local
from tests.conftest import agency, api_token, certify


def seed(in_db) -> tuple[int, int]:
    with in_db() as s:
        people = {u.username: u for u in s.scalars(select(User))}
        today = today_local()
        certify("stp.danhgia")
        audit = audits.plan_audit(agency("so-tu-phap"), people["stp.danhgia"], audits.AuditPlan(
            "Đợt 1", today, today, people["stp.danhgia"], [], "7.5.3 8.5.1"))
        audits.start(audit, people["stp.danhgia"])
        finding = findings.raise_finding(agency("so-tu-phap"), people["stp.thuky"],
                                         findings.FindingInput(
            type=FindingType.MINOR, clauses="8.5.1", requirement="Đúng hạn",
            observed="Trễ hạn 2 hồ sơ", source=FindingSource.LATE_DOSSIER, source_note="HS-1",
            response_due=today + timedelta(days=1)))
        s.flush()
        return audit.id, finding.id


def test_clauses_findings_and_audits(client, staff, in_db):
    audit_id, finding_id = seed(in_db)
    secretary = api_token(in_db, "stp.thuky")
    clauses = client.get("/api/v1/clauses", headers=secretary).get_json()
    by_number = {c["number"]: c for c in clauses}
    assert by_number["7.5.3"]["iso9001_2008"] == ["4.2.3", "4.2.4"]
    assert by_number["7.5.3"]["parent"] == "7.5"
    assert client.get("/api/v1/clauses/7.9", headers=secretary).status_code == 404

    rows = client.get("/api/v1/findings?agency=so-tu-phap&clause=8.5", headers=secretary
                      ).get_json()
    assert [(r["code"], r["clauses"], r["state"]) for r in rows] == [
        (f"PH-{today_local().year}-001", ["8.5.1"], "open")]
    assert client.get("/api/v1/findings?clause=7.5", headers=secretary).get_json() == []
    paged = client.get("/api/v1/findings?page_size=1&page=2", headers=secretary)
    assert paged.get_json() == [] and '"total": 1' in paged.headers["X-Pagination"]
    assert client.get("/api/v1/findings?state=nope", headers=secretary).status_code == 422
    one = client.get(f"/api/v1/findings/{finding_id}", headers=secretary).get_json()
    assert one["source"] == "late_dossier" and one["overdue_since"] is None

    listed = client.get("/api/v1/audits?agency=so-tu-phap", headers=secretary).get_json()
    assert [(a["code"], a["state"]) for a in listed] == [
        (f"ĐGNB 01/{today_local().year}", "in_progress")]
    detail = client.get(f"/api/v1/audits/{audit_id}", headers=secretary).get_json()
    assert [i["clause"] for i in detail["checklist"]] == ["7.5.3", "8.5.1"]


def test_other_agency_and_readers_get_nothing(client, staff, in_db):
    audit_id, finding_id = seed(in_db)
    outsider, reader = api_token(in_db, "syt.thuky"), api_token(in_db, "stp.congchuc")
    for headers in (outsider, reader):
        assert client.get(f"/api/v1/findings/{finding_id}", headers=headers).status_code == 403
        assert client.get(f"/api/v1/audits/{audit_id}", headers=headers).status_code == 403
        assert client.get("/api/v1/findings?agency=so-tu-phap", headers=headers
                          ).status_code == 403
        assert client.get("/api/v1/audits?agency=so-tu-phap", headers=headers
                          ).status_code == 403
    # without an agency filter, the outsider sees only what they may: nothing here
    assert client.get("/api/v1/findings", headers=outsider).get_json() == []
    error = client.get("/api/v1/findings/999999", headers=outsider)
    assert error.status_code == 404 and "message" in error.get_json()
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/findings", "/api/v1/audits", "/api/v1/clauses",
                 "/api/v1/clauses/{number}"):
        assert path in paths
