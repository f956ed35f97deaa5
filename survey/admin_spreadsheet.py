"""Staff import an association's filled workbook on its behalf, from the association's page.

Same steps as on the associations' side (survey/spreadsheet_views.py): upload, preview of
every change and problem with its cell, confirm or cancel; the same services write the
draft, so the history records the staff member as the author (`updated_by`, and
simple-history's user from the request). Only for the open campaign and while the
answers are editable, as for the members; reserved to who may review submissions.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import selectors
from .models import Association
from .spreadsheet import MAX_UPLOAD_MEGABYTES
from .spreadsheet_views import (
    UPLOAD_FIELD,
    apply_pending,
    pending_key,
    preview_context,
    read_upload,
    workbook_response,
)
from .views import Answers

PERMISSION = "survey.review_submission"


def spreadsheet_url(association: Association) -> str:
    return reverse("admin:survey_association_spreadsheet", args=[association.pk])


class AssociationSpreadsheetMixin:
    """Adds `<id>/tableur/` to the association admin (see survey/admin.py)."""

    def get_urls(self):
        # Before the admin's own: its `<path:object_id>/` would catch `<id>/tableur/`.
        return [
            path(
                "<int:object_id>/tableur/",
                self.admin_site.admin_view(self.spreadsheet_view),
                name="survey_association_spreadsheet",
            ),
            *super().get_urls(),
        ]

    def spreadsheet_view(self, request, object_id: int):
        association = get_object_or_404(Association, pk=object_id)
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        campaign = selectors.open_campaign()
        if campaign is None:
            if request.method == "POST":
                raise Http404("aucune campagne ouverte")
            return self._render(request, association, None, answers=None)
        key = pending_key(association, campaign, who="staff")
        here = spreadsheet_url(association)
        if request.method == "GET" and "telecharger" in request.GET:
            return workbook_response(request, association, campaign)
        if request.method == "POST":
            action = request.POST.get("action", "")
            if action == "cancel":
                request.session.pop(key, None)
                self.message_user(request, "Import annulé : rien n'a changé.", messages.INFO)
                return HttpResponseRedirect(here)
            if action == "apply":
                problem = apply_pending(request, association, campaign, key)
                if problem:
                    self.message_user(request, problem, messages.ERROR)
                    return HttpResponseRedirect(here)
                self.message_user(
                    request,
                    f"Les réponses du fichier ont été enregistrées dans le brouillon de "
                    f"{association}, en votre nom. La transmission reste à faire par "
                    "l'association.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(here)
            answers = Answers(association, campaign)
            if not answers.editable:
                self.message_user(
                    request,
                    "Ces réponses ne peuvent pas être modifiées (transmises ou validées) : "
                    "renvoyez-les pour correction avant d'importer un fichier.",
                    messages.ERROR,
                )
                return HttpResponseRedirect(here)
            refused = read_upload(request, answers, key)
            if not refused:
                return HttpResponseRedirect(here)
            return self._render(request, association, campaign, answers=answers, refused=refused)
        answers = Answers(association, campaign)
        preview = preview_context(request, answers, key)
        return self._render(request, association, campaign, answers=answers, **preview)

    def _render(self, request, association, campaign, **extra):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Importer un questionnaire Excel : {association}",
            "subtitle": None,
            "original": association,
            "association": association,
            "campaign": campaign,
            "upload_field": UPLOAD_FIELD,
            "max_megabytes": MAX_UPLOAD_MEGABYTES,
            "refused": [],
            "pending": None,
            **extra,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/survey/association/spreadsheet.html", context)
