"""The mail outbox, each person's mail preference and the reminders already sent.

Mail is written to the outbox in the same SQL transaction as the change it tells of, and
sent after the response (isodoc/mail/__init__.py): SMTP never blocks or fails a request,
and a worker that dies leaves the mail for the next drain."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.auth.models import User
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.timeutil import utcnow


class MailState(StrEnum):
    QUEUED = "queued"      # to send (again) once next_attempt_at has come
    SENDING = "sending"    # claimed by a drain; reclaimed if that worker died
    SENT = "sent"
    FAILED = "failed"      # gave up after MAX_ATTEMPTS
    HELD = "held"          # for a person who wants one daily digest
    DIGESTED = "digested"  # went out in a digest

    @property
    def label(self) -> str:
        return {"queued": _("Chờ gửi"), "sending": _("Đang gửi"), "sent": _("Đã gửi"),
                "failed": _("Gửi không được"), "held": _("Chờ bản tin hằng ngày"),
                "digested": _("Đã gộp vào bản tin")}[self.value]


class MailMode(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    NONE = "none"

    @property
    def label(self) -> str:
        return {"immediate": _("Gửi ngay từng thư"),
                "digest": _("Gộp thành một bản tin mỗi ngày"),
                "none": _("Không nhận thư")}[self.value]


class MailOutbox(db.Model):
    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    to_addr: Mapped[str] = mapped_column(String(255))
    to_name: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500), default="")  # the page it is about
    state: Mapped[str] = mapped_column(String(16), default=MailState.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship()

    @property
    def state_enum(self) -> MailState:
        return MailState(self.state)


class MailPreference(db.Model):
    """Absent: immediate mails (the default)."""

    __tablename__ = "mail_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), default=MailMode.IMMEDIATE)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MailReminder(db.Model):
    """One reminder (an item of "Việc của tôi" that is due) told to one person on one
    day: `isodoc mail daily` never tells the same thing twice in a day."""

    __tablename__ = "mail_reminder"
    __table_args__ = (UniqueConstraint("user_id", "day", "item", name="uq_mail_reminder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    day: Mapped[date]
    item: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
