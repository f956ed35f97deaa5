"""Reads for the associations' side, each in a fixed number of queries."""

from django.db.models import Prefetch, QuerySet, Subquery

from .checks import Problem, check_submission
from .models import Association, Campaign, FormAnswer, Submission


def associations_of(user) -> QuerySet[Association]:
    return Association.objects.filter(memberships__user=user).order_by("name")


def submissions_with_answers() -> QuerySet[Submission]:
    return Submission.objects.select_related("association", "campaign").prefetch_related(
        Prefetch("answers", queryset=FormAnswer.objects.prefetch_related("origins"))
    )


def submission_of(association: Association, campaign: Campaign) -> Submission | None:
    """The association's submission for the campaign with its answers (3 queries)."""
    return submissions_with_answers().filter(association=association, campaign=campaign).first()


def previous_submission(association: Association, campaign: Campaign) -> Submission | None:
    """The association's validated answer to the campaign just before this one, if any.

    Only that campaign: an older answer is not "last year" (as for the import's checks).
    """
    just_before = Campaign.objects.filter(year__lt=campaign.year).order_by("-year")
    return (
        submissions_with_answers()
        .filter(
            association=association,
            campaign=Subquery(just_before.values("pk")[:1]),
            status=Submission.Status.VALIDATED,
        )
        .first()
    )


def empty_data(association: Association, campaign: Campaign) -> dict:
    """What a submission not started yet looks like."""
    return Submission(association=association, campaign=campaign).to_data()


def problems_of(data: dict, previous: Submission | None) -> list[Problem]:
    return check_submission(data, previous.to_data() if previous else None)


def open_campaign() -> Campaign | None:
    return Campaign.objects.filter(status=Campaign.Status.OPEN).order_by("-year").first()
