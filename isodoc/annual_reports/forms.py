from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from isodoc.annual_reports.services import TEXT_MAX, YEAR_MAX, YEAR_MIN
from isodoc.forms import Form, VnDateField, max_len, required


class StartForm(Form):
    year = IntegerField("Năm báo cáo", validators=[
        InputRequired("Vui lòng nhập năm báo cáo."),
        NumberRange(YEAR_MIN, YEAR_MAX, f"Năm báo cáo phải trong khoảng {YEAR_MIN}–{YEAR_MAX}.")])


class ReportForm(Form):
    assessment = TextAreaField("Đánh giá chung về việc áp dụng, duy trì và cải tiến HTQLCL",
                               validators=[max_len(TEXT_MAX)])
    declarations = TextAreaField("Công bố HTQLCL phù hợp TCVN ISO 9001:2015",
                                 validators=[max_len(TEXT_MAX)])
    training = TextAreaField("Đào tạo, tập huấn về HTQLCL", validators=[max_len(TEXT_MAX)])
    difficulties = TextAreaField("Khó khăn, vướng mắc", validators=[max_len(TEXT_MAX)])
    proposals = TextAreaField("Kiến nghị, đề xuất", validators=[max_len(TEXT_MAX)])
    next_year = TextAreaField("Phương hướng, nhiệm vụ năm tiếp theo",
                              validators=[max_len(TEXT_MAX)])


class ApproveForm(Form):
    comment = TextAreaField("Ý kiến của lãnh đạo", validators=[max_len(2000)])


class ReturnForm(Form):
    comment = TextAreaField("Lý do trả lại", validators=[required("lý do trả lại"),
                                                         max_len(2000)])


class DeadlineForm(Form):
    year = IntegerField("Năm báo cáo", validators=[
        InputRequired("Vui lòng nhập năm báo cáo."),
        NumberRange(YEAR_MIN, YEAR_MAX, f"Năm báo cáo phải trong khoảng {YEAR_MIN}–{YEAR_MAX}.")])
    due_on = VnDateField("Hạn nộp (dd/mm/yyyy)", validators=[required("hạn nộp")])
