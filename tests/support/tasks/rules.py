"""Reactive blocks shared by the personas: how a user answers each question of a journey, matched
loosely on the words of the question (the bot's wording may change; the meaning of its questions
does not). Patterns are on normalised text: lower case, no accents (see engine.norm)."""
from __future__ import annotations

from tests.support.tasks.engine import Answer, Press, Rule, Say

# Questions, as a user recognises them.
Q_METIER_STUDENT = r"quel metier|quel domaine"
Q_PLACE = r"vers ou|quelle ville|quelle commune|code postal|ou tu habites|ou habites"
Q_DISTANCE = r"quelle distance|combien de km|jusqu'ou"
Q_WHEN = r"c'est quand|quelle periode|quelle semaine|quelles dates|quand .*stage"
Q_WIDEN = r"elargi|plus loin|jusqu'a \d+ km \?"
Q_MOTIVATION = r"pourquoi ce stage|quelques (phrases|lignes)|motivation|t'interesse"
Q_CONFIRM_APPLY = r"je l'envoie|confirme[sz]?|recapitul|on envoie"
RESULTS = r"places? restantes?|postuler"
SENT = r"c'est envoye|candidature c-[a-z0-9]+ est partie|bien envoyee"


def search(metier: str | Press | None, place: str | None, when: str | None,
           distance: str = "20 km", until: str = RESULTS, extra: tuple[Rule, ...] = ()) -> Answer:
    """Answer the search questions the bot asks, until the results show."""
    rules = list(extra)
    if metier is not None:
        rules.append(Rule(Q_METIER_STUDENT, metier if isinstance(metier, Press) else Say(metier)))
    if place is not None:
        rules.append(Rule(Q_PLACE, Say(place)))
    rules.append(Rule(Q_DISTANCE, Press(distance, otherwise=distance)))
    if when is not None:
        rules.append(Rule(Q_WHEN, Say(when)))
    rules.append(Rule(Q_WIDEN, Press("Oui", otherwise="oui vas-y")))
    return Answer(tuple(rules), until=until)


def apply(motivation: str, confirm: str = "Oui") -> list:
    """Press « Postuler » on the first result, write the motivation, confirm."""
    return [Press("Postuler"),
            Answer((Rule(Q_MOTIVATION, Say(motivation)),
                    Rule(Q_CONFIRM_APPLY, Press(confirm, otherwise="oui"))), until=SENT)]


def student_start(first: str | None = None) -> list:
    """/start, then the role: by its button, or typed as the user would."""
    return [Say("/start"), Press("élève", otherwise="je suis élève") if first is None else Say(first)]


def adult_start(role_button: str, typed: str) -> list:
    return [Say("/start"), Press(role_button, otherwise=typed)]


# --- employers -------------------------------------------------------------------------------
Q_SIRET = r"siret"
Q_COMPANY_NAME = r"quel nom|enseigne|raison sociale"
Q_COMPANY_PLACE = r"quelle commune|quelle ville|ou se trouve"
Q_CONTACT = r"qui accueillera l.eleve|prenom et (le )?nom|personne a contacter"
Q_PHONE = r"quel numero|telephone|joindre cette personne"
Q_CHARTER = r"charte"
Q_RECAP = r"je l'enregistre|je recapitule|recapitulatif|enregistrer \?"
REGISTERED = r"est (maintenant )?inscrite|bienvenue|vous pouvez maintenant publier|c'est enregistre"


def register(siret: str, name: str, place: str, contact: str, phone: str, *, extra: tuple[Rule, ...] = ()) -> Answer:
    return Answer(extra + (
        Rule(Q_CHARTER, Press("J'accepte", otherwise="j'accepte la charte")),
        Rule(Q_RECAP, Press("Oui", otherwise="oui c'est bon")),
        Rule(Q_SIRET, Say(siret)),
        Rule(Q_COMPANY_PLACE, Say(place)),
        Rule(Q_CONTACT, Say(contact)),
        Rule(Q_PHONE, Say(phone)),
        Rule(Q_COMPANY_NAME, Say(name)),
    ), until=REGISTERED)


Q_OFFER_METIER = r"quel metier"
Q_OFFER_TITLE = r"titre"
Q_OFFER_DESCRIPTION = r"decrivez|ce que l'eleve verra"
Q_OFFER_PLACE = r"quelle commune|dans quelle ville|ou se deroulera"
Q_OFFER_ADDRESS = r"quelle adresse|se presenter"
Q_OFFER_WEEKS = r"quelles semaines|quelle periode|quelles dates|quand pouvez-vous"
Q_OFFER_PLACES = r"combien d'eleves|combien de places|nombre de places"
Q_OFFER_SETTING = r"quel cadre|cadre se passe|c'est tout"
Q_OFFER_TRANSPORT = r"transport|arret de bus|bus ou (en )?car"
Q_OFFER_CONFIRM = r"je la publie|publier \?|oui, publier"
PUBLISHED = r"en attente de validation|c.est en ligne|visible des eleves des maintenant"


def publish(metier: str, title: str, description: str, place: str, address: str, weeks: str, places: str,
            setting: tuple[str, ...] = ("atelier",), transport: str = "bus", *,
            extra: tuple[Rule, ...] = ()) -> Answer:
    """Answer the offer questions; the setting is picked by button (then « C'est tout »)."""
    setting_rules = tuple(Rule(Q_OFFER_SETTING, Press(tag), times=1) for tag in setting)
    return Answer(extra + (
        Rule(Q_OFFER_CONFIRM, Press("Oui, publier", otherwise="oui publiez")),
        Rule(Q_OFFER_TRANSPORT, Press(transport, otherwise="oui il y a un bus")),
        *setting_rules,
        Rule(Q_OFFER_SETTING, Press("C'est tout", otherwise="c'est tout"), times=2),
        Rule(Q_OFFER_METIER, Say(metier)),
        Rule(Q_OFFER_TITLE, Say(title)),
        Rule(Q_OFFER_DESCRIPTION, Say(description)),
        Rule(Q_OFFER_ADDRESS, Say(address)),
        Rule(Q_OFFER_WEEKS, Say(weeks)),
        Rule(Q_OFFER_PLACES, Say(places)),
        Rule(Q_OFFER_PLACE, Say(place)),
    ), until=PUBLISHED, max_turns=20)


# --- teachers --------------------------------------------------------------------------------
Q_CLASS_NAME = r"quel nom pour la classe|nom de la classe"
Q_CLASS_SCHOOL = r"quel college|dans quel college|code uai"
Q_CLASS_DATES = r"quelles dates|quelle semaine|font-ils leur stage"
Q_CLASS_CONTACT = r"vous joindre|pourra-t-elle vous|contact"
CLASS_DONE = r"code (de la classe|a donner)|classe-[a-z0-9-]+|vos eleves (la )?rejoignent|est creee"


def create_class(name: str, dates: str, contact: str | tuple[str, str],
                 school: str = "Collège des Sources du Forez") -> Answer:
    """`contact` may be (first answer, answer once told what is missing)."""
    first, then = contact if isinstance(contact, tuple) else (contact, contact)
    return Answer((
        Rule(Q_CLASS_CONTACT, Say(first), times=1),
        Rule(Q_CLASS_SCHOOL, Say(school)),
        Rule(Q_CLASS_NAME, Say(name)),
        Rule(Q_CLASS_DATES, Say(dates)),
        Rule(Q_CLASS_CONTACT, Say(then)),
    ), until=CLASS_DONE)
