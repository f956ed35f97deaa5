"""The rules of questionnaire.md ("Checks"), as survey/checks.py applies them.

Hard rules are errors: every count a whole number 0 ≤ n ≤ 1 000 000, every sum and
"dont" rule of Part 1 and Part 2, a form with nothing detected has nothing else, `other`
with a count needs its text. Warnings never block: year-on-year moves, mostly
"non renseigné" breakdowns, Part 2 distributions covering under 80 %, free text that
could identify someone. Part 2 blank means "not answered", never 0.
"""

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.checks import (
    RULES,
    Problem,
    Severity,
    check_form,
    check_submission,
    errors,
    identifying_content,
    warnings,
)
from survey.models import FormAnswer
from survey.questionnaire import FORM_LABELS, FORMS, MAX_COUNT, PART1_FIELDS, PART2_FIELDS

from .strategies import (
    AGE,
    COMPLAINTS_FILED,
    GENDER,
    LINK,
    PLACE,
    REFERRAL,
    SAFE_TEXTS,
    SUPPORT_DURATION,
    consistent_forms,
    consistent_submissions,
)

NBSP = "\u00a0"

# --- A consistent form: 12 detected, 10 accompanied, every Part 2 question answered -----

BASE_PART1 = {
    "detected": 12,
    "accompanied": 10,
    # place: 6 + 3 + 1 = 10
    "france_only": 6,
    "france_and_abroad": 3,
    "abroad_only": 1,
    # gender: 6 + 1 + 2 + 0 + 0 + 1 = 10
    "women": 6,
    "trans_women": 1,
    "men": 2,
    "trans_men": 0,
    "non_binary": 0,
    "gender_unknown": 1,
    # age: 1 + 2 + 3 + 3 + 1 = 10; minors 3, adults 6
    "under_15": 1,
    "age_15_17": 2,
    "age_18_24": 3,
    "age_25_plus": 3,
    "age_unknown": 1,
    # origin: 5 + 3 + 2 = 10
    "origin": {"NG": 5, "FR": 3},
    "origin_unknown": 2,
}
BASE_PART2 = {
    "adults_minor_at_start": 2,  # ≤ adults (6)
    "unaccompanied_minors": 2,  # ≤ minors (3)
    "unaccompanied_minors_reported": 1,  # ≤ MNA (2)
    "pregnancy": 1,
    "dependent_children": 2,
    "disability": 1,
    "addiction": 1,
    "still_exploited_at_contact": 4,
    "housed_by_exploiter": 4,
    "living_at_workplace": 2,  # ≤ housed (4)
    "transfer_organised": 3,
    "network": 5,
    "needs_adapted_housing": 4,
    "adapted_housing_offered": 2,  # ≤ needed (4)
    # link: 9 of 10
    "link_family": 2,
    "link_entourage": 3,
    "link_employer": 2,
    "link_other": 2,
    # referral: 9 of 10
    "referral_association": 3,
    "referral_professional": 3,
    "referral_private": 3,
    # support duration: 9 of 10
    "support_under_6m": 3,
    "support_6_18m": 3,
    "support_over_18m": 3,
    # residence situations: 2 + 4 + 3 = 9 of 10
    "residence_not_concerned": 2,
    "permit_held_l425_1": 1,
    "permit_held_l425_4": 1,
    "permit_held_protection": 1,
    "permit_held_other": 1,
    "irregular": 3,
    # pending: 2 of 10
    "permit_pending_l425_1": 1,
    "permit_pending_l425_4": 1,
    "permit_pending_protection": 0,
    "permit_pending_other": 0,
    # delays: 3 of 10
    "permit_delay_under_6m": 1,
    "permit_delay_6_12m": 1,
    "permit_delay_over_12m": 1,
    "exit_programme": 2,
    # complaints: filed 3 + 1 + 1 = 5, situations 5 + 4 = 9 of 10
    "complaint_thb": 3,
    "complaint_other": 1,
    "complaint_unspecified": 1,
    "no_complaint": 4,
    "civil_party": 2,  # ≤ filed (5)
    "no_complaint_before_support": 3,
    "complaint_refused": 1,
    # court: 1 + 2 + 1 + 0 + 1 = 5 ≤ filed (5)
    "case_ongoing": 1,
    "case_prosecuted": 2,
    "case_prosecuted_thb": 1,  # ≤ prosecuted (2)
    "case_dismissed": 1,
    "case_alternative": 0,
    "case_no_news": 1,
    "employment_support": 4,
    "employed_cdi": 1,  # cdi + cdd = 2 ≤ support (4)
    "employed_cdd": 1,
    "also_supported_elsewhere": 1,
}
BLANK_PART2 = dict.fromkeys(PART2_FIELDS)


def base_form(form: str = "sexual", *, part2: bool = True, **changes) -> dict:
    """The consistent base form's answers for `form`, with `changes` applied."""
    answers = copy.deepcopy({**BASE_PART1, **(BASE_PART2 if part2 else BLANK_PART2)})
    if form != "sexual":
        answers["exit_programme"] = None  # only for sexual exploitation
    if form == "other":
        answers["other_label"] = "Trafic d'organes"
    answers.update(changes)
    return answers


def one_category(accompanied: int, detected: int | None = None, **changes) -> dict:
    """Part 1 only, every accompanied victim in a single category of each breakdown."""
    answers = {
        "detected": accompanied if detected is None else detected,
        "accompanied": accompanied,
        "france_only": accompanied,
        "women": accompanied,
        "age_25_plus": accompanied,
        "origin": {"NG": accompanied},
    }
    answers.update(changes)
    return answers


def codes(problems) -> list[str]:
    return sorted(problem.code for problem in problems)


def label(field: str) -> str:
    return str(FormAnswer._meta.get_field(field).verbose_name)


def test_base_form_answers_every_question():
    assert set(BASE_PART1) | set(BASE_PART2) == {*PART1_FIELDS, *PART2_FIELDS, "origin"}


@pytest.mark.parametrize("form", FORMS)
def test_a_consistent_form_has_no_problem(form):
    assert check_form(form, base_form(form)) == []


def test_a_consistent_submission_has_no_problem():
    data = {
        "suspects_identified": 3,
        "association_civil_party_cases": None,
        "comment": "Suivi renforcé en 2023",
        "forms": {form: base_form(form) for form in FORMS},
    }
    assert check_submission(data) == []


# --- Hard rules: each one, in both directions -------------------------------------------

# Rule -> (changes to the base form breaking it alone, field named, left, right).
BREAKS = {
    "accompanied_le_detected": ({"detected": 9}, "accompanied", 10, 9),
    "place_sum": ({"abroad_only": 2}, "france_only", 11, 10),
    "gender_sum": ({"women": 7}, "women", 11, 10),
    "age_sum": ({"age_unknown": 0}, "under_15", 9, 10),
    "origin_sum": ({"origin": {"NG": 6, "FR": 3}}, "origin_unknown", 11, 10),
    "minor_at_start_le_adults": ({"adults_minor_at_start": 7}, "adults_minor_at_start", 7, 6),
    "unaccompanied_minors_le_minors": (
        {"unaccompanied_minors": 4},
        "unaccompanied_minors",
        4,
        3,
    ),
    "unaccompanied_minors_reported": (
        {"unaccompanied_minors_reported": 3},
        "unaccompanied_minors_reported",
        3,
        2,
    ),
    "living_at_workplace_le_housed": ({"living_at_workplace": 5}, "living_at_workplace", 5, 4),
    "housing_offered_le_needed": (
        {"adapted_housing_offered": 5},
        "adapted_housing_offered",
        5,
        4,
    ),
    "link_sum": ({"link_other": 4}, "link_family", 11, 10),
    "referral_sum": ({"referral_private": 5}, "referral_association", 11, 10),
    "support_duration_sum": ({"support_over_18m": 5}, "support_under_6m", 11, 10),
    "residence_sum": ({"irregular": 5}, "residence_not_concerned", 11, 10),
    "permits_pending_sum": ({"permit_pending_other": 9}, "permit_pending_l425_1", 11, 10),
    "permit_delays_sum": ({"permit_delay_over_12m": 9}, "permit_delay_under_6m", 11, 10),
    "complaints_sum": ({"no_complaint": 6}, "complaint_thb", 11, 10),
    "civil_party_le_complaints": ({"civil_party": 6}, "civil_party", 6, 5),
    "prosecuted_thb_le_prosecuted": ({"case_prosecuted_thb": 3}, "case_prosecuted_thb", 3, 2),
    "court_outcomes_le_complaints": ({"case_no_news": 2}, "case_ongoing", 6, 5),
    "employed_le_support": ({"employed_cdd": 4}, "employed_cdi", 5, 4),
}


def breaking(rule):
    """Changes breaking `rule`, the error codes they give, the field named, the numbers.

    Every Part 2 count is at most the accompanied victims (10 here): pushing one to 11
    also breaks each sum or "dont" rule it is the left side of.
    """
    if rule.code in BREAKS:
        changes, field, left, right = BREAKS[rule.code]
        return changes, [rule.code], field, left, right
    field = rule.code.removesuffix("_le_accompanied")
    assert field in PART2_FIELDS, f"no breaking case for {rule.code}"
    also = [other.code for other in RULES if field in other.left.fields]
    return {field: 11}, sorted(also), field, 11, 10


def test_every_sum_and_dont_rule_of_the_spec_is_checked():
    expected = {*BREAKS, *(f"{field}_le_accompanied" for field in PART2_FIELDS)}
    assert {rule.code for rule in RULES} == expected


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_a_broken_rule_gives_its_error(rule):
    assert errors(check_form("sexual", base_form())) == []

    changes, expected, field, left, right = breaking(rule)
    problems = errors(check_form("sexual", base_form(**changes)))

    assert codes(problems) == expected
    (problem,) = [problem for problem in problems if problem.code == rule.code]
    assert problem.severity == Severity.ERROR
    assert problem.is_error
    assert problem.form == "sexual"
    assert problem.field == field
    assert problem.path == f"forms.sexual.{field}"
    assert problem.message.startswith("Exploitation sexuelle : ")
    assert f"({left})" in problem.message
    assert f"({right})" in problem.message
    assert ("diffère" if rule.relation == "==" else "dépasse") in problem.message


def test_a_part2_count_above_accompanied_names_its_field():
    problems = check_form("sexual", base_form(pregnancy=11))
    assert [problem.message for problem in problems] == [
        "Exploitation sexuelle : « grossesse au cours de l'exploitation » (11) dépasse le "
        "nombre de victimes accompagnées (10)."
    ]


def test_the_message_names_the_form_the_breakdown_and_both_numbers():
    (problem,) = check_form("sexual", one_category(115, women=112))
    assert problem.message == (
        "Exploitation sexuelle : la somme des identités de genre (112) diffère du nombre de "
        "victimes accompagnées (115)."
    )


def test_numbers_are_written_with_thousands_separators():
    (problem,) = check_form("labour", one_category(4_672, women=4_670))
    assert f"(4{NBSP}670)" in problem.message
    assert f"(4{NBSP}672)" in problem.message


@pytest.mark.parametrize("form", FORMS)
def test_rules_apply_to_every_form(form):
    (problem,) = errors(check_form(form, base_form(form, men=3)))
    assert (problem.code, problem.form, problem.field) == ("gender_sum", form, "women")
    assert problem.message.startswith(f"{FORM_LABELS[form]} : ")


def test_accompanied_may_equal_detected():
    assert check_form("sexual", base_form(detected=10)) == []


@pytest.mark.parametrize("rule", ["place_sum", "gender_sum", "age_sum", "origin_sum"])
def test_part1_breakdowns_must_equal_accompanied_not_just_stay_below(rule):
    group = {"place_sum": PLACE, "gender_sum": GENDER, "age_sum": AGE}.get(rule)
    changes = {group[-1]: 0} if group else {"origin_unknown": 0}
    short = base_form(**changes)
    assert codes(errors(check_form("sexual", short))) == [rule]


def test_origin_is_the_per_country_counts_plus_unknown():
    answers = base_form(origin={"NG": 2, "FR": 1, "CN": 1, "RO": 4}, origin_unknown=2)
    assert check_form("sexual", answers) == []
    answers = base_form(origin={}, origin_unknown=10)
    assert errors(check_form("sexual", answers)) == []


# --- Count range ------------------------------------------------------------------------

BAD_COUNTS = [
    pytest.param(-1, "-1", id="negative"),
    pytest.param(MAX_COUNT + 1, f"1{NBSP}000{NBSP}001", id="above-a-million"),
    pytest.param(2.5, "2.5", id="not-an-integer"),
    pytest.param(3.0, "3.0", id="a-float"),
    pytest.param("3", "'3'", id="text"),
    pytest.param(True, "True", id="bool"),
]


@pytest.mark.parametrize("field", ["detected", "women", "origin_unknown", "pregnancy"])
@pytest.mark.parametrize(("value", "shown"), BAD_COUNTS)
def test_a_count_out_of_range_is_an_error(field, value, shown):
    problems = check_form("sexual", base_form(**{field: value}))

    # Sums of invalid numbers would only add noise: the range error comes alone.
    (problem,) = problems
    assert problem.code == "count_range"
    assert problem.severity == Severity.ERROR
    assert (problem.form, problem.field) == ("sexual", field)
    assert problem.message == (
        f"Exploitation sexuelle : « {label(field)} » doit être un nombre entier entre 0 et "
        f"1{NBSP}000{NBSP}000 (valeur saisie : {shown})."
    )


@pytest.mark.parametrize(("value", "shown"), BAD_COUNTS)
def test_a_country_count_out_of_range_is_an_error(value, shown):
    (problem,) = check_form("sexual", base_form(origin={"NG": value, "FR": 3}))
    assert (problem.code, problem.form, problem.field) == (
        "count_range",
        "sexual",
        "origin.NG",
    )
    assert problem.path == "forms.sexual.origin.NG"
    assert "l'origine NG" in problem.message
    assert f"(valeur saisie : {shown})" in problem.message


def test_counts_up_to_a_million_are_allowed():
    answers = one_category(MAX_COUNT, also_supported_elsewhere=MAX_COUNT, pregnancy=0)
    assert check_form("sexual", answers) == []


@pytest.mark.parametrize("field", ["suspects_identified", "association_civil_party_cases"])
@pytest.mark.parametrize(("value", "shown"), BAD_COUNTS)
def test_a_submission_count_out_of_range_is_an_error(field, value, shown):
    (problem,) = check_submission({"forms": {}, field: value})
    assert problem.code == "count_range"
    assert problem.severity == Severity.ERROR
    assert (problem.form, problem.field, problem.path) == (None, field, field)
    assert problem.message.startswith("« ")  # no form to name
    assert f"entre 0 et 1{NBSP}000{NBSP}000 (valeur saisie : {shown})" in problem.message


@pytest.mark.parametrize("field", ["suspects_identified", "association_civil_party_cases"])
@pytest.mark.parametrize("value", [None, 0, 7, MAX_COUNT])
def test_a_submission_count_may_be_blank_or_in_range(field, value):
    assert check_submission({"forms": {}, field: value}) == []


# --- Forms that only make sense for some forms, nothing detected, "other" -------------


@pytest.mark.parametrize("form", [form for form in FORMS if form != "sexual"])
def test_exit_programme_is_only_for_sexual_exploitation(form):
    (problem,) = check_form(form, base_form(form, exit_programme=1))
    assert (problem.code, problem.form, problem.field) == (
        "exit_programme_form",
        form,
        "exit_programme",
    )
    assert problem.severity == Severity.ERROR
    assert problem.message == (
        f"{FORM_LABELS[form]} : « en parcours de sortie de la prostitution » (1) ne concerne "
        "que : Exploitation sexuelle."
    )
    assert check_form(form, base_form(form, exit_programme=0)) == []
    assert check_form(form, base_form(form, exit_programme=None)) == []


def test_nothing_detected_and_nothing_else_is_fine():
    answers = dict.fromkeys(PART1_FIELDS, 0) | {"pregnancy": 0, "network": None}
    assert check_form("sexual", answers) == []
    assert check_form("sexual", {"detected": 0, "origin": {"FR": 0}}) == []


@pytest.mark.parametrize(
    ("changes", "field", "value"),
    [
        ({"accompanied": 2}, "accompanied", 2),
        ({"pregnancy": 1}, "pregnancy", 1),
        ({"network": 3, "pregnancy": 0}, "network", 3),
        ({"origin_unknown": 4}, "origin_unknown", 4),
    ],
)
def test_nothing_detected_means_every_other_count_is_zero_or_blank(changes, field, value):
    problems = errors(check_form("begging", {"detected": 0, **changes}))
    (problem,) = [problem for problem in problems if problem.code == "zero_detected"]
    assert (problem.form, problem.field) == ("begging", field)
    assert problem.message == (
        f"Mendicité forcée : aucune victime repérée, mais « {label(field)} » vaut {value} ; "
        "toutes les autres réponses de cette forme doivent être à 0 ou vides."
    )


def test_nothing_detected_but_victims_by_country():
    problems = errors(check_form("crime", {"detected": 0, "origin": {"FR": 2}}))
    assert codes(problems) == ["origin_sum", "zero_detected"]
    (problem,) = [problem for problem in problems if problem.code == "zero_detected"]
    assert problem.field == "origin_unknown"
    assert "aucune victime repérée" in problem.message
    assert "la somme des pays d'origine vaut 2" in problem.message


@pytest.mark.parametrize("other_label", ["", "   ", None, "missing"])
def test_other_with_a_count_needs_its_text(other_label):
    answers = base_form("other")
    if other_label == "missing":
        del answers["other_label"]
    else:
        answers["other_label"] = other_label
    (problem,) = check_form("other", answers)
    assert problem.code == "other_label_required"
    assert problem.severity == Severity.ERROR
    assert (problem.form, problem.field) == ("other", "other_label")
    assert problem.path == "forms.other.other_label"
    assert problem.message.startswith("Autre forme d'exploitation : précisez")
    assert "(12 victimes repérées)" in problem.message


def test_other_with_its_text_or_without_victims_is_fine():
    assert check_form("other", base_form("other", other_label="Mariage forcé")) == []
    assert check_form("other", {"detected": 0}) == []
    # The text is only asked for "other".
    assert check_form("labour", base_form("labour")) == []


# --- Part 1 left out is 0; Part 2 blank is "not answered" --------------------------------


def test_a_form_left_out_counts_as_all_zeros():
    assert check_submission({}) == []
    assert check_submission({"forms": {}}) == []
    assert check_submission({"forms": {"sexual": base_form()}}) == []
    assert check_submission({"forms": {"labour": None}}) == []


def test_a_part1_count_left_out_is_zero():
    assert check_form("sexual", {"detected": 3}) == []
    problems = check_form("sexual", {"detected": 3, "accompanied": 2})
    assert codes(problems) == ["age_sum", "gender_sum", "origin_sum", "place_sum"]
    assert all("(0)" in problem.message and "(2)" in problem.message for problem in problems)


def test_a_part1_count_set_to_null_is_zero():
    """A null Part 1 count is read as a left-out one, so the rules still run."""
    problems = check_form("sexual", {**one_category(3, detected=5), "accompanied": None})
    assert codes(problems) == ["age_sum", "gender_sum", "origin_sum", "place_sum"]
    assert all("(3)" in problem.message and "(0)" in problem.message for problem in problems)
    problems = check_form("sexual", {**one_category(3), "detected": None})
    assert codes(problems) == ["accompanied_le_detected", "zero_detected"]
    (problem,) = [problem for problem in problems if problem.code == "accompanied_le_detected"]
    assert "(3) dépasse le nombre de victimes repérées (0)" in problem.message


@pytest.mark.parametrize("blank", ["null", "left-out"])
def test_part2_left_blank_is_not_answered(blank):
    answers = base_form(part2=False)
    if blank == "left-out":
        answers = {key: value for key, value in answers.items() if value is not None}
    assert check_form("sexual", answers) == []


BLANK_SIDES = [
    pytest.param({"unaccompanied_minors_reported": 2}, id="reported-without-mna"),
    pytest.param({"living_at_workplace": 4}, id="living-at-workplace-without-housed"),
    pytest.param({"adapted_housing_offered": 4}, id="housing-offered-without-needed"),
    pytest.param({"civil_party": 4}, id="civil-party-without-complaints"),
    pytest.param({"case_ongoing": 3, "case_no_news": 2}, id="court-without-complaints"),
    pytest.param({"case_prosecuted_thb": 2}, id="prosecuted-thb-without-prosecuted"),
    pytest.param({"employed_cdi": 2, "employed_cdd": 1}, id="employed-without-support"),
    # Complaints filed are only known when all three kinds are answered.
    pytest.param({"complaint_thb": 3, "civil_party": 4}, id="civil-party-with-some-complaints"),
    pytest.param(
        {"complaint_thb": 1, "complaint_other": 1, "case_ongoing": 4},
        id="court-with-some-complaints",
    ),
]


@pytest.mark.parametrize("changes", BLANK_SIDES)
def test_a_rule_with_a_blank_side_is_not_checked(changes):
    # Read as 0, the blank side would make each of these an error.
    assert errors(check_form("sexual", base_form(part2=False, **changes))) == []


def test_a_partly_answered_distribution_is_checked_on_what_is_answered():
    answers = base_form(part2=False, link_family=7, link_other=4)
    assert codes(errors(check_form("sexual", answers))) == ["link_sum"]


def test_the_complaints_filed_are_checked_once_all_answered():
    answers = base_form(
        part2=False, complaint_thb=3, complaint_other=0, complaint_unspecified=0, civil_party=4
    )
    assert codes(errors(check_form("sexual", answers))) == ["civil_party_le_complaints"]


def test_blank_is_not_zero_for_the_coverage_warning():
    assert check_form("sexual", base_form(part2=False)) == []
    answered_zero = base_form(part2=False, **dict.fromkeys(LINK, 0))
    assert codes(check_form("sexual", answered_zero)) == ["link_sum_coverage"]


# --- Warnings ---------------------------------------------------------------------------


def detected_only(total: int) -> dict:
    """A submission with `total` detected victims spread over two forms, none accompanied."""
    return {
        "forms": {"sexual": {"detected": total // 2}, "labour": {"detected": total - total // 2}}
    }


@pytest.mark.parametrize(
    ("before", "now", "warns"),
    [
        pytest.param(20, 31, True, id="+11-is-+55%"),
        pytest.param(20, 30, False, id="+10-is-not-more-than-10"),
        pytest.param(10, 21, True, id="+11-is-+110%"),
        pytest.param(10, 20, False, id="+100%-but-only-10"),
        pytest.param(100, 150, False, id="+50%-is-not-more-than-50%"),
        pytest.param(100, 151, True, id="+51%"),
        pytest.param(1_000, 1_400, False, id="+40%"),
        pytest.param(40, 19, True, id="decrease-of-21-is-52%"),
        pytest.param(40, 20, False, id="decrease-of-50%"),
        pytest.param(100, 49, True, id="decrease-of-51%"),
        pytest.param(0, 11, True, id="from-nothing"),
        pytest.param(0, 10, False, id="from-nothing-by-10"),
        pytest.param(12, 12, False, id="unchanged"),
    ],
)
def test_year_on_year_change_of_total_detected(before, now, warns):
    problems = check_submission(detected_only(now), previous=detected_only(before))
    assert errors(problems) == []
    if not warns:
        assert problems == []
        return
    (problem,) = problems
    assert problem.code == "year_on_year"
    assert problem.severity == Severity.WARNING
    assert (problem.form, problem.field, problem.path) == (None, "detected", "detected")
    assert f"({now})" in problem.message
    assert f"({before})" in problem.message


def test_year_on_year_message_gives_the_change():
    (problem,) = check_submission(detected_only(31), previous=detected_only(20))
    assert problem.message == (
        f"Le total des victimes repérées (31) varie de +55{NBSP}% par rapport à votre réponse "
        "validée de l'édition précédente (20). Vérifiez les chiffres ou expliquez cette "
        "évolution."
    )
    (problem,) = check_submission(detected_only(19), previous=detected_only(40))
    assert f"-52{NBSP}%" in problem.message


def test_no_year_on_year_warning_without_a_previous_answer():
    assert check_submission(detected_only(500)) == []


@pytest.mark.parametrize(
    ("field", "known"),
    [("gender_unknown", "women"), ("age_unknown", "age_25_plus"), ("origin_unknown", None)],
)
def test_over_half_unknown_warns(field, known):
    def split(unknown: int) -> dict:
        answers = one_category(10, **{field: unknown})
        if known:
            answers[known] = 10 - unknown
        else:
            answers["origin"] = {"NG": 10 - unknown}
        return answers

    (problem,) = check_form("domestic", split(6))
    assert problem.code == f"{field}_share"
    assert problem.severity == Severity.WARNING
    assert (problem.form, problem.field) == ("domestic", field)
    assert problem.message == (
        f"Exploitation domestique : « {label(field)} » concerne 6 victimes sur 10 "
        "accompagnées, plus de la moitié."
    )
    assert check_form("domestic", split(5)) == []  # half is not over half


COVERED_GROUPS = [
    pytest.param("link_sum", LINK, id="link"),
    pytest.param("referral_sum", REFERRAL, id="referral"),
    pytest.param("support_duration_sum", SUPPORT_DURATION, id="support-duration"),
    pytest.param("complaints_sum", (*COMPLAINTS_FILED, "no_complaint"), id="complaints"),
]


@pytest.mark.parametrize(("rule", "fields"), COVERED_GROUPS)
def test_a_distribution_covering_under_80_percent_warns(rule, fields):
    def covering(count: int) -> dict:
        return base_form(part2=False, **{**dict.fromkeys(fields, 0), fields[-1]: count})

    (problem,) = check_form("sexual", covering(7))
    assert problem.code == f"{rule}_coverage"
    assert problem.severity == Severity.WARNING
    assert (problem.form, problem.field) == ("sexual", fields[0])
    assert problem.message.startswith("Exploitation sexuelle : la somme des")
    assert "(7) ne couvre que 70\u00a0% du nombre de victimes accompagnées (10)" in problem.message
    assert check_form("sexual", covering(8)) == []  # 80 % is enough
    assert check_form("sexual", covering(10)) == []
    # Nobody accompanied: nothing to cover.
    assert check_form("sexual", one_category(0, detected=4, **dict.fromkeys(fields, 0))) == []


IDENTIFYING_TEXTS = [
    pytest.param("Contact : aminata.diallo@example.org", "une adresse e-mail", id="e-mail"),
    pytest.param("Joignable au 06 12 34 56 78", "un numéro de téléphone", id="phone"),
    pytest.param("Tél. +33 6 12 34 56 78", "un numéro de téléphone", id="phone-international"),
    pytest.param("Tél. 0612345678", "un numéro de téléphone", id="phone-no-spaces"),
    pytest.param("Hébergée au 12 rue de la Paix", "une adresse postale", id="street"),
    pytest.param("3 bis, avenue Foch à Lyon", "une adresse postale", id="avenue-bis"),
    pytest.param(
        "Mme Dupont, arrivée le 12/03/2023", "un nom accompagné d'une date", id="name-date"
    ),
    pytest.param(
        "Aminata Diallo, née le 3 mars 2001", "un nom accompagné d'une date", id="name-birth"
    ),
]


@pytest.mark.parametrize(("text", "what"), IDENTIFYING_TEXTS)
def test_identifying_text_in_the_comment_warns(text, what):
    assert what in identifying_content(text)
    (problem,) = check_submission({"forms": {}, "comment": text})
    assert problem.code == "identifying_text"
    assert problem.severity == Severity.WARNING
    assert (problem.form, problem.field, problem.path) == (None, "comment", "comment")
    assert problem.message.startswith("« commentaire » semble contenir")
    assert what in problem.message
    assert "Retirez toute information" in problem.message


@pytest.mark.parametrize(("text", "what"), IDENTIFYING_TEXTS)
def test_identifying_text_in_other_label_warns(text, what):
    (problem,) = check_form("other", base_form("other", other_label=text))
    assert problem.code == "identifying_text"
    assert problem.severity == Severity.WARNING
    assert problem.path == "forms.other.other_label"
    assert problem.message.startswith("Autre forme d'exploitation : « précisez » semble contenir")
    assert what in problem.message


ORDINARY_TEXTS = [
    *SAFE_TEXTS,
    "Exploitation dans la restauration",
    "Mme Dupont",  # a name without a date
    "Accueil depuis le 12/03/2023",  # a date without a name
    "Victimes repérées lors de 45 maraudes",
    "Mariage forcé au Mali (2 victimes)",
]


@pytest.mark.parametrize("text", ORDINARY_TEXTS)
def test_ordinary_text_does_not_warn(text):
    assert identifying_content(text) == []
    assert check_submission({"forms": {}, "comment": text}) == []
    assert check_form("other", base_form("other", other_label=text or "Trafic d'organes")) == []


def test_warnings_never_block():
    data = {
        "comment": "Appeler Mme Dupont au 06 12 34 56 78",
        "forms": {
            "sexual": base_form(link_other=0, gender_unknown=6, women=1),
            "other": base_form("other", other_label="contact@exemple.fr"),
        },
    }
    problems = check_submission(data, previous=detected_only(2))
    assert errors(problems) == []
    assert codes(warnings(problems)) == [
        "gender_unknown_share",
        "identifying_text",
        "identifying_text",
        "link_sum_coverage",
        "year_on_year",
    ]
    assert all(problem.severity == Severity.WARNING for problem in problems)
    assert not any(problem.is_error for problem in problems)


def test_errors_and_warnings_split_the_problems():
    data = {"comment": "contact@exemple.fr", "forms": {"sexual": base_form(women=7)}}
    problems = check_submission(data)
    assert codes(errors(problems)) == ["gender_sum"]
    assert codes(warnings(problems)) == ["identifying_text"]


# --- Where a problem sits -----------------------------------------------------------------


def test_problem_path_is_its_place_in_the_json_format():
    assert Problem(Severity.ERROR, "x", "", "sexual", "women").path == "forms.sexual.women"
    assert Problem(Severity.ERROR, "x", "", None, "comment").path == "comment"
    assert Problem(Severity.ERROR, "x", "", "labour", None).path == "forms.labour"
    data = {"forms": {"sexual": base_form(women=7)}}
    assert [problem.path for problem in check_submission(data)] == ["forms.sexual.women"]


# --- Properties: any consistent submission passes; any broken number is caught ----------

# A submission is six forms of some 60 numbers each: even its smallest example is large.
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.large_base_example])


@settings(PROPERTY, max_examples=150)
@given(consistent_submissions())
def test_a_consistent_submission_has_no_error(data):
    assert errors(check_submission(data)) == []


@settings(PROPERTY, max_examples=100)
@given(st.data())
def test_part2_null_and_left_out_are_the_same(draw):
    form = draw.draw(st.sampled_from(FORMS))
    answers = draw.draw(consistent_forms(form))
    left_out = {key: value for key, value in answers.items() if value is not None}
    nulls = {**dict.fromkeys(PART2_FIELDS), **answers}
    assert check_form(form, left_out) == check_form(form, nulls) == check_form(form, answers)


@settings(PROPERTY, max_examples=100)
@given(st.data())
def test_blanking_a_part2_answer_never_makes_an_error(draw):
    form = draw.draw(st.sampled_from(FORMS))
    answers = draw.draw(consistent_forms(form))
    blanked = draw.draw(st.lists(st.sampled_from(PART2_FIELDS), unique=True, min_size=1))
    answers.update(dict.fromkeys(blanked))
    assert errors(check_form(form, answers)) == []


def side_value(answers: dict, fields: tuple[str, ...], *, complete: bool) -> int | None:
    """A side of a rule, per the spec: Part 1 left out is 0, Part 2 blank is unknown.

    A left side is the sum of what is answered; a right side is known only when all of
    it is answered (`complete`).
    """
    values = []
    for field in fields:
        if field == "origin_countries":
            values.append(sum((answers.get("origin") or {}).values()))
            continue
        value = answers.get(field, 0 if field in PART1_FIELDS else None)
        if value is None and complete:
            return None
        if value is not None:
            values.append(value)
    return sum(values) if values else None


BREAKDOWN_RULES = {
    **dict.fromkeys(PLACE, "place_sum"),
    **dict.fromkeys(GENDER, "gender_sum"),
    **dict.fromkeys(AGE, "age_sum"),
    "origin_unknown": "origin_sum",
}


def break_one_number(draw, form: str, answers: dict) -> str:
    """Push one rule-relevant number of `answers` past its bound; the error code expected."""
    detected = answers.get("detected", 0)
    breakdown = [*PLACE, *GENDER, *AGE, "origin_unknown"]
    breakdown += [f"origin.{code}" for code in answers.get("origin", {})]
    breakable_rules = [
        rule for rule in RULES if side_value(answers, rule.right.fields, complete=True) is not None
    ]
    ways = ["accompanied_above_detected", "breakdown_plus_one", "rule"]
    if form != "sexual":
        ways.append("exit_programme")
    if form == "other" and detected:
        ways.append("other_without_label")
    if detected == 0:
        ways.append("zero_detected")

    def set_count(field: str, value: int, code: str) -> str:
        if field.startswith("origin."):
            answers["origin"][field.removeprefix("origin.")] = value
        else:
            answers[field] = value
        return code if value <= MAX_COUNT else "count_range"

    way = draw(st.sampled_from(ways))
    if way == "accompanied_above_detected":
        return set_count("accompanied", detected + 1, "accompanied_le_detected")
    if way == "breakdown_plus_one":
        field = draw(st.sampled_from(breakdown))
        if field.startswith("origin."):
            old = answers["origin"][field.removeprefix("origin.")]
        else:
            old = answers.get(field, 0)
        return set_count(field, old + 1, BREAKDOWN_RULES.get(field, "origin_sum"))
    if way == "rule":
        rule = draw(st.sampled_from(breakable_rules), label="rule")
        right = side_value(answers, rule.right.fields, complete=True)
        left = side_value(answers, rule.left.fields, complete=False) or 0
        field = rule.left.fields[0]
        field = "origin_unknown" if field == "origin_countries" else field
        new = (answers.get(field) or 0) + right - left + 1  # left becomes right + 1
        return set_count(field, new, rule.code)
    if way == "exit_programme":
        return set_count("exit_programme", draw(st.integers(1, 5)), "exit_programme_form")
    if way == "other_without_label":
        answers["other_label"] = draw(st.sampled_from(["", " "]))
        return "other_label_required"
    field = draw(st.sampled_from([f for f in (*PART1_FIELDS, *PART2_FIELDS) if f != "detected"]))
    return set_count(field, draw(st.integers(1, 5)), "zero_detected")


@settings(PROPERTY, max_examples=200)
@given(consistent_submissions(), st.data())
def test_breaking_one_number_is_an_error_of_that_form(data, draw):
    form = draw.draw(st.sampled_from(FORMS), label="form")
    expected = break_one_number(draw.draw, form, data["forms"][form])

    problems = errors(check_submission(data))

    assert problems, "the broken number is not reported"
    assert {problem.form for problem in problems} == {form}
    assert expected in codes(problems)
