"""Demo merger: UBND phường Noong Bua, which had declared its QMS and issued its
adoption of the model procedure for đăng ký khai sinh (QT-TP-01), merges today into
UBND phường Nam Thanh. Nam Thanh then sees Noong Bua's procedure as inherited, counts it
in its TTHC coverage until it issues its own, and must declare again."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from isodoc.agencies import services as agencies
from isodoc.agencies.models import QmsStatus
from isodoc.auth.services import get_user
from isodoc.documents import services as documents
from isodoc.documents.models import Decision, Document, Revision, RevisionState
from isodoc.extensions import db
from isodoc.policy import SYSTEM
from isodoc.timeutil import today_local

PREDECESSOR, SUCCESSOR = "dbp-noong-bua", "dbp-nam-thanh"
DECLARED_ON = date(2020, 12, 15)


def seed() -> None:
    """Once: skipped when the predecessor is already dissolved or missing."""
    old, heir = agencies.get_by_code(PREDECESSOR), agencies.get_by_code(SUCCESSOR)
    secretary, leader = get_user("noongbua.thuky"), get_user("noongbua.lanhdao")
    if old is None or heir is None or old.dissolved_on is not None or secretary is None \
            or leader is None:
        return
    draft = db.session.scalar(
        select(Revision).join(Document).where(
            Document.agency_id == old.id, Revision.state == RevisionState.DRAFT))
    if draft is not None:  # the ward's adoption of the model, taken to issue
        documents.submit(draft, secretary, [leader])
        documents.review(draft, leader, Decision.AGREED, "")
        documents.approve(draft, leader, "Đồng ý ban hành")
        documents.issue(draft, secretary, today_local())
    old.qms_status, old.declared_on = QmsStatus.DECLARED_2015.value, DECLARED_ON  # registry
    agencies.dissolve(old, SYSTEM, today_local(), heir)
    db.session.flush()
