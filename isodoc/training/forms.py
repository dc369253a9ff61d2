from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField

from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.i18n import _l
from isodoc.training.models import CourseKind


class CourseForm(Form):
    # choices as a callable: the labels are read in the request's language
    kind = SelectField(_l("Loại khoá"),
                       choices=lambda: options((k.value, k.label) for k in CourseKind))
    title = StringField(_l("Tên khoá đào tạo"),
                        validators=[required(_l("tên khoá đào tạo")), max_len(300)])
    provider = StringField(_l("Đơn vị đào tạo"), validators=[max_len(300)])
    held_from = VnDateField(_l("Từ ngày (dd/mm/yyyy)"),
                            validators=[required(_l("ngày bắt đầu"))])
    held_to = VnDateField(_l("Đến ngày (dd/mm/yyyy)"), validators=[required(_l("ngày kết thúc"))])
    attendees = SelectMultipleField(_l("Người tham dự"), choices=[])


class CertificateForm(Form):
    person = SelectField(_l("Người được cấp"), choices=[])
    number = StringField(_l("Số chứng chỉ"),
                         validators=[required(_l("số chứng chỉ")), max_len(64)])
    issuer = StringField(_l("Đơn vị cấp"), validators=[required(_l("đơn vị cấp")), max_len(300)])
    issued_on = VnDateField(_l("Ngày cấp (dd/mm/yyyy)"), validators=[required(_l("ngày cấp"))])
    valid_until = VnDateField(_l("Có hiệu lực đến (để trống nếu không thời hạn)"))
    course = SelectField(_l("Khoá đào tạo"), choices=[])
    note = TextAreaField(_l("Ghi chú"), validators=[max_len(2000)])
