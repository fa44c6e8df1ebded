"""Alembic environment: runs migrations on the engine handed over by ``smartkotim.db``."""

from __future__ import annotations

from alembic import context

from smartkotim import models_registry
from smartkotim.db import Base

models_registry.import_all()
engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
