"""Matching a commune to GeoNames places: normalised names, GeoNames grouping areas, indexes, distances."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict

from communes_build.sources import OVERSEAS_COUNTRY

_TOKEN_MAP = {"st": "saint", "ste": "sainte", "s": "sur", "ss": "sous", "mt": "mont"}
_ARTICLES = {"le", "la", "les", "l"}


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    tokens = [_TOKEN_MAP.get(t, t) if i else t for i, t in enumerate(text.split())]
    if tokens and tokens[0] in ("st", "ste"):
        tokens[0] = _TOKEN_MAP[tokens[0]]
    return " ".join(tokens)


def strip_article(key: str) -> str:
    tokens = key.split()
    if len(tokens) > 1 and tokens[0] in _ARTICLES:
        return " ".join(tokens[1:])
    return key


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def area_of(dep: str, region: str) -> str:
    """GeoNames grouping key of a commune: 'FR:<region>' or the overseas country code."""
    return OVERSEAS_COUNTRY.get(dep) or f"FR:{region}"


def city_area(city: dict) -> str:
    """GeoNames grouping key of a place (GeoNames ``admin1code`` for France is the INSEE region code)."""
    return f"FR:{city['admin1code']}" if city["countrycode"] == "FR" else city["countrycode"]


def geonames_index(cities: list[dict]) -> tuple[dict, dict]:
    exact: dict[tuple[str, str], list[dict]] = defaultdict(list)
    loose: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in cities:
        area = city_area(c)
        key = norm(c["name"])
        exact[(area, key)].append(c)
        loose[(area, strip_article(key))].append(c)
    return exact, loose


def alternate_names_index(cities: list[dict]) -> tuple[dict, dict]:
    """GeoNames places by (area, alternate name), and each area's places with their name key."""
    alt_index: dict[tuple[str, str], list[dict]] = defaultdict(list)
    area_cities: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for city in cities:
        area = city_area(city)
        area_cities[area].append((strip_article(norm(city["name"])), city))
        for alt in {strip_article(norm(a)) for a in city.get("alternatenames") or []}:
            if alt:
                alt_index[(area, alt)].append(city)
    return alt_index, area_cities


def candidates_for(name: str, area: str, exact: dict, loose: dict) -> list[dict]:
    key = norm(name)
    found = exact.get((area, key))
    if found:
        return found
    return loose.get((area, strip_article(key)), [])
