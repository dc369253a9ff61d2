from flask_wtf.file import FileField, FileRequired
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from isodoc.documents.models import DocumentKind
from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.i18n import _, _l


def kind_choices():
    """Called when a form is made: the labels in the language of the request."""
    return options((k.value, k.label) for k in DocumentKind)


class DocumentFieldsForm(Form):
    title = StringField(_l("Tên tài liệu"), validators=[required(_l("tên tài liệu")),
                                                        max_len(300)])
    kind = SelectField(_l("Loại tài liệu"), choices=kind_choices)
    tthc_code = StringField(_l("Mã TTHC (nếu có)"), validators=[max_len(32)])
    field = StringField(_l("Lĩnh vực"), validators=[max_len(120)])
    iso_clauses = StringField(_l("Điều khoản ISO 9001:2015"), validators=[max_len(200)])
    review_months = IntegerField(_l("Chu kỳ xem xét (tháng)"), default=12, validators=[
        NumberRange(1, 60, _l("Chu kỳ xem xét phải từ 1 đến 60 tháng."))])
    body = TextAreaField(_l("Nội dung (Markdown)"), validators=[max_len(500_000)])


class NewDocumentForm(DocumentFieldsForm):
    code = StringField(_l("Mã tài liệu"), validators=[required(_l("mã tài liệu")),
                                                      max_len(48)])
    template = HiddenField()


class EditDraftForm(DocumentFieldsForm):
    base_sha = HiddenField()
    change_location = TextAreaField(_l("Vị trí sửa đổi"), validators=[max_len(4000)])
    change_summary = TextAreaField(_l("Nội dung sửa đổi"), validators=[max_len(4000)])
    reason = TextAreaField(_l("Lý do, căn cứ sửa đổi"), validators=[max_len(4000)])


class SubmitForm(Form):
    reviewers = SelectMultipleField(_l("Người xem xét"), choices=[], coerce=str)
    comment = TextAreaField(_l("Ghi chú"), validators=[max_len(2000)])


class CommentForm(Form):
    comment = TextAreaField(_l("Ý kiến"), validators=[max_len(4000)])


class ReviewForm(Form):
    decision = SelectField(_l("Ý kiến xem xét"), choices=lambda: options([
        ("agreed", _("Đồng ý")), ("changes_requested", _("Đề nghị sửa"))]))
    comment = TextAreaField(_l("Nội dung góp ý"), validators=[max_len(4000)])


class IssueForm(Form):
    effective_date = VnDateField(_l("Ngày hiệu lực (dd/mm/yyyy)"),
                                 validators=[required(_l("ngày hiệu lực")), max_len(10)])


class WithdrawForm(Form):
    reason = TextAreaField(_l("Lý do thu hồi"), validators=[required(_l("lý do thu hồi")),
                                                            max_len(4000)])


class DecideWithdrawalForm(Form):
    decision = SelectField(_l("Quyết định"), choices=lambda: options([
        ("confirm", _("Đồng ý thu hồi")), ("refuse", _("Không đồng ý"))]))
    comment = TextAreaField(_l("Ý kiến"), validators=[max_len(2000)])


def tracked_choices():
    return options([
        ("ask", _("Báo cho tôi nếu tệp còn thay đổi được theo dõi (track changes)")),
        ("accept", _("Chấp nhận mọi thay đổi được theo dõi")),
        ("reject", _("Từ chối mọi thay đổi được theo dõi (giữ bản trước khi sửa)")),
    ])


class DocxUploadForm(Form):
    file = FileField(_l("Tệp Word (.docx)"),
                     validators=[FileRequired(_l("Vui lòng chọn tệp .docx."))])
    tracked = SelectField(_l("Thay đổi được theo dõi trong tệp"), choices=tracked_choices,
                          default="ask")


class ImportDocxForm(DocxUploadForm):
    document = SelectField(_l("Nhập thành"), choices=[], coerce=str, default="")


class ImportConfirmForm(NewDocumentForm):
    """The confirmation page: what was detected, editable; what was not found, asked."""

    digest = HiddenField()
    filename = HiddenField()
    attachments = HiddenField()  # the signed list of pictures and embedded forms kept
    document = HiddenField()
    revision = IntegerField(_l("Lần ban hành ghi trong tệp"), validators=[
        Optional(), NumberRange(1, 999, _l("Lần ban hành phải từ 1 đến 999."))])
    issued_on = VnDateField(_l("Ngày ban hành ghi trong tệp (dd/mm/yyyy)"),
                            validators=[max_len(10)])
    drafted_by = StringField(_l("Người soạn thảo"), validators=[max_len(120)])
    reviewed_by = StringField(_l("Người xem xét"), validators=[max_len(120)])
    approved_by = StringField(_l("Người phê duyệt"), validators=[max_len(120)])


class RecordHistoryForm(Form):
    number = IntegerField(_l("Lần ban hành"), validators=[
        required(_l("lần ban hành")), NumberRange(1, 999, _l("Lần ban hành phải từ 1 đến 999."))])
    effective_date = VnDateField(_l("Hiệu lực từ ngày (dd/mm/yyyy)"),
                                 validators=[required(_l("ngày hiệu lực")), max_len(10)])
    reason = TextAreaField(_l("Lý do ghi nhận (ghi vào nhật ký)"),
                           validators=[required(_l("lý do")), max_len(2000)])
