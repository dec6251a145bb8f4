"""A student's first steps: after « je suis élève », a class code (or a deep link `/start classe-CODE`)
gives the collège and the stage week; without one, the first search gives a commune and a week."""
from __future__ import annotations

import json


from actions.base import TremplinAction, Turn
from tremplin.dates.period import range_label
from tremplin.geography import get_communes
from tremplin.models import Role, School
from tremplin.queries.people import class_by_join_code
from tremplin.services.accounts import set_role, student_of
from tremplin.services.classes import clean_join_code, join_class
from tremplin.services.errors import DomainError
from tremplin.services.follow import ensure_code_attempts_left, record_code_failure

TOO_MANY = "Tu as essayé trop de codes faux : attends une heure, ou demande le bon code à ton professeur."
UNKNOWN_CODE = ("Ce code ne correspond à aucune classe. Vérifie-le avec ton professeur (il ressemble à "
                "« FEURS-3A ») et renvoie-le moi.")
ASK_CODE = ("Envoie-moi le code de ta classe, celui que ton prof t'a donné (il ressemble à « FEURS-3A »). "
            "Pas de code ? Pas grave : tu peux chercher et postuler quand même.")


class ActionStudentOnboarding(TremplinAction):
    """Runs after the role menu; says nothing to adults."""

    action_name = "action_student_onboarding"

    async def handle(self, turn: Turn) -> None:
        if turn.account is None or turn.account.role is not Role.STUDENT:
            return
        student = await student_of(turn.session, turn.account.id)
        if student is not None and student.class_id is not None:
            # join_class gave the pupil the class's week
            assert student.stage_start is not None and student.stage_end is not None
            turn.say(f"Tu es déjà dans ta classe ; ton stage : {range_label(student.stage_start, student.stage_end)}. "
                     "Dis-moi ce que tu aimerais découvrir !")
            return
        turn.say("Pour commencer : ton prof t'a donné un code de classe ? Avec lui, je connais déjà la semaine de "
                 "ton stage. Sinon, dis-moi juste ce que tu cherches et où, par exemple « un stage en "
                 "boulangerie vers Feurs la semaine du 7 décembre ».", buttons=[
                     {"title": "J'ai un code de classe", "payload": "/join_class"},
                     {"title": "Pas de code, je cherche", "payload": "/search_offers"},
                     {"title": "Je ne sais pas quoi faire", "payload": "/unsure_career"}])


class ActionJoinClass(TremplinAction):
    action_name = "action_join_class"

    async def handle(self, turn: Turn) -> None:
        account = turn.account
        if account is None:
            turn.say("Je ne te reconnais pas encore : écris /start pour commencer.")
            return
        if account.role not in (None, Role.STUDENT):
            turn.say("Ce code sert aux élèves pour rejoindre leur classe. Pour suivre une classe, créez-la avec "
                     "« créer une classe » ; pour suivre votre enfant, utilisez son code « P- ».")
            return
        code = turn.entity("code") or ""  # nlu/codes.py finds a class code in any sentence
        if not code.strip() or code.upper().startswith(("C-", "P-", "O-")):
            turn.say(ASK_CODE)
            return
        if account.role is None:
            # Nothing is written before the code is known good: a wrong code is recorded on its own.
            await ensure_code_attempts_left(turn.session, account, "class", TOO_MANY)
            if await class_by_join_code(turn.session, clean_join_code(code)) is None:
                await record_code_failure(turn.session, account, "class")
                turn.say(UNKNOWN_CODE)
                return
            await set_role(turn.session, account, Role.STUDENT)
            turn.set("role", "eleve")
        student = await student_of(turn.session, account.id)
        assert student is not None, "set_role(STUDENT) creates the student"
        try:
            async with turn.session.begin_nested():
                school_class = await join_class(turn.session, student, code)
        except DomainError as err:
            turn.say(err.message if err.code != "class_code_unknown" else UNKNOWN_CODE)
            return
        school = await turn.session.get_one(School, school_class.school_id)
        commune = get_communes().get(school.commune_insee)
        where = f" ({commune.name})" if commune else ""
        turn.set("periode", None)  # the class's week replaces any week typed before
        wish = turn.entity("metier") or turn.entity("domaine")
        if turn.tracker.active_loop.get("name") == "search_form":
            wish = None  # the search goes on by itself after joining
        question = (f"J'ai aussi noté « {wish} » : je cherche ?" if wish
                    else "Qu'est-ce que tu aimerais découvrir ?")
        buttons = [{"title": f"Chercher : {wish}"[:60], "payload": "/search_offers" + json.dumps({"metier": wish})}] \
            if wish else [{"title": "Chercher un stage", "payload": "/search_offers"}]
        turn.say(f"Bienvenue dans la classe {school_class.name} du {school.name}{where} 🎒 Ton stage : "
                 f"{range_label(school_class.stage_start, school_class.stage_end)}. Je te proposerai des offres "
                 f"pour cette semaine-là. {question}", buttons=[
                     *buttons, {"title": "Je ne sais pas quoi faire", "payload": "/unsure_career"}])

