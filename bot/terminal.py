"""The terminal chat: the same relay and rendering as Telegram, buttons shown as numbered choices.
A typed number (« 2 », « le 2 », « 1. », « n°1 », « la première ») presses the button it names: one
just shown, or the last keyboard still open when the bot said something without buttons since
(bot/choices). Works on a TTY and with piped stdin (tests and scripts drive it that way)."""
from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot import texts
from bot.choices import Keyboard, offered_choice, pick, typed_choice
from bot.inputs import Answer, from_text
from bot.relay import Relay
from bot.replies import Button, Document, Reply
from tremplin.settings import get_settings

Reader = Callable[[], Awaitable[str | None]]
Writer = Callable[[str], None]


def save_document(document: Document) -> Path:
    """The terminal cannot show a file: it is written under var/exports/ and its path printed."""
    folder = get_settings().data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / document.filename
    path.write_bytes(document.content)
    return path


def render(replies: list[Reply]) -> tuple[str, list[Button]]:
    """Text for the terminal and the buttons that the numbers now stand for."""
    lines: list[str] = []
    choices: list[Button] = []
    for reply in replies:
        if reply.text:
            lines.append(reply.text)
        if reply.document:
            lines.append(f"[fichier] {save_document(reply.document)}")
        if reply.image:
            lines.append(f"[image] {reply.image}")
        for button in reply.buttons:
            if button.is_link:
                lines.append(f"   🔗 {button.title} : {button.payload}")
            else:
                choices.append(button)
                lines.append(f"   {len(choices)}. {button.title}")
    return "\n".join(lines), choices


def stdin_reader() -> Reader:
    """Lines from stdin through a daemon thread, so Ctrl-C never waits for a pending read."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="stdin", daemon=True).start()
    return queue.get


class TerminalChat:
    def __init__(self, relay: Relay, user_id: str, write: Writer) -> None:
        self.relay = relay
        self.user_id = user_id
        self.write = write
        self.choices: list[Button] = []  # the buttons of the last answer, numbered 1…
        self.shown_in = 0  # how many of its messages carried them
        self.sender = relay.sender_id(user_id)

    async def turn(self, line: str) -> None:
        """One line typed by the user: a choice number presses the button (once), else text."""
        stripped = line.strip()
        button = self._shown_choice(stripped) if self.choices else \
            await offered_choice(self.sender, stripped, numbered=True)
        if button is not None:
            self.choices = []
            self.write(f"→ {button.title}")
            await self._send(button.payload)
            return
        classified = from_text(line)
        if classified is None:
            return
        if isinstance(classified, Answer):
            self.write(classified.text)
            return
        await self._send(classified.message)

    def _shown_choice(self, text: str) -> Button | None:
        """A button of the last answer: its number as shown (« 2 »), or « le 2 », « la première »."""
        typed = typed_choice(text)
        if typed is None:
            return None
        if typed.bare:
            return self.choices[typed.position - 1] if typed.position <= len(self.choices) else None
        return pick(Keyboard(tuple(self.choices), self.shown_in), typed, numbered=True)

    async def _send(self, message: str) -> None:
        async def busy() -> None:
            self.write(texts.BUSY)
        replies = await self.relay.ask(self.sender, message, on_wait=busy)
        text, choices = render(replies)
        self.choices = choices
        self.shown_in = sum(1 for reply in replies if any(not b.is_link for b in reply.buttons))
        if text:
            self.write(text)

    async def run(self, read: Reader, greet: bool = True,
                  prompt: Callable[[], None] | None = None) -> int:
        await self.relay.register(self.user_id, "terminal")
        self.write(texts.TERMINAL_BANNER)
        if greet:
            await self._send("/greet")
        while True:
            if prompt is not None:
                prompt()
            line = await read()
            if line is None:
                self.write("À bientôt 👋")
                return 0
            await self.turn(line)
