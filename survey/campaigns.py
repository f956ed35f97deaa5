"""Writes on campaigns, for superusers: prepare the next edition, open it, close it.

Each function runs in a transaction and raises `CampaignRefused` with a French message
when the change would break a rule (one campaign open at a time, one per year); a change
made is written to the audit log, by whoever made it (the request's user).
"""

import datetime

from django.db import IntegrityError, transaction

from audit.models import Action
from audit.models import record as audit_record

from .models import Campaign


class CampaignRefused(Exception):
    """The change is refused; the message says why, in French."""


def _next_year(day: datetime.date | None) -> datetime.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _lock_campaigns() -> list[Campaign]:
    """Every campaign, locked until the end of the transaction.

    "One campaign open at a time" spans rows: without the lock, two superusers opening
    two campaigns at once would each see none open. There are a handful of campaigns.
    """
    return list(Campaign.objects.select_for_update().order_by("pk"))


def campaign_create_next(*, campaign: Campaign) -> Campaign:
    """The next edition: one year later, same dates a year later, in preparation.

    The questionnaire is the same: it is the code's, not the campaign's.
    """
    year = campaign.year + 1
    refused = f"La campagne {year} existe déjà : elle n'a pas été créée une seconde fois."
    with transaction.atomic():
        if Campaign.objects.filter(year=year).exists():
            raise CampaignRefused(refused)
        following = Campaign(
            year=year,
            reference_year=campaign.reference_year + 1,
            opens_on=_next_year(campaign.opens_on),
            closes_on=_next_year(campaign.closes_on),
            status=Campaign.Status.DRAFT,
        )
        following.full_clean(validate_unique=False)
        following._change_reason = f"Créée à partir de la campagne {campaign.year}"
        try:
            # A savepoint: the transaction stays usable when the insert is refused.
            with transaction.atomic():
                following.save()
        except IntegrityError as error:  # created by someone else since the check above
            raise CampaignRefused(refused) from error
        audit_record(None, Action.CAMPAIGN_CREATED, obj=following)
    return following


def campaign_open(*, campaign: Campaign) -> Campaign:
    """Open the campaign to the associations' answers; refused while another is open."""
    with transaction.atomic():
        campaigns = {locked.pk: locked for locked in _lock_campaigns()}
        locked = campaigns[campaign.pk]
        if locked.status == Campaign.Status.OPEN:
            raise CampaignRefused(f"La campagne {locked.year} est déjà ouverte.")
        if locked.status == Campaign.Status.PUBLISHED:
            raise CampaignRefused(
                f"La campagne {locked.year} est publiée : elle ne peut plus être rouverte."
            )
        already_open = [other for other in campaigns.values() if other.is_open]
        if already_open:
            raise CampaignRefused(
                f"Impossible d'ouvrir la campagne {locked.year} : la campagne "
                f"{already_open[0].year} est ouverte. Une seule campagne peut être ouverte "
                "à la fois ; clôturez-la d'abord."
            )
        locked.status = Campaign.Status.OPEN
        locked._change_reason = "Ouverte"
        locked.save(update_fields=["status"])
        audit_record(None, Action.CAMPAIGN_OPENED, obj=locked)
    campaign.status = locked.status
    return locked


def campaign_close(*, campaign: Campaign) -> Campaign:
    """Close an open campaign: the associations' answers can no longer change."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != Campaign.Status.OPEN:
            raise CampaignRefused(
                f"La campagne {locked.year} n'est pas ouverte "
                f"(statut : {locked.get_status_display()}) : rien à clore."
            )
        locked.status = Campaign.Status.CLOSED
        locked._change_reason = "Close"
        locked.save(update_fields=["status"])
        audit_record(None, Action.CAMPAIGN_CLOSED, obj=locked)
    campaign.status = locked.status
    return locked
