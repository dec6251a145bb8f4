"""Geography: French communes reference data, name/postcode resolution, distances."""
from tremplin.geography.communes import (
    RURAL_POPULATION_THRESHOLD,
    Commune,
    CommuneIndex,
    CommuneResolution,
    commune_label,
    get_communes,
)
from tremplin.geography.distance import bounding_box, haversine_km

__all__ = [
    "RURAL_POPULATION_THRESHOLD",
    "Commune",
    "CommuneIndex",
    "CommuneResolution",
    "bounding_box",
    "commune_label",
    "get_communes",
    "haversine_km",
]
