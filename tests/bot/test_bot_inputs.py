"""Typed text → Rasa message: only the gateway's own commands become intents."""
from __future__ import annotations

import json

import pytest

from bot import texts
from bot.inputs import Answer, ToRasa, deep_link, from_command, from_text, is_emoji_only
from bot.replies import Button, parse_rasa, split_text


@pytest.mark.parametrize("typed, sent", [
    ("/start", "/greet"), ("/aide", "/help"), ("/annuler", "/cancel"),
    ("/mes_candidatures", "/my_applications"), ("/mes_offres", "/my_offers"),
    ("/mes_donnees", "/show_my_data"), ("/AIDE", "/help"), ("/aide@TremplinBot", "/help"),
])
def test_gateway_commands_map_to_fixed_intents(typed: str, sent: str) -> None:
    assert from_text(typed) == ToRasa(sent)


def test_deep_links_build_payloads_with_json() -> None:
    assert from_text("/start classe-4b7k2") == ToRasa('/join_class{"code": "4B7K2"}')
    sent = from_text("/start parent-P-ABCD2345")
    assert sent == ToRasa('/link_child{"code": "P-ABCD2345"}')
    assert from_command("start", "parent-abcd2345") == sent
    payload = sent.message  # type: ignore[union-attr]
    assert json.loads(payload[payload.index("{"):]) == {"code": "P-ABCD2345"}


@pytest.mark.parametrize("arg", ['classe-AB"}{"x', "classe-", "parent-P-", "eleve-ABC", "classe-" + "A" * 40,
                                 'parent-ABCD"1234'])
def test_forged_deep_links_are_refused(arg: str) -> None:
    assert deep_link(arg) == Answer(texts.BAD_LINK)


@pytest.mark.parametrize("typed", ['/greet', '/apply{"offer_id": 3}', "/inconnue", "/delete_my_data"])
def test_typed_intents_never_reach_rasa(typed: str) -> None:
    assert from_text(typed) == Answer(texts.UNKNOWN_COMMAND)


@pytest.mark.parametrize("typed, sent", [
    ('/ apply{"offer_id": 3}', 'apply{"offer_id": 3}'), ("//greet{}", "greet{}"),
    ("  / bonjour", "bonjour"), ("/ / /greet", "greet"),
])
def test_other_slashes_are_stripped_to_plain_text(typed: str, sent: str) -> None:
    result = from_text(typed)
    assert isinstance(result, ToRasa) and result.message == sent
    assert not result.message.startswith("/")


def test_plain_text_blank_long_and_emoji() -> None:
    assert from_text("jcherche un stage ds la boulangerie") == ToRasa("jcherche un stage ds la boulangerie")
    assert from_text("   ") is None
    assert from_text("a" * 1001) == Answer(texts.TOO_LONG.format(limit=1000))
    assert from_text("👍👍") == Answer(texts.EMOJI_ONLY)
    assert is_emoji_only("🎉 ❤️") and not is_emoji_only("ok 👍") and not is_emoji_only("?")
    assert from_text("?") == ToRasa("?")


def test_parse_rasa_keeps_text_buttons_images() -> None:
    replies = parse_rasa([
        {"recipient_id": "x", "text": "Salut", "buttons": [{"title": "Élève", "payload": "/declare_role"},
                                                            {"title": "", "payload": "/x"}]},
        {"recipient_id": "x", "image": "https://example.org/a.png"},
        {"recipient_id": "x", "custom": {"text": "Du custom"}},
        {"recipient_id": "x", "json_message": {"unknown": 1}},
    ])
    assert [r.text for r in replies] == ["Salut", "", "Du custom"]
    assert replies[0].buttons == (Button("Élève", "/declare_role"),)
    assert replies[1].image == "https://example.org/a.png"
    assert Button("Site", "https://example.org").is_link


def test_split_text_respects_limit() -> None:
    text = ("mot " * 3000).strip()
    pieces = split_text(text, 4096)
    assert all(len(p) <= 4096 for p in pieces) and " ".join(pieces) == text
    assert split_text("court", 4096) == ["court"]
