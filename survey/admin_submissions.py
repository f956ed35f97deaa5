"""Submissions in the admin: the list, and (to come) the review of each submission."""

from django.contrib import admin
from django.db.models import Sum
from simple_history.admin import SimpleHistoryAdmin

from .models import FormAnswer, Submission


class FormAnswerInline(admin.StackedInline):
    model = FormAnswer
    extra = 0
    show_change_link = True


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    list_display = [
        "association",
        "campaign",
        "status",
        "total_detected",
        "total_accompanied",
        "submitted_at",
        "validated_at",
    ]
    list_filter = ["campaign", "status", "association__region"]
    list_select_related = ["association", "campaign"]
    search_fields = ["association__name", "association__identifier"]
    readonly_fields = ["version", "created_at", "updated_at"]
    autocomplete_fields = ["association"]
    inlines = [FormAnswerInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                total_detected=Sum("answers__detected"),
                total_accompanied=Sum("answers__accompanied"),
            )
        )

    @admin.display(description="victimes repérées", ordering="total_detected")
    def total_detected(self, submission):
        return submission.total_detected or 0

    @admin.display(description="victimes accompagnées", ordering="total_accompanied")
    def total_accompanied(self, submission):
        return submission.total_accompanied or 0
