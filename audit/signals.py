"""Logins, failed logins, lockouts and logouts, from Django's and django-axes' signals."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from survey.accounts import normalize_email, user_for_email

from .models import Action, record


@receiver(user_logged_in, dispatch_uid="audit_login")
def login(sender, request, user, **kwargs) -> None:
    record(request, Action.LOGIN, actor=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def logout(sender, request, user, **kwargs) -> None:
    record(request, Action.LOGOUT, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def login_failed(sender, credentials, request=None, **kwargs) -> None:
    """What was typed is kept (lower case) with the account it names, if any."""
    typed = normalize_email(str(credentials.get("username") or ""))
    record(
        request,
        Action.LOGIN_FAILED,
        actor=user_for_email(typed) if typed else None,
        identifier=typed,
        details={"locked_out": bool(getattr(request, "axes_locked_out", False))},
    )


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    typed = normalize_email(str(username or ""))
    record(
        request,
        Action.LOCKOUT,
        actor=user_for_email(typed) if typed else None,
        identifier=typed,
    )
