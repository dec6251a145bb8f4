"""« Je sais pas quoi faire »: four button questions about where one feels at ease (outdoors or
inside; people, animals, machines or computers; calm or busy; making or helping), then the métiers
that match, each in one line, and matching offers near the student.

The answers travel in the button payloads themselves (entity `environnement`, e.g.
"exterieur,animaux,egal"), so the exploration needs no state and survives any detour."""
from __future__ import annotations

from actions.base import TremplinAction, Turn
from actions.student_common import (
    commune_of_slot, env_words, home_commune, metiers_for_environments, query_of, save_state, say_offers,
    stage_week,
)
from tremplin.metiers import ENVIRONMENTS, resolve_environments
from tremplin.models import Role
from tremplin.services.accounts import student_of
from tremplin.services.search import search_offers

SKIP = "egal"
QUESTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Pas de souci, on va trouver ensemble 🙂 Première question : tu te vois plutôt…",
     [("🌳 Dehors, en plein air", "exterieur"), ("🏠 À l'intérieur", "interieur"), ("🤷 Peu importe", SKIP)]),
    ("Tu aimerais passer ta journée avec…",
     [("👥 Des gens", "public"), ("🐾 Des animaux", "animaux"), ("⚙️ Des machines", "machines"),
      ("💻 Des ordinateurs", "bureau"), ("🧒 Des enfants", "enfants")]),
    ("Plutôt une ambiance…", [("😌 Calme", "calme"), ("⚡ Animée, ça bouge", "anime"), ("🤷 Peu importe", SKIP)]),
    ("Et tu préfères…", [("🔨 Fabriquer, réparer", "atelier"), ("🤝 Aider, prendre soin", "soin"),
                         ("🎨 Créer, imaginer", "creatif"), ("🤷 Peu importe", SKIP)]),
]


def _answers(value: str | None) -> list[str]:
    items = [a.strip() for a in (value or "").split(",") if a.strip()]
    return [a for a in items if a in ENVIRONMENTS or a == SKIP][:len(QUESTIONS)]


def _ask(turn: Turn, answers: list[str]) -> None:
    question, choices = QUESTIONS[len(answers)]
    step = f"({len(answers) + 1}/{len(QUESTIONS)}) "
    turn.say(step + question, buttons=[
        {"title": title, "payload": '/unsure_career{"environnement": "%s"}' % ",".join(answers + [key])}
        for title, key in choices])


def ask_first_question(turn: Turn) -> None:
    _ask(turn, [])


class ActionExploreEnvironments(TremplinAction):
    action_name = "action_explore_environments"

    async def handle(self, turn: Turn) -> None:
        given = turn.entity("environnement")
        if given is None:
            typed = resolve_environments(turn.tracker.latest_message.get("text") or "")
            if typed:  # « j'aime être dehors avec des animaux »: straight to the métiers
                await self._results(turn, typed)
                return
        answers = _answers(given)
        if len(answers) < len(QUESTIONS):
            _ask(turn, answers)
            return
        await self._results(turn, [a for a in answers if a != SKIP])

    async def _results(self, turn: Turn, tags: list[str]) -> None:
        metiers = metiers_for_environments(tags, limit=5)
        if not metiers:
            turn.say("Pas de préférence, c'est normal à ton âge ! Regarde par grands domaines :", buttons=[
                {"title": title, "payload": f'/search_offers{{"domaine": "dom:{letter}"}}'} for title, letter in (
                    ("Santé", "J"), ("Commerce, vente", "D"), ("Bâtiment", "F"), ("Agriculture, animaux", "A"),
                    ("Hôtellerie, restauration", "G"), ("Industrie", "H"))])
            return
        lines = [f"D'après tes réponses ({env_words(tags)}), ces métiers pourraient te plaire :"]
        lines += [f"• {m.label} : {m.description}" for m in metiers]
        turn.say("\n".join(lines), buttons=[
            {"title": f"Stages : {m.label}"[:40], "payload": f'/search_offers{{"metier": "{m.label}"}}'}
            for m in metiers[:3]] + [{"title": "Refaire le quiz", "payload": '/unsure_career{"environnement": ""}'}])
        await self._nearby(turn, tags)

    async def _nearby(self, turn: Turn, tags: list[str]) -> None:
        student = None
        if turn.account is not None and turn.account.role is Role.STUDENT:
            student = await student_of(turn.session, turn.account.id)
        commune = commune_of_slot(turn.slot("lieu")) or await home_commune(turn, student)
        if commune is None:
            turn.say("Dis-moi où tu habites (ex. « vers Feurs ») et je te montre les stages de ces métiers "
                     "près de chez toi.", buttons=[{"title": "Chercher ces stages",
                                                    "payload": f'/search_offers{{"domaine": "env:{",".join(tags)}"}}'}])
            return
        rome = sorted({m.rome for m in metiers_for_environments(tags, limit=5)})
        week = stage_week(student)
        state = {"lat": commune.lat, "lon": commune.lon, "place": commune.label, "r": 30.0, "rome": rome,
                 "dom": None, "env": tags, "what": f" ({env_words(tags)})", "ids": [],
                 "ws": week[0].isoformat() if week else None, "we": week[1].isoformat() if week else None}
        result = await search_offers(turn.session, query_of(state))
        if not result.total:
            turn.say(f"Pour l'instant, pas d'offre de ces métiers à moins de 30 km de {commune.label}. "
                     "Appuie sur un métier pour chercher plus largement.")
            return
        turn.say(f"Et près de chez toi ({commune.label}, moins de 30 km), {result.total} stage"
                 f"{'s' if result.total > 1 else ''} dans ces métiers :")
        state["ids"] = say_offers(turn, result.hits, 1)
        if result.total > len(state["ids"]):
            turn.say(f"Il y en a encore {result.total - len(state['ids'])}.",
                     buttons=[{"title": "Voir plus", "payload": "/show_more"}])
        save_state(turn, state)

