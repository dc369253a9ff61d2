from wtforms import SelectField, StringField

from isodoc.auth.models import Role
from isodoc.forms import Form, max_len, options, required

ROLE_CHOICES = options((r.value, r.label) for r in Role)


class PersonForm(Form):
    username = StringField("Tên đăng nhập", validators=[required("tên đăng nhập"), max_len(64)])
    full_name = StringField("Họ và tên", validators=[required("họ và tên"), max_len(255)])
    email = StringField("Email", validators=[max_len(255)])
    job_title = StringField("Chức vụ (in trên quy trình)", validators=[max_len(120)])
    agency = SelectField("Đơn vị", choices=[])
    role = SelectField("Vai trò", choices=ROLE_CHOICES)


class JobTitleForm(Form):
    job_title = StringField("Chức vụ (in ở bảng ký duyệt của quy trình)",
                            validators=[max_len(120)])


class MembershipForm(Form):
    agency = SelectField("Đơn vị", choices=[])
    role = SelectField("Vai trò", choices=ROLE_CHOICES)
