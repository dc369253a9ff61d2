from wtforms import HiddenField, StringField

from isodoc.forms import Form, max_len
from isodoc.i18n import _l


class PlaceForm(Form):
    document = HiddenField()
    item = HiddenField(validators=[max_len(300)])
    place = StringField(_l("Nơi lưu"), validators=[max_len(300)])
