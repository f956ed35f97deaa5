"""The site's pages: layout (DSFR header and footer), home, login, footer pages."""

import re

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Button, ButtonHolder, Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.template import Context, Template
from django.urls import reverse
from dsfr.forms import DsfrBaseForm

from survey.forms import LoginForm
from survey.urls import FOOTER_PAGES

SERVICE_TITLE = "Enquête annuelle traite des êtres humains"


def html(response) -> str:
    return response.content.decode()


def assert_no_placeholder(page: str) -> None:
    assert "[url - à modifier]" not in page
    assert 'href="#"' not in page
    assert "accès direct" not in page


@pytest.mark.django_db
def test_site_config_comes_from_the_data_migration():
    from dsfr.models import DsfrConfig

    config = DsfrConfig.objects.get(language="fr")
    assert config.site_title == SERVICE_TITLE
    assert "(Miprof)" in config.site_tagline
    assert config.accessibility_status == "NOT"
    assert "jamais une personne" in config.footer_description


@pytest.mark.django_db
def test_home_anonymous(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = html(response)
    assert SERVICE_TITLE in page
    assert "Miprof" in page
    assert f'href="{reverse("login")}"' in page
    assert "Se connecter" in page
    assert "Se déconnecter" not in page
    assert 'aria-current="page"' in page  # "Accueil" in the main menu
    assert 'href="#content"' in page and 'href="#footer"' in page  # skiplinks
    assert_no_placeholder(page)


@pytest.mark.django_db
def test_footer_links_resolve_to_our_pages(client):
    page = html(client.get(reverse("home")))
    for _route, name, _template, _title in FOOTER_PAGES:
        assert f'href="{reverse(name)}"' in page
    assert re.search(r"Accessibilité\s*:\s*non conforme", page)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "title"), [(name, title) for _r, name, _t, title in FOOTER_PAGES])
def test_footer_pages(client, name, title):
    response = client.get(reverse(name))
    assert response.status_code == 200
    page = html(response)
    assert f"<title>{title} — {SERVICE_TITLE}</title>" in page
    assert "<h1>" in page
    assert_no_placeholder(page)


@pytest.mark.django_db
def test_login_page_renders_a_dsfr_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    page = html(response)
    assert 'class="fr-fieldset"' in page
    assert '<legend class="fr-fieldset__legend">Connexion</legend>' in page
    assert 'class="fr-btn"' in page
    assert page.count('class="fr-input"') >= 2
    for name in ("username", "password"):
        input_id = re.search(rf'<input[^>]*name="{name}"[^>]*id="([^"]+)"', page)
        input_id = input_id or re.search(rf'<input[^>]*id="([^"]+)"[^>]*name="{name}"', page)
        assert input_id, name
        assert f'<label for="{input_id.group(1)}" class="fr-label">' in page
    assert "Adresse e-mail" in page
    assert "Mot de passe" in page
    assert page.count('name="csrfmiddlewaretoken"') == 1
    assert "Mot de passe oublié" in page
    assert_no_placeholder(page)


def test_login_form_mro_accepts_request():
    form = LoginForm(request=None, data={"username": "x", "password": "y"})
    assert form.request is None
    assert form.fields["username"].label == "Adresse e-mail"
    assert form.helper.form_tag is False


@pytest.mark.django_db
def test_login_then_home_lists_the_association(client, member_a, association_a):
    response = client.post(
        reverse("login"), {"username": "alice@a.example", "password": "motdepasse-a-1234"}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    page = html(client.get(reverse("home")))
    assert association_a.name in page
    assert "alice@a.example" in page
    assert "Se déconnecter" in page
    assert f'action="{reverse("logout")}"' in page
    assert_no_placeholder(page)


@pytest.mark.django_db
def test_login_wrong_password_shows_a_french_error(client, member_a):
    response = client.post(
        reverse("login"), {"username": "alice@a.example", "password": "mauvais-mot-de-passe"}
    )
    assert response.status_code == 200
    page = html(response)
    assert "Connexion impossible" in page
    assert "Adresse e-mail ou mot de passe incorrect" in page
    assert "fr-alert--error" in page
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_logout_is_a_post(client, member_a):
    client.force_login(member_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "Se connecter" in html(client.get(reverse("home")))


@pytest.mark.django_db
def test_user_without_association_is_told_to_ask_the_miprof(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="carol@c.example", email="carol@c.example", password="motdepasse-c-1234"
    )
    client.force_login(user)
    page = html(client.get(reverse("home")))
    assert "n’est rattaché à aucune association" in page
    assert "Miprof" in page


@pytest.mark.django_db
def test_staff_sees_the_administration_link(client, staff_user):
    client.force_login(staff_user)
    page = html(client.get(reverse("home")))
    assert f'href="{reverse("admin:index")}"' in page
    assert "Administration" in page


@pytest.mark.django_db
def test_member_does_not_see_the_administration_link(client, member_a):
    client.force_login(member_a)
    page = html(client.get(reverse("home")))
    assert reverse("admin:index") not in page
    assert "Administration" not in page


class _PackForm(DsfrBaseForm):
    count = forms.IntegerField(label="Nombre", min_value=0)
    note = forms.CharField(label="Note", required=False)
    marker = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Erreur d’ensemble")


def _crispy(context: dict, tag: str = "{% crispy form %}") -> str:
    return Template("{% load crispy_forms_tags %}" + tag).render(Context(context))


def test_crispy_pack_renders_layout_objects_with_dsfr_markup():
    form = _PackForm(data={"count": "x"})
    form.helper = FormHelper()
    form.helper.layout = Layout(
        Fieldset("Effectifs", Row(Column("count"), Column("note", css_class="fr-col-4"))),
        Div("marker", css_class="extra"),
        ButtonHolder(Submit("save", "Enregistrer", css_class="fr-btn--lg"), Button("b", "Annuler")),
    )
    page = _crispy({"form": form})
    assert '<form method="post">' in page
    assert 'class="fr-alert fr-alert--error' in page and "Erreur d’ensemble" in page
    assert '<fieldset class="fr-fieldset"' in page
    assert '<legend class="fr-fieldset__legend">Effectifs</legend>' in page
    assert 'class="fr-grid-row fr-grid-row--gutters"' in page
    assert 'class="fr-col-12 fr-col-md"' in page and 'class="fr-col-4"' in page
    assert "fr-input-group--error" in page  # the field went through django-dsfr's snippet
    assert '<label for="id_count" class="fr-label">' in page
    assert '<input type="hidden" name="marker"' in page
    assert 'class="fr-btn fr-btn--lg"' in page and ">Enregistrer</button>" in page
    assert 'class="fr-btn fr-btn--secondary"' in page
    assert "btn-primary" not in page


def test_crispy_pack_without_layout_and_filter():
    form = _PackForm()
    assert 'class="fr-input"' in _crispy({"form": form})
    assert '<label for="id_note" class="fr-label">' in _crispy({"form": form}, "{{ form|crispy }}")


def test_crispy_pack_table_inline_formset():
    formset = forms.formset_factory(_PackForm, extra=2)()
    helper = FormHelper()
    helper.template = "dsfr_crispy/table_inline_formset.html"
    page = _crispy({"formset": formset, "helper": helper}, "{% crispy formset helper %}")
    assert 'name="form-TOTAL_FORMS"' in page
    assert '<div class="fr-table">' in page
    assert '<th scope="col">Note</th>' in page
    assert '<label class="fr-label fr-sr-only" for="id_form-1-count">Nombre</label>' in page
