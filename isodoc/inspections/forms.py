from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import NumberRange

from isodoc.findings.models import FindingType
from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.i18n import _l
from isodoc.inspections.models import ConsultantKind, InspectionMode


class InspectionForm(Form):
    agency = SelectField(_l("Đơn vị được kiểm tra"), choices=[])
    mode = SelectField(_l("Hình thức"), choices=[])
    inspected_on = VnDateField(_l("Ngày kiểm tra (dd/mm/yyyy)"),
                               validators=[required(_l("ngày kiểm tra"))])
    team = TextAreaField(_l("Đoàn kiểm tra (họ tên, chức vụ)"), validators=[
        required(_l("thành phần đoàn kiểm tra")), max_len(2000)])
    scope = TextAreaField(_l("Nội dung, phạm vi kiểm tra"), validators=[
        required(_l("nội dung kiểm tra")), max_len(4000)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # labels in the request's language (built at import they would stay Vietnamese)
        self.mode.choices = options((m.value, m.label) for m in InspectionMode)


class ConcludeForm(Form):
    conclusion = TextAreaField(_l("Kết luận kiểm tra"), validators=[required(_l("kết luận")),
                                                                   max_len(10000)])


class InspectionFindingForm(Form):
    type = SelectField(_l("Loại phát hiện"), choices=[])
    clauses = StringField(_l("Điều khoản ISO 9001:2015"), validators=[
        required(_l("điều khoản")), max_len(200)])
    documents = SelectMultipleField(_l("Tài liệu liên quan"), choices=[])
    requirement = TextAreaField(_l("Yêu cầu (căn cứ)"), validators=[required(_l("yêu cầu")),
                                                                    max_len(10000)])
    observed = TextAreaField(_l("Điều đã thấy (bằng chứng khách quan)"),
                             validators=[required(_l("nội dung phát hiện")), max_len(10000)])
    response_due = VnDateField(_l("Hạn đề xuất hành động (dd/mm/yyyy)"))
    engagement = SelectField(_l("Liên quan đến tài liệu do tư vấn xây dựng"), choices=[])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = options((t.value, t.label) for t in FindingType)


class ConsultantForm(Form):
    name = StringField(_l("Tên tổ chức, chuyên gia"), validators=[required(_l("tên")),
                                                                  max_len(255)])
    kind = SelectField(_l("Loại"), choices=[])
    contact = StringField(_l("Địa chỉ, liên hệ"), validators=[max_len(255)])
    note = TextAreaField(_l("Ghi chú"), validators=[max_len(2000)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = options((k.value, k.label) for k in ConsultantKind)


class EngagementForm(Form):
    agency = SelectField(_l("Cơ quan được tư vấn"), choices=[])
    year = IntegerField(_l("Năm"), validators=[NumberRange(2000, 2100)])
    note = TextAreaField(_l("Nội dung tư vấn"), validators=[max_len(2000)])


class TraceForm(Form):
    code = StringField(_l("Mã phát hiện tại cơ quan này"), validators=[
        required(_l("mã phát hiện")), max_len(20)])


class VisitForm(Form):
    visited_on = VnDateField(_l("Ngày giám sát (dd/mm/yyyy)"),
                             validators=[required(_l("ngày giám sát"))])
    conclusion = TextAreaField(_l("Kết luận giám sát"), validators=[required(_l("kết luận")),
                                                                   max_len(10000)])
