"""Sign-in and sign-out. The login form carries its own CSRF token (a signed cookie), so a
cross-site page cannot sign a browser into someone else's account."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
import contextlib
import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature

from console.deps import COOKIE, LOGIN_COOKIE, Checked, page, state
from office import accounts as auth
from storage import console as repo

router = APIRouter()


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or state(request).settings.public_url.startswith("https")


def safe_next(target: str) -> str:
    # Only paths inside the console: never an open redirect to another site.
    if target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console"


@router.get("/login")
async def login_form(request: Request, next: str = "/console", error: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    response = page(
        request, "login.html", csrf=token, next=safe_next(next), login_error=bool(error)
    )
    response.set_cookie(
        LOGIN_COOKIE,
        state(request).signer.dumps(token),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/console",
        max_age=3600,
    )
    return response


def _login_token_ok(request: Request, sent: str) -> bool:
    try:
        expected = str(state(request).signer.loads(request.cookies.get(LOGIN_COOKIE, "")))
    except BadSignature:
        return False
    return bool(expected) and hmac.compare_digest(expected, sent)


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/console",
) -> Response:
    if not _login_token_ok(request, csrf_token):
        raise HTTPException(403, "CSRF token missing or wrong")
    console = state(request)
    token = secrets.token_urlsafe(32)
    async with console.office.sessions() as db, db.begin():
        officer = await auth.authenticate(db, username, password)
        if officer is None:
            repo.audit(db, None, "login.failed", detail_user=username[:50])
        else:
            csrf = secrets.token_urlsafe(32)
            await repo.create_session(db, officer, token, csrf, console.session_lifetime)
            repo.audit(db, officer, "login")
    if officer is None:
        return RedirectResponse("/console/login?error=1", status_code=303)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        console.signer.dumps(token),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/console",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return response


@router.post("/logout")
async def logout(request: Request, who: Checked) -> Response:
    console = state(request)
    raw = request.cookies.get(COOKIE, "")
    async with console.office.sessions() as db, db.begin():
        with contextlib.suppress(BadSignature):
            await repo.delete_session(db, str(console.signer.loads(raw)))
        repo.audit(db, who.officer, "logout")
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response
