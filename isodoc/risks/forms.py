from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.risks.models import RiskKind, RiskStatus


class RiskForm(Form):
    kind = SelectField("Loại", choices=options((k.value, k.label) for k in RiskKind))
    process_name = StringField("Quá trình / quy trình", validators=[required("quá trình"),
                                                               max_len(300)])
    document = SelectField("Tài liệu liên quan", choices=[])
    description = TextAreaField("Mô tả", validators=[required("mô tả"), max_len(4000)])
    cause = TextAreaField("Nguyên nhân", validators=[max_len(4000)])
    likelihood = IntegerField("Khả năng xảy ra", validators=[NumberRange(1, 10)])
    impact = IntegerField("Mức độ ảnh hưởng", validators=[NumberRange(1, 10)])
    review_date = VnDateField("Ngày xem xét lại (dd/mm/yyyy)")


class ReassessForm(RiskForm):
    """The periodic review: the same fields but the kind, and the status."""

    kind = None  # a risk stays a risk: WTForms drops a field set to None
    status = SelectField("Trạng thái", choices=options((s.value, s.label) for s in RiskStatus))


class LinkFindingForm(Form):
    finding = SelectField("Phát hiện của đơn vị", choices=[])


class ActionForm(Form):
    action = TextAreaField("Hành động", validators=[required("hành động"), max_len(4000)])
    owner = SelectField("Người thực hiện", choices=[])
    due_date = VnDateField("Hạn hoàn thành (dd/mm/yyyy)")


class ScaleForm(Form):
    likelihood_max = IntegerField("Số bậc khả năng xảy ra", validators=[NumberRange(3, 10)])
    impact_max = IntegerField("Số bậc mức độ ảnh hưởng", validators=[NumberRange(3, 10)])
    medium_from = IntegerField("Mức trung bình từ điểm", validators=[NumberRange(2, 100)])
    high_from = IntegerField("Mức cao từ điểm", validators=[NumberRange(2, 100), Optional()])
