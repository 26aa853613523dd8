"""The health probes: ``/healthz`` (the process answers), ``/health`` (with the configured backends) and
``/readyz`` (the database answers, market data resolves a symbol, and the knowledge base, when open,
is usable; 503 with the failing part otherwise).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from copilot import __version__
from copilot.errors import VerityError
from web.deps import ServicesDep, SettingsDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok", "version": __version__}


@router.get("/health")
async def health(settings: SettingsDep) -> dict[str, str]:
    """Alive, with the configured market data and model backend."""
    return {
        "status": "ok",
        "version": __version__,
        "market_data": settings.market_data,
        "llm": settings.llm_backend,
    }


async def _check(name: str, probe: Any) -> tuple[str, str]:
    try:
        await probe()
    except VerityError as exc:
        return name, f"error: {exc.message}"
    except Exception as exc:
        return name, f"error: {type(exc).__name__}"
    return name, "ok"


@router.get("/readyz")
async def readyz(services: ServicesDep) -> JSONResponse:
    """Ready to serve: database, market data and knowledge base, each ``ok`` or its error."""

    async def database() -> None:
        if services.database is not None:
            await services.database.ping()

    async def market() -> None:
        await asyncio.wait_for(asyncio.to_thread(services.market.resolve, "SPY"), 10)

    checks = dict(await asyncio.gather(_check("database", database), _check("market_data", market)))
    kb = services.knowledge
    checks["knowledge_base"] = "ok" if kb is None or kb.opened else "ok (opens on first use)"
    ready = all(v.startswith("ok") for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503
    )
