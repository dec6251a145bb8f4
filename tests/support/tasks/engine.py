"""The small engine of the task-success suite: a case is a few actors (Telegram chats), a list of
steps and a database check. A step is a typed text, a button press, or a reactive block whose rules
answer the question the bot actually asked (« when the bot asks X, answer Y »), until an end mark.

Deterministic: no randomness; the same data gives the same messages. A case succeeds only when no
turn went wrong for the user (« Oups », no answer, « busy », a question asked in a loop, a button
the user needed and did not get) and the database holds what the user meant to do."""
from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from string import Template
from typing import Any, Union

from bot import texts

LOOP_LIMIT = 3  # the same question more than this many times is a loop


def norm(text: str) -> str:
    """Lower case, no accents, straight apostrophes, single spaces: what rules match against."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("\u00a0", " "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Press:
    """Press the button whose title contains `title` (newest turn showing one); if there is none,
    type `otherwise` as a user would, or fail when the user has no way on."""
    title: str
    nth: int = 0
    otherwise: str | None = None


@dataclass(frozen=True)
class Rule:
    when: str                       # regex on the normalised bot message (see `norm`)
    then: Union[Say, Press]
    times: int = LOOP_LIMIT         # uses at most; asked again after that: the bot is looping


@dataclass(frozen=True)
class Answer:
    """Answer the bot's questions with the first matching rule until `until` appears in a reply
    (or no rule matches: the next steps take over)."""
    rules: tuple[Rule, ...]
    until: str | None = None
    max_turns: int = 14


@dataclass(frozen=True)
class As:
    """The following steps are typed by another actor of the case."""
    actor: str


@dataclass(frozen=True)
class Capture:
    """Keep a value from the bot's messages to this actor (newest first) as $name for later steps."""
    name: str
    pattern: str                    # regex on the raw text with one group


Step = Union[Say, Press, Answer, As, Capture]


@dataclass
class Case:
    name: str
    journey: str
    persona: str
    steps: list[Step]
    check: Callable[[Any], Awaitable[str | None]]     # ctx → None when the DB is right, else why not
    actors: tuple[str, ...] = ("user",)
    setup: Callable[[Any], Awaitable[None]] | None = None
    smoke: bool = False
    # Questions the user already answered ahead (regexes, as for rules): asking them again is a
    # failure the user notices (« je vous l'ai déjà dit »), recorded without stopping the conversation.
    not_asked: tuple[str, ...] = ()


@dataclass
class Result:
    case: Case
    transcript: list[tuple[str, str, str]] = field(default_factory=list)   # (actor, who, text)
    failures: list[str] = field(default_factory=list)
    db_problem: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and self.db_problem is None


def _seen(message: Any) -> str:
    """What the user sees of one bot message: its text and its buttons' titles."""
    return " ".join([message.text, *(title for title, _ in message.buttons)])


class Stop(Exception):
    """The conversation cannot go on (the user is stuck or the bot failed visibly)."""


class Conversation:
    def __init__(self, case: Case, ctx: Any, users: dict[str, Any]) -> None:
        self.case, self.ctx, self.users = case, ctx, users
        self.actor = case.actors[0]
        self.result = Result(case)
        self.last: dict[str, list[Any]] = {a: [] for a in case.actors}
        self.questions: Counter[str] = Counter()

    def fill(self, text: str) -> str:
        return Template(text).safe_substitute(self.ctx.vars)

    def _log(self, who: str, text: str) -> None:
        self.result.transcript.append((self.actor, who, text))

    def _received(self, messages: list[Any] | None, sent: str) -> None:
        if messages is None:
            raise Stop(f"no answer within the turn timeout to « {sent} »")
        self.last[self.actor] = messages
        if not messages:
            self._log("bot", "(nothing)")
            raise Stop(f"empty answer to « {sent} »")
        asked = norm(_seen(messages[-1]))
        for pattern in self.case.not_asked:
            failure = f"asked again for what the user already said (« {pattern} »): « {messages[-1].text[:100]} »"
            if re.search(pattern, asked) and failure not in self.result.failures:
                self.result.failures.append(failure)
        for message in messages:
            self._log("bot", message.text + "".join(f"\n   [{t}]" for t, _ in message.buttons))
            text = message.text
            if "oups" in norm(text):
                raise Stop(f"« Oups » answered to « {sent} »")
            if text.startswith((texts.BUSY[:20], texts.GAVE_UP[:20])):
                raise Stop(f"the gateway could not reach Rasa for « {sent} »")
            if not text.strip() and not message.buttons:
                raise Stop(f"a blank message answered « {sent} »")
            if "?" in text:
                key = norm(text)
                self.questions[key] += 1
                if self.questions[key] > LOOP_LIMIT:
                    raise Stop(f"loop: the bot asked {self.questions[key]} times « {text[:120]} »")

    async def say(self, text: str) -> None:
        text = self.fill(text)
        self._log("user", text)
        self._received(await self.users[self.actor].say(text), text)

    async def press(self, step: Press) -> None:
        user = self.users[self.actor]
        found = user.find_button(self.fill(step.title), step.nth)
        if found is None:
            if step.otherwise is not None:
                await self.say(step.otherwise)
                return
            shown = [t for m in self.last[self.actor] for t, _ in m.buttons]
            raise Stop(f"no button « {step.title} » to press (last buttons: {shown})")
        raw, title, data = found
        self._log("user", f"[bouton] {title}")
        self._received(await user.press(raw, data), f"[bouton] {title}")

    async def act(self, step: Union[Say, Press]) -> None:
        await (self.say(step.text) if isinstance(step, Say) else self.press(step))

    async def answer(self, block: Answer) -> None:
        fired: Counter[int] = Counter()
        for _ in range(block.max_turns):
            messages = self.last[self.actor]
            whole = norm("\n".join(_seen(m) for m in messages))
            if block.until and re.search(block.until, whole):
                return
            last = norm(_seen(messages[-1])) if messages else ""
            matching = [i for text in (last, whole) for i, r in enumerate(block.rules) if re.search(r.when, text)]
            if not matching:
                return
            index = next((i for i in matching if fired[i] < block.rules[i].times), None)
            if index is None:
                raise Stop(f"loop: answered « {block.rules[matching[0]].when} » {fired[matching[0]]} times, "
                           "the bot keeps asking")
            fired[index] += 1
            await self.act(block.rules[index].then)

    def capture(self, step: Capture) -> None:
        for actor, who, text in reversed(self.result.transcript):
            if actor == self.actor and who == "bot":
                match = re.search(step.pattern, text)
                if match:
                    self.ctx.vars[step.name] = match.group(1)
                    return
        raise Stop(f"nothing like « {step.pattern} » in the bot's messages to keep as ${step.name}")

    async def run(self) -> Result:
        started = time.monotonic()
        try:
            for step in self.case.steps:
                if isinstance(step, As):
                    self.actor = step.actor
                elif isinstance(step, Capture):
                    self.capture(step)
                elif isinstance(step, Answer):
                    await self.answer(step)
                else:
                    await self.act(step)
        except Stop as stop:
            self.result.failures.append(str(stop))
        try:
            self.result.db_problem = await self.case.check(self.ctx)
        except Exception as exc:  # noqa: BLE001 - a broken check is a failed case, with its reason
            self.result.db_problem = f"check raised {type(exc).__name__}: {exc}"
        self.result.seconds = time.monotonic() - started
        return self.result
