from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from isodoc.agencies.models import AgencyKind, QmsStatus
from isodoc.forms import Form, VnDateField, max_len, options, required

KIND_CHOICES = options((k.value, k.label) for k in AgencyKind)
STATUS_CHOICES = options((s.value, s.label) for s in QmsStatus)
YEAR = [Optional(), NumberRange(2000, 2100, "Năm kế hoạch phải trong khoảng 2000–2100.")]


class AgencyCreateForm(Form):
    code = StringField("Mã đơn vị", validators=[required("mã đơn vị"), max_len(64)])
    name = StringField("Tên đơn vị", validators=[required("tên đơn vị"), max_len(255)])
    kind = SelectField("Loại đơn vị", choices=KIND_CHOICES)
    plan_year = IntegerField("Năm hoàn thành theo kế hoạch", validators=YEAR)


class AgencyEditForm(Form):
    name = StringField("Tên đơn vị", validators=[required("tên đơn vị"), max_len(255)])
    kind = SelectField("Loại đơn vị", choices=KIND_CHOICES)
    parent = SelectField("Đơn vị cấp trên", choices=[])
    plan_year = IntegerField("Năm hoàn thành theo kế hoạch", validators=YEAR)


class DissolveForm(Form):
    on = VnDateField("Từ ngày (dd/mm/yyyy)", validators=[required("ngày"), max_len(10)])
    successor = SelectField("Sáp nhập vào (để trống nếu giải thể)", choices=[])
