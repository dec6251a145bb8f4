"""Work environments: the fixed vocabulary used to tag métiers, and how a student's words map onto it.

Students who have no métier in mind describe where they would like to be ("dehors avec des
animaux", "pas dans un bureau", "avec des enfants"...). :func:`resolve_environments` turns such a
sentence into environment keys, which :meth:`Referentiel.by_environments` then ranks métiers by.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tremplin.text import normalize

__all__ = ["ENVIRONMENTS", "ENVIRONMENT_ALIASES", "Fit", "environment_fit", "fit_threshold", "is_refusal",
           "resolve_environments", "singular", "tokens"]

#: key -> friendly French phrase (what the assistant can show as a choice).
ENVIRONMENTS: dict[str, str] = {
    "exterieur": "En plein air",
    "interieur": "À l'intérieur, à l'abri",
    "animaux": "Avec des animaux",
    "enfants": "Avec des enfants ou des jeunes",
    "public": "Au contact du public",
    "atelier": "Fabriquer de ses mains",
    "bureau": "Au bureau, sur ordinateur",
    "soin": "Soigner, prendre soin des autres",
    "chantier": "Sur un chantier",
    "machines": "Avec des machines, des outils ou des véhicules",
    "calme": "Dans le calme",
    "anime": "Dans l'action, à un rythme soutenu",
    "equipe": "En équipe",
    "creatif": "Créer, imaginer",
    "nature": "Au cœur de la nature",
}

#: normalised word or phrase (see :func:`tremplin.text.normalize`) -> environment key.
#: Plurals need not be listed: matching singularises both sides (see :func:`singular`).
ENVIRONMENT_ALIASES: dict[str, str] = {
    # exterieur
    "exterieur": "exterieur", "en exterieur": "exterieur", "dehors": "exterieur", "plein air": "exterieur",
    "air libre": "exterieur", "grand air": "exterieur", "dans la rue": "exterieur",
    "sur le terrain": "exterieur", "a l exterieur": "exterieur",
    # interieur
    "interieur": "interieur", "en interieur": "interieur", "a l interieur": "interieur", "dedans": "interieur",
    "au chaud": "interieur", "a l abri": "interieur",
    # animaux
    "animal": "animaux", "animaux": "animaux", "bete": "animaux", "betes": "animaux", "bestiole": "animaux",
    "chien": "animaux", "chiens": "animaux", "chat": "animaux", "chats": "animaux", "cheval": "animaux",
    "chevaux": "animaux", "poney": "animaux", "vache": "animaux", "oiseau": "animaux", "oiseaux": "animaux",
    "poisson": "animaux", "lapin": "animaux", "faune": "animaux", "nac": "animaux", "toutou": "animaux",
    "animalier": "animaux", "equitation": "animaux",
    # enfants
    "enfant": "enfants", "enfants": "enfants", "gamin": "enfants", "gamins": "enfants", "gosse": "enfants",
    "bebe": "enfants", "bebes": "enfants", "ado": "enfants", "ados": "enfants", "adolescent": "enfants",
    "jeune": "enfants", "jeunes": "enfants", "eleve": "enfants", "eleves": "enfants", "les petits": "enfants",
    "petite enfance": "enfants", "bambin": "enfants", "creche": "enfants", "maternelle": "enfants",
    # public
    "public": "public", "gens": "public", "client": "public", "clients": "public", "clientele": "public",
    "contact": "public", "contact humain": "public", "relationnel": "public", "relation": "public",
    "du monde": "public", "parler": "public", "discuter": "public", "accueillir": "public", "accueil": "public",
    "rencontrer": "public", "sociable": "public", "aider les gens": "public", "vendre": "public",
    "vente": "public", "conseiller": "public",
    # atelier
    "atelier": "atelier", "manuel": "atelier", "manuelle": "atelier", "travail manuel": "atelier",
    "mains": "atelier", "de mes mains": "atelier", "avec mes mains": "atelier", "fabriquer": "atelier",
    "bricoler": "atelier", "bricolage": "atelier", "reparer": "atelier", "concret": "atelier",
    "artisanat": "atelier", "artisan": "atelier",
    # bureau
    "bureau": "bureau", "bureaux": "bureau", "ordi": "bureau", "ordinateur": "bureau",
    "informatique": "bureau", "ecran": "bureau", "pc": "bureau", "numerique": "bureau", "clavier": "bureau",
    "internet": "bureau", "coder": "bureau", "code": "bureau",
    # soin
    "soin": "soin", "soins": "soin", "soigner": "soin", "sante": "soin", "malade": "soin", "malades": "soin",
    "patient": "soin", "patients": "soin", "hopital": "soin", "medical": "soin", "prendre soin": "soin",
    # chantier
    "chantier": "chantier", "chantiers": "chantier", "btp": "chantier", "batiment": "chantier",
    "construction": "chantier", "construire": "chantier", "travaux": "chantier",
    # machines
    "machine": "machines", "machines": "machines", "outil": "machines", "outils": "machines",
    "vehicule": "machines", "vehicules": "machines", "voiture": "machines", "voitures": "machines",
    "moto": "machines", "camion": "machines", "tracteur": "machines", "engin": "machines",
    "moteur": "machines", "moteurs": "machines", "mecanique": "machines", "technique": "machines",
    "robot": "machines", "conduire": "machines",
    # calme
    "calme": "calme", "au calme": "calme", "tranquille": "calme", "silence": "calme", "silencieux": "calme",
    "zen": "calme", "pose": "calme", "seul": "calme", "seule": "calme", "serein": "calme",
    # anime
    "anime": "anime", "animee": "anime", "bouger": "anime", "ca bouge": "anime", "qui bouge": "anime",
    "actif": "anime", "active": "anime", "dynamique": "anime", "action": "anime", "rythme": "anime",
    "adrenaline": "anime", "speed": "anime", "sport": "anime", "sportif": "anime", "sportive": "anime",
    # equipe
    "equipe": "equipe", "en equipe": "equipe", "collegue": "equipe", "collegues": "equipe",
    "collectif": "equipe", "groupe": "equipe", "ensemble": "equipe", "a plusieurs": "equipe",
    # creatif
    "creatif": "creatif", "creative": "creatif", "creer": "creatif", "creation": "creatif", "art": "creatif",
    "arts": "creatif", "artistique": "creatif", "dessin": "creatif", "dessiner": "creatif",
    "imagination": "creatif", "imaginer": "creatif", "inventer": "creatif", "design": "creatif",
    "deco": "creatif", "decoration": "creatif", "musique": "creatif",
    # nature
    "nature": "nature", "plante": "nature", "plantes": "nature", "arbre": "nature", "arbres": "nature",
    "foret": "nature", "jardin": "nature", "jardinage": "nature", "fleur": "nature", "fleurs": "nature",
    "environnement": "nature", "ecologie": "nature", "mer": "nature", "montagne": "nature",
    "campagne": "nature",
}

#: Words that negate the environment words that follow them ("pas dans un bureau").
_NEGATION_WORDS = ("pas", "jamais", "sans", "aucun", "aucune", "ni", "deteste", "horreur", "eviter")
#: Words that end the reach of a negation ("pas le bureau mais dehors").
_BREAK_WORDS = ("mais", "plutot", "prefere", "preferer", "et", "toujours", "surtout")
_NEGATION_WINDOW = 4


def singular(token: str) -> str:
    """Crude French singular of one normalised token, applied to both sides of every comparison.

    ``animaux -> animal``, ``boulangers -> boulanger``, ``jeux -> jeu``; words of three letters or
    less and words in ``-ss`` are left alone (``bus``, ``dev``, ``cross``).
    """
    if len(token) <= 3:
        return token
    if token.endswith("aux") and len(token) > 4:
        return token[:-3] + "al"
    if token.endswith("x") or (token.endswith("s") and not token.endswith("ss")):
        return token[:-1]
    return token


def tokens(text: str) -> list[str]:
    """Normalised, singularised tokens of *text*."""
    return [singular(t) for t in normalize(text).split()]


def _canon(text: str) -> str:
    return " ".join(tokens(text))


# Compared with singularised tokens, so singularised too ("jamais" -> "jamai").
_NEGATIONS = frozenset(singular(w) for w in _NEGATION_WORDS)
_NEGATION_BREAKS = frozenset(singular(w) for w in _BREAK_WORDS)
_INDEX: dict[tuple[str, ...], str] = {tuple(_canon(k).split()): v for k, v in ENVIRONMENT_ALIASES.items()}
_MAX_PHRASE = max(len(k) for k in _INDEX)


def _negated(toks: list[str], start: int) -> bool:
    for tok in reversed(toks[max(0, start - _NEGATION_WINDOW):start]):
        if tok in _NEGATION_BREAKS:
            return False
        if tok in _NEGATIONS:
            return True
    return False


def resolve_environments(text: str) -> list[str]:
    """Environment keys mentioned in *text*, in order of first mention, without duplicates.

    Longest phrases win ("en plein air" is one mention), and a mention shortly after a negation
    ("pas", "jamais", "sans"...) is ignored: ``"pas dans un bureau, plutôt dehors"`` gives
    ``["exterieur"]``. ``"dehors avec des animaux"`` gives ``["exterieur", "animaux"]``.
    """
    toks = tokens(text)
    found: list[str] = []
    i = 0
    while i < len(toks):
        for size in range(min(_MAX_PHRASE, len(toks) - i), 0, -1):
            key = _INDEX.get(tuple(toks[i:i + size]))
            if key is not None:
                if key not in found and not _negated(toks, i):
                    found.append(key)
                i += size
                break
        else:
            i += 1
    return found


# --- how well a trade's environments fit a student's answers -------------------------------------

#: Tags that fully meet an answer: « dehors » is met by a trade in nature or on a building site too.
_MEETS: dict[str, frozenset[str]] = {key: frozenset({key}) for key in ENVIRONMENTS} | {
    "exterieur": frozenset({"exterieur", "nature", "chantier"}),
    "interieur": frozenset({"interieur", "bureau"}),
}
#: Tags that half meet an answer (« fabriquer, réparer » is close to working with machines).
_NEAR: dict[str, frozenset[str]] = {
    "public": frozenset({"enfants", "soin"}), "atelier": frozenset({"machines", "creatif"}),
    "soin": frozenset({"enfants"}), "creatif": frozenset({"atelier"}), "machines": frozenset({"atelier"}),
    "interieur": frozenset({"atelier"}), "nature": frozenset({"exterieur"}), "enfants": frozenset(),
}
_OUTDOOR = frozenset({"exterieur", "nature", "chantier"})
_SHELTERED = frozenset({"interieur", "bureau", "atelier"})
_NOISY = frozenset({"anime", "chantier"})


@dataclass(frozen=True)
class Fit:
    """How a trade (or an offer) fits the answers: what it meets, and what it goes against."""

    score: int                 # 2 per answer fully met, 1 per answer half met
    met: tuple[str, ...]       # answers met, fully or half
    clash: tuple[str, ...]     # answers its environments go against: never propose it

    @property
    def ok(self) -> bool:
        return not self.clash


def _clashes(answer: str, answers: frozenset[str], tags: frozenset[str]) -> bool:
    """A student who said « dehors » never wants an indoor-only trade, « calme » a noisy one..."""
    if answer == "exterieur":
        return not tags & _OUTDOOR  # no outdoor tag: a shop, an office, a workshop
    if answer == "interieur":
        return bool(tags & _OUTDOOR) and not tags & _SHELTERED
    if answer == "calme":
        crowd = "public" in tags and "calme" not in tags and "public" not in answers
        return bool(tags & _NOISY) or crowd
    if answer == "anime":
        return "calme" in tags
    return False


def environment_fit(answers: Iterable[str], tags: Iterable[str]) -> Fit:
    """Score *tags* (a trade's or an offer's environments) against the student's *answers*."""
    wanted = frozenset(a for a in answers if a in ENVIRONMENTS)
    have = frozenset(tags)
    score = 0
    met: list[str] = []
    clash: list[str] = []
    for answer in sorted(wanted):
        if _clashes(answer, wanted, have):
            clash.append(answer)
        elif have & _MEETS[answer]:
            score, met = score + 2, met + [answer]
        elif have & _NEAR.get(answer, frozenset()):
            score, met = score + 1, met + [answer]
    return Fit(score, tuple(met), tuple(clash))


def fit_threshold(answer_count: int) -> int:
    """The least score that « fits »: one answer fully met, and half of the answers on average."""
    return max(2, answer_count)


#: « aucun », « rien de tout ça », « je sais pas », « peu importe »: an answer that picks no single choice.
_REFUSAL = re.compile(
    r"^(?:non|nan|bof|aucun|aucune|aucun des deux|rien|rien de tout ca|rien de ca|ni l un ni l autre|"
    r"je sais pas|je ne sais pas|j sais pas|sais pas|jsp|chai pas|chais pas|aucune idee|pas d idee|"
    r"je sais plus|peu importe|n importe|n importe quoi|egal|m en fiche|osef|pas de preference|"
    r"aucun de ceux la|aucun de ces choix|aucune de ces reponses|ca depend|les deux|tout|un peu tout|"
    r"rien ne me (?:plait|tente|dit|parle|va)|ca me dit rien|ca ne me dit rien)"
    r"(?: (?:du tout|vraiment|franchement|trop|en fait|de tout ca|de ceux la|de ca|merci))*$")


def is_refusal(text: str) -> bool:
    """True for an answer that picks none of the choices (« aucun », « rien de tout ça », « jsp »)."""
    norm = normalize(text)
    return bool(norm) and bool(_REFUSAL.match(norm))
