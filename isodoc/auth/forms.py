from wtforms import BooleanField, HiddenField, PasswordField, StringField

from isodoc.forms import Form, max_len, required


class LoginForm(Form):
    username = StringField("Tên đăng nhập", validators=[required("tên đăng nhập"), max_len(64)])
    password = PasswordField("Mật khẩu", validators=[required("mật khẩu"), max_len(256)])
    remember = BooleanField("Ghi nhớ trên máy này")
    next = HiddenField()


class ChangePasswordForm(Form):
    current = PasswordField("Mật khẩu hiện tại", validators=[required("mật khẩu hiện tại")])
    new = PasswordField("Mật khẩu mới", validators=[required("mật khẩu mới"), max_len(256)])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[required("lại mật khẩu mới")])


class TokenForm(Form):
    name = StringField("Tên gợi nhớ", validators=[required("tên gợi nhớ"), max_len(100)])
