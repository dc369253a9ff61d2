"""People, their memberships (agency, role) and personal API tokens."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.extensions import db
from isodoc.i18n import _l
from isodoc.timeutil import utcnow

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}[a-z0-9]$")
# the last part of a session id (User.get_id) for a sign-in without "remember me"
SESSION_ONLY = "s"


class Role(StrEnum):
    READER = "reader"
    AUTHOR = "author"
    SECRETARY = "secretary"
    APPROVER = "approver"
    AUDITOR = "auditor"
    ADMIN = "admin"
    OVERSEER = "overseer"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self.value])


# lazy: a select's choices built at import read them per request
ROLE_LABELS = {
    "reader": _l("Công chức"),
    "author": _l("Soạn thảo"),
    "secretary": _l("Thư ký ISO"),
    "approver": _l("Lãnh đạo"),
    "auditor": _l("Đánh giá viên nội bộ"),
    "admin": _l("Quản trị"),
    "overseer": _l("Sở KH&CN (giám sát)"),
}


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    # chức vụ as printed in a procedure's sign-off table ("Giám đốc Sở", "Chánh Văn phòng")
    job_title: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    # the interface's language the person chose ("vi", "en"); None: Vietnamese. Mails to
    # the person are written in it too.
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped when the password is reset or the account disabled: older sessions end.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.id")
    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiToken.id")

    @property
    def is_active(self) -> bool:
        return self.active

    # When this browser signed in with "remember me" (whole seconds since the epoch), or
    # None: a session that ends with the browser. Not a column: it travels in the id that
    # the session and the remember-me cookie carry, and the user loader refuses the id
    # once it is older than REMEMBER_COOKIE_DURATION (services.session_id_parts).
    remembered_since = None

    def get_id(self) -> str:
        since = SESSION_ONLY if self.remembered_since is None else str(self.remembered_since)
        return f"{self.id}:{self.session_version}:{since}"

    def roles_on(self, agency: Agency) -> set[Role]:
        return {Role(m.role) for m in self.memberships if m.agency_id == agency.id}

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "agency_id", "role",
                                       name="uq_membership_user_agency_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    agency: Mapped[Agency] = relationship()

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class ApiToken(db.Model):
    """A personal API token; only its SHA-256 is stored (the token has 256 bits of
    entropy, so a fast hash is enough and lookups stay O(1))."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")


class RateLimitCounter(db.Model):
    """One fixed-window counter of Flask-Limiter, kept in the database so that every
    worker (and every host on the same database) counts together; see auth/throttle.py."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int]
    # Seconds since the epoch (the limits library's clock); the window ends then.
    expires_at: Mapped[float] = mapped_column(index=True)
