from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from isodoc.agencies.models import KIND_LABELS, STATUS_LABELS, AgencyKind, QmsStatus
from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.i18n import _l

KIND_CHOICES = options((k.value, KIND_LABELS[k.value]) for k in AgencyKind)
STATUS_CHOICES = options((s.value, STATUS_LABELS[s.value]) for s in QmsStatus)
YEAR = [Optional(), NumberRange(2000, 2100, _l("Năm kế hoạch phải trong khoảng 2000–2100."))]


class AgencyCreateForm(Form):
    code = StringField(_l("Mã đơn vị"), validators=[required(_l("mã đơn vị")), max_len(64)])
    name = StringField(_l("Tên đơn vị"), validators=[required(_l("tên đơn vị")), max_len(255)])
    kind = SelectField(_l("Loại đơn vị"), choices=KIND_CHOICES)
    plan_year = IntegerField(_l("Năm hoàn thành theo kế hoạch"), validators=YEAR)


class AgencyEditForm(Form):
    name = StringField(_l("Tên đơn vị"), validators=[required(_l("tên đơn vị")), max_len(255)])
    kind = SelectField(_l("Loại đơn vị"), choices=KIND_CHOICES)
    parent = SelectField(_l("Đơn vị cấp trên"), choices=[])
    plan_year = IntegerField(_l("Năm hoàn thành theo kế hoạch"), validators=YEAR)


class DissolveForm(Form):
    on = VnDateField(_l("Từ ngày (dd/mm/yyyy)"), validators=[required(_l("ngày")), max_len(10)])
    successor = SelectField(_l("Sáp nhập vào (để trống nếu giải thể)"), choices=[])
