"""Every model, imported in one place for Alembic and the app factory."""

from isodoc.agencies.models import Agency, AgencyKind, QmsStatus
from isodoc.audit import AuditEntry
from isodoc.auth.models import ApiToken, Membership, Role, User

__all__ = ["Agency", "AgencyKind", "QmsStatus", "AuditEntry", "ApiToken", "Membership",
           "Role", "User"]
