"""Admin pages: useful lists for the staff. The review workflow comes later."""

from django.contrib import admin
from django.db.models import Count, Q, Sum
from simple_history.admin import SimpleHistoryAdmin

from .models import Association, Campaign, FormAnswer, Membership, OriginCount, Submission


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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Association)
class AssociationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "identifier", "departement", "region", "member_count"]
    list_filter = ["region"]
    search_fields = ["name", "identifier", "departement"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description="membres", ordering="member_count")
    def member_count(self, association):
        return association.member_count


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "association", "created_at"]
    list_select_related = ["user", "association"]
    search_fields = ["user__email", "user__username", "association__name"]
    autocomplete_fields = ["user", "association"]


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


class OriginCountInline(admin.TabularInline):
    model = OriginCount
    extra = 0


@admin.register(FormAnswer)
class FormAnswerAdmin(SimpleHistoryAdmin):
    list_display = ["submission", "form", "detected", "accompanied"]
    list_filter = ["form", "submission__campaign"]
    list_select_related = ["submission__association", "submission__campaign"]
    search_fields = ["submission__association__name"]
    inlines = [OriginCountInline]


from . import admin_invitations  # noqa: E402,F401
