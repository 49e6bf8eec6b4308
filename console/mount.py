"""Mounting the console on the server: the ONE place that sets what its routes use."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from itsdangerous import URLSafeSerializer

from console.deps import NotSignedIn
from console.routes import (
    applications,
    appointments,
    audit,
    auth,
    canned,
    confirmations,
    conversations,
    files,
    handoffs,
    live,
    queue,
    rechecks,
    reports,
    rules_browse,
    rules_catalog,
    rules_drafts,
    rules_edits,
    rules_versions,
    static,
)
from console.settings import ConsoleSettings
from console.state import ConsoleState
from console.templating import build_templates
from office import Office

log = logging.getLogger(__name__)
AREAS = (
    auth,
    queue,
    conversations,
    handoffs,
    files,
    applications,
    appointments,
    rechecks,
    confirmations,
    canned,
    audit,
    static,
    live,
    rules_browse,
    rules_drafts,
    rules_edits,
    rules_versions,
    rules_catalog,
    reports,
)


def _signer(settings: ConsoleSettings) -> URLSafeSerializer:
    secret = settings.session_secret
    if not secret:
        secret = secrets.token_urlsafe(32)
        log.warning(
            "office.session_secret is not set: using a random one, so console sign-ins reset "
            "when the server restarts and do not carry across worker processes "
            "(set SIKETAN__OFFICE__SESSION_SECRET)"
        )
    return URLSafeSerializer(secret, salt="siketan-console")


async def _not_signed_in(request: Request, _: Exception) -> Response:
    path = request.url.path
    if request.method == "GET" and "/api/" not in path:
        return RedirectResponse(f"/console/login?next={quote(path)}", status_code=303)
    return JSONResponse({"detail": "not signed in"}, status_code=401)


def mount_console(web: FastAPI, office: Office, settings: ConsoleSettings) -> None:
    """Serve the officer and admin console at /console on `web`."""
    web.state.console = ConsoleState(office, settings, _signer(settings), build_templates())
    web.add_exception_handler(NotSignedIn, _not_signed_in)
    for area in AREAS:
        web.include_router(area.router, prefix="/console")
