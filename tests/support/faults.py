"""A fault in the middle of a scripted conversation (an employer registering, a pupil applying),
through the real gateway (fake Bot API): kill -9 of the action server, of Rasa or of the gateway
itself, or a PostgreSQL restart (tests.support.fault_stack); the process comes back and the conversation
goes on. Counted per run: user messages lost, answers given twice, questions asked again (an answer
the form forgot), « Oups », whether the database holds what was typed, and for the runs that check
notifications (tests.support.fault_notify) those lost or delivered twice. More runs: tests.support.fault_runs."""
from __future__ import annotations

import asyncio
import io
import random
import re
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import texts
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.fault_notify import NotifyTally
from tests.support.runtime_stack import RuntimeStack
from tests.support.tasks import rules as r
from tests.support.tasks.engine import norm
from tests.support.tasks.world import luhn_siret
from tremplin.models import Application, ChannelIdentity, Employer, Student
from tremplin.privacy.identifiers import external_hash

REPLY_TIMEOUT = 150.0  # a Rasa restart loads the model (≈ 40–60 s on 2 cores), retries wait for it
SETTLE = 0.8           # an answer of several messages (sent in one burst): wait for quiet


@dataclass(frozen=True)
class Press:
    title: str
    otherwise: str


Step = str | Press


@dataclass
class Script:
    name: str
    opening: list[Step]
    rules: list[tuple[str, Step]]
    done: str
    check: Callable[[AsyncEngine, str], Awaitable[str | None]]
    length: int  # user messages of an undisturbed run: where a kill may land


def registration(n: int) -> Script:
    siret = luhn_siret(5000 + n)
    name, contact, phone = f"Menuiserie Faure {n}", "Pierre Lannuler", "04 77 26 11 22"

    async def check(engine: AsyncEngine, sender: str) -> str | None:
        async with engine.connect() as conn:
            row = (await conn.execute(select(Employer).where(Employer.siret == siret))).first()
        if row is None:
            return "entreprise absente"
        wrong = [what for what, ok in (("nom", row.name == name), ("contact", row.contact_name == contact),
                                       ("téléphone", re.sub(r"\D", "", row.contact_phone or "") == "0477261122"),
                                       ("commune", row.commune_insee == "42094"),
                                       ("charte", row.charter_accepted_at is not None)) if not ok]
        return ("entreprise enregistrée, faux : " + ", ".join(wrong)) if wrong else None

    return Script("inscription", ["/start", "je suis chef d'entreprise", "je voudrais inscrire mon entreprise"], [
        (r.Q_RECAP, "oui c'est bon"), (r.Q_CHARTER, "j'accepte la charte"), (r.Q_SIRET, siret),
        (r.Q_COMPANY_PLACE, "Feurs"), (r.Q_CONTACT, contact), (r.Q_PHONE, phone), (r.Q_COMPANY_NAME, name),
    ], r.REGISTERED, check, 10)


def application(n: int) -> Script:
    async def check(engine: AsyncEngine, sender: str) -> str | None:
        async with engine.connect() as conn:
            count = await conn.scalar(select(func.count()).select_from(Application)
                                      .join(Student, Student.id == Application.student_id)
                                      .join(ChannelIdentity, ChannelIdentity.account_id == Student.account_id)
                                      .where(ChannelIdentity.external_hash == sender))
        return None if count == 1 else f"{count} candidature(s) en base, 1 attendue"

    return Script("candidature", ["/start", "je suis en 3e", "mon code de classe c'est FEURS-3A",
                                  "je cherche un stage dans la santé"], [
        (r.Q_CONFIRM_APPLY, "oui"),
        (r.Q_MOTIVATION, "J'aimerais voir comment on soigne les gens, ça me plaît depuis longtemps"),
        (r.RESULTS, Press("Postuler", "je postule à la première")), (r.Q_WIDEN, Press("30 km", "oui jusqu'à 30 km")),
    ], r.SENT, check, 8)


@dataclass
class RunReport:
    script: str
    target: str
    kill_at: int
    sent: int = 0
    lost: int = 0
    twice: int = 0
    asked_again: int = 0
    sorry: int = 0
    busy: int = 0
    finished: bool = False
    db_problem: str | None = None
    restart_seconds: float = 0.0
    transcript: list[str] = field(default_factory=list)
    conversations: int = 1
    notify: NotifyTally | None = None  # the notifications of the run, when it checks them
    resumed: int = 0   # messages the restarted gateway found unfinished and handled (its log)
    waiting: int = 0   # notifications in the outbox, not yet delivered, when the notifier was killed
    mid_turn: bool = False  # the fault came before any answer to the message it follows

    @property
    def ok(self) -> bool:
        return (self.finished and not self.lost and not self.twice and not self.asked_again
                and not self.sorry and self.db_problem is None and (self.notify is None or self.notify.ok))

    def line(self) -> str:
        notify = "" if self.notify is None else (
            f", notifications {self.notify.expected} : perdues {self.notify.lost}, en double "
            f"{self.notify.twice}, non marquées {self.notify.unsent}")
        where = f" après le message {self.kill_at}" if self.kill_at else ""
        where += " (avant la réponse)" if self.mid_turn else ""
        if self.resumed:
            notify = f", {self.resumed} message(s) repris au redémarrage" + (notify or "")
        if self.notify is not None and self.script == "notifications":
            notify += f", {self.waiting} en attente au kill -9"
        return (f"{self.script}, {self.target}{where} → "
                f"{'ok' if self.ok else 'ÉCHEC'} (conversations {self.conversations}, perdus {self.lost}, "
                f"doubles {self.twice}, reposées {self.asked_again}, Oups {self.sorry}, fini {self.finished}, "
                f"base {self.db_problem or 'ok'}, redémarrage {self.restart_seconds:.1f} s{notify})")


def _buttons(message: dict) -> list[dict]:
    return [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def _send(api: FakeBotAPI, chat: int, step: Step) -> str:
    if isinstance(step, Press):
        for message in reversed(api.sent[chat]):
            for button in _buttons(message):
                if norm(step.title) in norm(button["text"]):
                    api.press_data(chat, message, button["callback_data"])
                    return f"[{button['text']}]"
        step = step.otherwise
    api.push_text(chat, step)
    return step


async def _answer(api: FakeBotAPI, chat: int, before: int,
                  restarting: asyncio.Task[float] | None = None) -> list[str]:
    """The bot's messages for this turn: the first one that is not the « wait » notice, then quiet
    (and, while a killed process restarts, the rest of an answer it may still send)."""
    def real() -> list[str]:
        return [t for t in api.texts(chat)[before:] if t != texts.BUSY]
    await api.wait_until(lambda: bool(real()), REPLY_TIMEOUT)
    seen = -1
    while seen != len(api.sent[chat]):
        seen = len(api.sent[chat])
        await asyncio.sleep(SETTLE)
        if seen == len(api.sent[chat]) and restarting is not None and not restarting.done():
            await asyncio.wait([restarting], timeout=REPLY_TIMEOUT)
            seen = -1
    return api.texts(chat)[before:]


def _tasks() -> str:
    """Where each task of this loop waits: what a lost message was stuck on."""
    out = io.StringIO()
    for task in asyncio.all_tasks():
        task.print_stack(limit=8, file=out)
    return out.getvalue()[-6000:]


def _question(script: Script, said: list[str]) -> tuple[str, Step] | None:
    """The first rule (in the script's order of priority) that the bot's last turn matches."""
    texts_ = [norm(text) for text in said]
    for question, step in script.rules:
        if any(re.search(question, text) for text in texts_):
            return question, step
    return None


async def run_once(stack: RuntimeStack, api: FakeBotAPI, engine: AsyncEngine, script: Script, chat: int,
                   target: str, kill_at: int, max_turns: int = 20) -> RunReport:
    """One conversation; the `kill_at`-th user message is followed by kill -9 of `target`."""
    report = RunReport(script.name, target, kill_at)
    sender = external_hash("telegram", chat)
    fired: dict[str, int] = {}
    steps = list(script.opening)
    restart: asyncio.Task[float] | None = None
    last_said: list[str] = []
    latencies: list[float] = []
    for turn in range(max_turns):
        if steps:
            step = steps.pop(0)
        else:
            match = _question(script, last_said)
            if match is None:
                break
            fired[match[0]] = fired.get(match[0], 0) + 1
            step = match[1]
        before = len(api.sent[chat])
        report.transcript.append("> " + await _send(api, chat, step))
        report.sent += 1
        pushed = time.monotonic()
        if report.sent == kill_at:
            # Somewhere inside the turn: up to the usual first answer so far in this conversation.
            await asyncio.sleep(random.uniform(0.0, 1.2 * statistics.median(latencies or [0.4])))
            report.mid_turn = len(api.sent[chat]) == before  # no answer yet: the fault is inside the turn
            report.transcript.append(f"(panne {time.monotonic() - pushed:.2f} s après l'envoi, "
                                     f"{len(api.sent[chat]) - before} message(s) de réponse déjà reçu(s))")
            stack.kill(target)
            restart = asyncio.create_task(asyncio.to_thread(stack.restart, target))
        try:
            said = await _answer(api, chat, before, restart)
            # when the turn's first message came: the window a kill aims at in a later turn
            latencies.append(min((t for c, t in api.sent_at if c == chat and t >= pushed), default=pushed) - pushed)
        except AssertionError:
            report.lost += 1
            report.transcript.append("(pas de réponse ; tâches en cours :)\n" + _tasks())
            break
        report.busy += said.count(texts.BUSY)
        said = [t for t in said if t != texts.BUSY]
        report.twice += len(said) - len(set(said))
        report.sorry += sum("Oups" in t for t in said)
        report.transcript.extend(said)
        last_said = said
        if re.search(script.done, norm(said[-1])):
            report.finished = True
            break
    if restart is not None:
        report.restart_seconds = await restart
    report.asked_again = sum(count - 1 for count in fired.values() if count > 1)
    report.db_problem = await script.check(engine, sender)
    return report


def totals(reports: list[RunReport]) -> dict[str, float]:
    restarts = [rep.restart_seconds for rep in reports if rep.restart_seconds]
    notify = NotifyTally()
    for rep in reports:
        if rep.notify is not None:
            notify.add(rep.notify)
    return {"runs": len(reports), "ok": sum(rep.ok for rep in reports),
            "conversations": sum(rep.conversations for rep in reports if rep.sent),
            "sent": sum(rep.sent for rep in reports), "lost": sum(rep.lost for rep in reports),
            "twice": sum(rep.twice for rep in reports), "asked_again": sum(rep.asked_again for rep in reports),
            "sorry": sum(rep.sorry for rep in reports),
            "damaged": sum(rep.db_problem is not None for rep in reports),
            "unfinished": sum(bool(rep.sent) and not rep.finished for rep in reports),
            "notifications": notify.expected, "notif_lost": notify.lost, "notif_twice": notify.twice,
            "notif_unsent": notify.unsent, "resumed": sum(rep.resumed for rep in reports),
            "picked_up": sum(rep.resumed > 0 for rep in reports),
            "mid_turn": sum(rep.mid_turn for rep in reports),
            "waiting": sum(rep.waiting for rep in reports), "mid_outbox": sum(rep.waiting > 0 for rep in reports),
            "restart": sum(restarts) / max(1, len(restarts))}


KILLED = {"postgres": "redémarrage de PostgreSQL"}


def summary(reports: list[RunReport]) -> str:
    lines = []
    for target in sorted({rep.target for rep in reports}):
        t = totals([rep for rep in reports if rep.target == target])
        lines.append(
            f"{KILLED.get(target, 'kill -9 ' + target)}: {t['runs']} runs, {t['ok']} ok ; conversations "
            f"{t['conversations']}, messages envoyés {t['sent']}, perdus {t['lost']}, réponses en double "
            f"{t['twice']}, questions reposées {t['asked_again']}, « Oups » {t['sorry']}, formulaires abîmés "
            f"{t['damaged']}, non finies {t['unfinished']} ; notifications {t['notifications']}, perdues "
            f"{t['notif_lost']}, en double {t['notif_twice']} ; redémarrage moyen {t['restart']:.1f} s ; "
            f"pannes avant la réponse {t['mid_turn']}, runs où la passerelle a repris des messages inachevés "
            f"{t['picked_up']} ({t['resumed']} messages), "
            f"runs où l'outbox avait des notifications en attente au kill {t['mid_outbox']}")
    return "\n".join(lines)


def table(reports: list[RunReport]) -> str:
    """The same totals as a Markdown table (one line per fault). « En plein travail »: runs whose fault
    came before the answer to the message it follows, or while the outbox held undelivered rows."""
    head = ("| panne | runs | ok | en plein travail | conversations | messages | perdus | en double | reposées "
            "| Oups | formulaires abîmés | notifications | notif. perdues | notif. en double | redémarrage moyen |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for target in sorted({rep.target for rep in reports}):
        t = totals([rep for rep in reports if rep.target == target])
        busy = t["mid_turn"] + t["mid_outbox"]
        lines.append(f"| {KILLED.get(target, 'kill -9 ' + target)} | {t['runs']} | {t['ok']} | {busy} | {t['conversations']} "
                     f"| {t['sent']} | {t['lost']} | {t['twice']} | {t['asked_again']} | {t['sorry']} "
                     f"| {t['damaged']} | {t['notifications']} | {t['notif_lost']} | {t['notif_twice']} "
                     f"| {t['restart']:.1f} s |")
    return "\n".join(lines)
