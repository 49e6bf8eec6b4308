"""Officer and admin console, served at /console by the same server.

Server-rendered pages (Jinja2, autoescaped) with a little JS for live updates. Sign-in sessions
live in the database (cookie = signed random token; HttpOnly, SameSite=Lax, Secure over https);
every POST needs the session's CSRF token (form field `csrf_token` or header `X-CSRF-Token`).
"""

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket, WebSocketDisconnect

from console import auth
from dialogs.ports import STATUS_LABELS
from office.handoff import HandoffError
from office.live import CONSOLE_TOPIC, conversation_topic
from office.status import TransitionError
from storage import console as repo
from storage.files import FileRejected, sniff
from storage.models import (
    Application,
    CannedReply,
    Conversation,
    Handoff,
    Officer,
    TranscriptMessage,
)
from storage.models.base import utcnow

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
COOKIE = "siketan_console"
LOGIN_COOKIE = "siketan_console_login"
# Shown inline in the page (preview); anything else is only ever downloaded.
PREVIEWABLE = {"image/jpeg", "image/png", "application/pdf"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)
REASONS = {
    "asked": "Warga meminta petugas",
    "not_understood": "Bot dua kali tidak paham",
    "complaint": "Pengaduan",
    "needs_officer": "Keputusan aturan perlu petugas",
    "missing_document": "Warga tidak bisa menyediakan dokumen",
    "document_missing": "Warga tidak bisa menyediakan dokumen",
    "kbli_not_found": "KBLI tidak ditemukan",
    "decision_check": "Keputusan aturan perlu dicek petugas",
}
HANDOFF_STATUSES = {
    "open": "Menunggu",
    "claimed": "Dilayani",
    "ticket": "Tiket",
    "closed": "Selesai",
    "cancelled": "Dibatalkan",
}
ERRORS = {
    "taken": "Percakapan ini sudah diambil petugas lain.",
    "not_found": "Data tidak ditemukan.",
    "not_claimed": "Percakapan ini tidak sedang Anda layani.",
    "not_yours": "Percakapan ini dilayani petugas lain.",
    "closed": "Percakapan ini sudah ditutup.",
    "empty": "Pesan kosong tidak dikirim.",
    "unknown_officer": "Petugas tujuan tidak ditemukan atau tidak aktif.",
    "same_officer": "Percakapan sudah dipegang petugas tersebut.",
    "file_too_large": "Berkas terlalu besar.",
    "file_wrong_type": "Hanya JPG, PNG, atau PDF yang dapat dikirim.",
    "file_empty": "Berkas kosong.",
    "bad_status": "Perubahan status ini tidak diizinkan.",
    "note_required": "Status ini memerlukan catatan untuk warga.",
}


class NotSignedIn(Exception):
    pass


@dataclass
class Signed:
    officer: Officer
    csrf: str


def _ts(moment: datetime | None) -> str:
    return repo.aware(moment).isoformat() if moment else ""


def _local(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    from zoneinfo import ZoneInfo

    here = repo.aware(moment).astimezone(ZoneInfo("Asia/Jakarta"))
    return here.strftime("%d-%m-%Y %H.%M")


def _mask_nik(value: Any) -> str:
    digits = str(value or "")
    return digits[:6] + "******" + digits[-4:] if len(digits) == 16 else digits


def mount_console(web: FastAPI, app: "App") -> None:
    # No `from __future__ import annotations` here: FastAPI must resolve the local
    # dependency aliases (Who, Checked, ...) at definition time.
    """Add the console's routes to the server (officer handoff, applications, admin)."""
    settings = app.settings.office
    secret = settings.session_secret.get_secret_value()
    if not secret:
        secret = secrets.token_urlsafe(32)
        log.warning(
            "office.session_secret is not set: using a random one, so console sign-ins reset "
            "when the server restarts and do not carry across worker processes "
            "(set SIKETAN__OFFICE__SESSION_SECRET)"
        )
    signer = URLSafeSerializer(secret, salt="siketan-console")
    lifetime = timedelta(hours=settings.session_hours)
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    env.filters["local"] = _local
    env.filters["ts"] = _ts
    env.filters["mask_nik"] = _mask_nik
    env.globals.update(
        REASONS=REASONS, STATUSES=STATUS_LABELS, HANDOFF_STATUSES=HANDOFF_STATUSES, ERRORS=ERRORS
    )
    handoff = app.office.handoff
    router = APIRouter(prefix="/console")

    def secure(request: Request) -> bool:
        return request.url.scheme == "https" or app.settings.web.public_url.startswith("https")

    def page(request: Request, name: str, **values: Any) -> HTMLResponse:
        html = env.get_template(name).render(request=request, **values)
        return HTMLResponse(html, headers=_page_headers())

    async def current(request: HTTPConnection) -> Signed:
        raw = request.cookies.get(COOKIE, "")
        try:
            token = str(signer.loads(raw)) if raw else ""
        except BadSignature:
            token = ""
        if not token:
            raise NotSignedIn
        async with app.sessions() as db, db.begin():
            found = await repo.session_officer(db, token, lifetime)
        if found is None:
            raise NotSignedIn
        console_session, officer = found
        return Signed(officer, console_session.csrf_token)

    async def signed_in(request: Request) -> Signed:
        return await current(request)

    async def checked(request: Request, who: Annotated[Signed, Depends(signed_in)]) -> Signed:
        """A signed-in officer whose POST carries the session's CSRF token."""
        sent = request.headers.get("x-csrf-token", "")
        if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form()
            sent = str(form.get("csrf_token") or "")
        if not sent or not hmac.compare_digest(sent, who.csrf):
            raise HTTPException(403, "CSRF token missing or wrong")
        return who

    async def admin(who: Annotated[Signed, Depends(checked)]) -> Signed:
        if who.officer.role != "admin":
            raise HTTPException(403, "admins only")
        return who

    async def admin_view(who: Annotated[Signed, Depends(signed_in)]) -> Signed:
        if who.officer.role != "admin":
            raise HTTPException(403, "admins only")
        return who

    Who = Annotated[Signed, Depends(signed_in)]
    Checked = Annotated[Signed, Depends(checked)]
    Admin = Annotated[Signed, Depends(admin)]
    AdminView = Annotated[Signed, Depends(admin_view)]

    from console.reports import mount_reports
    from console.rules_editor import ConsoleKit, mount_rules_editor

    admin_kit = ConsoleKit(page=page, admin=admin, admin_view=admin_view)
    mount_rules_editor(router, app, admin_kit)
    mount_reports(router, app, admin_kit)

    @web.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, _: NotSignedIn) -> Response:
        path = request.url.path
        if request.method == "GET" and "/api/" not in path:
            return RedirectResponse(f"/console/login?next={quote(path)}", status_code=303)
        return JSONResponse({"detail": "not signed in"}, status_code=401)

    # -- sign-in ------------------------------------------------------------------------------

    @router.get("/login")
    async def login_form(request: Request, next: str = "/console", error: str = "") -> Response:
        token = secrets.token_urlsafe(24)
        response = page(
            request, "login.html", csrf=token, next=_safe_next(next), login_error=bool(error)
        )
        response.set_cookie(
            LOGIN_COOKIE,
            signer.dumps(token),
            httponly=True,
            samesite="lax",
            secure=secure(request),
            path="/console",
            max_age=3600,
        )
        return response

    @router.post("/login")
    async def login(
        request: Request,
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        csrf_token: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/console",
    ) -> Response:
        try:
            expected = str(signer.loads(request.cookies.get(LOGIN_COOKIE, "")))
        except BadSignature:
            expected = ""
        if not expected or not hmac.compare_digest(expected, csrf_token):
            raise HTTPException(403, "CSRF token missing or wrong")
        async with app.sessions() as db, db.begin():
            officer = await auth.authenticate(db, username, password)
            if officer is None:
                repo.audit(db, None, "login.failed", detail_user=username[:50])
            else:
                token = secrets.token_urlsafe(32)
                await repo.create_session(db, officer, token, secrets.token_urlsafe(32), lifetime)
                repo.audit(db, officer, "login")
        if officer is None:
            return RedirectResponse("/console/login?error=1", status_code=303)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(
            COOKIE,
            signer.dumps(token),
            httponly=True,
            samesite="lax",
            secure=secure(request),
            path="/console",
        )
        response.delete_cookie(LOGIN_COOKIE, path="/console")
        return response

    @router.post("/logout")
    async def logout(request: Request, who: Checked) -> Response:
        raw = request.cookies.get(COOKIE, "")
        async with app.sessions() as db, db.begin():
            with contextlib.suppress(BadSignature):
                await repo.delete_session(db, str(signer.loads(raw)))
            repo.audit(db, who.officer, "logout")
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(COOKIE, path="/console")
        return response

    # -- queue --------------------------------------------------------------------------------

    async def queue_items() -> list[dict[str, Any]]:
        async with app.sessions() as db:
            rows = await repo.queue(db)
        items = []
        for h, c, o in rows:
            items.append(
                {
                    "id": h.id,
                    "conversation_id": c.id,
                    "status": h.status,
                    "status_label": HANDOFF_STATUSES.get(h.status, h.status),
                    "reason": REASONS.get(h.reason, h.reason),
                    "channel": c.channel,
                    "name": c.sender_name or c.chat_id[-6:],
                    "requested_at": _ts(h.requested_at),
                    "officer": o.display_name if o else "",
                    "message": h.message[:200],
                }
            )
        return items

    @router.get("", response_class=HTMLResponse)
    @router.get("/", response_class=HTMLResponse)
    async def queue_page(request: Request, who: Who, error: str = "") -> Response:
        now = handoff.clock()
        open_now = handoff.hours.is_open(now)
        return page(
            request,
            "queue.html",
            who=who,
            items=await queue_items(),
            error=ERRORS.get(error, ""),
            open_now=open_now,
            next_opening=None if open_now else handoff.hours.next_opening(now),
        )

    @router.get("/api/queue")
    async def queue_json(who: Who) -> dict[str, Any]:
        return {"items": await queue_items(), "now": _ts(utcnow())}

    @router.post("/handoffs/{handoff_id}/claim")
    async def claim(handoff_id: int, who: Checked) -> Response:
        try:
            claimed = await handoff.claim(handoff_id, who.officer)
        except HandoffError as exc:
            return RedirectResponse(f"/console?error={exc.reason}", status_code=303)
        return RedirectResponse(f"/console/conversations/{claimed.conversation_id}", 303)

    # -- conversation -------------------------------------------------------------------------

    async def transcript(conversation_id: int, after: int = 0) -> list[dict[str, Any]]:
        async with app.sessions() as db:
            result = await db.execute(
                select(TranscriptMessage)
                .where(
                    TranscriptMessage.conversation_id == conversation_id,
                    TranscriptMessage.id > after,
                )
                .order_by(TranscriptMessage.id)
                .limit(500)
            )
            rows = result.scalars().all()
        return [_render_message(r) for r in rows]

    @router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
    async def conversation_page(
        request: Request, conversation_id: int, who: Who, error: str = ""
    ) -> Response:
        async with app.sessions() as db:
            conv = await db.get(Conversation, conversation_id)
            if conv is None:
                raise HTTPException(404)
            handoffs = list(await repo.handoffs_of(db, conversation_id))
            current_handoff = next(
                (h for h in handoffs if h.status in ("open", "claimed", "ticket")), None
            )
            holder = (
                await db.get(Officer, current_handoff.claimed_by)
                if current_handoff and current_handoff.claimed_by
                else None
            )
            apps = (
                (
                    await db.execute(
                        select(Application)
                        .where(Application.conversation_id == conversation_id)
                        .order_by(Application.id.desc())
                    )
                )
                .scalars()
                .all()
            )
            canned = await repo.canned_replies(db)
            officers = await repo.list_officers(db, active_only=True)
        messages = await transcript(conversation_id)
        mine = bool(
            current_handoff
            and current_handoff.status == "claimed"
            and (current_handoff.claimed_by == who.officer.id or who.officer.role == "admin")
        )
        return page(
            request,
            "conversation.html",
            who=who,
            conv=conv,
            handoff=current_handoff,
            holder=holder,
            mine=mine,
            applications=apps,
            messages=messages,
            last_id=messages[-1]["id"] if messages else 0,
            canned=canned,
            officers=[o for o in officers if o.id != who.officer.id],
            error=ERRORS.get(error, ""),
        )

    @router.get("/api/conversations/{conversation_id}/messages")
    async def messages_json(conversation_id: int, who: Who, after: int = 0) -> dict[str, Any]:
        return {"messages": await transcript(conversation_id, after)}

    @router.post("/api/handoffs/{handoff_id}/reply")
    async def reply_json(handoff_id: int, request: Request, who: Checked) -> Response:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise HTTPException(422, "JSON body expected") from None
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise HTTPException(422, "send {'text': '...'}")
        try:
            message_id = await handoff.reply(handoff_id, who.officer, body["text"])
        except HandoffError as exc:
            return JSONResponse(
                {"error": exc.reason, "detail": ERRORS.get(exc.reason, exc.reason)}, 409
            )
        return JSONResponse({"id": message_id})

    @router.post("/handoffs/{handoff_id}/reply")
    async def reply_form(
        handoff_id: int, who: Checked, text: Annotated[str, Form()] = ""
    ) -> Response:
        conv_id = await _conversation_of(handoff_id)
        try:
            await handoff.reply(handoff_id, who.officer, text)
        except HandoffError as exc:
            return RedirectResponse(f"/console/conversations/{conv_id}?error={exc.reason}", 303)
        return RedirectResponse(f"/console/conversations/{conv_id}", 303)

    @router.post("/handoffs/{handoff_id}/file")
    async def send_file(
        handoff_id: int, who: Checked, file: Annotated[UploadFile, File()]
    ) -> Response:
        conv_id = await _conversation_of(handoff_id)
        data = await file.read(app.settings.files.max_bytes + 1)
        try:
            await handoff.send_file(handoff_id, who.officer, data, file.filename or "dokumen")
        except FileRejected as exc:
            target = f"/console/conversations/{conv_id}?error=file_{exc.reason}"
            return RedirectResponse(target, 303)
        except HandoffError as exc:
            return RedirectResponse(f"/console/conversations/{conv_id}?error={exc.reason}", 303)
        return RedirectResponse(f"/console/conversations/{conv_id}", 303)

    @router.post("/handoffs/{handoff_id}/transfer")
    async def transfer(handoff_id: int, who: Checked, to: Annotated[str, Form()] = "") -> Response:
        conv_id = await _conversation_of(handoff_id)
        try:
            await handoff.transfer(handoff_id, who.officer, to)
        except HandoffError as exc:
            return RedirectResponse(f"/console/conversations/{conv_id}?error={exc.reason}", 303)
        return RedirectResponse("/console", 303)

    @router.post("/handoffs/{handoff_id}/close")
    async def close(handoff_id: int, who: Checked) -> Response:
        conv_id = await _conversation_of(handoff_id)
        try:
            await handoff.close(handoff_id, who.officer)
        except HandoffError as exc:
            return RedirectResponse(f"/console/conversations/{conv_id}?error={exc.reason}", 303)
        return RedirectResponse(f"/console/conversations/{conv_id}", 303)

    async def _conversation_of(handoff_id: int) -> int:
        async with app.sessions() as db:
            found = await db.get(Handoff, handoff_id)
        if found is None:
            raise HTTPException(404)
        return found.conversation_id

    # -- files --------------------------------------------------------------------------------

    @router.get("/files/{sha256}")
    async def file(
        sha256: str, who: Who, name: str = "dokumen", download: bool = False
    ) -> Response:
        try:
            path = app.files.path_for(sha256)
        except ValueError:
            raise HTTPException(404) from None
        if not path.is_file():
            raise HTTPException(404)
        data = await asyncio.to_thread(path.read_bytes)
        # The type comes from the content, never from what the uploader claimed.
        mime = sniff(data) or "application/octet-stream"
        inline = mime in PREVIEWABLE and not download
        safe = "".join(c for c in name if c.isalnum() or c in "._- ")[:100] or "dokumen"
        disposition = "inline" if inline else "attachment"
        return Response(
            data,
            media_type=mime,
            headers={
                "Content-Disposition": f'{disposition}; filename="{safe}"; '
                f"filename*=UTF-8''{quote(name[:100])}",
                "X-Content-Type-Options": "nosniff",
                # Nothing in a served file may run; Chrome's PDF viewer refuses `sandbox`.
                "Content-Security-Policy": "default-src 'none'; img-src 'self'"
                + ("" if mime == "application/pdf" else "; sandbox"),
                "Cache-Control": "private, max-age=300",
            },
        )

    # -- applications -------------------------------------------------------------------------

    @router.get("/applications", response_class=HTMLResponse)
    async def applications(
        request: Request,
        who: Who,
        status: str = "",
        due_before: str = "",
        overdue: str = "",
    ) -> Response:
        today = handoff.hours.local(utcnow()).date()
        stmt = select(Application)
        if status in STATUS_LABELS:
            stmt = stmt.where(Application.status == status)
        due_limit = _parse_date(due_before)
        if due_limit is not None:
            stmt = stmt.where(Application.due_date <= due_limit)
        open_statuses = ("submitted", "in_review", "needs_revision", "processing")
        if overdue:
            stmt = stmt.where(Application.due_date < today, Application.status.in_(open_statuses))
        async with app.sessions() as db:
            rows = (await db.execute(stmt.limit(500))).scalars().all()
        # Overdue open applications first, then by due date.
        ordered = sorted(
            rows,
            key=lambda a: (
                not (a.due_date < today and a.status in open_statuses),
                a.due_date,
                a.id,
            ),
        )
        return page(
            request,
            "applications.html",
            who=who,
            applications=ordered,
            today=today,
            open_statuses=open_statuses,
            status=status,
            due_before=due_before,
            overdue=overdue,
        )

    @router.get("/applications/{application_id}", response_class=HTMLResponse)
    async def application_page(
        request: Request, application_id: int, who: Who, error: str = ""
    ) -> Response:
        from storage.applications import TRANSITIONS, documents_of, history_of

        async with app.sessions() as db:
            row = await db.get(Application, application_id)
            if row is None:
                raise HTTPException(404)
            docs = await documents_of(db, application_id)
            history = await history_of(db, application_id)
        return page(
            request,
            "application.html",
            who=who,
            a=row,
            docs=docs,
            history=history,
            transitions=sorted(TRANSITIONS.get(row.status, ())),
            decision_json=json.dumps(row.decision, ensure_ascii=False, indent=2),
            error=ERRORS.get(error, error if error.startswith("Status") else ""),
        )

    @router.post("/applications/{application_id}/status")
    async def change_status(
        application_id: int,
        who: Checked,
        status: Annotated[str, Form()],
        note: Annotated[str, Form()] = "",
        permit_number: Annotated[str, Form()] = "",
        file: Annotated[UploadFile | None, File()] = None,
    ) -> Response:
        back = f"/console/applications/{application_id}"
        async with app.sessions() as db:
            row = await db.get(Application, application_id)
            if row is None:
                raise HTTPException(404)
            reference, old = row.reference, row.status
        document_ref = None
        if file is not None and file.filename:
            try:
                stored = await app.files.store_upload(file)
            except FileRejected as exc:
                return RedirectResponse(f"{back}?error=file_{exc.reason}", 303)
            document_ref = f"sha256:{stored.sha256}"
        try:
            await app.office.status.change_status(
                reference,
                status,
                by=who.officer.username,
                note=note.strip()[:2000],
                document_ref=document_ref,
                permit_number=permit_number.strip()[:100],
            )
        except TransitionError:
            return RedirectResponse(f"{back}?error=bad_status", 303)
        except ValueError:
            return RedirectResponse(f"{back}?error=note_required", 303)
        async with app.sessions() as db, db.begin():
            repo.audit(
                db,
                who.officer,
                "application.status",
                f"application:{application_id}",
                reference=reference,
                from_status=old,
                to_status=status,
                document=document_ref or "",
            )
        return RedirectResponse(back, 303)

    # -- canned replies (admins edit) ---------------------------------------------------------

    @router.get("/canned", response_class=HTMLResponse)
    async def canned_page(request: Request, who: Who) -> Response:
        async with app.sessions() as db:
            rows = await repo.canned_replies(db)
        return page(request, "canned.html", who=who, canned=rows)

    @router.post("/canned")
    async def canned_save(
        who: Admin,
        title: Annotated[str, Form()],
        body: Annotated[str, Form()],
        canned_id: Annotated[int | None, Form()] = None,
        delete: Annotated[str, Form()] = "",
    ) -> Response:
        async with app.sessions() as db, db.begin():
            row = await db.get(CannedReply, canned_id) if canned_id else None
            if delete and row is not None:
                await db.delete(row)
                repo.audit(db, who.officer, "canned.delete", f"canned:{canned_id}")
            elif title.strip() and body.strip():
                if row is None:
                    row = CannedReply(title=title.strip()[:100], body=body.strip()[:4000])
                    db.add(row)
                else:
                    row.title, row.body = title.strip()[:100], body.strip()[:4000]
                row.updated_at = utcnow()
                await db.flush()
                repo.audit(db, who.officer, "canned.save", f"canned:{row.id}")
        return RedirectResponse("/console/canned", 303)

    # -- audit log (admins) -------------------------------------------------------------------

    @router.get("/audit", response_class=HTMLResponse)
    async def audit_page(request: Request, who: AdminView) -> Response:
        async with app.sessions() as db:
            rows = await repo.audit_entries(db)
        return page(request, "audit.html", who=who, entries=rows)

    # -- static and live ----------------------------------------------------------------------

    @router.get("/static/{name}")
    async def static(name: str) -> Response:
        path = (STATIC / name).resolve()
        if path.parent != STATIC or not path.is_file():
            raise HTTPException(404)
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return Response(
            path.read_bytes(),
            media_type=media,
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
        )

    @router.websocket("/ws")
    async def live(websocket: WebSocket) -> None:
        # Cross-site pages must not ride the officer's cookie into a WebSocket.
        origin = websocket.headers.get("origin", "")
        host = websocket.headers.get("host", "")
        if origin and origin.split("://", 1)[-1] != host:
            await websocket.close(code=4403)
            return
        try:
            await current(websocket)
        except NotSignedIn:
            await websocket.close(code=4401)
            return
        await websocket.accept()
        conversation = int(websocket.query_params.get("conversation", "0") or 0)
        after = int(websocket.query_params.get("after", "0") or 0)
        last_queue = ""
        try:
            while True:
                if conversation:
                    for message in await transcript(conversation, after):
                        await websocket.send_json({"type": "message", "message": message})
                        after = message["id"]
                    await _mode_update(websocket, conversation)
                    await app.hub.wait(conversation_topic(conversation), 2.0)
                else:
                    items = await queue_items()
                    fingerprint = json.dumps(items, sort_keys=True)
                    if fingerprint != last_queue:
                        await websocket.send_json({"type": "queue", "items": items})
                        last_queue = fingerprint
                    # Other server processes' changes arrive by this poll's timeout.
                    await app.hub.wait(CONSOLE_TOPIC, 2.0)
        except (WebSocketDisconnect, RuntimeError):
            return

    async def _mode_update(websocket: WebSocket, conversation_id: int) -> None:
        async with app.sessions() as db:
            conv = await db.get(Conversation, conversation_id)
        if conv is not None:
            await websocket.send_json({"type": "mode", "mode": conv.mode})

    web.include_router(router)


def _page_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


def _safe_next(target: str) -> str:
    # Only paths inside the console: never an open redirect to another site.
    if target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console"


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _render_message(row: TranscriptMessage) -> dict[str, Any]:
    body = row.body or {}
    files: list[dict[str, str]] = []
    for attachment in body.get("attachments", ()) or ():
        ref = str(attachment.get("ref") or "")
        if ref.startswith("sha256:"):
            files.append(
                {
                    "sha256": ref[7:],
                    "name": str(attachment.get("file_name") or "dokumen"),
                    "mime": str(attachment.get("mime_type") or ""),
                }
            )
    ref = str(body.get("document_ref") or "")
    if ref.startswith("sha256:"):
        files.append(
            {
                "sha256": ref[7:],
                "name": str(body.get("document_name") or "dokumen"),
                "mime": str(body.get("document_mime") or ""),
            }
        )
    for f in files:
        f["preview"] = (
            "image"
            if f["mime"].startswith("image/")
            else ("pdf" if f["mime"] == "application/pdf" else "")
        )
    return {
        "id": row.id,
        "author": row.author,
        "author_id": row.author_id,
        "direction": row.direction,
        "text": row.text,
        "buttons": [str(b.get("title", "")) for b in body.get("buttons", ()) or ()],
        "files": files,
        "at": _ts(row.created_at),
        "at_local": _local(row.created_at),
    }
