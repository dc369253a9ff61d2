from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField

from isodoc.audits.models import CheckResult, ConflictDecision
from isodoc.forms import Form, VnDateField, max_len, options, required
from isodoc.i18n import _, _l


class AuditForm(Form):
    title = StringField(_l("Tên cuộc đánh giá"), validators=[required(_l("tên cuộc đánh giá")),
                                                             max_len(300)])
    planned_start = VnDateField(_l("Từ ngày (dd/mm/yyyy)"),
                                validators=[required(_l("ngày bắt đầu"))])
    planned_end = VnDateField(_l("Đến ngày (dd/mm/yyyy)"),
                              validators=[required(_l("ngày kết thúc"))])
    lead = SelectField(_l("Trưởng đoàn"), choices=[])
    team = SelectMultipleField(_l("Thành viên đoàn"), choices=[])
    scope_clauses = StringField(_l("Điều khoản ISO 9001:2015 được đánh giá"),
                                validators=[max_len(1000)])
    documents = SelectMultipleField(_l("Quy trình, tài liệu được đánh giá"), choices=[])
    processes = TextAreaField(_l("Quá trình, bộ phận được đánh giá"),
                              validators=[max_len(5000)])
    plan = TextAreaField(_l("Kế hoạch: mục tiêu, chuẩn mực, phương pháp, lịch làm việc"),
                         validators=[max_len(20000)])
    uncertified_reason = TextAreaField(
        _l("Lý do đưa người chưa có chứng chỉ đánh giá viên nội bộ vào đoàn (trưởng đoàn ghi)"),
        validators=[max_len(2000)])


class ObjectivesForm(Form):
    objectives = TextAreaField(_l("Mục tiêu, trọng tâm của chương trình năm"),
                               validators=[max_len(5000)])


class ItemForm(Form):
    # choices as a callable: the labels are read in the request's language
    result = SelectField(_l("Kết quả"), choices=lambda: options(
        [("", _("Chưa đánh giá"))] + [(r.value, r.label) for r in CheckResult]))
    evidence = TextAreaField(_l("Bằng chứng, ghi chép"), validators=[max_len(10000)])


class AddItemForm(Form):
    clause = StringField(_l("Điều khoản"), validators=[max_len(16)])
    question = TextAreaField(_l("Câu hỏi"), validators=[required(_l("câu hỏi")),
                                                         max_len(2000)])


class DeclareForm(Form):
    clause = StringField(_l("Điều khoản bạn có liên quan"),
                         validators=[required(_l("điều khoản")), max_len(16)])
    reason = TextAreaField(_l("Bạn chịu trách nhiệm gì ở phần này"),
                           validators=[required(_l("nội dung liên quan")), max_len(2000)])


class DecideForm(Form):
    decision = SelectField(_l("Quyết định"), choices=lambda: options(
        (d.value, d.label) for d in ConflictDecision if d != ConflictDecision.PENDING))
    note = TextAreaField(_l("Lý do"), validators=[required(_l("lý do")), max_len(2000)])


class ConcludeForm(Form):
    conclusion = TextAreaField(_l("Kết luận đánh giá"),
                               validators=[required(_l("kết luận")), max_len(20000)])


class ReasonForm(Form):
    reason = TextAreaField(_l("Lý do"), validators=[required(_l("lý do")), max_len(2000)])
