"""Flask extensions, created unbound and initialised in the app factory."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints so Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class JsonErrorApi(Api):
    """flask-smorest Api that leaves error handling to the app.

    smorest registers a JSON handler for every HTTPException of the whole app; ours
    answers JSON under /api/ and Vietnamese HTML pages elsewhere (isodoc.errors).
    """

    def _register_error_handlers(self) -> None:
        pass

    def _register_pagination_header(self) -> None:
        from isodoc.api.schemas import PAGINATION_COMPONENT  # X-Pagination is a JSON string

        self.spec.components.header("PAGINATION", PAGINATION_COMPONENT, lazy=True)


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
babel = Babel()
api = JsonErrorApi()
