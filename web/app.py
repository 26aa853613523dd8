"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse

from copilot import __version__
from copilot.config import Settings, get_settings
from copilot.errors import VerityError


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; tests pass their own settings, `verity serve` reads the environment."""
    settings = settings or get_settings()
    app = FastAPI(title="Verity", version=__version__)
    app.state.settings = settings

    @app.exception_handler(VerityError)
    async def _verity_error(_: Request, exc: VerityError) -> JSONResponse:
        return JSONResponse(status_code=exc.http_status, content=exc.to_dict())

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {
            "status": "ok",
            "version": __version__,
            "market_data": settings.market_data,
            "llm": settings.llm_backend,
        }

    @app.get("/", response_class=HTMLResponse)
    async def home() -> str:
        mode = "offline analyst" if settings.llm_backend == "offline" else settings.model
        return (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Verity</title></head>"
            "<body><h1>Verity</h1><p>Financial research copilot: every figure cited and verified.</p>"
            f"<p>Status: ok · model: {mode} · market data: {settings.market_data.split(':')[0]}</p>"
            "</body></html>"
        )

    return app
