"""The action log read as sentences: "Nguyễn Văn A ban hành QT-03 lần 2, hiệu lực từ
01/12/2026" rather than `document.issue` and `approved → issued`, in the reader's language.

An audit row keeps its technical action code (filters and exports use it) and a summary
written in Vietnamese when it happened; this module words them at display time, each
action as one whole sentence with named placeholders (`SENTENCES`), and reads the
document rows' usual summaries ("lần 2, hiệu lực từ …", "(dự thảo 3)") so they are
worded too. Other summaries are the record as written and follow the sentence. An action
without a sentence still reads as one, with its code as the verb."""

from __future__ import annotations

import re
from dataclasses import dataclass

from isodoc.audit import AuditEntry
from isodoc.i18n import _, _l

# action code → the sentence: who did it (%(who)s) to what (%(what)s), whole so that each
# language keeps its word order; what follows in the row's summary is added after it
SENTENCES: dict[str, str] = {
    "document.create": _l("%(who)s tạo dự thảo %(what)s"),
    "document.save": _l("%(who)s lưu dự thảo %(what)s"),
    "document.submit": _l("%(who)s trình xem xét %(what)s"),
    "document.review_agreed": _l("%(who)s đồng ý với dự thảo %(what)s"),
    "document.review_changes_requested": _l("%(who)s đề nghị sửa dự thảo %(what)s"),
    "document.approve": _l("%(who)s phê duyệt %(what)s"),
    "document.reject": _l("%(who)s trả lại dự thảo %(what)s"),
    "document.issue": _l("%(who)s ban hành %(what)s"),
    "document.cancel": _l("%(who)s huỷ dự thảo %(what)s"),
    "document.withdraw": _l("%(who)s thu hồi %(what)s"),
    "document.withdraw_request": _l("%(who)s đề nghị thu hồi %(what)s"),
    "document.withdraw_refuse": _l("%(who)s từ chối đề nghị thu hồi %(what)s"),
    "document.acknowledge": _l("%(who)s xác nhận đã đọc %(what)s"),
    "document.periodic_review": _l("%(who)s xem xét định kỳ %(what)s"),
    "document.import_docx": _l("%(who)s nhập từ tệp Word %(what)s"),
    "document.record_history": _l("%(who)s ghi nhận lần ban hành trước đây của %(what)s"),
    "finding.raise": _l("%(who)s ghi nhận phát hiện %(what)s"),
    "finding.propose": _l("%(who)s đề xuất hành động khắc phục cho %(what)s"),
    "finding.return": _l("%(who)s trả lại đề xuất của %(what)s"),
    "finding.accept": _l("%(who)s chấp nhận hành động khắc phục của %(what)s"),
    "finding.implement": _l("%(who)s báo cáo đã thực hiện hành động của %(what)s"),
    "finding.verify": _l("%(who)s xác minh có hiệu lực hành động của %(what)s"),
    "finding.ineffective": _l("%(who)s xác minh không hiệu lực hành động của %(what)s"),
    "finding.close": _l("%(who)s đóng %(what)s"),
    "finding.dismiss": _l("%(who)s đóng, không cần hành động, %(what)s"),
    "finding.attach": _l("%(who)s đính kèm bằng chứng vào %(what)s"),
    "finding.revise": _l("%(who)s mở sửa đổi tài liệu cho %(what)s"),
    "audit.plan": _l("%(who)s lập kế hoạch đánh giá nội bộ %(what)s"),
    "audit.edit": _l("%(who)s sửa kế hoạch đánh giá %(what)s"),
    "audit.declare_conflict": _l("%(who)s khai báo xung đột lợi ích trong %(what)s"),
    "audit.checklist": _l("%(who)s tạo danh mục kiểm tra của %(what)s"),
    "audit.add_item": _l("%(who)s thêm câu hỏi vào %(what)s"),
    "audit.start": _l("%(who)s bắt đầu cuộc đánh giá %(what)s"),
    "audit.fill": _l("%(who)s ghi kết quả kiểm tra trong %(what)s"),
    "audit.complete": _l("%(who)s hoàn thành cuộc đánh giá %(what)s"),
    "audit.cancel": _l("%(who)s huỷ cuộc đánh giá %(what)s"),
    "audit.programme": _l("%(who)s lập chương trình đánh giá nội bộ %(what)s"),
    "agency.create": _l("%(who)s tạo đơn vị %(what)s"),
    "agency.edit": _l("%(who)s sửa thông tin đơn vị %(what)s"),
    "agency.set_status": _l("%(who)s cập nhật trạng thái HTQLCL của %(what)s"),
    "agency.dissolve": _l("%(who)s giải thể hoặc sáp nhập %(what)s"),
    "registry.import": _l("%(who)s nhập danh mục đơn vị %(what)s"),
    "auth.login": _l("%(who)s đăng nhập"),
    "auth.logout": _l("%(who)s đăng xuất"),
    "auth.login_failed": _l("%(who)s đăng nhập không thành công"),
    "user.create": _l("%(who)s tạo tài khoản %(what)s"),
    "user.change_password": _l("%(who)s đổi mật khẩu"),
    "user.reset_password": _l("%(who)s đặt lại mật khẩu của %(what)s"),
    "user.activate": _l("%(who)s mở lại tài khoản %(what)s"),
    "user.deactivate": _l("%(who)s khoá tài khoản %(what)s"),
    "membership.add": _l("%(who)s gán vai trò cho %(what)s"),
    "membership.remove": _l("%(who)s bỏ vai trò của %(what)s"),
    "token.create": _l("%(who)s tạo mã truy cập API"),
    "token.revoke": _l("%(who)s thu hồi mã truy cập API của %(what)s"),
    "account.mail_mode": _l("%(who)s chọn cách nhận thư"),
    "tthc.stage_import": _l("%(who)s tải lên danh mục TTHC %(what)s"),
    "tthc.apply_import": _l("%(who)s áp dụng danh mục TTHC %(what)s"),
    "tthc.map_body": _l("%(who)s gán cơ quan giải quyết TTHC %(what)s"),
    "tthc.model_publish": _l("%(who)s công bố quy trình mẫu %(what)s"),
    "objective.create": _l("%(who)s đặt mục tiêu chất lượng %(what)s"),
    "objective.measure": _l("%(who)s nhập kết quả mục tiêu %(what)s"),
    "objective.correct": _l("%(who)s sửa kết quả mục tiêu %(what)s"),
    "risk.register": _l("%(who)s ghi nhận rủi ro %(what)s"),
    "risk.action": _l("%(who)s thêm biện pháp xử lý rủi ro %(what)s"),
    "risk.action_done": _l("%(who)s hoàn thành biện pháp xử lý rủi ro %(what)s"),
    "risk.scale": _l("%(who)s đặt thang đánh giá rủi ro %(what)s"),
    "auth.login_locked": _l("%(who)s bị tạm khoá đăng nhập do nhập sai nhiều lần"),
    "user.job_title": _l("%(who)s sửa chức vụ của %(what)s"),
    "objective.edit": _l("%(who)s sửa mục tiêu chất lượng %(what)s"),
    "objective.import": _l("%(who)s nhập mục tiêu chất lượng từ tệp CSV %(what)s"),
    "risk.link_finding": _l("%(who)s liên kết phát hiện với rủi ro %(what)s"),
    "risk.unlink_finding": _l("%(who)s bỏ liên kết phát hiện khỏi rủi ro %(what)s"),
    "risk.reassess": _l("%(who)s đánh giá lại rủi ro %(what)s"),
    "programme.create": _l("%(who)s lập kế hoạch triển khai %(what)s"),
    "programme.import": _l("%(who)s nhập chỉ tiêu kế hoạch từ tệp %(what)s"),
    "programme.rates": _l("%(who)s cập nhật định mức kinh phí của kế hoạch %(what)s"),
    "programme.target_add": _l("%(who)s thêm chỉ tiêu vào kế hoạch %(what)s"),
    "programme.target_remove": _l("%(who)s bỏ chỉ tiêu khỏi kế hoạch %(what)s"),
    "declaration.record": _l("%(who)s ghi nhận công bố HTQLCL %(what)s"),
    "inspection.record": _l("%(who)s ghi nhận cuộc kiểm tra %(what)s"),
    "inspection.conclude": _l("%(who)s kết luận cuộc kiểm tra %(what)s"),
    "consultant.create": _l("%(who)s thêm tổ chức tư vấn %(what)s"),
    "consultant.engage": _l("%(who)s ghi nhận hợp đồng tư vấn %(what)s"),
    "consultant.visit": _l("%(who)s ghi nhận giám sát tư vấn %(what)s"),
    "finding.trace": _l("%(who)s ghi nguồn gốc phát hiện %(what)s"),
    "records.place": _l("%(who)s cập nhật nơi lưu hồ sơ %(what)s"),
    "report.edit": _l("%(who)s lưu báo cáo hằng năm %(what)s"),
    "report.send": _l("%(who)s trình lãnh đạo báo cáo hằng năm %(what)s"),
    "report.return": _l("%(who)s trả lại báo cáo hằng năm %(what)s"),
    "report.approve": _l("%(who)s phê duyệt báo cáo hằng năm %(what)s"),
    "report.submit": _l("%(who)s gửi Sở KH&CN báo cáo hằng năm %(what)s"),
    "report.deadline": _l("%(who)s đặt hạn nộp báo cáo hằng năm %(what)s"),
    "review.record": _l("%(who)s ghi nhận cuộc họp xem xét của lãnh đạo %(what)s"),
    "review.inputs": _l("%(who)s cập nhật đầu vào xem xét của lãnh đạo %(what)s"),
    "review.refresh": _l("%(who)s lấy lại số liệu đầu vào xem xét %(what)s"),
    "review.action": _l("%(who)s giao quyết định của cuộc họp xem xét %(what)s"),
    "review.action_report": _l("%(who)s báo cáo đã thực hiện quyết định %(what)s"),
    "review.action_verify": _l("%(who)s xác nhận quyết định đã thực hiện %(what)s"),
    "training.course": _l("%(who)s ghi nhận khoá đào tạo %(what)s"),
    "training.certificate": _l("%(who)s ghi nhận chứng chỉ %(what)s"),
    "succession.adopt": _l("%(who)s tiếp nhận tài liệu của đơn vị sáp nhập %(what)s"),
}

# what to filter the log by, in words (the filter's values stay the action prefixes)
GROUPS: list[tuple[str, str]] = [
    ("document.", _l("Tài liệu")), ("finding.", _l("Phát hiện, hành động khắc phục")),
    ("audit.", _l("Đánh giá nội bộ")), ("objective.", _l("Mục tiêu chất lượng")),
    ("risk.", _l("Rủi ro và cơ hội")), ("tthc.", _l("Thủ tục hành chính")),
    ("agency.", _l("Đơn vị")), ("registry.", _l("Danh mục đơn vị")),
    ("auth.", _l("Đăng nhập, đăng xuất")), ("user.", _l("Tài khoản")),
    ("membership.", _l("Vai trò")), ("token.", _l("Mã truy cập API")),
    ("account.", _l("Cài đặt tài khoản")), ("programme.", _l("Kế hoạch của tỉnh")),
    ("declaration.", _l("Công bố HTQLCL")), ("inspection.", _l("Kiểm tra của Sở KH&CN")),
    ("consultant.", _l("Tổ chức tư vấn")), ("report.", _l("Báo cáo hằng năm")),
    ("review.", _l("Xem xét của lãnh đạo")), ("training.", _l("Đào tạo")),
    ("records.", _l("Hồ sơ")), ("succession.", _l("Sáp nhập")),
]

# objects whose audit row names them by a code written first in the summary ("PH-01: …")
CODED_SUMMARIES = {"finding", "audit", "objective", "risk"}
ACTORS = {"cli": _l("Quản trị (dòng lệnh)"), "web": _l("Người chưa đăng nhập")}
TRANSITION = re.compile(  # a transition as older rows and finding rows write it
    r"^(?:bản (\d+): )?([\w ]+?) → ([\w ]+?)(?: — (.*))?$", re.DOTALL)  # i18n: vi-only
# the summaries documents/services.py writes (in Vietnamese, stored): read, then worded
ISSUED = re.compile(
    r"^lần (\d+), hiệu lực từ (\d\d/\d\d/\d{4})(.*)$", re.DOTALL)  # i18n: vi-only
REVISION = re.compile(r"^lần (\d+)$")  # i18n: vi-only
DRAFT = re.compile(r"^\(dự thảo (\d+)\)(.*)$", re.DOTALL)  # i18n: vi-only
KNOWN = {
    "xem xét định kỳ, không thay đổi":  # i18n: vi-only
        _l("xem xét định kỳ, không thay đổi"),
}


@dataclass
class Line:
    entry: AuditEntry
    sentence: str


def actor_name(entry: AuditEntry, names: dict[int, str]) -> str:
    if entry.user_id is not None and entry.user_id in names:
        return names[entry.user_id]
    return str(ACTORS.get(entry.username, entry.username))


def _object(entry: AuditEntry, agencies: dict[int, str]) -> tuple[str, str]:
    """The object's name and what is left of the summary to say after it."""
    summary = entry.summary or ""
    kind, ident = entry.object_type, entry.object_id
    if kind == "document":
        return ident.rpartition("/")[2], summary
    if kind in CODED_SUMMARIES and ": " in summary:
        code, _sep, rest = summary.partition(": ")
        return code, rest
    if kind == "agency":
        return agencies.get(entry.agency_id or -1, ident), summary
    if kind == "user" and entry.action in ("auth.login", "auth.logout", "auth.login_failed",
                                           "user.change_password", "account.mail_mode",
                                           "token.create"):
        return "", summary  # the actor's own account: nothing to name twice
    return ident, summary


def _worded(action: str, values: dict[str, str], rest: str) -> tuple[str, str]:
    """The sentence with what the summary says that can be worded, and what is left of
    the summary (the record as written) to follow it."""
    issued = ISSUED.match(rest)
    if issued is not None:
        values = values | {"number": issued.group(1), "date": issued.group(2)}
        rest = issued.group(3).strip()
        if action == "document.issue":
            return _("%(who)s ban hành %(what)s lần %(number)s, hiệu lực từ %(date)s",
                     **values), rest
        return _("%(sentence)s lần %(number)s, hiệu lực từ %(date)s",
                 sentence=_plain(action, values), **values), rest
    text = _plain(action, values)
    if (revision := REVISION.match(rest)) is not None:
        return _("%(sentence)s lần %(number)s", sentence=text, number=revision.group(1)), ""
    draft = DRAFT.match(rest)
    seq = draft.group(1) if draft else None
    if draft is not None:
        rest = draft.group(2).strip()
    elif (moved := TRANSITION.match(rest)) is not None:
        # "bản 1: approved → issued — comment" (older rows, finding rows): the verb
        # already says the move; the draft's number and the comment remain
        seq, _before, _after, comment = moved.groups()
        rest = f"— {comment}" if comment else ""
    if seq:
        text = _("%(sentence)s (dự thảo %(seq)s)", sentence=text, seq=seq)
    if rest in KNOWN:
        return _("%(sentence)s: %(detail)s", sentence=text, detail=KNOWN[rest]), ""
    return text, rest


def _plain(action: str, values: dict[str, str]) -> str:
    template = SENTENCES.get(action)
    if template is None:
        return _("%(who)s %(action)s %(what)s", **values).strip()
    return (str(template) % values).strip()


def sentence(entry: AuditEntry, names: dict[int, str], agencies: dict[int, str]) -> str:
    what, rest = _object(entry, agencies)
    values = {"who": actor_name(entry, names), "what": what, "action": entry.action}
    text, rest = _worded(entry.action, values, rest.strip())
    if not rest:
        return text
    if rest.startswith("— "):
        return _("%(sentence)s — %(comment)s", sentence=text, comment=rest[2:])
    if rest.startswith(("(", "lần ")):  # i18n: vi-only
        return _("%(sentence)s %(detail)s", sentence=text, detail=rest)
    return _("%(sentence)s: %(detail)s", sentence=text, detail=rest)


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
