from wtforms import HiddenField, StringField

from isodoc.forms import Form, max_len


class PlaceForm(Form):
    document = HiddenField()
    item = HiddenField(validators=[max_len(300)])
    place = StringField("Nơi lưu", validators=[max_len(300)])
