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

KIND_CHOICES = options((k.value, k.label) for k in DocumentKind)


class DocumentFieldsForm(Form):
    title = StringField("Tên tài liệu", validators=[required("tên tài liệu"), max_len(300)])
    kind = SelectField("Loại tài liệu", choices=KIND_CHOICES)
    tthc_code = StringField("Mã TTHC (nếu có)", validators=[max_len(32)])
    field = StringField("Lĩnh vực", validators=[max_len(120)])
    iso_clauses = StringField("Điều khoản ISO 9001:2015", validators=[max_len(200)])
    review_months = IntegerField("Chu kỳ xem xét (tháng)", default=12, validators=[
        NumberRange(1, 60, "Chu kỳ xem xét phải từ 1 đến 60 tháng.")])
    body = TextAreaField("Nội dung (Markdown)", validators=[max_len(500_000)])


class NewDocumentForm(DocumentFieldsForm):
    code = StringField("Mã tài liệu", validators=[required("mã tài liệu"), max_len(48)])
    template = HiddenField()


class EditDraftForm(DocumentFieldsForm):
    base_sha = HiddenField()
    change_location = TextAreaField("Vị trí sửa đổi", validators=[max_len(4000)])
    change_summary = TextAreaField("Nội dung sửa đổi", validators=[max_len(4000)])
    reason = TextAreaField("Lý do, căn cứ sửa đổi", validators=[max_len(4000)])


class SubmitForm(Form):
    reviewers = SelectMultipleField("Người xem xét", choices=[], coerce=str)
    comment = TextAreaField("Ghi chú", validators=[max_len(2000)])


class CommentForm(Form):
    comment = TextAreaField("Ý kiến", validators=[max_len(4000)])


class ReviewForm(Form):
    decision = SelectField("Ý kiến xem xét", choices=options([
        ("agreed", "Đồng ý"), ("changes_requested", "Đề nghị sửa")]))
    comment = TextAreaField("Nội dung góp ý", validators=[max_len(4000)])


class IssueForm(Form):
    effective_date = VnDateField("Ngày hiệu lực (dd/mm/yyyy)",
                                 validators=[required("ngày hiệu lực"), max_len(10)])


class WithdrawForm(Form):
    reason = TextAreaField("Lý do thu hồi", validators=[required("lý do thu hồi"),
                                                        max_len(4000)])


class DecideWithdrawalForm(Form):
    decision = SelectField("Quyết định", choices=options([("confirm", "Đồng ý thu hồi"),
                                                         ("refuse", "Không đồng ý")]))
    comment = TextAreaField("Ý kiến", validators=[max_len(2000)])


TRACKED_CHOICES = options([
    ("ask", "Báo cho tôi nếu tệp còn thay đổi được theo dõi (track changes)"),
    ("accept", "Chấp nhận mọi thay đổi được theo dõi"),
    ("reject", "Từ chối mọi thay đổi được theo dõi (giữ bản trước khi sửa)"),
])


class DocxUploadForm(Form):
    file = FileField("Tệp Word (.docx)", validators=[FileRequired("Vui lòng chọn tệp .docx.")])
    tracked = SelectField("Thay đổi được theo dõi trong tệp", choices=TRACKED_CHOICES,
                          default="ask")


class ImportDocxForm(DocxUploadForm):
    document = SelectField("Nhập thành", choices=[], coerce=str, default="")


class ImportConfirmForm(NewDocumentForm):
    """The confirmation page: what was detected, editable; what was not found, asked."""

    digest = HiddenField()
    filename = HiddenField()
    attachments = HiddenField()  # the signed list of pictures and embedded forms kept
    document = HiddenField()
    revision = IntegerField("Lần ban hành ghi trong tệp", validators=[
        Optional(), NumberRange(1, 999, "Lần ban hành phải từ 1 đến 999.")])
    issued_on = VnDateField("Ngày ban hành ghi trong tệp (dd/mm/yyyy)",
                            validators=[max_len(10)])
    drafted_by = StringField("Người soạn thảo", validators=[max_len(120)])
    reviewed_by = StringField("Người xem xét", validators=[max_len(120)])
    approved_by = StringField("Người phê duyệt", validators=[max_len(120)])


class RecordHistoryForm(Form):
    number = IntegerField("Lần ban hành", validators=[
        required("lần ban hành"), NumberRange(1, 999, "Lần ban hành phải từ 1 đến 999.")])
    effective_date = VnDateField("Hiệu lực từ ngày (dd/mm/yyyy)",
                                 validators=[required("ngày hiệu lực"), max_len(10)])
    reason = TextAreaField("Lý do ghi nhận (ghi vào nhật ký)",
                           validators=[required("lý do"), max_len(2000)])
