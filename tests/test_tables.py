"""reports/tables.py: every published table, on a small dataset computed by hand.

The cast (campaign 2024, reference year 2023), VALIDATED:

- A: `sexual` (10 detected, 8 accompanied) and `crime` (4, 4), with most of Part 2;
- B: `labour` (6, 3) and `domestic` (2, 2), with little of Part 2 (links, network of
  `labour`, suspects identified left blank);
- C: detected no one (it still counts as a respondent of Part 1 tables).

Submitted, draft and returned submissions, and a validated one of another campaign, carry
big numbers that must not show anywhere.
"""

import json
from dataclasses import replace

import pytest

from reports.figures import SHARE_BASES, CampaignFigures
from reports.tables import (
    NBSP,
    NOT_COMPARABLE,
    NOTE,
    TABLES,
    Table,
    all_tables,
    fr_number,
    percent,
    table_f1,
)
from survey.models import Association, Campaign, Submission
from survey.questionnaire import FORMS
from survey.services import submission_save_data

# CampaignFigures.load, whatever the number of associations: the previous campaign, the
# stamps, the stored figures; then, when they are not the campaign's, 4 queries to compute
# them and 2 at most to store them (update, else insert), for the campaign and for the
# previous one.
STORED_QUERIES = 3
QUERIES = STORED_QUERIES + 6
QUERIES_WITH_PREVIOUS = STORED_QUERIES + 2 * 6


def add_submission(
    campaign: Campaign,
    identifier: str,
    forms: dict,
    status: str = Submission.Status.VALIDATED,
    **fields,
) -> Submission:
    association = Association.objects.create(
        name=f"Association {identifier}", identifier=identifier
    )
    submission = Submission.objects.create(
        association=association, campaign=campaign, status=status, **fields
    )
    submission_save_data(submission=submission, data={"forms": forms})
    return submission


A_SEXUAL = {
    "detected": 10,
    "accompanied": 8,
    "france_only": 3,
    "france_and_abroad": 4,
    "abroad_only": 1,
    "women": 5,
    "trans_women": 2,
    "men": 1,
    "age_15_17": 1,
    "age_18_24": 3,
    "age_25_plus": 4,
    "origin": {"NG": 5, "FR": 2},
    "origin_unknown": 1,
    "network": 6,
    "pregnancy": 2,
    "housed_by_exploiter": 4,
    "living_at_workplace": 1,
    "link_family": 2,
    "link_entourage": 4,
    "link_employer": 1,
    "link_other": 1,
    "complaint_thb": 4,
    "complaint_other": 1,
    "no_complaint": 3,
    "civil_party": 2,
    "exit_programme": 1,
    "referral_association": 5,
    "referral_professional": 3,
    "unaccompanied_minors": 1,
    "unaccompanied_minors_reported": 1,
    "adults_minor_at_start": 1,
    "residence_not_concerned": 2,
    "permit_held_l425_1": 3,
    "permit_held_other": 1,
    "irregular": 1,
    "employment_support": 2,
    "employed_cdi": 1,
    "case_ongoing": 2,
    "case_prosecuted": 2,
    "case_prosecuted_thb": 1,
    "case_dismissed": 1,
}
A_CRIME = {
    "detected": 4,
    "accompanied": 4,
    "france_only": 4,
    "women": 1,
    "men": 3,
    "under_15": 1,
    "age_15_17": 2,
    "age_18_24": 1,
    "origin": {"MA": 2, "DZ": 1},
    "origin_unknown": 1,
    "no_complaint": 3,
    "complaint_thb": 1,
    "unaccompanied_minors": 2,
    "network": 4,
}
B_LABOUR = {
    "detected": 6,
    "accompanied": 3,
    "france_only": 3,
    "men": 3,
    "age_25_plus": 3,
    "origin": {"UA": 1, "PE": 2},
    "pregnancy": 0,
    "referral_private": 3,
    "employment_support": 2,
    "employed_cdi": 0,
    "employed_cdd": 1,
}
B_DOMESTIC = {
    "detected": 2,
    "accompanied": 2,
    "france_only": 2,
    "women": 2,
    "age_25_plus": 2,
    "origin": {"PH": 2},
    "network": 0,
    "pregnancy": 0,
}
# What must never be counted: every field of Part 1 and most of Part 2 are big.
NOISE = {
    "detected": 1000,
    "accompanied": 1000,
    "france_only": 1000,
    "women": 1000,
    "age_25_plus": 1000,
    "origin": {"NG": 1000},
    "network": 1000,
    "pregnancy": 1000,
    "link_family": 1000,
    "complaint_thb": 1000,
    "case_ongoing": 1000,
    "employment_support": 1000,
    "unaccompanied_minors": 1000,
}


@pytest.fixture
def tables(campaign) -> dict[str, Table]:
    add_submission(
        campaign, "W751000011", {"sexual": A_SEXUAL, "crime": A_CRIME}, suspects_identified=3
    )
    add_submission(
        campaign,
        "W751000012",
        {"labour": B_LABOUR, "domestic": B_DOMESTIC},
        association_civil_party_cases=1,
    )
    add_submission(campaign, "W751000013", {})
    for number, status in enumerate(
        (Submission.Status.SUBMITTED, Submission.Status.DRAFT, Submission.Status.RETURNED)
    ):
        add_submission(
            campaign,
            f"W75100002{number}",
            dict.fromkeys(FORMS, NOISE),
            status=status,
            suspects_identified=1000,
        )
    # A later campaign: an earlier one would be the previous campaign, shown in F1.
    later = Campaign.objects.create(year=2025, reference_year=2024)
    add_submission(later, "W751000030", dict.fromkeys(FORMS, NOISE))
    return all_tables(campaign)


def rows(table: Table, *columns: str) -> dict[str, tuple]:
    """key → (count, share, *extra columns) of every row."""
    return {
        row.key: (row.count, row.share, *(row.extra[column] for column in columns))
        for row in table.rows
    }


# ------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (2, 8, 25),
        (1, 8, 13),  # 12.5 → 13: half up
        (5, 8, 63),  # 62.5 → 63
        (1, 40, 3),  # 2.5 → 3, where round() says 2
        (2, 3, 67),
        (1, 3, 33),
        (0, 5, 0),
        (7, 7, 100),
        (0, 0, None),
        (3, 0, None),
    ],
)
def test_percent_rounds_half_up_and_is_none_without_a_base(numerator, denominator, expected):
    assert percent(numerator, denominator) == expected


def test_french_numbers_use_a_no_break_space():
    assert fr_number(4672) == f"4{NBSP}672"
    assert fr_number(1234567) == f"1{NBSP}234{NBSP}567"
    assert fr_number(42) == "42"


# -------------------------------------------------------------------------- tables


def test_every_table_is_there_in_the_report_order(tables):
    assert list(tables) == [
        "F1", "F2", "F3", "F4", "F5", "F6", "MAP", "F7", "F8", "F9", "F10", "SEJ", "F12",
        "F13", "CRIME", "INS",
    ]  # fmt: skip
    for id, table in tables.items():
        assert table.id == id
        assert table.note == NOTE
        assert "2023" in table.title
        assert table.reading.startswith("En 2023, ")
        assert table.chart in {"pie", "bar", "map", None}
        assert set(table.chart_keys) <= {row.key for row in table.rows}


def test_f1_detected_and_accompanied_by_form(tables):
    f1 = tables["F1"]
    assert rows(f1, "detected", "accompanied", "accompanied_share") == {
        "sexual": (None, None, 10, 8, 80),
        "labour_total": (None, None, 8, 5, 63),  # 62.5 → 63
        "domestic": (None, None, 2, 2, 100),
        "labour": (None, None, 6, 3, 50),
        "crime": (None, None, 4, 4, 100),
        "begging": (None, None, 0, 0, None),
        "other": (None, None, 0, 0, None),
        "total": (None, None, 22, 17, 77),
    }
    assert (f1.covered, f1.respondents) == (22, 3)  # C detected no one and still counts
    assert f1.reading == (
        f"En 2023, 10 victimes d'exploitation sexuelle ont été repérées par les associations, "
        f"dont 80{NBSP}% ont bénéficié d'un accompagnement."
    )
    assert f1.title == (
        "Nombre de victimes repérées et part des victimes accompagnées par les associations en 2023"
    )
    assert f1.chart is None


def test_f1_as_json_has_exactly_the_rows_and_columns_of_the_questionnaire(tables):
    data = tables["F1"].as_json()
    assert list(data) == ["title", "covered", "respondents", "rows"]
    assert [row["key"] for row in data["rows"]] == [
        "sexual", "labour_total", "domestic", "labour", "crime", "begging", "other", "total",
    ]  # fmt: skip
    for row in data["rows"]:
        assert list(row) == ["key", "label", "detected", "accompanied", "accompanied_share"]
    assert data["rows"][0] == {
        "key": "sexual",
        "label": "Exploitation sexuelle",
        "detected": 10,
        "accompanied": 8,
        "accompanied_share": 80,
    }


def test_every_table_is_json_serialisable_with_count_and_share(tables):
    for id, table in tables.items():
        data = json.loads(json.dumps(table.as_json()))
        assert {"title", "covered", "respondents", "rows"} <= set(data)
        if id != "F1":
            for row in data["rows"]:
                assert {"key", "label", "count", "share"} <= set(row), (id, row["key"])


def test_f2_share_of_detected_by_form(tables):
    f2 = tables["F2"]
    assert rows(f2) == {
        "sexual": (10, 45),
        "labour": (6, 27),
        "domestic": (2, 9),
        "crime": (4, 18),
        "begging": (0, 0),
        "other": (0, 0),
    }
    assert (f2.covered, f2.respondents) == (22, 3)
    assert f2.reading == (
        f"En 2023, 45{NBSP}% des victimes repérées par les associations étaient victimes "
        "d'exploitation sexuelle."
    )


def test_f3_place_overall_and_by_form(tables):
    f3 = tables["F3"]
    assert rows(f3) == {
        "france_only": (12, 71),
        "france_and_abroad": (4, 24),
        "abroad_only": (1, 6),
        "france_any": (16, 94),
    }
    france_only = f3.row("france_only").extra
    assert france_only["share_within_labour"] == 100  # "93 % of labour victims"
    assert france_only["share_within_sexual"] == 38  # 3 of 8 = 37.5
    assert france_only["share_within_begging"] is None  # no begging victim
    assert france_only["count_crime"] == 4
    assert france_only["share_crime"] == 33  # 4 of the 12
    assert f3.row("abroad_only").extra["share_within_sexual"] == 13  # 1 of 8 = 12.5
    assert (f3.covered, f3.respondents) == (17, 3)
    assert f3.chart_keys == ("france_only", "france_and_abroad", "abroad_only")
    assert f3.reading == (
        f"En 2023, 71{NBSP}% des victimes d'exploitation et/ou de traite des êtres humains "
        "accompagnées par les associations ont été exploitées en France exclusivement."
    )


def test_f4_gender_with_trans_shares(tables):
    f4 = tables["F4"]
    assert rows(f4) == {
        "women_incl_trans": (10, 59),
        "women": (8, 47),
        "trans_women": (2, 12),
        "men_incl_trans": (7, 41),
        "men": (7, 41),
        "trans_men": (0, 0),
        "non_binary": (0, 0),
        "gender_unknown": (0, 0),
        "trans": (2, 12),
    }
    assert f4.row("women_incl_trans").extra["share_within_sexual"] == 88  # 7 of 8
    trans_women = f4.row("trans_women").extra
    assert trans_women["share_among_women"] == 20  # 2 of 10
    assert trans_women["share_among_women_within_sexual"] == 29  # 2 of 7
    assert trans_women["share_among_women_within_begging"] is None
    assert f4.row("trans_men").extra["share_among_men"] == 0
    assert f4.reading == (
        f"En 2023, 59{NBSP}% des victimes d'exploitation et/ou de traite des êtres humains "
        "accompagnées par les associations étaient des femmes."
    )


def test_f5_age_minors_and_adults_minor_at_start(tables):
    f5 = tables["F5"]
    assert rows(f5) == {
        "adults": (13, 76),
        "minors": (4, 24),
        "under_15": (1, 6),
        "age_15_17": (3, 18),
        "age_18_24": (4, 24),
        "age_25_plus": (9, 53),
        "age_unknown": (0, 0),
        "adults_minor_at_start": (1, 14),  # of the 7 adults of A's sexual form only
    }
    minors = f5.row("minors").extra
    assert (minors["share_sexual"], minors["share_crime"]) == (25, 75)  # split of minors
    assert minors["share_within_crime"] == 75  # 3 of the 4 crime victims
    at_start = f5.row("adults_minor_at_start").extra
    assert (at_start["denominator"], at_start["respondents"]) == (7, 1)
    assert (f5.covered, f5.respondents) == (17, 3)
    assert f5.reading.endswith("accompagnées par les associations étaient majeures.")


def test_f6_unaccompanied_minors(tables):
    f6 = tables["F6"]
    assert rows(f6, "denominator", "respondents") == {
        "sexual": (1, 33, 3, 1),
        "labour": (0, 0, 3, 0),
        "domestic": (0, 0, 3, 0),
        "crime": (2, 67, 3, 1),
        "begging": (0, 0, 3, 0),
        "other": (0, 0, 3, 0),
        # of the 4 minors of the forms that gave the MNA count
        "unaccompanied_minors": (3, 75, 4, 1),
        # of the MNA of the forms that say how many were reported: A's sexual only
        "unaccompanied_minors_reported": (1, 100, 1, 1),
    }
    assert (f6.covered, f6.respondents) == (12, 1)  # B and C did not answer
    assert f6.reading == (
        f"En 2023, 33{NBSP}% des MNA accompagnés et accompagnées par les associations étaient "
        "victimes d'exploitation sexuelle."
    )


def test_map_regions_countries_and_continents(tables):
    origin = tables["MAP"]
    assert [row.key for row in origin.rows][-1] == "unknown"
    counted = {row.key: (row.count, row.share) for row in origin.rows if row.count}
    assert counted == {
        "western_europe": (2, 12),
        "eastern_southern_europe": (1, 6),
        "north_africa": (3, 18),
        "nigeria": (5, 29),
        "latin_america_caribbean": (2, 12),
        "asia": (2, 12),
        "unknown": (2, 12),
    }
    assert origin.row("oceania").count == 0
    assert origin.row("oceania").extra["share_sexual"] is None
    western = origin.row("western_europe").extra
    assert (western["french"], western["share_sexual"], western["main_countries"]) == (
        2,
        100,
        ["FR"],
    )
    north_africa = origin.row("north_africa").extra
    assert north_africa["main_countries"] == ["MA", "DZ"]  # by decreasing count
    assert north_africa["share_crime"] == 100
    asia = origin.row("asia").extra
    assert (asia["share_domestic"], asia["share_labour_incl_domestic"]) == (100, 100)
    unknown = origin.row("unknown").extra
    assert (unknown["share_sexual"], unknown["share_crime"]) == (50, 50)
    assert "main_countries" not in unknown

    data = origin.as_json()
    assert data["french"] == 2
    assert data["foreign"] == 13
    assert data["distinct_countries"] == 6  # NG, MA, DZ, UA, PE, PH: France apart
    assert data["origin_unknown"] == 2
    assert data["foreign_by_continent"] == [
        {"key": "africa", "label": "Afrique", "count": 8, "share": 62},
        {"key": "americas_caribbean", "label": "Amériques et Caraïbes", "count": 2, "share": 15},
        {"key": "europe", "label": "Europe", "count": 1, "share": 8},
        {"key": "asia", "label": "Asie", "count": 2, "share": 15},
        {"key": "oceania", "label": "Océanie", "count": 0, "share": 0},
    ]
    assert data["countries"][0] == {
        "key": "NG",
        "label": "Nigeria",
        "region": "nigeria",
        "count": 5,
    }
    assert (origin.covered, origin.respondents, origin.chart) == (17, 3, "map")
    assert origin.reading == (
        "En 2023, 2 victimes d'exploitation et/ou de traite des êtres humains accompagnées "
        "par les associations étaient originaires d'Europe de l'Ouest."
    )


def test_f7_referral_and_duration(tables):
    f7 = tables["F7"]
    assert rows(f7, "denominator", "respondents") == {
        # A's sexual form (8) and B's labour form (3) answered
        "referral_association": (5, 45, 11, 2),
        "referral_professional": (3, 27, 11, 2),
        "referral_private": (3, 27, 11, 2),
        # nobody answered
        "support_under_6m": (0, None, 0, 0),
        "support_6_18m": (0, None, 0, 0),
        "support_over_18m": (0, None, 0, 0),
    }
    assert (f7.covered, f7.respondents) == (11, 2)
    assert f7.reading == (
        f"En 2023, 45{NBSP}% des victimes accompagnées sont entrées en contact avec "
        "l'association grâce aux activités de cette dernière."
    )


def test_f8_vulnerabilities_each_over_its_own_answers(tables):
    f8 = tables["F8"]
    assert rows(f8, "denominator", "respondents") == {
        "pregnancy": (2, 15, 13, 2),  # A sexual 8 + B labour 3 + B domestic 2
        "dependent_children": (0, None, 0, 0),
        "disability": (0, None, 0, 0),
        "addiction": (0, None, 0, 0),
    }
    pregnancy = f8.row("pregnancy").extra
    assert (pregnancy["share_sexual"], pregnancy["share_within_sexual"]) == (100, 25)
    assert pregnancy["share_within_labour"] == 0
    assert pregnancy["share_within_crime"] is None  # not answered for crime
    assert (f8.covered, f8.respondents) == (13, 2)


def test_f9_a_blank_network_is_not_read_as_zero(tables):
    f9 = tables["F9"]
    table = rows(f9, "denominator", "respondents")
    # B left `network` blank for labour: its 3 victims are out of the denominator.
    assert table["network"] == (10, 71, 14, 2)
    assert table["other_context"] == (4, 29, 14, 2)
    assert table["housed_by_exploiter"] == (4, 50, 8, 1)
    assert table["living_at_workplace"] == (1, 25, 4, 1)  # among those housed
    assert table["transfer_organised"] == (0, None, 0, 0)
    assert table["adapted_housing_offered"] == (0, None, 0, 0)
    assert (f9.covered, f9.respondents) == (14, 2)
    assert f9.chart_keys == ("network", "other_context")
    assert f9.reading == (
        f"En 2023, 71{NBSP}% des victimes d'exploitation et/ou de traite des êtres humains "
        "accompagnées par les associations ont été exploitées dans le cadre d'un réseau."
    )


def test_f10_an_association_leaving_the_question_blank_is_not_a_respondent(tables):
    f10 = tables["F10"]
    assert rows(f10, "denominator") == {
        "link_family": (2, 25, 8),  # 2 of 8
        "link_entourage": (4, 50, 8),
        "link_employer": (1, 13, 8),  # 1 of 8 = 12.5 → 13
        "link_other": (1, 13, 8),
    }
    assert (f10.covered, f10.respondents) == (8, 1)
    assert f10.reading == (
        f"En 2023, 25{NBSP}% des victimes d'exploitation et/ou de traite des êtres humains "
        "accompagnées par les associations ont été exploitées par un membre de leur famille."
    )


def test_sej_residence_rights(tables):
    sej = tables["SEJ"]
    table = rows(sej, "denominator")
    assert table["permit_held"] == (4, 67, 6)  # of 8 accompanied − 2 not concerned
    assert table["permit_held_l425_1"] == (3, 75, 4)
    assert table["permit_held_l425_4"] == (0, 0, 4)
    assert table["permit_held_other"] == (1, 25, 4)
    assert table["irregular"] == (1, 20, 5)  # of the 5 Nigerians; the French are not foreign
    assert table["permit_pending"] == (0, None, 0)
    assert table["residence_not_concerned"] == (2, 25, 8)
    assert table["permit_delay_under_6m"] == (0, None, 0)
    assert table["exit_programme"] == (1, 13, 8)  # of the sexual victims, 12.5 → 13
    assert (sej.covered, sej.respondents) == (8, 1)
    assert sej.reading == (
        f"En 2023, parmi les victimes accompagnées éligibles à un titre de séjour, 67{NBSP}% "
        "en bénéficiaient."
    )


def test_f12_complaints(tables):
    f12 = tables["F12"]
    table = rows(f12, "denominator", "respondents")
    assert table["complaint_thb"] == (5, 42, 12, 1)
    assert table["complaint_other"] == (1, 8, 12, 1)
    assert table["no_complaint"] == (6, 50, 12, 1)
    assert table["complaint_unspecified"] == (0, 0, 12, 1)
    assert table["complaint_any"] == (6, 50, 12, 1)
    assert table["civil_party"] == (2, 25, 8, 1)
    assert table["suspects_identified"] == (3, None, None, 1)  # B left it blank
    assert f12.row("complaint_thb").extra["share_of_complaints"] == 83  # 5 of 6 filed
    assert f12.row("complaint_other").extra["share_of_complaints"] == 17
    assert "share_of_complaints" not in f12.row("no_complaint").extra
    assert (f12.covered, f12.respondents) == (12, 1)
    assert f12.reading.startswith(f"En 2023, 42{NBSP}% des victimes d'exploitation")


def test_f13_court_outcomes(tables):
    f13 = tables["F13"]
    assert rows(f13, "denominator") == {
        "case_ongoing": (2, 40, 5),
        "case_prosecuted": (2, 40, 5),
        "case_prosecuted_thb": (1, 50, 2),  # of the prosecuted
        "case_dismissed": (1, 20, 5),
        "case_alternative": (0, 0, 5),
        "case_no_news": (0, 0, 5),
        "association_civil_party_cases": (1, None, None),
    }
    assert (f13.covered, f13.respondents) == (8, 1)
    assert f13.reading == (
        f"En 2023, 40{NBSP}% des affaires issues d'un dépôt de plainte étaient en cours "
        "d'investigation."
    )


def test_crime_focus(tables):
    crime = tables["CRIME"]
    assert rows(crime, "denominator", "respondents") == {
        "minors": (3, 75, 4, 3),
        "boys_and_men": (3, 75, 4, 3),
        "adults_under_25": (1, 100, 1, 3),
        "no_complaint": (3, 75, 4, 1),
        "complaint_thb": (1, 25, 4, 1),
    }
    assert (crime.covered, crime.respondents) == (4, 3)
    assert crime.reading == (
        f"En 2023, 75{NBSP}% des victimes contraintes à commettre des délits ou des crimes "
        "accompagnées par les associations étaient mineures."
    )


def test_ins_employment(tables):
    ins = tables["INS"]
    assert rows(ins, "denominator", "respondents") == {
        "employment_support": (4, 36, 11, 2),
        "employed_cdi": (1, 25, 4, 2),
        "employed_cdd": (1, 50, 2, 1),  # only B gave the CDD count
        "employed": (2, 50, 4, 2),
    }
    assert (ins.covered, ins.respondents) == (11, 2)
    assert ins.reading == (
        f"En 2023, 36{NBSP}% des victimes accompagnées par les associations ont bénéficié "
        "d'un accompagnement vers l'insertion professionnelle."
    )


class Recorded(dict):
    """A dict that remembers which keys were read."""

    def __init__(self, values: dict, read: set) -> None:
        super().__init__(values)
        self.read = read

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


@pytest.mark.parametrize("with_answers", [True, False])
def test_only_the_share_bases_the_tables_read_are_added_up(campaign, with_answers, request):
    """`SHARE_BASES` is what the tables read: none missing (a table would fail), none
    added up for nothing (each costs a sum per answer and a condition per submission)."""
    if with_answers:
        request.getfixturevalue("tables")
    figures = CampaignFigures.compute(campaign)
    respondents, sums = set(), set()
    recorded = replace(
        figures,
        respondents=Recorded(figures.respondents, respondents),
        by_form={form: Recorded(values, sums) for form, values in figures.by_form.items()},
    )
    for build in TABLES.values():
        build(recorded)
    prefix = "sum_accompanied_if_"
    accompanied = {name.removeprefix(prefix) for name in sums if name.startswith(prefix)}
    assert respondents | accompanied == set(SHARE_BASES)
    assert set(figures.respondents) == set(SHARE_BASES)


def test_each_table_function_takes_the_campaign_or_its_figures(tables, campaign):
    figures = CampaignFigures.load(campaign)
    for id, build in TABLES.items():
        assert build(figures) == build(campaign) == tables[id]


# --------------------------------------------------------------- edges and queries


def test_an_empty_campaign_gives_zero_counts_and_no_shares(campaign):
    tables = all_tables(campaign)
    assert len(tables) == 16
    for table in tables.values():
        assert (table.covered, table.respondents) == (0, 0)
        for row in table.rows:
            assert row.count in (0, None), (table.id, row.key)
            assert row.share is None, (table.id, row.key)
        json.dumps(table.as_json())
    f1 = tables["F1"]
    assert f1.row("total").extra == {"detected": 0, "accompanied": 0, "accompanied_share": None}
    assert f1.reading == (
        "En 2023, aucune victime d'exploitation sexuelle n'a été repérée par les associations."
    )
    assert tables["F3"].reading == "En 2023, aucune donnée ne permet de calculer cette part."
    assert tables["MAP"].as_json()["distinct_countries"] == 0


def test_one_victim_reads_in_the_singular(campaign):
    add_submission(
        campaign,
        "W751000011",
        {"sexual": {"detected": 1, "accompanied": 1, "france_only": 1, "women": 1,
                    "age_25_plus": 1, "origin": {"FR": 1}}},
    )  # fmt: skip
    assert table_f1(campaign).reading == (
        "En 2023, 1 victime d'exploitation sexuelle a été repérée par les associations, "
        f"dont 100{NBSP}% ont bénéficié d'un accompagnement."
    )


def test_thousands_in_the_reading(campaign):
    add_submission(campaign, "W751000011", {"sexual": {"detected": 4672, "accompanied": 3224}})
    assert table_f1(campaign).reading == (
        f"En 2023, 4{NBSP}672 victimes d'exploitation sexuelle ont été repérées par les "
        f"associations, dont 69{NBSP}% ont bénéficié d'un accompagnement."
    )


def many_associations(campaign: Campaign, number: int) -> None:
    for index in range(number):
        add_submission(
            campaign,
            f"W7520{index:05d}",
            {"sexual": A_SEXUAL, "crime": A_CRIME, "labour": B_LABOUR, "domestic": B_DOMESTIC},
            suspects_identified=index,
        )


@pytest.mark.parametrize("number", [3, 40])
def test_all_tables_take_a_fixed_number_of_queries(campaign, number, django_assert_max_num_queries):
    many_associations(campaign, number)
    with django_assert_max_num_queries(QUERIES):
        tables = all_tables(campaign)
    assert tables["F1"].respondents == number
    assert tables["F1"].row("total").extra["detected"] == 22 * number
    with django_assert_max_num_queries(STORED_QUERIES):
        assert all_tables(campaign) == tables


def test_a_campaign_of_several_copies_keeps_the_shares(campaign):
    many_associations(campaign, 5)
    tables = all_tables(campaign)
    assert tables["F10"].row("link_employer").share == 13
    assert tables["F9"].row("network").extra["denominator"] == 14 * 5
    assert tables["F10"].respondents == 5


# ------------------------------------------------------------ F1: year over year
# `with_previous`: A and B answer 2024 as in `tables`; the previous campaign (2023,
# reference year 2022) has two validated answers; its draft and the validated answers of
# an older campaign (2022) must not count.


def previous_campaign_with(forms_by_association: list[dict], year: int = 2023) -> Campaign:
    previous = Campaign.objects.create(year=year, reference_year=year - 1)
    for index, forms in enumerate(forms_by_association):
        add_submission(previous, f"W75{year}{index:04d}", forms)
    add_submission(previous, f"W75{year}9999", dict.fromkeys(FORMS, NOISE), status="draft")
    return previous


@pytest.fixture
def with_previous(campaign) -> Campaign:
    previous_campaign_with(
        [
            {"sexual": {"detected": 10}, "labour": {"detected": 4}},
            {"sexual": {"detected": 6}, "crime": {"detected": 2}, "begging": {"detected": 2}},
        ]
    )
    older = Campaign.objects.create(year=2022, reference_year=2021)
    add_submission(older, "W751000040", dict.fromkeys(FORMS, NOISE))
    add_submission(
        campaign, "W751000011", {"sexual": A_SEXUAL, "crime": A_CRIME}, suspects_identified=3
    )
    add_submission(campaign, "W751000012", {"labour": B_LABOUR, "domestic": B_DOMESTIC})
    return campaign


def test_f1_evolution_against_the_previous_campaign(with_previous):
    f1 = all_tables(with_previous)["F1"]
    assert rows(f1, "detected", "detected_previous", "evolution") == {
        "sexual": (None, None, 10, 16, -38),  # −37.5 → −38: half away from zero
        "labour_total": (None, None, 8, 4, 100),
        "domestic": (None, None, 2, 0, None),  # nothing to compare with
        "labour": (None, None, 6, 4, 50),
        "crime": (None, None, 4, 2, 100),
        "begging": (None, None, 0, 2, -100),
        "other": (None, None, 0, 0, None),
        "total": (None, None, 22, 24, -8),  # −8.33
    }
    data = f1.as_json()
    assert data["previous_reference_year"] == 2022
    assert list(data["rows"][0]) == [
        "key", "label", "detected", "accompanied", "accompanied_share", "detected_previous",
        "evolution",
    ]  # fmt: skip


def test_f1_carries_the_report_warning_only_with_previous_data(with_previous):
    tables = all_tables(with_previous)
    assert tables["F1"].note == (
        f"{NOTE} Les résultats n'ont pas vocation à être comparés à ceux des années "
        "précédentes qui ne reposaient pas sur le même questionnaire."
    )
    assert tables["F1"].note == f"{NOTE} {NOT_COMPARABLE}"
    for id, table in tables.items():
        if id != "F1":
            assert table.note == NOTE, id


def test_the_previous_campaign_shows_in_f1_only(with_previous):
    with_data = all_tables(with_previous)
    Submission.objects.filter(campaign__year=2023).update(status=Submission.Status.RETURNED)
    without = all_tables(with_previous)
    for id in TABLES:
        if id != "F1":
            assert with_data[id] == without[id], id
    for row in without["F1"].rows:
        assert set(row.extra) == {"detected", "accompanied", "accompanied_share"}
    assert without["F1"].note == NOTE
    assert "previous_reference_year" not in without["F1"].as_json()


def test_no_evolution_when_the_campaign_just_before_has_no_validated_answer(campaign):
    # 2023 exists with a draft only; 2022's validated answers are not "the year before".
    previous_campaign_with([], year=2023)
    previous_campaign_with([{"sexual": {"detected": 5}}], year=2022)
    add_submission(campaign, "W751000011", {"sexual": A_SEXUAL})
    f1 = table_f1(campaign)
    assert "evolution" not in f1.row("total").extra
    assert f1.note == NOTE


def test_a_previous_campaign_that_detected_no_one_gives_no_evolution(campaign):
    previous_campaign_with([{}])  # validated, every form at 0
    add_submission(campaign, "W751000011", {"sexual": A_SEXUAL})
    f1 = table_f1(campaign)
    assert f1.row("total").extra["detected_previous"] == 0
    assert f1.row("total").extra["evolution"] is None
    assert f1.note == f"{NOTE} {NOT_COMPARABLE}"  # there is previous data, all zero


def test_the_first_campaign_has_no_evolution(campaign):
    add_submission(campaign, "W751000011", {"sexual": A_SEXUAL})
    assert "detected_previous" not in table_f1(campaign).row("sexual").extra


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(-1, 8, -13), (-5, 8, -63), (-1, 3, -33), (-2, 2, -100), (-3, 0, None)],
)
def test_a_fall_rounds_half_away_from_zero(numerator, denominator, expected):
    assert percent(numerator, denominator) == expected


@pytest.mark.parametrize("number", [3, 40])
def test_all_tables_with_a_previous_campaign_take_the_same_number_of_queries(
    campaign, number, django_assert_max_num_queries
):
    previous = Campaign.objects.create(year=2023, reference_year=2022)
    many_associations(campaign, number)
    for association in Association.objects.all():  # the same answers the year before
        submission = Submission.objects.create(
            association=association, campaign=previous, status=Submission.Status.VALIDATED
        )
        submission_save_data(
            submission=submission,
            data={"forms": {"sexual": A_SEXUAL, "crime": A_CRIME, "labour": B_LABOUR,
                            "domestic": B_DOMESTIC}},
        )  # fmt: skip
    with django_assert_max_num_queries(QUERIES_WITH_PREVIOUS):
        tables = all_tables(campaign)
    assert tables["F1"].row("total").extra["evolution"] == 0
    with django_assert_max_num_queries(STORED_QUERIES):
        assert all_tables(campaign) == tables
