"""Is this server able to do its work? `/healthz` for load balancers, `/bare` for benchmarks."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text as sql_text

from bot.web.deps import Siketan

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz(app: Siketan) -> JSONResponse:
    try:
        async with app.engine.connect() as conn:
            await conn.execute(sql_text("SELECT 1"))
    except Exception:
        log.exception("health check: database unreachable")
        return JSONResponse({"status": "degraded", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/bare")
async def bare() -> dict[str, str]:
    # Does no work: the benchmark's baseline for what the HTTP stack alone costs.
    return {"status": "ok"}
