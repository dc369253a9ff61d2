"""Document control through the JSON API, with the same rules as the UI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from isodoc.auth import services as auth_services
from isodoc.auth.models import User
from isodoc.timeutil import today_local

API = "/api/v1/agencies/so-tu-phap/documents"
BODY = "## 1. Mục đích\n\nĐăng ký khai sinh đúng hạn.\n"


@pytest.fixture
def api(app, staff, in_db):
    tokens = {}
    with in_db() as s:
        for who, username in staff.items():
            user = s.scalars(select(User).where(User.username == username)).one()
            token = auth_services.create_token(user, user, "api")
            tokens[who] = {"Authorization": f"Bearer {token}"}
    client = app.test_client()

    def call(who: str, method: str, url: str, json=None):
        return client.open(url, method=method, json=json, headers=tokens[who])

    return call


def fields(**extra):
    return {"title": "Quy trình đăng ký khai sinh", "kind": "tthc", "tthc_code": "1.001193",
            "iso_clauses": "8.1 8.5.1", "body": BODY, **extra}


def test_the_workflow_by_api(api):
    created = api("author", "POST", API, {"code": "QT-TP-01", **fields()})
    assert created.status_code == 201, created.get_json()
    seq, head = created.get_json()["seq"], created.get_json()["head_sha"]
    draft_url = f"{API}/qt-tp-01/drafts/{seq}"

    saved = api("author", "POST", draft_url, {"base_sha": head, **fields(
        body=BODY + "\n## 2. Phạm vi\n\nUBND cấp xã.\n")})
    assert saved.status_code == 200
    stale = api("secretary", "POST", draft_url, {"base_sha": head, **fields(body="cũ")})
    assert stale.status_code == 409
    assert "CHƯA được lưu" in stale.get_json()["message"]
    assert "UBND cấp xã" in stale.get_json()["errors"]["current_markdown"]

    assert api("reader", "GET", draft_url).status_code == 403
    assert api("author", "POST", f"{draft_url}/submit",
               {"reviewers": ["stp.danhgia"]}).status_code == 200
    assert api("auditor", "POST", f"{draft_url}/review",
               {"decision": "agreed"}).get_json()["state"] == "reviewed"
    assert api("author", "POST", f"{draft_url}/approve", {}).status_code == 403
    assert api("approver", "POST", f"{draft_url}/approve", {}).get_json()["state"] == "approved"
    past = (today_local() - timedelta(days=1)).isoformat()
    refused = api("secretary", "POST", f"{draft_url}/issue", {"effective_date": past})
    assert refused.status_code == 422
    assert refused.get_json()["message"] == "Ngày hiệu lực không được trước hôm nay."
    issued = api("secretary", "POST", f"{draft_url}/issue",
                 {"effective_date": today_local().isoformat()})
    assert issued.get_json()["number"] == 1

    current = api("reader", "GET", f"{API}/qt-tp-01").get_json()
    assert current["number"] == 1 and current["status"] == "in_force"
    assert "UBND cấp xã" in current["markdown"] and "<h2>2. Phạm vi</h2>" in current["html"]
    assert current["front_matter"]["code"] == "QT-TP-01"
    by_code = api("outsider", "GET", f"{API}/QT-TP-01")  # other agencies read issued text
    assert by_code.status_code == 200
    assert [r["number"] for r in api("reader", "GET", f"{API}/qt-tp-01/revisions").get_json()] \
        == [1]
    listing = api("reader", "GET", f"{API}?q=khai sinh").get_json()
    assert [d["code"] for d in listing] == ["QT-TP-01"]


def test_api_refusals(api):
    assert api("reader", "POST", API, {"code": "QT-01", **fields()}).status_code == 403
    assert api("outsider", "POST", API, {"code": "QT-01", **fields()}).status_code == 403
    bad = api("author", "POST", API, {"code": "--upload-pack=x", **fields()})
    assert bad.status_code == 422 and "không hợp lệ" in bad.get_json()["message"]
    missing = api("author", "POST", API, {"code": "QT-01"})
    assert missing.status_code == 422 and "title" in missing.get_json()["errors"]["json"]
    assert api("reader", "GET", f"{API}/khong-co").status_code == 404
    api("author", "POST", API, {"code": "QT-01", **fields()})
    assert api("reader", "GET", f"{API}/qt-01").status_code == 403  # never issued: staff only
    assert api("secretary", "GET", f"{API}/qt-01").status_code == 404  # nothing in force yet
    assert api("reader", "GET", API).get_json() == []  # drafts stay with the staff
    assert [d["code"] for d in api("secretary", "GET", API).get_json()] == ["QT-01"]


def test_documents_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/agencies/{agency_code}/documents",
                 "/api/v1/agencies/{agency_code}/documents/{ref}",
                 "/api/v1/agencies/{agency_code}/documents/{ref}/revisions/{number}",
                 "/api/v1/agencies/{agency_code}/documents/{ref}/drafts/{seq}/issue"):
        assert path in paths, path


def test_a_busy_store_answers_503_with_retry_after_and_changes_nothing(app, api, monkeypatch):
    from tests.test_documents import store_busy

    created = api("author", "POST", API, {"code": "QT-TP-01", **fields()}).get_json()
    draft_url = f"{API}/qt-tp-01/drafts/{created['seq']}"
    with store_busy(app, monkeypatch):
        busy = api("author", "POST", draft_url, {"base_sha": created["head_sha"],
                                                 **fields(body=BODY + "\nThêm.\n")})
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == "5"
        assert busy.get_json() == {"code": 503, "message": "Kho tài liệu đang bận. Chưa có "
                                   "thay đổi nào được lưu; vui lòng thử lại sau ít giây."}
        assert api("author", "POST", API, {"code": "QT-TP-02", **fields(
            tthc_code="")}).status_code == 503
    draft = api("author", "GET", draft_url).get_json()
    assert draft["head_sha"] == created["head_sha"] and "Thêm." not in draft["markdown"]
    assert [d["code"] for d in api("author", "GET", API).get_json()] == ["QT-TP-01"]


def test_a_stale_save_is_a_409_with_the_newer_head_and_text(api):
    created = api("author", "POST", API, {"code": "QT-TP-01", **fields()}).get_json()
    draft_url = f"{API}/qt-tp-01/drafts/{created['seq']}"
    saved = api("secretary", "POST", draft_url, {"base_sha": created["head_sha"],
                                                 **fields(body=BODY + "\nBản mới.\n")})
    stale = api("author", "POST", draft_url, {"base_sha": created["head_sha"],
                                              **fields(body="cũ")})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["code"] == 409 and set(body["errors"]) == {"current_sha", "current_markdown"}
    assert body["errors"]["current_sha"] == saved.get_json()["head_sha"]
    assert body["errors"]["current_markdown"].strip() == (BODY + "\nBản mới.").strip()
