"""Replies → Telegram messages: inline keyboards whose callback data are short tokens, photos,
texts split under Telegram's limits. Plain text only (no parse mode): nothing to escape or inject."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.ext import ExtBot

from bot.replies import Button, Reply, split_text
from bot.sent_log import REF, SentLog, already_shown
from bot.storage import TokenStore
from tremplin.db import retry_unavailable as db_retry

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


async def keyboard(buttons: tuple[Button, ...], tokens: TokenStore, sender: str,
                   seed: str | None = None) -> InlineKeyboardMarkup | None:
    """One button per row (titles are often long in French); links open directly. `seed`: see
    TokenStore.issue."""
    if not buttons:
        return None
    actions = [b for b in buttons if not b.is_link]
    issued = iter(await db_retry(lambda: tokens.issue(sender, actions, seed), "button tokens"))
    rows = []
    for button in buttons:
        if button.is_link:
            rows.append([InlineKeyboardButton(button.title[:64], url=button.payload)])
        else:
            rows.append([InlineKeyboardButton(button.title[:64], callback_data=next(issued))])
    return InlineKeyboardMarkup(rows)


def _count(reply: Reply) -> int:
    """How many Telegram messages `send_replies` makes of one reply."""
    count = 1 if reply.document else 0
    if reply.document and not (reply.text or reply.buttons):
        return count
    if reply.image:
        if len(reply.text) <= CAPTION_LIMIT:
            return count + 1
        count += 1
    return count + len(split_text(reply.text, TEXT_LIMIT) or (["👇"] if reply.buttons else []))


@dataclass(frozen=True)
class Unsure:
    """An answer sent again after a crash: its first message not known as sent (`skip`) may be on
    screen already (killed between Telegram's answer and the mark); it is looked for above `floor`
    (bot/sent_log) before being sent."""
    sent_log: SentLog
    floor: int


async def send_replies(bot: Bot, chat_id: int, replies: list[Reply], tokens: TokenStore, sender: str,
                       skip: int = 0, progress: Callable[[int], Awaitable[None]] | None = None,
                       ref: str | None = None, unsure: Unsure | None = None) -> list[Message]:
    """`skip`: messages already sent before a crash (bot/telegram_inbox); `progress(n)` is awaited
    after each message but the last, so that a crash in the middle of an answer resends none.
    `ref` (« u:<bot>:<update> ») names each message (`ref:n`) in the sent log and seeds its keyboard's
    tokens, so that the same answer sent again is the same on screen; `unsure`: see `Unsure`."""
    sent: list[Message] = []
    total = sum(_count(reply) for reply in replies)
    done = 0

    async def shown(text: str | None, caption: str | None, markup: InlineKeyboardMarkup | None) -> bool:
        if unsure is None or done != skip or not isinstance(bot, ExtBot):
            return False
        floor = unsure.floor
        if done > 0 and ref is not None:  # the message before it is logged: it comes after that one
            floor = max(floor, await unsure.sent_log.find(f"{ref}:{done - 1}") or 0)
        return await already_shown(bot, unsure.sent_log, chat_id, floor, text=text, caption=caption,
                                   markup=markup, ref=f"{ref}:{done}" if ref else None) is not None

    async def out(send: Callable[[], Awaitable[Message]], text: str | None = None, caption: str | None = None,
                  markup: InlineKeyboardMarkup | None = None) -> None:
        nonlocal done
        if done >= skip:
            naming = REF.set(f"{ref}:{done}" if ref else None)
            try:
                if not await shown(text, caption, markup):
                    sent.append(await send())
            finally:
                REF.reset(naming)
            if progress is not None and done + 1 < total:
                await progress(done + 1)
        done += 1

    for reply in replies:
        if _count(reply) + done <= skip:  # all of it was sent before: no new button tokens
            done += _count(reply)
            continue
        markup = await keyboard(reply.buttons, tokens, sender, f"{ref}:{done}" if ref else None)
        if reply.document:
            document = reply.document
            await out(lambda: bot.send_document(chat_id, document.content, filename=document.filename))
            if not (reply.text or markup):
                continue
        if reply.image:
            image, text = reply.image, reply.text
            if len(reply.text) <= CAPTION_LIMIT:  # picture, caption and buttons in one message
                await out(lambda: bot.send_photo(chat_id, image, caption=text or None, reply_markup=markup),
                          caption=text or None, markup=markup)
                continue
            await out(lambda: bot.send_photo(chat_id, image))
        pieces = split_text(reply.text, TEXT_LIMIT) or (["👇"] if markup else [])
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            await out(lambda: bot.send_message(chat_id, piece, reply_markup=markup if last else None),
                      text=piece, markup=markup if last else None)
    return sent
