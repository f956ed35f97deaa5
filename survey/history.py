"""A submission as it was, and what changed since: read from django-simple-history.

A version is a row of `Submission.history`: every save of the submission (a section of
the questionnaire saved, submitted, validated, returned, reopened, imported) writes one,
with who, when and why (`history_change_reason`). The answers as they stood at that
moment are rebuilt from the history tables of `FormAnswer` and `OriginCount`, which
keep every change of their own rows.

The web questionnaire writes the answers first and the submission row last, in one
transaction (`services.submission_save_forms`): the answers as of a version's date are
those that version saved. The import writes the submission row first: the answers it
brought show from the version after it (or now).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from .checks import field_label, number
from .geography import countries_in_french, country_name
from .models import FormAnswer, OriginCount, Submission
from .questionnaire import COUNT_FIELDS, FORM_LABELS, FORMS, ORIGIN_UNKNOWN

# Per-submission answers compared, in the order a reader expects them.
SUBMISSION_FIELDS: tuple[str, ...] = (
    "status",
    "suspects_identified",
    "association_civil_party_cases",
    "comment",
)


@dataclass(frozen=True)
class Version:
    """One historical row of a submission, as the select of the review page lists it."""

    history_id: int
    date: datetime.datetime
    user: AbstractBaseUser | None
    reason: str
    status: str  # its label: "Transmise"
    version: int
    kind: str  # "+" created, "~" changed, "-" deleted


def submission_versions(submission: Submission) -> list[Version]:
    """Every version of the submission, newest first (one query)."""
    records = submission.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    return [
        Version(
            history_id=record.history_id,
            date=record.history_date,
            user=record.history_user,
            reason=record.history_change_reason or "",
            status=record.get_status_display(),
            version=record.version,
            kind=record.history_type,
        )
        for record in records
    ]


def submission_data_as_of(submission: Submission, when: datetime.datetime) -> dict:
    """The submission's answers as they stood at `when`, in the `Submission.to_data()` shape.

    Raises `Submission.DoesNotExist` when the submission did not exist yet.
    """
    past = submission.history.as_of(when)
    # The campaign and association are not versioned here: the submission's own.
    past.campaign, past.association = submission.campaign, submission.association
    answers = list(FormAnswer.history.as_of(when).filter(submission_id=submission.pk))
    origins: dict[int, list[OriginCount]] = defaultdict(list)
    for origin in OriginCount.history.as_of(when).filter(
        answer_id__in=[answer.pk for answer in answers]
    ):
        origins[origin.answer_id].append(origin)
    # Filled as a prefetch would, so that `to_data()` reads the past rows, not the
    # live tables: one definition of the shape.
    for answer in answers:
        answer._prefetched_objects_cache = {"origins": origins[answer.pk]}
    past._prefetched_objects_cache = {"answers": answers}
    return past.to_data()


@dataclass(frozen=True)
class Difference:
    """One answer that differs between two states of a submission."""

    form: str  # "" for a per-submission answer
    field: str  # a field code, or "origin.NG"
    label: str  # French
    before: Any
    after: Any

    @property
    def where(self) -> str:
        return FORM_LABELS[self.form] if self.form else "Ensemble de la réponse"

    @property
    def before_text(self) -> str:
        return _shown(self.before)

    @property
    def after_text(self) -> str:
        return _shown(self.after)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(vide)"
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value)
    return str(value)


def data_differences(before: dict, after: dict) -> list[Difference]:
    """Every answer that differs between two `to_data()` dicts, in questionnaire order.

    Per-submission answers first, then each form: its "précisez", its counts, and its
    origin country by country (a country absent on one side counts 0 there).
    """
    differences: list[Difference] = []
    for field in SUBMISSION_FIELDS:
        old, new = before.get(field), after.get(field)
        if old != new:
            if field == "status":
                old, new = _status_label(old), _status_label(new)
            label = "statut" if field == "status" else field_label(field)
            differences.append(Difference("", field, label, old, new))
    for form in FORMS:
        old_form = before["forms"].get(form) or FormAnswer.empty_data()
        new_form = after["forms"].get(form) or FormAnswer.empty_data()
        for field in ("other_label", *COUNT_FIELDS):
            old, new = old_form.get(field), new_form.get(field)
            if old != new and not (field == "other_label" and not old and not new):
                differences.append(Difference(form, field, field_label(field), old, new))
            if field == ORIGIN_UNKNOWN:
                differences.extend(_origin_differences(form, old_form, new_form))
    return differences


def _origin_differences(form: str, before: dict, after: dict) -> list[Difference]:
    old, new = before.get("origin") or {}, after.get("origin") or {}
    countries = countries_by_name(set(old) | set(new))
    return [
        Difference(
            form,
            f"origin.{country}",
            f"pays d'origine : {country_name(country)}",
            old.get(country, 0),
            new.get(country, 0),
        )
        for country in countries
        if old.get(country, 0) != new.get(country, 0)
    ]


def countries_by_name(codes) -> list[str]:
    """Country codes in the order of their French names ("Côte d'Ivoire" before "Mali")."""
    rank = {code: index for index, (code, _) in enumerate(countries_in_french())}
    return sorted(codes, key=lambda code: (rank.get(code, len(rank)), code))


def _status_label(status: str | None) -> str:
    return Submission.Status(status).label if status else ""
