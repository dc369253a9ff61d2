"""The API's agency filter by the derived QMS stage (isodoc/programme/stage.py): the truth
is the records and the declarations, while `status` keeps answering the registry's
starting point as imported (its contract)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from isodoc.agencies.models import QmsStatus
from isodoc.auth import services as auth_services
from isodoc.auth.models import User
from isodoc.declarations.models import Declaration
from isodoc.timeutil import today_local
from tests.conftest import agency


def headers(in_db, username: str) -> dict:
    with in_db() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        return {"Authorization": f"Bearer {auth_services.create_token(user, user, 'api')}"}


def codes(client, query: str, auth: dict) -> list[str]:
    response = client.get(f"/api/v1/agencies?format=flat&{query}", headers=auth)
    assert response.status_code == 200, response.get_json()
    return sorted(a["code"] for a in response.get_json())


def test_the_stage_filter_reads_the_declarations_not_the_registry(
        client, province, make_agency, make_user, in_db):
    # the registry says declared (imported), isodoc has no declaration of it
    make_agency("so-cong-thuong", name="Sở Công Thương")
    with in_db():
        imported = agency("so-cong-thuong")
        imported.qms_status = QmsStatus.DECLARED_2015.value
        imported.declared_on = today_local() - timedelta(days=900)
    # isodoc recorded a declaration of an agency the registry says not started
    with in_db() as s:
        s.add(Declaration(agency=agency("so-tu-phap"), decision_no="125/QĐ-STP",
                          decided_on=today_local() - timedelta(days=3), signer="Nguyễn Văn A",
                          signer_title="Giám đốc", standard="TCVN ISO 9001:2015"))
    auth = headers(in_db, make_user(("ubnd-tinh", "reader")))
    assert codes(client, "stage=declared", auth) == ["so-tu-phap"]
    assert codes(client, "status=declared_2015", auth) == ["so-cong-thuong"]  # unchanged
    assert "so-tu-phap" in codes(client, "stage=declared&kind=department", auth)
    assert "so-tu-phap" not in codes(client, "stage=not_started", auth)
    assert "so-y-te" in codes(client, "stage=not_started", auth)
    # the tree keeps a match's ancestors, as with the other filters
    tree = client.get("/api/v1/agencies?stage=declared", headers=auth).get_json()
    assert [n["code"] for n in tree] == ["ubnd-tinh"]
    assert [c["code"] for c in tree[0]["children"]] == ["so-tu-phap"]
    wrong = client.get("/api/v1/agencies?stage=declared_2015", headers=auth)
    assert wrong.status_code == 422 and set(wrong.get_json()["errors"]["query"]) == {"stage"}
