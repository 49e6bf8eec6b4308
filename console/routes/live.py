"""Live updates over a WebSocket: the queue, or one conversation's new messages and mode.

The hub only wakes the socket early; it always re-reads the database, and polls on a timeout,
so changes made by another server process arrive too.
"""

from __future__ import annotations

import json

from fastapi import APIRouter
from starlette.websockets import WebSocket, WebSocketDisconnect

from console.deps import NotSignedIn, current_officer, state
from console.routes.queue import queue_items
from console.state import ConsoleState
from console.transcript import transcript
from office.live import CONSOLE_TOPIC, conversation_topic
from storage import console_reads

router = APIRouter()
POLL_SECONDS = 2.0


def _same_origin(websocket: WebSocket) -> bool:
    # Cross-site pages must not ride the officer's cookie into a WebSocket.
    origin = websocket.headers.get("origin", "")
    return not origin or origin.split("://", 1)[-1] == websocket.headers.get("host", "")


@router.websocket("/ws")
async def live(websocket: WebSocket) -> None:
    if not _same_origin(websocket):
        await websocket.close(code=4403)
        return
    try:
        await current_officer(websocket)
    except NotSignedIn:
        await websocket.close(code=4401)
        return
    await websocket.accept()
    console = state(websocket)
    conversation = int(websocket.query_params.get("conversation", "0") or 0)
    after = int(websocket.query_params.get("after", "0") or 0)
    try:
        if conversation:
            await _follow_conversation(websocket, console, conversation, after)
        else:
            await _follow_queue(websocket, console)
    except (WebSocketDisconnect, RuntimeError):
        return


async def _follow_conversation(
    websocket: WebSocket, console: ConsoleState, conversation_id: int, after: int
) -> None:
    while True:
        for message in await transcript(console, conversation_id, after):
            await websocket.send_json({"type": "message", "message": message})
            after = message["id"]
        async with console.office.sessions() as db:
            conv = await console_reads.get_conversation(db, conversation_id)
        if conv is not None:
            await websocket.send_json({"type": "mode", "mode": conv.mode})
        await console.office.hub.wait(conversation_topic(conversation_id), POLL_SECONDS)


async def _follow_queue(websocket: WebSocket, console: ConsoleState) -> None:
    last = ""
    while True:
        items = await queue_items(console)
        fingerprint = json.dumps(items, sort_keys=True)
        if fingerprint != last:
            await websocket.send_json({"type": "queue", "items": items})
            last = fingerprint
        await console.office.hub.wait(CONSOLE_TOPIC, POLL_SECONDS)
