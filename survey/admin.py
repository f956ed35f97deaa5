"""Admin pages: associations, members, answers. Campaigns and submissions have their own
modules (the cockpit, the review), as do invitations."""

from django.contrib import admin
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from .admin_spreadsheet import AssociationSpreadsheetMixin
from .models import Association, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Association)
class AssociationAdmin(AssociationSpreadsheetMixin, SimpleHistoryAdmin):
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


from . import admin_campaigns, admin_invitations, admin_submissions  # noqa: E402,F401
