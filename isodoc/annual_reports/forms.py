from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from isodoc.annual_reports.services import TEXT_MAX, YEAR_MAX, YEAR_MIN
from isodoc.forms import Form, VnDateField, max_len, required
from isodoc.i18n import _l

YEAR_RANGE = _l("Năm báo cáo phải trong khoảng %(min)s–%(max)s.")  # NumberRange fills them


class StartForm(Form):
    year = IntegerField(_l("Năm báo cáo"), validators=[
        InputRequired(_l("Vui lòng nhập năm báo cáo.")),
        NumberRange(YEAR_MIN, YEAR_MAX, YEAR_RANGE)])


class ReportForm(Form):
    assessment = TextAreaField(_l("Đánh giá chung về việc áp dụng, duy trì và cải tiến HTQLCL"),
                               validators=[max_len(TEXT_MAX)])
    declarations = TextAreaField(_l("Công bố HTQLCL phù hợp TCVN ISO 9001:2015"),
                                 validators=[max_len(TEXT_MAX)])
    training = TextAreaField(_l("Đào tạo, tập huấn về HTQLCL"), validators=[max_len(TEXT_MAX)])
    difficulties = TextAreaField(_l("Khó khăn, vướng mắc"), validators=[max_len(TEXT_MAX)])
    proposals = TextAreaField(_l("Kiến nghị, đề xuất"), validators=[max_len(TEXT_MAX)])
    next_year = TextAreaField(_l("Phương hướng, nhiệm vụ năm tiếp theo"),
                              validators=[max_len(TEXT_MAX)])


class ApproveForm(Form):
    comment = TextAreaField(_l("Ý kiến của lãnh đạo"), validators=[max_len(2000)])


class ReturnForm(Form):
    comment = TextAreaField(_l("Lý do trả lại"), validators=[required(_l("lý do trả lại")),
                                                             max_len(2000)])


class DeadlineForm(Form):
    year = IntegerField(_l("Năm báo cáo"), validators=[
        InputRequired(_l("Vui lòng nhập năm báo cáo.")),
        NumberRange(YEAR_MIN, YEAR_MAX, YEAR_RANGE)])
    due_on = VnDateField(_l("Hạn nộp (dd/mm/yyyy)"), validators=[required(_l("hạn nộp"))])
