from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, TextAreaField

from isodoc.forms import Form, max_len, required
from isodoc.i18n import _l


class UploadForm(Form):
    file = FileField(_l("Tệp danh mục TTHC (.xlsx hoặc .csv)"),
                     validators=[FileRequired(_l("Vui lòng chọn tệp danh mục."))])


class ApplyForm(Form):
    decision = TextAreaField(_l("Căn cứ áp dụng (quyết định công bố: số, ngày)"),
                             validators=[required(_l("căn cứ áp dụng")), max_len(4000)])


class BodyMapForm(Form):
    agency = SelectField(_l("Đơn vị thực hiện"), choices=[])
