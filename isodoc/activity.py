"""The action log read as Vietnamese sentences: "Nguyễn Văn A ban hành QT-03 lần 2, hiệu
lực từ 01/12/2026" rather than `document.issue` and `approved → issued`.

An audit row keeps its technical action code (filters and exports use it); this module
only words it for people. New kinds of action get a verb in `VERBS`; an action without
one still reads as a sentence with its code as the verb."""

from __future__ import annotations

import re
from dataclasses import dataclass

from isodoc.audit import AuditEntry

# action code → what the person did (the verb phrase; the object follows it)
VERBS: dict[str, str] = {
    "document.create": "tạo dự thảo",
    "document.save": "lưu dự thảo",
    "document.submit": "trình xem xét",
    "document.review_agreed": "đồng ý với dự thảo",
    "document.review_changes_requested": "đề nghị sửa dự thảo",
    "document.approve": "phê duyệt",
    "document.reject": "trả lại dự thảo",
    "document.issue": "ban hành",
    "document.cancel": "huỷ dự thảo",
    "document.withdraw": "thu hồi",
    "document.withdraw_request": "đề nghị thu hồi",
    "document.withdraw_refuse": "từ chối đề nghị thu hồi",
    "document.acknowledge": "xác nhận đã đọc",
    "document.periodic_review": "xem xét định kỳ",
    "document.import_docx": "nhập từ tệp Word",
    "document.record_history": "ghi nhận lần ban hành trước đây của",
    "finding.raise": "ghi nhận phát hiện",
    "finding.propose": "đề xuất hành động khắc phục cho",
    "finding.return": "trả lại đề xuất của",
    "finding.accept": "chấp nhận hành động khắc phục của",
    "finding.implement": "báo cáo đã thực hiện hành động của",
    "finding.verify": "xác minh có hiệu lực hành động của",
    "finding.ineffective": "xác minh không hiệu lực hành động của",
    "finding.close": "đóng",
    "finding.dismiss": "đóng, không cần hành động,",
    "finding.attach": "đính kèm bằng chứng vào",
    "finding.revise": "mở sửa đổi tài liệu cho",
    "audit.plan": "lập kế hoạch đánh giá nội bộ",
    "audit.edit": "sửa kế hoạch đánh giá",
    "audit.declare_conflict": "khai báo xung đột lợi ích trong",
    "audit.checklist": "tạo danh mục kiểm tra của",
    "audit.add_item": "thêm câu hỏi vào",
    "audit.start": "bắt đầu cuộc đánh giá",
    "audit.fill": "ghi kết quả kiểm tra trong",
    "audit.complete": "hoàn thành cuộc đánh giá",
    "audit.cancel": "huỷ cuộc đánh giá",
    "audit.programme": "lập chương trình đánh giá nội bộ",
    "agency.create": "tạo đơn vị",
    "agency.edit": "sửa thông tin đơn vị",
    "agency.set_status": "cập nhật trạng thái HTQLCL của",
    "agency.dissolve": "giải thể hoặc sáp nhập",
    "registry.import": "nhập danh mục đơn vị",
    "auth.login": "đăng nhập",
    "auth.logout": "đăng xuất",
    "auth.login_failed": "đăng nhập không thành công",
    "user.create": "tạo tài khoản",
    "user.change_password": "đổi mật khẩu",
    "user.reset_password": "đặt lại mật khẩu của",
    "user.activate": "mở lại tài khoản",
    "user.deactivate": "khoá tài khoản",
    "membership.add": "gán vai trò cho",
    "membership.remove": "bỏ vai trò của",
    "token.create": "tạo mã truy cập API",
    "token.revoke": "thu hồi mã truy cập API của",
    "account.mail_mode": "chọn cách nhận thư",
    "tthc.stage_import": "tải lên danh mục TTHC",
    "tthc.apply_import": "áp dụng danh mục TTHC",
    "tthc.map_body": "gán cơ quan giải quyết TTHC",
    "tthc.model_publish": "công bố quy trình mẫu",
    "objective.create": "đặt mục tiêu chất lượng",
    "objective.measure": "nhập kết quả mục tiêu",
    "objective.correct": "sửa kết quả mục tiêu",
    "risk.register": "ghi nhận rủi ro",
    "risk.action": "thêm biện pháp xử lý rủi ro",
    "risk.action_done": "hoàn thành biện pháp xử lý rủi ro",
    "risk.scale": "đặt thang đánh giá rủi ro",
}

# what to filter the log by, in words (the filter's values stay the action prefixes)
GROUPS: list[tuple[str, str]] = [
    ("document.", "Tài liệu"), ("finding.", "Phát hiện, hành động khắc phục"),
    ("audit.", "Đánh giá nội bộ"), ("objective.", "Mục tiêu chất lượng"),
    ("risk.", "Rủi ro và cơ hội"), ("tthc.", "Thủ tục hành chính"),
    ("agency.", "Đơn vị"), ("registry.", "Danh mục đơn vị"),
    ("auth.", "Đăng nhập, đăng xuất"), ("user.", "Tài khoản"),
    ("membership.", "Vai trò"), ("token.", "Mã truy cập API"), ("account.", "Cài đặt tài khoản"),
]

# objects whose audit row names them by a code written first in the summary ("PH-01: …")
CODED_SUMMARIES = {"finding", "audit", "objective", "risk"}
ACTORS = {"cli": "Quản trị (dòng lệnh)", "web": "Người chưa đăng nhập"}
TRANSITION = re.compile(r"^(?:bản (\d+): )?([\w ]+?) → ([\w ]+?)(?: — (.*))?$", re.DOTALL)


@dataclass
class Line:
    entry: AuditEntry
    sentence: str


def actor_name(entry: AuditEntry, names: dict[int, str]) -> str:
    if entry.user_id is not None and entry.user_id in names:
        return names[entry.user_id]
    return ACTORS.get(entry.username, entry.username)


def _object(entry: AuditEntry, agencies: dict[int, str]) -> tuple[str, str]:
    """The object's name and what is left of the summary to say after it."""
    summary = entry.summary or ""
    kind, ident = entry.object_type, entry.object_id
    if kind == "document":
        return ident.rpartition("/")[2], summary
    if kind in CODED_SUMMARIES and ": " in summary:
        code, _, rest = summary.partition(": ")
        return code, rest
    if kind == "agency":
        return agencies.get(entry.agency_id or -1, ident), summary
    if kind == "user" and entry.action in ("auth.login", "auth.logout", "auth.login_failed",
                                           "user.change_password", "account.mail_mode",
                                           "token.create"):
        return "", summary  # the actor's own account: nothing to name twice
    return ident, summary


def _detail(rest: str) -> str:
    """A transition ("bản 1: approved → issued — comment", as older rows and finding rows
    say it) reads as the draft's number and the comment: the verb already says the move."""
    found = TRANSITION.match(rest)
    if found is None:
        return rest
    seq, _before, _after, comment = found.groups()
    parts = [f"(dự thảo {seq})"] if seq else []
    if comment:
        parts.append(f"— {comment}")
    return " ".join(parts)


def sentence(entry: AuditEntry, names: dict[int, str], agencies: dict[int, str]) -> str:
    who = actor_name(entry, names)
    verb = VERBS.get(entry.action, entry.action)
    what, rest = _object(entry, agencies)
    rest = _detail(rest.strip())
    words = [who, verb] + ([what] if what else [])
    text = " ".join(words)
    if rest:
        text += (" " if rest[0] in "(—" or rest.startswith("lần ") else ": ") + rest
    return text


def lines(entries: list[AuditEntry]) -> list[Line]:
    """The sentences of a page of the log: the people and agencies named in two queries."""
    from sqlalchemy import select

    from isodoc.agencies.models import Agency
    from isodoc.auth.models import User
    from isodoc.extensions import db

    user_ids = {e.user_id for e in entries if e.user_id is not None}
    agency_ids = {e.agency_id for e in entries if e.agency_id is not None}
    names = dict(db.session.execute(select(User.id, User.full_name)
                                    .where(User.id.in_(user_ids))).all()) if user_ids else {}
    agencies = dict(db.session.execute(select(Agency.id, Agency.name)
                                       .where(Agency.id.in_(agency_ids))).all()) \
        if agency_ids else {}
    return [Line(e, sentence(e, names, agencies)) for e in entries]
