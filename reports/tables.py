"""The published tables of one campaign (questionnaire.md, "Published tables").

One typed function per table (`table_f1` … `table_ins`, registered in `TABLES` in the
report's order) builds a `Table` from a `CampaignFigures` (reports/figures.py: the sums
of the VALIDATED submissions and of those of the previous campaign, kept between requests
and read in three queries whatever the number of associations). Each function also takes
a `Campaign` and loads its figures; `all_tables(campaign)` loads them once for every
table. Rendering (HTML, JSON, Excel) reads `Table` and never recomputes.

Numbers
-------
Shares are whole percentages rounded half up (12.5 → 13), and None when their base is 0.
`covered` is the number of victims the table is computed on, `respondents` the number of
associations (validated submissions) it is computed on:

- Part 1 tables (F1–F5, MAP, CRIME): every validated submission, an association that
  detected no one included; covered = detected victims (F1, F2) or accompanied victims
  (F3–F5, MAP) or accompanied victims of `crime` (CRIME).
- Part 2 tables (F6–F10, SEJ, F12, F13, INS): the associations with at least one answered
  field of the question(s) the table shows, for any form; covered = the accompanied
  victims of the forms so answered. A blank field is "not answered", never 0.

Each share is computed over the answers that give both its numerator and its base: a
form where the question is blank adds nothing to either side. In Part 2 tables every row
says what its own share covers: `denominator` (the victims its share is a share of) and
`respondents` (the associations whose answers it uses). Part 1 tables carry them only on
rows whose base is not the table's `covered` (F5 `adults_minor_at_start`; every CRIME row).
Once-per-submission counts (`suspects_identified`, `association_civil_party_cases`) have
no share (None) and no denominator (None).

Rows and their columns (`Row.extra`, flattened into the JSON rows)
--------------------------------------------------------------------
- F1: `sexual`, `labour_total` (labour + domestic), `domestic`, `labour`, `crime`,
  `begging`, `other`, `total`; columns `detected`, `accompanied`, `accompanied_share`
  (accompanied / detected) and no `count`/`share` (`Table.columns` is empty). When the
  previous campaign (`Campaign.previous`) has validated answers, every row adds
  `detected_previous` (its victims detected then) and `evolution` (detected −
  previous, in percent of previous, rounded half away from zero: −12.5 → −13; None when
  previous is 0), the table adds `previous_reference_year` (`Table.extra`), and its note
  adds the report's warning (`NOT_COMPARABLE`): the questionnaire changed, the figures
  are not meant to be compared.
- F2: one row per form (`sexual`, `labour`, `domestic`, `crime`, `begging`, `other`):
  detected victims, share of all detected.
- F3: `france_only`, `france_and_abroad`, `abroad_only`, then `france_any` (exploited at
  least partly in France). F4: `women_incl_trans`, `women`, `trans_women`,
  `men_incl_trans`, `men`, `trans_men`, `non_binary`, `gender_unknown`, `trans` (trans
  women + trans men); `trans_women` adds `share_among_women` (of `women_incl_trans`) and
  `share_among_women_within_<form>`, `trans_men` the same with `men`. F5: `adults`
  (18–24 + 25+), `minors` (under 15 + 15–17), the five age fields, then
  `adults_minor_at_start` (Part 2, share of the adults of the forms that answered it).
  Shares are of all accompanied victims ("non renseigné" is a row of its own).
- By form (F3, F4, F5, F8 rows, MAP rows): `count_<form>` the row's victims of that form;
  `share_<form>` that form's part of the row (MAP: "Exp. sexuelle : 88 %" of a region;
  F5 `minors`: 75 % of minors are in `sexual`; F8: 87 % of pregnancies are in `sexual`);
  and, except in MAP, `share_within_<form>` the row's part of that form's victims (F3
  `france_only`: 93 % of `labour` victims; F4 `women_incl_trans`: 94 % of `sexual`).
- F6: one row per form (MNA of that form, share of all MNA: the figure), then
  `unaccompanied_minors` (share of minors) and `unaccompanied_minors_reported` (share of MNA).
- MAP: one row per region code of `survey.geography.Region`, `unknown` last (its count is
  the origin-unknown victims); `count`, `share` (of all accompanied victims),
  `count_<form>`, `share_<form>`, `share_labour_incl_domestic` (labour + domestic);
  `main_countries`: the region's countries, ISO 3166-1 codes by decreasing number of
  victims (ties by code), at most `MAIN_COUNTRIES` (not on `unknown`); `french` (victims of
  French nationality) on `western_europe`. Table-level fields (`Table.extra`, top-level
  keys of the JSON): `french`, `foreign` (known nationality other than French),
  `distinct_countries` (countries other than France with at least one victim, as the
  report's "originaires de 88 pays" counts foreign victims), `origin_unknown`,
  `foreign_by_continent` (list of {key, label, count, share of `foreign`}) and `countries`
  (every country with victims: {key, label, region, count}, by decreasing count).
- F7: `referral_association`, `referral_professional`, `referral_private` (the figure),
  then `support_under_6m`, `support_6_18m`, `support_over_18m`; each distribution over
  the accompanied victims of the forms that answered it.
- F8: `pregnancy`, `dependent_children`, `disability`, `addiction`, each over the
  accompanied victims of the forms that answered that field.
- F9: `network`, `other_context` (answered `network` minus `network`: "Autre cadre"),
  `still_exploited_at_contact`, `housed_by_exploiter`, `living_at_workplace` (share of those
  housed by the exploiter), `transfer_organised`, `needs_adapted_housing`,
  `adapted_housing_offered` (share of those needing it).
- F10: `link_family`, `link_entourage`, `link_employer`, `link_other`.
- SEJ: `permit_held` (sum of the four grounds; share of the eligible = accompanied − not
  concerned), the four `permit_held_*` (share of `permit_held`), `irregular` (share of
  foreign victims), `permit_pending` (share of accompanied), the four `permit_pending_*`
  (share of pending), `residence_not_concerned`, the three `permit_delay_*` (share of the
  permits whose delay is given), `exit_programme` (share of `sexual` victims).
- F12: `complaint_thb`, `complaint_other`, `no_complaint`, `complaint_unspecified` (the
  figure, shares of accompanied; the three complaint rows add `share_of_complaints`, their
  part of the complaints filed), `complaint_any` (complaints filed: thb + other +
  unspecified), `civil_party`, `no_complaint_before_support`, `suspects_identified`
  (per submission), `complaint_refused`.
- F13: `case_ongoing`, `case_prosecuted`, `case_prosecuted_thb` (share of prosecuted),
  `case_dismissed`, `case_alternative`, `case_no_news` (shares of the court-outcome total:
  ongoing + prosecuted + dismissed + alternative + no news), `association_civil_party_cases`
  (per submission).
- CRIME (victims of `crime`): `minors`, `boys_and_men` (men + trans men), `adults_under_25`
  (18–24 among adults), `no_complaint`, `complaint_thb` (shares of the answered complaint
  split).
- INS: `employment_support` (share of accompanied), `employed_cdi`, `employed_cdd`,
  `employed` (CDI + CDD), each a share of `employment_support`.

`Table.chart_keys` lists the rows the report's chart draws (the other rows are totals or
"dont" rows that would count victims twice). Texts use straight apostrophes and a
no-break space both as thousands separator ("4 672") and before "%".
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.text import capfirst

from survey.geography import REGION_CONTINENT, Continent, Region, country_name, region_of
from survey.models import Campaign, FormAnswer
from survey.questionnaire import FORM_LABELS, FORMS, GROUPS

from .figures import COMPLAINTS_FILED, DELAYS, HELD, PENDING, CampaignFigures

NBSP = "\u00a0"
NOTE = f"En raison des arrondis, la somme des pourcentages peut ne pas être égale à 100{NBSP}%."
# The report's warning, on F1 when it shows the previous year's figures.
NOT_COMPARABLE = (
    "Les résultats n'ont pas vocation à être comparés à ceux des années précédentes qui ne "
    "reposaient pas sur le même questionnaire."
)
MAIN_COUNTRIES = 6  # the report names up to six countries for a region

# A column of a row: a count, a share, or (MAP) the ISO codes of the main countries.
ExtraValue = int | None | list[str]
# A table function takes the campaign, or its figures already loaded.
Source = Campaign | CampaignFigures

ALL_VICTIMS = "des victimes d'exploitation et/ou de traite des êtres humains"
ACCOMPANIED = f"{ALL_VICTIMS} accompagnées par les associations"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int | None
    share: int | None
    extra: dict[str, ExtraValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    covered: int
    respondents: int
    rows: list[Row]
    reading: str
    note: str
    chart: str | None  # "pie", "bar", "map" or None (a table)
    # Which of a row's `count` and `share` the table publishes (F1 has its own columns).
    columns: tuple[str, ...] = ("count", "share")
    chart_keys: tuple[str, ...] = ()
    # Table-level figures beyond the rows (MAP, F1), JSON-serialisable.
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self, key: str) -> Row:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def as_json(self) -> dict[str, Any]:
        """The "Tables as JSON" shape of questionnaire.md."""
        rows = []
        for row in self.rows:
            data: dict[str, Any] = {"key": row.key, "label": row.label}
            if "count" in self.columns:
                data["count"] = row.count
            if "share" in self.columns:
                data["share"] = row.share
            data.update(row.extra)
            rows.append(data)
        return {
            "title": self.title,
            "covered": self.covered,
            "respondents": self.respondents,
            "rows": rows,
            **self.extra,
        }


# ---------------------------------------------------------------------------- helpers


def percent(numerator: int, denominator: int | None) -> int | None:
    """A whole percentage rounded half up, half away from zero when negative (an
    evolution: −12.5 → −13 as 12.5 → 13); None without a (positive) base."""
    if not denominator or denominator <= 0:
        return None
    exact = Decimal(numerator) * 100 / Decimal(denominator)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fr_number(value: int) -> str:
    """4672 → "4 672" (no-break space)."""
    return f"{value:,}".replace(",", NBSP)


def fr_percent(value: int) -> str:
    return f"{value}{NBSP}%"


def label_of(field_name: str) -> str:
    """The French label of a FormAnswer field (its verbose name)."""
    return capfirst(str(FormAnswer._meta.get_field(field_name).verbose_name))


def _share_reading(year: int, share: int | None, template: str) -> str:
    """The "Lecture" sentence of a share: `template` has {year} and {share}."""
    if share is None:
        return f"En {year}, aucune donnée ne permet de calculer cette part."
    return template.format(year=year, share=fr_percent(share))


def _by_form(
    counts: Mapping[str, int], bases: Mapping[str, int] | None = None
) -> dict[str, ExtraValue]:
    """`count_<form>`, `share_<form>` (part of the row) and `share_within_<form>`."""
    total = sum(counts.values())
    extra: dict[str, ExtraValue] = {f"count_{form}": counts[form] for form in FORMS}
    # Denominator: the row's own count, all forms together.
    extra.update({f"share_{form}": percent(counts[form], total) for form in FORMS})
    if bases is not None:
        # Denominator: that form's victims (its accompanied victims, or the base given).
        extra.update({f"share_within_{form}": percent(counts[form], bases[form]) for form in FORMS})
    return extra


def _per_form(figures: CampaignFigures, *fields: str, condition: str | None = None) -> dict:
    """form → sum of the fields (over the answers meeting the condition)."""
    return {form: sum(figures.form(form, name, condition) for name in fields) for form in FORMS}


def _part2_row(
    key: str,
    label: str,
    count: int,
    denominator: int,
    respondents: int,
    **extra: ExtraValue,
) -> Row:
    """A row saying what its share covers: `denominator` victims, `respondents` associations."""
    return Row(
        key,
        label,
        count,
        percent(count, denominator),
        {"denominator": denominator, "respondents": respondents, **extra},
    )


def _figures(source: Source) -> CampaignFigures:
    return source if isinstance(source, CampaignFigures) else CampaignFigures.load(source)


# "victimes {…}" of each form (and of the F1 aggregates), for the "Lecture" sentences.
VICTIMS_OF = {
    "sexual": "d'exploitation sexuelle",
    "labour_total": "d'exploitation par le travail",
    "labour": "d'exploitation par le travail (hors cadre domestique)",
    "domestic": "d'exploitation domestique",
    "crime": "de contrainte à commettre des délits ou des crimes",
    "begging": "de mendicité forcée",
    "other": "d'une autre forme d'exploitation",
    "total": "d'exploitation et/ou de traite des êtres humains",
}


# ------------------------------------------------------------------- Part 1 tables


F1_ROWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sexual", "Exploitation sexuelle", ("sexual",)),
    ("labour_total", "Exploitation par le travail", ("labour", "domestic")),
    ("domestic", "dont exploitation domestique", ("domestic",)),
    ("labour", "dont exploitation par le travail hors domestique", ("labour",)),
    ("crime", "Contrainte à commettre des délits ou crimes", ("crime",)),
    ("begging", "Mendicité forcée", ("begging",)),
    ("other", "Autres formes d'exploitation", ("other",)),
    ("total", "Total", FORMS),
)


def table_f1(source: Source) -> Table:
    """Figure 1: victims detected and the share of them accompanied, by form."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    numbers: dict[str, tuple[int, int, int | None]] = {}
    rows = []
    for key, label, forms in F1_ROWS:
        detected = figures.total("detected", forms=forms)
        accompanied = figures.total("accompanied", forms=forms)
        # Denominator: the victims detected for the same forms.
        share = percent(accompanied, detected)
        numbers[key] = (detected, accompanied, share)
        extra: dict[str, ExtraValue] = {
            "detected": detected,
            "accompanied": accompanied,
            "accompanied_share": share,
        }
        if figures.previous_detected is not None:
            before = sum(figures.previous_detected[form] for form in forms)
            extra["detected_previous"] = before
            # Denominator: the victims detected for the same forms the year before.
            extra["evolution"] = percent(detected - before, before)
        rows.append(Row(key, label, None, None, extra))

    detected, _accompanied, share = numbers[rows[0].key]
    victims = VICTIMS_OF[rows[0].key]
    if not detected:
        reading = f"En {year}, aucune victime {victims} n'a été repérée par les associations."
    else:
        noun, verb = (
            ("victimes", "ont été repérées") if detected > 1 else ("victime", "a été repérée")
        )
        reading = (
            f"En {year}, {fr_number(detected)} {noun} {victims} {verb} par les associations, "
            f"dont {fr_percent(share or 0)} ont bénéficié d'un accompagnement."
        )
    return Table(
        id="F1",
        title=(
            "Nombre de victimes repérées et part des victimes accompagnées par les "
            f"associations en {year}"
        ),
        covered=figures.total("detected"),
        respondents=figures.submissions,
        rows=rows,
        reading=reading,
        note=NOTE if figures.previous_detected is None else f"{NOTE} {NOT_COMPARABLE}",
        chart=None,
        columns=(),
        extra=(
            {}
            if figures.previous_reference_year is None
            else {"previous_reference_year": figures.previous_reference_year}
        ),
    )


def table_f2(source: Source) -> Table:
    """Figure 2: share of the detected victims by form."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    total = figures.total("detected")
    detected = _per_form(figures, "detected")
    # Denominator: all detected victims.
    rows = [
        Row(form, FORM_LABELS[form], detected[form], percent(detected[form], total))
        for form in FORMS
    ]
    return Table(
        id="F2",
        title=(
            f"Part des victimes repérées par les associations en {year}, selon le type "
            "d'exploitation"
        ),
        covered=total,
        respondents=figures.submissions,
        rows=rows,
        reading=_share_reading(
            year,
            rows[0].share,
            "En {year}, {share} des victimes repérées par les associations étaient victimes "
            + f"{VICTIMS_OF[rows[0].key]}.",
        ),
        note=NOTE,
        chart="pie",
        chart_keys=FORMS,
    )


def _breakdown_rows(
    figures: CampaignFigures,
    spec: Iterable[tuple[str, str, tuple[str, ...]]],
    extras: Mapping[str, dict[str, ExtraValue]] | None = None,
) -> list[Row]:
    """Rows of a Part 1 breakdown: (key, label, fields added up) → count and shares, with
    the columns `extras` gives for some keys."""
    accompanied = _per_form(figures, "accompanied")
    total = sum(accompanied.values())
    rows = []
    for key, label, fields in spec:
        counts = _per_form(figures, *fields)
        count = sum(counts.values())
        # Denominator: all accompanied victims; by form, that form's accompanied victims.
        extra = _by_form(counts, accompanied) | (extras or {}).get(key, {})
        rows.append(Row(key, label, count, percent(count, total), extra))
    return rows


PLACE = GROUPS["place"].fields


def table_f3(source: Source) -> Table:
    """Figure 3: where the accompanied victims were exploited, overall and by form."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    rows = _breakdown_rows(
        figures,
        (
            ("france_only", "Exclusivement en France", ("france_only",)),
            ("france_and_abroad", "En France et à l'étranger", ("france_and_abroad",)),
            ("abroad_only", "Exclusivement à l'étranger", ("abroad_only",)),
            (
                "france_any",
                "Au moins en partie en France",
                ("france_only", "france_and_abroad"),
            ),
        ),
    )
    return Table(
        id="F3",
        title=f"Répartition {ACCOMPANIED} en {year}, selon le lieu d'exploitation",
        covered=figures.total("accompanied"),
        respondents=figures.submissions,
        rows=rows,
        reading=_share_reading(
            year,
            rows[0].share,
            f"En {{year}}, {{share}} {ACCOMPANIED} ont été exploitées en France exclusivement.",
        ),
        note=NOTE,
        chart="pie",
        chart_keys=PLACE,
    )


GENDER = GROUPS["gender"].fields


def table_f4(source: Source) -> Table:
    """Figure 4: gender identity, overall and by form."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    extras: dict[str, dict[str, ExtraValue]] = {}
    for trans, among, name in (
        ("trans_women", ("women", "trans_women"), "women"),
        ("trans_men", ("men", "trans_men"), "men"),
    ):
        part, whole = _per_form(figures, trans), _per_form(figures, *among)
        # Denominator: women (men) including trans women (men), all forms, then by form.
        extras[trans] = {f"share_among_{name}": percent(sum(part.values()), sum(whole.values()))}
        extras[trans].update(
            {
                f"share_among_{name}_within_{form}": percent(part[form], whole[form])
                for form in FORMS
            }
        )
    rows = _breakdown_rows(
        figures,
        (
            (
                "women_incl_trans",
                "Femmes (y compris femmes transgenres)",
                ("women", "trans_women"),
            ),
            ("women", label_of("women"), ("women",)),
            ("trans_women", label_of("trans_women"), ("trans_women",)),
            ("men_incl_trans", "Hommes (y compris hommes transgenres)", ("men", "trans_men")),
            ("men", label_of("men"), ("men",)),
            ("trans_men", label_of("trans_men"), ("trans_men",)),
            ("non_binary", label_of("non_binary"), ("non_binary",)),
            ("gender_unknown", label_of("gender_unknown"), ("gender_unknown",)),
            ("trans", "Personnes transgenres", ("trans_women", "trans_men")),
        ),
        extras,
    )
    return Table(
        id="F4",
        title=f"Répartition {ACCOMPANIED} en {year}, selon leur identité de genre",
        covered=figures.total("accompanied"),
        respondents=figures.submissions,
        rows=rows,
        reading=_share_reading(
            year, rows[0].share, f"En {{year}}, {{share}} {ACCOMPANIED} étaient des femmes."
        ),
        note=NOTE,
        chart="pie",
        chart_keys=GENDER,
    )


def table_f5(source: Source) -> Table:
    """Figure 5: age (adults, minors, bands), by form; adults who were minors at the start."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    rows = _breakdown_rows(
        figures,
        (
            ("adults", "Majeures (18 ans et plus)", ("age_18_24", "age_25_plus")),
            ("minors", "Mineures (moins de 18 ans)", ("under_15", "age_15_17")),
            *((name, label_of(name), (name,)) for name in GROUPS["age"].fields),
        ),
    )
    # Denominator: the adults of the forms whose association answered the question.
    condition = "f_adults_minor_at_start"
    adults = _per_form(figures, "age_18_24", "age_25_plus", condition=condition)
    counts = _per_form(figures, "adults_minor_at_start")
    rows.append(
        _part2_row(
            "adults_minor_at_start",
            label_of("adults_minor_at_start"),
            sum(counts.values()),
            sum(adults.values()),
            figures.respondents[condition],
            **_by_form(counts, adults),
        )
    )
    return Table(
        id="F5",
        title=f"Répartition {ACCOMPANIED} en {year}, selon leur âge",
        covered=figures.total("accompanied"),
        respondents=figures.submissions,
        rows=rows,
        reading=_share_reading(
            year, rows[0].share, f"En {{year}}, {{share}} {ACCOMPANIED} étaient majeures."
        ),
        note=NOTE,
        chart="pie",
        chart_keys=("adults", "minors", "age_unknown"),
    )


def _regions(figures: CampaignFigures) -> dict[str, dict[str, int]]:
    """region → form → accompanied victims (`unknown`: origin not given)."""
    regions = {str(region): dict.fromkeys(FORMS, 0) for region in Region}
    for (country, form), count in figures.origins.items():
        regions[region_of(country)][form] += count
    for form in FORMS:
        regions[Region.UNKNOWN][form] += figures.form(form, "origin_unknown")
    return regions


FROM_REGION = {
    Region.WESTERN_EUROPE: "d'Europe de l'Ouest",
    Region.EASTERN_SOUTHERN_EUROPE: "d'Europe de l'Est et du Sud",
    Region.NORTH_AFRICA: "d'Afrique du Nord",
    Region.WEST_AFRICA_EXCL_NIGERIA: "d'Afrique de l'Ouest (hors Nigéria)",
    Region.NIGERIA: "du Nigéria",
    Region.CENTRAL_AFRICA: "d'Afrique centrale",
    Region.EAST_AFRICA: "d'Afrique de l'Est",
    Region.LATIN_AMERICA_CARIBBEAN: "d'Amérique latine et des Caraïbes",
    Region.NORTH_AMERICA: "d'Amérique du Nord",
    Region.ASIA: "d'Asie",
    Region.OCEANIA: "d'Océanie",
    Region.UNKNOWN: "d'un pays non précisé",
}


def table_map(source: Source) -> Table:
    """The map: victims by region of origin, their main countries and forms; continents."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    accompanied = figures.total("accompanied")
    by_country: dict[str, int] = {}
    for (country, _form), count in figures.origins.items():
        by_country[country] = by_country.get(country, 0) + count
    ranked = sorted(by_country.items(), key=lambda item: (-item[1], item[0]))

    rows = []
    for region, counts in _regions(figures).items():
        count = sum(counts.values())
        extra = _by_form(counts)  # share_<form>: denominator, the region's victims
        extra["share_labour_incl_domestic"] = percent(counts["labour"] + counts["domestic"], count)
        if region != Region.UNKNOWN:
            extra["main_countries"] = [code for code, _n in ranked if region_of(code) == region][
                :MAIN_COUNTRIES
            ]
        if region == Region.WESTERN_EUROPE:
            extra["french"] = by_country.get("FR", 0)
        # Denominator: all accompanied victims, origin unknown included.
        rows.append(Row(region, Region(region).label, count, percent(count, accompanied), extra))

    french = by_country.get("FR", 0)
    foreign = sum(by_country.values()) - french
    continents = dict.fromkeys(Continent.values, 0)
    for code, count in by_country.items():
        if code != "FR":
            continents[REGION_CONTINENT[region_of(code)]] += count
    table_extra = {
        "french": french,
        "foreign": foreign,
        "distinct_countries": sum(1 for code in by_country if code != "FR"),
        "origin_unknown": figures.total("origin_unknown"),
        # Denominator: foreign victims of known nationality.
        "foreign_by_continent": [
            {
                "key": str(continent),
                "label": Continent(continent).label,
                "count": count,
                "share": percent(count, foreign),
            }
            for continent, count in continents.items()
        ],
        "countries": [
            {"key": code, "label": country_name(code), "region": region_of(code), "count": n}
            for code, n in ranked
        ],
    }
    first = rows[0]
    if first.count:
        plural = first.count > 1
        reading = (
            f"En {year}, {fr_number(first.count)} {'victimes' if plural else 'victime'} "
            "d'exploitation et/ou de traite des êtres humains "
            f"{'accompagnées' if plural else 'accompagnée'} par les associations "
            f"{'étaient originaires' if plural else 'était originaire'} {FROM_REGION[first.key]}."
        )
    else:
        reading = (
            f"En {year}, aucune victime accompagnée par les associations n'était originaire "
            f"{FROM_REGION[first.key]}."
        )
    return Table(
        id="MAP",
        title=f"Pays d'origine {ALL_VICTIMS} accompagnées en France en {year}",
        covered=accompanied,
        respondents=figures.submissions,
        rows=rows,
        reading=reading,
        note=NOTE,
        chart="map",
        extra=table_extra,
    )


# ------------------------------------------------------------------- Part 2 tables


def _distribution_rows(
    figures: CampaignFigures,
    condition: str,
    spec: Iterable[tuple[str, str]],
    extras: Mapping[str, dict[str, ExtraValue]] | None = None,
) -> list[Row]:
    """Rows of a Part 2 distribution: each field over the accompanied victims of the forms
    that answered at least one field of it (`condition`), with the columns `extras` gives
    for some keys."""
    denominator = figures.total("accompanied", condition)
    respondents = figures.respondents[condition]
    return [
        _part2_row(
            key,
            label,
            figures.total(key),
            denominator,
            respondents,
            **(extras or {}).get(key, {}),
        )
        for key, label in spec
    ]


def _field_row(
    figures: CampaignFigures, key: str, label: str | None = None, **extra: ExtraValue
) -> Row:
    """A Part 2 indicator over the accompanied victims of the forms that answered it."""
    condition = f"f_{key}"
    return _part2_row(
        key,
        label or label_of(key),
        figures.total(key),
        figures.total("accompanied", condition),
        figures.respondents[condition],
        **extra,
    )


def _part2_table(
    figures: CampaignFigures,
    id: str,
    condition: str,
    title: str,
    rows: list[Row],
    template: str,
    chart: str | None,
    chart_keys: tuple[str, ...] = (),
) -> Table:
    year = figures.campaign.reference_year
    return Table(
        id=id,
        title=title,
        covered=figures.total("accompanied", condition),
        respondents=figures.respondents[condition],
        rows=rows,
        reading=_share_reading(year, rows[0].share, template),
        note=NOTE,
        chart=chart,
        chart_keys=chart_keys,
    )


def table_f6(source: Source) -> Table:
    """Figure 6: unaccompanied minors by form; share of minors; share reported."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    mna = _per_form(figures, "unaccompanied_minors")
    total = sum(mna.values())
    rows = [
        # Denominator: all MNA (of the forms that gave the count).
        _part2_row(
            form,
            FORM_LABELS[form],
            mna[form],
            total,
            figures.answers("f_unaccompanied_minors", form),
        )
        for form in FORMS
    ]
    rows.append(
        # Denominator: the minors of the forms whose association gave the MNA count.
        _part2_row(
            "unaccompanied_minors",
            label_of("unaccompanied_minors"),
            total,
            figures.total("under_15", "f_unaccompanied_minors")
            + figures.total("age_15_17", "f_unaccompanied_minors"),
            figures.respondents["f_unaccompanied_minors"],
        )
    )
    rows.append(
        # Denominator: the MNA of the forms that also say how many were reported.
        _part2_row(
            "unaccompanied_minors_reported",
            label_of("unaccompanied_minors_reported"),
            figures.total("unaccompanied_minors_reported", "p_mna_reported"),
            figures.total("unaccompanied_minors", "p_mna_reported"),
            figures.respondents["p_mna_reported"],
        )
    )
    return _part2_table(
        figures,
        "F6",
        "g_unaccompanied_minors",
        f"Répartition des MNA accompagnés et accompagnées par les associations en {year}, "
        "selon le type d'exploitation",
        rows,
        "En {year}, {share} des MNA accompagnés et accompagnées par les associations étaient "
        f"victimes {VICTIMS_OF[rows[0].key]}.",
        "pie",
        FORMS,
    )


def table_f7(source: Source) -> Table:
    """Figure 7: how victims were referred; how long they have been supported."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    rows = _distribution_rows(
        figures,
        "g_referral",
        (
            ("referral_association", "Activités de l'association"),
            ("referral_professional", "Orientation par un professionnel ou une professionnelle"),
            ("referral_private", "Orientation par des particuliers ou particulières"),
        ),
    ) + _distribution_rows(
        figures,
        "g_support_duration",
        ((name, label_of(name)) for name in GROUPS["support_duration"].fields),
    )
    return _part2_table(
        figures,
        "F7",
        "g_f7",
        f"Répartition des victimes accompagnées par les associations en {year}, selon le mode "
        "d'orientation",
        rows,
        "En {year}, {share} des victimes accompagnées sont entrées en contact avec "
        "l'association grâce aux activités de cette dernière.",
        "pie",
        GROUPS["referral"].fields,
    )


def table_f8(source: Source) -> Table:
    """Figure 8: vulnerabilities, and how each splits between the forms."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    rows = []
    for key, label in (
        ("pregnancy", "État de grossesse"),
        ("dependent_children", "Enfants à charge"),
        ("disability", "En situation de handicap"),
        ("addiction", label_of("addiction")),
    ):
        counts = _per_form(figures, key)
        # Denominator by form: that form's accompanied victims, where the field is answered.
        bases = _per_form(figures, "accompanied", condition=f"f_{key}")
        rows.append(_field_row(figures, key, label, **_by_form(counts, bases)))
    return _part2_table(
        figures,
        "F8",
        "g_vulnerabilities",
        "Vulnérabilités antérieures et/ou afférentes à une situation d'exploitation et/ou de "
        f"traite des êtres humains vécues par les victimes accompagnées par les associations en "
        f"{year}",
        rows,
        f"En {{year}}, {{share}} {ACCOMPANIED} ont connu une grossesse au cours de leur "
        "exploitation.",
        None,
    )


def table_f9(source: Source) -> Table:
    """Figure 9: network or other context, and the other signs of the exploiter's hold."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    network = _field_row(figures, "network", "Réseau")
    other_context = _part2_row(
        "other_context",
        "Autre cadre",
        # Denominator (both rows): the accompanied victims of the forms answering `network`.
        network.extra["denominator"] - network.count,
        network.extra["denominator"],
        network.extra["respondents"],
    )
    rows = [
        network,
        other_context,
        _field_row(figures, "still_exploited_at_contact"),
        _field_row(figures, "housed_by_exploiter"),
        # Denominator: those housed by the exploiter, where both are answered.
        _part2_row(
            "living_at_workplace",
            label_of("living_at_workplace"),
            figures.total("living_at_workplace", "p_housed_living"),
            figures.total("housed_by_exploiter", "p_housed_living"),
            figures.respondents["p_housed_living"],
        ),
        _field_row(figures, "transfer_organised"),
        _field_row(figures, "needs_adapted_housing"),
        # Denominator: those needing adapted housing, where both are answered.
        _part2_row(
            "adapted_housing_offered",
            label_of("adapted_housing_offered"),
            figures.total("adapted_housing_offered", "p_housing_offered"),
            figures.total("needs_adapted_housing", "p_housing_offered"),
            figures.respondents["p_housing_offered"],
        ),
    ]
    return _part2_table(
        figures,
        "F9",
        "g_control",
        f"Part {ACCOMPANIED} en {year} exploitées dans le cadre d'un réseau",
        rows,
        f"En {{year}}, {{share}} {ACCOMPANIED} ont été exploitées dans le cadre d'un réseau.",
        "pie",
        ("network", "other_context"),
    )


def table_f10(source: Source) -> Table:
    """Figure 10: the victim's link with the exploiter."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    rows = _distribution_rows(
        figures,
        "g_link",
        (
            ("link_family", "Membre de la famille"),
            ("link_entourage", "Membre de l'entourage"),
            ("link_employer", "Employeur ou employeuse"),
            ("link_other", "Autre ou non renseigné"),
        ),
    )
    return _part2_table(
        figures,
        "F10",
        "g_link",
        f"Répartition {ACCOMPANIED} en {year}, selon le lien entre la victime et l'exploiteur "
        "ou l'exploiteuse",
        rows,
        f"En {{year}}, {{share}} {ACCOMPANIED} ont été exploitées par un membre de leur famille.",
        "pie",
        GROUPS["link"].fields,
    )


def table_sej(source: Source) -> Table:
    """Residence rights: permits held and pending by ground, irregular, delays, exit programme."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    held_total = sum(figures.total(name) for name in HELD)
    pending_total = sum(figures.total(name) for name in PENDING)
    delay_total = sum(figures.total(name) for name in DELAYS)
    rows = [
        # Denominator: the eligible, accompanied − not concerned, of the forms that give
        # both the permits held and the number not concerned.
        _part2_row(
            "permit_held",
            "Titulaires d'un titre de séjour (parmi les victimes éligibles)",
            sum(figures.total(name, "p_eligible") for name in HELD),
            figures.total("accompanied", "p_eligible")
            - figures.total("residence_not_concerned", "p_eligible"),
            figures.respondents["p_eligible"],
        ),
        # Denominator: the permits held (all grounds) of the forms that answered them.
        *(
            _part2_row(
                name, label_of(name), figures.total(name), held_total, figures.respondents["g_held"]
            )
            for name in HELD
        ),
        # Denominator: the foreign victims (known nationality other than French) of the
        # forms that answered `irregular`.
        _part2_row(
            "irregular",
            "En situation irrégulière (parmi les victimes de nationalité étrangère)",
            figures.total("irregular"),
            sum(figures.foreign_if_irregular.values()),
            figures.respondents["f_irregular"],
        ),
        # Denominator: the accompanied victims of the forms that answered the pending ones.
        _part2_row(
            "permit_pending",
            "Demande de titre de séjour en cours",
            pending_total,
            figures.total("accompanied", "g_pending"),
            figures.respondents["g_pending"],
        ),
        # Denominator: the pending applications (all grounds).
        *(
            _part2_row(
                name,
                label_of(name),
                figures.total(name),
                pending_total,
                figures.respondents["g_pending"],
            )
            for name in PENDING
        ),
        _field_row(figures, "residence_not_concerned"),
        # Denominator: the permits whose delay is given (all delays).
        *(
            _part2_row(
                name,
                label_of(name),
                figures.total(name),
                delay_total,
                figures.respondents["g_delay"],
            )
            for name in DELAYS
        ),
        # Denominator: the accompanied victims of sexual exploitation, where answered.
        _part2_row(
            "exit_programme",
            "En parcours de sortie de la prostitution (parmi les victimes d'exploitation sexuelle)",
            figures.form("sexual", "exit_programme"),
            figures.form("sexual", "accompanied", "f_exit_programme"),
            figures.answers("f_exit_programme", "sexual"),
        ),
    ]
    return _part2_table(
        figures,
        "SEJ",
        "g_residence",
        f"Droit au séjour {ACCOMPANIED} en {year}",
        rows,
        "En {year}, parmi les victimes accompagnées éligibles à un titre de séjour, {share} "
        "en bénéficiaient.",
        None,
    )


def table_f12(source: Source) -> Table:
    """Figure 12: complaints filed, civil party, suspects identified, refusals."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    filed = sum(figures.total(name) for name in COMPLAINTS_FILED)
    rows = _distribution_rows(
        figures,
        "g_complaint_split",
        (
            ("complaint_thb", "Plainte déposée pour au moins un motif de traite des êtres humains"),
            ("complaint_other", "Plainte déposée pour une autre infraction"),
            ("no_complaint", "Pas de plainte déposée"),
            ("complaint_unspecified", "Plainte dont le motif n'est pas renseigné"),
        ),
        {
            # Denominator: the complaints filed (THB + other + unspecified).
            name: {"share_of_complaints": percent(figures.total(name), filed)}
            for name in COMPLAINTS_FILED
        },
    )
    rows += [
        # Denominator: the accompanied victims of the forms that answered the split.
        _part2_row(
            "complaint_any",
            "Plainte déposée (tous motifs)",
            filed,
            figures.total("accompanied", "g_complaint_split"),
            figures.respondents["g_complaint_split"],
        ),
        _field_row(figures, "civil_party"),
        _field_row(figures, "no_complaint_before_support"),
        Row(
            "suspects_identified",
            "Mis et mises en cause identifiés grâce aux victimes",
            figures.per_submission["sum_suspects_identified"],
            None,
            {
                "denominator": None,
                "respondents": figures.per_submission["answered_suspects_identified"],
            },
        ),
        _field_row(figures, "complaint_refused"),
    ]
    return _part2_table(
        figures,
        "F12",
        "g_complaints",
        f"Part {ACCOMPANIED} en {year} ayant déposé plainte auprès des forces de sécurité ou "
        "du procureur ou de la procureure",
        rows,
        f"En {{year}}, {{share}} {ACCOMPANIED} ont déposé plainte pour l'infraction principale "
        "de traite des êtres humains.",
        "pie",
        ("complaint_thb", "complaint_other", "no_complaint", "complaint_unspecified"),
    )


COURT_OUTCOMES = (
    "case_ongoing",
    "case_prosecuted",
    "case_dismissed",
    "case_alternative",
    "case_no_news",
)


def table_f13(source: Source) -> Table:
    """Figure 13: what became of the cases."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    # Denominator: the court-outcome total (prosecuted_thb is a "dont" of prosecuted).
    outcomes = sum(figures.total(name) for name in COURT_OUTCOMES)
    respondents = figures.respondents["g_court"]
    labels = {
        "case_ongoing": "Affaires en cours",
        "case_prosecuted": "Affaires poursuivies",
        "case_dismissed": "Affaires classées sans suite",
        "case_alternative": "Alternative aux poursuites",
        "case_no_news": "Sans information récente",
    }
    rows = [
        _part2_row(name, labels[name], figures.total(name), outcomes, respondents)
        for name in COURT_OUTCOMES
    ]
    rows.insert(
        2,
        # Denominator: the prosecuted cases of the forms that also give the THB ones.
        _part2_row(
            "case_prosecuted_thb",
            "dont poursuivies sur l'infraction de traite",
            figures.total("case_prosecuted_thb", "p_prosecuted_thb"),
            figures.total("case_prosecuted", "p_prosecuted_thb"),
            figures.respondents["p_prosecuted_thb"],
        ),
    )
    rows.append(
        Row(
            "association_civil_party_cases",
            "Affaires où l'association s'est constituée partie civile",
            figures.per_submission["sum_association_civil_party_cases"],
            None,
            {
                "denominator": None,
                "respondents": figures.per_submission["answered_association_civil_party_cases"],
            },
        )
    )
    return _part2_table(
        figures,
        "F13",
        "g_court",
        f"Répartition des suites judiciaires données aux dépôts de plainte {ACCOMPANIED} en {year}",
        rows,
        "En {year}, {share} des affaires issues d'un dépôt de plainte étaient en cours "
        "d'investigation.",
        "pie",
        COURT_OUTCOMES,
    )


def table_crime(source: Source) -> Table:
    """Focus on the victims forced to commit offences (form `crime`)."""
    figures = _figures(source)
    year = figures.campaign.reference_year

    def crime(name: str, condition: str | None = None) -> int:
        return figures.form("crime", name, condition)

    accompanied = crime("accompanied")
    adults = crime("age_18_24") + crime("age_25_plus")
    # Denominator: the crime victims of the forms that answered the complaint split.
    answered = crime("accompanied", "g_complaint_split")
    answered_by = figures.answers("g_complaint_split", "crime")
    rows = [
        # Denominator: the accompanied crime victims.
        _part2_row(
            "minors",
            "Mineures (moins de 18 ans)",
            crime("under_15") + crime("age_15_17"),
            accompanied,
            figures.submissions,
        ),
        _part2_row(
            "boys_and_men",
            "Garçons et hommes (y compris transgenres)",
            crime("men") + crime("trans_men"),
            accompanied,
            figures.submissions,
        ),
        # Denominator: the adult crime victims.
        _part2_row(
            "adults_under_25",
            "Âgées de 18 à 24 ans (parmi les majeures)",
            crime("age_18_24"),
            adults,
            figures.submissions,
        ),
        _part2_row(
            "no_complaint", "Pas de plainte déposée", crime("no_complaint"), answered, answered_by
        ),
        _part2_row(
            "complaint_thb",
            "Plainte déposée pour au moins un motif de traite",
            crime("complaint_thb"),
            answered,
            answered_by,
        ),
    ]
    return Table(
        id="CRIME",
        title=(
            "Focus : les victimes de contrainte à commettre des délits ou des crimes "
            f"accompagnées par les associations en {year}"
        ),
        covered=accompanied,
        respondents=figures.submissions,
        rows=rows,
        reading=_share_reading(
            year,
            rows[0].share,
            "En {year}, {share} des victimes contraintes à commettre des délits ou des crimes "
            "accompagnées par les associations étaient mineures.",
        ),
        note=NOTE,
        chart=None,
    )


def table_ins(source: Source) -> Table:
    """Employment: victims supported towards work, and the contracts they obtained."""
    figures = _figures(source)
    year = figures.campaign.reference_year
    rows = [
        _field_row(figures, "employment_support"),
        # Denominators: those supported towards work, of the forms that also give the
        # contracts.
        _part2_row(
            "employed_cdi",
            label_of("employed_cdi"),
            figures.total("employed_cdi", "p_employed_cdi"),
            figures.total("employment_support", "p_employed_cdi"),
            figures.respondents["p_employed_cdi"],
        ),
        _part2_row(
            "employed_cdd",
            label_of("employed_cdd"),
            figures.total("employed_cdd", "p_employed_cdd"),
            figures.total("employment_support", "p_employed_cdd"),
            figures.respondents["p_employed_cdd"],
        ),
        _part2_row(
            "employed",
            "Ont obtenu un CDI ou un CDD",
            figures.total("employed_cdi", "p_employed")
            + figures.total("employed_cdd", "p_employed"),
            figures.total("employment_support", "p_employed"),
            figures.respondents["p_employed"],
        ),
    ]
    return _part2_table(
        figures,
        "INS",
        "g_employment",
        f"Insertion professionnelle {ACCOMPANIED} en {year}",
        rows,
        "En {year}, {share} des victimes accompagnées par les associations ont bénéficié "
        "d'un accompagnement vers l'insertion professionnelle.",
        None,
    )


TABLES: dict[str, Callable[[Source], Table]] = {
    "F1": table_f1,
    "F2": table_f2,
    "F3": table_f3,
    "F4": table_f4,
    "F5": table_f5,
    "F6": table_f6,
    "MAP": table_map,
    "F7": table_f7,
    "F8": table_f8,
    "F9": table_f9,
    "F10": table_f10,
    "SEJ": table_sej,
    "F12": table_f12,
    "F13": table_f13,
    "CRIME": table_crime,
    "INS": table_ins,
}


def all_tables(campaign: Campaign) -> dict[str, Table]:
    """Every published table of the campaign, keyed by id, from one load of its figures."""
    figures = CampaignFigures.load(campaign)
    return {id: build(figures) for id, build in TABLES.items()}
