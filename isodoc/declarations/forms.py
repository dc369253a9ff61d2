from wtforms import SelectField, StringField, TextAreaField

from isodoc.declarations.models import STANDARDS
from isodoc.forms import Form, VnDateField, max_len, options, required


class DeclarationForm(Form):
    decision_no = StringField("Số quyết định công bố", validators=[
        required("số quyết định công bố"), max_len(60)])
    decided_on = VnDateField("Ngày ký (dd/mm/yyyy)", validators=[required("ngày ký")])
    signer = SelectField("Người ký (lãnh đạo đơn vị)", choices=[])
    signer_title = StringField("Chức vụ người ký", validators=[required("chức vụ người ký"),
                                                              max_len(120)])
    standard = SelectField("Tiêu chuẩn công bố", choices=options((s, s) for s in STANDARDS))
    note = TextAreaField("Ghi chú", validators=[max_len(2000)])
