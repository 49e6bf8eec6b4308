"""Importing a KBLI catalog (CSV) and making it active (admins); rules pointing at codes the
new catalog lacks are listed."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from console.deps import Admin, page, state
from permit_rules import CatalogError
from storage import console as repo
from storage import rule_sets

router = APIRouter()
MAX_CATALOG_BYTES = 20_000_000


@router.post("/rules/catalog", response_class=HTMLResponse)
async def import_catalog(
    request: Request,
    who: Admin,
    version: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
) -> Response:
    raw = await file.read(MAX_CATALOG_BYTES)
    name = version.strip()[:40]
    problem, result = "", None
    try:
        text = raw.decode("utf-8-sig")
        if not name:
            raise CatalogError("beri nama versi katalog, mis. KBLI2025")
        async with state(request).office.sessions() as db, db.begin():
            result = await rule_sets.import_catalog(db, text, name, by=who.officer.username)
            repo.audit(
                db, who.officer, "rules.catalog.import", f"catalog:{name}",
                codes=result.code_count, missing=result.missing_codes[:50],
            )  # fmt: skip
    except UnicodeDecodeError:
        problem = "Berkas bukan teks UTF-8 (CSV)."
    except CatalogError as exc:
        problem = str(exc)
    status_code = 200 if result is not None else 422
    return page(request, "rules_catalog.html", status_code, who=who, result=result, problem=problem)
