from wtforms import RadioField, SelectField, StringField, TextAreaField

from isodoc.findings.models import FindingType
from isodoc.forms import Form, options
from isodoc.i18n import _l
from isodoc.surveys.models import COMMENT_LABELS, QUESTION_TEXTS, SCORES, Question


def score_field(question: Question) -> RadioField:
    # the message names the question: on a phone the error may be far from the top
    return RadioField(QUESTION_TEXTS[question], choices=options(
        (str(n), label) for n, label in SCORES.items()), validate_choice=False)


class SurveyForm(Form):
    """The public form. Field lengths are checked by the service (one message in
    Vietnamese, whether the text came from this form or not); the request itself is
    bounded before the form is parsed."""

    receipt = StringField(_l("Mã hồ sơ (in trên giấy tiếp nhận, hẹn trả kết quả)"))
    tthc = SelectField(_l("Thủ tục hành chính đã thực hiện (không bắt buộc)"), choices=[],
                       validate_choice=False)
    guidance = score_field(Question.GUIDANCE)
    attitude = score_field(Question.ATTITUDE)
    timeliness = score_field(Question.TIMELINESS)
    overall = score_field(Question.OVERALL)
    comment_kind = SelectField(_l("Loại ý kiến"), choices=options(
        (k.value, label) for k, label in COMMENT_LABELS.items()), validate_choice=False)
    comment = TextAreaField(_l("Ý kiến của Ông/Bà (không bắt buộc, tối đa 1000 ký tự)"))


class RaiseFindingForm(Form):
    type = SelectField(_l("Loại phát hiện"), choices=[])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = options((t.value, t.label) for t in FindingType)  # per request
