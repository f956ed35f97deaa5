"""Reminders: e-mail the associations that have not sent their answers to an open campaign.

An association is reminded when it has no submission ("not started") or a draft, or
answers sent back for correction ("draft not sent"); every active member with an e-mail
address gets one e-mail of their own. A `Reminder` row per association and day makes a
second run on the same day send nothing: the command can run from cron.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Association, Campaign, Reminder, Submission

TEMPLATES: dict[str, str] = {
    Reminder.Kind.NOT_STARTED: "survey/emails/reminder_not_started.txt",
    Reminder.Kind.DRAFT: "survey/emails/reminder_draft.txt",
}
# Answers the Miprof has in hand: no reminder.
SENT = (Submission.Status.SUBMITTED, Submission.Status.VALIDATED)


class ReminderRefused(Exception):
    """No reminder can be sent for this campaign; the message says why, in French."""


@dataclass(frozen=True)
class Planned:
    association: Association
    kind: str  # a Reminder.Kind
    submission: Submission | None
    recipients: list[str]  # e-mail addresses, one e-mail each


@dataclass
class ReminderResult:
    reminded: list[Planned] = field(default_factory=list)  # sent (or, dry run, to send)
    already_reminded: list[Association] = field(default_factory=list)  # today
    no_recipient: list[Association] = field(default_factory=list)

    @property
    def emails(self) -> int:
        return sum(len(planned.recipients) for planned in self.reminded)


def reminder_subject(campaign: Campaign, kind: str) -> str:
    if kind == Reminder.Kind.NOT_STARTED:
        return f"Enquête {campaign.year} : votre réponse est attendue"
    return f"Enquête {campaign.year} : vos réponses ne sont pas encore transmises"


def reminder_body(planned: Planned, campaign: Campaign) -> str:
    site_url = settings.SITE_URL.rstrip("/")
    return render_to_string(
        TEMPLATES[planned.kind],
        {
            "association": planned.association,
            "campaign": campaign,
            "submission": planned.submission,
            "site_url": site_url,
            "url": site_url + reverse("association_home", args=[planned.association.pk]),
        },
    )


def reminders_plan(*, campaign: Campaign, today: datetime.date) -> ReminderResult:
    """Who would be reminded today, and who is skipped and why (4 queries)."""
    if campaign.status != Campaign.Status.OPEN:
        raise ReminderRefused(
            f"La campagne {campaign.year} n'est pas ouverte (statut : "
            f"{campaign.get_status_display()}) : aucune relance envoyée."
        )
    recipients = get_user_model().objects.filter(is_active=True).exclude(email="").order_by("email")
    associations = Association.objects.order_by("name", "pk").prefetch_related(
        Prefetch("members", queryset=recipients, to_attr="recipients")
    )
    submissions = {
        submission.association_id: submission
        for submission in Submission.objects.filter(campaign=campaign)
    }
    reminded_today = set(
        Reminder.objects.filter(campaign=campaign, sent_on=today).values_list(
            "association_id", flat=True
        )
    )
    result = ReminderResult()
    for association in associations:
        submission = submissions.get(association.pk)
        if submission is not None and submission.status in SENT:
            continue
        if association.pk in reminded_today:
            result.already_reminded.append(association)
            continue
        emails = [member.email for member in association.recipients]
        if not emails:
            result.no_recipient.append(association)
            continue
        kind = Reminder.Kind.NOT_STARTED if submission is None else Reminder.Kind.DRAFT
        result.reminded.append(Planned(association, kind, submission, emails))
    return result


def reminders_send(
    *, campaign: Campaign, today: datetime.date | None = None, dry_run: bool = False
) -> ReminderResult:
    """Remind every association that has not sent its answers, once a day at most.

    With `dry_run`, nothing is sent nor recorded: the result says what would be.
    """
    today = today or timezone.localdate()
    plan = reminders_plan(campaign=campaign, today=today)
    if dry_run:
        return plan
    result = ReminderResult(
        already_reminded=list(plan.already_reminded), no_recipient=list(plan.no_recipient)
    )
    # One connection for the whole run rather than one per e-mail.
    with get_connection() as connection:
        for planned in plan.reminded:
            subject = reminder_subject(campaign, planned.kind)
            body = reminder_body(planned, campaign)
            try:
                # The row first, the e-mails next, one transaction per association: a run
                # started at the same time (cron and a person) cannot insert the same row
                # and skips it; a refused e-mail rolls the row back, so that the next run
                # tries again.
                with transaction.atomic():
                    Reminder.objects.create(
                        association=planned.association,
                        campaign=campaign,
                        kind=planned.kind,
                        sent_on=today,
                        recipients=len(planned.recipients),
                    )
                    # One e-mail per member: members must not see each other's addresses.
                    for email in planned.recipients:
                        send_mail(subject, body, None, [email], connection=connection)
            except IntegrityError:
                result.already_reminded.append(planned.association)
                continue
            result.reminded.append(planned)
    return result
