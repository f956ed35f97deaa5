"""Hypothesis strategies: random submissions that meet every rule of questionnaire.md.

The groups and bounds below are written from questionnaire.md ("Part 1", "Part 2"),
not from survey/checks.py, so that the property tests compare the checks with the spec.
"""

from functools import cache
from itertools import pairwise
from random import Random

from django_countries import countries
from hypothesis import strategies as st

from survey.questionnaire import FORMS, MAX_COUNT, PART1_FIELDS, PART2_FIELDS

PLACE = ("france_only", "france_and_abroad", "abroad_only")
GENDER = ("women", "trans_women", "men", "trans_men", "non_binary", "gender_unknown")
AGE = ("under_15", "age_15_17", "age_18_24", "age_25_plus", "age_unknown")
VULNERABILITIES = ("pregnancy", "dependent_children", "disability", "addiction")
LINK = ("link_family", "link_entourage", "link_employer", "link_other")
REFERRAL = ("referral_association", "referral_professional", "referral_private")
SUPPORT_DURATION = ("support_under_6m", "support_6_18m", "support_over_18m")
PERMITS_HELD = (
    "permit_held_l425_1",
    "permit_held_l425_4",
    "permit_held_protection",
    "permit_held_other",
)
# Each victim is in at most one of these: not concerned, permit held, irregular.
RESIDENCE_SITUATIONS = ("residence_not_concerned", *PERMITS_HELD, "irregular")
PERMITS_PENDING = (
    "permit_pending_l425_1",
    "permit_pending_l425_4",
    "permit_pending_protection",
    "permit_pending_other",
)
PERMIT_DELAYS = ("permit_delay_under_6m", "permit_delay_6_12m", "permit_delay_over_12m")
COMPLAINTS_FILED = ("complaint_thb", "complaint_other", "complaint_unspecified")
COURT_OUTCOMES = (
    "case_ongoing",
    "case_prosecuted",
    "case_dismissed",
    "case_alternative",
    "case_no_news",
)
EMPLOYED = ("employed_cdi", "employed_cdd")

# Free texts that name no one: they must never raise the "identifying text" warning.
SAFE_TEXTS = (
    "",
    "Trafic d'organes",
    "Mariage forcé",
    "Suivi renforcé en 2023",
    "Servitude pour dettes",
    "Chiffres estimés à partir de nos dossiers.",
)


@cache
def country_codes() -> tuple[str, ...]:
    """ISO 3166-1 codes of django_countries (France included)."""
    return tuple(country.code for country in countries)


def edgy_count(rnd: Random, bound: int) -> int:
    """A whole number in 0..bound, often one of the edges (0 or the bound itself)."""
    roll = rnd.random()
    if roll < 0.15:
        return 0
    if roll < 0.35:
        return bound
    return rnd.randint(0, bound)


def partition(rnd: Random, total: int, parts: int) -> list[int]:
    """`parts` whole numbers >= 0 summing to `total`."""
    cuts = sorted(rnd.randint(0, total) for _ in range(parts - 1))
    return [high - low for low, high in pairwise([0, *cuts, total])]


def answered_sum(answers: dict, fields: tuple[str, ...]) -> int | None:
    """The sum of a group whose fields are all answered; None when one is blank."""
    values = [answers.get(field) for field in fields]
    return None if None in values else sum(values)


def consistent_form(rnd: Random, form: str) -> dict:
    """One form's answers meeting every hard rule; Part 2 answers may be blank."""
    roll = rnd.random()
    if roll < 0.15:
        detected = 0
    elif roll < 0.6:
        detected = rnd.randint(1, 30)
    elif roll < 0.97:
        detected = rnd.randint(1, 5_000)
    else:
        detected = MAX_COUNT
    accompanied = edgy_count(rnd, detected)
    answers: dict = {"detected": detected, "accompanied": accompanied}

    # Part 1: every breakdown is a partition of the accompanied victims.
    for fields in (PLACE, GENDER, AGE):
        answers.update(zip(fields, partition(rnd, accompanied, len(fields)), strict=True))
    codes = rnd.sample(country_codes(), rnd.randint(0, 8))
    unknown, *per_country = partition(rnd, accompanied, len(codes) + 1)
    answers["origin"] = dict(zip(codes, per_country, strict=True))
    answers["origin_unknown"] = unknown

    minors = answers["under_15"] + answers["age_15_17"]
    adults = answers["age_18_24"] + answers["age_25_plus"]
    part2_answered = rnd.random()  # how often a Part 2 question is answered

    def optional(bound: int) -> int | None:
        return edgy_count(rnd, bound) if rnd.random() < part2_answered else None

    def optional_group(fields: tuple[str, ...], bound: int) -> None:
        """A distribution of at most `bound` victims; blank, or some of its fields blank."""
        if rnd.random() >= part2_answered:
            answers.update(dict.fromkeys(fields))
            return
        values = partition(rnd, edgy_count(rnd, bound), len(fields))
        for field, value in zip(fields, values, strict=True):
            answers[field] = None if rnd.random() < 0.15 else value

    # Part 2: each value blank or within every bound of the spec.
    answers["adults_minor_at_start"] = optional(adults)
    mna = answers["unaccompanied_minors"] = optional(minors)
    answers["unaccompanied_minors_reported"] = optional(accompanied if mna is None else mna)
    for field in VULNERABILITIES:
        answers[field] = optional(accompanied)
    housed = answers["housed_by_exploiter"] = optional(accompanied)
    answers["living_at_workplace"] = optional(accompanied if housed is None else housed)
    needed = answers["needs_adapted_housing"] = optional(accompanied)
    answers["adapted_housing_offered"] = optional(accompanied if needed is None else needed)
    for field in ("still_exploited_at_contact", "transfer_organised", "network"):
        answers[field] = optional(accompanied)
    for fields in (LINK, REFERRAL, SUPPORT_DURATION, RESIDENCE_SITUATIONS):
        optional_group(fields, accompanied)
    optional_group(PERMITS_PENDING, accompanied)
    optional_group(PERMIT_DELAYS, accompanied)
    answers["exit_programme"] = optional(accompanied) if form == "sexual" else rnd.choice((None, 0))
    optional_group((*COMPLAINTS_FILED, "no_complaint"), accompanied)
    # Complaints filed are known only when the three kinds of complaint are answered.
    filed = answered_sum(answers, COMPLAINTS_FILED)
    answers["civil_party"] = optional(accompanied if filed is None else filed)
    answers["no_complaint_before_support"] = optional(accompanied)
    answers["complaint_refused"] = optional(accompanied)
    optional_group(COURT_OUTCOMES, accompanied if filed is None else filed)
    prosecuted = answers["case_prosecuted"]
    answers["case_prosecuted_thb"] = optional(accompanied if prosecuted is None else prosecuted)
    support = answers["employment_support"] = optional(accompanied)
    optional_group(EMPLOYED, accompanied if support is None else support)
    answers["also_supported_elsewhere"] = optional(accompanied)

    assert set(answers) == {*PART1_FIELDS, *PART2_FIELDS, "origin"}, "a field is not drawn"

    # Blank is None or left out; a Part 1 zero may be left out too.
    left_out = rnd.choice((0.0, 0.5, 1.0))
    for field in [*PART1_FIELDS, *PART2_FIELDS]:
        left_out_means = 0 if field in PART1_FIELDS else None
        if answers[field] == left_out_means and rnd.random() < left_out:
            del answers[field]

    if form == "other":
        answers["other_label"] = rnd.choice(SAFE_TEXTS[1:] if detected else SAFE_TEXTS)
    return answers


def consistent_submission(rnd: Random) -> dict:
    """A submission (JSON format) with all six forms, meeting every hard rule."""
    return {
        "forms": {form: consistent_form(rnd, form) for form in FORMS},
        "suspects_identified": rnd.choice((None, 0, rnd.randint(0, 500), MAX_COUNT)),
        "association_civil_party_cases": rnd.choice((None, 0, rnd.randint(0, 50))),
        "comment": rnd.choice(SAFE_TEXTS),
    }


# A submission holds some 1 000 random numbers: drawing each through Hypothesis would take
# about 0.1 s a submission. A Random seeded by Hypothesis keeps the tests fast and every
# example reproducible (Hypothesis prints the failing submission and replays its seed);
# the price is that failing examples are not shrunk.
_randoms = st.randoms(use_true_random=True)


def consistent_forms(form: str) -> st.SearchStrategy[dict]:
    return _randoms.map(lambda rnd: consistent_form(rnd, form))


def consistent_submissions() -> st.SearchStrategy[dict]:
    return _randoms.map(consistent_submission)
