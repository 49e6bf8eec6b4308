"""What Telegram users expect around a message, none of which may fail it: the tapped button
stops spinning and its keyboard goes, a group hears once that only private chats are served, and
"typing..." shows when an answer is really taking a while."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from telegram import Bot
from telegram.constants import ChatAction

from bot.channels.telegram.api import quietly
from bot.channels.telegram.updates import TelegramReceived
from dialogs.texts import text as catalog_text


class Courtesy:
    def __init__(self, bot: Bot, typing_after: float) -> None:
        self._bot = bot
        self._typing_after = typing_after
        self._groups_told: set[int] = set()

    async def acknowledge(self, item: TelegramReceived) -> None:
        if item.callback_query_id:
            await quietly(self._bot.answer_callback_query(item.callback_query_id))
        if item.group_chat_id is not None:
            await self._tell_group_once(item.group_chat_id)
            return
        if item.tapped_message is not None:
            # A stale keyboard invites double taps; the choice now shows as the next reply.
            chat, message_id = item.tapped_message
            await quietly(
                self._bot.edit_message_reply_markup(
                    chat_id=chat, message_id=message_id, reply_markup=None
                )
            )

    @contextlib.asynccontextmanager
    async def typing(self, chat_id: str, *, at_once: bool) -> AsyncIterator[None]:
        task = asyncio.create_task(
            self._typing_later(chat_id, 0.0 if at_once else self._typing_after)
        )
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _typing_later(self, chat_id: str, after: float) -> None:
        # Honest "typing...": shown only when the answer is really taking a while.
        await asyncio.sleep(after)
        await quietly(self._bot.send_chat_action(int(chat_id), ChatAction.TYPING))

    async def _tell_group_once(self, chat_id: int) -> None:
        if chat_id in self._groups_told:
            return
        self._groups_told.add(chat_id)
        await quietly(self._bot.send_message(chat_id, catalog_text("id", "telegram_private_only")))
