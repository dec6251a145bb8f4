"""Communes reference data (data/reference/communes.csv) and the name/postcode resolver."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from tremplin.geography import (
    Commune,
    CommuneIndex,
    CommuneResolution,
    bounding_box,
    get_communes,
    haversine_km,
)
from tremplin.geography.communes import default_reference_path, name_key
from tremplin.text import normalize

SAINT_ETIENNE = "42218"
LYON = "69123"
CHALON_SUR_SAONE = "71076"
MONTBRISON = "42147"
FEURS = "42094"
PARIS = "75056"


@pytest.fixture(scope="module")
def communes() -> CommuneIndex:
    return get_communes()


def insees(res: CommuneResolution) -> list[str]:
    return [c.insee for c in res.communes]


# ---------------------------------------------------------------- data file


def test_reference_file_shape() -> None:
    path = default_reference_path()
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["insee", "name", "postcodes", "departement", "population", "lat", "lon", "approx"]
    assert 34_500 <= len(rows) <= 35_500
    assert len({r["insee"] for r in rows}) == len(rows)
    assert {r["approx"] for r in rows} == {"0", "1"}
    for r in rows:
        assert len(r["lat"].split(".")[1]) == 5 and len(r["lon"].split(".")[1]) == 5
        assert -90 <= float(r["lat"]) <= 90 and -180 <= float(r["lon"]) <= 180
    # No arrondissements municipaux (Paris 1er = 75101, Lyon 1er = 69381, Marseille 1er = 13201).
    assert not {"75101", "69381", "13201"} & {r["insee"] for r in rows}


def test_load_is_complete() -> None:
    # Load time is measured by bench/communes.py, not asserted here.
    index = CommuneIndex.load()
    assert len(index) > 34_500


def test_get_communes_is_cached() -> None:
    assert get_communes() is get_communes()


def test_commune_record(communes: CommuneIndex) -> None:
    feurs = communes.get(FEURS)
    assert feurs is not None
    assert feurs.name == "Feurs"
    assert feurs.departement == "42"
    assert feurs.postcodes == ("42110",)
    assert feurs.label == "Feurs (42)"
    assert feurs.population > 5000
    assert not feurs.rural
    assert not feurs.approximate
    assert haversine_km(feurs.lat, feurs.lon, 45.74, 4.23) < 3
    with pytest.raises(AttributeError):
        feurs.name = "Ailleurs"  # type: ignore[misc]
    assert communes.get("2a004").name == "Ajaccio"  # type: ignore[union-attr]
    assert communes.get("00000") is None


def test_rural_flag_small_loire_village(communes: CommuneIndex) -> None:
    village = communes.get("42040")  # La Chamba, a few dozen inhabitants
    assert village is not None and village.departement == "42"
    assert village.population < 2000
    assert village.rural
    assert not communes.get(SAINT_ETIENNE).rural  # type: ignore[union-attr]


def test_approx_flag_semantics(communes: CommuneIndex) -> None:
    all_communes = list(communes)
    approximate = [c for c in all_communes if c.approximate]
    # Big towns carry their own GeoNames point; small villages often get an estimate.
    for insee in (SAINT_ETIENNE, LYON, CHALON_SUR_SAONE, MONTBRISON, PARIS):
        assert not communes.get(insee).approximate  # type: ignore[union-attr]
    assert 0 < len(approximate) < len(all_communes)
    # An estimate is the centroid of neighbours sharing a postcode, else of the département:
    # it stays close to them.
    checked = 0
    for c in approximate:
        if not c.departement.isdigit() or int(c.departement) > 95:
            continue
        neighbours = [o for cp in c.postcodes for o in communes.by_postcode(cp) if not o.approximate]
        if neighbours:
            assert min(c.distance_km(o) for o in neighbours) < 60, c
            checked += 1
    assert checked > 10_000


# ---------------------------------------------------------------- resolution


@pytest.mark.parametrize(
    ("text", "insee"),
    [
        ("st etienne", SAINT_ETIENNE),
        ("Saint-Étienne", SAINT_ETIENNE),
        ("SAINT ETIENNE", SAINT_ETIENNE),
        ("St-Étienne", SAINT_ETIENNE),
        ("chalon sur saone", CHALON_SUR_SAONE),
        ("Chalon-s/-Saône", CHALON_SUR_SAONE),
        ("Chalon s/ Saone", CHALON_SUR_SAONE),
        ("Paris", PARIS),
        ("paris", PARIS),
        ("Feurs", FEURS),
        ("  feurs  ", FEURS),
        ("ste foy les lyon", "69202"),  # Sainte-Foy-lès-Lyon
        ("Sainte Foy lès Lyon", "69202"),
        ("le puy en velay", "43157"),
        ("Puy-en-Velay", "43157"),  # article omitted
        ("L'Horme", "42110"),
        ("l horme", "42110"),
        ("Horme", "42110"),
        ("Mt St Michel", "50353"),  # Le Mont-Saint-Michel
        ("Ajaccio", "2A004"),
    ],
)
def test_resolve_found(communes: CommuneIndex, text: str, insee: str) -> None:
    res = communes.resolve(text)
    assert res.status == "found", (text, res)
    assert insees(res) == [insee]
    assert res.commune is not None and res.commune.insee == insee


@pytest.mark.parametrize(
    ("text", "insee"),
    [
        ("feur", FEURS),
        ("montbrisson", MONTBRISON),
        ("Saint-Etiene", SAINT_ETIENNE),
        ("marseile", "13055"),
        ("chalon sur saonne", CHALON_SUR_SAONE),
    ],
)
def test_resolve_typo_suggestion(communes: CommuneIndex, text: str, insee: str) -> None:
    res = communes.resolve(text)
    assert res.status == "suggestion", (text, res)
    assert 1 <= len(res.communes) <= 3
    assert res.communes[0].insee == insee
    assert res.commune is None


def test_resolve_unknown(communes: CommuneIndex) -> None:
    for text in ("xyzzy", "", "   ", "?!", "qwxzkj wvbn", "42"):
        res = communes.resolve(text)
        assert res.status == "unknown", (text, res)
        assert res.communes == []


def test_ambiguous_name(communes: CommuneIndex) -> None:
    res = communes.resolve("Saint-Martin")
    assert res.status == "ambiguous"
    assert len(res.communes) >= 2
    assert all(c.name == "Saint-Martin" for c in res.communes)
    pops = [c.population for c in res.communes]
    assert pops == sorted(pops, reverse=True)

    res = communes.resolve("Beaulieu")
    assert res.status == "ambiguous"
    assert len({c.departement for c in res.communes}) == len(res.communes) >= 5
    assert res.commune is None


def test_departement_disambiguates(communes: CommuneIndex) -> None:
    assert insees(communes.resolve("Feurs 42")) == [FEURS]
    assert communes.resolve("Beaulieu 63").status == "found"
    assert insees(communes.resolve("Beaulieu (63)")) == ["63031"]
    assert insees(communes.resolve("Saint-Just (01)")) == ["01369"]
    assert insees(communes.resolve("st just 34")) == ["34272"]
    # No commune called exactly "Saint-Just" in the Loire: the Loire's Saint-Just-* communes.
    res = communes.resolve("Saint-Just (42)")
    assert res.status == "ambiguous"
    assert {c.departement for c in res.communes} == {"42"}
    assert res.communes[0].insee == "42279"  # Saint-Just-Saint-Rambert, the biggest
    # Typo plus département.
    res = communes.resolve("montbrisson 42")
    assert res.status == "suggestion" and res.communes[0].insee == MONTBRISON
    # Wrong département: the right commune is only suggested.
    res = communes.resolve("Montbrison 43")
    assert res.status == "suggestion" and res.communes[0].insee == MONTBRISON


def test_postcode(communes: CommuneIndex) -> None:
    # 42600 is shared by Montbrison and 18 villages around it: all of them, Montbrison first.
    res = communes.resolve("42600")
    assert res.status == "ambiguous"
    assert res.communes[0].insee == MONTBRISON
    assert len(res.communes) == len(communes.by_postcode("42600")) > 1
    assert all("42600" in c.postcodes for c in res.communes)
    # A postcode of a single commune.
    res = communes.resolve("42000")
    assert res.status == "found" and insees(res) == [SAINT_ETIENNE]
    assert insees(communes.resolve("75015")) == [PARIS]
    # Postcode plus name picks the commune among those sharing the postcode.
    assert insees(communes.resolve("42600 Montbrison")) == [MONTBRISON]
    assert insees(communes.resolve("Savigneux 42600")) == ["42299"]
    # Unused postcode.
    assert communes.resolve("00000").status == "unknown"


def test_by_postcode(communes: CommuneIndex) -> None:
    assert [c.insee for c in communes.by_postcode("42110")][0] == FEURS
    assert communes.by_postcode("99999") == []
    montbrison = communes.by_postcode("42600")
    assert montbrison[0].insee == MONTBRISON
    assert [c.population for c in montbrison] == sorted((c.population for c in montbrison), reverse=True)


def test_insee_code_and_arrondissement_resolution(communes: CommuneIndex) -> None:
    assert insees(communes.resolve("42218")) == [SAINT_ETIENNE]  # INSEE code, not a postcode
    assert insees(communes.resolve("Paris 15e")) == [PARIS]
    assert insees(communes.resolve("Lyon 3")) == [LYON]


def test_reference_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "communes.csv").write_text(
        "insee,name,postcodes,departement,population,lat,lon,approx\n"
        "99001,Village-Test,99100 99200,99,120,45.00000,4.00000,1\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("TREMPLIN_REFERENCE_DIR", str(tmp_path))
    assert default_reference_path() == tmp_path / "communes.csv"
    index = CommuneIndex.load()
    assert len(index) == 1
    village = index.get("99001")
    assert village == Commune("99001", "Village-Test", ("99100", "99200"), "99", 120, 45.0, 4.0, True)
    assert index.resolve("village test").commune == village
    assert index.resolve("99200").commune == village


# ---------------------------------------------------------------- text & distance


def test_normalize() -> None:
    assert normalize("Saint-Étienne") == "saint etienne"
    assert normalize("  L'Haÿ-les-Roses ") == "l hay les roses"
    assert normalize("Chalon-s/-Saône") == "chalon s saone"
    assert normalize("Œuilly") == "oeuilly"
    assert normalize("L’Île-d’Yeu") == "l ile d yeu"
    assert normalize("") == ""
    assert name_key("St-Genest-Lerpt") == "saint genest lerpt"
    assert name_key("Ste Foy") == "sainte foy"
    assert name_key("Chalon-s/-Saône") == "chalon sur saone"


def test_haversine() -> None:
    assert haversine_km(45.0, 4.0, 45.0, 4.0) == 0
    # One degree of latitude ~ 111.2 km.
    assert haversine_km(45.0, 4.0, 46.0, 4.0) == pytest.approx(111.2, abs=0.2)
    # Paris - Marseille ~ 661 km as the crow flies.
    assert haversine_km(48.8566, 2.3522, 43.2965, 5.3698) == pytest.approx(661, abs=5)


def test_saint_etienne_lyon_distance(communes: CommuneIndex) -> None:
    se, lyon = communes.get(SAINT_ETIENNE), communes.get(LYON)
    assert se is not None and lyon is not None
    assert haversine_km(se.lat, se.lon, lyon.lat, lyon.lon) == pytest.approx(50, abs=5)
    assert se.distance_km(lyon) == pytest.approx(50, abs=5)


def test_bounding_box_contains_circle() -> None:
    lat, lon, radius = 45.43, 4.39, 30.0
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius)
    assert min_lat < lat < max_lat and min_lon < lon < max_lon
    assert (max_lat - min_lat) == pytest.approx(2 * radius / 111.195, rel=1e-3)
    for bearing in range(0, 360, 10):
        # A point at exactly `radius` km in each direction is inside the box.
        b = math.radians(bearing)
        d = radius / 6371.0088
        p1, l1 = math.radians(lat), math.radians(lon)
        p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
        l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
        plat, plon = math.degrees(p2), math.degrees(l2)
        assert haversine_km(lat, lon, plat, plon) == pytest.approx(radius, abs=1e-6)
        assert min_lat - 1e-9 <= plat <= max_lat + 1e-9
        assert min_lon - 1e-9 <= plon <= max_lon + 1e-9
    # Points just outside the lat/lon span are more than `radius` away.
    assert haversine_km(lat, lon, max_lat + 0.01, lon) > radius
    assert haversine_km(lat, lon, lat, max_lon + 0.01) > radius
    assert bounding_box(89.9, 0.0, 50) == pytest.approx((89.9 - 50 / 111.195, 90.0, -180.0, 180.0))
    with pytest.raises(ValueError):
        bounding_box(45.0, 4.0, -1)


def test_nearby(communes: CommuneIndex) -> None:
    se = communes.get(SAINT_ETIENNE)
    assert se is not None
    around = communes.nearby(se.lat, se.lon, 15)
    assert around[0][0].insee == SAINT_ETIENNE
    assert all(d <= 15 for _, d in around)
    assert "42207" in {c.insee for c, _ in around}  # Saint-Chamond, ~11 km
    assert LYON not in {c.insee for c, _ in around}
