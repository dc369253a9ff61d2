"""The JSON API with personal bearer tokens, and its OpenAPI document."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from isodoc.auth import services
from isodoc.auth.models import ApiToken, User
from tests.conftest import post_form


@pytest.fixture
def token_for(app, in_db):
    def make(username: str) -> dict[str, str]:
        with in_db() as s:
            user = s.scalars(select(User).where(User.username == username)).one()
            token = services.create_token(user, user, "kiểm thử")
        return {"Authorization": f"Bearer {token}"}

    return make


def test_me_returns_the_token_owner_with_memberships(client, province, make_user, token_for):
    username = make_user((province["commune"], "reader"), (province["commune"], "author"),
                         full_name="Lò Thị Xuân")
    response = client.get("/api/v1/me", headers=token_for(username))
    assert response.status_code == 200
    body = response.get_json()
    assert body["username"] == username and body["full_name"] == "Lò Thị Xuân"
    assert {(m["agency"]["code"], m["role"]) for m in body["memberships"]} == \
        {("dbp-him-lam", "reader"), ("dbp-him-lam", "author")}
    assert "Lò Thị Xuân" in response.get_data(as_text=True)  # not \\u-escaped


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer isodoc_khong-dung",
                                    "Basic YWRtaW46YWRtaW4=", "Bearer " + "x" * 500])
def test_missing_or_bad_token_is_401_json_in_vietnamese(client, province, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["message"].startswith("Bạn cần đăng nhập")


def test_a_session_cookie_is_not_an_api_credential(signed_in, province):
    client = signed_in(("ubnd-tinh", "admin"))
    assert client.get("/api/v1/me").status_code == 401


def test_revoked_token_stops_working(client, province, make_user, token_for, in_db):
    username = make_user((province["dept"], "reader"))
    headers = token_for(username)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with in_db() as s:
        token = s.scalars(select(ApiToken)).one()
        services.revoke_token(token, token.user)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_agencies_tree_and_filters(client, province, make_user, token_for):
    headers = token_for(make_user((province["commune"], "reader")))
    tree = client.get("/api/v1/agencies", headers=headers).get_json()
    assert [n["code"] for n in tree] == ["ubnd-tinh"]
    districts = {n["code"]: n for n in tree[0]["children"]}
    assert [c["code"] for c in districts["ubnd-dbp"]["children"]] == ["dbp-him-lam"]
    assert districts["ubnd-dbp"]["kind_label"] == "UBND cấp huyện"
    flat = client.get("/api/v1/agencies?format=flat&kind=commune", headers=headers).get_json()
    assert sorted(a["code"] for a in flat) == ["dbp-him-lam", "mang-bung-lao"]
    assert all(a["children"] == [] for a in flat)
    found = client.get("/api/v1/agencies?format=flat&q=bung lao", headers=headers).get_json()
    assert [a["code"] for a in found] == ["mang-bung-lao"]


def test_invalid_filter_is_422_json(client, province, make_user, token_for):
    headers = token_for(make_user((province["commune"], "reader")))
    response = client.get("/api/v1/agencies?kind=village&plan_year=1800", headers=headers)
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"] == "Dữ liệu gửi lên không hợp lệ."
    assert set(body["errors"]["query"]) == {"kind", "plan_year"}


def test_users_is_for_admins_only(client, province, make_user, token_for):
    reader = token_for(make_user((province["dept"], "reader"), username="stp.congchuc"))
    response = client.get("/api/v1/users", headers=reader)
    assert response.status_code == 403
    assert response.get_json() == {"code": 403,
                                   "message": "Bạn không có quyền thực hiện thao tác này."}
    admin = token_for(make_user(("ubnd-tinh", "admin"), username="admin"))
    people = client.get("/api/v1/users", headers=admin).get_json()
    assert {p["username"] for p in people} == {"stp.congchuc", "admin"}
    one = client.get("/api/v1/users?agency=so-tu-phap", headers=admin).get_json()
    assert [p["username"] for p in one] == ["stp.congchuc"]
    assert one[0]["memberships"][0]["role_label"] == "Công chức"


def test_agency_admin_sees_only_their_people(client, province, make_user, token_for):
    make_user((province["commune"], "reader"), username="himlam.congchuc")
    make_user((province["other_commune"], "reader"), username="bunglao.congchuc")
    headers = token_for(make_user((province["district"], "admin"), username="dbp.quantri"))
    people = client.get("/api/v1/users", headers=headers).get_json()
    assert {p["username"] for p in people} == {"himlam.congchuc", "dbp.quantri"}


def test_openapi_document_is_generated(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/agencies", "/api/v1/users"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    params = {p["name"] for p in spec["paths"]["/api/v1/agencies"]["get"]["parameters"]}
    assert {"q", "kind", "status", "plan_year", "format"} <= params


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/khong-co")
    assert response.status_code == 404 and "message" in response.get_json()


def test_token_created_in_the_browser_works_once_shown(signed_in, province, in_db):
    client = signed_in((province["dept"], "reader"))
    post_form(client, "/account/tokens", {"name": "Cổng dịch vụ công"})
    page = client.get("/account").get_data(as_text=True)
    token = re.search(r'id="new-token">([^<]+)<', page).group(1)
    assert "Cổng dịch vụ công" in page
    assert "new-token" not in client.get("/account").get_data(as_text=True)  # shown once
    api = client.application.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with in_db() as s:
        stored = s.scalars(select(ApiToken)).one()
        assert stored.token_hash != token and token not in stored.prefix + stored.token_hash
        token_id = stored.id
    post_form(client, f"/account/tokens/{token_id}/revoke")
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_nobody_revokes_someone_elses_token(signed_in, province, make_user, token_for, in_db):
    owner = make_user((province["dept"], "reader"))
    token_for(owner)
    with in_db() as s:
        token_id = s.scalars(select(ApiToken.id)).one()
    client = signed_in(("ubnd-tinh", "admin"))
    assert post_form(client, f"/account/tokens/{token_id}/revoke").status_code == 403
