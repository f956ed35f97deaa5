"""Forms of the survey site, rendered with the DSFR (django-dsfr) through crispy-forms."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from dsfr.forms import DsfrBaseForm


class LoginForm(DsfrBaseForm, AuthenticationForm):
    """Django's AuthenticationForm with DSFR classes and French wording.

    MRO: LoginForm → DsfrBaseForm → AuthenticationForm → Form; LoginView's `request=` goes
    through DsfrBaseForm's **kwargs to AuthenticationForm.__init__(request=None, ...).
    The labels are set on the declared fields, not in __init__: DsfrBaseForm.__init__ builds
    (and caches) the bound fields, which copy the label when they are built.
    """

    # Usernames are e-mail addresses.
    username = UsernameField(
        label="Adresse e-mail",
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "email", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie : "
            "le mot de passe distingue les majuscules des minuscules."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        # The template writes the <form> and its {% csrf_token %}.
        self.helper.disable_csrf = True
        self.helper.form_error_title = "Connexion impossible"
        self.helper.layout = Layout(Fieldset("Connexion", "username", "password"))
