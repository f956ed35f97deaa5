"""The questionnaire as a spreadsheet, on the associations' side: download, upload, confirm.

Access is that of the other association pages (`views._get_association_for_user`: 404
for anyone but a member). Download is allowed read-only too (then the workbook is a
copy); upload and confirm only while the answers are editable.

Between the upload and the confirmation, the answers read from the file wait in the
session with the version of the draft the preview was computed against: nothing the
browser sends back is trusted, and confirming is refused when the draft changed since.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from audit.models import Action
from audit.models import record as audit_record

from . import selectors, services, spreadsheet
from .checks import check_submission
from .models import Association, Campaign, Submission
from .views import (
    Answers,
    _get_association_for_user,
    _get_campaign,
    association_link,
    breadcrumb,
)

UPLOAD_FIELD = "fichier"
NOTHING_PENDING = (
    "Aucun fichier n'attend de confirmation (la page a peut-être expiré) : importez à "
    "nouveau le questionnaire rempli."
)


def pending_key(association: Association, campaign: Campaign, who: str = "member") -> str:
    return f"spreadsheet:{who}:{association.pk}:{campaign.year}"


def workbook_response(request, association: Association, campaign: Campaign) -> HttpResponse:
    """The pre-filled workbook as a download (members and staff alike), in the audit log."""
    submission = selectors.submission_of(association, campaign)
    data = (submission or Submission(association=association, campaign=campaign)).to_data()
    content = spreadsheet.questionnaire_workbook(
        association=association,
        campaign=campaign,
        data=data,
        version=submission.version if submission else 0,
    )
    response = HttpResponse(content, content_type=spreadsheet.XLSX_CONTENT_TYPE)
    filename = spreadsheet.file_name(association, campaign)
    audit_record(
        request,
        Action.EXPORT,
        association=association,
        campaign_year=campaign.year,
        details={"file": filename},
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def read_upload(request, answers: Answers, key: str) -> list[str]:
    """Read the posted file into the session; the refusal's messages, or [] when read.

    `answers` are the draft as the request found it: the preview is computed against
    their version, and confirming is refused once it changed.
    """
    request.session.pop(key, None)
    upload = request.FILES.get(UPLOAD_FIELD)
    if upload is None:
        return ["Choisissez le fichier du questionnaire rempli (.xlsx)."]
    try:
        # The declared size first: a file too large is not read at all.
        spreadsheet.size_check(upload.size)
        reading = spreadsheet.workbook_read(
            upload.read(spreadsheet.MAX_UPLOAD_BYTES + 1),
            association=answers.association,
            campaign=answers.campaign,
            filename=upload.name or "",
        )
    except spreadsheet.SpreadsheetRefused as refused:
        return refused.messages
    request.session[key] = {
        **reading.as_session(),
        "version": answers.version,
        "filename": (upload.name or "")[:100],
    }
    return []


def preview_context(request, answers: Answers, key: str) -> dict:
    """The file waiting in the session, if any: changes against the draft, and the checks'
    problems with their cells.

    A preview computed against an older draft is shown once, then dropped: confirming it
    would be refused anyway.
    """
    pending = request.session.get(key)
    if pending is None:
        return {"pending": None}
    reading = spreadsheet.Reading.from_session(pending)
    # The same checks as the web forms, on the answers as they would be once applied.
    problems = check_submission(reading.data, answers.previous_data)
    layouts = spreadsheet.sheet_layouts(reading.origin_row_count)
    located = [
        {"problem": problem, "place": spreadsheet.problem_place(problem, reading, layouts)}
        for problem in problems
    ]
    stale = pending["version"] != answers.version
    if stale:
        request.session.pop(key, None)
    return {
        "pending": pending,
        "filename": pending.get("filename", ""),
        "changes": spreadsheet.workbook_changes(answers.data, reading, layouts),
        "errors": [item for item in located if item["problem"].is_error],
        "warnings": [item for item in located if not item["problem"].is_error],
        "stale": stale,
        "changed_since_download": reading.downloaded_version != answers.version,
    }


def apply_pending(request, association: Association, campaign: Campaign, key: str) -> str:
    """Apply the answers waiting in the session; "" when done, else why not (French)."""
    pending = request.session.pop(key, None)
    if pending is None:
        return NOTHING_PENDING
    try:
        spreadsheet.spreadsheet_apply(
            association=association,
            campaign=campaign,
            reading=spreadsheet.Reading.from_session(pending),
            expected_version=pending["version"],
            user=request.user,
        )
    except services.StaleSubmission:
        return (
            "Rien n'a été appliqué : les réponses ont été modifiées depuis l'import du fichier. "
            "Importez-le à nouveau pour voir les changements par rapport aux réponses à jour."
        )
    except services.SubmissionLocked:
        return "Rien n'a été appliqué : ces réponses ne peuvent plus être modifiées."
    return ""


@require_safe
@login_required
def spreadsheet_download(request, pk: int, year: int):
    association = _get_association_for_user(request, pk)
    campaign = _get_campaign(year)
    return workbook_response(request, association, campaign)


UPLOAD_TITLE = "Importer un questionnaire rempli"


def _context(association: Association, campaign: Campaign, preview=False, **extra) -> dict:
    links = [association_link(association)]
    if preview:
        upload = reverse("spreadsheet_upload", args=[association.pk, campaign.year])
        links.append((UPLOAD_TITLE, upload))
    return {
        "title": f"{UPLOAD_TITLE} — {campaign}",
        "breadcrumb_data": breadcrumb("Vérifier l’import" if preview else UPLOAD_TITLE, *links),
        "association": association,
        "campaign": campaign,
        "max_megabytes": spreadsheet.MAX_UPLOAD_MEGABYTES,
        "upload_field": UPLOAD_FIELD,
        **extra,
    }


@login_required
def spreadsheet_upload(request, pk: int, year: int):
    """The form to send a filled workbook; a refused file is said here, with its cells."""
    association = _get_association_for_user(request, pk)
    campaign = _get_campaign(year)
    answers = Answers(association, campaign)
    refused = []
    if request.method == "POST":
        if not answers.editable:
            messages.error(request, "Ces réponses ne peuvent plus être modifiées.")
            return redirect("association_home", pk=association.pk)
        refused = read_upload(request, answers, pending_key(association, campaign))
        if not refused:
            return redirect("spreadsheet_preview", pk=association.pk, year=campaign.year)
    return render(
        request,
        "survey/spreadsheet_upload.html",
        _context(association, campaign, answers=answers, refused=refused),
    )


@login_required
def spreadsheet_preview(request, pk: int, year: int):
    """What the file changes, its errors and warnings; confirm (apply) or cancel."""
    association = _get_association_for_user(request, pk)
    campaign = _get_campaign(year)
    key = pending_key(association, campaign)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            request.session.pop(key, None)
            messages.info(request, "Import annulé : vos réponses n'ont pas changé.")
            return redirect("association_home", pk=association.pk)
        problem = (
            apply_pending(request, association, campaign, key)
            if action == "apply"
            else NOTHING_PENDING
        )
        if not problem:
            messages.success(
                request,
                "Les réponses du fichier ont été enregistrées dans votre brouillon. "
                "Vérifiez-les puis transmettez-les à la Miprof en ligne.",
            )
            return redirect("review", pk=association.pk, year=campaign.year)
        return render(
            request,
            "survey/spreadsheet_preview.html",
            _context(association, campaign, preview=True, refused=problem, pending=None),
            status=409,
        )
    context = preview_context(request, Answers(association, campaign), key)
    return render(
        request,
        "survey/spreadsheet_preview.html",
        _context(association, campaign, preview=True, refused="", **context),
    )
