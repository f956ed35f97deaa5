"""Writes that span several rows: importing answers, saving a submission's answers.

Callers check the data first (`survey.answers_json.parse_answers` and `entry_problems`
for a file, the web forms for a page); these functions still run the models' own
validation where it costs no query, and never step around the database constraints.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .models import Association, Campaign, FormAnswer, OriginCount, Submission
from .questionnaire import COUNT_FIELDS, FORMS, SUBMISSION_COUNT_FIELDS


@dataclass
class ImportResult:
    submissions: list[Submission] = field(default_factory=list)
    created_campaigns: list[Campaign] = field(default_factory=list)
    created_associations: list[Association] = field(default_factory=list)
    replaced: int = 0  # submissions that existed and were replaced by the file's


def campaign_get_or_create(*, year: int) -> tuple[Campaign, bool]:
    campaign = Campaign.objects.filter(year=year).first()
    if campaign is not None:
        return campaign, False
    campaign = Campaign(year=year, reference_year=year - 1, status=Campaign.Status.DRAFT)
    campaign.full_clean()
    campaign.save()
    return campaign, True


def association_update_or_create(
    *, identifier: str, name: str, departement: str
) -> tuple[Association, bool]:
    association = Association.objects.filter(identifier=identifier).first()
    if association is None:
        association = Association(identifier=identifier, name=name, departement=departement)
        association.full_clean()
        association.save()
        return association, True
    if (association.name, association.departement) != (name, departement):
        association.name, association.departement = name, departement
        association.full_clean(exclude=["identifier"])
        association.save(update_fields=["name", "departement"])
    return association, False


def submission_save_data(*, submission: Submission, data: dict) -> None:
    """Replace a submission's per-form answers by those of `data` (to_data() shape).

    Forms missing from `data` are stored empty; only origin counts > 0 are stored.
    Runs in the caller's transaction (opens one when there is none).
    """
    forms = data.get("forms") or {}
    with transaction.atomic():
        # Deleting cascades to the origin counts: nothing of the old answers survives.
        submission.answers.all().delete()
        origins: list[OriginCount] = []
        for form in FORMS:
            values = {**FormAnswer.empty_data(), **(forms.get(form) or {})}
            answer = FormAnswer(
                submission=submission,
                form=form,
                other_label=values["other_label"] or "",
                **{name: values[name] for name in COUNT_FIELDS},
            )
            # Values only, no query: the foreign key and the uniqueness of (submission,
            # form) are the database's job.
            answer.full_clean(
                exclude=["submission"], validate_unique=False, validate_constraints=False
            )
            answer.save()
            for country, count in sorted(values["origin"].items()):
                if count:
                    origin = OriginCount(answer=answer, country=country, count=count)
                    origin.full_clean(
                        exclude=["answer"], validate_unique=False, validate_constraints=False
                    )
                    origins.append(origin)
        OriginCount.objects.bulk_create(origins)


def _set_status(submission: Submission, status: str, user: AbstractBaseUser | None) -> None:
    """The file's status, with the dates it implies: the import is the act recorded."""
    now = timezone.now()
    submission.status = status
    sent = {Submission.Status.SUBMITTED, Submission.Status.RETURNED, Submission.Status.VALIDATED}
    if status in sent:
        submission.submitted_at = submission.submitted_at or now
        submission.submitted_by = submission.submitted_by or user
    else:
        submission.submitted_at = submission.submitted_by = None
    if status == Submission.Status.VALIDATED:
        submission.validated_at, submission.validated_by = now, user
    else:
        submission.validated_at = submission.validated_by = None


def answers_import(*, entries: list[dict], user: AbstractBaseUser | None = None) -> ImportResult:
    """Store checked entries (`parse_answers` shape), all or nothing.

    Each entry replaces its association's submission for its campaign: the same row
    (same id) with `version` incremented, and new per-form answers. Missing campaigns
    (reference year = year − 1, draft) and associations are created.
    """
    result = ImportResult()
    with transaction.atomic():
        campaigns: dict[int, Campaign] = {}
        for entry in entries:
            year = entry["campaign"]
            if year not in campaigns:
                campaigns[year], created = campaign_get_or_create(year=year)
                if created:
                    result.created_campaigns.append(campaigns[year])
            campaign = campaigns[year]

            association, created = association_update_or_create(
                identifier=entry["association"]["identifier"],
                name=entry["association"]["name"],
                departement=entry["association"].get("departement") or "",
            )
            if created:
                result.created_associations.append(association)

            # Locked so that a web save in between cannot interleave with the replacement.
            submission = (
                Submission.objects.select_for_update()
                .filter(association=association, campaign=campaign)
                .first()
            )
            if submission is None:
                submission = Submission(association=association, campaign=campaign)
            else:
                submission.version += 1
                result.replaced += 1
            _set_status(submission, entry["status"], user)
            for name in SUBMISSION_COUNT_FIELDS:
                setattr(submission, name, entry.get(name))
            submission.comment = entry.get("comment") or ""
            submission.full_clean(
                exclude=["association", "campaign", "submitted_by", "validated_by"],
                validate_unique=False,
                validate_constraints=False,
            )
            submission.save()
            submission_save_data(submission=submission, data=entry)
            result.submissions.append(submission)
    return result
