"""Métier référentiel keyed by ROME codes, and resolution of what students type.

>>> from tremplin.metiers import get_referentiel, resolve_environments
>>> ref = get_referentiel()
>>> ref.resolve("boulangère").metier.rome
'D1102'
>>> resolve_environments("dehors avec des animaux")
['exterieur', 'animaux']
"""
from tremplin.metiers.environments import ENVIRONMENT_ALIASES, ENVIRONMENTS, resolve_environments
from tremplin.metiers.referentiel import Metier, MetierResolution, Referentiel, get_referentiel

__all__ = [
    "ENVIRONMENTS",
    "ENVIRONMENT_ALIASES",
    "Metier",
    "MetierResolution",
    "Referentiel",
    "get_referentiel",
    "resolve_environments",
]
