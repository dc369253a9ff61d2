"""Forms of the plan page (the overseer's): a new plan, a target, the unit rates."""

from __future__ import annotations

from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import NumberRange

from isodoc.agencies.models import AgencyKind
from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.programme.models import Measure
from isodoc.programme.stage import TARGET_STAGES


class PlanForm(Form):
    number = StringField("Số kế hoạch", validators=[required("số kế hoạch"), max_len(64)])
    title = StringField("Tên kế hoạch", validators=[required("tên kế hoạch"), max_len(500)])
    signed_on = VnDateField("Ngày ký (dd/mm/yyyy)")
    first_year = IntegerField("Từ năm", validators=[NumberRange(2000, 2100)])
    last_year = IntegerField("Đến năm", validators=[NumberRange(2000, 2100)])


class TargetForm(Form):
    year = SelectField("Năm", choices=[])
    kind = SelectField("Loại đơn vị", choices=options(
        (k.value, k.label) for k in AgencyKind if k is not AgencyKind.PROVINCE))
    district = SelectField("Phạm vi", choices=[])
    stage = SelectField("Giai đoạn cần đạt", choices=options(
        (s.value, s.label) for s in TARGET_STAGES))
    measure = SelectField("Cách tính", choices=options((m.value, m.label) for m in Measure))
    value = IntegerField("Chỉ tiêu", validators=[NumberRange(0, 100_000)])
    note = StringField("Ghi chú", validators=[max_len(500)])
