"""Writes that span several rows: importing answers, saving a submission's answers.

Callers check the data first (`survey.answers_json.parse_answers` and `entry_problems`
for a file, the web forms for a page); these functions still run the models' own
validation where it costs no query, and never step around the database constraints.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator
from simple_history.utils import bulk_create_with_history

from audit.models import Action
from audit.models import record as audit_record
from reports.figures import figures_follow

from .checks import Problem, check_submission, errors, warnings
from .models import Association, Campaign, FormAnswer, Message, OriginCount, Submission
from .questionnaire import COUNT_FIELDS, FORMS, SUBMISSION_COUNT_FIELDS
from .selectors import previous_submission, submission_of


@dataclass
class ImportResult:
    submissions: list[Submission] = field(default_factory=list)
    created_campaigns: list[Campaign] = field(default_factory=list)
    created_associations: list[Association] = field(default_factory=list)
    replaced: int = 0  # submissions that existed and were replaced by the file's


def campaign_get_or_create(*, year: int) -> tuple[Campaign, bool]:
    campaign = Campaign.objects.filter(year=year).first()
    if campaign is not None:
        return campaign, False
    campaign = Campaign(year=year, reference_year=year - 1, status=Campaign.Status.DRAFT)
    campaign.full_clean()
    campaign.save()
    return campaign, True


def association_update_or_create(
    *, identifier: str, name: str, departement: str
) -> tuple[Association, bool]:
    association = Association.objects.filter(identifier=identifier).first()
    if association is None:
        association = Association(identifier=identifier, name=name, departement=departement)
        association.full_clean()
        association.save()
        return association, True
    if (association.name, association.departement) != (name, departement):
        association.name, association.departement = name, departement
        association.full_clean(exclude=["identifier"])
        association.save(update_fields=["name", "departement"])
    return association, False


def submission_save_data(*, submission: Submission, data: dict) -> None:
    """Replace a submission's per-form answers by those of `data` (to_data() shape).

    Forms missing from `data` are stored empty; only origin counts > 0 are stored.
    Runs in the caller's transaction (opens one when there is none).
    """
    forms = data.get("forms") or {}
    with transaction.atomic():
        # Deleting cascades to the origin counts: nothing of the old answers survives.
        submission.answers.all().delete()
        origins: list[OriginCount] = []
        for form in FORMS:
            values = {**FormAnswer.empty_data(), **(forms.get(form) or {})}
            answer = FormAnswer(
                submission=submission,
                form=form,
                other_label=values["other_label"] or "",
                **{name: values[name] for name in COUNT_FIELDS},
            )
            # Values only, no query: the foreign key and the uniqueness of (submission,
            # form) are the database's job.
            answer.full_clean(
                exclude=["submission"], validate_unique=False, validate_constraints=False
            )
            answer.save()
            # Country codes were checked on the way in (parse_answers, the origin form);
            # validating each against django-countries' list here cost 7 ms a row.
            origins += [
                OriginCount(answer=answer, country=country, count=count)
                for country, count in sorted(values["origin"].items())
                if count
            ]
        bulk_create_with_history(origins, OriginCount)


def _set_status(submission: Submission, status: str, user: AbstractBaseUser | None) -> None:
    """The file's status, with the dates it implies: the import is the act recorded."""
    now = timezone.now()
    submission.status = status
    sent = {Submission.Status.SUBMITTED, Submission.Status.RETURNED, Submission.Status.VALIDATED}
    if status in sent:
        submission.submitted_at = submission.submitted_at or now
        submission.submitted_by = submission.submitted_by or user
    else:
        submission.submitted_at = submission.submitted_by = None
    if status == Submission.Status.VALIDATED:
        submission.validated_at, submission.validated_by = now, user
    else:
        submission.validated_at = submission.validated_by = None


def answers_import(*, entries: list[dict], user: AbstractBaseUser | None = None) -> ImportResult:
    """Store checked entries (`parse_answers` shape), all or nothing.

    Each entry replaces its association's submission for its campaign: the same row
    (same id) with `version` incremented, and new per-form answers. Missing campaigns
    (reference year = year − 1, draft) and associations are created.
    """
    result = ImportResult()
    with transaction.atomic():
        campaigns: dict[int, Campaign] = {}
        for entry in entries:
            year = entry["campaign"]
            if year not in campaigns:
                campaigns[year], created = campaign_get_or_create(year=year)
                if created:
                    result.created_campaigns.append(campaigns[year])
            campaign = campaigns[year]

            association, created = association_update_or_create(
                identifier=entry["association"]["identifier"],
                name=entry["association"]["name"],
                departement=entry["association"].get("departement") or "",
            )
            if created:
                result.created_associations.append(association)

            # Locked so that a web save in between cannot interleave with the replacement.
            submission = (
                Submission.objects.select_for_update()
                .filter(association=association, campaign=campaign)
                .first()
            )
            if submission is None:
                submission = Submission(association=association, campaign=campaign)
            else:
                submission.version += 1
                result.replaced += 1
            _set_status(submission, entry["status"], user)
            for name in SUBMISSION_COUNT_FIELDS:
                setattr(submission, name, entry.get(name))
            submission.comment = entry.get("comment") or ""
            submission.full_clean(
                exclude=["association", "campaign", "submitted_by", "validated_by"],
                validate_unique=False,
                validate_constraints=False,
            )
            submission.save()
            submission_save_data(submission=submission, data=entry)
            result.submissions.append(submission)
    return result


class StaleSubmission(Exception):
    """Someone saved the submission since the page was loaded: nothing was written."""

    def __init__(self, submission: Submission) -> None:
        super().__init__("stale submission")
        self.submission = submission


class SubmissionLocked(Exception):
    """The answers cannot change: sent, validated, or the campaign is not open."""


def _locked_submission(
    *, association: Association, campaign: Campaign, expected_version: int
) -> Submission:
    """The submission row, locked for this transaction, created on the first save.

    `expected_version` is the version the user's page was built on (0: no submission
    yet). Optimistic locking: when it differs, someone else saved in between.
    """
    submission = (
        Submission.objects.select_for_update()
        .select_related("campaign", "association")
        .filter(association=association, campaign=campaign)
        .first()
    )
    if submission is None:
        if expected_version != 0:
            raise StaleSubmission(Submission(association=association, campaign=campaign))
        submission = Submission.objects.create(association=association, campaign=campaign)
        submission.version = 0  # becomes 1 with this first save
    elif submission.version != expected_version:
        raise StaleSubmission(submission)
    if not submission.is_editable:
        raise SubmissionLocked
    return submission


def submission_save_forms(
    *,
    association: Association,
    campaign: Campaign,
    forms: dict[str, dict],
    expected_version: int,
    user: AbstractBaseUser,
    section: str = "",
    values: dict | None = None,
    sections: Iterable[str] = (),
    reason: str = "",
    if_changed: bool = False,
) -> Submission | None:
    """Save some answers of some forms, and per-submission `values`, as one version.

    `forms` maps a form code to the fields to write (`{"sexual": {"women": 3}}`); an
    `origin` key replaces that form's per-country counts. Fields and forms left out keep
    their stored values. `section` (and `sections`) are marked saved; `reason` is the
    history's change reason. With `if_changed`, nothing is written (None is returned)
    when every value is already stored. Rules are not enforced here: a draft may break
    them.
    """
    with transaction.atomic():
        submission = _locked_submission(
            association=association, campaign=campaign, expected_version=expected_version
        )
        changed = _write_forms(submission, forms)
        for name, value in (values or {}).items():
            changed = changed or getattr(submission, name) != value
            setattr(submission, name, value)
        if if_changed and not changed:
            # Not even the row the lock created for a first save is kept.
            transaction.set_rollback(True)
            return None
        if reason:
            submission._change_reason = reason
        return _bump(submission, user, section, *sections)


def _write_forms(submission: Submission, forms: dict[str, dict]) -> bool:
    """Write what differs from the stored answers; whether any value differed."""
    existing = {answer.form: answer for answer in submission.answers.prefetch_related("origins")}
    changed = False
    for form, values in forms.items():
        answer = existing.get(form) or FormAnswer(submission=submission, form=form)
        origin = values.get("origin")
        counts = {name: value for name, value in values.items() if name != "origin"}
        # A new answer holds the model's defaults: the empty answer.
        differs = any(getattr(answer, name) != value for name, value in counts.items())
        changed = changed or differs
        # An answer left as it was is not written again (nor a history row added).
        if answer.pk is None or differs:
            for name, value in counts.items():
                setattr(answer, name, value)
            answer.full_clean(
                exclude=["submission"], validate_unique=False, validate_constraints=False
            )
            answer.save()
        if origin is None:
            continue
        stored = {item.country.code: item.count for item in answer.origins.all()}
        if stored != {c: n for c, n in origin.items() if n}:
            changed = True
            answer.origins.all().delete()
            bulk_create_with_history(
                [
                    OriginCount(answer=answer, country=country, count=count)
                    for country, count in sorted(origin.items())
                    if count
                ],
                OriginCount,
            )
    return changed


def submission_save_fields(
    *,
    association: Association,
    campaign: Campaign,
    values: dict,
    expected_version: int,
    user: AbstractBaseUser,
    section: str = "",
) -> Submission:
    """Save per-submission answers (suspects identified, comment…)."""
    return submission_save_forms(
        association=association,
        campaign=campaign,
        forms={},
        values=values,
        expected_version=expected_version,
        user=user,
        section=section,
    )


def _bump(submission: Submission, user: AbstractBaseUser | None, *sections: str) -> Submission:
    submission.version += 1
    submission.updated_by = user
    new = [
        slug for slug in dict.fromkeys(sections) if slug and slug not in submission.sections_saved
    ]
    if new:
        submission.sections_saved = [*submission.sections_saved, *new]
    submission.save()
    return submission


class SubmissionRefused(Exception):
    """Submitting is refused; the message says why, in French."""


def submission_submit(
    *, submission: Submission, user: AbstractBaseUser, expected_version: int
) -> Submission:
    """Send the answers to the Miprof: no hard error, every warning explained."""
    with transaction.atomic():
        locked = _locked_submission(
            association=submission.association,
            campaign=submission.campaign,
            expected_version=expected_version,
        )
        problems = submission_problems(locked)
        if errors(problems):
            raise SubmissionRefused(
                f"Transmission impossible : {len(errors(problems))} erreur(s) à corriger."
            )
        explained = set(locked.explanations.values_list("key", flat=True))
        unexplained = [
            problem for problem in warnings(problems) if problem_key(problem) not in explained
        ]
        if unexplained:
            raise SubmissionRefused(
                f"Transmission impossible : {len(unexplained)} avertissement(s) sans "
                "explication. Corrigez la réponse ou expliquez-la en quelques mots."
            )
        locked.status = Submission.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = user
        locked._change_reason = "Transmise à la Miprof"
        _bump(locked, user)
        audit_record(None, Action.SUBMISSION_SUBMITTED, actor=user, obj=locked)
        submission.refresh_from_db()
        return locked


def problem_key(problem) -> str:
    """Identifies a warning across saves, to keep its explanation."""
    return f"{problem.code}@{problem.path}"


def submission_confirmation_send(*, submission: Submission, user, url: str) -> None:
    """E-mail the member who submitted: what was sent, when, and where to see it."""
    when = timezone.localtime(submission.submitted_at)
    body = render_to_string(
        "survey/emails/submitted.txt",
        {"submission": submission, "user": user, "when": when, "url": url},
    )
    send_mail(
        f"Enquête {submission.campaign.year} : réponses de {submission.association} transmises",
        body,
        None,
        [user.email],
    )


def submission_problems(submission: Submission) -> list[Problem]:
    """The checks on the stored answers, with last year's validated answer."""
    current = submission_of(submission.association, submission.campaign)
    previous = previous_submission(submission.association, submission.campaign)
    data = current.to_data() if current else submission.to_data()
    return check_submission(data, previous.to_data() if previous else None)


# --- Staff review -------------------------------------------------------------------------


class ReviewRefused(Exception):
    """A review action is refused; the message says why, in French."""


def _locked_for_review(submission: Submission, allowed: tuple[str, ...], action: str) -> Submission:
    locked = (
        Submission.objects.select_for_update()
        .select_related("association", "campaign")
        .get(pk=submission.pk)
    )
    if locked.status not in allowed:
        raise ReviewRefused(
            f"{action} impossible : la réponse est « {locked.get_status_display()} »."
        )
    return locked


def submission_validate(*, submission: Submission, user: AbstractBaseUser) -> Submission:
    """Lock the answers as checked by the Miprof; refused while a hard error remains."""
    with transaction.atomic():
        locked = _locked_for_review(submission, (Submission.Status.SUBMITTED,), "Validation")
        hard = errors(submission_problems(locked))
        if hard:
            raise ReviewRefused(
                f"Validation impossible : {len(hard)} erreur(s) restent dans la réponse "
                f"(par exemple : {hard[0].message})"
            )
        with figures_follow(locked):
            locked.status = Submission.Status.VALIDATED
            locked.validated_at = timezone.now()
            locked.validated_by = user
            locked._change_reason = "Validée par la Miprof"
            _bump(locked, user)
        audit_record(None, Action.SUBMISSION_VALIDATED, actor=user, obj=locked)
        return locked


def submission_return(
    *, submission: Submission, user: AbstractBaseUser, message: str, url: str = ""
) -> Submission:
    """Send the answers back to the association with a message; they become editable."""
    message = message.strip()
    if not message:
        raise ReviewRefused("Renvoi impossible : écrivez le message qui explique la correction.")
    with transaction.atomic():
        locked = _locked_for_review(submission, (Submission.Status.SUBMITTED,), "Renvoi")
        locked.status = Submission.Status.RETURNED
        # The history's reason column holds 100 characters; the whole text is the Message.
        locked._change_reason = Truncator(f"Renvoyée pour correction : {message}").chars(100)
        _bump(locked, user)
        audit_record(None, Action.SUBMISSION_RETURNED, actor=user, obj=locked)
        message_post(
            submission=locked,
            author=user,
            body=message,
            from_staff=True,
            url=url,
            subject=f"Enquête {locked.campaign.year} : la Miprof vous demande une correction",
        )
        return locked


def submission_reopen(
    *, submission: Submission, user: AbstractBaseUser, reason: str, url: str = ""
) -> Submission:
    """Take a validated submission back under review (it is no longer counted)."""
    reason = reason.strip()
    if not reason:
        raise ReviewRefused("Réouverture impossible : indiquez la raison.")
    with transaction.atomic():
        locked = _locked_for_review(submission, (Submission.Status.VALIDATED,), "Réouverture")
        with figures_follow(locked):
            locked.status = Submission.Status.SUBMITTED
            locked.validated_at = None
            locked.validated_by = None
            locked._change_reason = Truncator(f"Rouverte : {reason}").chars(100)
            _bump(locked, user)
        audit_record(
            None, Action.SUBMISSION_REOPENED, actor=user, obj=locked, details={"reason": reason}
        )
        message_post(
            submission=locked,
            author=user,
            from_staff=True,
            url=url,
            body=f"La Miprof a rouvert votre réponse validée pour la revoir : {reason}",
            subject=f"Enquête {locked.campaign.year} : votre réponse est en cours de relecture",
        )
        return locked


def message_post(
    *,
    submission: Submission,
    author: AbstractBaseUser,
    body: str,
    from_staff: bool,
    url: str = "",
    subject: str = "",
) -> Message:
    """Add a message to the thread and tell the other side by e-mail."""
    body = body.strip()
    if not body:
        raise ReviewRefused("Le message est vide.")
    message = Message.objects.create(
        submission=submission, author=author, body=body, from_staff=from_staff
    )
    if from_staff:
        recipients = list(
            submission.association.members.filter(is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    else:
        recipients = staff_notification_emails()
    if recipients:
        text = render_to_string(
            "survey/emails/message.txt",
            {"submission": submission, "message": message, "url": url},
        )
        subject = subject or (
            f"Enquête {submission.campaign.year} : nouveau message "
            f"{'de la Miprof' if from_staff else f'de {submission.association}'}"
        )
        # One e-mail per recipient: members of an association must not see each other's
        # addresses, and the Miprof's staff list is not theirs to see either.
        for recipient in recipients:
            send_mail(subject, text, None, [recipient])
    return message


def staff_notification_emails() -> list[str]:
    """Who at the Miprof hears of associations' messages: settings, or staff accounts."""
    if settings.MIPROF_NOTIFICATION_EMAILS:
        return list(settings.MIPROF_NOTIFICATION_EMAILS)
    return list(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
