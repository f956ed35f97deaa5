"""Countries of origin → the regions and continents the Miprof report publishes.

Every ISO 3166-1 alpha-2 code known to django-countries maps to exactly one region, as
data (`REGION_COUNTRIES`, flattened into `COUNTRY_REGION`), and every region but
`unknown` maps to one continent (`REGION_CONTINENT`). The grouping follows the UN M49
geoscheme, fitted to the report's regions:

- Western Europe and Northern Europe (with the Channel Islands, Isle of Man, Faroe,
  Åland, Svalbard) → `western_europe`; except the Baltic states, which the report counts
  with Eastern Europe.
- Southern Europe and Eastern Europe, the Baltic states, and Cyprus (M49 puts Cyprus in
  Western Asia; the report counts it in Europe) → `eastern_southern_europe`. The Caucasus
  (GE, AM, AZ) and Türkiye stay in `asia`, as in M49.
- Northern Africa (with Western Sahara) → `north_africa`.
- Western Africa (with Saint Helena, as in M49) except Nigeria →
  `west_africa_excl_nigeria`; Nigeria → `nigeria`, shown apart in the report.
- Middle Africa → `central_africa`.
- Eastern Africa and Southern Africa → `east_africa`: the report has no region for
  Southern Africa, and Eastern Africa is its nearest neighbour.
- Latin America and the Caribbean (with Bouvet Island and South Georgia, as in M49,
  the Falklands and the French overseas departments and collectivities of the
  Americas) → `latin_america_caribbean`.
- Northern America (US, CA, Bermuda, Greenland, Saint-Pierre-et-Miquelon) →
  `north_america`.
- All of Asia, Western and Central Asia included → `asia`.
- Oceania, with Antarctica (which has no M49 region, and no region in the report) →
  `oceania`.

`unknown` ("Non précisé") is for victims whose origin is not known; no country maps to
it and it has no continent.
"""

import functools
import unicodedata

from django.db import models
from django.utils.translation import override
from django_countries.fields import Country


class Region(models.TextChoices):
    """Regions of origin, in the order of the report's map."""

    WESTERN_EUROPE = "western_europe", "Europe de l'Ouest"
    EASTERN_SOUTHERN_EUROPE = "eastern_southern_europe", "Europe de l'Est et du Sud"
    NORTH_AFRICA = "north_africa", "Afrique du Nord"
    WEST_AFRICA_EXCL_NIGERIA = "west_africa_excl_nigeria", "Afrique de l'Ouest (hors Nigéria)"
    NIGERIA = "nigeria", "Nigéria"
    CENTRAL_AFRICA = "central_africa", "Afrique centrale"
    EAST_AFRICA = "east_africa", "Afrique de l'Est"
    LATIN_AMERICA_CARIBBEAN = "latin_america_caribbean", "Amérique latine et Caraïbes"
    NORTH_AMERICA = "north_america", "Amérique du Nord"
    ASIA = "asia", "Asie"
    OCEANIA = "oceania", "Océanie"
    UNKNOWN = "unknown", "Non précisé"


class Continent(models.TextChoices):
    AFRICA = "africa", "Afrique"
    AMERICAS_CARIBBEAN = "americas_caribbean", "Amériques et Caraïbes"
    EUROPE = "europe", "Europe"
    ASIA = "asia", "Asie"
    OCEANIA = "oceania", "Océanie"


# Region → its countries (ISO 3166-1 alpha-2), grouped by M49 sub-region.
# fmt: off
REGION_COUNTRIES: dict[str, tuple[str, ...]] = {
    Region.WESTERN_EUROPE: (
        # M49 Western Europe
        "FR", "BE", "NL", "LU", "DE", "AT", "CH", "LI", "MC",
        # M49 Northern Europe, without the Baltic states
        "GB", "IE", "DK", "NO", "SE", "FI", "IS", "GG", "JE", "IM", "FO", "AX", "SJ",
    ),
    Region.EASTERN_SOUTHERN_EUROPE: (
        # M49 Southern Europe
        "ES", "PT", "IT", "GR", "MT", "AL", "RS", "BA", "ME", "MK", "HR", "SI", "AD", "SM",
        "VA", "GI",
        # Cyprus (M49: Western Asia)
        "CY",
        # M49 Eastern Europe
        "PL", "CZ", "SK", "HU", "RO", "BG", "MD", "UA", "BY", "RU",
        # Baltic states (M49: Northern Europe)
        "EE", "LV", "LT",
    ),
    Region.NORTH_AFRICA: ("DZ", "EG", "LY", "MA", "SD", "TN", "EH"),
    Region.WEST_AFRICA_EXCL_NIGERIA: (
        "BJ", "BF", "CV", "CI", "GM", "GH", "GN", "GW", "LR", "ML", "MR", "NE", "SH", "SN",
        "SL", "TG",
    ),
    Region.NIGERIA: ("NG",),
    Region.CENTRAL_AFRICA: ("AO", "CM", "CF", "TD", "CG", "CD", "GQ", "GA", "ST"),
    Region.EAST_AFRICA: (
        # M49 Eastern Africa
        "IO", "BI", "KM", "DJ", "ER", "ET", "TF", "KE", "MG", "MW", "MU", "YT", "MZ", "RE",
        "RW", "SC", "SO", "SS", "UG", "TZ", "ZM", "ZW",
        # M49 Southern Africa
        "ZA", "NA", "BW", "LS", "SZ",
    ),
    Region.LATIN_AMERICA_CARIBBEAN: (
        # Caribbean
        "AI", "AG", "AW", "BS", "BB", "BQ", "VG", "KY", "CU", "CW", "DM", "DO", "GD", "GP",
        "HT", "JM", "MQ", "MS", "PR", "BL", "KN", "LC", "MF", "VC", "SX", "TT", "TC", "VI",
        # Central America
        "BZ", "CR", "SV", "GT", "HN", "MX", "NI", "PA",
        # South America
        "AR", "BO", "BV", "BR", "CL", "CO", "EC", "FK", "GF", "GY", "PY", "PE", "GS", "SR",
        "UY", "VE",
    ),
    Region.NORTH_AMERICA: ("US", "CA", "BM", "GL", "PM"),
    Region.ASIA: (
        # Central Asia
        "KZ", "KG", "TJ", "TM", "UZ",
        # Eastern Asia
        "CN", "HK", "MO", "KP", "JP", "MN", "KR", "TW",
        # South-eastern Asia
        "BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN",
        # Southern Asia
        "AF", "BD", "BT", "IN", "IR", "MV", "NP", "PK", "LK",
        # Western Asia (Cyprus excepted)
        "AM", "AZ", "BH", "GE", "IQ", "IL", "JO", "KW", "LB", "OM", "QA", "SA", "PS", "SY",
        "TR", "AE", "YE",
    ),
    Region.OCEANIA: (
        # Australia and New Zealand
        "AU", "CX", "CC", "HM", "NZ", "NF",
        # Melanesia
        "FJ", "NC", "PG", "SB", "VU",
        # Micronesia
        "GU", "KI", "MH", "FM", "NR", "MP", "PW", "UM",
        # Polynesia
        "AS", "CK", "PF", "NU", "PN", "WS", "TK", "TO", "TV", "WF",
        # Antarctica (no M49 region)
        "AQ",
    ),
}
# fmt: on

# Country code → region code.
COUNTRY_REGION: dict[str, str] = {
    code: str(region) for region, codes in REGION_COUNTRIES.items() for code in codes
}

# Region code → continent code. `unknown` has no continent.
REGION_CONTINENT: dict[str, str] = {
    Region.WESTERN_EUROPE: Continent.EUROPE,
    Region.EASTERN_SOUTHERN_EUROPE: Continent.EUROPE,
    Region.NORTH_AFRICA: Continent.AFRICA,
    Region.WEST_AFRICA_EXCL_NIGERIA: Continent.AFRICA,
    Region.NIGERIA: Continent.AFRICA,
    Region.CENTRAL_AFRICA: Continent.AFRICA,
    Region.EAST_AFRICA: Continent.AFRICA,
    Region.LATIN_AMERICA_CARIBBEAN: Continent.AMERICAS_CARIBBEAN,
    Region.NORTH_AMERICA: Continent.AMERICAS_CARIBBEAN,
    Region.ASIA: Continent.ASIA,
    Region.OCEANIA: Continent.OCEANIA,
}


def region_of(code: str) -> str:
    """The region code of a country (ISO 3166-1 alpha-2, upper case)."""
    try:
        return COUNTRY_REGION[code]
    except KeyError:
        raise ValueError(
            f"Code pays inconnu : {code!r} (code ISO 3166-1 alpha-2 en majuscules attendu)."
        ) from None


def continent_of(code: str) -> str:
    """The continent code of a country (ISO 3166-1 alpha-2, upper case)."""
    return str(REGION_CONTINENT[region_of(code)])


def country_name(code: str) -> str:
    """The French name of a country (ISO 3166-1 alpha-2, upper case)."""
    region_of(code)  # raises ValueError on an unknown code, rather than returning ""
    with override("fr"):
        return str(Country(code).name)


def _folded(text: str) -> str:
    """Case- and accent-insensitive form of a name: "Côte d'Ivoire" → "cote d'ivoire"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


@functools.cache
def countries_in_french() -> tuple[tuple[str, str], ...]:
    """(code, French name) of every country, sorted by name as a French reader expects."""
    return tuple(
        sorted(((code, country_name(code)) for code in COUNTRY_REGION), key=lambda c: _folded(c[1]))
    )


@functools.cache
def _code_by_folded_name() -> dict[str, str]:
    return {_folded(name): code for code, name in countries_in_french()}


def country_code(text: str) -> str | None:
    """The ISO code of a country typed by its French name or its code; None if unknown."""
    text = text.strip()
    if text.upper() in COUNTRY_REGION:
        return text.upper()
    return _code_by_folded_name().get(_folded(text))
