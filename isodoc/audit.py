"""The audit log: one row per state-changing action (who, when, what, object, from where)."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, String, Text, insert
from sqlalchemy.orm import Mapped, mapped_column

from isodoc.extensions import db
from isodoc.timeutil import utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(128))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(45), default="")


WRITE = insert(AuditEntry.__table__)


def record(action: str, object_type: str, object_id: object, *, summary: str = "",
           agency_id: int | None = None, actor=None) -> None:
    """Write an audit row in the caller's transaction, which commits it (or rolls it
    back with everything else).

    `actor` defaults to the signed-in user (or the API token's user); CLI actions
    pass None and are logged as "cli". The row goes straight to the connection: it is
    never read back as an object, and as one it cost the unit of work at every flush.
    """
    if actor is None and has_request_context():
        from flask import g
        actor = getattr(g, "api_user", None) or (
            current_user if current_user and current_user.is_authenticated else None)
    db.session.connection().execute(WRITE, {
        "user_id": getattr(actor, "id", None),
        "username": getattr(actor, "username", None) or (
            "web" if has_request_context() else "cli"),
        "action": action, "object_type": object_type, "object_id": str(object_id),
        "agency_id": agency_id, "summary": summary[:2000],
        "ip": (request.remote_addr or "")[:45] if has_request_context() else "",
    })
