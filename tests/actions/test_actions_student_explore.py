"""« Je sais pas quoi faire »: four button questions, then offers near the student that fit the
answers (with « Postuler », « Voir plus », « je postule à la 2 » as after a search)."""
from __future__ import annotations

import json
import re

from rasa_sdk import Tracker

from actions.student_common import offer_id_from
from actions.student_explore import QUESTIONS, ActionCancelOutsideForms, ActionExploreEnvironments
from actions.student_more import ActionShowMore
from tests.support.actions import run, tracker, use_engine
from tests.support.student import assert_no_leak, offers, student_chat
from tremplin.metiers import get_referentiel
from tremplin.metiers.environments import environment_fit
from tremplin.seed.demo import seed_demo

QUIZ = "exterieur,public,calme,atelier"  # dehors, avec des gens, calme, fabriquer
CARD = re.compile(r"^\d+\. .+ \((.+)\)\n📍 .+, à (?:moins d'1|(\d+)) km", re.M)


def explore(sender, answers: str | None = None, text: str = "", **slots):
    entities = [{"entity": "environnement", "value": answers}] if answers is not None else []
    return run(ActionExploreEnvironments(), tracker(sender, intent="unsure_career", text=text, entities=entities,
                                                    slots=slots))


def typed_after(sender: str, question: dict, text: str, intent: str = "deny") -> Tracker:
    """The pupil types instead of pressing a button: Rasa sends the bot's question among the events."""
    events = [{"event": "bot", "text": question["text"], "data": {"buttons": question["buttons"]}},
              {"event": "user", "text": text}]
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.6}, "entities": []}
    return Tracker(sender, {}, latest, events, False, None, {}, "action_listen")


def cards(out) -> list[tuple[str, int]]:
    return [(m.group(1), int(m.group(2) or 0)) for t in out.texts if (m := CARD.match(t))]


async def test_four_questions_carry_the_answers_in_the_buttons(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "e1")
    out = await explore(sender, text="je sais pas quoi faire")
    assert out.text.startswith("(1/4) Pas de souci") and "plein air" in out.buttons[0]["title"]
    assert out.buttons[0]["payload"] == '/unsure_career{"environnement": "exterieur"}'
    out = await explore(sender, "exterieur")
    assert out.text.startswith("(2/4)") and len(out.buttons) == 6 and "Aucun" in out.buttons[-1]["title"]
    assert out.buttons[1]["payload"] == '/unsure_career{"environnement": "exterieur,animaux"}'
    out = await explore(sender, "exterieur,animaux,egal")
    assert out.text.startswith(f"(4/4) {QUESTIONS[3][0]}")


async def test_outdoors_people_calm_making_near_feurs_ends_on_fitting_offers_to_apply_to(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    await seed_demo(engine)
    sender = await student_chat(engine, "e2", week=False)
    out = await explore(sender, QUIZ)
    intro = out.texts[0]
    assert intro.startswith("D'après tes réponses (en plein air, au contact du public, dans le calme, "
                            "fabriquer de ses mains), ces métiers te ressemblent et prennent des stagiaires")
    ref = get_referentiel()
    proposed = [line[2:].split(" : ")[0] for line in intro.splitlines() if line.startswith("• ")]
    proposed += [b["title"].removeprefix("Stages : ") for b in out.buttons if b["title"].startswith("Stages : ")]
    assert proposed and not {"Retoucheur", "Enquêteur", "Toiletteur"} & set(proposed)
    for label in proposed:
        assert environment_fit(QUIZ.split(","), ref.find_label(label).environments).ok, label
    radius = int(re.search(r"J'ai trouvé \d+ stages? à moins de (\d+) km de Feurs \(42\) :$", intro).group(1))
    shown = cards(out)
    assert shown and all(km <= radius for _, km in shown) and all(m in proposed for m, _ in shown)
    state = json.loads(out.slots()["search_state"])
    assert [b["payload"] for b in out.buttons if b["title"] == "Postuler"] == [
        f'/apply{{"code": "O-{i}"}}' for i in state["ids"]]
    assert offer_id_from("la 2", state) == state["ids"][1]  # « je postule à la 2 »
    assert "Postuler" in out.texts[-1] and any(b["title"] == "Refaire le quiz" for b in out.buttons)
    assert_no_leak(out.text)

    more = await run(ActionShowMore(), tracker(sender, intent="show_more",
                                               slots={"search_state": out.slots()["search_state"]}))
    following = json.loads(more.slots()["search_state"])["ids"]
    assert following[:len(state["ids"])] == state["ids"]  # « Voir plus » continues the same list
    assert all(km <= radius and m in proposed for m, km in cards(more))


async def test_refusing_every_question_still_ends_on_offers(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    await seed_demo(engine)
    sender = await student_chat(engine, "e3", week=False)
    question = (await explore(sender, text="je sais pas quoi faire")).messages[0]
    for n, typed in enumerate(("aucun", "rien de tout ça", "je sais pas")):
        out = await run(ActionExploreEnvironments(), typed_after(sender, question, typed))
        question = out.messages[0]
        assert question["text"].startswith(f"Pas de souci, on passe à la suite. ({n + 2}/4)")
    out = await run(ActionExploreEnvironments(), typed_after(sender, question, "aucun de ceux-là"))
    assert out.texts[0].startswith("Pas de préférence, c'est normal à ton âge ! Voici les stages les plus proches")
    assert len(cards(out)) == 3 and any(b["title"] == "Postuler" for b in out.buttons)
    assert json.loads(out.slots()["search_state"])["ids"]


async def test_a_typed_answer_counts_for_the_question_asked(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "e4")
    question = (await explore(sender, "exterieur")).messages[0]
    out = await run(ActionExploreEnvironments(), typed_after(sender, question, "plutôt les animaux", "inform"))
    assert out.text.startswith("(3/4)")
    assert out.buttons[0]["payload"] == '/unsure_career{"environnement": "exterieur,animaux,calme"}'


async def test_far_from_any_offer_the_wider_result_is_said_honestly(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    await seed_demo(engine)
    sender = await student_chat(engine, "e5", home="29019", week=False)  # Brest
    out = await explore(sender, QUIZ)
    assert "Mais aucun de leurs stages n'est à moins de 50 km de Brest (29) 😕 Voici les 3 stages les plus " \
           "proches, à moins de " in out.texts[0]
    assert "c'est loin pour une semaine" in out.texts[0]
    assert cards(out) and all(km > 50 for _, km in cards(out))
    assert any(b["title"] == "Postuler" for b in out.buttons)


async def test_when_nothing_fits_the_closest_offers_are_explained(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    await offers(engine, 2)  # bakeries in Feurs: indoors
    sender = await student_chat(engine, "e6", week=False)
    out = await explore(sender, "exterieur,animaux,egal,egal")
    assert out.texts[0].startswith("Je n'ai trouvé aucun stage qui corresponde à tes réponses")
    assert [m for m, _ in cards(out)] == ["Boulanger", "Boulanger"]
    assert_no_leak(out.text)


async def test_typed_environments_skip_the_questions(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "e7", home=None, week=False)
    out = await explore(sender, text="j'aimerais être dehors avec des animaux")
    assert out.texts[0].startswith("D'après tes réponses (en plein air, avec des animaux)")
    assert "Dis-moi où tu habites" in out.text


async def test_without_a_place_the_student_is_asked_where_with_fitting_metiers(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "e8", home=None, week=False)
    out = await explore(sender, "exterieur,animaux,calme,soin")
    assert "Dis-moi où tu habites" in out.text
    searches = [b["title"].removeprefix("Stages : ") for b in out.buttons if b["title"].startswith("Stages : ")]
    ref = get_referentiel()
    assert searches and all(environment_fit(["exterieur", "animaux", "calme", "soin"],
                                            ref.find_label(s).environments).ok for s in searches)


async def test_annuler_during_the_quiz_ends_it_and_says_so(engine, monkeypatch):
    """The quiz is no form: « /annuler » used to answer « rien en cours » while a question waited."""
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "e9")
    second = (await explore(sender, "exterieur")).messages[0]
    out = await run(ActionCancelOutsideForms(), typed_after(sender, second, "/annuler", intent="cancel"))
    assert out.text.startswith("D'accord, on arrête le quiz") and "je sais pas quoi faire" in out.text
    assert out.buttons == [] and out.slots() == {}
    # The quiz's results are shown (« Refaire le quiz » carries no answer): nothing is waiting any more.
    done = {"text": "Voici des idées", "buttons": [{"title": "Refaire le quiz",
                                                    "payload": '/unsure_career{"environnement": ""}'}]}
    out = await run(ActionCancelOutsideForms(), typed_after(sender, done, "annuler", intent="cancel"))
    assert [m.get("response") for m in out.messages] == ["utter_nothing_to_cancel"] and out.text == ""
