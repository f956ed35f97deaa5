"""Submissions in the admin: the list, and the review page of each submission.

The review page (`<id>/review/`) shows a submission whole and read-only: every grid with
its totals and last year's answers, the checks' errors and warnings with the
association's explanations, the messages, and a comparison with any earlier version.
Staff act there: validate, return for correction, reopen, write to the association; each
action is a service (survey/services.py) behind its own permission.

Nobody but a superuser edits answers in the admin, and nobody once they are validated:
they change on the associations' side, through the import, or after a return or a
reopening.
"""

from dataclasses import dataclass, field

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from . import history, selectors, services
from .checks import Problem, errors, field_label, warnings
from .geography import country_name
from .models import FormAnswer, OriginCount, Submission
from .questionnaire import FORM_LABELS, FORMS, ORIGIN_UNKNOWN, SECTIONS


def _validated(obj) -> bool:
    """Whether `obj` (a submission, or one of its answers) belongs to a validated
    submission: its answers are counted in the published tables."""
    submission = getattr(obj, "submission", obj)
    return isinstance(submission, Submission) and submission.status == Submission.Status.VALIDATED


class SuperuserEditsOnly:
    """Read-only for everyone but superusers, whatever permissions a group grants; and
    for them too once the submission is validated.

    A validated submission changes only by being reopened (audited, and the stored
    figures of the tables follow: reports/figures.py). simple-history's "revert" (a POST
    on a historical version) saves that version and checks only the view permission
    itself: refused here to whoever may not change the object.
    """

    def has_add_permission(self, request, obj=None) -> bool:
        # `obj` is the parent for an inline (a submission's answers, an answer's origins).
        return request.user.is_active and request.user.is_superuser and not _validated(obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser and not _validated(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser and not _validated(obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if (
            request.method == "GET"
            and request.user.is_superuser
            and _validated(self.get_object(request, unquote(object_id)))
        ):
            messages.info(
                request,
                "Réponse validée : lecture seule, car elle est comptée dans les tableaux "
                "publiés. Pour la corriger, rouvrez-la depuis sa page de relecture.",
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.has_change_permission(
            request, self.get_object(request, unquote(object_id))
        ):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class OriginCountInline(SuperuserEditsOnly, admin.TabularInline):
    model = OriginCount
    extra = 0


class FormAnswerInline(SuperuserEditsOnly, admin.StackedInline):
    model = FormAnswer
    extra = 0
    show_change_link = True


@admin.register(FormAnswer)
class FormAnswerAdmin(SuperuserEditsOnly, SimpleHistoryAdmin):
    list_display = ["submission", "form", "detected", "accompanied"]
    list_filter = ["form", "submission__campaign"]
    list_select_related = ["submission__association", "submission__campaign"]
    search_fields = ["submission__association__name"]
    inlines = [OriginCountInline]

    def has_add_permission(self, request, obj=None) -> bool:
        # An answer is added on its submission's page (the inline), which is read-only
        # once validated; here it could be added to any submission, a validated one too.
        return False

    def get_readonly_fields(self, request, obj=None):
        # Nor moved to another submission.
        return ["submission"] if obj else []


# survey/admin.py registered an editable FormAnswerAdmin before importing this module;
# answers are read-only for staff, so this one takes its place.


@admin.register(Submission)
class SubmissionAdmin(SuperuserEditsOnly, SimpleHistoryAdmin):
    list_display = [
        "association",
        "campaign",
        "status",
        "total_detected",
        "total_accompanied",
        "submitted_at",
        "validated_at",
        "review_link",
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

    @admin.display(description="relecture")
    def review_link(self, submission):
        return format_html('<a href="{}">Relire</a>', review_url(submission))

    def get_urls(self):
        # Before the admin's own: its `<path:object_id>/` would catch `<id>/review/`.
        return [
            path(
                "<int:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="survey_submission_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id: int):
        submission = selectors.submissions_with_answers().filter(pk=object_id).first()
        if submission is None:
            raise Http404("réponse inconnue")
        if not self.has_view_permission(request, submission):
            raise PermissionDenied
        if request.method == "POST":
            return self._review_action(request, submission)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Relecture : {submission}",
            "subtitle": None,
            "submission": submission,
            "can_review": request.user.has_perm("survey.review_submission"),
            "can_write": request.user.has_perm("survey.add_message"),
            **review_context(submission),
            **comparison_context(submission, request.GET.get("version", "")),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/survey/submission/review.html", context)

    def _review_action(self, request, submission: Submission):
        action = request.POST.get("action", "")
        if action not in REVIEW_ACTIONS:
            return HttpResponseBadRequest("action inconnue")
        permission, act = REVIEW_ACTIONS[action]
        if not request.user.has_perm(permission):
            raise PermissionDenied
        home = request.build_absolute_uri(
            reverse("association_home", args=[submission.association_id])
        )
        try:
            success = act(submission=submission, request=request, url=home)
        except services.ReviewRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return HttpResponseRedirect(review_url(submission))


def review_url(submission: Submission) -> str:
    return reverse("admin:survey_submission_review", args=[submission.pk])


# --- Actions: each a service call, and what staff read when it worked -------------------


def _validate(*, submission: Submission, request, url: str) -> str:
    services.submission_validate(submission=submission, user=request.user)
    return f"La réponse de {submission.association} est validée."


def _return(*, submission: Submission, request, url: str) -> str:
    services.submission_return(
        submission=submission, user=request.user, message=request.POST.get("message", ""), url=url
    )
    return (
        f"La réponse de {submission.association} est renvoyée pour correction ; les membres "
        "de l'association ont reçu votre message par e-mail."
    )


def _reopen(*, submission: Submission, request, url: str) -> str:
    services.submission_reopen(
        submission=submission, user=request.user, reason=request.POST.get("reason", ""), url=url
    )
    return (
        f"La réponse de {submission.association} est rouverte : elle est de nouveau "
        "« Transmise » et ne compte plus parmi les réponses validées."
    )


def _message(*, submission: Submission, request, url: str) -> str:
    services.message_post(
        submission=submission,
        author=request.user,
        body=request.POST.get("body", ""),
        from_staff=True,
        url=url,
    )
    return f"Message envoyé à {submission.association}."


REVIEW_ACTIONS = {
    "validate": ("survey.review_submission", _validate),
    "return": ("survey.review_submission", _return),
    "reopen": ("survey.review_submission", _reopen),
    "message": ("survey.add_message", _message),
}


# --- What the review page shows --------------------------------------------------------


@dataclass
class Cell:
    value: int | None
    previous: int | None = None
    flag: str = ""  # "error" or "warning": a problem is about this answer


@dataclass
class Row:
    label: str
    cells: list[Cell]
    kind: str = ""  # "total" or "accompanied"


@dataclass
class Grid:
    title: str
    part: int
    rows: list[Row] = field(default_factory=list)


def review_context(submission: Submission) -> dict:
    """Grids, problems with their explanations, last year, per-submission answers, thread."""
    previous = selectors.previous_submission(submission.association, submission.campaign)
    data = submission.to_data()
    previous_data = previous.to_data() if previous else None
    problems = services.submission_problems(submission)
    explanations = {item.key: item.text for item in submission.explanations.all()}
    forms = [form for form in FORMS if _answered(data, form) or _answered(previous_data, form)]
    flags = _flags(problems)
    return {
        "previous": previous,
        "previous_year": previous.campaign.reference_year if previous else None,
        "columns": [
            {
                "label": FORM_LABELS[form],
                "other_label": data["forms"][form]["other_label"],
                "previous_other_label": (
                    previous_data["forms"][form]["other_label"] if previous_data else ""
                ),
            }
            for form in forms
        ],
        "forms_hidden": [FORM_LABELS[form] for form in FORMS if form not in forms],
        "grids": [
            _origin_grid(data, previous_data, forms, flags)
            if section.kind == "origin"
            else _grid(section, data, previous_data, forms, flags)
            for section in SECTIONS
            if section.kind in ("grid", "origin")
        ],
        "errors": errors(problems),
        "warnings": [
            {"problem": problem, "explanation": explanations.get(services.problem_key(problem))}
            for problem in warnings(problems)
        ],
        "fields": [
            {
                "label": field_label(name),
                "value": data[name],
                "previous": previous_data[name] if previous_data else None,
            }
            for name in ("suspects_identified", "association_civil_party_cases")
        ],
        "comment": data["comment"],
        "thread": submission.messages.select_related("author"),
    }


def _answered(data: dict | None, form: str) -> bool:
    """Whether a form has any answer other than 0 or blank."""
    if data is None:
        return False
    return any(value for value in data["forms"][form].values())


def _flags(problems: list[Problem]) -> dict[tuple[str | None, str | None], str]:
    flags: dict[tuple[str | None, str | None], str] = {}
    for problem in problems:
        key = (problem.form, problem.field)
        if problem.is_error or key not in flags:
            flags[key] = problem.severity.value
    return flags


def _grid(section, data, previous_data, forms, flags) -> Grid:
    grid = Grid(section.title, section.part)

    def value(source, form, name):
        return source["forms"][form][name] if source else None

    for name in section.fields:
        grid.rows.append(
            Row(
                field_label(name),
                [
                    Cell(
                        value(data, form, name),
                        value(previous_data, form, name),
                        flags.get((form, name), ""),
                    )
                    for form in forms
                ],
            )
        )
    if section.groups != ("counts",):  # detected and accompanied do not add up
        grid.rows.append(_total_row(grid.rows, previous_data is not None))
        grid.rows.append(_accompanied_row(data, previous_data, forms, section.part))
    return grid


def _origin_grid(data, previous_data, forms, flags) -> Grid:
    grid = Grid("Pays d'origine", 1)
    countries = {
        country
        for source in (data, previous_data)
        if source
        for form in forms
        for country in source["forms"][form]["origin"]
    }
    for country in history.countries_by_name(countries):
        grid.rows.append(
            Row(
                country_name(country),
                [
                    # Only counts above 0 are stored: a country left out is a 0.
                    Cell(
                        data["forms"][form]["origin"].get(country, 0),
                        previous_data["forms"][form]["origin"].get(country, 0)
                        if previous_data
                        else None,
                        flags.get((form, f"origin.{country}"), ""),
                    )
                    for form in forms
                ],
            )
        )
    grid.rows.append(
        Row(
            "Non précisé",
            [
                Cell(
                    data["forms"][form][ORIGIN_UNKNOWN],
                    previous_data["forms"][form][ORIGIN_UNKNOWN] if previous_data else None,
                    flags.get((form, ORIGIN_UNKNOWN), ""),
                )
                for form in forms
            ],
        )
    )
    grid.rows.append(_total_row(grid.rows, previous_data is not None))
    grid.rows.append(_accompanied_row(data, previous_data, forms, 1))
    return grid


def _total_row(rows: list[Row], has_previous: bool) -> Row:
    """Blank counts add nothing: a Part 2 total is that of what was answered."""
    columns = zip(*(row.cells for row in rows), strict=True)
    return Row(
        "Total",
        [
            Cell(
                sum(cell.value or 0 for cell in cells),
                sum(cell.previous or 0 for cell in cells) if has_previous else None,
            )
            for cells in columns
        ],
        kind="total",
    )


def _accompanied_row(data, previous_data, forms, part: int) -> Row:
    label = "Victimes accompagnées" + (" (le total doit être égal)" if part == 1 else "")
    return Row(
        label,
        [
            Cell(
                data["forms"][form]["accompanied"],
                previous_data["forms"][form]["accompanied"] if previous_data else None,
            )
            for form in forms
        ],
        kind="accompanied",
    )


def comparison_context(submission: Submission, version: str) -> dict:
    """The versions to choose from, and what changed between the one chosen and now."""
    versions = history.submission_versions(submission)
    chosen = next((v for v in versions if str(v.history_id) == version), None)
    differences = None
    if chosen is not None:
        before = history.submission_data_as_of(submission, chosen.date)
        differences = history.data_differences(before, submission.to_data())
    return {"versions": versions, "chosen": chosen, "differences": differences}
