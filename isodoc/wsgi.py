"""gunicorn entry point: `gunicorn isodoc.wsgi:app`."""

from isodoc import create_app

app = create_app()
