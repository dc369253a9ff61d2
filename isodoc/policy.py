"""The one place that answers "may this person do this to this object?".

Views, the API and the CLI ask `can()` / `require()`; nothing else checks roles.

Scope rules:
- admin and overseer memberships reach down the agency tree (an admin of a UBND
  cấp huyện manages its communes; the Sở KH&CN overseer on the province root
  reads every agency);
- every other role holds on its own agency only;
- a dissolved agency is read-only, and members of its successors may read it.
"""

from __future__ import annotations

from enum import StrEnum

from flask import abort

from isodoc.agencies.models import Agency
from isodoc.auth.models import ApiToken, Role, User


class Action(StrEnum):
    AGENCY_VIEW = "agency.view"
    AGENCY_VIEW_MEMBERS = "agency.view_members"
    AGENCY_CREATE_CHILD = "agency.create_child"
    AGENCY_EDIT = "agency.edit"
    AGENCY_SET_STATUS = "agency.set_status"
    AGENCY_REORGANIZE = "agency.reorganize"
    REGISTRY_IMPORT = "registry.import"
    REGISTRY_EXPORT = "registry.export"
    PEOPLE_LIST = "people.list"
    PEOPLE_MANAGE = "people.manage"  # target: an agency (memberships there) or a person
    AUDIT_VIEW = "audit.view"
    TOKEN_REVOKE = "token.revoke"


# Actions with no target object.
GLOBAL_ACTIONS = {Action.REGISTRY_IMPORT, Action.REGISTRY_EXPORT, Action.PEOPLE_LIST,
                  Action.AUDIT_VIEW}
# Actions that change an agency, refused once it is dissolved.
WRITE_ACTIONS = {Action.AGENCY_CREATE_CHILD, Action.AGENCY_EDIT, Action.AGENCY_SET_STATUS,
                 Action.AGENCY_REORGANIZE, Action.PEOPLE_MANAGE}
INHERITED_ROLES = {Role.ADMIN, Role.OVERSEER}
STATUS_ROLES = {Role.SECRETARY, Role.APPROVER, Role.ADMIN, Role.OVERSEER}


def effective_roles(user: User, agency: Agency) -> set[Role]:
    """Roles `user` holds over `agency`: its own, plus admin/overseer from ancestors."""
    roles = set(user.roles_on(agency))
    for ancestor in agency.lineage()[1:]:
        roles |= user.roles_on(ancestor) & INHERITED_ROLES
    return roles


def has_role(user: User, role: Role) -> bool:
    return any(m.role == role for m in user.memberships)


def admin_scope(user: User) -> list[Agency] | None:
    """The agencies whose subtrees `user` administers; None means the whole province."""
    roots = [m.agency for m in user.memberships if m.role == Role.ADMIN]
    if any(a.parent_id is None for a in roots):
        return None
    return roots


def is_province_admin(user: User) -> bool:
    return has_role(user, Role.ADMIN) and admin_scope(user) is None


def can(user: User | None, action: Action, target: Agency | User | ApiToken | None = None
        ) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    action = Action(action)

    if action in GLOBAL_ACTIONS:
        if action is Action.REGISTRY_IMPORT:
            return is_province_admin(user)
        if action is Action.REGISTRY_EXPORT:
            return has_role(user, Role.ADMIN) or has_role(user, Role.OVERSEER)
        return has_role(user, Role.ADMIN)  # lists are then filtered to the admin's scope

    if action is Action.AGENCY_VIEW:
        return True  # the registry (names, kinds, QMS status) is open to signed-in users
    if isinstance(target, ApiToken):
        return action is Action.TOKEN_REVOKE and target.user_id == user.id
    if isinstance(target, User):
        return action is Action.PEOPLE_MANAGE and manages_person(user, target)
    if not isinstance(target, Agency):
        raise TypeError(f"{action} needs an agency, a person or a token, not {target!r}")

    if action in WRITE_ACTIONS and target.is_dissolved():
        return False
    roles = effective_roles(user, target)
    if action is Action.AGENCY_VIEW_MEMBERS:
        return bool(roles) or any(effective_roles(user, s) for s in target.successors())
    if action is Action.AGENCY_SET_STATUS:
        return bool(roles & STATUS_ROLES)
    if action in (Action.AGENCY_CREATE_CHILD, Action.AGENCY_EDIT, Action.AGENCY_REORGANIZE,
                  Action.PEOPLE_MANAGE):
        return Role.ADMIN in roles
    return False


def manages_person(admin: User, person: User) -> bool:
    """A province admin manages everyone; an agency admin manages people whose every
    membership lies in their subtree (so they cannot take over a wider account)."""
    if is_province_admin(admin):
        return True
    if not person.memberships:
        return False
    return all(Role.ADMIN in effective_roles(admin, m.agency) for m in person.memberships)


def in_scope(user: User, agency: Agency | None) -> bool:
    """Whether a row about `agency` belongs in `user`'s filtered admin lists."""
    if is_province_admin(user):
        return True
    return agency is not None and Role.ADMIN in effective_roles(user, agency)


def require(user: User | None, action: Action,
            target: Agency | User | ApiToken | None = None) -> None:
    """Abort with 403 unless allowed: callers never learn more than 'no'."""
    if not can(user, action, target):
        abort(403)
