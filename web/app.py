"""The FastAPI application factory: ``create_app(settings, services=None)``.

Startup builds the ``Services`` the settings describe (or uses the ones a test passes in), opens
the database (running migrations when ``migrate_on_start``), and shares them with every request;
shutdown cancels this worker's running turns (each ends with its terminal state stored), sends the
research reports it was writing back to the queue with their partial reports, and closes the database.
State lives only in the stores, so several workers can serve the same data. The pages' static files
are served from ``web/static`` under ``/static``; every response carries the security headers of
``web.security`` (a Content-Security-Policy that forbids inline script).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from copilot import __version__
from copilot.config import Settings, get_settings
from copilot.services import Services, build_services, settle_process
from web.bodylimit import BodyLimit
from web.errors import install_error_handlers
from web.ratelimit import RateLimiter, build_storage
from web.routes import (
    auth,
    charts,
    chat,
    conversations,
    documents,
    health,
    market,
    openai,
    pages,
    research,
    research_pages,
)
from web.security import SecurityHeaders

STATIC = Path(__file__).resolve().parent / "static"

DESCRIPTION = (
    "Financial research copilot: every figure is computed by code, cited [n] and verified against "
    "its source. Native chat streams typed events over SSE; /v1 is OpenAI-compatible."
)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app; tests pass their own settings and services, `verity serve` reads the environment."""
    settings = settings or (services.settings if services else get_settings())
    owned = services is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built = services or build_services(settings)
        if owned:  # a real server process (tests pass their own services and keep their collector)
            await asyncio.to_thread(settle_process)
        await built.start()
        app.state.services = built
        try:
            yield
        finally:
            if owned:
                await built.aclose()
            else:
                if built.research is not None:
                    await built.research.aclose()
                if built.runs is not None:
                    await built.runs.shutdown()

    app = FastAPI(title="Verity", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.limiter = RateLimiter(build_storage(settings))
    if services is not None:  # usable before startup too (tests that skip the lifespan)
        app.state.services = services
    install_error_handlers(app)
    # routes are matched in order: the cheap, frequent reads first
    for module in (
        health,
        pages,
        research_pages,
        market,
        charts,
        chat,
        conversations,
        research,
        auth,
        documents,
        openai,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodyLimit, default=settings.max_body_bytes, uploads=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    return app
