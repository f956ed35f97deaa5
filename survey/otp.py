"""Two-factor authentication (TOTP, django-otp) for the Miprof's staff and superusers.

Their accounts reach every association's answers: a password alone is not enough. After
the password, StaffOTPRequiredMiddleware sends them to one page until a code from their
authenticator app is accepted in this session: the page enrols the app first (QR code and
secret) when the account has none yet. Members of associations are not concerned.

A lost phone: a superuser deletes the account's device in the admin (« TOTP devices »); the
person enrols a new app at the next login.
"""

from base64 import b32encode
from urllib.parse import quote

import django_otp
import segno
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_totp.models import TOTPDevice
from dsfr.forms import DsfrBaseForm

from audit.models import Action, record

DEVICE_NAME = "Application d'authentification"
# What an unverified staff session may still open: this page, and the way out.
OPEN_VIEWS = frozenset({"otp_verify", "logout", "admin:logout"})


def otp_required(user: AbstractBaseUser) -> bool:
    return bool(
        settings.OTP_REQUIRED_FOR_STAFF
        and user.is_authenticated
        and (user.is_staff or user.is_superuser)
    )


class StaffOTPRequiredMiddleware:
    """Staff and superusers not verified in this session go to the code page first.

    After django_otp's OTPMiddleware (which sets `user.is_verified()`). It acts in
    process_view, where the URL is resolved, so that it compares view names, not paths.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not otp_required(user) or user.is_verified():
            return None
        if request.resolver_match.view_name in OPEN_VIEWS:
            return None
        return redirect(f"{reverse('otp_verify')}?next={quote(request.get_full_path())}")


class TokenForm(DsfrBaseForm):
    token = forms.CharField(
        label="Code à 6 chiffres",
        help_text="Le code affiché par votre application d'authentification.",
        min_length=6,
        max_length=9,  # "123 456" as some apps show it
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autofocus": True,
            }
        ),
        error_messages={
            "required": "Saisissez le code à 6 chiffres de votre application.",
            "min_length": "Le code compte 6 chiffres.",
            "max_length": "Le code compte 6 chiffres.",
        },
    )

    def __init__(self, *args, user: AbstractBaseUser, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        # The request's user, already loaded: device.user would cost a query.
        self.user = user
        self.device = device
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.form_error_title = "Code refusé"
        self.helper.layout = Layout(Fieldset("Vérification en deux étapes", "token"))

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        allowed, why = self.device.verify_is_allowed()
        if not allowed and why and why.get("locked_until"):
            until = timezone.localtime(why["locked_until"])
            raise forms.ValidationError(
                f"Trop de codes erronés : réessayez après {until:%H:%M:%S}.", code="throttled"
            )
        # Verified under a row lock (django_otp.verify_token): two tabs cannot both use
        # one code, and each failure lengthens the wait before the next try.
        if django_otp.verify_token(self.user, self.device.persistent_id, token) is None:
            raise forms.ValidationError(
                "Code incorrect ou expiré. Saisissez le code affiché en ce moment par votre "
                "application (il change toutes les 30 secondes).",
                code="invalid",
            )
        return token


def _device_for(user: AbstractBaseUser) -> TOTPDevice:
    """The confirmed device; else the one being enrolled (the same QR code on reload)."""
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "pk").first()
    if device is None:
        return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    # The user is at hand: str(device), in the audit log, would otherwise read it again.
    device.user = user
    return device


def _qr_svg(device: TOTPDevice) -> str:
    # Inline SVG (no image request, no script): dark modules on white, readable in dark mode.
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title="QR code à scanner"
    )
    # segno writes the SVG (the key inside it is drawn as modules, not written as text).
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))


def _secret(device: TOTPDevice) -> str:
    """The key as authenticator apps ask for it when typed: base32, by groups of 4."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Asks for a code; enrols the authenticator app first when the account has none."""
    user = request.user
    if not otp_required(user) or user.is_verified():
        return redirect(_next(request))
    device = _device_for(user)
    enrolling = not device.confirmed
    form = TokenForm(request.POST or None, user=user, device=device)
    if request.method == "POST":
        if form.is_valid():
            # verify_token saved its own copy of the device (counter, throttling); this one
            # is stale there, but it only writes `confirmed` and hands on its id.
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                record(request, Action.OTP_ENROLLED, obj=device)
            django_otp.login(request, device)
            record(request, Action.OTP_VERIFIED)
            return redirect(_next(request))
        if form.data.get("token"):
            record(request, Action.OTP_FAILED, details={"enrolment": enrolling})
    context = {
        "title": "Activer la vérification en deux étapes" if enrolling else "Vérification",
        "form": form,
        "enrolling": enrolling,
        "next": _next(request),
    }
    if enrolling:
        context.update(qr_svg=_qr_svg(device), secret=_secret(device))
    return render(request, "survey/accounts/otp_verify.html", context)
