"""The trained model, end to end, without the action server: tu/vous variations, FAQ retrieval,
SMS spellings. Uses models/tremplin-latest.tar.gz (made by scripts/nlu_eval.sh, which runs these
tests after training); skipped when no model has been trained here."""
from __future__ import annotations

import asyncio
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = Path(os.environ.get("TREMPLIN_NLU_MODEL", ROOT / "models" / "tremplin-latest.tar.gz"))

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason=f"no trained model at {MODEL} (run scripts/nlu_eval.sh)")


class _SessionStartOnly(BaseHTTPRequestHandler):
    """Stands in for the action server: starts sessions the way action_session_start does for an
    unknown account (no role to restore). Any other custom action is not expected here."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert body["next_action"] == "action_session_start", body["next_action"]
        events = [{"event": "session_started"}, {"event": "action", "name": "action_listen"}]
        payload = json.dumps({"events": events, "responses": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def agent():
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    server = ThreadingHTTPServer(("127.0.0.1", 0), _SessionStartOnly)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/webhook"
    yield Agent.load(str(MODEL), action_endpoint=EndpointConfig(url))
    server.shutdown()


def say(agent, sender: str, text: str) -> list[str]:
    replies = asyncio.run(agent.handle_text(text, sender_id=sender))
    return [r.get("text", "") for r in replies or []]


def test_students_are_told_tu_and_adults_vous(agent):
    student = say(agent, "student-1", '/greet{"role": "eleve"}')
    assert student and student[0].startswith("Salut"), student
    adult = say(agent, "adult-1", '/greet{"role": "entreprise"}')
    assert adult and "Souhaitez-vous" in adult[0], adult
    unknown = say(agent, "unknown-1", "/greet")
    assert unknown and "dites-moi qui vous êtes" in unknown[0], unknown


def test_faq_answer_comes_from_the_response_selector_in_the_right_register(agent):
    say(agent, "student-2", '/greet{"role": "eleve"}')
    answer = say(agent, "student-2", "c'est quoi une convention de stage ?")
    assert answer and "convention" in answer[0].lower() and "ton stage" in answer[0], answer
    say(agent, "parent-2", '/greet{"role": "parent"}')
    answer = say(agent, "parent-2", "c'est quoi une convention de stage ?")
    assert answer and "chef d'établissement" in answer[0], answer


def test_sms_spelling_is_understood_and_entities_point_into_the_users_text(agent):
    text = "jcherche un stage ds une boulangerie vers st etienne"
    parsed = asyncio.run(agent.parse_message(text))
    assert parsed["text"] == text
    assert parsed["text_normalised"].startswith("je cherche un stage dans")
    assert parsed["intent"]["name"] == "search_offers"
    lieu = [e for e in parsed["entities"] if e["entity"] == "lieu"]
    assert lieu and lieu[0]["value"] == "Saint-Étienne"
    assert text[lieu[0]["start"]:lieu[0]["end"]] == "st etienne"


def test_slash_annuler_is_a_cancel(agent):
    parsed = asyncio.run(agent.parse_message("/annuler"))
    assert parsed["intent"]["name"] == "cancel"
