"""The sums every published table is computed from, and how they are kept.

`CampaignFigures.compute(campaign)` runs, over the VALIDATED submissions of the campaign:

1. one aggregate over `Submission`: how many there are, and the once-per-submission
   counts (`suspects_identified`, `association_civil_party_cases`) with how many answered;
2. one query over `FormAnswer` grouped by form: the sum of every count, and for every
   *condition* a share is computed over (`SHARE_BASES`) the accompanied victims of the
   answers that meet it (the Part 2 denominators), plus the few sums a ratio needs over
   the same answers as its base and the few numbers of answers a table reads;
3. one aggregate over `FormAnswer` grouped by submission: for each of those conditions,
   how many associations have at least one answer meeting it (the respondents of a Part 2
   question: they cannot be added up across forms, an association answering for two
   forms counts once);
4. one query over `OriginCount` grouped by (country, form).

Whatever the number of associations, that is four queries, but each reads every validated
answer: 0.55 s for 10 000 associations on PostgreSQL (`bench/tables.py`). Every figure is
a sum over submissions, so the figures are kept (`reports.models.StoredFigures`) with a
stamp of the validated submissions they come from, and `CampaignFigures.load`, what the
tables call, reads them back in three queries (with the previous campaign's, for F1's
evolution). Validating or reopening a submission adds or takes away its own figures in
the same transaction (`figures_follow`, a few small queries); anything else that changes
the validated submissions changes the stamp, and the next `load` computes them again.
`reports.tables` builds every table from the result without touching the database again.

Part 2 blanks are "not answered", never 0: a condition says which answers a share may
use, and both sides of the share are summed over the answers meeting it.
"""

import zlib
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import reduce
from operator import and_, or_

from django.db.models import Case, Count, Max, Q, Sum, When
from django.utils import timezone

from survey.models import Campaign, FormAnswer, OriginCount, Submission
from survey.questionnaire import (
    FORMS,
    GROUPS,
    PART1_FIELDS,
    PART2_FIELDS,
    PART2_GROUPS,
    SUBMISSION_COUNT_FIELDS,
)

from .models import StoredFigures

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


# The conditions a table computes a share over (reports/tables.py): for each, the
# accompanied victims of the answers meeting it and the associations with such an answer
# are added up, which costs a sum per answer and a condition per submission, so only for
# these (tests/test_tables.py checks that they are the ones the tables read).
SHARE_BASES: tuple[str, ...] = (
    *(
        f"f_{field}"
        for field in (
            "adults_minor_at_start",
            "unaccompanied_minors",
            "pregnancy",
            "dependent_children",
            "disability",
            "addiction",
            "still_exploited_at_contact",
            "housed_by_exploiter",
            "transfer_organised",
            "network",
            "needs_adapted_housing",
            "residence_not_concerned",
            "irregular",
            "exit_programme",
            "civil_party",
            "no_complaint_before_support",
            "complaint_refused",
            "employment_support",
        )
    ),
    *(
        f"g_{question}"
        for question in (
            "unaccompanied_minors",
            "vulnerabilities",
            "control",
            "link",
            "referral",
            "support_duration",
            "residence",
            "complaints",
            "court",
            "employment",
            "f7",
            "held",
            "pending",
            "delay",
            "complaint_split",
        )
    ),
    "p_mna_reported",
    "p_housed_living",
    "p_housing_offered",
    "p_eligible",
    "p_prosecuted_thb",
    "p_employed_cdi",
    "p_employed_cdd",
    "p_employed",
)


def sum_name(field: str, condition: str | None = None) -> str:
    """The name of a per-form sum: `sum_<field>`, or `sum_<field>_if_<condition>`."""
    return f"sum_{field}_if_{condition}" if condition else f"sum_{field}"


def answers_name(condition: str) -> str:
    """The name of the per-form number of answers meeting a condition."""
    return f"answers_if_{condition}"


def _per_form_aggregates() -> dict:
    aggregates: dict = {sum_name(field): Sum(field) for field in (*PART1_FIELDS, *PART2_FIELDS)}
    for condition in SHARE_BASES:
        aggregates[sum_name("accompanied", condition)] = Sum(
            "accompanied", filter=CONDITIONS[condition]
        )
    for condition in COUNTED_ANSWERS:
        # At most one answer per (submission, form): per form, answers are associations.
        aggregates[answers_name(condition)] = Count("pk", filter=CONDITIONS[condition])
    for field, condition in CONDITIONAL_SUMS:
        aggregates[sum_name(field, condition)] = Sum(field, filter=CONDITIONS[condition])
    return aggregates


def _digest() -> str:
    """A short digest of what the figures hold: stored figures computed by other
    definitions (after a release that changed them) no longer match and are recomputed."""
    definitions = repr(
        (
            FORMS,
            SUBMISSION_COUNT_FIELDS,
            sorted(_per_form_aggregates()),
            CONDITIONS,
            SHARE_BASES,
            CONDITIONAL_SUMS,
            FORMAT,
        )
    )
    return f"{zlib.crc32(definitions.encode()):08x}"


# Raise when the meaning of a stored figure changes without its definition changing.
FORMAT = 1


def _stamp_parts(prefix: str = "", only: Q | None = None) -> dict:
    """The aggregates a stamp is made of, over the validated submissions (`only` those)."""
    return {
        f"{prefix}count": Count("pk", filter=only),
        f"{prefix}ids": Sum("pk", filter=only),
        f"{prefix}versions": Sum("version", filter=only),
        f"{prefix}last": Max("updated_at", filter=only),
    }


def _stamp(values: dict, prefix: str = "") -> str:
    parts = [values.get(f"{prefix}{name}") for name in ("count", "ids", "versions", "last")]
    if not parts[0]:
        return f"{_digest()}:0"
    return ":".join([_digest(), *map(str, parts[:3]), parts[3].isoformat()])


def stamps(campaigns: list[Campaign]) -> dict[int, str]:
    """Campaign id → what its validated submissions are, in one query.

    Whatever changes them changes the stamp: one validated or no longer validated (the
    count, the sum of ids), a service's edit (the sum of versions) or any save (the
    latest `updated_at`). Answers are only written through a submission's services, and
    the admin leaves validated answers read-only (survey/admin_submissions.py).
    """
    found = {
        row["campaign"]: _stamp(row)
        for row in Submission.objects.filter(campaign__in=campaigns, status=VALIDATED)
        .values("campaign")
        .annotate(**_stamp_parts())
        .order_by()
    }
    return {campaign.pk: found.get(campaign.pk, _stamp({"count": 0})) for campaign in campaigns}


def _stamps_with_and_without(submission: Submission) -> tuple[str, str]:
    """The stamp of the submission's campaign, and that of its other validated
    submissions, read in one statement (so at the same instant)."""
    values = Submission.objects.filter(campaign=submission.campaign_id, status=VALIDATED).aggregate(
        **_stamp_parts(), **_stamp_parts("others_", ~Q(pk=submission.pk))
    )
    return _stamp(values), _stamp(values, "others_")


def _added(one: dict, other: dict, sign: int) -> dict:
    return {key: one.get(key, 0) + sign * other.get(key, 0) for key in one.keys() | other.keys()}


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
    # condition (of `SHARE_BASES`) → associations with at least one answer meeting it (all
    # forms together).
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
        """The figures of the campaign, with the previous campaign's victims detected.

        Read from `StoredFigures` when their stamp is the campaign's (three queries);
        computed again (`compute`) and stored when it is not (six more at most, for each of
        the two campaigns). The stamps are read before the figures are computed: an answer
        validated in between leaves figures newer than their stamp, which the next load
        computes again, never the reverse.
        """
        previous = campaign.previous
        campaigns = [campaign, previous] if previous else [campaign]
        current = stamps(campaigns)
        stored = {
            row.campaign_id: row for row in StoredFigures.objects.filter(campaign__in=campaigns)
        }

        def figures_of(edition: Campaign) -> CampaignFigures:
            row = stored.get(edition.pk)
            if row is not None and row.stamp == current[edition.pk]:
                return cls.from_json(edition, row.figures)
            return cls.recompute(edition, current[edition.pk])

        figures = figures_of(campaign)
        if previous is None:
            return figures
        before = figures_of(previous)
        if not before.submissions:
            return figures
        return replace(
            figures,
            previous_detected={form: before.form(form, "detected") for form in FORMS},
            previous_reference_year=previous.reference_year,
        )

    @classmethod
    def recompute(cls, campaign: Campaign, stamp: str | None = None) -> "CampaignFigures":
        """Compute the campaign's figures and store them with `stamp`, read before (see
        `load`; read here when not given)."""
        if stamp is None:
            stamp = stamps([campaign])[campaign.pk]
        figures = cls.compute(campaign)
        kept = StoredFigures(campaign=campaign, stamp=stamp, figures=figures.as_json())
        if not StoredFigures.objects.filter(campaign=campaign).update(
            stamp=kept.stamp, figures=kept.figures, computed_at=timezone.now()
        ):
            # Another request may insert them meanwhile: theirs are as good.
            StoredFigures.objects.bulk_create([kept], ignore_conflicts=True)
        return figures

    @classmethod
    def compute(cls, campaign: Campaign, submission: Submission | None = None) -> "CampaignFigures":
        """Add up the validated answers of the campaign in four queries; or, given a
        submission, its own answers whatever its status (what it adds to the campaign's).

        Without the previous campaign's figures (`load` adds them).
        """
        if submission is None:
            which = {"campaign": campaign, "status": VALIDATED}
        else:
            which = {"pk": submission.pk}
        validated = Submission.objects.filter(**which)
        once: dict = {"submissions": Count("pk")}
        for field in SUBMISSION_COUNT_FIELDS:
            once[f"sum_{field}"] = Sum(field)
            once[f"answered_{field}"] = Count(field)
        per_submission = {name: value or 0 for name, value in validated.aggregate(**once).items()}

        answers = FormAnswer.objects.filter(
            **{f"submission__{name}": value for name, value in which.items()}
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
            f"meets_{condition}": Max(Case(When(CONDITIONS[condition], then=1), default=0))
            for condition in SHARE_BASES
        }
        respondents = (
            answers.values("submission")
            .annotate(**meets)
            .order_by()
            .aggregate(**{condition: Sum(f"meets_{condition}") for condition in SHARE_BASES})
        )

        origins: dict[tuple[str, str], int] = {}
        foreign_if_irregular: dict[str, int] = defaultdict(int)
        origin_rows = (
            OriginCount.objects.filter(
                **{f"answer__submission__{name}": value for name, value in which.items()}
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

        return cls(
            campaign=campaign,
            submissions=per_submission.pop("submissions"),
            per_submission=per_submission,
            by_form=by_form,
            respondents={name: value or 0 for name, value in respondents.items()},
            origins=origins,
            foreign_if_irregular={form: foreign_if_irregular[form] for form in FORMS},
        )

    def plus(self, other: "CampaignFigures", sign: int = 1) -> "CampaignFigures":
        """These figures with another's added (sign 1) or taken away (sign −1).

        Every figure is a sum over submissions, an association meeting a condition
        counting 1: the campaign's figures are the sum of its submissions' own.
        """
        origins = _added(self.origins, other.origins, sign)
        return replace(
            self,
            submissions=self.submissions + sign * other.submissions,
            per_submission=_added(self.per_submission, other.per_submission, sign),
            by_form={form: _added(self.by_form[form], other.by_form[form], sign) for form in FORMS},
            respondents=_added(self.respondents, other.respondents, sign),
            origins={key: value for key, value in origins.items() if value},
            foreign_if_irregular=_added(
                self.foreign_if_irregular, other.foreign_if_irregular, sign
            ),
        )

    def as_json(self) -> dict:
        """What `StoredFigures.figures` holds (without the previous campaign's)."""
        return {
            "submissions": self.submissions,
            "per_submission": self.per_submission,
            "by_form": self.by_form,
            "respondents": self.respondents,
            "origins": [[country, form, n] for (country, form), n in sorted(self.origins.items())],
            "foreign_if_irregular": self.foreign_if_irregular,
        }

    @classmethod
    def from_json(cls, campaign: Campaign, data: dict) -> "CampaignFigures":
        return cls(
            campaign=campaign,
            submissions=data["submissions"],
            per_submission=data["per_submission"],
            by_form=data["by_form"],
            respondents=data["respondents"],
            origins={(country, form): n for country, form, n in data["origins"]},
            foreign_if_irregular=data["foreign_if_irregular"],
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


@contextmanager
def figures_follow(submission: Submission):
    """Keep the stored figures of the submission's campaign in step with what the block
    does to it (validate, reopen), in the caller's transaction.

    The figures row is locked first: two reviews in the same campaign update it one
    after the other. When its stamp is still the campaign's, the submission's own figures
    are taken away if it was validated and added if it is validated after the block, in
    a few queries whatever the number of associations. When it is not (something else
    changed the validated answers, before or during the block), the row is left as it
    is: the next `load` computes the whole campaign again.
    """
    campaign = submission.campaign
    row = StoredFigures.objects.select_for_update().filter(campaign=campaign).first()
    whole, others = _stamps_with_and_without(submission) if row else (None, None)
    if row is None or row.stamp != whole:
        yield
        return
    figures = CampaignFigures.from_json(campaign, row.figures)
    if submission.status == VALIDATED:
        figures = figures.plus(CampaignFigures.compute(campaign, submission), -1)
    yield
    whole, others_after = _stamps_with_and_without(submission)
    if others_after != others:
        # Another writer (an import, say) changed the other validated submissions
        # meanwhile: the row keeps its old stamp, and the next `load` computes again.
        return
    if submission.status == VALIDATED:
        figures = figures.plus(CampaignFigures.compute(campaign, submission))
    row.stamp = whole
    row.figures = figures.as_json()
    row.save()
