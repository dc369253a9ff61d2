from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField

from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.reviews.models import InputTopic, OutputKind
from isodoc.reviews.services import INPUT_MAX


class MeetingForm(Form):
    held_on = VnDateField("Ngày họp (dd/mm/yyyy)", validators=[required("ngày họp")])
    period_start = VnDateField("Kỳ xem xét từ ngày", validators=[required("ngày bắt đầu kỳ")])
    period_end = VnDateField("Đến ngày", validators=[required("ngày kết thúc kỳ")])
    chair = SelectField("Chủ trì", choices=[])
    place = StringField("Địa điểm", validators=[max_len(300)])
    attendees = SelectMultipleField("Thành phần tham dự", choices=[])
    guests = TextAreaField("Khách mời (không phải thành viên của đơn vị)",
                           validators=[max_len(2000)])


class InputsForm(Form):
    conclusion = TextAreaField("Kết luận của cuộc họp", validators=[max_len(INPUT_MAX)])


for _topic in InputTopic:
    setattr(InputsForm, f"input_{_topic.value}",
            TextAreaField(_topic.label, validators=[max_len(INPUT_MAX)]))


class ActionForm(Form):
    kind = SelectField("Loại", choices=options((k.value, k.label) for k in OutputKind))
    decision = TextAreaField("Quyết định, hành động", validators=[
        required("nội dung quyết định, hành động"), max_len(4000)])
    owner = SelectField("Người thực hiện", choices=[])
    due_date = VnDateField("Hạn hoàn thành (dd/mm/yyyy)", validators=[required("hạn hoàn thành")])


class ReportForm(Form):
    result = TextAreaField("Kết quả thực hiện", validators=[required("kết quả thực hiện"),
                                                            max_len(4000)])


class VerifyForm(Form):
    outcome = SelectField("Đánh giá", choices=options([
        ("closed", "Xác nhận hoàn thành"), ("return", "Chưa đạt: trả lại người thực hiện")]))
    note = TextAreaField("Nhận xét", validators=[max_len(4000)])
    new_due = VnDateField("Hạn mới nếu trả lại (dd/mm/yyyy)")
