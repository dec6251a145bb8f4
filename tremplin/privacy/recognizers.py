"""French recognizers for what Presidio's own miss: phone numbers cut oddly, e-mails written with
« arobase » or « [at] », handles introduced in words, Discord tags, links, birth dates and French
address forms. Each is a Presidio `EntityRecognizer`; a pattern's group `pii` (if any) is what is masked."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

PHONE, EMAIL, LINK, HANDLE, PERSON, ADDRESS, BIRTH_DATE = (
    "PHONE", "EMAIL", "LINK", "HANDLE", "PERSON", "ADDRESS", "BIRTH_DATE")
LANGUAGE = "fr"


class RegexRecognizer(EntityRecognizer):
    """Patterns for one entity; the `pii` group, when present, is the part to mask."""

    def __init__(self, entity: str, patterns: Sequence[re.Pattern[str]], score: float = 0.85,
                 accept: Callable[[str, re.Match[str]], bool] | None = None) -> None:
        self.patterns = tuple(patterns)
        self.score = score
        self.accept = accept
        super().__init__(supported_entities=[entity], supported_language=LANGUAGE,
                         name=f"french_{entity.lower()}")

    def load(self) -> None:  # patterns are compiled at import
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
                ) -> list[RecognizerResult]:
        results = []
        for pattern in self.patterns:
            for match in pattern.finditer(text):
                group = "pii" if "pii" in pattern.groupindex and match.group("pii") else 0
                if self.accept is not None and not self.accept(text, match):
                    continue
                start, end = match.span(group)
                if end > start:
                    results.append(RecognizerResult(self.supported_entities[0], start, end, self.score))
        return results


# --- phones: any run of 10 digits starting with 0 (or +33 / 0033 and 9 digits), however cut -----
_SEP = r"[\s.\-/_,]{0,3}"
_PHONE_PATTERNS = [
    re.compile(rf"(?<![\d+])(?:\(?\+\s?33\s?\)?|\b0033){_SEP}(?:\(0\){_SEP})?[1-9](?:{_SEP}\d){{8}}(?!\d)"),
    re.compile(rf"(?<![\d+])0{_SEP}[1-9](?:{_SEP}\d){{8}}(?!\d)"),
]

# --- e-mails, plain or written in words --------------------------------------------------------
_AT = r"(?:\s*@\s*|\s*[\[(]\s*(?:at|arobase|@)\s*[\])]\s*|\s+(?:arobase|arobaz|at)\s+)"
_DOT = r"(?:\s*[.,]\s*|\s*[\[(]\s*(?:dot|point|\.)\s*[\])]\s*|\s+(?:point|dot)\s+)"
_LOCAL = r"[\w+\-]+(?:(?:\s*\.\s*|\s+point\s+|\s*[\[(](?:dot|point)[\])]\s*|_|-)[\w+\-]+)*"
# Words that introduce an address, never part of it (« mon mail ines point moreau arobase … »).
_NOT_LOCAL = (r"(?!(?:mon|ma|mes|mail|mails|email|e-mail|mel|courriel|adresse|c|cest|est|moi|a|à|sur|au|le|la|et|ou|"
              r"perso|secours|écrivez|ecrivez|écris|ecris|contactez|contacte|voici|c'est|c’est)\b)")
_PROVIDERS = r"(?:gmail|hotmail|yahoo|outlook|orange|free|sfr|laposte|icloud|live|wanadoo|protonmail|proton|gmx|aol|neuf|bbox)"
_EMAIL_PATTERNS = [
    # « hugo fabre at gmail com »: words, « at » and a known provider, dots left out
    re.compile(rf"(?<![\w.])(?:{_NOT_LOCAL}[\w\-]+(?:\s+point\s+|\s+|\.)){{0,3}}{_NOT_LOCAL}[\w.\-]+\s+(?:at|arobase|arobaz)\s+{_PROVIDERS}"
               rf"(?:\s*[.,]\s*|\s+point\s+|\s+dot\s+|\s+)(?:fr|com|net|org)\b", re.IGNORECASE),
    re.compile(rf"(?<![\w.]){_LOCAL}{_AT}[\w\-]+(?:{_DOT}[\w\-]+)*{_DOT}(?:fr|com|net|org|eu|be|ch|io|info|"
               rf"edu|gouv\.fr|ac-[a-z\-]+\.fr|me|co|uk|de|biz)\b", re.IGNORECASE),
]

# --- links ---------------------------------------------------------------------------------------
_TLD = r"(?:fr|com|net|org|io|be|ch|eu|me|gg|tv|co|ly|ee|app|site|dev|info|biz)"
_LINK_PATTERNS = [
    re.compile(r"\b(?:https?://|www\.)[^\s<>«»\"]+[^\s<>«»\".,;:!?)]", re.IGNORECASE),
    re.compile(rf"(?<![@\w.])(?:[\w\-]+\.)+{_TLD}(?:/[^\s<>«»\"]*[^\s<>«»\".,;:!?)])?(?![\w@])", re.IGNORECASE),
]

# --- handles: « @pseudo », Discord tags, and a pseudo introduced by a network's name ---------------
_NETWORKS = (r"snap(?:chat)?|sc|insta(?:gram)?|ig|tik\s?tok|tt|discord|twitter|x|fb|facebook|twitch|"
             r"youtube|yt|threads|bereal|telegram|pseudo|psn|xbox|steam|fortnite|roblox|minecraft|"
             r"epic|gamertag|pinterest|reddit|linkedin|whatsapp|mastodon|bluesky|compte")
_INTRO = (r"(?:\s*(?:c['’]est|c|cest|est|=|:|,|\?|->|➡️|👉|c\s+koi|sa\s+c|ça\s+c['’]est|moi\s+c['’]est|ajoute[zs]?[\s\-]moi|"
          r"je\s+suis|jsuis|chui|j['’]suis|perso|mon\s+pseudo|pseudo|(?:c['’]est\s+)?@)\s*)*")
_HANDLE_TOKEN = r"@?[\w.\-]*[\w](?:#\d{4})?"
_HANDLE_PATTERNS = [
    re.compile(r"(?<![\w@.])@[\w][\w.]{1,29}(?<!\.)", re.IGNORECASE),
    re.compile(r"(?<![\w#])[\w.]{2,32}#\d{4}\b"),
    # « mimi.lhr sur snap », « nini_ptissiere sur insta »: a handle-shaped word, then its network
    re.compile(rf"(?<![\w@.])(?P<pii>[a-z0-9][\w]*[._][\w.]*\w)\s+(?:sur|on|en)\s+(?:{_NETWORKS})\b",
               re.IGNORECASE),
    # an underscore inside a word is a pseudo's mark (« nox_gamer42 »), never French
    re.compile(r"(?<![\w@.#/])[A-Za-z][A-Za-z0-9]*_[\w.]*[A-Za-z0-9](?![\w@])"),
    re.compile(rf"\b(?:sur|mon|ma|on|ajoute[sz]?(?:[\s\-]moi)?\s+(?:sur|en)?|add\s+moi\s+sur|en)?\s*"
               rf"(?:{_NETWORKS})\b(?:\s+(?:{_NETWORKS})\b)*(?:\s+(?:perso|aussi|c['’]est))?{_INTRO}\s*\(?\s*"
               rf"(?P<pii>{_HANDLE_TOKEN})", re.IGNORECASE),
]
_NOT_HANDLES = {"c", "cest", "c'est", "est", "je", "jsuis", "moi", "mon", "ma", "sur", "et", "ou", "si", "pas",
                "aussi", "le", "la", "les", "un", "une", "de", "du", "des", "à", "a", "en", "pour", "avec",
                "perso", "pseudo", "merci", "svp", "stp", "bonjour", "jai", "j'ai", "ne", "plus", "y", "il",
                "elle", "on", "tu", "vous", "nous", "ils", "qui", "que", "quoi", "snap", "insta", "discord",
                "tiktok", "me", "m", "demande", "dm", "mp", "message", "écris", "ecris", "contacte", "jsp",
                "mais", "donc", "car", "parce", "au", "aux", "non", "oui", "ok", "là", "la-bas", "vos"}


def _handle_accept(text: str, match: re.Match[str]) -> bool:
    if "pii" not in match.re.groupindex:
        token = match.group(0)
        return not re.fullmatch(r"@\d+[hH]?\d*", token)  # « @14h » is a time, not a handle
    token = match.group("pii").lstrip("@").lower()
    if token in _NOT_HANDLES or len(token) < 3 or token.isdigit():
        return False
    cue = match.group(0)[: match.start("pii") - match.start(0)].strip().lower()
    # « compte » and « pseudo » alone are too common: need a separator or an explicit « c'est ».
    return not (cue.endswith(("compte", "pseudo")) and not re.search(r"[:=@]|c['’]?est|\bc\b", cue)) or "@" in cue


# --- birth dates ---------------------------------------------------------------------------------
_MONTHS = (r"janvier|janv|février|fevrier|févr|fevr|fév|fev|mars|avril|avr|mai|juin|juillet|juil|août|aout|"
           r"septembre|sept|octobre|oct|novembre|nov|décembre|decembre|déc|dec")
_DAY_MONTH = rf"(?:1er|\d{{1,2}})\s+(?:{_MONTHS})\.?(?:\s+\d{{4}})?"
_NUMERIC = r"\d{1,2}\s?[/.\-]\s?\d{1,2}\s?[/.\-]\s?(?:\d{4}|\d{2})"
_BIRTH_CUE = (r"\b(?:née?s?|nee|ne(?=\s+le\b)|naissance|anniv(?:ersaire)?|annif|DDN|ddn|venue?\s+au\s+monde|j['’]?\s?ai\s+eu\s+"
              r"\d{1,2}\s+ans|j\s?ai\s+eu\s+\d{1,2}\s+ans|je\s+f[eê]te\s+mes\s+\d{1,2}\s+ans)")
_BIRTH_PATTERNS = [
    re.compile(rf"{_BIRTH_CUE}\W{{0,4}}(?:\w+\W+){{0,3}}?(?:le\s+|l['’]|du\s+|:\s*)?"
               rf"(?P<pii>{_DAY_MONTH}|{_NUMERIC})", re.IGNORECASE),
    re.compile(rf"(?P<pii>\b{_NUMERIC})\b", re.IGNORECASE),
    re.compile(r"(?P<pii>\b(?:19|20)\d\d-\d{1,2}-\d{1,2})\b"),
    re.compile(rf"(?P<pii>\b(?:1er|\d{{1,2}})\s+(?:{_MONTHS})\.?\s+(?:19\d\d|20\d\d))\b", re.IGNORECASE),
]


def _birth_accept(text: str, match: re.Match[str]) -> bool:
    if match.re is _BIRTH_PATTERNS[0]:
        return True
    iso = re.match(r"((?:19|20)\d\d)-", match.group("pii"))
    year = iso or re.search(r"(\d{2,4})\s*$", match.group("pii"))
    if year is None:
        return False
    value = int(year.group(1))
    value = value + (2000 if value < 30 else 1900) if value < 100 else value
    # A date with a past year at least six years back is a birth date, not a stage week or a deadline.
    return 1920 <= value <= date.today().year - 6


# --- street-level addresses ----------------------------------------------------------------------
_STREETS = (r"rue|r\.|avenue|av\.?|bd|boulevard|chemin|ch\.|impasse|imp\.?|allée|allee|place|pl\.|route|rte|"
            r"quai|cours|square|passage|hameau|sentier|voie|villa|montée|montee|faubourg|fbg|parvis|rond-point|"
            r"promenade|esplanade|clos|cité|cite|chaussée|ruelle|traverse")
_RESIDENTIAL = (r"résidence|residence|résid|lotissement|lot\.|lieu[\s\-]dit|ld|hlm|cité|cite|domaine|"
                r"hameau|quartier|tour|immeuble|bâtiment|batiment|bât|bat")
_ARTICLE = r"(?:d[eu]s?|de\s+la|de\s+l['’]|d['’]|l['’]|la|le|les|du|aux?|saint|sainte|st|ste)"
_CONNECT = r"(?:à|a|de|du|des|la|le|les|l['’]|d['’]|aux?|sur|en|et)"
_CAP = r"(?-i:[A-ZÉÈÊÀÂÎÔÛÇ0-9])[\w'’]*(?:-[\w'’]+)*"
# The street's name: « des Lilas », « du Président Wilson », « du 11 Novembre », « du Moulin à Vent »
_NAME = rf"(?:{_ARTICLE}\s*)?[\w'’]+(?:-[\w'’]+)*(?:\s+(?:{_CONNECT}\s+)?{_CAP}){{0,4}}"
_DETAILS = (r"(?:[\s,]*(?:bât(?:iment)?|bat(?:iment)?|appt?|apt|appart(?:ement)?|app\.|esc(?:alier)?|"
            r"porte|entrée|entree|n°|no|numéro|numero|logement|log)\.?\s*(?:n°\s*)?[\w\-]{1,4}\b"
            r"|[\s,]*\d{1,2}\s*(?:e|er|ème|eme)\s+étage)*")
_TOWN = rf"(?:(?:\s+|,\s*){_CAP}(?:\s+(?:{_CONNECT}\s+)?{_CAP}){{0,2}})"
_POSTCODE = rf"(?:[\s,]+\d{{5}}{_TOWN}?|,?\s*(?:à\s+|a\s+)?(?-i:[A-ZÉÈ])[\w'’]*-[\w'’\-]+)?"
_ADDRESS_PATTERNS = [
    # 12 rue des Lilas, 3 bis avenue Jean Jaurès 42100 Saint-Étienne, 19 lot. Les Hauts de Villars
    re.compile(rf"\b\d{{1,4}}\s*(?:bis|ter|b)?\s*,?\s*(?:{_STREETS}|{_RESIDENTIAL})\.?\s+{_NAME}{_DETAILS}{_POSTCODE}",
               re.IGNORECASE),
    # résidence les Tilleuls bât. B appt 23, lotissement du Moulin n°7, lieu-dit la Croix Blanche
    re.compile(rf"\b(?:résidence|residence|résid|lotissement|lot\.|lieu[\s\-]dit|lieudit|ld|hlm|cité|cite|hameau)\.?\s+"
               rf"{_NAME}{_DETAILS}{_POSTCODE}", re.IGNORECASE),
    # j'habite (au) rue des Lilas / chemin des Vignes, without a number
    re.compile(rf"(?:habite|habitons|domicile|adresse|j['’]?\s?vis|vivons)\s*(?:est|:|c['’]?est)?\s*(?:au|à|a|en|"
               rf"dans\s+la|dans\s+le|sur\s+le|sur\s+la)?\s*(?P<pii>(?:{_STREETS})\.?\s+{_NAME}{_DETAILS}{_POSTCODE})",
               re.IGNORECASE),
    # appt 23, bât. B, escalier 4, 3e étage on their own: they always describe a home
    re.compile(rf"\b(?:appt|appartement|apt|bât\.?|bâtiment|batiment|escalier|esc\.)\s*(?:n°\s*)?"
               rf"(?:\d[\w\-]{{0,3}}|(?-i:[A-Z])(?![\w'’]))"
               rf"{_DETAILS}", re.IGNORECASE),
    re.compile(r"\b\d{1,2}\s*(?:e|er|ème|eme)\s+étage\b", re.IGNORECASE),
    re.compile(rf"\b(?:tour|immeuble|bâtiment|bat|bât)\s+\d{{1,3}}\b{_DETAILS}", re.IGNORECASE),
    re.compile(r"\b(?:BP|CS)\s?\d{2,5}\b"),
    # j'habite Le Bourg, 42330 Saint-Galmier: a place named before a postcode
    re.compile(rf"(?:habite|habitons|domicile|adresse)\s*(?:est|:)?\s*(?:au|à|a)?\s*(?P<pii>{_CAP}(?:\s+{_CAP}){{0,3}}"
               rf",?\s*\d{{5}}{_TOWN}?)", re.IGNORECASE),
]


def home_address(text: str, start: int) -> bool:
    """Said to be someone's home (« chez moi, 7 rue des Mésanges »), not the place of the stage."""
    return bool(re.search(r"chez\s+(?:moi|nous)|domicile|mon\s+adresse\s+perso|notre\s+maison|j['’]?\s?habite",
                          text[max(0, start - 60):start], re.IGNORECASE))
# Whose address is it? The closest cue before it tells: the pupil's home, or the host's place.
_HOME_CUES = re.compile(r"habit|j['’]?\s?vis\b|vivons|chez\s+(?:moi|nous|lui|elle|eux)|mon\s+adresse|notre\s+adresse|adresse\s*:|"
                        r"domicile|courriers?|maison|nous\s+sommes|j['’]?\s?suis\s+au|jsuis\s+au|suis\s+au|h[ée]berge|"
                        r"documents|convention|envoi|famille|parents|m[èe]re|p[èe]re|fils|fille|r[ée]pon|m['’]adresser|"
                        r"m['’][ée]crire|joindre|son\s+adresse|leur\s+adresse|sa\s+maison", re.IGNORECASE)
_PLACE_CUES = re.compile(r"\bvot(?:re|)\b|\bvos\b|situ[ée]e?|atelier|magasin|boutique|boulangerie|garage|salon|cabinet|"
                         r"agence|entreprise|soci[ée]t[ée]|restaurant|pharmacie|clinique|mairie|exploitation|bureau|"
                         r"usine|chantier|employeur|gps|\bstage\s+c['’]?est|l['’]adresse\b|officine|studio|commerce|pr[ée]sente?\b|j?serai\b|"
                         r"viendrai|rendez[\s\-]vous|rdv", re.IGNORECASE)


def _address_accept(text: str, match: re.Match[str]) -> bool:
    found = match.group(0)
    # « 2 places », « 5 jours », « 35 heures » look like « number + word », never a street.
    if re.fullmatch(r"\d+\s+(?:places|jours?|heures?|h|ans?)\b.*", found, re.IGNORECASE) or re.match(
            r"\d+\s+place\s+(?!(?:du|de|des|d['’]|la|le|l['’])\b)[a-zà-ÿ]", found):
        return False
    before = text[max(0, match.start() - 70):match.start()]
    home = [m.end() for m in _HOME_CUES.finditer(before)]
    place = [m.end() for m in _PLACE_CUES.finditer(before)]
    return not place or (bool(home) and home[-1] > place[-1])


def french_recognizers() -> list[EntityRecognizer]:
    return [
        RegexRecognizer(PHONE, _PHONE_PATTERNS, 0.9),
        RegexRecognizer(EMAIL, _EMAIL_PATTERNS, 0.95),
        RegexRecognizer(LINK, _LINK_PATTERNS, 0.8),
        RegexRecognizer(HANDLE, _HANDLE_PATTERNS, 0.85, _handle_accept),
        RegexRecognizer(BIRTH_DATE, _BIRTH_PATTERNS, 0.85, _birth_accept),
        RegexRecognizer(ADDRESS, _ADDRESS_PATTERNS, 0.8, _address_accept),
    ]
