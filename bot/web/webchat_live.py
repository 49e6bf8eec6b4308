"""The web chat's WebSocket: replies pushed as they are written (officer messages included)."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from bot.channels.webchat import CHANNEL, render
from bot.web.deps import Siketan
from bot.web.webchat import PREFIX, webchat_channel
from dialogs.messages import Outbound
from office.live import conversation_topic
from storage import conversations as repo

router = APIRouter(prefix=PREFIX)


@router.websocket("/{session_id}/ws")
async def live(websocket: WebSocket, session_id: str, app: Siketan, token: str = "") -> None:
    # Browsers cannot set headers on a WebSocket: the token comes as a query parameter.
    async with app.sessions() as db:
        ok = await webchat_channel(app).check_token(db, session_id, token)
    if not ok:
        await websocket.close(code=4401 if ok is False else 4404)
        return
    await websocket.accept()
    after = int(websocket.query_params.get("after", "0") or 0)
    try:
        while True:
            async with app.sessions() as db:
                conv = await repo.get_conversation(db, CHANNEL, session_id)
                rows = [] if conv is None else await repo.outgoing_after(db, conv.id, after)
            for row in rows:
                await websocket.send_json(render(row.id, Outbound.from_json(row.body)))
                after = row.id
            topic = conversation_topic(conv.id) if conv else f"webchat:{session_id}"
            await app.hub.wait(topic, 1.0)
    except (WebSocketDisconnect, RuntimeError):
        return
