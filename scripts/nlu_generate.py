#!/usr/bin/env python3
"""Generate the NLU lookup tables and synonyms from the reference data.

Reads ``data/reference/communes.csv`` and ``data/reference/metiers.json`` and writes:

* ``data/nlu/lookups/lieu.yml``      communes as one ``regex`` feature (see below) + postcode regex
* ``data/nlu/lookups/metier.yml``    métiers (labels, feminine forms, aliases) as a lookup table
* ``data/nlu/lookups/domaine.yml``   domains (names and aliases) as a lookup table
* ``data/nlu/lookups/patterns.yml``  regexes for siret, codes, distances, numbers
* ``data/nlu/synonyms.yml``          every written variant -> canonical value (Rasa's EntitySynonymMapper
                                     looks them up in lower case): "st etienne" -> "Saint-Étienne",
                                     "boulangère" / "boulangere" -> the métier label, "info" -> domain.

Communes kept: Loire (42), Saône-et-Loire (71) and the départements around them, plus every commune
above 10 000 inhabitants; names that are also ordinary French words ("Jardin", "Parent", "Job") are
left out of the features unless the town is big. Rasa turns a lookup table into one alternation of
``\\bname\\b`` branches that Python's ``re`` tries one by one: with ~15 000 variants that costs tens of
milliseconds per message. The same list is therefore written as a prefix-tree regex, which matches the
same strings in a fraction of a millisecond.

Standard library only, deterministic output (sorted), so it runs with any Python >= 3.8 and the
generated files can be committed and diffed. Usage: ``python3 scripts/nlu_generate.py [--check]``.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMUNES = ROOT / "data" / "reference" / "communes.csv"
METIERS = ROOT / "data" / "reference" / "metiers.json"
OUT_LOOKUPS = ROOT / "data" / "nlu" / "lookups"
OUT_SYNONYMS = ROOT / "data" / "nlu" / "synonyms.yml"

# Loire, Saône-et-Loire and their neighbours.
DEPARTEMENTS = {"42", "71", "69", "43", "63", "03", "07", "38", "21", "39", "01", "58"}
MIN_POPULATION = 10_000
BIG_TOWN = 50_000
# Commune names that are also everyday words: as features they would fire on "je cherche un job".
COMMON_WORDS = {
    "anse", "armes", "avion", "bains", "baron", "beaux", "bidon", "biches", "borne", "bourg", "brain",
    "cours", "champs", "change", "chatte", "chaux", "chemin", "choux", "conte", "corps", "croix",
    "four", "fours", "gras", "jardin", "job", "joyeux", "juif", "lent", "lens", "lux", "mars", "maux",
    "mont", "orange", "our", "parent", "plan", "plats", "poil", "pont", "port", "puits", "ratte",
    "ris", "roche", "rocher", "romain", "sens", "talon", "target", "tours", "treves", "vers", "vif",
    "villes", "lay", "ars", "oz", "pia", "job", "bard", "jas", "rix", "hem", "ifs", "lys", "ney",
    "bey", "rye", "dyo", "boz", "gap", "vaux", "saules", "mens", "loos", "fons", "mons", "plagne",
    "ambert", "bert", "cras", "crans", "coux", "diou", "jardin", "limon", "marat", "minot", "moras",
    "naves", "pact", "rives", "revel", "rocles", "tart", "thil", "toul", "vichel", "bonnet",
    "cuvier", "giron", "laps", "lect", "marly", "mary", "murat", "parcey", "passy", "romans",
    "saint", "sainte", "la", "le", "les",
}


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def commune_variants(name: str) -> set[str]:
    """The ways people write a commune name, canonical name included."""
    base = {name}
    spaced = name.replace("-", " ")
    base.add(spaced)
    for form in list(base):
        # Saint-/Sainte- -> St-/Ste- (with a hyphen, a space or a dot)
        if re.search(r"\bSainte?\b", form):
            for saint, short in (("Sainte", "Ste"), ("Saint", "St")):
                if re.search(rf"\b{saint}\b", form):
                    base.add(re.sub(rf"\b{saint}\b", short, form))
                    base.add(re.sub(rf"\b{saint}\b", short + ".", form))
    for form in list(base):
        # "Le Creusot" -> "Creusot", "Le Puy-en-Velay" -> "Puy-en-Velay"
        m = re.match(r"^(?:Le|La|Les|L')\s*(.+)$", form)
        if m and len(m.group(1)) >= 5 and strip_accents(m.group(1)).lower() not in COMMON_WORDS:
            base.add(m.group(1))
        base.add(form.replace("'", " "))
        base.add(form.replace("'", "’"))
    forms = set()
    for form in base:
        forms.add(form)
        forms.add(strip_accents(form))
    return {re.sub(r"\s+", " ", f).strip() for f in forms if f.strip()}


def load_communes() -> list[dict]:
    if not COMMUNES.exists():
        print(f"[nlu_generate] {COMMUNES.relative_to(ROOT)} is missing: no commune lookup", file=sys.stderr)
        return []
    with COMMUNES.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    kept = []
    for row in rows:
        population = int(float(row.get("population") or 0))
        if row["departement"] not in DEPARTEMENTS and population <= MIN_POPULATION:
            continue
        plain = strip_accents(row["name"]).lower()
        if (plain in COMMON_WORDS or len(plain) < 3) and population < BIG_TOWN:
            continue
        kept.append({"name": row["name"], "population": population, "departement": row["departement"]})
    return kept


def load_metiers() -> dict:
    if not METIERS.exists():
        print(f"[nlu_generate] {METIERS.relative_to(ROOT)} is missing: no métier lookup", file=sys.stderr)
        return {"domains": {}, "domain_aliases": {}, "metiers": []}
    with METIERS.open(encoding="utf-8") as f:
        return json.load(f)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [str(v) for v in value.values()]
    return [str(v) for v in value]


def trie_regex(words: list[str]) -> str:
    """One regex matching exactly the given words (case-insensitive use), built as a prefix tree."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word.lower():
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        if "" in node and len(node) == 1:
            return ""
        alternatives = []
        optional = False
        for char in sorted(node):
            if char == "":
                optional = True
                continue
            alternatives.append(re.escape(char) + build(node[char]))
        if len(alternatives) == 1 and not optional:
            return alternatives[0]
        body = "(?:" + "|".join(alternatives) + ")"
        return body + "?" if optional else body

    return r"(?<!\w)" + build(trie) + r"(?!\w)"


def yaml_quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def examples_block(values: list[str]) -> str:
    lines = []
    for value in values:
        # Rasa reads these blocks as markdown-like "- item" lines: keep them on one line.
        lines.append(f"      - {value}")
    return "\n".join(lines)


def render_lookup(name: str, values: list[str], comment: str) -> str:
    return (f"# GENERATED by scripts/nlu_generate.py -- do not edit. {comment}\n"
            f'version: "3.1"\nnlu:\n- lookup: {name}\n  examples: |\n{examples_block(values)}\n')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed files are out of date")
    args = parser.parse_args()

    outputs: dict[Path, str] = {}
    synonyms: dict[str, set[str]] = {}

    def add_synonym(canonical: str, variant: str) -> None:
        if variant.lower() != canonical.lower():
            synonyms.setdefault(canonical, set()).add(variant.lower())

    # --- communes -----------------------------------------------------------------------------
    communes = load_communes()
    commune_forms: set[str] = set()
    owner: dict[str, str] = {}  # lower-case variant -> canonical (first, biggest town wins)
    for commune in sorted(communes, key=lambda c: (-c["population"], c["name"])):
        for variant in commune_variants(commune["name"]):
            commune_forms.add(variant.lower())
            key = variant.lower()
            if key not in owner:
                owner[key] = commune["name"]
                add_synonym(commune["name"], variant)
    # Short forms people use for towns of the area: "Chalon" (-sur-Saône), "Montceau" (-les-Mines),
    # "Paray" (-le-Monial), "Andrézieux" (-Bouthéon), when the short form names one town only.
    heads: dict[str, list[dict]] = {}
    for commune in communes:
        head = re.split(r"[- ](?:sur|sous|les|lès|le|la|en|de|du|des|aux|d'|l')[- ]|-", commune["name"], maxsplit=1)[0]
        if head != commune["name"] and not re.match(r"^(?:Saint|Sainte|Le|La|Les|L'.*)$", head):
            heads.setdefault(head, []).append(commune)
    by_name = {c["name"].lower(): c for c in communes}
    for head, owners in sorted(heads.items()):
        plain = strip_accents(head).lower()
        owners = sorted(owners, key=lambda c: -c["population"])
        best = owners[0]
        rivals = owners[1:] + ([by_name[head.lower()]] if head.lower() in by_name else [])
        if (len(plain) < 4 or plain in COMMON_WORDS or best["population"] < 3000
                or best["departement"] not in DEPARTEMENTS
                or any(r["population"] * 10 > best["population"] for r in rivals)):
            continue
        for variant in {head, strip_accents(head)}:
            commune_forms.add(variant.lower())
            if owner.get(variant.lower()) not in (None, best["name"]):
                # a hamlet of the same name elsewhere: the town of the area wins
                for forms in synonyms.values():
                    forms.discard(variant.lower())
            owner[variant.lower()] = best["name"]
            add_synonym(best["name"], variant)
    lieu_regex = trie_regex(sorted(commune_forms)) if commune_forms else None
    lieu = ["# GENERATED by scripts/nlu_generate.py -- do not edit.",
            f"# {len(communes)} communes ({len(commune_forms)} written forms) as one prefix-tree regex, and postcodes.",
            'version: "3.1"', "nlu:"]
    if lieu_regex:
        lieu += ["- regex: lieu", "  examples: |", f"    - {lieu_regex}"]
    lieu += ["- regex: code_postal", "  examples: |", r"    - \b(?:0[1-9]|[1-8]\d|9[0-5]|2[abAB])\d{3}\b"]
    outputs[OUT_LOOKUPS / "lieu.yml"] = "\n".join(lieu) + "\n"

    # --- role synonyms first (the contract: eleve, entreprise, parent, enseignant) ----------------------
    roles = {
        "eleve": ["élève", "eleve", "élèves", "un élève", "une élève", "collégien", "collégienne", "collegien",
                  "collegienne", "en 3e", "en 3eme", "en troisième", "en troisieme", "3eme", "3ème"],
        "entreprise": ["employeur", "employeuse", "patron", "patronne", "artisan", "artisane", "commerçant",
                       "commerçante", "commercant", "gérant", "gérante", "gerant", "gerante", "chef d'entreprise",
                       "une entreprise", "entreprises", "maître de stage", "maitre de stage"],
        "parent": ["parents", "mère", "mere", "père", "pere", "maman", "papa", "un parent", "mère d'élève",
                   "père d'élève", "parent d'élève", "parent d'eleve", "tuteur légal", "tutrice légale"],
        "enseignant": ["prof", "professeur", "professeure", "profs", "enseignante", "prof principal",
                       "prof principale", "professeur principal", "professeure principale", "pp",
                       "professeur principale", "instit", "cpe"],
    }
    # Rasa's synonyms are not typed: a word that names a role ("prof", "patron", "commerçant") maps to
    # the role value everywhere, so the métier aliases below skip these words.
    for canonical, variants in roles.items():
        for variant in variants:
            for form in {variant, strip_accents(variant)}:
                if form.lower() != canonical:
                    synonyms.setdefault(canonical, set()).add(form.lower())
                    owner[form.lower()] = canonical

    # --- métiers and domains ------------------------------------------------------------------
    ref = load_metiers()
    metier_forms: set[str] = set()
    for metier in ref.get("metiers", []):
        label = metier.get("label")
        if not label:
            continue
        forms = [label] + _as_list(metier.get("feminine")) + _as_list(metier.get("aliases"))
        for form in forms:
            for variant in {form, strip_accents(form), form.lower(), strip_accents(form).lower()}:
                variant = variant.strip()
                if len(variant) < 3:
                    continue
                metier_forms.add(variant.lower())
                key = variant.lower()
                if key not in owner:
                    owner[key] = label
                    add_synonym(label, variant)
    if metier_forms:
        outputs[OUT_LOOKUPS / "metier.yml"] = render_lookup(
            "metier", sorted(metier_forms), f"{len(ref.get('metiers', []))} métiers from data/reference/metiers.json")

    domains = ref.get("domains", {}) or {}
    domain_forms: set[str] = set()
    canonical_domain = {}
    for letter, name in domains.items():
        canonical_domain[letter] = name
        canonical_domain[name.lower()] = name
    for letter, name in sorted(domains.items()):
        for variant in {name, strip_accents(name), name.lower(), strip_accents(name).lower()}:
            domain_forms.add(variant.lower())
            add_synonym(name, variant)
    aliases = ref.get("domain_aliases", {}) or {}
    for alias, target in sorted(aliases.items()):
        # {"alias": "letter" | "domain name" | [...]} or {"letter": ["alias", ...]}
        if alias in domains:
            pairs = [(a, domains[alias]) for a in _as_list(target)]
        else:
            targets = _as_list(target)
            name = canonical_domain.get(targets[0], canonical_domain.get(targets[0].lower())) if targets else None
            pairs = [(alias, name)] if name else []
        for written, name in pairs:
            for variant in {written, strip_accents(written)}:
                if len(variant) < 3:
                    continue
                domain_forms.add(variant.lower())
                key = variant.lower()
                if key not in owner:
                    owner[key] = name
                    add_synonym(name, variant)
    if domain_forms:
        outputs[OUT_LOOKUPS / "domaine.yml"] = render_lookup(
            "domaine", sorted(domain_forms), f"{len(domains)} domains from data/reference/metiers.json")

    # --- fixed patterns -----------------------------------------------------------------------
    outputs[OUT_LOOKUPS / "patterns.yml"] = "\n".join([
        "# GENERATED by scripts/nlu_generate.py -- do not edit.",
        'version: "3.1"', "nlu:",
        "- regex: siret", "  examples: |", r"    - \b\d{3}[ .]?\d{3}[ .]?\d{3}[ .]?\d{5}\b",
        "- regex: siren", "  examples: |", r"    - \b\d{3}[ .]?\d{3}[ .]?\d{3}\b",
        # application codes C-XXXXXX, parent link codes P-XXXXXXXX, class codes like ROANNE-3B
        "- regex: code", "  examples: |", r"    - \b[CcPp]-[A-Za-z0-9]{6,8}\b",
        "- regex: code_classe", "  examples: |", r"    - \b[A-Za-z]{2,14}-\d[A-Za-z0-9]{0,3}(?:-[A-Za-z0-9]{2,3})?\b",
        "- regex: distance", "  examples: |", r"    - \b\d{1,3} ?(?:km|kms|kilo|kilos|kilomètres?|kilometres?|bornes|min|minutes)\b",
        "- regex: nombre", "  examples: |", r"    - \b\d{1,2}\b",
    ]) + "\n"

    # --- synonyms -----------------------------------------------------------------------------
    lines = ["# GENERATED by scripts/nlu_generate.py -- do not edit.",
             "# Written variants -> canonical entity values (communes, métiers, domains, roles).",
             'version: "3.1"', "nlu:"]
    for canonical in sorted(synonyms):
        variants = sorted(v for v in synonyms[canonical] if v != canonical.lower())
        if not variants:
            continue
        lines.append(f"- synonym: {yaml_quote(canonical)}")
        lines.append("  examples: |")
        lines.extend(f"    - {v}" for v in variants)
    outputs[OUT_SYNONYMS] = "\n".join(lines) + "\n"

    stale = []
    for path, content in outputs.items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != content:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
    for path in sorted(OUT_LOOKUPS.glob("*.yml")):
        if path not in outputs:  # e.g. metier.yml before metiers.json existed
            stale.append(path)
            if not args.check:
                path.unlink()
    rel = ", ".join(str(p.relative_to(ROOT)) for p in stale) or "nothing"
    if args.check:
        if stale:
            print(f"[nlu_generate] out of date: {rel} (run python3 scripts/nlu_generate.py)", file=sys.stderr)
            return 1
        print("[nlu_generate] generated files are up to date")
        return 0
    print(f"[nlu_generate] {len(communes)} communes, {len(ref.get('metiers', []))} métiers, "
          f"{len(domains)} domains; rewrote: {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
