"""The social-intent guard (nlu/guards.py): every real greeting, farewell and thank-you of the training
and held-out data keeps its intent; a free answer misread as one of them becomes nlu_fallback."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.io import read_yaml_file

from nlu.guards import SocialIntentGuard, has_social_cue

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "data" / "nlu" / "examples").glob("*.yml")) + [ROOT / "tests" / "nlu" / "heldout.yml"]


def _examples(intent: str) -> list[str]:
    found = []
    for path in FILES:
        for item in read_yaml_file(str(path)).get("nlu") or []:
            if item.get("intent") == intent:
                found += [line[2:].strip() for line in item["examples"].splitlines() if line.startswith("- ")]
    return found


@pytest.mark.parametrize("intent", ["greet", "goodbye", "thank"])
def test_every_known_example_carries_a_social_word(intent):
    examples = _examples(intent)
    assert len(examples) >= 30
    missing = [text for text in examples if not has_social_cue(intent, text)]
    assert missing == []


@pytest.mark.parametrize("answer", ["Découvrir le fournil", "Découverte de l'atelier", "Au coeur de la ferme",
                                    "Une semaine avec les soigneurs", "5 place du marché", "Garage Dupain"])
def test_free_answers_are_not_social(answer):
    assert not any(has_social_cue(intent, answer) for intent in ("greet", "goodbye", "thank"))


def _parsed(text: str, intent: str, confidence: float = 0.55) -> Message:
    ranking = [{"name": intent, "confidence": confidence}, {"name": "inform", "confidence": 0.2}]
    return Message(data={"text": text, "intent": {"name": intent, "confidence": confidence},
                         "intent_ranking": ranking})


def test_the_guard_demotes_a_misread_title_and_keeps_a_real_goodbye():
    misread, real, other = (_parsed("Découvrir le fournil", "goodbye"), _parsed("allez a+ bonne soirée", "goodbye"),
                            _parsed("Découvrir le fournil", "search_offers"))
    SocialIntentGuard().process([misread, real, other])
    assert misread.get("intent") == {"name": "nlu_fallback", "confidence": 0.55}
    assert [r["name"] for r in misread.get("intent_ranking")] == ["nlu_fallback", "goodbye", "inform"]
    assert real.get("intent")["name"] == "goodbye" and other.get("intent")["name"] == "search_offers"


# --- leaving a form needs explicit words (ExitIntentGuard) ----------------------------------------
from nlu.guards import ExitIntentGuard, has_exit_cue  # noqa: E402


@pytest.mark.parametrize("intent", ["cancel", "human_handoff"])
def test_every_known_way_to_leave_carries_its_words(intent):
    examples = _examples(intent)
    assert len(examples) >= 30
    assert [text for text in examples if not has_exit_cue(intent, text)] == []


@pytest.mark.parametrize("answer", ["Pierre Lannuler", "Claire Martin", "M. Dupont", "Mme Petit", "Découvrir le fournil",
                                    "du 7 au 11 décembre", "1 place", "Boulangerie Dupain"])
def test_answers_do_not_say_leave(answer):
    assert not has_exit_cue("cancel", answer)


def test_the_exit_guard_takes_the_runner_up_or_the_fallback():
    name = Message(data={"text": "Pierre Lannuler", "intent": {"name": "cancel", "confidence": 0.45},
                         "intent_ranking": [{"name": "cancel", "confidence": 0.45},
                                            {"name": "inform", "confidence": 0.35}]})
    vague = _parsed("Jean Dubois", "human_handoff", 0.5)
    vague.set("intent_ranking", [{"name": "human_handoff", "confidence": 0.5}, {"name": "greet", "confidence": 0.1}])
    real = _parsed("non laisse tomber", "cancel", 0.48)
    report = _parsed("Marc Durand", "report_problem", 0.52)
    safety = _parsed("il m'a demandé mon snap", "report_problem", 0.55)
    ExitIntentGuard().process([name, vague, real, report, safety])
    assert name.get("intent")["name"] == "inform"
    assert vague.get("intent")["name"] == "nlu_fallback"  # the runner-up was not believed either
    assert real.get("intent")["name"] == "cancel"
    assert report.get("intent")["name"] == "nlu_fallback"  # a form takes it as the answer
    assert safety.get("intent")["name"] == "report_problem"  # a child's report always reaches the team
