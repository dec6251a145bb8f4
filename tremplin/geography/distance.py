"""Great-circle distances and bounding boxes (WGS 84 coordinates, kilometres)."""
from __future__ import annotations

import math

__all__ = ["EARTH_RADIUS_KM", "bounding_box", "haversine_km"]

#: Mean Earth radius (IUGG), in km.
EARTH_RADIUS_KM = 6371.0088
_KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180.0  # ~111.2 km per degree of latitude


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in decimal degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """``(min_lat, max_lat, min_lon, max_lon)`` of a box containing the circle of ``radius_km``.

    Meant as a cheap SQL/index pre-filter before an exact :func:`haversine_km` check:
    every point within ``radius_km`` is inside the box (the box also holds a few
    points beyond it, in its corners).  Near a pole, or when the circle would
    reach a pole, the longitude span is the whole ``[-180, 180]``; the box is not
    split at the antimeridian (irrelevant for France, metropolitan or overseas,
    except Wallis-et-Futuna, where callers get a full longitude span instead).
    """
    if radius_km < 0:
        raise ValueError("radius_km must be >= 0")
    dlat = radius_km / _KM_PER_DEGREE
    min_lat, max_lat = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    if min_lat <= -90.0 or max_lat >= 90.0:
        return min_lat, max_lat, -180.0, 180.0
    # Widest longitude span of the circle (exact for a sphere).
    ratio = math.sin(radius_km / EARTH_RADIUS_KM) / math.cos(math.radians(lat))
    if ratio >= 1.0:
        return min_lat, max_lat, -180.0, 180.0
    dlon = math.degrees(math.asin(ratio))
    min_lon, max_lon = lon - dlon, lon + dlon
    if min_lon < -180.0 or max_lon > 180.0:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, min_lon, max_lon
