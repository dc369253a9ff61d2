from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange

from isodoc.findings.models import FindingType
from isodoc.forms import Form, max_len, options, required
from isodoc.objectives.models import Comparison, Frequency


class ObjectiveForm(Form):
    year = IntegerField("Năm", validators=[NumberRange(2000, 2100)])
    title = StringField("Mục tiêu chất lượng", validators=[required("mục tiêu"), max_len(300)])
    measure = StringField("Chỉ số đo", validators=[required("chỉ số đo"), max_len(300)])
    comparison = SelectField("So sánh", choices=options((c.value, c.label) for c in Comparison))
    target = StringField("Chỉ tiêu (số)", validators=[required("chỉ tiêu"), max_len(20)])
    unit = StringField("Đơn vị tính", validators=[required("đơn vị tính"), max_len(20)])
    owner = SelectField("Người phụ trách", choices=[])
    frequency = SelectField("Tần suất đo", choices=options((f.value, f.label) for f in Frequency))
    data_source = TextAreaField("Nguồn dữ liệu", validators=[max_len(2000)])


class EditObjectiveForm(ObjectiveForm):
    """Restating an objective: the same fields but the year (its code stays)."""

    year = None  # WTForms drops a field set to None


class MeasurementForm(Form):
    month = SelectField("Tháng", choices=[])
    value = StringField("Kết quả đạt được (số)", validators=[required("kết quả"), max_len(20)])
    note = StringField("Ghi chú", validators=[max_len(500)])


class RaiseFindingForm(Form):
    type = SelectField("Loại phát hiện", choices=options((t.value, t.label) for t in FindingType))


class ImportForm(Form):
    """Values from the one-stop-shop system's CSV export: the two columns are remembered
    from the last import, so the next month's file needs only choosing."""

    file = FileField("Tệp CSV xuất từ hệ thống một cửa (UTF-8)",
                     validators=[FileRequired("Vui lòng chọn tệp CSV.")])
    period_column = StringField("Tên cột kỳ báo cáo (tháng)",
                                validators=[required("tên cột kỳ báo cáo"), max_len(100)])
    value_column = StringField("Tên cột kết quả", validators=[required("tên cột kết quả"),
                                                              max_len(100)])
