from wtforms import BooleanField, HiddenField, PasswordField, StringField

from isodoc.forms import Form, max_len, required
from isodoc.i18n import _l


class LoginForm(Form):
    username = StringField(_l("Tên đăng nhập"),
                           validators=[required(_l("tên đăng nhập")), max_len(64)])
    password = PasswordField(_l("Mật khẩu"), validators=[required(_l("mật khẩu")), max_len(256)])
    remember = BooleanField(_l("Ghi nhớ trên máy này"))
    next = HiddenField()


class ChangePasswordForm(Form):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[required(_l("mật khẩu hiện tại"))])
    new = PasswordField(_l("Mật khẩu mới"), validators=[required(_l("mật khẩu mới")), max_len(256)])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"),
                            validators=[required(_l("lại mật khẩu mới"))])


class TokenForm(Form):
    name = StringField(_l("Tên gợi nhớ"), validators=[required(_l("tên gợi nhớ")), max_len(100)])
