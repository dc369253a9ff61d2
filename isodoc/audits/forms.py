from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField

from isodoc.audits.models import CheckResult, ConflictDecision
from isodoc.forms import Form, VnDateField, max_len, options, required


class AuditForm(Form):
    title = StringField("Tên cuộc đánh giá", validators=[required("tên cuộc đánh giá"),
                                                         max_len(300)])
    planned_start = VnDateField("Từ ngày (dd/mm/yyyy)", validators=[required("ngày bắt đầu")])
    planned_end = VnDateField("Đến ngày (dd/mm/yyyy)", validators=[required("ngày kết thúc")])
    lead = SelectField("Trưởng đoàn", choices=[])
    team = SelectMultipleField("Thành viên đoàn", choices=[])
    scope_clauses = StringField("Điều khoản ISO 9001:2015 được đánh giá",
                                validators=[max_len(1000)])
    documents = SelectMultipleField("Quy trình, tài liệu được đánh giá", choices=[])
    processes = TextAreaField("Quá trình, bộ phận được đánh giá", validators=[max_len(5000)])
    plan = TextAreaField("Kế hoạch: mục tiêu, chuẩn mực, phương pháp, lịch làm việc",
                         validators=[max_len(20000)])
    uncertified_reason = TextAreaField(
        "Lý do đưa người chưa có chứng chỉ đánh giá viên nội bộ vào đoàn (trưởng đoàn ghi)",
        validators=[max_len(2000)])


class ObjectivesForm(Form):
    objectives = TextAreaField("Mục tiêu, trọng tâm của chương trình năm",
                               validators=[max_len(5000)])


class ItemForm(Form):
    result = SelectField("Kết quả", choices=options(
        [("", "Chưa đánh giá")] + [(r.value, r.label) for r in CheckResult]))
    evidence = TextAreaField("Bằng chứng, ghi chép", validators=[max_len(10000)])


class AddItemForm(Form):
    clause = StringField("Điều khoản", validators=[max_len(16)])
    question = TextAreaField("Câu hỏi", validators=[required("câu hỏi"), max_len(2000)])


class DeclareForm(Form):
    clause = StringField("Điều khoản bạn có liên quan", validators=[required("điều khoản"),
                                                                   max_len(16)])
    reason = TextAreaField("Bạn chịu trách nhiệm gì ở phần này",
                           validators=[required("nội dung liên quan"), max_len(2000)])


class DecideForm(Form):
    decision = SelectField("Quyết định", choices=options(
        (d.value, d.label) for d in ConflictDecision if d != ConflictDecision.PENDING))
    note = TextAreaField("Lý do", validators=[required("lý do"), max_len(2000)])


class ConcludeForm(Form):
    conclusion = TextAreaField("Kết luận đánh giá", validators=[required("kết luận"),
                                                                max_len(20000)])


class ReasonForm(Form):
    reason = TextAreaField("Lý do", validators=[required("lý do"), max_len(2000)])
