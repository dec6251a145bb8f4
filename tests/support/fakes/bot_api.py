"""A local fake of Telegram's Bot API (aiohttp) that the real gateway talks to through
TELEGRAM_API_BASE_URL. Tests push user updates and read back what the user would see."""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

STRING_FIELDS = {"text", "caption", "callback_query_id", "secret_token", "url", "photo", "action",
                 "parse_mode", "data"}


class FakeBotAPI:
    def __init__(self, token: str = "123456:FAKE-token", username: str = "TremplinTestBot") -> None:
        self.token = token
        self.me = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Tremplin",
                   "username": username}
        self.updates: list[dict[str, Any]] = []
        self.confirmed = 0                      # highest offset a poller confirmed
        self.sent: dict[int, list[dict[str, Any]]] = defaultdict(list)   # chat → bot messages
        self.user_message_ids: dict[int, set[int]] = defaultdict(set)    # chat → the user's messages
        self.sent_at: list[tuple[int, float]] = []   # (chat, monotonic time) of each bot message
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.left_chats: list[int] = []
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.fail_next: dict[str, list[tuple[int, str, int | None]]] = defaultdict(list)
        self.on_turn_done: Callable[[int], Awaitable[None]] | None = None  # see _m_xTurnDone
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.base_url = ""

    # --- server ---------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        return self.base_url

    async def stop(self) -> None:
        self._closing = True
        await self._notify()  # release pending long polls, or cleanup would wait for them
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        for key, value in list(params.items()):
            if isinstance(value, str) and key not in STRING_FIELDS:
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    pass
        return params

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        try:
            params = await self._params(request)
        except ConnectionResetError:  # the client went away mid-request (a gateway process stopped)
            return web.Response(status=499)
        self.calls.append((method, params))
        if self.fail_next.get(method):
            code, description, retry_after = self.fail_next[method].pop(0)
            body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
            if retry_after is not None:
                body["parameters"] = {"retry_after": retry_after}
            return web.json_response(body, status=code)
        handler = getattr(self, "_m_" + method, None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        try:
            result = await handler(params)
        except LookupError as exc:
            return web.json_response({"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"},
                                     status=400)
        async with self._changed:
            self._changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    # --- Bot API methods --------------------------------------------------------------------
    async def _m_getMe(self, p: dict) -> dict:
        return self.me

    async def _m_getUpdates(self, p: dict) -> list[dict]:
        offset = int(p.get("offset") or 0)
        self.confirmed = max(self.confirmed, offset)
        self.updates = [u for u in self.updates if u["update_id"] >= self.confirmed]
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        async with self._changed:
            while not self.updates and not self._closing and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except asyncio.TimeoutError:
                    break
        return self.updates[: int(p.get("limit") or 100)]

    async def _m_deleteWebhook(self, p: dict) -> bool:
        self.webhook = {}
        return True

    async def _m_setWebhook(self, p: dict) -> bool:
        self.webhook = p
        return True

    async def _m_setMyCommands(self, p: dict) -> bool:
        self.commands = p["commands"]
        return True

    async def _m_sendChatAction(self, p: dict) -> bool:
        return True

    async def _m_leaveChat(self, p: dict) -> bool:
        self.left_chats.append(int(p["chat_id"]))
        return True

    async def _m_xTurnDone(self, p: dict) -> bool:
        """Not Telegram's: a gateway run as its own process for a benchmark says here that it
        has handled an update of this chat (tests.support.tasks.harness.SignallingGateway)."""
        if self.on_turn_done is not None:
            await self.on_turn_done(int(p["chat_id"]))
        return True

    async def _m_answerCallbackQuery(self, p: dict) -> bool:
        self.callback_answers.append(p)
        return True

    def _new_message(self, p: dict, **content: Any) -> dict:
        chat_id = int(p["chat_id"])
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "from": self.me,
                   "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"}, **content}
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        self.sent[chat_id].append(message)
        self.sent_at.append((chat_id, time.monotonic()))
        return message

    async def _m_sendMessage(self, p: dict) -> dict:
        if len(p["text"]) > 4096:
            raise LookupError("message is too long")
        return self._new_message(p, text=p["text"])

    async def _m_sendPhoto(self, p: dict) -> dict:
        content: dict[str, Any] = {"photo": [{"file_id": "ph1", "file_unique_id": "ph1", "width": 1,
                                              "height": 1}]}
        if p.get("caption"):
            content["caption"] = p["caption"]
        return self._new_message(p, **content)

    def _find(self, p: dict) -> dict:
        """As Telegram answers: a user's message can't be edited by the bot, an edit to the same
        content and keyboard is refused as « not modified »."""
        if int(p["message_id"]) in self.user_message_ids[int(p["chat_id"])]:
            raise LookupError("message can't be edited")
        for message in self.sent[int(p["chat_id"])]:
            if message["message_id"] == int(p["message_id"]):
                return message
        raise LookupError("message to edit not found")

    @staticmethod
    def _unchanged(message: dict, p: dict, field: str) -> None:
        if message.get(field) == p.get(field) and message.get("reply_markup") == (p.get("reply_markup") or None):
            raise LookupError("message is not modified: specified new message content and reply markup are "
                              "exactly the same as a current content and reply markup of the message")

    async def _m_editMessageText(self, p: dict) -> dict:
        message = self._find(p)
        self._unchanged(message, p, "text")
        message["text"] = p["text"]
        message.pop("reply_markup", None)
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        message["edited"] = True
        return message

    async def _m_editMessageCaption(self, p: dict) -> dict:
        message = self._find(p)
        self._unchanged(message, p, "caption")
        message["caption"] = p.get("caption")
        message.pop("reply_markup", None)
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        message["edited"] = True
        return message

    async def _m_editMessageReplyMarkup(self, p: dict) -> dict:
        message = self._find(p)
        message.pop("reply_markup", None)
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        message["edited"] = True
        return message

    # --- the user's side --------------------------------------------------------------------
    def _push(self, update: dict[str, Any]) -> dict[str, Any]:
        update.setdefault("update_id", next(self._ids))
        self.updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    @staticmethod
    def user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": "Élève", "language_code": "fr"}

    def message_update(self, chat_id: int, user_id: int | None = None, chat_type: str = "private",
                       **content: Any) -> dict[str, Any]:
        chat = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": "Élève"} if chat_type == "private" else {"title": "Classe"})
        message_id = next(self._message_ids)
        self.user_message_ids[chat_id].add(message_id)
        return {"update_id": next(self._ids), "message": {
            "message_id": message_id, "date": int(time.time()), "chat": chat,
            "from": self.user(user_id or chat_id), **content}}

    def push_text(self, chat_id: int, text: str, **kw: Any) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._push(self.message_update(chat_id, **content, **kw))

    def push_content(self, chat_id: int, **content: Any) -> dict[str, Any]:
        return self._push(self.message_update(chat_id, **content))

    def push_raw(self, update: dict[str, Any]) -> dict[str, Any]:
        """Re-deliver an update as it is (same update_id), as Telegram may do."""
        self.updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update

    def press(self, chat_id: int, message: dict[str, Any], title: str, user_id: int | None = None) -> dict:
        """Press the inline button titled `title` under one of the bot's messages."""
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        data = next(b["callback_data"] for b in buttons if b["text"] == title)
        return self.press_data(chat_id, message, data, user_id)

    def press_data(self, chat_id: int, message: dict[str, Any], data: str, user_id: int | None = None) -> dict:
        return self._push({"update_id": next(self._ids), "callback_query": {
            "id": f"cq{next(self._ids)}", "from": self.user(user_id or chat_id), "chat_instance": "ci",
            "message": {k: v for k, v in message.items() if k != "edited"}, "data": data}})

    # --- reading what the user sees -----------------------------------------------------------
    def texts(self, chat_id: int) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.sent[chat_id]]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("fake Bot API: condition not met in time")
                try:
                    await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))
                except asyncio.TimeoutError:
                    pass

    async def wait_messages(self, chat_id: int, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        await self.wait_until(lambda: len(self.sent[chat_id]) >= count, timeout)
        return self.sent[chat_id]
