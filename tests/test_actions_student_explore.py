"""« Je sais pas quoi faire »: four button questions, then métiers in one line and offers nearby."""
from __future__ import annotations

import json

from actions.student_explore import QUESTIONS, ActionExploreEnvironments
from tests.actions_support import run, tracker, use_engine
from tests.test_actions_student_support import assert_no_leak, offers, student_chat


def explore(sender, answers: str | None = None, text: str = "", **slots):
    entities = [{"entity": "environnement", "value": answers}] if answers is not None else []
    return run(ActionExploreEnvironments(), tracker(sender, intent="unsure_career", text=text, entities=entities,
                                                    slots=slots))


async def test_four_questions_carry_the_answers_in_the_buttons(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "e1")
    out = await explore(sender, text="je sais pas quoi faire")
    assert out.text.startswith("(1/4) Pas de souci") and "plein air" in out.buttons[0]["title"]
    assert out.buttons[0]["payload"] == '/unsure_career{"environnement": "exterieur"}'
    out = await explore(sender, "exterieur")
    assert out.text.startswith("(2/4)") and len(out.buttons) == 5
    assert out.buttons[1]["payload"] == '/unsure_career{"environnement": "exterieur,animaux"}'
    out = await explore(sender, "exterieur,animaux,egal")
    assert out.text.startswith(f"(4/4) {QUESTIONS[3][0]}")


async def test_answers_give_metiers_with_a_line_each_and_offers_nearby(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    await offers(engine, 4)  # bakeries in Feurs: atelier + public
    sender = await student_chat(engine, "e2")
    out = await explore(sender, "interieur,public,egal,atelier")
    assert out.texts[0].startswith("D'après tes réponses (à l'intérieur, à l'abri, au contact du public, "
                                   "fabriquer de ses mains), ces métiers pourraient te plaire :")
    lines = [line for line in out.texts[0].splitlines() if line.startswith("• ")]
    assert 1 <= len(lines) <= 5 and all(" : " in line for line in lines)
    assert any(b["payload"].startswith('/search_offers{"metier": ') for b in out.buttons)
    if "Boulanger" in out.texts[0]:
        assert "Et près de chez toi (Feurs (42), moins de 30 km)" in out.text
        assert json.loads(out.slots()["search_state"])["ids"]
    assert_no_leak(out.text)


async def test_typed_environments_skip_the_questions(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "e3")
    out = await explore(sender, text="j'aimerais être dehors avec des animaux")
    assert out.texts[0].startswith("D'après tes réponses (en plein air, avec des animaux)")
    assert "Vétérinaire" in out.texts[0] or "animalier" in out.texts[0]


async def test_no_preference_at_all_shows_domains(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "e4", home=None, week=False)
    out = await explore(sender, "egal,egal,egal,egal")
    assert "grands domaines" in out.text and out.buttons[0]["payload"] == '/search_offers{"domaine": "dom:J"}'


async def test_without_a_place_the_student_is_asked_where(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "e5", home=None, week=False)
    out = await explore(sender, "exterieur,animaux,calme,soin")
    assert "Dis-moi où tu habites" in out.text
    assert out.buttons[-1]["payload"].startswith('/search_offers{"domaine": "env:exterieur,animaux')
