"""SIRET validation: 14 digits and a Luhn checksum, except La Poste whose establishments use a sum rule."""
from __future__ import annotations

import re

from tremplin.services.errors import DomainError

LA_POSTE_SIREN = "356000000"


def clean_siret(raw: str) -> str:
    return re.sub(r"[\s.\-]", "", raw or "")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_valid_siret(raw: str) -> bool:
    siret = clean_siret(raw)
    if not re.fullmatch(r"\d{14}", siret):
        return False
    if luhn_ok(siret):
        return True
    # La Poste's establishments share one SIREN and do not satisfy Luhn: INSEE checks instead that
    # the sum of the 14 digits is a multiple of 5.
    return siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0


def validate_siret(raw: str) -> str:
    siret = clean_siret(raw)
    if not re.fullmatch(r"\d{14}", siret):
        raise DomainError("siret_format", "Un numéro SIRET compte exactement 14 chiffres (les espaces sont acceptés).")
    if not is_valid_siret(siret):
        raise DomainError("siret_checksum", "Ce numéro SIRET n'est pas valide : vérifiez les chiffres, "
                          "vous le trouverez sur un bulletin de paie ou sur annuaire-entreprises.data.gouv.fr.")
    return siret
