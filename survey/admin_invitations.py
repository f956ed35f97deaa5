"""Admin for invitations: staff invite someone by e-mail to answer for an association.

Adding an invitation creates the token and sends the link (survey/accounts.py); only
the token's hash is stored, so an invitation cannot be edited or re-sent as is: the
"new invitation" action sends a fresh link and makes the old one stop working.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .accounts import (
    InvitationState,
    invitation_create,
    invitation_send,
    invitation_state,
    invitation_state_q,
    invitation_url,
    normalize_email,
    user_for_email,
)
from .models import Invitation, Membership


class InvitationAddForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "association"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = (
            "La personne recevra un e-mail avec un lien pour créer son compte (ou rattacher "
            f"son compte existant). Le lien est valable {settings.INVITATION_VALID_DAYS} "
            "jours et ne fonctionne qu’une fois."
        )

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def clean(self):
        cleaned_data = super().clean()
        email, association = cleaned_data.get("email"), cleaned_data.get("association")
        if not email or not association:
            return cleaned_data
        user = user_for_email(email)
        if user and Membership.objects.filter(user=user, association=association).exists():
            raise ValidationError(f"{email} est déjà membre de l’association {association}.")
        pending = (
            Invitation.objects.filter(email__iexact=email, association=association)
            .filter(invitation_state_q(InvitationState.PENDING))
            .order_by("-expires_at")
            .first()
        )
        if pending:
            raise ValidationError(
                f"Une invitation pour {email} est déjà en attente pour cette association "
                f"(valable jusqu’au {timezone.localtime(pending.expires_at):%d/%m/%Y}). "
                "Pour envoyer un nouveau lien, cochez-la dans la liste des invitations et "
                "choisissez l’action « Envoyer une nouvelle invitation »."
            )
        return cleaned_data


class InvitationStateFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return InvitationState.choices

    def queryset(self, request, queryset):
        if self.value() in InvitationState.values:
            return queryset.filter(invitation_state_q(InvitationState(self.value())))
        return queryset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "association", "created_by", "created_at", "expires_at", "state"]
    list_filter = [InvitationStateFilter]
    list_select_related = ["association", "created_by"]
    search_fields = ["email", "association__name"]
    date_hierarchy = "created_at"
    actions = ["send_new_invitation"]

    detail_fields = [
        "email",
        "association",
        "state",
        "created_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "user",
    ]

    @admin.display(description="état")
    def state(self, invitation: Invitation) -> str:
        return invitation_state(invitation).label

    # An invitation is not edited: its link is already sent. Staff with the view (or
    # change) permission see it read-only; a new link comes from the action below.
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = InvitationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["email", "association"] if obj is None else self.detail_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.detail_fields

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        # Runs inside the admin's transaction: if the mail server refuses, the
        # invitation is rolled back rather than left behind with a link nobody got.
        invitation, token = invitation_create(
            association=form.cleaned_data["association"],
            email=form.cleaned_data["email"],
            created_by=request.user,
        )
        invitation_send(invitation=invitation, url=invitation_url(request, token))
        return invitation

    def save_model(self, request, obj, form, change):
        # Saved by save_form (added) or never changed.
        pass

    def save_related(self, request, form, formsets, change):
        # No many-to-many fields nor inlines; and save_form bypassed form.save().
        pass

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            f"Le lien d’invitation a été envoyé à {obj.email} ; il est valable jusqu’au "
            f"{timezone.localtime(obj.expires_at):%d/%m/%Y à %H:%M}.",
            messages.SUCCESS,
        )
        return super().response_add(request, obj, post_url_continue)

    @admin.action(
        description="Envoyer une nouvelle invitation (l’ancien lien ne fonctionnera plus)",
        permissions=["add"],
    )
    def send_new_invitation(self, request, queryset):
        sent, skipped = [], []
        now = timezone.now()
        for old in queryset.select_related("association"):
            if invitation_state(old, now=now) == InvitationState.ACCEPTED:
                skipped.append(old.email)
                continue
            # One transaction per person: a refused e-mail leaves the old link working.
            with transaction.atomic():
                if old.expires_at > now:
                    old.expires_at = now
                    old.save(update_fields=["expires_at"])
                invitation, token = invitation_create(
                    association=old.association, email=old.email, created_by=request.user
                )
                invitation_send(invitation=invitation, url=invitation_url(request, token))
            sent.append(invitation.email)
        if sent:
            self.message_user(
                request, f"Nouvelle invitation envoyée à : {', '.join(sent)}.", messages.SUCCESS
            )
        if skipped:
            self.message_user(
                request,
                f"Invitation déjà acceptée, rien envoyé : {', '.join(skipped)}.",
                messages.WARNING,
            )
