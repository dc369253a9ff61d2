"""gunicorn entry point: `gunicorn isodoc.wsgi:app`.

Every start repairs what a crash left between git and SQL (DESIGN invariant 3), once per
start of the server, not once per worker: see `integrity.repair_once`. Each worker then
follows the search change log (`isodoc.search.follower`): what another node or worker
changed reaches this node's index within ISODOC_SEARCH_POLL_SECONDS."""

from isodoc import create_app
from isodoc.documents import integrity
from isodoc.search import follower

app = create_app()
try:
    integrity.repair_once(app)
except Exception:  # serve anyway: what is left is reported by `isodoc check`
    app.logger.exception("isodoc: the start-up repair failed")
follower.follow(app)
# a worker forked from a --preload master has no thread of its own yet
app.before_request(lambda: follower.ensure_started(app))
