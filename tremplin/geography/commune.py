"""A French commune of the reference data, and the order communes are offered in (biggest first)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tremplin.geography.distance import haversine_km

__all__ = ["RURAL_POPULATION_THRESHOLD", "Commune", "by_population", "frozen_by_population"]

#: INSEE's historical definition of a rural commune: fewer than 2,000 inhabitants
#: (the "unité urbaine" threshold used until the 2020 density-based grid).
#: It is a population test on the commune alone, which is what the rest of the
#: project needs (e.g. "collège rural"), not the newer "grille de densité".
RURAL_POPULATION_THRESHOLD = 2000


@dataclass(frozen=True, slots=True)
class Commune:
    insee: str
    name: str
    postcodes: tuple[str, ...]
    departement: str
    population: int
    lat: float
    lon: float
    #: True when lat/lon are an estimate (centroid of the neighbouring communes
    #: sharing a postcode, or of the département), not the commune's own point:
    #: good to ~10-20 km, fine for "within 30 km", not for a map pin.
    approximate: bool

    @property
    def rural(self) -> bool:
        """Fewer than 2,000 inhabitants: INSEE's historical rural threshold."""
        return self.population < RURAL_POPULATION_THRESHOLD

    @property
    def label(self) -> str:
        """Display name with the département, e.g. ``"Feurs (42)"``."""
        return f"{self.name} ({self.departement})"

    def distance_km(self, other: Commune) -> float:
        return haversine_km(self.lat, self.lon, other.lat, other.lon)


def by_population(communes: Iterable[Commune]) -> list[Commune]:
    """Biggest population first (then INSEE code)."""
    return sorted(communes, key=lambda c: (-c.population, c.insee))


def frozen_by_population(table: dict[str, list[Commune]]) -> dict[str, tuple[Commune, ...]]:
    """A look-up table made read-only, each entry's communes biggest population first."""
    return {k: tuple(v) if len(v) == 1 else tuple(by_population(v)) for k, v in table.items()}
