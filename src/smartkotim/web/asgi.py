"""The ASGI factory of the web processes that ``smartkotim serve --workers N`` starts.

Each process reads the settings from the environment (``SMARTKOTIM_*``, as the parent did), opens its
own engine and serves the app without the job worker (the parent process runs the one worker). The
parent has migrated the database already.
"""

from __future__ import annotations

from fastapi import FastAPI

from smartkotim.runtime import open_runtime
from smartkotim.web.app import create_app


def create_app_from_environment() -> FastAPI:
    """The app for one web process: settings from the environment, no job worker, no migration."""
    runtime = open_runtime(migrate=False)
    return create_app(runtime.settings, engine=runtime.engine, start_worker=False)
