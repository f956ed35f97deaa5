"""Account forms (password reset, invitation), rendered with the DSFR through crispy-forms.

As in survey/forms.py, labels and help texts are set on declared fields rather than in
__init__: DsfrBaseForm.__init__ builds the bound fields, which copy them when built.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.utils.functional import lazy
from dsfr.forms import DsfrBaseForm


def _password_help_text() -> str:
    # Plain text rather than Django's <ul>: the DSFR hint is a <span>.
    return " ".join(password_validation.password_validators_help_texts())


password_help_text = lazy(_password_help_text, str)


def _password_fields(label1: str, label2: str) -> tuple[forms.CharField, forms.CharField]:
    password1 = forms.CharField(
        label=label1,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_help_text(),
    )
    password2 = forms.CharField(
        label=label2,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Saisissez le même mot de passe une seconde fois.",
    )
    return password1, password2


def _helper(legend: str, *fields: str, error_title: str) -> FormHelper:
    helper = FormHelper()
    # Templates write the <form>, its {% csrf_token %} and the buttons.
    helper.form_tag = False
    helper.disable_csrf = True
    helper.form_error_title = error_title
    helper.layout = Layout(Fieldset(legend, *fields))
    return helper


class PasswordResetRequestForm(DsfrBaseForm, PasswordResetForm):
    """Asks for the address to send a reset link to (Django's form, DSFR wording)."""

    email = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={
            "required": "Saisissez l’adresse e-mail de votre compte.",
            "invalid": "Saisissez une adresse e-mail valide, par exemple nom@association.fr.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Votre compte", "email", error_title="Envoi impossible")


class NewPasswordForm(DsfrBaseForm, SetPasswordForm):
    """Sets a new password, twice, checked by AUTH_PASSWORD_VALIDATORS."""

    new_password1, new_password2 = _password_fields(
        "Nouveau mot de passe", "Confirmation du nouveau mot de passe"
    )
    legend = "Nouveau mot de passe"

    error_messages = {
        **SetPasswordForm.error_messages,
        "password_mismatch": "Les deux mots de passe saisis ne sont pas identiques.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            self.legend,
            "new_password1",
            "new_password2",
            error_title="Le mot de passe n’a pas été enregistré",
        )


class InvitationPasswordForm(NewPasswordForm):
    """The invited person chooses a password.

    `user` is an unsaved User carrying the invited address, so that the validators can
    refuse a password too close to it; the account is created by invitation_accept().
    """

    new_password1, new_password2 = _password_fields("Mot de passe", "Confirmation du mot de passe")
    legend = "Choisissez votre mot de passe"
