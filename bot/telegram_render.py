"""Replies → Telegram messages: inline keyboards whose callback data are short tokens, photos,
texts split under Telegram's limits. Plain text only (no parse mode): nothing to escape or inject."""
from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.replies import Button, Reply, split_text
from bot.storage import TokenStore

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


async def keyboard(buttons: tuple[Button, ...], tokens: TokenStore, sender: str) -> InlineKeyboardMarkup | None:
    """One button per row (titles are often long in French); links open directly."""
    if not buttons:
        return None
    actions = [b for b in buttons if not b.is_link]
    issued = iter(await tokens.issue(sender, actions))
    rows = []
    for button in buttons:
        if button.is_link:
            rows.append([InlineKeyboardButton(button.title[:64], url=button.payload)])
        else:
            rows.append([InlineKeyboardButton(button.title[:64], callback_data=next(issued))])
    return InlineKeyboardMarkup(rows)


async def send_replies(bot: Bot, chat_id: int, replies: list[Reply], tokens: TokenStore,
                       sender: str) -> list[Message]:
    sent: list[Message] = []
    for reply in replies:
        markup = await keyboard(reply.buttons, tokens, sender)
        if reply.document:
            sent.append(await bot.send_document(chat_id, reply.document.content,
                                                filename=reply.document.filename))
            if not (reply.text or markup):
                continue
        if reply.image:
            if len(reply.text) <= CAPTION_LIMIT:  # picture, caption and buttons in one message
                sent.append(await bot.send_photo(chat_id, reply.image, caption=reply.text or None,
                                                 reply_markup=markup))
                continue
            sent.append(await bot.send_photo(chat_id, reply.image))
        pieces = split_text(reply.text, TEXT_LIMIT) or (["👇"] if markup else [])
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            sent.append(await bot.send_message(chat_id, piece, reply_markup=markup if last else None))
    return sent
