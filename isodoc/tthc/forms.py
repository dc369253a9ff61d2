from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, TextAreaField

from isodoc.forms import Form, max_len, required


class UploadForm(Form):
    file = FileField("Tệp danh mục TTHC (.xlsx hoặc .csv)",
                     validators=[FileRequired("Vui lòng chọn tệp danh mục.")])


class ApplyForm(Form):
    decision = TextAreaField("Căn cứ áp dụng (quyết định công bố: số, ngày)",
                             validators=[required("căn cứ áp dụng"), max_len(4000)])


class BodyMapForm(Form):
    agency = SelectField("Đơn vị thực hiện", choices=[])
