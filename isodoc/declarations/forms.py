from wtforms import SelectField, StringField, TextAreaField

from isodoc.declarations.models import STANDARDS
from isodoc.forms import Form, VnDateField, data_options, max_len, required
from isodoc.i18n import _l


class DeclarationForm(Form):
    decision_no = StringField(_l("Số quyết định công bố"), validators=[
        required(_l("số quyết định công bố")), max_len(60)])
    decided_on = VnDateField(_l("Ngày ký (dd/mm/yyyy)"), validators=[required(_l("ngày ký"))])
    signer = SelectField(_l("Người ký (lãnh đạo đơn vị)"), choices=[])
    signer_title = StringField(_l("Chức vụ người ký"), validators=[
        required(_l("chức vụ người ký")), max_len(120)])
    # the standard's official name, as the decision cites it
    standard = SelectField(_l("Tiêu chuẩn công bố"),
                           choices=data_options((s, s) for s in STANDARDS))
    note = TextAreaField(_l("Ghi chú"), validators=[max_len(2000)])
