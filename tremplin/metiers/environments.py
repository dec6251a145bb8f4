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

#: environment key -> the normalised words and phrases (see :func:`tremplin.text.normalize`) that mean it.
#: Plurals need not be listed: matching singularises both sides (see :func:`singular`).
_WORDS: dict[str, tuple[str, ...]] = {
    "exterieur": ("exterieur", "en exterieur", "dehors", "plein air", "air libre", "grand air", "dans la rue",
                  "sur le terrain", "a l exterieur"),
    "interieur": ("interieur", "en interieur", "a l interieur", "dedans", "au chaud", "a l abri"),
    "animaux": ("animal", "animaux", "bete", "betes", "bestiole", "chien", "chiens", "chat", "chats", "cheval",
                "chevaux", "poney", "vache", "oiseau", "oiseaux", "poisson", "lapin", "faune", "nac", "toutou",
                "animalier", "equitation"),
    "enfants": ("enfant", "enfants", "gamin", "gamins", "gosse", "bebe", "bebes", "ado", "ados", "adolescent",
                "jeune", "jeunes", "eleve", "eleves", "les petits", "petite enfance", "bambin", "creche", "maternelle"),
    "public": ("public", "gens", "client", "clients", "clientele", "contact", "contact humain", "relationnel",
               "relation", "du monde", "parler", "discuter", "accueillir", "accueil", "rencontrer", "sociable",
               "aider les gens", "vendre", "vente", "conseiller"),
    "atelier": ("atelier", "manuel", "manuelle", "travail manuel", "mains", "de mes mains", "avec mes mains",
                "fabriquer", "bricoler", "bricolage", "reparer", "concret", "artisanat", "artisan"),
    "bureau": ("bureau", "bureaux", "ordi", "ordinateur", "informatique", "ecran", "pc", "numerique", "clavier",
               "internet", "coder", "code"),
    "soin": ("soin", "soins", "soigner", "sante", "malade", "malades", "patient", "patients", "hopital", "medical",
             "prendre soin"),
    "chantier": ("chantier", "chantiers", "btp", "batiment", "construction", "construire", "travaux"),
    "machines": ("machine", "machines", "outil", "outils", "vehicule", "vehicules", "voiture", "voitures", "moto",
                 "camion", "tracteur", "engin", "moteur", "moteurs", "mecanique", "technique", "robot", "conduire"),
    "calme": ("calme", "au calme", "tranquille", "silence", "silencieux", "zen", "pose", "seul", "seule", "serein"),
    "anime": ("anime", "animee", "bouger", "ca bouge", "qui bouge", "actif", "active", "dynamique", "action",
              "rythme", "adrenaline", "speed", "sport", "sportif", "sportive"),
    "equipe": ("equipe", "en equipe", "collegue", "collegues", "collectif", "groupe", "ensemble", "a plusieurs"),
    "creatif": ("creatif", "creative", "creer", "creation", "art", "arts", "artistique", "dessin", "dessiner",
                "imagination", "imaginer", "inventer", "design", "deco", "decoration", "musique"),
    "nature": ("nature", "plante", "plantes", "arbre", "arbres", "foret", "jardin", "jardinage", "fleur", "fleurs",
               "environnement", "ecologie", "mer", "montagne", "campagne"),
}

#: normalised word or phrase -> environment key.
ENVIRONMENT_ALIASES: dict[str, str] = {word: key for key, words in _WORDS.items() for word in words}

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
