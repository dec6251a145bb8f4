"""Pupils: joining a class, searching, the quiz, applying anonymously, following, inviting a parent,
giving up mid-way. Sentences written for this suite, apart from the NLU data (see test_task_success).
Weeks: $wN / $mondayN are the Nth school week from today, as the demo counts them; FEURS-3A's
stage is week 4, FEURS-3B's 5, MARCIGNY-3A's 6, MARCIGNY-3B's 7."""
from __future__ import annotations

from tests.support.tasks import checks as c
from tests.support.tasks import rules as r
from tests.support.tasks.engine import Answer, As, Capture, Case, Press, Rule, Say

CLASS_WEEK = {"FEURS-3A": 4, "FEURS-3B": 5, "MARCIGNY-3A": 6, "MARCIGNY-3B": 7}
ASKS_CODE = r"ton code|le code|code de (ta )?classe"


def _pupil(code: str = "FEURS-3A"):
    return lambda ctx, s: ctx.pupil(s, code, actor="user")


def _pupil_who_applied(code: str = "FEURS-3A"):
    async def setup(ctx, s):
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        from tremplin.models import Offer, OfferStatus
        student = await ctx.pupil(s, code, actor="user")
        offer = await s.scalar(select(Offer).options(selectinload(Offer.periods)).where(
            Offer.status == OfferStatus.PUBLISHED, Offer.places_left > 0, Offer.commune_insee == "42147")
            .order_by(Offer.id))  # Montbrison
        application = await ctx.apply_for(s, student, offer, "Je voudrais voir ce métier de près, "
                                          "ça m'intéresse depuis longtemps.")
        ctx.vars.update(app_code=application.public_code, offer_title=offer.title, child_id=student.id)
    return setup


def _join_cases() -> list[Case]:
    cases = []
    by_button = [("FEURS-3A", "FEURS-3A", "Inès, pressed the button, types the code as written on the board"),
                 ("feurs-3b", "FEURS-3B", "Tom types the code in lower case"),
                 ("MARCIGNY 3A", "MARCIGNY-3A", "Jade puts a space instead of the dash"),
                 ("c MARCIGNY-3B", "MARCIGNY-3B", "Noé, SMS style: « c » + code"),
                 ("Feurs-3A", "FEURS-3A", "Lou, capitalised like a town"),
                 ("euh FEURS-3B", "FEURS-3B", "Sacha hesitates before the code")]
    for i, (typed, code, persona) in enumerate(by_button):
        cases.append(Case(f"join_button_{i + 1}", "join_button", persona, [
            *r.student_start(), Press("code de classe", otherwise="j'ai un code"), Say(typed)],
            c.joined(code), smoke=i == 0))
    bare = [("FEURS-3A", "FEURS-3A", "the code alone right after choosing the role"),
            ("marcigny-3a", "MARCIGNY-3A", "lower case code alone after the role"),
            ("FEURS-3B", "FEURS-3B", "code alone, then nothing else"),
            ("MARCIGNY-3B", "MARCIGNY-3B", "code alone for a rural collège"),
            ("FEURS 3A", "FEURS-3A", "space instead of dash, alone"),
            ("Marcigny-3B", "MARCIGNY-3B", "mixed case, alone")]
    for i, (typed, code, persona) in enumerate(bare):
        cases.append(Case(f"join_bare_{i + 1}", "join_bare", persona,
                          [*r.student_start(), Say(typed)], c.joined(code), smoke=i == 0))
    one = [("chui en 3e mon code c FEURS-3A", "FEURS-3A"),
           ("slt jsuis eleve le code de ma classe cest MARCIGNY-3A", "MARCIGNY-3A"),
           ("bjr je suis collégienne en 3eme, code FEURS-3B", "FEURS-3B"),
           ("yo chui en troisième au clg de marcigny, g le code MARCIGNY-3B", "MARCIGNY-3B"),
           ("Bonjour je suis élève en 3e B et la prof nous a donné FEURS-3B", "FEURS-3B"),
           ("jsuis en 3A a feurs voila le code FEURS-3A", "FEURS-3A")]
    for i, (typed, code) in enumerate(one):
        cases.append(Case(f"join_one_message_{i + 1}", "join_one_message", "role and code in one first message",
                          [Say("/start"), Say(typed)], c.joined(code), smoke=i == 0))
    return cases


def _search_cases() -> list[Case]:
    cases = []
    motivation = "J'aimerais découvrir ce métier en vrai et voir comment se passe une journée."
    # (message, the same métier and place if asked again, expected métier, week)
    one = [("jcherche un stage de vendeur vers feurs $w4", "vendeur", "Feurs", r"vend", 4),
           ("je voudrais faire mon stage dans un garage à Feurs la semaine du $monday4", "garage", "Feurs",
            r"canicien|carross", 4),
           ("stage véto à montbrison $w4 stp", "véto", "Montbrison", r"veterin", 4),
           ("chui intéressé par l'imprimerie, vers Montbrison, $w4", "imprimerie", "Montbrison", r"imprim", 4),
           ("un stage de maçon vers panissieres $w5", "maçon", "panissieres", r"macon", 5),
           ("je veux faire aide soignante a montbrison pour la semaine du $monday4", "aide soignante", "montbrison",
            r"soignant", 4),
           ("chauffeur routier sur roanne $w4 svp", "chauffeur routier", "roanne", r"chauffeur", 4),
           ("jcherche ds la mécanique agricole vers boen $w5", "mécanique agricole", "boen", r"agricol", 5)]
    for i, (typed, metier, place, expected, week) in enumerate(one):
        cases.append(Case(f"search_one_message_{i + 1}", "search_one_message", "métier, place and week in one SMS",
                          [Say(typed), r.search(metier, place, f"$w{week}"), *r.apply(motivation)],
                          c.applied(expected, week), setup=_pupil("FEURS-3A"), smoke=i == 0,
                          not_asked=(r.Q_METIER_STUDENT, r.Q_PLACE, r.Q_WHEN)))
    steps = [("bon je cherche un stage", "carrosserie", "Feurs", "$w4", r"carross", 4),
             ("stage", "mécanique auto", "42110", "la semaine du $monday4", r"canicien|carross", 4),
             ("jveux chercher un stage", "vétérinaire", "montbrison", "$w4", r"veterin", 4),
             ("trouver un stage stp", "dans l'imprimerie", "Montbrison", "semaine du $monday4", r"imprim", 4),
             ("je cherche", "agent administratif", "Feurs", "$w4", r"administratif", 4),
             ("besoin d'un stage", "aide-soignant", "Montbrison (42)", "$w4", r"soignant", 4),
             ("chercher un stage", "vendeuse en boulangerie", "feurs", "$w4", r"vend|boulang", 4),
             ("je cherche un stage pr ma 3e", "la vente", "Feurs", "$w4", r"vend", 4)]
    for i, (opening, metier, place, when, expected, week) in enumerate(steps):
        cases.append(Case(f"search_steps_{i + 1}", "search_steps", "one answer per question",
                          [Say(opening), r.search(metier, place, when), *r.apply(motivation)],
                          c.applied(expected, week), setup=_pupil("FEURS-3A"), smoke=i == 0))
    jsp = [("jsp", "carrossier", "Feurs"), ("je sais pas encore", "garagiste", "Feurs"),
           ("aucune idée", "imprimeur", "Montbrison"), ("jsp trop", "vétérinaire", "Montbrison"),
           ("chais pas", "vendeur", "Feurs")]
    expected = [r"carross", r"canicien|carross", r"imprim", r"veterin", r"vend"]
    for i, ((idk, metier, place), exp) in enumerate(zip(jsp, expected)):
        cases.append(Case(f"search_jsp_{i + 1}", "search_jsp", "does not know the date yet (class week known)",
                          [Say("jcherche un stage"), r.search(metier, place, idk, distance="30 km"),
                           *r.apply(motivation)],
                          c.applied(exp, 4), setup=_pupil("FEURS-3A"), smoke=i == 0))
    # (first message, the correction, the métier as re-typed if asked again, expected métier)
    corrections = [
        ("stage de vendeur vers Roanne $w4", "non plutôt à Feurs", "vendeur", r"vend"),
        ("je cherche un stage de coiffure a feurs $w4", "ah non en fait plutôt la carrosserie", "carrosserie",
         r"carross"),
        ("stage imprimerie vers Feurs $w4", "pardon je voulais dire vers Montbrison", "imprimerie", r"imprim"),
        ("un stage au garage de Roanne $w4", "non attends, à Feurs", "garage", r"canicien|carross"),
        ("stage véto vers st etienne $w4", "euh non a montbrison plutot", "véto", r"veterin")]
    for i, (first, fix, metier, exp) in enumerate(corrections):
        cases.append(Case(f"search_correction_{i + 1}", "search_correction", "corrects the place or the trade",
                          [Say(first), Say(fix), r.search(metier, "Feurs", "$w4", distance="30 km"),
                           *r.apply(motivation)],
                          c.applied(exp, 4), setup=_pupil("FEURS-3A"), smoke=i == 0,
                          not_asked=(r.Q_METIER_STUDENT,)))
    offtopic = [("Q_PLACE", "c'est payé un stage ?"), ("Q_WHEN", "t'es un vrai robot ou quoi"),
                ("Q_PLACE", "on doit faire combien d'heures par jour"), ("Q_WHEN", "merci t'es sympa")]
    for i, (question, aside) in enumerate(offtopic):
        ask = getattr(r, question)
        cases.append(Case(f"search_offtopic_{i + 1}", "search_offtopic", f"asks « {aside} » mid-search, then goes on",
                          [Say("je cherche un stage de 3e"),
                           r.search("mécanique auto", "Feurs", "$w4", extra=(Rule(ask, Say(aside), times=1),)),
                           *r.apply(motivation)],
                          c.applied(r"canicien|carross", 4), setup=_pupil("FEURS-3A"), smoke=i == 0))
    return cases


def _quiz_cases() -> list[Case]:
    answers = [("Dehors", "animaux", "Calme", "Aider"), ("intérieur", "gens", "Animée", "Fabriquer"),
               ("Dehors", "machines", "Peu importe", "Fabriquer"), ("intérieur", "ordinateurs", "Calme", "Créer"),
               ("Peu importe", "enfants", "Animée", "Aider"), ("Dehors", "gens", "Calme", "Fabriquer")]
    openers = ["jsp quoi faire comme stage", "aucune idée de métier franchement", "je sais pas ce qui me plairait",
               "g pas d'idée", "j'ai aucune idée de ce que je veux faire", "aide moi a choisir un metier stp"]
    cases = []
    for i, ((where, who, mood, do), opener) in enumerate(zip(answers, openers)):
        quiz = Answer((
            Rule(r"tu te vois plutot|dehors|plein air", Press(where), times=1),
            Rule(r"passer ta journee|des gens|des animaux", Press(who), times=1),
            Rule(r"une ambiance|calme", Press(mood), times=1),
            Rule(r"tu preferes|fabriquer", Press(do), times=1),
            Rule(r"stages :", Press("Stages", otherwise="je veux voir les stages")),
            Rule(r.Q_PLACE, Say("vers Feurs")),
            Rule(r.Q_DISTANCE, Press("30 km", otherwise="30 km")),
            Rule(r.Q_WHEN, Say("jsp")),
            Rule(r.Q_WIDEN, Press("Oui", otherwise="oui")),
        ), until=r.RESULTS, max_turns=16)
        cases.append(Case(f"quiz_{i + 1}", "quiz", f"no idea; quiz {where}/{who}/{mood}/{do}; applies to a proposal",
                          [Say(opener), quiz, *r.apply("Je ne connais pas du tout ce métier et j'aimerais le "
                                                       "découvrir pendant une semaine.")],
                          c.applied(), setup=_pupil("FEURS-3A"), smoke=i == 0))
    return cases


def _apply_cases() -> list[Case]:
    texts = [("J'adore les animaux, je m'appelle Lina et mon num c 06 12 34 56 78", ("06 12", "Lina")),
             ("je veux voir comment on soigne les chiens. Appelez moi au 0612345678 svp", ("0612345678",)),
             ("Passionnée par les animaux depuis petite, mon mail c'est lina.roux@gmail.com", ("lina.roux",)),
             ("moi c Enzo, j'aime bien les bêtes et mon tel est le +33 6 98 76 54 32", ("98 76", "Enzo")),
             ("Je voudrais découvrir le métier, mon insta c @lola_42 si besoin", ("lola_42",)),
             ("J'ai un chien et deux chats, j'habite 12 rue des Lilas à Feurs, 07.11.22.33.44", ("07.11", "Lilas"))]
    cases = []
    for i, (motivation, forbidden) in enumerate(texts):
        cases.append(Case(f"apply_masked_{i + 1}", "apply_masked", "motivation with contact details, masked",
                          [Say("stage vétérinaire vers Montbrison $w4"), r.search(None, "Montbrison", "$w4", "30 km"),
                           *r.apply(motivation)],
                          c.applied(r"veterin", 4, forbidden=forbidden), setup=_pupil("FEURS-3A"), smoke=i == 0))
    return cases


def _follow_cases() -> list[Case]:
    asks = ["g eu une reponse ou pas ?", "elle en est où ma candidature", "mes candidatures stp",
            "est-ce que le stage a répondu", "du nouveau pour mon stage ?", "jai postulé, ça dit quoi ?"]
    follow = Answer((Rule(r"mes candidatures", Press("Mes candidatures", otherwise="mes candidatures"), times=1),),
                    until=r"c-[a-z0-9]{6}")  # a user takes the bot's suggestion
    return [Case(f"follow_{i + 1}", "follow", "asks where the application stands", [Say("/start"), Say(ask), follow],
                 c.shown(r"\$app_code|en attente|envoyee"), setup=_pupil_who_applied(), smoke=i == 0)
            for i, ask in enumerate(asks)]


def _invite_cases() -> list[Case]:
    asks = ["je veux que ma mère puisse suivre", "comment mon père peut voir mes candidatures",
            "inviter un parent", "ma mere veut suivre mon stage elle aussi", "donne moi le code pour mes parents"]
    links = ["$pcode", "voici le code : $pcode", "lier mon enfant", "$pcode", "mon fils m'a donné $pcode"]
    cases = []
    for i, (ask, link) in enumerate(zip(asks, links)):
        steps = [Say(ask), Capture("pcode", r"\b(P-[A-Z0-9]{4,16})\b"),
                 As("parent"), *r.adult_start("parent", "je suis sa mère")]
        if "$pcode" not in link:
            steps += [Say(link), Answer((Rule(r"code", Say("$pcode")),), until=r"relie")]
        else:
            steps += [Say(link)]
        cases.append(Case(f"invite_parent_{i + 1}", "invite_parent", "pupil invites a parent who links",
                          steps, c.all_of(c.parent_invited(), c.parent_linked()), actors=("user", "parent"),
                          setup=_pupil_who_applied("FEURS-3B"), smoke=i == 0))
    return cases


def _cancel_cases() -> list[Case]:
    cases = []
    for i, stop in enumerate(["annule", "laisse tomber jvais voir plus tard"]):
        done = r"annule|rien n'a ete|j'arrete|on fait autre chose"
        cases.append(Case(f"cancel_search_{i + 1}", "cancel_student", "no class yet; gives up mid-search",
                          [*r.student_start(), Press("Pas de code", otherwise="je cherche un stage"),
                           Answer((Rule(r.Q_METIER_STUDENT, Say("coiffure")), Rule(r.Q_PLACE, Say(stop), times=1),
                                   Rule(r.Q_WHEN, Say(stop), times=1)), until=done)],
                          c.all_of(c.no_application(), c.said(done))))
    stops = ["annuler", "laisse tomber", "non en fait laisse tomber", "stop j'arrête"]
    for i, stop in enumerate(stops):
        cases.append(Case(f"cancel_student_{i + 1}", "cancel_student", "gives up while writing the motivation",
                          [Say("stage de mécanique auto à feurs $w4"),
                           r.search("mécanicien automobile", "Feurs", "$w4", "30 km"),
                           Press("Postuler"), Say(stop)],
                          c.all_of(c.no_application(), c.said(r"rien n'a ete envoye|rien n'est envoye|j'arrete|annule")),
                          setup=_pupil("FEURS-3A"), smoke=i == 0))
    return cases


def cases() -> list[Case]:
    return [*_join_cases(), *_search_cases(), *_quiz_cases(), *_apply_cases(), *_follow_cases(),
            *_invite_cases(), *_cancel_cases()]
