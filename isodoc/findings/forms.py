from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired

from isodoc.findings.models import FindingSource, FindingType
from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.i18n import _, _l


class FindingForm(Form):
    # no type is preselected: the auditor chooses (a default would file a nonconformity
    # as whatever came first in the list); choices are callables, read in the request's
    # language
    type = SelectField(_l("Loại phát hiện"), choices=lambda: options(
        [("", _("— Chọn loại phát hiện —")), *((t.value, t.label) for t in FindingType)]),
        validators=[DataRequired(_l("Vui lòng chọn loại phát hiện."))])
    clauses = StringField(_l("Điều khoản ISO 9001:2015"),
                          validators=[required(_l("điều khoản")), max_len(200)])
    documents = SelectMultipleField(_l("Tài liệu liên quan"), choices=[])
    requirement = TextAreaField(_l("Yêu cầu (căn cứ)"),
                                validators=[required(_l("yêu cầu")), max_len(10000)])
    observed = TextAreaField(_l("Điều đã thấy (bằng chứng khách quan)"),
                             validators=[required(_l("nội dung phát hiện")), max_len(10000)])
    source = SelectField(_l("Nguồn"), choices=lambda: options(
        (s.value, s.label) for s in FindingSource
        if s not in (FindingSource.AUDIT, FindingSource.OBJECTIVE, FindingSource.INSPECTION,
                     FindingSource.SURVEY)))
    source_note = StringField(_l("Số phiếu phản ánh, mã hồ sơ…"), validators=[max_len(300)])
    response_due = VnDateField(_l("Hạn đề xuất hành động (dd/mm/yyyy)"))
    audit = HiddenField()
    item = HiddenField()


class ProposeForm(Form):
    correction = TextAreaField(_l("Khắc phục tức thời (sửa chữa)"), validators=[max_len(10000)])
    root_cause = TextAreaField(_l("Nguyên nhân gốc rễ"), validators=[max_len(10000)])
    whys = TextAreaField(_l("5 câu hỏi «tại sao» (mỗi dòng một câu, không bắt buộc)"),
                         validators=[max_len(10000)])
    action_plan = TextAreaField(_l("Hành động khắc phục"), validators=[max_len(10000)])
    owner = SelectField(_l("Người thực hiện"), choices=[])
    due_date = VnDateField(_l("Hạn hoàn thành (dd/mm/yyyy)"))


class AcceptForm(Form):
    verify_after = VnDateField(_l("Xác minh hiệu lực từ ngày (dd/mm/yyyy)"),
                               validators=[required(_l("ngày bắt đầu xác minh hiệu lực"))])
    comment = TextAreaField(_l("Ý kiến"), validators=[required(_l("ý kiến khi chấp nhận")),
                                                      max_len(10000)])


class CommentForm(Form):
    comment = TextAreaField(_l("Ý kiến"), validators=[max_len(10000)])


class ImplementForm(Form):
    report = TextAreaField(_l("Kết quả thực hiện, bằng chứng"), validators=[max_len(10000)])


class VerifyForm(Form):
    note = TextAreaField(_l("Kết quả xác minh"), validators=[max_len(10000)])


class ReviseForm(Form):
    document = SelectField(_l("Tài liệu cần sửa đổi"), choices=[])


class AttachForm(Form):
    file = FileField(_l("Tệp bằng chứng (PDF, ảnh, Word, Excel; tối đa 10 MB)"),
                     validators=[FileRequired(_l("Vui lòng chọn tệp."))])
