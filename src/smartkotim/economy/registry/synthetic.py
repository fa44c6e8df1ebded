"""Whether synthetic (demo) data is loaded — for the "Data sintetis — untuk demo" banner on every page.

Other features use ``synthetic_data_loaded(request)`` (or the ``synthetic_data`` value that
``web/templating.render`` puts in every template's context).
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from smartkotim.economy.registry.queries import has_synthetic_data

log = logging.getLogger(__name__)


def synthetic_data_loaded(request: Request) -> bool:
    """True when any market or merchant in the state database is flagged synthetic.

    Opens a short session from ``request.app.state.session_factory``; False when the app has none or
    the register tables are not there yet (the error is logged, the page still renders).
    """
    factory: sessionmaker[Session] | None = getattr(request.app.state, "session_factory", None)
    if factory is None:
        return False
    try:
        with factory() as session:
            return has_synthetic_data(session)
    except SQLAlchemyError as error:
        log.warning("synthetic-data check failed: %s", error.__class__.__name__)
        return False
