"""gunicorn entry point: `gunicorn isodoc.wsgi:app`.

Every start repairs what a crash left between git and SQL (DESIGN invariant 3), once per
start of the server, not once per worker: see `integrity.repair_once`."""

from isodoc import create_app
from isodoc.documents import integrity

app = create_app()
try:
    integrity.repair_once(app)
except Exception:  # serve anyway: what is left is reported by `isodoc check`
    app.logger.exception("isodoc: the start-up repair failed")
