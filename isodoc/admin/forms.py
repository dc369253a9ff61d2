from wtforms import SelectField, StringField

from isodoc.auth.models import ROLE_LABELS, Role
from isodoc.forms import Form, max_len, options, required
from isodoc.i18n import _l

ROLE_CHOICES = options((r.value, ROLE_LABELS[r.value]) for r in Role)


class PersonForm(Form):
    username = StringField(_l("Tên đăng nhập"),
                           validators=[required(_l("tên đăng nhập")), max_len(64)])
    full_name = StringField(_l("Họ và tên"), validators=[required(_l("họ và tên")), max_len(255)])
    email = StringField("Email", validators=[max_len(255)])
    job_title = StringField(_l("Chức vụ (in trên quy trình)"), validators=[max_len(120)])
    agency = SelectField(_l("Đơn vị"), choices=[])
    role = SelectField(_l("Vai trò"), choices=ROLE_CHOICES)


class JobTitleForm(Form):
    job_title = StringField(_l("Chức vụ (in ở bảng ký duyệt của quy trình)"),
                            validators=[max_len(120)])


class MembershipForm(Form):
    agency = SelectField(_l("Đơn vị"), choices=[])
    role = SelectField(_l("Vai trò"), choices=ROLE_CHOICES)
