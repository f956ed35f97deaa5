"""The associations' side: their space, the questionnaire by sections, review and submit.

Every view reaches data through `_get_association_for_user`, which answers 404 for an
association the user does not belong to (staff included: they review in the admin).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from audit.models import Action
from audit.models import record as audit_record

from . import selectors, services
from .answers_json import dump_answers
from .checks import Problem, errors, field_label, warnings
from .forms import (
    AssociationProfileForm,
    OriginForm,
    SubmissionFieldsForm,
    grid_field_name,
    grid_form_class,
    grid_initial,
    grid_values,
)
from .geography import countries_in_french
from .models import Association, Campaign, Submission, WarningExplanation
from .questionnaire import (
    FORM_LABELS,
    FORMS,
    SECTION_OF_FIELD,
    SECTIONS,
    SECTIONS_BY_SLUG,
    Section,
)


def home(request):
    """Landing page: what the service is, and the way in."""
    associations = []
    if request.user.is_authenticated:
        associations = list(selectors.associations_of(request.user))
    return render(request, "survey/home.html", {"associations": associations})


def static_page(request, template: str, title: str):
    return render(request, template, {"title": title})


def breadcrumb(current: str, *links: tuple[str, str]) -> dict:
    """django-dsfr's breadcrumb data, as `breadcrumb_data` (templates/base.html shows it):
    the home page, then the (title, url) links, then the current page."""
    return {"links": [{"title": title, "url": url} for title, url in links], "current": current}


def association_link(association: Association) -> tuple[str, str]:
    return association.name, reverse("association_home", args=[association.pk])


def _get_association_for_user(request, pk: int) -> Association:
    return get_object_or_404(selectors.associations_of(request.user), pk=pk)


def _get_campaign(year: int) -> Campaign:
    campaign = get_object_or_404(Campaign, year=year)
    if campaign.status == Campaign.Status.DRAFT:
        raise Http404("campagne en préparation")
    return campaign


class Answers:
    """Everything a questionnaire page needs about one association and one campaign.

    Loaded in a fixed number of queries (submission, its answers and origins, and the
    previous campaign's validated answer with its own).
    """

    def __init__(self, association: Association, campaign: Campaign) -> None:
        self.association = association
        self.campaign = campaign
        self.submission = selectors.submission_of(association, campaign)
        self.previous = selectors.previous_submission(association, campaign)
        self.data = (
            self.submission or Submission(association=association, campaign=campaign)
        ).to_data()
        self.previous_data = self.previous.to_data() if self.previous else None
        self.problems = selectors.problems_of(self.data, self.previous)

    @property
    def version(self) -> int:
        return self.submission.version if self.submission else 0

    @property
    def editable(self) -> bool:
        if self.submission is None:
            return self.campaign.is_open
        self.submission.campaign = self.campaign
        return self.submission.is_editable

    @cached_property
    def staff_message(self):
        """The Miprof's latest message when it sent the answers back for correction."""
        if self.submission is None or self.submission.status != Submission.Status.RETURNED:
            return None
        return self.submission.messages.filter(from_staff=True).order_by("created_at").last()

    @property
    def status_text(self) -> str:
        if self.submission is None:
            return "Non commencé"
        return self.submission.status_text

    def forms_detected(self) -> list[str]:
        return [form for form in FORMS if self.data["forms"][form]["detected"]]

    def section_problems(self, section: Section) -> list[Problem]:
        return [
            problem
            for problem in self.problems
            if SECTION_OF_FIELD.get((problem.field or "").split(".")[0]) == section.slug
        ]

    def progress(self) -> list[dict]:
        saved = set(self.submission.sections_saved) if self.submission else set()
        return [
            {
                "section": section,
                "saved": section.slug in saved,
                "errors": len(errors(self.section_problems(section))),
                "warnings": len(warnings(self.section_problems(section))),
            }
            for section in SECTIONS
        ]


@login_required
def association_home(request, pk: int):
    association = _get_association_for_user(request, pk)
    campaign = selectors.open_campaign()
    answers = Answers(association, campaign) if campaign else None
    past = (
        Submission.objects.filter(association=association)
        .exclude(campaign=campaign)
        .exclude(campaign__status=Campaign.Status.DRAFT)
        .select_related("campaign")
        .order_by("-campaign__year")
    )
    thread = (
        answers.submission.messages.select_related("author")
        if answers and answers.submission
        else []
    )
    return render(
        request,
        "survey/association_home.html",
        {
            "title": association.name,
            "breadcrumb_data": breadcrumb(association.name),
            "association": association,
            "campaign": campaign,
            "answers": answers,
            "past": past,
            "thread": thread,
        },
    )


def _section_url(association: Association, campaign: Campaign, section: Section) -> str:
    return reverse("section", args=[association.pk, campaign.year, section.slug])


@login_required
def section(request, pk: int, year: int, slug: str):
    association = _get_association_for_user(request, pk)
    campaign = _get_campaign(year)
    section = SECTIONS_BY_SLUG.get(slug)
    if section is None:
        raise Http404("section inconnue")
    answers = Answers(association, campaign)
    # The first grid asks which forms have victims; pages without grids hide nothing.
    show_all = (
        request.GET.get("toutes") == "1"
        or section.slug == "victimes"
        or section.kind in ("profile", "submission")
    )
    forms_shown = list(FORMS) if show_all else (answers.forms_detected() or list(FORMS))
    context = {
        "title": f"{section.title} — {campaign}",
        "breadcrumb_data": breadcrumb(section.title, association_link(association)),
        "association": association,
        "campaign": campaign,
        "answers": answers,
        "section": section,
        "sections": SECTIONS,
        "forms_shown": [(form, FORM_LABELS[form]) for form in forms_shown],
        "forms_hidden": [FORM_LABELS[form] for form in FORMS if form not in forms_shown],
        "show_all": show_all,
        "stale": None,
    }
    editable = answers.editable
    if request.method == "POST" and not editable:
        messages.error(request, "Ces réponses ne peuvent plus être modifiées.")
        return redirect(request.get_full_path())

    form, values = _section_form(request, section, answers, forms_shown)
    if request.method == "POST" and values is not None:
        try:
            with transaction.atomic():
                _save_section(request, section, answers, values, _posted_version(request))
        except services.StaleSubmission as stale:
            context["stale"] = _stale_changes(section, stale.submission, values, forms_shown)
        except services.SubmissionLocked:
            messages.error(request, "Ces réponses ne peuvent plus être modifiées.")
            return redirect(request.get_full_path())
        else:
            messages.success(request, f"« {section.title} » enregistré.")
            return redirect(request.get_full_path())
    context.update(
        form=form, editable=editable, **_grid_context(section, answers, form, forms_shown)
    )
    status = 409 if context["stale"] else 200
    return render(request, "survey/section.html", context, status=status)


def _posted_version(request) -> int:
    """The version the posted page was built on; -1 (never current) when it is not a number."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _section_form(request, section: Section, answers: Answers, forms_shown: list[str]):
    """The bound or unbound form of a section, and its values when valid."""
    post = request.POST if request.method == "POST" else None
    if section.kind == "grid":
        form_class = grid_form_class(section, forms_shown)
        form = form_class(post, initial=grid_initial(section, answers.data, forms_shown))
        if post is not None and form.is_valid():
            return form, grid_values(section, form, forms_shown)
        return form, None
    if section.kind == "origin":
        form = OriginForm(
            forms_shown, data=post, initial=answers.data, previous=answers.previous_data
        )
        if form.is_valid():
            return form, form.cleaned
        return form, None
    if section.kind == "profile":
        form = AssociationProfileForm(post, instance=answers.association)
        if post is not None and form.is_valid():
            return form, form.cleaned_data
        return form, None
    form = SubmissionFieldsForm(
        post,
        initial={
            field: answers.data[field]
            for field in ("suspects_identified", "association_civil_party_cases", "comment")
        },
    )
    if post is not None and form.is_valid():
        return form, form.cleaned_data
    return form, None


def _save_section(request, section: Section, answers: Answers, values: dict, expected: int):
    common = {
        "association": answers.association,
        "campaign": answers.campaign,
        "expected_version": expected,
        "user": request.user,
        "section": section.slug,
    }
    if section.kind == "profile":
        # The association's own profile has no version: last save wins, as in the admin.
        for name, value in values.items():
            setattr(answers.association, name, value)
        answers.association.save(update_fields=list(values))
        services.submission_save_fields(values={}, **common)
    elif section.kind == "submission":
        services.submission_save_fields(values=values, **common)
    else:
        services.submission_save_forms(forms=values, **common)


def _stale_changes(section: Section, current: Submission, values: dict, forms_shown) -> dict:
    """What the other person saved, against what this user typed."""
    saved = current.to_data() if current.pk else None
    changes = []
    if saved is not None and section.kind in ("grid", "origin"):
        for form in forms_shown:
            for field, typed in values.get(form, {}).items():
                before = saved["forms"][form].get(field)
                if before != typed:
                    changes.append(
                        {
                            "where": f"{FORM_LABELS[form]} — {_label(field)}",
                            "saved": _shown(before),
                            "typed": _shown(typed),
                        }
                    )
    elif saved is not None and section.kind == "submission":
        for field, typed in values.items():
            if saved.get(field) != typed:
                changes.append(
                    {
                        "where": _label(field),
                        "saved": _shown(saved.get(field)),
                        "typed": _shown(typed),
                    }
                )
    return {
        "by": current.updated_by if current.pk else None,
        "at": current.updated_at if current.pk else None,
        "version": current.version if current.pk else 0,
        "changes": changes,
    }


def _label(field: str) -> str:
    if field == "origin":
        return "pays d'origine"
    if field == "other_label":
        return "précisez"
    return field_label(field)


def _as_int(value) -> int:
    """A typed cell as a number for the totals; what is not a number counts 0."""
    try:
        return int(str(value).replace(" ", "").replace("\u00a0", ""))
    except (TypeError, ValueError):
        return 0


def _shown(value) -> str:
    if value is None or value == "":
        return "(vide)"
    if isinstance(value, dict):
        return ", ".join(f"{code} : {count}" for code, count in sorted(value.items())) or "(aucun)"
    return str(value)


def _grid_context(section: Section, answers: Answers, form, forms_shown: list[str]) -> dict:
    """Rows of the grid with each cell's bound field and last year's value."""
    problems = answers.section_problems(section)
    context = {
        "problems": errors(problems),
        "section_warnings": warnings(problems),
        "previous_year": answers.previous.campaign.reference_year if answers.previous else None,
    }
    index = [s.slug for s in SECTIONS].index(section.slug)
    context["previous_section"] = SECTIONS[index - 1] if index else None
    context["next_section"] = SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None
    columns = [
        {
            "code": code,
            "label": FORM_LABELS[code],
            "accompanied": answers.data["forms"][code]["accompanied"],
            "total": 0,
        }
        for code in forms_shown
    ]
    context["columns"] = columns
    if section.kind == "grid":
        rows = []
        for field in section.fields:
            cells = []
            for column in columns:
                code = column["code"]
                bound = form[grid_field_name(code, field)]
                column["total"] += _as_int(bound.value())
                previous = (
                    answers.previous_data["forms"][code][field] if answers.previous_data else None
                )
                cells.append(
                    {
                        "form": code,
                        "field": bound,
                        "previous": previous,
                        "value": answers.data["forms"][code][field],
                    }
                )
            rows.append({"code": field, "label": _label(field), "cells": cells})
        context["rows"] = rows
        context["has_total"] = section.groups != ("counts",)
        if "counts" in section.groups and "other" in forms_shown:
            context["other_label_field"] = form[grid_field_name("other", "other_label")]
    elif section.kind == "origin":
        for column, (_, unknown, _) in zip(columns, form.unknown, strict=True):
            column["total"] = _as_int(unknown) + sum(
                _as_int(value)
                for row in form.rows
                for code, value, _ in row["cells"]
                if code == column["code"]
            )
        context["countries"] = countries_in_french()
    return context


@login_required
def review(request, pk: int, year: int):
    """Every hard error and warning; explanations; "Transmettre à la Miprof"."""
    association = _get_association_for_user(request, pk)
    campaign = _get_campaign(year)
    answers = Answers(association, campaign)
    explanations = (
        {item.key: item.text for item in answers.submission.explanations.all()}
        if answers.submission
        else {}
    )
    items = [
        {
            "problem": problem,
            "key": services.problem_key(problem),
            "section": SECTIONS_BY_SLUG.get(
                SECTION_OF_FIELD.get((problem.field or "").split(".")[0], "")
            ),
        }
        for problem in answers.problems
    ]
    if request.method == "POST" and answers.editable and answers.submission:
        typed = {
            item["key"]: request.POST.get(f"explanation-{item['key']}", "").strip()
            for item in items
            if not item["problem"].is_error
        }
        with transaction.atomic():
            for key, text in typed.items():
                if text:
                    WarningExplanation.objects.update_or_create(
                        submission=answers.submission, key=key, defaults={"text": text}
                    )
                else:
                    WarningExplanation.objects.filter(
                        submission=answers.submission, key=key
                    ).delete()
        explanations = {key: text for key, text in typed.items() if text}
        if "submit" in request.POST:
            try:
                services.submission_submit(
                    submission=answers.submission,
                    user=request.user,
                    expected_version=_posted_version(request),
                )
            except services.SubmissionRefused as refused:
                messages.error(request, str(refused))
            except services.StaleSubmission:
                messages.error(
                    request,
                    "Un autre membre de votre association a modifié les réponses entre-temps : "
                    "relisez-les avant de les transmettre.",
                )
            else:
                _send_confirmation(request, answers.submission)
                return redirect("review", pk=association.pk, year=campaign.year)
        else:
            messages.success(request, "Explications enregistrées.")
            return redirect("review", pk=association.pk, year=campaign.year)
    for item in items:
        item["explanation"] = explanations.get(item["key"], "")
    return render(
        request,
        "survey/review.html",
        {
            "title": f"Vérifier et transmettre — {campaign}",
            "breadcrumb_data": breadcrumb("Vérifier et transmettre", association_link(association)),
            "association": association,
            "campaign": campaign,
            "answers": answers,
            "errors": [item for item in items if item["problem"].is_error],
            "warnings": [item for item in items if not item["problem"].is_error],
            "sections": SECTIONS,
            "unexplained": sum(
                1 for item in items if not item["problem"].is_error and not item["explanation"]
            ),
        },
    )


def _send_confirmation(request, submission: Submission) -> None:
    services.submission_confirmation_send(
        submission=submission,
        user=request.user,
        url=request.build_absolute_uri(
            reverse("review", args=[submission.association_id, submission.campaign.year])
        ),
    )
    when = timezone.localtime(submission.submitted_at)
    messages.success(
        request,
        f"Réponses transmises à la Miprof le {when:%d/%m/%Y à %H:%M}. "
        "Un e-mail de confirmation vous a été envoyé.",
    )


@login_required
def copy(request, pk: int, year: int):
    """The association's answers as the JSON format, to keep a copy of what it sent."""
    association = _get_association_for_user(request, pk)
    campaign = _get_campaign(year)
    submission = selectors.submission_of(association, campaign)
    if submission is None:
        raise Http404("aucune réponse")
    response = HttpResponse(
        dump_answers([submission.to_data()]), content_type="application/json; charset=utf-8"
    )
    filename = f"enquete-teh-{campaign.year}-{association.identifier}.json"
    audit_record(request, Action.EXPORT, obj=submission, details={"file": filename})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def submission_message(request, pk: int, year: int):
    """« Écrire à la Miprof » : a message in the thread of the answers, e-mailed to the Miprof."""
    association = _get_association_for_user(request, pk)
    campaign = _get_campaign(year)
    submission = Submission.objects.filter(association=association, campaign=campaign).first()
    if submission is None:
        messages.error(
            request,
            "Commencez le questionnaire avant d’écrire à la Miprof : les messages "
            "accompagnent vos réponses.",
        )
    else:
        try:
            services.message_post(
                submission=submission,
                author=request.user,
                body=request.POST.get("body", ""),
                from_staff=False,
                url=request.build_absolute_uri(
                    reverse("admin:survey_submission_review", args=[submission.pk])
                ),
            )
        except services.ReviewRefused:
            messages.error(request, "Votre message est vide : écrivez-le avant de l’envoyer.")
        else:
            messages.success(request, "Votre message a été envoyé à la Miprof.")
    return redirect("association_home", pk=association.pk)
