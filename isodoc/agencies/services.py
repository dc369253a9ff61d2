"""Agency registry operations. Each change is a command (isodoc/commands.py): it asks the
policy itself, flushes, never commits: its adapter commits once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale
from sqlalchemy import select

from isodoc import audit, policy
from isodoc.agencies.models import CODE_RE, NAME_MAX, Agency, AgencyKind, QmsStatus
from isodoc.auth.models import User
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.policy import Action, SystemActor
from isodoc.textnorm import fold, nfc


def get_by_code(code: str) -> Agency | None:
    if not CODE_RE.match(code or ""):
        return None
    return db.session.scalar(select(Agency).where(Agency.code == code))


def root() -> Agency | None:
    return db.session.scalar(select(Agency).where(Agency.parent_id.is_(None)).order_by(Agency.id))


def check_code(code: str) -> str:
    code = nfc(code).lower()
    if not CODE_RE.match(code):
        raise InvalidInput(_(
            "Mã đơn vị «%(code)s» không hợp lệ: chỉ dùng chữ thường không dấu (a-z), "
            "chữ số và dấu gạch ngang, tối đa 64 ký tự, không bắt đầu hay kết thúc bằng '-'.",
            code=code[:70]))
    return code


def check_name(name: str) -> str:
    name = nfc(name)
    if not name:
        raise InvalidInput(_("Tên đơn vị không được để trống."))
    if len(name) > NAME_MAX:
        raise InvalidInput(_("Tên đơn vị quá dài (tối đa %(n)s ký tự).", n=NAME_MAX))
    return name


def check_placement(kind: AgencyKind, parent: Agency | None, agency: Agency | None = None,
                    *, single_root: bool = True) -> None:
    if kind is AgencyKind.PROVINCE:
        if parent is not None:
            raise InvalidInput(_("UBND tỉnh là gốc của cây đơn vị, không có đơn vị cấp trên."))
        existing = root() if single_root else None
        if existing is not None and existing is not agency:
            raise InvalidInput(_("Hệ thống đã có UBND tỉnh; mỗi hệ thống quản lý một tỉnh."))
        return
    if parent is None:
        raise InvalidInput(_("Cần chọn đơn vị cấp trên."))
    if parent.kind_enum not in kind.parent_kinds:
        allowed = ", ".join(k.label for k in kind.parent_kinds)
        raise InvalidInput(_("%(kind)s phải trực thuộc: %(allowed)s.", kind=kind.label,
                             allowed=allowed))
    if agency is not None and agency in parent.lineage():
        raise InvalidInput(
            _("Không thể đặt một đơn vị trực thuộc chính nó hoặc đơn vị cấp dưới."))


def check_status(status: QmsStatus, declared_on: date | None) -> None:
    if status is QmsStatus.DECLARED_2015 and declared_on is None:
        raise InvalidInput(_("Trạng thái «đã công bố phù hợp» cần ngày công bố."))
    if status is not QmsStatus.DECLARED_2015 and declared_on is not None:
        raise InvalidInput(_("Ngày công bố chỉ dùng cho trạng thái «đã công bố phù hợp»."))


def check_plan_year(year: int | None) -> None:
    if year is not None and not 2000 <= year <= 2100:
        raise InvalidInput(_("Năm kế hoạch phải trong khoảng 2000–2100."))


@dataclass
class AgencyData:
    code: str
    name: str
    kind: AgencyKind
    parent: Agency | None
    qms_status: QmsStatus = QmsStatus.NOT_STARTED
    declared_on: date | None = None
    plan_year: int | None = None


def create_agency(data: AgencyData, actor: User | SystemActor) -> Agency:
    if data.parent is None:
        policy.require(actor, Action.REGISTRY_IMPORT)  # a new root: the province admin
    else:
        policy.require(actor, Action.AGENCY_CREATE_CHILD, data.parent)
    code, name = check_code(data.code), check_name(data.name)
    if get_by_code(code) is not None:
        raise InvalidInput(_("Mã đơn vị «%(code)s» đã tồn tại.", code=code))
    check_placement(data.kind, data.parent)
    check_status(data.qms_status, data.declared_on)
    check_plan_year(data.plan_year)
    agency = Agency(code=code, name=name, kind=data.kind.value, parent=data.parent,
                    qms_status=data.qms_status.value, declared_on=data.declared_on,
                    plan_year=data.plan_year)
    db.session.add(agency)
    db.session.flush()
    with force_locale("vi"):  # the activity log is a record, in the province's language
        kind_label = data.kind.label
    audit.record("agency.create", "agency", code, agency_id=agency.id,
                 summary=f"{name} ({kind_label})")
    return agency


def update_agency(agency: Agency, actor: User | SystemActor, *, name: str, kind: AgencyKind,
                  parent: Agency | None, plan_year: int | None) -> None:
    policy.require(actor, Action.AGENCY_EDIT, agency)
    if parent is not None and parent.id != agency.parent_id:
        policy.require(actor, Action.AGENCY_CREATE_CHILD, parent)  # moving it under another
    name = check_name(name)
    check_placement(kind, parent, agency)
    check_plan_year(plan_year)
    changes = describe_changes(agency, name=name, kind=kind.value, parent=parent,
                               plan_year=plan_year)
    agency.name, agency.kind, agency.parent, agency.plan_year = name, kind.value, parent, plan_year
    db.session.flush()
    audit.record("agency.edit", "agency", agency.code, agency_id=agency.id, summary=changes)


def dissolve(agency: Agency, actor: User | SystemActor, on: date,
             successor: Agency | None) -> None:
    """Dissolve `agency` on a date, merging it into `successor` if given. Its documents,
    people and history stay, read-only, reachable from the successor."""
    policy.require(actor, Action.AGENCY_REORGANIZE, agency)
    if successor is not None:
        policy.require(actor, Action.AGENCY_EDIT, successor)
    if agency.parent_id is None:
        raise InvalidInput(_("Không thể giải thể UBND tỉnh."))
    if agency.dissolved_on is not None:
        raise InvalidInput(_("Đơn vị này đã giải thể hoặc sáp nhập."))
    if successor is not None and (
            successor is agency or agency in successor.lineage() or successor.is_dissolved(on)):
        raise InvalidInput(_("Đơn vị tiếp nhận không hợp lệ (chính nó, đơn vị cấp dưới "
                             "hoặc đơn vị đã giải thể)."))
    active_children = [c for c in agency.children if c.dissolved_on is None]
    if active_children:
        names = ", ".join(c.name for c in active_children[:5])
        raise InvalidInput(_("Còn %(n)s đơn vị trực thuộc chưa giải thể hoặc chuyển đi "
                             "(%(names)s…): xử lý các đơn vị đó trước.",
                             n=len(active_children), names=names))
    agency.dissolved_on, agency.successor = on, successor
    db.session.flush()
    # the activity log is a record, written in the province's language
    what = f"sáp nhập vào {successor.code}" if successor else "giải thể"  # i18n: vi-only
    audit.record("agency.dissolve", "agency", agency.code, agency_id=agency.id,
                 summary=f"{what} từ {on.strftime('%d/%m/%Y')}")  # i18n: vi-only


def describe_changes(agency: Agency, **new) -> str:
    parts = []
    for key, value in new.items():
        old = getattr(agency, key)
        if old != value:
            parts.append(f"{key}: {getattr(old, 'code', old)} → {getattr(value, 'code', value)}")
    return "; ".join(parts) or "không thay đổi"  # i18n: vi-only (activity log record)


@dataclass
class TreeNode:
    agency: Agency
    children: list[TreeNode] = field(default_factory=list)
    match: bool = True

    @property
    def visible(self) -> bool:
        return self.match or any(c.visible for c in self.children)


@dataclass
class AgencyFilter:
    q: str = ""
    kind: str = ""
    status: str = ""
    plan_year: int | None = None
    include_dissolved: bool = False
    stage: str = ""                                   # the derived QMS stage (web page)
    stages: dict[int, str] = field(default_factory=dict)  # agency id -> stage, if asked

    def matches(self, agency: Agency) -> bool:
        if self.q and fold(nfc(self.q)) not in fold(f"{agency.name} {agency.code}"):
            return False
        if self.kind and agency.kind != self.kind:
            return False
        if self.status and agency.qms_status != self.status:
            return False
        if self.plan_year and agency.plan_year != self.plan_year:
            return False
        if self.stage and self.stages.get(agency.id) != self.stage:
            return False
        return self.include_dissolved or not agency.is_dissolved()

    @property
    def active(self) -> bool:
        return bool(self.q or self.kind or self.status or self.plan_year or self.stage)


def tree(filters: AgencyFilter | None = None) -> list[TreeNode]:
    """The registry as a forest of nodes, one query; non-matching ancestors of a match
    stay so that a hit is shown in place."""
    filters = filters or AgencyFilter()
    agencies = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    nodes = {a.id: TreeNode(a, match=filters.matches(a)) for a in agencies}
    roots = []
    for agency in agencies:
        node = nodes[agency.id]
        if not filters.include_dissolved and agency.is_dissolved():
            continue
        parent = nodes.get(agency.parent_id) if agency.parent_id else None
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: (kind_order(n.agency), fold(n.agency.name)))
    return roots


def kind_order(agency: Agency) -> int:
    return list(AgencyKind).index(agency.kind_enum)


def prune(nodes: list[TreeNode]) -> list[TreeNode]:
    return [TreeNode(n.agency, prune(n.children), n.match) for n in nodes if n.visible]
