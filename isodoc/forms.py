"""Shared form pieces with Vietnamese messages."""

from __future__ import annotations

from flask_babel import get_locale
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from isodoc.textnorm import clean
from isodoc.timeutil import parse_date


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def required(what: str) -> DataRequired:
    return DataRequired(message=f"Vui lòng nhập {what}.")


def max_len(n: int) -> Length:
    return Length(max=n, message=f"Tối đa {n} ký tự.")


# WTForms ships no Vietnamese catalog: the built-in messages our forms can show.
WTFORMS_VI = {
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Not a valid integer value.": "Giá trị phải là số nguyên.",
    "This field is required.": "Trường này là bắt buộc.",
    "Invalid input.": "Dữ liệu không hợp lệ.",
    "Number must be between %(min)s and %(max)s.": "Số phải trong khoảng %(min)s–%(max)s.",
    "'%(value)s' is not a valid choice for this field.":
        "«%(value)s» không phải là lựa chọn hợp lệ.",
    "'%(value)s' are not valid choices for this field.":
        "«%(value)s» không phải là các lựa chọn hợp lệ.",
}


class VietnameseMessages:
    def gettext(self, text: str) -> str:
        if get_locale() is not None and get_locale().language == "en":
            return text
        return WTFORMS_VI.get(text, text)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def clean_line(value):
    return clean(value) if isinstance(value, str) else value


def clean_text(value):
    return clean(value, multiline=True) if isinstance(value, str) else value


class Form(FlaskForm):
    """Base form: CSRF from Flask-WTF, WTForms' own messages in Vietnamese, and every
    text field cleaned at the boundary (DESIGN invariant 7): NFC, no control, bidi or
    zero-width characters; line breaks and tabs only in text areas."""

    class Meta:
        def get_translations(self, form) -> VietnameseMessages:
            return VietnameseMessages()

        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField) \
                    and options.get("name") != "csrf_token":
                step = clean_text if issubclass(kind, TextAreaField) else clean_line
                options["filters"] = [*unbound_field.kwargs.get("filters", ()),
                                      *options.get("filters", ()), step]
            return super().bind_field(form, unbound_field, options)


class VnDateField(StringField):
    """A date typed as dd/mm/yyyy; `.date` holds the parsed value."""

    date = None

    def pre_validate(self, form) -> None:
        self.date = None
        if self.data and self.data.strip():
            try:
                self.date = parse_date(self.data)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None


class CsvUploadForm(Form):
    file = FileField("Tệp CSV (UTF-8)", validators=[FileRequired("Vui lòng chọn tệp CSV.")])


class ConfirmForm(Form):
    """A button-only form: CSRF is all it carries."""
