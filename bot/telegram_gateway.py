"""Telegram handlers: private text and commands go through the relay, button presses redeem their
token once and mark the message, everything else gets a kind answer. Raw Telegram ids stay here:
Rasa and the logs only ever see the HMAC sender id."""
from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot import texts
from bot.choices import telegram_choice
from bot.inputs import Answer, from_text
from bot.relay import Deferred, Relay, short
from bot.replies import Reply, parse_rasa
from bot.storage import PendingTurn, PendingTurns, Redeemed, TokenStore
from bot.telegram_inbox import REPLAY, TURN, Inbox
from bot.sent_log import SentLog
from bot.telegram_render import TEXT_LIMIT, Unsure, send_replies
from tremplin.db import retry_unavailable as db_retry

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
TYPING_AFTER = 0.8  # seconds
PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
HANDOFF = re.compile(r"^/start(?:@\w+)?\s+web-([A-Za-z0-9]{4,16})$")


class TelegramGateway:
    def __init__(self, relay: Relay, tokens: TokenStore, pending: PendingTurns | None = None,
                 inbox: Inbox | None = None, sent_log: SentLog | None = None) -> None:
        self.relay = relay
        self.tokens = tokens
        self.pending = pending
        self.inbox = inbox
        self.sent_log = sent_log

    def install(self, app: Application) -> None:
        app.add_handler(MessageHandler(filters.ChatType.GROUPS | filters.ChatType.CHANNEL, self.refuse_group))
        app.add_handler(MessageHandler(PRIVATE_MESSAGE & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(PRIVATE_MESSAGE & ~filters.TEXT, self.on_other))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_error_handler(self.on_error)

    async def _register(self, user_id: int, chat_id: int) -> str:
        return await db_retry(lambda: self.relay.register(user_id, chat_id), "account")

    async def _ran_before(self, sender: str, update_id: int | None) -> tuple[list[Reply], int] | None:
        """A turn from before a crash that Rasa had already run: its answer and how much of it was
        sent (bot/telegram_inbox); None if Rasa never ran it."""
        if self.inbox is None or update_id is None:
            return None
        said = await self.inbox.answered(sender, update_id)
        if said is None:
            return None
        row = self.inbox.loaded(update_id)
        log.info("update %s: Rasa had answered before the restart, its answer is sent from the tracker",
                 update_id)
        return parse_rasa(said), (row.sent if row else 0)

    async def _ask(self, sender: str, message: str, update_id: int | None,
                   on_wait: Callable[[], Awaitable[None]] | None = None) -> list[Reply]:
        marker = TURN.set(self.inbox.marker(update_id) if self.inbox and update_id is not None else None)
        try:
            return await self.relay.ask(sender, message, on_wait=on_wait)
        finally:
            TURN.reset(marker)

    async def _unsure(self, chat_id: int, update_id: int) -> Unsure | None:
        """A turn Rasa had answered before a crash: where its next message would be on screen if
        it was sent (above the update's own message and the messages logged before it came)."""
        row = self.inbox.loaded(update_id) if self.inbox is not None else None
        if row is None or self.sent_log is None:
            return None
        raw = json.loads(row.raw)
        message = raw.get("message") or (raw.get("callback_query") or {}).get("message") or {}
        floor = max(int(message.get("message_id") or 0), await self.sent_log.floor(chat_id, row.at))
        return Unsure(self.sent_log, floor)

    async def _send(self, bot: Bot, chat_id: int, replies: list[Reply], sender: str,
                    update_id: int | None, skip: int | None = None) -> None:
        """`skip`: set when the answer was given before a crash, how much of it is known sent."""
        progress = None
        inbox = self.inbox
        if inbox is not None and update_id is not None:
            key = update_id

            async def progress(sent: int) -> None:
                await inbox.progress(key, sent)
        unsure = await self._unsure(chat_id, update_id) if skip is not None and update_id is not None else None
        await send_replies(bot, chat_id, replies, self.tokens, sender, skip or 0, progress,
                           # per bot and update: a new bot token restarts update ids at 1
                           f"u:{inbox.marker(update_id)}" if update_id is not None and inbox is not None else None,
                           unsure)
        if inbox is not None and update_id is not None:
            await inbox.answered_now(update_id)

    async def converse(self, bot: Bot, chat_id: int, user_id: int, message: str,
                       update_id: int | None = None) -> None:
        """One turn with Rasa; if Rasa is down the user hears so at once, the message is kept in
        the database (it survives a gateway restart) and the turn is retried."""
        sender = await self._register(user_id, chat_id)
        kept = False
        if REPLAY.get() and (known := await self._ran_before(sender, update_id)) is not None:
            await self._send(bot, chat_id, known[0], sender, update_id, skip=known[1])
            return

        async def busy() -> None:
            nonlocal kept
            if self.pending is not None and update_id is not None:
                try:
                    await self.pending.keep(update_id, chat_id, user_id, message)
                    kept = True
                except Exception:  # noqa: BLE001 - the retries below still run, in memory
                    log.exception("could not keep a waiting message from %s", short(sender))
            await bot.send_message(chat_id, texts.BUSY)

        # "typing…" only when the answer is slow: it would cost flood-limit budget for nothing.
        typing = asyncio.create_task(self._typing_after(bot, chat_id, TYPING_AFTER))
        try:
            replies = await self._ask(sender, message, update_id, on_wait=busy)
        except Deferred:
            if self.inbox is not None and update_id is not None:
                self.inbox.hold(update_id)
            return  # kept: the next start answers it
        finally:
            typing.cancel()
        pending = self.pending
        if kept and pending is not None and update_id is not None:
            # Rasa has run the turn: never again, even if sending the answer fails (kept: both are set)
            await db_retry(lambda: pending.done(update_id), "kept turn")
        await self._send(bot, chat_id, replies, sender, update_id)

    async def resume(self, bot: Bot, turn: PendingTurn) -> None:
        """A message kept while Rasa was down, from before this start: answered now, once."""
        pending = self.pending
        assert pending is not None
        await db_retry(lambda: pending.resumed(turn.update_id), "kept turn")
        sender = await self._register(turn.user_id, turn.chat_id)
        known = await self._ran_before(sender, turn.update_id)
        if known is None:
            try:
                replies = await self._ask(sender, turn.message, turn.update_id)
            except Deferred:
                if self.inbox is not None:
                    self.inbox.hold(turn.update_id)
                return
            await db_retry(lambda: pending.done(turn.update_id), "kept turn")
            await self._send(bot, turn.chat_id, replies, sender, turn.update_id)
            return
        await db_retry(lambda: pending.done(turn.update_id), "kept turn")
        await self._send(bot, turn.chat_id, known[0], sender, turn.update_id, skip=known[1])

    @staticmethod
    async def _typing_after(bot: Bot, chat_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError:
            pass  # cosmetic

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        handoff = HANDOFF.match(message.text.strip())
        if handoff:  # a pupil moves from the web chat to Telegram (bot/web, « Continuer sur Telegram »)
            await self.handoff(context.bot, message.chat_id, user.id, handoff.group(1))
            return
        result = from_text(message.text)
        if result is None:
            return
        if isinstance(result, Answer):
            await context.bot.send_message(message.chat_id, result.text)
            return
        # « 1 », « le 2 » for the last keyboard still open: that button, spent as if pressed (bot/choices)
        chosen = await telegram_choice(self.tokens, self.relay.sender_id(user.id), message.text)
        await self.converse(context.bot, message.chat_id, user.id, chosen or result.message, update.update_id)

    async def handoff(self, bot: Bot, chat_id: int, user_id: int, code: str) -> None:
        """Attach this Telegram chat to the web account of the code, then greet it as usual."""
        from tremplin.db import session_scope
        from tremplin.services.errors import DomainError
        from tremplin.services.links import redeem_handoff

        if self.relay.engine is None:
            return
        try:
            async with session_scope(self.relay.engine, write=True) as session:
                await redeem_handoff(session, code, self.relay.channel, user_id, chat_id)
        except DomainError as exc:
            await bot.send_message(chat_id, exc.message)
            return
        await bot.send_message(chat_id, texts.HANDOFF_DONE)
        await self.converse(bot, chat_id, user_id, "/greet")

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        sender = self.relay.sender_id(user.id)
        row = self.inbox.loaded(update.update_id) if self.inbox is not None else None
        if row is not None and row.payload is not None:  # spent before a crash: replayed as pressed
            redeemed = Redeemed("ok", row.payload, row.title or "")
        else:
            redeemed = await db_retry(lambda: self.tokens.peek(query.data or "", sender), "button")
            if redeemed.status == "ok" and self.inbox is not None:  # kept before the spend: replayed after a crash
                await self.inbox.record_button(update.update_id, redeemed.payload, redeemed.title)
            if redeemed.status == "ok":
                redeemed = await db_retry(lambda: self.tokens.redeem(query.data or "", sender), "button")
        if redeemed.status != "ok":
            await self._answer_query(query, texts.BUTTON_USED if redeemed.status == "used" else texts.BUTTON_EXPIRED)
            return
        await self._answer_query(query, None)
        await self._mark_chosen(update, redeemed.title)
        chat_id = query.message.chat.id if query.message is not None else user.id
        await self.converse(context.bot, chat_id, user.id, redeemed.payload, update.update_id)

    @staticmethod
    async def _answer_query(query: Any, text: str | None) -> None:
        """Cosmetic (the spinner on the button): a query answered late (after a restart) is refused."""
        try:
            await query.answer(text) if text else await query.answer()
        except TelegramError as exc:
            log.info("could not answer a button press: %s", type(exc).__name__)

    @staticmethod
    async def _mark_chosen(update: Update, title: str) -> None:
        """Show the choice under the question and drop the keyboard: it cannot be pressed twice."""
        query = update.callback_query
        if query is None:  # only called for a pressed button
            return
        message = query.message
        text = getattr(message, "text", None)
        try:
            new_text = f"{text}\n\n➡️ {title}" if text else ""
            if new_text and len(new_text) <= TEXT_LIMIT:
                await query.edit_message_text(new_text, reply_markup=None)
            else:
                await query.edit_message_reply_markup(reply_markup=None)
        except TelegramError as exc:  # too old to edit, already edited…: the token is spent anyway
            log.info("could not edit a pressed keyboard: %s", type(exc).__name__)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None:
            await context.bot.send_message(message.chat_id, texts.NON_TEXT)

    async def refuse_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot is for private chats only (minors' data): say so once, then leave the group."""
        chat = update.effective_chat
        if chat is None:
            return
        try:
            if chat.type != "channel":
                await context.bot.send_message(chat.id, texts.GROUP_REFUSAL)
            await context.bot.leave_chat(chat.id)
        except TelegramError as exc:
            log.info("could not leave a group: %s", type(exc).__name__)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if isinstance(update, Update) and self.inbox is not None:
            self.inbox.hold(update.update_id)  # handled again at the next start
        who = short(self.relay.sender_id(user.id)) if user else "?"
        log.error("error while handling an update from %s: %r", who, context.error,
                  exc_info=context.error)
