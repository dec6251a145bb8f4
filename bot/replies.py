"""Rasa's answers as neutral replies (text, buttons, image) that each front end renders its own way."""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    @property
    def is_link(self) -> bool:
        return self.payload.startswith(("https://", "http://"))


@dataclass(frozen=True)
class Document:
    """A file an action sends (e.g. a class export), as `custom.document` with base64 content."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class Reply:
    text: str = ""
    buttons: tuple[Button, ...] = field(default_factory=tuple)
    image: str | None = None
    document: Document | None = None


def _document(raw: Any) -> Document | None:
    if not isinstance(raw, dict):
        return None
    name = re.sub(r"[^\w.\-]", "_", str(raw.get("filename") or "export.csv"))[:80] or "export.csv"
    try:
        content = base64.b64decode(str(raw.get("content_base64") or ""), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not name.strip("."):
        name = "export.csv"
    return Document(filename=name, content=content) if content else None


def _buttons(raw: Any) -> tuple[Button, ...]:
    buttons = []
    for item in raw or ():
        if not isinstance(item, dict):
            continue
        title = str(item.get("title") or "").strip()
        payload = str(item.get("payload") or item.get("url") or "").strip()
        if title and payload:
            buttons.append(Button(title=title, payload=payload))
    return tuple(buttons)


def parse_rasa(messages: list[dict[str, Any]]) -> list[Reply]:
    """Keep what a chat can show; `custom` messages may carry text and buttons too."""
    replies = []
    for message in messages:
        custom_field = message.get("custom")
        custom: dict[str, Any] = custom_field if isinstance(custom_field, dict) else {}
        text = str(message.get("text") or custom.get("text") or "").strip()
        buttons = _buttons(message.get("buttons") or custom.get("buttons")
                           or message.get("quick_replies"))
        image = message.get("image") or custom.get("image")
        image = str(image) if isinstance(image, str) and image.startswith(("https://", "http://")) else None
        document = _document(custom.get("document"))
        if text or buttons or image or document:
            replies.append(Reply(text=text, buttons=buttons, image=image, document=document))
    return replies


def split_text(text: str, limit: int) -> list[str]:
    """Cut a long text at paragraph, line or word boundaries so every piece fits the channel."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        if cut <= limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces
