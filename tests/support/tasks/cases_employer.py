"""Employers: registering (SIRET in every layout, names that look like words, phones), publishing
(step by step, in one message, two weeks at once, craft trades of the référentiel, corrections),
answering applications with or without the words « accepter »/« refuser », giving up mid-form."""
from __future__ import annotations

from tests.support.tasks import checks as c
from tests.support.tasks import rules as r
from tests.support.tasks.engine import Answer, Case, Press, Rule, Say
from tests.support.tasks.world import luhn_siret, spaced
from tremplin.models import ApplicationStatus

FEURS, MONTBRISON, ROANNE, MARCIGNY, CHARLIEU = "42094", "42147", "42187", "71275", "42052"
README_SIRET = "44306184100047"

# (how the SIRET is typed, company, commune typed, commune INSEE, contact typed, contact regex, phone typed)
REGISTRATIONS = [
    ("443 061 841 00047", "Menuiserie Girard", "Feurs", FEURS, "Pierre Lannuler", r"pierre lannuler", "04 77 26 11 22"),
    ("{s}", "Boulangerie du Marché", "montbrison", MONTBRISON, "Claire Stop", r"claire stop", "0477261122"),
    ("{sp}", "Garage des Tilleuls", "Roanne", ROANNE, "Marc Aide", r"marc aide", "06.12.34.56.78"),
    ("siret : {sp}", "Salon Coiff'Nath", "Feurs (42)", FEURS, "M. Dupont", r"dupont", "+33 6 12 34 56 78"),
    ("c'est le {s}", "Ferme des Quatre Vents", "Marcigny", MARCIGNY, "Mme Petit", r"petit", "03 85 25 11 22"),
    ("{dots}", "Cabinet vétérinaire des Sources", "Feurs", FEURS, "Jean Annule", r"jean annule", "04-77-26-11-22"),
    ("{sp}", "Fleurs et Jardins", "Charlieu", CHARLIEU, "Rose Merci", r"rose merci", "06 12 34 56 78"),
    ("le siret c {s}", "Pharmacie Centrale", "Roanne", ROANNE, "Paul Bonjour", r"paul bonjour", "04 77 71 00 00"),
    ("{sp}", "Imprimerie Forézienne", "Montbrison", MONTBRISON, "Annie Non", r"annie non", "0033 4 77 58 00 00"),
    ("{s}", "Auto-école Prudence", "Feurs", FEURS, "Victor Oui", r"victor oui", "04 77 26 00 11"),
    ("{sp}", "Maison Stop & Go", "Feurs", FEURS, "Louis Aurevoir", r"louis aurevoir", "06 01 02 03 04"),
    ("numéro siret {sp}", "Atelier Bois Vivant", "Roanne", ROANNE, "Mme Sophie Delaide", r"sophie delaide", "07 61 22 33 44"),
]


# Gives the postcode first; told it covers several communes, names the town.
POSTCODE_FIRST = (Rule(r.Q_COMPANY_PLACE, Say("42110"), times=1),)


def _siret_text(pattern: str, siret: str) -> str:
    dots = f"{siret[:3]}.{siret[3:6]}.{siret[6:9]}.{siret[9:]}"
    return pattern.format(s=siret, sp=spaced(siret), dots=dots)


def _register_cases() -> list[Case]:
    cases = []
    openers = ["je voudrais inscrire mon entreprise", "inscrire ma boîte", "Bonjour, je souhaite proposer des "
               "stages, comment m'inscrire ?", "enregistrer mon entreprise svp"]
    for i, (typed, name, place, insee, contact, contact_re, phone) in enumerate(REGISTRATIONS):
        siret = README_SIRET if i == 0 else luhn_siret(100 + i)
        steps = [*r.adult_start("entreprise", "je suis chef d'entreprise"), Say(openers[i % len(openers)]),
                 r.register(_siret_text(typed, siret), name, place, contact, phone,
                            extra=POSTCODE_FIRST if "Cabinet" in name else ())]
        cases.append(Case(f"register_{i + 1}", "register", f"registers « {name} », contact « {contact} »", steps,
                          c.registered(siret, _plain(name), contact_re, _digits(phone), insee), smoke=i == 0))
    return cases


def _plain(text: str) -> str:
    import re

    from tests.support.tasks.engine import norm
    return re.escape(norm(text))


def _digits(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("0033"):
        digits = "0" + digits[4:]
    elif digits.startswith("33"):
        digits = "0" + digits[2:]
    return digits


def _company(n: int):
    return lambda ctx, s: ctx.new_company(s, n)


PUBLISH = [
    # (opening, métier, title, description, commune, address, weeks typed, weeks, places typed, places, setting, regex)
    ("publier une offre", "ébéniste", "Découvrir l'atelier d'ébénisterie",
     "Tu verras le travail du bois massif, le choix des essences et le ponçage des meubles.",
     "Feurs", "3 rue de la Loire", "$w4", (4,), "2", 2, ("Fabriquer",), r"beniste"),
    ("je veux proposer un stage", "tapissier", "Refaire un fauteuil ancien",
     "Observer le dégarnissage, le sanglage et la pose du tissu sur un fauteuil.",
     "Montbrison", "8 place de l'Hôtel de Ville", "$w5", (5,), "une place", 1, ("Fabriquer",), r"tapissier"),
    ("nouvelle offre de stage", "maréchal-ferrant", "Une semaine avec un maréchal-ferrant",
     "Parage des sabots, forge des fers et visite des écuries de la région.",
     "Feurs", "lieu-dit Les Granges", "$w4 et $w6", (4, 6), "1", 1, ("plein air", "animaux"), r"marechal"),
    ("publier un stage svp", "luthier", "L'atelier du luthier",
     "Réglage d'une guitare, collage d'une table, choix des bois de lutherie.",
     "Roanne", "15 rue Mulsant", "$w5 ainsi que $w7", (5, 7), "2 élèves", 2, ("Fabriquer", "calme"), r"luthier"),
    ("Bonjour, je souhaite déposer une offre", "tonnelier", "Fabriquer un tonneau",
     "Chauffe des douelles, cerclage et contrôle de l'étanchéité des fûts.",
     "Feurs", "ZA du Forum", "semaine du $monday4", (4,), "3", 3, ("Fabriquer", "machines"), r"tonnel"),
    ("créer une annonce de stage", "boulanger", "Au fournil avec nous",
     "Pétrissage, façonnage et cuisson du pain, puis la vente en boutique le matin.",
     "Feurs", "22 rue de la République", "$w4, $w5", (4, 5), "2", 2, ("Fabriquer", "public"), r"boulang"),
    ("publier une offre", "mécanicien agricole", "L'entretien des tracteurs",
     "Vidange, graissage et petites réparations sur le matériel des agriculteurs.",
     "Marcigny", "route de Roanne", "$w6", (6,), "1 seul", 1, ("machines",), r"agricol"),
    ("publier une offre", "coiffeur", "Une semaine au salon",
     "Accueil des clients, shampoings observés, coupe et coloration expliquées par l'équipe.",
     "Roanne", "10 rue Jean Jaurès", "$w6", (6,), "1", 1, ("public",), r"coiff"),
    ("publier une offre de stage", "secrétaire médicale", "L'accueil d'un cabinet médical",
     "Prise de rendez-vous, accueil des patients et classement, sans données de santé.",
     "Montbrison", "6 boulevard Lachèze", "semaine du $monday5", (5,), "1", 1, ("bureau",), r"secretaire"),
    ("je voudrais publier une offre", "fleuriste", "Composer des bouquets",
     "Réception des fleurs, préparation des compositions et conseil aux clients.",
     "Roanne", "4 rue Charles de Gaulle", "$w7 et $w8", (7, 8), "deux", 2, ("public", "Créer"), r"fleur"),
]


def _publish_cases() -> list[Case]:
    cases, seen = [], set()
    for i, (opening, metier, title, desc, place, address, weeks_typed, weeks, places_typed, places, setting,
            expected) in enumerate(PUBLISH):
        journey = "publish_craft" if i < 5 else "publish_steps"
        if "et" in weeks_typed.split() or "," in weeks_typed or "ainsi" in weeks_typed:
            journey = "publish_two_weeks"
        steps = [Say(opening), r.publish(metier, title, desc, place, address, weeks_typed, places_typed, setting)]
        cases.append(Case(f"{journey}_{i + 1}", journey, f"publishes « {metier} » step by step", steps,
                          c.published(expected, weeks, places), setup=_company(i), smoke=journey not in seen))
        seen.add(journey)
    # (the whole offer in one message; métier, commune, weeks and places as re-typed if asked again;
    #  expected métier, weeks, places)
    one = [("Je propose un stage de boulanger à Feurs $w4, 1 place", "boulanger", "Feurs", "$w4", "1",
            r"boulang", (4,), 1),
           ("offre : ébéniste, Feurs, $w5, 2 places", "ébéniste", "Feurs", "$w5", "2", r"beniste", (5,), 2),
           ("je peux prendre un élève en mécanique auto à Feurs la semaine du $monday4, 1 place",
            "mécanicien automobile", "Feurs", "$w4", "1", r"canicien", (4,), 1),
           ("stage de fleuriste à Roanne $w4 et $w6, 2 places", "fleuriste", "Roanne", "$w4 et $w6", "2",
            r"fleur", (4, 6), 2),
           ("tapissier à Montbrison, $w7, 1 place", "tapissier", "Montbrison", "$w7", "1", r"tapissier", (7,), 1)]
    for i, (typed, metier, place, weeks_typed, places_typed, expected, weeks, places) in enumerate(one):
        steps = [Say(typed), r.publish(metier, "Découverte du métier", "Accueil, observation du travail "
                                       "quotidien et échanges avec l'équipe.", place, "1 rue du Marché",
                                       weeks_typed, places_typed, ("équipe",))]
        cases.append(Case(f"publish_one_message_{i + 1}", "publish_one_message", "the whole offer in one message",
                          steps, c.published(expected, weeks, places), setup=_company(20 + i), smoke=i == 0,
                          not_asked=(r.Q_OFFER_METIER, r.Q_OFFER_PLACE, r.Q_OFFER_WEEKS, r.Q_OFFER_PLACES)))
    fixes = [("ah non pardon, 2 places", 2, (4,)), ("en fait c'est plutôt $w5", 1, (5,)),
             ("je me suis trompé : 3 élèves", 3, (4,))]
    for i, (fix, places, weeks) in enumerate(fixes):
        steps = [Say("publier une offre"),
                 r.publish("charpentier", "Sur le chantier d'une charpente", "Taille des pièces de bois, "
                           "assemblage et levage sur le chantier avec l'équipe.", "Feurs", "2 chemin des Bois",
                           "$w4", "1", ("chantier",),
                           extra=(Rule(r.Q_OFFER_SETTING, Say(fix), times=1),)),
                 ]
        cases.append(Case(f"publish_correction_{i + 1}", "publish_correction", "corrects an answer mid-form",
                          steps, c.published(r"charpent", weeks, places), setup=_company(30 + i), smoke=i == 0))
    return cases


def _host(n: int):
    return lambda ctx, s: ctx.host(s, n)


def _review_cases() -> list[Case]:
    accept = ["ok je le prends celui-là", "c'est bon pour moi, j'accepte cet élève", "oui on l'accueille avec plaisir",
              "Accepter", "d'accord pour ce jeune"]
    decline = ["non merci pas pour cette fois", "désolé c'est complet chez nous", "Refuser",
               "je ne peux pas le prendre", "ça ne va pas être possible"]
    openers = ["voir les candidatures", "j'ai reçu des candidatures ?", "les candidatures svp",
               "qui a postulé chez moi", "montrez-moi les demandes de stage"]
    cases = []
    for i, answer in enumerate(accept):
        say = Press("Accepter") if answer == "Accepter" else Say(answer)
        steps = [*r.adult_start("entreprise", "je suis une entreprise"), Say(openers[i]), say,
                 Answer((Rule(r"confirm|vraiment|sur \?", Press("Oui", otherwise="oui")),), until=r"accepte")]
        cases.append(Case(f"review_accept_{i + 1}", "review_accept", f"accepts with « {answer} »", steps,
                          c.decided(ApplicationStatus.ACCEPTED), setup=_host(i), smoke=i == 0))
    for i, answer in enumerate(decline):
        say = Press("Refuser") if answer == "Refuser" else Say(answer)
        steps = [*r.adult_start("entreprise", "je suis une entreprise"), Say(openers[-1 - i]), say,
                 Answer((Rule(r"petit mot|message", Press("sans message", otherwise="non pas de message")),
                         Rule(r"confirm|vraiment", Press("Oui", otherwise="oui"))), until=r"prevenu")]
        cases.append(Case(f"review_decline_{i + 1}", "review_decline", f"declines with « {answer} »", steps,
                          c.decided(ApplicationStatus.DECLINED), setup=_host(10 + i), smoke=i == 0))
    return cases


def _register_offtopic_cases() -> list[Case]:
    asides = [(r.Q_CONTACT, "c'est quoi exactement la convention de stage ?"),
              (r.Q_PHONE, "je dois payer quelque chose ?"),
              (r.Q_COMPANY_PLACE, "l'élève est assuré par qui ?")]
    cases = []
    for i, (question, aside) in enumerate(asides):
        siret = luhn_siret(200 + i)
        steps = [*r.adult_start("entreprise", "je suis une entreprise"), Say("inscrire mon entreprise"),
                 r.register(spaced(siret), "Cave du Forez", "Feurs", "Hugo Lamotte", "04 77 26 44 55",
                            extra=(Rule(question, Say(aside), times=1),))]
        cases.append(Case(f"register_offtopic_{i + 1}", "register_offtopic", f"asks « {aside} » mid-form", steps,
                          c.registered(siret, r"cave du forez", r"hugo lamotte", "0477264455", FEURS), smoke=i == 0))
    return cases


def _cancel_cases() -> list[Case]:
    cases = []
    for i, (stop, at) in enumerate([("annuler", r.Q_PHONE), ("laisse tomber", r.Q_CONTACT),
                                    ("stop, j'arrête là", r.Q_COMPANY_PLACE)]):
        steps = [*r.adult_start("entreprise", "entreprise"), Say("inscrire mon entreprise"),
                 Answer((Rule(at, Say(stop), times=1),
                         Rule(r.Q_SIRET, Say(spaced(luhn_siret(300 + i)))),
                         Rule(r.Q_COMPANY_NAME, Say("Scierie du Lignon")),
                         Rule(r.Q_COMPANY_PLACE, Say("Boën-sur-Lignon")),
                         Rule(r.Q_CONTACT, Say("Henri Laroche"))), until=r"annule|rien n'a ete|rien n'est")]
        cases.append(Case(f"cancel_employer_{i + 1}", "cancel_employer", f"« {stop} » while registering", steps,
                          c.all_of(c.not_registered(), c.said(r"annule|rien n'a ete|rien n'est")), smoke=i == 0))
    for i, stop in enumerate(["annuler", "laisse tomber je le ferai plus tard"]):
        steps = [Say("publier une offre"),
                 Answer((Rule(r.Q_OFFER_WEEKS, Say(stop), times=1),
                         Rule(r.Q_OFFER_METIER, Say("menuisier")), Rule(r.Q_OFFER_TITLE, Say("Le bois")),
                         Rule(r.Q_OFFER_DESCRIPTION, Say("Découpe, assemblage et finitions d'un meuble simple.")),
                         Rule(r.Q_OFFER_ADDRESS, Say("5 rue Neuve")), Rule(r.Q_OFFER_PLACE, Say("Feurs"))),
                        until=r"annule|rien n'a ete|rien n'est|je ne publie rien")]
        cases.append(Case(f"cancel_publish_{i + 1}", "cancel_employer", f"« {stop} » while publishing", steps,
                          c.all_of(c.no_offer(), c.said(r"annule|rien n'a ete|rien n'est|je ne publie rien")),
                          setup=_company(40 + i)))
    return cases


def cases() -> list[Case]:
    return [*_register_cases(), *_register_offtopic_cases(), *_publish_cases(), *_review_cases(), *_cancel_cases()]
