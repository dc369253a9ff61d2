from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import NumberRange

from isodoc.findings.models import FindingType
from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.inspections.models import ConsultantKind, InspectionMode


class InspectionForm(Form):
    agency = SelectField("Đơn vị được kiểm tra", choices=[])
    mode = SelectField("Hình thức", choices=options((m.value, m.label) for m in InspectionMode))
    inspected_on = VnDateField("Ngày kiểm tra (dd/mm/yyyy)", validators=[required("ngày kiểm tra")])
    team = TextAreaField("Đoàn kiểm tra (họ tên, chức vụ)", validators=[
        required("thành phần đoàn kiểm tra"), max_len(2000)])
    scope = TextAreaField("Nội dung, phạm vi kiểm tra", validators=[
        required("nội dung kiểm tra"), max_len(4000)])


class ConcludeForm(Form):
    conclusion = TextAreaField("Kết luận kiểm tra", validators=[required("kết luận"),
                                                               max_len(10000)])


class InspectionFindingForm(Form):
    type = SelectField("Loại phát hiện", choices=options((t.value, t.label) for t in FindingType))
    clauses = StringField("Điều khoản ISO 9001:2015", validators=[required("điều khoản"),
                                                                  max_len(200)])
    documents = SelectMultipleField("Tài liệu liên quan", choices=[])
    requirement = TextAreaField("Yêu cầu (căn cứ)", validators=[required("yêu cầu"),
                                                                max_len(10000)])
    observed = TextAreaField("Điều đã thấy (bằng chứng khách quan)",
                             validators=[required("nội dung phát hiện"), max_len(10000)])
    response_due = VnDateField("Hạn đề xuất hành động (dd/mm/yyyy)")
    engagement = SelectField("Liên quan đến tài liệu do tư vấn xây dựng", choices=[])


class ConsultantForm(Form):
    name = StringField("Tên tổ chức, chuyên gia", validators=[required("tên"), max_len(255)])
    kind = SelectField("Loại", choices=options((k.value, k.label) for k in ConsultantKind))
    contact = StringField("Địa chỉ, liên hệ", validators=[max_len(255)])
    note = TextAreaField("Ghi chú", validators=[max_len(2000)])


class EngagementForm(Form):
    agency = SelectField("Cơ quan được tư vấn", choices=[])
    year = IntegerField("Năm", validators=[NumberRange(2000, 2100)])
    note = TextAreaField("Nội dung tư vấn", validators=[max_len(2000)])


class TraceForm(Form):
    code = StringField("Mã phát hiện tại cơ quan này", validators=[required("mã phát hiện"),
                                                                     max_len(20)])


class VisitForm(Form):
    visited_on = VnDateField("Ngày giám sát (dd/mm/yyyy)", validators=[required("ngày giám sát")])
    conclusion = TextAreaField("Kết luận giám sát", validators=[required("kết luận"),
                                                               max_len(10000)])
