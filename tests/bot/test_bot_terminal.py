"""The terminal chat: numbered buttons, typed numbers press them once, piped stdin works."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import texts
from bot.rasa_client import RasaClient
from bot.relay import Relay
from bot.terminal import TerminalChat, render
from tests.support.fakes.db import migrated_sqlite
from tests.support.fakes.rasa_server import FakeRasa, text

ROLE = '/declare_role{"role": "eleve"}'
SCRIPT = {
    "/greet": [text("Salut ! Tu es :", ("Élève", ROLE), ("Employeur", '/declare_role{"role": "entreprise"}'))],
    ROLE: [text("Super ! Quel métier t'intéresse ?")],
    "/help": [text("Je peux t'aider à trouver un stage."),
              {"text": "Le guide", "buttons": [{"title": "Guide", "payload": "https://example.org/guide"}]}],
}


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    fake = FakeRasa(SCRIPT)
    await fake.start()
    yield fake
    await fake.stop()


def lines_reader(lines: list[str]):
    pending = list(lines)

    async def read() -> str | None:
        return pending.pop(0) + "\n" if pending else None
    return read


async def test_conversation_with_numbered_buttons(rasa: FakeRasa) -> None:
    out: list[str] = []
    async with RasaClient(rasa.url) as client:
        chat = TerminalChat(Relay(client, "terminal"), "local-test", out.append)
        code = await chat.run(lines_reader(["1", "1", "/aide", "/greet", "boulangère"]))
    assert code == 0
    sent = [m for _, m in rasa.received]
    # "1" pressed the button; the second "1" had no button left, so it went as text.
    assert sent == ["/greet", ROLE, "1", "/help", "boulangère"]
    transcript = "\n".join(out)
    assert "   1. Élève\n   2. Employeur" in transcript and "→ Élève" in transcript
    assert "🔗 Guide : https://example.org/guide" in transcript
    assert texts.UNKNOWN_COMMAND in transcript  # typed "/greet" never reaches Rasa as an intent
    assert out[-1] == "À bientôt 👋"


def test_render_numbers_only_payload_buttons() -> None:
    from bot.replies import parse_rasa
    shown, choices = render(parse_rasa(SCRIPT["/greet"] + SCRIPT["/help"]))
    assert [c.title for c in choices] == ["Élève", "Employeur"]
    assert "1. Élève" in shown and "Guide" in shown


async def test_chat_command_with_piped_stdin(rasa: FakeRasa, tmp_path: Path) -> None:
    """The real entry point, in a subprocess, fed through a pipe."""
    engine = await migrated_sqlite(tmp_path)
    await engine.dispose()
    env = {**os.environ, "RASA_URL": rasa.url, "TREMPLIN_DATA_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    import asyncio
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; from bot.bootstrap import main; sys.exit(main(['chat']))",
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = await asyncio.wait_for(proc.communicate("1\nje cherche à Roanne\n".encode()), 30)
    assert proc.returncode == 0, err.decode()
    shown = out.decode()
    assert "1. Élève" in shown and "→ Élève" in shown and "Quel métier" in shown
    assert "Tu as dit : je cherche à Roanne" in shown
    assert [m for _, m in rasa.received] == ["/greet", ROLE, "je cherche à Roanne"]


def test_a_document_from_an_action_is_saved_and_its_path_shown():
    import base64

    from bot.replies import parse_rasa
    from bot.terminal import render

    content = "prénom;état\nLéa;accepté\n".encode("utf-8-sig")
    replies = parse_rasa([{"custom": {"document": {"filename": "../classe 3A.csv",
                                                   "content_base64": base64.b64encode(content).decode()}}}])
    text, _ = render(replies)
    path = text.split("[fichier] ", 1)[1].strip()
    assert path.endswith("classe_3A.csv") and "/../" not in path
    with open(path, "rb") as saved:
        assert saved.read() == content
    assert parse_rasa([{"custom": {"document": {"filename": "x.csv", "content_base64": "%%%"}}}]) == []
