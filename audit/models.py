"""One model, `AuditEvent`, and the one function that writes it, `record()`.

An event is written once and never changed: the site offers no way to edit or delete one
(save() refuses an existing row, delete() and the queryset's update() and delete()
raise, the admin is read-only for everyone). What identifies the actor is copied as text
too, so that an event still says who acted once the account is gone.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Action(models.TextChoices):
    LOGIN = "login", "Connexion"
    LOGIN_FAILED = "login_failed", "Échec de connexion"
    LOCKOUT = "lockout", "Blocage après échecs répétés"
    LOGOUT = "logout", "Déconnexion"
    OTP_ENROLLED = "otp_enrolled", "Application d'authentification enregistrée"
    OTP_VERIFIED = "otp_verified", "Code d'authentification accepté"
    OTP_FAILED = "otp_failed", "Code d'authentification refusé"
    EXPORT = "export", "Export ou téléchargement"
    SUBMISSION_SUBMITTED = "submission_submitted", "Réponse transmise"
    SUBMISSION_VALIDATED = "submission_validated", "Réponse validée"
    SUBMISSION_RETURNED = "submission_returned", "Réponse renvoyée pour correction"
    SUBMISSION_REOPENED = "submission_reopened", "Réponse rouverte"
    CAMPAIGN_CREATED = "campaign_created", "Campagne créée"
    CAMPAIGN_OPENED = "campaign_opened", "Campagne ouverte"
    CAMPAIGN_CLOSED = "campaign_closed", "Campagne close"


class ImmutableError(Exception):
    """An audit event cannot be changed or deleted."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("Le journal d'audit ne se modifie pas.")

    def delete(self):
        raise ImmutableError("Le journal d'audit ne s'efface pas.")


class AuditEvent(models.Model):
    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)
    action = models.CharField("action", max_length=32, choices=Action, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_identifier = models.CharField(
        "identifiant",
        max_length=254,
        blank=True,
        help_text="L'adresse e-mail du compte, ou ce qui a été saisi lors d'un échec.",
    )
    association = models.ForeignKey(
        "survey.Association",
        verbose_name="association",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    campaign_year = models.PositiveIntegerField("campagne", null=True, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name="type d'objet",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    object_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    object_repr = models.CharField("objet", max_length=200, blank=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        when = timezone.localtime(self.created_at)
        return f"{when:%d/%m/%Y %H:%M:%S} — {self.get_action_display()} — {self.actor_identifier}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError("Le journal d'audit ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Le journal d'audit ne s'efface pas.")


def _current_request() -> HttpRequest | None:
    """The request being served, which simple-history's middleware keeps (services
    receive a user, not the request, yet the event should carry the address)."""
    return getattr(HistoricalRecords.context, "request", None)


def command_identifier(command: str) -> str:
    """Who ran a management command: no account, the system user."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        user = "inconnu"
    return f"manage.py {command} ({user})"


def record(
    request: HttpRequest | None,
    action: Action,
    *,
    actor: AbstractBaseUser | None = None,
    identifier: str = "",
    obj: models.Model | None = None,
    association=None,
    campaign_year: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one event. The actor defaults to the request's user; the association and
    campaign to those of `obj` (a submission, a campaign) when it has them."""
    from survey.accounts import client_ip

    request = request or _current_request()
    user = getattr(request, "user", None)
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    if actor is not None and not identifier:
        identifier = actor.email or actor.get_username()
    if obj is not None:
        association = association or getattr(obj, "association", None)
        if campaign_year is None:
            campaign = getattr(obj, "campaign", None)
            campaign_year = campaign.year if campaign is not None else getattr(obj, "year", None)
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_identifier=identifier[:254],
        association=association,
        campaign_year=campaign_year,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        ip_address=client_ip(request) if request is not None else None,
        details=details or {},
    )
    event.save()
    return event
