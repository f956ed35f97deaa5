"""Countries of origin map to the report's regions and continents (survey/geography.py)."""

import json
from collections import Counter
from pathlib import Path

import pytest
from django_countries import countries

from survey.geography import (
    COUNTRY_REGION,
    REGION_CONTINENT,
    REGION_COUNTRIES,
    Continent,
    Region,
    continent_of,
    country_name,
    region_of,
)

PUBLISHED_2023 = (
    Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "published-2023.json"
)

# The report's main countries per region (published-2023.json, "MAP"), kept here too so
# the check runs even where the reference file is absent; NG and FR added.
EXPECTED_REGIONS = {
    "MA": "north_africa",
    "DZ": "north_africa",
    "TN": "north_africa",
    "CI": "west_africa_excl_nigeria",
    "GN": "west_africa_excl_nigeria",
    "ML": "west_africa_excl_nigeria",
    "SN": "west_africa_excl_nigeria",
    "CD": "central_africa",
    "CM": "central_africa",
    "AO": "central_africa",
    "ET": "east_africa",
    "MU": "east_africa",
    "MG": "east_africa",
    "PE": "latin_america_caribbean",
    "HT": "latin_america_caribbean",
    "DO": "latin_america_caribbean",
    "EC": "latin_america_caribbean",
    "CO": "latin_america_caribbean",
    "VE": "latin_america_caribbean",
    "UA": "eastern_southern_europe",
    "RO": "eastern_southern_europe",
    "BG": "eastern_southern_europe",
    "AL": "eastern_southern_europe",
    "PH": "asia",
    "AF": "asia",
    "VN": "asia",
    "NG": "nigeria",
    "FR": "western_europe",
}

DJANGO_COUNTRIES_CODES = [code for code, _name in countries]


def test_region_codes_and_labels_in_report_order():
    assert Region.choices == [
        ("western_europe", "Europe de l'Ouest"),
        ("eastern_southern_europe", "Europe de l'Est et du Sud"),
        ("north_africa", "Afrique du Nord"),
        ("west_africa_excl_nigeria", "Afrique de l'Ouest (hors Nigéria)"),
        ("nigeria", "Nigéria"),
        ("central_africa", "Afrique centrale"),
        ("east_africa", "Afrique de l'Est"),
        ("latin_america_caribbean", "Amérique latine et Caraïbes"),
        ("north_america", "Amérique du Nord"),
        ("asia", "Asie"),
        ("oceania", "Océanie"),
        ("unknown", "Non précisé"),
    ]
    assert Continent.choices == [
        ("africa", "Afrique"),
        ("americas_caribbean", "Amériques et Caraïbes"),
        ("europe", "Europe"),
        ("asia", "Asie"),
        ("oceania", "Océanie"),
    ]


def test_every_django_countries_code_maps_to_a_valid_region():
    assert len(DJANGO_COUNTRIES_CODES) >= 249
    missing = sorted(set(DJANGO_COUNTRIES_CODES) - set(COUNTRY_REGION))
    assert missing == []
    for code in DJANGO_COUNTRIES_CODES:
        assert region_of(code) in Region.values
        assert region_of(code) != Region.UNKNOWN


def test_mapping_holds_only_known_codes_each_once():
    extra = sorted(set(COUNTRY_REGION) - set(DJANGO_COUNTRIES_CODES))
    assert extra == []
    listed = Counter(code for codes in REGION_COUNTRIES.values() for code in codes)
    assert [code for code, n in listed.items() if n > 1] == []
    assert set(REGION_COUNTRIES) <= set(Region.values)


def test_every_region_but_unknown_has_a_continent():
    assert set(REGION_CONTINENT) == set(Region.values) - {Region.UNKNOWN}
    assert Region.UNKNOWN not in REGION_CONTINENT
    assert set(REGION_CONTINENT.values()) == set(Continent.values)
    for region in set(COUNTRY_REGION.values()):
        assert REGION_CONTINENT[region] in Continent.values


def test_every_region_but_unknown_has_countries():
    assert set(COUNTRY_REGION.values()) == set(Region.values) - {Region.UNKNOWN}


@pytest.mark.parametrize(("code", "region"), sorted(EXPECTED_REGIONS.items()))
def test_report_main_countries_land_in_report_regions(code, region):
    assert region_of(code) == region


def test_published_2023_main_countries_land_in_their_regions():
    if not PUBLISHED_2023.is_file():
        pytest.skip(f"reference file absent: {PUBLISHED_2023} (the in-test table still runs)")
    regions = json.loads(PUBLISHED_2023.read_text(encoding="utf-8"))["MAP"]["regions"]
    checked = 0
    for region, figures in regions.items():
        assert region in Region.values
        for code in figures.get("main_countries", []):
            assert region_of(code) == region, code
            assert EXPECTED_REGIONS[code] == region, code
            checked += 1
    assert checked > 0


@pytest.mark.parametrize(
    ("code", "continent"),
    [
        ("FR", "europe"),
        ("UA", "europe"),
        ("EE", "europe"),
        ("CY", "europe"),
        ("TR", "asia"),
        ("GE", "asia"),
        ("NG", "africa"),
        ("ZA", "africa"),
        ("MA", "africa"),
        ("HT", "americas_caribbean"),
        ("US", "americas_caribbean"),
        ("AU", "oceania"),
        ("AQ", "oceania"),
    ],
)
def test_continent_of(code, continent):
    assert continent_of(code) == continent


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("ZA", "east_africa"),  # Southern Africa: no region of its own in the report
        ("SH", "west_africa_excl_nigeria"),
        ("EH", "north_africa"),
        ("CY", "eastern_southern_europe"),
        ("EE", "eastern_southern_europe"),
        ("GB", "western_europe"),
        ("AX", "western_europe"),
        ("TR", "asia"),
        ("AZ", "asia"),
        ("GF", "latin_america_caribbean"),
        ("BV", "latin_america_caribbean"),
        ("GL", "north_america"),
        ("PM", "north_america"),
        ("AQ", "oceania"),
        ("HM", "oceania"),
    ],
)
def test_borderline_choices(code, region):
    assert region_of(code) == region


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("CI", "Côte d'Ivoire"),
        ("MA", "Maroc"),
        ("NG", "Nigeria"),  # django-countries' French name; the report writes "Nigéria"
        ("DZ", "Algérie"),
        ("DE", "Allemagne"),
        ("FR", "France"),
    ],
)
def test_country_name_is_french(code, name):
    assert country_name(code) == name


@pytest.mark.parametrize("code", ["ZZ", "", "fr", "FRA", "XK"])
def test_unknown_code_raises_value_error(code):
    with pytest.raises(ValueError, match="Code pays inconnu"):
        region_of(code)
    with pytest.raises(ValueError, match="Code pays inconnu"):
        continent_of(code)
    with pytest.raises(ValueError, match="Code pays inconnu"):
        country_name(code)
