"""The sums every published table is computed from, read in five queries per campaign.

`CampaignFigures.load(campaign)` runs, over the VALIDATED submissions of the campaign:

1. one aggregate over `Submission`: how many there are, and the once-per-submission
   counts (`suspects_identified`, `association_civil_party_cases`) with how many answered;
2. one query over `FormAnswer` grouped by form: the sum of every count, and for every
   *condition* below the accompanied victims and the answers that meet it (the Part 2
   denominators), plus the few sums a ratio needs over the same answers as its base;
3. one aggregate over `FormAnswer` grouped by submission: for every condition, how many
   associations have at least one answer meeting it (the respondents of a Part 2
   question: they cannot be added up across forms, an association answering for two
   forms counts once);
4. one query over `OriginCount` grouped by (country, form);

and one more over the validated answers of the previous campaign (`Campaign.previous`):
5. the victims detected by form, for F1's evolution.

Whatever the number of associations, that is five queries; `reports.tables` builds every
table from the result without touching the database again.

Time (`bench/tables.py`, PostgreSQL): each query reads every validated answer of the
campaign; the submissions are found by the index on `campaign_id` in a few ms. What
grows with the number of associations is the work per row: some 180 sums in query 2
(each costs about the same, FILTERed or not, so only what a table reads is summed), a
condition per respondent count in query 3, and the join of every origin count to its
answer in query 4.

Part 2 blanks are "not answered", never 0: a condition says which answers a share may
use, and both sides of the share are summed over the answers meeting it.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db.models import Case, Count, Max, Q, Subquery, Sum, When

from survey.models import Campaign, FormAnswer, OriginCount, Submission
from survey.questionnaire import (
    FORMS,
    GROUPS,
    PART1_FIELDS,
    PART2_FIELDS,
    PART2_GROUPS,
    SUBMISSION_COUNT_FIELDS,
)

VALIDATED = Submission.Status.VALIDATED


def answered_any(*fields: str) -> Q:
    """At least one of the fields is answered (not blank)."""
    return reduce(or_, (Q(**{f"{field}__isnull": False}) for field in fields))


def answered_all(*fields: str) -> Q:
    """Every one of the fields is answered."""
    return reduce(and_, (Q(**{f"{field}__isnull": False}) for field in fields))


HELD = ("permit_held_l425_1", "permit_held_l425_4", "permit_held_protection", "permit_held_other")
PENDING = (
    "permit_pending_l425_1",
    "permit_pending_l425_4",
    "permit_pending_protection",
    "permit_pending_other",
)
DELAYS = ("permit_delay_under_6m", "permit_delay_6_12m", "permit_delay_over_12m")
COMPLAINT_SPLIT = ("complaint_thb", "complaint_other", "no_complaint", "complaint_unspecified")
COMPLAINTS_FILED = ("complaint_thb", "complaint_other", "complaint_unspecified")

# Which answers (one form of one submission) a share may use. Names: `f_<field>` the field
# is answered; `g_<question>` at least one field of the question is; `p_<name>` every field
# a ratio reads is.
CONDITIONS: dict[str, Q] = {
    **{f"f_{field}": answered_any(field) for field in PART2_FIELDS},
    **{f"g_{group.code}": answered_any(*group.fields) for group in PART2_GROUPS},
    "g_f7": answered_any(*GROUPS["referral"].fields, *GROUPS["support_duration"].fields),
    "g_held": answered_any(*HELD),
    "g_pending": answered_any(*PENDING),
    "g_delay": answered_any(*DELAYS),
    "g_complaint_split": answered_any(*COMPLAINT_SPLIT),
    "p_mna_reported": answered_all("unaccompanied_minors", "unaccompanied_minors_reported"),
    "p_housed_living": answered_all("housed_by_exploiter", "living_at_workplace"),
    "p_housing_offered": answered_all("needs_adapted_housing", "adapted_housing_offered"),
    # Eligible to a permit = accompanied − not concerned: both must be known, with the
    # permits held.
    "p_eligible": answered_all("residence_not_concerned") & answered_any(*HELD),
    "p_prosecuted_thb": answered_all("case_prosecuted", "case_prosecuted_thb"),
    "p_employed_cdi": answered_all("employment_support", "employed_cdi"),
    "p_employed_cdd": answered_all("employment_support", "employed_cdd"),
    "p_employed": answered_all("employment_support") & answered_any("employed_cdi", "employed_cdd"),
}

# Sums restricted to a condition, beyond `accompanied` (summed for every condition): the
# base or the numerator of a ratio whose fields may be blank on other answers.
CONDITIONAL_SUMS: tuple[tuple[str, str], ...] = (
    ("age_18_24", "f_adults_minor_at_start"),
    ("age_25_plus", "f_adults_minor_at_start"),
    ("under_15", "f_unaccompanied_minors"),
    ("age_15_17", "f_unaccompanied_minors"),
    ("unaccompanied_minors", "p_mna_reported"),
    ("unaccompanied_minors_reported", "p_mna_reported"),
    ("housed_by_exploiter", "p_housed_living"),
    ("living_at_workplace", "p_housed_living"),
    ("needs_adapted_housing", "p_housing_offered"),
    ("adapted_housing_offered", "p_housing_offered"),
    ("residence_not_concerned", "p_eligible"),
    *((field, "p_eligible") for field in HELD),
    ("case_prosecuted", "p_prosecuted_thb"),
    ("case_prosecuted_thb", "p_prosecuted_thb"),
    ("employment_support", "p_employed_cdi"),
    ("employed_cdi", "p_employed_cdi"),
    ("employment_support", "p_employed_cdd"),
    ("employed_cdd", "p_employed_cdd"),
    ("employment_support", "p_employed"),
    ("employed_cdi", "p_employed"),
    ("employed_cdd", "p_employed"),
)


# The conditions whose number of answers per form a table reads (`CampaignFigures.answers`):
# only these are counted, each count being one more aggregate over every answer.
COUNTED_ANSWERS: tuple[str, ...] = (
    "f_unaccompanied_minors",
    "f_exit_programme",
    "g_complaint_split",
)


def sum_name(field: str, condition: str | None = None) -> str:
    """The name of a per-form sum: `sum_<field>`, or `sum_<field>_if_<condition>`."""
    return f"sum_{field}_if_{condition}" if condition else f"sum_{field}"


def answers_name(condition: str) -> str:
    """The name of the per-form number of answers meeting a condition."""
    return f"answers_if_{condition}"


def _per_form_aggregates() -> dict:
    aggregates: dict = {sum_name(field): Sum(field) for field in (*PART1_FIELDS, *PART2_FIELDS)}
    for condition, q in CONDITIONS.items():
        aggregates[sum_name("accompanied", condition)] = Sum("accompanied", filter=q)
    for condition in COUNTED_ANSWERS:
        # At most one answer per (submission, form): per form, answers are associations.
        aggregates[answers_name(condition)] = Count("pk", filter=CONDITIONS[condition])
    for field, condition in CONDITIONAL_SUMS:
        aggregates[sum_name(field, condition)] = Sum(field, filter=CONDITIONS[condition])
    return aggregates


def _previous_detected(campaign: Campaign) -> tuple[dict[str, int] | None, int | None]:
    """Victims detected by form in the validated answers of the previous campaign.

    The previous campaign is `Campaign.previous` (the edition just before, whatever its
    answers), read as a subquery: one query, grouped by form.
    """
    previous = Campaign.objects.filter(year__lt=campaign.year).order_by("-year")
    rows = list(
        FormAnswer.objects.filter(
            submission__campaign=Subquery(previous.values("pk")[:1]),
            submission__status=VALIDATED,
        )
        .values("form", "submission__campaign__reference_year")
        .annotate(detected=Sum("detected"))
        .order_by()
    )
    if not rows:
        return None, None
    detected = dict.fromkeys(FORMS, 0) | {row["form"]: row["detected"] or 0 for row in rows}
    return detected, rows[0]["submission__campaign__reference_year"]


@dataclass(frozen=True)
class CampaignFigures:
    """What the tables of one campaign are computed from (validated submissions only)."""

    campaign: Campaign
    # Validated submissions: the respondents of every Part 1 table.
    submissions: int
    # Once-per-submission counts: `sum_<field>` their sum, `answered_<field>` how many
    # submissions gave it.
    per_submission: dict[str, int]
    # form → sum name (see `sum_name`, `answers_name`) → value; every form, 0 when absent.
    by_form: dict[str, dict[str, int]]
    # condition → associations with at least one answer meeting it (all forms together).
    respondents: dict[str, int]
    # (country, form) → accompanied victims of that nationality.
    origins: dict[tuple[str, str], int]
    # form → foreign victims (known country other than France) of the answers where
    # `irregular` is answered: the base of "irregular among foreign victims".
    foreign_if_irregular: dict[str, int]
    # form → victims detected in the previous campaign (`Campaign.previous`), and its
    # reference year; None when it has no validated answer (or there is none).
    previous_detected: dict[str, int] | None = None
    previous_reference_year: int | None = None

    @classmethod
    def load(cls, campaign: Campaign) -> "CampaignFigures":
        validated = Submission.objects.filter(campaign=campaign, status=VALIDATED)
        once: dict = {"submissions": Count("pk")}
        for field in SUBMISSION_COUNT_FIELDS:
            once[f"sum_{field}"] = Sum(field)
            once[f"answered_{field}"] = Count(field)
        per_submission = {name: value or 0 for name, value in validated.aggregate(**once).items()}

        answers = FormAnswer.objects.filter(
            submission__campaign=campaign, submission__status=VALIDATED
        )
        aggregates = _per_form_aggregates()
        by_form: dict[str, dict[str, int]] = {form: dict.fromkeys(aggregates, 0) for form in FORMS}
        for row in answers.values("form").annotate(**aggregates).order_by():
            form = row.pop("form")
            by_form[form] = {name: value or 0 for name, value in row.items()}

        # Per submission, whether one of its answers meets the condition (0 or 1), then
        # added up: one sort by submission, where COUNT(DISTINCT submission) FILTER … sorts
        # once per condition (0.5 s → 0.3 s for 10 000 associations on PostgreSQL).
        meets = {
            f"meets_{condition}": Max(Case(When(q, then=1), default=0))
            for condition, q in CONDITIONS.items()
        }
        respondents = (
            answers.values("submission")
            .annotate(**meets)
            .order_by()
            .aggregate(**{condition: Sum(f"meets_{condition}") for condition in CONDITIONS})
        )

        origins: dict[tuple[str, str], int] = {}
        foreign_if_irregular: dict[str, int] = defaultdict(int)
        origin_rows = (
            OriginCount.objects.filter(
                answer__submission__campaign=campaign, answer__submission__status=VALIDATED
            )
            .values("country", "answer__form")
            .annotate(
                victims=Sum("count"),
                victims_if_irregular=Sum("count", filter=Q(answer__irregular__isnull=False)),
            )
            .order_by()
        )
        for row in origin_rows:
            country, form = str(row["country"]), row["answer__form"]
            if row["victims"]:
                origins[country, form] = row["victims"]
            if country != "FR":
                foreign_if_irregular[form] += row["victims_if_irregular"] or 0

        previous_detected, previous_reference_year = _previous_detected(campaign)

        return cls(
            campaign=campaign,
            submissions=per_submission.pop("submissions"),
            per_submission=per_submission,
            by_form=by_form,
            respondents={name: value or 0 for name, value in respondents.items()},
            origins=origins,
            foreign_if_irregular={form: foreign_if_irregular[form] for form in FORMS},
            previous_detected=previous_detected,
            previous_reference_year=previous_reference_year,
        )

    def total(self, field: str, condition: str | None = None, forms=FORMS) -> int:
        """A sum over the forms (all by default) of one per-form sum."""
        name = sum_name(field, condition)
        return sum(self.by_form[form][name] for form in forms)

    def form(self, form: str, field: str, condition: str | None = None) -> int:
        return self.by_form[form][sum_name(field, condition)]

    def answers(self, condition: str, form: str) -> int:
        """Associations whose answer for `form` meets the condition (one of
        `COUNTED_ANSWERS`)."""
        return self.by_form[form][answers_name(condition)]
