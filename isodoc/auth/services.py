"""People, memberships, passwords and API tokens.

Each change is a command (isodoc/commands.py): it takes the actor, asks `policy.require`
itself, flushes and never commits; its adapter commits once. The CLI and demo seeding
pass `policy.SYSTEM`. Two commands take no actor because they are how the actor comes to
be known: `authenticate` (signing in with a password) and `user_for_token` (an API call
with a bearer token). Neither can act on anyone but the account whose secret was given.
`record_login_lockout` takes none either: it notes that sign-ins to a name are refused,
whoever tries. The `_`-prefixed helpers write without asking: only commands of this
module call them, after their own checks.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_login.config import COOKIE_DURATION
from sqlalchemy import select

from isodoc import audit, policy
from isodoc.agencies.models import Agency
from isodoc.agencies.services import get_by_code
from isodoc.auth.models import SESSION_ONLY, USERNAME_RE, ApiToken, Membership, Role, User
from isodoc.auth.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    random_password,
    verify_password,
)
from isodoc.csvio import read_rows
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.i18n import LANGUAGES, _
from isodoc.policy import Action, SystemActor
from isodoc.textnorm import clean, nfc, typed
from isodoc.timeutil import utcnow

TOKEN_PREFIX = "isodoc_"


def get_user(username: str) -> User | None:
    username = nfc(username).lower()
    if not USERNAME_RE.match(username):
        return None
    return db.session.scalar(select(User).where(User.username == username))


Actor = User | SystemActor


def authenticate(username: str, password: str) -> User | None:
    """The sign-in command: the user if the password is right and the account active.

    It takes no actor: it is the step that establishes who the actor is, and what it
    may change is limited to the account whose password was given. Both outcomes are
    written (the failed-login audit row, or the last sign-in, a rehash and the audit
    row), so a refusal returns None rather than raising: the adapter must commit it.
    """
    user = get_user(username)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or not user.active:
        # the activity log is a record, written in the province's language
        audit.record("auth.login_failed", "user", nfc(username)[:64], actor=user,
                     summary="sai mật khẩu" if user else "không có tài khoản")  # i18n: vi-only
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record("auth.login", "user", user.username, actor=user)
    return user


def login_key(username: str) -> str:
    """Whose failed sign-ins a try counts against (the per-account limit, auth/views.py):
    NFC, case-folded and stripped, so that "An.Nguyen " and "an.nguyen" share one count,
    and as long as a user name at most. Names without an account count as well: the
    refusal must not tell which names exist."""
    return clean(username).casefold()[:64] or "-"


def record_login_lockout(username: str) -> None:
    """The activity log's row for a name whose sign-ins are refused after too many
    failures; written once per window, at the first refusal (auth/views.py)."""
    user = get_user(username)
    audit.record("auth.login_locked", "user", login_key(username), actor=user,
                 summary="tạm khoá đăng nhập do sai mật khẩu quá nhiều lần")  # i18n: vi-only


def clock() -> float:
    """Seconds since the epoch: when a remember-me sign-in was made and how old it is."""
    return time.time()


def date_sign_in(user: User, remember: bool) -> None:
    """Before `login_user`: a remember-me sign-in carries its moment in the id that the
    cookie holds, so that the server refuses the cookie once REMEMBER_COOKIE_DURATION has
    passed, whatever expiry the browser keeps (or a thief writes)."""
    user.remembered_since = int(clock()) if remember else None


def remember_seconds() -> float:
    duration = current_app.config.get("REMEMBER_COOKIE_DURATION", COOKIE_DURATION)
    return duration.total_seconds() if isinstance(duration, timedelta) else float(duration)


def session_id_parts(value: str) -> tuple[int, str, int | None] | None:
    """The user's id, session version and remember-me date in the id a session or a
    remember-me cookie carries; None when it may no longer sign anyone in: a remember-me
    sign-in older than REMEMBER_COOKIE_DURATION, or an id from before sign-ins were
    dated ("id:version", so everyone signs in once more after the upgrade). A session
    without remember-me ends with PERMANENT_SESSION_LIFETIME, as the session cookie says.
    """
    parts = value.split(":")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    ident, version, since = parts
    if since == SESSION_ONLY:
        return int(ident), version, None
    if not since.isdigit() or clock() - int(since) > remember_seconds():
        return None
    return int(ident), version, int(since)


def members_of(agency: Agency, role: Role | None = None) -> list[User]:
    """The agency's active members (holding `role`, if given), by name."""
    query = select(User).join(Membership).where(Membership.agency_id == agency.id,
                                                User.active.is_(True))
    if role is not None:
        query = query.where(Membership.role == role)
    return list(db.session.scalars(query.order_by(User.full_name)).unique())


def check_username(username: str) -> str:
    username = nfc(username).lower()
    if not USERNAME_RE.match(username):
        raise InvalidInput(_("Tên đăng nhập «%(username)s» không hợp lệ: 3–64 ký tự gồm chữ "
                             "thường không dấu, chữ số, dấu chấm, gạch dưới, gạch ngang.",
                             username=username[:70]))
    return username


def check_full_name(full_name: str) -> str:
    full_name = nfc(full_name)
    if not full_name:
        raise InvalidInput(_("Họ và tên không được để trống."))
    if len(full_name) > 255:
        raise InvalidInput(_("Họ và tên quá dài (tối đa 255 ký tự)."))
    return full_name


def check_email(email: str) -> str | None:
    email = nfc(email)
    if not email:
        return None
    if len(email) > 255 or "@" not in email or " " in email:
        raise InvalidInput(_("Địa chỉ email «%(email)s» không hợp lệ.", email=email[:70]))
    return email


def create_user(username: str, full_name: str, actor: Actor, email: str = "",
                password: str | None = None) -> tuple[User, str]:
    """Create a person with no membership yet (the CLI, the province admin); returns the
    user and the password to hand over (generated if none)."""
    user = User(username=nfc(username).lower())  # a person of no agency, to ask the policy
    policy.require(actor, Action.PEOPLE_MANAGE, user)
    return _new_user(username, full_name, email, password, actor)


def create_person(username: str, full_name: str, email: str, agency: Agency, role: Role,
                  actor: Actor, job_title: str = "") -> tuple[User, str]:
    """Create a person with a first role at `agency`: whoever manages people there."""
    policy.require(actor, Action.PEOPLE_MANAGE, agency)
    check_role_for(agency, role)
    user, password = _new_user(username, full_name, email, None, actor)
    user.job_title = check_job_title(job_title)
    _grant(user, agency, role, actor)
    return user, password


def check_job_title(text: str) -> str | None:
    return typed(text, _("chức vụ"), 120, required=False) or None


def set_job_title(user: User, actor: Actor, text: str) -> None:
    """The position printed under the person's name where they sign a procedure."""
    policy.require(actor, Action.PEOPLE_MANAGE, user)
    before, user.job_title = user.job_title, check_job_title(text)
    if before != user.job_title:
        audit.record("user.job_title", "user", user.username, actor=actor,
                     summary=f"{before or '—'} → {user.job_title or '—'}")


def set_language(user: User, actor: Actor, language: str) -> None:
    """One's own choice of the interface's language, kept for the next sign-in and mails."""
    policy.require(actor, Action.ACCOUNT_OWN, user)
    if language not in LANGUAGES:
        raise InvalidInput(_("Ngôn ngữ không được hỗ trợ."))
    user.language = None if language == LANGUAGES[0] else language


def _new_user(username: str, full_name: str, email: str, password: str | None,
              actor: Actor) -> tuple[User, str]:
    username = check_username(username)
    if get_user(username) is not None:
        raise InvalidInput(_("Tên đăng nhập «%(username)s» đã có người dùng.", username=username))
    password = password or random_password(username)
    if problem := password_problem(password, username):
        raise InvalidInput(problem)
    user = User(username=username, full_name=check_full_name(full_name),
                email=check_email(email), password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", "user", username, summary=user.full_name, actor=actor)
    return user, password


def check_role_for(agency: Agency, role: Role) -> None:
    if role is Role.OVERSEER and agency.parent_id is not None:
        raise InvalidInput(_("Vai trò Sở KH&CN (giám sát) chỉ gán trên UBND tỉnh (gốc)."))
    if agency.is_dissolved():
        raise InvalidInput(_("%(agency)s đã giải thể/sáp nhập: không thể gán thêm vai trò.",
                             agency=agency.name))


def add_membership(user: User, actor: Actor, agency: Agency, role: Role) -> Membership:
    """Give `user` a role at `agency`: the actor must manage both the person (so that an
    agency admin cannot reach into a wider account) and the agency."""
    policy.require(actor, Action.PEOPLE_MANAGE, user)
    policy.require(actor, Action.PEOPLE_MANAGE, agency)
    return _grant(user, agency, role, actor)


def _grant(user: User, agency: Agency, role: Role, actor: Actor) -> Membership:
    check_role_for(agency, role)
    if role in user.roles_on(agency):
        raise InvalidInput(_("%(username)s đã có vai trò %(role)s tại %(agency)s.",
                             username=user.username, role=role.label, agency=agency.name))
    membership = Membership(user=user, agency=agency, role=role.value)
    db.session.add(membership)
    db.session.flush()
    audit.record("membership.add", "user", user.username, agency_id=agency.id,
                 summary=role_summary(role, agency), actor=actor)
    return membership


def remove_membership(membership: Membership, actor: Actor) -> None:
    """Take a role away: whoever manages people at the membership's agency."""
    policy.require(actor, Action.PEOPLE_MANAGE, membership.agency)
    user, agency, role = membership.user, membership.agency, membership.role_enum
    user.memberships.remove(membership)
    db.session.flush()
    audit.record("membership.remove", "user", user.username, agency_id=agency.id,
                 summary=role_summary(role, agency), actor=actor)


def role_summary(role: Role, agency: Agency) -> str:
    """The activity log's line for a role: a record, in the province's language."""
    with force_locale("vi"):
        return f"{role.label} tại {agency.name}"  # i18n: vi-only


def end_sessions(user: User) -> None:
    """End every session of the person, in every browser: the session cookie and the
    remember-me cookie both carry `get_id()`, which includes the version, and the
    user loader compares it on each request."""
    user.session_version += 1


def logout(user: User, actor: Actor) -> None:
    """Sign out: ends every session of the person, copies of the cookie included."""
    policy.require(actor, Action.ACCOUNT_OWN, user)
    end_sessions(user)
    audit.record("auth.logout", "user", user.username, actor=user)


def change_password(user: User, actor: Actor, current: str, new: str) -> None:
    """The person's own change: every session ends (the caller signs this one in again)."""
    policy.require(actor, Action.ACCOUNT_OWN, user)
    if not verify_password(user.password_hash, current):
        raise InvalidInput(_("Mật khẩu hiện tại không đúng."))
    if problem := password_problem(new, user.username):
        raise InvalidInput(problem)
    user.password_hash = hash_password(new)
    end_sessions(user)
    audit.record("user.change_password", "user", user.username, actor=user)


def reset_password(user: User, actor: Actor, new: str | None = None) -> str:
    """Set a new password (generated if none), end every session of the person and
    revoke their API tokens: a reset means the account may be in other hands."""
    policy.require(actor, Action.PEOPLE_MANAGE, user)
    new = new or random_password(user.username)
    if problem := password_problem(new, user.username):
        raise InvalidInput(problem)
    user.password_hash = hash_password(new)
    end_sessions(user)
    revoked = 0
    for token in user.tokens:
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            revoked += 1
    audit.record("user.reset_password", "user", user.username, actor=actor,
                 summary=f"thu hồi {revoked} mã truy cập" if revoked else "")  # i18n: vi-only
    return new


def set_active(user: User, actor: Actor, active: bool) -> None:
    """Lock or unlock an account; locking ends its sessions. Nobody locks themself out."""
    policy.require(actor, Action.PEOPLE_MANAGE, user)
    if not active and actor.id == user.id:
        raise InvalidInput(_("Bạn không thể tự khoá tài khoản của mình."))
    user.active = active
    user.session_version += 1
    audit.record("user.activate" if active else "user.deactivate", "user", user.username,
                 actor=actor)


def create_token(user: User, actor: Actor, name: str) -> str:
    """A new personal API token, by its owner (or the CLI); the clear text is returned
    once and never stored."""
    policy.require(actor, Action.ACCOUNT_OWN, user)
    name = nfc(name) or _("Mã truy cập")
    if len(name) > 100:
        raise InvalidInput(_("Tên mã truy cập quá dài (tối đa 100 ký tự)."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, name=name, token_hash=token_hash(token),
                            prefix=token[: len(TOKEN_PREFIX) + 6]))
    db.session.flush()
    audit.record("token.create", "user", user.username, actor=user, summary=name)
    return token


def revoke_token(token: ApiToken, actor: Actor) -> None:
    policy.require(actor, Action.TOKEN_REVOKE, token)
    token.revoked_at = utcnow()
    audit.record("token.revoke", "user", token.user.username, summary=token.name, actor=actor)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_USE_GRANULARITY = timedelta(minutes=1)


def user_for_token(token: str) -> User | None:
    """The API's sign-in command (no actor: it establishes the actor); records when
    the token was last used."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
        return None
    from isodoc import pagecache

    # with its person and the data version (isodoc/pagecache.py) in one query
    found = db.session.execute(pagecache.token_with_version(),
                               {"token_hash": token_hash(token)}).one_or_none()
    row = found[0] if found else None
    if found:
        pagecache.remember_version(found[1])
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    # shown to the minute: written at most once a minute, not on every call (a read
    # through the API then writes nothing)
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_GRANULARITY:
        row.last_used_at = now
    return row.user


@dataclass
class PeopleImport:
    created: list[tuple[str, str]] = field(default_factory=list)  # (username, password)
    memberships: int = 0


def import_people(data: bytes, actor: Actor) -> PeopleImport:
    """CSV columns username, full_name, email, agency_code, roles (separated by ';'),
    and optionally job_title (chức vụ; an existing person's is replaced when given).

    The actor must manage people at each row's agency, and must manage each person who
    already has an account. All rows are checked before anything is written; errors are
    reported by line.
    """
    policy.require(actor, Action.PEOPLE_LIST)
    rows = read_rows(data, ["username", "full_name", "agency_code", "roles"])
    problems, plan = [], []
    seen: dict[str, int] = {}
    for line, row in rows:
        try:
            username = check_username(row["username"])
            full_name = check_full_name(row["full_name"])
            email = check_email(row.get("email", ""))
            job_title = check_job_title(row.get("job_title", ""))
            agency = get_by_code(row["agency_code"].lower())
            if agency is None:
                raise InvalidInput(_("không có đơn vị mã «%(code)s»",
                                     code=row["agency_code"][:64]))
            if not policy.can(actor, Action.PEOPLE_MANAGE, agency):
                raise InvalidInput(_("bạn không có quyền quản trị %(agency)s",
                                     agency=agency.name))
            existing = get_user(username)
            if existing is not None and not policy.can(actor, Action.PEOPLE_MANAGE, existing):
                raise InvalidInput(_("bạn không có quyền quản lý tài khoản «%(username)s»",
                                     username=username))
            roles = []
            for text in filter(None, (r.strip() for r in row["roles"].split(";"))):
                try:
                    roles.append(Role(text))
                except ValueError:
                    raise InvalidInput(_("vai trò «%(value)s» không hợp lệ (dùng: %(allowed)s)",
                                         value=text[:30],
                                         allowed=", ".join(r.value for r in Role))) from None
            if not roles:
                raise InvalidInput(_("cần ít nhất một vai trò"))
            for role in roles:
                check_role_for(agency, role)
            if username in seen and plan[seen[username]][1] != full_name:
                raise InvalidInput(_("«%(username)s» đã xuất hiện với tên khác",
                                     username=username))
            seen.setdefault(username, len(plan))
            plan.append((username, full_name, email, agency, roles, job_title))
        except InvalidInput as exc:
            problems.append(_("Dòng %(line)s: %(message)s", line=line, message=exc.message))
    if problems:
        raise InvalidInput(_("Không nhập được: %(n)s lỗi, chưa có thay đổi nào.",
                             n=len(problems)), problems)
    result = PeopleImport()
    for username, full_name, email, agency, roles, job_title in plan:
        user = get_user(username)
        if user is None:
            user, password = _new_user(username, full_name, email or "", None, actor)
            result.created.append((username, password))
        if job_title and job_title != user.job_title:
            user.job_title = job_title
        for role in roles:
            if role not in user.roles_on(agency):
                _grant(user, agency, role, actor)
                result.memberships += 1
    return result
