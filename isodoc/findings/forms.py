from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired

from isodoc.findings.models import FindingSource, FindingType
from isodoc.forms import Form, VnDateField, max_len, options, required


class FindingForm(Form):
    # no type is preselected: the auditor chooses (a default would file a nonconformity
    # as whatever came first in the list)
    type = SelectField("Loại phát hiện", choices=options(
        [("", "— Chọn loại phát hiện —"), *((t.value, t.label) for t in FindingType)]),
        validators=[DataRequired("Vui lòng chọn loại phát hiện.")])
    clauses = StringField("Điều khoản ISO 9001:2015", validators=[required("điều khoản"),
                                                                  max_len(200)])
    documents = SelectMultipleField("Tài liệu liên quan", choices=[])
    requirement = TextAreaField("Yêu cầu (căn cứ)", validators=[required("yêu cầu"),
                                                                max_len(10000)])
    observed = TextAreaField("Điều đã thấy (bằng chứng khách quan)",
                             validators=[required("nội dung phát hiện"), max_len(10000)])
    source = SelectField("Nguồn", choices=options(
        (s.value, s.label) for s in FindingSource
        if s not in (FindingSource.AUDIT, FindingSource.OBJECTIVE, FindingSource.INSPECTION,
                     FindingSource.SURVEY)))
    source_note = StringField("Số phiếu phản ánh, mã hồ sơ…", validators=[max_len(300)])
    response_due = VnDateField("Hạn đề xuất hành động (dd/mm/yyyy)")
    audit = HiddenField()
    item = HiddenField()


class ProposeForm(Form):
    correction = TextAreaField("Khắc phục tức thời (sửa chữa)", validators=[max_len(10000)])
    root_cause = TextAreaField("Nguyên nhân gốc rễ", validators=[max_len(10000)])
    whys = TextAreaField("5 câu hỏi «tại sao» (mỗi dòng một câu, không bắt buộc)",
                         validators=[max_len(10000)])
    action_plan = TextAreaField("Hành động khắc phục", validators=[max_len(10000)])
    owner = SelectField("Người thực hiện", choices=[])
    due_date = VnDateField("Hạn hoàn thành (dd/mm/yyyy)")


class AcceptForm(Form):
    verify_after = VnDateField("Xác minh hiệu lực từ ngày (dd/mm/yyyy)",
                               validators=[required("ngày bắt đầu xác minh hiệu lực")])
    comment = TextAreaField("Ý kiến", validators=[required("ý kiến khi chấp nhận"),
                                                  max_len(10000)])


class CommentForm(Form):
    comment = TextAreaField("Ý kiến", validators=[max_len(10000)])


class ImplementForm(Form):
    report = TextAreaField("Kết quả thực hiện, bằng chứng", validators=[max_len(10000)])


class VerifyForm(Form):
    note = TextAreaField("Kết quả xác minh", validators=[max_len(10000)])


class ReviseForm(Form):
    document = SelectField("Tài liệu cần sửa đổi", choices=[])


class AttachForm(Form):
    file = FileField("Tệp bằng chứng (PDF, ảnh, Word, Excel; tối đa 10 MB)",
                     validators=[FileRequired("Vui lòng chọn tệp.")])
