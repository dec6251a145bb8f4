"""One line of an offers file → a checked `OfferRow`, or the French reasons why it is refused.

Column headers are matched loosely (case, accents, spaces and punctuation ignored; the usual
French variants accepted: « N° SIRET », « Raison sociale », « Date de début », « Nb places »…).
Cells are checked against the same rules as offers typed in the chat: SIRET checksum, commune
and métier from the reference lists, period not past and one week at most, 1 to 10 places."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from unidecode import unidecode

from tremplin.services.errors import DomainError
from tremplin.services.offers import check_capacity, check_periods
from tremplin.services.siret import validate_siret

if TYPE_CHECKING:
    from tremplin.geography.communes import Commune, CommuneIndex
    from tremplin.metiers.referentiel import Metier, Referentiel

T = TypeVar("T")
#: (SIRET, title key, first period's start and end): what makes two offers the same.
OfferKey = tuple[str, str, date, date]

# Canonical column names, in the order of the exported files.
COLUMNS = ["siret", "entreprise", "commune", "adresse", "metier", "titre", "description",
           "debut", "fin", "places", "environnements", "vacances", "transport"]
REQUIRED = ["siret", "entreprise", "commune", "metier", "titre", "debut", "fin", "places"]

_ALIASES = {
    "siret": {"siret", "nsiret", "nosiret", "numsiret", "numerosiret", "numerodesiret", "siretentreprise"},
    "entreprise": {"entreprise", "nomentreprise", "nomdelentreprise", "raisonsociale", "employeur",
                   "structure", "organisme", "etablissement", "denomination", "nom", "societe"},
    "commune": {"commune", "ville", "localite", "codepostal", "cp", "lieu", "communecodepostal"},
    "adresse": {"adresse", "adressepostale", "rue", "adressedustage", "adresselieu"},
    "metier": {"metier", "rome", "coderome", "codemetier", "metierrome", "metiercoderome", "profession"},
    "titre": {"titre", "intitule", "titredeloffre", "intituledeloffre", "intituledustage", "offre"},
    "description": {"description", "descriptif", "activites", "details", "presentation"},
    "debut": {"debut", "datedebut", "datededebut", "du", "debutdustage", "datedudebut"},
    "fin": {"fin", "datefin", "datedefin", "au", "findustage", "datedelafin"},
    "places": {"places", "nombredeplaces", "nbplaces", "nbdeplaces", "capacite", "placesoffertes"},
    "environnements": {"environnements", "environnement", "cadre", "cadres", "environnementdetravail"},
    "vacances": {"vacances", "pendantlesvacances", "accueilvacances", "vacancesscolaires",
                 "accueilpendantlesvacances"},
    "transport": {"transport", "transports", "acces", "accestransport", "accestransports",
                  "desserte", "transportsencommun", "transportencommun"},
}
# Fallback when no alias matches exactly: first fragment found wins (order matters).
_FRAGMENTS = [("siret", "siret"), ("adresse", "adresse"), ("rome", "metier"), ("metier", "metier"),
              ("debut", "debut"), ("datefin", "fin"), ("place", "places"), ("environ", "environnements"),
              ("vacance", "vacances"), ("transport", "transport"), ("commune", "commune"),
              ("ville", "commune"), ("postal", "commune"), ("titre", "titre"), ("intitule", "titre"),
              ("descri", "description"), ("entreprise", "entreprise"), ("raison", "entreprise"),
              ("employeur", "entreprise")]

_MISSING = {"siret": "SIRET manquant", "entreprise": "nom de l'entreprise manquant",
            "commune": "commune manquante", "metier": "métier manquant", "titre": "titre manquant",
            "debut": "date de début manquante", "fin": "date de fin manquante",
            "places": "nombre de places manquant"}
_MAX_LENGTH = {"entreprise": ("nom de l'entreprise", 200), "titre": ("titre", 200), "adresse": ("adresse", 255),
               "transport": ("accès en transport", 255)}
_YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
_NO = {"non", "n", "no", "faux", "false", "0", ""}
_ROME_RE = re.compile(r"\b([A-Na-n]\d{4})\b")


def header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unidecode(str(text or "")).lower())


def map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Canonical column → index in the row, and the canonical columns that are missing."""
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = header_key(title)
        if not key:
            continue
        column = next((col for col, aliases in _ALIASES.items() if key in aliases), None)
        if column is None:
            column = next((col for frag, col in _FRAGMENTS if frag in key), None)
        if column is not None and column not in found:
            found[column] = index
    return found, [col for col in REQUIRED if col not in found]


@dataclass
class OfferRow:
    line: int
    siret: str
    employer_name: str
    commune: Any  # tremplin.geography.communes.Commune
    metier: Any   # tremplin.metiers.referentiel.Metier
    title: str
    periods: list[tuple[date, date]]
    places: int
    street_address: str | None = None
    description: str = ""
    environments: list[str] = field(default_factory=list)
    holidays_ok: bool = False
    transport: str | None = None

    @property
    def start(self) -> date:
        return self.periods[0][0]

    @property
    def duplicate_key(self) -> OfferKey:
        """Same employer, same title, same first period: the same offer."""
        return (self.siret, title_key(self.title), *self.periods[0])


def title_key(title: str) -> str:
    return " ".join(str(title).split()).casefold()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return " ".join(str(value).split())


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})", text)
        if not match:
            raise ValueError(text)
        day, month, year = (int(g) for g in match.groups())
        year += 2000 if year < 100 else 0
    return date(year, month, day)


def parse_dates(value: Any) -> list[date]:
    """One date, or several (« 07/12/2026, 11/01/2027 ») for an offer open on several weeks."""
    if isinstance(value, (date, datetime)):
        return [parse_date(value)]
    parts = [p for p in re.split(r"\s*(?:[,;|+]|\bet\b)\s*", cell_text(value)) if p]
    if not parts:
        raise ValueError(value)
    return [parse_date(p) for p in parts]


def pair_periods(starts: list[date], ends: list[date]) -> list[tuple[date, date]]:
    if len(starts) != len(ends):
        raise ValueError(f"{len(starts)} date{'s' if len(starts) > 1 else ''} de début pour "
                         f"{len(ends)} date{'s' if len(ends) > 1 else ''} de fin")
    return sorted(zip(starts, ends))


def parse_places(value: Any) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    match = re.fullmatch(r"(\d+)(?:[.,]0+)?(?:\s*places?)?", cell_text(value).lower())
    if not match:
        raise ValueError(value)
    return int(match.group(1))


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = header_key(value)
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError(value)


def parse_environments(value: Any) -> list[str]:
    """Tags of the fixed vocabulary (« exterieur, public ») or words that name them (« plein air »)."""
    from tremplin.metiers.environments import ENVIRONMENTS, resolve_environments

    phrases = {header_key(label): key for key, label in ENVIRONMENTS.items()}
    tags: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[,|;/+]", cell_text(value)):
        if not part.strip():
            continue
        key = header_key(part)
        found = [key] if key in ENVIRONMENTS else [phrases[key]] if key in phrases else resolve_environments(part)
        if not found:
            unknown.append(part.strip())
        tags += [tag for tag in found if tag not in tags]
    if unknown:
        raise ValueError(f"environnement{'s' if len(unknown) > 1 else ''} inconnu{'s' if len(unknown) > 1 else ''} : "
                         f"{', '.join(unknown)} (possibles : {', '.join(ENVIRONMENTS)})")
    return tags


def _names(items: Sequence[T], fmt: Callable[[T], str]) -> str:
    return ", ".join(fmt(item) for item in items[:4]) + (" …" if len(items) > 4 else "")


def _the_one(status: str, found: Sequence[T], label: Callable[[T], str], *, ambiguous: str, suggestion: str,
             unknown: str) -> T:
    """The match of a reference lookup, or ValueError with the reason: `ambiguous` and `suggestion` are
    followed by the candidates' labels."""
    if status == "found":
        return found[0]
    if status == "ambiguous":
        raise ValueError(f"{ambiguous} : {_names(found, label)}")
    if status == "suggestion" and found:
        raise ValueError(f"{suggestion} {_names(found, label)} ?")
    raise ValueError(unknown)


def commune_label(commune: Commune) -> str:
    code = commune.postcodes[0] if commune.postcodes else commune.departement
    return f"{commune.name} ({code})"


def resolve_commune(communes_index: CommuneIndex, text: str) -> Commune:
    """The commune, or raise ValueError with the reason (with suggestions when there are some)."""
    result = communes_index.resolve(text)
    return _the_one(result.status, result.communes, commune_label,
                    ambiguous=f"commune « {text} » ambiguë, précisez le code postal",
                    suggestion=f"commune « {text} » introuvable, vouliez-vous dire",
                    unknown=f"commune « {text} » inconnue")


def _metier_label(metier: Metier) -> str:
    return f"{metier.label} ({metier.rome})"


def resolve_metier(referentiel: Referentiel, text: str) -> Metier:
    """A ROME code (alone or with a label, « Boulanger (D1102) ») or a métier label."""
    code = _ROME_RE.search(text)
    if code:
        rome = code.group(1).upper()
        appellations = referentiel.by_rome(rome)
        if not appellations:
            raise ValueError(f"code ROME « {rome} » inconnu")
        rest = (text[:code.start()] + text[code.end():]).strip(" ()-–,;")
        named = referentiel.find_label(rest) if rest else None
        return named if named is not None and named.rome == rome else appellations[0]
    result = referentiel.resolve(text)
    return _the_one(result.status, result.metiers, _metier_label,
                    ambiguous=f"métier « {text} » ambigu, indiquez le code ROME",
                    suggestion=f"métier « {text} » inconnu, vouliez-vous dire",
                    unknown=f"métier « {text} » inconnu")


def check_row(line: int, cells: list[Any], columns: dict[str, int], communes_index: CommuneIndex,
              referentiel: Referentiel, today: date) -> tuple[OfferRow | None, list[str]]:
    """Check every cell of one line; all the problems are reported, not only the first."""
    def get(column: str) -> Any:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    text = {col: cell_text(get(col)) for col in COLUMNS}
    siret = get("siret")
    if isinstance(siret, (int, float)) and not isinstance(siret, bool) and 0 < siret < 10 ** 14:
        text["siret"] = f"{int(siret):014d}"  # a number cell in Excel loses the leading zeros
    errors = [_MISSING[col] for col in REQUIRED if not text[col]]
    errors += [f"{label} trop long ({limit} caractères au plus)"
               for col, (label, limit) in _MAX_LENGTH.items() if len(text[col]) > limit]
    values: dict[str, Any] = {}

    def attempt(column: str, parse: Callable[[Any], Any], reason: Callable[[str], str]) -> None:
        if column in REQUIRED and not text[column]:
            return
        try:
            values[column] = parse(get(column) if column in ("debut", "fin", "places", "vacances")
                                   else text[column])
        except DomainError as exc:
            errors.append(reason(exc.message))
        except ValueError as exc:
            errors.append(reason(str(exc)))

    attempt("siret", validate_siret, lambda m: f"SIRET « {text['siret']} » refusé : {m}")
    attempt("commune", lambda t: resolve_commune(communes_index, t), lambda m: m)
    attempt("metier", lambda t: resolve_metier(referentiel, t), lambda m: m)
    attempt("debut", parse_dates, lambda _: f"date de début « {text['debut']} » illisible (jj/mm/aaaa)")
    attempt("fin", parse_dates, lambda _: f"date de fin « {text['fin']} » illisible (jj/mm/aaaa)")
    attempt("places", parse_places, lambda _: f"nombre de places « {text['places']} » illisible")
    attempt("vacances", parse_bool, lambda _: f"vacances « {text['vacances']} » : répondez oui ou non")
    attempt("environnements", parse_environments, lambda m: m)

    if "places" in values:
        try:
            check_capacity(values["places"])
        except DomainError as exc:
            errors.append(f"{values['places']} places : {exc.message}")
    if "debut" in values and "fin" in values:
        try:
            values["periods"] = pair_periods(values["debut"], values["fin"])
            check_periods(values["periods"], today)
        except ValueError as exc:
            errors.append(f"période : {exc}")
        except DomainError as exc:
            errors.append(f"période : {exc.message}")
    if errors:
        return None, errors
    return OfferRow(
        line=line, siret=values["siret"], employer_name=text["entreprise"], commune=values["commune"],
        metier=values["metier"], title=text["titre"], periods=values["periods"],
        places=values["places"], street_address=text["adresse"] or None,
        description=str(get("description") or "").strip(), environments=values.get("environnements", []),
        holidays_ok=values.get("vacances", False), transport=text["transport"] or None), []
