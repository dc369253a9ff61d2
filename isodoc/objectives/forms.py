from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange

from isodoc.findings.models import FindingType
from isodoc.forms import Form, max_len, options, required
from isodoc.i18n import _l
from isodoc.objectives.models import COMPARISON_LABELS, FREQUENCY_LABELS


class ObjectiveForm(Form):
    year = IntegerField(_l("Năm"), validators=[NumberRange(2000, 2100)])
    title = StringField(_l("Mục tiêu chất lượng"),
                        validators=[required(_l("mục tiêu")), max_len(300)])
    measure = StringField(_l("Chỉ số đo"), validators=[required(_l("chỉ số đo")), max_len(300)])
    comparison = SelectField(_l("So sánh"), choices=options(
        (c.value, label) for c, label in COMPARISON_LABELS.items()))
    target = StringField(_l("Chỉ tiêu (số)"), validators=[required(_l("chỉ tiêu")), max_len(20)])
    unit = StringField(_l("Đơn vị tính"), validators=[required(_l("đơn vị tính")), max_len(20)])
    owner = SelectField(_l("Người phụ trách"), choices=[])
    frequency = SelectField(_l("Tần suất đo"), choices=options(
        (f.value, label) for f, label in FREQUENCY_LABELS.items()))
    data_source = TextAreaField(_l("Nguồn dữ liệu"), validators=[max_len(2000)])


class EditObjectiveForm(ObjectiveForm):
    """Restating an objective: the same fields but the year (its code stays)."""

    year = None  # WTForms drops a field set to None


class MeasurementForm(Form):
    month = SelectField(_l("Tháng"), choices=[])
    value = StringField(_l("Kết quả đạt được (số)"),
                        validators=[required(_l("kết quả")), max_len(20)])
    note = StringField(_l("Ghi chú"), validators=[max_len(500)])


class RaiseFindingForm(Form):
    type = SelectField(_l("Loại phát hiện"), choices=[])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = options((t.value, t.label) for t in FindingType)  # per request


class ImportForm(Form):
    """Values from the one-stop-shop system's CSV export: the two columns are remembered
    from the last import, so the next month's file needs only choosing."""

    file = FileField(_l("Tệp CSV xuất từ hệ thống một cửa (UTF-8)"),
                     validators=[FileRequired(_l("Vui lòng chọn tệp CSV."))])
    period_column = StringField(_l("Tên cột kỳ báo cáo (tháng)"),
                                validators=[required(_l("tên cột kỳ báo cáo")), max_len(100)])
    value_column = StringField(_l("Tên cột kết quả"),
                               validators=[required(_l("tên cột kết quả")), max_len(100)])
