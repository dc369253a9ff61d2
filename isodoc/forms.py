"""Shared form pieces, with messages in the interface's language."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from isodoc.i18n import _l
from isodoc.textnorm import clean
from isodoc.timeutil import parse_date


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def data_options(pairs) -> list[SelectChoice]:
    """Select options whose labels are agency data (people, agencies, documents…): marked
    `translate="no"`, so they stay as written in every language; an empty value is the
    interface's own "— choose —" and is not marked."""
    return [SelectChoice(value, label, render_kw={"translate": "no"} if value else None)
            for value, label in pairs]


def required(what) -> DataRequired:
    """`what` names the field, lazily translated by the caller: `required(_l("mã"))`."""
    return DataRequired(message=_l("Vui lòng nhập %(what)s.", what=what))


def max_len(n: int) -> Length:
    return Length(max=n, message=_l("Tối đa %(n)s ký tự.", n=n))


# WTForms' built-in messages our forms can show, as our own messages: Vietnamese is the
# source text (WTForms ships no Vietnamese catalog), English comes from our catalog.
WTFORMS_VI = {
    "Not a valid choice.": _l("Lựa chọn không hợp lệ."),
    "Invalid Choice: could not coerce.": _l("Lựa chọn không hợp lệ."),
    "Not a valid integer value.": _l("Giá trị phải là số nguyên."),
    "This field is required.": _l("Trường này là bắt buộc."),
    "Invalid input.": _l("Dữ liệu không hợp lệ."),
    "Number must be between %(min)s and %(max)s.": _l("Số phải trong khoảng %(min)s–%(max)s."),
    "'%(value)s' is not a valid choice for this field.":
        _l("«%(value)s» không phải là lựa chọn hợp lệ."),
    "'%(value)s' are not valid choices for this field.":
        _l("«%(value)s» không phải là các lựa chọn hợp lệ."),
}


class VietnameseMessages:
    """WTForms' translations object: its English messages mapped to ours (above)."""

    def gettext(self, text: str) -> str:
        found = WTFORMS_VI.get(text)
        return str(found) if found is not None else text

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
    file = FileField(_l("Tệp CSV (UTF-8)"),
                     validators=[FileRequired(_l("Vui lòng chọn tệp CSV."))])


class ConfirmForm(Form):
    """A button-only form: CSRF is all it carries."""
