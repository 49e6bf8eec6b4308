"""The openings every console route shares, as FastAPI dependencies.

- `Who` / `Checked`: the signed-in officer (GET) / with the session's CSRF token (POST).
- `AdminView` / `Admin`: the same, for admins only.
- `*Row` aliases: the row a path names, or 404 (checked after sign-in, so an anonymous caller
  learns nothing about which ids exist).
- `page(request, name, **values)`: renders a template with the console's headers.
"""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from itsdangerous import BadSignature
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from console.state import ConsoleState
from console.templating import render_page
from storage import console as repo
from storage import console_reads, rule_drafts
from storage.models import Application, Conversation, Handoff, Officer, RuleSetVersion

COOKIE = "siketan_console"
LOGIN_COOKIE = "siketan_console_login"
T = TypeVar("T")


class NotSignedIn(Exception):
    """No valid sign-in: pages redirect to the sign-in form, APIs answer 401."""


@dataclass(frozen=True, slots=True)
class Signed:
    officer: Officer
    csrf: str

    @property
    def is_admin(self) -> bool:
        return self.officer.role == "admin"


def state(request: HTTPConnection) -> ConsoleState:
    found: ConsoleState = request.app.state.console
    return found


def page(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    return render_page(state(request).templates, request, name, status_code, **values)


async def current_officer(request: HTTPConnection) -> Signed:
    """The officer whose sign-in cookie this is (HTTP requests and WebSockets alike)."""
    console = state(request)
    raw = request.cookies.get(COOKIE, "")
    try:
        token = str(console.signer.loads(raw)) if raw else ""
    except BadSignature:
        token = ""
    if not token:
        raise NotSignedIn
    async with console.office.sessions() as db, db.begin():
        found = await repo.session_officer(db, token, console.session_lifetime)
    if found is None:
        raise NotSignedIn
    console_session, officer = found
    return Signed(officer, console_session.csrf_token)


async def signed_in(request: Request) -> Signed:
    return await current_officer(request)


Who = Annotated[Signed, Depends(signed_in)]


async def csrf_checked(request: Request, who: Who) -> Signed:
    """A signed-in officer whose POST carries the session's CSRF token (header or form)."""
    sent = request.headers.get("x-csrf-token", "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        sent = str(form.get("csrf_token") or "")
    if not sent or not hmac.compare_digest(sent, who.csrf):
        raise HTTPException(403, "CSRF token missing or wrong")
    return who


Checked = Annotated[Signed, Depends(csrf_checked)]


def _admin_only(who: Signed) -> Signed:
    if not who.is_admin:
        raise HTTPException(403, "admins only")
    return who


async def admin_view(who: Who) -> Signed:
    return _admin_only(who)


async def admin_checked(who: Checked) -> Signed:
    return _admin_only(who)


AdminView = Annotated[Signed, Depends(admin_view)]
Admin = Annotated[Signed, Depends(admin_checked)]


async def read(request: Request, query: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run one read query in a short session of its own."""
    async with state(request).office.sessions() as db:
        return await query(db)


def _found(row: T | None) -> T:
    if row is None:
        raise HTTPException(404, "tidak ditemukan")
    return row


async def conversation_or_404(request: Request, conversation_id: int, _: Who) -> Conversation:
    return _found(
        await read(request, lambda db: console_reads.get_conversation(db, conversation_id))
    )


async def application_or_404(request: Request, application_id: int, _: Who) -> Application:
    return _found(await read(request, lambda db: console_reads.get_application(db, application_id)))


async def handoff_or_404(request: Request, handoff_id: int, _: Who) -> Handoff:
    return _found(await read(request, lambda db: repo.get_handoff(db, handoff_id)))


async def draft_or_404(request: Request, draft_id: int, _: AdminView) -> RuleSetVersion:
    row = await read(request, lambda db: rule_drafts.get_draft(db, draft_id))
    if row is None:
        raise HTTPException(404, "draf tidak ada (atau sudah diterbitkan)")
    return row


ConversationRow = Annotated[Conversation, Depends(conversation_or_404)]
ApplicationRow = Annotated[Application, Depends(application_or_404)]
HandoffRow = Annotated[Handoff, Depends(handoff_or_404)]
DraftRow = Annotated[RuleSetVersion, Depends(draft_or_404)]
