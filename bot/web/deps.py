"""What every route may depend on: the app's services, from `request.app.state`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from bot.app import App
from bot.channels.base import Channel, ChannelContext


def siketan(connection: HTTPConnection) -> App:
    app: App = connection.app.state.siketan
    return app


Siketan = Annotated[App, Depends(siketan)]


@dataclass(frozen=True)
class Receiver:
    """A channel and where what it receives goes (`context.receive(channel, received)`)."""

    channel: Channel
    context: ChannelContext


def receivers(app: App) -> dict[str, Receiver]:
    """Built once per server (kept in `app.state.receivers`)."""
    return {name: Receiver(ch, app.channel_context(name)) for name, ch in app.channels.items()}


def receiver(name: str) -> Callable[[HTTPConnection], Receiver]:
    def dependency(connection: HTTPConnection) -> Receiver:
        found: Receiver = connection.app.state.receivers[name]
        return found

    return dependency
