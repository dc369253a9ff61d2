"""The permission matrix: role × action × own/other agency, through the policy
module and through the pages a person would open."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from isodoc.agencies import services as agency_services
from isodoc.auth.models import User
from isodoc.policy import Action, can
from tests.conftest import agency, login, post_form

A = Action
OWN, OTHER = "so-tu-phap", "so-y-te"
# Who holds what: (label, agency of the membership, role).
HOLDERS = {
    "reader": (OWN, "reader"), "author": (OWN, "author"), "secretary": (OWN, "secretary"),
    "approver": (OWN, "approver"), "auditor": (OWN, "auditor"),
    "agency_admin": (OWN, "admin"), "province_admin": ("ubnd-tinh", "admin"),
    "overseer": ("ubnd-tinh", "overseer"),
}
ALL = set(HOLDERS)
# Expected answers, written out by hand: action -> (allowed on own, allowed on other).
AGENCY_MATRIX = {
    A.AGENCY_VIEW: (ALL, ALL),
    A.AGENCY_VIEW_MEMBERS: (ALL, {"province_admin", "overseer"}),
    A.AGENCY_SET_STATUS: ({"secretary", "approver", "agency_admin", "province_admin", "overseer"},
                          {"province_admin", "overseer"}),
    A.AGENCY_EDIT: ({"agency_admin", "province_admin"}, {"province_admin"}),
    A.AGENCY_CREATE_CHILD: ({"agency_admin", "province_admin"}, {"province_admin"}),
    A.AGENCY_REORGANIZE: ({"agency_admin", "province_admin"}, {"province_admin"}),
    A.PEOPLE_MANAGE: ({"agency_admin", "province_admin"}, {"province_admin"}),
}
GLOBAL_MATRIX = {
    A.REGISTRY_IMPORT: {"province_admin"},
    A.REGISTRY_EXPORT: {"agency_admin", "province_admin", "overseer"},
    A.PEOPLE_LIST: {"agency_admin", "province_admin"},
    A.AUDIT_VIEW: {"agency_admin", "province_admin"},
}


@pytest.fixture
def holders(province, make_user) -> dict[str, str]:
    return {label: make_user(membership, username=f"u-{label.replace('_', '-')}")
            for label, membership in HOLDERS.items()}


def user(username: str) -> User:
    return agency_services.db.session.scalars(select(User).where(User.username == username)).one()


DOCUMENT_ACTIONS = {a for a in Action if a.value.startswith("document.")}  # test_document_policy


def test_every_action_is_in_a_matrix():
    assert set(AGENCY_MATRIX) | set(GLOBAL_MATRIX) | {A.TOKEN_REVOKE} | DOCUMENT_ACTIONS == \
        set(Action)


@pytest.mark.parametrize("action", list(AGENCY_MATRIX))
def test_agency_actions(app, holders, action):
    own_allowed, other_allowed = AGENCY_MATRIX[action]
    with app.app_context():
        for label, username in holders.items():
            person = user(username)
            assert can(person, action, agency(OWN)) is (label in own_allowed), (label, "own")
            assert can(person, action, agency(OTHER)) is (label in other_allowed), (label, "other")


@pytest.mark.parametrize("action", list(GLOBAL_MATRIX))
def test_global_actions(app, holders, action):
    with app.app_context():
        for label, username in holders.items():
            assert can(user(username), action) is (label in GLOBAL_MATRIX[action]), label


def test_admin_and_overseer_reach_down_the_tree_other_roles_do_not(app, province, make_user):
    district_admin = make_user((province["district"], "admin"))
    district_secretary = make_user((province["district"], "secretary"))
    with app.app_context():
        commune, elsewhere = agency(province["commune"]), agency(province["other_commune"])
        assert can(user(district_admin), A.PEOPLE_MANAGE, commune)
        assert not can(user(district_admin), A.PEOPLE_MANAGE, elsewhere)
        assert not can(user(district_secretary), A.AGENCY_SET_STATUS, commune)
        assert not can(user(district_secretary), A.AGENCY_VIEW_MEMBERS, commune)


def test_nobody_signed_out_or_disabled_may_do_anything(app, province, make_user):
    disabled = make_user(("ubnd-tinh", "admin"), active=False)
    with app.app_context():
        for action in AGENCY_MATRIX:
            assert not can(None, action, agency(OWN))
            assert not can(user(disabled), action, agency(OWN))


def test_dissolved_agency_is_read_only_and_readable_by_the_successor(app, province, make_user):
    admin = make_user(("ubnd-tinh", "admin"))
    successor_reader = make_user((province["other_commune"], "reader"))
    with app.app_context():
        commune = agency(province["commune"])
        agency_services.dissolve(commune, date(2025, 7, 1), agency(province["other_commune"]))
        agency_services.db.session.commit()
        commune = agency(province["commune"])
        for action in (A.AGENCY_EDIT, A.AGENCY_SET_STATUS, A.PEOPLE_MANAGE, A.AGENCY_REORGANIZE,
                       A.AGENCY_CREATE_CHILD):
            assert not can(user(admin), action, commune), action
        assert can(user(admin), A.AGENCY_VIEW_MEMBERS, commune)
        assert can(user(successor_reader), A.AGENCY_VIEW_MEMBERS, commune)


def test_agency_admin_cannot_manage_a_person_who_also_works_elsewhere(app, province, make_user):
    admin = make_user((OWN, "admin"))
    local = make_user((OWN, "reader"))
    wider = make_user((OWN, "reader"), (OTHER, "secretary"))
    with app.app_context():
        assert can(user(admin), A.PEOPLE_MANAGE, user(local))
        assert not can(user(admin), A.PEOPLE_MANAGE, user(wider))


# Through the pages: the wrong role or agency gets 403 and no data.
FORBIDDEN_PAGES = [
    ("reader", "post", f"/agencies/{OWN}/status", {"qms_status": "building"}),
    ("secretary", "post", f"/agencies/{OTHER}/status", {"qms_status": "building"}),
    ("secretary", "post", f"/agencies/{OWN}/edit", {"name": "Đổi tên", "kind": "department"}),
    ("agency_admin", "post", f"/agencies/{OTHER}/children",
     {"code": "moi", "name": "Mới", "kind": "sub_department"}),
    ("agency_admin", "post", "/agencies/import", {}),
    ("reader", "get", "/agencies/export.csv", None),
    ("reader", "get", "/admin/people", None),
    ("overseer", "get", "/admin/audit", None),
    ("agency_admin", "get", "/admin/people/u-overseer", None),
    ("agency_admin", "post", "/admin/people/u-overseer/reset-password", {}),
]


@pytest.mark.parametrize(("label", "method", "url", "data"), FORBIDDEN_PAGES)
def test_forbidden_pages(client, holders, label, method, url, data):
    login(client, holders[label])
    response = client.get(url) if method == "get" else post_form(client, url, data, page="/")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Bạn không có quyền thực hiện thao tác này." in page
    assert "u-province-admin" not in page and "mat-khau" not in page


def test_members_list_is_shown_only_to_those_allowed(client, holders):
    login(client, holders["secretary"])
    assert "u-reader" in client.get(f"/agencies/{OWN}").get_data(as_text=True)
    other = client.get(f"/agencies/{OTHER}").get_data(as_text=True)
    assert "Sở Y tế" in other and "Thành viên" not in other
