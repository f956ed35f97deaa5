"""Campaigns in the admin: the list, the cockpit of each campaign and its Excel export.

Miprof staff see campaigns and their cockpits; only superusers create, open, close,
change or delete a campaign (survey/campaigns.py does the writes).
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from audit.models import Action
from audit.models import record as audit_record

from .campaigns import CampaignRefused, campaign_close, campaign_create_next, campaign_open
from .cockpit import NO_REGION, NO_REGION_LABEL, STATUS_LABELS, campaign_cockpit, cockpit_workbook
from .models import Campaign, FrenchRegion, Submission

CREATED = "La campagne {year} a été créée, en préparation : vérifiez ses dates."
OPENED = "La campagne {year} est ouverte : les associations peuvent répondre."
CLOSED = "La campagne {year} est close : les associations ne peuvent plus modifier leurs réponses."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CockpitFilterForm(forms.Form):
    """The cockpit's filters, from the query string; a bad value is ignored."""

    status = forms.ChoiceField(
        label="Statut", required=False, choices=[("", "Tous"), *STATUS_LABELS.items()]
    )
    region = forms.ChoiceField(
        label="Région",
        required=False,
        choices=[("", "Toutes"), *FrenchRegion.choices, (NO_REGION, NO_REGION_LABEL)],
    )
    q = forms.CharField(label="Nom ou identifiant", required=False, max_length=100)

    def selection(self) -> dict:
        """Keyword arguments of `campaign_cockpit` (only the fields that are valid)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "status": data.get("status") or None,
            "region": data.get("region") or None,
            "search": data.get("q") or "",
        }


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
        "cockpit_link",
    ]
    list_filter = ["status"]
    ordering = ["-year"]
    actions = ["create_next_campaign", "open_campaign", "close_campaign"]

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

    @admin.display(description="suivi")
    def cockpit_link(self, campaign):
        url = reverse("admin:survey_campaign_cockpit", args=[campaign.pk])
        return format_html('<a href="{}">Tableau de suivi</a>', url)

    # --- Who may do what ------------------------------------------------------------------
    # Campaigns set the calendar of every association: superusers only. The Miprof's
    # staff keep the view permission their group gives them (survey/roles.py).

    def has_add_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    # --- Pages ----------------------------------------------------------------------------

    def get_urls(self):
        def view(function: Callable, name: str, route: str):
            return path(
                f"<path:object_id>/{route}",
                self.admin_site.admin_view(function),
                name=f"survey_campaign_{name}",
            )

        # Before the admin's own: its "<path:object_id>/" would catch them.
        return [
            view(self.cockpit_view, "cockpit", "cockpit/"),
            view(self.cockpit_export_view, "cockpit_export", "cockpit/export.xlsx"),
            view(self.create_next_view, "create_next", "suivante/"),
            view(self.open_view, "open", "ouvrir/"),
            view(self.close_view, "close", "clore/"),
            *super().get_urls(),
        ]

    def _campaign(self, request: HttpRequest, object_id: str) -> Campaign:
        campaign = self.get_object(request, object_id)
        if campaign is None:
            raise Http404("Campagne introuvable.")
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        return campaign

    def cockpit_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        campaign = self._campaign(request, object_id)
        filters = CockpitFilterForm(request.GET)
        cockpit = campaign_cockpit(campaign, **filters.selection())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Suivi de la campagne {campaign.year}",
            "subtitle": str(campaign),
            "campaign": campaign,
            "cockpit": cockpit,
            "filters": filters,
            "export_query": request.GET.urlencode(),
        }
        return TemplateResponse(request, "admin/survey/campaign/cockpit.html", context)

    def cockpit_export_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        campaign = self._campaign(request, object_id)
        cockpit = campaign_cockpit(campaign, **CockpitFilterForm(request.GET).selection())
        filename = f"suivi-campagne-{campaign.year}.xlsx"
        audit_record(request, Action.EXPORT, obj=campaign, details={"file": filename})
        response = HttpResponse(cockpit_workbook(cockpit), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    # --- Campaign changes: buttons on the change page, and actions on the list -------------

    def _change(
        self, request: HttpRequest, object_id: str, write: Callable, done: str
    ) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        campaign = self._campaign(request, object_id)
        if not self.has_change_permission(request, campaign):
            raise PermissionDenied
        changed = self._apply(request, campaign, write, done)
        # "Créer la campagne suivante" leads to the new campaign, to check its dates.
        return redirect("admin:survey_campaign_change", (changed or campaign).pk)

    def _apply(
        self, request: HttpRequest, campaign: Campaign, write: Callable, done: str
    ) -> Campaign | None:
        """Run one change and say how it went; the campaign written, or None if refused."""
        try:
            changed = write(campaign=campaign)
        except CampaignRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return None
        self.message_user(request, done.format(year=changed.year), messages.SUCCESS)
        return changed

    def create_next_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._change(request, object_id, campaign_create_next, CREATED)

    def open_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._change(request, object_id, campaign_open, OPENED)

    def close_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._change(request, object_id, campaign_close, CLOSED)

    @admin.action(description="Créer la campagne suivante", permissions=["add"])
    def create_next_campaign(self, request, queryset):
        for campaign in queryset.order_by("year"):
            self._apply(request, campaign, campaign_create_next, CREATED)

    @admin.action(description="Ouvrir la campagne", permissions=["change"])
    def open_campaign(self, request, queryset):
        for campaign in queryset.order_by("year"):
            self._apply(request, campaign, campaign_open, OPENED)

    @admin.action(description="Clore la campagne", permissions=["change"])
    def close_campaign(self, request, queryset):
        for campaign in queryset.order_by("year"):
            self._apply(request, campaign, campaign_close, CLOSED)
