"""Every model, imported in one place for Alembic and the app factory."""

from isodoc.agencies.models import Agency, AgencyKind, QmsStatus
from isodoc.audit import AuditEntry
from isodoc.auth.models import ApiToken, Membership, Role, User

__all__ = ["Agency", "AgencyKind", "QmsStatus", "AuditEntry", "ApiToken", "Membership",
           "Role", "User"]

from isodoc.documents.models import (  # noqa: E402
    Acknowledgement,
    Document,
    ReviewAssignment,
    Revision,
    RevisionEvent,
    WithdrawalRequest,
)

__all__ += ["Acknowledgement", "Document", "ReviewAssignment", "Revision", "RevisionEvent",
            "WithdrawalRequest"]

from isodoc.search.models import SearchChange, SearchIndexState, SearchLogHorizon  # noqa: E402

__all__ += ["SearchChange", "SearchIndexState", "SearchLogHorizon"]

from isodoc.audits.models import (  # noqa: E402
    Audit,
    AuditConflict,
    AuditDocument,
    AuditMember,
    AuditProgramme,
    ChecklistItem,
)
from isodoc.findings.models import (  # noqa: E402
    Attachment,
    Finding,
    FindingClause,
    FindingEvent,
    FindingRevision,
)

__all__ += ["Audit", "AuditConflict", "AuditDocument", "AuditMember", "AuditProgramme",
            "ChecklistItem", "Attachment", "Finding", "FindingClause", "FindingEvent",
            "FindingRevision"]

from isodoc.mail.models import MailOutbox, MailPreference, MailReminder  # noqa: E402

__all__ += ["MailOutbox", "MailPreference", "MailReminder"]

from isodoc.tthc.models import (  # noqa: E402
    Adoption,
    ModelProcedure,
    Tthc,
    TthcBody,
    TthcBodyMap,
    TthcImport,
)

__all__ += ["Adoption", "ModelProcedure", "Tthc", "TthcBody", "TthcBodyMap", "TthcImport"]

from isodoc.objectives.models import Measurement, QualityObjective  # noqa: E402

__all__ += ["Measurement", "QualityObjective"]

from isodoc.risks.models import Risk, RiskAction, RiskScale  # noqa: E402

__all__ += ["Risk", "RiskAction", "RiskScale"]

from isodoc.programme.models import CostLine, Plan, PlanTarget, PlanUnit  # noqa: E402

__all__ += ["CostLine", "Plan", "PlanTarget", "PlanUnit"]
from isodoc.records.models import RecordPlace  # noqa: E402
from isodoc.reviews.models import (  # noqa: E402
           ManagementReview,
           ReviewAction,
           ReviewAttendee,
           ReviewInput,
)
from isodoc.training.models import Attendance, AuditorCertificate, Course  # noqa: E402

__all__ += ["ManagementReview", "ReviewAction", "ReviewAttendee", "ReviewInput", "Attendance",
            "AuditorCertificate", "Course", "RecordPlace"]
from isodoc.annual_reports.models import AnnualReport, ReportDeadline, ReportEvent  # noqa: E402
from isodoc.succession.models import InheritedAdoption  # noqa: E402

__all__ += ["AnnualReport", "ReportDeadline", "ReportEvent", "InheritedAdoption"]
from isodoc.declarations.models import Declaration, DeclaredDocument, DeclaredTthc  # noqa: E402
from isodoc.inspections.models import (  # noqa: E402
    Consultant,
    Engagement,
    FindingTrace,
    Inspection,
    SupervisionVisit,
)

__all__ += ["Declaration", "DeclaredDocument", "DeclaredTthc", "Consultant", "Engagement",
            "FindingTrace", "Inspection", "SupervisionVisit"]
from isodoc.surveys.models import SurveyResponse, SurveyScore  # noqa: E402

__all__ += ["SurveyResponse", "SurveyScore"]
from isodoc.pagecache import DataVersion  # noqa: E402

__all__ += ["DataVersion"]
