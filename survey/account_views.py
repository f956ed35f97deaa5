"""Account pages: password reset (Django's views, our templates) and invitations."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import accounts
from .account_forms import InvitationPasswordForm, NewPasswordForm, PasswordResetRequestForm
from .accounts import InvitationError, InvitationState
from .models import Invitation

# --- Password reset ------------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"
    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"
    success_url = reverse_lazy("password_reset_done")
    extra_context = {"title": "Mot de passe oublié"}

    @property
    def extra_email_context(self) -> dict:
        return {
            "service_name": accounts.SERVICE_NAME,
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"
    extra_context = {"title": "Vérifiez votre messagerie"}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    extra_context = {"title": "Nouveau mot de passe"}

    def form_valid(self, form):
        response = super().form_valid(form)
        # Locked out after too many failures on the account, from any address: the lockout
        # page says a new password unlocks it.
        accounts.login_failures_forget_account(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
    extra_context = {"title": "Mot de passe enregistré"}


# --- Invitations ---------------------------------------------------------------------------


def _invalid(request, reason: str, status: int):
    return render(
        request,
        "survey/accounts/invitation_invalid.html",
        {"reason": reason, "title": "Invitation non valable"},
        status=status,
    )


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def invitation_accept(request, token: str):
    """The page an invitation link opens.

    No account for the address: choose a password, which creates the account. An
    account: log in with it (the login page comes back here), then join.
    """
    invitation = accounts.invitation_get(token)
    if invitation is None:
        return _invalid(request, "unknown", status=404)
    state = accounts.invitation_state(invitation)
    if state != InvitationState.PENDING:
        return _invalid(request, state, status=410)

    context = {
        "invitation": invitation,
        "association": invitation.association,
        "title": f"Invitation — {invitation.association.name}",
    }
    if accounts.user_for_email(invitation.email) is None:
        return _create_account(request, invitation, context)
    if not request.user.is_authenticated:
        return render(
            request, "survey/accounts/invitation_accept.html", {**context, "step": "login"}
        )
    if accounts.normalize_email(request.user.email) != invitation.email.lower():
        return render(
            request, "survey/accounts/invitation_accept.html", {**context, "step": "other_account"}
        )
    if request.method == "POST":
        try:
            accounts.invitation_join(invitation=invitation, user=request.user)
        except InvitationError:
            # Used meanwhile (another tab): the page now says so.
            return redirect(request.path)
        messages.success(request, f"Vous répondez désormais pour {invitation.association.name}.")
        return redirect("home")
    return render(request, "survey/accounts/invitation_accept.html", {**context, "step": "join"})


def _create_account(request, invitation: Invitation, context: dict):
    User = get_user_model()
    email = invitation.email.lower()
    # Unsaved: lets UserAttributeSimilarityValidator compare the password with the address.
    future_user = User(username=email, email=email)
    form = InvitationPasswordForm(user=future_user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except InvitationError:
            # Used meanwhile, or the account was just created: the page now says what to do.
            return redirect(request.path)
        login(request, user, backend="survey.accounts.EmailBackend")
        messages.success(
            request,
            f"Votre compte est créé : vous répondez pour {invitation.association.name}.",
        )
        return redirect("home")
    return render(
        request,
        "survey/accounts/invitation_accept.html",
        {**context, "step": "create", "form": form},
    )
