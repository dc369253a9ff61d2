"""Forms of the plan page (the overseer's): a new plan, a target, the unit rates."""

from __future__ import annotations

from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import NumberRange

from isodoc.agencies.models import AgencyKind
from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.i18n import _l
from isodoc.programme.models import Measure
from isodoc.programme.stage import TARGET_STAGES


class PlanForm(Form):
    number = StringField(_l("Số kế hoạch"), validators=[required(_l("số kế hoạch")),
                                                        max_len(64)])
    title = StringField(_l("Tên kế hoạch"), validators=[required(_l("tên kế hoạch")),
                                                        max_len(500)])
    signed_on = VnDateField(_l("Ngày ký (dd/mm/yyyy)"))
    first_year = IntegerField(_l("Từ năm"), validators=[NumberRange(2000, 2100)])
    last_year = IntegerField(_l("Đến năm"), validators=[NumberRange(2000, 2100)])


class TargetForm(Form):
    year = SelectField(_l("Năm"), choices=[])
    kind = SelectField(_l("Loại đơn vị"), choices=[])
    district = SelectField(_l("Phạm vi"), choices=[])
    stage = SelectField(_l("Giai đoạn cần đạt"), choices=[])
    measure = SelectField(_l("Cách tính"), choices=[])
    value = IntegerField(_l("Chỉ tiêu"), validators=[NumberRange(0, 100_000)])
    note = StringField(_l("Ghi chú"), validators=[max_len(500)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # labels in the request's language (built at import they would stay Vietnamese)
        self.kind.choices = options(
            (k.value, k.label) for k in AgencyKind if k is not AgencyKind.PROVINCE)
        self.stage.choices = options((s.value, s.label) for s in TARGET_STAGES)
        self.measure.choices = options((m.value, m.label) for m in Measure)
