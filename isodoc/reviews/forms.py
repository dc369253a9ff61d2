from flask_babel import pgettext
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField

from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.i18n import _l
from isodoc.reviews.models import OUTPUT_LABELS, TOPIC_LABELS, InputTopic
from isodoc.reviews.services import INPUT_MAX


class MeetingForm(Form):
    held_on = VnDateField(_l("Ngày họp (dd/mm/yyyy)"), validators=[required(_l("ngày họp"))])
    period_start = VnDateField(_l("Kỳ xem xét từ ngày"),
                               validators=[required(_l("ngày bắt đầu kỳ"))])
    period_end = VnDateField(_l("Đến ngày"), validators=[required(_l("ngày kết thúc kỳ"))])
    chair = SelectField(_l("Chủ trì"), choices=[])
    place = StringField(_l("Địa điểm"), validators=[max_len(300)])
    attendees = SelectMultipleField(_l("Thành phần tham dự"), choices=[])
    guests = TextAreaField(_l("Khách mời (không phải thành viên của đơn vị)"),
                           validators=[max_len(2000)])


class InputsForm(Form):
    conclusion = TextAreaField(_l("Kết luận của cuộc họp"), validators=[max_len(INPUT_MAX)])


for _topic in InputTopic:
    setattr(InputsForm, f"input_{_topic.value}",
            TextAreaField(TOPIC_LABELS[_topic], validators=[max_len(INPUT_MAX)]))


class ActionForm(Form):
    kind = SelectField(_l("Loại"), choices=options(
        (k.value, label) for k, label in OUTPUT_LABELS.items()))
    decision = TextAreaField(_l("Quyết định, hành động"), validators=[
        required(_l("nội dung quyết định, hành động")), max_len(4000)])
    owner = SelectField(choices=[])
    due_date = VnDateField(_l("Hạn hoàn thành (dd/mm/yyyy)"),
                           validators=[required(_l("hạn hoàn thành"))])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # the person who will carry the action out (elsewhere "Người thực hiện" is who did it)
        self.owner.label.text = pgettext("action owner", "Người thực hiện")


class ReportForm(Form):
    result = TextAreaField(_l("Kết quả thực hiện"), validators=[
        required(_l("kết quả thực hiện")), max_len(4000)])


class VerifyForm(Form):
    outcome = SelectField(_l("Đánh giá"), choices=options([
        ("closed", _l("Xác nhận hoàn thành")),
        ("return", _l("Chưa đạt: trả lại người thực hiện"))]))
    note = TextAreaField(_l("Nhận xét"), validators=[max_len(4000)])
    new_due = VnDateField(_l("Hạn mới nếu trả lại (dd/mm/yyyy)"))
