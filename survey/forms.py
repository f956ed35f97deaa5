"""Forms of the survey site, rendered with the DSFR (django-dsfr) through crispy-forms."""

import re
from collections.abc import Iterable

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from dsfr.forms import DsfrBaseForm

from .checks import field_label, number
from .geography import country_code, country_name
from .models import Association, FormAnswer
from .questionnaire import FORM_LABELS, MAX_COUNT, OTHER_LABEL_PROMPT, PART1_FIELDS, Section


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


# --- The questionnaire ----------------------------------------------------------------


class CountField(forms.IntegerField):
    """A count as people type it: "1 200" is 1200; anything else says what was typed.

    The type and the range are checked here, because a count outside 0..MAX_COUNT cannot
    be stored even in a draft (model validators, database constraints); every rule
    between counts is survey.checks' job.
    """

    widget = forms.TextInput

    def __init__(self, *, where: str, **kwargs):
        self.where = where  # "Exploitation sexuelle — femmes (cisgenres)"
        super().__init__(required=False, **kwargs)

    def widget_attrs(self, widget):
        return {"inputmode": "numeric", "autocomplete": "off", "class": "fr-input"}

    def to_python(self, value):
        text = re.sub(r"[\s\u00a0\u202f]", "", str(value or ""))
        if not text:
            return None
        if not re.fullmatch(r"-?\d+", text):
            raise forms.ValidationError(
                f"{self.where} : « {value} » n'est pas un nombre entier.", code="invalid"
            )
        if not 0 <= int(text) <= MAX_COUNT:
            raise forms.ValidationError(
                f"{self.where} : « {value} » n'est pas un nombre entre 0 et {number(MAX_COUNT)}.",
                code="out_of_range",
            )
        return int(text)


def _form_class(name: str, fields: dict) -> type[DsfrBaseForm]:
    return type(DsfrBaseForm)(name, (DsfrBaseForm,), fields)


def grid_field_name(form: str, field: str) -> str:
    return f"{form}-{field}"


def grid_form_class(section: Section, forms_shown: Iterable[str]) -> type[DsfrBaseForm]:
    """One count per (form of exploitation, field of the section)."""
    fields: dict = {}
    for form in forms_shown:
        for field in section.fields:
            where = f"{FORM_LABELS[form]} — {field_label(field)}"
            fields[grid_field_name(form, field)] = CountField(where=where, label=where)
    if "counts" in section.groups and "other" in forms_shown:
        fields[grid_field_name("other", "other_label")] = forms.CharField(
            label=OTHER_LABEL_PROMPT,
            required=False,
            max_length=FormAnswer._meta.get_field("other_label").max_length,
        )
    return _form_class("GridForm", fields)


def grid_values(section: Section, form: DsfrBaseForm, forms_shown: Iterable[str]) -> dict:
    """The cleaned grid as {form: {field: value}}; a blank Part 1 count is 0."""
    values: dict[str, dict] = {}
    for code in forms_shown:
        row = values.setdefault(code, {})
        for field in section.fields:
            value = form.cleaned_data.get(grid_field_name(code, field))
            row[field] = 0 if value is None and field in PART1_FIELDS else value
    if grid_field_name("other", "other_label") in form.cleaned_data:
        values["other"]["other_label"] = form.cleaned_data[grid_field_name("other", "other_label")]
    return values


def grid_initial(section: Section, data: dict, forms_shown: Iterable[str]) -> dict:
    initial = {}
    for form in forms_shown:
        answers = data["forms"][form]
        for field in section.fields:
            initial[grid_field_name(form, field)] = answers[field]
        if "counts" in section.groups and form == "other":
            initial[grid_field_name(form, "other_label")] = answers["other_label"]
    return initial


ORIGIN_EXTRA_ROWS = 3


class OriginForm:
    """Rows of countries × forms, plus "non précisé", as plain POST data.

    A country is typed by its French name (or ISO code) with the help of a list; each row
    gives that country's count for each form shown.
    """

    def __init__(
        self,
        forms_shown: list[str],
        data=None,
        initial: dict | None = None,
        previous: dict | None = None,
    ):
        self.forms_shown = forms_shown
        self.data = data
        self.errors: list[str] = []
        self.unknown_errors: list[str] = []
        self.cleaned: dict[str, dict] = {}
        initial = initial or {}
        if data is None:
            # Last year's countries are listed too, as a reminder, with this year's blank.
            answered = [initial, *([previous] if previous else [])]
            countries = sorted(
                {
                    code
                    for answers in answered
                    for form in forms_shown
                    for code in answers["forms"][form]["origin"]
                },
                key=country_name,
            )
            self.rows = [
                {
                    "index": index,
                    "country": country_name(code),
                    "cells": [
                        (form, initial["forms"][form]["origin"].get(code, ""))
                        for form in forms_shown
                    ],
                    "errors": [],
                }
                for index, code in enumerate(countries)
            ]
            self.unknown = [
                (form, initial["forms"][form]["origin_unknown"]) for form in forms_shown
            ]
            self._add_blank_rows(ORIGIN_EXTRA_ROWS)
        else:
            self._read(data)
        self._add_previous(previous)

    def _add_previous(self, previous: dict | None) -> None:
        """Each cell becomes (form, value, last year's validated value or None)."""

        def last_year(form: str, code: str | None):
            if previous is None or code is None:
                return None
            return previous["forms"][form]["origin"].get(code, 0)

        for row in self.rows:
            code = country_code(row["country"]) if row["country"] else None
            row["cells"] = [(form, value, last_year(form, code)) for form, value in row["cells"]]
        self.unknown = [
            (form, value, previous["forms"][form]["origin_unknown"] if previous else None)
            for form, value in self.unknown
        ]

    def _add_blank_rows(self, count: int) -> None:
        start = len(self.rows)
        self.rows += [
            {
                "index": start + offset,
                "country": "",
                "cells": [(form, "") for form in self.forms_shown],
                "errors": [],
            }
            for offset in range(count)
        ]

    def _count(self, raw: str, where: str, row_errors: list[str]) -> int | None:
        try:
            return CountField(where=where).clean(raw)
        except forms.ValidationError as error:
            row_errors.extend(error.messages)
            return None

    def _read(self, data) -> None:
        indexes = sorted(
            {int(key.split("-")[1]) for key in data if re.fullmatch(r"country-\d{1,4}", key)}
        )
        origin: dict[str, dict[str, int]] = {form: {} for form in self.forms_shown}
        seen: dict[str, int] = {}
        self.rows = []
        for index in indexes:
            typed = data.get(f"country-{index}", "").strip()
            raw_cells = [
                (form, data.get(f"{form}-country-{index}", "")) for form in self.forms_shown
            ]
            row = {"index": index, "country": typed, "cells": raw_cells, "errors": []}
            self.rows.append(row)
            if not typed and not any(str(raw).strip() for _, raw in raw_cells):
                continue
            code = country_code(typed)
            if code is None:
                row["errors"].append(
                    f"Pays « {typed} » inconnu : choisissez un pays dans la liste."
                    if typed
                    else "Indiquez le pays de cette ligne."
                )
            elif code in seen:
                row["errors"].append(
                    f"{country_name(code)} est saisi sur deux lignes : regroupez les nombres "
                    "sur une seule ligne."
                )
            else:
                seen[code] = index
            for form, raw in raw_cells:
                value = self._count(
                    raw, f"{FORM_LABELS[form]} — {typed or 'pays non indiqué'}", row["errors"]
                )
                if code and value is not None:
                    origin[form][code] = value
            self.errors.extend(row["errors"])
        self.unknown = [(form, data.get(f"{form}-origin_unknown", "")) for form in self.forms_shown]
        unknown_errors: list[str] = []
        unknown = {
            form: self._count(raw, f"{FORM_LABELS[form]} — pays non précisé", unknown_errors)
            for form, raw in self.unknown
        }
        self.unknown_errors = unknown_errors
        self.errors.extend(unknown_errors)
        self._add_blank_rows(ORIGIN_EXTRA_ROWS)
        self.cleaned = {
            form: {"origin": origin[form], "origin_unknown": unknown[form] or 0}
            for form in self.forms_shown
        }

    def is_valid(self) -> bool:
        return self.data is not None and not self.errors


class AssociationProfileForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Association
        fields = ["departement", "region", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Fieldset("Votre association", *self.Meta.fields))


class SubmissionFieldsForm(DsfrBaseForm):
    """The answers asked once per submission (optional)."""

    suspects_identified = CountField(
        where=field_label("suspects_identified"), label=field_label("suspects_identified")
    )
    association_civil_party_cases = CountField(
        where=field_label("association_civil_party_cases"),
        label=field_label("association_civil_party_cases"),
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="N'y écrivez rien qui permette d'identifier une personne.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                "Informations complémentaires",
                "suspects_identified",
                "association_civil_party_cases",
                "comment",
            )
        )
