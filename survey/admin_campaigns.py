"""Campaigns in the admin: the list, and (to come) the cockpit of each campaign."""

from django.contrib import admin
from django.db.models import Count, Q
from simple_history.admin import SimpleHistoryAdmin

from .models import Campaign, Submission


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = [
        "year",
        "reference_year",
        "status",
        "opens_on",
        "closes_on",
        "submission_count",
        "validated_count",
    ]
    list_filter = ["status"]
    ordering = ["-year"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                submission_count=Count("submissions"),
                validated_count=Count(
                    "submissions", filter=Q(submissions__status=Submission.Status.VALIDATED)
                ),
            )
        )

    @admin.display(description="réponses", ordering="submission_count")
    def submission_count(self, campaign):
        return campaign.submission_count

    @admin.display(description="validées", ordering="validated_count")
    def validated_count(self, campaign):
        return campaign.validated_count
