"""Shared form pieces with Vietnamese messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from isodoc.timeutil import parse_date


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def required(what: str) -> DataRequired:
    return DataRequired(message=f"Vui lòng nhập {what}.")


def max_len(n: int) -> Length:
    return Length(max=n, message=f"Tối đa {n} ký tự.")


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


class CsvUploadForm(FlaskForm):
    file = FileField("Tệp CSV (UTF-8)", validators=[FileRequired("Vui lòng chọn tệp CSV.")])


class ConfirmForm(FlaskForm):
    """A button-only form: CSRF is all it carries."""
