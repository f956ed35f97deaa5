"""The audit log in the admin: read-only for everyone, superusers included.

Miprof staff read it through the view permission their group gives them (survey/roles.py).
"""

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "action",
        "actor_identifier",
        "association",
        "campaign_year",
        "object_repr",
        "ip_address",
    ]
    list_filter = ["action", "campaign_year"]
    list_select_related = ["association"]
    date_hierarchy = "created_at"
    search_fields = ["actor_identifier", "association__name", "association__identifier"]
    fields = [
        "created_at",
        "action",
        "actor",
        "actor_identifier",
        "association",
        "campaign_year",
        "content_type",
        "object_id",
        "object_repr",
        "ip_address",
        "details",
    ]
    readonly_fields = fields
    actions = None

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
