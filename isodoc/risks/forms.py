from flask_babel import pgettext
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.i18n import _l
from isodoc.risks.models import KIND_LABELS, STATUS_LABELS


class RiskForm(Form):
    kind = SelectField(_l("Loại"), choices=options(
        (k.value, label) for k, label in KIND_LABELS.items()))
    process_name = StringField(_l("Quá trình / quy trình"), validators=[required(_l("quá trình")),
                                                               max_len(300)])
    document = SelectField(_l("Tài liệu liên quan"), choices=[])
    description = TextAreaField(_l("Mô tả"), validators=[required(_l("mô tả")), max_len(4000)])
    cause = TextAreaField(_l("Nguyên nhân"), validators=[max_len(4000)])
    likelihood = IntegerField(_l("Khả năng xảy ra"), validators=[NumberRange(1, 10)])
    impact = IntegerField(_l("Mức độ ảnh hưởng"), validators=[NumberRange(1, 10)])
    review_date = VnDateField(_l("Ngày xem xét lại (dd/mm/yyyy)"))


class ReassessForm(RiskForm):
    """The periodic review: the same fields but the kind, and the status."""

    kind = None  # a risk stays a risk: WTForms drops a field set to None
    status = SelectField(_l("Trạng thái"), choices=options(
        (s.value, label) for s, label in STATUS_LABELS.items()))


class LinkFindingForm(Form):
    finding = SelectField(_l("Phát hiện của đơn vị"), choices=[])


class ActionForm(Form):
    action = TextAreaField(_l("Hành động"), validators=[required(_l("hành động")), max_len(4000)])
    owner = SelectField(choices=[])
    due_date = VnDateField(_l("Hạn hoàn thành (dd/mm/yyyy)"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # the person who will carry the action out (elsewhere "Người thực hiện" is who did it)
        self.owner.label.text = pgettext("action owner", "Người thực hiện")


class ScaleForm(Form):
    likelihood_max = IntegerField(_l("Số bậc khả năng xảy ra"), validators=[NumberRange(3, 10)])
    impact_max = IntegerField(_l("Số bậc mức độ ảnh hưởng"), validators=[NumberRange(3, 10)])
    medium_from = IntegerField(_l("Mức trung bình từ điểm"), validators=[NumberRange(2, 100)])
    high_from = IntegerField(_l("Mức cao từ điểm"), validators=[NumberRange(2, 100), Optional()])
