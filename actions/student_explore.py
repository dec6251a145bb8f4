"""« Je sais pas quoi faire »: four button questions about where one feels at ease (outdoors or
inside; people, animals, machines or computers; calm or busy; making or helping), then the offers
near the student that fit the answers, and the métiers they stand for.

The quiz ends on offers the student can apply to (never on a métier with no stage around): the
ranking lives in :mod:`tremplin.services.explore`, and its result is kept in `search_state` like a
search, so « Postuler », « je postule à la 2 » and « Voir plus » work the same.

The answers travel in the button payloads themselves (entity `environnement`, e.g.
"exterieur,animaux,egal"), so the exploration needs no slot and survives any detour. A typed answer
(« aucun », « rien de tout ça », « plutôt dehors ») is read against the question last asked, found in
the buttons of the bot's last message."""
from __future__ import annotations

import re
from typing import Any

from actions.base import TremplinAction, Turn
from actions.student_common import (
    commune_of_slot, env_words, home_commune, offered_value, save_state, say_offers, stage_week,
)
from tremplin.dates.period import range_label
from tremplin.metiers import ENVIRONMENTS, resolve_environments
from tremplin.metiers.environments import is_refusal
from tremplin.models import Role
from tremplin.services.accounts import student_of
from tremplin.services.explore import ExploreQuery, ExploreResult, Trade, explore_offers, fitting_metiers

SKIP = "egal"
QUESTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Pas de souci, on va trouver ensemble 🙂 Première question : tu te vois plutôt…",
     [("🌳 Dehors, en plein air", "exterieur"), ("🏠 À l'intérieur", "interieur"), ("🤷 Peu importe", SKIP)]),
    ("Tu aimerais passer ta journée avec…",
     [("👥 Des gens", "public"), ("🐾 Des animaux", "animaux"), ("⚙️ Des machines", "machines"),
      ("💻 Des ordinateurs", "bureau"), ("🧒 Des enfants", "enfants"), ("🤷 Aucun de ceux-là", SKIP)]),
    ("Plutôt une ambiance…", [("😌 Calme", "calme"), ("⚡ Animée, ça bouge", "anime"), ("🤷 Peu importe", SKIP)]),
    ("Et tu préfères…", [("🔨 Fabriquer, réparer", "atelier"), ("🤝 Aider, prendre soin", "soin"),
                         ("🎨 Créer, imaginer", "creatif"), ("🤷 Rien de tout ça", SKIP)]),
]
_QUIZ_PAYLOAD = re.compile(r'^/unsure_career(\{.*\})$')
RETRY = {"title": "Refaire le quiz", "payload": '/unsure_career{"environnement": ""}'}
DOMAINS = [{"title": title, "payload": f'/search_offers{{"domaine": "dom:{letter}"}}'} for title, letter in (
    ("Santé", "J"), ("Commerce, vente", "D"), ("Bâtiment", "F"), ("Agriculture, animaux", "A"),
    ("Hôtellerie, restauration", "G"), ("Industrie", "H"))]


def _answers(value: str | None) -> list[str]:
    """One item per question answered: SKIP, or environment keys joined by "+" (a typed answer)."""
    items = []
    for raw in (value or "").split(","):
        keys = [k for k in raw.strip().split("+") if k in ENVIRONMENTS]
        if keys or raw.strip() == SKIP:
            items.append("+".join(keys) or SKIP)
    return items[:len(QUESTIONS)]


def _tags(answers: list[str]) -> list[str]:
    return list(dict.fromkeys(k for a in answers for k in a.split("+") if k in ENVIRONMENTS))


def _ask(turn: Turn, answers: list[str], prefix: str = "") -> None:
    question, choices = QUESTIONS[len(answers)]
    step = f"({len(answers) + 1}/{len(QUESTIONS)}) "
    turn.say(prefix + step + question, buttons=[
        {"title": title, "payload": '/unsure_career{"environnement": "%s"}' % ",".join(answers + [key])}
        for title, key in choices])


def ask_first_question(turn: Turn) -> None:
    _ask(turn, [])


def _pending_quiz(turn: Turn) -> list[str] | None:
    """The answers given so far if the bot's last message was a quiz question, else None (« Refaire
    le quiz » carries "": that is not a question waiting)."""
    value = offered_value(turn, _QUIZ_PAYLOAD, "environnement")
    return _answers(value)[:-1] if value else None


def _typed_answer(text: str) -> str:
    """A typed answer to the question waiting: environment words, else « aucun » / « je sais pas »."""
    tags = resolve_environments(text)
    return "+".join(tags) if tags and not is_refusal(text) else SKIP


class ActionCancelOutsideForms(TremplinAction):
    """« annuler » with no form open. The quiz keeps its answers in its buttons, not in a form: if
    one of its questions is waiting, « annuler » ends it (and says so) instead of « rien en cours »."""
    action_name = "action_cancel_outside_forms"

    async def handle(self, turn: Turn) -> None:
        if _pending_quiz(turn) is None:
            turn.dispatcher.utter_message(response="utter_nothing_to_cancel")
            return
        # In the quiz's own voice: its questions say « tu » to whoever takes it (a pupil's tool).
        turn.say("D'accord, on arrête le quiz 👍 Tu pourras le refaire quand tu veux : écris « je sais pas quoi "
                 "faire ». Qu'est-ce que tu veux faire maintenant ?")


class ActionExploreEnvironments(TremplinAction):
    action_name = "action_explore_environments"

    async def handle(self, turn: Turn) -> None:
        given = turn.entity("environnement")
        text = turn.tracker.latest_message.get("text") or ""
        if given is None:
            pending = _pending_quiz(turn)
            if pending is not None and len(pending) < len(QUESTIONS):
                answer = _typed_answer(text)  # « aucun », « rien de tout ça », « plutôt dehors »
                given = ",".join(pending + [answer])
                if answer == SKIP and len(pending) + 1 < len(QUESTIONS):
                    _ask(turn, _answers(given), prefix="Pas de souci, on passe à la suite. ")
                    return
            elif not is_refusal(text) and (typed := resolve_environments(text)):
                await self._results(turn, typed)  # « j'aime être dehors avec des animaux »: no questions
                return
        answers = _answers(given)
        if len(answers) < len(QUESTIONS):
            _ask(turn, answers)
            return
        await self._results(turn, _tags(answers))

    async def _results(self, turn: Turn, tags: list[str]) -> None:
        student = None
        if turn.account is not None and turn.account.role is Role.STUDENT:
            student = await student_of(turn.session, turn.account.id)
        commune = commune_of_slot(turn.slot("lieu")) or await home_commune(turn, student)
        if commune is None:
            _ask_where(turn, tags)
            return
        week = stage_week(student)
        result = await explore_offers(turn.session, ExploreQuery(
            commune.lat, commune.lon, tuple(tags), week[0] if week else None, week[1] if week else None))
        when = f", {range_label(*week)}" if week else ""
        turn.say(_intro(result, tags, commune.label, when), buttons=_idea_buttons(result))
        if not result.page.total:
            return
        q = result.search
        state: dict[str, Any] = {
            "lat": q.lat, "lon": q.lon, "place": commune.label, "r": q.radius_km, "rome": q.rome_codes or [],
            "dom": None, "env": [], "what": " qui collent à tes réponses" if result.kind in ("fit", "far") else "",
            "ws": week[0].isoformat() if week else None, "we": week[1].isoformat() if week else None,
            "ids": [], "quiz": tags}
        state["ids"] = say_offers(turn, result.page.hits, 1)
        left = result.page.total - len(state["ids"])
        more = f"Il y en a encore {left}. " if left > 0 else ""
        buttons = ([{"title": "Voir plus", "payload": "/show_more"}] if left > 0 else []) + [RETRY]
        if result.kind == "open":
            buttons += DOMAINS[:3]
        turn.say(more + "Un stage te tente ? Appuie sur « Postuler » (ou « Détails » pour en savoir plus).",
                 buttons=buttons)
        save_state(turn, state)


def _ask_where(turn: Turn, tags: list[str]) -> None:
    """No commune known: name the fitting métiers, each a search that will ask where."""
    trades = fitting_metiers(tags, limit=3)
    if not trades:
        turn.say("Pas de préférence, c'est normal à ton âge ! Dis-moi où tu habites (ex. « vers Feurs ») "
                 "pour voir les stages près de chez toi, ou regarde par grands domaines :", buttons=DOMAINS)
        return
    turn.say(_metier_lines(f"D'après tes réponses ({env_words(tags)}), ces métiers pourraient te plaire :",
                           trades) + "\n\nDis-moi où tu habites (ex. « vers Feurs ») et je te montre les "
             "stages près de chez toi.",
             buttons=[{"title": f"Stages : {t.metier.label}"[:40],
                       "payload": f'/search_offers{{"metier": "{t.metier.label}"}}'} for t in trades] + [RETRY])


def _metier_lines(head: str, trades: list[Trade]) -> str:
    return "\n".join([head] + [f"• {t.metier.label} : {t.metier.description}" for t in trades])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def _intro(result: ExploreResult, tags: list[str], place: str, when: str) -> str:
    """What was found and why, said honestly: fitting and near, fitting but far, or just near."""
    found, radius = result.page.total, round(result.radius_km)
    offers = f"J'ai trouvé {_plural(found, 'stage')} à moins de {radius} km de {place}{when} :"
    words = env_words(tags)
    ideas = [t.metier.label for t in result.ideas if t.nearest_km is not None]
    also = (f"\nD'autres métiers collent aussi à tes réponses, avec des stages pas trop loin : {', '.join(ideas)}."
            if ideas else "")
    discover = "un stage d'observation, c'est aussi fait pour découvrir un métier auquel on n'avait pas pensé."
    if result.kind == "fit":
        head = (f"D'après tes réponses ({words}), ces métiers te ressemblent et prennent des stagiaires "
                "près de chez toi :")
        return _metier_lines(head, result.trades[:4]) + also + "\n\n" + offers
    if result.kind == "far":
        head = f"D'après tes réponses ({words}), ces métiers te ressemblent :"
        these = "le seul stage" if found == 1 else f"les {found} stages"
        return (_metier_lines(head, result.trades[:4]) + f"\n\nMais aucun de leurs stages n'est à moins de "
                f"50 km de {place} 😕 Voici {these} les plus proches, à moins de {radius} km : c'est loin pour "
                "une semaine, parles-en avec tes parents (trajet, hébergement) avant de postuler.")
    if result.kind == "loose":
        return (f"Je n'ai trouvé aucun stage qui colle vraiment à tes réponses ({words}) 😕 Voici les plus "
                f"proches qui ne vont pas contre elles : {discover}{also}\n\n{offers}")
    if result.kind == "nearest":
        return (f"Je n'ai trouvé aucun stage qui corresponde à tes réponses ({words}) 😕 Voici les stages les "
                f"plus proches de chez toi : {discover}{also}\n\n{offers}")
    if result.kind == "open":
        return ("Pas de préférence, c'est normal à ton âge ! Voici les stages les plus proches de chez toi, "
                f"dans des métiers variés : ça peut te donner des idées.\n\n{offers}")
    if when:
        return (f"Je n'ai trouvé aucune offre sur ta semaine de stage ({when[2:]}) 😕 Vérifie ces dates avec "
                "ton professeur ; de nouvelles offres arrivent chaque semaine : reviens voir bientôt !")
    return ("Il n'y a aucune offre de stage en ligne pour l'instant 😕 De nouvelles offres arrivent "
            "chaque semaine : reviens voir bientôt !")


def _idea_buttons(result: ExploreResult) -> list[dict[str, str]]:
    """A search per fitting métier with offers within 50 km (a search button never leads nowhere)."""
    if result.kind == "empty":
        return [RETRY]
    return [{"title": f"Stages : {t.metier.label}"[:40],
             "payload": f'/search_offers{{"metier": "{t.metier.label}"}}'}
            for t in result.ideas if t.nearest_km is not None][:3]
