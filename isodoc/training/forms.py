from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField

from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.training.models import CourseKind


class CourseForm(Form):
    kind = SelectField("Loại khoá", choices=options((k.value, k.label) for k in CourseKind))
    title = StringField("Tên khoá đào tạo", validators=[required("tên khoá đào tạo"),
                                                        max_len(300)])
    provider = StringField("Đơn vị đào tạo", validators=[max_len(300)])
    held_from = VnDateField("Từ ngày (dd/mm/yyyy)", validators=[required("ngày bắt đầu")])
    held_to = VnDateField("Đến ngày (dd/mm/yyyy)", validators=[required("ngày kết thúc")])
    attendees = SelectMultipleField("Người tham dự", choices=[])


class CertificateForm(Form):
    person = SelectField("Người được cấp", choices=[])
    number = StringField("Số chứng chỉ", validators=[required("số chứng chỉ"), max_len(64)])
    issuer = StringField("Đơn vị cấp", validators=[required("đơn vị cấp"), max_len(300)])
    issued_on = VnDateField("Ngày cấp (dd/mm/yyyy)", validators=[required("ngày cấp")])
    valid_until = VnDateField("Có hiệu lực đến (để trống nếu không thời hạn)")
    course = SelectField("Khoá đào tạo", choices=[])
    note = TextAreaField("Ghi chú", validators=[max_len(2000)])
